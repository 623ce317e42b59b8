"""A training run on MNIST: SGD epoch after epoch, with a checkpoint after each.

The model file is rewritten, atomically, after every epoch. Besides the
network it holds everything needed to continue the run and to tell its story:

    "training": {
     "arguments":   the options the run was started with (see DEFAULTS)
     "made_with":   nnloop's version and the Python that ran it
     "epochs_done": how many epochs the network in the file has had
     "order_rng":   the state of the generator that shuffles each epoch's order
     "history":     per epoch: loss, train_accuracy, test_accuracy, the
                    gradient magnitudes mean |dW[k]| per layer, seconds
    }

A run stopped by Ctrl-C or a crash loses at most the epoch it was in, and
`nnloop train --resume MODEL` continues it to the very model that an
uninterrupted run makes: the weights, the epoch and the shuffling generator
are all in the file. The same arguments and seed give the same file, byte
for byte, except for the measured seconds (leave them out: --reproducible).
"""
import math
import os
import sys
import time

from . import __version__, command, mnist, modelfile
from .errors import NnloopError
from .evaluation import accuracy, confusion_matrix
from .network import Network
from .parallel import Pool
from .rng import Random
from .training import check_hyperparameters, run_epoch

DEFAULTS = {
    "hidden": [100],
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
}
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
        order_rng = Random()
        order_rng.set_state(training["order_rng"])
    else:
        arguments = {**DEFAULTS, **arguments}
        check_hyperparameters(arguments["epochs"], arguments["batch_size"], arguments["learning_rate"])
        net = Network([784] + arguments["hidden"] + [10],
                      [arguments["activation"]] * len(arguments["hidden"]) + [arguments["output_activation"]],
                      arguments["loss"], seed=arguments["seed"])
        history = []
        order_rng = Random(arguments["seed"] + 1)  # a different stream from the one the weights came from
    train_set, test_set = mnist.load(arguments["data"] or mnist.BUNDLED)
    train_set = train_set.first(arguments["limit"])
    epochs, done = arguments["epochs"], len(history)
    if done >= epochs:
        raise NnloopError(f"{resume or model_path} has already had {done} epochs: pass --epochs N with N > {done} "
                          "to train on")
    directory = os.path.dirname(os.path.abspath(model_path))
    os.makedirs(directory, exist_ok=True)

    print(describe(net, arguments, len(train_set), len(test_set)), file=out)
    print(f"{'continuing' if resume else 'saving'} {model_path} after every epoch", file=out, flush=True)
    progress = Progress(out, len(train_set), epochs, done)
    pool = Pool(net, train_set, arguments["workers"]) if arguments["workers"] > 1 else None
    epoch = done + 1
    try:
        for epoch in range(done + 1, epochs + 1):
            progress.start_epoch(epoch)
            try:
                loss, train_accuracy = run_epoch(net, train_set, arguments["batch_size"], arguments["learning_rate"],
                                                 order_rng, pool=pool, progress=progress.update)
            except NnloopError as e:
                kept = f"{model_path} keeps epoch {done}" if done else "no checkpoint was written"
                raise NnloopError(f"{e} ({kept})") from None
            train_rate = len(train_set) / progress.seconds()
            test_accuracy = accuracy(confusion_matrix(net, test_set, 10))
            entry = {"epoch": epoch, "loss": round(loss, 6), "train_accuracy": round(train_accuracy, 6),
                     "test_accuracy": test_accuracy, "mean_abs_dW": gradient_magnitudes(net, train_set)}
            if not arguments["reproducible"]:
                entry["seconds"] = round(progress.seconds(), 2)
            history.append(entry)
            modelfile.save(net, model_path, training={
                "arguments": arguments, "made_with": made_with(), "epochs_done": epoch,
                "order_rng": order_rng.get_state(), "history": history})
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


def read_checkpoint(model_path, arguments):
    """(network, training) of a checkpoint to resume, with arguments' changes applied."""
    net, training = modelfile.read(model_path)
    if not training or not {"arguments", "epochs_done", "order_rng", "history"} <= set(training):
        raise NnloopError(f"{model_path} holds no training state to resume: only files written by nnloop train do")
    recorded = training["arguments"]
    for name, value in arguments.items():
        if name not in RESUMABLE and value != recorded.get(name):
            option = "--" + name.replace("_", "-")
            raise NnloopError(f"{option} {value} differs from the run in {model_path} ({recorded.get(name)}); "
                              f"--resume continues that run: leave {option} out")
    training["arguments"] = {**recorded, **{name: arguments[name] for name in RESUMABLE if name in arguments}}
    check_hyperparameters(training["arguments"]["epochs"], recorded["batch_size"], recorded["learning_rate"])
    return net, training


def gradient_magnitudes(net, train_set, probe=1000):
    """mean |dW[k]| per layer k = 1..L of the mean gradient over the first probe training digits.

    Measured on the same digits after every epoch, so the numbers of
    different epochs compare: how hard is each layer still being pushed?
    """
    probe_set = train_set.first(probe)
    return [float(f"{m:.6g}") for m in net.gradients([probe_set[i] for i in range(len(probe_set))]).mean_abs_dW()]


def describe(net, arguments, n_train, n_test):
    sizes = "-".join(map(str, net.sizes))
    acts = "/".join(net.activations[1:])
    return (f"network {sizes} ({acts}, {net.loss}); {n_train:,} training and {n_test:,} test digits; "
            f"batch {arguments['batch_size']}, learning rate {arguments['learning_rate']}, "
            f"{plural(arguments['epochs'], 'epoch')}, seed {arguments['seed']}; {made_with()['python']}")


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
