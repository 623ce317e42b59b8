"""Dropout: P = 0 changes nothing, a fixed mask passes the gradient check, masks follow the seed."""
import pytest

from nnloop.errors import NnloopError
from nnloop.learning.dropout import check_dropout, draw_masks
from nnloop.learning.training import train
from nnloop.network import Gradients, Network, NodeValues
from nnloop.rng import Random

XOR = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]


def test_dropout_0_is_no_dropout_exactly():
    a, b = (Network([2, 5, 4, 1], ["tanh", "relu", "sigmoid"], "mse", seed=4) for _ in range(2))
    assert train(a, XOR, 30, 2, 0.5, seed=1) == train(b, XOR, 30, 2, 0.5, seed=1, dropout=0.0)
    assert a.W == b.W and a.B == b.B


def test_masks_of_P_0_are_all_ones_and_change_nothing():
    """The masked path itself, with every mask 1: the same outputs and gradients bit for bit."""
    net = Network([3, 4, 3, 2], ["sigmoid", "tanh", "softmax"], "cross_entropy", seed=2)
    x, t = [0.5, -1.0, 2.0], [0.0, 1.0]
    plain, masked = NodeValues(net.sizes), NodeValues(net.sizes)
    draw_masks(masked, 0.0, Random(5))
    assert masked.mask[1] == [1.0] * 4 and masked.mask[2] == [1.0] * 3 and masked.mask[3] == []
    g, h = Gradients(net.sizes), Gradients(net.sizes)
    assert net.forward(x, plain) == net.forward(x, masked)
    net.backward(plain, t, g)
    net.backward(masked, t, h)
    assert g.dW == h.dW and g.dB == h.dB


def masked_loss(net, x, t, masks):
    v = NodeValues(net.sizes)
    for k, mask in enumerate(masks):
        v.mask[k], v.F[k] = list(mask), [0.0] * len(mask)
    return net.sample_loss(net.forward(x, v), t)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_gradient_check_passes_with_a_fixed_mask(hidden):
    """Backprop through a fixed mask equals central differences of the loss with that same mask."""
    net = Network([3, 5, 4, 2], [hidden, hidden, "softmax"], "cross_entropy", seed=12)
    x, t = [0.7, -1.3, 0.4], [1.0, 0.0]
    masks = [[], [2.0, 0.0, 2.0, 2.0, 0.0], [0.0, 2.0, 2.0, 2.0], []]  # P = 0.5: dropped 0, kept 1 / (1 - P)
    v = NodeValues(net.sizes)
    for k, mask in enumerate(masks):
        v.mask[k], v.F[k] = list(mask), [0.0] * len(mask)
    g = Gradients(net.sizes)
    net.forward(x, v)
    net.backward(v, t, g)
    assert min(abs(a) for a in v.A[1] + v.A[2]) > 0.1  # far from relu's kink, where differences straddle two slopes
    eps, checked = 1e-6, 0
    for k in range(1, net.L + 1):
        for j in range(net.sizes[k]):
            for i in range(-1, net.sizes[k - 1]):  # i = -1: the bias B[k][j]
                row, n = (net.B[k], j) if i < 0 else (net.W[k][j], i)
                kept = row[n]
                row[n] = kept + eps
                up = masked_loss(net, x, t, masks)
                row[n] = kept - eps
                down = masked_loss(net, x, t, masks)
                row[n] = kept
                numerical = (up - down) / (2 * eps)
                backprop = g.dB[k][j] if i < 0 else g.dW[k][j][i]
                assert abs(backprop - numerical) <= 1e-6 * max(abs(backprop), abs(numerical), 1e-3), (k, j, i)
                checked += 1
    assert checked == 5 * (3 + 1) + 4 * (5 + 1) + 2 * (4 + 1)
    assert [g.dW[2][j][1] for j in range(4)] == [0.0] * 4  # node 1 of layer 1 was dropped: its edges learn nothing
    assert g.dB[2][0] == 0.0 != g.dB[2][1]


def test_masks_come_from_the_seed_and_drop_about_P():
    v, w = NodeValues([2, 1000, 2]), NodeValues([2, 1000, 2])
    draw_masks(v, 0.3, Random(9))
    draw_masks(w, 0.3, Random(9))
    assert v.mask == w.mask
    dropped = v.mask[1].count(0.0)
    assert 250 < dropped < 350 and set(v.mask[1]) == {0.0, 1.0 / 0.7}


@pytest.mark.parametrize("P", [1.0, -0.1, float("nan"), True])
def test_bad_dropout_is_refused(P):
    with pytest.raises(NnloopError, match=r"must be in \[0, 1\)"):
        check_dropout(P)
