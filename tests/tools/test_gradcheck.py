"""nnloop.tools.gradcheck, its parts: parameter names, where a parameter lives, which are checked, relu's kinks and
the refusals. check_gradients against backprop is tests/test_gradients.py; report is test_gradcheck_report.py."""
import pytest

from nnloop import Network, NnloopError
from nnloop.architecture import build, parse
from nnloop.rng import Random
from nnloop.tools.gradcheck import (all_parameters, check_gradients, numerical_derivative, parameter_name,
                                    relu_kinks, sample_parameters, where)


def worked_example():
    return Network.with_parameters(W=[[], [[3, 1, 2], [-2, -3, -1]], [[3, 2]]], B=[[], [0, 0], [0]],
                                   activations=["relu", "identity"], loss="mse")


def test_parameter_names_in_the_notation():
    net = worked_example()
    assert parameter_name(net, 2, 0, 1) == "W[2][0][1]"
    assert parameter_name(net, 2, 0, None) == "B[2][0]"


def test_a_kernel_weight_is_named_by_its_textbook_place_not_its_index_in_the_list():
    net = build(parse("conv4x3"), (2, 5, 5), classes=2)
    assert parameter_name(net, 1, 3, (1 * 3 + 2) * 3 + 1) == "K[1][3][1][2][1]"  # i = (c'*size + u)*size + v
    assert parameter_name(net, 1, 3, None) == "B[1][3]"


def test_where_finds_W_B_and_K():
    W = [[], [[1.0, 2.0, 3.0, 4.0]]]  # one 2x2 kernel over one channel, as one list
    B = [[], [0.5]]
    values, index = where(W, B, 1, 0, 2)  # K[1][0][0][1][0], i = (0*2 + 1)*2 + 0
    assert values[index] == 3.0 and values is W[1][0]
    values, index = where(W, B, 1, 0, None)
    assert values is B[1] and index == 0
    values, index = where([[], [[5.0, 6.0]]], [[], [0.0]], 1, 0, 1)
    assert values[index] == 6.0


def test_all_parameters_lists_every_weight_node_by_node_then_its_bias():
    net = worked_example()
    params = all_parameters(net)
    assert params[:4] == [(1, 0, 0), (1, 0, 1), (1, 0, 2), (1, 0, None)]
    assert params[-3:] == [(2, 0, 0), (2, 0, 1), (2, 0, None)]
    assert len(params) == 2 * 4 + 3


def test_a_convnet_s_parameters_are_its_kernels_and_biases_only():
    net = build(parse("conv2x2,maxpool2,dense3"), (1, 5, 5), classes=2)
    params = all_parameters(net)
    first = [p for p in params if p[0] == 1][:5]
    assert first == [(1, 0, 0), (1, 0, 1), (1, 0, 2), (1, 0, 3), (1, 0, None)]
    assert [parameter_name(net, *p) for p in first] == ["K[1][0][0][0][0]", "K[1][0][0][0][1]", "K[1][0][0][1][0]",
                                                        "K[1][0][0][1][1]", "B[1][0]"]
    assert {p[0] for p in params} == {1, 4, 5}  # pooling (2) and flatten (3) have none
    assert len(params) == 2 * (4 + 1) + 3 * (8 + 1) + 2 * (3 + 1)


def test_the_worked_example_s_numerical_derivative_is_H_times_delta():
    # dLoss/dW[2][0][0] = H[1][0] * delta[2][0] = 11 * 26 (tests/test_network.py works it by hand)
    assert numerical_derivative(worked_example(), [([2, 3, 1], [20.0])], 2, 0, 0) == pytest.approx(286.0, rel=1e-8)


def test_sample_parameters_keeps_small_layers_whole_and_is_seeded():
    net = Network([6, 5, 2], ["relu", "softmax"], "cross_entropy", seed=0)
    chosen = sample_parameters(net, 4, Random(3))
    assert [p for p in chosen if p[0] == 1] == sorted(p for p in chosen if p[0] == 1)  # in order
    assert len([p for p in chosen if p[0] == 1]) == 4
    assert len([p for p in chosen if p[0] == 2]) == 4
    assert chosen == sample_parameters(net, 4, Random(3))
    assert sample_parameters(net, 100, Random(3)) == all_parameters(net)


def test_relu_kinks_are_the_relu_nodes_near_0():
    net = Network.with_parameters(W=[[], [[1.0, -1.0], [1.0, 1.0]], [[1.0, 1.0]]], B=[[], [0.0, 0.0], [0.0]],
                                  activations=["relu", "identity"], loss="mse")
    # A[1][0] = 0.5 - 0.5 = 0: on the kink; A[1][1] = 1; the identity output is never a kink
    assert relu_kinks(net, [([0.5, 0.5], [0.0])], margin=1e-3) == [(1, 0, 0, 0.0)]
    assert relu_kinks(net, [([0.9, 0.5], [0.0])], margin=1e-3) == []


def test_relu_kinks_in_feature_maps_name_the_node_by_c_y_x():
    net = build(parse("conv2x1"), (1, 2, 2), classes=2)
    conv = net.layers[1]
    conv.K[0][0], conv.K[1][0], conv.B[:] = 1.0, -1.0, [0.0, 0.0]
    kinks = relu_kinks(net, [([1.0, 2.0, 3.0, 0.0], [1.0, 0.0])], margin=1e-3)
    assert kinks == [(1, "[0][1][1]", 0, 0.0), (1, "[1][1][1]", 0, 0.0)]  # A[1][i] at i = (c*2 + 1)*2 + 1


@pytest.mark.parametrize("params", [[(3, 0, 0)], [(1, 0, 3)], [(1, 2, None)], [[1, 0, 0]], ["W[1][0][0]"]])
def test_params_that_name_no_parameter_are_refused(params):
    with pytest.raises(NnloopError, match=r"params must be \(k, j, i\) tuples .* of this 3-2-1 network"):
        check_gradients(worked_example(), [([2, 3, 1], [20.0])], params=params)


@pytest.mark.parametrize("eps, message", [(0, "eps must be a number > 0"), (-1e-5, "must be a number > 0"),
                                          (float("nan"), "must be a number > 0"), (True, "must be a number > 0"),
                                          (1e-13, "so small that rounding swamps")])
def test_an_eps_that_cannot_work_is_refused(eps, message):
    with pytest.raises(NnloopError, match=message):
        check_gradients(worked_example(), [([2, 3, 1], [20.0])], eps=eps)


def test_checking_some_parameters_checks_those_only():
    checks = check_gradients(worked_example(), [([2, 3, 1], [20.0])], params=[(2, 0, None), (1, 1, 0)])
    assert [c.name for c in checks] == ["B[2][0]", "W[1][1][0]"]
    assert checks[0].backprop == 26.0 and checks[0].passes()
    assert checks[1].backprop == 0.0  # the relu node that was off
