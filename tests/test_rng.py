"""The random source: SplitMix64, Box-Muller Gaussians, shuffles, saved state."""
import math
import os
import shutil
import subprocess
import sys

import pytest

from nnloop import Network
from nnloop.rng import Random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_splitmix64_matches_the_published_test_vector():
    # Rosetta Code, "Pseudo-random numbers/Splitmix64", seed 1234567
    rng = Random(1234567)
    assert [rng.next_u64() for _ in range(5)] == [
        6457827717110365317, 3203168211198807973, 9817491932198370423,
        4593380528125082431, 16408922859458223821]


def test_uniform_is_in_the_half_open_unit_interval_with_mean_one_half():
    rng = Random(11)
    draws = [rng.uniform() for _ in range(100_000)]
    assert all(0.0 <= u < 1.0 for u in draws)
    # the mean of n uniforms has standard deviation sqrt(1/12/n) = 0.00091
    assert abs(sum(draws) / len(draws) - 0.5) < 5 * math.sqrt(1 / 12 / len(draws))


def test_box_muller_moments_over_100000_draws():
    rng = Random(2024)
    n = 100_000
    z = [rng.gauss() for _ in range(n)]
    mean = sum(z) / n
    var = sum((x - mean) ** 2 for x in z) / (n - 1)
    skew = sum((x - mean) ** 3 for x in z) / n / var ** 1.5
    kurt = sum((x - mean) ** 4 for x in z) / n / var ** 2
    # standard errors for a normal sample: mean 1/sqrt(n), variance sqrt(2/n),
    # skewness sqrt(6/n), kurtosis sqrt(24/n); five of them is a 1-in-1.7-million miss
    assert abs(mean) < 5 / math.sqrt(n)
    assert abs(var - 1.0) < 5 * math.sqrt(2 / n)
    assert abs(skew) < 5 * math.sqrt(6 / n)
    assert abs(kurt - 3.0) < 5 * math.sqrt(24 / n)
    # about 68.27% within one standard deviation
    inside = sum(abs(x) < 1.0 for x in z) / n
    assert abs(inside - 0.6827) < 5 * math.sqrt(0.6827 * 0.3173 / n)


def test_gaussians_come_in_independent_pairs_that_are_not_correlated():
    rng = Random(5)
    pairs = [(rng.gauss(), rng.gauss()) for _ in range(50_000)]
    corr = sum(a * b for a, b in pairs) / len(pairs)
    assert abs(corr) < 5 / math.sqrt(len(pairs))


@pytest.mark.parametrize("activation, factor", [("relu", 2.0), ("sigmoid", 1.0), ("tanh", 1.0), ("identity", 1.0)])
def test_he_and_xavier_standard_deviations(activation, factor):
    n_in, n_out = 400, 100
    net = Network([n_in, n_out], [activation], "mse", seed=9)
    w = [x for row in net.W[1] for x in row]
    mean = sum(w) / len(w)
    std = math.sqrt(sum((x - mean) ** 2 for x in w) / (len(w) - 1))
    expected = math.sqrt(factor / n_in)
    # the sample standard deviation of m normals errs by about std / sqrt(2m)
    assert abs(std - expected) < 5 * expected / math.sqrt(2 * len(w))
    assert net.B[1] == [0.0] * n_out


def test_same_seed_gives_bit_identical_weights_and_another_seed_does_not():
    a = Network([5, 7, 3], ["tanh", "softmax"], "cross_entropy", seed=42)
    b = Network([5, 7, 3], ["tanh", "softmax"], "cross_entropy", seed=42)
    c = Network([5, 7, 3], ["tanh", "softmax"], "cross_entropy", seed=43)
    assert [[w.hex() for w in row] for W_k in a.W for row in W_k] == \
           [[w.hex() for w in row] for W_k in b.W for row in W_k]
    assert a.W != c.W


WEIGHTS_AS_HEX = ("from nnloop import Network; "
                  "net = Network([6, 5, 4, 3], ['relu', 'sigmoid', 'softmax'], 'cross_entropy', seed=123); "
                  "print(' '.join(w.hex() for W_k in net.W for row in W_k for w in row))")


def other_interpreter():
    """The interpreter this test is not running under: PyPy for CPython and back."""
    if sys.implementation.name == "pypy":
        return shutil.which("python3")
    return shutil.which("pypy3")


@pytest.mark.skipif(other_interpreter() is None, reason="needs both CPython and PyPy (pypy3) on the PATH; CI has both")
def test_same_seed_gives_bit_identical_weights_on_cpython_and_pypy():
    here = subprocess.run([sys.executable, "-c", WEIGHTS_AS_HEX], cwd=ROOT, capture_output=True, text=True, check=True)
    there = subprocess.run([other_interpreter(), "-c", WEIGHTS_AS_HEX], cwd=ROOT, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONPATH": ROOT})
    assert here.stdout.split() and here.stdout == there.stdout


def test_shuffle_is_a_permutation_and_every_order_is_reachable():
    counts = {}
    rng = Random(8)
    for _ in range(6000):
        order = [0, 1, 2]
        rng.shuffle(order)
        counts[tuple(order)] = counts.get(tuple(order), 0) + 1
    assert len(counts) == 6
    # each of the 6 orders has probability 1/6: 1000 +- 5 * sqrt(6000 * 1/6 * 5/6)
    assert all(abs(c - 1000) < 5 * math.sqrt(6000 / 6 * 5 / 6) for c in counts.values())


def test_saved_state_continues_the_same_sequence():
    rng = Random(77)
    rng.gauss()  # leaves a spare Gaussian waiting
    state = rng.get_state()
    ahead = [rng.gauss() for _ in range(5)] + [rng.below(1000) for _ in range(5)]
    again = Random(0)
    again.set_state(state)
    assert [again.gauss() for _ in range(5)] + [again.below(1000) for _ in range(5)] == ahead


def test_seed_must_be_an_integer():
    with pytest.raises(TypeError, match="seed must be an integer"):
        Random(1.5)
