"""The pure core imports the standard library and itself only, functions included: the import-linter
contracts of `make lint` name the third-party packages we depend on; this test also catches one added later."""

import ast
import sys

from cartel.config import ROOT

CORE = ROOT / "cartel" / "core"


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def outside_the_standard_library(source: str) -> set[str]:
    return {
        name
        for name in imported_modules(source)
        if name.split(".")[0] not in sys.stdlib_module_names and not name.startswith("cartel.core")
    }


def test_the_core_imports_the_standard_library_and_itself_only():
    found = {path.name: outside_the_standard_library(path.read_text()) for path in sorted(CORE.glob("*.py"))}
    assert {name: modules for name, modules in found.items() if modules} == {}


def test_the_check_sees_an_import_inside_a_function():
    planted = "import math\n\n\ndef f():\n    from sqlalchemy import select\n    from cartel.models import Edition\n"
    assert outside_the_standard_library(planted) == {"sqlalchemy", "cartel.models"}
