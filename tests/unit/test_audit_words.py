"""Every audit action the code records has words of its own (the audit trail as it reads:
tests/test_audit_words.py)."""

import re

from cartel import ROOT
from cartel.core.audit import Action
from cartel.words.describe import DESCRIBERS


def test_every_action_the_app_writes_has_its_own_words():
    """Each audit(...) action in the code is described by name, not by the fallback."""
    kinds = "result|edition|adjustment|school|sport|discipline|user|link|match|tournament|embed"
    written = set()
    for path in (ROOT / "cartel").rglob("*.py"):
        if path.name != "describe.py":
            written |= set(re.findall(rf'"((?:{kinds})\.(?!id")[a-z]+)"', path.read_text()))
    assert len(written) >= 20 and written <= set(DESCRIBERS), written - set(DESCRIBERS)


def test_every_action_the_app_records_has_words_of_its_own():
    """A new Action without a sentence would fall back to "Other change: ..." on the audit page."""
    assert [action for action in Action if action not in DESCRIBERS] == []
