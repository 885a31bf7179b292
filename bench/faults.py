"""Load-and-faults benchmark of the real server: concurrent organisers and readers, then a crash.

Usage:
    .venv/bin/python bench/faults.py [--duration 60] [--readers 200] [--writers 20] [--conflicting 4]
        [--reader-pause 1.0] [--fault-duration 10] [--modes sync,threaded] [--database-url URL]
        [--output bench/FAULTS.md] [--keep]
    scripts/with-postgres sh -c '.venv/bin/python bench/faults.py --database-url "$CARTEL_TEST_DATABASE_URL"'
    .venv/bin/python bench/faults.py --smoke [--smoke-duration 3] [--modes threaded]

--smoke is a check of about 10 seconds for the test suite, on a fresh SQLite file: the real server
(gunicorn -w 2 --threads 8), 6 writers (3 of them on one shared discipline, so they conflict) and 8
readers for 3 seconds; then acknowledged saves sent again with their submission id, fresh saves sent
twice at once (a double tap) and two organisers saving from the same version (a forced 409); then the
checks of the data below (check_lost_updates, check_audit_trail, check_integrity, each a function
of its own). It prints a short summary, exits 1 if any check failed, writes no report and removes
its temporary files and server.

Without --database-url each mode gets a fresh SQLite file in a temporary directory. With a PostgreSQL
URL (postgresql+psycopg://...) every table of that database is dropped (DROP SCHEMA public CASCADE)
and made again by the migrations before each mode: never point it at a database you want to keep.

For each mode (sync: gunicorn -w 4; threaded: gunicorn -w 2 --threads 8), on 127.0.0.1 only:

1. Prepare: migrations, seeds, a live edition (12 fictional schools, 20 disciplines, like
   bench/live.py) and one organiser account per writer (role organiser, every discipline).
   The server runs in development with a fixed CARTEL_SECRET_KEY so every worker shares sessions.
2. Load, --duration seconds: each writer logs in as its own organiser and loops on the real entry
   route: GET the form, read its CSRF token, version and submission id, POST a random valid result
   (1 to 6 places, sometimes a joint team or a shared place, provisional or final) and follow the
   303 to the confirmation page. All but --conflicting writers have a discipline each; the last
   --conflicting writers share one discipline, so they conflict (409, expected and counted apart).
   Readers (threads with keep-alive connections, a pause of about --reader-pause s between two
   requests) poll the live regions with If-None-Match like static/js/live.js and load /,
   /editions/<year>, /api/editions/<year>, /records and /editions/2023.
3. Report requests per kind, statuses, p50/p99 latency, unexpected answers (anything but 200/304
   on reads, 302 on login, 303 or 409 on saves: 5xx, 400, timeouts, connection errors...).
4. Lost updates, read from the database after the run: for each discipline the stored result must
   be the acknowledged save with the highest version (places, state, version); every acknowledged
   save must have its audit entry (result.save, same discipline, after.version = the version the 303
   named, same places and state, by that writer's account) and its processed-submission row; one
   version acknowledged to two submissions (a retry of one submission may share its version), or a
   stored version below an acknowledged one, are lost too (check_lost_updates). A save that was
   committed but never acknowledged must match an attempt whose answer was lost. The audit trail
   must equal the stored state (check_audit_trail): each discipline's entries run 1, 2, ... up to
   its stored version with no gap, each entry's before is the previous entry's after (state and
   places), and the entry of the stored version holds the stored state and places.
5. Faults: the server starts again on the same database, writers and readers run for
   --fault-duration seconds, and half-way the whole gunicorn process group (master and workers)
   is killed with SIGKILL. Then: integrity (SQLite: PRAGMA integrity_check and foreign_key_check;
   both: orphan rows, placements without members, audit chains), every save acknowledged before the
   kill checked as in 4, the server started again: its pages must answer 200 and a new save 303,
   and the checks run once more. Every save whose answer was lost at the kill is then sent again
   as an organiser would after a timeout (same submission id, form and session): one that had been
   saved must be answered with the version it made, without saving twice.

Prints a markdown section and appends it to --output (bench/FAULTS.md): the file keeps one section
per run, headed by database and date (UTC); the file's title is written when it does not exist.
Run it once on SQLite and once on PostgreSQL to fill it. About 3 minutes per database with defaults.
Requests that failed with a traceback are listed from the server log, one traceback of each kind in
the report; --keep leaves the databases and the full server logs in the temporary directory.
The exit status is 1 when anything unexpected was seen (an unexpected answer before the kill, a lost
save, a failed integrity check, a restarted server that does not answer), 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import logging
import os
import random
import re
import resource
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.common import (
    LIVE_YEAR,
    PASSWORD,
    ROOT,
    TIMEOUT,
    Answer,
    BadPage,
    Client,
    Server,
    add_live_edition,
    build,
    discipline_slugs,
    gunicorn_version,
    hidden,
    machine,
    organiser_email,
    percentile,
    require_gunicorn,
    sqlite_url,
)
from cartel.core import podium
from cartel.models import (
    AuditEntry,
    Discipline,
    Edition,
    Placement,
    PlacementMember,
    ProcessedSubmission,
    ProgrammeEntry,
    School,
    User,
)
from cartel.write.seeding import load_seeds

MODES = {"sync": ["-w", "4"], "threaded": ["-w", "2", "--threads", "8"]}


# --- the database ---------------------------------------------------------------------------------


def wipe_postgresql(url: str) -> None:
    """Every table of the database dropped, so the migrations start from nothing."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def prepare(url: str, disciplines: int, organisers: int) -> None:
    if url.startswith("postgresql"):
        wipe_postgresql(url)
    build(url, lambda: load_seeds(ROOT / "seeds"), lambda: add_live_edition(disciplines, organisers))


def database_label(url: str) -> str:
    if not url.startswith("postgresql"):
        return f"SQLite {sqlite3.sqlite_version} (file, WAL)"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SHOW server_version").scalar()
    finally:
        engine.dispose()
    return f"PostgreSQL {version.split()[0]}"


def start(url: str, mode: str, log: Path) -> Server:
    return Server(url, log, [*MODES[mode], "--timeout", "60"])


# --- the clients ----------------------------------------------------------------------------------


