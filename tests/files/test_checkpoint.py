"""nnloop.files.checkpoint: the "training" block of a model file checked key by key as it is read.

The damaged files of every command are in tests/program/test_bad_input.py; here check_training itself, on the keys
and rules those cases leave out.
"""
import copy

import pytest

from nnloop import NnloopError, Recipe
from nnloop.files.checkpoint import FIX, check_agreement, check_training, is_number, is_whole

ENTRY = {"epoch": 1, "loss": 0.3, "train_accuracy": 0.9, "test_accuracy": 0.91, "seconds": 2.5,
         "mean_abs_dW": [0.01, 0.002], "learning_rate": 0.1}
TRAINING = {
    "arguments": {"hidden": [100], "layers": None, "activation": "relu", "output_activation": "softmax",
                  "loss": "cross_entropy", "epochs": 10, "batch_size": 32, "learning_rate": 0.1, "seed": -3,
                  "limit": None, "data": None, "workers": 1, "reproducible": False, "optimizer": "momentum",
                  "momentum": 0.9, "beta1": None, "weight_decay": 0.0, "decay": "coupled", "dropout": 0.0,
                  "lr_schedule": "step", "lr_step": 10, "lr_gamma": 0.5, "lr_epochs": None},
    "made_with": {"nnloop": "0", "python": "CPython 3.11"},
    "epochs_done": 1,
    "order_rng": {"splitmix64": "00000000000000ff", "spare": None},
    "dropout_rng": {"splitmix64": "0123456789abcdef", "spare": -0.5},
    "optimizer": {"name": "momentum", "mu": 0.9, "weight_decay": 0.0, "decay": "coupled"},
    "history": [ENTRY],
}


def edited(change):
    training = copy.deepcopy(TRAINING)
    change(training)
    return training


def test_a_block_as_nnloop_train_writes_it_passes_and_returns_nothing():
    assert check_training(copy.deepcopy(TRAINING), "m.json") is None


def test_keys_this_nnloop_does_not_know_are_left_alone():
    """A newer nnloop may record more: its files still load."""
    training = edited(lambda t: (t.update(future={"x": [1]}), t["arguments"].update(new_option="on"),
                                 t["history"][0].update(new_measure="x")))
    check_training(training, "m.json")


def test_an_empty_block_and_a_run_of_old_sgd_without_an_optimizer_pass():
    check_training({}, "m.json")
    check_training(edited(lambda t: (t.pop("optimizer"), t.pop("dropout_rng"))), "m.json")


@pytest.mark.parametrize("change, message", [
    (lambda t: t["arguments"].update(limit=0), r"arguments\.limit\": limit must be a whole number >= 1 or None; got 0"),
    (lambda t: t["arguments"].update(seed=True), r"arguments\.seed\": the seed must be a whole number; got True"),
    (lambda t: t["arguments"].update(learning_rate=float("inf")), r"arguments\.learning_rate\": the learning rate eta must be a number > 0.*; got inf"),
    (lambda t: t["arguments"].update(hidden=[100, 0]), r"arguments\.hidden\": the hidden layer sizes must be whole numbers >= 1, .*; got \[100, 0\]"),
    (lambda t: t["arguments"].update(layers=["conv8x5"]), r"arguments\.layers\": layers must be an architecture string"),
    (lambda t: t["arguments"].update(loss=1), r"arguments\.loss\": the loss must be one of mse, cross_entropy; got 1"),
    (lambda t: t["arguments"].update(data=7), r"arguments\.data\": data must be a directory name or None; got 7"),
    (lambda t: t["arguments"].update(decay="both"), r"arguments\.decay\": the weight decay must be one of coupled, decoupled"),
    (lambda t: t["arguments"].update(lr_schedule="linear"), r"arguments\.lr_schedule\": the learning-rate schedule must be one of constant"),
    (lambda t: t["arguments"].update(lr_gamma=1), r"arguments\.lr_gamma\": the step schedule's GAMMA .* must be > 0 and < 1"),
    (lambda t: t["arguments"].update(lr_epochs=0), r"arguments\.lr_epochs\": the cosine schedule's length E must be a whole number >= 1"),
    (lambda t: t["arguments"].update(momentum=1.0), r"arguments\.momentum\": the momentum mu must be in \[0, 1\).*; got 1\.0: put back the value"),
    (lambda t: t["history"][0].update(seconds=-1), r"history\[0\]\.seconds\" must be a number >= 0"),
    (lambda t: t["history"][0].update(loss=float("nan")), r"history\[0\]\.loss\" must be a number >= 0"),
    (lambda t: t["history"][0].update(epoch=0), r"history\[0\]\.epoch\" must be a whole number >= 1"),
    (lambda t: t["history"][0].update(mean_abs_dW=[0.1, None]), r"history\[0\]\.mean_abs_dW\" must be a list"),
    (lambda t: t["order_rng"].pop("spare"), r"\"training\.order_rng\" must be"),
    (lambda t: t["dropout_rng"].update(spare=float("inf")), r"\"spare\" must be null or a number"),
    (lambda t: t.update(optimizer={"mu": 0.9}), r"\"training\.optimizer\" must be an object whose \"name\""),
    (lambda t: t.update(optimizer={"name": "lion"}), r"\"training\.optimizer\" must be an object whose \"name\""),
])
def test_a_wrong_value_is_refused_in_one_line_naming_the_key(change, message):
    with pytest.raises(NnloopError, match=r"^m\.json: .*" + message) as e:
        check_training(edited(change), "m.json")
    assert "\n" not in str(e.value)


def test_every_refusal_says_what_to_do():
    with pytest.raises(NnloopError) as e:
        check_training(edited(lambda t: t["arguments"].update(epochs="10")), "m.json")
    assert str(e.value).endswith(FIX)


def test_the_recorded_recipe_must_agree_with_the_optimizer_state():
    # a file from before optimizers recorded no "optimizer": it was sgd
    check_agreement(Recipe(), {"name": "sgd"}, "m.json")
    with pytest.raises(NnloopError, match=r"arguments\.optimizer\" says 'sgd' but .* the state of 'adam'"):
        check_agreement(Recipe(), {"name": "adam"}, "m.json")
    check_agreement(Recipe(optimizer="momentum"), {"name": "momentum", "mu": 0.5}, "m.json")  # mu left at default
    with pytest.raises(NnloopError, match=r"arguments\.momentum\" says 0.7 but the optimizer's \"mu\" is 0.5"):
        check_agreement(Recipe(optimizer="momentum", momentum=0.7), {"name": "momentum", "mu": 0.5}, "m.json")
    with pytest.raises(NnloopError, match=r"arguments\.decay\" says 'decoupled' but the optimizer's \"decay\""):
        check_agreement(Recipe(optimizer="momentum", decay="decoupled", weight_decay=0.1),
                        {"name": "momentum", "decay": "coupled"}, "m.json")


def test_a_block_without_its_recipe_is_checked_against_the_default_one():
    with pytest.raises(NnloopError, match=r"arguments\.optimizer\" says 'sgd' but .* the state of 'adam'"):
        check_training(edited(lambda t: (t.pop("arguments"), t.update(optimizer={"name": "adam"}))), "m.json")


def test_whole_numbers_and_numbers_exclude_booleans():
    assert is_whole(3) and not is_whole(True) and not is_whole(3.0)
    assert is_number(3) and is_number(0.5) and not is_number(False) and not is_number("1")
