"""Networks and worker counts that cannot be meant: refused, or announced with an estimate.

Every weight is a Python float in a list, about 32 bytes with its pointer,
and a training run holds three of each (W, the minibatch's dW, a worker's
copy); every node holds four per sample (A, H, delta, back). --hidden 100000
would ask for 7 GB and hours per epoch, and a conv layer padded by 100,000
for terabytes of feature maps; before this check they allocated in silence
for minutes, or until memory ran out.

>>> parameters([784, 100, 10])
79510
>>> check_network([784, 100000, 10], "--hidden 100000")
Traceback (most recent call last):
...
nnloop.errors.NnloopError: --hidden 100000 makes a 784-100000-10 network of 79,500,010 weights and 100,794 nodes, about 7.6 GB of memory as Python lists; nnloop stops at 10,000,000 weights: use fewer or smaller layers (784-100-10 has 79,510 weights)
"""
import os
import sys

from .errors import NnloopError

MAX_PARAMETERS = 10_000_000
MAX_NODES = 10_000_000
ANNOUNCE_PARAMETERS = 1_000_000
BYTES_PER_WEIGHT = 3 * 32  # W, dW and a copy, each a float object and its list slot
BYTES_PER_NODE = 4 * 32  # A, H, delta and back of one sample
# Measured: the default 784-100-10 network trains some 27,000 digits a second under PyPy, 1,100 under CPython.
WEIGHTS_PER_SECOND = 79510 * (27000 if sys.implementation.name == "pypy" else 1100)
MAX_WORKERS_PER_CORE = 4


def parameters(sizes):
    """The number of weights and biases of a network of dense layers with these sizes."""
    return sum(sizes[k] * (sizes[k - 1] + 1) for k in range(1, len(sizes)))


def check_network(shapes, option, samples=None, out=None, weights=None):
    """Refuse a network beyond MAX_PARAMETERS weights or MAX_NODES nodes; announce a large one (on out, sys.stdout
    if None) with the time an epoch of samples will take.

    shapes: each layer's shape, input first: a number of nodes, or (C, rows, cols) for feature maps.
    weights: the network's weights and biases, if it is not all dense layers (whose count follows from shapes).
    """
    out = out or sys.stdout
    sizes = [shape if isinstance(shape, int) else shape[0] * shape[1] * shape[2] for shape in shapes]
    n = parameters(sizes) if weights is None else weights
    nodes = sum(sizes)
    names = [str(shape) if isinstance(shape, int) else "x".join(map(str, shape)) for shape in shapes]
    shape = "-".join(names) if len(names) <= 6 else f"{names[0]}-{names[1]}-...-{names[-1]} ({len(names)} layers)"
    memory = n * BYTES_PER_WEIGHT + nodes * BYTES_PER_NODE
    if n > MAX_PARAMETERS or nodes > MAX_NODES:
        limit = f"{MAX_PARAMETERS:,} weights" if n > MAX_PARAMETERS else f"{MAX_NODES:,} nodes"
        raise NnloopError(f"{option} makes a {shape} network of {n:,} weights and {nodes:,} nodes, about "
                          f"{memory / 1e9:,.1f} GB of memory as Python lists; nnloop stops at {limit}: use fewer or "
                          f"smaller layers (784-100-10 has 79,510 weights)")
    if n > ANNOUNCE_PARAMETERS:
        estimate = "" if samples is None else f", some {duration(samples * n / WEIGHTS_PER_SECOND)} per epoch here"
        print(f"note: {shape} is a large network: {n:,} weights, about {memory / 1e6:,.0f} MB"
              f"{estimate}", file=out, flush=True)


def check_nodes(n, what):
    """Refuse a layer of more than MAX_NODES nodes before its lists are made; what names it, as the subject."""
    if n > MAX_NODES:
        raise NnloopError(f"{what} hold {n:,} nodes, about {n * BYTES_PER_NODE / 1e9:,.1f} GB of memory per sample "
                          f"as Python lists; nnloop stops at {MAX_NODES:,} nodes: use fewer kernels, less padding or "
                          f"a larger stride")


def check_workers(workers, option="--workers"):
    """Refuse more worker processes than MAX_WORKERS_PER_CORE per core: the rest would only wait."""
    cores = os.cpu_count() or 1
    if workers > MAX_WORKERS_PER_CORE * cores:
        raise NnloopError(f"{option} {workers} is more than {MAX_WORKERS_PER_CORE} processes per core (this machine "
                          f"has {cores}): use at most {MAX_WORKERS_PER_CORE * cores}; processes beyond the cores "
                          "only wait their turn")


def duration(seconds):
    """A duration in words: '40 s', '12 min', '3.5 h'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
