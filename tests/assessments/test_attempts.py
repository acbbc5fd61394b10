"""Taking an assessment: start, submit, score, time limit, cool-down and ownership."""

import json
import threading
import uuid
from datetime import UTC, datetime

import pytest

from tests.assessments.conftest import answers_with, second_session

FORBIDDEN_KEYS = {"correct_index", "correct", "answer", "correct_option", "correct_answer", "answer_key"}
QUESTION_KEYS = {"id", "position", "text", "options", "answer_index", "is_correct", "explanation"}


def _walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_keys(item)


@pytest.fixture
def python(bank, alice):
    return bank.give_skill(alice, "Python")


def start(actor, skill_id):
    return actor.post(f"/api/skills/{skill_id}/assessments")


def test_starting_draws_ten_questions_without_answers(alice, bank, python):
    response = start(alice, python)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "in_progress" and body["skill"] == {"id": python, "name": "Python"}
    assert body["question_count"] == 10 and len(body["questions"]) == 10
    assert body["score"] is None and body["passed"] is None and body["submitted_at"] is None
    assert 890 <= body["seconds_remaining"] <= 900
    assert [q["position"] for q in body["questions"]] == list(range(1, 11))
    assert len({q["id"] for q in body["questions"]}) == 10
    for question in body["questions"]:
        assert set(question) == QUESTION_KEYS
        assert question["answer_index"] is None and question["is_correct"] is None and question["explanation"] is None
        assert 3 <= len(question["options"]) <= 5
    stored = bank.attempt(body["id"])
    assert stored.status == "in_progress" and str(stored.user_id) == alice.id
    assert (stored.expires_at - stored.started_at).total_seconds() == 900
    assert set(bank.correct(body["id"])) == {q["id"] for q in body["questions"]}


def test_correct_answers_never_leave_the_server(alice, bank, python):
    bodies = []
    started = start(alice, python)
    bodies.append(started.get_data(as_text=True))
    attempt_id = started.get_json()["id"]
    bodies.append(alice.get(f"/api/assessments/{attempt_id}").get_data(as_text=True))
    bodies.append(alice.get("/api/assessments").get_data(as_text=True))

    key = bank.correct(attempt_id)
    questions = bank.questions(attempt_id)
    ordered = sorted(key)
    right, wrong, unanswered = ordered[:4], ordered[4:7], ordered[7:]
    answers = {qid: key[qid] for qid in right} | {qid: (key[qid] + 1) % 4 for qid in wrong}
    submitted = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": answers})
    assert submitted.status_code == 200
    bodies.append(submitted.get_data(as_text=True))
    bodies.append(alice.get(f"/api/assessments/{attempt_id}").get_data(as_text=True))
    bodies.append(alice.get(f"/api/assessments?skill_id={python}").get_data(as_text=True))

    for raw in bodies:
        data = json.loads(raw)
        assert not FORBIDDEN_KEYS & set(_walk_keys(data)), raw
        for qid in wrong + unanswered:
            if questions[qid].explanation:
                assert questions[qid].explanation not in raw
        for question in data.get("questions", []):
            assert set(question) == QUESTION_KEYS
            qid = question["id"]
            # The only index a response carries is the one I chose.
            assert question["answer_index"] == answers.get(qid) or question["answer_index"] is None
            if qid in wrong + unanswered:
                assert question["is_correct"] in (False, None)
                assert question["explanation"] is None

    final = json.loads(bodies[-2])
    by_id = {q["id"]: q for q in final["questions"]}
    assert all(by_id[q]["is_correct"] is True for q in right)
    assert all(by_id[q]["is_correct"] is False and by_id[q]["answer_index"] == answers[q] for q in wrong)
    assert all(by_id[q]["answer_index"] is None and by_id[q]["is_correct"] is False for q in unanswered)
    assert final["correct_count"] == 4 and final["score"] == 40 and final["passed"] is False


@pytest.mark.parametrize(("right", "passed"), [(10, True), (7, True), (6, False), (0, False)])
def test_pass_threshold_is_seventy_percent(alice, bank, python, right, passed):
    attempt_id = start(alice, python).get_json()["id"]
    answers = answers_with(bank.correct(attempt_id), right)
    response = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": answers})
    assert response.status_code == 200
    body = response.get_json()
    assert body["score"] == right * 10 and body["correct_count"] == right
    assert body["passed"] is passed and body["status"] == ("passed" if passed else "failed")
    stored = bank.attempt(attempt_id)
    assert stored.status == body["status"] and stored.score == right * 10 and stored.submitted_at is not None
    badge = bank.passed_at(alice, "Python")
    assert (badge is not None) is passed
    if passed:
        assert badge == stored.submitted_at


