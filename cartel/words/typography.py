"""French typography, applied once to the whole French catalogue rather than string by string.

In French, « : ; ! ? » are preceded by a space that never breaks the line from the word before, and the
guillemets hold their words with the same space inside: « comme ceci ». The narrow no-break space
(U+202F) is used throughout, as the Imprimerie nationale's rules allow for all four signs. The rule is
applied to every translated string when the French catalogue is loaded (cartel.words.i18n), so pages,
workbooks and messages follow it, and a new string cannot forget it.
"""

from __future__ import annotations

import re

NARROW_NBSP = "\u202f"
# a sign closing a word (followed by a space, the end, or markup), after the word or after one space
_BEFORE_SIGN = re.compile(r"(?<=[^\s\u202f])[ \u00a0]?([:;!?])(?=[\s<]|$)")
_AFTER_OPENING = re.compile(r"«[ \u00a0]?(?=\S)")
_BEFORE_CLOSING = re.compile(r"(?<=\S)[ \u00a0]?»")


def french(text: str) -> str:
    """``text`` with a narrow no-break space before « : ; ! ? » and inside guillemets; the same text when
    applied again. Times (15:30), addresses (https://, ?lang=) and signs at the start are left alone."""
    text = _BEFORE_SIGN.sub(NARROW_NBSP + r"\1", text)
    text = _AFTER_OPENING.sub("«" + NARROW_NBSP, text)
    return _BEFORE_CLOSING.sub(NARROW_NBSP + "»", text)


def sign(mark: str, locale: str) -> str:
    """A sign that joins a label to what follows (": ", "; "), as the language writes it: in French with
    the narrow no-break space before it. For joins made outside the catalogue (templates, charts)."""
    return (NARROW_NBSP if locale == "fr" and mark in ":;!?" else "") + mark + " "
