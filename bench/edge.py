"""Event-scale serving through the shipped deployment files: nginx (deploy/nginx.conf) before gunicorn
(deploy/gunicorn.conf.py), on SQLite.

Usage: .venv/bin/python bench/edge.py [--duration 5] [--connections 50] [--phones 5000] [--period 5]
       [--phone-processes 2] [--organisers 20] [--save-interval 10] [--mixed-duration 60] [--history-saves 5]
Other worker settings: GUNICORN_THREADS=1 WEB_CONCURRENCY=3 .venv/bin/python bench/edge.py (the conf file
reads them; this script leaves them as the environment has them and reports the settings in effect).
Needs nginx (Debian: apt-get install nginx; its service need not run, this starts an nginx of its own), wrk
(apt-get install wrk) and gunicorn (a dependency: .venv/bin/pip install -e .). Best run as root: nginx's
workers then run as www-data, as in production (otherwise as the user running this).

1. Database: a SQLite file in a temporary directory with the seeds, the live edition of bench/common (year
   2030, 12 disciplines x 12 schools, 20 organiser accounts), each discipline a tournament of which the first
   half is played (bench/matches.py's add_tournaments and play_half).
2. gunicorn: `gunicorn -c deploy/gunicorn.conf.py -b 127.0.0.1:<free port> 'cartel:create_app()'`, the shipped
   settings (gthread workers; the access log on stdout, here the server log file), with
   CARTEL_TRUSTED_PROXIES=1 as deploy/cartel.env.example has it (unless the environment sets it).
3. nginx: deploy/nginx.conf itself, made a local plain-HTTP site by local_site() (a few substitutions, each
   listed there; the run stops if a line it replaces is missing), inside a main configuration that mirrors
   Debian's /etc/nginx/nginx.conf (main_config()), with a second tiny server answering `return 200` on a port
   of its own. Checked with `nginx -t` before it starts; everything it writes goes to a temporary directory.
4. Throughput (wrk, Accept-Encoding: gzip as a browser sends): each route between two runs of its baseline
   (ratio = route req/s / mean of the two): through nginx, nginx's own `return 200` and each public page
   (a cache HIT after a warm-up) against the stylesheet the pages link, served by nginx from static/ (its
   URL read from the HTML of /); straight to gunicorn, the same pages and /health against /health, with the
   socket errors and the non-2xx/3xx answers wrk counts.
5. Event mix through nginx: --phones simulated phones, each on a keep-alive connection of its own, polling a
   live fragment (the URLs in the data-live attribute of the edition, programme and discipline pages, in
   turn) --period s after each answer (as static/js/poll.js does) with the ETag of its last 200
   (If-None-Match; the first one the page's data-etag), their first polls spread evenly over one period.
   Asyncio with raw HTTP/1.1 in --phone-processes processes. Meanwhile --organisers organisers, logged in
   through nginx (their session cookie bypasses its cache), save tournament matches (bench/matches.py's plan,
   item n by organiser n mod --organisers: no two save the same match), each every --save-interval s,
   staggered, for --mixed-duration s: the match page read for its version and a submission id, then the
   score posted; the 303 is the acknowledgement. Reports the phones' rate against the target, 200/304,
   latency, errors, how late polls started against their schedule and the client's CPU (whether the
   simulation was faithful), the saves' latency and the acknowledged saves not in the database at the end.
   Freshness of a save: from its 303 to the end of the first poll of the edition's live fragment (every
   save changes it) that started after the 303 and got a 200 whose ETag no poll had received before the
   303 (so a copy nginx fetched from the app after the save: nginx fetches only for a request, which
   receives that copy first); goal: the cache's max-age (CARTEL_PROXY_MAX_AGE; nginx counts whole seconds,
   so up to max-age + 1) plus 1 s.
6. History after a save, in-process (test client, no server): 60 synthetic finished editions plus the live
   edition; the history pages warmed, then --history-saves podiums saved through the entry form, each
   followed by the first GET of each history page (what one save costs the history pages), then a second.
Prints markdown tables and writes them to bench/RESULTS.md, replacing the section HEADING.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import multiprocessing
import os
import pwd
import re
import resource
import runpy
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, matches
from cartel.write.seeding import load_seeds
from tests.synthetic import add_synthetic_history

HEADING = "## Event-scale serving through deploy/ (bench/edge.py)"
YEAR = common.LIVE_YEAR
NGINX_CONF = common.ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = common.ROOT / "deploy" / "gunicorn.conf.py"
OK = matches.OK
BROWSER = {"Accept-Encoding": "gzip"}  # what every browser sends: nginx compresses (gzip on in the site)
RATIO_GOAL = 0.8
POLL_P99_GOAL = 50.0  # ms
FRESHNESS_SLACK = 1.0  # s, over the cache's max-age counted in whole seconds
WORKER_CONNECTIONS = 16384  # per nginx worker: the phones, wrk and the upstream connections
PHONE_TIMEOUT = 10.0  # s a phone waits for an answer
LATE_MS = 100.0  # a poll that starts this much after its schedule is late
HISTORY_PAGES = [
    "/records",
    "/editions",
    "/",
    "/schools/synthetic-1",
    "/api/records",
    "/api/editions",
    f"/editions/{YEAR}",
]


# --- nginx ----------------------------------------------------------------------------------------


def substitute(text: str, pattern: str, replacement: str, what: str, count: int | None = 1) -> str:
    """``pattern`` (a multi-line regex) replaced by ``replacement`` taken literally; exactly ``count`` matches
    (or at least one when None), else the run stops: the file measured must be the file shipped."""
    new, found = re.subn(pattern, lambda _: replacement, text, flags=re.M)
    if found == 0 or (count is not None and found != count):
        expected = "at least one" if count is None else str(count)
        raise SystemExit(f"deploy/nginx.conf: expected {expected} {what}, found {found}: update bench/edge.py")
    return new


def without_server_block(text: str, marker: str) -> str:
    """``text`` without the top-level ``server { }`` block that has a line matching ``marker`` (exactly one)."""
    blocks = []
    for start in (m.start() for m in re.finditer(r"^server\s*\{", text, re.M)):
        depth, end = 0, None
        for line in re.finditer(r"[^\n]*\n?", text[start:]):
            code = line.group(0).split("#", 1)[0]
            depth += code.count("{") - code.count("}")
            if depth == 0 and "}" in code:
                end = start + line.end()
                break
        if end is None:
            raise SystemExit("deploy/nginx.conf: a server block without its closing brace")
        if re.search(marker, text[start:end], re.M):
            blocks.append((start, end))
    if len(blocks) != 1:
        raise SystemExit(f"deploy/nginx.conf: expected one server block with {marker!r}, found {len(blocks)}")
    start, end = blocks[0]
    return text[:start] + text[end:].lstrip("\n")


def local_site(text: str, *, port: int, upstream: str, root: Path, cache: Path, logs: Path) -> str:
    """deploy/nginx.conf as a local plain-HTTP site on 127.0.0.1:``port``, by these substitutions only:

    1. the port-80 server block (the redirect to HTTPS and Let's Encrypt's challenge) dropped;
    2. every ``ssl_*`` directive line dropped (certificate, key, protocols, ciphers, session cache);
    3. the HTTPS server's ``listen 443 ssl http2;`` (or ``listen 443 ssl;``) -> ``listen 127.0.0.1:<port>;``,
       its ``listen [::]:443 ...`` dropped, and an ``http2 on;`` line (nginx >= 1.25.1) dropped if there is one;
    4. the upstream's ``server 127.0.0.1:8000;`` -> ``server <upstream>;`` (gunicorn's address);
    5. ``/srv/cartel/app/`` (the checkout) -> ``root``/, ``/var/cache/nginx/cartel`` -> ``cache``,
       ``/var/log/nginx/`` -> ``logs``/.

    Everything else (the cache, gzip, headers, timeouts, locations) is kept as shipped. Each substitution
    stops the run when its line is not found (or found more often than expected), and so does any
    ``listen 443``, ``ssl`` or ``http2`` left: the file measured must be the file shipped."""
    text = without_server_block(text, r"^\s*listen\s+80;")
    text = substitute(text, r"^[ \t]*ssl_\w+\b[^\n]*\n", "", "ssl_* lines", None)
    text = substitute(
        text, r"^([ \t]*)listen\s+443\s+ssl(\s+http2)?;", f"    listen 127.0.0.1:{port};", "'listen 443 ssl' line"
    )
    text = substitute(text, r"^[ \t]*listen\s+\[::\]:443\b[^\n]*\n", "", "'listen [::]:443' line")
    if re.search(r"^[ \t]*http2\s+on;", text, re.M):
        text = substitute(text, r"^[ \t]*http2\s+on;[^\n]*\n", "", "'http2 on;' line")
    text = substitute(text, r"^([ \t]*)server\s+127\.0\.0\.1:8000;", f"    server {upstream};", "upstream server")
    text = substitute(text, r"/srv/cartel/app/", f"{root}/", "/srv/cartel/app/ path", None)
    text = substitute(text, r"/var/cache/nginx/cartel\b", str(cache), "/var/cache/nginx/cartel path", None)
    text = substitute(text, r"/var/log/nginx/", f"{logs}/", "/var/log/nginx/ path", None)
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        if re.search(r"\b(443|ssl\w*|http2)\b", code):
            raise SystemExit(f"deploy/nginx.conf: a TLS line is left after local_site(): {line.strip()!r}")
    return text


def main_config(work: Path, site: Path, ok_port: int, user: str | None, open_files: int) -> str:
    """The main nginx.conf around the site: Debian 12's /etc/nginx/nginx.conf http-level defaults (sendfile,
    tcp_nopush, types_hash_max_size, mime.types, default_type, access_log, gzip on; its ssl_* defaults are
    left out: no TLS here, and no modules-enabled/: the site needs none), with pid, logs and temporary files
    in ``work``, enough connections for the phones (and open files, up to ``open_files``: the limit this process
    may give), and nginx's own baseline: ``return 200`` on ``ok_port``."""
    return f"""# bench/edge.py: Debian 12's /etc/nginx/nginx.conf defaults around deploy/nginx.conf (site.conf)
{f"user {user};" if user else "# no user directive: the workers run as the user who started nginx"}
worker_processes auto;
worker_rlimit_nofile {min(2 * WORKER_CONNECTIONS, open_files)};
pid {work}/nginx.pid;
error_log {work}/logs/error.log;

events {{
    worker_connections {WORKER_CONNECTIONS};
}}

http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work}/logs/access.log;
    gzip on;

    client_body_temp_path {work}/temp/body;
    proxy_temp_path {work}/temp/proxy;
    fastcgi_temp_path {work}/temp/fastcgi;
    uwsgi_temp_path {work}/temp/uwsgi;
    scgi_temp_path {work}/temp/scgi;

    server {{
        listen 127.0.0.1:{ok_port};
        location = /ok {{
            return 200 "ok";
        }}
    }}

    include {site};
}}
"""


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_version() -> str:
    out = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True)
    return (out.stderr or out.stdout).strip().replace("nginx version: ", "")


