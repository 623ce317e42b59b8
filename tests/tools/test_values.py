"""nnloop.tools.values: one sample through the engine (compute), its numbers as text (num, factor, moved), and as a
JSON document keyed by the notation, every value what nnloop computed."""
import copy
import json
import math

import pytest
from hypothesis import given, strategies as st

from nnloop import Network, NodeValues, Gradients
from nnloop.architecture import build, parse
from nnloop.layers.dropout import FIXED_SEED
from nnloop.learning.optimizers import Momentum
from nnloop.rng import Random
from nnloop.tools.values import add, compute, factor, moved, num, values


def worked_example():
    return Network.with_parameters(W=[[], [[3, 1, 2], [-2, -3, -1]], [[3, 2]]], B=[[], [0, 0], [0]],
                                   activations=["relu", "identity"], loss="mse")


def test_add_names_each_number_by_its_indices():
    named = {}
    add(named, "K[1]", [[[[1.0, 2.0]]]])
    add(named, "eta", 0.1)
    assert named == {"K[1][0][0][0][0]": 1.0, "K[1][0][0][0][1]": 2.0, "eta": 0.1}


def test_the_worked_example_s_document():
    document = values(worked_example(), [2.0, 3.0, 1.0], [20.0], 0.001, about=["the worked example"])
    named = document["values"]
    assert [named[f"H[0][{i}]"] for i in range(3)] == [2.0, 3.0, 1.0]  # layer 0 is the input x
    assert (named["A[1][0]"], named["A[1][1]"], named["H[1][1]"], named["A[2][0]"]) == (11.0, -14.0, 0.0, 33.0)
    assert (named["delta[2][0]"], named["back[1][0]"], named["back[1][1]"]) == (26.0, 78.0, 52.0)
    assert (named["dW[2][0][0]"], named["dB[1][0]"], named["dW[1][0][1]"]) == (286.0, 78.0, 234.0)
    assert "back[0][0]" not in named  # nothing is sent back into the input
    assert document["loss"] == 169.0 and document["loss_after"] < 169.0
    assert document["after"]["W[2][0][0]"] == pytest.approx(3.0 - 0.001 * 286.0)
    assert document["x"] == [2.0, 3.0, 1.0] and document["T"] == [20.0] and document["eta"] == 0.001
    assert document["optimizer"] == "SGD" and document["about"] == ["the worked example"]
    assert document["network"] == {"loss": "mse", "shapes": [3, 2, 1],
                                   "layers": [{"k": 1, "kind": "dense", "activation": "relu"},
                                              {"k": 2, "kind": "dense", "activation": "identity"}]}
    json.dumps(document)  # JSON-ready as it is


def test_a_convnet_s_values_are_keyed_by_K_and_every_map_index_and_match_the_network():
    net = build(parse("conv2x2,maxpool2"), (1, 4, 4), classes=3, seed=2)
    x = [0.1 * i for i in range(16)]
    T = [0.0, 1.0, 0.0]
    document = values(net, x, T, 0.1)
    named = document["values"]
    v, g = NodeValues(net), Gradients(net)
    net.forward(x, v)
    net.backward(v, T, g)
    # the lists hold a kernel as one list, i = (c'*size + u)*size + v, and a layer's maps as one list,
    # i = (c*rows + y)*cols + x: the keys are the textbook's indices
    assert named["K[1][1][0][1][0]"] == net.layers[1].W[1][2]
    assert named["dK[1][1][0][1][0]"] == g.dW[1][1][2]
    assert named["A[1][1][2][0]"] == v.A[1][15] and named["H[2][1][0][0]"] == v.H[2][1]
    assert named["H[0][0][3][1]"] == x[13]
    assert sorted(name for name in named if name.startswith("A[1][")) == sorted(
        f"A[1][{c}][{y}][{x}]" for c in range(2) for y in range(3) for x in range(3))
    assert document["after"]["K[1][1][0][1][0]"] == net.layers[1].W[1][2] - 0.1 * g.dW[1][1][2]
    assert not any(name.startswith(("W[2]", "K[2]", "B[2]", "W[3]", "B[3]")) for name in named)  # no parameters
    assert named["W[4][2][1]"] == net.layers[4].W[2][1]
    assert document["network"]["shapes"] == [[1, 4, 4], [2, 3, 3], [2, 1, 1], 2, 3]


def test_compute_steps_a_copy_and_leaves_the_network_and_the_optimizer_as_they_were():
    net = worked_example()
    optimizer = Momentum(net, mu=0.9)
    before, state = copy.deepcopy(net.W), copy.deepcopy(optimizer.state)
    computed = compute(net, [2.0, 3.0, 1.0], [20.0], 0.001, optimizer)
    assert net.W == before and optimizer.state == state and optimizer.t == 0
    assert computed.optimizer is not optimizer and computed.optimizer.t == 1
    assert computed.Y == [33.0] and computed.loss == 169.0 and computed.loss_after < 169.0
    # momentum's first step from v = 0 is plain SGD: W - eta*dW
    assert computed.stepped.W[1][0] == [w - 0.001 * dw for w, dw in zip(net.W[1][0], computed.g.dW[1][0])]


def test_compute_drops_the_same_nodes_before_and_after_the_step():
    net = build(parse("dense40,dropout0.5"), 6, classes=3, seed=4)
    x, T = [0.5, -1.0, 2.0, 0.0, 1.5, -0.5], [0.0, 1.0, 0.0]
    computed = compute(net, x, T, 0.01)
    mask = computed.v.memory[2].mask
    assert 0.0 in mask and 2.0 in mask  # a dropout layer of P = 0.5: dropped nodes, kept ones scaled by 2
    assert computed.v.H[2] == [h * m for h, m in zip(computed.v.H[1], mask)]
    after = NodeValues(computed.stepped)
    after.draw_masks(Random(FIXED_SEED))
    assert computed.stepped.sample_loss(computed.stepped.forward(x, after), T) == computed.loss_after
    assert after.memory[2].mask == mask


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_num_writes_a_number_that_reads_back_within_six_digits(x):
    assert math.isclose(float(num(x)), x, rel_tol=1e-5, abs_tol=1e-300)
    assert factor(x) == (f"({num(x)})" if num(x).startswith("-") else num(x))


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
       st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_moved_never_writes_a_changed_value_as_the_old_one(old, new):
    text = moved(old, new)
    assert float(text) == pytest.approx(new, rel=1e-5, abs=1e-300)
    if new != old:
        assert text != num(old)
    else:
        assert text == num(new)