def error_kind(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed without answer"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, BrokenPipeError):
        return "broken pipe"
    if isinstance(error, BadPage):
        return f"bad page: {error}"
    return type(error).__name__


@dataclass
class Sample:
    kind: str
    result: int | str  # the HTTP status, or the kind of error
    start: float
    end: float
    expected: bool


@dataclass
class Attempt:
    """One save: what was sent and what came back."""

    writer: int
    slug: str
    expected_version: int
    places: tuple  # ((place, (school, ...)), ...) with each team's schools sorted
    state: str
    submission: str
    start: float
    end: float = 0.0
    outcome: str = ""  # ack, conflict, unknown (no answer: it may or may not be saved), rejected
    version: int | None = None  # the version the 303 named
    form: dict = field(default_factory=dict, repr=False)  # what was posted, and the cookies it was
    cookies: dict = field(default_factory=dict, repr=False)  # posted with: a retry sends them again
    retry_of: Attempt | None = field(default=None, repr=False)


@dataclass
class Record:
    """What one thread saw; merged after the run."""

    samples: list[Sample] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)  # unexpected answer -> a piece of its body
    reconnects: int = 0

    def call(self, client: Client, kind: str, method: str, path: str, expected: set[int], **kwargs) -> Answer | None:
        start = time.monotonic()
        try:
            answer = client.request(method, path, **kwargs)
        except Exception as error:
            self.samples.append(Sample(kind, error_kind(error), start, time.monotonic(), False))
            return None
        ok = answer.status in expected
        end = time.monotonic()
        self.samples.append(Sample(kind, answer.status, start, end, ok))
        if not ok:
            title = re.search(r"<title>(.*?)</title>", answer.text, re.S)
            self.examples.setdefault(
                f"{kind} {answer.status}",
                f"{(title.group(1) if title else answer.text[:200]).strip()!r} after {end - start:.1f} s",
            )
        return answer


def log_in(client: Client, record: Record, n: int) -> bool:
    page = record.call(client, "login (GET)", "GET", "/login", {200})
    if page is None or page.status != 200:
        return False
    form = {"email": organiser_email(n), "password": PASSWORD, "csrf_token": hidden(page.text, "csrf_token")}
    landed = record.call(client, "login (POST)", "POST", "/login", {302}, form=form)
    return landed is not None and landed.status == 302 and "/saisie" in (landed.headers.get("Location") or "")


def random_result(rng: random.Random, schools: list[str], row_count: int) -> tuple[dict, tuple]:
    """Form fields of a valid random result, and the places it must be stored as."""
    count = min(rng.choice([1, 2, 3, 3, 3, 3, 4, 5, 6]), row_count)
    picked = rng.sample(schools, count + 1)
    extra = picked.pop()
    partner = extra if rng.random() < 0.15 else None
    tied = rng.randint(2, count) if count >= 2 and rng.random() < 0.3 else None
    form: dict = {}
    rows = []
    for k, school in enumerate(picked, start=1):
        form[f"row-{k}-school"] = school
        team = [school]
        if k == 1 and partner:
            form["row-1-partners"] = [partner]
            team.append(partner)
        if k == tied:
            form[f"row-{k}-tied"] = "on"
        rows.append(podium.Row(tuple(team), tied_with_above=k == tied))
    for k in range(count + 1, row_count + 1):
        form[f"row-{k}-school"] = ""
    return form, normalised((t.place, t.schools) for t in podium.teams_from_rows(rows))


def normalised(places) -> tuple:
    return tuple(sorted((int(place), tuple(sorted(schools))) for place, schools in places))


def fill_form(client: Client, record: Record, rng: random.Random, n: int, slug: str) -> Attempt | str:
    """GET the entry form and fill it with a random valid result: the attempt to POST, or "login" (the
    session is gone: log in again) or "failed"."""
    page = record.call(client, "entry form (GET)", "GET", f"/saisie/{slug}", {200})
    if page is None or page.status != 200:
        return "login" if page is not None and page.status == 302 else "failed"
    html = page.text
    schools = sorted(set(re.findall(r'name="row-1-school" value="([^"]+)"', html)))
    rows = [int(k) for k in re.findall(r'name="row-(\d+)-school"', html)]
    if len(schools) < 2 or not rows:
        raise BadPage("no school to choose")
    form, places = random_result(rng, schools, max(rows))
    state = rng.choice(["final", "provisional"])
    attempt = Attempt(
        writer=n,
        slug=slug,
        expected_version=int(hidden(html, "version")),
        places=places,
        state=state,
        submission=hidden(html, "submission_id"),
        start=time.monotonic(),
    )
    form |= {
        "csrf_token": hidden(html, "csrf_token"),
        "version": str(attempt.expected_version),
        "submission_id": attempt.submission,
        "state": state,
    }
    attempt.form, attempt.cookies = dict(form), dict(client.cookies)
    return attempt


def save_once(client: Client, record: Record, rng: random.Random, n: int, slug: str) -> str:
    """GET the form, POST a random result, follow the 303: "saved", "conflict", "login" (the session
    is gone: log in again) or "failed"."""
    attempt = fill_form(client, record, rng, n, slug)
    if isinstance(attempt, str):
        return attempt
    attempt.start = time.monotonic()
    outcome = post_save(client, record, attempt)
    if outcome == "saved":
        location = f"/saisie/{slug}/saved/{attempt.version}"
        record.call(client, "confirmation (GET)", "GET", location, {200})
    return outcome


def post_save(client: Client, record: Record, attempt: Attempt, kind: str = "save (POST)") -> str:
    """POST an attempt's form; its outcome and version from the answer."""
    answer = record.call(client, kind, "POST", f"/saisie/{attempt.slug}", {303, 409}, form=attempt.form)
    attempt.end = time.monotonic()
    record.attempts.append(attempt)
    if answer is None:
        attempt.outcome = "unknown"  # no answer: it may or may not have been saved
        return "failed"
    if answer.status == 409:
        attempt.outcome = "conflict"
        return "conflict"
    location = answer.headers.get("Location") or ""
    found = re.search(rf"/saisie/{re.escape(attempt.slug)}/saved/(\d+)$", location)
    if answer.status != 303 or not found:
        attempt.outcome = "rejected"
        if answer.status == 303:
            record.examples.setdefault(f"{kind} 303 elsewhere", location)
        return "failed"
    attempt.outcome, attempt.version = "ack", int(found.group(1))
    return "saved"


def again(original: Attempt) -> Attempt:
    """The same save sent once more: same form, submission id and session, as a retry is."""
    return Attempt(**{**original.__dict__, "outcome": "", "version": None, "end": 0.0, "retry_of": original})


def send(address: str, record: Record, attempt: Attempt, kind: str) -> str:
    """POST ``attempt`` on a new connection with the cookies it was filled with; its outcome."""
    client = Client(address)
    client.cookies = dict(attempt.cookies)
    attempt.start = time.monotonic()
    try:
        return post_save(client, record, attempt, kind)
    finally:
        client.close()


