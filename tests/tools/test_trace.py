"""nnloop trace: its numbers against independent calculations and the finite-difference checker."""
import glob
import math
import os
import re

import pytest
from conftest import ROOT, run_nnloop

from nnloop import architecture, cli
from nnloop.files import modelfile
from nnloop.layers.shapes import node_index
from nnloop.network import Network
from nnloop.tools import spec
from nnloop.tools.gradcheck import numerical_derivative
from nnloop.tools.trace import render, trace
from nnloop.tools.values import compute, moved, num

SHIPPED = sorted(glob.glob(os.path.join(ROOT, "data", "examples", "*.json")))
EXAMPLES = [path for path in SHIPPED if not os.path.basename(path).startswith("conv-")]  # the MLPs: by_hand below
WORKED = os.path.join(ROOT, "data", "examples", "worked-relu.json")


def test_all_eight_examples_are_shipped():
    assert [os.path.basename(p) for p in SHIPPED] == ["conv-strided.json", "conv-worked.json", "softmax-3-4-3.json",
                                                      "worked-relu.json", "worked-sigmoid.json", "xor-adam.json",
                                                      "xor-momentum.json", "xor.json"]


def trace_lines(path, top=None):
    s = spec.read(path)
    sections = trace(s.net, s.x, s.T, s.eta, top)
    return s, [line for section in sections for line in section.lines]


def values(lines):
    """{name: the value after the last '=' } for lines 'name = ... = value' that name one node or parameter."""
    found = {}
    for line in lines:
        m = re.match(r"(A|H|delta|back|dB|dW|W|B)((?:\[\d+\])+) = .* = (\S+)$", line)
        if m:
            found[m.group(1) + m.group(2)] = float(m.group(3))
    return found


# An independent calculation, straight from the formulas in the README's notation, for the checks below.
F = {"relu": lambda a: max(a, 0.0), "sigmoid": lambda a: 1 / (1 + math.exp(-a)), "tanh": math.tanh,
     "identity": lambda a: a}
DF = {"relu": lambda a: 1.0 if a > 0 else 0.0, "sigmoid": lambda a: F["sigmoid"](a) * (1 - F["sigmoid"](a)),
      "tanh": lambda a: 1 - math.tanh(a) ** 2, "identity": lambda a: 1.0}


def by_hand(W, B, activations, loss, x, T):
    """{name: value} of every A, H, delta, back, dB, dW of one sample, computed from the formulas."""
    L, H, A, out = len(W) - 1, [x], [[]], {}
    for k in range(1, L + 1):
        A.append([B[k][j] + sum(W[k][j][i] * H[k - 1][i] for i in range(len(H[k - 1])))
                  for j in range(len(W[k]))])
        if activations[k] == "softmax":
            e = [math.exp(a) for a in A[k]]
            H.append([v / sum(e) for v in e])
        else:
            H.append([F[activations[k]](a) for a in A[k]])
    Y, N = H[L], len(H[L])
    if loss == "cross_entropy":
        delta = [Y[j] - T[j] for j in range(N)]
    else:
        delta = [DF[activations[L]](A[L][j]) * -2 / N * (T[j] - Y[j]) for j in range(N)]
    for k in range(L, 0, -1):
        for j, d in enumerate(delta):
            out[f"delta[{k}][{j}]"] = out[f"dB[{k}][{j}]"] = d
            for i, h in enumerate(H[k - 1]):
                out[f"dW[{k}][{j}][{i}]"] = h * d
        if k > 1:
            back = [sum(W[k][j][i] * delta[j] for j in range(len(delta))) for i in range(len(H[k - 1]))]
            out.update({f"back[{k - 1}][{i}]": b for i, b in enumerate(back)})
            delta = [DF[activations[k - 1]](A[k - 1][i]) * back[i] for i in range(len(back))]
    for k in range(1, L + 1):
        out.update({f"A[{k}][{j}]": a for j, a in enumerate(A[k])})
        out.update({f"H[{k}][{j}]": h for j, h in enumerate(H[k])})
    return out


