#!/usr/bin/env python3
"""What one list per layer of maps and per kernel would buy: nnloop's convnet step with that layout, timed.

    pypy3 tests/yardstick/flat_maps.py [--layers conv8x5,maxpool2,conv16x5,maxpool2,dense100] [--n 1000] [--rounds 12]
    pypy3 tests/yardstick/flat_maps.py --passes [--layers ...] [--n 2000]
    pypy3 tests/yardstick/flat_maps.py train [nnloop train's options]

nnloop keeps a layer of feature maps as rows, A[c][y][x], and a kernel as
grids, K[c][c'][u][v], as the textbook draws them. Here the same network
runs the same loops (by pixel over the digit, by patch over several
channels, max pooling offset by offset, f and f' as the network applies
them) with each layer's maps one list, A[i] with i = (c*rows + y)*cols + x,
the numbering nnloop already gives the input and flatten's output, and
each kernel one list, K[c][j] with j = (c'*size + u)*size + v, as
forward_by_patch already flattens it for every sample. Dense layers and the
loss are nnloop's own. Every sum adds its terms in nnloop's order, so the
gradients must come out equal to nnloop's bit for bit, which the last line
checks.

It trains the network of `nnloop bench --layers ...` for one epoch on the
first 2,000 MNIST digits (so that relu and max pooling switch off what they
do in training), then times forward and backward over n of them, nnloop's
way and this way in turn, round after round, and prints microseconds per
digit. --passes times each flat conv and pooling pass instead, with the
clocks of multiply_adds.py, to set beside its table of nnloop's passes.
Convolutions of stride 1 without padding, max pooling and dense layers
only, with any activation. Run it from the checkout's top directory.

`train` runs `nnloop train` as it is, its trainer, workers, optimizer and
checkpoints, with each minibatch's forward and backward (accumulate) and
each test pass (confusion_matrix) over flat lists: the kernels are copied
from net's once per minibatch, and dK's running sums kept flat for the
whole minibatch, as backward_by_patch keeps them for one sample. Its
losses, accuracies and `--reproducible` model files are nnloop's, byte for
byte; only the time differs. No dropout.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from nnloop.errors import NnloopError  # noqa: E402  (after the path of the checkout)
from nnloop.files import mnist  # noqa: E402
from nnloop.layers.conv import flat_kernel, unflat_kernel  # noqa: E402
from nnloop.learning.training import run_epoch  # noqa: E402
from nnloop.network import Gradients, NodeValues  # noqa: E402
from nnloop.rng import Random  # noqa: E402
from nnloop.tools.bench import bench_network, clocked, interpreter  # noqa: E402


def flat(K_c):
    """Kernel K_c[c'][u][v] as one new list, K_c[j] with j = (c'*size + u)*size + v (conv.flat_kernel's)."""
    K_flat = [0.0] * sum(len(row) for grid in K_c for row in grid)
    flat_kernel(K_c, K_flat)
    return K_flat


class FlatConv:
    """nnloop's conv layer `layer` over flat lists: A[i] and H[i], i = (c*rows_out + y)*cols_out + x = c*n_out + t,
    t = y*cols_out + x the node's place in its map; kernel c as one list K[c][j] (a copy of nnloop's)."""

    def __init__(self, layer):
        C_in, rows, cols = layer.in_shape
        C, rows_out, cols_out = layer.shape
        self.f, self.size, self.fan_in, self.offset = layer.f, layer.size, layer.fan_in, layer.offset
        self.cols, self.cols_out, self.n_out, self.C = cols, cols_out, rows_out * cols_out, C
        self.K, self.B = [flat(K_c) for K_c in layer.K], layer.B
        self.A = [0.0] * (C * rows_out * cols_out)
        self.H = [0.0] * (C * rows_out * cols_out)
        self.dK = [[0.0] * self.fan_in for c in range(C)]
        self.by_pixel = C_in == 1
        # node t = y*cols_out + x of a map is wide[t] = y*cols + x in the numbering of the input's rows (by pixel),
        # and its window's top left corner in the input's list (by patch)
        self.wide = [y * cols + x for y in range(rows_out) for x in range(cols_out)]
        if self.by_pixel:
            self.A_wide = [[0.0] * (rows * cols) for c in range(C)]
            self.delta_wide = [[0.0] * (rows * cols) for c in range(C)]
        else:
            self.patches = [[0.0] * self.fan_in for t in range(rows_out * cols_out)]

    def forward(self, H_prev):
        """Fill A[i] and H[i] = f(A[i]) from the input's list H_prev."""
        if self.by_pixel:
            self.forward_by_pixel(H_prev)
        else:
            self.forward_by_patch(H_prev)
        self.f.forward(self.A, self.H)  # one call a layer, as for a dense layer

    def forward_by_pixel(self, P):
        K, B, size, cols = self.K, self.B, self.size, self.cols
        self.nonzero = nonzero = [j for j in range(len(P)) if P[j] != 0.0]
        A_wide, C = self.A_wide, self.C
        for c in range(C):
            A_w, b = A_wide[c], B[c]
            for t in range(len(A_w)):
                A_w[t] = b
        for c in range(0, C - C % 4, 4):
            A_0, A_1, A_2, A_3 = A_wide[c], A_wide[c + 1], A_wide[c + 2], A_wide[c + 3]
            for u in range(size):
                for v in range(size):
                    i = u * size + v
                    w0, w1, w2, w3 = K[c][i], K[c + 1][i], K[c + 2][i], K[c + 3][i]
                    offset = u * cols + v
                    for j in nonzero:
                        t = j - offset
                        if t >= 0:
                            h = P[j]
                            A_0[t] += w0 * h
                            A_1[t] += w1 * h
                            A_2[t] += w2 * h
                            A_3[t] += w3 * h
        for c in range(C - C % 4, C):
            A_c, K_c = A_wide[c], K[c]
            for u in range(size):
                for v in range(size):
                    w, offset = K_c[u * size + v], u * cols + v
                    for j in nonzero:
                        t = j - offset
                        if t >= 0:
                            A_c[t] += w * P[j]
        wide, A, n_out = self.wide, self.A, self.n_out
        for c in range(C):
            A_w, base = A_wide[c], c * n_out
            for t in range(n_out):
                A[base + t] = A_w[wide[t]]

    def forward_by_patch(self, P):
        n, offset, wide = self.fan_in, self.offset, self.wide
        for t in range(len(self.patches)):
            patch, corner = self.patches[t], wide[t]
            for i in range(n):
                patch[i] = P[corner + offset[i]]
        K, B, A, C, n_out = self.K, self.B, self.A, self.C, self.n_out
        for t in range(n_out):
            patch = self.patches[t]
            c = 0
            while c + 4 <= C:
                K_0, K_1, K_2, K_3 = K[c], K[c + 1], K[c + 2], K[c + 3]
                a0, a1, a2, a3 = B[c], B[c + 1], B[c + 2], B[c + 3]
                for i in range(n):
                    h = patch[i]
                    a0 += K_0[i] * h
                    a1 += K_1[i] * h
                    a2 += K_2[i] * h
                    a3 += K_3[i] * h
                o = c * n_out + t
                A[o], A[o + n_out], A[o + 2 * n_out], A[o + 3 * n_out] = a0, a1, a2, a3
                c += 4
            for c in range(c, C):
                K_c, a = K[c], B[c]
                for i in range(n):
                    a += K_c[i] * patch[i]
                A[c * n_out + t] = a

    def backward(self, H_prev, delta, dB, back):
        """Add into self.dK and dB from delta[i] = dLoss/dA[i]; overwrite the list back (None: first layer)."""
        if self.by_pixel and back is None:
            self.backward_by_pixel(H_prev, delta, dB)
        else:
            self.backward_by_patch(delta, dB, back)

    def backward_by_pixel(self, P, delta, dB):
        C, dK, nonzero, size, cols, wide, n_out = self.C, self.dK, self.nonzero, self.size, self.cols, self.wide, self.n_out
        for c in range(C):
            delta_w, base = self.delta_wide[c], c * n_out
            total = 0.0
            for t in range(n_out):
                d = delta[base + t]
                total += d
                delta_w[wide[t]] = d
            dB[c] += total
        D = self.delta_wide
        for c in range(0, C - C % 4, 4):
            for u in range(size):
                for v in range(size):
                    i, offset = u * size + v, u * cols + v
                    g0, g1, g2, g3 = dK[c][i], dK[c + 1][i], dK[c + 2][i], dK[c + 3][i]
                    D_0, D_1, D_2, D_3 = D[c], D[c + 1], D[c + 2], D[c + 3]
                    for j in nonzero:
                        t = j - offset
                        if t >= 0:
                            h = P[j]
                            g0 += h * D_0[t]
                            g1 += h * D_1[t]
                            g2 += h * D_2[t]
                            g3 += h * D_3[t]
                    dK[c][i], dK[c + 1][i], dK[c + 2][i], dK[c + 3][i] = g0, g1, g2, g3
        for c in range(C - C % 4, C):
            D_c, dK_c = D[c], dK[c]
            for u in range(size):
                for v in range(size):
                    i, offset, g = u * size + v, u * cols + v, dK_c[u * size + v]
                    for j in nonzero:
                        t = j - offset
                        if t >= 0:
                            g += P[j] * D_c[t]
                    dK_c[i] = g

    def backward_by_patch(self, delta, dB, back):
        C, n, offset, wide, K, dK, n_out = self.C, self.fan_in, self.offset, self.wide, self.K, self.dK, self.n_out
        if back is not None:
            for j in range(len(back)):
                back[j] = 0.0
        totals = [0.0] * C
        for t in range(n_out):
            corner, live = wide[t], []
            for c in range(C):
                d = delta[c * n_out + t]
                totals[c] += d
                if d != 0.0:
                    live.append(c)
            if not live:
                continue
            patch, m = self.patches[t], 0
            while m + 2 <= len(live):
                c0, c1 = live[m], live[m + 1]
                d0, d1 = delta[c0 * n_out + t], delta[c1 * n_out + t]
                dK_0, dK_1, K_0, K_1 = dK[c0], dK[c1], K[c0], K[c1]
                for i in range(n):
                    h = patch[i]
                    dK_0[i] += h * d0
                    dK_1[i] += h * d1
                if back is not None:
                    for i in range(n):
                        j = corner + offset[i]
                        back[j] = back[j] + K_0[i] * d0 + K_1[i] * d1
                m += 2
            for c in live[m:]:
                d, dK_c, K_c = delta[c * n_out + t], dK[c], K[c]
                for i in range(n):
                    dK_c[i] += patch[i] * d
                if back is not None:
                    for i in range(n):
                        back[corner + offset[i]] += K_c[i] * d
        for c in range(C):
            dB[c] += totals[c]


class FlatMaxPool:
    """nnloop's max pooling layer `layer` over flat lists: route[i] is where in the input output i's maximum was."""

    def __init__(self, layer):
        C, rows_out, cols_out = layer.shape
        rows, cols, w, s = layer.in_shape[1], layer.in_shape[2], layer.size, layer.stride
        self.C, self.n_in, self.n_out = C, rows * cols, rows_out * cols_out
        self.offsets = [u * cols + v for u in range(w) for v in range(w)]
        self.corner = [s * y * cols + s * x for y in range(rows_out) for x in range(cols_out)]
        self.H = [0.0] * (C * rows_out * cols_out)
        self.route = [0] * (C * rows_out * cols_out)

    def forward(self, H_prev):
        corner, H, route, n_in, n_out = self.corner, self.H, self.route, self.n_in, self.n_out
        for c in range(self.C):
            base_in, base = c * n_in, c * n_out
            for t in range(n_out):
                H[base + t] = H_prev[base_in + corner[t]]
                route[base + t] = base_in + corner[t]
            for offset in self.offsets[1:]:  # offset by offset, in row-major order: one loop over the whole map
                for t in range(n_out):
                    j = base_in + corner[t] + offset
                    h = H_prev[j]
                    if h > H[base + t]:  # strictly greater: a tie keeps the first maximum
                        H[base + t] = h
                        route[base + t] = j

    def backward(self, delta, back):
        for j in range(len(back)):
            back[j] = 0.0
        route = self.route
        for t in range(len(delta)):
            back[route[t]] += delta[t]


def zeros_like_H(layer):
    """A new list of 0.0 as long as a flat layer's H, or None for a layer of net's own."""
    if isinstance(layer, (FlatConv, FlatMaxPool)):
        return [0.0] * len(layer.H)
    return None


def unsupported(net):
    """Why this yardstick cannot lay net out flat, or None if it can."""
    kinds = [layer.kind for layer in net.layers[1:]]
    if "conv" not in kinds:
        return "it has no conv layer: nothing is laid out differently"
    for layer in net.layers[1:]:
        if layer.kind not in ("conv", "maxpool", "flatten", "dense"):
            return f"{layer!r}: this yardstick takes conv, maxpool, flatten and dense layers only"
        if layer.kind == "conv" and (layer.stride != 1 or layer.padding != 0):
            return f"{layer!r}: this yardstick takes convolutions of stride 1 without padding only"
        if layer.kind == "conv" and layer.in_shape[0] == 1 and layer is not net.layers[1]:
            return f"{layer!r}: this yardstick takes a one-channel input in the first layer only"
    return None


class FlatNetwork:
    """net's layers over flat lists; its dense layers, their memories and the loss are net's own."""

    def __init__(self, net):
        self.net, self.layers = net, [None]
        for k in range(1, net.L + 1):
            layer = net.layers[k]
            if layer.kind == "conv":
                self.layers.append(FlatConv(layer))
            elif layer.kind == "maxpool":
                self.layers.append(FlatMaxPool(layer))
            else:
                self.layers.append(layer)  # flatten and dense: net's own
        self.v = NodeValues(net)  # the flat lists of the dense layers and of flatten
        # back[k] and delta[k] of a flat layer k; those of flatten and dense layers are net's, in self.v
        self.back = [None] + [zeros_like_H(layer) for layer in self.layers[1:]]
        self.delta = [None] + [zeros_like_H(layer) for layer in self.layers[1:]]

    def values(self, k):
        """H[k], as the layer above reads it: a flat layer's list, or net's."""
        layer = self.layers[k]
        return layer.H if isinstance(layer, (FlatConv, FlatMaxPool)) else self.v.H[k]

    def forward(self, x):
        self.x = H_prev = x  # the digit's list, i = y*cols + x: already the numbering of maps here
        for k in range(1, self.net.L + 1):
            layer = self.layers[k]
            if isinstance(layer, (FlatConv, FlatMaxPool)):
                layer.forward(H_prev)
            elif layer.kind == "flatten":
                self.v.H[k][:] = H_prev  # flatten: the numbering is already (c*rows + y)*cols + x
            else:
                layer.forward(H_prev, self.v.A[k], self.v.H[k], self.v.memory[k])
            H_prev = self.values(k)
        return H_prev

    def backward(self, T, g):
        net, v, L = self.net, self.v, self.net.L
        net.loss_function.delta(net.f[L], v.A[L], v.H[L], T, v.delta[L])
        delta = v.delta[L]
        for k in range(L, 0, -1):
            layer, H_prev = self.layers[k], self.values(k - 1) if k > 1 else self.x
            if k == 1:
                back = None  # the input: nothing below it to learn
            else:
                back = self.back[k - 1] if self.back[k - 1] is not None else v.back[k - 1]
            if isinstance(layer, FlatConv):
                layer.backward(H_prev, delta, g.dB[k], back)
            elif isinstance(layer, FlatMaxPool):
                layer.backward(delta, back)
            elif layer.kind == "flatten":
                back[:] = delta
            else:
                layer.backward(H_prev, v.A[k], v.H[k], delta, g.dW[k], g.dB[k], back, v.memory[k])
            if k == 1:
                break
            below, f = self.layers[k - 1], net.f[k - 1]
            if isinstance(below, FlatConv):  # delta[k-1] = f'(A[k-1]) * back[k-1], one call a layer
                delta = self.delta[k - 1]
                f.backward(below.A, below.H, back, delta)
            elif isinstance(below, FlatMaxPool):
                delta = self.delta[k - 1]
                delta[:] = back  # identity's f'
            else:
                delta = v.delta[k - 1]
                f.backward(v.A[k - 1], v.H[k - 1], back, delta)


class AsNetwork:
    """A FlatNetwork as nnloop.learning.training.accumulate calls a network: forward(x, v), backward(v, T, g)."""

    def __init__(self, flat_net):
        self.flat_net = flat_net
        self.sample_loss, self.loss_function = flat_net.net.sample_loss, flat_net.net.loss_function

    def forward(self, x, v):
        return self.flat_net.forward(x)

    def backward(self, v, T, g):
        self.flat_net.backward(T, g)


def flat_train(options):
    """nnloop train with options, its accumulate and confusion_matrix replaced by ones over flat lists."""
    import nnloop.cli.trainer
    import nnloop.learning.parallel
    import nnloop.learning.training
    from nnloop.cli import main as nnloop_main
    from nnloop.learning.evaluation import predicted_class

    nested_accumulate = nnloop.learning.training.accumulate
    made = {}  # id(net): its FlatNetwork, one per network and process

    def flat_network(net):
        """net's FlatNetwork, its kernels copied from net's: once per minibatch, not per sample."""
        if id(net) not in made:
            if unsupported(net):
                raise NnloopError(f"flat_maps.py train: {unsupported(net)}")
            made[id(net)] = FlatNetwork(net)
        flat_net = made[id(net)]
        for k in range(1, net.L + 1):
            if isinstance(flat_net.layers[k], FlatConv):
                for K_c, K_flat in zip(net.layers[k].K, flat_net.layers[k].K):
                    flat_kernel(K_c, K_flat)
        return flat_net

    def accumulate(net, batch, g, v, seed=None):
        """nnloop.learning.training.accumulate over flat lists: dK's running sums flat for the whole minibatch,
        as backward_by_patch keeps them flat for one sample."""
        if seed is not None:
            raise NnloopError("flat_maps.py train: no dropout here; train without --dropout")
        flat_net = flat_network(net)
        conv = [k for k in range(1, net.L + 1) if isinstance(flat_net.layers[k], FlatConv)]
        for k in conv:
            for dW_c, dK_c in zip(g.dW[k], flat_net.layers[k].dK):
                flat_kernel(dW_c, dK_c)
        result = nested_accumulate(AsNetwork(flat_net), batch, g, v)
        for k in conv:
            for dK_c, dW_c in zip(flat_net.layers[k].dK, g.dW[k]):
                unflat_kernel(dK_c, dW_c)
        return result

    def confusion_matrix(net, samples, classes, progress=None):
        """As nnloop.learning.evaluation.confusion_matrix, over flat lists (whose NodeValues would be nested)."""
        flat_net = flat_network(net)
        C = [[0] * classes for _ in range(classes)]
        for n in range(len(samples)):
            if progress is not None and n % 500 == 0:
                progress(n)
            x, T = samples[n]
            C[predicted_class(T)][predicted_class(flat_net.forward(x))] += 1
        if progress is not None:
            progress(len(samples))
        return C

    nnloop.learning.training.accumulate = nnloop.learning.parallel.accumulate = accumulate
    nnloop.cli.trainer.confusion_matrix = nnloop.learning.parallel.confusion_matrix = confusion_matrix
    return nnloop_main(["train"] + options)


def time_passes(flat_net, run, layers, n, python):
    """Print us per digit of each flat conv and pooling pass over n digits, clocked as multiply_adds.py clocks
    nnloop's (its third round, after two for the JIT), and of everything else."""
    spent = {}
    for k in range(1, flat_net.net.L + 1):  # an instance attribute hides the method
        layer = flat_net.layers[k]
        if isinstance(layer, (FlatConv, FlatMaxPool)):
            kind = "conv" if isinstance(layer, FlatConv) else "maxpool"
            layer.forward = clocked(layer.forward, spent, (k, kind, "forward"))
            layer.backward = clocked(layer.backward, spent, (k, kind, "backward"))
    for warm in (True, True, False):
        for key in spent:
            spent[key] = 0.0
        total = run()[0]
    print(f"per training digit over flat lists, {layers}, {python['interpreter']} {python['version']}, {n:,} digits:")
    for key in sorted(spent, key=lambda key: -spent[key]):
        k, kind, name = key
        print(f"  layer {k} {kind:8s} {name:9s} {spent[key] / n * 1e6:7.1f}")
    print(f"  {'the rest':26s} {(total - sum(spent.values())) / n * 1e6:7.1f}   (dense, flatten, f', the loss, the clocks)")
    print(f"forward and backward: {total / n * 1e6:.0f} us a digit")


def main():
    if sys.argv[1:2] == ["train"]:
        sys.exit(flat_train(sys.argv[2:]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layers", default="conv8x5,maxpool2,conv16x5,maxpool2,dense100")
    parser.add_argument("--n", type=int, default=1000, help="digits timed per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=12, help="rounds of both (default 12)")
    parser.add_argument("--passes", action="store_true",
                        help="time the flat conv and pooling passes instead, as multiply_adds.py times nnloop's")
    args = parser.parse_args()
    if args.n < 1 or args.rounds < 2:
        sys.exit(f"flat_maps.py: --n must be 1 or more and --rounds 2 or more; got --n {args.n} --rounds {args.rounds}")
    try:
        net = bench_network(None, args.layers)
    except NnloopError as error:
        sys.exit(f"flat_maps.py: {error}")
    if unsupported(net):
        sys.exit(f"flat_maps.py: --layers {args.layers}: {unsupported(net)}")
    train, _ = mnist.load()
    run_epoch(net, train.first(2000), 32, 0.05, Random(1))
    flat_net = FlatNetwork(net)
    digits = [train[i] for i in range(min(args.n, len(train)))]

    def nested():
        v, g = NodeValues(net), Gradients(net)
        start = time.perf_counter()
        for x, T in digits:
            net.forward(x, v)
            net.backward(v, T, g)
        return time.perf_counter() - start, g

    def flat_maps():
        g = Gradients(net)
        for layer in flat_net.layers[1:]:
            if isinstance(layer, FlatConv):
                layer.dK = [[0.0] * layer.fan_in for K_c in layer.K]
        start = time.perf_counter()
        for x, T in digits:
            flat_net.forward(x)
            flat_net.backward(T, g)
        return time.perf_counter() - start, g

    python = interpreter()
    if args.passes:
        return time_passes(flat_net, flat_maps, args.layers, len(digits), python)
    print(f"forward and backward per training digit, {args.layers} ({net.shape_name()}), {python['interpreter']} "
          f"{python['version']}, {len(digits):,} digits a round:")
    ratios = []
    for r in range(args.rounds):
        (t_nested, g_nested), (t_flat, g_flat) = nested(), flat_maps()
        ratios.append(t_nested / t_flat)
        print(f"  round {r + 1:2d}: A[c][y][x] {t_nested / len(digits) * 1e6:7.1f} us   "
              f"A[i] {t_flat / len(digits) * 1e6:7.1f} us   {ratios[-1]:.2f}x", flush=True)
    later = sorted(ratios[len(ratios) // 2:])  # the JIT's warm-up is in the first half
    print(f"flat lists: {later[0]:.2f}x to {later[-1]:.2f}x, median {later[len(later) // 2]:.2f}x, "
          f"over rounds {len(ratios) - len(later) + 1} to {len(ratios)}")
    same = all(g_flat.dB[k] == g_nested.dB[k] and
               (g_flat.dW[k] == g_nested.dW[k] if not isinstance(flat_net.layers[k], FlatConv) else
                flat_net.layers[k].dK == [flat(dK_c) for dK_c in g_nested.dW[k]])
               for k in range(1, net.L + 1))
    print("the gradients of the last round, dK, dB and dW:", "equal to nnloop's, bit for bit" if same else "DIFFERENT")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
