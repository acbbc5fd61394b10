"""Schema building blocks shared by every domain: the strict request base and the field types.

Every request string is a ``Text`` and every request integer an ``Int``; a
domain never writes its own stripping, NUL check or unbounded integer.
"""

from __future__ import annotations

import marshmallow as ma

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,30}$"

# Integer columns are 32-bit on PostgreSQL; a larger value must fail validation, not the INSERT.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

NUL_MESSAGE = "NUL characters are not allowed."
SURROGATE_MESSAGE = "Must be valid Unicode text (no lone surrogate code points)."
BLANK_MESSAGE = "Must not be blank."


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored or sent as text, or None.

    PostgreSQL text cannot hold NUL, and a lone surrogate (``"\\ud800"`` in
    JSON) has no UTF-8 encoding, so the driver or the response encoder would
    fail on it long after validation passed.
    """
    if "\x00" in value:
        return NUL_MESSAGE
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None


def _validators(validate) -> list:
    if validate is None:
        return []
    return list(validate) if isinstance(validate, list | tuple) else [validate]


class StrictSchema(ma.Schema):
    """Request schemas: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class Partial:
    """Mixed into a request schema: PUT changes only the fields it is given, so every field is optional."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class Text(ma.fields.String):
    """Request text: refuses NUL and lone surrogates, trims surrounding white space.

    ``blank`` says what an empty or whitespace-only value means, decided
    before any validator runs (so a length check never sees None):

    - ``"refuse"`` (the default for fields that do not allow null): 422 "Must not be blank."
    - ``"null"`` (the default for ``allow_none`` fields): stored as None, as if null was sent.
    - ``"keep"``: kept as sent (a search box left empty, a password the policy judges).

    ``trim=False`` stores the text exactly as sent (posts, passwords); blankness is
    still judged on the trimmed text.
    """

    default_error_messages = {"blank": BLANK_MESSAGE}

    def __init__(
        self,
        *,
        max_length: int | None = None,
        min_length: int | None = None,
        trim: bool = True,
        blank: str | None = None,
        **kwargs,
    ):
        validators = _validators(kwargs.pop("validate", None))
        if max_length is not None or min_length is not None:
            validators.insert(0, ma.validate.Length(min=min_length, max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.trim = trim
        self.blank = blank or ("null" if self.allow_none else "refuse")
        if self.blank not in ("refuse", "null", "keep"):
            raise ValueError(f"blank must be refuse, null or keep, not {self.blank!r}")
        if self.blank == "null" and not self.allow_none:
            raise ValueError("blank='null' needs allow_none=True")

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            if self.blank == "null":
                return None
            if self.blank == "refuse":
                raise self.make_error("blank")
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem:
            raise ma.ValidationError(problem)
        return text.strip() if self.trim else text


class Url(Text):
    """An absolute http(s) URL, at most ``max_length`` characters."""

    def __init__(self, *, max_length: int = 500, require_tld: bool = True, **kwargs):
        url = ma.validate.URL(schemes={"http", "https"}, require_tld=require_tld)
        kwargs["validate"] = [url, *_validators(kwargs.pop("validate", None))]
        kwargs.setdefault("metadata", {}).setdefault("format", "uri")
        super().__init__(max_length=max_length, **kwargs)


class Int(ma.fields.Integer):
    """A request integer, always bounded (by default to a 32-bit column's range).

    Booleans and fractions are refused rather than truncated; numeric strings
    are accepted, as query strings carry nothing else.
    """

    def __init__(self, *, minimum: int | None = INT_MIN, maximum: int | None = INT_MAX, **kwargs):
        validators = _validators(kwargs.pop("validate", None))
        validators.insert(0, ma.validate.Range(min=minimum, max=maximum))
        super().__init__(validate=validators, **kwargs)

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class CsvList(Text):
    """A comma-separated list in one query parameter (``skills=python,sql``)."""

    def __init__(self, *, max_items: int = 20, max_item_length: int = 100, **kwargs):
        kwargs.setdefault("blank", "keep")
        super().__init__(**kwargs)
        self.max_items, self.max_item_length = max_items, max_item_length

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        items = [part.strip() for part in text.split(",") if part.strip()]
        if len(items) > self.max_items:
            raise ma.ValidationError(f"At most {self.max_items} items.")
        if any(len(item) > self.max_item_length for item in items):
            raise ma.ValidationError(f"Each item must be at most {self.max_item_length} characters.")
        return items


class UserSummarySchema(ma.Schema):
    """The minimal card of a person: safe to show wherever the person is visible at all."""

    id = ma.fields.UUID(dump_only=True)
    username = ma.fields.String(dump_only=True)
    first_name = ma.fields.String(dump_only=True)
    last_name = ma.fields.String(dump_only=True)
    headline = ma.fields.String(dump_only=True, allow_none=True)
    profile_image_url = ma.fields.String(dump_only=True, allow_none=True)
    # Filled in for signed-in viewers by networkapp.relationships.annotate (1, 2, 3 or null beyond).
    connection_degree = ma.fields.Integer(dump_only=True, allow_none=True)
