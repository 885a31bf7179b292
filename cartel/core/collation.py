"""Sorting names as a French reader expects: accents and case aside ("École des Ponts" among the E's,
before "EMINES"; "Échecs" before "Football"), then the name as written to break ties. Pure."""

from __future__ import annotations

import unicodedata


def folded(name: str) -> tuple[str, str]:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold(), name
