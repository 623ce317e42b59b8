"""Timing training and inference on real MNIST digits: `nnloop bench`.

Training: for each batch size and worker count, a fresh network (seed 0)
trains one epoch over the first N training digits to warm up, so that
PyPy's JIT, in this process and in every worker, has compiled the loops
before the clock starts; then the clock runs over a second epoch.
Inference: forward passes alone over the same digits, after a warm-up.

Compare interpreters and worker counts by their ratios, measured in one
shell session: a machine's load changes from minute to minute.
"""
import json
import platform
import sys
import time

from .. import architecture
from ..files import mnist
from ..learning.parallel import WorkerPool
from ..learning.training import run_epoch
from ..network import Network, NodeValues
from ..rng import Random

COLUMNS = f"{'task':<6}{'interpreter':<16}{'sizes':<24}{'batch':>6}{'workers':>8}{'samples':>8}{'seconds':>9}" \
          f"{'samples/s':>11}"


def run(hidden, batch_sizes, worker_counts, samples, as_json, data=mnist.BUNDLED, out=None, layers=None):
    """Time training for every batch size with every worker count, then inference.

    The network has the dense hidden layers of the list hidden, or, if
    layers is given, the layers of that architecture string
    (nnloop.architecture). The digits come from the MNIST directory data.
    Prints a table, or (as_json) one JSON object per measurement; returns
    the measurements.
    """
    out = out or sys.stdout  # as it is at the call, so that a redirection made after import is followed
    train, _ = mnist.load(data)
    digits = train.first(samples)
    if not as_json:
        print(COLUMNS, file=out, flush=True)
    measurements = []
    for batch_size in batch_sizes:
        for workers in worker_counts:
            measurements.append(show(time_training(digits, hidden, layers, batch_size, workers), as_json, out))
    measurements.append(show(time_inference(digits, hidden, layers), as_json, out))
    return measurements


def time_training(digits, hidden, layers, batch_size, workers):
    """One measurement: samples/s of SGD."""
    net = bench_network(hidden, layers)
    pool = WorkerPool(net, digits, workers) if workers > 1 else None
    try:
        run_epoch(net, digits, batch_size, 0.1, Random(1), pool=pool)
        start = time.perf_counter()
        run_epoch(net, digits, batch_size, 0.1, Random(2), pool=pool)
        seconds = time.perf_counter() - start
    finally:
        if pool is not None:
            pool.close()
    return measurement("train", net, layers, batch_size, workers, len(digits), seconds)


def time_inference(digits, hidden, layers):
    """One measurement: samples/s of forward passes alone."""
    net = bench_network(hidden, layers)
    v = NodeValues(net)
    for n in range(len(digits)):  # warm-up
        net.forward(digits[n][0], v)
    start = time.perf_counter()
    for n in range(len(digits)):
        net.forward(digits[n][0], v)
    return measurement("infer", net, layers, 1, 1, len(digits), time.perf_counter() - start)


def profile(digits, hidden, layers, batch_size, out=None):
    """Print where one training epoch's time goes: each layer's forward and backward, and the rest (f' between
    layers, the loss, the update, the shuffling), in seconds and as shares of the epoch; return the rows.

    Each layer's forward and backward are wrapped in a clock for the run (the network calls them as usual),
    through a warm-up epoch, so that PyPy compiles the wrapped code, and then the timed one.
    """
    out = out or sys.stdout
    net = bench_network(hidden, layers)
    spent = {}
    for k in range(1, net.L + 1):
        layer = net.layers[k]
        layer.forward = clocked(layer.forward, spent, (k, "forward"))  # an instance attribute hides the method
        layer.backward = clocked(layer.backward, spent, (k, "backward"))
    run_epoch(net, digits, batch_size, 0.1, Random(1))
    for key in spent:
        spent[key] = 0.0  # the warm-up's seconds do not count
    start = time.perf_counter()
    run_epoch(net, digits, batch_size, 0.1, Random(2))
    total = time.perf_counter() - start
    rows = [(f"layer {k} {net.layers[k].kind}", direction, spent[k, direction])
            for k in range(1, net.L + 1) for direction in ("forward", "backward")]
    rows.append(("the rest", "f' between layers, loss, update", total - sum(row[2] for row in rows)))
    print(f"where one epoch of {len(digits):,} digits goes, batch {batch_size}, {interpreter()['interpreter']} "
          f"{interpreter()['version']}: {net.shape_name()}, {total:.2f} s, {len(digits) / total:,.0f} samples/s",
          file=out)
    for name, direction, seconds in sorted(rows, key=lambda row: -row[2]):
        print(f"  {name:<18}{direction:<34}{seconds:>8.3f} s {100 * seconds / total:>6.1f}%", file=out)
    return rows


def clocked(function, spent, key):
    """function, adding the seconds of each call to spent[key]."""
    spent[key] = 0.0

    def timed(*arguments):
        start = time.perf_counter()
        function(*arguments)
        spent[key] += time.perf_counter() - start
    return timed


def bench_network(hidden, layers=None):
    """The network timed: relu hidden layers, softmax output, cross-entropy, seed 0."""
    if layers:
        return architecture.build(architecture.parse(layers), (1, 28, 28), mnist.CLASSES, seed=0)
    sizes = [784] + hidden + [mnist.CLASSES]
    return Network(sizes, ["relu"] * (len(sizes) - 2) + ["softmax"], "cross_entropy", seed=0)


def measurement(task, net, layers, batch_size, workers, samples, seconds):
    """One measurement as a dict; "layers" names a convnet's architecture (None for an MLP)."""
    return {"task": task, **interpreter(), "sizes": net.sizes, "layers": layers, "batch": batch_size,
            "workers": workers, "samples": samples, "seconds": round(seconds, 6),
            "samples_per_s": round(samples / seconds, 1)}


def interpreter():
    """{"interpreter": "cpython" or "pypy", "version": its version, "python": the language version}."""
    version = sys.pypy_version_info if sys.implementation.name == "pypy" else sys.version_info
    return {"interpreter": sys.implementation.name, "version": f"{version.major}.{version.minor}.{version.micro}",
            "python": platform.python_version()}


def show(m, as_json, out):
    if as_json:
        print(json.dumps(m), file=out, flush=True)
    else:
        print(f"{m['task']:<6}{m['interpreter'] + ' ' + m['version']:<16}{m['layers'] or '-'.join(map(str, m['sizes'])):<24}"
              f"{m['batch']:>6}{m['workers']:>8}{m['samples']:>8}{m['seconds']:>9.2f}{m['samples_per_s']:>11,.0f}",
              file=out, flush=True)
    return m
