"""Password guesses, limited per account and per client address (SPEC §3: 5 failures in 15 minutes).

Each attempt takes its place in the counters *before* the password is
verified, with the storage's atomic increment (Redis ``INCRBY`` or the
in-memory store's lock), and gives it back if the password was right.  So
however many guesses arrive at once, at most the limit of them reach
Argon2id; a limit counted after the response lets a parallel flood through.

An account is keyed by its id, whichever spelling named it (username, e-mail
address, any case), so failures on one spelling also lock the others.  An
identity without an account is keyed by its normalised text: it fills up and
answers 429 exactly like a real one, so the limit reveals nothing about which
accounts exist.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass, field

from flask import current_app
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from networkapp.errors import TooManyRequests
from networkapp.extensions import limiter

log = logging.getLogger(__name__)


def account_key(account_id: uuid.UUID | None, identity: str) -> str:
    return f"password-guess/account/{account_id}" if account_id else f"password-guess/identity/{identity}"


def address_key(address: str | None) -> str:
    return f"password-guess/address/{address or '?'}"


@dataclass
class Reservation:
    """The places one attempt holds in the counters; ``refund`` when the password was right."""

    _keys: list[str] = field(default_factory=list)

    def refund(self) -> None:
        if not self._keys:
            return
        item = _item()
        try:
            for key in self._keys:
                limiter.storage.incr(item.key_for(key), item.get_expiry(), amount=-1)
        except Exception:
            log.warning("could not refund a password attempt", exc_info=True)
        self._keys = []


def _item():
    return parse(current_app.config["RATELIMIT_LOGIN_FAILURES"])


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled


def reserve(*keys: str) -> Reservation:
    """Count one password attempt against every key, or raise 429 (counting nothing) if any is used up."""
    if not _enabled():
        return Reservation()
    item = _item()
    strategy = FixedWindowRateLimiter(limiter.storage)
    taken, refused = [], []
    try:
        for key in keys:
            (taken if strategy.hit(item, key) else refused).append(key)
        if not refused:
            return Reservation(taken)
        reset = max(strategy.get_window_stats(item, key).reset_time for key in refused)
    except Exception:
        # Same policy as every other limit (RATELIMIT_SWALLOW_ERRORS): a storage outage fails open.
        log.warning("password attempt limit unavailable; failing open", exc_info=True)
        return Reservation()
    # Nothing was verified, so the places taken on the other keys go back.
    Reservation(taken).refund()
    retry_after = max(1, math.ceil(reset - time.time()))
    raise TooManyRequests(
        "Too many failed password attempts; try again later.", headers={"Retry-After": str(retry_after)}
    )
