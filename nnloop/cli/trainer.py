"""A training run on MNIST: SGD epoch after epoch, with a checkpoint after each.

The model file is rewritten, atomically, after every epoch. Besides the
network it holds everything needed to continue the run and to tell its story:

    "training": {
     "arguments":   the options the run was started with (see DEFAULTS)
     "made_with":   nnloop's version and the Python that ran it
     "epochs_done": how many epochs the network in the file has had
     "order_rng":   the state of the generator that shuffles each epoch's order
     "dropout_rng": the state of the generator of the dropout masks' seeds,
                    one per epoch (see nnloop.learning.training.run_epoch)
     "optimizer":   the optimizer's settings, step count t and per-parameter
                    state (velocities, moments; see nnloop.learning.optimizers)
     "history":     per epoch: loss, train_accuracy, test_accuracy, the
                    gradient magnitudes mean |dW[k]| per layer, the
                    epoch's learning rate (the schedule's eta_e), seconds
    }

Files written before optimizers existed have no "optimizer" or
"dropout_rng": they were plain SGD runs, and resume as such.

A run stopped by Ctrl-C or a crash loses at most the epoch it was in, and
`nnloop train --resume MODEL` continues it to the very model that an
uninterrupted run makes: the weights, the epoch and the shuffling generator
are all in the file. The same arguments and seed give the same file, byte
for byte, except for the measured seconds (leave them out: --reproducible).
"""
import math
import sys
import time

from .. import __version__, architecture, command
from ..errors import NnloopError
from ..files import mnist, modelfile
from ..learning import optimizers
from ..layers.dropout import check_dropout
from ..learning.evaluation import accuracy, confusion_matrix, progress_line
from ..learning.parallel import WorkerPool
from ..learning.schedules import check_schedule, learning_rate
from ..learning.training import check_hyperparameters, run_epoch
from ..network import Network
from ..rng import Random

DEFAULTS = {
    "hidden": [100],
    "layers": None,         # an architecture string (nnloop.architecture); None: the dense --hidden layers
    "activation": "relu",
    "output_activation": "softmax",
    "loss": "cross_entropy",
    "epochs": 10,
    "batch_size": 32,
    "learning_rate": 0.1,
    "seed": 0,
    "limit": None,
    "data": None,  # None: the bundled data/mnist
    "workers": 1,
    "reproducible": False,  # True: no measured seconds in the file
    "optimizer": "sgd",
    "momentum": None,       # None: the optimizer's default (nnloop.learning.optimizers)
    "beta1": None,
    "beta2": None,
    "epsilon": None,
    "rho": None,
    "weight_decay": 0.0,
    "decay": "coupled",
    "dropout": 0.0,
    "lr_schedule": "constant",
    "lr_step": 10,          # step decay: epochs between cuts
    "lr_gamma": 0.5,        # step decay: the factor of each cut
    "lr_epochs": None,      # cosine: its length E; None: the run's epochs
}
# What every run of nnloop train has recorded, from the first version on: a file without one of them is damaged
# (the options added later may be missing from older files, which ran with their defaults).
ALWAYS_RECORDED = ("hidden", "activation", "output_activation", "loss", "epochs", "batch_size", "learning_rate",
                   "seed", "limit", "data", "workers", "reproducible")
# What --resume may change; anything else would make a different run.
RESUMABLE = ("epochs", "data", "workers", "reproducible")


