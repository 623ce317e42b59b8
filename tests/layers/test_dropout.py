"""The dropout layer: its mask, its pass-through at evaluation, its gradient, its word and file section."""
import json

import pytest

from nnloop import architecture
from nnloop.cli import main
from nnloop.errors import NnloopError
from nnloop.files import modelfile
from nnloop.layers.dropout import Dropout
from nnloop.lists import zeros
from nnloop.network import Gradients, NodeValues
from nnloop.rng import Random
from nnloop.tools.gradcheck import check_gradients
from nnloop.tools.trace import render, trace

from conftest import assert_refused, flat3, run_nnloop


def test_a_training_forward_scales_the_kept_and_zeroes_the_dropped_and_backward_uses_the_same_mask():
    drop = Dropout((2, 2, 3), 0.25)
    H_prev = flat3([[[1.0 + c + y + x for x in range(3)] for y in range(2)] for c in range(2)])
    A, H, back, memory = zeros(drop.shape), zeros(drop.shape), zeros(drop.shape), drop.new_memory()
    memory.rng = Random(3)
    drop.forward(H_prev, A, H, memory)
    assert len(memory.mask) == 12 and set(memory.mask) == {0.0, 1.0 / 0.75}  # a mask per node of every map
    for j in range(12):
        assert H[j] == A[j] == H_prev[j] * memory.mask[j]
    delta = [0.5] * 12
    drop.backward(H_prev, A, H, delta, [], [], back, memory)
    assert back == [0.5 * m for m in memory.mask]


def test_evaluating_passes_values_through_unchanged():
    drop = Dropout(5, 0.5)
    A, H, memory = zeros(5), zeros(5), drop.new_memory()
    drop.forward([1.0, -2.0, 3.0, 0.0, 4.0], A, H, memory)
    assert H == A == [1.0, -2.0, 3.0, 0.0, 4.0]
    back = zeros(5)
    drop.backward(None, A, H, [1.0] * 5, [], [], back, memory)
    assert back == [1.0] * 5


def test_masks_follow_the_seed_and_drop_about_P():
    drop = Dropout(1000, 0.3)
    masks = []
    for _ in range(2):
        memory = drop.new_memory()
        memory.rng = Random(9)
        drop.forward([1.0] * 1000, zeros(1000), zeros(1000), memory)
        masks.append(memory.mask)
    assert masks[0] == masks[1]
    assert 250 < masks[0].count(0.0) < 350 and set(masks[0]) == {0.0, 1.0 / 0.7}


def test_a_network_with_dropout_evaluates_as_without_it():
    with_drop = architecture.build(architecture.parse("conv2x3,dropout0.5,maxpool2,dense5,dropout0.3"), (1, 6, 6),
                                   3, seed=4)
    without = architecture.build(architecture.parse("conv2x3,maxpool2,dense5"), (1, 6, 6), 3, seed=4)
    x = [((i * 7) % 11) / 5.0 - 1.0 for i in range(36)]
    assert with_drop.forward(x) == without.forward(x)
    v = NodeValues(with_drop)
    v.draw_masks(Random(1))
    assert with_drop.forward(x, v) != without.forward(x)  # in training it drops


@pytest.mark.parametrize("layers", ["dense6:tanh,dropout0.5,dense4:sigmoid,dropout0.2",
                                    "conv2x3:tanh,dropout0.4,avgpool2,dropout0.25,dense4:relu,dropout0.5"])
def test_gradients_match_finite_differences_with_the_mask_fixed(layers):
    net = architecture.build(architecture.parse(layers), (1, 6, 6), 3, seed=7)
    samples = [([((i * 5 + n) % 13) / 6.0 - 1.0 for i in range(36)], [0.0, 1.0, 0.0]) for n in range(2)]
    checks = check_gradients(net, samples)
    assert checks and all(c.passes(1e-6) for c in checks), max(checks, key=lambda c: c.error - c.noise)
    # the check ran with masks: the fixed-mask gradient is not the evaluation gradient
    assert net.gradients(samples, seed=0).dW[net.L] != net.gradients(samples).dW[net.L]


def test_a_dropped_node_sends_nothing_back_and_its_edges_learn_nothing():
    net = architecture.build(architecture.parse("dense8,dropout0.5"), 4, 2, seed=1)
    v, g = NodeValues(net), Gradients(net)
    v.draw_masks(Random(2))
    net.forward([1.0, 2.0, -1.0, 0.5], v)
    net.backward(v, [1.0, 0.0], g)
    dropped = [j for j, m in enumerate(v.memory[2].mask) if m == 0.0]
    assert dropped and all(v.back[1][j] == 0.0 for j in dropped)
    assert all(g.dW[3][c][j] == 0.0 for c in range(2) for j in dropped)


