"""nnloop.architecture: --layers words to layer descriptions and back, networks built and measured from them, and
layers read from model-file documents."""
import pytest
from hypothesis import given, strategies as st

from nnloop import NnloopError
from nnloop.architecture import build, layers_text, measure, network_from_documents, parse
from nnloop.lists import rows


def test_parse_reads_every_kind_with_its_numbers_and_activation():
    assert parse("conv8x3s2p1:tanh, maxpool3s2,avgpool2,pool2,flatten,dense100:sigmoid") == [
        {"type": "conv", "kernels": 8, "size": 3, "stride": 2, "padding": 1, "activation": "tanh"},
        {"type": "maxpool", "size": 3, "stride": 2},
        {"type": "avgpool", "size": 2, "stride": 2},
        {"type": "maxpool", "size": 2, "stride": 2},
        {"type": "flatten"},
        {"type": "dense", "nodes": 100, "activation": "sigmoid"}]
    # conv and dense take the default activation, given or relu
    assert parse("conv2x3,dense5", activation="tanh")[1]["activation"] == "tanh"
    assert parse("conv2x3")[0]["activation"] == "relu"


@pytest.mark.parametrize("text, message", [
    ("", "needs a list of layers"),
    ("conv8", "cannot read 'conv8'"),
    ("dense0", "has a size of 0"),
    ("conv8x5s0", "has a size of 0"),
    ("maxpool2:relu", "only conv and dense layers have an activation"),
    ("dense10:softmax", "unknown activation 'softmax'"),
    ("dense10:swish", "unknown activation 'swish'"),
    ("conv\uff18x5", "cannot read"),       # a full-width 8: the documented digits are ASCII
    ("dense\u0661\u0660", "cannot read"),  # Arabic-Indic 10
])
def test_parse_refuses_what_it_cannot_read_in_one_line(text, message):
    with pytest.raises(NnloopError, match=message):
        parse(text)


def test_padding_may_be_0():
    assert parse("conv2x3p0")[0]["padding"] == 0


words = st.lists(st.one_of(
    st.builds("conv{}x{}{}".format, st.integers(1, 9), st.integers(1, 5), st.sampled_from(["", "s2", "p1", "s2p1"])),
    st.builds("maxpool{}".format, st.integers(1, 3)), st.builds("avgpool{}s1".format, st.integers(1, 3)),
    st.just("flatten"), st.builds("dense{}:tanh".format, st.integers(1, 50))), min_size=1, max_size=5).map(",".join)


@given(words)
def test_layers_text_is_the_inverse_of_parse(text):
    assert parse(layers_text(parse(text))) == parse(text)


def test_layers_text_writes_pool_as_maxpool_and_the_stride_only_when_it_differs():
    assert layers_text(parse("pool2,conv2x3s1p0,avgpool3s1")) == "maxpool2,conv2x3,avgpool3s1"


def test_build_puts_in_a_flatten_and_the_output_layer():
    net = build(parse("conv2x3,dense4"), (1, 6, 6), classes=3, seed=1)
    assert [layer.kind for layer in net.layers[1:]] == ["conv", "flatten", "dense", "dense"]
    assert net.shapes == [(1, 6, 6), (2, 4, 4), 32, 4, 3]
    assert net.activations[1:] == ["relu", "identity", "relu", "softmax"]
    assert net.loss == "cross_entropy"


def test_build_draws_the_same_weights_from_the_same_seed():
    a, b, c = (build(parse("conv2x3,dense4"), (1, 6, 6), 3, seed=s) for s in (1, 1, 2))
    assert a.layers[1].W == b.layers[1].W and a.layers[3].W == b.layers[3].W
    assert a.layers[1].W != c.layers[1].W


def test_build_names_the_layer_it_cannot_make():
    with pytest.raises(NnloopError, match=r"^layer 2 \(conv2x3\): a conv layer needs feature maps"):
        build(parse("dense5,conv2x3"), (1, 6, 6), classes=3)
    with pytest.raises(NnloopError, match=r"^layer 1 \(maxpool9\)"):
        build(parse("maxpool9"), (1, 6, 6), classes=3)


@given(words)
def test_measure_agrees_with_the_network_build_makes(text):
    descriptions = parse(text)
    try:
        net = build(descriptions, (1, 12, 12), classes=3)
    except NnloopError:
        return  # a window larger than its maps: measure stops there, build says why
    shapes, weights = measure(descriptions, (1, 12, 12), 3)
    assert shapes == net.shapes
    # every W[k][j][i] (or K[k][c][c'][u][v]) and B[k][j], counted in the layers themselves
    assert weights == sum(len(row) for layer in net.layers[1:] if layer.W for row in rows(layer.W)) + \
        sum(len(layer.B) for layer in net.layers[1:])


def test_measure_needs_no_memory_for_an_absurd_network():
    shapes, weights = measure(parse("dense" + "9" * 30), (1, 28, 28), 10)
    assert shapes[1] == 784 and shapes[2] == int("9" * 30) and weights > 10 ** 30


def test_network_from_documents_reads_back_what_layers_write():
    net = build(parse("conv2x3p1:tanh,avgpool2,dense4"), (1, 4, 4), classes=2, seed=3)
    documents = [layer.to_document() for layer in net.layers[1:]]
    again = network_from_documents(documents, [1, 4, 4], net.loss, "m.json")
    assert [layer.description() for layer in again.layers[1:]] == [layer.description() for layer in net.layers[1:]]
    assert [layer.W for layer in again.layers[1:]] == [layer.W for layer in net.layers[1:]]
    assert [layer.B for layer in again.layers[1:]] == [layer.B for layer in net.layers[1:]]


def test_a_dense_layer_s_type_may_be_left_out_as_in_version_1():
    net = network_from_documents([{"activation": "relu", "W": [[1.0, 2.0]], "B": [0.5]}], 2, "mse", "old.json")
    assert net.layers[1].kind == "dense" and net.layers[1].W == [[1.0, 2.0]]


@pytest.mark.parametrize("documents, input_shape, message", [
    ([{"type": "dense", "activation": "relu", "W": [[1.0]], "B": [0.0]}], 0, r"\"input\" must be the number"),
    ([{"type": "dense", "activation": "relu", "W": [[1.0]], "B": [0.0]}], [1, 28], r"\"input\" must be"),
    (["dense"], 1, r"layer 1 must be an object"),
    ([{"type": "lstm"}], 1, r"layer 1: unknown layer \"type\" 'lstm'"),
    ([{"type": "dense", "activation": "relu", "W": [[1.0]]}], 1, r"layer 1: a dense layer needs 'B'"),
    ([{"type": "dense", "activation": "relu", "W": [[1.0]], "B": [0.0], "K": 1}], 1, r"unknown key 'K'"),
    ([{"type": "dense", "activation": "relu", "W": [[1.0, 2.0]], "B": [0.0]}], 1, r"rows of 1 weights"),
    ([{"type": "maxpool", "size": 2, "stride": 2}], 4, r"a maxpool layer needs feature maps"),
    ([{"type": "flatten"}], [1, 2, 2], r"the output layer must be dense, not flatten"),
])
def test_network_from_documents_refuses_a_malformed_layer_naming_the_file_and_layer(documents, input_shape,
                                                                                   message):
    with pytest.raises(NnloopError, match="^m.json: .*" + message):
        network_from_documents(documents, input_shape, "mse", "m.json")
