"""The audit trail in words: each entry as a sentence in the reader's language, with names, never slugs.

Functions of an audit entry (``action``, ``entity``, ``entity_key``, ``before``, ``after``,
``edition_id``, ``discipline_id``) and of ``Names``, the lookups a page loads once for all its rows; no
database access, only the reader's language. Snapshots are read through cartel.core.audit. An action
this module does not know, or a snapshot of an unexpected shape, still gets a sentence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from babel import Locale
from babel.lists import format_list
from flask_babel import format_date, format_datetime, get_locale, ngettext
from flask_babel import gettext as _

from cartel.core.audit import Action, AdjustmentSnapshot, ResultSnapshot
from cartel.words import labels, numbers
from cartel.words.i18n import discipline_words


@dataclass(frozen=True)
class Names:
    """What the sentences name, by the keys the audit trail stores."""

    schools: Mapping[str, str] = field(default_factory=dict)  # school slug -> name
    disciplines: Mapping[str, str] = field(default_factory=dict)  # discipline slug -> name, reader's language
    discipline_ids: Mapping[int, str] = field(default_factory=dict)  # discipline id -> name
    sports: Mapping[str, str] = field(default_factory=dict)  # sport slug -> name, reader's language
    years: Mapping[int, int] = field(default_factory=dict)  # edition id -> year
    links: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # link id -> (discipline name, label)


@dataclass(frozen=True)
class Description:
    summary: str
    details: tuple[str, ...] = ()


def describe(entry, names: Names) -> Description:
    """One entry in words; never raises (an odd snapshot falls back to a plainer sentence)."""
    describer = DESCRIBERS.get(entry.action) or BY_ENTITY.get(entry.entity) or _other
    try:
        return describer(entry, names)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError):
        return _other(entry, names)


# --- words for values ---------------------------------------------------------------------------

ORDINAL_SUFFIXES = {"en": {"one": "st", "two": "nd", "few": "rd", "other": "th"}, "fr": {"one": "er", "other": "e"}}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th in English; 1er, 2e in French."""
    locale = Locale.parse(str(get_locale()))
    suffixes = ORDINAL_SUFFIXES.get(locale.language)
    return f"{n}{suffixes[locale.ordinal_form(n)]}" if suffixes else f"{n}."


def listed(words) -> str:
    return format_list([str(w) for w in words], locale=str(get_locale()))


def _school(slug, names: Names) -> str:
    return names.schools.get(slug, str(slug))


def _discipline(slug, names: Names) -> str:
    return names.disciplines.get(slug, str(slug))


def _number(value) -> Fraction:
    return Fraction(Decimal(str(value))) if not isinstance(value, str) or "/" not in value else Fraction(value)


def points_words(value) -> str:
    """'10 points', '1 point', '6,67 points'."""
    amount = _number(value)
    count = abs(int(amount)) if amount.denominator == 1 else 2
    return ngettext("%(points)s point", "%(points)s points", count, points=numbers.points(amount))


def places_words(places, names: Names) -> str:
    """'1st IMT Mines Alès, 2nd IMT Mines Albi × Mines Nancy'."""
    if not places:
        return _("no team placed")
    return ", ".join(
        f"{ordinal(int(place))} {labels.joint(_school(s, names) for s in schools)}" for place, schools in places
    )


def result_words(stored, names: Names) -> str:
    """A result as the trail keeps it (cartel.core.audit.ResultSnapshot): its places and its state."""
    snapshot = ResultSnapshot.from_json(stored)
    if snapshot is None:
        return _("nothing recorded")
    places = places_words(snapshot.places, names)
    if snapshot.state:
        return _("%(places)s (%(state)s)", places=places, state=labels.result_state(snapshot.state))
    return places


def change(label: str, before: str, after: str) -> str:
    return _("%(what)s: %(before)s → %(after)s", what=label, before=before, after=after)


def _date(value) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else "—"


def _plain(value) -> str:
    return "—" if value is None or value == "" else str(value)


# --- results --------------------------------------------------------------------------------------


