"""nnloop.command: the command nnloop suggests is the one the user typed, and the interpreter is named."""
import os
import platform
import sys

from nnloop import command

from conftest import ROOT


def test_suggested_commands_are_the_ones_the_user_typed(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/somewhere/bin/nnloop", "train"])
    assert command.name() == "nnloop"
    monkeypatch.setattr(sys, "argv", [os.path.join(ROOT, "nnloop", "__main__.py"), "train"])
    monkeypatch.setattr(sys, "orig_argv", ["pypy3", "-m", "nnloop", "train"], raising=False)
    assert command.name() == "pypy3 -m nnloop"


def test_before_python_3_10_the_interpreter_s_full_path_is_named(monkeypatch):
    monkeypatch.setattr(sys, "argv", [os.path.join(ROOT, "nnloop", "__main__.py")])
    monkeypatch.delattr(sys, "orig_argv", raising=False)
    assert command.name() == f"{sys.executable} -m nnloop"


def test_interpreter_names_the_implementation_and_its_version():
    name = command.interpreter()
    if sys.implementation.name == "pypy":
        assert name.startswith("PyPy ") and name.endswith(f"(Python {platform.python_version()})")
    else:
        assert name == f"CPython {platform.python_version()}"
