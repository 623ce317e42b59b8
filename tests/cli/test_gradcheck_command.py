"""nnloop.cli.gradcheck: `nnloop gradcheck SPEC|MODEL`, its exit status and its options; named _command beside
tests/tools/test_gradcheck.py. Failing checks are in tests/tools/test_gradcheck_report.py."""
import io

from nnloop import Recipe
from nnloop.cli.trainer import Run, train_mnist

from conftest import run_in_process, write_mnist


def test_a_spec_has_every_parameter_checked_and_exits_0(capsys):
    status, out, _ = run_in_process(capsys, "gradcheck", "xor")
    assert status == 0
    assert "layer 1: 6 parameters checked" in out and "layer 2: 3 parameters checked" in out  # 2-2-1
    assert out.rstrip().splitlines()[-1].startswith("passed: every relative error is below 1e-06")


def test_the_threshold_is_the_option_s(capsys):
    out = run_in_process(capsys, "gradcheck", "xor", "--threshold", "0.5", "--eps", "1e-4")[1]
    assert "passed: every relative error is below 0.5" in out and "eps = 0.0001" in out


def test_params_and_digits_are_for_model_files(capsys):
    status, out, err = run_in_process(capsys, "gradcheck", "xor", "--params", "3")
    assert status == 2 and "xor is a spec: every parameter is checked on its own sample" in err


def test_a_model_file_has_params_per_layer_drawn(capsys, tmp_path, real_mnist):
    train, test = real_mnist
    data = write_mnist(tmp_path / "mnist", train.first(32), test.first(10))
    model = tmp_path / "m.json"
    train_mnist(Run.start(Recipe(hidden=[3], epochs=1, data=data)), str(model), out=io.StringIO())
    status, out, _ = run_in_process(capsys, "gradcheck", model, "--params", "4", "--digits", "2", "--data", data)
    assert status == 0
    assert "layer 1: 4 parameters checked" in out and "layer 2: 4 parameters checked" in out