class Nginx(common.ProcessGroup):
    """nginx from ``conf`` in the foreground (daemon off) in a process group of its own, prefix ``work``;
    checked with ``nginx -t`` first, ready when both ``ok`` (host:port, /ok) and ``address`` (/health) answer
    200. As a context manager it is always stopped, every worker with it."""

    name = "nginx"
    stop_timeout = 15.0

    def __init__(self, work: Path, conf: Path, address: str, ok: str, startup: float = 20):
        self.address, self.url, self.ok_url = address, f"http://{address}", f"http://{ok}/ok"
        self.log = work / "logs" / "nginx.out"
        command = [nginx_binary(), "-p", f"{work}/", "-e", str(work / "logs" / "error.log"), "-c", str(conf)]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
        self.test_output = check.stderr.strip()
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [*command, "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pgid = self.process.pid
        deadline = time.monotonic() + startup
        while True:
            if self.process.poll() is not None:
                self.kill()
                raise RuntimeError(f"nginx exited ({self.process.returncode}):\n{self.errors(everything=True)}")
            if reachable(self.ok_url) and reachable(self.url + "/health"):
                break
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"nginx did not answer within {startup:g} s:\n{self.errors(everything=True)}")
            time.sleep(0.1)

    def errors(self, everything: bool = False) -> str:
        """The error logs' lines (the main one's, the site's) of level error or worse (all with ``everything``)."""
        lines = [line for path in sorted(self.log.parent.glob("*error.log")) for line in path.read_text().splitlines()]
        return "\n".join(line for line in lines if everything or re.search(r"\[(error|crit|alert|emerg)\]", line))


