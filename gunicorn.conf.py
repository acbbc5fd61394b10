"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

``SERVER_ROLE`` (config.server_shape, which also sizes the database pool) picks the shape:

- ``all`` (default): one complete instance.  One gevent worker serves the HTTP API and
  Socket.IO together; an open socket costs a greenlet, not a thread, so thousands of them
  leave the API answering.  Socket.IO needs every request of a client in one process,
  hence one worker; scale out with more instances behind a sticky proxy sharing REDIS_URL.
- ``api``: the HTTP API alone, one gthread worker per core (``WEB_CONCURRENCY``) with a
  few threads each (``GUNICORN_THREADS``): no sockets here, so any worker may take any request.
- ``realtime``: Socket.IO alone, one gevent worker.

``make serve`` runs ``api`` and ``realtime`` behind nginx on one machine (docs/deployment.md).
"""

import os
import signal

from config import server_shape

shape = server_shape()

# HOST narrows the listening address (a benchmark or a sidecar proxy binds 127.0.0.1).
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5005')}"  # noqa: S104 - production listens on every interface
worker_class = shape["worker_class"]
workers = shape["workers"]
threads = shape["threads"]
worker_connections = shape["worker_connections"]
timeout = 60
graceful_timeout = 20
keepalive = 5
# GUNICORN_ACCESSLOG="" turns the access log off (under load it costs a write per request).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket has one default path per user, which several instances on one
# machine (make serve runs two) would fight over: only where GUNICORN_CONTROL_SOCKET names one.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


def post_worker_init(worker):
    """The worker has loaded wsgi:app: freeze what start-up made, and make SIGTERM close sockets at once.

    The heap is frozen here and not in wsgi.py, which every ``flask`` command imports too: a CLI
    process that freezes its heap never finalises its pooled SQLite connection, so the last
    write-ahead log is left uncheckpointed at exit.

    On SIGTERM gunicorn stops accepting and then waits up to ``graceful_timeout`` for open
    requests, and an open WebSocket is a request that never ends: its people would look online
    for 20 s after the process stopped serving them.  Their sockets are closed and their
    presence rows deleted first, so clients reconnect to a live process straight away.
    """
    import threading

    from networkapp import settle_heap
    from networkapp.concurrency import cooperative
    from networkapp.messaging import presence

    settle_heap()
    app = worker.wsgi
    stop_worker = worker.handle_exit

    def on_sigterm(sig, frame):
        stop_worker(sig, frame)
        # Under gevent a signal handler runs in the event loop, where nothing may block (not even
        # starting a thread): the clean-up goes to a greenlet of its own, as gunicorn's own does.
        if cooperative():
            import gevent

            gevent.spawn(presence.shutdown, app)
        else:
            threading.Thread(target=presence.shutdown, args=(app,), daemon=True).start()

    signal.signal(signal.SIGTERM, on_sigterm)