def retry_lost_answers(server: Server, url: str, attempts: list[Attempt]) -> dict:
    """Send again, with the same submission id, form and cookies, every save whose answer was lost
    (what an organiser does after a timeout): one already saved must be answered with the version it
    made and save nothing more; one not saved is saved now (or meets a 409 if the result moved on)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            saved = dict(c.execute(sa.select(ProcessedSubmission.key, ProcessedSubmission.version)).all())
    finally:
        engine.dispose()
    record = Record()
    counts: Counter = Counter()
    problems: list[str] = []
    for original in sorted((a for a in attempts if a.outcome == "unknown"), key=lambda a: a.start):
        retry = again(original)
        outcome = send(server.address, record, retry, "retried save (POST)")
        was_saved = saved.get(original.submission)
        counts["already saved" if was_saved else "not saved before"] += 1
        counts[f"answered {outcome}"] += 1
        if was_saved is not None and (outcome != "saved" or retry.version != was_saved):
            problems.append(f"{original.slug}: made v{was_saved}, the retry got {outcome} v{retry.version}")
    return {"counts": counts, "problems": problems, "attempts": record.attempts, "samples": record.samples}


def writer(client: Client, n: int, slug: str, until: float, stop: threading.Event, record: Record, seed: int) -> None:
    """An organiser saving ``slug`` again and again through the real form until ``until``."""
    rng = random.Random(seed)
    logged_in = True  # drive() logged the client in
    while time.monotonic() < until and not stop.is_set():
        try:
            if not logged_in:
                logged_in = log_in(client, record, n)
                if not logged_in:
                    stop.wait(0.5)
                continue
            outcome = save_once(client, record, rng, n, slug)
            logged_in = outcome != "login"
            if outcome in ("failed", "login"):
                stop.wait(0.2)  # the server may be down: do not spin
        except Exception as error:  # a page the client cannot read: counted, and the thread goes on
            now = time.monotonic()
            record.samples.append(Sample("client side", error_kind(error), now, now, False))
            stop.wait(0.2)
    record.reconnects += client.reconnects
    client.close()


def log_in_all(address: str, count: int, records: list[Record]) -> list[Client]:
    """One client per writer, logged in (in parallel) before the timed run: a login checks a scrypt
    hash, about 0.1 s of CPU each, which would otherwise eat the first seconds of a short run."""
    clients = [Client(address) for _ in range(count)]

    def one(n: int) -> None:
        deadline = time.monotonic() + 120
        while not log_in(clients[n], records[n], n):
            if time.monotonic() > deadline:
                raise RuntimeError(f"organiser {n} could not log in: {records[n].samples[-1:]}")
            time.sleep(0.5)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients


READS = [
    ("/editions/<live>/live (poll)", f"/editions/{LIVE_YEAR}/live?lang=fr", True),
    ("/live (poll)", "/live?lang=fr", True),
    ("/", "/", False),
    ("/editions/<live>", f"/editions/{LIVE_YEAR}", False),
    ("/api/editions/<live>", f"/api/editions/{LIVE_YEAR}", False),
    ("/records", "/records", False),
    ("/editions/2023", "/editions/2023", False),
]
READ_WEIGHTS = [35, 15, 10, 15, 10, 10, 5]


def reader(address: str, pause: float, until: float, stop: threading.Event, record: Record, seed: int) -> None:
    """A visitor: polls like static/js/live.js (with the ETag it holds) and loads pages, pausing
    ``pause`` seconds on average between two requests, on one keep-alive connection."""
    rng = random.Random(seed)
    client = Client(address)
    etags: dict[str, str] = {}
    stop.wait(rng.uniform(0, 2 * pause))
    while time.monotonic() < until and not stop.is_set():
        kind, path, conditional = rng.choices(READS, READ_WEIGHTS)[0]
        headers = {"If-None-Match": etags[path]} if conditional and path in etags else {}
        answer = record.call(client, kind, "GET", path, {200, 304} if headers else {200}, headers=headers)
        if answer is None:
            stop.wait(0.5)  # the server is down: do not spin
        elif answer.status == 200 and conditional and answer.headers.get("ETag"):
            etags[path] = answer.headers["ETag"]
        stop.wait(rng.uniform(0, 2 * pause))
    record.reconnects += client.reconnects
    client.close()


@dataclass
class Run:
    samples: list[Sample]
    attempts: list[Attempt]
    examples: dict[str, str]
    reconnects: int
    elapsed: float
    client_cpu: float
    server_cpu: float
    began: float  # after the logins
    machine_busy: float  # share of all the machine's CPUs busy during the run (any process)
    kill_at: float | None = None


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def drive(server: Server, args, slugs: list[str], duration: float, seed: int, kill_after: float | None = None) -> Run:
    """Writers and readers against ``server`` for ``duration`` s; SIGKILL to it after ``kill_after`` s."""
    stop = threading.Event()
    records = [Record() for _ in range(args.writers + args.readers)]
    clients = log_in_all(server.address, args.writers, records)
    began = time.monotonic()
    until = began + duration
    threads = [
        threading.Thread(
            target=writer, args=(clients[n], n, slugs[n], until, stop, records[n], seed * 1000 + n), daemon=True
        )
        for n in range(args.writers)
    ]
    threads += [
        threading.Thread(
            target=reader,
            args=(server.address, args.reader_pause, until, stop, records[args.writers + n], seed * 1000 + 500 + n),
            daemon=True,
        )
        for n in range(args.readers)
    ]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    ticks_before = cpu_ticks()
    server_before = server.cpu_seconds()
    for thread in threads:
        thread.start()
    kill_at = None
    server_cpu = 0.0
    if kill_after is not None:
        time.sleep(max(0.0, began + kill_after - time.monotonic()))
        server_cpu = server.cpu_seconds() - server_before
        kill_at = time.monotonic()
        server.kill()
    time.sleep(max(0.0, until - time.monotonic()))
    if kill_after is None:
        server_cpu = server.cpu_seconds() - server_before
    stop.set()
    for thread in threads:
        thread.join(TIMEOUT + 10)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    ticks_after = cpu_ticks()
    elapsed = time.monotonic() - began
    examples: dict[str, str] = {}
    for r in records:
        for k, v in r.examples.items():
            examples.setdefault(k, v)
    return Run(
        samples=[s for r in records for s in r.samples],
        attempts=[a for r in records for a in r.attempts],
        examples=examples,
        reconnects=sum(r.reconnects for r in records),
        elapsed=elapsed,
        client_cpu=(cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime),
        server_cpu=server_cpu,
        began=began,
        machine_busy=(ticks_after[0] - ticks_before[0]) / max(1, ticks_after[1] - ticks_before[1]),
        kill_at=kill_at,
    )


# --- checks on the database -----------------------------------------------------------------------


def stored_state(url: str, slugs: list[str]) -> dict:
    """Per discipline: version, state, places, result audit entries; and the users and submissions."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            edition_id = c.execute(sa.select(Edition.id).where(Edition.year == LIVE_YEAR)).scalar_one()
            discipline_ids = dict(
                c.execute(sa.select(Discipline.slug, Discipline.id).where(Discipline.slug.in_(slugs))).all()
            )
            by_id = {v: k for k, v in discipline_ids.items()}
            entries = {
                by_id[d]: (version, state.value)
                for d, version, state in c.execute(
                    sa.select(ProgrammeEntry.discipline_id, ProgrammeEntry.version, ProgrammeEntry.result_state).where(
                        ProgrammeEntry.edition_id == edition_id, ProgrammeEntry.discipline_id.in_(by_id)
                    )
                )
            }
            placed: dict[str, dict[int, tuple]] = defaultdict(dict)
            for d, placement_id, place, slug in c.execute(
                sa.select(Placement.discipline_id, Placement.id, Placement.place, School.slug)
                .join(PlacementMember, PlacementMember.placement_id == Placement.id)
                .join(School, School.id == PlacementMember.school_id)
                .where(Placement.edition_id == edition_id, Placement.discipline_id.in_(by_id))
            ):
                place_, schools = placed[by_id[d]].get(placement_id, (place, ()))
                placed[by_id[d]][placement_id] = (place_, (*schools, slug))
            audits: dict[str, list[dict]] = defaultdict(list)
            for audit_id, d, action, user_id, before, after in c.execute(
                sa.select(
                    AuditEntry.id,
                    AuditEntry.discipline_id,
                    AuditEntry.action,
                    AuditEntry.user_id,
                    AuditEntry.before,
                    AuditEntry.after,
                )
                .where(
                    AuditEntry.entity == "result",
                    AuditEntry.edition_id == edition_id,
                    AuditEntry.discipline_id.in_(by_id),
                )
                .order_by(AuditEntry.id)
            ):
                audits[by_id[d]].append(
                    {"id": audit_id, "action": action, "user_id": user_id, "before": before, "after": after}
                )
            users = dict(c.execute(sa.select(User.email, User.id)).all())
            submissions = dict(
                c.execute(
                    sa.select(ProcessedSubmission.key, ProcessedSubmission.version).where(
                        ProcessedSubmission.edition_id == edition_id
                    )
                ).all()
            )
    finally:
        engine.dispose()
    return {
        "entries": entries,
        "places": {slug: normalised(placed[slug].values()) for slug in slugs},
        "audits": audits,
        "users": users,
        "submissions": submissions,
    }


