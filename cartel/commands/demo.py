"""A demonstration that unfolds: a fictional live edition on a database of its own, whose results a
simulated organiser enters one at a time through the real write path (``cartel.write.results``), so that
the audit trail, the revisions, the ETags, the live pages, the race chart and the big screen move as
they would during an event.

Nothing here is a fact about the Cartel: the teams, the points scheme and every result are made up,
and every page says so (``CARTEL_DEMO`` shows a banner). ``flask --app cartel demo`` (``make demo``)
recreates the demo database, builds the edition (``build``) and serves it while a background thread
performs one write of ``script()`` every few seconds (``simulate``); tests drive ``simulate`` directly.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from cartel.core import podium, scoring
from cartel.core.tournament.matches import Finish, Result
from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.progress import resolve
from cartel.core.tournament.rules import Rules, Side
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.spec import Spec, suggested
from cartel.core.tournament.ties import SubMatch
from cartel.extensions import db
from cartel.models import (
    Category,
    Discipline,
    Edition,
    EditionStatus,
    MatchState,
    ProgrammeEntry,
    ResultState,
    Role,
    School,
    User,
)
from cartel.read.tournaments import tournament_of
from cartel.write import catalogue
from cartel.write.accounts import create_user
from cartel.write.audit import Actor
from cartel.write.lifecycle import change_status
from cartel.write.penalties import add_adjustment
from cartel.write.results import ValidationFailed, VersionConflict, confirm_result, mark_in_progress, save_result
from cartel.write.tournaments import TournamentRefused, decide, save_match, set_up
from cartel.write.unit import unit_of_work

YEAR = 2099  # far from any real edition
ORGANISER_EMAIL = "organisateur.demo@example.org"

# Fictional teams: (slug, name, short name, colour, strength); strength only shapes the made-up results.
TEAMS = (
    ("equipe-azur", "Équipe Azur", "Azur", "#1f5fbf", 6.0),
    ("equipe-corail", "Équipe Corail", "Corail", "#e4572e", 5.8),
    ("equipe-emeraude", "Équipe Émeraude", "Émeraude", "#138a55", 5.5),
    ("equipe-ambre", "Équipe Ambre", "Ambre", "#b86e00", 5.6),
    ("equipe-amethyste", "Équipe Améthyste", "Améthyste", "#7b3fa0", 4.8),
    ("equipe-grenat", "Équipe Grenat", "Grenat", "#8c1c3a", 4.5),
    ("equipe-ardoise", "Équipe Ardoise", "Ardoise", "#4a5a6a", 4.0),
    ("equipe-turquoise", "Équipe Turquoise", "Turquoise", "#0e8a96", 3.8),
    ("equipe-olive", "Équipe Olive", "Olive", "#6b7a1a", 3.2),
    ("equipe-safran", "Équipe Safran", "Safran", "#c9a100", 3.0),
)
TEAM_NAMES = {slug: name for slug, name, *_ in TEAMS}

# Sports (slug, French name, English name), as in seeds/sports.csv; sports are no fact about results.
SPORTS = (
    ("athletics", "Athlétisme", "Athletics"),
    ("badminton", "Badminton", "Badminton"),
    ("basketball", "Basketball", "Basketball"),
    ("climbing", "Escalade", "Climbing"),
    ("cross-country", "Cross", "Cross-country"),
    ("football", "Football", "Football"),
    ("handball", "Handball", "Handball"),
    ("petanque", "Pétanque", "Pétanque"),
    ("rugby", "Rugby", "Rugby"),
    ("spikeball", "Spikeball", "Spikeball"),
    ("swimming", "Natation", "Swimming"),
    ("table-tennis", "Tennis de table", "Table tennis"),
    ("volleyball", "Volley-ball", "Volleyball"),
)
# The programme: (sport, category); the discipline's slug follows catalogue.add_discipline.
PROGRAMME = (
    ("athletics", "open"),
    ("badminton", "open"),
    ("basketball", "men"),
    ("basketball", "women"),
    ("climbing", "open"),
    ("cross-country", "open"),
    ("football", "men"),
    ("football", "women"),
    ("handball", "men"),
    ("handball", "women"),
    ("petanque", "open"),
    ("rugby", "men"),
    ("rugby", "women"),
    ("spikeball", "open"),
    ("swimming", "open"),
    ("table-tennis", "open"),
    ("volleyball", "men"),
    ("volleyball", "women"),
)
# Points per place down to the 10th, shaped like a rulebook's table (made up); shared places.
PLACE_POINTS = (24, 18, 14, 12, 10, 8, 6, 4, 2, 1)
# Disciplines that not every team entered: how many teams are placed.
ENTRANTS = {"rugby-women": 6, "climbing": 8}
TIED = "swimming"  # a dead heat for 3rd place
DECIDED = "Démonstration : tirage au sort fictif"
PENALTY = ("equipe-ambre", Decimal(-12), "Démonstration : pénalité fictive (retard au coup d'envoi)")

# The order of the writes: (action, discipline or team). "provisional" and "final" save a result,
# "start" marks a discipline in progress, "confirm" makes a provisional result final unchanged,
# "correct" saves an earlier final result again with its 2nd and 3rd places swapped.
ORDER = (
    ("start", "rugby-men"),
    ("start", "basketball-women"),
    ("provisional", "athletics"),
    ("final", "rugby-men"),
    ("final", "basketball-women"),
    ("confirm", "athletics"),
    ("start", "handball-women"),
    ("final", TIED),
    ("final", "table-tennis"),
    ("correct", "rugby-men"),
    ("penalty", PENALTY[0]),
    ("start", "volleyball-men"),
    ("final", "volleyball-men"),
    ("final", "climbing"),
    ("provisional", "cross-country"),
    ("final", "handball-women"),
    ("final", "petanque"),
    ("confirm", "cross-country"),
    ("final", "rugby-women"),
    ("provisional", "football-men"),
    ("final", "spikeball"),
    ("confirm", "football-men"),
)
# Disciplines played as tournaments (pools, then a bracket for every place), under their sport's preset:
# their matches are entered one by one, interleaved with the other writes, a few after each.
TOURNAMENTS = {
    "football-women": "football",
    "handball-men": "handball",
    "basketball-men": "basketball",
    "volleyball-women": "volleyball",
    "badminton": "badminton",  # team ties: men's and women's singles, mixed doubles
}
MATCHES_PER_STEP = 5

Places = tuple[tuple[int, tuple[str, ...]], ...]


def discipline_slug(sport: str, category: str) -> str:
    return sport if category == "open" else f"{sport}-{category}"


@dataclass(frozen=True)
class ScriptedWrite:
    """One write of the simulated organiser."""

    action: str  # start, provisional, final, confirm, correct, penalty, match, decide
    target: str  # a discipline's slug, or a team's for a penalty
    places: Places = ()  # the whole result saved (provisional, final, correct)
    code: str = ""  # a match's code, or a decision's context
    sheet: Sheet | None = None  # a match's score
    order: tuple[str, ...] = ()  # a decision's order of the teams left level

    def describe(self) -> str:
        if self.action == "penalty":
            return f"penalty: {TEAM_NAMES[self.target]} {PENALTY[1]:+} ({PENALTY[2]})"
        if self.action == "match":
            score = "" if self.sheet is None or self.sheet.subs else f" {self.sheet.home.score}-{self.sheet.away.score}"
            return f"match {self.code}: {self.target}{score}"
        if self.action == "decide":
            return f"decision {self.code}: {self.target}: {', '.join(TEAM_NAMES[t] for t in self.order)}"
        if not self.places:
            return {"start": "in progress", "confirm": "confirmed final"}[self.action] + f": {self.target}"
        podium_line = ", ".join(f"{p}. {' + '.join(TEAM_NAMES[s] for s in team)}" for p, team in self.places[:4])
        return f"{self.action}: {self.target}: {podium_line}, …"


def ranking(discipline: str) -> Places:
    """A made-up result of one discipline: stronger teams tend to place better."""
    # a seeded draw, the same every run: made-up results, no secret
    draw = random.Random(f"cartel-demo {discipline}")  # nosec B311
    order = sorted(TEAMS, key=lambda t: -(t[4] + draw.gauss(0, 2.0)))[: ENTRANTS.get(discipline, len(TEAMS))]
    places = [(index, (slug,)) for index, (slug, *_) in enumerate(order, start=1)]
    if discipline == TIED:  # the 4th shares the 3rd place: 1, 2, 3, 3, 5...
        places[3] = (3, places[3][1])
    return tuple(places)


STRENGTH = {slug: strength for slug, _name, _short, _colour, strength in TEAMS}


def tournament_spec(discipline: str) -> Spec:
    """The demo's draw: pools seeded in a snake by a made-up ranking of the discipline."""
    seeds = [team[0] for _place, team in ranking(f"seeding {discipline}")]
    return suggested(seeds, Shape.POOLS_THEN_BRACKETS)


