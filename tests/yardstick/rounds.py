#!/usr/bin/env python3
"""Run speed measurements side by side, round after round, and print the first one's ratio to each other.

    python3 tests/yardstick/rounds.py ROUNDS COMMAND COMMAND [COMMAND ...]

Each COMMAND is a shell command that prints one JSON line with "samples_per_s", as `nnloop bench --json`
and the numpy yardsticks do; the first is the one measured, the others what it is measured against.
For example, nnloop's convnet against the numpy im2col step and against an older checkout in /tmp/old:

    python3 tests/yardstick/rounds.py 10 \\
      "pypy3 -m nnloop bench --json --layers conv8x5,maxpool2,dense100 --samples 5000" \\
      "python3 tests/yardstick/numpy_conv.py --batch 32 --n 5000" \\
      "cd /tmp/old && pypy3 -m nnloop bench --json --layers conv8x5,maxpool2,dense100 --samples 5000"

A machine's speed drifts by a third from hour to hour, so a ratio means something only between runs made
side by side; and a command can gain or lose from its place in a round: on this repository's machine,
run in the same order every round, unchanged loops came out 1.13x faster than themselves. So the order
turns round every round, the commands as given, then the other way round.
"""
import json
import statistics
import subprocess
import sys


def samples_per_s(command):
    """The samples/s that command prints; SystemExit with one line if it fails or prints none."""
    result = subprocess.run(command, shell=True, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        if line.startswith("{") and '"samples_per_s"' in line:
            return json.loads(line)["samples_per_s"]
    said = (result.stderr.strip() or result.stdout.strip() or "nothing").splitlines()[-1]
    raise SystemExit(f"rounds.py: {command!r} printed no JSON line with samples_per_s "
                     f"(exit status {result.returncode}; it said: {said})")


def measure(rounds, commands, out=sys.stdout):
    """Run the commands rounds times, turning their order round every round; print each round and the
    first command's ratios to the others; return the ratios, ratios[m] for command m + 1."""
    ratios = [[] for command in commands[1:]]
    for r in range(rounds):
        order = list(range(len(commands))) if r % 2 == 0 else list(reversed(range(len(commands))))
        speed = {}
        for m in order:
            speed[m] = samples_per_s(commands[m])
        for m in range(1, len(commands)):
            ratios[m - 1].append(speed[0] / speed[m])
        speeds = "  ".join(f"[{m + 1}] {speed[m]:,.0f}" for m in range(len(commands)))
        these = "  ".join(f"[1]/[{m + 1}] {ratios[m - 1][-1]:.2f}x" for m in range(1, len(commands)))
        print(f"round {r + 1} ({'as given' if r % 2 == 0 else 'the other way round'}): {speeds} samples/s;  {these}",
              file=out, flush=True)
    for m in range(1, len(commands)):
        these = ratios[m - 1]
        print(f"[1]/[{m + 1}]: {min(these):.2f}x-{max(these):.2f}x, median {statistics.median(these):.2f}x "
              f"over {rounds} rounds", file=out)
    return ratios


def main(argv):
    if len(argv) < 3 or not argv[0].isdigit() or int(argv[0]) < 1:
        raise SystemExit("usage: rounds.py ROUNDS COMMAND COMMAND [COMMAND ...]: ROUNDS a whole number >= 1, "
                         "then at least two commands, each printing a JSON line with samples_per_s")
    measure(int(argv[0]), argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