def nginx_user() -> str | None:
    """www-data (Debian's nginx user) when this runs as root and the user exists, else None."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("www-data")
    except KeyError:
        return None
    return "www-data"


def start_nginx(work: Path, upstream: str, open_files: int) -> Nginx:
    """deploy/nginx.conf (local_site) inside main_config, files under ``work``; the workers' user may write the
    cache and temporary directories (the checkout must be readable by it, as deploy/README.md asks)."""
    port, ok_port = common.free_port(), common.free_port()
    user = nginx_user()
    for sub in ("logs", "cache", "temp"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # a temporary directory of its own: the workers go through it to their cache
    if user:
        entry = pwd.getpwnam(user)
        for sub in ("cache", "temp"):
            os.chown(work / sub, entry.pw_uid, entry.pw_gid)
    site = local_site(
        NGINX_CONF.read_text(),
        port=port,
        upstream=upstream,
        root=common.ROOT,
        cache=work / "cache",
        logs=work / "logs",
    )
    (work / "site.conf").write_text(site)
    conf = work / "nginx.conf"
    conf.write_text(main_config(work, work / "site.conf", ok_port, user, open_files))
    return Nginx(work, conf, f"127.0.0.1:{port}", f"127.0.0.1:{ok_port}")


# --- HTTP helpers ---------------------------------------------------------------------------------


def probe(url: str, headers: dict | None = None) -> common.Answer:
    """One GET of ``url`` on a connection of its own."""
    target = urllib.parse.urlsplit(url)
    client = common.Client(target.netloc, timeout=10)
    try:
        return client.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
    finally:
        client.close()


def reachable(url: str) -> bool:
    try:
        return probe(url).status == 200
    except (OSError, http.client.HTTPException):
        return False


@dataclass
class Endpoint:
    """What matches.fetch / matches.Followed need of a server: its host:port."""

    address: str


def login_as(address: str, email: str) -> common.Client:
    """A client logged in as ``email`` (bench/matches.py's login, for any organiser)."""
    client = common.Client(address, timeout=10)
    page = client.request("GET", "/login")
    form = {"email": email, "password": common.PASSWORD, "csrf_token": common.hidden(page.text, "csrf_token")}
    landed = client.request("POST", "/login", form=form)
    if landed.status != 302 or "/saisie" not in (landed.headers.get("Location") or ""):
        raise RuntimeError(f"login of {email} failed: HTTP {landed.status}, to {landed.headers.get('Location')}")
    return client


# --- throughput -----------------------------------------------------------------------------------


def interleaved(baseline: str, routes: list[tuple[str, str, float | None]], args) -> list[dict]:
    """Each route (name, URL, goal) measured by wrk between two runs of ``baseline`` (the run after one route
    is the run before the next); ratio = route req/s / mean of the two. A route is first checked (200),
    warmed up (wrk, 1 s) and its X-Cache-Status read."""
    rows, before = [], None
    for name, url, goal in routes:
        statuses = {probe(url, BROWSER).status for _ in range(3)}
        if statuses != {200}:
            rows.append({"route": name, "available": False, "status": statuses, "goal": goal})
            continue
        matches.wrk(url, 1, 4, BROWSER)
        cache = probe(url, BROWSER).headers.get("X-Cache-Status") or "-"
        before = before or matches.wrk(baseline, args.duration, args.connections, BROWSER)
        result = matches.wrk(url, args.duration, args.connections, BROWSER)
        after = matches.wrk(baseline, args.duration, args.connections, BROWSER)
        base = (before["rps"] + after["rps"]) / 2
        rows.append(
            {
                "route": name,
                "available": True,
                **result,
                "base": base,
                "spread": f"{before['rps']:.0f}/{after['rps']:.0f}",
                "ratio": result["rps"] / base,
                "goal": goal,
                "cache": cache,
            }
        )
        print(f"  {name}: {result['rps']:.0f} req/s, baseline {base:.0f}", flush=True)
        before = after
    return rows


def nginx_table(rows: list[dict], baseline: str, args) -> str:
    intro = (
        f"wrk -t2 -c{args.connections} -d{args.duration}s --latency -H 'Accept-Encoding: gzip', through nginx; "
        f"ratio = route req/s / mean req/s of the static file `{baseline}` (served by nginx from static/) in "
        "the runs just before and after; X-Cache-Status of a request right after the route's 1 s warm-up"
    )
    return common.ratio_table(rows, intro, "static file", "base", after=[("X-Cache-Status", "cache")])


def stylesheet(nginx: Nginx) -> str:
    """The path (and query) of the first stylesheet the HTML of / links under /static/, as served."""
    page = matches.fetch(Endpoint(nginx.address), "/")
    parser = matches.Assets()
    parser.feed(page.text)
    for ref in parser.found:
        target = urllib.parse.urlsplit(urllib.parse.urljoin(nginx.url + "/", ref))
        if target.path.startswith("/static/") and target.path.endswith(".css"):
            return target.path + (f"?{target.query}" if target.query else "")
    raise RuntimeError(f"/ links no stylesheet under /static/: {parser.found}")


# --- the phones -----------------------------------------------------------------------------------


def bare(tag: str | None) -> str | None:
    """An entity tag without its weak prefix (gzip makes nginx send W/"..."; the comparison is weak)."""
    return tag[2:] if tag and tag.startswith("W/") else tag


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], int]:
    """One HTTP/1.1 answer: (status, headers in lower case, body bytes); the body read by Content-Length,
    chunks, or to the end of the connection."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    size = 0
    if status in (204, 304) or status < 200:
        pass
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if chunk == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the empty line
                    pass
                break
            size += len(await reader.readexactly(chunk + 2)) - 2
    elif "content-length" in headers:
        size = len(await reader.readexactly(int(headers["content-length"])))
    else:
        size = len(await reader.read())
        headers["connection"] = "close"
    return status, headers, size


async def phone(
    host: str, port: int, spec: tuple[int, str, str | None, float], period: float, stop_at: float, out: list, stats
) -> None:
    """One phone: polls its URL ``period`` s after each answer (the first at its own time) on one keep-alive
    connection, with the ETag of its last 200; one sample per poll: (scheduled, start, end, url index,
    status or 0, new ETag, the 200's ETag, error). A GET that meets a connection the server closed while
    idle is sent again once on a new one (as a browser does)."""
    index, path, etag, scheduled = spec
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while scheduled < stop_at:
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        start = time.monotonic()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: cartel-bench-phone\r\nAccept: */*\r\n"
            "Accept-Encoding: gzip, deflate, br\r\nAccept-Language: fr\r\n"
            + (f"If-None-Match: {etag}\r\n" if etag else "")
            + "\r\n"
        ).encode()
        answer, error = None, None
        for attempt in (1, 2):
            reused = writer is not None
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), PHONE_TIMEOUT)
                    stats["connections"] += 1
                assert reader is not None
                writer.write(request)
                answer = await asyncio.wait_for(read_answer(reader), PHONE_TIMEOUT)
                break
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
                if writer is not None:
                    writer.close()
                reader = writer = None
                if attempt == 1 and reused and isinstance(e, asyncio.IncompleteReadError | ConnectionError):
                    stats["reconnects"] += 1
                    continue
                error = repr(e)
                break
        end = time.monotonic()
        if answer is None:
            out.append((scheduled, start, end, index, 0, False, None, error))
        else:
            status, headers, _ = answer
            tag = headers.get("etag")
            new = status == 200 and bare(tag) != bare(etag)
            out.append((scheduled, start, end, index, status, new, tag if status == 200 else None, None))
            if status == 200 and tag:
                etag = tag
            if headers.get("connection", "").lower() == "close" and writer is not None:
                writer.close()
                reader = writer = None
        scheduled = end + period
    if writer is not None:
        writer.close()


def phone_process(address: str, specs: list, period: float, stop_at: float, pipe) -> None:
    """A worker process of phones (asyncio, one task each); sends back its samples, counters and CPU time."""
    host, port = address.rsplit(":", 1)
    samples: list = []
    stats = {"connections": 0, "reconnects": 0}

    async def run() -> None:
        await asyncio.gather(*(phone(host, int(port), s, period, stop_at, samples, stats) for s in specs))

    try:
        asyncio.run(run())
        usage = resource.getrusage(resource.RUSAGE_SELF)
        pipe.send({"samples": samples, **stats, "cpu": usage.ru_utime + usage.ru_stime, "error": None})
    except BaseException as error:  # the parent must hear of it, not wait
        pipe.send({"samples": samples, **stats, "cpu": 0.0, "error": repr(error)})
    finally:
        pipe.close()


@dataclass(frozen=True)
class PhonePoll:
    scheduled: float  # time.monotonic(): CLOCK_MONOTONIC is the same in every process
    start: float
    end: float
    url: int
    status: int  # 0: no answer (error)
    new: bool  # a 200 whose ETag is not the one the phone held
    etag: str | None  # a 200's
    error: str | None


# --- the organisers -------------------------------------------------------------------------------


class SaveFailed(Exception):
    pass


def save_match(client: common.Client, planned: matches.Planned) -> matches.Save:
    """One planned match saved as bench/matches.py's organiser does: the match page for its version, a
    submission id and the CSRF token, then the score posted as final; the 303 is the acknowledgement."""
    path = f"/saisie/{planned.slug}/match/{planned.code}"
    page = client.request("GET", path)
    if page.status != 200:
        raise SaveFailed(f"match page HTTP {page.status}")
    version = int(common.hidden(page.text, "version"))
    data = {
        "csrf_token": common.hidden(page.text, "csrf_token"),
        "version": str(version),
        "submission_id": common.hidden(page.text, "submission_id"),
        "home": str(planned.home),
        "away": str(planned.away),
        "state": "final",
    }
    sent = time.monotonic()
    answer = client.request("POST", path, form=data)
    acknowledged = time.monotonic()
    location = answer.headers.get("Location") or ""
    if answer.status == 303 and location.endswith(f"/saved/{version + 1}"):
        return matches.Save(planned, version + 1, (acknowledged - sent) * 1000, acknowledged)
    raise SaveFailed(f"HTTP {answer.status} {location}".strip())


def organiser(client: common.Client, turns: list[tuple[float, matches.Planned]], saves: list, errors: list) -> None:
    for at, planned in turns:
        time.sleep(max(0.0, at - time.monotonic()))
        try:
            saves.append(save_match(client, planned))
        except Exception as error:
            errors.append(f"{planned.slug} {planned.code}: {error!r}")


# --- the event mix --------------------------------------------------------------------------------


def log_offsets(paths: list[Path]) -> dict[Path, int]:
    return {p: p.stat().st_size if p.exists() else 0 for p in paths}


def log_since(offsets: dict[Path, int]) -> str:
    text = ""
    for path, offset in offsets.items():
        with open(path, "rb") as f:
            f.seek(offset)
            text += f.read().decode("utf-8", "replace")
    return text


def event_mix(
    nginx: Nginx, server: common.Server, plan: list[matches.Planned], slugs: list[str], max_age: int, args
) -> dict:
    """The phones (worker processes) and the organisers (threads) together; what every part saw."""
    endpoint = Endpoint(nginx.address)
    pages = [f"/editions/{YEAR}", f"/editions/{YEAR}/programme"]
    pages += [f"/editions/{YEAR}/disciplines/{slug}" for slug in slugs]
    followed = [matches.Followed.of(endpoint, page, "") for page in pages]
    for page, f in zip(pages, followed, strict=True):
        if not f.url or not f.etag:
            raise RuntimeError(f"{page} has no data-live / data-etag: what would a phone poll?")
    print(f"  {args.organisers} organisers log in...", flush=True)
    clients = [login_as(nginx.address, common.organiser_email(n)) for n in range(args.organisers)]
    tail = max_age + 1 + FRESHNESS_SLACK + 2  # the last saves' freshness
    began = time.monotonic() + 2.0  # the processes start meanwhile
    saves_from = began + args.period  # every phone has polled once
    saves_until = saves_from + args.mixed_duration
    stop_at = saves_until + tail
    step = args.save_interval / args.organisers
    turns: list[list[tuple[float, matches.Planned]]] = [[] for _ in range(args.organisers)]
    for n, planned in enumerate(plan):
        if n * step >= args.mixed_duration:
            break
        turns[n % args.organisers].append((saves_from + n * step, planned))
    specs = [
        (
            i % len(followed),
            followed[i % len(followed)].url,
            followed[i % len(followed)].etag,
            began + i * args.period / args.phones,
        )
        for i in range(args.phones)
    ]
    nginx_offsets = log_offsets(list(nginx.log.parent.glob("*access.log")))
    gunicorn_offsets = log_offsets([server.log])
    cpu_before = {"gunicorn": server.cpu_seconds(), "nginx": nginx.cpu_seconds()}
    context = multiprocessing.get_context("fork")  # no thread runs yet in this process
    processes, pipes = [], []
    saves: list[matches.Save] = []
    errors: list[str] = []
    results = []
    try:
        for k in range(args.phone_processes):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=phone_process,
                args=(nginx.address, specs[k :: args.phone_processes], args.period, stop_at, send),
                daemon=True,
            )
            process.start()
            send.close()
            processes.append(process)
            pipes.append(receive)
        threads = [
            threading.Thread(target=organiser, args=(client, mine, saves, errors), daemon=True)
            for client, mine in zip(clients, turns, strict=True)
        ]
        print(
            f"  {args.phones} phones in {args.phone_processes} processes, {sum(map(len, turns))} saves planned "
            f"over {args.mixed_duration} s; about {stop_at - time.monotonic():.0f} s...",
            flush=True,
        )
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for pipe in pipes:
            if not pipe.poll(max(0.0, stop_at - time.monotonic()) + PHONE_TIMEOUT * 2 + 30):
                raise RuntimeError("a phone process sent nothing back")
            results.append(pipe.recv())
        for process in processes:
            process.join(30)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
        for client in clients:
            client.close()
    failed = [r["error"] for r in results if r["error"]]
    if failed:
        raise RuntimeError(f"a phone process failed: {failed}")
    polls = sorted((PhonePoll(*s) for r in results for s in r["samples"]), key=lambda p: p.start)
    return {
        "polls": polls,
        "followed": followed,
        "saves": sorted(saves, key=lambda s: s.acknowledged),
        "errors": errors,
        "attempted": sum(map(len, turns)),
        "planned": len(plan),
        "window": stop_at - began,
        "max_age": max_age,
        "client_cpu": [r["cpu"] for r in results],
        "connections": sum(r["connections"] for r in results),
        "reconnects": sum(r["reconnects"] for r in results),
        "server_cpu": {
            "gunicorn": server.cpu_seconds() - cpu_before["gunicorn"],
            "nginx": nginx.cpu_seconds() - cpu_before["nginx"],
        },
        "nginx_log": log_since(nginx_offsets),
        "gunicorn_log": log_since(gunicorn_offsets),
    }


def proxy_max_age(server: common.Server) -> int:
    """The max-age the app gives the public pages (CARTEL_PROXY_MAX_AGE), read from an answer."""
    control = matches.fetch(server, f"/editions/{YEAR}").headers.get("Cache-Control") or ""
    found = re.search(r"max-age=(\d+)", control)
    if not found:
        raise RuntimeError(f"/editions/{YEAR} is not cacheable: Cache-Control {control!r}")
    return int(found.group(1))


def freshness(saves: list[matches.Save], polls: list[PhonePoll], url: int, initial: str | None):
    """Per acknowledged save, seconds from its 303 to the end of the first poll of URL ``url`` that started
    after it and got a 200 with an ETag no poll had received before the 303 (strict), and to the end of the
    first that started after it and got a 200 with an ETag new to that phone (the looser reading); the
    saves no fresh copy showed."""
    mine = [p for p in polls if p.url == url]
    first_seen: dict[str | None, float] = {bare(initial): float("-inf")}
    for p in mine:
        if p.status == 200:
            first_seen.setdefault(bare(p.etag), p.start)
    strict, loose, unseen = [], [], []
    for save in saves:
        ack = save.acknowledged
        after = [p for p in mine if p.start >= ack and p.status == 200]
        fresh = [p.end for p in after if first_seen[bare(p.etag)] >= ack]
        new = [p.end for p in after if p.new]
        if fresh:
            strict.append(min(fresh) - ack)
        else:
            unseen.append(f"{save.planned.slug} {save.planned.code}")
        if new:
            loose.append(min(new) - ack)
    return strict, loose, unseen


def spread(milliseconds: list[float]) -> str:
    """p50 / p99 / max."""
    if not milliseconds:
        return "none"
    v = milliseconds
    return f"{common.percentile(v, 0.5):.1f} / {common.percentile(v, 0.99):.1f} / {max(v):.1f} ms"


def mix_report(result: dict, args) -> tuple[str, dict]:
    """The event mix's tables (phones per URL kind, then everything), and its verdicts for the summary."""
    polls, followed, window = result["polls"], result["followed"], result["window"]
    answered = [p for p in polls if p.status]
    errors = [p for p in polls if p.status not in (200, 304)]
    latencies = [(p.end - p.start) * 1000 for p in answered]
    lag = [(p.start - p.scheduled) * 1000 for p in polls]
    late = sum(x > LATE_MS for x in lag)
    target = args.phones / args.period
    rate = len(polls) / window
    p99 = common.percentile(latencies, 0.99)
    cpu = result["client_cpu"]
    busiest = max(cpu, default=0.0) / window
    faithful = rate >= 0.95 * target and common.percentile(lag, 0.99) < POLL_P99_GOAL and busiest < 0.9
    saves, save_errors = result["saves"], result["errors"]
    times = [s.milliseconds for s in saves]
    lost = result["lost"]
    strict, loose, unseen = freshness(saves, polls, 0, followed[0].etag)
    goal = result["max_age"] + 1 + FRESHNESS_SLACK
    fresh_ok = bool(strict) and not unseen and max(strict) <= goal
    cache = Counter(re.findall(r"cache=(\S+)", result["nginx_log"]))
    upstream = len(re.findall(r'"(?:GET|POST|HEAD) [^"]* HTTP/1\.[01]" \d{3} ', result["gunicorn_log"]))
    kinds = [
        ("edition live", [0]),
        ("programme live", [1]),
        (f"discipline live ({len(followed) - 2} URLs)", list(range(2, len(followed)))),
    ]
    kind_rows = []
    for name, urls in kinds:
        mine = [p for p in polls if p.url in urls]
        ms = [(p.end - p.start) * 1000 for p in mine if p.status]
        phones = sum(1 for i in range(args.phones) if i % len(followed) in urls)
        kind_rows.append(
            f"| {name} | {followed[urls[0]].url if len(urls) == 1 else followed[urls[0]].url + ' ...'} | {phones} "
            f"| {len(mine)} | {sum(p.status == 200 for p in mine)} | {sum(p.status == 304 for p in mine)} "
            f"| {spread(ms)} | {sum(p.status not in (200, 304) for p in mine)} |"
        )
    server_cpu = result["server_cpu"]
    rows = [
        (
            "phones: polls/s achieved (whole window)",
            f"{rate:.0f} of {target:.0f} targeted ({len(polls)} polls in {window:.0f} s)",
            "",
            "",
        ),
        (
            "phones: 200 / 304",
            f"{sum(p.status == 200 for p in polls)} / {sum(p.status == 304 for p in polls)}",
            "",
            "",
        ),
        ("phones: p50 / p99 / max latency", spread(latencies), f"p99 < {POLL_P99_GOAL:g} ms", OK[p99 < POLL_P99_GOAL]),
        (
            "phones: errors (no answer, or not 200/304)",
            f"{len(errors)} {[p.error or p.status for p in errors[:2]]}",
            "0",
            OK[not errors],
        ),
        (
            "phones: connections opened (reconnects after an idle close)",
            f"{result['connections']} ({result['reconnects']})",
            "",
            "",
        ),
        (
            "client: schedule lag (poll start after its time) p50 / p99 / max",
            f"{spread(lag)}; {late} polls over {LATE_MS:g} ms late",
            "",
            "",
        ),
        (
            "client: CPU of the phone processes",
            ", ".join(f"{c:.1f} s" for c in cpu) + f" over {window:.0f} s (busiest {busiest:.0%} of a core)",
            "",
            "",
        ),
        (
            "client: simulation faithful (rate >= 95% of target, lag p99 < 50 ms, no process over 90% of a core)",
            "yes" if faithful else "**no: the client, not only the server, limits these figures**",
            "",
            "",
        ),
        (
            "servers: CPU during the window",
            f"gunicorn {server_cpu['gunicorn']:.1f} s, nginx {server_cpu['nginx']:.1f} s "
            f"({len(os.sched_getaffinity(0))} CPUs x {window:.0f} s = {len(os.sched_getaffinity(0)) * window:.0f} s)",
            "",
            "",
        ),
        (
            "nginx cache verdicts (its access log; - for the uncached pages); requests reaching gunicorn (its log)",
            ", ".join(f"{k} {v}" for k, v in cache.most_common()) + f"; {upstream}",
            "",
            "",
        ),
        (
            "saves: acknowledged (303) / attempted (plan)",
            f"{len(saves)} / {result['attempted']} ({result['planned']} planned)",
            "",
            "",
        ),
        ("saves: p50 / p99 / max latency (POST to 303)", spread(times), "", ""),
        ("saves: errors", f"{len(save_errors)} {save_errors[:2]}", "0", OK[not save_errors]),
        ("saves: lost (acknowledged, not in the database)", f"{len(lost)} {lost[:2]}", "0", OK[not lost]),
    ]
    fresh_rows = [
        (
            "saves seen by a fresh copy / acknowledged",
            f"{len(strict)} / {len(saves)} {unseen[:2]}",
            "all",
            OK[not unseen],
        ),
        (
            "freshness: 303 to the first poll with a copy fetched after it, median / p95 / max",
            f"{common.percentile(strict, 0.5):.2f} / {common.percentile(strict, 0.95):.2f} / "
            f"{max(strict, default=float('nan')):.2f} s",
            f"<= {goal:g} s",
            OK[fresh_ok],
        ),
        (
            "for comparison: 303 to the first poll with an ETag new to its phone, median / p95 / max",
            f"{common.percentile(loose, 0.5):.2f} / {common.percentile(loose, 0.95):.2f} / "
            f"{max(loose, default=float('nan')):.2f} s",
            "",
            "",
        ),
    ]
    edition_phones = sum(1 for i in range(args.phones) if i % len(followed) == 0)
    text = "\n".join(
        [
            f"{args.phones} phones ({args.phone_processes} processes, asyncio, one keep-alive connection each, "
            f"Accept-Encoding: gzip) each polling one live fragment {args.period:g} s after each answer with "
            f"If-None-Match (the fragments in turn: the edition's, the programme's, each discipline's; the URLs "
            f"from the pages' data-live); {args.organisers} organisers logged in through nginx, each saving a "
            f"match every {args.save_interval:g} s (staggered: {args.organisers / args.save_interval:g} saves/s) "
            f"for {args.mixed_duration} s from {args.period:g} s after the first polls; the phones go on "
            f"{window - args.period - args.mixed_duration:.0f} s after the last save",
            "",
            "| phones of | URL | phones | polls | 200 | 304 | p50 / p99 / max latency | errors |",
            "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
            *kind_rows,
            "",
            "| measure | value | goal | met |",
            "| --- | --- | --- | --- |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
            "",
            "#### Freshness",
            "",
            f"The {edition_phones} phones of `{followed[0].url}` (every save changes it): for each acknowledged "
            "save, from its 303 to the end of the first poll that started after it and received a 200 whose ETag "
            "no poll had received before the 303 (a copy nginx fetched after the save: nginx fetches only for a "
            "request, which receives that copy first); goal: the cache's max-age "
            f"(max-age={result['max_age']}, whole seconds for nginx: up to {result['max_age'] + 1} s) "
            f"plus {FRESHNESS_SLACK:g} s",
            "",
            "| measure | value | goal | met |",
            "| --- | --- | --- | --- |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in fresh_rows),
        ]
    )
    verdicts = {
        "phones p99": (f"phones' poll latency p99 < {POLL_P99_GOAL:g} ms", f"{p99:.1f} ms", p99 < POLL_P99_GOAL),
        "phones errors": ("phones' errors: 0", str(len(errors)), not errors),
        "lost": ("saves lost: 0", str(len(lost)), not lost),
        "freshness": (
            f"freshness max <= {goal:g} s (every save seen)",
            f"{max(strict, default=float('nan')):.2f} s, {len(unseen)} unseen",
            fresh_ok,
        ),
        "faithful": (
            "the phones' simulation faithful (not a goal: the condition for the phones' figures to be the server's)",
            f"{rate:.0f} of {target:.0f} polls/s, schedule lag p99 {common.percentile(lag, 0.99):.1f} ms, busiest "
            f"phone process {busiest:.0%} of a core",
            faithful,
        ),
    }
    return text, verdicts


# --- history after a save -------------------------------------------------------------------------


def history(database: Path, saves: int) -> list[tuple[str, list[float], list[float]]]:
    """60 synthetic finished editions plus the live edition, in-process (test client, CSRF off): the history
    pages warmed, then ``saves`` podiums saved by an organiser through the entry form, each followed by the
    first GET of each page (in HISTORY_PAGES's order) and a second one; per page, the ms of each."""
    slugs = common.discipline_slugs(20)  # common.add_live_edition's default
    with common.migrated_app(common.sqlite_url(database), WTF_CSRF_ENABLED=False) as app:
        common.fill(
            app,
            lambda: add_synthetic_history(editions=60, disciplines=25, schools=15, first_year=1960),
            common.add_live_edition,
        )
        organiser, public = app.test_client(), app.test_client()  # the public one never logs in
        landed = organiser.post("/login", data={"email": common.organiser_email(0), "password": common.PASSWORD})
        if landed.status_code != 302:
            raise RuntimeError(f"in-process login: HTTP {landed.status_code}")
        for page in HISTORY_PAGES:
            for _ in range(2):
                if (status := public.get(page).status_code) != 200:
                    raise RuntimeError(f"{page}: HTTP {status}")
        first: dict[str, list[float]] = {p: [] for p in HISTORY_PAGES}
        again: dict[str, list[float]] = {p: [] for p in HISTORY_PAGES}
        for n in range(saves):
            slug = slugs[n % len(slugs)]
            form_page = organiser.get(f"/saisie/{slug}").text
            form = {
                "version": common.hidden(form_page, "version"),
                "submission_id": common.hidden(form_page, "submission_id"),
                "state": "final",
                **{f"row-{k + 1}-school": common.SCHOOLS[(n + 5 * k) % len(common.SCHOOLS)] for k in range(3)},
            }
            answer = organiser.post(f"/saisie/{slug}", data=form)
            if answer.status_code != 303:
                raise RuntimeError(f"in-process podium save {n} ({slug}): HTTP {answer.status_code}")
            for times in (first, again):
                for page in HISTORY_PAGES:
                    began = time.perf_counter()
                    status = public.get(page).status_code
                    times[page].append((time.perf_counter() - began) * 1000)
                    if status != 200:
                        raise RuntimeError(f"{page} after save {n}: HTTP {status}")
    return [(page, first[page], again[page]) for page in HISTORY_PAGES]


def history_table(rows: list[tuple[str, list[float], list[float]]], saves: int) -> str:
    lines = [
        f"In-process (test client, CSRF off, no server): 60 synthetic finished editions (25 disciplines, 15 "
        f"schools, from 1960) plus the live edition {YEAR}; the pages warmed, then {saves} podiums saved in "
        f"{YEAR} through the entry form, each followed by one GET of each page in this order (the first after "
        "the save: what the save costs that page, in this process), then a second round",
        "",
        "| page | first GET after a save: median / max ms | next GET: median ms |",
        "| --- | ---: | ---: |",
    ]
    for page, first, again in rows:
        lines.append(
            f"| {page} | {common.percentile(first, 0.5):.1f} / {max(first):.1f} | {common.percentile(again, 0.5):.1f} |"
        )
    totals = [sum(first[n] for _, first, _ in rows) for n in range(saves)]
    lines.append(f"| all the pages above | {common.percentile(totals, 0.5):.1f} / {max(totals):.1f} | |")
    return "\n".join(lines)


# --- the report -----------------------------------------------------------------------------------


def gunicorn_settings() -> dict:
    """The settings deploy/gunicorn.conf.py gives under this environment (the server started here inherits it)."""
    conf = runpy.run_path(str(GUNICORN_CONF))
    return {k: conf[k] for k in ("worker_class", "workers", "threads", "keepalive", "timeout", "max_requests")}


def record(section: str) -> None:
    """Write ``section`` into bench/RESULTS.md in place of the one under HEADING (or at the end)."""
    path = common.ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    head, found, rest = text.partition(HEADING)
    rest = rest[rest.find("\n## ") + 1 :] if found and "\n## " in rest else ""
    path.write_text((head.rstrip("\n") + "\n\n" if head.strip() else "") + section + rest)


def raise_open_files(needed: int) -> int:
    """This process's open-files limit raised to its hard limit (nginx, gunicorn and the phone processes inherit
    it); the limit, at most 2**20."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    files = 2**20 if hard == resource.RLIM_INFINITY else min(hard, 2**20)
    if files < needed:
        sys.exit(f"open files limited to {files}, {needed} needed: raise `ulimit -Hn`, or fewer --phones")
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections")
    parser.add_argument("--phones", type=int, default=5000, help="simulated phones in the event mix")
    parser.add_argument("--period", type=float, default=5.0, help="seconds from a phone's answer to its next poll")
    parser.add_argument("--phone-processes", type=int, default=2, help="worker processes the phones are split over")
    parser.add_argument("--organisers", type=int, default=20, help="organisers saving matches (at most 20 accounts)")
    parser.add_argument("--save-interval", type=float, default=10.0, help="seconds between two saves of an organiser")
    parser.add_argument("--mixed-duration", type=int, default=60, help="seconds of saves in the event mix")
    parser.add_argument("--history-saves", type=int, default=5, help="saves timed in the history section")
    args = parser.parse_args()
    if not 1 <= args.organisers <= 20:
        sys.exit("--organisers: 1 to 20 (the database has 20 organiser accounts)")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it (Debian: apt-get install wrk), then run this again")
    if not os.access(nginx_binary(), os.X_OK):
        sys.exit("nginx is missing: install it (Debian: apt-get install nginx), then run this again")
    common.require_gunicorn()
    files = raise_open_files(args.phones // max(1, args.phone_processes) + 1000)
    os.environ.setdefault("CARTEL_TRUSTED_PROXIES", "1")  # deploy/cartel.env.example: one proxy, nginx
    settings = gunicorn_settings()
    header = common.machine(common.gunicorn_version(), matches.wrk_version(), nginx_version())
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cartel-edge-") as tmp:
        work = Path(tmp)
        log, database = work / "gunicorn.log", work / "edge.sqlite3"
        url = common.sqlite_url(database)
        print("building the database...", flush=True)
        with common.migrated_app(url) as app:
            common.fill(
                app,
                lambda: load_seeds(common.ROOT / "seeds"),
                lambda: common.add_live_edition(matches.DISCIPLINES, organisers=20),
                matches.add_tournaments,
            )
            total, played = matches.play_half(app)
            plan, known = matches.plan_saves(app)
        print(f"  {total} matches, {played} played; {len(plan)} savable in turn ({known} now)", flush=True)
        slugs = common.discipline_slugs(matches.DISCIPLINES)
        discipline = f"/editions/{YEAR}/disciplines/{plan[0].slug if plan else slugs[0]}"
        pages = [
            "/",
            "/editions/2023",
            f"/editions/{YEAR}",
            f"/editions/{YEAR}/live",
            f"/editions/{YEAR}/programme",
            discipline,
            "/records",
            "/api/editions/2023",
            f"/api/editions/{YEAR}/tournaments",
        ]
        with common.Server(url, log, ["-c", str(GUNICORN_CONF)]) as server:
            with (
                tempfile.TemporaryDirectory(prefix="cartel-edge-nginx-") as nginx_tmp,
                start_nginx(Path(nginx_tmp), server.address, files) as nginx,
            ):
                test_output = nginx.test_output
                max_age = proxy_max_age(server)
                css = stylesheet(nginx)
                print(f"through nginx (baseline {css})...", flush=True)
                edge_rows = interleaved(
                    nginx.url + css,
                    [("nginx return 200", nginx.ok_url, None)]
                    + [(page, nginx.url + page, RATIO_GOAL) for page in pages],
                    args,
                )
                print("straight to gunicorn...", flush=True)
                direct_rows = matches.load_routes(
                    server,
                    [("/health", "/health", None, 200, None)] + [(p, p, None, 200, RATIO_GOAL) for p in pages],
                    args,
                )
                print(f"event mix ({args.mixed_duration} s of saves)...", flush=True)
                mixed = event_mix(nginx, server, plan, slugs, max_age, args)
                nginx_errors = nginx.errors()
        with common.migrated_app(url) as app:
            stored = matches.stored_matches(app)
        mixed["lost"] = matches.lost_saves(mixed["saves"], stored)
        tracebacks = log.read_text(errors="replace").count("Traceback")
        print(f"history after a save ({args.history_saves} saves, in-process)...", flush=True)
        history_rows = history(work / "history.sqlite3", args.history_saves)
    mix_text, verdicts = mix_report(mixed, args)
    edge_goal = [r for r in edge_rows if r["goal"]]
    direct_goal = [r for r in direct_rows if r["goal"]]
    socket = sum(r.get("socket", 0) for r in direct_rows)

    def ratios(rows: list[dict]) -> tuple[str, bool]:
        missed = [r["route"] for r in rows if not r["available"] or r["ratio"] < r["goal"]]
        low = min((r["ratio"] for r in rows if r["available"]), default=float("nan"))
        return f"lowest {low:.2f}" + (f"; missed: {', '.join(missed)}" if missed else ""), not missed

    edge_value, edge_ok = ratios(edge_goal)
    direct_value, direct_ok = ratios(direct_goal)
    summary = [
        (f"through nginx: each page >= {RATIO_GOAL} x the static file", edge_value, edge_ok),
        (f"straight to gunicorn: each page >= {RATIO_GOAL} x /health", direct_value, direct_ok),
        ("straight to gunicorn: socket errors 0", str(socket), socket == 0),
        *(verdicts[k] for k in ("phones p99", "phones errors", "lost", "freshness", "faithful")),
    ]
    command = " ".join([".venv/bin/python", "bench/edge.py", *sys.argv[1:]])
    env = ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in ("WEB_CONCURRENCY", "GUNICORN_THREADS"))
    warnings = [line for line in test_output.splitlines() if not line.startswith("nginx: ")]
    header += (
        f"\n- gunicorn: `gunicorn -c deploy/gunicorn.conf.py -b 127.0.0.1:<port>` ({env}): worker_class "
        f"{settings['worker_class']}, workers {settings['workers']}, threads {settings['threads']}, keepalive "
        f"{settings['keepalive']} s, max_requests {settings['max_requests']}; its access log on stdout, to a file "
        f"here; CARTEL_TRUSTED_PROXIES={os.environ['CARTEL_TRUSTED_PROXIES']}, max-age={max_age} in the public "
        "answers (CARTEL_PROXY_MAX_AGE); SQLite file"
        f"\n- nginx: deploy/nginx.conf as a plain-HTTP site on 127.0.0.1 (local_site(): no TLS, no port-80 redirect, "
        f"paths to temporary directories) in Debian's http defaults; worker_processes auto, worker_connections "
        f"{WORKER_CONNECTIONS}, workers as {nginx_user() or 'the user running this'}; `nginx -t` "
        + (f"warned: {' / '.join(warnings)}" if warnings else "passed without a warning")
        + f"\n- wrk, the phones and the organisers on the same machine (open files: {files})"
    )
    section = (
        f"{HEADING}\n\n{header}\n- command: `{command}`\n"
        f"- database: the seeds plus the live edition {YEAR} ({matches.DISCIPLINES} disciplines x "
        f"{len(common.SCHOOLS)} schools, 20 organisers), each discipline a {matches.PRESET} tournament: {total} "
        f"matches, {played} played at build time\n"
        f"- logs: gunicorn {tracebacks} tracebacks; nginx error log {len(nginx_errors.splitlines())} lines of level "
        f"error or worse{': ' + nginx_errors.splitlines()[0] if nginx_errors else ''}\n"
        f"- whole run {time.monotonic() - began:.0f} s\n\n"
        f"### Throughput through nginx\n\n{nginx_table(edge_rows, css, args)}\n\n"
        f"### Throughput straight to gunicorn\n\n{matches.route_table(direct_rows, args)}\n\n"
        f"### Event mix through nginx: phones polling, organisers saving matches\n\n{mix_text}\n\n"
        f"### History after a save, in-process\n\n{history_table(history_rows, args.history_saves)}\n\n"
        "### Goals\n\n| goal | value | met |\n| --- | --- | --- |\n"
        + "".join(f"| {goal} | {value} | {OK[met]} |\n" for goal, value, met in summary)
    )
    print("\n" + section)
    record(section)


if __name__ == "__main__":
    main()
