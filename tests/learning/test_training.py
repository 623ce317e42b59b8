"""Training: SGD drives the loss down and solves problems a linear model cannot."""
import copy
import math

import pytest

from nnloop import Network, NnloopError, Random, train, update_mini_batch
from nnloop.learning.training import run_epoch
from nnloop.network import Gradients

XOR = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]


def two_moons(n, noise, seed):
    """Two interleaved half circles, labels one-hot: no straight line separates them."""
    rng = Random(seed)
    samples = []
    for s in range(n):
        c = s % 2
        a = math.pi * rng.uniform()
        x, y = (math.cos(a), math.sin(a)) if c == 0 else (1.0 - math.cos(a), 0.5 - math.sin(a))
        samples.append(([x + noise * rng.gauss(), y + noise * rng.gauss()], [1.0 - c, float(c)]))
    return samples


def accuracy(net, samples):
    right = 0
    for x, T in samples:
        Y = net.forward(x)
        right += Y.index(max(Y)) == T.index(max(T))
    return right / len(samples)


@pytest.mark.parametrize("batch_size, eta, epochs", [(1, 0.5, 1500), (2, 1.0, 1500), (4, 2.0, 1500)],
                         ids=["online", "minibatch", "full-batch"])
def test_xor_is_solved_in_every_batch_mode(batch_size, eta, epochs):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], "mse", seed=3)
    losses = train(net, XOR, epochs, batch_size, eta, seed=4)
    assert losses[-1] < losses[0] / 10
    assert [round(net.forward(x)[0]) for x, _ in XOR] == [0, 1, 1, 0]


@pytest.mark.parametrize("batch_size, eta, epochs", [(1, 0.05, 60), (10, 0.3, 200), (100, 1.0, 600)],
                         ids=["online", "minibatch", "full-batch"])
def test_two_moons_are_separated_in_every_batch_mode(batch_size, eta, epochs):
    data, unseen = two_moons(100, 0.1, seed=1), two_moons(200, 0.1, seed=2)
    net = Network([2, 16, 16, 2], ["tanh", "tanh", "softmax"], "cross_entropy", seed=1)
    losses = train(net, data, epochs, batch_size, eta, seed=2)
    assert losses[-1] < losses[0] / 20
    assert accuracy(net, data) == 1.0
    assert accuracy(net, unseen) >= 0.97


def test_a_linear_model_cannot_separate_the_two_moons():
    data = two_moons(100, 0.1, seed=1)
    net = Network([2, 2], ["softmax"], "cross_entropy", seed=1)
    train(net, data, 300, 10, 0.5, seed=2)
    assert accuracy(net, data) < 0.9


def test_one_step_moves_every_parameter_by_minus_eta_times_the_mean_gradient():
    net = Network([3, 4, 2], ["relu", "softmax"], "cross_entropy", seed=6)
    batch = [([1.0, 0.5, -0.5], [1.0, 0.0]), ([0.2, -1.0, 0.3], [0.0, 1.0]), ([0.0, 0.0, 1.0], [0.0, 1.0])]
    before = copy.deepcopy(net)
    g = before.gradients(batch)
    update_mini_batch(net, batch, eta=0.1)
    for k in (1, 2):
        for j in range(net.sizes[k]):
            assert net.B[k][j] == pytest.approx(before.B[k][j] - 0.1 * g.dB[k][j], rel=1e-12, abs=1e-15)
            for i in range(net.sizes[k - 1]):
                assert net.W[k][j][i] == pytest.approx(before.W[k][j][i] - 0.1 * g.dW[k][j][i], rel=1e-12, abs=1e-15)


def test_the_same_seed_trains_the_same_network_and_shuffling_depends_on_it():
    data = two_moons(40, 0.1, seed=3)
    nets = [Network([2, 5, 2], ["relu", "softmax"], "cross_entropy", seed=1) for _ in range(3)]
    for net, seed in zip(nets, [7, 7, 8]):
        train(net, data, 3, 4, 0.1, seed=seed)
    assert nets[0].W == nets[1].W
    assert nets[0].W != nets[2].W


def test_every_sample_is_used_once_per_epoch():
    seen = []

    class Recording(list):
        def __getitem__(self, i):
            seen.append(i)
            return list.__getitem__(self, i)

    data = Recording(two_moons(10, 0.1, seed=1))
    net = Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=1)
    run_epoch(net, data, 3, 0.1, Random(5))
    assert sorted(seen) == list(range(10)) and seen != list(range(10))


def test_divergence_stops_with_a_message_that_suggests_a_smaller_learning_rate():
    net = Network([2, 8, 1], ["relu", "identity"], "mse", seed=1)
    data = [([float(i), 1.0], [10.0 * i]) for i in range(10)]
    with pytest.raises(NnloopError, match="diverged.*try a smaller learning rate than 100"):
        train(net, data, 50, 2, 100.0, seed=1)


@pytest.mark.parametrize("epochs, batch_size, eta, message", [
    (0, 1, 0.1, "epochs must be a whole number >= 1"),
    (1, 0, 0.1, "the batch size must be a whole number >= 1"),
    (1, 1, 0.0, "the learning rate eta must be a number > 0"),
    (1, 1, -0.1, "the learning rate eta must be a number > 0"),
    (1, 1, float("nan"), "the learning rate eta must be a number > 0, typically 0.1 to 0.001; got nan"),
])
def test_hyperparameters_that_cannot_work_are_refused(epochs, batch_size, eta, message):
    net = Network([2, 1], ["sigmoid"], "mse")
    with pytest.raises(NnloopError, match=message):
        train(net, XOR, epochs, batch_size, eta)


def test_zero_clears_the_accumulators():
    g = Gradients([2, 3, 1])
    g.dW[1][0][0] = 5.0
    g.dB[2][0] = 1.0
    g.zero()
    assert g.dW == [[], [[0.0, 0.0]] * 3, [[0.0, 0.0, 0.0]]] and g.dB == [[], [0.0] * 3, [0.0]]


def test_a_cosine_run_resumed_past_its_length_holds_its_last_rate():
    from nnloop.learning.schedules import eta_at
    rates = [eta_at("cosine", 0.1, e, E=2) for e in range(4)]  # a 2-epoch run resumed to 4
    assert rates == [0.1, 0.05, 0.05, 0.05]  # never 0, never climbing again