def made_up_score(discipline: str, code: str, home: str, away: str, rules: Rules, bracket: bool) -> Sheet:
    """A made-up score for a match of ``discipline``: the stronger team tends to win."""
    draw = random.Random(f"cartel-demo {discipline} {code}")  # nosec B311

    def form(team: str) -> float:
        return STRENGTH[team] + draw.gauss(0, 1.5)

    if rules.team_tie:
        subs = []
        for _sub in rules.team_tie:
            home_wins = form(home) > form(away)
            loser = draw.randint(8, 19)
            sets = ((21, loser), (21, draw.randint(5, 19)))
            subs.append(SubMatch(sets if home_wins else tuple((b, a) for a, b in sets)))
        return Sheet(subs=tuple(subs))
    sport = TOURNAMENTS[discipline]
    if sport == "volleyball":
        home_wins = form(home) > form(away)
        lost_sets = draw.randint(0, 1)
        won_points, lost_points = 50 + draw.randint(0, 10), 30 + lost_sets * 20 + draw.randint(0, 8)
        home_side = Side(2, 2, won_points) if home_wins else Side(lost_sets, lost_sets, lost_points)
        away_side = Side(lost_sets, lost_sets, lost_points) if home_wins else Side(2, 2, won_points)
        return Sheet(home_side, away_side)
    scale = {"football": 0.4, "handball": 4.0, "basketball": 9.0}[sport]
    base = {"football": 0, "handball": 12, "basketball": 30}[sport]
    home_score = max(0, round(base + scale * form(home)))
    away_score = max(0, round(base + scale * form(away)))
    if home_score == away_score and (bracket or not rules.draws):
        return Sheet(
            Side(home_score),
            Side(away_score),
            winner="home" if form(home) > form(away) else "away",
            finish=Finish.SHOOTOUT,
        )
    return Sheet(Side(home_score), Side(away_score))