def test_pass_threshold_is_configurable(app, alice, bank, python):
    app.config["ASSESSMENT_PASS_PERCENT"] = 80
    attempt_id = start(alice, python).get_json()["id"]
    body = alice.post(
        f"/api/assessments/{attempt_id}/submit", json={"answers": answers_with(bank.correct(attempt_id), 7)}
    ).get_json()
    assert body["passed"] is False and body["pass_percent"] == 80
    assert bank.passed_at(alice, "Python") is None


def test_a_failed_retake_keeps_an_earlier_pass(alice, bank, python):
    first = start(alice, python).get_json()["id"]
    alice.post(f"/api/assessments/{first}/submit", json={"answers": bank.correct(first)})
    badge = bank.passed_at(alice, "Python")
    assert badge is not None
    bank.shift(first, hours=25)
    second = start(alice, python).get_json()["id"]
    assert alice.post(f"/api/assessments/{second}/submit", json={"answers": {}}).get_json()["passed"] is False
    assert bank.passed_at(alice, "Python") == badge


def test_passed_skill_ids_lists_only_passed_skills(app, alice, bank, python):
    from networkapp.assessments.services import passed_skill_ids

    bank.give_skill(alice, "SQL")
    attempt_id = start(alice, python).get_json()["id"]
    alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": bank.correct(attempt_id)})
    with app.app_context():
        assert passed_skill_ids(uuid.UUID(alice.id)) == {uuid.UUID(python)}


def test_a_skill_not_on_my_profile_cannot_be_assessed(alice, bank):
    sql = bank.skill_id("SQL")
    response = start(alice, sql)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "skill_id" in response.get_json()["errors"]
    assert bank.attempts(alice) == []


def test_unknown_skill_is_not_found(alice, bank):
    assert start(alice, uuid.uuid4()).status_code == 404
    assert bank.attempts(alice) == []


def test_a_skill_without_a_question_bank_is_not_found(alice, bank):
    rust = bank.give_skill(alice, "Rust")
    response = start(alice, rust)
    assert response.status_code == 404
    assert "no assessment" in response.get_json()["detail"].lower()


def test_a_small_bank_draws_every_question(app, alice, bank, python):
    app.config["ASSESSMENT_QUESTION_COUNT"] = 50
    body = start(alice, python).get_json()
    assert body["question_count"] == len(body["questions"]) == 16


