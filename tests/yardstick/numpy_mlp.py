#!/usr/bin/env python3
"""The speed yardstick for `nnloop bench`: the same MLP training step in numpy.

This is what a user would write instead of nnloop: relu hidden layers,
softmax and cross-entropy, minibatch SGD with the mean gradient, on the
bundled MNIST digits. Two styles:

  sample  one sample at a time through numpy vectors, the gradients summed
          over the minibatch: nnloop's own loop shape, so the fair yardstick
  batch   the whole minibatch as one matrix product, what BLAS is made for

It prints one JSON line per style with the training samples per second over
--n samples. Run it in the same shell session as `nnloop bench`, right before
or after, and compare the ratio of the two, not absolute numbers (`make
bench` does exactly that). It needs numpy; nnloop itself never imports it,
and the tests do not collect this file.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load(data_dir, n):
    with gzip.open(os.path.join(data_dir, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with gzip.open(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return images[: n * 784].reshape(n, 784) / 255.0, labels[:n].astype(np.int64)


def init(sizes, rng):
    weights = [rng.normal(0.0, np.sqrt(2.0 / n_in), (n_out, n_in))
               for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(n_out) for n_out in sizes[1:]]
    return weights, biases


def step_per_sample(weights, biases, xs, ys, lr):
    grad_w = [np.zeros_like(w) for w in weights]
    grad_b = [np.zeros_like(b) for b in biases]
    for x, y in zip(xs, ys):
        pre, act = [], [x]
        for w, b in zip(weights, biases):
            a = w @ act[-1] + b
            pre.append(a)
            act.append(np.maximum(a, 0.0))
        z = np.exp(pre[-1] - pre[-1].max())
        delta = z / z.sum()
        delta[y] -= 1.0
        for k in range(len(weights) - 1, -1, -1):
            grad_w[k] += np.outer(delta, act[k])
            grad_b[k] += delta
            if k:
                delta = (weights[k].T @ delta) * (pre[k - 1] > 0)
    for k in range(len(weights)):
        weights[k] -= lr * grad_w[k] / len(xs)
        biases[k] -= lr * grad_b[k] / len(xs)


def step_batch(weights, biases, xs, ys, lr):
    pre, act = [], [xs]
    for w, b in zip(weights, biases):
        a = act[-1] @ w.T + b
        pre.append(a)
        act.append(np.maximum(a, 0.0))
    z = np.exp(pre[-1] - pre[-1].max(axis=1, keepdims=True))
    delta = z / z.sum(axis=1, keepdims=True)
    delta[np.arange(len(ys)), ys] -= 1.0
    for k in range(len(weights) - 1, -1, -1):
        gw, gb = delta.T @ act[k], delta.sum(axis=0)
        if k:
            delta = (delta @ weights[k]) * (pre[k - 1] > 0)
        weights[k] -= lr * gw / len(xs)
        biases[k] -= lr * gb / len(xs)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hidden", default="100", help="hidden sizes, comma separated")
    p.add_argument("--n", type=int, default=5000, help="training samples to time")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--style", choices=["sample", "batch", "both"], default="both")
    p.add_argument("--data", default=os.path.join(HERE, "..", "..", "data", "mnist"))
    args = p.parse_args()
    sizes = [784] + [int(h) for h in args.hidden.split(",") if h] + [10]
    xs, ys = load(args.data, args.n)
    styles = ["sample", "batch"] if args.style == "both" else [args.style]
    for style in styles:
        step = step_per_sample if style == "sample" else step_batch
        weights, biases = init(sizes, np.random.default_rng(0))
        start = time.perf_counter()
        for s in range(0, args.n, args.batch):
            step(weights, biases, xs[s:s + args.batch], ys[s:s + args.batch], args.lr)
        seconds = time.perf_counter() - start
        print(json.dumps({"impl": "numpy-" + style, "sizes": sizes, "batch": args.batch,
                          "samples": args.n, "seconds": round(seconds, 3),
                          "samples_per_s": round(args.n / seconds, 1)}))


if __name__ == "__main__":
    main()
