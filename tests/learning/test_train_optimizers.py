"""nnloop train with optimizers, schedules, weight decay and dropout: resume, reproducibility, refusals."""
import json

import pytest

from nnloop.cli import main

from conftest import assert_refused, run_nnloop

RUNS = {
    "sgd": ["--lr-schedule", "step", "--lr-step", "1", "--lr-gamma", "0.5"],
    "momentum": ["--optimizer", "momentum", "--momentum", "0.8", "--lr-schedule", "cosine"],
    "nesterov": ["--optimizer", "nesterov", "--weight-decay", "0.001"],
    "adagrad": ["--optimizer", "adagrad", "--learning-rate", "0.01", "--dropout", "0.3"],
    "rmsprop": ["--optimizer", "rmsprop", "--learning-rate", "0.001", "--rho", "0.95"],
    "adam": ["--optimizer", "adam", "--learning-rate", "0.002", "--weight-decay", "0.01", "--decay", "decoupled",
             "--dropout", "0.2"],
}


def train(data, model, *options):
    return main(["train", "--data", data, "-o", str(model), "--hidden", "8", "--batch-size", "16",
                 "--reproducible", *map(str, options)])


@pytest.mark.parametrize("name", RUNS)
def test_resumed_equals_uninterrupted(tmp_path, small_mnist, name):
    whole, part = tmp_path / "whole.json", tmp_path / "part.json"
    assert train(small_mnist, whole, "--epochs", "3", *RUNS[name]) == 0
    # the cosine schedule's length is fixed at the start: give the part run the whole run's
    extra = ["--lr-epochs", "3"] if "cosine" in RUNS[name] else []
    assert train(small_mnist, part, "--epochs", "1", *RUNS[name], *extra) == 0
    assert main(["train", "--resume", str(part), "--epochs", "3", "--data", small_mnist]) == 0
    assert part.read_bytes() == whole.read_bytes()
    training = json.loads(whole.read_text())["training"]
    assert training["optimizer"]["name"] == name and training["optimizer"]["t"] == 3 * 19  # 19 minibatches of 16 (the last of 12) per epoch
    if name == "sgd":
        assert [entry["learning_rate"] for entry in training["history"]] == [0.1, 0.05, 0.025]


def test_the_same_options_give_the_same_file(tmp_path, small_mnist):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for model in (a, b):
        assert train(small_mnist, model, "--epochs", "2", *RUNS["adam"]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_optimizers_learn_differently(tmp_path, small_mnist):
    weights = []
    for name in ("sgd", "momentum", "adam"):
        model = tmp_path / f"{name}.json"
        assert train(small_mnist, model, "--epochs", "1", "--optimizer", name, "--learning-rate", "0.01") == 0
        weights.append(json.loads(model.read_text())["layers"])
    assert weights[0] != weights[1] != weights[2] != weights[0]


def test_a_file_from_before_optimizers_resumes_as_plain_sgd(tmp_path, small_mnist):
    """Old model files have no "optimizer" or "dropout_rng", nor the new arguments: they resume as the SGD runs they were."""
    whole, part = tmp_path / "whole.json", tmp_path / "part.json"
    assert train(small_mnist, whole, "--epochs", "2") == 0
    assert train(small_mnist, part, "--epochs", "1") == 0
    old = json.loads(part.read_text())
    for key in ("optimizer", "dropout_rng"):
        del old["training"][key]
    old["training"]["arguments"] = {key: value for key, value in old["training"]["arguments"].items()
                                    if key not in ("optimizer", "momentum", "beta1", "beta2", "epsilon", "rho",
                                                   "weight_decay", "decay", "dropout", "lr_schedule", "lr_step",
                                                   "lr_gamma", "lr_epochs")}
    part.write_text(json.dumps(old))
    assert main(["train", "--resume", str(part), "--epochs", "2", "--data", small_mnist]) == 0
    assert json.loads(part.read_text())["layers"] == json.loads(whole.read_text())["layers"]
    assert main(["evaluate", str(part), "--data", small_mnist]) == 0


@pytest.mark.parametrize("options, fragment", [
    (["--momentum", "-0.5"], "mu must be in [0, 1)"),
    (["--beta1", "1"], "beta1, Adam's decay of m, must be in [0, 1)"),
    (["--beta2", "nan"], "beta2, Adam's decay of s, must be in [0, 1), typically 0.999; got nan"),
    (["--epsilon", "0"], "epsilon, which keeps g / sqrt(h) finite, must be > 0"),
    (["--rho", "inf"], "rho, RMSProp's decay of h, must be in [0, 1)"),
    (["--dropout", "1.0"], "dropout P is the probability of dropping a node: it must be in [0, 1)"),
    (["--weight-decay", "-1"], "weight decay lambda must be >= 0"),
    (["--lr-gamma", "2"], "GAMMA (the factor of each cut) must be > 0 and < 1"),
    (["--optimizer", "adamw"], "invalid choice"),
    (["--beta1", "0.9"], "--beta1 is a setting of adam, which --optimizer sgd does not use"),
    (["--optimizer", "adam", "--momentum", "0.9"], "--momentum is a setting of momentum and nesterov"),
])
def test_bad_values_are_refused_in_one_line(tmp_path, small_mnist, options, fragment):
    assert_refused(run_nnloop("train", "--data", small_mnist, "-o", tmp_path / "m.json", *options), fragment)
    assert not (tmp_path / "m.json").exists()


def test_resume_refuses_another_optimizer(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    assert train(small_mnist, model, "--epochs", "1", "--optimizer", "adam") == 0
    assert_refused(run_nnloop("train", "--resume", model, "--epochs", "2", "--optimizer", "sgd", "--data",
                              small_mnist), "--optimizer sgd differs from the run")


def test_help_says_what_each_option_does_to_learning():
    result = run_nnloop("train", "--help")
    for text in ("--optimizer", "velocity", "--beta2", "--rho", "--epsilon", "--weight-decay", "decoupled (AdamW)",
                 "--dropout", "1/(1-P)", "--lr-schedule", "cosine", "--lr-step", "--lr-gamma", "--lr-epochs"):
        assert text in result.stdout, text
