"""Checking the "training" block of a model file, key by key, as it is loaded.

A model file is JSON meant to be read and edited by hand. What nnloop train
writes in its "training" block (see nnloop.cli.trainer) is read back by
`train --resume`, `report` and `trace`; a hand-edited value of the wrong
kind must be refused on load with one line naming the key and the fix,
not crash one of them later. Keys this nnloop does not know are left alone:
a newer nnloop may record more.

>>> check_training({"epochs_done": 1, "history": [{"epoch": 1, "loss": 0.3, "train_accuracy": 0.9,
...                                                  "test_accuracy": 0.91}]}, "m.json")
>>> check_training({"history": [{"loss": 0.3}]}, "m.json")
Traceback (most recent call last):
...
nnloop.errors.NnloopError: m.json: "training.history[0]" has no "epoch": give each history entry its epoch number, 1, 2, ..., or delete the entry
"""
import math

from ..errors import NnloopError, short
from ..learning import optimizers
from ..learning.recipe import FIX, SETTINGS, Recipe


def check_training(training, path):
    """Refuse a training block whose known keys hold values of the wrong kind."""
    where = f"{path}: \"training"
    recipe = Recipe.from_document(training["arguments"], path) if "arguments" in training else None
    if "made_with" in training and not isinstance(training["made_with"], dict):
        raise NnloopError(f"{where}.made_with\" must be an object {{\"nnloop\": ..., \"python\": ...}}: {FIX}")
    if "epochs_done" in training:
        whole(training["epochs_done"], 0, f"{where}.epochs_done\"")
    for key in ("order_rng", "dropout_rng"):
        if key in training:
            check_rng_state(training[key], f"{where}.{key}\"")
    if "history" in training:
        check_history(training["history"], path)
    if "optimizer" in training:
        name = training["optimizer"].get("name") if isinstance(training["optimizer"], dict) else None
        if not isinstance(name, str) or name not in optimizers.OPTIMIZERS:
            raise NnloopError(f"{where}.optimizer\" must be an object whose \"name\" is one of "
                              f"{', '.join(optimizers.OPTIMIZERS)}; got {short(training['optimizer'])}: {FIX}")
        check_agreement(recipe or Recipe(), training["optimizer"], path)


def check_agreement(recipe, optimizer, path):
    """Refuse a file whose recorded recipe contradicts the optimizer state it holds: one of them was edited.

    A file from before optimizers recorded none: its recipe has the default, sgd.
    """
    where = f"{path}: \"training"
    if optimizer.get("name") != recipe.optimizer:
        raise NnloopError(f"{where}.arguments.optimizer\" says {short(recipe.optimizer)} but \"training.optimizer\" "
                          f"holds the state of {short(optimizer.get('name'))}: the file is damaged; {FIX}")
    for setting in SETTINGS.values():  # those the optimizer holds: mu, ..., weight_decay, decay
        name = setting.hyperparameter or setting.name  # the optimizer's name for it: --momentum sets its mu
        given = getattr(recipe, setting.name)
        if name in optimizer and given is not None and given != optimizer[name]:
            raise NnloopError(f"{where}.arguments.{setting.key}\" says {short(given)} but the optimizer's \"{name}\" "
                              f"is {short(optimizer[name])}: the file is damaged; {FIX}")


def check_rng_state(state, where):
    if not isinstance(state, dict) or not isinstance(state.get("splitmix64"), str) or "spare" not in state:
        raise NnloopError(f"{where} must be {{\"splitmix64\": \"<16 hex digits>\", \"spare\": null or a number}}; "
                          f"got {short(state)}: {FIX}")
    try:
        int(state["splitmix64"], 16)
    except ValueError:
        raise NnloopError(f"{where}: \"splitmix64\" must be hexadecimal digits, got {short(state['splitmix64'])}: "
                          f"{FIX}") from None
    spare = state["spare"]
    if spare is not None and not (is_number(spare) and math.isfinite(spare)):
        raise NnloopError(f"{where}: \"spare\" must be null or a number, got {short(spare)}: {FIX}")


def check_history(history, path):
    if not isinstance(history, list):
        raise NnloopError(f"{path}: \"training.history\" must be a list of one object per epoch: {FIX}")
    for n, entry in enumerate(history):
        where = f"{path}: \"training.history[{n}]"
        if not isinstance(entry, dict):
            raise NnloopError(f"{where}\" must be an object with epoch, loss and accuracies: {FIX}")
        if "epoch" not in entry:
            raise NnloopError(f"{where}\" has no \"epoch\": give each history entry its epoch number, 1, 2, ..., "
                              "or delete the entry")
        whole(entry["epoch"], 1, f"{where}.epoch\"")
        for key in ("loss", "train_accuracy", "test_accuracy"):
            if key not in entry:
                raise NnloopError(f"{where}\" has no \"{key}\": {FIX}")
        for key in ("loss", "train_accuracy", "test_accuracy", "seconds"):
            if key in entry and not (is_number(entry[key]) and math.isfinite(entry[key]) and entry[key] >= 0):
                raise NnloopError(f"{where}.{key}\" must be a number >= 0, got {short(entry[key])}: {FIX}")
        for key in ("train_accuracy", "test_accuracy"):
            if key in entry and entry[key] > 1:
                raise NnloopError(f"{where}.{key}\" is a fraction from 0 to 1, got {entry[key]!r}: {FIX}")
        if "mean_abs_dW" in entry:
            m = entry["mean_abs_dW"]
            if not isinstance(m, list) or not all(is_number(v) and math.isfinite(v) for v in m):
                raise NnloopError(f"{where}.mean_abs_dW\" must be a list of numbers, one per layer: {FIX}")


def whole(value, smallest, where):
    if not is_whole(value) or (smallest is not None and value < smallest):
        least = "" if smallest is None else f" >= {smallest}"
        raise NnloopError(f"{where} must be a whole number{least}, got {short(value)}: {FIX}")


def is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)
