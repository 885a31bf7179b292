"""Load benchmark of a live edition played as tournaments: gunicorn (2 sync workers) on SQLite, loaded with wrk.

Usage: .venv/bin/python bench/matches.py [--duration 4] [--connections 50] [--mixed-duration 25]
       [--save-interval 0.3] [--poll-connections 4] [--in-process-saves 48]
Needs wrk (Debian: apt-get install wrk) and gunicorn (a dependency: .venv/bin/pip install -e .).

1. Builds a live edition of 12 disciplines x the 12 fictional schools, each discipline a tournament in
   pools then brackets (the suggested 4 pools of 3, handball rules: 28 matches, 336 in all) whose first
   half (in fixture order, teams known) is played through save_match, so that the pages show it mid-way.
2. Requests/s of each public route of the tournaments, as a ratio to the trivial /health measured in the
   same run (health, route, health, route, health...: each route is divided by the mean of its
   neighbours), and of the conditional requests with the current ETag (304): the edition and its live
   fragment, the programme and its live fragment, the first discipline's page and its live fragment, the API.
3. Page weight: the programme, the first discipline's page and the edition page (for comparison), each
   HTML plus every stylesheet (<link rel="stylesheet" href>) and script (<script src>) it references on the
   same server, each compressed with Python's gzip (level 6), summed (the goal: under 60 KB each).
4. A mixed run: wrk polls /editions/<year>/live and each discipline's /api/editions/<year>/tournaments/<slug>
   in turn with conditional GETs (each wrk thread keeps the last ETag of each path), as fast as
   --poll-connections connections go (the goal asks for at least 1,000 requests/s; the rate reached is
   reported), while an organiser logs in and saves a match every --save-interval s over HTTP (the match
   page read first for its version and a fresh submission id), among the matches still scheduled whose
   teams are known (read from the database before the run; a discipline's next ones are those the saves
   before them make known). Reports each save's latency (POST to the 303), the errors, and the
   acknowledged saves whose match is not final with that score in the database at the end (lost).
   Meanwhile a Python thread polls the programme's live fragment (the page's own data-live URL and
   data-etag, with If-None-Match) as the page's script does: the next poll one period after each answer.
   The period is CARTEL_POLL_SECONDS when this environment sets it (the server inherits it), else 1 s (the
   period the page announces, data-interval, is reported beside it). Freshness of a save: from its 303 to
   the first answer received afterwards that is a 200 (a new ETag) listing that match (its discipline's
   link, its name, its teams) with the saved score; the goal is the period plus one second.
   wrk is not paced: its script's delay() would hold each fresh connection idle, and a sync worker that
   accepted it would wait for the request, which no browser does.
5. Where the time goes, in-process (test client, no load, a copy of the database as built): a save's POST,
   its SQL statements and SQL time, and the first live fragment and tournament API read after it (each
   save changes the edition's revision, so each worker computes them again).
Prints markdown tables and writes them to bench/RESULTS.md, replacing the section HEADING.
"""

from __future__ import annotations

import argparse
import gzip
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask

from bench import common
from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Side, TeamId
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.spec import suggested
from cartel.extensions import db
from cartel.models import Discipline, Edition, Match, MatchState, Tournament
from cartel.read.tournaments import Standing, read, tournament_of
from cartel.words.tournaments import match_name
from cartel.write.audit import Actor
from cartel.write.tournaments import save_match, set_up
from cartel.write.unit import unit_of_work

HEADING = "## Tournament matches (bench/matches.py)"
YEAR = common.LIVE_YEAR
DISCIPLINES = 12
PRESET = "handball"
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
OK = {True: "yes", False: "**no**"}
SAVE_P99_GOAL = 100.0  # ms
POLL_RATE_GOAL = 1000  # requests/s
WEIGHT_GOAL = 60_000  # bytes: a page, its stylesheets and its scripts, each gzip-compressed, summed
FRESHNESS_SLACK = 1.0  # s: a saved score reaches a polling page within the polling period plus this

# wrk's script for the mixed run: each request goes to the next path of PATHS (the live fragment every
# other time, each discipline's tournament in turn in between), conditional once the thread has an ETag
# for that path (a public ETag names its kind and the discipline: see cartel.read.http_cache.etag);
# done() prints how many answers were 200, 304 and anything else.
POLL_SCRIPT = """
local paths = {PATHS}
local markers = {MARKERS}
local threads = {}
local counter = 0

function setup(thread)
   thread:set("offset", #threads * 7)
   table.insert(threads, thread)
end

function init(args)
   counter = offset or 0
   etags = {}
   ok = 0
   not_modified = 0
   other = 0
end

function request()
   counter = counter + 1
   local path = paths[counter % #paths + 1]
   local headers = {}
   if etags[path] then
      headers["If-None-Match"] = etags[path]
   end
   return wrk.format("GET", path, headers)
end

function response(status, headers, body)
   if status == 200 then
      ok = ok + 1
      local tag = headers["ETag"] or headers["Etag"] or headers["etag"]
      if tag then
         for i, path in ipairs(paths) do
            if string.find(tag, markers[i], 1, true) then
               etags[path] = tag
            end
         end
      end
   elseif status == 304 then
      not_modified = not_modified + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local counts = {0, 0, 0}
   for _, thread in ipairs(threads) do
      counts[1] = counts[1] + thread:get("ok")
      counts[2] = counts[2] + thread:get("not_modified")
      counts[3] = counts[3] + thread:get("other")
   end
   io.write(string.format("POLLS 200=%d 304=%d other=%d\\n", counts[1], counts[2], counts[3]))
end
"""


