"""nnloop.cli.predict: `nnloop predict MODEL INDEX...`, test digits drawn with the model's output for each class."""
import io

import pytest

from nnloop.cli import main
from nnloop.cli.trainer import train_mnist

from conftest import write_mnist


@pytest.fixture(scope="module")
def trained(tmp_path_factory, real_mnist):
    """(directory, its MNIST of 64 and 50 digits, a 784-3-10 model trained one epoch on them)."""
    root = tmp_path_factory.mktemp("run")
    train, test = real_mnist
    data = write_mnist(root / "mnist", train.first(64), test.first(50))
    model = root / "m.json"
    assert train_mnist({"hidden": [3], "epochs": 1, "data": data, "reproducible": True}, str(model),
                       out=io.StringIO()) == 0
    return root, data, model


def nnloop(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_predict_draws_each_digit_and_its_outputs(trained, capsys, real_mnist):
    root, data, model = trained
    status, out, _ = nnloop(capsys, "predict", model, "0", "3", "--data", data)
    assert status == 0
    blocks = out.split("test digit ")[1:]
    assert [b.split(":")[0] for b in blocks] == ["0", "3"]
    _, test = real_mnist
    for index, block in zip((0, 3), blocks):
        assert f": labelled {test.labels[index]}, the model says " in block
        guess = int(block.split("the model says ")[1].split()[0])
        verdict = "right" if guess == test.labels[index] else "WRONG"
        assert f"({verdict})" in block.splitlines()[0]
        outputs = [float(line.split()[1]) for line in block.splitlines() if line.startswith("  ") and
                   line.split()[0].isdigit() and len(line.split()[0]) == 1 and "." in line.split()[1]]
        assert len(outputs) == 10 and outputs[guess] == max(outputs)  # shown to 4 digits: ties may print
        assert abs(sum(outputs) - 1) < 1e-3  # softmax: probabilities


def test_predict_refuses_an_index_past_the_test_set_in_one_line(trained, capsys):
    root, data, model = trained
    status, out, err = nnloop(capsys, "predict", model, "50", "--data", data)
    assert status == 2 and "there is no test digit 50: the test set has 50, indices 0 to 49" in err
