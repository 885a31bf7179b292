"""What the benchmarks share: the fictional live edition, a migrated database, gunicorn on a free port,
an HTTP client with cookies, percentiles and the description of the machine a run went on.

A bench script imports it as ``bench.common`` after putting the checkout on ``sys.path``. Importing it
sets CARTEL_SECRET_KEY and CARTEL_ENV=development for this process and every server it starts, so
that an app made in-process writes no key file in instance/ and every gunicorn worker signs alike.
"""

from __future__ import annotations

import html
import http.client
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET_KEY = "cartel-bench-" + "k" * 40  # at least 32 bytes; the same for every worker and restart
os.environ["CARTEL_SECRET_KEY"] = SECRET_KEY
os.environ["CARTEL_ENV"] = "development"

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from cartel import create_app  # noqa: E402
from cartel.extensions import db  # noqa: E402
from cartel.models import (  # noqa: E402
    Category,
    Discipline,
    Edition,
    EditionStatus,
    Participation,
    PointsScheme,
    ProgrammeEntry,
    Role,
    School,
    Sport,
    User,
)
from cartel.write.audit import bump_revisions  # noqa: E402
from cartel.write.unit import unit_of_work  # noqa: E402

GUNICORN = Path(sys.executable).parent / "gunicorn"
LIVE_YEAR = 2030
SCHOOLS = [f"bench-school-{i}" for i in range(12)]
PASSWORD = "bench password"
TIMEOUT = 30.0  # seconds a client waits for an answer (SQLite waits 15 s for a lock, gunicorn 30 s)


# --- the database ---------------------------------------------------------------------------------


def discipline_slugs(count: int) -> list[str]:
    return [f"bench-d{i}" for i in range(count)]


def organiser_email(n: int) -> str:
    return f"organiser-{n}@example.org"


def add_live_edition(disciplines: int = 20, organisers: int = 1) -> list[str]:
    """A live edition of year LIVE_YEAR (the 12 fictional SCHOOLS, ``disciplines`` disciplines) and
    ``organisers`` organiser accounts (organiser_email(n), PASSWORD), in the caller's unit of work;
    the public revisions bumped as the app does. Returns the disciplines' slugs."""
    schools = [
        School(slug=slug, name=f"Bench School {i}", short_name=f"B{i}", country="FR") for i, slug in enumerate(SCHOOLS)
    ]
    slugs = discipline_slugs(disciplines)
    rows = [
        Discipline(
            slug=slug,
            category=Category.OPEN,
            sport=Sport(slug=f"bench-sport-{i}", name_fr=f"Sport {i}", name_en=f"Sport {i}"),
        )
        for i, slug in enumerate(slugs)
    ]
    edition = Edition(year=LIVE_YEAR, number=55, status=EditionStatus.LIVE)
    edition.participations = [Participation(school=s) for s in schools]
    edition.programme = [ProgrammeEntry(discipline=d, weight=Decimal(1), version=0) for d in rows]
    edition.scheme = PointsScheme(place_points=[12, 9, 7, 5, 4, 3, 2, 1], tie_rule="split", tie_breaks=[1, 2, 3])
    users = []
    for n in range(organisers):
        user = User(email=organiser_email(n), role=Role.ORGANISER)
        user.set_password(PASSWORD)
        users.append(user)
    db.session.add_all([*schools, edition, *users])
    db.session.flush()
    bump_revisions(None)
    return slugs


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@contextmanager
def migrated_app(url: str, **config) -> Iterator[Flask]:
    """The app on ``url`` with every migration applied; its engine disposed (no file left open) when
    the block ends. No app context stays pushed: each test-client request gets one of its own, and
    with it a database session of its own, as on a real server."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **config})
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def fill(app: Flask, *fills: Callable[[], object]) -> object:
    """Run ``fills`` in one app context and one unit of work (committed at the end); the last one's result."""
    result = None
    with app.app_context(), unit_of_work():
        for step in fills:
            result = step()
    return result


def build(url: str, *fills: Callable[[], object]) -> None:
    """A migrated database at ``url`` filled by ``fills`` (see fill)."""
    with migrated_app(url) as app:
        fill(app, *fills)


# --- HTTP -----------------------------------------------------------------------------------------


class BadPage(Exception):
    """An answer whose body is not what the real page holds (no CSRF token...)."""


