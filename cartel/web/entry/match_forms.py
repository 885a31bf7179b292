"""The forms of a tournament's courtside entry: a match's score (or a team tie's sub-matches), a forfeit,
and the organiser's decision on a tie the rules leave level."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from cartel.core.tournament.matches import Finish
from cartel.core.tournament.rules import Criterion, Rules, Side
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.ties import SubMatch
from cartel.web.entry.forms import MAX_VERSION, VersionForm
from cartel.web.forms import OnceForm
from cartel.words import labels
from cartel.words.tournaments import race_time

MAX_FIGURE = 9_999  # far above any real score: the rules' own bound says "too high" with its words
SET = re.compile(r"(\d{1,3})\s*[-–:/]\s*(\d{1,3})")


def score_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(0, MAX_FIGURE, message=_l("A score is a whole number from 0 to 9999."))],
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"},
    )


class SubMatchForm(Form):
    """One sub-match of a team tie: its sets as typed ("21-15 18-21 21-19"), or who gave it up."""

    sets = StringField(_l("Sets"), validators=[Length(max=60)], render_kw={"autocomplete": "off", "inputmode": "tel"})
    given_up = SelectField(
        _l("Given up by"),
        choices=[SelectChoice("", "—"), SelectChoice("home", _l("home")), SelectChoice("away", _l("away"))],
        default="",
        validate_choice=True,
    )

    def validate_sets(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        leftover = SET.sub("", text).replace(",", " ").replace(";", " ").strip()
        if leftover:
            raise ValidationError(_("Write each set as 21-15, separated by spaces."))

    def sub_match(self) -> SubMatch:
        sets = tuple((int(a), int(b)) for a, b in SET.findall(self.sets.data or ""))
        return SubMatch(sets, self.given_up.data or None)


class MatchForm(VersionForm):
    """A match's score as the organiser enters it. The pressed button says the state (``state``: final
    or in progress) or a forfeit (``forfeit``: the side that did not play)."""

    home = score_field(_l("Home score"))
    away = score_field(_l("Away score"))
    winner = RadioField(
        _l("Level: won by"),
        choices=[
            SelectChoice("", _l("nobody (a draw)")),
            SelectChoice("home", _l("home")),
            SelectChoice("away", _l("away")),
        ],
        default="",
        validate_choice=True,
    )
    finish = RadioField(
        _l("After"),
        choices=[
            SelectChoice(Finish.EXTRA_TIME.value, _l("extra time")),
            SelectChoice(Finish.SHOOTOUT.value, _l("a shoot-out")),
        ],
        default=Finish.SHOOTOUT.value,
        validate_choice=True,
    )
    home_points = score_field(_l("Home points (all sets)"))
    away_points = score_field(_l("Away points (all sets)"))
    home_tries = score_field(_l("Home tries"))
    away_tries = score_field(_l("Away tries"))
    home_sendings_off = score_field(_l("Home sendings-off"))
    away_sendings_off = score_field(_l("Away sendings-off"))
    home_fair_play = score_field(_l("Home fair-play mark"))
    away_fair_play = score_field(_l("Away fair-play mark"))
    subs = FieldList(FormField(SubMatchForm), min_entries=0)
    state = SelectField(
        choices=[SelectChoice("final", "final"), SelectChoice("in_progress", "in_progress")],
        default="final",
        validate_choice=False,
    )
    forfeit = SelectField(
        choices=[SelectChoice("", ""), SelectChoice("home", "home"), SelectChoice("away", "away")],
        validate_choice=False,
    )
    redraw = BooleanField(_l("Draw the matches concerned again (their scores are removed)"))

    def validate(self, extra_validators=None) -> bool:
        """A score has both sides (0 is typed, never assumed): one left empty is said at its field."""
        valid = super().validate(extra_validators)
        if self.forfeit.data or self.home.errors or self.away.errors or isinstance(self, RaceForm) or self.tie:
            return valid
        if (self.home.data is None) != (self.away.data is None):
            empty = self.home if self.home.data is None else self.away
            empty.errors = [*empty.errors, _("Enter this score too (0 if none).")]
            return False
        return valid

    tie = False  # a team tie's form (its sub-matches stand for the score): set by match_form

    def validate_state(self, field) -> None:
        if field.data not in ("final", "in_progress"):
            raise ValidationError(_("Choose final or in progress."))

    def validate_forfeit(self, field) -> None:
        if field.data not in ("", "home", "away", None):
            raise ValidationError(_("A forfeit is by home or away."))

    def sheet(self, rules: Rules) -> Sheet | None:
        """What was entered, or None when no score was typed (and no forfeit pressed)."""
        forfeit = self.forfeit.data or None
        if forfeit:
            return Sheet(forfeit=forfeit)
        if rules.team_tie:
            subs = tuple(sub.sub_match() for sub in self.subs)
            if all(not s.sets and s.given_up is None for s in subs):
                return None
            return Sheet(subs=subs)
        if self.home.data is None and self.away.data is None:
            return None
        winner = self.winner.data or None
        return Sheet(
            self._side("home"),
            self._side("away"),
            winner=winner,
            finish=Finish(self.finish.data) if winner else Finish.REGULAR,
        )

    def _side(self, role: str) -> Side:
        def figure(name: str) -> int:
            return getattr(self, f"{role}_{name}").data or 0

        score = getattr(self, role).data
        mark = getattr(self, f"{role}_fair_play").data
        return Side(score or 0, 0, figure("points"), figure("sendings_off"), mark, figure("tries"))

    def fill(self, sheet: Sheet | None, rules: Rules) -> None:
        """Show a saved score."""
        subs = sheet.subs if sheet is not None else ()
        while len(self.subs) < len(rules.team_tie):
            index = len(self.subs)
            sub = subs[index] if index < len(subs) else SubMatch()
            self.subs.append_entry({"sets": " ".join(f"{a}-{b}" for a, b in sub.sets), "given_up": sub.given_up or ""})
        if sheet is None or sheet.forfeit is not None:
            return
        for role, side in (("home", sheet.home), ("away", sheet.away)):
            getattr(self, role).data = side.score
            getattr(self, f"{role}_points").data = side.points or None
            getattr(self, f"{role}_tries").data = side.tries or None
            getattr(self, f"{role}_sendings_off").data = side.sendings_off or None
            getattr(self, f"{role}_fair_play").data = side.fair_play
        self.winner.data = sheet.winner or ""
        self.finish.data = sheet.finish.value if sheet.winner else Finish.SHOOTOUT.value


def details_of(rules: Rules) -> list[str]:
    """The figures besides the score that the rules' tie-breaks count: which extra fields the form shows."""
    used = {*rules.order, *rules.across}
    shown = []
    if used & {Criterion.POINTS_DIFFERENCE, Criterion.POINTS_WON, Criterion.POINTS_DIFFERENCE_PER_TEAM}:
        shown.append("points")
    if Criterion.TRIES_SCORED in used:
        shown.append("tries")
    if Criterion.FEWER_SENDINGS_OFF in used:
        shown.append("sendings_off")
    if Criterion.FAIR_PLAY in used:
        shown.append("fair_play")
    return [] if rules.team_tie else shown


