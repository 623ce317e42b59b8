"""The one exception nnloop raises for bad input from a person.

Its message is a single line that names the problem and the fix; the command
line prints it as `nnloop: error: ...` and exits with status 2, without a
traceback. Anything else escaping is a bug in nnloop.
"""
import math


class NnloopError(ValueError):
    """Bad input: a file, an option or a network description nnloop refuses."""


def read_text(path, kind, fix, unreadable="check the path and its permissions"):
    """The text of the UTF-8 file at path, or an NnloopError in one line.

    kind names the file ("model file", "list of checksums"); fix says what
    to do when it is missing, a directory or not text, unreadable when the
    system refuses to read it.
    """
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise NnloopError(f"no {kind} {path}: {fix}") from None
    except IsADirectoryError:
        raise NnloopError(f"{path} is a directory, not a {kind}: {fix}") from None
    except UnicodeDecodeError:
        raise NnloopError(f"{path} is not UTF-8 text, so not a {kind}: {fix}") from None
    except OSError as e:
        raise NnloopError(f"cannot read {path}: {e.strerror}; {unreadable}") from None


def short(value):
    """repr(value), cut to fit in a one-line message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_numbers(values, where):
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise NnloopError(f"{where} must hold finite numbers, found {short(value)}: replace it with a finite number")
