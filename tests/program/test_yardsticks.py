"""The flat-layout yardstick measures nnloop's own arithmetic: same loops, same order, other lists."""
import importlib.util
import os
import subprocess
import sys

import pytest

from nnloop.network import Gradients, NodeValues
from nnloop.rng import Random
from nnloop.tools.bench import bench_network

from conftest import ROOT, run_nnloop


def flat_maps():
    path = os.path.join(ROOT, "tests", "yardstick", "flat_maps.py")
    spec = importlib.util.spec_from_file_location("flat_maps", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digits(n, rng):
    """n made-up digits: 784 inputs, about half of them 0 as in MNIST's background, one-hot targets."""
    made = []
    for t in range(n):
        x = [max(0.0, rng.gauss()) for i in range(784)]
        made.append((x, [1.0 if c == t % 10 else 0.0 for c in range(10)]))
    return made


@pytest.mark.parametrize("layers", ["conv6x5,maxpool2,conv5x3,maxpool2,dense30",  # kernels not a multiple of 4
                                    "conv4x3:tanh,conv6x3,maxpool3s2,dense20"])  # overlapping windows, no relu
def test_the_flat_layout_gives_nnloops_outputs_and_gradients_bit_for_bit(layers):
    yardstick = flat_maps()
    net = bench_network(None, layers)
    flat_net = yardstick.FlatNetwork(net)
    v, g, g_flat = NodeValues(net), Gradients(net), Gradients(net)
    for x, T in digits(3, Random(5)):
        Y = net.forward(x, v)
        assert flat_net.forward(x) == Y
        net.backward(v, T, g)
        flat_net.backward(T, g_flat)
    for k in range(1, net.L + 1):
        assert g_flat.dB[k] == g.dB[k]
        if net.layers[k].kind == "conv":
            assert flat_net.layers[k].dK == [yardstick.flat(dK_c) for dK_c in g.dW[k]]
            assert any(w != 0.0 for dK_c in flat_net.layers[k].dK for w in dK_c)
        else:
            assert g_flat.dW[k] == g.dW[k]


def test_the_flat_layout_yardstick_says_which_networks_it_cannot_lay_out():
    yardstick = flat_maps()
    assert yardstick.unsupported(bench_network(None, "conv4x3,maxpool2,dense10")) is None
    assert "stride 1 without padding" in yardstick.unsupported(bench_network(None, "conv4x3p1,dense10"))
    assert "no conv layer" in yardstick.unsupported(bench_network(None, "dense10"))


def test_the_flat_layout_trains_nnloops_model_byte_for_byte(tmp_path, small_mnist):
    """`flat_maps.py train` times the README run with flat lists: the same model file, or its time means nothing."""
    script = os.path.join(ROOT, "tests", "yardstick", "flat_maps.py")
    options = ["--data", small_mnist, "--layers", "conv6x5,maxpool2,conv5x3,maxpool2,dense20", "--limit", "40",
               "--batch-size", "8", "--optimizer", "momentum", "--epochs", "2", "--workers", "2", "--reproducible"]
    flat_run = subprocess.run([sys.executable, script, "train", *options, "-o", str(tmp_path / "flat.json")],
                              capture_output=True, text=True, cwd=tmp_path)
    assert flat_run.returncode == 0, flat_run.stderr
    nested_run = run_nnloop("train", *options, "-o", tmp_path / "nested.json")
    assert nested_run.returncode == 0, nested_run.stderr
    assert (tmp_path / "flat.json").read_bytes() == (tmp_path / "nested.json").read_bytes()
    epochs = [[line[:line.rindex("%") + 1] for line in run.stdout.splitlines() if line.startswith("epoch")]
              for run in (flat_run, nested_run)]  # each epoch's loss and accuracies, without its time
    assert epochs[0] == epochs[1] and len(epochs[0]) == 2