def played_tournament(discipline: str) -> tuple[list[ScriptedWrite], Places]:
    """Every match of a demo tournament in playing order, with the organiser's decisions where the rules
    leave teams level (lots drawn: by made-up strength), and the places they give; worked out by the
    engine itself, as the app will when the writes are made."""
    rules = PRESETS[TOURNAMENTS[discipline]]
    fmt = tournament_spec(discipline).build()
    results: dict[str, Result] = {}
    decisions: dict[tuple[str, frozenset[str]], list[str]] = {}
    writes: list[ScriptedWrite] = []
    for fixture in fmt.fixtures():
        state = resolve(fmt, results, rules, decisions=decisions)
        for tie in state.undecided:
            order = sorted(tie.teams, key=lambda t: -STRENGTH[t])
            decisions[(tie.context, tie.teams)] = order
            writes.append(ScriptedWrite("decide", discipline, code=tie.context, order=tuple(order)))
        state = resolve(fmt, results, rules, decisions=decisions)
        home, away = state.slots[fixture.code]
        assert home is not None and away is not None  # the fixtures come in playing order
        sheet = made_up_score(discipline, fixture.code, home, away, rules, fixture.bracket)
        results[fixture.code] = sheet.result(rules)
        writes.append(ScriptedWrite("match", discipline, code=fixture.code, sheet=sheet))
    state = resolve(fmt, results, rules, decisions=decisions)
    for tie in state.undecided:
        order = sorted(tie.teams, key=lambda t: -STRENGTH[t])
        decisions[(tie.context, tie.teams)] = order
        writes.append(ScriptedWrite("decide", discipline, code=tie.context, order=tuple(order)))
    state = resolve(fmt, results, rules, decisions=decisions)
    assert state.finished
    places = tuple(sorted((place, (team,)) for team, place in state.places.items()))
    return writes, places


def script() -> tuple[ScriptedWrite, ...]:
    """Every write of the demo, in order: the results entered directly, and after each a few matches of
    the tournaments, taken in turn."""
    queues = [played_tournament(discipline)[0] for discipline in TOURNAMENTS]
    steps: list[ScriptedWrite] = []

    def some_matches(count: int) -> None:
        for _ in range(count):
            waiting = [q for q in queues if q]
            if not waiting:
                return
            queue = max(waiting, key=len)  # the tournament furthest behind plays next
            steps.append(queue.pop(0))
            while queue and queue[0].action == "decide":  # a decision follows the match that made it due
                steps.append(queue.pop(0))

    for action, target in ORDER:
        places: Places = ()
        if action in ("provisional", "final"):
            places = ranking(target)
        elif action == "correct":
            first, second, third, *rest = ranking(target)
            places = (first, (2, third[1]), (3, second[1]), *rest)
        steps.append(ScriptedWrite(action, target, places))
        some_matches(MATCHES_PER_STEP)
    some_matches(sum(len(q) for q in queues))
    return tuple(steps)


