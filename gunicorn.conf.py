"""gunicorn settings; every figure can be changed from the environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Import Django once in the master and fork the workers from it: a worker that is
# recycled (below) or replaced after a crash starts in milliseconds instead of
# re-importing the project (measured by `make bench`: with 4 workers at ~800 req/s
# every worker was re-importing every few seconds). Safe: Django opens database
# and cache connections lazily, in the workers.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """Move everything the master has built (Django, the warmed-up URLconf,
    templates and catalogs: lmsa_portal.warmup) out of the garbage collector's
    reach before forking. Without it, a worker's first full collection (and the
    one at its exit after max_requests) walked that whole shared heap, copying
    every page it touched: `make bench` measured p99 of the trivial views at
    320-540 ms with recycling, 21-69 ms with the heap frozen."""
    gc.freeze()
