"""Courtside entry of a tournament: the discipline's matches (in progress, next, played), a match's score
in a few taps, a forfeit in one, and the organiser's decision on a tie the rules leave level."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from cartel.core.tournament.sheet import Sheet
from cartel.extensions import db
from cartel.models import AuditEntry, Edition, MatchState, ProgrammeEntry, Role, Venue
from cartel.read.tournaments import Standing, read, tournament_of, tournaments_of
from cartel.web.admin.audit import load_names
from cartel.web.entry.access import actor_for, session_link
from cartel.web.entry.forms import VersionForm
from cartel.web.entry.match_forms import (
    DecisionForm,
    MatchForm,
    decision_form,
    details_of,
    match_form,
    order_of,
    race_form,
)
from cartel.web.entry.views import (
    bp,
    discipline_in_live_edition,
    incomplete,
    live_edition,
    participants,
    programme_entry,
)
from cartel.words.describe import describe
from cartel.words.tournaments import match_name, problem_words, score_words, state_words, team_name
from cartel.write.audit import Actor
from cartel.write.results import VersionConflict
from cartel.write.tournaments import TournamentRefused, decide, save_match
from cartel.write.unit import unit_of_work


def names_of(edition: Edition) -> dict[str, str]:
    return {s.slug: s.name for s in participants(edition)}


def standing_of(entry: ProgrammeEntry) -> Standing:
    tournament = tournament_of(entry)
    if tournament is None:
        abort(404, description=_("This discipline is not played as a tournament."))
    return read(tournament)


def saved_line(standing: Standing, code: str, names: dict[str, str]) -> str:
    """What a save says: the match, its teams, its score and its state."""
    match = standing.matches[code]
    slots = standing.resolution.slots.get(code, (None, None))
    if standing.races:
        teams = ", ".join(team_name(t, names) for t in standing.lanes.get(code, ()))
    else:
        teams = f"{team_name(slots[0], names)} – {team_name(slots[1], names)}"
    sheet = standing.sheets.get(code) if match.state is not MatchState.SCHEDULED else None
    return _(
        "Saved: %(match)s, %(teams)s: %(score)s (%(state)s).",
        match=match_name(code),
        teams=teams,
        score=score_words(sheet, names, slots) if sheet else "—",
        state=state_words(match.state.value),
    )


def matches_page(edition: Edition, entry: ProgrammeEntry, saved: str | None = None) -> str:
    """The discipline's matches, in progress first, then the next ones, then those played."""
    standing = standing_of(entry)
    ordered = standing.ordered()
    groups = {
        "in_progress": [m for m in ordered if m.state is MatchState.IN_PROGRESS],
        "next": [m for m in ordered if m.state is MatchState.SCHEDULED],
        "final": [m for m in ordered if m.state is MatchState.FINAL],
    }
    return render_template(
        "entry/matches.html",
        edition=edition,
        entry=entry,
        standing=standing,
        groups=groups,
        names=names_of(edition),
        saved=saved and saved_line(standing, saved, names_of(edition)),
        match_name=match_name,
        team_name=team_name,
        score_words=score_words,
        tie_teams=lambda teams, names: ", ".join(team_name(t, names) for t in sorted(teams)),
        lane_names=lambda lanes, names: ", ".join(team_name(t, names) for t in lanes),
    )


