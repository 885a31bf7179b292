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
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from cartel.write.seeding import load_seeds
from tests.synthetic import add_synthetic_history

DISCIPLINES = common.discipline_slugs(20)  # common.add_live_edition's default
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
OK = {True: "yes", False: "**no**"}


def get(server: common.Server, path: str, headers: dict | None = None) -> tuple[int, str | None]:
    """One GET on a connection of its own (gunicorn's sync workers close them anyway): (status, ETag)."""
    client = common.Client(server.address, timeout=10)
    try:
        answer = client.request("GET", path, headers=headers)
    finally:
        client.close()
    return answer.status, answer.headers.get("ETag")


def start(database: Path, log: Path) -> common.Server:
    return common.Server(common.sqlite_url(database), log, ["-w", "2"])


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


def load_routes(server: common.Server, label: str, routes: list, args) -> list[dict]:
    """routes: (name, path, headers, expected status, goal). Health before and after each route."""
    rows, health_before = [], None
    for name, path, headers, expected, goal in routes:
        statuses = {get(server, path, headers)[0] for _ in range(6)}  # several: both workers must agree
        if statuses != {expected}:
            rows.append({"db": label, "route": name, "available": False, "status": statuses, "goal": goal})
            continue
        wrk(server.url + path, 1, 4, headers)  # warm-up: every worker computes and stores the page first
        health_before = health_before or wrk(server.url + "/health", args.duration, args.connections)
        result = wrk(server.url + path, args.duration, args.connections, headers)
        health_after = wrk(server.url + "/health", args.duration, args.connections)
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


def poller(server: common.Server, period: float, offset: float, stop: threading.Event, polls: list, lock) -> None:
    path, etag, mine = f"/editions/{common.LIVE_YEAR}/live?lang=fr", None, []
    next_at = time.monotonic() + offset
    while not stop.is_set():
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at = max(next_at + period, time.monotonic() - period)  # no burst after a stall
        start = time.monotonic()
        try:
            status, tag = get(server, path, {"If-None-Match": etag} if etag else {})
        except (OSError, http.client.HTTPException) as error:
            mine.append((start, time.monotonic(), repr(error), False))
            continue
        new = status == 200 and tag != etag
        etag = tag if status == 200 else etag
        mine.append((start, time.monotonic(), status, new))
    with lock:
        polls.extend(mine)


def organiser(server: common.Server, duration: float, saves: list, errors: list) -> None:
    """Logs in, then saves a podium every second through the entry form: (sent, acknowledged) per save."""
    client = common.Client(server.address, timeout=10)
    page = client.request("GET", "/login")
    form = {
        "email": common.organiser_email(0),
        "password": common.PASSWORD,
        "csrf_token": common.hidden(page.text, "csrf_token"),
    }
    landed = client.request("POST", "/login", form=form)
    if landed.status != 302 or "/saisie" not in (landed.headers.get("Location") or ""):
        raise RuntimeError(f"login failed: HTTP {landed.status}, to {landed.headers.get('Location')}")
    start = time.monotonic()
    for n in range(int(duration)):
        time.sleep(max(0.0, start + n - time.monotonic()))
        slug = DISCIPLINES[n % len(DISCIPLINES)]
        try:
            page = client.request("GET", f"/saisie/{slug}")
            data = {
                "csrf_token": common.hidden(page.text, "csrf_token"),
                "version": common.hidden(page.text, "version"),
                "submission_id": common.hidden(page.text, "submission_id"),
                "state": "final",
                **{f"row-{k + 1}-school": common.SCHOOLS[(n + 5 * k) % len(common.SCHOOLS)] for k in range(3)},
            }
            sent = time.monotonic()
            answer = client.request("POST", f"/saisie/{slug}", form=data)  # the 303 is the acknowledgement
            if answer.status == 303:
                saves.append((sent, time.monotonic()))
            else:
                errors.append(f"save {n}: HTTP {answer.status}")
        except Exception as error:
            errors.append(f"save {n}: {error!r}")
    client.close()