def test_the_word_and_the_file_section_round_trip(tmp_path):
    descriptions = architecture.parse("conv2x3,maxpool2,dropout0.25,dense10,dropout.5,dropout0")
    assert architecture.layers_text(descriptions) == "conv2x3,maxpool2,dropout0.25,dense10,dropout0.5,dropout0"
    net = architecture.build(descriptions, (1, 8, 8), 3, seed=0)
    assert net.shape_name() == "1x8x8-2x6x6-2x3x3-2x3x3-18-10-10-10-3"
    path = tmp_path / "m.json"
    modelfile.save(net, str(path))
    sections = [layer for layer in json.loads(path.read_text())["layers"] if layer["type"] == "dropout"]
    assert sections == [{"k": 3, "type": "dropout", "P": 0.25}, {"k": 6, "type": "dropout", "P": 0.5},
                        {"k": 7, "type": "dropout", "P": 0.0}]
    again = modelfile.load(str(path))
    assert architecture.layers_text(again.layers[1:-1]) == "conv2x3,maxpool2,dropout0.25,flatten,dense10,dropout0.5,dropout0"


@pytest.mark.parametrize("word, fragment", [
    ("dense10,dropout1.5", "must be in [0, 1)"),
    ("dense10,dropout1", "must be in [0, 1)"),
    ("dense10,dropout", "dropout needs P, the probability of dropping a node"),
    ("dense10,dropout0.5.5", "dropout0.5.5 needs P"),
    ("dense10,dropout-0.1", "needs P"),
    ("dense10,dropout0.5:relu", "only conv and dense layers have an activation"),
])
def test_a_bad_dropout_word_is_refused_in_one_line(tmp_path, word, fragment):
    assert_refused(run_nnloop("train", "--layers", word, "-o", tmp_path / "m.json"), fragment)
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("section, fragment", [
    ({"type": "dropout", "P": 1.5}, "must be in [0, 1)"),
    ({"type": "dropout", "P": "half"}, "must be in [0, 1)"),
    ({"type": "dropout"}, "a dropout layer needs 'P'"),
    ({"type": "dropout", "P": 0.5, "W": []}, "unknown key 'W' for a dropout layer"),
])
def test_a_bad_dropout_section_of_a_model_file_is_refused_in_one_line(tmp_path, section, fragment):
    net = architecture.build(architecture.parse("dense4,dropout0.5"), 3, 2, seed=0)
    path = tmp_path / "m.json"
    modelfile.save(net, str(path))
    document = json.loads(path.read_text())
    document["layers"][1] = {"k": 2, **section}
    path.write_text(json.dumps(document))
    with pytest.raises(NnloopError, match="layer 2") as refusal:
        modelfile.load(str(path))
    assert fragment in str(refusal.value) and "\n" not in str(refusal.value)
    assert_refused(run_nnloop("evaluate", path), fragment)


def test_the_trace_shows_the_mask_and_the_scaling():
    net = architecture.build(architecture.parse("conv1x2,dropout0.5,dense3:tanh,dropout0.5"), (1, 3, 3), 2, seed=3)
    text = render(trace(net, [0.5, -1.0, 2.0, 1.0, 0.0, -0.5, 1.5, 2.0, -2.0], [1.0, 0.0], 0.1))
    assert "Forward, layer 2 (dropout, P = 0.5)" in text and "Backward, layer 5 (dropout, P = 0.5)" in text
    assert "else 1/(1-P) = 1/(1-0.5) = 2 (kept)" in text
    assert "H[2][0][0][0] = A[2][0][0][0] = H[1][0][0][0]*mask[2][0][0][0] = " in text
    assert "back[4][0] = mask[5][0]*delta[5][0] = " in text and "(dropped)" in text


def test_train_places_dropout_after_maps_and_dense_layers(tmp_path, small_mnist, capsys):
    model = tmp_path / "m.json"
    assert main(["train", "--layers", "conv2x5s3,maxpool2,dropout0.25,dense8,dropout0.5", "--limit", "40",
                 "--epochs", "1", "--data", small_mnist, "-o", str(model)]) == 0
    assert "network conv2x5s3,maxpool2,dropout0.25,dense8,dropout0.5 1x28x28-2x8x8-2x4x4-2x4x4-32-8-8-10" in \
        capsys.readouterr().out
    assert main(["gradcheck", str(model), "--params", "3", "--data", small_mnist]) == 0
    assert "passed" in capsys.readouterr().out
    assert main(["trace", str(model), "--data", small_mnist]) == 0
    assert "Forward, layer 3 (dropout, P = 0.25)" in capsys.readouterr().out
