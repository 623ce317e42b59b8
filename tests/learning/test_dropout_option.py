"""--dropout P: a dropout layer after each hidden layer of nodes; P = 0 changes nothing; masks follow the seed, not N."""
import json

import pytest

from nnloop.cli import main
from nnloop.errors import NnloopError
from nnloop.files import modelfile
from nnloop.layers.dropout import check_dropout
from nnloop.learning.dropout import gradients_of, with_dropout
from nnloop.learning.training import train
from nnloop.network import Gradients, Network
from nnloop import architecture

from conftest import assert_refused, run_nnloop

XOR = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]


def test_dropout_0_is_no_dropout_exactly():
    a, b = (Network([2, 5, 4, 1], ["tanh", "relu", "sigmoid"], "mse", seed=4) for _ in range(2))
    assert train(a, XOR, 30, 2, 0.5, seed=1) == train(b, XOR, 30, 2, 0.5, seed=1, dropout=0.0)
    assert a.W == b.W and a.B == b.B
    assert with_dropout(a, 0.0) is a


def test_dropout_P_trains_as_dropout_layers_after_the_hidden_layers_would():
    """train(dropout=P) and the same layers placed by hand learn the very same weights."""
    net = Network([2, 5, 4, 1], ["tanh", "relu", "sigmoid"], "mse", seed=4)
    by_hand = architecture.build(architecture.parse("dense5:tanh,dropout0.3,dense4,dropout0.3"), 2, 1, "sigmoid",
                                 "mse", seed=4)
    assert [layer.W for layer in by_hand.layers[1:] if layer.W] == net.W[1:]
    losses = train(net, XOR, 20, 2, 0.5, seed=1, dropout=0.3)
    assert losses == train(by_hand, XOR, 20, 2, 0.5, seed=1)
    assert net.W[1:] == [layer.W for layer in by_hand.layers[1:] if layer.W]
    assert losses != train(Network([2, 5, 4, 1], ["tanh", "relu", "sigmoid"], "mse", seed=4), XOR, 20, 2, 0.5, seed=1)


def test_dropout_P_goes_after_dense_layers_and_flattened_maps_never_the_input_or_output():
    net = architecture.build(architecture.parse("conv2x3,maxpool2,dense6"), (1, 8, 8), 3, seed=0)
    trained = with_dropout(net, 0.5)
    assert [layer.kind for layer in trained.layers[1:]] == ["conv", "maxpool", "flatten", "dropout", "dense",
                                                            "dropout", "dense"]
    g = Gradients(trained)
    view = gradients_of(net, trained, g)
    assert len(view.dW) == net.L + 1 and all(view.dW[k] is g.dW[k + (k >= 4) + (k >= 5)] for k in range(1, 6))


@pytest.mark.parametrize("P", [1.0, -0.1, float("nan"), True])
def test_bad_dropout_is_refused(P):
    with pytest.raises(NnloopError, match=r"must be in \[0, 1\)"):
        check_dropout(P)


def weights(path):
    return [layer.get("W", []) for layer in json.loads(path.read_text())["layers"]]


@pytest.mark.parametrize("options", [["--hidden", "12", "--dropout", "0.4"],
                                     ["--layers", "conv2x5s3,dropout0.2,dense8,dropout0.5"]])
def test_two_workers_train_with_the_masks_of_one_process(tmp_path, small_mnist, options):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for model, workers in ((one, "1"), (two, "2")):
        assert main(["train", *options, "--data", small_mnist, "--epochs", "1", "--batch-size", "16",
                     "--workers", workers, "--reproducible", "-o", str(model)]) == 0
    a, b = list(flatten(weights(one))), list(flatten(weights(two)))  # the same up to the grouping of the sums
    assert a and len(a) == len(b) and max(abs(p - q) for p, q in zip(a, b)) < 1e-12
    history = [json.loads(path.read_text())["training"]["history"][0] for path in (one, two)]
    assert abs(history[0]["loss"] - history[1]["loss"]) < 1e-6
    assert history[0]["test_accuracy"] == history[1]["test_accuracy"]  # the test pass shared too
    one_probe, two_probe = history[0]["mean_abs_dW"], history[1]["mean_abs_dW"]  # and the gradient probe
    assert len(one_probe) == len(two_probe) and max(one_probe) > 0.0
    assert all(abs(p - q) <= 1e-5 * p for p, q in zip(one_probe, two_probe))


def flatten(values):
    for value in values:
        if isinstance(value, list):
            yield from flatten(value)
        else:
            yield value


def test_an_old_dropout_run_resumes_on_its_weights(tmp_path, small_mnist):
    """A --dropout file keeps no dropout layers (the network is what it evaluates as) and resumes."""
    model = tmp_path / "m.json"
    assert main(["train", "--hidden", "8", "--dropout", "0.3", "--data", small_mnist, "--epochs", "1",
                 "-o", str(model)]) == 0
    assert modelfile.load(str(model)).shape_name() == "784-8-10"
    assert main(["train", "--resume", str(model), "--epochs", "2", "--data", small_mnist]) == 0
    assert len(json.loads(model.read_text())["training"]["history"]) == 2


def test_dropout_and_dropout_layers_together_are_refused(tmp_path):
    assert_refused(run_nnloop("train", "--layers", "dense10,dropout0.5", "--dropout", "0.2", "-o",
                              tmp_path / "m.json"), "--dropout 0.2 puts a dropout layer after every hidden layer")