def _result_subject(entry, names: Names) -> dict:
    year, _slash, slug = entry.entity_key.partition("/")
    discipline = names.discipline_ids.get(entry.discipline_id) or _discipline(slug, names)
    return {"discipline": discipline, "year": names.years.get(entry.edition_id, year)}


def _result(sentence: Callable[..., str]) -> Callable[..., Description]:
    def describe_result(entry, names: Names) -> Description:
        summary = sentence(**_result_subject(entry, names), result=result_words(entry.after, names))
        return Description(summary, (_("Before: %(result)s", result=result_words(entry.before, names)),))

    return describe_result


def _result_match(entry, names: Names) -> Description:
    from cartel.words.tournaments import match_name

    cause = getattr(ResultSnapshot.from_json(entry.after), "cause", None) or ""
    subject = _result_subject(entry, names)
    if cause.startswith("decision "):
        made_by = _("the organiser's decision in %(context)s", context=cause.removeprefix("decision "))
    else:
        made_by = match_name(cause)
    return Description(
        _(
            "Places from %(cause)s: %(discipline)s, %(year)s edition — %(result)s",
            cause=made_by,
            result=result_words(entry.after, names),
            **subject,
        ),
        (_("Before: %(result)s", result=result_words(entry.before, names)),),
    )


def _match_saved(entry, names: Names) -> Description:
    from cartel.core.tournament.sheet import Sheet
    from cartel.words.tournaments import match_name, score_words, state_words, team_name

    def words(stored) -> str:
        if not stored:
            return "—"
        sheet = Sheet.from_data(stored["sheet"]) if stored.get("sheet") else None
        teams = _(
            "%(home)s v %(away)s",
            home=team_name(stored.get("home"), names.schools),
            away=team_name(stored.get("away"), names.schools),
        )
        return _(
            "%(teams)s, %(score)s (%(state)s)",
            teams=teams,
            score=score_words(sheet, names.schools, (stored.get("home"), stored.get("away"))),
            state=state_words(str(stored.get("state"))),
        )

    year, _slash, rest = entry.entity_key.partition("/")
    slug, _slash, code = rest.rpartition("/")
    subject = {
        "discipline": names.discipline_ids.get(entry.discipline_id) or _discipline(slug, names),
        "year": names.years.get(entry.edition_id, year),
    }
    details = [_("Before: %(match)s", match=words(entry.before))]
    emptied = (entry.after or {}).get("emptied") or []
    if emptied:
        details.append(_("Drawn again (emptied): %(matches)s", matches=listed(match_name(c) for c in emptied)))
    return Description(
        _(
            "%(match)s saved: %(discipline)s, %(year)s edition — %(result)s",
            match=match_name(code),
            result=words(entry.after),
            **subject,
        ),
        tuple(details),
    )


def _tournament_set_up(entry, names: Names) -> Description:
    from cartel.core.tournament.spec import Spec
    from cartel.words.tournaments import shape_words, team_name

    after = entry.after or {}
    spec = Spec.from_data(after["spec"])
    return Description(
        _(
            "Tournament set up: %(discipline)s, %(year)s edition — %(shape)s, %(count)s matches",
            shape=shape_words(spec.shape),
            count=after.get("matches", "—"),
            **_result_subject(entry, names),
        ),
        tuple(
            _("Pool %(pool)s: %(teams)s", pool=chr(65 + k), teams=listed(team_name(t, names.schools) for t in pool))
            for k, pool in enumerate(spec.pools)
        ),
    )


def _tie_decided(entry, names: Names) -> Description:
    from cartel.words.tournaments import team_name

    after = entry.after or {}
    year, _slash, rest = entry.entity_key.partition("/")
    slug = rest.rpartition("/")[0]
    return Description(
        _(
            "Tie decided in %(context)s: %(discipline)s, %(year)s edition — %(order)s",
            context=after.get("context", "—"),
            discipline=names.discipline_ids.get(entry.discipline_id) or _discipline(slug, names),
            year=names.years.get(entry.edition_id, year),
            order=listed(team_name(t, names.schools) for t in after.get("order") or ()),
        ),
        (_("Reason: %(reason)s", reason=_plain(after.get("reason"))),),
    )