def close(a, b):
    return abs(a - b) <= 1e-5 * max(abs(a), abs(b)) + 1e-12  # the trace prints 6 significant digits


def test_the_worked_example_trace_shows_11_minus_14_33_and_loss_169():
    _, lines = trace_lines(WORKED)
    assert ("A[1][0] = B[1][0] + W[1][0][0]*H[0][0] + W[1][0][1]*H[0][1] + W[1][0][2]*H[0][2] "
            "= 0 + 3*2 + 1*3 + 2*1 = 11") in lines
    assert ("A[1][1] = B[1][1] + W[1][1][0]*H[0][0] + W[1][1][1]*H[0][1] + W[1][1][2]*H[0][2] "
            "= 0 + (-2)*2 + (-3)*3 + (-1)*1 = -14") in lines
    assert "H[1][0] = relu(A[1][0]) = relu(11) = 11" in lines
    assert "H[1][1] = relu(A[1][1]) = relu(-14) = 0" in lines
    assert "A[2][0] = B[2][0] + W[2][0][0]*H[1][0] + W[2][0][1]*H[1][1] = 0 + 3*11 + 2*0 = 33" in lines
    assert "loss = (1/N) sum_n (T[n] - Y[n])^2 = ((20 - 33)^2) / 1 = 169" in lines
    assert "dW[2][0][0] = H[1][0]*delta[2][0] = 11*26 = 286" in lines
    assert "back[1][1] = W[2][0][1]*delta[2][0] = 2*26 = 52" in lines
    assert "delta[1][1] = relu'(A[1][1])*back[1][1] = relu'(-14)*52 = 0*52 = 0" in lines
    assert "W[2][0][0] = W[2][0][0] - eta*dW[2][0][0] = 3 - 0.001*286 = 2.714" in lines


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_every_value_in_the_trace_matches_an_independent_calculation(path):
    s, lines = trace_lines(path)
    shown = values(lines)
    expected = by_hand(s.net.W, s.net.B, s.net.activations, s.net.loss, s.x, s.T)
    for name, value in expected.items():
        assert name in shown, name
        assert close(shown[name], value), (name, shown[name], value)


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_the_traced_gradients_match_finite_differences(path):
    s, lines = trace_lines(path)
    shown = values(lines)
    for k in range(1, s.net.L + 1):
        for j in range(s.net.sizes[k]):
            numerical = numerical_derivative(s.net, [(s.x, s.T)], k, j, None)
            assert abs(shown[f"dB[{k}][{j}]"] - numerical) < 1e-5 * max(1.0, abs(numerical))
            for i in range(s.net.sizes[k - 1]):
                numerical = numerical_derivative(s.net, [(s.x, s.T)], k, j, i)
                assert abs(shown[f"dW[{k}][{j}][{i}]"] - numerical) < 1e-5 * max(1.0, abs(numerical))


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_the_step_moves_every_parameter_by_eta_times_its_gradient_and_lowers_the_loss(path):
    s, lines = trace_lines(path)
    before = [[row[:] for row in W_k] for W_k in s.net.W]
    step = [line for line in lines if re.match(r"[WB](\[\d+\])+ = ", line)]
    assert len(step) == sum(s.net.sizes[k] * (s.net.sizes[k - 1] + 1) for k in range(1, s.net.L + 1))
    shown, grads = values(step), values(lines)
    for k in range(1, s.net.L + 1):
        for j in range(s.net.sizes[k]):
            for i in range(s.net.sizes[k - 1]):
                want = s.net.W[k][j][i] - s.eta * grads[f"dW[{k}][{j}][{i}]"]
                assert close(shown[f"W[{k}][{j}][{i}]"], want)
            assert close(shown[f"B[{k}][{j}]"], s.net.B[k][j] - s.eta * grads[f"dB[{k}][{j}]"])
    assert s.net.W == before  # the step was taken on a copy
    loss_before, loss_after = map(float, re.search(r"loss = (\S+) before the step, (\S+) after", lines[-1]).groups())
    assert loss_after < loss_before


