"""nnloop.cli.compare: `nnloop compare MODEL...`: one page of several runs; named _command beside
tests/tools/test_compare.py, which tests the page."""
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


def test_compare_names_the_runs_in_one_line(trained, capsys, tmp_path):
    root, data, model = trained
    status, out, _ = nnloop(capsys, "compare", model, "-o", tmp_path / "c.html")
    assert status == 0 and out.startswith(f"wrote {tmp_path / 'c.html'}: 1 run (") and "open it in a browser" in out
    assert (tmp_path / "c.html").exists()


def test_compare_refuses_to_write_over_a_model_it_reads(trained, capsys):
    root, data, model = trained
    before = model.read_text()
    status, out, err = nnloop(capsys, "compare", model, "-o", model)
    assert status == 2 and "is the input file" in err and model.read_text() == before