def _result_start(entry, names: Names) -> Description:
    before = labels.result_state(getattr(ResultSnapshot.from_json(entry.before), "state", None) or "pending")
    after = labels.result_state(getattr(ResultSnapshot.from_json(entry.after), "state", None) or "in_progress")
    return Description(
        _("Marked in progress: %(discipline)s, %(year)s edition", **_result_subject(entry, names)),
        (change(_("State"), before, after),),
    )


# --- editions -------------------------------------------------------------------------------------


def _year(entry, names: Names) -> int | str:
    return names.years.get(entry.edition_id, entry.entity_key)


def ranking_words(frozen, names: Names) -> str:
    """A frozen ranking, best first (the trail may keep its rows in any order): '1st IMT Mines Alès
    (10 points), 2nd …'."""
    if not frozen:
        return _("no school ranked")
    frozen = sorted(frozen, key=lambda row: (row[0] is None, row[0] or 0, _school(row[1], names)))
    return ", ".join(
        _(
            "%(rank)s %(school)s (%(points)s)",
            rank=ordinal(int(rank)) if rank is not None else "—",
            school=_school(slug, names),
            points=points_words(points) if points is not None else _("points not known"),
        )
        for rank, slug, points in frozen
    )


def _status(sentence: Callable[..., str]) -> Callable[..., Description]:
    def describe_status(entry, names: Names) -> Description:
        before, after = entry.before or {}, entry.after or {}
        details = [change(_("Status"), labels.edition_status(before["status"]), labels.edition_status(after["status"]))]
        if "frozen" in after:
            details.append(_("Ranking frozen: %(ranking)s", ranking=ranking_words(after["frozen"], names)))
        if "frozen" in before:
            details.append(_("Frozen ranking removed: %(ranking)s", ranking=ranking_words(before["frozen"], names)))
        return Description(sentence(year=_year(entry, names)), tuple(details))

    return describe_status


def _edition_fields(names: Names) -> dict[str, tuple[str, Callable]]:
    return {
        "year": (_("Year"), _plain),
        "number": (_("Number"), _plain),
        "host": (_("Host school"), lambda slug: _school(slug, names) if slug else "—"),
        "start_date": (_("First day"), _date),
        "end_date": (_("Last day"), _date),
        "delegation_count": (_("Number of delegations"), _plain),
        "source": (_("Where these details come from"), _plain),
        "public": (_("Public"), lambda value: _("yes") if value else _("no")),
    }


def _field_changes(fields: dict[str, tuple[str, Callable]], before, after) -> tuple[str, ...]:
    """One line per field: its value when created, its change when changed."""
    if before is None:
        return tuple(
            _("%(what)s: %(value)s", what=label, value=words(after.get(key)))
            for key, (label, words) in fields.items()
            if after.get(key) not in (None, "")
        )
    return tuple(
        change(label, words(before.get(key)), words(after.get(key)))
        for key, (label, words) in fields.items()
        if before.get(key) != after.get(key)
    )


def _edition_saved(entry, names: Names) -> Description:
    year = _year(entry, names)
    fields = _edition_fields(names)
    if entry.before is None:
        fields.pop("year")
        return Description(_("Edition %(year)s created", year=year), _field_changes(fields, None, entry.after))
    return Description(_("Edition %(year)s changed", year=year), _field_changes(fields, entry.before, entry.after))


def _participants(entry, names: Names) -> Description:
    before, after = entry.before or {}, entry.after or {}
    details = []
    if added := [_school(s, names) for s in after if s not in before]:
        details.append(_("Added: %(names)s", names=listed(added)))
    if removed := [_school(s, names) for s in before if s not in after]:
        details.append(_("Removed: %(names)s", names=listed(removed)))
    for slug in after:
        if slug in before and before[slug] != after[slug]:
            label = _("Delegation of %(school)s", school=_school(slug, names))
            details.append(change(label, _plain(before[slug]), _plain(after[slug])))
    summary = _("Participating schools of the %(year)s edition changed", year=_year(entry, names))
    return Description(summary, tuple(details))


