"""The ranked suggestion list per person, kept for ``SUGGESTIONS_CACHE_SECONDS``.

Ranking is the expensive part of a suggestions request (a dozen queries over the
graph and scoring a few hundred people); serving a page from a ranking is cheap.
So the ranking (ids, scores, ranking-time mutual counts, reasons) is stored as
compact JSON:

* in Redis when ``REDIS_URL`` is set, so every instance shares one entry per
  person and an invalidation reaches all of them;
* otherwise in a bounded in-process LRU with a TTL (one per app, thread-safe:
  gunicorn serves with many threads).

Nothing here decides who may be suggested: the reader re-applies every
exclusion to the cached ids (see ``suggestions.suggest``), so a stale entry can
only be stale in its ordering, never show someone it must not.  A Redis outage
is treated as a miss (fail open): suggestions are computed as if uncached.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import OrderedDict

from flask import current_app

from networkapp.database import after_commit

log = logging.getLogger(__name__)

KEY_PREFIX = "networkapp:suggestions:v1:"
# In-process entries kept (people); each is a JSON string of a few tens of kilobytes at most.
MEMORY_ENTRIES = 2000


class MemoryStore:
    def __init__(self, ttl: int, capacity: int = MEMORY_ENTRIES) -> None:
        self.ttl, self.capacity = ttl, capacity
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= now:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def replace(self, key: str, value: str) -> None:
        """Overwrite an entry that still exists, keeping its expiry."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] > time.monotonic():
                self._entries[key] = (found[0], value)

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisStore:
    def __init__(self, url: str, ttl: int) -> None:
        import redis

        self.ttl = ttl
        self._errors = redis.RedisError
        self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def get(self, key: str) -> str | None:
        try:
            value = self._client.get(key)
        except self._errors:
            log.warning("suggestion cache: redis unreachable", exc_info=True)
            return None
        return value.decode() if value is not None else None

    def set(self, key: str, value: str) -> None:
        try:
            self._client.set(key, value, ex=self.ttl)
        except self._errors:
            log.warning("suggestion cache: redis unreachable", exc_info=True)

    def replace(self, key: str, value: str) -> None:
        try:
            self._client.set(key, value, xx=True, keepttl=True)
        except self._errors:
            log.warning("suggestion cache: redis unreachable", exc_info=True)

    def delete(self, *keys: str) -> None:
        try:
            self._client.delete(*keys)
        except self._errors:
            # The entry then lives out its TTL; the reader's exclusions keep it safe meanwhile.
            log.warning("suggestion cache: redis unreachable", exc_info=True)

    def clear(self) -> None:
        try:
            for key in self._client.scan_iter(match=KEY_PREFIX + "*", count=500):
                self._client.delete(key)
        except self._errors:
            log.warning("suggestion cache: redis unreachable", exc_info=True)


_build_lock = threading.Lock()


def store() -> MemoryStore | RedisStore | None:
    """This app's store, or None when caching is off (``SUGGESTIONS_CACHE_SECONDS = 0``)."""
    app = current_app._get_current_object()
    if "suggestion_cache" not in app.extensions:
        with _build_lock:
            if "suggestion_cache" not in app.extensions:
                ttl = int(app.config.get("SUGGESTIONS_CACHE_SECONDS", 0))
                url = app.config.get("REDIS_URL")
                built = None
                if ttl > 0:
                    built = RedisStore(url, ttl) if url else MemoryStore(ttl)
                app.extensions["suggestion_cache"] = built
    return app.extensions["suggestion_cache"]


def _key(user_id: uuid.UUID) -> str:
    return KEY_PREFIX + user_id.hex


def load(user_id: uuid.UUID) -> list[list] | None:
    """The cached ranking ``[[id hex, score, mutual, [reasons]], …]``, best first, or None."""
    cache = store()
    if cache is None:
        return None
    raw = cache.get(_key(user_id))
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def save(user_id: uuid.UUID, entries: list[list]) -> None:
    cache = store()
    if cache is not None:
        cache.set(_key(user_id), json.dumps(entries, separators=(",", ":")))


def update(user_id: uuid.UUID, entries: list[list]) -> None:
    """Store what a page learnt about a ranking, only if the ranking is still cached.

    An entry invalidated meanwhile stays gone, so the old graph is not stored again.
    """
    cache = store()
    if cache is not None:
        cache.replace(_key(user_id), json.dumps(entries, separators=(",", ":")))


def invalidate(*user_ids: uuid.UUID) -> None:
    """Forget these people's rankings once the current transaction commits.

    After the commit, not before: a request reading in between would otherwise
    store a ranking computed from the old graph again.
    """
    cache = store()
    if cache is None:
        return
    keys = [_key(user_id) for user_id in user_ids]
    after_commit(lambda: cache.delete(*keys))