def train_mnist(arguments, model_path, resume=None, out=None):
    """Train on MNIST as arguments say, saving to model_path after every epoch.

    arguments maps names of DEFAULTS to values; resume, if given, is the
    path of a checkpoint to continue (model_path itself, or a file left as
    it is), and arguments may only change RESUMABLE ones.
    Returns the exit status: 0 when done, 130 when interrupted by Ctrl-C.
    out is where progress goes, sys.stdout (as it is at the call) if None.
    """
    out = out or sys.stdout
    if resume:
        net, training = read_checkpoint(resume, arguments)
        arguments = training["arguments"]
        history = training["history"]
        order_rng, dropout_rng = Random(), Random(arguments["seed"] + 2)
        order_rng.set_state(training["order_rng"])
        if "dropout_rng" in training:
            dropout_rng.set_state(training["dropout_rng"])
        optimizer = (optimizers.from_document(training["optimizer"], net, model_path) if "optimizer" in training
                     else make_optimizer(net, arguments))
    else:
        check_given_options(arguments)
        arguments = {**DEFAULTS, **arguments}
        if arguments["lr_schedule"] == "cosine" and arguments["lr_epochs"] is None:
            arguments["lr_epochs"] = arguments["epochs"]  # fixed now: a resumed run may change --epochs
        check_hyperparameters(arguments["epochs"], arguments["batch_size"], arguments["learning_rate"])
        check_learning_options(arguments)
        net = new_network(arguments)
        history = []
        order_rng = Random(arguments["seed"] + 1)  # a different stream from the one the weights came from
        dropout_rng = Random(arguments["seed"] + 2)
        optimizer = make_optimizer(net, arguments)
    train_set, test_set = mnist.load(arguments["data"] or mnist.BUNDLED)
    train_set = train_set.first(arguments["limit"])
    epochs, done = arguments["epochs"], len(history)
    if done >= epochs:
        raise NnloopError(f"{resume or model_path} has already had {plural(done, 'epoch')}: pass --epochs N with N > {done} "
                          "to train on")

    print(describe(net, arguments, len(train_set), len(test_set)), file=out)
    if resume:
        print(f"continuing the run of {resume} from epoch {done + 1}, saving {model_path} after every epoch", file=out,
              flush=True)
    else:
        print(f"saving {model_path} after every epoch", file=out, flush=True)
    progress = Progress(out, len(train_set), epochs, done)
    pool = WorkerPool(net, train_set, arguments["workers"], arguments["dropout"]) if arguments["workers"] > 1 else None
    epoch = done + 1
    try:
        for epoch in range(done + 1, epochs + 1):
            progress.start_epoch(epoch)
            eta = epoch_learning_rate(arguments, epoch - 1)
            try:
                loss, train_accuracy = run_epoch(net, train_set, arguments["batch_size"], eta, order_rng, pool=pool,
                                                 progress=progress.update, optimizer=optimizer,
                                                 dropout=arguments["dropout"], dropout_rng=dropout_rng)
            except NnloopError as e:
                kept = f"{model_path} keeps epoch {done}" if done else "no checkpoint was written"
                raise NnloopError(f"{e} ({kept})") from None
            train_rate = len(train_set) / progress.seconds()
            test_accuracy = accuracy(confusion_matrix(net, test_set, 10, progress.testing(len(test_set))))
            entry = {"epoch": epoch, "loss": round(loss, 6), "train_accuracy": round(train_accuracy, 6),
                     "test_accuracy": test_accuracy, "mean_abs_dW": gradient_magnitudes(net, train_set)}
            if arguments["lr_schedule"] != "constant":
                entry["learning_rate"] = eta
            if not arguments["reproducible"]:
                entry["seconds"] = round(progress.seconds(), 2)
            history.append(entry)
            modelfile.save(net, model_path, training={
                "arguments": arguments, "made_with": made_with(), "epochs_done": epoch,
                "order_rng": order_rng.get_state(), "dropout_rng": dropout_rng.get_state(),
                "optimizer": optimizer.to_document(), "history": history})
            done = epoch
            progress.end_epoch(entry, train_rate)
    except KeyboardInterrupt:
        progress.clear()
        saved = f"{model_path} holds epoch {done}" if done else "no checkpoint was written yet"
        print(f"interrupted in epoch {epoch}: {saved}; continue with: {command.name()} train --resume {model_path}",
              file=out, flush=True)
        return 130
    finally:
        if pool is not None:
            pool.close()
    print(f"done: test accuracy {100 * history[-1]['test_accuracy']:.2f}% after {plural(epochs, 'epoch')}; "
          f"see it with: {command.name()} evaluate {model_path}", file=out)
    return 0


def new_network(arguments):
    """The network a run starts from: the --layers architecture over 1x28x28 digits, or dense --hidden layers."""
    if arguments["layers"]:
        return architecture.build(architecture.parse(arguments["layers"], arguments["activation"]), (1, 28, 28),
                                  mnist.CLASSES, arguments["output_activation"], arguments["loss"], arguments["seed"])
    return Network([784] + arguments["hidden"] + [mnist.CLASSES],
                   [arguments["activation"]] * len(arguments["hidden"]) + [arguments["output_activation"]],
                   arguments["loss"], seed=arguments["seed"])