def programme_words(value) -> str:
    """An entry of the programme: its weight, and its own points table when it has one."""
    if not isinstance(value, dict):
        return _("weight %(weight)s", weight=numbers.points(_number(value)))
    beyond = _("places past it earn its last value") if value["beyond"] == "last" else _("places past it earn nothing")
    return _(
        "weight %(weight)s, own points table %(points)s, %(beyond)s",
        weight=numbers.points(_number(value["weight"])),
        points=" ".join(numbers.points(_number(p)) for p in value["place_points"]),
        beyond=beyond,
    )


def _programme(entry, names: Names) -> Description:
    before, after = entry.before or {}, entry.after or {}
    details = []
    added = [slug for slug in after if slug not in before]
    if added:
        details.append(_("Added: %(names)s", names=listed(_discipline(s, names) for s in added)))
        plain = {"1", "1.0", "1.00"}
        details += [
            _("%(what)s: %(value)s", what=_discipline(s, names), value=programme_words(after[s]))
            for s in added
            if isinstance(after[s], dict) or str(after[s]) not in plain
        ]
    if removed := [_discipline(s, names) for s in before if s not in after]:
        details.append(_("Removed: %(names)s", names=listed(removed)))
    for slug in after:
        if slug in before and before[slug] != after[slug]:
            details.append(
                change(_discipline(slug, names), programme_words(before[slug]), programme_words(after[slug]))
            )
    return Description(_("Programme of the %(year)s edition changed", year=_year(entry, names)), tuple(details))


def scheme_words(scheme) -> str:
    if not scheme:
        return _("none")
    rule = {
        "shared": _("each tied team gets the points of the shared place"),
        "split": _("the points of the places covered are split equally"),
    }.get(scheme.get("tie_rule"), _plain(scheme.get("tie_rule")))
    return _(
        "%(points)s; %(rule)s; tie-breaks: %(breaks)s",
        points=" ".join(numbers.points(_number(p)) for p in scheme["place_points"]),
        rule=rule,
        breaks=" ".join(str(int(b)) for b in scheme.get("tie_breaks") or []) or _("none"),
    )


def _scheme(entry, names: Names) -> Description:
    year = _year(entry, names)
    if entry.before is None:
        return Description(
            _("Points scheme of the %(year)s edition set", year=year),
            (_("Points per place: %(scheme)s", scheme=scheme_words(entry.after)),),
        )
    return Description(
        _("Points scheme of the %(year)s edition changed", year=year),
        (
            _("Before: %(result)s", result=scheme_words(entry.before)),
            _("After: %(result)s", result=scheme_words(entry.after)),
        ),
    )


# --- penalties and bonuses ------------------------------------------------------------------------


def _adjustment(added: bool) -> Callable[..., Description]:
    def describe_adjustment(entry, names: Names) -> Description:
        snapshot = AdjustmentSnapshot.from_json(entry.after if added else entry.before)
        if snapshot is None:  # nothing stored: the plain sentence describe() falls back to
            return _other(entry, names)
        amount = _number(snapshot.points)
        words = {
            "points": numbers.signed_points(amount),
            "school": _school(snapshot.school, names),
            "year": names.years.get(entry.edition_id, "—"),
        }
        if added:
            summary = (
                _("Penalty added: %(points)s for %(school)s, %(year)s edition", **words)
                if amount < 0
                else _("Bonus added: %(points)s for %(school)s, %(year)s edition", **words)
            )
        else:
            summary = (
                _("Penalty removed: %(points)s for %(school)s, %(year)s edition", **words)
                if amount < 0
                else _("Bonus removed: %(points)s for %(school)s, %(year)s edition", **words)
            )
        return Description(summary, (_("Reason: %(reason)s", reason=_plain(snapshot.reason)),))

    return describe_adjustment


# --- schools, sports, disciplines -----------------------------------------------------------------


def _school_fields() -> dict[str, tuple[str, Callable]]:
    return {
        "slug": (_("Short address (slug)"), _plain),
        "name": (_("Name"), _plain),
        "short_name": (_("Short name"), _plain),
        "city": (_("City"), _plain),
        "country": (_("Country (two-letter code)"), _plain),
        "colours": (_("Colours"), _plain),
    }