def hidden(page: str, name: str) -> str:
    """The value of the input named ``name`` in an HTML page (a form's CSRF token, version...)."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    value = tag and re.search(r'value="([^"]*)"', tag.group(0))
    if not value:
        raise BadPage(f"no {name} input")
    return html.unescape(value.group(1))


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One keep-alive connection to ``address`` (host:port) and a cookie jar; a GET on a connection the
    server closed while idle is sent again once on a new one (what a browser does), a POST never is."""

    def __init__(self, address: str, timeout: float = TIMEOUT):
        self.address, self.timeout = address, timeout
        self.connection: http.client.HTTPConnection | None = None
        self.used = False  # the connection already carried a request
        self.cookies: dict[str, str] = {}
        self.reconnects = 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection, self.used = None, False

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Answer:
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            self.close()  # a POST is sent once, on a fresh connection
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.address, timeout=self.timeout)
            reused = self.used
            try:
                self.connection.request(method, path, body=body, headers=headers)
                self.used = True
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 1 and reused and method == "GET":
                    self.reconnects += 1
                    continue
                raise
            except BaseException:
                self.close()
                raise
            if response.will_close:
                self.close()
            self._keep_cookies(response.msg)
            return Answer(response.status, response.msg, data)
        raise AssertionError("unreachable")

    def _keep_cookies(self, message: http.client.HTTPMessage) -> None:
        for line in message.get_all("Set-Cookie") or []:
            pair, *attributes = line.split(";")
            name, _, value = pair.strip().partition("=")
            expired = any(
                a.strip().lower() in ("max-age=0", "expires=thu, 01 jan 1970 00:00:00 gmt") for a in attributes
            )
            if expired or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_alive(pgid: int) -> list[int]:
    """Processes of a process group that still run (zombies excluded)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


class ProcessGroup:
    """A server started in a process group of its own (``start_new_session``), so that one signal reaches
    its master and every worker. As a context manager it is always stopped, no worker outliving it."""

    name = "server"
    stop_timeout = 40.0  # seconds a graceful stop may take before SIGKILL

    process: subprocess.Popen
    pgid: int

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.stop()
        else:
            self.kill()  # the master is gone: make sure no worker outlives it

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far (from /proc)."""
        total = 0.0
        for pid in group_alive(self.pgid):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the master); SIGKILL to the group if it lingers."""
        self.process.terminate()
        try:
            self.process.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._wait_group_gone()

    def kill(self) -> None:
        """SIGKILL to the whole process group: the master and every worker die at once."""
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self._wait_group_gone()

    def _wait_group_gone(self) -> None:
        deadline = time.monotonic() + 10
        while (alive := group_alive(self.pgid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive:
            raise RuntimeError(f"{self.name} processes {alive} still run after the stop")


class Server(ProcessGroup):
    """gunicorn (``options``: workers, threads...) serving the app on ``url`` on a free port of 127.0.0.1,
    in a process group of its own (see ProcessGroup); its output appended to ``log``. Ready when /health
    answers 200."""

    name = "gunicorn"

    def __init__(self, url: str, log: Path, options: list[str], startup: float = 60):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}"
        self.log = log
        env = {**os.environ, "CARTEL_DATABASE_URL": url, "CARTEL_SECRET_KEY": SECRET_KEY, "CARTEL_ENV": "development"}
        command = [str(GUNICORN), *options, "-b", self.address, "cartel:create_app()"]
        with open(log, "ab") as out:
            out.write(f"\n==== {' '.join(command[1:])} ====\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pgid = self.process.pid
        deadline = time.monotonic() + startup
        while True:
            if self.process.poll() is not None:
                self.kill()  # no worker may outlive the master
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{log.read_text()[-3000:]}")
            probe = Client(self.address, timeout=5)
            try:
                if probe.request("GET", "/health").status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            finally:
                probe.close()
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"gunicorn did not answer /health within {startup:g} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)


def require_gunicorn() -> None:
    if not GUNICORN.exists():
        sys.exit("gunicorn is missing: .venv/bin/pip install -e .")


# --- measures and reports -------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0 to 1) of ``values``, interpolated between the two nearest ranks (as
    statistics.median is for q = 0.5); nan when there is none."""
    values = sorted(values)
    if not values:
        return float("nan")
    position = min(max(q, 0.0), 1.0) * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def ratio_table(rows: list[dict], intro: str, baseline: str, baseline_key: str, before=(), after=()) -> str:
    """A markdown table of wrk runs, one row per route: req/s, the baseline's req/s (``baseline_key``) in
    the runs around it, the ratio and its goal (ok or **missed**), latencies, errors. ``before`` and
    ``after`` are (title, key) text columns put before the route and after the latencies."""
    titles = [t for t, _ in before] + ["route", "req/s", f"{baseline} req/s (before/after)", "ratio", "goal"]
    titles += ["p50 ms", "p99 ms", *(t for t, _ in after), "non-2xx/3xx", "socket errors"]
    aligns = ["---"] * (len(before) + 1) + ["---:"] * 3 + ["---"] + ["---:"] * 2 + ["---"] * len(after)
    lines = [intro, "", "| " + " | ".join(titles) + " |", "| " + " | ".join([*aligns, "---:", "---:"]) + " |"]
    for r in rows:
        lead = [str(r[key]) for _, key in before] + [r["route"]]
        goal = f">= {r['goal']}" if r["goal"] else ""
        if not r["available"]:
            statuses = "/".join(map(str, sorted(r["status"])))
            cells = [*lead, f"not available (HTTP {statuses})", "", "", goal] + [""] * (len(titles) - len(lead) - 4)
        else:
            verdict = "" if not r["goal"] else (" ok" if r["ratio"] >= r["goal"] else " **missed**")
            cells = [*lead, f"{r['rps']:.0f}", f"{r[baseline_key]:.0f} ({r['spread']})", f"{r['ratio']:.2f}"]
            cells += [goal + verdict, f"{r['p50']:.1f}", f"{r['p99']:.1f}", *(str(r[key]) for _, key in after)]
            cells += [str(r["non2xx"]), str(r["socket"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def gunicorn_version() -> str:
    return subprocess.run([str(GUNICORN), "--version"], capture_output=True, text=True).stdout.strip()


def machine(*versions: str) -> str:
    """Markdown lines saying when, where and on which code a run went (call it before the run: the
    load average is the one before it); ``versions``: tools besides Python, such as gunicorn_version()."""
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    changed = len(git("status", "--porcelain").splitlines())
    return "\n".join(
        [
            f"- date: {time.strftime('%a %b %d %H:%M:%S UTC %Y', time.gmtime())}",
            f"- machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu.group(1) if cpu else 'unknown CPU'}",
            f"- Python {platform.python_version()}" + "".join(f", {v}" for v in versions),
            f"- code: commit {git('rev-parse', '--short', 'HEAD')}, {changed} files changed or new in the work "
            f"tree; load average before the run: {load}",
        ]
    )
