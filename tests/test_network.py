"""The network: the worked example, what it refuses, and what it leaves inspectable."""
import copy

import pytest

from nnloop import Network, NnloopError, NodeValues, Gradients


def worked_example():
    """The worked example: x = [2, 3, 1], relu hidden layer, identity output, all biases 0."""
    return Network.with_parameters(
        W=[[], [[3, 1, 2], [-2, -3, -1]], [[3, 2]]], B=[[], [0, 0], [0]],
        activations=["relu", "identity"], loss="mse")


def test_worked_example_forward():
    net = worked_example()
    v = NodeValues(net.sizes)
    assert net.forward([2, 3, 1], v) == [33.0]
    assert v.A[1] == [11.0, -14.0]
    assert v.H[1] == [11.0, 0.0]
    assert net.sample_loss(v.H[2], [20.0]) == 169.0


def test_worked_example_backward_by_hand():
    net = worked_example()
    v, g = NodeValues(net.sizes), Gradients(net.sizes)
    net.forward([2, 3, 1], v)
    net.backward(v, [20.0], g)
    # mean squared error over one node: dL/dy = -2 (t - y) = 26, identity f' = 1
    assert v.delta[2] == [26.0]
    assert g.dW[2] == [[11.0 * 26.0, 0.0 * 26.0]]
    assert g.dB[2] == [26.0]
    # back[1][i] = W[2][0][i] * 26; the relu node that output 0 passes nothing back
    assert v.back[1] == [3.0 * 26.0, 2.0 * 26.0]
    assert v.delta[1] == [78.0, 0.0]
    assert g.dW[1] == [[2.0 * 78.0, 3.0 * 78.0, 1.0 * 78.0], [0.0, 0.0, 0.0]]
    assert g.dB[1] == [78.0, 0.0]


def test_backward_adds_into_the_accumulators():
    net = worked_example()
    v, g = NodeValues(net.sizes), Gradients(net.sizes)
    for _ in range(3):
        net.forward([2, 3, 1], v)
        net.backward(v, [20.0], g)
    assert g.dB[1] == [3 * 78.0, 0.0]


def test_gradients_are_repeatable_and_leave_the_network_untouched():
    net = Network([4, 5, 3], ["sigmoid", "softmax"], "cross_entropy", seed=2)
    samples = [([0.5, -1.0, 0.0, 2.0], [0.0, 1.0, 0.0]), ([1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0])]
    W, B = copy.deepcopy(net.W), copy.deepcopy(net.B)
    first = net.gradients(samples)
    second = net.gradients(samples)
    assert (first.dW, first.dB) == (second.dW, second.dB)
    assert (net.W, net.B) == (W, B)
    # and it is the mean, not the sum
    one = net.gradients(samples[:1])
    two = net.gradients(samples[1:])
    assert first.dB[2] == pytest.approx([(a + b) / 2 for a, b in zip(one.dB[2], two.dB[2])], rel=1e-12)


def test_forward_refuses_an_input_of_the_wrong_length():
    with pytest.raises(NnloopError, match="input has 2 values, the network's layer 0 has 3 nodes"):
        worked_example().forward([1.0, 2.0])


@pytest.mark.parametrize("sizes, activations, loss, message", [
    ([3, 2], ["relu"], "cross_entropy", "cross_entropy needs probabilities from a softmax output layer, not relu"),
    ([3, 2, 2], ["softmax", "softmax"], "cross_entropy", "softmax is for the output layer only"),
    ([3, 1], ["softmax"], "mse", "softmax over 1 output node"),
    ([3, 2], ["relu", "relu"], "mse", "1 layers after the input need 1 activations, got 2"),
    ([3, 2], ["swish"], "mse", "unknown activation 'swish'"),
    ([3, 2], ["relu"], "hinge", "unknown loss 'hinge'"),
    ([3], [], "mse", "sizes must be 2 or more positive integers"),
    ([3, 0, 2], ["relu", "identity"], "mse", "sizes must be 2 or more positive integers"),
    ([3, 2.5, 2], ["relu", "identity"], "mse", "sizes must be 2 or more positive integers"),
])
def test_nonsense_networks_are_refused_when_built(sizes, activations, loss, message):
    with pytest.raises(NnloopError, match=message):
        Network(sizes, activations, loss)


def test_with_parameters_refuses_shapes_that_do_not_fit():
    with pytest.raises(NnloopError, match=r"W\[2\]\[0\] must hold 2 weights"):
        Network.with_parameters(W=[[], [[1, 2], [3, 4]], [[1, 2, 3]]], B=[[], [0, 0], [0]],
                                activations=["relu", "identity"], loss="mse")
    with pytest.raises(NnloopError, match=r"W\[1\] has 2 rows but B\[1\] has 1 biases"):
        Network.with_parameters(W=[[], [[1, 2], [3, 4]]], B=[[], [0]], activations=["relu"], loss="mse")
    with pytest.raises(NnloopError, match=r"B\[1\] must hold finite numbers, found nan"):
        Network.with_parameters(W=[[], [[1, 2]]], B=[[], [float("nan")]], activations=["relu"], loss="mse")


def test_any_number_of_layers_and_nodes():
    net = Network([3, 8, 7, 6, 5, 4], ["relu", "tanh", "sigmoid", "identity", "softmax"], "cross_entropy", seed=0)
    Y = net.forward([0.1, 0.2, 0.3])
    assert len(Y) == 4 and sum(Y) == pytest.approx(1.0)
    assert [len(W_k) for W_k in net.W] == [0, 8, 7, 6, 5, 4]
    assert [len(W_k[0]) for W_k in net.W[1:]] == [3, 8, 7, 6, 5]


def test_mean_abs_dW_is_the_mean_magnitude_per_layer():
    g = Gradients([2, 2, 1])
    g.dW[1] = [[1.0, -3.0], [0.0, 4.0]]
    g.dW[2] = [[-0.5, 0.25]]
    assert g.mean_abs_dW() == [2.0, 0.375]