def match_page(
    edition: Edition,
    entry: ProgrammeEntry,
    standing: Standing,
    code: str,
    form: MatchForm,
    problems: list[tuple[str, str]] = (),  # type: ignore[assignment]
    status: int = 200,
) -> ResponseReturnValue:
    names = names_of(edition)
    home_team, away_team = standing.resolution.slots.get(code, (None, None))
    if home_team is not None and away_team is not None:  # errors name the teams, never "home" and "away"
        form.home.label.text, form.away.label.text = team_name(home_team, names), team_name(away_team, names)
    messages = [problem_words(c, w, names) for c, w in problems]
    for field in form:
        messages += [f"{field.label.text}: {e}" for e in field.errors if isinstance(e, str)]
    for sub in form.subs:
        for field in sub.form:
            messages += [f"{field.label.text}: {e}" for e in field.errors if isinstance(e, str)]
    if not form.submission_id.data:
        form.submission_id.data = uuid.uuid4().hex
    fixture = standing.fixtures[code]
    home, away = standing.resolution.slots.get(code, (None, None))
    lanes = standing.lanes.get(code, ()) if standing.races else ()
    may_redraw = any(c == "changes_bracket" for c, _w in problems) and is_admin()
    return render_template(
        "entry/match.html",
        edition=edition,
        entry=entry,
        standing=standing,
        match=standing.matches[code],
        fixture=fixture,
        code=code,
        title=match_name(code),
        home=team_name(home, names),
        away=team_name(away, names),
        known=bool(lanes) if standing.races else home is not None and away is not None,
        race=standing.races,
        lanes=[(team, team_name(team, names)) for team in lanes],
        form=form,
        messages=messages,
        details=details_of(standing.rules),
        level_needs_winner=standing.is_bracket(code) or not standing.rules.draws,
        may_redraw=may_redraw,
        level_error=any(c in ("draw_not_allowed", "winner_not_the_score") for c, _w in problems),
        forfeited=None
        if (sheet := standing.sheets.get(code)) is None or sheet.forfeit is None
        else team_name(home if sheet.forfeit == "home" else away, names),
        back=back_url(entry),
        score_words=score_words,
    ), status


def form_for(edition: Edition, standing: Standing, code: str, **kwargs) -> MatchForm:
    """A race's times (one field per lane), or a match's score."""
    if standing.races:
        return race_form(standing.lanes.get(code, ()), names_of(edition), **kwargs)
    return match_form(standing.rules, **kwargs)


def is_admin() -> bool:
    return current_user.is_authenticated and current_user.role is Role.ADMIN


def match_in_live_edition(
    slug: str, code: str, *, write: bool = False
) -> tuple[Edition, ProgrammeEntry, Standing, Actor]:
    """The live edition, the discipline, its tournament read whole, and who acts on this match: an
    organiser of the discipline, its link, or the link of the venue the match is played at."""
    edition = live_edition() or abort(409 if write else 404, description=_("No edition is live."))
    entry = programme_entry(edition, slug)
    standing = standing_of(entry)
    match = standing.matches.get(code) or abort(404)
    return edition, entry, standing, actor_for(edition.id, entry.discipline_id, match.venue_id)


def back_url(entry: ProgrammeEntry) -> str:
    """Where "all matches" leads: the venue's matches for a venue's link, else the discipline's."""
    link = session_link()
    if link is not None and link.venue_id is not None and not current_user.is_authenticated:
        return url_for("entry.venue_matches")
    return url_for("entry.discipline_form", slug=entry.discipline.slug)


@bp.get("/<slug>/match/<code>")
def match_form_page(slug: str, code: str) -> ResponseReturnValue:
    edition, entry, standing, _actor = match_in_live_edition(slug, code)
    match = standing.matches[code]
    form = form_for(edition, standing, code, formdata=None, version=match.version, submission_id=uuid.uuid4().hex)
    sheet = standing.sheets.get(code)
    form.fill(sheet, standing.rules)
    return match_page(edition, entry, standing, code, form)