def test_the_trace_shows_a_broken_engine_not_a_recalculation(monkeypatch):
    s = spec.read(WORKED)
    real_backward = Network.backward

    def backward_with_a_bug(self, v, T, g):
        real_backward(self, v, T, g)
        g.dW[2][0][0] += 1.0

    monkeypatch.setattr(Network, "backward", backward_with_a_bug)
    lines = [line for section in trace(s.net, s.x, s.T, s.eta) for line in section.lines]
    assert "dW[2][0][0] = H[1][0]*delta[2][0] = 11*26 = 287" in lines


def mnist_model(tmp_path):
    path = str(tmp_path / "model.json")
    modelfile.save(Network([784, 12, 10], ["relu", "softmax"], "cross_entropy", seed=2), path)
    return path


def test_a_model_is_traced_on_a_test_digit_with_wide_sums_summarised(tmp_path, small_mnist):
    result = run_nnloop("trace", mnist_model(tmp_path), "--index", 5, "--top", 3, "--data", small_mnist)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "MNIST test digit 5, labelled 1" in out
    assert "A[1][0] = B[1][0] + sum_i W[1][0][i]*H[0][i]   (784 terms; the 3 largest shown)" in out
    zeros = re.search(r"\((\d+) zero terms\)", out).group(1)
    smaller = re.search(r"\((\d+) smaller terms\)", out).group(1)
    assert int(zeros) + int(smaller) + 3 == 784
    assert "W[1][0][783]*H[0][783]" not in out
    full = run_nnloop("trace", mnist_model(tmp_path), "--index", 5, "--full", "--data", small_mnist)
    assert full.returncode == 0, full.stderr
    assert " + W[1][0][782]*H[0][782] + W[1][0][783]*H[0][783] = " in full.stdout
    assert "largest shown" not in full.stdout and len(full.stdout) > 10 * len(out)


