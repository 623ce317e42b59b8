"""A training run on MNIST: SGD epoch after epoch, with a checkpoint after each.

The model file is rewritten, atomically, after every epoch. Besides the
network it holds everything needed to continue the run and to tell its story
(a Run, below, reads and writes it):

    "training": {
     "arguments":   the run's recipe, every setting under its option's name
                    (see nnloop.learning.recipe)
     "made_with":   nnloop's version and the Python that ran it
     "epochs_done": how many epochs the network in the file has had
     "order_rng":   the state of the generator that shuffles each epoch's order
     "dropout_rng": the state of the generator of the dropout masks' seeds,
                    one per epoch (see nnloop.learning.training.run_epoch)
     "optimizer":   the optimizer's settings, step count t and per-parameter
                    state (velocities, moments; see nnloop.learning.optimizers)
     "history":     per epoch: loss, train_accuracy, test_accuracy, the
                    gradient magnitudes mean |dW[k]| per layer, the
                    epoch's eta_e as "learning_rate" (when a schedule
                    changes it), seconds
    }

Files written before optimizers existed have no "optimizer" or
"dropout_rng": they were plain SGD runs, and resume as such.

A run stopped by Ctrl-C or a crash loses at most the epoch it was in, and
`nnloop train --resume MODEL` continues it to the very model that an
uninterrupted run makes: the weights, the epoch and the shuffling generator
are all in the file. The same recipe gives the same file, byte for byte,
except for the measured seconds (leave them out: --reproducible).
"""
import math
import sys
import time

from .. import __version__, command
from ..errors import NnloopError
from ..files import mnist, modelfile
from ..learning import optimizers
from ..learning.evaluation import accuracy, confusion_matrix, progress_line
from ..learning.parallel import WorkerPool
from ..learning.recipe import Recipe
from ..learning.training import run_epoch
from ..rng import Random

DIGIT = (1, mnist.ROWS, mnist.COLS)  # the input of every network trained here


class Run:
    """A training run as its checkpoint holds it, between two epochs.

    recipe       its settings (nnloop.learning.recipe.Recipe)
    net          the network, trained for len(history) epochs
    optimizer    the optimizer, with its step count and state
    history      one entry per epoch done (see the module's docstring)
    order_rng    the generator of each epoch's order of the digits
    dropout_rng  the generator of each epoch's dropout seed
    source       the model file it was resumed from, or None for a new run
    """

    def __init__(self, recipe, net, optimizer, history, order_rng, dropout_rng, source=None):
        self.recipe, self.net, self.optimizer, self.history = recipe, net, optimizer, history
        self.order_rng, self.dropout_rng, self.source = order_rng, dropout_rng, source

    @classmethod
    def start(cls, recipe):
        """A new run of recipe: its network, not yet trained."""
        net = recipe.new_network(DIGIT, mnist.CLASSES)
        # the shuffling and the dropout seeds: streams other than the one the weights came from
        return cls(recipe, net, recipe.new_optimizer(net), [], Random(recipe.seed + 1), Random(recipe.seed + 2))

    @classmethod
    def resume(cls, path, changes):
        """The run saved in the model file at path, with changes {name: value} of the settings --resume may change
        (refused for any other setting)."""
        net, training = modelfile.read(path)
        mnist.check_model(net, path)
        if not training or not {"arguments", "epochs_done", "order_rng", "history"} <= set(training):
            raise NnloopError(f"{path} holds no training state to resume: only files written by nnloop train do")
        recipe = Recipe.from_document(training["arguments"], path).resumed(changes, path)
        order_rng, dropout_rng = Random(), Random(recipe.seed + 2)
        order_rng.set_state(training["order_rng"])
        if "dropout_rng" in training:
            dropout_rng.set_state(training["dropout_rng"])
        optimizer = (optimizers.from_document(training["optimizer"], net, path) if "optimizer" in training
                     else recipe.new_optimizer(net))
        return cls(recipe, net, optimizer, training["history"], order_rng, dropout_rng, source=path)

    def to_document(self):
        """The JSON-ready "training" block of the model file."""
        return {"arguments": self.recipe.to_document(), "made_with": made_with(), "epochs_done": len(self.history),
                "order_rng": self.order_rng.get_state(), "dropout_rng": self.dropout_rng.get_state(),
                "optimizer": self.optimizer.to_document(self.net), "history": self.history}

    def __repr__(self):
        return f"Run({self.net.shape_name()}, {plural(len(self.history), 'epoch')} done, {self.recipe!r})"