def snapshot(data: dict | None) -> tuple:
    """(state, places) of a result as an audit entry's ``before`` or ``after`` keeps it."""
    data = data or {}
    return data.get("state"), normalised(data.get("places") or [])


def audits_by_version(stored: dict, slug: str) -> dict[int | None, list[dict]]:
    """A discipline's result audit entries, by the version their ``after`` names."""
    found: dict[int | None, list[dict]] = defaultdict(list)
    for entry in stored["audits"].get(slug, []):
        found[(entry["after"] or {}).get("version")].append(entry)
    return found


def check_audit_trail(stored: dict, slugs: list[str]) -> dict[str, list[str]]:
    """The audit trail equals the stored state. For each discipline: one result audit entry for each
    version 1..the stored version; each entry's ``before`` is the previous version, as the previous
    entry's ``after`` recorded it (state and places); the entry of the stored version holds the stored
    state and places. Returns the problems by kind, with examples (empty: the trail is right)."""
    problems: dict[str, list[str]] = defaultdict(list)
    for slug in slugs:
        version, state = stored["entries"][slug]
        by_version = audits_by_version(stored, slug)
        chain = sorted(v for v in by_version if v is not None)
        if chain != list(range(1, version + 1)) or any(len(v) > 1 for v in by_version.values()):
            problems["audit chain not 1..stored version, each once"].append(
                f"{slug}: stored v{version}, audited {chain[:5]}...{chain[-5:]}"
            )
        for entry in stored["audits"].get(slug, []):
            before, after = entry["before"] or {}, entry["after"] or {}
            if before.get("version") != after.get("version", 0) - 1:
                problems["audit entry whose before is not the previous version"].append(
                    f"{slug} audit {entry['id']}: {before.get('version')} -> {after.get('version')}"
                )
                continue
            previous = by_version.get(before.get("version"), [])
            if previous and snapshot(previous[0]["after"]) != snapshot(before):
                problems["audit entry whose before is not the previous entry's after"].append(
                    f"{slug} audit {entry['id']}: before {snapshot(before)}, "
                    f"v{before.get('version')} was {snapshot(previous[0]['after'])}"
                )
        current = by_version.get(version, [])
        if version and (not current or snapshot(current[0]["after"]) != (state, stored["places"][slug])):
            problems["stored result differs from the audit entry of the stored version"].append(
                f"{slug} v{version}: stored {state} {stored['places'][slug]}, "
                f"audited {snapshot(current[0]['after']) if current else 'nothing'}"
            )
    return dict(problems)


def check_lost_updates(stored: dict, slugs: list[str], attempts: list[Attempt]) -> dict:
    """No lost update: every acknowledged save is in the database as acknowledged (its version, its
    audit entry by its writer with its places and state, its processed-submission row; the stored
    result is the acknowledged save of the highest version), no version was acknowledged to two
    submissions, and every version saved but never acknowledged matches an attempt whose answer was
    lost. Returns counts and the problems by kind (no problem and ``lost`` 0: nothing was lost)."""
    problems: dict[str, list[str]] = defaultdict(list)
    lost: set[int] = set()  # ids of acknowledged attempts that are not in the database as acknowledged
    acks = [a for a in attempts if a.outcome == "ack"]
    unknown = [a for a in attempts if a.outcome == "unknown"]
    by_version: dict[tuple[str, int], list[Attempt]] = defaultdict(list)
    for a in acks:
        by_version[a.slug, a.version].append(a)
        if a.version != a.expected_version + 1:
            problems["acknowledged with a version other than the form's + 1"].append(
                f"{a.slug}: form v{a.expected_version}, 303 named v{a.version}"
            )
    for (slug, version), same in by_version.items():
        others = [a for a in same if a.submission != same[0].submission]  # a retry shares its submission
        if others:
            problems["one version acknowledged to several submissions"].append(
                f"{slug} v{version}: {len({a.submission for a in same})} submissions"
            )
            lost.update(id(a) for a in others)
    unmatched_commits = 0
    for slug in slugs:
        version, state = stored["entries"][slug]
        by_audit = audits_by_version(stored, slug)
        mine = sorted((a for a in acks if a.slug == slug), key=lambda a: a.version)
        if mine and mine[-1].version > version:
            problems["stored version below an acknowledged one"].append(
                f"{slug}: stored v{version}, acknowledged v{mine[-1].version}"
            )
            lost.update(id(a) for a in mine if a.version > version)
        if mine and mine[-1].version == version:
            last = mine[-1]
            if (stored["places"][slug], state) != (last.places, last.state):
                problems["stored result is not the last acknowledged save"].append(
                    f"{slug} v{version}: stored {state} {stored['places'][slug]}, "
                    f"acknowledged {last.state} {last.places}"
                )
                lost.add(id(last))
        for a in mine:
            found = by_audit.get(a.version, [])
            if not found:
                problems["acknowledged save without its audit entry"].append(f"{a.slug} v{a.version}")
                lost.add(id(a))
                continue
            entry = found[0]
            expected_user = stored["users"].get(organiser_email(a.writer))
            if (
                entry["action"] != "result.save"
                or entry["user_id"] != expected_user
                or snapshot(entry["after"]) != (a.state, a.places)
            ):
                problems["audit entry differs from the acknowledged save"].append(
                    f"{a.slug} v{a.version}: audited {entry['action']} by user {entry['user_id']} "
                    f"{snapshot(entry['after'])}; sent by user {expected_user} {a.state} {a.places}"
                )
                lost.add(id(a))
            if stored["submissions"].get(a.submission) != a.version:
                problems["acknowledged save without its processed-submission row"].append(f"{a.slug} v{a.version}")
        # versions audited but never acknowledged: only an attempt whose answer was lost may explain one
        acked_versions = {a.version for a in mine}
        for v in sorted(v for v in by_audit if v is not None and v not in acked_versions):
            explained = any(
                u.slug == slug
                and u.expected_version == v - 1
                and (u.state, u.places) == snapshot(by_audit[v][0]["after"])
                for u in unknown
            )
            if explained:
                unmatched_commits += 1
            else:
                problems["saved but never acknowledged, and no attempt lost its answer"].append(f"{slug} v{v}")
    return {
        "acknowledged": len(acks),
        "lost": len(lost),
        "committed without acknowledgement": unmatched_commits,
        "answers lost": len(unknown),
        "problems": dict(problems),
    }