@bp.post("/<slug>/match/<code>")
def save_match_view(slug: str, code: str) -> ResponseReturnValue:
    edition, entry, standing, actor = match_in_live_edition(slug, code, write=True)
    form = form_for(edition, standing, code)
    if not form.validate():
        if form.version.errors:
            incomplete()
        return match_page(edition, entry, standing, code, form, status=422)
    state = MatchState.FINAL if form.forfeit.data else MatchState(form.state.data)
    try:
        with unit_of_work():
            outcome = save_match(
                edition,
                entry,
                code,
                form.sheet(standing.rules),
                state,
                actor,
                expected_version=form.version.data,
                submission_key=form.submission_id.data,
                redraw=bool(form.redraw.data) and is_admin(),
            )
    except TournamentRefused as refused:
        return match_page(edition, entry, read(standing.tournament), code, form, refused.problems, 422)
    except VersionConflict as conflict:
        standing = read(standing.tournament)
        theirs = score_words(
            standing.sheets.get(code), names_of(edition), standing.resolution.slots.get(code, (None, None))
        )
        flash(
            _(
                "Another organiser saved this match meanwhile (%(score)s): check it, then save yours again.",
                score=theirs,
            ),
            "error",
        )
        form.version.data = conflict.current_version
        form.submission_id.data = uuid.uuid4().hex
        return match_page(edition, entry, standing, code, form, status=409)
    return redirect(url_for("entry.match_saved", slug=slug, code=code, version=outcome.version), code=303)


@bp.get("/<slug>/match/<code>/saved/<int:version>")
def match_saved(slug: str, code: str, version: int) -> ResponseReturnValue:
    edition, entry, standing, _actor = match_in_live_edition(slug, code)
    link = session_link()
    if link is not None and link.venue_id is not None and not current_user.is_authenticated:
        saved = saved_line(standing, code, names_of(edition))
        return venue_page(edition, link.venue_id, saved)
    return matches_page(edition, entry, saved=code)


@bp.get("/lieu")
def venue_matches() -> ResponseReturnValue:
    """A venue's link: the matches played at its venue, whatever their discipline."""
    link = session_link()
    if link is None or link.venue_id is None:
        abort(404)
    edition = live_edition() or abort(404, description=_("No edition is live."))
    if link.edition_id != edition.id:
        abort(403)
    return venue_page(edition, link.venue_id)


@bp.get("/lieu/<int:venue_id>")
def venue_matches_of(venue_id: int) -> ResponseReturnValue:
    """An organiser's view of one venue's matches (the page a venue's link shows)."""
    edition = live_edition() or abort(404, description=_("No edition is live."))
    if not current_user.is_authenticated:
        abort(401)
    return venue_page(edition, venue_id)


def venue_page(edition: Edition, venue_id: int, saved: str | None = None) -> str:
    venue = db.session.get(Venue, venue_id)
    if venue is None or venue.edition_id != edition.id:
        abort(404)
    names = names_of(edition)
    rows = []
    for entry, standing in tournaments_of(edition):
        for code, match in standing.matches.items():
            if match.venue_id != venue_id:
                continue
            if standing.races:
                teams = ", ".join(team_name(t, names) for t in standing.lanes.get(code, ())) or "—"
            else:
                home, away = standing.resolution.slots.get(code, (None, None))
                teams = f"{team_name(home, names)} – {team_name(away, names)}"
            sheet = standing.sheets.get(code) if match.state is not MatchState.SCHEDULED else None
            slots = standing.resolution.slots.get(code, (None, None))
            rows.append((match, entry, match_name(code), teams, score_words(sheet, names, slots) if sheet else None))
    rank = {MatchState.IN_PROGRESS: 0, MatchState.SCHEDULED: 1, MatchState.FINAL: 2}
    rows.sort(key=lambda r: (rank[r[0].state], r[0].starts_at or dt.datetime.max, r[2]))
    titles = {MatchState.IN_PROGRESS: _("In progress"), MatchState.SCHEDULED: _("Next"), MatchState.FINAL: _("Played")}
    sections = [(titles[state], [r for r in rows if r[0].state is state]) for state in rank]
    return render_template("entry/venue.html", edition=edition, venue=venue, sections=sections, saved=saved)


