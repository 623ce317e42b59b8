"""nnloop.cli.train: `nnloop train`'s options, and every check run_train makes before the first epoch."""
import json

import pytest

from nnloop.cli import build_parser, main
from nnloop.cli.trainer import DEFAULTS

from conftest import run_in_process, write_mnist


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory, real_mnist):
    train, test = real_mnist
    return write_mnist(tmp_path_factory.mktemp("tiny") / "mnist", train.first(64), test.first(50))


def test_every_training_option_is_a_setting_of_the_run():
    """Each option's dest is a key of DEFAULTS, so run_train hands exactly what was given to the trainer."""
    train = build_parser()._subparsers._group_actions[0].choices["train"]
    dests = {a.dest for a in train._actions} - {"help", "output", "resume", "force", "report"}
    assert dests == set(DEFAULTS)


def test_options_not_given_are_left_to_the_defaults(tmp_path, capsys, tiny_mnist):
    path = tmp_path / "m.json"
    status, out, _ = run_in_process(capsys, "train", "--hidden", "3", "--epochs", "1", "--data", tiny_mnist, "-o", path,
                            "--lr", "0.05", "--reproducible")
    assert status == 0 and "learning rate 0.05" in out
    arguments = json.loads(path.read_text())["training"]["arguments"]
    assert arguments == {**DEFAULTS, "hidden": [3], "epochs": 1, "data": tiny_mnist, "learning_rate": 0.05,
                         "reproducible": True}


def test_report_is_written_when_training_is_done(tmp_path, capsys, tiny_mnist):
    status, out, _ = run_in_process(capsys, "train", "--hidden", "3", "--epochs", "1", "--data", tiny_mnist,
                            "-o", tmp_path / "m.json", "--report", tmp_path / "m.html")
    assert status == 0 and f"wrote {tmp_path / 'm.html'}: the report of" in out
    assert (tmp_path / "m.html").read_text().lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args, message", [
    (["--hidden", "100000"], "--hidden 100000 makes a 784-100000-10 network"),
    (["--layers", "conv99999x5"], "--layers conv99999x5 makes"),
    (["--hidden", "5", "--layers", "dense5"], "--hidden and --layers both say"),
    (["--workers", "10000"], "--workers 10000 is more than 4 processes per core"),
    (["--report", "{tmp}/m.json"], "--report {tmp}/m.json is the input file"),
    (["-o", "{tmp}"], "-o {tmp} is a directory"),
])
def test_refusals_come_before_the_first_epoch_and_leave_the_files_alone(tmp_path, capsys, args, message):
    status, out, err = run_in_process(capsys, "train", "-o", tmp_path / "m.json",
                              *[a.format(tmp=tmp_path) for a in args])
    assert status == 2 and out == ""
    assert err.startswith("nnloop: error: ") and message.format(tmp=tmp_path) in err
    assert not (tmp_path / "m.json").exists()


def test_another_run_s_model_is_not_replaced_without_force(tmp_path, capsys, tiny_mnist):
    path = tmp_path / "m.json"
    assert run_in_process(capsys, "train", "--hidden", "3", "--epochs", "1", "--data", tiny_mnist, "-o", path)[0] == 0
    before = path.read_text()
    status, _, err = run_in_process(capsys, "train", "--hidden", "4", "--epochs", "1", "--data", tiny_mnist, "-o", path)
    assert status == 2 and "holds another training run's model: continue that run with --resume" in err
    assert path.read_text() == before
    assert run_in_process(capsys, "train", "--hidden", "4", "--epochs", "1", "--data", tiny_mnist, "-o", path,
                  "--force")[0] == 0
    assert json.loads(path.read_text())["training"]["arguments"]["hidden"] == [4]


@pytest.mark.parametrize("option, value, message", [
    ("--momentum", "1", "the momentum mu must be in [0, 1)"),
    ("--epsilon", "0", "epsilon must be > 0 and < 1"),
    ("--lr-gamma", "1", "GAMMA must be > 0 and < 1"),
    ("--dropout", "-0.1", "dropout P must be in [0, 1)"),
    ("--optimizer", "lion", "invalid choice: 'lion'"),
])
def test_optimizer_options_are_checked_as_they_are_read(capsys, option, value, message):
    with pytest.raises(SystemExit) as e:
        main(["train", option, value])
    assert e.value.code == 2 and message in capsys.readouterr().err
