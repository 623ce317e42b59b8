"""Convnets as whole networks: backprop against finite differences, the shipped conv examples against a
calculation of their own, model files of both versions, and `nnloop train --layers` end to end.

The layer units alone (Conv2D, MaxPool, AvgPool, Flatten) are tested in test_conv.py and test_pooling.py.
Here they are stacked by nnloop.architecture as `--layers` and spec files stack them.

Kinks: relu has no derivative at 0, and max pooling none where two inputs of a window tie; a finite
difference across either measures a jump. Draws with a relu pre-activation or a pooling window's two
largest values within KINK_MARGIN of each other are skipped (hypothesis.assume), as test_gradients.py does.
"""
import json
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from conftest import ROOT, assert_refused, run_nnloop
from nnloop import architecture
from nnloop.cli import main
from nnloop.files import modelfile
from nnloop.layers.dropout import FIXED_SEED
from nnloop.layers.shapes import node_index
from nnloop.network import NodeValues
from nnloop.rng import Random
from nnloop.tools import spec
from nnloop.tools.gradcheck import check_gradients
from nnloop.tools.trace import trace

ACTIVATIONS = ["identity", "relu", "sigmoid", "tanh"]
KINK_MARGIN = 1e-3
EXAMPLES = os.path.join(ROOT, "data", "examples")


@st.composite
def convnets(draw):
    """A random small convnet over 1 to 3 channels of 3 to 8 pixels a side, a dense head, and 1 or 2 samples.

    Dropout layers may follow the conv, pooling and dense layers (gradcheck fixes their masks)."""
    C, rows, cols = draw(st.integers(1, 3)), draw(st.integers(3, 8)), draw(st.integers(3, 8))
    size = draw(st.integers(1, 3))
    stride, padding = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    loss = draw(st.sampled_from(["mse", "cross_entropy"]))
    out = "softmax" if loss == "cross_entropy" else draw(st.sampled_from(ACTIVATIONS))
    words = [f"conv{draw(st.integers(1, 3))}x{size}s{stride}p{padding}:{draw(st.sampled_from(ACTIVATIONS))}"]
    dropout = st.sampled_from(["", "dropout0.5", "dropout0.25", "dropout0.8"])
    words.append(draw(dropout))
    side = (min(rows, cols) + 2 * padding - size) // stride + 1
    if side >= 2 and draw(st.booleans()):
        words.append(draw(st.sampled_from(["maxpool2", "avgpool2", "maxpool2s1", "avgpool2s1"])))
        words.append(draw(dropout))
    if draw(st.booleans()):
        words.append(f"dense{draw(st.integers(1, 4))}:{draw(st.sampled_from(ACTIVATIONS))}")
        words.append(draw(dropout))
    words = [word for word in words if word]
    n_out = draw(st.integers(2, 3))
    net = architecture.build(architecture.parse(",".join(words)), (C, rows, cols), n_out, out, loss,
                             seed=draw(st.integers(0, 2**32)))
    samples = []
    for _ in range(draw(st.integers(1, 2))):
        x = draw(st.lists(st.floats(-2.0, 2.0), min_size=C * rows * cols, max_size=C * rows * cols))
        if loss == "cross_entropy":
            hot = draw(st.integers(0, n_out - 1))
            T = [1.0 if i == hot else 0.0 for i in range(n_out)]
        else:
            T = draw(st.lists(st.floats(-1.0, 1.0), min_size=n_out, max_size=n_out))
        samples.append((x, T))
    return net, samples


