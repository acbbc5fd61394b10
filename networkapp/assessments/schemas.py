import marshmallow as ma

from networkapp.models.assessments import ATTEMPT_STATUSES, MAX_OPTIONS
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import Int, StrictSchema


class AssessmentSkillSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()


class AttemptQuestionSchema(ma.Schema):
    """A question as the taker sees it: never the correct option."""

    id = ma.fields.UUID()
    position = ma.fields.Integer()
    text = ma.fields.String()
    options = ma.fields.List(ma.fields.String())
    answer_index = ma.fields.Integer(allow_none=True, metadata={"description": "My answer, once submitted"})
    is_correct = ma.fields.Boolean(allow_none=True, metadata={"description": "Whether my answer was right"})
    explanation = ma.fields.String(
        allow_none=True, metadata={"description": "Shown only for questions I answered correctly"}
    )


class AttemptSummarySchema(ma.Schema):
    id = ma.fields.UUID()
    skill = ma.fields.Nested(AssessmentSkillSchema)
    status = ma.fields.String(metadata={"enum": list(ATTEMPT_STATUSES)})
    started_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime()
    submitted_at = ma.fields.DateTime(allow_none=True)
    question_count = ma.fields.Integer()
    pass_percent = ma.fields.Integer()
    correct_count = ma.fields.Integer(allow_none=True)
    score = ma.fields.Integer(allow_none=True, metadata={"description": "Percent correct, once submitted"})
    passed = ma.fields.Boolean(allow_none=True)


class AttemptSchema(AttemptSummarySchema):
    seconds_remaining = ma.fields.Integer(metadata={"description": "0 once the attempt is over"})
    questions = ma.fields.List(ma.fields.Nested(AttemptQuestionSchema))


AttemptPageSchema = page_schema(AttemptSummarySchema, name="Attempt")


class AttemptListArgsSchema(PageArgsSchema):
    skill_id = ma.fields.UUID(load_default=None)


class SubmitSchema(StrictSchema):
    answers = ma.fields.Dict(
        keys=ma.fields.UUID(),
        values=Int(strict=True, minimum=0, maximum=MAX_OPTIONS - 1),
        required=True,
        validate=ma.validate.Length(max=100),
        metadata={"description": "question id → chosen option index; unanswered questions count as wrong"},
    )
