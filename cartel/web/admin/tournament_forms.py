"""The form that gives a discipline its tournament: its shape, its rules (from a preset named after the
sport's rulebook, or the previous edition's), and who plays in which pool, seeded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from cartel.core.tournament.fixtures import pool_names
from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Criterion, Decider, MatchPoints, Rules, Side
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.spec import Spec
from cartel.models import School
from cartel.web.forms import OnceForm
from cartel.words.tournaments import criterion_words, decider_words, shape_words

DIRECT = "direct"  # places entered directly, no tournament
TIEBREAKS = 7  # tie-break selects shown
MAX_POOLS = 8


def small_number(label, low: int, high: int, **kw) -> IntegerField:
    return IntegerField(
        label, validators=[InputRequired(), NumberRange(low, high)], render_kw={"inputmode": "numeric", **kw}
    )


class TournamentForm(OnceForm):
    shape = RadioField(_l("Format"), validate_choice=True)
    preset = SelectField(_l("Rules to start from"), validate_choice=True)
    pools = small_number(_l("Pools"), 2, MAX_POOLS)
    advance = small_number(_l("Teams of each pool to the bracket"), 1, 8)
    best_of_next = small_number(_l("Best of the next rank to the bracket too"), 0, MAX_POOLS - 1)
    final_size = small_number(_l("Heats: best times in the final"), 1, 16)
    consolation = RadioField(
        _l("The other teams play"),
        choices=[SelectChoice("bracket", _l("a consolation bracket")), SelectChoice("pool", _l("a consolation pool"))],
        default="bracket",
        validate_choice=True,
    )
    win = small_number(_l("Win"), 0, 10)
    draw = small_number(_l("Draw"), 0, 10)
    loss = small_number(_l("Loss"), 0, 10)
    forfeit = small_number(_l("Forfeit"), 0, 10)
    forfeit_score = small_number(_l("A forfeit is lost"), 1, 200)
    draws = BooleanField(_l("A pool match may end level"))
    decider = SelectField(_l("What the rules leave level is decided by"), validate_choice=True)
    apply_preset = SubmitField(_l("Use these rules"))

    def rules(self, base: Rules) -> Rules:
        """The rules the form says, on top of ``base`` (the preset's or the previous edition's)."""
        chosen = [Criterion(self[f"tiebreak_{k}"].data) for k in range(1, TIEBREAKS + 1) if self[f"tiebreak_{k}"].data]
        tiebreaks = tuple(dict.fromkeys(chosen))  # each once, in the order given
        winner = base.forfeit_won
        return replace(
            base,
            match_points=MatchPoints(self.win.data, self.draw.data, self.loss.data, self.forfeit.data),
            forfeit_won=Side(self.forfeit_score.data, winner.sets, winner.points),
            forfeit_lost=Side(0),
            draws=bool(self.draws.data),
            tiebreaks=(*tiebreaks, Criterion.DECISION),
            decider=Decider(self.decider.data),
        )

    def fill_rules(self, rules: Rules) -> None:
        points = rules.match_points
        self.win.data, self.draw.data, self.loss.data, self.forfeit.data = (
            points.win,
            points.draw,
            points.loss,
            points.forfeit,
        )
        self.forfeit_score.data = rules.forfeit_won.score
        for field in (self.win, self.draw, self.loss, self.forfeit, self.forfeit_score):
            field.raw_data = None  # shown from ``data``, not as it was posted
        self.draws.data = rules.draws
        self.decider.data = rules.decider.value
        shown = [c for c in rules.tiebreaks if c is not Criterion.DECISION]
        for k in range(1, TIEBREAKS + 1):
            self[f"tiebreak_{k}"].data = shown[k - 1].value if k <= len(shown) else ""

    def fill_spec(self, spec: Spec, schools: Sequence[School]) -> None:
        self.shape.data = spec.shape.value
        self.pools.data = max(2, len(spec.pools)) if spec.pools else (self.pools.data or 2)
        self.advance.data = spec.advance if not spec.races else (self.advance.data or 2)
        self.final_size.data = spec.advance if spec.races else (self.final_size.data or 4)
        self.best_of_next.data = spec.best_of_next
        self.consolation.data = "pool" if spec.consolation_pool else "bracket"
        names = pool_names(max(len(spec.pools), 1))
        seeds = [t for pool in spec.pools for t in pool] if spec.pools else list(spec.seeds)
        # a snake's seeds: 1st of each pool, then 2nd... (the order a bracket is drawn in)
        if spec.pools:
            depth = max(len(p) for p in spec.pools)
            seeds = [pool[r] for r in range(depth) for pool in spec.pools if r < len(pool)]
        for school in schools:
            self[f"seed_{school.slug}"].data = seeds.index(school.slug) + 1 if school.slug in seeds else None
            pool = next((names[k] for k, p in enumerate(spec.pools) if school.slug in p), "")
            self[f"pool_{school.slug}"].data = pool

    def spec(self, schools: Sequence[School]) -> Spec | None:
        """The spec the form says; None for places entered directly. Teams without a seed do not play."""
        if self.shape.data == DIRECT:
            return None
        shape = Shape(self.shape.data)
        playing = [s for s in schools if self[f"seed_{s.slug}"].data is not None]
        playing.sort(key=lambda s: (self[f"seed_{s.slug}"].data, s.slug))
        if shape not in (Shape.POOLS_THEN_BRACKETS, Shape.HEATS):
            return Spec(shape, seeds=tuple(s.slug for s in playing))
        names = pool_names(self.pools.data)
        pools = tuple(tuple(s.slug for s in playing if self[f"pool_{s.slug}"].data == name) for name in names)
        if shape is Shape.HEATS:
            return Spec(shape, pools=tuple(p for p in pools if p), advance=self.final_size.data)
        return Spec(
            shape,
            pools=pools,
            advance=self.advance.data,
            best_of_next=self.best_of_next.data,
            consolation_pool=self.consolation.data == "pool",
        )

    def unpooled(self, schools: Sequence[School]) -> list[School]:
        """Schools with a seed but no pool (pools then brackets): each must be in one."""
        if self.shape.data not in (Shape.POOLS_THEN_BRACKETS.value, Shape.HEATS.value):
            return []
        names = set(pool_names(self.pools.data or 2))
        return [
            s for s in schools if self[f"seed_{s.slug}"].data is not None and self[f"pool_{s.slug}"].data not in names
        ]


def tournament_form(schools: Sequence[School], sport_names: dict[str, str], **kwargs) -> TournamentForm:
    """The form with a seed and a pool field per school of the edition, and the tie-break selects."""

    class Sized(TournamentForm):
        pass

    criteria = [SelectChoice("", "—")] + [
        SelectChoice(c.value, criterion_words(c)) for c in Criterion if c not in (Criterion.POINTS, Criterion.DECISION)
    ]
    for k in range(1, TIEBREAKS + 1):
        setattr(Sized, f"tiebreak_{k}", SelectField(str(k), choices=criteria, default="", validate_choice=True))
    pool_choices = [SelectChoice("", "—")] + [SelectChoice(n, n) for n in pool_names(MAX_POOLS)]
    for school in schools:
        setattr(
            Sized,
            f"seed_{school.slug}",
            IntegerField(
                school.name, validators=[Optional(), NumberRange(1, 99)], render_kw={"inputmode": "numeric", "size": 3}
            ),
        )
        setattr(Sized, f"pool_{school.slug}", SelectField(school.name, choices=pool_choices, default=""))
    form = Sized(**kwargs)
    form.shape.choices = [SelectChoice(DIRECT, _l("Places entered directly (no matches)"))] + [
        SelectChoice(s.value, shape_words(s)) for s in Shape
    ]
    form.preset.choices = [SelectChoice(key, sport_names.get(key, key)) for key in sorted(PRESETS)]
    form.decider.choices = [SelectChoice(d.value, decider_words(d)) for d in Decider]
    return form
