"""The command line: training on MNIST end to end, checkpoints, resume, refusals."""
import io
import json
import re
import signal
import time

import pytest

from nnloop import load
from nnloop.cli import main

from conftest import assert_refused, run_nnloop, start_nnloop


def train(data, model, *options):
    """Train in-process, quietly; return the exit status."""
    return main(["train", "--data", data, "-o", str(model), *map(str, options)])


def training_of(model):
    return json.loads(open(model).read())["training"]


def test_end_to_end_few_hundred_real_digits_beat_chance_widely(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    result = run_nnloop("train", "--data", small_mnist, "--epochs", "8", "--hidden", "30", "-o", model)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # not a terminal: one line per epoch, no progress bar
    assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("epoch")] == \
           [f"{e}/8" for e in range(1, 9)]
    assert "\r" not in result.stdout
    history = training_of(model)["history"]
    assert history[-1]["test_accuracy"] > 0.6  # chance is 0.1
    assert history[-1]["loss"] < history[0]["loss"]

    evaluated = run_nnloop("evaluate", model, "--data", small_mnist)
    assert evaluated.returncode == 0
    assert f"test accuracy {100 * history[-1]['test_accuracy']:.2f}%" in evaluated.stdout
    assert "true \\ predicted" in evaluated.stdout

    predicted = run_nnloop("predict", model, "0", "1", "--data", small_mnist)
    assert predicted.returncode == 0
    assert "test digit 0: labelled 7" in predicted.stdout and "test digit 1: labelled 2" in predicted.stdout
    assert "@@" in predicted.stdout  # the digit is drawn


