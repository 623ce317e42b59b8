"""Network spec files: the shipped examples load, malformed specs are refused with one line."""
import json
import os

import pytest
from conftest import ROOT, assert_refused, run_nnloop

from nnloop.errors import NnloopError
from nnloop.learning.recipe import Recipe
from nnloop.tools import spec

WORKED = os.path.join(ROOT, "data", "examples", "worked-relu.json")


def worked():
    with open(WORKED, encoding="utf-8") as f:
        return json.load(f)


def test_the_worked_example_spec_builds_the_notes_network():
    s = spec.read(WORKED)
    assert s.net.sizes == [3, 2, 1]
    assert s.net.activations == [None, "relu", "identity"] and s.net.loss == "mse"
    assert s.net.W[1] == [[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]] and s.net.W[2] == [[3.0, 2.0]]
    assert (s.x, s.T, s.eta) == ([2.0, 3.0, 1.0], [20.0], 0.001)
    assert s.net.forward(s.x) == [33.0]


def test_the_learning_rate_defaults_to_train_s():
    document = worked()
    del document["learning_rate"]
    assert spec.from_document(document, "x.json").eta == Recipe().eta == 0.1


def broken(change):
    document = worked()
    change(document)
    return document


@pytest.mark.parametrize("change, fragments", [
    (lambda d: d.update(version=3), ["version 3", "\"version\": 1 or 2"]),
    (lambda d: d.update(wieghts=1), ["unknown key 'wieghts'"]),
    (lambda d: d.pop("x"), ["missing 'x'"]),
    (lambda d: d.update(x=[2, 3]), ["\"x\" must be a list of 3 numbers"]),
    (lambda d: d.update(t=[20, 1]), ["\"t\" must be a list of 1 numbers"]),
    (lambda d: d.update(x=[2, "3", 1]), ["\"x\" must hold finite numbers"]),
    (lambda d: d["layers"][0]["W"][1].pop(), ["W[1][1] must hold 3 weights"]),
    (lambda d: d["layers"][1].update(B=[0, 0]), ["B[2] has 2 biases"]),
    (lambda d: d["layers"][0].update(activation="softmax"), ["softmax is for the output layer only"]),
    (lambda d: d["layers"][0].update(activation="relu6"), ["unknown activation 'relu6'"]),
    (lambda d: d.update(sizes=[3, 4, 1]), ["\"sizes\" says [3, 4, 1]", "[3, 2, 1]"]),
    (lambda d: d["layers"][1].update(k=3), ["layer 2 says \"k\": 3"]),
    (lambda d: d.update(learning_rate=0), ["\"learning_rate\": the learning rate eta must be a number > 0", "got 0"]),
    (lambda d: d.update(layers=[]), ["\"layers\" must be a list of objects"]),
])
def test_malformed_specs_are_refused_with_one_line(tmp_path, change, fragments):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(broken(change)))
    with pytest.raises(NnloopError) as refusal:
        spec.read(str(path))
    for fragment in fragments:
        assert fragment in str(refusal.value)
    assert "\n" not in str(refusal.value)


def test_cross_entropy_needs_a_target_that_sums_to_1(tmp_path):
    path = tmp_path / "bad.json"
    document = json.load(open(os.path.join(ROOT, "data", "examples", "softmax-3-4-3.json")))
    document["t"] = [0, 1, 1]
    path.write_text(json.dumps(document))
    assert_refused(run_nnloop("trace", path), "with cross_entropy, \"t\" must be probabilities that sum to 1")


def test_the_cli_refuses_bad_files_and_options_in_one_line(tmp_path):
    assert_refused(run_nnloop("trace", tmp_path / "missing.json"), "no file", "a shipped example by name (")
    (tmp_path / "notes.txt").write_text("A[1][0] = 11\n")
    assert_refused(run_nnloop("gradcheck", tmp_path / "notes.txt"), "is not valid JSON")
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    assert_refused(run_nnloop("trace", tmp_path / "other.json"), "neither a network spec", "nor a model file")
    assert_refused(run_nnloop("trace", WORKED, "--index", 3), "--index", "drop --index")
    assert_refused(run_nnloop("gradcheck", WORKED, "--params", 5), "--params and --digits are for model files")
    assert_refused(run_nnloop("gradcheck", WORKED, "--eps", "-1"), "--eps", "must be a number > 0")
    assert_refused(run_nnloop("vanish", "--depth", "0"), "--depth", "whole number >= 1")
