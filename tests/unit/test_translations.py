"""Every user-facing string has its French translation."""

from babel.messages.pofile import read_po

from cartel import ROOT


def test_french_catalogue_is_complete():
    with open(ROOT / "cartel/translations/fr/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert missing == []