def test_the_model_file_records_how_it_was_made(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    assert train(small_mnist, model, "--epochs", "2", "--hidden", "12,8", "--seed", "4", "--limit", "100") == 0
    training = training_of(model)
    assert training["arguments"]["hidden"] == [12, 8] and training["arguments"]["seed"] == 4
    assert training["arguments"]["limit"] == 100 and training["epochs_done"] == 2
    assert training["made_with"]["python"].startswith(("CPython", "PyPy"))
    assert [entry["epoch"] for entry in training["history"]] == [1, 2]
    assert set(training["history"][0]) == {"epoch", "loss", "train_accuracy", "test_accuracy", "mean_abs_dW",
                                           "seconds"}
    assert [len(entry["mean_abs_dW"]) for entry in training["history"]] == [3, 3]
    assert all(m > 0 for entry in training["history"] for m in entry["mean_abs_dW"])
    assert load(model).sizes == [784, 12, 8, 10]


def test_same_seed_and_arguments_give_a_byte_identical_model_file(tmp_path, small_mnist):
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    for model, seed in ((a, 1), (b, 1), (c, 2)):
        assert train(small_mnist, model, "--epochs", "2", "--hidden", "16", "--seed", seed, "--reproducible") == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_without_reproducible_only_the_seconds_differ(tmp_path, small_mnist):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for model in (a, b):
        assert train(small_mnist, model, "--epochs", "2", "--hidden", "16") == 0
    docs = [json.loads(model.read_text()) for model in (a, b)]
    for doc in docs:
        for entry in doc["training"]["history"]:
            assert entry.pop("seconds") > 0
    assert docs[0] == docs[1]


def test_interrupted_and_resumed_equals_uninterrupted(tmp_path, small_mnist):
    whole, part = tmp_path / "whole.json", tmp_path / "part.json"
    options = ("--hidden", "16", "--batch-size", "10", "--seed", "3", "--reproducible")
    assert train(small_mnist, whole, "--epochs", "4", *options) == 0
    assert train(small_mnist, part, "--epochs", "2", *options) == 0
    assert main(["train", "--resume", str(part), "--epochs", "4", "--data", small_mnist]) == 0
    assert part.read_bytes() == whole.read_bytes()


def test_resume_refuses_to_change_the_run(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    assert train(small_mnist, model, "--epochs", "1", "--hidden", "16") == 0
    assert_refused(run_nnloop("train", "--resume", model, "--hidden", "32", "--epochs", "2", "--data", small_mnist),
                   "--hidden [32] differs from the run", "leave --hidden out")
    assert_refused(run_nnloop("train", "--resume", model, "--data", small_mnist),
                   "has already had 1 epoch: pass --epochs N with N > 1")


def test_ctrl_c_stops_cleanly_and_keeps_the_last_checkpoint(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    process = start_nnloop("train", "--data", small_mnist, "-o", model, "--epochs", "1000", "--hidden", "16",
                           "--reproducible")
    deadline = time.time() + 120
    while not model.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert model.exists(), "no checkpoint after two minutes"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert "interrupted in epoch" in out and f"-m nnloop train --resume {model}" in out
    kept = training_of(model)
    assert kept["epochs_done"] >= 1 and len(kept["history"]) == kept["epochs_done"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_divergence_stops_with_advice_and_keeps_the_last_good_checkpoint(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    assert train(small_mnist, model, "--epochs", "1", "--hidden", "16", "--reproducible") == 0
    good = model.read_bytes()
    result = run_nnloop("train", "--resume", model, "--epochs", "3", "--data", small_mnist,
                        "--learning-rate", "1e6")
    assert_refused(result, "--learning-rate 1000000.0 differs")
    diverging = tmp_path / "d.json"
    result = run_nnloop("train", "--data", small_mnist, "-o", diverging, "--epochs", "3", "--hidden", "16",
                        "--learning-rate", "1e6")
    assert_refused(result, "training diverged", "try a smaller learning rate than 1e+06",
                   "no checkpoint was written")
    assert not diverging.exists()
    assert model.read_bytes() == good


@pytest.mark.parametrize("options, message", [
    (["--learning-rate", "0"], "argument --learning-rate/--lr: the learning rate eta must be a number > 0"),
    (["--lr", "-0.5"], "must be a number > 0"),
    (["--lr", "fast"], "must be a number > 0"),
    (["--batch-size", "0"], "argument --batch-size: the batch size must be a whole number >= 1; got 0"),
    (["--hidden", "100,-5"], "the hidden layer sizes must be whole numbers >= 1, like 128,64"),
    (["--hidden", "ten"], "hidden layer sizes must be whole numbers >= 1"),
    (["--hidden", "1.5"], "got '1.5'"),
    (["--epochs", "0"], "argument --epochs: epochs must be a whole number >= 1"),
    (["--loss", "cross_entropy", "--output-activation", "sigmoid"], "cross_entropy needs probabilities"),
    (["--activation", "gelu"], "invalid choice: 'gelu'"),
])
def test_cli_refuses_options_that_cannot_work(tmp_path, small_mnist, options, message):
    result = run_nnloop("train", "--data", small_mnist, "-o", tmp_path / "m.json", *options)
    assert_refused(result, message)
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("text, message", [
    ("not json at all", "is not valid JSON"),
    ('{"format": "something else"}', "is not an nnloop model file"),
    ('{"format": "nnloop-model", "version": 1, "loss": "mse", "sizes": [2, 1], '
     '"layers": [{"k": 1, "activation": "identity", "B": [0.0], "W": [[1.0, 2.0]]}]}', "MNIST digits need 784 inputs"),
])
@pytest.mark.parametrize("command", ["evaluate", "predict", "resume"])
def test_cli_refuses_a_file_that_is_not_an_nnloop_mnist_model(tmp_path, text, message, command):
    path = tmp_path / "bad.json"
    path.write_text(text)
    if command == "resume":
        result = run_nnloop("train", "--resume", path, "--epochs", "2")
    else:
        result = run_nnloop(command, path, *(["0"] if command == "predict" else []))
    assert_refused(result, message)


def test_predict_refuses_an_index_beyond_the_test_set(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    assert train(small_mnist, model, "--epochs", "1", "--hidden", "8") == 0
    assert_refused(run_nnloop("predict", model, "200", "--data", small_mnist), "there is no test digit 200")
    assert_refused(run_nnloop("predict", model, "-3", "--data", small_mnist), "index is a whole number")


def test_python_dash_m_and_help(tmp_path):
    result = run_nnloop("train", "--help")
    assert result.returncode == 0 and "minibatch" in result.stdout and "--learning-rate" in result.stdout
    assert run_nnloop().returncode == 2


def test_the_main_help_names_every_shipped_spec():
    from nnloop.bundled import examples
    shown = run_nnloop("--help").stdout
    names = sorted(examples())
    assert len(names) >= 8
    assert f"\n  {', '.join(names)}\n" in shown


def test_the_main_help_s_examples_run_as_printed_in_an_empty_directory(tmp_path, small_mnist):
    """Every `nnloop ...` line of `nnloop --help`, in order, in a directory with nothing in it; only what makes
    them quick is added (the small MNIST, one short epoch, fewer samples to time)."""
    quick = {"train": ["--data", small_mnist, "--limit", "100", "--epochs", "1"],
             "evaluate": ["--data", small_mnist], "predict": ["--data", small_mnist],
             "report": ["--data", small_mnist], "bench": ["--samples", "64", "--data", small_mnist]}
    work = tmp_path / "empty"
    work.mkdir()
    help_lines = run_nnloop("--help").stdout.splitlines()
    examples = [re.split(r"\s{2,}", line.strip())[0].split()[1:] for line in help_lines if line.startswith("  nnloop ")]
    assert len(examples) >= 12  # an example ends where two spaces start its comment
    for argv in examples:
        result = run_nnloop(*argv, *quick.get(argv[0], []), cwd=work)
        assert result.returncode == 0, (argv, result.stderr)
    assert (work / "models" / "mnist.json").exists() and (work / "models" / "net.svg").exists()


class Terminal(io.StringIO):
    """What nnloop writes its progress to when a person watches: a terminal."""

    def isatty(self):
        return True


def test_on_a_terminal_the_progress_line_covers_each_epoch_s_test_pass(tmp_path, small_mnist):
    from nnloop import Recipe
    from nnloop.cli.trainer import Run, train_mnist
    out = Terminal()
    assert train_mnist(Run.start(Recipe(data=small_mnist, epochs=1, hidden=[8])), str(tmp_path / "m.json"),
                       out=out) == 0
    shown = out.getvalue()
    assert "epoch   1/1 testing [" in shown and "0/200 test digits" in shown
    assert shown.index("testing [") < shown.index("epoch   1/1  loss")  # drawn during the pass, before the epoch line
