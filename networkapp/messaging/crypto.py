"""Encryption at rest for message bodies and attachment names, and the keyed search index.

Bodies are Fernet tokens (AES-128-CBC + HMAC-SHA256) under a ``MultiFernet``
built from ``MESSAGE_ENCRYPTION_KEYS``: the first key encrypts, every key
decrypts, so a new key can be deployed first and old rows re-encrypted later
(``flask messages rotate-key``).

Search cannot look inside ciphertext, so each message also stores a blind
index: an HMAC of every normalised word under a key derived from an
encryption key.  Equal words give equal tokens, so a search is an index
lookup, while the table reveals neither the words nor their order.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app

WORD = re.compile(r"\w+", re.UNICODE)
MIN_WORD = 2
MAX_WORDS_PER_MESSAGE = 300
TOKEN_HEX = 32  # 128 bits of HMAC: collisions are not a practical concern


def _keys() -> list[str]:
    keys = current_app.config.get("MESSAGE_ENCRYPTION_KEYS") or []
    if not keys:
        raise RuntimeError("MESSAGE_ENCRYPTION_KEYS is not configured")
    return keys


def fernet() -> MultiFernet:
    cache = current_app.extensions.setdefault("message_crypto", {})
    keys = tuple(_keys())
    if cache.get("keys") != keys:
        cache["keys"] = keys
        cache["fernet"] = MultiFernet([Fernet(k.encode()) for k in keys])
        # Search keys are derived, never the encryption keys themselves.
        cache["search_keys"] = [
            hmac.new(k.encode(), b"networkapp message search v1", hashlib.sha256).digest() for k in keys
        ]
    return cache["fernet"]


def search_keys() -> list[bytes]:
    fernet()
    return current_app.extensions["message_crypto"]["search_keys"]


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def words(text: str) -> list[str]:
    """Distinct normalised words: case-folded, NFKC, at least two characters."""
    seen: dict[str, None] = {}
    for match in WORD.finditer(unicodedata.normalize("NFKC", text).casefold()):
        word = match.group()
        if len(word) >= MIN_WORD:
            seen.setdefault(word, None)
            if len(seen) >= MAX_WORDS_PER_MESSAGE:
                break
    return list(seen)


def token(word: str, key: bytes) -> str:
    return hmac.new(key, word.encode(), hashlib.sha256).hexdigest()[:TOKEN_HEX]


def index_tokens(text: str) -> list[str]:
    """Tokens to store for a new message (current key only)."""
    key = search_keys()[0]
    return [token(w, key) for w in words(text)]


def query_tokens(text: str) -> list[list[str]]:
    """Per query word, its token under every configured key (rows indexed before a rotation still match)."""
    keys = search_keys()
    return [[token(w, k) for k in keys] for w in words(text)]
