"""Model files: exact JSON round trips, and refusal of anything else."""
import json
import os

import pytest

from nnloop import Network, NnloopError, load, save
from nnloop.files.modelfile import read


def small_net():
    return Network([4, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=17)


def test_save_then_load_is_exact(tmp_path):
    net = small_net()
    path = tmp_path / "model.json"
    save(net, path, training={"seed": 17, "history": [{"epoch": 1, "loss": 0.5, "train_accuracy": 0.8, "test_accuracy": 0.75}]})
    again, training = read(path)
    assert again.W == net.W and again.B == net.B
    assert [[w.hex() for w in row] for row in again.W[1]] == [[w.hex() for w in row] for row in net.W[1]]
    assert (again.sizes, again.activations, again.loss) == (net.sizes, net.activations, net.loss)
    assert training == {"seed": 17, "history": [{"epoch": 1, "loss": 0.5, "train_accuracy": 0.8, "test_accuracy": 0.75}]}
    x = [0.1, -0.2, 0.3, 0.4]
    assert again.forward(x) == net.forward(x)


def test_the_file_is_json_a_person_can_read(tmp_path):
    path = tmp_path / "model.json"
    save(small_net(), path)
    text = path.read_text()
    document = json.loads(text)
    assert document["format"] == "nnloop-model" and document["version"] == 2 and document["input"] == 4
    assert [layer["type"] for layer in document["layers"]] == ["dense", "dense"]
    assert [layer["activation"] for layer in document["layers"]] == ["tanh", "softmax"]
    # one weight row per line
    assert sum(line.strip().startswith("[") and line.strip().endswith(("],", "]")) for line in text.splitlines()) >= 5


def test_saving_replaces_the_file_atomically_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "model.json"
    save(small_net(), path)
    save(Network([4, 2], ["softmax"], "cross_entropy"), path)
    assert load(path).sizes == [4, 2]
    assert os.listdir(tmp_path) == ["model.json"]


def test_saving_makes_a_missing_directory_and_says_when_it_cannot(tmp_path):
    save(small_net(), tmp_path / "new" / "model.json")
    assert load(str(tmp_path / "new" / "model.json")).sizes == small_net().sizes
    (tmp_path / "afile").write_text("in the way of a directory")
    with pytest.raises(NnloopError, match="cannot write .*check the directory exists"):
        save(small_net(), tmp_path / "afile" / "model.json")


def refused(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(NnloopError, match=message) as e:
        load(path)
    assert "\n" not in str(e.value)


def good_document():
    net = small_net()
    return {"format": "nnloop-model", "version": 1, "loss": net.loss, "sizes": net.sizes,
            "layers": [{"k": k, "activation": net.activations[k], "B": net.B[k], "W": net.W[k]} for k in (1, 2)]}


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "model.json"
    save(small_net(), path)
    refused(tmp_path, path.read_text()[:300], "not valid JSON .*truncated")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(format="keras"), "is not an nnloop model file"),
    (lambda d: d.update(version=3), "model of version 3; this nnloop reads versions 1 and 2"),
    (lambda d: d.pop("layers"), "damaged nnloop model file: it has no \"layers\""),
    (lambda d: d.update(sizes=[4, 5, 2]), r"\"sizes\" says \[4, 5, 2\], the weights have sizes \[4, 3, 2\]"),
    (lambda d: d["layers"][1]["W"][0].pop(), r"W\[2\]\[0\] must hold 3 weights"),
    (lambda d: d["layers"][0]["B"].append(0.0), r"W\[1\] has 3 rows but B\[1\] has 4 biases"),
    (lambda d: d["layers"][0].update(activation="gelu"), "unknown activation 'gelu'"),
    (lambda d: d["layers"][0]["W"][1].__setitem__(0, "1.0"), r"W\[1\]\[1\] must hold finite numbers, found '1.0'"),
    (lambda d: d.update(training=[1, 2]), "\"training\" must be an object"),
])
def test_mismatched_files_are_refused_with_what_is_wrong(tmp_path, change, message):
    document = good_document()
    change(document)
    refused(tmp_path, json.dumps(document), message)


@pytest.mark.parametrize("text, message", [
    ("", "not valid JSON"),
    ("[1, 2, 3]", "is not an nnloop model file"),
    ('{"format": "nnloop-model", "version": 1, "layers": [{"W": [[NaN]]}]}', "not valid JSON"),
])
def test_malformed_files_are_refused(tmp_path, text, message):
    refused(tmp_path, text, message)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(NnloopError, match="no model file .*nope.json"):
        load(tmp_path / "nope.json")


def test_model_files_are_never_unpickled(tmp_path):
    import pickle
    path = tmp_path / "model.pickle"
    path.write_bytes(pickle.dumps({"format": "nnloop-model"}))
    with pytest.raises(NnloopError, match="not UTF-8 text|not valid JSON"):
        load(path)
