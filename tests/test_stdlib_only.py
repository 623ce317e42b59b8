"""nnloop/ imports nothing outside the standard library."""
import ast
import pathlib
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "nnloop"


def stdlib_names():
    if hasattr(sys, "stdlib_module_names"):  # Python 3.10+
        return set(sys.stdlib_module_names)
    pytest.skip("sys.stdlib_module_names needs Python 3.10+; the newer interpreter in CI runs this")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, node.module


def test_only_standard_library_imports():
    allowed = stdlib_names() | {"nnloop"}
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 5
    outside = [f"{path.name}:{line} imports {name}" for path in files
               for line, name in imported_modules(path) if name.split(".")[0] not in allowed]
    assert outside == []


def test_the_check_itself_catches_a_third_party_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy as np\nfrom os import path\n")
    assert [name for _, name in imported_modules(bad) if name.split(".")[0] not in stdlib_names()] == ["numpy"]
