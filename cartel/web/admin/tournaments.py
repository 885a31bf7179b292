"""The tournaments of an edition: which disciplines are played in matches, and each one's format, rules
and draw (pools seeded in a snake from the previous edition's ranking of the discipline)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from cartel.core.collation import folded
from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Rules
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.spec import Spec, suggested
from cartel.extensions import db
from cartel.models import Discipline, Edition, Placement, PlacementMember, ProgrammeEntry, School, Sport, Tournament
from cartel.read.tournaments import read, tournament_of
from cartel.web.admin.base import actor, bp
from cartel.web.admin.editions import edition_or_404
from cartel.web.admin.tournament_forms import DIRECT, TournamentForm, tournament_form
from cartel.words.i18n import discipline_name
from cartel.words.tournaments import problem_words, shape_words
from cartel.write.tournaments import TournamentRefused, remove, set_up
from cartel.write.unit import unit_of_work

TEAM_SPORTS = frozenset(PRESETS)


def entry_or_404(edition: Edition, slug: str) -> ProgrammeEntry:
    entry = db.session.scalar(
        sa.select(ProgrammeEntry)
        .join(Discipline, Discipline.id == ProgrammeEntry.discipline_id)
        .where(ProgrammeEntry.edition_id == edition.id, Discipline.slug == slug)
    )
    return entry or abort(404, description=_("This discipline is not in the programme of the edition."))


def previous_tournament(edition: Edition, entry: ProgrammeEntry) -> Tournament | None:
    return db.session.scalar(
        sa.select(Tournament)
        .join(Edition, Edition.id == Tournament.edition_id)
        .where(Tournament.discipline_id == entry.discipline_id, Edition.year < edition.year)
        .order_by(Edition.year.desc())
        .limit(1)
    )


def ranked(edition: Edition, entry: ProgrammeEntry, schools: list[School]) -> tuple[list[School], int | None]:
    """The schools best first by the latest earlier edition's places in this discipline (the year used),
    those it did not place after them by name."""
    row = db.session.execute(
        sa.select(Edition.id, Edition.year)
        .join(Placement, Placement.edition_id == Edition.id)
        .where(Placement.discipline_id == entry.discipline_id, Edition.year < edition.year)
        .order_by(Edition.year.desc())
        .limit(1)
    ).first()
    places: dict[int, int] = {}
    if row is not None:
        places = {
            school_id: place
            for school_id, place in db.session.execute(
                sa.select(PlacementMember.school_id, Placement.place)
                .join(Placement, Placement.id == PlacementMember.placement_id)
                .where(Placement.edition_id == row.id, Placement.discipline_id == entry.discipline_id)
            )
        }
    order = sorted(schools, key=lambda s: (places.get(s.id, 10_000), folded(s.name)))
    return order, (row.year if row is not None else None)


def sport_names() -> dict[str, str]:
    locale = str(get_locale())
    return {s.slug: s.name(locale) for s in db.session.scalars(sa.select(Sport).where(Sport.slug.in_(PRESETS)))}


@bp.get("/editions/<int:year>/tournaments")
def tournaments(year: int) -> ResponseReturnValue:
    edition = edition_or_404(year)
    rows = []
    for entry in sorted(edition.programme, key=lambda e: e.discipline.programme_key()):
        tournament = tournament_of(entry)
        summary = None
        if tournament is not None:
            standing = read(tournament)
            summary = (shape_words(standing.spec.shape), len(standing.spec.teams), len(standing.matches))
        rows.append((entry, summary))
    return render_template("admin/tournaments.html", edition=edition, rows=rows)


@bp.route("/editions/<int:year>/tournaments/<slug>", methods=["GET", "POST"])
def tournament(year: int, slug: str) -> ResponseReturnValue:
    edition = edition_or_404(year)
    entry = entry_or_404(edition, slug)
    schools = sorted((p.school for p in edition.participations), key=lambda s: folded(s.name))
    existing = tournament_of(entry)
    previous = previous_tournament(edition, entry)
    order, ranked_by = ranked(edition, entry, schools)
    sport = entry.discipline.sport.slug
    form = tournament_form(schools, sport_names())
    base_key = (existing.preset if existing else None) or (previous.preset if previous else None) or sport
    if not form.is_submitted():
        if existing is not None:
            form.preset.data = existing.preset or (sport if sport in PRESETS else "football")
            form.fill_rules(Rules.from_data(existing.rules))
            form.fill_spec(Spec.from_data(existing.spec), schools)
        else:
            form.preset.data = base_key if base_key in PRESETS else "football"
            rules = Rules.from_data(previous.rules) if previous is not None else PRESETS[form.preset.data]
            form.fill_rules(rules)
            shape = Shape.POOLS_THEN_BRACKETS if sport in TEAM_SPORTS else None
            if previous is not None:
                shape = Spec.from_data(previous.spec).shape
            start = suggested([s.slug for s in order], shape or Shape.KNOCKOUT)
            if previous is not None and start.shape is Shape.POOLS_THEN_BRACKETS:
                before = Spec.from_data(previous.spec)
                start = Spec(
                    start.shape, start.pools, start.seeds, before.advance, before.best_of_next, before.consolation_pool
                )
            form.pools.data = max(2, len(start.pools))
            form.fill_spec(start, schools)
            if shape is None:
                form.shape.data = DIRECT
    elif form.apply_preset.data:  # the rules of the chosen preset, the rest as posted
        if form.preset.data in PRESETS:
            form.fill_rules(PRESETS[form.preset.data])
            flash(_("The rules of the preset are filled in below: check them, then save."))
        return page(edition, entry, form, schools, existing, previous, ranked_by)
    elif form.validate():
        problems: list[str] = []
        unpooled = form.unpooled(schools)
        problems += [_("%(school)s has a seed but no pool.", school=s.name) for s in unpooled]
        if not problems:
            spec = form.spec(schools)
            base = PRESETS.get(form.preset.data) or Rules()
            if existing is not None and existing.preset == form.preset.data:
                base = Rules.from_data(existing.rules)
            try:
                with unit_of_work():
                    if spec is None:
                        remove(edition, entry, actor(), submission_key=form.submission_id.data)
                    else:
                        set_up(
                            edition,
                            entry,
                            spec,
                            form.rules(base),
                            actor(),
                            preset=form.preset.data,
                            submission_key=form.submission_id.data,
                        )
            except TournamentRefused as refused:
                names = {s.slug: s.name for s in schools}
                problems += [problem_words(code, where, names) for code, where in refused.problems]
            else:
                if spec is None:
                    flash(_("%(discipline)s: places entered directly.", discipline=discipline_name(entry.discipline)))
                else:
                    flash(
                        _(
                            "%(discipline)s: tournament saved, %(teams)s teams.",
                            discipline=discipline_name(entry.discipline),
                            teams=len(spec.teams),
                        )
                    )
                return redirect(url_for("admin.tournaments", year=year), code=303)
        return page(edition, entry, form, schools, existing, previous, ranked_by, problems, 422)
    status = 422 if form.is_submitted() else 200
    return page(edition, entry, form, schools, existing, previous, ranked_by, status=status)


def page(
    edition: Edition,
    entry: ProgrammeEntry,
    form: TournamentForm,
    schools: list[School],
    existing: Tournament | None,
    previous: Tournament | None,
    ranked_by: int | None,
    problems: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    started = existing is not None and any(m.state.value != "scheduled" for m in existing.matches)
    if request.method == "POST" and not problems and not form.apply_preset.data:
        problems = [f"{field.label.text}: {e}" for field in form for e in field.errors if isinstance(e, str)]
    return render_template(
        "admin/tournament.html",
        edition=edition,
        entry=entry,
        form=form,
        schools=schools,
        existing=existing,
        previous_year=db.session.scalar(sa.select(Edition.year).where(Edition.id == previous.edition_id))
        if previous
        else None,
        ranked_by=ranked_by,
        problems=problems or [],
        started=started,
        tiebreaks=[form[f"tiebreak_{k}"] for k in range(1, 8)],
    ), status
