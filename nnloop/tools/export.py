"""The same network as matrix operations: a standalone numpy file, written as text.

nnloop's loops run node by node; the matrix form computes the same numbers a
layer at a time, the way learners meet it next and frameworks run it:

    dense    A = W @ H_prev + B                 dW = outer(delta, H_prev)   back = W.T @ delta
    conv     A = K_rows @ im2col(H_prev) + B    dK = delta_rows @ cols.T    back = col2im(K_rows.T @ delta_rows)
    pooling  A = max (or mean) over each window's column of im2col(H_prev), back routed to where it came from
    flatten  A = H_prev.reshape(-1)             back = delta.reshape(H_prev.shape)

then H = f(A) and, going back, delta[k-1] = f'(A[k-1]) * back, exactly the
formulas of the README's notation. `export` writes them as one Python file,
a line per formula, with nnloop's names, and the parameters at the end;
nnloop itself never imports numpy: it only writes the text.

>>> from nnloop.network import Network
>>> text = numpy_source(Network.with_parameters([[], [[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]], [[3.0, 2.0]]],
...                                             [[], [0.0, 0.0], [0.0]], ["relu", "identity"], "mse"), "the worked example")
>>> [line.strip() for line in text.splitlines() if line.strip().startswith("A[1] =")]
['A[1] = W[1] @ H[0] + B[1]  # A[k][j] = B[k][j] + sum_i W[k][j][i] * H[k-1][i]']
"""
from ..errors import NnloopError
from ..layers.conv import shape_name

HEADER = '''"""{about}

nnloop's network {shape} ({activations}; {loss}) as matrix operations with numpy,
written by `nnloop export`. Layer k here is nnloop's layer k, and the names are its own:

  W[k][j, i]             nnloop's W[k][j][i]: row j holds node j's weights (as torch's nn.Linear weight[j][i])
  K[k][c, c2, u, v]      nnloop's K[k][c][c'][u][v] (as torch's nn.Conv2d weight[c][c'][u][v])
  B[k]                   the biases, one per node or per kernel
  A[k], H[k]             a layer's values: shape (nodes,), or (channels, rows, cols) for feature maps
  delta[k], back         dLoss/dA[k], and what layer k sends back, dLoss/dH[k-1]
  dW[k], dB[k]           one sample's gradients, shaped like W[k] (dK[k], shaped like K[k], for a conv layer) and B[k]

Run it to print Y and the loss of the sample below, and its gradients' sizes.
"""
import numpy as np

L = {L}
INPUT_SHAPE = {input_shape}


def forward(x):
    """A[k] and H[k] for k = 1..L (dicts by k), and what backward needs (im2col columns, pooling routes)."""
    A, H, memory = {{}}, {{0: np.asarray(x, dtype=float).reshape(INPUT_SHAPE)}}, {{}}
'''

BACKWARD = '''

def backward(A, H, memory, T):
    """delta[k] and one sample's gradients dW (or dK) and dB of every layer, from the output layer down."""
    T = np.asarray(T, dtype=float)
    delta, dW, dB = {{}}, {{}}, {{}}
    Y = H[L]
'''

STEP = '''

def sgd_step(dW, dB, eta):
    """Plain SGD on one sample's gradients: W -= eta * dW, B -= eta * dB (K likewise)."""
    for k in dW:
        (K if k in K else W)[k] -= eta * dW[k]
        B[k] -= eta * dB[k]
'''

HELPERS = '''

def loss(Y, T):
    """The loss of one sample: {loss_formula}."""
    T = np.asarray(T, dtype=float)
    {loss_line}


def im2col(X, size, stride, padding):
    """Every size x size window of the maps X (C, rows, cols), zero padded, as one column of the result:
    row (c*size + u)*size + v, column y*cols_out + x holds X[c][stride*y + u - padding][stride*x + v - padding]."""
    C, rows, cols = X.shape
    rows_out, cols_out = (rows + 2 * padding - size) // stride + 1, (cols + 2 * padding - size) // stride + 1
    padded = np.pad(X, ((0, 0), (padding, padding), (padding, padding)))
    columns = np.empty((C, size, size, rows_out, cols_out))
    for u in range(size):
        for v in range(size):
            columns[:, u, v] = padded[:, u:u + stride * rows_out:stride, v:v + stride * cols_out:stride]
    return columns.reshape(C * size * size, rows_out * cols_out)


def col2im(columns, shape, size, stride, padding):
    """im2col the other way: each column's entries added back to the places of its window (a sum where windows
    overlap), the padding cut off."""
    C, rows, cols = shape
    rows_out, cols_out = (rows + 2 * padding - size) // stride + 1, (cols + 2 * padding - size) // stride + 1
    columns = columns.reshape(C, size, size, rows_out, cols_out)
    padded = np.zeros((C, rows + 2 * padding, cols + 2 * padding))
    for u in range(size):
        for v in range(size):
            padded[:, u:u + stride * rows_out:stride, v:v + stride * cols_out:stride] += columns[:, u, v]
    return padded[:, padding:padding + rows, padding:padding + cols]
'''

