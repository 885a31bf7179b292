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

# --- workers ---------------------------------------------------------------------------------------
# Sync workers, cores + 1 of them. Chosen from bench/edge.py (straight to gunicorn, wrk, 50 connections,
# 2 cores; bench/RESULTS.md has the run):
#   * every public read is the same work: one indexed query for the revision, then bytes stored for
#     that revision (a page is rendered once per revision and process). That is CPU-bound Python, and
#     a process runs one thread of Python at a time (the GIL): threads add no throughput, only
#     contention. Measured with the shipped gthread (3 workers x 4 threads): /api/editions/2023 at
#     0.38-0.48x /health in every run, down to 0.3x, with socket read errors; sync workers: 0.8-0.9x
#     /health on every public read, no socket error;
#   * what once made threads worth it is gone: a history page after a save took 0.5 s to compute over
#     60 editions and held a sync worker that long; it is now incremental (~25 ms, only the edition that
#     changed is loaded again);
#   * only nginx talks to gunicorn, and nginx buffers requests and answers, so no slow phone ever holds
#     a sync worker (gunicorn's own advice: sync workers behind a buffering proxy). Sync workers close
#     each connection after its answer; nginx opens another (on 127.0.0.1, a few microseconds);
#   * one process more than cores: while a worker waits (a SQLite lock held by a save, a PostgreSQL
#     round trip) another one runs. 2 and 3 sync workers measure the same on 2 cores; 5 measured lower
#     (more processes than cores fight for them, and each recomputes every page after each save).
#
#   2 cores (the development machine):  sync, workers = 3
#   8 cores:                           sync, workers = 9
#   PostgreSQL on another machine (every query a network round trip): workers = 2 x cores + 1
#       (WEB_CONCURRENCY), so that waiting workers do not leave cores idle.
#
# PostgreSQL connections: each sync process keeps 1 or 2 (SQLAlchemy's pool, plus the connection that
# reads the revision): 3 x 2 = 6 on 2 cores, 9 x 2 = 18 on 8 cores, x the number of app servers. See
# deploy/postgresql.sql for max_connections.
#
# Override without editing this file: WEB_CONCURRENCY (workers), GUNICORN_THREADS (threads per worker;
# above 1, gthread workers).
cores = multiprocessing.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY", cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
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
# Idle keep-alive connection from nginx (gthread workers only: sync workers close each connection).
# Keep it ABOVE nginx's upstream keepalive_timeout (4 s in deploy/nginx.conf), so nginx always closes
# first and never sends a request on a connection gunicorn is closing.
keepalive = 5

# Restart a worker after this many requests (+ up to the jitter, so they do not all restart at once),
# a guard against slow memory growth (what a worker keeps is bounded: cartel/read/http_cache.py keeps
# at most 4,096 computed values). A new worker recomputes the pages it serves (once each), and a
# restart drops the connections in hand, so keep it high: at 20,000, straight-to-gunicorn load (3,000
# requests/s) restarted each worker every 20 s. Behind nginx's cache the app sees about one request
# per page and language every 3 s, so this is days of an event.
max_requests = 500000
max_requests_jitter = 50000

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
