"""Loading question banks from a file: validate everything first, then write it in one transaction."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import marshmallow as ma
import sqlalchemy as sa
import yaml

from networkapp.extensions import db
from networkapp.models import AssessmentQuestion, Skill
from networkapp.models.assessments import MAX_OPTIONS, MIN_OPTIONS
from networkapp.schemas import StrictSchema

# The same namespace and derivation as the migration that ships the first
# bank, so a question keeps its id whichever way it arrived.
QUESTION_NAMESPACE = uuid.UUID("9b7f4f7e-2a55-4d0c-8b0e-3f6c1d2a7e41")


def question_id(skill_key: str, text: str) -> uuid.UUID:
    return uuid.uuid5(QUESTION_NAMESPACE, f"{skill_key}\n{text}")


class ImportError_(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class QuestionSchema(StrictSchema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))
    options = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=300)),
        required=True,
        validate=ma.validate.Length(min=MIN_OPTIONS, max=MAX_OPTIONS),
    )
    answer = ma.fields.Integer(required=True, strict=True, metadata={"description": "index of the correct option"})
    explanation = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=1000))

    @ma.pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("text"), str):
                data["text"] = data["text"].strip()
            if isinstance(data.get("options"), list):
                data["options"] = [o.strip() if isinstance(o, str) else o for o in data["options"]]
        return data

    @ma.validates_schema
    def check_answer(self, data, **kwargs):
        options = data["options"]
        if not 0 <= data["answer"] < len(options):
            raise ma.ValidationError(f"must be an option index from 0 to {len(options) - 1}", "answer")
        if len({o.casefold() for o in options}) != len(options):
            raise ma.ValidationError("options must be different from each other", "options")


class SkillBankSchema(StrictSchema):
    skill = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema), required=True, validate=ma.validate.Length(min=1))


class BankFileSchema(StrictSchema):
    version = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Equal(1))
    skills = ma.fields.List(ma.fields.Nested(SkillBankSchema), required=True, validate=ma.validate.Length(min=1))


def _flatten(messages, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix or "file"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, path))
        return out
    if isinstance(messages, list):
        return [f"{prefix}: {message}" for message in messages]
    return [f"{prefix}: {messages}"]


def read(path: Path) -> object:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise ImportError_([f"{path.name} is not UTF-8 text"]) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            return yaml.safe_load(text)
        return json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "YAML" if path.suffix.lower() in (".yaml", ".yml") else "JSON"
        raise ImportError_([f"{path.name} is not valid {kind}: {exc}"]) from None


def validate(raw: object) -> list[dict]:
    """Parse and check a bank; returns rows ready to write or raises with every problem found."""
    if not isinstance(raw, dict):
        raise ImportError_(["file: must be an object with 'version' and 'skills'"])
    try:
        bank = BankFileSchema().load(raw)
    except ma.ValidationError as exc:
        raise ImportError_(_flatten(exc.messages)) from None

    keys = {entry["skill"].strip().lower() for entry in bank["skills"]}
    catalogue = {
        skill.name_key: skill.id for skill in db.session.scalars(sa.select(Skill).where(Skill.name_key.in_(keys)))
    }
    problems, rows, seen = [], [], set()
    for i, entry in enumerate(bank["skills"]):
        key = entry["skill"].strip().lower()
        if key not in catalogue:
            problems.append(f"skills[{i}].skill: {entry['skill']!r} is not in the skills catalogue")
            continue
        for j, question in enumerate(entry["questions"]):
            qid = question_id(key, question["text"])
            if qid in seen:
                problems.append(f"skills[{i}].questions[{j}].text: the same question appears twice for this skill")
                continue
            seen.add(qid)
            rows.append(
                {
                    "id": qid,
                    "skill_id": catalogue[key],
                    "text": question["text"],
                    "options": question["options"],
                    "correct_index": question["answer"],
                    "explanation": question["explanation"],
                }
            )
    if problems:
        raise ImportError_(problems)
    return rows


def load(rows: list[dict]) -> tuple[int, int]:
    """Insert new questions and update existing ones (same skill and text); returns (added, updated)."""
    existing = {
        q.id: q
        for q in db.session.scalars(
            sa.select(AssessmentQuestion).where(AssessmentQuestion.id.in_([r["id"] for r in rows]))
        )
    }
    added = updated = 0
    for row in rows:
        question = existing.get(row["id"])
        if question is None:
            db.session.add(AssessmentQuestion(**row))
            added += 1
        elif (question.options, question.correct_index, question.explanation) != (
            row["options"],
            row["correct_index"],
            row["explanation"],
        ):
            question.options, question.correct_index = row["options"], row["correct_index"]
            question.explanation = row["explanation"]
            updated += 1
    db.session.commit()
    return added, updated