ACTIVATIONS = {  # f, and f' from A and H = f(A)
    "relu": ("np.maximum(a, 0.0)", "(a > 0).astype(float)"),
    "sigmoid": ("1.0 / (1.0 + np.exp(-a))", "h * (1.0 - h)"),
    "tanh": ("np.tanh(a)", "1.0 - h * h"),
    "identity": ("a.copy()", "np.ones_like(a)"),
}

LOSSES = {
    "mse": ("(1/N) sum_n (T[n] - Y[n])^2", "return np.mean((T - Y) ** 2)"),
    "cross_entropy": ("-sum_i T[i] log Y[i]",
                      "return -np.sum(T[T != 0] * np.log(np.maximum(Y[T != 0], np.finfo(float).tiny)))"),
}

MAIN = '''

# The sample the network was exported with: its input x (H[0]) and target T.
x = np.array({x})
T = np.array({t})

if __name__ == "__main__":
    A, H, memory = forward(x)
    dW, dB = backward(A, H, memory, T)[1:]
    print("Y =", H[L])
    print("loss =", loss(H[L], T))
    for k in sorted(dW):
        print(f"layer {{k}}: |dW| = {{np.abs(dW[k]).sum():.6g}}, |dB| = {{np.abs(dB[k]).sum():.6g}}")
'''


def numpy_source(net, about, x=None, t=None):
    """The text of a standalone numpy program computing net's forward, backward and SGD step as matrices."""
    if net.loss not in LOSSES:
        raise NnloopError(f"cannot export the loss {net.loss!r}: only {', '.join(LOSSES)}")
    lines = [HEADER.rstrip("\n").format(about=about, shape=net.describe(), activations=", ".join(net.activations[1:]),
                           loss=net.loss, L=net.L, input_shape=tuple_text(net.shapes[0]))]
    for k in range(1, net.L + 1):
        layer = net.layers[k]
        lines.append(f"    # layer {k}: {layer.kind}, {shape_name(layer.in_shape)} -> {shape_name(layer.shape)}")
        lines += ["    " + line for line in FORWARD[layer.kind](layer, k)]
        lines.append(f"    H[{k}] = {activation(net.activations[k], 'forward', k)}")
    lines.append("    return A, H, memory")
    lines.append(BACKWARD.rstrip("\n").format())
    lines += ["    " + line for line in output_delta(net)]
    for k in range(net.L, 0, -1):
        layer = net.layers[k]
        lines.append(f"    # layer {k}: {layer.kind}")
        lines += ["    " + line for line in BACKWARD_LINES[layer.kind](layer, k)
                  if k > 1 or not line.startswith("back =")]  # layer 0 is the input: nothing to send back to
        if k > 1:
            lines.append(f"    delta[{k - 1}] = {activation(net.activations[k - 1], 'backward', k - 1)} * back"
                         f"  # delta[k-1] = f'(A[k-1]) * back[k-1]")
    lines.append("    return delta, dW, dB")
    lines.append(STEP)
    used = sorted({a for a in net.activations[1:] if a in ACTIVATIONS})
    for name in used:
        f, f_prime = ACTIVATIONS[name]
        lines.append(f"\n\ndef {name}(a):\n    return {f}\n\n\ndef {name}_prime(a, h):\n    return {f_prime}")
    if "softmax" in net.activations:
        lines.append("\n\ndef softmax(a):\n    e = np.exp(a - a.max())  # max(A) subtracted: exp never overflows\n"
                     "    return e / e.sum()")
    formula, body = LOSSES[net.loss]
    lines.append(HELPERS.format(loss_formula=formula, loss_line=body))
    lines.append(parameters_text(net))
    if x is not None:
        lines.append(MAIN.format(x=list(x), t=list(t)))
    return "\n".join(lines) + "\n"


def activation(name, direction, k):
    if direction == "forward":
        return f"{name}(A[{k}])"
    return f"{name}_prime(A[{k}], H[{k}])"


def output_delta(net):
    """delta[L] = dLoss/dA[L], as nnloop.losses computes it."""
    L, f = net.L, net.activations[net.L]
    if net.loss == "cross_entropy" and f == "softmax":
        return [f"delta[{L}] = Y * T.sum() - T  # softmax + cross-entropy: Y - T for a target summing to 1"]
    if net.loss == "cross_entropy":
        raise NnloopError("cannot export cross_entropy without a softmax output: nnloop refuses that pairing too")
    lines = ["g = -2.0 / Y.size * (T - Y)  # dLoss/dY of the mean squared error"]
    if f == "softmax":
        return lines + [f"delta[{L}] = Y * (g - np.sum(Y * g))  # through the softmax's Jacobian"]
    return lines + [f"delta[{L}] = {f}_prime(A[{L}], Y) * g"]


def dense_forward(layer, k):
    return [f"A[{k}] = W[{k}] @ H[{k - 1}] + B[{k}]  # A[k][j] = B[k][j] + sum_i W[k][j][i] * H[k-1][i]"]


