#!/usr/bin/env python3
"""One training epoch of 784-100-10 on the first N MNIST digits, for counting instructions.

    python3 tests/yardstick/epoch.py CHECKOUT N

imports nnloop from the checkout CHECKOUT (so an old commit and the new one
can run the same workload), trains run_epoch once at batch 32 on the first
N training digits and prints the seconds it took. Under `valgrind
--tool=callgrind` CPython executes the same instructions for the same work
however busy the machine is: the difference between N = 640 and N = 128,
divided by 512, is the cost of one training digit.
"""
import sys
import time

sys.path.insert(0, sys.argv[1])

from nnloop.files import mnist  # noqa: E402  (after the path of the checkout to measure)
from nnloop.network import Network  # noqa: E402
from nnloop.rng import Random  # noqa: E402
from nnloop.learning.training import run_epoch  # noqa: E402

train, _ = mnist.load()
digits = train.first(int(sys.argv[2]))
net = Network([784, 100, 10], ["relu", "softmax"], "cross_entropy", seed=0)
start = time.perf_counter()
run_epoch(net, digits, 32, 0.1, Random(0))
print(f"{sys.argv[1]}: one epoch on {len(digits)} digits in {time.perf_counter() - start:.3f} s")
