"""How the user started nnloop, so that a command it suggests works where they are.

`nnloop` is on the PATH only once nnloop is installed (pip install .); in a
checkout people type `python3 -m nnloop` or `pypy3 -m nnloop`, and a message
that says "continue with: nnloop train ..." would fail there.
"""
import os
import platform
import sys


def name():
    """'nnloop' for the installed command, else the interpreter and '-m nnloop' as the user typed them."""
    if os.path.basename(sys.argv[0]) != "__main__.py":
        return "nnloop"
    # sys.orig_argv (3.10+) holds the interpreter as typed; before it, its full path always works.
    interpreter = getattr(sys, "orig_argv", [sys.executable])[0]
    return f"{interpreter} -m nnloop"


def interpreter():
    """The Python running nnloop, as people name it: 'CPython 3.11.7', 'PyPy 7.3.11 (Python 3.9.16)'."""
    if sys.implementation.name == "pypy":
        v = sys.pypy_version_info
        return f"PyPy {v.major}.{v.minor}.{v.micro} (Python {platform.python_version()})"
    return f"{platform.python_implementation()} {platform.python_version()}"
