"""nnloop.cli.train: `nnloop train`'s options, and every check run_train makes before the first epoch."""
import json

import pytest

from nnloop.cli import build_parser, main
from nnloop import Recipe
from nnloop.learning.recipe import SETTINGS

from conftest import run_in_process, write_mnist


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory, real_mnist):
    train, test = real_mnist
    return write_mnist(tmp_path_factory.mktemp("tiny") / "mnist", train.first(64), test.first(50))


def test_every_training_option_is_a_setting_of_the_run():
    """The options are the table's: each dest a setting's name, its choices and metavar those of the table, so
    run_train hands exactly what was given to the recipe."""
    train = build_parser()._subparsers._group_actions[0].choices["train"]
    actions = {a.dest: a for a in train._actions if a.dest not in {"help", "output", "resume", "force", "report"}}
    assert set(actions) == set(SETTINGS)
    for name, setting in SETTINGS.items():
        assert actions[name].option_strings == [setting.option, *setting.aliases]
        assert actions[name].choices == setting.choices and actions[name].metavar == setting.metavar
        assert actions[name].default is None  # not given: left to the recipe's default
    assert actions["optimizer"].choices == ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
    assert "softmax" not in actions["activation"].choices and "softmax" in actions["output_activation"].choices
    assert "(default 0.9;" in actions["momentum"].help  # the optimizer's own default, not the table's None


def test_the_learning_rate_is_eta_with_two_spellings_of_its_option():
    args = build_parser().parse_args(["train", "--lr", "0.05"])
    assert args.eta == 0.05 and build_parser().parse_args(["train", "--learning-rate", "0.5"]).eta == 0.5


def test_options_not_given_are_left_to_the_defaults(tmp_path, capsys, tiny_mnist):
    path = tmp_path / "m.json"
    status, out, _ = run_in_process(capsys, "train", "--hidden", "3", "--epochs", "1", "--data", tiny_mnist, "-o", path,
                            "--lr", "0.05", "--reproducible")
    assert status == 0 and "learning rate 0.05" in out
    arguments = json.loads(path.read_text())["training"]["arguments"]
    assert arguments == Recipe(hidden=[3], epochs=1, data=tiny_mnist, eta=0.05, reproducible=True).to_document()
    assert arguments["learning_rate"] == 0.05 and arguments["batch_size"] == 32  # under the options' names


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
    ("--momentum", "1", "the momentum mu must be in [0, 1), typically 0.9 (0 is plain SGD); got 1.0"),
    ("--epsilon", "0", "epsilon, which keeps g / sqrt(h) finite, must be > 0 and < 1"),
    ("--lr-gamma", "1", "the step schedule's GAMMA (the factor of each cut) must be > 0 and < 1"),
    ("--dropout", "-0.1", "it must be in [0, 1), typically 0.2 to 0.5"),
    ("--optimizer", "lion", "invalid choice: 'lion'"),
    ("--lr", "fast", "argument --learning-rate/--lr: the learning rate eta must be a number > 0, typically 0.1 to "
                     "0.001; got 'fast'"),
    ("--batch-size", "0", "argument --batch-size: the batch size must be a whole number >= 1; got 0"),
])
def test_optimizer_options_are_checked_as_they_are_read(capsys, option, value, message):
    with pytest.raises(SystemExit) as e:
        main(["train", option, value])
    assert e.value.code == 2 and message in capsys.readouterr().err