def check_saves(url: str, slugs: list[str], attempts: list[Attempt]) -> dict:
    """The lost-update and audit-trail checks on the database at ``url`` (see the module docstring)."""
    stored = stored_state(url, slugs)
    result = check_lost_updates(stored, slugs, attempts)
    result["problems"] = {**check_audit_trail(stored, slugs), **result["problems"]}
    return result


def check_integrity(url: str) -> dict:
    """The database's integrity: SQLite's own checks (PRAGMA integrity_check and foreign_key_check),
    then orphans and impossible rows on either database. Returns ok, every check's answer and the
    failed ones."""
    found: dict[str, str] = {}
    if not url.startswith("postgresql"):
        path = url.removeprefix("sqlite:///")
        connection = sqlite3.connect(path)
        try:
            found["PRAGMA integrity_check"] = "; ".join(r[0] for r in connection.execute("PRAGMA integrity_check"))
            fk = connection.execute("PRAGMA foreign_key_check").fetchall()
            found["PRAGMA foreign_key_check"] = "empty" if not fk else f"{len(fk)} rows: {fk[:3]}"
        finally:
            connection.close()
    queries = {
        "audit entries naming a missing user, edition or discipline": """
            SELECT count(*) FROM audit_entry a
            WHERE (a.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "user" u WHERE u.id = a.user_id))
               OR (a.edition_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM edition e WHERE e.id = a.edition_id))
               OR (a.discipline_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM discipline d WHERE d.id = a.discipline_id))
        """,
        "placement members without their placement or school": """
            SELECT count(*) FROM placement_member m
            WHERE NOT EXISTS (SELECT 1 FROM placement p WHERE p.id = m.placement_id)
               OR NOT EXISTS (SELECT 1 FROM school s WHERE s.id = m.school_id)
        """,
        "placement members whose edition/discipline differ from their placement's": """
            SELECT count(*) FROM placement_member m JOIN placement p ON p.id = m.placement_id
            WHERE p.edition_id <> m.edition_id OR p.discipline_id <> m.discipline_id
        """,
        "placements without members": """
            SELECT count(*) FROM placement p
            WHERE NOT EXISTS (SELECT 1 FROM placement_member m WHERE m.placement_id = p.id)
        """,
        "placements outside their edition's programme": """
            SELECT count(*) FROM placement p
            WHERE NOT EXISTS (SELECT 1 FROM programme_entry e
                              WHERE e.edition_id = p.edition_id AND e.discipline_id = p.discipline_id)
        """,
        "live disciplines whose version differs from their count of result audit entries": f"""
            SELECT count(*) FROM programme_entry e JOIN edition ed ON ed.id = e.edition_id
            WHERE ed.year = {LIVE_YEAR} AND e.version <> (
                SELECT count(*) FROM audit_entry a
                WHERE a.entity = 'result' AND a.edition_id = e.edition_id AND a.discipline_id = e.discipline_id)
        """,
        "processed submissions naming a missing edition or discipline": """
            SELECT count(*) FROM processed_submission s
            WHERE NOT EXISTS (SELECT 1 FROM edition e WHERE e.id = s.edition_id)
               OR NOT EXISTS (SELECT 1 FROM discipline d WHERE d.id = s.discipline_id)
        """,
    }
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            for label, sql in queries.items():
                found[label] = str(c.exec_driver_sql(sql).scalar())
            if url.startswith("postgresql"):
                found["foreign keys not validated (pg_constraint)"] = str(
                    c.exec_driver_sql(
                        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
                    ).scalar()
                )
            counts = {
                t: c.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar()
                for t in ("audit_entry", "placement", "placement_member", "processed_submission")
            }
    finally:
        engine.dispose()
    found["rows"] = ", ".join(f"{t} {n}" for t, n in counts.items())
    failed = [f"{k}: {v}" for k, v in found.items() if k != "rows" and v not in ("ok", "empty", "0")]
    return {"ok": not failed, "checks": found, "failed": failed}


# --- one mode -------------------------------------------------------------------------------------


def after_restart(server: Server, slug: str) -> dict:
    """The restarted server's pages, and one save through the entry form."""
    record, client = Record(), Client(server.address)
    pages = {}
    for path in (
        "/health",
        "/",
        f"/editions/{LIVE_YEAR}",
        f"/editions/{LIVE_YEAR}/live",
        f"/api/editions/{LIVE_YEAR}",
        "/records",
    ):
        answer = record.call(client, path, "GET", path, {200})
        pages[path] = answer.status if answer is not None else record.samples[-1].result
    client.close()
    organiser = Client(server.address)
    save: int | str = "not sent: login failed"
    if log_in(organiser, record, 0):
        save_once(organiser, record, random.Random(7), 0, slug)
        posts = [s.result for s in record.samples if s.kind == "save (POST)"]
        save = posts[-1] if posts else "not sent"
    organiser.close()
    return {"pages": pages, "save": save, "attempts": record.attempts, "samples": record.samples}


def compact_traceback(block: str) -> list[str]:
    """The log line and the last traceback of a failed request, library frames elided except the
    last one before the error."""
    lines = block.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    body = lines[starts[-1] :] if starts else lines[1:]
    frames: list[list[str]] = []
    tail: list[str] = []
    for line in body[1:]:
        if line.startswith("  File "):
            frames.append([line])
        elif line.startswith("    ") and frames and not tail:
            frames[-1].append(line)
        else:
            tail.append(line)
    out, elided = [lines[0], body[0]] if body else [lines[0]], 0
    for n, frame in enumerate(frames):
        if ("site-packages" in frame[0] or '"<' in frame[0]) and n != len(frames) - 1:
            elided += 1
            continue
        if elided:
            out.append(f"  [... {elided} library frames]")
            elided = 0
        out += [line for line in frame if line.strip(" ^~")]
    return out + tail


def route_pattern(path: str) -> str:
    path = re.sub(r"/saved/\d+", "/saved/<version>", path)
    return re.sub(r"^/saisie/(?!adjustments)[^/]+", "/saisie/<slug>", path)


