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
from typing import Callable, NamedTuple

from ..errors import NnloopError
from ..layers.conv import as_grids
from ..layers.shapes import shape_name

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
T = np.array({T})

if __name__ == "__main__":
    A, H, memory = forward(x)
    dW, dB = backward(A, H, memory, T)[1:]
    print("Y =", H[L])
    print("loss =", loss(H[L], T))
    for k in sorted(dW):
        print(f"layer {{k}}: |dW| = {{np.abs(dW[k]).sum():.6g}}, |dB| = {{np.abs(dB[k]).sum():.6g}}")
'''


def numpy_source(net, about, x=None, T=None):
    """The text of a standalone numpy program computing net's forward, backward and SGD step as matrices."""
    if net.loss not in LOSSES:
        raise NnloopError(f"cannot export the loss {net.loss!r}: only {', '.join(LOSSES)}")
    lines = [HEADER.rstrip("\n").format(about=about, shape=net.shape_name(), activations=", ".join(net.activations[1:]),
                           loss=net.loss, L=net.L, input_shape=tuple_text(net.shapes[0]))]
    for k in range(1, net.L + 1):
        layer = net.layers[k]
        lines.append(f"    # layer {k}: {layer.kind}, {shape_name(layer.in_shape)} -> {shape_name(layer.shape)}")
        lines += ["    " + line for line in MATRIX_FORM[layer.kind].forward(layer, k)]
        lines.append(f"    H[{k}] = {activation(net.activations[k], 'forward', k)}")
    lines.append("    return A, H, memory")
    lines.append(BACKWARD.rstrip("\n").format())
    lines += ["    " + line for line in output_delta(net)]
    for k in range(net.L, 0, -1):
        layer = net.layers[k]
        lines.append(f"    # layer {k}: {layer.kind}")
        lines += ["    " + line for line in MATRIX_FORM[layer.kind].backward(layer, k)
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
        lines.append(MAIN.format(x=list(x), T=list(T)))
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


def pool_windows(layer, k):
    """The numpy expression of every window of H[k-1] as a column, channel by channel."""
    return f"im2col(H[{k - 1}], {layer.size}, {layer.stride}, 0).reshape({layer.shape[0]}, {layer.size ** 2}, -1)"


def maxpool_forward(layer, k):
    C, rows_out, cols_out = layer.shape
    return [f"windows = {pool_windows(layer, k)}",
            f"memory[{k}] = windows.argmax(axis=1)  # the route: which input of each window is its maximum",
            f"A[{k}] = windows.max(axis=1).reshape({C}, {rows_out}, {cols_out})  # each window's maximum"]


def avgpool_forward(layer, k):
    C, rows_out, cols_out = layer.shape
    return [f"A[{k}] = {pool_windows(layer, k)}.mean(axis=1).reshape({C}, {rows_out}, {cols_out})  # each window's mean"]


def pool_scatter(layer):
    """The numpy expression that adds the columns of routed back into the places of their windows."""
    return f"col2im(routed.reshape({layer.shape[0] * layer.size ** 2}, -1), {tuple_text(layer.in_shape)}, " \
           f"{layer.size}, {layer.stride}, 0)"


def maxpool_backward(layer, k):
    C = layer.shape[0]
    return [f"routed = np.zeros(({C}, {layer.size ** 2}, delta[{k}][0].size))",
            f"np.put_along_axis(routed, memory[{k}][:, None, :], delta[{k}].reshape({C}, 1, -1), axis=1)"
            f"  # the delta goes to the maximum",
            f"back = {pool_scatter(layer)}"]


def avgpool_backward(layer, k):
    C = layer.shape[0]
    return [f"routed = np.repeat(delta[{k}].reshape({C}, 1, -1) / {layer.size ** 2}, {layer.size ** 2}, axis=1)"
            f"  # each input gets its share",
            f"back = {pool_scatter(layer)}"]


def flatten_forward(layer, k):
    return [f"A[{k}] = H[{k - 1}].reshape(-1)  # i = (c*rows + y)*cols + x"]


def flatten_backward(layer, k):
    return [f"back = delta[{k}].reshape{tuple_text(layer.in_shape)}"]


def parameters_text(net):
    """The parameters as numpy arrays, layer by layer: W for dense layers, K for conv layers, B for both.

    Kernels are written as the grids K[c][c'][u][v], numpy's shape (C, C_in, size, size) that the forward
    lines reshape, not as the one list per kernel nnloop holds."""
    lines = ["\n\n# The parameters, float64, as nnloop held them.", "W, K, B = {}, {}, {}"]
    for k in range(1, net.L + 1):
        layer = net.layers[k]
        if layer.WEIGHTS:  # W of a dense layer, K of a conv layer
            lines.append(f"{layer.WEIGHTS}[{k}] = np.array({as_grids(layer, layer.W)!r})")
            lines.append(f"B[{k}] = np.array({layer.B!r})")
    return "\n".join(lines)


def tuple_text(shape):
    return f"({shape},)" if isinstance(shape, int) else f"({', '.join(map(str, shape))})"


def check_exportable(net, path):
    unknown = sorted({layer.kind for layer in net.layers[1:]} - set(MATRIX_FORM))
    if unknown:
        raise NnloopError(f"{path}: a {unknown[0]} layer has no matrix form here yet: export a network of "
                          f"{', '.join(MATRIX_FORM)} layers")


# ---- PyTorch: the same layers as torch.nn modules, for a network that outgrows pure Python ----------------------

TORCH_HEADER = '''"""{about}

nnloop's network {shape} ({activations}; {loss}) as a PyTorch module in float64, written by
`nnloop export --to pytorch`, with the parameters read from the nnloop file by the json module:

  W[k][j][i]          weight[j][i] of the nn.Linear of nnloop's layer k
  K[k][c][c'][u][v]   weight[c][c'][u][v] of its nn.Conv2d
  B[k][j]             bias[j] of either
  delta[k]            the gradient of the loss with respect to A[k], the module's output before f

{optimizer_note}
"""
import gzip
import json
import os
import struct
import sys

