"""gunicorn settings for Cartel behind nginx (deploy/nginx.conf).

    gunicorn -c deploy/gunicorn.conf.py 'cartel:create_app()'

run from the checkout, with the variables of deploy/cartel.env.example in the environment
(deploy/cartel.service does both). Check a change with:

    gunicorn --check-config -c deploy/gunicorn.conf.py 'cartel:create_app()'

Setting names: https://docs.gunicorn.org/en/stable/settings.html (gunicorn 23).
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

# --- socket ---------------------------------------------------------------------------------------
# Only nginx on this machine talks to gunicorn. With two app servers behind one nginx
# (deploy/README.md), set GUNICORN_BIND to this server's private address, e.g. 10.0.0.11:8000,
# and firewall the port to the nginx host: gunicorn speaks plain HTTP.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Trust X-Forwarded-Proto & co. only from nginx. (The app itself reads X-Forwarded-For/-Proto/-Host
# through Werkzeug's ProxyFix when CARTEL_TRUSTED_PROXIES=1; this is gunicorn's own check.)
# With two app servers, put the nginx host's address here instead.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# --- workers --------------------------------------------------------------------------------------
# Every request reads the database revision first (one indexed query), then sends bytes stored for
# that revision; a page is rendered only once per revision and process. Most of the time goes to
# Python (CPU), a little to waiting on the database: a short wait on SQLite, a network round trip
# on PostgreSQL. Threads let a worker answer other requests while one waits on the database or
# computes a large page (a history page over many editions: up to 0.5 s), and let nginx keep its
# connections to gunicorn open (sync workers close every connection). The page store is
# thread-safe, and a page being computed is computed once: other threads asking for it wait.
#
# Each process keeps its own computed pages (computed once per revision per process), so do not
# multiply processes without need: fewer processes with a few threads each do less rework.
#
#   2 cores (the development machine):  gthread, workers = 3, threads = 4  -> 12 requests at once
#       (sync, workers = 2, is what bench/live.py measures: ~3,300 req/s on /health. Sync
#       workers are fine on SQLite; prefer gthread on PostgreSQL, where every query is a round trip.)
#   8 cores:                           gthread, workers = 9, threads = 4  -> 36 requests at once
#       (or sync, workers = 17; more processes, more memory, more recomputation after each save.)
#
# PostgreSQL connections: each process keeps up to about 2 x threads connections (SQLAlchemy's pool,
# plus the few autocommit connections that read the revision): 3 x 4 x 2 = 24 on 2 cores,
# 9 x 4 x 2 = 72 on 8 cores. See deploy/postgresql.sql for max_connections.
#
# Override without editing this file: WEB_CONCURRENCY (workers), GUNICORN_THREADS (1: sync workers).
cores = multiprocessing.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY", cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread" if threads > 1 else "sync"

# Each worker builds its own app after the fork (no preload): nothing the master opened (database
# connections) is shared, and `systemctl reload cartel` (SIGHUP) starts workers on the new code.
preload_app = False

# Worker heartbeat files on a RAM file system, so a slow disk never gets a worker killed.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# --- timeouts -------------------------------------------------------------------------------------
# The slowest legitimate requests: computing a history page over many editions (~0.5 s), exporting
# the whole history (< 1 s), checking an uploaded 5 MB workbook (~1 s). A worker silent for 30 s
# is stuck: kill it and start another.
timeout = 30
# On `systemctl restart/stop` (SIGTERM) or a reload (SIGHUP), workers finish the requests in hand
# for up to this long. Keep cartel.service's TimeoutStopSec above it.
graceful_timeout = 30
# Idle keep-alive connection from nginx (gthread only). Keep it ABOVE nginx's upstream
# keepalive_timeout (4 s in deploy/nginx.conf), so nginx always closes first and never sends a
# request on a connection gunicorn is closing.
keepalive = 5

# Restart a worker after this many requests (+ up to the jitter, so they do not all restart at once),
# a guard against slow memory growth. A new worker recomputes the pages it serves (once each), so
# keep it high: nginx's short cache already spares most requests.
max_requests = 20000
max_requests_jitter = 2000

# --- logs (systemd's journal: journalctl -u cartel) -----------------------------------------------
accesslog = "-"
errorlog = "-"
loglevel = "info"
# The client's address as nginx saw it (gunicorn's own %(h)s is always nginx: 127.0.0.1), then the
# combined format, then the time spent on the request in seconds (microsecond precision) and the
# worker's pid: `... 200 5123 "-" "Mozilla/5.0 ..." 0.001845 <12345>`.
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)s %(p)s'

# Entry links (/e/<token>) open a discipline's form for whoever holds the URL: never write the token
# into a log (nginx's log masks it too).
TOKEN = re.compile(r"/e/[^/?\s\"]+")


class RedactingLogger(Logger):
    """gunicorn's logger, with entry-link tokens replaced by /e/[token] in the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = TOKEN.sub("/e/[token]", atoms[key])
        return atoms


logger_class = RedactingLogger

proc_name = "cartel"
