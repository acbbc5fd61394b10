"""The shipped question bank and ``flask assessments import``."""

import json
import uuid

import pytest
import sqlalchemy as sa
import yaml

from networkapp.extensions import db
from networkapp.models import AssessmentQuestion, Skill


def _bank(app) -> dict[str, list[AssessmentQuestion]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Skill.name, AssessmentQuestion).join(Skill)).all()
        db.session.expunge_all()
    by_skill: dict[str, list] = {}
    for name, question in rows:
        by_skill.setdefault(name, []).append(question)
    return by_skill


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentQuestion))


def test_shipped_bank_covers_ten_popular_skills_with_fifteen_valid_questions_each(app):
    bank = _bank(app)
    assert len(bank) >= 10
    assert {"Python", "SQL", "JavaScript", "Git", "Docker", "Machine Learning", "Project Management"} <= set(bank)
    for name, questions in bank.items():
        assert len(questions) >= 15, name
        for question in questions:
            assert 3 <= len(question.options) <= 5
            assert 0 <= question.correct_index < len(question.options)
            assert len(set(question.options)) == len(question.options)
        # Right answers are spread over the positions, not always the first option.
        assert len({q.correct_index for q in questions}) > 1


def test_shipped_question_ids_are_deterministic(app):
    from networkapp.assessments.importer import question_id

    with app.app_context():
        question = db.session.scalars(
            sa.select(AssessmentQuestion).join(Skill).where(Skill.name_key == "python").limit(1)
        ).one()
        assert question.id == question_id("python", question.text)


def _write(tmp_path, data, name="bank.json"):
    path = tmp_path / name
    if name.endswith((".yaml", ".yml")):
        path.write_text(yaml.safe_dump(data), "utf-8")
    elif isinstance(data, str):
        path.write_text(data, "utf-8")
    else:
        path.write_text(json.dumps(data), "utf-8")
    return path


RUST = {
    "skill": "Rust",
    "questions": [
        {
            "text": "Which keyword makes a variable binding mutable?",
            "options": ["mut", "var", "let!", "mutable"],
            "answer": 0,
            "explanation": "Bindings are immutable unless declared with let mut.",
        },
        {
            "text": "What does the ? operator do on a Result?",
            "options": ["Panics on Err", "Returns the Err early from the function", "Ignores the error"],
            "answer": 1,
        },
        {
            "text": "Which type is a growable, heap-allocated string?",
            "options": ["&str", "char", "String"],
            "answer": 2,
        },
    ],
}


@pytest.mark.parametrize("name", ["bank.json", "bank.yaml"])
def test_import_adds_questions_from_json_or_yaml(app, runner, tmp_path, name):
    before = _count(app)
    result = runner.invoke(
        args=["assessments", "import", str(_write(tmp_path, {"version": 1, "skills": [RUST]}, name))]
    )
    assert result.exit_code == 0, result.output
    assert "3 questions added, 0 updated" in result.output
    assert _count(app) == before + 3
    rust = sorted(_bank(app)["Rust"], key=lambda q: q.text)
    assert [q.correct_index for q in rust] == [1, 0, 2]
    assert rust[1].explanation.startswith("Bindings are immutable") and rust[0].explanation is None


def test_importing_the_same_file_again_changes_nothing(app, runner, tmp_path):
    path = _write(tmp_path, {"version": 1, "skills": [RUST]})
    runner.invoke(args=["assessments", "import", str(path)])
    before = _count(app)
    result = runner.invoke(args=["assessments", "import", str(path)])
    assert result.exit_code == 0 and "0 questions added, 0 updated, 3 unchanged" in result.output
    assert _count(app) == before


def test_importing_the_shipped_file_is_a_no_op(app, runner):
    from pathlib import Path

    shipped = Path(__file__).resolve().parents[2] / "migrations" / "data" / "assessments_v1.json"
    before = _count(app)
    result = runner.invoke(args=["assessments", "import", str(shipped)])
    assert result.exit_code == 0, result.output
    assert "0 questions added, 0 updated" in result.output
    assert _count(app) == before