# --- the database ---------------------------------------------------------------------------------


def sheet_for(home: TeamId, away: TeamId) -> Sheet:
    """A handball score that is never level: the school of the lower number wins (so that every pool's
    order is plain and no tie waits for a decision), by a margin that depends on both."""
    a, b = (int(team.rsplit("-", 1)[1]) for team in (home, away))
    winner = 19 + (a + b) % 7
    loser = winner - 1 - abs(a - b) % 4
    return Sheet(Side(winner), Side(loser)) if a < b else Sheet(Side(loser), Side(winner))


def next_match(standing: Standing, skip: Collection[str] = ()) -> str | None:
    """The first match in fixture order still scheduled whose two teams are known (and not in ``skip``)."""
    for code in standing.fixtures:
        match = standing.matches.get(code)
        home, away = standing.resolution.slots.get(code, (None, None))
        if match is not None and match.state is MatchState.SCHEDULED and code not in skip and home and away:
            return code
    return None


def live_edition() -> Edition:
    edition = db.session.scalar(sa.select(Edition).filter_by(year=YEAR))
    assert edition is not None
    return edition


def entries(edition: Edition) -> list:
    return sorted(edition.programme, key=lambda e: e.discipline.slug)


def add_tournaments() -> None:
    """Each discipline of the live edition a tournament: the suggested pools for the 12 schools, handball rules."""
    edition = live_edition()
    spec = suggested(common.SCHOOLS, Shape.POOLS_THEN_BRACKETS)
    for entry in entries(edition):
        set_up(edition, entry, spec, PRESETS[PRESET], Actor(), preset=PRESET)


