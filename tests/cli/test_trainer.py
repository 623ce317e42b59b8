"""nnloop.cli.trainer: a training run on MNIST, its settings checked before the first epoch, its progress, and the
helpers that word it. Resume, Ctrl-C and byte-identical files end to end are in tests/program/test_cli.py."""
import io
import json

import pytest

from nnloop import NnloopError
from nnloop.cli import trainer
from nnloop.cli.trainer import (DEFAULTS, Progress, check_given_options, check_learning_options, describe_learning,
                                epoch_learning_rate, new_network, plural, read_checkpoint, recorded_setting,
                                train_mnist)

from conftest import write_mnist


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory, real_mnist):
    train, test = real_mnist
    return write_mnist(tmp_path_factory.mktemp("tiny") / "mnist", train.first(64), test.first(50))


def run(arguments, path, resume=None):
    out = io.StringIO()
    status = train_mnist(arguments, str(path), resume=resume, out=out)
    return status, out.getvalue()


def test_a_run_writes_its_model_after_each_epoch_with_the_full_arguments(tmp_path, tiny_mnist):
    path = tmp_path / "m.json"
    status, out = run({"hidden": [4], "epochs": 2, "batch_size": 16, "data": tiny_mnist, "reproducible": True,
                       "lr_schedule": "step", "lr_step": 1, "lr_gamma": 0.5}, path)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("network 784-4-10 (relu/softmax, cross_entropy); 64 training and 50 test digits; "
                               "batch 16, learning rate 0.1 (step schedule), 2 epochs, seed 0;")
    assert lines[1] == f"saving {path} after every epoch"
    assert [line.split()[:2] for line in lines[2:4]] == [["epoch", "1/2"], ["epoch", "2/2"]]
    assert lines[-1].startswith("done: test accuracy ") and lines[-1].endswith(f"evaluate {path}")
    training = json.loads(path.read_text())["training"]
    assert training["arguments"] == {**DEFAULTS, "hidden": [4], "epochs": 2, "batch_size": 16, "data": tiny_mnist,
                                     "reproducible": True, "lr_schedule": "step", "lr_step": 1, "lr_gamma": 0.5}
    assert training["epochs_done"] == 2 and [e["epoch"] for e in training["history"]] == [1, 2]
    assert [e["learning_rate"] for e in training["history"]] == [0.1, 0.05]  # the schedule's eta_e, recorded
    assert all("seconds" not in e and len(e["mean_abs_dW"]) == 2 for e in training["history"])


def test_a_cosine_run_fixes_its_length_to_the_run_s_epochs(tmp_path, tiny_mnist):
    path = tmp_path / "m.json"
    assert run({"hidden": [3], "epochs": 1, "data": tiny_mnist, "lr_schedule": "cosine"}, path)[0] == 0
    assert json.loads(path.read_text())["training"]["arguments"]["lr_epochs"] == 1


def test_a_finished_run_asks_for_more_epochs_to_resume(tmp_path, tiny_mnist):
    path = tmp_path / "m.json"
    run({"hidden": [3], "epochs": 1, "data": tiny_mnist}, path)
    with pytest.raises(NnloopError, match=r"m\.json has already had 1 epoch: pass --epochs N with N > 1"):
        run({}, path, resume=str(path))
    status, out = run({"epochs": 2}, path, resume=str(path))
    assert status == 0 and f"continuing the run of {path} from epoch 2" in out


@pytest.mark.parametrize("given, message", [
    ({"lr_step": 5}, "--lr-step is a setting of the step schedule, which --lr-schedule constant does not use"),
    ({"lr_schedule": "step", "lr_epochs": 5}, "--lr-epochs is a setting of the cosine schedule"),
    ({"decay": "decoupled"}, "--decay says how weight decay is applied, but there is none"),
    ({"decay": "decoupled", "weight_decay": 0.0}, "but there is none"),
])
def test_options_the_run_would_not_use_are_refused(given, message):
    with pytest.raises(NnloopError, match=message):
        check_given_options(given)


def test_options_the_run_uses_pass():
    check_given_options({"lr_schedule": "step", "lr_step": 5, "lr_gamma": 0.1})
    check_given_options({"lr_schedule": "cosine", "lr_epochs": 5, "decay": "decoupled", "weight_decay": 1e-4})


