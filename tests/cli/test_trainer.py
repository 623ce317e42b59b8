"""nnloop.cli.trainer: a training run on MNIST from its recipe, its checkpoint, its progress, and the helpers that
word it. The recipe itself is in tests/learning/test_recipe.py; resume, Ctrl-C and byte-identical files end to end
are in tests/program/test_cli.py."""
import io
import json

import pytest

from nnloop import NnloopError, Recipe
from nnloop.cli import trainer
from nnloop.cli.trainer import Progress, Run, plural, run_line, train_mnist

from conftest import write_mnist


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory, real_mnist):
    train, test = real_mnist
    return write_mnist(tmp_path_factory.mktemp("tiny") / "mnist", train.first(64), test.first(50))


def run(settings, path, resume=None):
    """Train a new run of Recipe(**settings), or resume the run in resume with settings as the changes."""
    out = io.StringIO()
    status = train_mnist(Run.resume(resume, settings) if resume else Run.start(Recipe(**settings)), str(path), out=out)
    return status, out.getvalue()


def test_a_run_writes_its_model_after_each_epoch_with_its_whole_recipe(tmp_path, tiny_mnist):
    path = tmp_path / "m.json"
    settings = {"hidden": [4], "epochs": 2, "batch_size": 16, "data": tiny_mnist, "reproducible": True,
                "lr_schedule": "step", "lr_step": 1, "lr_gamma": 0.5}
    status, out = run(settings, path)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("network 784-4-10 (relu/softmax, cross_entropy); 64 training and 50 test digits; "
                               "batch 16, learning rate 0.1 (step schedule), 2 epochs, seed 0;")
    assert lines[1] == f"saving {path} after every epoch"
    assert [line.split()[:2] for line in lines[2:4]] == [["epoch", "1/2"], ["epoch", "2/2"]]
    assert lines[-1].startswith("done: test accuracy ") and lines[-1].endswith(f"evaluate {path}")
    training = json.loads(path.read_text())["training"]
    assert training["arguments"] == Recipe(**settings).to_document()
    assert Recipe.from_document(training["arguments"], str(path)) == Recipe(**settings)
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


def test_a_resumed_run_is_the_recorded_one_with_the_changes_resume_allows(tmp_path, tiny_mnist):
    path = tmp_path / "m.json"
    run({"hidden": [3], "epochs": 1, "data": tiny_mnist, "optimizer": "adam", "eta": 0.01}, path)
    resumed = Run.resume(str(path), {"epochs": 3, "workers": 2})
    assert resumed.recipe == Recipe(hidden=[3], epochs=3, data=tiny_mnist, optimizer="adam", eta=0.01, workers=2)
    assert resumed.optimizer.t == 2 and len(resumed.history) == 1 and resumed.source == str(path)
    assert repr(resumed) == ("Run(784-3-10, 1 epoch done, Recipe(hidden=[3], epochs=3, eta=0.01, data="
                             f"{tiny_mnist!r}, workers=2, optimizer='adam'))")
    with pytest.raises(NnloopError, match=r"--learning-rate 0.1 differs from the run in .*m\.json \(which has 0.01\)"):
        Run.resume(str(path), {"eta": 0.1})


def test_a_new_run_starts_from_its_recipe_s_network_and_optimizer():
    started = Run.start(Recipe(hidden=[5], optimizer="momentum", momentum=0.5, seed=2))
    assert started.net.sizes == [784, 5, 10] and repr(started.optimizer) == "Momentum(mu=0.5, t=0)"
    assert started.net.W == Recipe(hidden=[5], seed=2).new_network(784, 10).W and started.history == []


def test_resume_refuses_a_file_without_training_state(tmp_path):
    from nnloop.files import modelfile
    path = str(tmp_path / "bare.json")
    modelfile.save(Recipe(hidden=[3]).new_network(784, 10), path)
    with pytest.raises(NnloopError, match=r"holds no training state to resume: only files written by nnloop train"):
        Run.resume(path, {})


def test_the_run_line_names_the_network_the_data_and_how_it_learns():
    recipe = Recipe(layers="conv2x5,maxpool2", optimizer="adam", eta=0.001)
    line = run_line(recipe.new_network((1, 28, 28), 10), recipe, 100, 50)
    assert line.startswith("network conv2x5,maxpool2 1x28x28-2x24x24-2x12x12-288-10 (relu/maxpool/flatten/softmax, "
                           "cross_entropy); 100 training and 50 test digits; batch 32, adam, learning rate 0.001, "
                           "10 epochs, seed 0; ")


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
    assert tty.getvalue().endswith(" left ")  # the time left: never "ETA", which is the learning rate here