def scan_log(log: Path) -> dict:
    """Requests that failed with a traceback (Flask logs "Exception on PATH [METHOD]" and the
    traceback, chained exceptions included), by route and last line; one full example of each."""
    text = log.read_text(errors="replace") if log.exists() else ""
    failures: Counter = Counter()
    examples: dict[str, str] = {}
    for block in re.split(r"\n(?=\[\d{4}-\d\d-\d\d |==== )", text):
        found = re.search(r"ERROR in app: Exception on (\S+) \[(\w+)\]", block)
        if not found:
            continue
        raised = [line for line in block.splitlines() if re.match(r"[A-Za-z_][\w.]*(Error|Exception)\b", line)]
        key = f"{found.group(2)} {route_pattern(found.group(1))}: {raised[-1] if raised else '?'}"
        failures[key] += 1
        examples.setdefault(key, block.rstrip())
    return {
        "failed requests": failures,
        "tracebacks": text.count("Traceback (most recent call last)"),
        "database is locked": text.count("database is locked"),
        "worker timeouts": text.count("WORKER TIMEOUT"),
        "examples": examples,
    }


def assign_disciplines(writers: int, conflicting: int) -> tuple[list[str], list[str]]:
    """Every discipline of the live edition, and each writer's: one of its own for all but the last
    ``conflicting`` writers, who share one."""
    all_slugs = discipline_slugs(max(20, writers - conflicting + 1))
    distinct = writers - conflicting
    return all_slugs, [all_slugs[n] if n < distinct else all_slugs[distinct] for n in range(writers)]


def run_mode(url: str, mode: str, args, workdir: Path) -> dict:
    all_slugs, slugs = assign_disciplines(args.writers, args.conflicting)
    n_disciplines = len(all_slugs)
    if url.startswith("sqlite"):
        url = sqlite_url(workdir / f"faults-{mode}.sqlite3")
    log = workdir / f"gunicorn-{mode}.log"
    print(f"[{mode}] preparing the database...", flush=True)
    prepare(url, n_disciplines, args.writers)
    result: dict = {"mode": mode, "command": " ".join(MODES[mode]), "disciplines": n_disciplines}

    print(f"[{mode}] load: {args.writers} writers, {args.readers} readers, {args.duration} s...", flush=True)
    with start(url, mode, log) as server:
        load = drive(server, args, slugs, args.duration, seed=1)
    result["load"] = load
    result["load check"] = check_saves(url, all_slugs, load.attempts)
    result["load integrity"] = check_integrity(url)
    print(f"[{mode}] load: lost {result['load check']['lost']}", flush=True)

    print(f"[{mode}] faults: {args.fault_duration} s, SIGKILL to the process group half-way...", flush=True)
    with start(url, mode, log) as server:
        fault = drive(server, args, slugs, args.fault_duration, seed=2, kill_after=args.fault_duration / 2)
    result["fault"] = fault
    result["after kill integrity"] = check_integrity(url)
    result["after kill check"] = check_saves(url, all_slugs, load.attempts + fault.attempts)
    with start(url, mode, log) as server:
        restart = after_restart(server, slugs[0])
        result["restart"] = restart
        retries = retry_lost_answers(server, url, fault.attempts)
        result["retries"] = retries
        restart["attempts"] += retries["attempts"]
        result["after restart integrity"] = check_integrity(url)
        result["after restart check"] = check_saves(
            url, all_slugs, load.attempts + fault.attempts + restart["attempts"]
        )
    print(f"[{mode}] after the kill: lost {result['after restart check']['lost']}", flush=True)
    result["log"] = scan_log(log)
    return result


# --- the smoke run --------------------------------------------------------------------------------


def repeats_and_conflict(address: str, earlier: list[Attempt], slugs: list[str]) -> dict:
    """After a burst: acknowledged saves sent again (same submission, form and session: each must be
    answered with the version it made), fresh saves sent twice at once (a double tap: both answers
    must name the one version saved), and two organisers saving from the same version of one
    discipline (the second must get a 409). Returns the attempts, samples and problems."""
    record, problems = Record(), []
    organisers = [Client(address), Client(address)]
    for n, client in enumerate(organisers):
        if not log_in(client, record, n):
            problems.append(f"organiser {n} could not log in")
            return {"attempts": record.attempts, "samples": record.samples, "problems": problems}
    acknowledged = [a for a in earlier if a.outcome == "ack"]
    for original in {id(a): a for a in acknowledged[:2] + acknowledged[-2:]}.values():  # old ones and new ones
        retry = again(original)
        outcome = send(address, record, retry, "retried save (POST)")
        if (outcome, retry.version) != ("saved", original.version):
            problems.append(f"retry of {original.slug} v{original.version}: {outcome} v{retry.version}")
    rng = random.Random(3)
    for slug in slugs[:3]:
        first = fill_form(organisers[0], record, rng, 0, slug)
        if isinstance(first, str):
            problems.append(f"double tap on {slug}: the form could not be read ({first})")
            continue
        twins = [first, again(first)]
        taps = [threading.Thread(target=send, args=(address, record, a, "double-tapped save (POST)")) for a in twins]
        for tap in taps:
            tap.start()
        for tap in taps:
            tap.join()
        if {(a.outcome, a.version) for a in twins} != {("ack", first.expected_version + 1)}:
            problems.append(f"double tap on {slug}: {[(a.outcome, a.version) for a in twins]}")
    mine, theirs = (fill_form(client, record, rng, n, slugs[-1]) for n, client in enumerate(organisers))
    if isinstance(mine, str) or isinstance(theirs, str):
        problems.append(f"conflict on {slugs[-1]}: the form could not be read ({mine}, {theirs})")
    else:
        outcomes = [
            send(address, record, mine, "save (POST)"),
            send(address, record, theirs, "conflicting save (POST)"),
        ]
        if outcomes != ["saved", "conflict"]:
            problems.append(f"two saves from v{mine.expected_version} of {slugs[-1]}: {outcomes}, not saved then 409")
    for client in organisers:
        client.close()
    return {"attempts": record.attempts, "samples": record.samples, "problems": problems}


