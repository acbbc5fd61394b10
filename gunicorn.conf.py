"""gunicorn settings for production.

Socket.IO needs one worker per process (sessions are sticky to a process);
concurrency comes from threads.  Scale out with more single-worker
instances behind a sticky load balancer, sharing rooms through REDIS_URL.
"""

import os

# HOST narrows the listening address (a benchmark or a sidecar proxy binds 127.0.0.1).
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5005')}"  # noqa: S104 - production listens on every interface
workers = 1
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
timeout = 60
graceful_timeout = 20
keepalive = 5
# GUNICORN_ACCESSLOG="" turns the access log off (under load it costs a write per request).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """The worker has loaded wsgi:app: freeze what start-up made (networkapp.settle_heap).

    Here and not in wsgi.py, which every ``flask`` command imports too: a CLI
    process that freezes its heap never finalises its pooled SQLite
    connection, so the last write-ahead log is left uncheckpointed at exit.
    """
    from networkapp import settle_heap

    settle_heap()
