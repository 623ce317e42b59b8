#!/usr/bin/env python3
"""The speed yardstick for nnloop's convnet: the same training step in numpy.

What a user would write instead, the way the book Deep Learning from Scratch
(Koki Saitou) writes it: im2col turns every window of the input into a row,
so that the convolution's forward is one matrix product and its backward
two, with col2im adding the windows' gradients back onto the image; max
pooling is im2col and an argmax per row, remembered for backward. Then
flatten, a dense relu layer and a dense softmax layer with cross-entropy.
Default: conv 8 kernels 5x5 (stride 1, no padding) relu -> max pool 2x2
stride 2 -> dense 100 relu -> dense 10 softmax, on the bundled MNIST digits.

  sample  one sample at a time (N = 1 through the same functions), the
          gradients summed over the minibatch and their mean applied: nnloop's
          own loop shape, so the fair yardstick
  batch   the whole minibatch at once, what the book does

As in the book, the convolution's backward computes the gradient of its
input too (col2im), although the first layer has no use for it.

It prints one JSON line per style with the training samples per second over
--n samples; --verbose also prints the mean loss of each tenth of the run to
stderr, to see that it learns. It needs numpy; nnloop never imports it, and
the tests do not collect this file.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load(data_dir, n):
    """n MNIST training images as (n, 1, 28, 28) floats in [0, 1], and their labels."""
    with gzip.open(os.path.join(data_dir, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with gzip.open(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return images[: n * 784].reshape(n, 1, 28, 28) / 255.0, labels[:n].astype(np.int64)


def im2col(x, fh, fw, stride, pad):
    """(N, C, H, W) -> (N * out_h * out_w, C * fh * fw): one row per window, in the order c, u, v."""
    N, C, H, W = x.shape
    out_h, out_w = (H + 2 * pad - fh) // stride + 1, (W + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((N, C, fh, fw, out_h, out_w))
    for u in range(fh):
        for v in range(fw):
            col[:, :, u, v, :, :] = img[:, :, u:u + stride * out_h:stride, v:v + stride * out_w:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def col2im(col, shape, fh, fw, stride, pad):
    """im2col backwards: add each window's row onto the (N, C, H, W) image it came from."""
    N, C, H, W = shape
    out_h, out_w = (H + 2 * pad - fh) // stride + 1, (W + 2 * pad - fw) // stride + 1
    col = col.reshape(N, out_h, out_w, C, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for u in range(fh):
        for v in range(fw):
            img[:, :, u:u + stride * out_h:stride, v:v + stride * out_w:stride] += col[:, :, u, v, :, :]
    return img[:, :, pad:H + pad, pad:W + pad]


class Conv:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        out_h, out_w = (H + 2 * self.pad - FH) // self.stride + 1, (W + 2 * self.pad - FW) // self.stride + 1
        self.x, self.col = x, im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(FN, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(FN, C, FH, FW)
        return col2im(dout @ self.col_W.T, self.x.shape, FH, FW, self.stride, self.pad)


class MaxPool:
    def __init__(self, size, stride):
        self.size, self.stride = size, stride

    def forward(self, x):
        N, C, H, W = x.shape
        out_h, out_w = (H - self.size) // self.stride + 1, (W - self.size) // self.stride + 1
        col = im2col(x, self.size, self.size, self.stride, 0).reshape(-1, self.size * self.size)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool = self.size * self.size
        dmax = np.zeros((dout.size, pool))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.size, self.size, self.stride, 0)


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0.0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0.0
        return dout


class Affine:
    """A dense layer on flattened input: out = x W + b, W shaped (inputs, outputs) as in the book."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW, self.db = self.x.T @ dout, dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


def softmax_cross_entropy(a, t):
    """(mean loss, dLoss/da summed over the rows, not averaged: the caller divides once per minibatch)."""
    z = np.exp(a - a.max(axis=1, keepdims=True))
    y = z / z.sum(axis=1, keepdims=True)
    loss = -np.log(y[np.arange(len(t)), t] + 1e-12).mean()
    y[np.arange(len(t)), t] -= 1.0
    return loss, y


def build(channels, kernel, hidden, rng):
    """conv relu -> max pool 2x2 -> dense relu -> dense; He initialisation, zero biases, as nnloop."""
    side = (28 - kernel + 1) // 2
    flat = channels * side * side
    conv = Conv(rng.normal(0.0, np.sqrt(2.0 / (kernel * kernel)), (channels, 1, kernel, kernel)), np.zeros(channels))
    dense1 = Affine(rng.normal(0.0, np.sqrt(2.0 / flat), (flat, hidden)), np.zeros(hidden))
    dense2 = Affine(rng.normal(0.0, np.sqrt(2.0 / hidden), (hidden, 10)), np.zeros(10))
    return [conv, Relu(), MaxPool(2, 2), dense1, Relu(), dense2]


def gradient(layers, x, t):
    """Forward and backward of the samples x (N, 1, 28, 28): (loss, [(dW, db) of each layer with parameters])."""
    for layer in layers:
        x = layer.forward(x)
    loss, dout = softmax_cross_entropy(x, t)
    for layer in reversed(layers):
        dout = layer.backward(dout)
    return loss, [(layer.dW, layer.db) for layer in layers if hasattr(layer, "W")]


def step_per_sample(layers, xs, ts, lr):
    params = [layer for layer in layers if hasattr(layer, "W")]
    sums = [(np.zeros_like(p.W), np.zeros_like(p.b)) for p in params]
    total = 0.0
    for n in range(len(xs)):
        loss, grads = gradient(layers, xs[n:n + 1], ts[n:n + 1])
        total += loss
        for (sum_W, sum_b), (dW, db) in zip(sums, grads):
            sum_W += dW
            sum_b += db
    for p, (sum_W, sum_b) in zip(params, sums):
        p.W -= lr * sum_W / len(xs)
        p.b -= lr * sum_b / len(xs)
    return total / len(xs)


def step_batch(layers, xs, ts, lr):
    loss, grads = gradient(layers, xs, ts)
    for p, (dW, db) in zip([layer for layer in layers if hasattr(layer, "W")], grads):
        p.W -= lr * dW / len(xs)
        p.b -= lr * db / len(xs)
    return loss


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channels", type=int, default=8, help="conv kernels")
    p.add_argument("--kernel", type=int, default=5, help="conv kernel size (kernels are square)")
    p.add_argument("--hidden", type=int, default=100, help="nodes of the dense relu layer")
    p.add_argument("--n", type=int, default=2000, help="training samples to time")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--style", choices=["sample", "batch", "both"], default="sample")
    p.add_argument("--verbose", action="store_true", help="the mean loss of each tenth of the run, on stderr")
    p.add_argument("--data", default=os.path.join(HERE, "..", "..", "data", "mnist"))
    args = p.parse_args()
    xs, ts = load(args.data, args.n)
    styles = ["sample", "batch"] if args.style == "both" else [args.style]
    for style in styles:
        step = step_per_sample if style == "sample" else step_batch
        layers = build(args.channels, args.kernel, args.hidden, np.random.default_rng(0))
        losses = []
        start = time.perf_counter()
        for s in range(0, args.n, args.batch):
            batch_x, batch_t = xs[s:s + args.batch], ts[s:s + args.batch]
            losses.append((step(layers, batch_x, batch_t, args.lr), len(batch_x)))
        seconds = time.perf_counter() - start
        if args.verbose:
            tenth = max(1, len(losses) // 10)
            for i in range(0, len(losses), tenth):
                part = losses[i:i + tenth]
                mean = sum(loss * n for loss, n in part) / sum(n for _, n in part)
                print(f"{style}: minibatches {i + 1}-{i + len(part)}: mean loss {mean:.4f}", file=sys.stderr)
        print(json.dumps({"impl": "numpy-conv-" + style,
                          "layers": f"conv{args.channels}x{args.kernel},pool2,dense{args.hidden}",
                          "batch": args.batch, "samples": args.n, "seconds": round(seconds, 3),
                          "samples_per_s": round(args.n / seconds, 1)}))


if __name__ == "__main__":
    main()