def final_results() -> dict[str, Places]:
    """Each discipline's result once the whole script has run."""
    results = {s.target: s.places for s in script() if s.places}
    results.update({discipline: played_tournament(discipline)[1] for discipline in TOURNAMENTS})
    return results


# --- building and simulating ----------------------------------------------------------------------


class DemoError(click.ClickException):
    pass


def build(year: int = YEAR) -> str:
    """Create the teams, the sports, the demo edition (live) and the organiser account in an empty
    migrated database, each through the audited operations an administrator would use; returns the
    organiser's password (made up for this run)."""
    if db.session.scalar(sa.select(School.id).limit(1)) is not None:
        raise DemoError("The demo is built in an empty database only.")
    system = Actor()
    with unit_of_work():  # the whole demo edition, or nothing
        schools = [
            catalogue.save_school(
                None, {"slug": slug, "name": name, "short_name": short, "country": "FR", "colours": colour}, system
            )
            for slug, name, short, colour, _strength in TEAMS
        ]
        sports = {slug: catalogue.add_sport(slug, name_fr, name_en, system) for slug, name_fr, name_en in SPORTS}
        disciplines = [
            catalogue.add_discipline(sports[sport], Category(category), system) for sport, category in PROGRAMME
        ]
        edition = catalogue.save_edition(
            None,
            {
                "year": year,
                "start_date": dt.date(year, 4, 16),
                "end_date": dt.date(year, 4, 19),
                "delegation_count": len(schools),
            },
            schools[0],
            system,
        )
        catalogue.set_participants(edition, {school: None for school in schools}, system)
        catalogue.set_programme(edition, {discipline: Decimal(1) for discipline in disciplines}, system)
        scheme: scoring.ScoringScheme[int] = scoring.ScoringScheme(
            tuple(Fraction(p) for p in PLACE_POINTS), scoring.TieRule.SHARED, (1, 2, 3)
        )
        catalogue.set_scheme(edition, scheme, system)
        for entry in edition.programme:
            if entry.discipline.slug in TOURNAMENTS:
                sport = TOURNAMENTS[entry.discipline.slug]
                set_up(edition, entry, tournament_spec(entry.discipline.slug), PRESETS[sport], system, preset=sport)
        change_status(edition, EditionStatus.LIVE, system)
        password = secrets.token_urlsafe(12)
        create_user(ORGANISER_EMAIL, password, Role.ORGANISER, system)
    db.session.close()
    return password


def perform(step: ScriptedWrite, year: int = YEAR) -> str:
    """Make one write as the demo organiser, as the entry form would: with the version just read and
    a fresh submission key. Ends its transaction, so no lock is held until the next step."""
    try:
        edition = db.session.scalar(sa.select(Edition).filter_by(year=year))
        assert edition is not None  # the demo database has its edition (build), and every step's school and entry
        actor = Actor(user_id=db.session.scalar(sa.select(User.id).filter_by(email=ORGANISER_EMAIL)))
        if step.action == "penalty":
            school = db.session.scalar(sa.select(School).filter_by(slug=step.target))
            assert school is not None
            with unit_of_work():
                add_adjustment(edition, school, PENALTY[1], PENALTY[2], actor)
            return step.describe()
        entry = db.session.scalar(
            sa.select(ProgrammeEntry)
            .join(Discipline, Discipline.id == ProgrammeEntry.discipline_id)
            .where(ProgrammeEntry.edition_id == edition.id, Discipline.slug == step.target)
        )
        assert entry is not None
        key = uuid.uuid4().hex
        with unit_of_work():
            if step.action == "match":
                tournament = tournament_of(entry)
                assert tournament is not None
                version = next(m.version for m in tournament.matches if m.code == step.code)
                save_match(
                    edition,
                    entry,
                    step.code,
                    step.sheet,
                    MatchState.FINAL,
                    actor,
                    expected_version=version,
                    submission_key=key,
                )
            elif step.action == "decide":
                decide(edition, entry, step.code, list(step.order), DECIDED, actor, submission_key=key)
            elif step.action == "start":
                mark_in_progress(edition, entry, actor, expected_version=entry.version)
            elif step.action == "confirm":
                confirm_result(edition, entry, actor, expected_version=entry.version, submission_key=key)
            else:
                state = ResultState.PROVISIONAL if step.action == "provisional" else ResultState.FINAL
                teams = [podium.Team(place, team) for place, team in step.places]
                save_result(edition, entry, teams, state, actor, expected_version=entry.version, submission_key=key)
        return step.describe()
    finally:
        db.session.close()