def near_a_kink(net, samples):
    """True if a relu node's A or a max pooling window's two largest inputs are within KINK_MARGIN."""
    v = NodeValues(net)
    for n, (x, _) in enumerate(samples):
        v.draw_masks(Random(FIXED_SEED + n))  # the masks gradcheck fixes
        net.forward(x, v)
        for k in range(1, net.L + 1):
            layer = net.layers[k]
            if layer.activation == "relu" and any(abs(a) < KINK_MARGIN for a in v.A[k]):
                return True
            if layer.kind == "maxpool":
                H = v.H[k - 1]
                # a 0 below relu (or a dropped node's, or the input's) stays 0 under a nudge; an identity's can move
                weighted = [net.layers[j] for j in range(k - 1, 0, -1) if net.layers[j].W]
                zeros_stay = not weighted or weighted[0].activation == "relu"
                for c, y, x_ in [(c, y, x_) for c in range(layer.shape[0]) for y in range(layer.shape[1])
                                 for x_ in range(layer.shape[2])]:
                    window = sorted(H[node_index(layer.in_shape, c, layer.stride * y + u, layer.stride * x_ + w)]
                                    for u in range(layer.size) for w in range(layer.size))
                    # two zeros that stay 0 tie harmlessly; a live value beside a dropped or clamped 0 can cross it
                    if window[-1] - window[-2] < KINK_MARGIN and not (zeros_stay and window[-1] == window[-2] == 0.0):
                        return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(convnets())
def test_backprop_equals_central_differences_on_random_convnets(problem):
    net, samples = problem
    assume(not near_a_kink(net, samples))
    checks = check_gradients(net, samples)
    assert checks and all(check.passes(1e-6) for check in checks), max(checks, key=lambda c: c.error - c.noise)


def by_hand(document):
    """Every A, H, delta, back, dK, dB, dW of the conv-worked example, straight from the formulas of the README.

    1x5x5 input, one 2x2 kernel (stride 1, no padding, relu), 2x2 max pooling at stride 2, flatten, one
    identity output node, mean squared error: written for this example alone, sharing no code with nnloop.
    """
    conv, _, _, dense = document["layers"]
    K, b, X = conv["K"][0][0], conv["B"][0], document["x"][0]
    W, T = dense["W"][0], document["t"][0]
    A1 = [[b + sum(K[u][v] * X[y + u][x + v] for u in range(2) for v in range(2)) for x in range(4)]
          for y in range(4)]
    H1 = [[max(a, 0.0) for a in row] for row in A1]
    H2, argmax = [[0.0] * 2 for _ in range(2)], {}
    for y in range(2):
        for x in range(2):
            window = [(H1[2 * y + u][2 * x + v], (2 * y + u, 2 * x + v)) for u in range(2) for v in range(2)]
            H2[y][x], argmax[y, x] = max(window, key=lambda pair: pair[0])
    H3 = [H2[0][0], H2[0][1], H2[1][0], H2[1][1]]
    Y = sum(W[i] * H3[i] for i in range(4)) + dense["B"][0]
    delta4 = 2 * (Y - T)
    dW4 = [H3[i] * delta4 for i in range(4)]
    back3 = [W[i] * delta4 for i in range(4)]
    back1 = [[0.0] * 4 for _ in range(4)]
    for (y, x), (y1, x1) in argmax.items():
        back1[y1][x1] += back3[2 * y + x]
    delta1 = [[back1[y][x] * (1.0 if A1[y][x] > 0 else 0.0) for x in range(4)] for y in range(4)]
    dK = [[sum(X[y + u][x + v] * delta1[y][x] for y in range(4) for x in range(4)) for v in range(2)]
          for u in range(2)]
    dB1 = sum(map(sum, delta1))
    return {"A1": A1, "H1": H1, "H2": H2, "Y": Y, "loss": (T - Y) ** 2, "delta4": delta4, "dW4": dW4,
            "back1": back1, "delta1": delta1, "dK": dK, "dB1": dB1}


def test_the_conv_worked_example_traces_the_numbers_of_a_calculation_by_hand():
    path = os.path.join(EXAMPLES, "conv-worked.json")
    hand = by_hand(json.load(open(path)))
    s = spec.read(path)
    lines = [line for section in trace(s.net, s.x, s.T, s.eta) for line in section.lines]
    shown = {line.split(" = ")[0]: float(line.rsplit(" = ", 1)[1]) for line in lines
             if " = " in line and line.rsplit(" = ", 1)[1].lstrip("-").replace(".", "").isdigit()}
    for y in range(4):
        for x in range(4):
            assert shown[f"A[1][0][{y}][{x}]"] == hand["A1"][y][x]
            assert shown[f"H[1][0][{y}][{x}]"] == hand["H1"][y][x]
            assert shown[f"delta[1][0][{y}][{x}]"] == hand["delta1"][y][x]
    for y in range(2):
        for x in range(2):
            assert shown[f"H[2][0][{y}][{x}]"] == hand["H2"][y][x]
    assert shown["A[4][0]"] == hand["Y"] and shown["loss"] == hand["loss"]
    assert shown["delta[4][0]"] == hand["delta4"] and [shown[f"dW[4][0][{i}]"] for i in range(4)] == hand["dW4"]
    assert [[shown[f"dK[1][0][0][{u}][{v}]"] for v in range(2)] for u in range(2)] == hand["dK"]
    assert shown["dB[1][0]"] == hand["dB1"]


