#!/usr/bin/env python3
"""What a training epoch hands PyPy's garbage collector: collections, their time, and bytes per digit.

    pypy3 tests/yardstick/garbage.py [--layers conv8x5,maxpool2,dense100] [--n 5000]

trains the network of `nnloop bench --layers ...` (the MLP 784-100-10 with
--layers "") on the first n MNIST digits for one epoch, so that the JIT has
compiled the loops, then for a second one while gc.hooks count:

  minor collections   each one empties the nursery, where PyPy makes every new
                      object, and copies out what is still alive
  major steps         steps of the collections of the older objects
  in the collector    milliseconds in all (gc.get_stats()), microseconds a digit
  allocated           minor collections times the nursery's size, a digit:
                      what one training digit leaves behind

and the epoch's microseconds a digit. PyPy only: CPython frees an object as
soon as nothing refers to it, and has no nursery to count. Run it from the
checkout's top directory.
"""
import argparse
import gc
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from nnloop.errors import NnloopError  # noqa: E402  (after the path of the checkout)
from nnloop.files import mnist  # noqa: E402
from nnloop.learning.training import run_epoch  # noqa: E402
from nnloop.rng import Random  # noqa: E402
from nnloop.tools.bench import bench_network  # noqa: E402

UNITS = {"B": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}


def in_bytes(size):
    """A size as PyPy's gc.get_stats() writes it, '1.0MB', in bytes: 1048576.0.

    >>> in_bytes("1.0MB"), in_bytes("512.0kB")
    (1048576.0, 524288.0)
    """
    number, unit = re.fullmatch(r"([0-9.]+)([kMG]?B)", size).groups()
    return float(number) * UNITS[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layers", default="conv8x5,maxpool2,dense100", help='as nnloop bench\'s; "" for the MLP')
    parser.add_argument("--n", type=int, default=5000, help="digits (default 5000)")
    args = parser.parse_args()
    try:
        net = bench_network([100], args.layers or None)
    except NnloopError as error:
        sys.exit(f"garbage.py: {error}")
    if sys.implementation.name != "pypy":
        sys.exit("garbage.py: it counts PyPy's garbage collector, which CPython does not have: run it with pypy3")
    train, _ = mnist.load()
    digits = train.first(args.n)
    run_epoch(net, digits, 32, 0.1, Random(1))  # the JIT's warm-up
    counts = {"minor": 0, "major": 0}

    def minor(stats):
        counts["minor"] += stats.count

    def major_step(stats):
        counts["major"] += stats.count

    gc.hooks.on_gc_minor, gc.hooks.on_gc_collect_step = minor, major_step
    milliseconds = gc.get_stats().total_gc_time
    start = time.perf_counter()
    run_epoch(net, digits, 32, 0.1, Random(2))
    seconds = time.perf_counter() - start
    milliseconds = gc.get_stats().total_gc_time - milliseconds
    gc.hooks.reset()
    n, nursery = len(digits), gc.get_stats().nursery_size
    print(f"one training epoch of {n:,} digits, batch 32, {net.shape_name()}, nursery {nursery}:")
    print(f"  minor collections  {counts['minor']:>8,}")
    print(f"  major steps        {counts['major']:>8,}")
    print(f"  in the collector   {milliseconds:>8,} ms, {1000 * milliseconds / n:.1f} us a digit")
    print(f"  allocated          {counts['minor'] * in_bytes(nursery) / n / 1024:>8.0f} KB a digit")
    print(f"  training           {seconds / n * 1e6:>8.1f} us a digit")


if __name__ == "__main__":
    main()
