"""nnloop.errors: NnloopError, the one exception for bad input, and its one-line messages."""
import os
import pathlib

import pytest

from nnloop import NnloopError
from nnloop.errors import check_numbers, read_text, short


def test_nnloop_error_is_a_value_error():
    assert issubclass(NnloopError, ValueError)


def test_read_text_reads_utf8(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text("{\"eta\": 0.1} ✓", encoding="utf-8")
    assert read_text(path, "network spec", "fix it") == "{\"eta\": 0.1} ✓"


@pytest.mark.parametrize("make, message", [
    (lambda p: None, r"^no model file .*m\.json: train one$"),
    (lambda p: os.mkdir(p), r"m\.json is a directory, not a model file: train one$"),
    (lambda p: pathlib.Path(p).write_bytes(b"\xff\xfe\x00"), r"m\.json is not UTF-8 text, so not a model file: train one$"),
])
def test_read_text_says_in_one_line_what_is_wrong_and_the_fix(tmp_path, make, message):
    path = str(tmp_path / "m.json")
    make(path)
    with pytest.raises(NnloopError, match=message):
        read_text(path, "model file", "train one")


def test_short_cuts_long_values_to_60_characters():
    assert short("abc") == "'abc'"
    assert short([1.5]) == "[1.5]"
    long = short(list(range(100)))
    assert len(long) == 60 and long.endswith("...") and long.startswith("[0, 1, 2")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), True, "1.0", None, [1.0]])
def test_check_numbers_refuses_anything_but_finite_numbers(bad):
    check_numbers([1, -2.5, 0.0], "W[0]")
    with pytest.raises(NnloopError, match=r"^W\[0\] must hold finite numbers, found "):
        check_numbers([1.0, bad], "W[0]")