def _school_saved(entry, names: Names) -> Description:
    fields = _school_fields()
    after = entry.after or {}
    name = after.get("name") or _school(entry.entity_key, names)
    if entry.before is None:
        fields.pop("slug"), fields.pop("name")
        return Description(_("School created: %(name)s", name=name), _field_changes(fields, None, after))
    return Description(_("School changed: %(name)s", name=name), _field_changes(fields, entry.before, after))


def _sport_created(entry, names: Names) -> Description:
    after = entry.after or {}
    name = after.get("name_en") if str(get_locale()) == "en" else after.get("name_fr")
    kind = _("a contest that is not a sport") if after.get("kind") == "contest" else _("a sport")
    return Description(
        _("Sport created: %(name)s", name=name or names.sports.get(entry.entity_key, entry.entity_key)),
        (_("Kind: %(kind)s", kind=kind),),
    )


def _discipline_created(entry, names: Names) -> Description:
    after = entry.after or {}
    sport = after.get("sport")
    sport_name = names.sports.get(sport, _plain(sport)) if sport is not None else _plain(sport)
    # no category: an open discipline, the sport's name alone
    name = names.disciplines.get(entry.entity_key) or discipline_words(sport_name, after.get("category") or "")
    return Description(_("Discipline created: %(discipline)s", discipline=name))


# --- accounts and entry links ---------------------------------------------------------------------


def role_words(role) -> str:
    return {"admin": _("admin"), "organiser": _("organiser")}.get(role, _plain(role))


def scope_words(slugs, names: Names) -> str:
    """What an account may enter: no discipline listed means every one."""
    return listed(_discipline(s, names) for s in slugs) if slugs else _("the whole programme")


def _user_created(entry, names: Names) -> Description:
    after = entry.after or {}
    details = [_("Role: %(role)s", role=role_words(after.get("role")))]
    if after.get("role") != "admin":
        details.append(_("May enter: %(scope)s", scope=scope_words(after.get("disciplines") or [], names)))
    if after.get("active") is False:
        details.append(_("Inactive"))
    return Description(_("Account created: %(email)s", email=after.get("email") or entry.entity_key), tuple(details))


def _user_updated(entry, names: Names) -> Description:
    before, after = entry.before or {}, entry.after or {}
    details = []
    if before.get("email") != after.get("email"):
        details.append(change(_("Email"), _plain(before.get("email")), _plain(after.get("email"))))
    if before.get("role") != after.get("role"):
        details.append(change(_("Role"), role_words(before.get("role")), role_words(after.get("role"))))
    if before.get("active") != after.get("active"):
        details.append(_("Deactivated") if before.get("active") else _("Reactivated"))
    if sorted(before.get("disciplines") or []) != sorted(after.get("disciplines") or []):
        details.append(
            change(
                _("May enter"),
                scope_words(before.get("disciplines") or [], names),
                scope_words(after.get("disciplines") or [], names),
            )
        )
    if after.get("password"):
        details.append(_("Password changed"))
    email = after.get("email") or entry.entity_key
    return Description(_("Account changed: %(email)s", email=email), tuple(details) or (_("Nothing changed"),))


def _link_subject(entry, names: Names) -> dict:
    """The link's discipline and label: from its snapshot, else from the link itself."""
    snapshot = entry.after or entry.before or {}
    key = entry.entity_key
    known = names.links.get(int(key)) if key.isascii() and key.isdigit() else None
    discipline = (
        (names.disciplines.get(slug) if (slug := snapshot.get("discipline")) is not None else None)
        or names.discipline_ids.get(entry.discipline_id)
        or (_("Matches at %(venue)s", venue=snapshot["venue"]) if snapshot.get("venue") else None)
        or (known[0] if known else "—")
    )
    label = snapshot.get("label") or (known[1] if known else "—")
    return {"discipline": discipline, "label": label, "year": names.years.get(entry.edition_id, "—")}


def _link_created(entry, names: Names) -> Description:
    summary = _("Entry link created for %(discipline)s (%(label)s), %(year)s edition", **_link_subject(entry, names))
    expires = (entry.after or {}).get("expires_at")
    if not expires:
        return Description(summary)
    when = format_datetime(dt.datetime.fromisoformat(expires), "short")
    return Description(summary, (_("Valid until %(when)s (Paris time)", when=when),))


