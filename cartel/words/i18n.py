"""Languages: French by default, English on request (a cookie set by a plain link)."""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations, Translations
from flask import Flask, current_app, request
from flask_babel import Domain, format_date, format_datetime, get_locale
from flask_babel import gettext as _

from cartel.extensions import babel
from cartel.models import Discipline, EntryLink
from cartel.words import labels, numbers, pictures, tournaments, typography

LANGUAGE_COOKIE = "cartel_lang"


def select_locale() -> str:
    """``?lang=`` when given (the live fragments name theirs), else the cookie, else French."""
    config = current_app.config
    asked = request.args.get("lang") if request.query_string else None  # no query string: nothing to parse
    for wanted in (asked, request.cookies.get(LANGUAGE_COOKIE)):
        if wanted is not None and wanted in config["CARTEL_LANGUAGES"]:
            return wanted
    return config["BABEL_DEFAULT_LOCALE"]


def discipline_words(sport: str, category: str) -> str:
    """'Handball masculin' / 'Handball (men)' from a sport's name and a category; open disciplines carry
    the sport's name alone."""
    if category == "men":
        return _("%(sport)s (men)", sport=sport)
    if category == "women":
        return _("%(sport)s (women)", sport=sport)
    return sport


def discipline_name(discipline: Discipline) -> str:
    """A discipline's name in the reader's language."""
    return discipline_words(discipline.sport.name(str(get_locale())), discipline.category.value)


def link_scope(link: EntryLink) -> str:
    """What an entry link lets its holder enter: its discipline, or the matches at its venue."""
    if link.discipline is not None:
        return discipline_name(link.discipline)
    return _("Matches at %(venue)s", venue=link.venue.name if link.venue else "—")


class TypesetDomain(Domain):
    """Flask-Babel's message domain, with French typography (cartel.words.typography) applied once to
    the whole French catalogue when it is loaded: every page, workbook and message follows one rule."""

    def get_translations(self) -> Translations | NullTranslations:
        translations = super().get_translations()
        if str(get_locale()) == "fr" and not getattr(translations, "cartel_typeset", False):
            catalog = translations._catalog  # gettext's own dict: msgid (or (msgid, n)) -> text
            for key, value in list(catalog.items()):
                if key != "" and isinstance(value, str):  # "" is the catalogue's header
                    catalog[key] = typography.french(value)
            translations.cartel_typeset = True  # the rule is idempotent anyway: a race does no harm
        return translations


def init_app(app: Flask) -> None:
    # WTForms' own messages ("This field is required."...) in the page's language: Flask-WTF loads WTForms'
    # catalogue for Flask-Babel's locale (its default, said here because the forms rely on it)
    app.config.setdefault("WTF_I18N_ENABLED", True)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parents[1] / "translations"),
    )
    babel.domain_instance = TypesetDomain()  # in place of Flask-Babel's plain one (a cached property)
    app.jinja_env.filters["points"] = numbers.points
    app.jinja_env.filters["signed_points"] = numbers.signed_points
    app.jinja_env.filters["format_date"] = format_date
    app.jinja_env.filters["format_datetime"] = format_datetime
    app.jinja_env.globals["discipline_name"] = discipline_name
    app.jinja_env.globals["link_scope"] = link_scope
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["sign"] = lambda mark: typography.sign(mark, str(get_locale()))
    app.jinja_env.globals["pictures"] = pictures
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.filters["local_time"] = tournaments.local_time
    app.jinja_env.globals["match_state"] = tournaments.state_words
    app.jinja_env.globals["sub_name"] = tournaments.sub_name
    app.jinja_env.globals["tie_decider"] = tournaments.decider_words
