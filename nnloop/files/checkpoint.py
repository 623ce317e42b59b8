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
from ..layers.dropout import check_dropout
from ..learning import optimizers
from ..learning.schedules import SCHEDULES

FIX = "put back the value nnloop train wrote, or train again"


def check_training(training, path):
    """Refuse a training block whose known keys hold values of the wrong kind."""
    where = f"{path}: \"training"
    if "arguments" in training:
        check_arguments(training["arguments"], path)
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
        check_agreement(training.get("arguments", {}), training["optimizer"], path)


def check_arguments(arguments, path):
    where = f"{path}: \"training.arguments"
    if not isinstance(arguments, dict):
        raise NnloopError(f"{where}\" must be an object of the options of the run: {FIX}")
    for key in ("epochs", "batch_size", "workers"):
        if key in arguments:
            whole(arguments[key], 1, f"{where}.{key}\"")
    if "seed" in arguments:
        whole(arguments["seed"], None, f"{where}.seed\"")
    if "limit" in arguments and arguments["limit"] is not None:
        whole(arguments["limit"], 1, f"{where}.limit\"")
    if "learning_rate" in arguments:
        eta = arguments["learning_rate"]
        if not is_number(eta) or not 0 < eta < math.inf:
            raise NnloopError(f"{where}.learning_rate\" must be a number > 0, like 0.1; got {short(eta)}: {FIX}")
    if "hidden" in arguments:
        hidden = arguments["hidden"]
        if not isinstance(hidden, list) or not all(is_whole(n) and n >= 1 for n in hidden):
            raise NnloopError(f"{where}.hidden\" must be a list of layer sizes, like [100]; got {short(hidden)}: {FIX}")
    if arguments.get("layers") is not None and not isinstance(arguments["layers"], str):
        raise NnloopError(f"{where}.layers\" must be an architecture string, like \"conv8x5,maxpool2,dense100\", "
                          f"or null; got {short(arguments['layers'])}: {FIX}")
    for key in ("activation", "output_activation", "loss"):
        if key in arguments and not isinstance(arguments[key], str):
            raise NnloopError(f"{where}.{key}\" must be a name, like \"relu\"; got {short(arguments[key])}: {FIX}")
    if "data" in arguments and arguments["data"] is not None and not isinstance(arguments["data"], str):
        raise NnloopError(f"{where}.data\" must be a directory name or null; got {short(arguments['data'])}: {FIX}")
    if "reproducible" in arguments and not isinstance(arguments["reproducible"], bool):
        raise NnloopError(f"{where}.reproducible\" must be true or false; got {short(arguments['reproducible'])}: "
                          f"{FIX}")
    for key, choices in (("optimizer", tuple(optimizers.OPTIMIZERS)), ("decay", ("coupled", "decoupled")),
                         ("lr_schedule", SCHEDULES)):
        if key in arguments and (not isinstance(arguments[key], str) or arguments[key] not in choices):
            raise NnloopError(f"{where}.{key}\" must be one of {', '.join(choices)}; got {short(arguments[key])}: "
                              f"{FIX}")
    for option, hyperparameter in list(optimizers.OPTIONS.items()) + [("weight_decay", "weight_decay")]:
        if arguments.get(option) is not None:
            in_range(lambda value: optimizers.check_hyperparameter(hyperparameter, value), arguments[option],
                     f"{where}.{option}\"")
    if "dropout" in arguments:
        in_range(check_dropout, arguments["dropout"], f"{where}.dropout\"")
    if "lr_step" in arguments:
        whole(arguments["lr_step"], 1, f"{where}.lr_step\"")
    if "lr_gamma" in arguments:
        gamma = arguments["lr_gamma"]
        if not is_number(gamma) or not 0 < gamma < 1:
            raise NnloopError(f"{where}.lr_gamma\" must be a number > 0 and < 1, like 0.5; got {short(gamma)}: {FIX}")
    if arguments.get("lr_epochs") is not None:
        whole(arguments["lr_epochs"], 1, f"{where}.lr_epochs\"")


def check_agreement(arguments, optimizer, path):
    """Refuse a file whose recorded options contradict the optimizer state it holds: one of them was edited."""
    where = f"{path}: \"training"
    recorded = arguments.get("optimizer", "sgd")  # files from before optimizers: plain SGD
    if optimizer.get("name") != recorded:
        raise NnloopError(f"{where}.arguments.optimizer\" says {short(recorded)} but \"training.optimizer\" holds "
                          f"the state of {short(optimizer.get('name'))}: the file is damaged; {FIX}")
    for option, name in list(optimizers.OPTIONS.items()) + [("weight_decay", "weight_decay"), ("decay", "decay")]:
        given = arguments.get(option)
        if given is not None and name in optimizer and given != optimizer[name]:
            raise NnloopError(f"{where}.arguments.{option}\" says {short(given)} but the optimizer's \"{name}\" is "
                              f"{short(optimizer[name])}: the file is damaged; {FIX}")


def in_range(check, value, where):
    """Run check(value), a check of nnloop's that raises NnloopError, naming where in the file the value is."""
    try:
        check(value)
    except NnloopError as e:
        raise NnloopError(f"{where}: {e}; {FIX}") from None


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
