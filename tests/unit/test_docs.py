"""The documentation names files that exist: the README, deploy/ and babel.cfg follow the code when it moves."""

import re

import pytest

from cartel.config import ROOT

DOCUMENTS = [
    "README.md",
    "bench/FAULTS.md",
    "babel.cfg",
    *(p.relative_to(ROOT).as_posix() for p in (ROOT / "deploy").iterdir()),
]
TOP = "cartel|templates|static|migrations|tests|seeds|bench|deploy|scripts|docs"
# a relative path of the repository, as documents write it; URL-like or absolute paths are not ours
PATH = re.compile(rf"(?<![\w/.:-])(?:{TOP})/[\w./*-]*[\w*/]")


def named_paths(document: str) -> list[str]:
    return sorted(set(PATH.findall((ROOT / document).read_text())))


def as_glob(path: str) -> str:
    """babel.cfg's ``cartel/**.py`` as pathlib writes it (``cartel/**/*.py``)."""
    return re.sub(r"\*\*(?!/)", "**/*", path.rstrip("/"))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_a_document_names_exists(document):
    missing = [path for path in named_paths(document) if not any(ROOT.glob(as_glob(path)))]
    assert missing == [], f"{document} names paths that do not exist"


def test_the_check_sees_the_paths_of_the_code_map():
    assert {"cartel/core/", "cartel/write/unit.py", "cartel/read/http_cache.py"} <= set(named_paths("README.md"))
