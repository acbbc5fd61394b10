"""Parse free-text salary ranges ("$90k-120k" with any dash, "£30,000 - £35,000 per annum") into numbers.

Pure functions, no database: the job service stores the result next to the
text the poster wrote, which stays untouched.  Anything that is not clearly a
salary ("competitive", "DOE") parses to all-None rather than to a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

PERIODS = ("year", "month", "week", "day", "hour")

# Yearly equivalents: 52 weeks, 260 working days (52 x 5), 2080 working hours (52 x 40).
YEARLY_FACTORS = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}

SYMBOLS = {
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
}
CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "INR", "SEK", "NOK", "DKK", "PLN", "SGD", "ZAR")

_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_NUMBER = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?"
_SUFFIX = r"[kKmM](?![a-zA-Z])"
_RANGE = re.compile(
    rf"(?P<c1>{_SYMBOL})?\s*(?P<n1>{_NUMBER})\s*(?P<k1>{_SUFFIX})?"
    rf"(?:\s*(?:-|\u2013|\u2014|\bto\b)\s*(?:{_SYMBOL})?\s*(?P<n2>{_NUMBER})\s*(?P<k2>{_SUFFIX})?)?"
)
_CODE = re.compile(rf"\b({'|'.join(CODES)})\b", re.IGNORECASE)
_PERIOD_PATTERNS = {
    "hour": r"hour|\bhrs?\b|/\s*h\b|\bp/?h\b",
    "day": r"\bday\b|\bdaily\b|per diem|/\s*d\b",
    "week": r"\bweek|\bwk\b|/\s*w\b",
    "month": r"\bmonth|\bmo\b|\bpcm\b|/\s*m\b",
    "year": r"\byear|annum|annual|\byr\b|\bp\.?a\b|/\s*y\b",
}
_UP_TO = re.compile(r"(up\s+to|max(imum)?|<)\s*$", re.IGNORECASE)
_FROM = re.compile(r"(from|starting\s+at|min(imum)?|>)\s*$", re.IGNORECASE)
# Without a period word, an amount this large can only be yearly.
_YEARLY_THRESHOLD = Decimal(10_000)
MAX_AMOUNT = Decimal(100_000_000)


@dataclass(frozen=True)
class Salary:
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    currency: str | None = None
    period: str | None = None

    def yearly(self) -> tuple[Decimal | None, Decimal | None]:
        """The range normalised to a year (``YEARLY_FACTORS``), or Nones without a period."""
        if self.period is None:
            return None, None
        factor = YEARLY_FACTORS[self.period]
        return (
            None if self.minimum is None else self.minimum * factor,
            None if self.maximum is None else self.maximum * factor,
        )


NOTHING = Salary()


def _number(raw: str, suffix: str | None) -> Decimal | None:
    text = re.sub(r"[\u00a0\u202f ]", "", raw)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if suffix:
        value *= 1000 if suffix.lower() == "k" else 1_000_000
    return value


def _period(text: str) -> str | None:
    found = []
    for period, pattern in _PERIOD_PATTERNS.items():
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            found.append((match.start(), period))
    return min(found)[1] if found else None


def _currency(text: str, symbol: str | None) -> str | None:
    code = _CODE.search(text)
    if code:
        return code.group(1).upper()
    if symbol:
        return SYMBOLS[symbol]
    for sym in sorted(SYMBOLS, key=len, reverse=True):
        if sym in text:
            return SYMBOLS[sym]
    return None


def parse_salary(text: str | None) -> Salary:
    if not text or len(text) > 200:
        return NOTHING
    match = _RANGE.search(text)
    if match is None:
        return NOTHING
    k1, k2 = match.group("k1"), match.group("k2")
    first = _number(match.group("n1"), k1)
    second = _number(match.group("n2"), k2) if match.group("n2") else None
    if first is None:
        return NOTHING
    if second is not None and k2 and not k1 and first < 1000:
        # "90-120k": the suffix belongs to both ends.
        first = _number(match.group("n1"), k2)
    before = text[: match.start()]
    if second is not None:
        low, high = first, second
    elif _UP_TO.search(before):
        low, high = None, first
    elif _FROM.search(before) or text[match.end() :].lstrip().startswith("+"):
        low, high = first, None
    else:
        low, high = first, first
    amounts = [v for v in (low, high) if v is not None]
    if any(v <= 0 or v > MAX_AMOUNT for v in amounts) or (low is not None and high is not None and low > high):
        return NOTHING
    period = _period(text)
    if period is None and (max(amounts) >= _YEARLY_THRESHOLD or k1 or k2):
        period = "year"
    return Salary(low, high, _currency(text, match.group("c1")), period)
