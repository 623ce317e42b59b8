"""Random numbers from a seed: uniform floats, Gaussians by Box-Muller, shuffles.

Everything random in nnloop (the initial weights, the order of the samples in
each epoch) comes from a `Random`, so a seed fixes a run bit for bit, on
CPython and on PyPy alike: both do the same integer and float operations.

The uniform source is SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit
counter scrambled by two multiply-xorshift rounds. It is small enough to read,
good enough for simulation, and its whole state is one integer, which a
checkpoint stores to resume a run exactly.

>>> rng = Random(1234567)
>>> rng.next_u64()      # the published SplitMix64 test vector starts so
6457827717110365317
>>> 0.0 <= Random(1).uniform() < 1.0
True
"""
import math

from .errors import NnloopError, short

MASK64 = (1 << 64) - 1


class Random:
    """A seedable generator of uniform and Gaussian numbers.

    state  the 64-bit SplitMix64 counter
    spare  the second Gaussian of the last Box-Muller pair, or None
    """

    def __init__(self, seed=0):
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an integer, not {seed!r}")
        self.state = seed & MASK64
        self.spare = None

    def next_u64(self):
        """The next 64-bit unsigned integer of the SplitMix64 sequence."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self):
        """A float in [0, 1): the top 53 bits of next_u64 (a double's precision)."""
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def gauss(self):
        """A standard normal number (mean 0, variance 1) by the Box-Muller transform.

        Two uniform numbers u1 in (0, 1] and u2 in [0, 1) make two independent
        normal ones, z0 = r cos(2 pi u2) and z1 = r sin(2 pi u2) with
        r = sqrt(-2 ln u1); z1 is kept for the next call.

        >>> rng = Random(7)
        >>> z0, z1 = rng.gauss(), rng.gauss()
        >>> rng = Random(7)
        >>> u1, u2 = 1.0 - rng.uniform(), rng.uniform()
        >>> r = math.sqrt(-2.0 * math.log(u1))
        >>> (z0, z1) == (r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2))
        True
        """
        if self.spare is not None:
            z1, self.spare = self.spare, None
            return z1
        u1 = 1.0 - self.uniform()  # (0, 1]: ln 0 is undefined
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        self.spare = r * math.sin(2.0 * math.pi * u2)
        return r * math.cos(2.0 * math.pi * u2)

    def below(self, n):
        """A uniform integer in [0, n).

        Draws that fall in the incomplete last block of 2**64 // n values are
        redrawn, so every result is exactly equally likely.
        """
        if n < 1:
            raise ValueError(f"below(n) needs n >= 1, got {n}")
        limit = (1 << 64) - (1 << 64) % n
        while True:
            x = self.next_u64()
            if x < limit:
                return x % n

    def shuffle(self, items):
        """Shuffle the list items in place (Fisher-Yates).

        >>> order = list(range(10))
        >>> Random(3).shuffle(order)
        >>> sorted(order) == list(range(10))
        True
        """
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]

    def get_state(self):
        """The generator's state as a JSON-ready dict (see set_state)."""
        return {"splitmix64": format(self.state, "016x"), "spare": self.spare}

    def set_state(self, state):
        """Continue exactly where the generator that gave get_state() was."""
        self.state = int(state["splitmix64"], 16) & MASK64
        self.spare = None if state["spare"] is None else float(state["spare"])


def check_rng(rng, zeros):
    """Refuse an rng that cannot draw the weights; zeros names the constructor of an all-zero layer."""
    if not callable(getattr(rng, "gauss", None)):
        raise NnloopError(f"rng must be an nnloop.rng.Random, like Random(0), which draws the weights; got "
                          f"{short(rng)} (all-zero weights, which make every node learn the same thing, are made "
                          f"by name: {zeros})")