def match_form(rules: Rules, **kwargs) -> MatchForm:
    form = MatchForm(**kwargs)
    form.tie = bool(rules.team_tie)
    while len(form.subs) < len(rules.team_tie):
        form.subs.append_entry()
    return form


RACE_TIME = re.compile(r"^(?:(\d{1,2})[:'])?(\d{1,5})(?:[.,](\d{1,2}))?$")


def hundredths(text: str) -> int | None:
    """A time as typed ("1:02.35", "62.35", "62,3", "1'02.35") in hundredths; None when it is not one."""
    found = RACE_TIME.match(text.strip())
    if not found:
        return None
    minutes, seconds, fraction = found.group(1), found.group(2), found.group(3) or "0"
    if minutes is not None and int(seconds) >= 60:
        return None
    return (int(minutes or 0) * 60 + int(seconds)) * 100 + int(fraction.ljust(2, "0"))


def time_text(value: int | None) -> str:
    return "" if value is None else race_time(value)


def check_time(_form, field) -> None:
    if (field.data or "").strip() and hundredths(field.data) is None:
        raise ValidationError(_("Write a time as 1:02.35 (or leave it empty: no time)."))


class RaceForm(MatchForm):
    """A race's times, one field per team of its lanes (``time_<team>``): empty for no time."""

    lanes: tuple[str, ...] = ()

    def sheet(self, rules: Rules) -> Sheet | None:
        times = tuple((team, hundredths(self[f"time_{team}"].data or "")) for team in self.lanes)
        if all(not (self[f"time_{team}"].data or "").strip() for team in self.lanes):
            return None
        return Sheet(times=times)

    def fill(self, sheet: Sheet | None, rules: Rules) -> None:
        timed = sheet.timed() if sheet is not None else {}
        for team in self.lanes:
            self[f"time_{team}"].data = time_text(timed.get(team))


def race_form(lanes: Sequence[str], names: dict[str, str], **kwargs) -> RaceForm:
    class Sized(RaceForm):
        pass

    Sized.lanes = tuple(lanes)
    for team in lanes:
        label = labels.joint(names.get(slug, slug) for slug in team.split("+"))
        setattr(
            Sized,
            f"time_{team}",
            StringField(label, validators=[Length(max=12), check_time], render_kw={"inputmode": "decimal"}),
        )
    return Sized(**kwargs)


class DecisionForm(OnceForm):
    """The organiser's order for teams level on every criterion: a position for each, and the reason."""

    reason = TextAreaField(
        _l("How it was decided"),
        validators=[InputRequired(message=_l("Say how the tie was decided.")), Length(max=300)],
        render_kw={"rows": 2},
    )
    version = IntegerField(validators=[Optional(), NumberRange(0, MAX_VERSION)])


def decision_form(teams: Sequence[str], **kwargs) -> DecisionForm:
    """A decision form with one position select per team (``position_<k>``: the team at position k)."""

    class Sized(DecisionForm):
        pass

    choices = [SelectChoice("", "—"), *(SelectChoice(t, t) for t in teams)]
    for k in range(1, len(teams) + 1):
        setattr(Sized, f"position_{k}", SelectField(str(k), choices=choices, validate_choice=True))
    return Sized(**kwargs)


def order_of(form: DecisionForm, count: int) -> list[str]:
    return [getattr(form, f"position_{k}").data for k in range(1, count + 1)]