def dense_backward(layer, k):
    return [f"dW[{k}] = np.outer(delta[{k}], H[{k - 1}])  # dW[k][j][i] = H[k-1][i] * delta[k][j]",
            f"dB[{k}] = delta[{k}].copy()  # dB[k][j] = delta[k][j]",
            f"back = W[{k}].T @ delta[{k}]  # back[k-1][i] = sum_j W[k][j][i] * delta[k][j]"]


def conv_forward(layer, k):
    C = layer.channels
    return [f"memory[{k}] = im2col(H[{k - 1}], {layer.size}, {layer.stride}, {layer.padding})"
            f"  # each window of H[k-1] a column",
            f"A[{k}] = (K[{k}].reshape({C}, -1) @ memory[{k}]).reshape{tuple_text(layer.shape)} "
            f"+ B[{k}][:, None, None]  # A[k][c][y][x] = B[k][c] + sum K[k][c][c'][u][v] * H[k-1][c'][..][..]"]


def conv_backward(layer, k):
    C = layer.channels
    return [f"delta_rows = delta[{k}].reshape({C}, -1)",
            f"dW[{k}] = (delta_rows @ memory[{k}].T).reshape(K[{k}].shape)"
            f"  # dK[k][c][c'][u][v] = sum_(y,x) H[k-1][c'][..][..] * delta[k][c][y][x]",
            f"dB[{k}] = delta[{k}].sum(axis=(1, 2))  # dB[k][c] = sum_(y,x) delta[k][c][y][x]",
            f"back = col2im(K[{k}].reshape({C}, -1).T @ delta_rows, {tuple_text(layer.in_shape)}, {layer.size}, "
            f"{layer.stride}, {layer.padding})  # each delta sent back through its kernel to its window"]


def pool_forward(layer, k):
    C, rows_out, cols_out = layer.shape
    windows = f"im2col(H[{k - 1}], {layer.size}, {layer.stride}, 0).reshape({C}, {layer.size ** 2}, -1)"
    if layer.kind == "maxpool":
        return [f"windows = {windows}",
                f"memory[{k}] = windows.argmax(axis=1)  # the route: which input of each window is its maximum",
                f"A[{k}] = windows.max(axis=1).reshape({C}, {rows_out}, {cols_out})  # each window's maximum"]
    return [f"A[{k}] = {windows}.mean(axis=1).reshape({C}, {rows_out}, {cols_out})  # each window's mean"]


def pool_backward(layer, k):
    C = layer.shape[0]
    scatter = f"col2im(routed.reshape({C * layer.size ** 2}, -1), {tuple_text(layer.in_shape)}, {layer.size}, " \
              f"{layer.stride}, 0)"
    if layer.kind == "maxpool":
        return [f"routed = np.zeros(({C}, {layer.size ** 2}, delta[{k}][0].size))",
                f"np.put_along_axis(routed, memory[{k}][:, None, :], delta[{k}].reshape({C}, 1, -1), axis=1)"
                f"  # the delta goes to the maximum",
                f"back = {scatter}"]
    return [f"routed = np.repeat(delta[{k}].reshape({C}, 1, -1) / {layer.size ** 2}, {layer.size ** 2}, axis=1)"
            f"  # each input gets its share",
            f"back = {scatter}"]


def flatten_forward(layer, k):
    return [f"A[{k}] = H[{k - 1}].reshape(-1)  # i = (c*rows + y)*cols + x"]


def flatten_backward(layer, k):
    return [f"back = delta[{k}].reshape{tuple_text(layer.in_shape)}"]


# What each kind of layer is in matrix form: the presentation table of this module.
FORWARD = {"dense": dense_forward, "conv": conv_forward, "maxpool": pool_forward, "avgpool": pool_forward,
           "flatten": flatten_forward}
BACKWARD_LINES = {"dense": dense_backward, "conv": conv_backward, "maxpool": pool_backward,
                  "avgpool": pool_backward, "flatten": flatten_backward}


def parameters_text(net):
    """The parameters as numpy arrays, layer by layer: W for dense layers, K for conv layers, B for both."""
    lines = ["\n\n# The parameters, float64, as nnloop held them.", "W, K, B = {}, {}, {}"]
    for k in range(1, net.L + 1):
        layer = net.layers[k]
        if layer.kind in ("dense", "conv"):
            name = "W" if layer.kind == "dense" else "K"
            lines.append(f"{name}[{k}] = np.array({getattr(layer, name)!r})")
            lines.append(f"B[{k}] = np.array({layer.B!r})")
    return "\n".join(lines)


def tuple_text(shape):
    return f"({shape},)" if isinstance(shape, int) else f"({', '.join(map(str, shape))})"


def check_exportable(net, path):
    unknown = sorted({layer.kind for layer in net.layers[1:]} - set(FORWARD))
    if unknown:
        raise NnloopError(f"{path}: a {unknown[0]} layer has no matrix form here yet: export a network of "
                          f"{', '.join(FORWARD)} layers")