import torch
from torch import nn

torch.set_default_dtype(torch.float64)

NNLOOP_FILE = {path!r}  # where the weights are read from (or give another as the first argument)
INPUT_SHAPE = {input_shape}


def network():
    """nnloop's layers, in order, as one nn.Sequential over a batch of inputs shaped (N,) + INPUT_SHAPE."""
    return nn.Sequential(
{modules}
    )


def load_parameters(model, path=NNLOOP_FILE):
    """Copy every W (or K) and B of the nnloop model or spec file at path into model's Linear and Conv2d layers."""
    with open(path, encoding="utf-8") as f:
        layers = json.load(f)["layers"]
    weighted = [layer for layer in layers if "W" in layer or "K" in layer]
    modules = [m for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]
    with torch.no_grad():
        for layer, module in zip(weighted, modules):
            module.weight.copy_(torch.tensor(layer["W"] if "W" in layer else layer["K"]))
            module.bias.copy_(torch.tensor(layer["B"]))
    return model


def loss_of(model, X, T):
    """The mean loss over a batch: {loss_text}."""
    {loss_line}


def optimizer_of(model):
    """The run's optimizer: {optimizer_text}; weight decay, if any, on the weights only, as in nnloop."""
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    groups = [{{"params": weights, "weight_decay": {weight_decay}}}, {{"params": biases, "weight_decay": 0.0}}]
    return {optimizer_call}


def schedule_of(optimizer):
    """The run's learning-rate schedule, stepped once per epoch: {schedule_text}."""
    return {schedule_call}


def read_idx(path):
    """The numbers of an IDX file (gzipped or not): MNIST's format."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.tensor(list(data[4 + 4 * dims:]), dtype=torch.float64).reshape(shape)


def mnist(directory, part):
    """(X, T): the images as inputs in [0, 1] shaped (N,) + INPUT_SHAPE, and one-hot targets."""
    images = read_idx(os.path.join(directory, f"{{part}}-images-idx3-ubyte.gz")) / 255.0
    labels = read_idx(os.path.join(directory, f"{{part}}-labels-idx1-ubyte.gz")).long()
    return images.reshape((len(images),) + INPUT_SHAPE), nn.functional.one_hot(labels, 10).double()


def train(model, directory, epochs={epochs}, batch_size={batch_size}):
    """Go on training on MNIST as the nnloop run did: shuffled minibatches, the run's optimizer and schedule."""
    X, T = mnist(directory, "train")
    X_test, T_test = mnist(directory, "t10k")
    optimizer = optimizer_of(model)
    schedule = schedule_of(optimizer)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss_of(model, X[batch], T[batch]).backward()
            optimizer.step()
        if schedule is not None:
            schedule.step()
        model.eval()
        with torch.no_grad():
            right = (model(X_test).argmax(1) == T_test.argmax(1)).double().mean().item()
        print(f"epoch {{epoch + 1}}: test accuracy {{100 * right:.2f}}%")


if __name__ == "__main__":
    model = load_parameters(network(), sys.argv[1] if len(sys.argv) > 1 else NNLOOP_FILE)
    print(model)
    if len(sys.argv) > 2:  # a directory of the four MNIST files: train on
        train(model, sys.argv[2])