def simulate(year: int = YEAR) -> Iterator[str]:
    """Perform the script's writes, one per ``next()``; yields what each did. A write refused because
    someone changed the result meanwhile (a visitor logged in as the organiser) is skipped."""
    for step in script():
        try:
            line = perform(step, year)
        except (VersionConflict, ValidationFailed, TournamentRefused) as error:
            line = f"skipped ({type(error).__name__}: {error}): {step.describe()}"
        yield line


# --- the command ----------------------------------------------------------------------------------


def same_database(url: str, path: Path) -> bool:
    """Whether the SQLAlchemy ``url`` names the SQLite file ``path``."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return False
    return Path(parsed.database).resolve() == path.resolve()


def demo_file(path: Path) -> bool:
    """Whether ``path`` may be deleted to start afresh: absent, empty, or a database holding no edition
    but the demo's and no account but the demo organiser's."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return True
    try:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as connection:
            years = {row[0] for row in connection.execute("SELECT year FROM edition")}
            emails = {row[0] for row in connection.execute('SELECT email FROM "user"')}
    except sqlite3.Error:
        return False
    return years <= {YEAR} and emails <= {ORGANISER_EMAIL}


def demo_config(path: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path.resolve()}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "CARTEL_DEMO": True,
        # a key of its own and cookies of their own: cookies do not tell ports apart, so a demo on
        # 127.0.0.1:5001 must neither read nor overwrite the session of the real app on :5000
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_NAME": "cartel_demo_session",
        "REMEMBER_COOKIE_NAME": "cartel_demo_remember",
    }


def prepare(path: Path, real_url: str, factory: Callable[[dict], Flask]) -> tuple[Flask, str]:
    """Recreate the demo database at ``path`` (never the real one at ``real_url``), migrate it, build
    the demo edition with an app made by ``factory`` (the app factory); returns the demo app and the
    organiser's password."""
    if same_database(real_url, path):
        raise DemoError(f"{path} is the app's own database: the demo needs a database of its own.")
    if not demo_file(path):
        raise DemoError(f"{path} is not a demo database: left alone. Choose another --database.")
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    app = factory(demo_config(path))
    with app.app_context():
        upgrade()
        password = build()
    return app, password


def run_simulator(app: Flask, interval: float, stop: threading.Event, echo: Callable[[str], None]) -> None:
    """Perform one write every ``interval`` seconds until the script ends or ``stop`` is set."""
    with app.app_context():
        steps = simulate()
        total = len(script())
        for number in range(1, total + 1):
            if stop.wait(interval):
                return
            line = next(steps)
            echo(f"[{dt.datetime.now():%H:%M:%S}] {number}/{total} {line}")
        echo("All results are in: the simulator has stopped (the pages stay up; Ctrl-C to quit).")


def command(factory: Callable[[dict], Flask]) -> click.Command:
    """The `demo` command, serving apps made by ``factory`` (given by the factory itself: no import cycle)."""

    @click.command("demo")
    @click.option(
        "--database",
        type=click.Path(dir_okay=False, path_type=Path),
        help="SQLite file of the demo, recreated each time.  [default: instance/demo.sqlite3]",
    )
    @click.option(
        "--interval", type=click.FloatRange(min=0), default=8.0, show_default=True, help="Seconds between writes."
    )
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", type=click.IntRange(1, 65535), default=5001, show_default=True)
    @with_appcontext
    def demo_command(database: Path | None, interval: float, host: str, port: int) -> None:
        """Serve a fictional live edition on a database of its own while a simulated organiser enters its
        results one by one through the real write path. The app's own database is never touched."""
        path = database or Path(current_app.instance_path) / "demo.sqlite3"
        app, password = prepare(path, current_app.config["SQLALCHEMY_DATABASE_URI"], factory)
        base = f"http://{host}:{port}"
        steps = len(script())
        click.echo(
            f"Demo database: {path} (fictional teams and results).\n"
            f"{steps} writes, one every {interval:g} s (about {steps * interval / 60:.1f} min), "
            "then the simulator stops.\n"
            f"Watch:  {base}/\n"
            f"        {base}/editions/{YEAR}\n"
            f"        {base}/editions/{YEAR}/screen   (big screen)\n"
            f"        {base}/api/editions/{YEAR}\n"
            f"Log in as the demo organiser: {base}/login  {ORGANISER_EMAIL}  {password}"
        )
        stop = threading.Event()
        simulator = threading.Thread(
            target=run_simulator, args=(app, interval, stop, click.echo), name="cartel-demo", daemon=True
        )
        simulator.start()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request: the writes stay readable
        try:
            # werkzeug's server itself: app.run() refuses to start inside a `flask` command
            run_simple(host, port, app, threaded=True, use_reloader=False)
        finally:
            stop.set()
            simulator.join()

    return demo_command
