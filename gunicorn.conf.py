"""gunicorn settings for production.

Socket.IO needs one worker per process (sessions are sticky to a process);
concurrency comes from threads.  Scale out with more single-worker
instances behind a sticky load balancer, sharing rooms through REDIS_URL.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5005')}"
workers = 1
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
