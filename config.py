"""Settings, read from the environment when an app is created (never at import)."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def as_bool(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def as_list(value: str | None, default: str = "") -> list[str]:
    raw = default if value is None else value
    return [item.strip() for item in raw.split(",") if item.strip()]


def server_shape(env=None) -> dict:
    """How a server process runs and how many database connections it may need: one place for both.

    ``SERVER_ROLE`` picks the process's job (docs/deployment.md):

    - ``all`` (default): one gevent worker serving the HTTP API and Socket.IO together.  A
      socket costs a greenlet, not a thread, so one process holds thousands of them.
    - ``api``: the HTTP API alone, one gthread process per core with a few threads each
      (``make serve`` puts the real-time server and nginx beside it).
    - ``realtime``: Socket.IO alone, one gevent worker (sessions stick to the process).

    A request holds at most one connection, so a pool at least as large as the threads that
    serve requests can never be exhausted by them; under gevent, requests beyond the pool
    wait at most ``DATABASE_POOL_TIMEOUT`` seconds and then answer 503.
    """
    env = os.environ if env is None else env
    role = (env.get("SERVER_ROLE") or "all").strip().lower()
    if role not in {"all", "api", "realtime"}:
        raise RuntimeError(f"SERVER_ROLE must be all, api or realtime (got {role!r})")
    requested_pool = int(env.get("DATABASE_POOL_SIZE") or 10)
    if role == "api":
        threads = int(env.get("GUNICORN_THREADS") or 4)
        return {
            "role": role,
            "worker_class": "gthread",
            "workers": int(env.get("WEB_CONCURRENCY") or os.cpu_count() or 1),
            "threads": threads,
            "worker_connections": 1000,
            "pool_size": max(requested_pool, threads),
        }
    return {
        "role": role,
        "worker_class": "gevent",
        "workers": 1,
        "threads": 1,
        "worker_connections": int(env.get("GUNICORN_WORKER_CONNECTIONS") or 10000),
        "pool_size": requested_pool,
    }


class Config:
    APP_ENV = "development"
    DEBUG = False
    TESTING = False

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or None
        self.PORT = int(env.get("PORT", "5005"))
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or None  # default set in create_app
        self.SERVER_SHAPE = server_shape(env)
        # Every wait on the database is bounded (docs/reliability.md); seconds.
        # A new PostgreSQL connection: an unreachable database host fails requests fast (503).
        self.DATABASE_CONNECT_TIMEOUT = int(env.get("DATABASE_CONNECT_TIMEOUT", "5"))
        # Waiting for a free pooled connection, then 503 with Retry-After.
        self.DATABASE_POOL_TIMEOUT = float(env.get("DATABASE_POOL_TIMEOUT", "3"))
        # PostgreSQL: one statement (lock waits included), and a transaction left idle; 0 is no limit.
        # Command-line work (migrations, seeding, digests) runs long statements by design and has
        # nobody waiting on it, so `flask …` commands are unbounded unless these are set.
        command_line = env.get("FLASK_RUN_FROM_CLI") == "true"
        self.DATABASE_STATEMENT_TIMEOUT = float(
            env.get("DATABASE_STATEMENT_TIMEOUT") or ("0" if command_line else "10")
        )
        self.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT = float(env.get("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "30"))
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            "pool_size": self.SERVER_SHAPE["pool_size"],
            # A little room for work outside requests (socket disconnects, presence heartbeats).
            "max_overflow": 2,
            "pool_timeout": self.DATABASE_POOL_TIMEOUT,
        }
        self.REDIS_URL = env.get("REDIS_URL") or None
        # Seconds a person's ranked suggestions are reused (Redis when REDIS_URL is set); 0 turns caching off.
        self.SUGGESTIONS_CACHE_SECONDS = int(env.get("SUGGESTIONS_CACHE_SECONDS", "300"))
        self.CORS_ORIGINS = as_list(env.get("CORS_ORIGINS"), "http://localhost:3000,http://localhost:5173")
        self.RATELIMIT_ENABLED = as_bool(env.get("RATELIMIT_ENABLED"), True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.PROXY_FIX_X_FOR = int(env.get("PROXY_FIX_X_FOR", "0"))
        # Uploaded profile media: stored under MEDIA_ROOT (default: <instance>/media), per-file limit.
        self.MEDIA_ROOT = env.get("MEDIA_ROOT") or None
        self.MEDIA_MAX_BYTES = int(env.get("MEDIA_MAX_BYTES", str(5 * 1024 * 1024)))
        # Skill assessments.
        self.ASSESSMENT_TIME_LIMIT_SECONDS = int(env.get("ASSESSMENT_TIME_LIMIT_SECONDS", "900"))
        self.ASSESSMENT_PASS_PERCENT = int(env.get("ASSESSMENT_PASS_PERCENT", "70"))
        self.ASSESSMENT_RETAKE_COOLDOWN_HOURS = int(env.get("ASSESSMENT_RETAKE_COOLDOWN_HOURS", "24"))
        self.ASSESSMENT_QUESTION_COUNT = int(env.get("ASSESSMENT_QUESTION_COUNT", "10"))
        # Issuers whose https credential pages mark an achievement verified (exact host names).
        self.ACHIEVEMENT_VERIFIERS = [
            h.lower() for h in as_list(env.get("ACHIEVEMENT_VERIFIERS"), "www.credly.com,www.coursera.org")
        ]
        # Messaging: Fernet keys, newest first (older ones only decrypt until `flask messages rotate-key`).
        self.MESSAGE_ENCRYPTION_KEYS = as_list(env.get("MESSAGE_ENCRYPTION_KEYS"))
        self.MESSAGE_ATTACHMENT_MAX_BYTES = int(env.get("MESSAGE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
        self.MESSAGE_ATTACHMENT_DIR = env.get("MESSAGE_ATTACHMENT_DIR") or None  # default: <instance>/attachments
        # Storage quotas per person, in bytes (0: none): profile media, and the attachments they sent.
        self.MEDIA_QUOTA_BYTES = int(env.get("MEDIA_QUOTA_BYTES", str(50 * 1024 * 1024)))
        self.ATTACHMENT_QUOTA_BYTES = int(env.get("ATTACHMENT_QUOTA_BYTES", str(200 * 1024 * 1024)))
        # Password hashes computed at once by this process.  One core is always left to the other
        # requests, so a sign-in flood cannot starve them; on two cores that halves the sign-in
        # rate (docs/performance.md has both settings measured).
        self.ARGON2_MAX_CONCURRENCY = int(env.get("ARGON2_MAX_CONCURRENCY") or max(1, (os.cpu_count() or 2) - 1))
        # Presence: a socket-holding process refreshes its rows every PRESENCE_HEARTBEAT_SECONDS; rows
        # not refreshed for PRESENCE_TTL_SECONDS belong to a process that died and count as offline.
        self.PRESENCE_HEARTBEAT_SECONDS = float(env.get("PRESENCE_HEARTBEAT_SECONDS", "20"))
        self.PRESENCE_TTL_SECONDS = float(env.get("PRESENCE_TTL_SECONDS", "60"))
        self.MESSAGE_SOCKET_RATE_LIMIT = env.get("MESSAGE_SOCKET_RATE_LIMIT") or "20 per 10 seconds"
        # E-mail digests are off unless MAIL_SERVER is set.
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(env.get("MAIL_PORT", "587"))
        self.MAIL_USE_TLS = as_bool(env.get("MAIL_USE_TLS"), True)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER") or "networkapp <no-reply@localhost>"

    # Request handling
    MAX_CONTENT_LENGTH = 1024 * 1024
    JSON_SORT_KEYS = False

    # Sessions: the cookie only carries a random session id that the server
    # can revoke (see networkapp.auth.sessions).
    SESSION_COOKIE_NAME = "networkapp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = timedelta(0)

    # CSRF: the SPA sends the token in a header; tokens live as long as the
    # session (which rotates at login/logout).  Referrer checking is off
    # because the SPA runs on another origin; the token and SameSite=Lax carry it.
    WTF_CSRF_HEADERS = ["X-CSRF-Token"]
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False
    WTF_CSRF_FIELD_NAME = "csrf_token"

    # Rate limits
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_DEFAULT = "300 per minute"
    RATELIMIT_REGISTER = "10 per hour"
    RATELIMIT_LOGIN_FAILURES = "5 per 15 minutes"
    RATELIMIT_SWALLOW_ERRORS = True  # a Redis outage must not take the API down: fail open
    RATELIMIT_KEY_PREFIX = "networkapp"

    # Password hashing: argon2id at OWASP's first recommended profile
    # (m=19 MiB, t=2, p=1).  Raising these makes logins rehash on next success.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # OpenAPI
    API_TITLE = "networkapp"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"

    # Idempotency keys are kept at least this long (IETF draft: client retries).
    IDEMPOTENCY_KEY_TTL = timedelta(hours=24)


def fixed_fernet_key(label: str) -> str:
    """A deterministic, non-secret Fernet key so development data stays readable across restarts."""
    return base64.urlsafe_b64encode(hashlib.sha256(label.encode()).digest()).decode()


def derived_fernet_key(secret: str) -> str:
    """A Fernet key derived from the application secret (production fallback when no key list is set)."""
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), b"networkapp message encryption", 100_000)
    return base64.urlsafe_b64encode(digest).decode()


class DevelopmentConfig(Config):
    APP_ENV = "development"
    DEBUG = True

    def __init__(self) -> None:
        super().__init__()
        # A fixed development key keeps sessions across restarts; production refuses to start without its own.
        self.SECRET_KEY = self.SECRET_KEY or "development-only-not-secret"
        self.MESSAGE_ENCRYPTION_KEYS = self.MESSAGE_ENCRYPTION_KEYS or [fixed_fernet_key("development-only-messages")]


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    # Cheap hashing keeps the suite fast; the parameters are still argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64
    ARGON2_PARALLELISM = 1

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or "testing-only-not-secret"
        self.MESSAGE_ENCRYPTION_KEYS = self.MESSAGE_ENCRYPTION_KEYS or [fixed_fernet_key("testing-only-messages")]
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or self.SQLALCHEMY_DATABASE_URI
        self.RATELIMIT_ENABLED = as_bool(os.environ.get("RATELIMIT_ENABLED"), False)
        # Tests build graphs straight in the database, past the hooks that invalidate; they opt in.
        self.SUGGESTIONS_CACHE_SECONDS = int(os.environ.get("SUGGESTIONS_CACHE_SECONDS", "0"))
        # No background heartbeat in tests: they call presence.beat() when they need one.
        self.PRESENCE_HEARTBEAT_SECONDS = float(os.environ.get("PRESENCE_HEARTBEAT_SECONDS", "0"))


class ProductionConfig(Config):
    APP_ENV = "production"
    DEBUG = False
    SESSION_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