def smoke(mode: str, duration: float) -> int:
    """A short run on a fresh SQLite file: a burst of concurrent saves (conflicting ones on a shared
    discipline) and reads on the real server, then retries, double taps and a forced conflict; then the
    checks. Prints a summary; returns 1 when a check failed. Writes no report; leaves no file."""
    began = time.monotonic()
    logging.disable(logging.INFO)  # the migrations' progress lines
    args = argparse.Namespace(writers=6, conflicting=3, readers=8, reader_pause=0.2)
    all_slugs, slugs = assign_disciplines(args.writers, args.conflicting)
    tmp = Path(tempfile.mkdtemp(prefix="cartel-smoke-"))
    try:
        url, log = sqlite_url(tmp / "smoke.sqlite3"), tmp / "gunicorn.log"
        prepare(url, len(all_slugs), args.writers)
        with start(url, mode, log) as server:
            load = drive(server, args, slugs, duration, seed=1)
            extra = repeats_and_conflict(server.address, load.attempts, slugs)
        attempts = load.attempts + extra["attempts"]
        stored = stored_state(url, all_slugs)
        lost = check_lost_updates(stored, all_slugs, attempts)
        trail = check_audit_trail(stored, all_slugs)
        integrity = check_integrity(url)
        failed_requests = scan_log(log)["failed requests"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    outcomes = Counter(a.outcome for a in load.attempts)
    odd = Counter(f"{s.kind}: {s.result}" for s in load.samples + extra["samples"] if not s.expected)
    print(
        f"smoke: SQLite, gunicorn {' '.join(MODES[mode])}, {args.writers} writers ({args.conflicting} on one "
        f"discipline) and {args.readers} readers for {load.elapsed:.1f} s: {len(load.samples)} requests, "
        f"{outcomes['ack']} saves acknowledged, {outcomes['conflict']} conflicts (409); then "
        f"{sum(a.retry_of is not None for a in extra['attempts'])} saves sent again and a forced conflict"
    )
    verdicts = {
        "answers as expected": ([f"unexpected: {counter_text(odd)}"] if odd else [])
        + extra["problems"]
        + ([] if outcomes["ack"] else ["no save was acknowledged: nothing was checked"]),
        "no lost update": ([f"{lost['lost']} acknowledged saves lost"] if lost["lost"] else [])
        + problem_lines(lost["problems"]),
        "audit trail = stored state": problem_lines(trail),
        "database integrity": integrity["failed"],
        "server log": [f"failed with a traceback: {counter_text(failed_requests)}"] if failed_requests else [],
    }
    for name, found in verdicts.items():
        print(f"  {name}: {'FAILED' if found else 'ok'}" + "".join(f"\n    - {line}" for line in found))
    failed = any(verdicts.values())
    print(f"smoke {'FAILED' if failed else 'passed'} in {time.monotonic() - began:.1f} s")
    return 1 if failed else 0


def problem_lines(problems: dict[str, list[str]]) -> list[str]:
    return [f"{kind}: {len(examples)} (e.g. {'; '.join(examples[:3])})" for kind, examples in problems.items()]


# --- the report -----------------------------------------------------------------------------------


def phase(sample: Sample, kill_at: float | None) -> str:
    if kill_at is None or sample.end < kill_at:
        return "before"
    return "in flight" if sample.start < kill_at else "down"


def requests_table(run: Run) -> str:
    """Requests of a run without a kill, by kind (logins happen before the timed run)."""
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in run.samples:
        by_kind[s.kind].append(s)
    lines = [
        "| requests | count | per s | answers | p50 ms | p99 ms | unexpected |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for kind, samples in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        answered = [(s.end - s.start) * 1000 for s in samples if isinstance(s.result, int)]
        statuses = Counter(s.result for s in samples)
        text = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0])))
        bad = sum(not s.expected for s in samples)
        timed = sum(s.start >= run.began for s in samples)
        rate = f"{timed / run.elapsed:.1f}" if timed else "before the run"
        lines.append(
            f"| {kind} | {len(samples)} | {rate} | {text} | {percentile(answered, 0.5):.1f} "
            f"| {percentile(answered, 0.99):.1f} | {'**' + str(bad) + '**' if bad else 0} |"
        )
    return "\n".join(lines)


def unexpected(run: Run, when: str = "before") -> Counter:
    return Counter(f"{s.kind}: {s.result}" for s in run.samples if not s.expected and phase(s, run.kill_at) == when)


def counter_text(counter: Counter) -> str:
    return ", ".join(f"{k} × {v}" for k, v in counter.most_common()) or "none"


def check_text(check: dict) -> str:
    lines = [
        f"acknowledged saves {check['acknowledged']}, **lost: {check['lost']}**, saves whose answer was lost "
        f"{check['answers lost']} (of which committed: {check['committed without acknowledgement']})"
    ]
    lines += [f"  - {line}" for line in problem_lines(check["problems"])]
    return "\n".join(lines)


def integrity_text(integrity: dict) -> str:
    verdict = "ok" if integrity["ok"] else "**FAILED**"
    details = "; ".join(f"{k}: {v}" for k, v in integrity["checks"].items())
    return f"{verdict} ({details})"


def mode_section(r: dict, args) -> str:
    load: Run = r["load"]
    fault: Run = r["fault"]
    saves = load.attempts
    outcomes = Counter(a.outcome for a in saves)
    shared = [a for a in saves if a.writer >= args.writers - args.conflicting]
    shared_outcomes = Counter(a.outcome for a in shared)
    fault_outcomes = Counter(a.outcome for a in fault.attempts)
    log = r["log"]
    restart = r["restart"]
    retries = r["retries"]
    after = restart["samples"] + retries["samples"]
    pages = ", ".join(f"{k} {v}" for k, v in restart["pages"].items())
    out = [
        f"### {r['mode']}: gunicorn {r['command']}",
        "",
        f"Load, {load.elapsed:.0f} s: {args.writers} writers ({args.writers - args.conflicting} on a discipline each, "
        f"{args.conflicting} on one shared discipline), {args.readers} readers (pause ~{args.reader_pause} s); "
        f"CPU over {load.elapsed:.0f} s on {os.cpu_count()} CPUs: server {load.server_cpu:.1f} s, client "
        f"{load.client_cpu:.1f} s, the whole machine busy {load.machine_busy:.0%} (other processes included); "
        f"idle keep-alive connections reopened by readers: {load.reconnects}",
        "",
        requests_table(load),
        "",
        f"- saves: {len(saves)} sent, {outcomes['ack']} acknowledged (303), {outcomes['conflict']} conflicts (409, "
        f"expected; {shared_outcomes['conflict']} of them on the shared discipline, where "
        f"{shared_outcomes['ack']} saves were acknowledged), {outcomes['unknown']} without answer, "
        f"{outcomes['rejected']} refused otherwise",
        f"- unexpected answers: {counter_text(unexpected(load))}",
        f"- lost-update check: {check_text(r['load check'])}",
        f"- integrity after the load: {integrity_text(r['load integrity'])}",
        "",
        f"Faults, {fault.elapsed:.0f} s, SIGKILL to the gunicorn process group (master and workers) after "
        f"{args.fault_duration / 2:g} s:",
        "",
        f"- before the kill: {sum(phase(s, fault.kill_at) == 'before' for s in fault.samples)} requests, "
        f"{fault_outcomes['ack']} saves acknowledged, {fault_outcomes['conflict']} conflicts; "
        f"unexpected answers: {counter_text(unexpected(fault))}",
        f"- in flight at the kill (expected to fail): {counter_text(unexpected(fault, 'in flight'))}",
        f"- while the server was down (expected to fail): {counter_text(unexpected(fault, 'down'))}",
        f"- integrity right after the kill: {integrity_text(r['after kill integrity'])}",
        f"- saves acknowledged before the kill (and during the load): {check_text(r['after kill check'])}",
        f"- restarted server: {pages}; a new save: {restart['save']}",
        f"- the {sum(retries['counts'][k] for k in ('already saved', 'not saved before'))} saves whose answer was "
        f"lost sent again (same submission id, form and session): {counter_text(retries['counts'])}; "
        f"answered otherwise than with the version they had made: "
        f"{len(retries['problems'])} {retries['problems'][:3] if retries['problems'] else ''}",
        f"- unexpected answers after the restart: "
        f"{counter_text(Counter(f'{s.kind}: {s.result}' for s in after if not s.expected))}",
        f"- integrity after the restart: {integrity_text(r['after restart integrity'])}",
        f"- every acknowledged save after the restart: {check_text(r['after restart check'])}",
        "",
        f"Server log: {sum(log['failed requests'].values())} requests failed with a traceback "
        f"({counter_text(log['failed requests'])}); {log['tracebacks']} tracebacks (chained ones count twice), "
        f"{log['database is locked']} lines with 'database is locked', {log['worker timeouts']} worker timeouts.",
    ]
    if load.examples or fault.examples:
        out += ["", "Unexpected answers, first of each kind:", ""]
        out += [f"- {k}: {v}" for k, v in {**load.examples, **fault.examples}.items()]
    for key, block in list(log["examples"].items())[:3]:
        out += ["", f"Server log, first request failing with `{key}` (library frames elided):", ""]
        out += ["```", *compact_traceback(block), "```"]
    return "\n".join(out)


