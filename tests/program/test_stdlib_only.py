"""nnloop/ imports nothing outside the standard library."""
import ast
import importlib.util
import os
import pathlib
import sys
import sysconfig

PACKAGE = pathlib.Path(__file__).resolve().parent.parent.parent / "nnloop"
STDLIB_DIRS = {os.path.realpath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")}


def is_standard_library(name):
    """True if the top-level module name comes with Python itself."""
    if name in getattr(sys, "stdlib_module_names", ()) or name in sys.builtin_module_names:
        return True
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    origin = os.path.realpath(spec.origin)
    return "site-packages" not in origin and any(origin.startswith(d + os.sep) for d in STDLIB_DIRS)


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, node.module


def test_only_standard_library_imports():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 5
    outside = [f"{path.name}:{line} imports {name}" for path in files for line, name in imported_modules(path)
               if name.split(".")[0] != "nnloop" and not is_standard_library(name.split(".")[0])]
    assert outside == []


def test_the_check_itself_tells_third_party_from_standard_modules(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import pytest\nimport hypothesis.strategies\nfrom os import path\nimport json, math\n")
    assert [name for _, name in imported_modules(bad) if not is_standard_library(name.split(".")[0])] == \
           ["pytest", "hypothesis.strategies"]