def test_late_submission_is_refused_and_marks_the_attempt_expired(alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    bank.shift(attempt_id, seconds=901)
    shown = alice.get(f"/api/assessments/{attempt_id}").get_json()
    assert shown["status"] == "expired" and shown["seconds_remaining"] == 0
    response = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": bank.correct(attempt_id)})
    assert response.status_code == 409
    assert "time limit" in response.get_json()["detail"]
    stored = bank.attempt(attempt_id)
    assert stored.status == "expired" and stored.score is None and stored.submitted_at is None
    assert bank.passed_at(alice, "Python") is None
    assert all(answer == (None, None) for answer in bank.answers(attempt_id))
    # Still over on a second try.
    assert alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": {}}).status_code == 409


def test_submission_just_before_the_deadline_counts(alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    bank.shift(attempt_id, seconds=890)
    response = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": bank.correct(attempt_id)})
    assert response.status_code == 200 and response.get_json()["passed"] is True


def test_time_limit_is_configurable_and_fixed_at_start(app, alice, bank, python):
    app.config["ASSESSMENT_TIME_LIMIT_SECONDS"] = 60
    body = start(alice, python).get_json()
    started = datetime.fromisoformat(body["started_at"])
    assert (datetime.fromisoformat(body["expires_at"]) - started).total_seconds() == 60
    app.config["ASSESSMENT_TIME_LIMIT_SECONDS"] = 900
    assert alice.get(f"/api/assessments/{body['id']}").get_json()["expires_at"] == body["expires_at"]


def test_submitting_twice_is_a_conflict(alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    key = bank.correct(attempt_id)
    first = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": answers_with(key, 3)})
    assert first.status_code == 200
    again = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": key})
    assert again.status_code == 409
    stored = bank.attempt(attempt_id)
    assert stored.score == 30 and stored.status == "failed"
    assert bank.passed_at(alice, "Python") is None


def test_concurrent_submissions_score_once(app, alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    key = bank.correct(attempt_id)
    other = second_session(app, alice)
    other.refresh_csrf()
    alice.refresh_csrf()
    barrier = threading.Barrier(2)
    statuses = []

    def submit(actor, answers):
        barrier.wait()
        statuses.append(actor.post(f"/api/assessments/{attempt_id}/submit", json={"answers": answers}).status_code)

    threads = [
        threading.Thread(target=submit, args=(alice, key)),
        threading.Thread(target=submit, args=(other, {})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    stored = bank.attempt(attempt_id)
    assert stored.score in (0, 100)
    assert (bank.passed_at(alice, "Python") is not None) is (stored.score == 100)


def test_retake_cool_down_answers_409_with_retry_after(alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": {}})
    response = start(alice, python)
    assert response.status_code == 409
    assert 86000 < int(response.headers["Retry-After"]) <= 86400
    assert len(bank.attempts(alice)) == 1

    bank.shift(attempt_id, hours=23)
    response = start(alice, python)
    assert response.status_code == 409 and int(response.headers["Retry-After"]) <= 3600

    bank.shift(attempt_id, hours=1, seconds=1)
    assert start(alice, python).status_code == 201
    assert len(bank.attempts(alice)) == 2


def test_cool_down_is_configurable(app, alice, bank, python):
    app.config["ASSESSMENT_RETAKE_COOLDOWN_HOURS"] = 0
    attempt_id = start(alice, python).get_json()["id"]
    alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": {}})
    assert start(alice, python).status_code == 201


def test_an_open_attempt_blocks_a_new_one_until_it_runs_out(app, alice, bank, python):
    app.config["ASSESSMENT_RETAKE_COOLDOWN_HOURS"] = 0
    attempt_id = start(alice, python).get_json()["id"]
    response = start(alice, python)
    assert response.status_code == 409 and 0 < int(response.headers["Retry-After"]) <= 900
    bank.shift(attempt_id, seconds=901)
    assert start(alice, python).status_code == 201
    assert bank.attempt(attempt_id).status == "expired"


def test_an_abandoned_attempt_expires_when_the_next_one_starts(alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    bank.shift(attempt_id, hours=25)
    assert start(alice, python).status_code == 201
    assert bank.attempt(attempt_id).status == "expired"


def test_concurrent_starts_create_one_attempt(app, alice, bank, python):
    other = second_session(app, alice)
    other.refresh_csrf()
    alice.refresh_csrf()
    barrier = threading.Barrier(2)
    statuses = []

    def go(actor):
        barrier.wait()
        statuses.append(start(actor, python).status_code)

    threads = [threading.Thread(target=go, args=(a,)) for a in (alice, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    assert len(bank.attempts(alice)) == 1


def test_assessment_for_one_skill_does_not_cool_down_another(alice, bank, python):
    sql = bank.give_skill(alice, "SQL")
    assert start(alice, python).status_code == 201
    assert start(alice, sql).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "answers"),
        ({"answers": []}, "answers"),
        ({"answers": {"not-a-uuid": 1}}, "answers"),
        ({"answers": {"00000000-0000-0000-0000-000000000001": "1"}}, "answers"),
        ({"answers": {"00000000-0000-0000-0000-000000000001": 1.5}}, "answers"),
        ({"answers": {"00000000-0000-0000-0000-000000000001": -1}}, "answers"),
        ({"answers": {"00000000-0000-0000-0000-000000000001": 5}}, "answers"),
        ({"answers": {}, "score": 100}, "score"),
    ],
)
def test_malformed_submissions_are_422_and_change_nothing(alice, bank, python, body, field):
    attempt_id = start(alice, python).get_json()["id"]
    response = alice.post(f"/api/assessments/{attempt_id}/submit", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert bank.attempt(attempt_id).status == "in_progress"


def test_answers_for_questions_outside_the_attempt_are_422(alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    key = bank.correct(attempt_id)
    stranger = str(uuid.uuid4())
    response = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": key | {stranger: 0}})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [f"answers.{stranger}"]
    assert bank.attempt(attempt_id).status == "in_progress"
    assert all(answer == (None, None) for answer in bank.answers(attempt_id))


def test_an_option_the_question_does_not_have_is_422(app, alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    # Every shipped question has four options; index 4 fits the schema but not the question.
    qid = next(iter(bank.correct(attempt_id)))
    response = alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": {qid: 4}})
    assert response.status_code == 422 and f"answers.{qid}" in response.get_json()["errors"]
    assert bank.attempt(attempt_id).status == "in_progress"


def test_submit_must_be_json(alice, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    response = alice.post(f"/api/assessments/{attempt_id}/submit", data="answers", content_type="text/plain")
    assert response.status_code == 415


def test_attempts_belong_to_their_owner(alice, bob, bank, python):
    attempt_id = start(alice, python).get_json()["id"]
    assert bob.get(f"/api/assessments/{attempt_id}").status_code == 404
    response = bob.post(f"/api/assessments/{attempt_id}/submit", json={"answers": bank.correct(attempt_id)})
    assert response.status_code == 404
    assert bank.attempt(attempt_id).status == "in_progress"
    assert bob.get("/api/assessments").get_json() == {"items": [], "next_cursor": None}
    assert bob.get(f"/api/assessments?skill_id={python}").get_json()["items"] == []


def test_unknown_attempt_is_not_found(alice):
    assert alice.get(f"/api/assessments/{uuid.uuid4()}").status_code == 404
    assert alice.post(f"/api/assessments/{uuid.uuid4()}/submit", json={"answers": {}}).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/assessments"),
        ("GET", f"/api/assessments/{uuid.UUID(int=1)}"),
        ("POST", f"/api/assessments/{uuid.UUID(int=1)}/submit"),
        ("POST", f"/api/skills/{uuid.UUID(int=1)}/assessments"),
    ],
)
def test_assessments_require_sign_in(anon, method, path):
    response = anon.open(method, path, json={"answers": {}} if method == "POST" else None)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_my_attempts_are_listed_newest_first_and_filtered_by_skill(alice, bank, python):
    sql = bank.give_skill(alice, "SQL")
    first = start(alice, python).get_json()["id"]
    bank.shift(first, hours=30)
    second = start(alice, sql).get_json()["id"]
    alice.post(f"/api/assessments/{second}/submit", json={"answers": bank.correct(second)})

    listed = alice.get("/api/assessments").get_json()
    assert [item["id"] for item in listed["items"]] == [second, first]
    assert listed["items"][0]["score"] == 100 and listed["items"][0]["passed"] is True
    assert listed["items"][1]["status"] == "expired" and listed["items"][1]["passed"] is None
    assert "questions" not in listed["items"][0]
    only_sql = alice.get(f"/api/assessments?skill_id={sql}").get_json()
    assert [item["id"] for item in only_sql["items"]] == [second]

    page = alice.get("/api/assessments?limit=1").get_json()
    assert [item["id"] for item in page["items"]] == [second]
    rest = alice.get(f"/api/assessments?limit=1&cursor={page['next_cursor']}").get_json()
    assert [item["id"] for item in rest["items"]] == [first] and rest["next_cursor"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "skill_id=nope"])
def test_list_rejects_bad_queries(alice, query):
    response = alice.get(f"/api/assessments?{query}")
    assert response.status_code == 422


def test_list_rejects_a_tampered_cursor(alice):
    assert alice.get("/api/assessments?cursor=abc").status_code == 400


def test_listing_costs_the_same_queries_for_one_or_many_attempts(app, alice, bank, python, query_counter):
    app.config["ASSESSMENT_RETAKE_COOLDOWN_HOURS"] = 0
    for name in ("SQL", "Git"):
        bank.give_skill(alice, name)
    first = start(alice, python).get_json()["id"]
    alice.post(f"/api/assessments/{first}/submit", json={"answers": {}})
    with query_counter() as one:
        alice.get("/api/assessments")
    for name in ("SQL", "Git"):
        attempt_id = start(alice, bank.skill_id(name)).get_json()["id"]
        alice.post(f"/api/assessments/{attempt_id}/submit", json={"answers": {}})
    with query_counter() as three:
        assert len(alice.get("/api/assessments").get_json()["items"]) == 3
    assert len(three) == len(one)


def test_started_and_expiry_times_are_utc(alice, python):
    body = start(alice, python).get_json()
    assert datetime.fromisoformat(body["started_at"]).utcoffset() == UTC.utcoffset(None)