@bp.route("/<slug>/tie/<context>", methods=["GET", "POST"])
def decide_tie(slug: str, context: str) -> ResponseReturnValue:
    edition, entry, actor = discipline_in_live_edition(slug, write=request.method == "POST")
    standing = standing_of(entry)
    tie = next((u for u in standing.resolution.undecided if u.context == context), None)
    if tie is None:
        flash(_("This tie has been decided, or the teams are no longer level."))
        return redirect(url_for("entry.discipline_form", slug=slug), code=303)
    teams = sorted(tie.teams)
    form: DecisionForm = decision_form(teams)
    problems: list[tuple[str, str]] = []
    if form.validate_on_submit():
        try:
            with unit_of_work():
                decide(
                    edition,
                    entry,
                    context,
                    order_of(form, len(teams)),
                    form.reason.data or "",
                    actor,
                    submission_key=form.submission_id.data,
                )
        except TournamentRefused as refused:
            problems = refused.problems
        else:
            flash(_("Decision recorded."))
            return redirect(url_for("entry.discipline_form", slug=slug), code=303)
    names = names_of(edition)
    for k in range(1, len(teams) + 1):
        getattr(form, f"position_{k}").choices = [
            SelectChoice("", "—"),
            *(SelectChoice(t, team_name(t, names)) for t in teams),
        ]
    messages = [problem_words(c, w, names) for c, w in problems]
    return render_template(
        "entry/decision.html",
        edition=edition,
        entry=entry,
        context=context,
        tie=tie,
        teams=teams,
        form=form,
        names=names,
        messages=messages,
        team_name=team_name,
    ), (422 if request.method == "POST" else 200)


# --- the scores' history, and putting a score back ---------------------------------------------------


@bp.get("/<slug>/matches/history")
def match_history(slug: str) -> ResponseReturnValue:
    edition, entry, _actor = discipline_in_live_edition(slug)
    standing = standing_of(entry)
    rows = list(
        db.session.scalars(
            sa.select(AuditEntry)
            .filter_by(edition_id=edition.id, discipline_id=entry.discipline_id, entity="match")
            .order_by(AuditEntry.id.desc())
        )
    )
    names = load_names(rows)
    lines = []
    for line in rows:
        code = (line.before or {}).get("code") or (line.after or {}).get("code")
        match = standing.matches.get(code or "")
        # what the score was before this change, if it is not what it is now
        restorable = (
            match is not None
            and line.before is not None
            and (line.before.get("state"), line.before.get("sheet")) != (match.state.value, match.result)
        )
        lines.append((line, describe(line, names), code if restorable else None, match))
    return render_template(
        "entry/match_history.html",
        edition=edition,
        entry=entry,
        lines=lines,
        form=VersionForm(formdata=None),
    )


@bp.post("/<slug>/match/<code>/restore/<int:audit_id>")
def restore_match(slug: str, code: str, audit_id: int) -> ResponseReturnValue:
    """Put back the score a match had before a change (a new save, checked as any other)."""
    edition, entry, standing, actor = match_in_live_edition(slug, code, write=True)
    line = db.session.get(AuditEntry, audit_id)
    if (
        line is None
        or line.entity != "match"
        or line.discipline_id != entry.discipline_id
        or line.edition_id != edition.id
        or not isinstance(line.before, dict)
        or line.before.get("code") != code
    ):
        abort(404)
    form = VersionForm()
    if not form.validate():
        incomplete()
    data = line.before.get("sheet")
    try:
        state = MatchState(str(line.before.get("state")))
        sheet = Sheet.from_data(data) if isinstance(data, dict) else None
    except ValueError:
        abort(400, description=_("This history line holds no score that can be put back."))
    try:
        with unit_of_work():
            outcome = save_match(
                edition,
                entry,
                code,
                sheet if state is not MatchState.SCHEDULED else None,
                state,
                actor,
                expected_version=form.version.data,
                submission_key=form.submission_id.data,
            )
    except TournamentRefused as refused:
        names = names_of(edition)
        for problem, where in refused.problems:
            flash(problem_words(problem, where, names), "error")
        return redirect(url_for("entry.match_history", slug=slug), code=303)
    except VersionConflict:
        flash(_("This match changed since the history was shown: nothing was put back. Check it again."), "error")
        return redirect(url_for("entry.match_history", slug=slug), code=303)
    return redirect(url_for("entry.match_saved", slug=slug, code=code, version=outcome.version), code=303)