def latency_row(label: str, milliseconds: list[float]) -> tuple[str, str, str, str]:
    p99 = common.percentile(milliseconds, 0.99)
    return (
        f"{label}: p50 / p99 latency",
        f"{common.percentile(milliseconds, 0.5):.1f} / {p99:.1f} ms",
        "p99 < 200 ms",
        OK[p99 < 200],
    )


def mixed(server: common.Server, args) -> list[tuple[str, str, str, str]]:
    stop, lock, polls, saves, save_errors = threading.Event(), threading.Lock(), [], [], []
    period = args.pollers / args.poll_rate
    threads = [
        threading.Thread(target=poller, args=(server, period, i * period / args.pollers, stop, polls, lock))
        for i in range(args.pollers)
    ]
    for t in threads:
        t.start()
    began = time.monotonic()
    try:
        organiser(server, args.mixed_duration, saves, save_errors)
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
    return [
        ("pollers: requests/s achieved", f"{len(polls) / elapsed:.0f} (target {args.poll_rate})", "", ""),
        ("pollers: 200 / 304", f"{sum(p[2] == 200 for p in polls)} / {sum(p[2] == 304 for p in polls)}", "", ""),
        latency_row("pollers", latencies),
        ("pollers: errors", f"{len(poll_errors)} {poll_errors[:1]}", "0", OK[not poll_errors]),
        ("saves: acknowledged (303)", f"{len(saves)} of {int(args.mixed_duration)}", "", ""),
        latency_row("saves", save_times),
        ("saves: errors", f"{len(save_errors)} {save_errors[:1]}", "0", OK[not save_errors]),
        (
            "propagation: save ack to first poll with a new ETag, median / max",
            f"{common.percentile(propagation, 0.5):.1f} / {max(propagation, default=float('nan')):.1f} ms"
            f" ({len(propagation)} of {len(saves)} saves seen)",
            "",
            "",
        ),
    ]


def route_table(rows: list[dict], args) -> str:
    intro = (
        f"wrk -t2 -c{args.connections} -d{args.duration}s --latency; ratio = route req/s / mean /health req/s "
        "of the runs just before and after"
    )
    return common.ratio_table(rows, intro, "/health", "health", before=[("database", "db")])


def wrk_version() -> str:
    first = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return first.split(" Copyright")[0]


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
    common.require_gunicorn()
    header = common.machine(common.gunicorn_version(), wrk_version()) + (
        "\n- server: gunicorn -w 2 (sync workers) on 127.0.0.1, SQLite file; wrk and the mixed-run client on the "
        "same machine"
    )
    with tempfile.TemporaryDirectory() as tmp:
        log, seeded, synthetic = (Path(tmp) / n for n in ("gunicorn.log", "seeded.sqlite3", "synthetic.sqlite3"))
        print("building databases...", flush=True)
        common.build(common.sqlite_url(seeded), lambda: load_seeds(common.ROOT / "seeds"), common.add_live_edition)
        common.build(
            common.sqlite_url(synthetic), lambda: add_synthetic_history(editions=60, disciplines=25, schools=15)
        )
        rows = []
        with start(seeded, log) as server:
            etag = get(server, "/editions/2023")[1]
            rows += load_routes(
                server,
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
            mixed_rows = mixed(server, args)
        with start(synthetic, log) as server:
            rows += load_routes(
                server,
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
            f"{args.pollers} pollers (conditional GET /editions/{common.LIVE_YEAR}/live?lang=fr, one connection each) "
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
    path = common.ROOT / "bench" / "RESULTS.md"
    # this report heads the file; the other benchmarks' sections after it are kept as they are
    old = path.read_text() if path.exists() else ""
    kept = [
        part
        for part in old.split("\n## ")[1:]
        if not part.startswith(("Requests/s per route", "Mixed run: live pollers"))
    ]
    path.write_text(report + "".join("\n## " + part for part in kept))


if __name__ == "__main__":
    main()
