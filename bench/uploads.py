"""Hostile uploads against a real server: time to answer and peak memory growth of the worker.

Usage: .venv/bin/python bench/uploads.py [--smoke] [--record]

gunicorn (one sync worker, so that every upload lands on the worker measured) serves the app on a fresh
SQLite file with a live edition (12 schools, 20 disciplines) and an organiser, logged in through the
login form. Each file of tests/hostile.py (each at most 5 MB: a sheet declaring the whole grid, a value
on its last row, 262,000 or 40,000 rows, a row of 400,000 cells, 200,000 empty rows, a zip bomb, a zip
lying about a part's size, 1.8 million or 300,000 shared strings, 100,000 styles, billion laughs, a cut
sheet, a workbook named .ods or .csv, the worst files within every bound, 5 MB of line ends or of
semicolons, a field of 200,000 characters, 80,000 CSV rows), and the template filled as an organiser
would (the control), is posted to
/saisie/import as a browser would, through the real upload path: form parsing, the bounds, the check
against the edition, the page.

Time: from sending the request to the end of the answer (client side, same machine). Memory: the
worker's peak resident size (VmHWM in /proc/<pid>/status) minus its resident size just before the
upload, the peak reset first (writing 5 to /proc/<pid>/clear_refs). Goal: every answer under 2 s, and
under 50 MB more. --smoke: six small files only. --record: the table also goes to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import io
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl

from bench.common import (
    LIVE_YEAR,
    PASSWORD,
    ROOT,
    Client,
    Server,
    add_live_edition,
    build,
    group_alive,
    gunicorn_version,
    hidden,
    machine,
    organiser_email,
    require_gunicorn,
    sqlite_url,
)
from tests import hostile

HEADING = "## Hostile uploads (bench/uploads.py)"
GOAL_SECONDS, GOAL_MB = 2.0, 50.0


def status_kb(pid: int, key: str) -> int:
    match = re.search(rf"^{key}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no {key} for process {pid}")
    return int(match.group(1))


def worker_pid(server: Server) -> int:
    workers = [pid for pid in group_alive(server.pgid) if pid != server.process.pid]
    if len(workers) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {workers}")
    return workers[0]


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = f"----cartel-bench-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def post_file(server: Server, client: Client, name: str, data: bytes) -> tuple[int, bytes, float]:
    """POST the file as the import form does; the status, the page and the seconds to the last byte."""
    page = client.request("GET", "/saisie/import")
    body, content_type = multipart({"csrf_token": hidden(page.text, "csrf_token")}, name, data)
    headers = {"Content-Type": content_type, "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}
    connection = http.client.HTTPConnection(server.address, timeout=60)
    try:
        start = time.perf_counter()
        connection.request("POST", "/saisie/import", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        return response.status, answer, time.perf_counter() - start
    finally:
        connection.close()


def said(page: bytes) -> str:
    """What the page says about the file: the refusal, the problems' count or the preview."""
    text = page.decode("utf-8", "replace")
    for pattern in (r'<span class="error">(.*?)</span>', r"<strong>(.*?)</strong>", r"<h2>(Aperçu)</h2>"):
        found = re.search(pattern, text, re.S)
        if found:
            return " ".join(found.group(1).replace("&#39;", "'").split())[:90]
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    return (title.group(1).strip() if title else text[:60])[:90]


