"""nnloop.cli.evaluate: `nnloop evaluate MODEL`, the accuracy and confusion matrix of a model on the test digits."""
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


def test_evaluate_prints_the_accuracy_the_hardest_digit_and_the_matrix(trained, capsys):
    root, data, model = trained
    status, out, _ = nnloop(capsys, "evaluate", model, "--data", data)
    lines = out.splitlines()
    assert status == 0
    assert lines[0].startswith(f"{model}: test accuracy ")
    right = int(lines[0].split("(")[1].split()[0])
    assert lines[0].endswith(f"({right} of 50 digits)")
    assert lines[1].startswith("hardest digit: ") and lines[2].startswith("true \\ predicted")
    rows = [list(map(int, line.split()[1:11])) for line in lines[3:13]]
    assert sum(map(sum, rows)) == 50 and sum(rows[c][c] for c in range(10)) == right
    # the hardest digit is the one with the lowest share right (a digit absent from the test set counts as 0)
    shares = [row[c] / sum(row) if sum(row) else 0.0 for c, row in enumerate(rows)]
    assert int(lines[1].split()[-1]) == shares.index(min(shares))


def test_evaluate_refuses_a_network_that_is_not_for_mnist(tmp_path, capsys):
    from nnloop import Network
    from nnloop.files import modelfile
    modelfile.save(Network([3, 2], ["softmax"], "cross_entropy"), str(tmp_path / "small.json"))
    status, out, err = nnloop(capsys, "evaluate", tmp_path / "small.json")
    assert status == 2 and out == "" and err.startswith("nnloop: error: ") and err.count("\n") == 1