def test_the_conv_worked_example_numbers_are_what_the_readme_walks_through():
    hand = by_hand(json.load(open(os.path.join(EXAMPLES, "conv-worked.json"))))
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = readme.split("## A convnet, step by step", 1)[1].split("\n## ", 1)[0]
    for fact in (f"Y = {hand['Y']:g}", f"loss {hand['loss']:g}", f"delta[4][0] = {hand['delta4']:g}",
                 f"dB[1][0] = {hand['dB1']:g}"):
        assert fact in section, fact


def test_the_strided_example_is_the_textbooks_layer():
    s = spec.read(os.path.join(EXAMPLES, "conv-strided.json"))
    conv = s.net.layers[1]
    assert (conv.in_shape, conv.shape, conv.size, conv.stride, conv.padding) == ((3, 5, 5), (2, 3, 3), 3, 2, 1)
    assert all(check.passes() for check in check_gradients(s.net, [(s.x, s.T)]))


def test_a_convnet_model_file_round_trips_and_says_its_layers(tmp_path):
    net = architecture.build(architecture.parse("conv2x3p1,maxpool2,dense5:tanh"), (1, 6, 6), 3, seed=4)
    path = tmp_path / "conv.json"
    modelfile.save(net, str(path))
    document = json.loads(path.read_text())
    assert document["version"] == 2 and document["input"] == [1, 6, 6]
    assert [layer["type"] for layer in document["layers"]] == ["conv", "maxpool", "flatten", "dense", "dense"]
    again = modelfile.load(str(path))
    x = [0.1 * i for i in range(36)]
    assert again.forward(x) == net.forward(x) and again.shape_name() == net.shape_name() == "1x6x6-2x6x6-2x3x3-18-5-3"


@pytest.mark.parametrize("change, message", [
    (lambda d: d["layers"][0].update(type="deconv"), 'unknown layer "type" \'deconv\''),
    (lambda d: d["layers"][0].pop("K"), "a conv layer needs 'K'"),
    (lambda d: d["layers"][0]["K"][1][0].pop(), "layer 1: K[1][0] must be a 3x3 grid"),
    (lambda d: d["layers"][1].update(size=9), "maxpool"),
    (lambda d: d["layers"].pop(2), "gives 2x3x3 feature maps: put a flatten layer between them"),
    (lambda d: d.update(input=[1, 5, 6]), "rows of 12 weights"),
])
def test_an_edited_convnet_model_file_is_refused_in_one_line(tmp_path, change, message):
    net = architecture.build(architecture.parse("conv2x3p1,maxpool2"), (1, 6, 6), 3, seed=4)
    path = tmp_path / "conv.json"
    modelfile.save(net, str(path))
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    with pytest.raises(Exception) as refusal:
        modelfile.load(str(path))
    assert message in str(refusal.value) and "damaged" in str(refusal.value) and "\n" not in str(refusal.value)


def test_a_version_1_model_file_still_loads_and_resumes_as_the_run_it_was(tmp_path, small_mnist):
    old = os.path.join(ROOT, "tests", "models", "v1-784-4-10.json")  # written by nnloop before convnets
    assert json.load(open(old))["version"] == 1
    net = modelfile.load(old)
    assert net.sizes == [784, 4, 10] and net.dense()
    resumed, whole = tmp_path / "resumed.json", tmp_path / "whole.json"
    resumed.write_bytes(open(old, "rb").read())
    assert main(["train", "--resume", str(resumed), "--epochs", "4"]) == 0
    assert main(["train", "--hidden", "4", "--limit", "500", "--epochs", "4", "--optimizer", "momentum",
                 "--reproducible", "-o", str(whole)]) == 0
    documents = [json.loads(path.read_text()) for path in (resumed, whole)]
    assert documents[0]["layers"] == documents[1]["layers"]