def shown(argument: str) -> str:
    """A command-line argument as the report shows it: no password, and the throwaway database of
    scripts/with-postgres by the name of its variable."""
    if argument == os.environ.get("CARTEL_TEST_DATABASE_URL"):
        return '"$CARTEL_TEST_DATABASE_URL"'
    if "://" in argument:
        return sa.engine.make_url(argument).render_as_string(hide_password=True)
    return argument


def restart_ok(r: dict) -> bool:
    return (
        all(v == 200 for v in r["restart"]["pages"].values())
        and r["restart"]["save"] == 303
        and not r["retries"]["problems"]
        and all(s.expected for s in r["restart"]["samples"] + r["retries"]["samples"])
    )


def failures(r: dict) -> list[str]:
    """Everything unexpected in one mode's results (empty when all went as it should)."""
    found = []
    if unexpected(r["load"]):
        found.append(f"unexpected answers during the load ({counter_text(unexpected(r['load']))})")
    if unexpected(r["fault"]):
        found.append(f"unexpected answers before the kill ({counter_text(unexpected(r['fault']))})")
    for name in ("load check", "after kill check", "after restart check"):
        if r[name]["lost"] or r[name]["problems"]:
            found.append(f"{name}: lost {r[name]['lost']}, {', '.join(r[name]['problems']) or 'no other problem'}")
    for name in ("load integrity", "after kill integrity", "after restart integrity"):
        if not r[name]["ok"]:
            found.append(f"{name} failed")
    if not restart_ok(r):
        found.append("the restarted server did not answer every page with 200 and the save with 303")
    if r["log"]["failed requests"]:
        found.append(f"server log: {counter_text(r['log']['failed requests'])}")
    return found


def section(label: str, results: list[dict], args, started: dt.datetime, header: str) -> str:
    command = " ".join([".venv/bin/python", "bench/faults.py", *map(shown, sys.argv[1:])])
    summary = [
        "| mode | requests (load) | unexpected | saves acknowledged | conflicts (409) | lost | integrity after kill "
        "| lost after kill | after restart: pages 200, a save 303, retries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for r in results:
        load = r["load"]
        summary.append(
            f"| {r['mode']} | {len(load.samples)} | {sum(unexpected(load).values())} "
            f"| {r['load check']['acknowledged']} | {sum(a.outcome == 'conflict' for a in load.attempts)} "
            f"| {r['load check']['lost']} | {'ok' if r['after kill integrity']['ok'] else '**FAILED**'} "
            f"| {r['after restart check']['lost']} | {'ok' if restart_ok(r) else '**FAILED**'} |"
        )
    return "\n".join(
        [
            f"## {label}, {started:%Y-%m-%d %H:%M} UTC",
            "",
            header,
            f"- command: `{command}`; server and client on 127.0.0.1",
            "",
            *summary,
            "",
            *(
                f"- **{r['mode']}: {problem}**" if failures(r) else f"- {r['mode']}: {problem}"
                for r in results
                for problem in failures(r) or ["nothing unexpected (only 409 conflicts on saves)"]
            ),
            "",
            *(mode_section(r, args) + "\n" for r in results),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per mode")
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--conflicting", type=int, default=4, help="writers sharing one discipline")
    parser.add_argument("--reader-pause", type=float, default=1.0, help="mean seconds between a reader's requests")
    parser.add_argument("--fault-duration", type=float, default=10, help="seconds of the fault round (kill half-way)")
    parser.add_argument(
        "--modes", default=None, help="comma-separated: sync, threaded (default: both; smoke: threaded)"
    )
    parser.add_argument("--database-url", default=None, help="postgresql+psycopg://... (default: SQLite temp file)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "FAULTS.md"), help="markdown file to append to")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, server logs)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a check of about 10 s instead (SQLite, a few writers and readers, then the checks): exit 1 if one "
        "fails; writes no report",
    )
    parser.add_argument("--smoke-duration", type=float, default=3, help="seconds of the smoke run's burst")
    args = parser.parse_args()
    modes = [m.strip() for m in (args.modes or ("threaded" if args.smoke else "sync,threaded")).split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        parser.error(f"--modes: choose among {', '.join(MODES)}")
    if args.smoke:
        if args.database_url:
            parser.error("--smoke runs on a SQLite file of its own: no --database-url")
        require_gunicorn()
        sys.exit(max(smoke(mode, args.smoke_duration) for mode in modes))
    if not 2 <= args.conflicting < args.writers:
        parser.error("--conflicting must be at least 2 and below --writers")
    url = args.database_url
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url and not url.startswith("postgresql+psycopg://"):
        parser.error("--database-url: a postgresql+psycopg:// URL (SQLite is the default)")
    require_gunicorn()
    started = dt.datetime.now(dt.UTC)
    header = machine(gunicorn_version())
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="cartel-faults-"))
    try:
        label = database_label(url) if url else f"SQLite {sqlite3.sqlite_version} (file, WAL)"
        for mode in modes:
            results.append(run_mode(url or "sqlite:///", mode, args, tmp))
    finally:
        if args.keep:
            print(f"databases and server logs kept in {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report = section(label, results, args, started, header)
    print("\n" + report)
    output = Path(args.output)
    title = (
        "# Load and faults (bench/faults.py)\n\n"
        "One section per run, newest last: see the docstring of bench/faults.py for what is measured.\n\n"
    )
    with open(output, "a", encoding="utf-8") as out:
        if output.stat().st_size == 0:
            out.write(title)
        out.write(report + "\n")
    sys.exit(1 if any(failures(r) for r in results) else 0)


if __name__ == "__main__":
    main()