def play_half(app: Flask) -> tuple[int, int]:
    """Play the first half of every discipline's matches, in fixture order, each through save_match in a unit
    of work of its own; (matches in all, matches played)."""
    total = played = 0
    with app.app_context():
        edition = live_edition()
        for entry in entries(edition):
            tournament = tournament_of(entry)
            assert tournament is not None
            total += len(tournament.matches)
            for _ in range(len(tournament.matches) // 2):
                standing = read(tournament_of(entry))
                code = next_match(standing)
                if code is None:
                    break
                home, away = standing.resolution.slots[code]
                with unit_of_work():
                    save_match(
                        edition,
                        entry,
                        code,
                        sheet_for(home, away),
                        MatchState.FINAL,
                        Actor(),
                        expected_version=standing.matches[code].version,
                    )
                played += 1
        db.session.close()
    return total, played


@dataclass(frozen=True)
class Planned:
    slug: str
    code: str
    home: int
    away: int
    teams: tuple[str, str] = ("", "")  # the home and away schools' slugs
    name: str = ""  # the match's name as the public pages show it (French, their default)


def plan_saves(app: Flask) -> tuple[list[Planned], int]:
    """The organiser's saves: the disciplines in turn, each one's matches in fixture order among those still
    scheduled whose teams are known (read from the database), the next ones those its earlier saves make
    known (worked out by the engine, nothing written); with how many are known right now."""
    queues, known_now = [], 0
    with app.test_request_context():  # match_name speaks the pages' default language
        for entry in entries(live_edition()):
            tournament = tournament_of(entry)
            assert tournament is not None
            standing = read(tournament)
            known_now += sum(
                1
                for code, m in standing.matches.items()
                if m.state is MatchState.SCHEDULED and all(standing.resolution.slots.get(code, (None, None)))
            )
            overrides: dict = {}
            queue = []
            while (code := next_match(standing, set(overrides))) is not None:
                home, away = standing.resolution.slots[code]
                sheet = sheet_for(home, away)
                overrides[code] = (MatchState.FINAL, sheet, (home, away))
                queue.append(
                    Planned(
                        entry.discipline.slug,
                        code,
                        sheet.home.score,
                        sheet.away.score,
                        (home, away),
                        match_name(code),
                    )
                )
                standing = read(tournament, overrides=overrides)
            queues.append(queue)
        db.session.close()
    plan = [q[k] for k in range(max(map(len, queues), default=0)) for q in queues if k < len(q)]
    return plan, known_now


def stored_matches(app: Flask) -> dict[tuple[str, str], tuple[MatchState, dict | None, int]]:
    """Every match of the live edition as the database holds it: (slug, code) -> (state, result, version)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Discipline.slug, Match.code, Match.state, Match.result, Match.version)
            .join(Tournament, Tournament.id == Match.tournament_id)
            .join(Edition, Edition.id == Tournament.edition_id)
            .join(Discipline, Discipline.id == Tournament.discipline_id)
            .where(Edition.year == YEAR)
        ).all()
        db.session.close()
    return {(slug, code): (state, result, version) for slug, code, state, result, version in rows}


# --- HTTP and wrk ---------------------------------------------------------------------------------


def fetch(server: common.Server, path: str, headers: dict | None = None) -> common.Answer:
    """One GET on a connection of its own (gunicorn's sync workers close them anyway)."""
    client = common.Client(server.address, timeout=10)
    try:
        return client.request("GET", path, headers=headers)
    finally:
        client.close()


def get(server: common.Server, path: str, headers: dict | None = None) -> tuple[int, str | None]:
    """One GET on a connection of its own: (status, ETag)."""
    answer = fetch(server, path, headers)
    return answer.status, answer.headers.get("ETag")


def start(database: Path, log: Path) -> common.Server:
    return common.Server(common.sqlite_url(database), log, ["-w", "2"])


def parse_wrk(out: str) -> dict:
    percentiles = {
        int(p): float(v) * UNIT_MS[u]
        for p, v, u in re.findall(r"^\s+(50|99)(?:\.\d+)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": percentiles.get(50),
        "p99": percentiles.get(99),
        "non2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "socket_detail": socket_errors.group(0) if socket_errors else "",
    }


def wrk(url: str, duration: int, connections: int, headers: dict | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    return parse_wrk(subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout)


def wrk_version() -> str:
    first = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return first.split(" Copyright")[0]


def load_routes(server: common.Server, routes: list, args) -> list[dict]:
    """routes: (name, path, headers, expected status, goal). Health before and after each route."""
    rows, health_before = [], None
    for name, path, headers, expected, goal in routes:
        statuses = {get(server, path, headers)[0] for _ in range(6)}  # several: both workers must agree
        if statuses != {expected}:
            rows.append({"route": name, "available": False, "status": statuses, "goal": goal})
            continue
        wrk(server.url + path, 1, 4, headers)  # warm-up: every worker computes and stores the page first
        health_before = health_before or wrk(server.url + "/health", args.duration, args.connections)
        result = wrk(server.url + path, args.duration, args.connections, headers)
        health_after = wrk(server.url + "/health", args.duration, args.connections)
        health = (health_before["rps"] + health_after["rps"]) / 2
        rows.append(
            {
                "route": name,
                "available": True,
                **result,
                "health": health,
                "spread": f"{health_before['rps']:.0f}/{health_after['rps']:.0f}",
                "ratio": result["rps"] / health,
                "goal": goal,
            }
        )
        print(f"  {name}: {result['rps']:.0f} req/s, /health {health:.0f}", flush=True)
        health_before = health_after
    return rows


# --- page weight ----------------------------------------------------------------------------------


class Assets(HTMLParser):
    """The stylesheets (<link rel="stylesheet" href>) and scripts (<script src>) a page references, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link" and "stylesheet" in values.get("rel", "").lower().split() and values.get("href"):
            self.found.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.found.append(values["src"])


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def page_weight(server: common.Server, paths: list[str]) -> list[dict]:
    """Each page's HTML and the stylesheets and scripts it references on this server (each counted once),
    gzip-compressed (level 6) one by one: their sizes and their sum. A reference elsewhere is listed apart."""
    rows = []
    for path in paths:
        page = fetch(server, path)
        if page.status != 200:
            rows.append({"page": path, "status": page.status})
            continue
        parser = Assets()
        parser.feed(page.text)
        assets, elsewhere, failed = [], [], []
        for ref in dict.fromkeys(parser.found):
            target = urllib.parse.urlsplit(urllib.parse.urljoin(server.url + path, html.unescape(ref)))
            if (target.scheme, target.netloc) != ("http", server.address):
                elsewhere.append(ref)
                continue
            answer = fetch(server, target.path + (f"?{target.query}" if target.query else ""))
            if answer.status != 200:
                failed.append(f"{target.path}: HTTP {answer.status}")
                continue
            assets.append((target.path.rsplit("/", 1)[-1], len(answer.body), gzipped(answer.body)))
        html_gzip = gzipped(page.body)
        assets_gzip = sum(g for _, _, g in assets)
        rows.append(
            {
                "page": path,
                "status": 200,
                "html": len(page.body),
                "html_gzip": html_gzip,
                "assets": assets,
                "assets_gzip": assets_gzip,
                "total": html_gzip + assets_gzip,
                "elsewhere": elsewhere,
                "failed": failed,
            }
        )
    return rows


# --- the mixed run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Save:
    planned: Planned
    version: int  # the match's version once saved (the 303's)
    milliseconds: float  # POST sent to 303 received
    acknowledged: float = 0.0  # time.monotonic() when the 303 was received


def login(server: common.Server) -> common.Client:
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
    return client


def organiser(server: common.Server, plan: list[Planned], args, saves: list[Save], errors: list[str]) -> int:
    """Saves the planned matches one after the other, one every --save-interval s for --mixed-duration s:
    the match page read first (version, submission id, CSRF token), then the score posted as final.
    Returns how many saves it attempted."""
    client = login(server)
    began = time.monotonic()
    attempted = 0
    for n, planned in enumerate(plan):
        at = began + n * args.save_interval
        if at - began >= args.mixed_duration:
            break
        time.sleep(max(0.0, at - time.monotonic()))
        attempted += 1
        path = f"/saisie/{planned.slug}/match/{planned.code}"
        try:
            page = client.request("GET", path)
            if page.status != 200:
                errors.append(f"{planned.slug} {planned.code}: match page HTTP {page.status}")
                continue
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
            answer = client.request("POST", path, form=data)  # the 303 is the acknowledgement
            acknowledged = time.monotonic()
            elapsed = (acknowledged - sent) * 1000
            location = answer.headers.get("Location") or ""
            if answer.status == 303 and location.endswith(f"/saved/{version + 1}"):
                saves.append(Save(planned, version + 1, elapsed, acknowledged))
            else:
                errors.append(f"{planned.slug} {planned.code}: HTTP {answer.status} {location}".strip())
        except Exception as error:
            errors.append(f"{planned.slug} {planned.code}: {error!r}")
    client.close()
    return attempted


def poll_script(path: Path, slugs: list[str]) -> None:
    """Write the pollers' wrk script: the live fragment, then a tournament's API, for each of ``slugs`` in turn;
    an ETag is the path's when it holds its marker."""
    live = f"/editions/{YEAR}/live"
    paths, markers = [], []
    for slug in slugs:
        paths += [live, f"/api/editions/{YEAR}/tournaments/{slug}"]
        markers += ['"edition-', f"-{slug}-"]
    path.write_text(POLL_SCRIPT.replace("{PATHS}", lua_table(paths)).replace("{MARKERS}", lua_table(markers)))


def lua_table(values: list[str]) -> str:
    """A Lua table of strings."""
    return "{" + ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def poll_period() -> float:
    """The period of the freshness poller: CARTEL_POLL_SECONDS when this environment sets it (the servers
    started here inherit it; at least 1 s, as the app reads it), else 1 s."""
    value = os.environ.get("CARTEL_POLL_SECONDS", "")
    return float(max(1, int(value))) if value.isdecimal() else 1.0


@dataclass(frozen=True)
class Poll:
    sent: float  # time.monotonic()
    received: float
    status: int
    new: bool  # a 200 whose ETag is not the one the poller held
    body: str = ""  # a 200's


@dataclass(frozen=True)
class Followed:
    """What a public page with a live region tells its script: the fragment URL, its ETag, its period."""

    url: str
    etag: str | None
    interval: str  # data-interval, as the page says it

    @classmethod
    def of(cls, server: common.Server, page: str, fallback: str) -> Followed:
        answer = fetch(server, page)
        found = {
            name: html.unescape(m.group(1)) if (m := re.search(rf'\b{name}="([^"]*)"', answer.text)) else None
            for name in ("data-live", "data-etag", "data-interval")
        }
        return cls(
            found["data-live"] or fallback,
            found["data-etag"] or answer.headers.get("ETag"),
            found["data-interval"] or "?",
        )


class Follower(threading.Thread):
    """A visitor following a live page: polls its fragment with the ETag it holds, ``period`` s after each
    answer (as static/js/poll.js does), and keeps every answer (with a 200's body)."""

    def __init__(self, server: common.Server, followed: Followed, period: float) -> None:
        super().__init__(name="follower", daemon=True)
        self.server, self.url, self.etag, self.period = server, followed.url, followed.etag, period
        self.polls: list[Poll] = []
        self.errors: list[str] = []
        self.finished = threading.Event()

    def run(self) -> None:
        while not self.finished.is_set():
            sent = time.monotonic()
            try:
                answer = fetch(self.server, self.url, {"If-None-Match": self.etag} if self.etag else None)
            except Exception as error:
                self.errors.append(repr(error))
            else:
                tag = answer.headers.get("ETag")
                if answer.status == 200:
                    self.polls.append(Poll(sent, time.monotonic(), 200, tag != self.etag, answer.text))
                    self.etag = tag or self.etag
                else:
                    self.polls.append(Poll(sent, time.monotonic(), answer.status, False))
                    if answer.status != 304:
                        self.errors.append(f"HTTP {answer.status}")
            self.finished.wait(self.period)

    def stop(self) -> None:
        self.finished.set()
        self.join(timeout=30)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def shows(fragment: str, planned: Planned) -> bool:
    """Whether a programme fragment lists ``planned``'s match (its discipline's link, its teams, its name) with
    the saved score."""
    link = re.compile(rf'/disciplines/{re.escape(planned.slug)}["?]')
    teams = f'data-school="{" ".join(planned.teams)}"'
    for item in re.findall(r"<li\b.*?</li>", fragment, re.S):
        if teams not in item or not link.search(item):
            continue
        what = re.search(r'<span class="what">(.*?)</span>', item, re.S)
        score = re.search(r'<span class="score">(.*?)</span>', item, re.S)
        if (
            what
            and score
            and text_of(what.group(1)).endswith(planned.name)
            and text_of(score.group(1)) == f"{planned.home}–{planned.away}"
        ):
            return True
    return False


def freshness(saves: list[Save], polls: list[Poll]) -> tuple[list[float], list[float], list[str]]:
    """Per acknowledged save, seconds from its 303 to the first answer received afterwards with a new ETag
    that shows its score, and to the first with a new ETag at all; the saves never shown."""
    shown, changed, missing = [], [], []
    for save in saves:
        after = [p for p in polls if p.received > save.acknowledged and p.new]
        if after:
            changed.append(after[0].received - save.acknowledged)
        first = next((p for p in after if shows(p.body, save.planned)), None)
        if first is None:
            missing.append(f"{save.planned.slug} {save.planned.code}")
        else:
            shown.append(first.received - save.acknowledged)
    return shown, changed, missing


def mixed(server: common.Server, plan: list[Planned], slugs: list[str], script: Path, args) -> dict:
    poll_script(script, slugs)
    period = poll_period()
    followed = Followed.of(server, f"/editions/{YEAR}/programme", f"/editions/{YEAR}/programme/live")
    follower = Follower(server, followed, period)
    window = args.mixed_duration + 2  # one second of polls alone before the organiser starts, one after
    command = ["wrk", "-t2", f"-c{args.poll_connections}", f"-d{window}s", "--latency", "-s", str(script)]
    pollers = subprocess.Popen([*command, server.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    follower.start()
    saves: list[Save] = []
    errors: list[str] = []
    try:
        time.sleep(1)
        attempted = organiser(server, plan, args, saves, errors)
        time.sleep(period + 2)  # the last save's poll
        out, err = pollers.communicate(timeout=window + 30)
    finally:
        follower.stop()
        if pollers.poll() is None:
            pollers.kill()
            pollers.wait()
    if pollers.returncode != 0:
        raise RuntimeError(f"wrk failed ({pollers.returncode}): {err}")
    polls = parse_wrk(out)
    counts = re.search(r"POLLS 200=(\d+) 304=(\d+) other=(\d+)", out)
    polls["200"], polls["304"], polls["other"] = (int(v) for v in counts.groups()) if counts else (0, 0, 0)
    return {
        "polls": polls,
        "saves": saves,
        "errors": errors,
        "attempted": attempted,
        "follower": follower,
        "followed": followed,
        "period": period,
    }


def lost_saves(saves: list[Save], stored: dict) -> list[str]:
    """Acknowledged saves whose match is not final with that score (or has not that version) in the database."""
    lost = []
    for save in saves:
        p = save.planned
        state, result, version = stored.get((p.slug, p.code), (None, None, None))
        score = None if result is None else (result["home"][0], result["away"][0])
        if state is not MatchState.FINAL or score != (p.home, p.away) or version != save.version:
            lost.append(f"{p.slug} {p.code}: {state} {score} v{version}")
    return lost


# --- in-process costs ----------------------------------------------------------------------------


def in_process(database: Path, plan: list[Planned], count: int) -> list[tuple[str, str]]:
    """The first ``count`` planned saves through the test client (CSRF off, no server, no load), each followed
    by the first read of the live fragment and of its tournament's API (computed again for the new revision):
    their times, and the SQL statements and SQL time of the saves (as SQLAlchemy runs them)."""
    sql = {"statements": 0, "seconds": 0.0}

    def before(conn, cursor, statement, *args) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, *args) -> None:
        started = conn.info.pop("bench_started", None)
        if started is not None and not statement.startswith("BEGIN"):
            sql["statements"] += 1
            sql["seconds"] += time.perf_counter() - started

    with common.migrated_app(common.sqlite_url(database), WTF_CSRF_ENABLED=False) as app:
        organiser, public = app.test_client(), app.test_client()  # the public one is not logged in
        organiser.post("/login", data={"email": common.organiser_email(0), "password": common.PASSWORD})
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)
        saves, statements, sql_ms, live, tournament = [], [], [], [], []
        try:
            for n, planned in enumerate(plan[:count]):
                path = f"/saisie/{planned.slug}/match/{planned.code}"
                version = common.hidden(organiser.get(path).text, "version")
                form = {"version": version, "submission_id": f"in-process-{n}", "state": "final"}
                sql.update(statements=0, seconds=0.0)
                began = time.perf_counter()
                answer = organiser.post(path, data={**form, "home": planned.home, "away": planned.away})
                saves.append((time.perf_counter() - began) * 1000)
                statements.append(sql["statements"])
                sql_ms.append(sql["seconds"] * 1000)
                if answer.status_code != 303:
                    raise RuntimeError(f"in-process save of {planned.slug} {planned.code}: HTTP {answer.status_code}")
                for times, url in [
                    (live, f"/editions/{YEAR}/live"),
                    (tournament, f"/api/editions/{YEAR}/tournaments/{planned.slug}"),
                ]:
                    began = time.perf_counter()
                    assert public.get(url).status_code == 200, url
                    times.append((time.perf_counter() - began) * 1000)
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
            sa.event.remove(engine, "after_cursor_execute", after)

    def spread(values: list[float]) -> str:
        return f"{common.percentile(values, 0.5):.1f} / {common.percentile(values, 0.95):.1f} ms"

    return [
        ("save: POST to 303, median / p95", spread(saves)),
        (
            "save: SQL statements, SQL time (median)",
            f"{common.percentile(statements, 0.5):.0f}, {common.percentile(sql_ms, 0.5):.1f} ms",
        ),
        (f"first /editions/{YEAR}/live after a save, median / p95", spread(live)),
        (f"first /api/editions/{YEAR}/tournaments/<slug> after a save, median / p95", spread(tournament)),
    ]


# --- reports --------------------------------------------------------------------------------------


def route_table(rows: list[dict], args) -> str:
    intro = (
        f"wrk -t2 -c{args.connections} -d{args.duration}s --latency; ratio = route req/s / mean /health req/s "
        "of the runs just before and after"
    )
    return common.ratio_table(rows, intro, "/health", "health")


def mixed_rows(result: dict, stored: dict) -> list[tuple[str, str, str, str]]:
    polls, saves, errors = result["polls"], result["saves"], result["errors"]
    times = [s.milliseconds for s in saves]
    p99 = common.percentile(times, 0.99)
    lost = lost_saves(saves, stored)
    poll_errors = polls["non2xx"] + polls["socket"] + polls["other"]
    return [
        (
            "pollers: requests/s achieved (wrk, whole window)",
            f"{polls['rps']:.0f} ({polls['requests']} requests)",
            f">= {POLL_RATE_GOAL}",
            OK[polls["rps"] >= POLL_RATE_GOAL],
        ),
        ("pollers: 200 / 304", f"{polls['200']} / {polls['304']}", "", ""),
        ("pollers: p50 / p99 latency (wrk)", f"{polls['p50']:.1f} / {polls['p99']:.1f} ms", "", ""),
        (
            "pollers: errors (other status, non-2xx/3xx, socket)",
            f"{polls['other']}, {polls['non2xx']}, {polls['socket']}",
            "0",
            OK[poll_errors == 0],
        ),
        ("saves: acknowledged (303) / attempted", f"{len(saves)} / {result['attempted']}", "", ""),
        (
            "saves: p50 / p95 / p99 / max latency (POST to 303)",
            f"{common.percentile(times, 0.5):.1f} / {common.percentile(times, 0.95):.1f} / {p99:.1f} / "
            f"{max(times, default=float('nan')):.1f} ms",
            f"p99 < {SAVE_P99_GOAL:g} ms",
            OK[p99 < SAVE_P99_GOAL],
        ),
        ("saves: errors", f"{len(errors)} {errors[:2]}", "0", OK[not errors]),
        ("saves: lost (acknowledged, not in the database)", f"{len(lost)} {lost[:2]}", "0", OK[not lost]),
    ]


def kb(size: float) -> str:
    return f"{size / 1000:.1f} KB"


def weight_table(rows: list[dict]) -> str:
    lines = [
        "Each page's HTML and every stylesheet and script it references on the server, each compressed with "
        f"Python's gzip (level 6), summed; goal: under {kb(WEIGHT_GOAL)} ({WEIGHT_GOAL} bytes) each",
        "",
        "| page | HTML bytes | HTML gzip | assets gzip | total gzip | goal met | assets (gzip bytes each) |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        if r["status"] != 200:
            lines.append(f"| {r['page']} | HTTP {r['status']} | | | | **no** | |")
            continue
        listed = ", ".join(f"{name} {g}" for name, _, g in r["assets"])
        if r["elsewhere"]:
            listed += f"; elsewhere, not counted: {', '.join(r['elsewhere'])}"
        if r["failed"]:
            listed += f"; **failed**: {', '.join(r['failed'])}"
        met = r["total"] < WEIGHT_GOAL and not r["failed"]
        lines.append(
            f"| {r['page']} | {r['html']} | {r['html_gzip']} | {r['assets_gzip']} | {r['total']} "
            f"({kb(r['total'])}) | {OK[met]} | {listed} |"
        )
    return "\n".join(lines)


def freshness_table(result: dict) -> str:
    follower, followed, period = result["follower"], result["followed"], result["period"]
    polls, saves = follower.polls, result["saves"]
    shown, changed, missing = freshness(saves, polls)
    goal = period + FRESHNESS_SLACK
    latencies = [(p.received - p.sent) * 1000 for p in polls]

    def spread(values: list[float]) -> str:
        return (
            f"{common.percentile(values, 0.5):.2f} / {common.percentile(values, 0.95):.2f} / "
            f"{max(values, default=float('nan')):.2f} s"
        )

    met = bool(shown) and not missing and max(shown) <= goal
    where = "CARTEL_POLL_SECONDS" if os.environ.get("CARTEL_POLL_SECONDS", "").isdecimal() else "not set here: 1 s"
    rows = [
        (
            "poller: answers 200 with a new ETag / 304 / other; errors",
            f"{sum(p.new for p in polls)} / {sum(p.status == 304 for p in polls)} / "
            f"{sum(p.status not in (200, 304) for p in polls)}; {len(follower.errors)} {follower.errors[:2]}",
            "",
            "",
        ),
        (
            "poller: answer latency p50 / max",
            f"{common.percentile(latencies, 0.5):.1f} / {max(latencies, default=float('nan')):.1f} ms",
            "",
            "",
        ),
        ("saves shown by a poll / acknowledged", f"{len(shown)} / {len(saves)} {missing[:2]}", "all", OK[not missing]),
        (
            "freshness: 303 to the first answer with a new ETag showing the saved score, median / p95 / max",
            spread(shown),
            f"<= {goal:g} s",
            OK[met],
        ),
        ("for comparison: 303 to the first new ETag, median / p95 / max", spread(changed), "", ""),
    ]
    return "\n".join(
        [
            f"A Python thread polls `{followed.url}` (the programme page's data-live, starting from its data-etag) "
            f"with If-None-Match, {period:g} s after each answer (CARTEL_POLL_SECONDS {where}; the page served "
            f'says data-interval="{followed.interval}"), during the mixed run; a save is shown when the '
            "fragment lists its match (discipline link, teams, name) with the saved score; "
            f"goal: within the polling period plus {FRESHNESS_SLACK:g} s",
            "",
            "| measure | value | goal | met |",
            "| --- | --- | --- | --- |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        ]
    )


def record(section: str) -> None:
    path = common.ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    head, found, rest = text.partition(HEADING)
    rest = rest[rest.find("\n## ") + 1 :] if found and "\n## " in rest else ""
    path.write_text((head.rstrip("\n") + "\n\n" if head.strip() else "") + section + rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run of the routes")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--mixed-duration", type=int, default=25, help="seconds of saves in the mixed run")
    parser.add_argument("--save-interval", type=float, default=0.3, help="seconds between two saves' starts")
    parser.add_argument("--poll-connections", type=int, default=4, help="wrk connections of the pollers (unpaced)")
    parser.add_argument("--in-process-saves", type=int, default=48, help="saves timed in-process")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it (Debian: apt-get install wrk), then run this again")
    common.require_gunicorn()
    header = common.machine(common.gunicorn_version(), wrk_version()) + (
        "\n- server: gunicorn -w 2 (sync workers) on 127.0.0.1, SQLite file; wrk and the organiser on the same machine"
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        log, database, script = (Path(tmp) / n for n in ("gunicorn.log", "matches.sqlite3", "polls.lua"))
        url = common.sqlite_url(database)
        print("building the database...", flush=True)
        with common.migrated_app(url) as app:
            common.fill(app, lambda: common.add_live_edition(DISCIPLINES), add_tournaments)
            total, played = play_half(app)
            plan, known = plan_saves(app)
        shutil.copy(database, Path(tmp) / "in-process.sqlite3")  # the engine is disposed: one file, no WAL
        print(f"  {total} matches, {played} played; {known} scheduled with known teams", flush=True)
        slugs = common.discipline_slugs(DISCIPLINES)
        first = slugs[0]
        api = f"/api/editions/{YEAR}"
        programme = f"/editions/{YEAR}/programme"
        discipline = f"/editions/{YEAR}/disciplines/{first}"
        pages = [programme, f"{programme}/live", discipline, f"{discipline}/live"]
        with start(database, log) as server:
            tags = {path: get(server, path)[1] for path in (f"/editions/{YEAR}", f"/editions/{YEAR}/live", *pages)}
            tags["tournament"] = get(server, f"{api}/tournaments/{first}")[1]
            rows = load_routes(
                server,
                [
                    (f"/editions/{YEAR}", f"/editions/{YEAR}", None, 200, 0.8),
                    (f"/editions/{YEAR}/live", f"/editions/{YEAR}/live", None, 200, 0.8),
                    (api, api, None, 200, 0.8),
                    (f"{api}/tournaments", f"{api}/tournaments", None, 200, 0.8),
                    (f"{api}/tournaments/{first}", f"{api}/tournaments/{first}", None, 200, 0.8),
                    (
                        f"/editions/{YEAR} (304)",
                        f"/editions/{YEAR}",
                        {"If-None-Match": tags[f"/editions/{YEAR}"]},
                        304,
                        0.9,
                    ),
                    (
                        f"/editions/{YEAR}/live (304)",
                        f"/editions/{YEAR}/live",
                        {"If-None-Match": tags[f"/editions/{YEAR}/live"]},
                        304,
                        0.9,
                    ),
                    (
                        f"{api}/tournaments/{first} (304)",
                        f"{api}/tournaments/{first}",
                        {"If-None-Match": tags["tournament"]},
                        304,
                        0.9,
                    ),
                    *((path, path, None, 200, 0.8) for path in pages),
                    *((f"{path} (304)", path, {"If-None-Match": tags[path]}, 304, 0.9) for path in pages),
                ],
                args,
            )
            print("page weight...", flush=True)
            weights = page_weight(server, [programme, discipline, f"/editions/{YEAR}"])
            print(f"mixed run ({args.mixed_duration} s)...", flush=True)
            result = mixed(server, plan, slugs, script, args)
        with common.migrated_app(url) as app:
            stored = stored_matches(app)
        # the same edition with no tournament (places entered directly), in the same run: what the
        # tournaments change in the pages' own cost, whatever this machine's per-request floor
        baseline_db = Path(tmp) / "baseline.sqlite3"
        print("baseline (no tournament)...", flush=True)
        with common.migrated_app(common.sqlite_url(baseline_db)) as app:
            common.fill(app, lambda: common.add_live_edition(DISCIPLINES))
        with start(baseline_db, Path(tmp) / "baseline.log") as server:
            plain = {path: get(server, path)[1] for path in (f"/editions/{YEAR}", f"/editions/{YEAR}/live")}
            rows += load_routes(
                server,
                [
                    (f"no tournament: /editions/{YEAR}", f"/editions/{YEAR}", None, 200, 0.8),
                    (f"no tournament: /editions/{YEAR}/live", f"/editions/{YEAR}/live", None, 200, 0.8),
                    (f"no tournament: {api}", api, None, 200, 0.8),
                    (
                        f"no tournament: /editions/{YEAR} (304)",
                        f"/editions/{YEAR}",
                        {"If-None-Match": plain[f"/editions/{YEAR}"]},
                        304,
                        0.9,
                    ),
                ],
                args,
            )
        print(f"in-process: {args.in_process_saves} saves...", flush=True)
        costs = in_process(Path(tmp) / "in-process.sqlite3", plan, args.in_process_saves)
        tracebacks = log.read_text(errors="replace").count("Traceback")
    command = " ".join([".venv/bin/python", "bench/matches.py", *sys.argv[1:]])
    mixed_table = "\n".join(
        [
            f"wrk -t2 -c{args.poll_connections} (conditional GETs, the live fragment and each tournament's API in "
            "turn, as fast as they go) and one organiser saving a match every "
            f"{args.save_interval:g} s for {args.mixed_duration} s (match page GET, then the POST timed), among "
            f"{len(plan)} planned ({known} with known teams at the start)",
            "",
            "| measure | value | goal | met |",
            "| --- | --- | --- | --- |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in mixed_rows(result, stored)),
        ]
    )
    section = (
        f"{HEADING}\n\n{header}\n- command: `{command}`\n"
        f"- database: live edition {YEAR}, {DISCIPLINES} disciplines x {len(common.SCHOOLS)} schools, each a "
        f"{PRESET} tournament in pools then brackets (4 pools of 3): {total} matches, {played} played at build time\n"
        f"- server log: {tracebacks} tracebacks; whole run {time.monotonic() - began:.0f} s\n\n"
        f"### Requests/s per route\n\n{route_table(rows, args)}\n\n"
        f"### Page weight\n\n{weight_table(weights)}\n\n"
        f"### Mixed run: pollers and an organiser saving matches\n\n{mixed_table}\n\n"
        f"### Freshness: a saved score on a page that polls the programme\n\n{freshness_table(result)}\n\n"
        f"### Where the time goes, in-process\n\n"
        f"Test client, CSRF off, no server and no load, on a copy of the database as built: the first "
        f"{min(args.in_process_saves, len(plan))} saves of the plan, each followed by the first read of the live "
        "fragment and of its tournament's API (computed again: the save changed the edition's revision)\n\n"
        "| measure | value |\n| --- | --- |\n" + "".join(f"| {a} | {b} |\n" for a, b in costs)
    )
    print("\n" + section)
    record(section)


if __name__ == "__main__":
    main()
