"""Networks and worker counts that cannot be meant: refused, or announced with an estimate.

Every weight is a Python float in a list, about 32 bytes with its pointer,
and a training run holds three of each (W, the minibatch's dW, a worker's
copy). --hidden 100000 would ask for 7 GB and hours per epoch; before this
check it built weights for minutes in silence.

>>> parameters([784, 100, 10])
79510
>>> check_network([784, 100000, 10], "--hidden 100000")
Traceback (most recent call last):
...
nnloop.errors.NnloopError: --hidden 100000 makes a 784-100000-10 network of 79,500,010 weights, about 7.6 GB of memory as Python lists; nnloop stops at 10,000,000 weights: use fewer or smaller layers (784-100-10 has 79,510)
"""
import os
import sys

from .errors import NnloopError

MAX_PARAMETERS = 10_000_000
ANNOUNCE_PARAMETERS = 1_000_000
BYTES_PER_WEIGHT = 3 * 32  # W, dW and a copy, each a float object and its list slot
# Measured: the default 784-100-10 network trains some 27,000 digits a second under PyPy, 1,100 under CPython.
WEIGHTS_PER_SECOND = 79510 * (27000 if sys.implementation.name == "pypy" else 1100)
MAX_WORKERS_PER_CORE = 4


def parameters(sizes):
    """The number of weights and biases of a network with these layer sizes."""
    return sum(sizes[k] * (sizes[k - 1] + 1) for k in range(1, len(sizes)))


def check_network(sizes, option, samples=None, out=None):
    """Refuse a network beyond MAX_PARAMETERS; announce a large one (on out, sys.stdout if None) with the time
    an epoch of samples will take."""
    out = out or sys.stdout
    n = parameters(sizes)
    shape = "-".join(map(str, sizes)) if len(sizes) <= 6 else f"{sizes[0]}-{sizes[1]}-...-{sizes[-1]} ({len(sizes)} layers)"
    if n > MAX_PARAMETERS:
        raise NnloopError(f"{option} makes a {shape} network of {n:,} weights, about "
                          f"{n * BYTES_PER_WEIGHT / 1e9:,.1f} GB of memory as Python lists; nnloop stops at "
                          f"{MAX_PARAMETERS:,} weights: use fewer or smaller layers (784-100-10 has 79,510)")
    if n > ANNOUNCE_PARAMETERS:
        estimate = "" if samples is None else f", some {clock(samples * n / WEIGHTS_PER_SECOND)} per epoch here"
        print(f"note: {shape} is a large network: {n:,} weights, about {n * BYTES_PER_WEIGHT / 1e6:,.0f} MB"
              f"{estimate}", file=out, flush=True)


def check_workers(workers, option="--workers"):
    """Refuse more worker processes than MAX_WORKERS_PER_CORE per core: the rest would only wait."""
    cores = os.cpu_count() or 1
    if workers > MAX_WORKERS_PER_CORE * cores:
        raise NnloopError(f"{option} {workers} is more than {MAX_WORKERS_PER_CORE} processes per core (this machine "
                          f"has {cores}): use at most {MAX_WORKERS_PER_CORE * cores}; processes beyond the cores "
                          "only wait their turn")


def clock(seconds):
    """A duration in words: '40 s', '12 min', '3.5 h'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