def train_mnist(run, model_path, out=None):
    """Train run on MNIST for the epochs its recipe has left, saving to model_path after every epoch.

    Returns the exit status: 0 when done, 130 when interrupted by Ctrl-C.
    out is where progress goes, sys.stdout (as it is at the call) if None.
    """
    out = out or sys.stdout
    recipe, net = run.recipe, run.net
    train_set, test_set = mnist.load(recipe.data or mnist.BUNDLED)
    train_set = train_set.first(recipe.limit)
    epochs, done = recipe.epochs, len(run.history)
    if done >= epochs:
        raise NnloopError(f"{run.source or model_path} has already had {plural(done, 'epoch')}: pass --epochs N with "
                          f"N > {done} to train on")

    print(run_line(net, recipe, len(train_set), len(test_set)), file=out)
    if run.source:
        print(f"continuing the run of {run.source} from epoch {done + 1}, saving {model_path} after every epoch",
              file=out, flush=True)
    else:
        print(f"saving {model_path} after every epoch", file=out, flush=True)
    progress = Progress(out, len(train_set), epochs, done)
    pool = (WorkerPool(net, train_set, recipe.workers, recipe.dropout, test=test_set) if recipe.workers > 1
            else None)
    epoch = done + 1
    try:
        for epoch in range(done + 1, epochs + 1):
            progress.start_epoch(epoch)
            eta = recipe.eta_at(epoch - 1)
            try:
                loss, train_accuracy = run_epoch(net, train_set, recipe.batch_size, eta, run.order_rng, pool=pool,
                                                 progress=progress.update, optimizer=run.optimizer,
                                                 dropout=recipe.dropout, dropout_rng=run.dropout_rng)
                train_speed = len(train_set) / progress.seconds()
                testing = progress.testing(len(test_set))
                if pool is None:
                    C = confusion_matrix(net, test_set, 10, testing)
                else:
                    C = pool.confusion_matrix(net, 10, testing)
                magnitudes = gradient_magnitudes(net, train_set, pool)
            except NnloopError as e:  # training diverged, or a worker died
                kept = f"{model_path} keeps epoch {done}" if done else "no checkpoint was written"
                raise NnloopError(f"{e} ({kept})") from None
            entry = {"epoch": epoch, "loss": round(loss, 6), "train_accuracy": round(train_accuracy, 6),
                     "test_accuracy": accuracy(C), "mean_abs_dW": magnitudes}
            if recipe.lr_schedule != "constant":
                entry["learning_rate"] = eta
            if not recipe.reproducible:
                entry["seconds"] = round(progress.seconds(), 2)
            run.history.append(entry)
            modelfile.save(net, model_path, training=run.to_document())
            done = epoch
            progress.end_epoch(entry, train_speed)
    except KeyboardInterrupt:
        progress.clear()
        saved = f"{model_path} holds epoch {done}" if done else "no checkpoint was written yet"
        print(f"interrupted in epoch {epoch}: {saved}; continue with: {command.name()} train --resume {model_path}",
              file=out, flush=True)
        return 130
    finally:
        if pool is not None:
            pool.close()
    print(f"done: test accuracy {100 * run.history[-1]['test_accuracy']:.2f}% after {plural(epochs, 'epoch')}; "
          f"see it with: {command.name()} evaluate {model_path}", file=out)
    return 0


def gradient_magnitudes(net, train_set, pool=None, probe=1000):
    """mean |dW[k]| per layer k = 1..L of the mean gradient over the first probe training digits.

    Measured on the same digits after every epoch, so the numbers of
    different epochs compare: how hard is each layer still being pushed?
    pool, if given, shares the work: its sums, grouped by share, can move a
    mean in its last bits, which the rounding to 6 digits nearly always hides.
    """
    indices = range(min(probe, len(train_set)))
    g = net.gradients([train_set[i] for i in indices]) if pool is None else pool.gradients(net, list(indices))
    return [float(f"{m:.6g}") for m in g.mean_abs_dW()]


def run_line(net, recipe, n_train, n_test):
    """The first line a run prints: its network, its data and how it learns."""
    acts = "/".join(net.functions())
    layers = f" {recipe.layers}" if recipe.layers else ""
    return (f"network{layers} {net.shape_name()} ({acts}, {net.loss}); {n_train:,} training and {n_test:,} test digits; "
            f"batch {recipe.batch_size}, {recipe.learning_phrase()}, {plural(recipe.epochs, 'epoch')}, "
            f"seed {recipe.seed}; {made_with()['python']}")


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
        speed = samples_done / max(now - self.epoch_started, 1e-9)
        left = (self.remaining - samples_done) / speed
        bar = int(20 * samples_done / self.n_train)
        self.out.write(f"\repoch {self.epoch:>3}/{self.epochs} [{'#' * bar}{'.' * (20 - bar)}] "
                       f"{samples_done:>7,}/{self.n_train:,}  {speed:,.0f} samples/s  "
                       f"loss {loss_sum / samples_done:.4f}  {clock(left)} left ")
        self.out.flush()

    def testing(self, n_test):
        """The progress callback of the epoch's test pass (see nnloop.learning.evaluation.confusion_matrix)."""
        return progress_line(self.out, n_test, f"epoch {self.epoch:>3}/{self.epochs} testing")

    def seconds(self):
        return time.perf_counter() - self.epoch_started

    def end_epoch(self, entry, train_speed):
        self.remaining -= self.n_train
        self.clear()
        self.out.write(f"epoch {entry['epoch']:>3}/{self.epochs}  loss {entry['loss']:.4f}  "
                       f"train {100 * entry['train_accuracy']:.2f}%  test {100 * entry['test_accuracy']:.2f}%  "
                       f"{self.seconds():.1f} s  (trained {train_speed:,.0f} samples/s)\n")
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