def test_import_corrects_an_existing_question(app, runner, tmp_path):
    with app.app_context():
        question = db.session.scalars(
            sa.select(AssessmentQuestion).join(Skill).where(Skill.name_key == "sql").limit(1)
        ).one()
        text, options, answer = question.text, list(question.options), question.correct_index
    fixed = {"text": text, "options": [*options[:3], "A new fourth option"], "answer": answer % 3}
    path = _write(tmp_path, {"version": 1, "skills": [{"skill": "sql", "questions": [fixed]}]})
    result = runner.invoke(args=["assessments", "import", str(path)])
    assert result.exit_code == 0 and "0 questions added, 1 updated" in result.output
    with app.app_context():
        updated = db.session.get(AssessmentQuestion, question.id)
        assert updated.options[3] == "A new fourth option" and updated.correct_index == answer % 3


def _with_question(**changes):
    good = dict(RUST["questions"][0])
    good.update(changes)
    return {"version": 1, "skills": [{"skill": "Rust", "questions": [*RUST["questions"][1:], good]}]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with_question(answer=4), "skills[0].questions[2].answer"),
        (_with_question(answer="0"), "skills[0].questions[2].answer"),
        (_with_question(options=["only", "two"]), "skills[0].questions[2].options"),
        (_with_question(options=["a", "b", "c", "d", "e", "f"]), "skills[0].questions[2].options"),
        (_with_question(options=["same", "Same", "other"]), "skills[0].questions[2].options"),
        (_with_question(text=""), "skills[0].questions[2].text"),
        (_with_question(text="x" * 1001), "skills[0].questions[2].text"),
        (_with_question(difficulty="hard"), "skills[0].questions[2].difficulty"),
        ({"version": 2, "skills": [RUST]}, "version"),
        ({"skills": [RUST]}, "version"),
        ({"version": 1, "skills": []}, "skills"),
        ({"version": 1, "skills": [{**RUST, "skill": "Underwater Basket Weaving"}]}, "not in the skills catalogue"),
        ({"version": 1, "skills": [RUST, RUST]}, "appears twice"),
        ([RUST], "file"),
        ("{not json", "not valid JSON"),
    ],
)
def test_an_invalid_file_imports_nothing(app, runner, tmp_path, data, message):
    before = _count(app)
    result = runner.invoke(args=["assessments", "import", str(_write(tmp_path, data))])
    assert result.exit_code != 0
    assert message in result.output
    assert "nothing imported" in result.output
    assert "Traceback" not in result.output
    assert _count(app) == before
    assert "Rust" not in _bank(app)


def test_invalid_yaml_is_reported(app, runner, tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text("skills: [unclosed", "utf-8")
    result = runner.invoke(args=["assessments", "import", str(path)])
    assert result.exit_code != 0 and "not valid YAML" in result.output


def test_a_binary_file_is_reported(app, runner, tmp_path):
    path = tmp_path / "bank.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    result = runner.invoke(args=["assessments", "import", str(path)])
    assert result.exit_code != 0 and "not UTF-8" in result.output and "Traceback" not in result.output


def test_a_missing_file_is_reported(runner, tmp_path):
    result = runner.invoke(args=["assessments", "import", str(tmp_path / "nope.json")])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_imported_questions_can_be_drawn(app, runner, tmp_path, alice):
    from tests.assessments.conftest import Bank

    runner.invoke(args=["assessments", "import", str(_write(tmp_path, {"version": 1, "skills": [RUST]}))])
    rust = Bank(app).give_skill(alice, "Rust")
    body = alice.post(f"/api/skills/{rust}/assessments").get_json()
    assert body["question_count"] == 3
    assert {q["text"] for q in body["questions"]} == {q["text"] for q in RUST["questions"]}
    assert all(uuid.UUID(q["id"]) for q in body["questions"])