def test_train_layers_resumes_exactly_and_two_workers_agree(tmp_path, small_mnist):
    options = ["--layers", "conv2x5s3,maxpool2,dense8", "--limit", "60", "--batch-size", "10",
               "--reproducible", "--data", small_mnist]
    whole, part, two = tmp_path / "whole.json", tmp_path / "part.json", tmp_path / "two.json"
    assert main(["train", *options, "--epochs", "2", "-o", str(whole)]) == 0
    assert main(["train", *options, "--epochs", "1", "-o", str(part)]) == 0
    assert main(["train", "--resume", str(part), "--epochs", "2"]) == 0
    assert part.read_bytes() == whole.read_bytes()
    assert main(["train", *options, "--epochs", "1", "--workers", "2", "-o", str(two)]) == 0
    one, other = modelfile.load(str(part)), modelfile.load(str(two))
    assert json.load(open(whole))["training"]["arguments"]["layers"] == "conv2x5s3,maxpool2,dense8"
    assert one.shape_name() == other.shape_name() == "1x28x28-2x8x8-2x4x4-32-8-10"


@pytest.mark.parametrize("layers, fragment", [
    ("conv8", "cannot read 'conv8'; write layers like conv8x5,maxpool2,dense100"),
    ("conv8x5,pool2,dense0", "has a size of 0"),
    ("conv8x5:softmax", "unknown activation 'softmax'"),
    ("maxpool2:relu", "only conv and dense layers have an activation"),
    ("dense10,conv4x3", "needs feature maps"),
    ("conv4x30", "does not fit a 28x28 input"),
])
def test_a_malformed_architecture_is_refused_with_one_line_that_shows_a_correct_one(tmp_path, layers, fragment):
    result = run_nnloop("train", "--layers", layers, "-o", tmp_path / "m.json")
    assert_refused(result, fragment)
    assert not (tmp_path / "m.json").exists()


def test_hidden_and_layers_together_are_refused(tmp_path):
    assert_refused(run_nnloop("train", "--layers", "conv4x5", "--hidden", "10", "-o", tmp_path / "m.json"),
                   "--hidden and --layers")


def test_a_convnet_model_is_reported_traced_gradchecked_and_benched(tmp_path, small_mnist, capsys):
    model, page = tmp_path / "conv.json", tmp_path / "conv.html"
    assert main(["train", "--layers", "conv2x5s3,maxpool2,dense8", "--limit", "40", "--epochs", "1",
                 "--data", small_mnist, "-o", str(model), "--report", str(page)]) == 0
    html = page.read_text()
    assert html.count('class="kernel"') == 2 and "What the kernels of layer 1 look for" in html
    capsys.readouterr()
    assert main(["trace", str(model), "--data", small_mnist]) == 0
    out = capsys.readouterr().out
    assert "Forward, layer 1 (convolution, relu)" in out and "Backward, layer 2 (max pooling)" in out
    assert "128 nodes; the 6 of largest |A[1]| shown" in out  # 2x8x8 maps, shortened past --top
    assert main(["gradcheck", str(model), "--params", "5", "--data", small_mnist]) == 0
    assert "K[1][" in capsys.readouterr().out
    assert main(["bench", "--layers", "conv2x5s3,maxpool2", "--samples", "20", "--json", "--data", small_mnist]) == 0
    measurements = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [m["task"] for m in measurements] == ["train", "infer"]
    assert all(m["layers"] == "conv2x5s3,maxpool2" and m["sizes"] == [784, 128, 32, 32, 10] for m in measurements)


def test_a_convnet_is_drawn(tmp_path):
    result = run_nnloop("draw", os.path.join(EXAMPLES, "conv-worked.json"), "-o", tmp_path / "c.svg")
    assert result.returncode == 0 and "1x5x5-1x4x4-1x2x2-4-1 network" in result.stdout  # tests/tools/test_mapdraw.py
    assert (tmp_path / "c.svg").read_text().count('class="cell"') == 25 + 16 + 4