def _link_revoked(entry, names: Names) -> Description:
    return Description(
        _("Entry link revoked: %(discipline)s (%(label)s), %(year)s edition", **_link_subject(entry, names))
    )


# --- anything else --------------------------------------------------------------------------------


def _other(entry, names: Names) -> Description:
    """An action this module has no words for: its code, and which fields changed."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    fields = sorted({*before, *after}, key=str)
    changed = [str(k) for k in fields if before.get(k) != after.get(k)]
    details = (_("Fields changed: %(fields)s", fields=listed(changed)),) if changed else ()
    return Description(_("Other change: %(action)s", action=str(entry.action)), details)


def _result_other(entry, names: Names) -> Description:
    return _result(lambda **words: _("Result changed: %(discipline)s, %(year)s edition — %(result)s", **words))(
        entry, names
    )


DESCRIBERS: dict[Action, Callable[..., Description]] = {
    Action.RESULT_SAVE: _result(lambda **w: _("Result saved: %(discipline)s, %(year)s edition — %(result)s", **w)),
    Action.RESULT_CONFIRM: _result(
        lambda **w: _("Result confirmed final: %(discipline)s, %(year)s edition — %(result)s", **w)
    ),
    Action.RESULT_RESTORE: _result(
        lambda **w: _("Earlier version restored: %(discipline)s, %(year)s edition — %(result)s", **w)
    ),
    Action.RESULT_IMPORT: _result(
        lambda **w: _("Result imported from a file: %(discipline)s, %(year)s edition — %(result)s", **w)
    ),
    Action.RESULT_START: _result_start,
    Action.RESULT_MATCH: _result_match,
    Action.MATCH_SAVE: _match_saved,
    Action.TOURNAMENT_SETUP: _tournament_set_up,
    Action.TOURNAMENT_DECIDE: _tie_decided,
    Action.SCHEDULE_SET: lambda entry, names: Description(
        _(
            "Schedule imported: %(year)s edition — %(count)s matches moved",
            year=names.years.get(entry.edition_id, entry.entity_key),
            count=(entry.after or {}).get("matches", "—"),
        )
    ),
    Action.EMBED_ADD: lambda entry, names: Description(
        _("Site allowed to frame the widgets: %(origin)s", origin=entry.entity_key)
    ),
    Action.EMBED_REMOVE: lambda entry, names: Description(
        _("Site no longer allowed to frame the widgets: %(origin)s", origin=entry.entity_key)
    ),
    Action.TOURNAMENT_REMOVE: lambda entry, names: Description(
        _(
            "Tournament removed, places entered directly: %(discipline)s, %(year)s edition",
            **_result_subject(entry, names),
        )
    ),
    Action.EDITION_OPEN: _status(lambda **w: _("Edition %(year)s opened", **w)),
    Action.EDITION_CLOSE: _status(lambda **w: _("Edition %(year)s closed", **w)),
    Action.EDITION_REOPEN: _status(lambda **w: _("Edition %(year)s reopened", **w)),
    Action.EDITION_CANCEL: _status(lambda **w: _("Edition %(year)s cancelled", **w)),
    Action.EDITION_CREATE: _edition_saved,
    Action.EDITION_UPDATE: _edition_saved,
    Action.EDITION_PARTICIPANTS: _participants,
    Action.EDITION_PROGRAMME: _programme,
    Action.EDITION_SCHEME: _scheme,
    Action.ADJUSTMENT_ADD: _adjustment(added=True),
    Action.ADJUSTMENT_DELETE: _adjustment(added=False),
    Action.SCHOOL_CREATE: _school_saved,
    Action.SCHOOL_UPDATE: _school_saved,
    Action.SPORT_CREATE: _sport_created,
    Action.DISCIPLINE_CREATE: _discipline_created,
    Action.USER_CREATE: _user_created,
    Action.USER_UPDATE: _user_updated,
    Action.LINK_CREATE: _link_created,
    Action.LINK_REVOKE: _link_revoked,
}

# An unknown action on a known kind of thing still names the thing.
BY_ENTITY: dict[str, Callable[..., Description]] = {"result": _result_other}
