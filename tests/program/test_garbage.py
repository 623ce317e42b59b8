"""tests/yardstick/garbage.py: what a training epoch hands PyPy's garbage collector."""
import gc
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GARBAGE = os.path.join(ROOT, "tests", "yardstick", "garbage.py")


def test_under_pypy_it_counts_the_collections_and_elsewhere_says_it_needs_pypy():
    result = subprocess.run([sys.executable, GARBAGE, "--layers", "", "--n", "300"], capture_output=True, text=True)
    if sys.implementation.name != "pypy":
        assert result.returncode == 1
        assert result.stderr.strip() == ("garbage.py: it counts PyPy's garbage collector, which CPython does not "
                                         "have: run it with pypy3")
        return
    assert result.returncode == 0, result.stderr
    nursery = gc.get_stats().nursery_size
    lines = result.stdout.splitlines()
    assert lines[0] == f"one training epoch of 300 digits, batch 32, 784-100-10, nursery {nursery}:"
    numbers = {line[2:21].strip(): float(re.match(r"[0-9,.]+", line[21:].strip()).group().replace(",", ""))
               for line in lines[1:]}
    assert list(numbers) == ["minor collections", "major steps", "in the collector", "allocated", "training"]
    # a training digit of the MLP leaves tens of KB (its input alone is 784 floats): 300 fill the nursery
    assert numbers["minor collections"] >= 3
    bytes_in_nursery = float(nursery[:-2]) * {"kB": 1024, "MB": 1024 ** 2}[nursery[-2:]]
    assert abs(numbers["allocated"] - numbers["minor collections"] * bytes_in_nursery / 300 / 1024) <= 0.5
    assert numbers["training"] > 0


def test_a_network_it_cannot_read_ends_in_one_line():
    result = subprocess.run([sys.executable, GARBAGE, "--layers", "conv0", "--n", "10"], capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("garbage.py: --layers: cannot read 'conv0'")