@pytest.mark.parametrize("changes, message", [
    ({"optimizer": "lion"}, "unknown optimizer 'lion'"),
    ({"beta1": 0.9}, "--beta1 is a setting of adam, which --optimizer sgd does not use: .* --optimizer adam"),
    ({"optimizer": "momentum", "rho": 0.9}, "--rho is a setting of rmsprop"),
    ({"optimizer": "adam", "beta2": 1.0}, "beta2"),
    ({"dropout": 1.0}, "dropout"),
    ({"lr_schedule": "step", "lr_step": 0}, "step"),
])
def test_check_learning_options_refuses_what_cannot_run(changes, message):
    with pytest.raises(NnloopError, match=message):
        check_learning_options({**DEFAULTS, **changes})


def test_epoch_learning_rate_follows_the_run_s_schedule():
    arguments = {**DEFAULTS, "learning_rate": 0.2, "lr_schedule": "step", "lr_step": 2, "lr_gamma": 0.1}
    assert [round(epoch_learning_rate(arguments, e), 12) for e in range(5)] == [0.2, 0.2, 0.02, 0.02, 0.002]
    assert epoch_learning_rate({**DEFAULTS, "learning_rate": 0.3}, 7) == 0.3


def test_new_network_is_the_dense_hidden_layers_or_the_architecture():
    dense = new_network({**DEFAULTS, "hidden": [7, 5], "activation": "tanh"})
    assert dense.sizes == [784, 7, 5, 10] and dense.activations[1:] == ["tanh", "tanh", "softmax"]
    conv = new_network({**DEFAULTS, "layers": "conv2x5,maxpool2", "seed": 3})
    assert conv.shape_name() == "1x28x28-2x24x24-2x12x12-288-10"
    assert conv.layers[1].W == new_network({**DEFAULTS, "layers": "conv2x5,maxpool2", "seed": 3}).layers[1].W


def test_read_checkpoint_refuses_a_file_without_training_state(tmp_path):
    from nnloop.files import modelfile
    path = str(tmp_path / "bare.json")
    modelfile.save(new_network({**DEFAULTS, "hidden": [3]}), path)
    with pytest.raises(NnloopError, match=r"holds no training state to resume: only files written by nnloop train"):
        read_checkpoint(path, {})


def test_recorded_setting_words_what_the_run_had():
    recorded = {**DEFAULTS, "optimizer": "momentum"}
    assert recorded_setting({**recorded, "learning_rate": 0.05}, "learning_rate") == "which has 0.05"
    assert recorded_setting(recorded, "momentum") == "which has the default 0.9"
    assert recorded_setting(recorded, "lr_epochs") == "which did not set it"


def test_describe_learning_names_only_what_differs_from_plain_sgd():
    assert describe_learning(DEFAULTS) == "learning rate 0.1"
    assert describe_learning({**DEFAULTS, "optimizer": "adam", "learning_rate": 0.001, "lr_schedule": "cosine",
                              "weight_decay": 1e-4, "decay": "decoupled", "dropout": 0.5}) == \
        "adam, learning rate 0.001 (cosine schedule), decoupled weight decay 0.0001, dropout 0.5"


def test_plural():
    assert (plural(1, "epoch"), plural(0, "run"), plural(2, "epoch")) == ("1 epoch", "0 runs", "2 epochs")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_on_a_terminal_and_writes_one_line_per_epoch_elsewhere(monkeypatch):
    clock = iter(range(100))
    monkeypatch.setattr(trainer.time, "perf_counter", lambda: float(next(clock)))
    entry = {"epoch": 1, "loss": 0.25, "train_accuracy": 0.9, "test_accuracy": 0.95}
    log = io.StringIO()
    progress = Progress(log, 100, 2, 0)
    progress.start_epoch(1)
    progress.update(50, 20.0)
    progress.end_epoch(entry, 1000)
    assert log.getvalue().startswith("epoch   1/2  loss 0.2500  train 90.00%  test 95.00%")
    assert log.getvalue().count("\n") == 1 and "\r" not in log.getvalue()
    tty = Terminal()
    progress = Progress(tty, 100, 2, 0)
    progress.start_epoch(1)
    progress.update(50, 20.0)
    assert "\repoch   1/2 [##########..........]      50/100" in tty.getvalue()
    assert "loss 0.4000" in tty.getvalue()  # the mean loss of the samples so far