def test_markdown_gives_headed_sections_of_code(capsys):
    assert cli.main(["trace", WORKED, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Backprop, step by step: ")
    assert "\n## Forward, layer 1 (relu)\n\n```\nA[1][j] = " in out
    assert out.count("```") == 2 * out.count("\n## ")


def test_render_indents_text_under_titles():
    s = spec.read(WORKED)
    text = render(trace(s.net, s.x, s.T, s.eta))
    assert "\n\nLoss\n  loss = (1/N) sum_n (T[n] - Y[n])^2 = ((20 - 33)^2) / 1 = 169\n" in text


def readme_excerpt(command):
    """The lines the README shows for `$ command`, without the ... that stand for lines left out."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = re.search(r"```\n\$ " + re.escape(command) + r"\n(.*?)```", readme, re.S).group(1)
    return [line for line in block.splitlines() if line != "..."]


def test_the_readme_shows_real_trace_and_gradcheck_output():
    for command in ("nnloop trace data/examples/worked-relu.json", "nnloop gradcheck data/examples/xor.json",
                    "nnloop trace worked-relu"):  # the last: the front page
        result = run_nnloop(*command.split()[1:], cwd=ROOT)
        assert result.returncode == 0, result.stderr
        printed = result.stdout.splitlines()
        excerpt = readme_excerpt(command)
        assert len(excerpt) > 2
        for line in excerpt:
            assert line in printed, line


@pytest.mark.parametrize("path", SHIPPED, ids=os.path.basename)
def test_every_shipped_example_s_step_lowers_its_loss_without_saturating(path):
    """A learner reads a loss that rises after the step, or falls to 0, as a bug: each example's eta is chosen so
    that one step lowers the loss and does not saturate."""
    s = spec.read(path)
    computed = compute(s.net, s.x, s.T, s.eta, s.optimizer)
    assert 0 < computed.loss_after < computed.loss, (computed.loss, computed.loss_after)


def test_trace_json_holds_every_value_the_trace_prints_keyed_by_the_notation(tmp_path):
    import json
    for name in ("worked-relu", "conv-strided", "conv-worked", "xor-adam"):
        result = run_nnloop("trace", name, "--json")
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        values = document["values"]
        text = run_nnloop("trace", name, "--full").stdout
        s = spec.read(name)
        computed = compute(s.net, s.x, s.T, s.eta, s.optimizer)
        L = s.net.L
        assert document["loss"] == computed.loss and document["loss_after"] == computed.loss_after
        assert document["x"] == s.x and document["T"] == s.T and document["eta"] == s.eta
        assert [values[f"A[{L}][{j}]"] for j in range(len(computed.v.A[L]))] == computed.v.A[L]
        for key in [k for k in values if k.startswith(("dW[", "dK[", "dB[", "delta["))][:50]:
            assert key.split("[")[0] in text  # the printed trace names the same quantities
        conv = [k for k in range(1, L + 1) if s.net.layers[k].kind == "conv"]
        for k in conv:
            layer = s.net.layers[k]
            c, c2, u = layer.channels - 1, layer.in_shape[0] - 1, layer.size - 1  # the last weight of the last kernel
            assert f"K[{k}][0][0][0][0]" in values and f"dK[{k}][{c}][{c2}][{u}][{u}]" in values
            assert values[f"dK[{k}][{c}][{c2}][{u}][{u}]"] == computed.g.dW[k][c][layer.weight_index(c2, u, u)]
            assert f"A[{k}][0][0][0]" in values  # feature maps by all their indices
        assert any(key.startswith(("W[", "K[")) for key in document["after"])


# A name of the notation, with its layer and the rest of its indices: "A[1][0][2][3]", "K[4][1][0][1][1]", "W[7][2][5]"
NAME = re.compile(r"\b(A|H|delta|back|mask|K|dK|W|dW|B|dB)\[(\d+)\]((?:\[\d+\])+)")


def test_the_trace_names_each_value_of_the_flat_lists_by_the_notation_s_indices():
    """Node i of a layer of maps is printed as A[k][c][y][x] with (c, y, x) = node_place(shape, i), weight j of a
    kernel as K[k][c][c'][u][v] with (c', u, v) = weight_place(j). Read back at node_index(shape, c, y, x) and
    weight_index(c', u, v), every value the trace prints is the engine's, and every formula of names adds up to
    it, as does the formula with the numbers put in; on maps that are neither square nor one channel, read through
    padding, stride, overlapping pooling windows and a dropout of maps."""
    net = architecture.build(architecture.parse("conv3x3s2p1,maxpool2s1,dropout0.25,conv2x2:tanh,avgpool2s1"),
                             (2, 11, 10), classes=3, loss="mse", seed=7)  # 3x6x5, 3x5x4, 2x4x3, 2x3x2
    x, T, eta = [((7 * i) % 11 - 5) / 4 for i in range(2 * 11 * 10)], [0.0, 1.0, 0.0], 0.1
    computed = compute(net, x, T, eta)
    v, g, stepped = computed.v, computed.g, computed.stepped

    def engine(m):
        """The engine's value of the name NAME matched, read from its flat list (the parameters before the step)."""
        name, k, index = m.group(1), int(m.group(2)), [int(n) for n in re.findall(r"\d+", m.group(3))]
        if name in ("K", "dK", "W", "dW"):
            j = net.layers[k].weight_index(*index[1:]) if name in ("K", "dK") else index[1]
            return (g.dW if name.startswith("d") else net.W)[k][index[0]][j]
        if name in ("B", "dB"):
            return (g.dB if name == "dB" else net.B)[k][index[0]]
        values = v.memory[k].mask if name == "mask" else getattr(v, name)[k]
        return values[node_index(net.shapes[k], *index) if len(index) == 3 else index[0]]

    helpers = {"__builtins__": {}, "max": max, "mean": lambda *a: sum(a) / len(a), "eta": eta}
    checked, added_up = set(), set()
    for section in trace(net, x, T, eta):
        for line in section.lines:
            m = NAME.match(line)
            if not m or m.group(1) not in ("A", "H", "delta", "back", "dK", "K") or m.group(3).count("[") < 3:
                continue
            name, k, index = m.group(1), int(m.group(2)), [int(n) for n in re.findall(r"\d+", m.group(3))]
            *formulas, printed = re.sub(r"  \(.*\)$", "", line).split(" = ")[1:]  # without "  (dropped)" and such
            if name == "K":  # a step: the kernel weight after it
                j = net.layers[k].weight_index(*index[1:])
                assert printed == moved(net.W[k][index[0]][j], stepped.W[k][index[0]][j]), line
            else:
                assert printed == num(engine(m)), line
            checked.add((name, k))
            for formula in formulas:  # "B[1][0] + K[1][0][0][0][0]*H[0][0][0][0]", "0.5 + 1*2", "max(0.1, 0.3)"
                try:
                    result = eval(NAME.sub(lambda n: f"({engine(n)!r})", formula), helpers)
                except (NameError, SyntaxError):  # relu'(A[1][0][2][3]), tanh(A[4][1][0][0]): no sum to check
                    continue
                assert abs(result - float(printed)) <= 1e-4 * max(1.0, abs(result)), (formula, line)  # six digits
                added_up.add((name, k))
    assert checked >= {("A", 1), ("H", 1), ("H", 2), ("H", 3), ("A", 4), ("H", 5), ("delta", 1), ("delta", 4),
                       ("back", 1), ("back", 2), ("back", 3), ("back", 4), ("back", 5), ("dK", 1), ("dK", 4),
                       ("K", 1), ("K", 4)}
    assert checked - added_up == {("H", 1), ("H", 4)}  # f(A): H[1][c][y][x] = relu(A[1][c][y][x]) = relu(0.5) = 0.5


@pytest.mark.parametrize("layers, title", [("dense3", "flatten"), ("maxpool2,dense3", "max pooling"),
                                           ("avgpool2,dense3", "average pooling"),
                                           ("dropout0.5,dense3", "dropout, P = 0.5")])
def test_a_layer_without_parameters_on_the_input_says_it_has_nothing_to_send_back(layers, title):
    net = architecture.build(architecture.parse(layers), (2, 4, 6), classes=2, seed=1)  # flatten first for "dense3"
    sections = trace(net, [0.5] * 48, [1.0, 0.0], 0.1)
    backward = next(section for section in sections if section.title == f"Backward, layer 1 ({title})")
    assert backward.lines == ["layer 0 is the input: nothing below it to learn, nothing sent back"]  # no back[0], no f'


def test_the_readme_s_checking_example_runs_against_nnloop_itself(tmp_path, monkeypatch):
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = re.search(r"\*\*Every value, for a program\.\*\*.*?```python\n(.*?)```", readme, re.S).group(1)
    result = run_nnloop("trace", "worked-relu", "--json")
    (tmp_path / "worked-relu.values.json").write_text(result.stdout)
    monkeypatch.chdir(tmp_path)
    names = {}
    exec(block, names)
    assert names["bad"] == [] and len(names["mine"]) == 2 + 1 + 2 + 1 + 2 + 1 + 6 + 2  # A, delta, dB, dW


def test_the_narration_table_has_a_row_for_every_kind_of_layer():
    from nnloop.layers import KINDS
    from nnloop.tools.trace import NARRATION
    assert set(NARRATION) == set(KINDS)
    assert [kind for kind, row in NARRATION.items() if row.every_node] == ["dense"]