def read_checkpoint(model_path, arguments):
    """(network, training) of a checkpoint to resume, with arguments' changes applied."""
    net, training = modelfile.read(model_path)
    mnist.check_model(net, model_path)
    if not training or not {"arguments", "epochs_done", "order_rng", "history"} <= set(training):
        raise NnloopError(f"{model_path} holds no training state to resume: only files written by nnloop train do")
    missing = [name for name in ALWAYS_RECORDED if name not in training["arguments"]]
    if missing:
        raise NnloopError(f"{model_path} is a damaged nnloop model file: \"training.arguments\" has no "
                          f"\"{missing[0]}\", which every run records; put back what nnloop train wrote, or train again")
    recorded = {**DEFAULTS, **training["arguments"]}  # older files lack the newer options: they had the defaults
    for name, value in arguments.items():
        if name not in RESUMABLE and value != recorded.get(name):
            option = "--" + name.replace("_", "-")
            raise NnloopError(f"{option} {value} differs from the run in {model_path} "
                              f"({recorded_setting(recorded, name)}); --resume continues that run: leave {option} out")
    training["arguments"] = {**recorded, **{name: arguments[name] for name in RESUMABLE if name in arguments}}
    check_hyperparameters(training["arguments"]["epochs"], recorded["batch_size"], recorded["learning_rate"])
    check_learning_options(recorded)
    return net, training


def recorded_setting(recorded, name):
    """What a run recorded for a setting, in words: 'its 0.1', or 'the default 0.9' for an optimizer's unset one."""
    value = recorded.get(name)
    if value is not None:
        return f"which has {value}"
    defaults = optimizers.OPTIMIZERS[recorded["optimizer"]].HYPERPARAMETERS
    if optimizers.OPTIONS.get(name) in defaults:
        return f"which has the default {defaults[optimizers.OPTIONS[name]]}"
    return "which did not set it"


def check_given_options(given):
    """Refuse options that the chosen schedule or weight decay would not use: a run must be what its command says."""
    schedule = given.get("lr_schedule", DEFAULTS["lr_schedule"])
    for name, user in (("lr_step", "step"), ("lr_gamma", "step"), ("lr_epochs", "cosine")):
        if name in given and schedule != user:
            option = "--" + name.replace("_", "-")
            raise NnloopError(f"{option} is a setting of the {user} schedule, which --lr-schedule {schedule} does "
                              f"not use: leave it out or choose --lr-schedule {user}")
    if "decay" in given and not given.get("weight_decay"):
        raise NnloopError("--decay says how weight decay is applied, but there is none: give --weight-decay LAMBDA, "
                          "or leave --decay out")


def make_optimizer(net, arguments):
    """The optimizer arguments name, with the hyperparameters they give (the others at their defaults)."""
    return optimizers.make(arguments["optimizer"], net, weight_decay=arguments["weight_decay"],
                           decay=arguments["decay"],
                           **{optimizers.OPTIONS[option]: arguments[option] for option in optimizers.OPTIONS})


def check_learning_options(arguments):
    """Refuse an optimizer, schedule or dropout that cannot run, and options the optimizer would ignore."""
    name = arguments["optimizer"]
    if name not in optimizers.OPTIMIZERS:
        raise NnloopError(f"unknown optimizer {name!r}: use one of {', '.join(optimizers.OPTIMIZERS)}")
    uses = optimizers.OPTIMIZERS[name].HYPERPARAMETERS
    for option, hyperparameter in optimizers.OPTIONS.items():
        if arguments[option] is not None and hyperparameter not in uses:
            users = [other for other, cls in optimizers.OPTIMIZERS.items() if hyperparameter in cls.HYPERPARAMETERS]
            raise NnloopError(f"--{option} is a setting of {' and '.join(users)}, which --optimizer {name} does not "
                              f"use: leave it out or choose --optimizer {users[0]}")
        if arguments[option] is not None:
            optimizers.check_hyperparameter(hyperparameter, arguments[option])
    optimizers.check_hyperparameter("weight_decay", arguments["weight_decay"])
    check_dropout(arguments["dropout"])
    if arguments["dropout"] and arguments["layers"] and any(
            d["type"] == "dropout" for d in architecture.parse(arguments["layers"], arguments["activation"])):
        raise NnloopError(f"--dropout {arguments['dropout']} puts a dropout layer after every hidden layer, but "
                          f"--layers {arguments['layers']} places its own: use one or the other")
    check_schedule(arguments["lr_schedule"], arguments["lr_step"], arguments["lr_gamma"], arguments["lr_epochs"])


