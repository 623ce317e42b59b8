"""nnloop.cli.report: `nnloop report MODEL`, where the page goes and what it refuses to write over.
(The page itself is tests/tools/test_report.py; this file is named _command beside it.)"""
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


def test_the_page_goes_beside_the_model_by_default(trained, capsys):
    root, data, model = trained
    status, out, _ = nnloop(capsys, "report", model, "--data", data)
    assert status == 0 and out.startswith(f"wrote {root / 'm.html'}: the report of {model} (test accuracy ")
    assert (root / "m.html").stat().st_size > 1000


def test_the_report_is_not_written_over_its_own_model_or_another(trained, capsys, tmp_path):
    root, data, model = trained
    before = model.read_text()
    status, _, err = nnloop(capsys, "report", model, "-o", model, "--data", data)
    assert status == 2 and "is the input file" in err and model.read_text() == before
    other = tmp_path / "other.json"
    other.write_text(before)
    status, _, err = nnloop(capsys, "report", model, "-o", other, "--data", data)
    assert status == 2 and "is an nnloop model file" in err and other.read_text() == before
    assert nnloop(capsys, "report", model, "-o", other, "--data", data, "--force")[0] == 0
