"""gunicorn's settings for PBJ e-Katalog Lokal (docs/DEPLOY.md).

gunicorn reads this file from the folder it starts in; options on its command line
win (`make run` keeps its `--bind` and `--workers 2`). Each setting below can be moved by
an environment variable, so one file serves every app server.
"""
import multiprocessing
import os

# Where this instance listens: loopback, nginx in front (docs/DEPLOY.md).
bind = os.environ.get("PBJ_BIND", "127.0.0.1:5000")

# Sync workers: each request has a process to itself, so a slow page holds one worker,
# never the others' memory or the database session. gunicorn's rule of thumb,
# 2 × cores + 1, for PostgreSQL; on the embedded SQLite default two are enough (one writer
# at a time). WEB_CONCURRENCY is gunicorn's own variable for the same.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A request longer than this is killed and logged: documents and exports take a few
# seconds at most, so a minute means something is stuck.
timeout = int(os.environ.get("PBJ_WORKER_TIMEOUT", "60"))
# On a restart (SIGHUP, deploy) a worker finishes the request it serves first.
graceful_timeout = 30
# Workers are not recycled after a number of requests (max_requests): each keeps the
# catalogue pages and counts it has made (bounded: PAGES_KEPT), and a new worker would
# make them again. Worker memory stays under 150 MB at 1M products (docs/BENCHMARKS.md).
# The workers' heartbeat files in memory, not on a slow or full disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Only nginx on this machine may say which scheme and client a request came with;
# the app itself trusts PROXY_COUNT proxies for the client's address (docs/CONFIGURATION.md).
forwarded_allow_ips = os.environ.get("PBJ_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# One line per request on stdout (or the file PBJ_ACCESS_LOG names; empty: none): the
# client (as nginx saw it), the request line, status, bytes, milliseconds, referrer, browser.
accesslog = os.environ.get("PBJ_ACCESS_LOG", "-") or None
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("PBJ_LOG_LEVEL", "info")