def epoch_learning_rate(arguments, e):
    """eta_e of epoch e = 0, 1, ... under the run's --lr-schedule."""
    return learning_rate(arguments["lr_schedule"], arguments["learning_rate"], e, step=arguments["lr_step"],
                         gamma=arguments["lr_gamma"], E=arguments["lr_epochs"])


def gradient_magnitudes(net, train_set, probe=1000):
    """mean |dW[k]| per layer k = 1..L of the mean gradient over the first probe training digits.

    Measured on the same digits after every epoch, so the numbers of
    different epochs compare: how hard is each layer still being pushed?
    """
    probe_set = train_set.first(probe)
    return [float(f"{m:.6g}") for m in net.gradients([probe_set[i] for i in range(len(probe_set))]).mean_abs_dW()]


def describe(net, arguments, n_train, n_test):
    acts = "/".join(net.functions())
    layers = f" {arguments['layers']}" if arguments["layers"] else ""
    return (f"network{layers} {net.shape_name()} ({acts}, {net.loss}); {n_train:,} training and {n_test:,} test digits; "
            f"batch {arguments['batch_size']}, {describe_learning(arguments)}, "
            f"{plural(arguments['epochs'], 'epoch')}, seed {arguments['seed']}; {made_with()['python']}")


def describe_learning(arguments):
    """'learning rate 0.1' for plain SGD; the optimizer, schedule, decay and dropout as well otherwise."""
    text = f"learning rate {arguments['learning_rate']}"
    if arguments["lr_schedule"] != "constant":
        text += f" ({arguments['lr_schedule']} schedule)"
    if arguments["optimizer"] != "sgd":
        text = f"{arguments['optimizer']}, " + text
    if arguments["weight_decay"]:
        text += f", {arguments['decay']} weight decay {arguments['weight_decay']}"
    if arguments["dropout"]:
        text += f", dropout {arguments['dropout']}"
    return text


def made_with():
    return {"nnloop": __version__, "python": command.interpreter()}


class Progress:
    """The progress line of a run: redrawn in place on a terminal, silent elsewhere.

    Elsewhere (a log file, a pipe) only the line at the end of each epoch is
    written.
    """

    def __init__(self, out, n_train, epochs, done):
        self.out = out
        self.live = hasattr(out, "isatty") and out.isatty()
        self.n_train, self.epochs = n_train, epochs
        self.remaining = (epochs - done) * n_train
        self.drawn = time.perf_counter()
        self.trained = 0

    def start_epoch(self, epoch):
        self.epoch = epoch
        self.epoch_started = time.perf_counter()

    def update(self, samples_done, loss_sum):
        now = time.perf_counter()
        if not self.live or now - self.drawn < 0.2:
            return
        self.drawn = now
        rate = samples_done / max(now - self.epoch_started, 1e-9)
        left = (self.remaining - samples_done) / rate
        bar = int(20 * samples_done / self.n_train)
        self.out.write(f"\repoch {self.epoch:>3}/{self.epochs} [{'#' * bar}{'.' * (20 - bar)}] "
                       f"{samples_done:>7,}/{self.n_train:,}  {rate:,.0f} samples/s  "
                       f"loss {loss_sum / samples_done:.4f}  ETA {clock(left)} ")
        self.out.flush()

    def testing(self, n_test):
        """The progress callback of the epoch's test pass (see nnloop.learning.evaluation.confusion_matrix)."""
        return progress_line(self.out, n_test, f"epoch {self.epoch:>3}/{self.epochs} testing")

    def seconds(self):
        return time.perf_counter() - self.epoch_started

    def end_epoch(self, entry, train_rate):
        self.remaining -= self.n_train
        self.clear()
        self.out.write(f"epoch {entry['epoch']:>3}/{self.epochs}  loss {entry['loss']:.4f}  "
                       f"train {100 * entry['train_accuracy']:.2f}%  test {100 * entry['test_accuracy']:.2f}%  "
                       f"{self.seconds():.1f} s  (trained {train_rate:,.0f} samples/s)\n")
        self.out.flush()

    def clear(self):
        if self.live:
            self.out.write("\r" + " " * 100 + "\r")


def clock(seconds):
    """A duration as h:mm:ss or m:ss.

    >>> clock(75), clock(3725)
    ('1:15', '1:02:05')
    """
    if not math.isfinite(seconds):
        return "?"
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02}:{s % 60:02}" if s >= 3600 else f"{s // 60}:{s % 60:02}"


def plural(n, noun):
    """'1 epoch', '10 epochs'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
