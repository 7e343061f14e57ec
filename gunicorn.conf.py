"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py app:app`.

Every value comes from the environment, with defaults sized for a small host:

  BIND               address to listen on (default 127.0.0.1:8000; behind a proxy)
  WEB_CONCURRENCY    worker processes (default: 2 x CPU cores + 1, at most 8)
  WEB_THREADS        threads per worker (default 4); each may hold one database connection,
                     so keep WEB_THREADS <= DB_POOL_SIZE + DB_MAX_OVERFLOW
  WEB_TIMEOUT        seconds before a silent worker is restarted (default 30)
  WEB_CONNECTIONS    connections a worker takes at once (default 2 x WEB_THREADS). The rest
                     wait in the kernel's queue, first come first served, for whichever
                     worker has room: left at gunicorn's 1000, one worker took connections
                     it could not serve for a while as the other idled, and the slowest
                     hundredth of answers waited for it (statement page p99 at 64
                     connections 3.9-4.0 x the bare page's, now 1.3-1.5 x; signing
                     2.8-3.4 x the bare POST's, now 1.7-2.3 x, on PostgreSQL)
  WEB_KEEPALIVE      seconds to keep an idle client connection (default 0: closed after each
                     answer. A kept-alive connection stays with the worker that accepted it,
                     and with few clients, such as a proxy's pool, one worker could be left
                     with most of them while another idled: in the ceiling benchmark three
                     runs in eight served the page at half speed so. A new connection goes
                     to whichever worker is free.)
  WEB_MAX_REQUESTS   recycle a worker after this many requests, 0 = never (default 0: a new
                     worker loads the app, a second or more of CPU, and under a spike of
                     signers 2000 came round every few seconds, each a stall of seconds)
  WEB_BACKLOG        connections the kernel queues while every thread is busy (default 2048)
  FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* gunicorn itself trusts (default 127.0.0.1)

The app keeps nothing in process memory that another worker or host needs: sessions
are signed cookies, rate limits live in Redis (REDIS_URL), counts in the database.
Set TRUSTED_PROXIES to the number of proxies in front, so client addresses are right.
"""
import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("WEB_THREADS", 4)
worker_class = "gthread"
worker_connections = _int("WEB_CONNECTIONS", 2 * threads)
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = timeout
keepalive = _int("WEB_KEEPALIVE", 0)
max_requests = _int("WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
backlog = _int("WEB_BACKLOG", 2048)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
# Workers import the app themselves, so each opens its own database pool after the fork.
preload_app = False


def post_worker_init(worker) -> None:
    """Once the worker has loaded the app, its tens of thousands of objects (modules, routes,
    templates, translations) are set aside from the garbage collector, which otherwise walks
    them all on each full collection: a pause that every request waiting then shares."""
    gc.freeze()
