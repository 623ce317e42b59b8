"""Print how many times faster the first measurement is than the second, as `make bench` reports it.

    python3 tests/yardstick/ratio.py NNLOOP.json NUMPY.json "what is compared"

Each file holds JSON lines as `nnloop bench --json` and the numpy yardsticks print them; the first line
with "samples_per_s" of each file is compared (nnloop's training line, the yardstick's one line).
"""
import json
import sys


def samples_per_s(path):
    with open(path) as f:
        return next(json.loads(line)["samples_per_s"] for line in f if '"samples_per_s"' in line)


if __name__ == "__main__":
    first, second, label = sys.argv[1], sys.argv[2], sys.argv[3]
    a, b = samples_per_s(first), samples_per_s(second)
    print(f"{label}: {a:,.0f} / {b:,.0f} samples/s = {a / b:.2f}x")