'''

TORCH_ACTIVATIONS = {"relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "identity": None,
                     "softmax": "nn.Softmax(dim=1)"}


def torch_modules(net):
    """The lines of nn.Sequential's modules: a layer, then its activation (none for identity)."""
    lines = []
    for k in range(1, net.L + 1):
        layer = net.layers[k]
        module = MATRIX_FORM[layer.kind].module(layer)
        lines.append(f"        {module},  # layer {k}: {layer.kind}, {shape_name(layer.in_shape)} -> "
                     f"{shape_name(layer.shape)}")
        f = TORCH_ACTIVATIONS[net.activations[k]]
        if f and not (k == net.L and net.activations[k] == "softmax" and net.loss == "cross_entropy"):
            lines.append(f"        {f},")
    return "\n".join(lines)


def dense_module(layer):
    return f"nn.Linear({layer.in_shape}, {layer.shape})"


def conv_module(layer):
    return (f"nn.Conv2d({layer.in_shape[0]}, {layer.channels}, kernel_size={layer.size}, stride={layer.stride}, "
            f"padding={layer.padding})")


def maxpool_module(layer):
    return f"nn.MaxPool2d({layer.size}, stride={layer.stride})"


def avgpool_module(layer):
    return f"nn.AvgPool2d({layer.size}, stride={layer.stride})"


def flatten_module(layer):
    return "nn.Flatten()"


class MatrixForm(NamedTuple):
    """One kind of layer as numpy and PyTorch write it: forward(layer, k) and backward(layer, k), the lines of
    the numpy program's forward and backward for layer k; module(layer), its torch.nn module."""
    forward: Callable
    backward: Callable
    module: Callable


# What each kind of layer (nnloop.layers.KINDS) is in matrix form: a new kind is one row here; a kind without
# a row is refused by check_exportable.
MATRIX_FORM = {
    "dense": MatrixForm(dense_forward, dense_backward, dense_module),
    "conv": MatrixForm(conv_forward, conv_backward, conv_module),
    "maxpool": MatrixForm(maxpool_forward, maxpool_backward, maxpool_module),
    "avgpool": MatrixForm(avgpool_forward, avgpool_backward, avgpool_module),
    "flatten": MatrixForm(flatten_forward, flatten_backward, flatten_module),
}

TORCH_OPTIMIZERS = {  # nnloop's update rule as torch.optim's, with its hyperparameters
    "sgd": lambda o, eta: f"torch.optim.SGD(groups, lr={eta})",
    "momentum": lambda o, eta: f"torch.optim.SGD(groups, lr={eta}, momentum={o['mu']})",
    "nesterov": lambda o, eta: f"torch.optim.SGD(groups, lr={eta}, momentum={o['mu']}, nesterov=True)",
    "adagrad": lambda o, eta: f"torch.optim.Adagrad(groups, lr={eta}, eps={o['eps']})",
    "rmsprop": lambda o, eta: f"torch.optim.RMSprop(groups, lr={eta}, alpha={o['rho']}, eps={o['eps']})",
    "adam": lambda o, eta: f"torch.optim.Adam(groups, lr={eta}, betas=({o['b1']}, {o['b2']}), eps={o['eps']})",
}


def torch_source(net, about, path, optimizer=None, eta=0.1, arguments=None):
    """The text of a PyTorch program holding net's layers, reading its parameters from the nnloop file at path,
    with the run's optimizer (an nnloop.learning.optimizers one), eta and, for a training run, its arguments."""
    arguments = arguments or {}
    settings = optimizer.to_document(net) if optimizer is not None else {"name": "sgd", "weight_decay": 0.0,
                                                                      "decay": "coupled"}
    name = settings["name"]
    call = TORCH_OPTIMIZERS[name](settings, eta)
    if settings["weight_decay"] and settings["decay"] == "decoupled":
        if name != "adam":
            raise NnloopError(f"cannot export decoupled weight decay with {name}: torch has it for Adam (AdamW) only")
        call = call.replace("torch.optim.Adam(", "torch.optim.AdamW(")
    schedule, schedule_text = "None", "constant"
    if arguments.get("lr_schedule") == "step":
        schedule = f"torch.optim.lr_scheduler.StepLR(optimizer, step_size={arguments['lr_step']}, " \
                   f"gamma={arguments['lr_gamma']})"
        schedule_text = f"eta * {arguments['lr_gamma']}^floor(e / {arguments['lr_step']})"
    elif arguments.get("lr_schedule") == "cosine":
        schedule = f"torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={arguments['lr_epochs']})"
        schedule_text = f"eta * (1 + cos(pi * e / {arguments['lr_epochs']})) / 2"
    if net.loss == "cross_entropy":
        loss_text = "cross-entropy of the softmax output, the softmax inside the loss"
        loss_line = "return nn.functional.cross_entropy(model(X), T)  # takes A[L] and soft or one-hot targets"
    else:
        loss_text = "the mean squared error over the outputs"
        loss_line = "return nn.functional.mse_loss(model(X), T)"
    note = ("The optimizer starts with fresh state (velocities, moments): nnloop's state is in its file under "
            "training.optimizer.state, shaped as W and B.") if name != "sgd" else "Plain SGD: nothing else to carry."
    return TORCH_HEADER.format(
        about=about, shape=net.shape_name(), activations=", ".join(net.activations[1:]), loss=net.loss, path=path,
        input_shape=tuple_text(net.shapes[0]), modules=torch_modules(net), loss_text=loss_text, loss_line=loss_line,
        optimizer_text=f"{name}, eta {eta}", weight_decay=settings["weight_decay"], optimizer_call=call,
        schedule_text=schedule_text, schedule_call=schedule, epochs=arguments.get("epochs", 1),
        batch_size=arguments.get("batch_size", 32), optimizer_note=note)
