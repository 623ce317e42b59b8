"""Flatten: feature maps H[k-1][c][y][x], already one list, seen as a layer of nodes; delta goes back as it is.

The first three tests moved here from test_pooling.py.
"""
import random

import pytest
from hypothesis import given, strategies as st

from conftest import flat3, maps3, random3
from nnloop import NnloopError
from nnloop.layers.activations import identity
from nnloop.layers.flatten import Flatten
from nnloop.lists import zeros, zeros_like


def run(layer, X):
    A, H, memory = zeros(layer.shape), zeros(layer.shape), layer.new_memory()
    layer.forward(X, A, H, memory)
    return A, H, memory



def test_flatten_lays_out_channels_then_rows_then_columns():
    flat = Flatten((2, 3, 4))
    X = flat3([[[(c, y, x) for x in range(4)] for y in range(3)] for c in range(2)])
    A, H, memory = run(flat, X)
    assert flat.shape == 24 and memory is None and len(H) == 24
    for c in range(2):
        for y in range(3):
            for x in range(4):
                assert H[(c * 3 + y) * 4 + x] == (c, y, x)
    assert A == H


def test_flatten_backward_is_the_inverse_layout():
    flat = Flatten((2, 3, 4))
    delta = [float(i) for i in range(24)]
    back = [-1.0] * 24  # overwritten
    dW, dB = (zeros_like(flat.W), zeros_like(flat.B))
    flat.backward(None, None, None, delta, dW, dB, back, None)
    assert maps3(back, (2, 3, 4)) == [[[float((c * 3 + y) * 4 + x) for x in range(4)] for y in range(3)]
                                      for c in range(2)]
    assert (dW, dB) == ([], [])
    X = random3((2, 3, 4), random.Random(4))
    _, H, _ = run(flat, X)
    flat.backward(X, H, H, H, [], [], back, None)
    assert back == X  # forward then backward of its own output: the input again
    flat.backward(X, H, H, H, [], [], None, None)  # back None: nothing to do


def test_flatten_interface_repr_and_refusals():
    flat = Flatten([8, 12, 12])
    assert repr(flat) == "Flatten 8x12x12 -> 1152"
    assert flat.kind == "flatten" and flat.in_shape == (8, 12, 12) and flat.shape == 1152
    assert (flat.W, flat.B, flat.activation, flat.f) == ([], [], "identity", identity)
    assert zeros(flat.shape) == [0.0] * 1152 and flat.new_memory() is None
    for bad in [(8, 12), 1152, (8, 0, 12), (8, 12, 12.0), None]:
        with pytest.raises(NnloopError, match=r"^flatten in_shape must be a feature-map shape \(channels, rows, "):
            Flatten(bad)


@given(st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4)), st.randoms())
def test_forward_copies_into_its_own_lists_for_any_shape(shape, rnd):
    flat = Flatten(shape)
    X = random3(shape, rnd)
    A, H, _ = run(flat, X)
    assert A == H == X and A is not X and H is not X  # the layer's own lists: the one below may change X
    back = [0.0] * len(X)
    flat.backward(X, A, H, H, [], [], back, None)
    assert back == X and back is not H


def test_flatten_words_files_and_size():
    flat = Flatten((2, 3, 3))
    assert flat.WORD.fullmatch("flatten") and not flat.WORD.fullmatch("flatten2")
    assert Flatten.from_word({}, "tanh") == {"type": "flatten"} == flat.description() == flat.to_document()
    assert Flatten.word(flat.description()) == "flatten"
    assert Flatten.measure({}, (2, 3, 3)) == (18, 0)  # 18 nodes, no weights
    assert repr(Flatten.from_document({"type": "flatten"}, (2, 3, 3))) == repr(flat)
    assert list(flat.parameter_indices()) == [] and flat.WEIGHTS is None and flat.READS_MAPS

