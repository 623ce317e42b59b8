"""nnloop.cli.options: the option types the commands share, each a value or one line saying what a good one is."""
import argparse

import pytest

from nnloop import NnloopError
from nnloop.cli import options
from nnloop.cli.options import (architecture, check_layers, layer_sizes, numbers,
                                option_type, positive_int, positive_ints, positive_number)
from nnloop.learning.recipe import SETTINGS

eta = option_type(SETTINGS["eta"])  # --learning-rate, as the table declares it

digit_index = options.test_index  # not imported as test_index: pytest would collect it as a test


@pytest.mark.parametrize("parse, text, value", [
    (positive_int, "32", 32), (positive_ints, "32,64", [32, 64]), (positive_number, "1e-5", 1e-5),
    (eta, "0.1", 0.1), (eta, "1", 1.0), (layer_sizes, "128, 64", [128, 64]), (layer_sizes, "", []),
    (digit_index, "9999", 9999), (numbers(2), "0.5,-1", [0.5, -1.0]),
    (architecture, "conv8x5, pool2,dense100", "conv8x5,pool2,dense100"),
])
def test_a_good_value_is_read(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize("parse, text, message", [
    (positive_int, "0", "must be a whole number >= 1, got '0'"),
    (positive_int, "1.5", "whole number >= 1"),
    (positive_ints, "32,,64", "whole number >= 1, got ''"),
    (positive_number, "inf", "must be a number > 0, like 1e-5"),
    (positive_number, "nan", "must be a number > 0"),
    (eta, "-0.1", r"^the learning rate eta must be a number > 0, typically 0.1 to 0.001; got -0.1$"),
    (eta, "inf", "must be a number > 0"),
    (eta, "0.1.2", "got '0.1.2'"),  # not a number: the refusal shows the text as typed
    (layer_sizes, "100,0", r"hidden layer sizes must be whole numbers >= 1, .*; got \[100, 0\]"),
    (layer_sizes, "\u0661\u0660", "whole numbers >= 1"),  # Arabic-Indic digits: only 0-9, as the help writes
    (digit_index, "-1", "a test digit's index is a whole number from 0 to 9999"),
    (numbers(4), "1,2,3", "needs 4 numbers separated by commas, got '1,2,3'"),
    (numbers(2), "1,inf", "needs 2 numbers"),
    (architecture, "dense0", "has a size of 0"),
])
def test_a_bad_value_is_one_line_saying_what_a_good_one_is(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message) as e:
        parse(text)
    assert "\n" not in str(e.value)
    assert not str(e.value).startswith("--layers")  # argparse names the option itself


def test_check_layers_measures_the_network_before_making_it():
    check_layers("conv8x5,maxpool2,dense100")
    with pytest.raises(NnloopError, match=r"^--layers dense100000000 makes a 1x28x28-784-100000000-10 network"):
        check_layers("dense100000000")
    with pytest.raises(NnloopError, match=r"^--layers conv99999x5 makes .* nodes"):
        check_layers("conv99999x5")
    with pytest.raises(NnloopError, match=r"^--layers dense5000,dense5000,.{37}\.\.\. makes .* \(53 layers\)"):
        check_layers(",".join(["dense5000"] * 50))  # a long string cut short, the network by its ends
