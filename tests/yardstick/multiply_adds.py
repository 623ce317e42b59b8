#!/usr/bin/env python3
"""How far each layer pass is from its arithmetic: multiply-adds per digit, microseconds, ns per multiply-add.

    pypy3 tests/yardstick/multiply_adds.py [--layers conv8x5,maxpool2,conv16x5,maxpool2,dense100] [--n 2000]

trains the network of `nnloop bench --layers ...` for one epoch on the first
n MNIST digits (so that relu and max pooling switch off what they do in
training), then runs forward and backward over the same digits, timing
each layer's pass, and counts the multiply-adds each pass does as its loops
are written, the zero skips included:

  conv, by pixel (one input channel)   forward and dK: one per kernel, weight and nonzero pixel
  conv, by patch                        forward: one per node and input of its window;
                                        backward: one per input of the window of each nonzero delta,
                                        for dK, and as many again for back (none in the first layer)
  dense                                 forward: one per node and nonzero input; backward: one per
                                        nonzero delta and nonzero input for dW, and per nonzero delta
                                        and input for back (none in the first layer)

Pooling, flatten and dropout do none: their time is all overhead, as is
what the other passes spend beyond their multiply-adds. The last lines
say what the multiply-adds alone would cost at the fastest pass's speed:
the floor of these loops, which no loop shape of the same arithmetic goes
under. Run it from the checkout's top directory.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from nnloop.errors import NnloopError  # noqa: E402  (after the path of the checkout)
from nnloop.files import mnist  # noqa: E402
from nnloop.learning.training import run_epoch  # noqa: E402
from nnloop.network import Gradients, NodeValues  # noqa: E402
from nnloop.rng import Random  # noqa: E402
from nnloop.tools.bench import bench_network, clocked, interpreter  # noqa: E402


def multiply_adds(layer, k, v):
    """(forward, backward) multiply-adds of layer k for the sample whose forward and backward v holds."""
    H_prev, delta = v.H[k - 1], v.delta[k]
    first = k == 1  # sends nothing back
    if layer.kind == "dense":
        inputs = sum(1 for h in H_prev if h != 0.0)
        live = sum(1 for d in delta if d != 0.0)
        return inputs * layer.shape, inputs * live + (0 if first else live * layer.in_shape)
    if layer.kind != "conv":
        return 0, 0
    C_out, rows_out, cols_out = layer.shape
    by_pixel = 0  # the loops over the nonzero pixels: per kernel, each weight meets each nonzero pixel
    if layer.in_shape[0] == 1:
        by_pixel = C_out * layer.fan_in * len(v.memory[k].nonzero)
    forward = by_pixel if by_pixel else rows_out * cols_out * C_out * layer.fan_in
    if first and layer.in_shape[0] == 1:
        return forward, by_pixel
    live = sum(1 for d in delta if d != 0.0)
    return forward, live * layer.fan_in * (1 if first else 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layers", default="conv8x5,maxpool2,conv16x5,maxpool2,dense100")
    parser.add_argument("--n", type=int, default=2000, help="digits (default 2000)")
    args = parser.parse_args()
    try:
        net = bench_network(None, args.layers)
    except NnloopError as error:
        sys.exit(f"multiply_adds.py: {error}")
    train, _ = mnist.load()
    digits = train.first(args.n)
    run_epoch(net, digits, 32, 0.05, Random(1))
    v, g = NodeValues(net), Gradients(net)
    counts = {}
    for x, T in digits:
        net.forward(x, v)
        net.backward(v, T, g)
        for k in range(1, net.L + 1):
            for name, n in zip(("forward", "backward"), multiply_adds(net.layers[k], k, v)):
                counts[k, name] = counts.get((k, name), 0) + n
    spent = {}
    for k in range(1, net.L + 1):  # the profile's clocks: an instance attribute hides the method
        layer = net.layers[k]
        layer.forward = clocked(layer.forward, spent, (k, "forward"))
        layer.backward = clocked(layer.backward, spent, (k, "backward"))
    for warm in (True, True, False):  # the JIT's warm-up, then the round measured
        for key in spent:
            spent[key] = 0.0
        start = time.perf_counter()
        for x, T in digits:
            net.forward(x, v)
            net.backward(v, T, g)
        total = time.perf_counter() - start
    n, python = len(digits), interpreter()
    print(f"per training digit, {args.layers} ({net.shape_name()}), {python['interpreter']} {python['version']}, "
          f"{n:,} digits:")
    print(f"  {'pass':26s} {'us':>7s} {'multiply-adds':>14s} {'ns each':>8s}")
    fastest = None
    for key in sorted(spent, key=lambda key: -spent[key]):
        k, name = key
        us, m = spent[key] / n * 1e6, counts[key] / n
        ns = us * 1000 / m if m else None
        if ns and (fastest is None or ns < fastest[0]):
            fastest = ns, f"layer {k} {name}"
        print(f"  layer {k} {net.layers[k].kind:8s} {name:9s} {us:7.1f} {m:14,.0f} " + (f"{ns:8.2f}" if ns else ""))
    outside = total / n * 1e6 - sum(spent.values()) / n * 1e6
    print(f"  {'between the layers':26s} {outside:7.1f}   (f' between layers, the loss, the clocks)")
    all_m = sum(counts.values()) / n
    print(f"forward and backward: {total / n * 1e6:.0f} us a digit, {all_m:,.0f} multiply-adds; at {fastest[0]:.2f} ns "
          f"each, as in {fastest[1]}, those alone would take {all_m * fastest[0] / 1000:.0f} us")


if __name__ == "__main__":
    main()