def filled_template(server: Server, client: Client) -> bytes:
    """The template downloaded from the server, every discipline given a final podium."""
    answer = client.request("GET", "/saisie/import/template.xlsx")
    assert answer.status == 200, answer.status
    workbook = openpyxl.load_workbook(io.BytesIO(answer.body))
    ws = workbook.worksheets[0]
    schools = [c.value for c in workbook.worksheets[1]["A"]]
    for r in range(6, ws.max_row + 1):
        if ws.cell(row=r, column=2).value:
            ws.cell(row=r, column=4, value="définitif")
            for k in range(3):
                ws.cell(row=r, column=5 + k, value=schools[(r + k) % len(schools)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FILES: list[tuple[str, str, Callable[[], bytes]]] = [
    ("declared-huge.xlsx", "3 rows, <dimension> of the whole sheet", hostile.declared_huge),
    ("last-row.xlsx", "a value on row 1,048,576", hostile.last_row),
    ("262k-rows.xlsx", "262,000 rows of bad disciplines", hostile.many_rows),
    ("40k-rows.xlsx", "40,000 rows, 7.6 MB unpacked", lambda: hostile.many_rows(40_000)),
    ("wide-row.xlsx", "one row of 400,000 cells", hostile.wide_row),
    ("empty-rows.xlsx", "200,000 empty rows", hostile.empty_rows),
    ("zip-bomb.xlsx", "a sheet of 1 GiB declared, 1 MB packed", hostile.zip_bomb),
    ("lying-sizes.xlsx", "200 MB sheet, zip says 2 KB", hostile.lying_sizes),
    ("strings-bomb.xlsx", "1.8 million shared strings", hostile.shared_strings_bomb),
    ("300k-strings.xlsx", "300,000 shared strings, 6.6 MB unpacked", lambda: hostile.shared_strings_bomb(300_000)),
    ("styles-bomb.xlsx", "100,000 cell styles", hostile.styles_bomb),
    ("laughs.xlsx", "billion laughs entities", hostile.entity_bomb),
    ("cut.xlsx", "sheet XML cut in the middle", hostile.truncated_sheet),
    ("results.ods", "a workbook named .ods", lambda: hostile.workbook_named("x")[1]),
    ("results.csv", "a workbook named .csv", lambda: hostile.workbook_named("x")[1]),
    ("problems.xlsx", "1,000 rows within bounds, each a problem", lambda: hostile.many_rows(998)),
    ("grid-at-limits.xlsx", "19,988 cells of 340 characters (read)", hostile.grid_at_limits),
    ("all-at-limits.xlsx", "19,990 strings, 9,900 styles, 19,988 cells (read)", hostile.strings_at_limits),
    ("newlines.csv", "5 MB of line ends", hostile.newline_csv),
    ("semicolons.csv", "5 MB of semicolons", hostile.semicolon_csv),
    ("long-field.csv", "a field of 200,000 characters", hostile.long_field_csv),
    ("80k-rows.csv", "80,000 rows of bad disciplines", hostile.many_rows_csv),
]
SMOKE = {"last-row.xlsx", "cut.xlsx", "results.ods", "laughs.xlsx", "long-field.csv", "problems.xlsx"}


def run(smoke: bool) -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = sqlite_url(Path(tmp) / "uploads.sqlite3")
        build(url, add_live_edition)
        with Server(url, Path(tmp) / "gunicorn.log", ["-w", "1", "--timeout", "60"]) as server:
            client = Client(server.address, timeout=60)
            login = client.request("GET", "/login")
            form = {"email": organiser_email(0), "password": PASSWORD, "csrf_token": hidden(login.text, "csrf_token")}
            assert client.request("POST", "/login", form=form).status == 302, "login failed"
            pid = worker_pid(server)
            control = filled_template(server, client)
            post_file(server, client, "warm-up.xlsx", control)  # openpyxl and the templates loaded once
            files = [("filled-template.xlsx", f"the template, {LIVE_YEAR}, filled (control)", lambda: control)]
            files += [f for f in FILES if not smoke or f[0] in SMOKE]
            for name, what, make in files:
                data = make()
                Path(f"/proc/{pid}/clear_refs").write_text("5")
                before = status_kb(pid, "VmRSS")
                status, page, seconds = post_file(server, client, name, data)
                growth = (status_kb(pid, "VmHWM") - before) / 1024
                assert worker_pid(server) == pid, "the worker was replaced (killed by a timeout?)"
                rows.append((name, what, len(data), status, seconds, growth, len(page), said(page)))
                print(f"{name:22} {status} {seconds:6.3f} s {growth:+7.1f} MB  {said(page)}", file=sys.stderr)
            log = (Path(tmp) / "gunicorn.log").read_text()
            if "Traceback" in log:
                print(log[-3000:], file=sys.stderr)
                raise SystemExit("the server logged a traceback")
    return rows


def table(rows: list[tuple]) -> str:
    lines = [
        "| file | what | size | status | time (s) | worker peak RSS growth (MB) | page | the page says | goal met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, what, size, status, seconds, growth, page, message in rows:
        met = status < 500 and seconds < GOAL_SECONDS and growth < GOAL_MB
        size_text = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
        lines.append(
            f"| {name} | {what} | {size_text} | {status} | {seconds:.3f} | {growth:.1f} | {page / 1024:.0f} KB | "
            f"{message} | {'yes' if met else '**no**'} |"
        )
    return "\n".join(lines)


def record(markdown: str, header: str, argv: list[str]) -> None:
    section = (
        f"{HEADING}\n\n{header}\n- server: gunicorn -w 1 (sync), SQLite file, client on the same machine\n"
        f"- command: `{' '.join(['.venv/bin/python bench/uploads.py', *argv])}`\n"
        f"- goal: every answer a 2xx or 4xx in under {GOAL_SECONDS:g} s with under {GOAL_MB:g} MB more worker "
        "memory (peak RSS: VmHWM after the upload minus VmRSS before, the peak reset just before)\n\n" + markdown + "\n"
    )
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    head, found, rest = text.partition(HEADING)
    rest = rest[rest.find("\n## ") + 1 :] if found and "\n## " in rest else ""
    path.write_text((head.rstrip("\n") + "\n\n" if head.strip() else "") + section + rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="six small files only")
    parser.add_argument("--record", action="store_true", help="put the table in bench/RESULTS.md")
    args = parser.parse_args()
    require_gunicorn()
    header = machine(gunicorn_version(), f"openpyxl {openpyxl.__version__}")
    began = time.monotonic()
    rows = run(args.smoke)
    markdown = table(rows)
    print(markdown)
    failed = [r[0] for r in rows if not (r[3] < 500 and r[4] < GOAL_SECONDS and r[5] < GOAL_MB)]
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} files within the goal in {time.monotonic() - began:.0f} s", end=""
    )
    print(f"; over it: {', '.join(failed)}" if failed else "")
    if args.record:
        record(markdown, header, sys.argv[1:])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
