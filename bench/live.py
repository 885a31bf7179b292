"""Load benchmark of the real server: gunicorn (2 sync workers) on SQLite, loaded with wrk.

Usage: .venv/bin/python bench/live.py [--duration 10] [--connections 50] [--mixed-duration 20]
Needs wrk (Debian: apt-get install wrk) and gunicorn (a dependency: .venv/bin/pip install -e .).

1. Requests/s of each public route, as a ratio to the trivial /health measured in the same run
   (health, route, health, route, health...: each route is divided by the mean of its neighbours),
   on the seeded history (plus a live 2030 edition) and on 60 synthetic editions.
2. A mixed run on the seeded database: pollers send conditional requests to the live fragment
   (~300 requests/s) while an organiser saves a podium every second; reports latency, errors and
   the time from a save's acknowledgement to the first poll that sees the change.
Prints markdown tables and writes them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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
from cartel.write.seeding import load_seeds  # noqa: E402
from tests.synthetic import add_synthetic_history  # noqa: E402

LIVE_YEAR = 2030
SCHOOLS = [f"bench-school-{i}" for i in range(12)]
DISCIPLINES = [f"bench-d{i}" for i in range(20)]
EMAIL, PASSWORD = "bench@example.org", "bench password"
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def add_live_edition() -> None:
    """A live edition (12 fictional schools, 20 disciplines) and an organiser, like bench/entry.py."""
    schools = [
        School(slug=slug, name=f"Bench School {i}", short_name=f"B{i}", country="FR") for i, slug in enumerate(SCHOOLS)
    ]
    disciplines = [
        Discipline(
            slug=slug,
            category=Category.OPEN,
            sport=Sport(slug=f"bench-sport-{i}", name_fr=f"Sport {i}", name_en=f"Sport {i}"),
        )
        for i, slug in enumerate(DISCIPLINES)
    ]
    edition = Edition(year=LIVE_YEAR, number=55, status=EditionStatus.LIVE)
    edition.participations = [Participation(school=s) for s in schools]
    edition.programme = [ProgrammeEntry(discipline=d, weight=Decimal(1), version=0) for d in disciplines]
    edition.scheme = PointsScheme(place_points=[12, 9, 7, 5, 4, 3, 2, 1], tie_rule="split", tie_breaks=[1, 2, 3])
    user = User(email=EMAIL, role=Role.ORGANISER)
    user.set_password(PASSWORD)
    db.session.add_all([*schools, edition, user])
    db.session.flush()
    bump_revisions(None)
    db.session.commit()


def build(path: Path, fill) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        fill()
        db.engine.dispose()


def get(base: str, path: str, headers: dict | None = None) -> tuple[int, str | None]:
    """One GET on its own connection (gunicorn's sync workers close them anyway): (status, ETag)."""
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("ETag")
    finally:
        conn.close()


@contextmanager
def server(database: Path, log: Path):
    """gunicorn -w 2 on a free port of 127.0.0.1; yields its base URL; always stopped afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "CARTEL_DATABASE_URL": f"sqlite:///{database}",
        "CARTEL_SECRET_KEY": "bench-secret",
        "CARTEL_ENV": "development",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "cartel:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}:\n{log.read_text()[-2000:]}")
            try:
                if get(base, "/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /health within 30 s; see {log}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, duration: int, connections: int, headers: dict | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    percentiles = {
        int(p): float(v) * UNIT_MS[u]
        for p, v, u in re.findall(r"^\s+(50|99)(?:\.\d+)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": percentiles.get(50),
        "p99": percentiles.get(99),
        "non2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def load_routes(base: str, label: str, routes: list, args) -> list[dict]:
    """routes: (name, path, headers, expected status, goal). Health before and after each route."""
    rows, health_before = [], None
    for name, path, headers, expected, goal in routes:
        statuses = {get(base, path, headers)[0] for _ in range(6)}  # several: both workers must agree
        if statuses != {expected}:
            rows.append({"db": label, "route": name, "available": False, "status": statuses, "goal": goal})
            continue
        wrk(base + path, 1, 4, headers)  # warm-up: every worker computes and stores the page first
        health_before = health_before or wrk(base + "/health", args.duration, args.connections)
        result = wrk(base + path, args.duration, args.connections, headers)
        health_after = wrk(base + "/health", args.duration, args.connections)
        health = (health_before["rps"] + health_after["rps"]) / 2
        rows.append(
            {
                "db": label,
                "route": name,
                "available": True,
                **result,
                "health": health,
                "spread": f"{health_before['rps']:.0f}/{health_after['rps']:.0f}",
                "ratio": result["rps"] / health,
                "goal": goal,
            }
        )
        print(f"  {label} {name}: {result['rps']:.0f} req/s, /health {health:.0f}", flush=True)
        health_before = health_after
    return rows


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[round(q * (len(values) - 1))] if values else float("nan")


def poller(base: str, period: float, offset: float, stop: threading.Event, polls: list, lock) -> None:
    path, etag, mine = f"/editions/{LIVE_YEAR}/live?lang=fr", None, []
    next_at = time.monotonic() + offset
    while not stop.is_set():
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at = max(next_at + period, time.monotonic() - period)  # no burst after a stall
        start = time.monotonic()
        try:
            status, tag = get(base, path, {"If-None-Match": etag} if etag else {})
        except (OSError, http.client.HTTPException) as error:
            mine.append((start, time.monotonic(), repr(error), False))
            continue
        new = status == 200 and tag != etag
        etag = tag if status == 200 else etag
        mine.append((start, time.monotonic(), status, new))
    with lock:
        polls.extend(mine)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 303 is the acknowledgement: urllib raises it as an HTTPError


def hidden(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if tag is None:
        raise RuntimeError(f"no {name} input in the page")
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


def organiser(base: str, duration: float, saves: list, errors: list) -> None:
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    poster = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = browser.open(base + "/login", timeout=10).read().decode()
    form = {"email": EMAIL, "password": PASSWORD, "csrf_token": hidden(page, "csrf_token")}
    landed = browser.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=10)
    if not landed.url.rstrip("/").endswith("/saisie"):
        raise RuntimeError(f"login failed: ended at {landed.url}")
    start = time.monotonic()
    for n in range(int(duration)):
        time.sleep(max(0.0, start + n - time.monotonic()))
        slug = DISCIPLINES[n % len(DISCIPLINES)]
        try:
            page = browser.open(f"{base}/saisie/{slug}", timeout=10).read().decode()
            data = {
                "csrf_token": hidden(page, "csrf_token"),
                "version": hidden(page, "version"),
                "submission_id": hidden(page, "submission_id"),
                "state": "final",
                **{f"row-{k + 1}-school": SCHOOLS[(n + 5 * k) % len(SCHOOLS)] for k in range(3)},
            }
            sent = time.monotonic()
            try:
                poster.open(f"{base}/saisie/{slug}", urllib.parse.urlencode(data).encode(), timeout=10)
                errors.append(f"save {n}: expected a 303, got 2xx")
            except urllib.error.HTTPError as answer:
                if answer.code == 303:
                    saves.append((sent, time.monotonic()))
                else:
                    errors.append(f"save {n}: HTTP {answer.code}")
        except Exception as error:
            errors.append(f"save {n}: {error!r}")


def mixed(base: str, args) -> list[tuple[str, str, str, str]]:
    stop, lock, polls, saves, save_errors = threading.Event(), threading.Lock(), [], [], []
    period = args.pollers / args.poll_rate
    threads = [
        threading.Thread(target=poller, args=(base, period, i * period / args.pollers, stop, polls, lock))
        for i in range(args.pollers)
    ]
    for t in threads:
        t.start()
    began = time.monotonic()
    try:
        organiser(base, args.mixed_duration, saves, save_errors)
        time.sleep(max(0.0, began + args.mixed_duration - time.monotonic()) + 1)  # last save's propagation
    finally:
        stop.set()
        for t in threads:
            t.join()
    elapsed = time.monotonic() - began
    latencies = [(end - start) * 1000 for start, end, _, _ in polls]
    poll_errors = [p for p in polls if p[2] not in (200, 304)]
    propagation = [
        (min(seen) - ack) * 1000
        for _, ack in saves
        if (seen := [end for start, end, _, new in polls if start >= ack and new])
    ]
    save_times = [(ack - sent) * 1000 for sent, ack in saves]
    p99, sp99 = percentile(latencies, 0.99), percentile(save_times, 0.99)
    ok = {True: "yes", False: "**no**"}
    return [
        ("pollers: requests/s achieved", f"{len(polls) / elapsed:.0f} (target {args.poll_rate})", "", ""),
        ("pollers: 200 / 304", f"{sum(p[2] == 200 for p in polls)} / {sum(p[2] == 304 for p in polls)}", "", ""),
        (
            "pollers: p50 / p99 latency",
            f"{percentile(latencies, 0.5):.1f} / {p99:.1f} ms",
            "p99 < 200 ms",
            ok[p99 < 200],
        ),
        ("pollers: errors", f"{len(poll_errors)} {poll_errors[:1]}", "0", ok[not poll_errors]),
        ("saves: acknowledged (303)", f"{len(saves)} of {int(args.mixed_duration)}", "", ""),
        (
            "saves: p50 / p99 latency",
            f"{percentile(save_times, 0.5):.1f} / {sp99:.1f} ms",
            "p99 < 200 ms",
            ok[sp99 < 200],
        ),
        ("saves: errors", f"{len(save_errors)} {save_errors[:1]}", "0", ok[not save_errors]),
        (
            "propagation: save ack to first poll with a new ETag, median / max",
            f"{percentile(propagation, 0.5):.1f} / {max(propagation, default=float('nan')):.1f} ms"
            f" ({len(propagation)} of {len(saves)} saves seen)",
            "",
            "",
        ),
    ]


def route_table(rows: list[dict], args) -> str:
    lines = [
        f"wrk -t2 -c{args.connections} -d{args.duration}s --latency; ratio = route req/s / mean /health req/s "
        "of the runs just before and after",
        "",
        "| database | route | req/s | /health req/s (before/after) | ratio | goal | p50 ms | p99 ms "
        "| non-2xx/3xx | socket errors |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        goal = f">= {r['goal']}" if r["goal"] else ""
        if not r["available"]:
            statuses = "/".join(map(str, sorted(r["status"])))
            lines.append(f"| {r['db']} | {r['route']} | not available (HTTP {statuses}) | | | {goal} | | | | |")
            continue
        verdict = "" if not r["goal"] else (" ok" if r["ratio"] >= r["goal"] else " **missed**")
        lines.append(
            f"| {r['db']} | {r['route']} | {r['rps']:.0f} | {r['health']:.0f} ({r['spread']}) | "
            f"{r['ratio']:.2f} | {goal}{verdict} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']} "
            f"| {r['socket']} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """Where and when (taken at the start of the run)."""
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    gunicorn = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return (
        f"- date: {subprocess.run(['date', '-u'], capture_output=True, text=True).stdout.strip()}\n"
        f"- machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu.group(1) if cpu else 'unknown CPU'}\n"
        f"- Python {platform.python_version()}, {gunicorn}, {wrk_version.split(' Copyright')[0]}\n"
        f"- code: commit {git('rev-parse', '--short', 'HEAD')}, {len(git('status', '--porcelain').splitlines())} "
        f"files changed or new in the work tree; load average before the run: {load_before}\n"
        f"- server: gunicorn -w 2 (sync workers) on 127.0.0.1, SQLite file; wrk and the mixed-run client on the "
        "same machine"
    )


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--mixed-duration", type=int, default=20, help="seconds of the mixed run")
    parser.add_argument("--poll-rate", type=int, default=300, help="polls per second in the mixed run")
    parser.add_argument("--pollers", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it (Debian: apt-get install wrk), then run this again")
    if not (Path(sys.executable).parent / "gunicorn").exists():
        sys.exit("gunicorn is missing: .venv/bin/pip install -e .")
    header = machine()
    with tempfile.TemporaryDirectory() as tmp:
        log, seeded, synthetic = (Path(tmp) / n for n in ("gunicorn.log", "seeded.sqlite3", "synthetic.sqlite3"))
        print("building databases...", flush=True)
        build(seeded, lambda: (load_seeds(ROOT / "seeds"), add_live_edition()))
        build(synthetic, lambda: add_synthetic_history(editions=60, disciplines=25, schools=15))
        rows = []
        with server(seeded, log) as base:
            etag = get(base, "/editions/2023")[1]
            rows += load_routes(
                base,
                "seeded",
                [
                    ("/editions/2023", "/editions/2023", None, 200, 0.8),
                    ("/api/editions/2023", "/api/editions/2023", None, 200, 0.8),
                    ("/", "/", None, 200, None),
                    ("/records", "/records", None, 200, None),
                    ("/editions/2023 (304)", "/editions/2023", {"If-None-Match": etag}, 304, 0.9),
                ],
                args,
            )
            print(f"mixed run ({args.mixed_duration} s)...", flush=True)
            mixed_rows = mixed(base, args)
        with server(synthetic, log) as base:
            rows += load_routes(
                base,
                "synthetic 60 editions",
                [
                    ("/records", "/records", None, 200, 0.8),
                    ("/editions", "/editions", None, 200, 0.8),
                    ("/editions/1959", "/editions/1959", None, 200, 0.8),
                    ("/api/editions/1959", "/api/editions/1959", None, 200, 0.8),
                ],
                args,
            )
        tracebacks = log.read_text(errors="replace").count("Traceback")
    command = " ".join([".venv/bin/python", "bench/live.py", *sys.argv[1:]])
    mixed_table = "\n".join(
        [
            f"{args.pollers} pollers (conditional GET /editions/{LIVE_YEAR}/live?lang=fr, one connection each) "
            f"and one organiser saving a podium every second, {args.mixed_duration} s",
            "",
            "| measure | value | goal | met |",
            "| --- | --- | --- | --- |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in mixed_rows),
        ]
    )
    report = (
        f"# Load benchmark (bench/live.py)\n\n{header}\n- command: `{command}`\n"
        f"- server log: {tracebacks} tracebacks\n\n## Requests/s per route\n\n{route_table(rows, args)}\n\n"
        f"## Mixed run: live pollers and an organiser\n\n{mixed_table}\n"
    )
    print("\n" + report)
    (ROOT / "bench" / "RESULTS.md").write_text(report)


if __name__ == "__main__":
    main()
