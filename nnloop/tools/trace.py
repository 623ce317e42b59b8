"""A trace of backprop: every step of one forward pass, one backward pass and one SGD step, numbers substituted.

trace(net, x, T, eta) runs the engine on one sample (Network.forward, then
Network.backward, then an optimizer's step on a copy of the network) and
writes down what it computed, formula by formula, in the notation of
nnloop/network.py: the formula, the same formula with the numbers put in,
and the value the engine got. The values are read from the engine's NodeValues and
Gradients, never recomputed here, so a trace also shows a broken engine.

>>> from nnloop.network import Network
>>> net = Network.with_parameters(W=[[], [[3, 1, 2], [-2, -3, -1]], [[3, 2]]], B=[[], [0, 0], [0]],
...                               activations=["relu", "identity"], loss="mse")
>>> sections = trace(net, [2.0, 3.0, 1.0], [20.0], eta=0.001)
>>> print("\\n".join(sections[1].lines[1:]))
A[1][0] = B[1][0] + W[1][0][0]*H[0][0] + W[1][0][1]*H[0][1] + W[1][0][2]*H[0][2] = 0 + 3*2 + 1*3 + 2*1 = 11
H[1][0] = relu(A[1][0]) = relu(11) = 11
A[1][1] = B[1][1] + W[1][1][0]*H[0][0] + W[1][1][1]*H[0][1] + W[1][1][2]*H[0][2] = 0 + (-2)*2 + (-3)*3 + (-1)*1 = -14
H[1][1] = relu(A[1][1]) = relu(-14) = 0
>>> sections[3].lines
['loss = (1/N) sum_n (T[n] - Y[n])^2 = ((20 - 33)^2) / 1 = 169']

Wide layers (a 784-pixel input) would make a sum of 784 terms a line:
with top=N, a sum or list of more than N terms shows its N largest, and
says how many others there are and what they add up to.
"""
import math
from typing import Callable, List, NamedTuple

from ..layers.dropout import FIXED_SEED
from ..layers.shapes import node_index, node_name, node_place
from ..learning.optimizers import SGD
from .values import compute, factor, moved, num


class Section(NamedTuple):
    """One part of a trace: a title, and lines of `name = formula = numbers = value`."""
    title: str
    lines: List[str]


def trace(net, x, T, eta, top=None, about=(), optimizer=None):
    """The Sections of a trace of the sample (x, T) through net, then one step of rate eta.

    top: sums and lists of more than top terms show only their top largest
    (None: everything). about: lines saying what is traced. optimizer takes
    the step (default plain SGD). net and optimizer are left unchanged: the
    step is taken on copies.
    """
    v, g, Y, loss, stepped, loss_after, optimizer, before = compute(net, x, T, eta, optimizer)
    sections = [overview(net, x, T, eta, about, top, "SGD" if type(optimizer) is SGD else optimizer.NAME)]
    sections += [NARRATION[net.layers[k].kind].forward(net, v, k, top) for k in range(1, net.L + 1)]
    sections.append(Section("Loss", [loss_line(net, Y, T, loss)]))
    sections += [NARRATION[net.layers[k].kind].backward(net, v, T, g, k, top) for k in range(net.L, 0, -1)]
    learning = [k for k in range(1, net.L + 1) if net.B[k]]  # pooling and flatten layers learn nothing
    if type(optimizer) is SGD and not optimizer.weight_decay:
        sections += [step_layer(net, stepped, g, eta, k, top) for k in learning]
    else:
        sections += [optimizer_layer(net, stepped, g, eta, optimizer, before, k, top) for k in learning]
    sections.append(Section("After the step", [f"loss = {num(loss)} before the step, {num(loss_after)} after it "
                                               f"(the same sample through the updated W and B)"]))
    return sections


def overview(net, x, T, eta, about, top, rule="SGD"):
    activations = ", ".join(f"layer {k} {net.activations[k]}" for k in range(1, net.L + 1))
    return Section("The network and the sample", list(about) + [
        f"network {net.shape_name()}: {activations}; loss {net.loss}",
        f"H[0] = x = {vector(x, top)}" + ("" if isinstance(net.shapes[0], int) else
                                           f", read as {maps(net.shapes[0])} maps H[0][c][y][x], x[(c*rows + y)*cols + x]"),
        f"T = {vector(T, top)}",
        f"eta = {num(eta)}, the learning rate of the {rule} step at the end"])


def forward_layer(net, v, k, top):
    """A[k][j] as a sum of its terms, then H[k][j] = f_k(A[k][j]), for every node j of layer k."""
    name = net.activations[k]
    lines = [f"A[{k}][j] = B[{k}][j] + sum_i W[{k}][j][i]*H[{k - 1}][i];  H[{k}][j] = {name}(A[{k}][j])"]
    W_k, H_prev = net.W[k], v.H[k - 1]
    for j in range(net.sizes[k]):
        terms = [(f"W[{k}][{j}][{i}]*H[{k - 1}][{i}]", W_k[j][i], H_prev[i]) for i in range(len(H_prev))]
        lines += sum_lines(f"A[{k}][{j}]", (f"B[{k}][{j}]", net.B[k][j]), terms,
                           f"sum_i W[{k}][{j}][i]*H[{k - 1}][i]", v.A[k][j], top)
        if name != "softmax":
            lines.append(f"H[{k}][{j}] = {name}(A[{k}][{j}]) = {name}({num(v.A[k][j])}) = {num(v.H[k][j])}")
    if name == "softmax":
        lines += softmax_lines(v.A[k], v.H[k], k)
    if k == net.L:
        lines.append(f"Y = H[{k}] = {vector(v.H[k], top)}")
    return Section(f"Forward, layer {k} ({name})", lines)


def softmax_lines(A, H, k):
    """H[k][j] = exp(A[k][j] - m) / S: m = max A[k] keeps exp from overflowing, S sums the numerators."""
    m = max(A)
    S = sum(math.exp(a - m) for a in A)
    lines = [f"m = max_i A[{k}][i] = {num(m)}",
             f"S = sum_i exp(A[{k}][i] - m) = " + " + ".join(f"exp({num(a)} - {factor(m)})" for a in A)
             + f" = {num(S)}"]
    for j in range(len(A)):
        lines.append(f"H[{k}][{j}] = exp(A[{k}][{j}] - m) / S = exp({num(A[j])} - {factor(m)}) / {num(S)} = {num(H[j])}")
    return lines


def loss_line(net, Y, T, loss):
    """The loss of the sample, with every term of its sum."""
    if net.loss == "cross_entropy":  # terms with T[i] = 0 add nothing to -sum_i T[i] log Y[i]
        terms = " + ".join(f"{factor(T[i])}*log({num(Y[i])})" for i in range(len(Y)) if T[i] != 0.0)
        return f"loss = -sum_i T[i]*log(Y[i]) = -({terms}) = {num(loss)}"
    squares = " + ".join(f"({num(T[n])} - {factor(Y[n])})^2" for n in range(len(Y)))
    return f"loss = (1/N) sum_n (T[n] - Y[n])^2 = ({squares}) / {len(Y)} = {num(loss)}"


def backward_layer(net, v, T, g, k, top):
    """delta[k] (for the output layer), dB[k] and dW[k], then back[k-1] and delta[k-1]: the engine's order."""
    lines = output_delta_lines(net, v, T) if k == net.L else []
    lines.append(f"dB[{k}][j] = delta[{k}][j];  dW[{k}][j][i] = H[{k - 1}][i]*delta[{k}][j]")
    H_prev = v.H[k - 1]
    for j in range(net.sizes[k]):
        d = v.delta[k][j]
        lines.append(f"dB[{k}][{j}] = delta[{k}][{j}] = {num(g.dB[k][j])}")
        edges = f"dW[{k}][{j}][i] = H[{k - 1}][i]*delta[{k}][{j}]"
        if d == 0.0 and is_wide(H_prev, top):
            lines.append(f"{edges} = 0 for all {len(H_prev)} i, since delta[{k}][{j}] = 0")
            continue
        items = [(abs(g.dW[k][j][i]), f"dW[{k}][{j}][{i}] = H[{k - 1}][{i}]*delta[{k}][{j}] = "
                                      f"{factor(H_prev[i])}*{factor(d)} = {num(g.dW[k][j][i])}")
                 for i in range(len(H_prev))]
        lines += list_lines(f"{edges} for i = 0..{len(H_prev) - 1}", items, top)
    if k > 1:
        lines += back_lines(net, v, k, top)
    return Section(f"Backward, layer {k} ({net.activations[k]})", lines)


def output_delta_lines(net, v, T):
    """delta[L][j] = dLoss/dA[L][j], as the loss's delta (nnloop.losses) computes it for this loss and output."""
    L, name = net.L, net.activations[net.L]
    A, Y, delta, N = v.A[L], v.H[L], v.delta[L], len(v.H[L])
    if net.loss == "cross_entropy":
        sum_T = sum(T)
        if sum_T == 1.0:
            lines = [f"delta[{L}][j] = Y[j]*sum(T) - T[j] = Y[j] - T[j]   (softmax + cross-entropy: the f' factor "
                     f"cancels; sum(T) = 1)"]
            for j in range(N):
                lines.append(f"delta[{L}][{j}] = Y[{j}] - T[{j}] = {num(Y[j])} - {factor(T[j])} = {num(delta[j])}")
            return lines
        lines = [f"delta[{L}][j] = Y[j]*sum(T) - T[j]   (softmax + cross-entropy: the f' factor cancels; "
                 f"sum(T) = {num(sum_T)}, not 1)"]
        for j in range(N):
            lines.append(f"delta[{L}][{j}] = Y[{j}]*sum(T) - T[{j}] = {num(Y[j])}*{factor(sum_T)} - {factor(T[j])} "
                         f"= {num(delta[j])}")
        return lines
    if name == "softmax":  # mean squared error through the softmax: every output depends on every A[L][j]
        dY = [-2.0 / N * (T[n] - Y[n]) for n in range(N)]
        s = sum(Y[i] * dY[i] for i in range(N))
        lines = [f"dY[j] = dLoss/dY[j] = (-2/N)*(T[j] - Y[j]);  delta[{L}][j] = Y[j]*(dY[j] - sum_i Y[i]*dY[i])"]
        for j in range(N):
            lines.append(f"dY[{j}] = (-2/{N})*(T[{j}] - Y[{j}]) = (-2/{N})*({num(T[j])} - {factor(Y[j])}) = {num(dY[j])}")
        lines.append("s = sum_i Y[i]*dY[i] = " + " + ".join(f"{factor(Y[i])}*{factor(dY[i])}" for i in range(N))
                     + f" = {num(s)}")
        for j in range(N):
            lines.append(f"delta[{L}][{j}] = Y[{j}]*(dY[{j}] - s) = {num(Y[j])}*({num(dY[j])} - {factor(s)}) "
                         f"= {num(delta[j])}")
        return lines
    lines = [f"delta[{L}][j] = {name}'(A[{L}][j])*(-2/N)*(T[j] - Y[j]),  N = {N}"]
    for j in range(N):
        fprime = net.f[L].derivative(A[j], Y[j])
        lines.append(f"delta[{L}][{j}] = {name}'(A[{L}][{j}])*(-2/{N})*(T[{j}] - Y[{j}]) = "
                     f"{name}'({num(A[j])})*(-2/{N})*({num(T[j])} - {factor(Y[j])}) = "
                     f"{factor(fprime)}*{factor(-2.0 / N)}*{factor(T[j] - Y[j])} = {num(delta[j])}")
    return lines


def back_lines(net, v, k, top):
    """back[k-1][i], the sum of what the nodes of layer k send back to node i, and delta[k-1][i]."""
    name = net.activations[k - 1]
    lines = [f"back[{k - 1}][i] = sum_j W[{k}][j][i]*delta[{k}][j];  "
             f"delta[{k - 1}][i] = {name}'(A[{k - 1}][i])*back[{k - 1}][i]"]
    W_k, delta_k = net.W[k], v.delta[k]

    def lines_of(i):
        terms = [(f"W[{k}][{j}][{i}]*delta[{k}][{j}]", W_k[j][i], delta_k[j]) for j in range(len(delta_k))]
        a, back = v.A[k - 1][i], v.back[k - 1][i]
        fprime = net.f[k - 1].derivative(a, v.H[k - 1][i])
        return sum_lines(f"back[{k - 1}][{i}]", None, terms, f"sum_j W[{k}][j][{i}]*delta[{k}][j]", back, top) + [
            f"delta[{k - 1}][{i}] = {name}'(A[{k - 1}][{i}])*back[{k - 1}][{i}] = "
            f"{name}'({num(a)})*{factor(back)} = {factor(fprime)}*{factor(back)} = {num(v.delta[k - 1][i])}"]
    if NARRATION[net.layers[k - 1].kind].every_node:  # a hidden layer of an MLP: every node, as wide as it is
        return lines + [line for i in range(net.sizes[k - 1]) for line in lines_of(i)]
    return lines + node_lines(v.back[k - 1], lines_of, top, f"back[{k - 1}]")


def step_layer(net, stepped, g, eta, k, top):
    """The new W[k][j][i] (or K[k][c][c'][u][v]) and B[k][j] after one SGD step: old value - eta * gradient."""
    layer = net.layers[k]
    P, j, i, each = weight_names(net, k)
    lines = [f"{P}[{k}][{j}]{i} = {P}[{k}][{j}]{i} - eta*d{P}[{k}][{j}]{i};  B[{k}][{j}] = B[{k}][{j}] - eta*dB[{k}][{j}]"]
    for j in range(len(net.B[k])):
        W_kj, dW_kj, new_kj = net.W[k][j], g.dW[k][j], stepped.W[k][j]
        edges = f"{P}[{k}][{j}]{i} = {P}[{k}][{j}]{i} - eta*d{P}[{k}][{j}]{i}"
        if is_wide(W_kj, top) and not any(dW_kj):
            lines.append(f"{edges}: unchanged for all {len(W_kj)} {each}, since d{P}[{k}][{j}]{i} = 0")
        else:
            items = []
            for n in range(len(W_kj)):
                at, w, dW = layer.weight_name(n), W_kj[n], dW_kj[n]
                items.append((abs(dW), f"{P}[{k}][{j}]{at} = {P}[{k}][{j}]{at} - eta*d{P}[{k}][{j}]{at} = "
                                       f"{num(w)} - {num(eta)}*{factor(dW)} = {moved(w, new_kj[n])}"))
            lines += list_lines(f"{edges} {every(W_kj, each)}, by how far they move", items, top, zero="do not move")
        lines.append(f"B[{k}][{j}] = B[{k}][{j}] - eta*dB[{k}][{j}] = {num(net.B[k][j])} - {num(eta)}*"
                     f"{factor(g.dB[k][j])} = {moved(net.B[k][j], stepped.B[k][j])}")
    return Section(f"SGD step, layer {k}", lines)


# How the trace names the weights of a letter (a layer's WEIGHTS): what numbers their node (a kernel and its bias
# are numbered by their output channel c), the index of one node's weights, and what runs over them.
WEIGHT_INDICES = {"W": ("j", "[i]", "i"), "K": ("c", "[c'][u][v]", "(c', u, v)")}


def weight_names(net, k):
    """('W', 'j', '[i]', 'i') for a dense layer's W[k][j][i]; ('K', 'c', "[c'][u][v]", "(c', u, v)") for a
    kernel's K[k][c][c'][u][v]: the letter, then its WEIGHT_INDICES."""
    P = net.layers[k].WEIGHTS
    return (P,) + WEIGHT_INDICES[P]


def every(weights_of_node, each):
    """'for i = 0..783' or "for every (c', u, v)"."""
    return f"for i = 0..{len(weights_of_node) - 1}" if each == "i" else f"for every {each}"


# Each rule's step as lines of (formula, numbers): P names the parameter, G its gradient;
# the numbers are format()ed from the values before (o: old p, the state's old entries) and after (n).
STEP_LINES = {
    "sgd": [("P = P - eta*G", "{p} - {eta}*{g}")],
    "momentum": [("v = mu*v - eta*G", "{mu}*{v} - {eta}*{g} = {v_new}"), ("P = P + v", "{p} + {v_new}")],
    "nesterov": [("v = mu*v - eta*G", "{mu}*{v} - {eta}*{g} = {v_new}"),
                 ("P = P - mu*v_old + (1 + mu)*v", "{p} - {mu}*{v} + (1 + {mu})*{v_new}")],
    "adagrad": [("h = h + G*G", "{h} + {g}*{g} = {h_new}"),
                ("P = P - eta*G/(sqrt(h) + eps)", "{p} - {eta}*{g}/(sqrt({h_new}) + {eps})")],
    "rmsprop": [("h = rho*h + (1 - rho)*G*G", "{rho}*{h} + (1 - {rho})*{g}*{g} = {h_new}"),
                ("P = P - eta*G/(sqrt(h) + eps)", "{p} - {eta}*{g}/(sqrt({h_new}) + {eps})")],
    "adam": [("m = b1*m + (1 - b1)*G", "{b1}*{m} + (1 - {b1})*{g} = {m_new}"),
             ("s = b2*s + (1 - b2)*G*G", "{b2}*{s} + (1 - {b2})*{g}*{g} = {s_new}"),
             ("m_hat = m/(1 - b1^t)", "{m_new}/(1 - {b1}^{t}) = {m_hat}"),
             ("s_hat = s/(1 - b2^t)", "{s_new}/(1 - {b2}^{t}) = {s_hat}"),
             ("P = P - eta*m_hat/(sqrt(s_hat) + eps)", "{p} - {eta}*{m_hat}/(sqrt({s_hat}) + {eps})")],
}


def optimizer_layer(net, stepped, g, eta, optimizer, before, k, top):
    """Layer k's step by optimizer, each parameter's state and value with the numbers put in.

    before is the optimizer's state before the step, optimizer the one after it.
    """
    rule = STEP_LINES[optimizer.NAME]
    decay = ""
    if optimizer.weight_decay:
        decay = (f"  (weights: G includes lambda*W, lambda = {num(optimizer.weight_decay)})"
                 if optimizer.decay == "coupled" else
                 f"  (weights: first shrunk by eta*lambda*W, lambda = {num(optimizer.weight_decay)})")
    lines = [f"{optimizer.NAME}, step t = {optimizer.t}: " + ";  ".join(f for f, _ in rule) + decay]
    settings = {name: factor(getattr(optimizer, name)) for name in optimizer.HYPERPARAMETERS}

    def parameter_lines(P, G, old, new, grad, part, index):
        values = {"p": num(old), "eta": num(eta), "g": factor(grad), "t": optimizer.t, **settings}
        for name in optimizer.STATE:
            values[name] = factor(lookup(before[name][part], index))
            values[name + "_new"] = factor(lookup(optimizer.state[name][part], index))
        if optimizer.NAME == "adam":
            values["m_hat"] = factor(lookup(optimizer.state["m"][part], index) / (1 - optimizer.b1 ** optimizer.t))
            values["s_hat"] = factor(lookup(optimizer.state["s"][part], index) / (1 - optimizer.b2 ** optimizer.t))
        out = []
        for formula, numbers in rule:
            formula = formula.replace("P", P).replace("G", G)
            text = numbers.format(**values)
            out.append(f"{formula} = {text} = {moved(old, new)}" if formula.startswith(P) else f"{formula} = {text}")
        return "\n    ".join(out)  # one formula a line, the parameter's lines indented under its first

    layer = net.layers[k]
    P, _, i, each = weight_names(net, k)
    for j in range(len(net.B[k])):
        W_kj, dW_kj, new_kj = net.W[k][j], g.dW[k][j], stepped.W[k][j]
        items = []
        for n in range(len(W_kj)):
            at = layer.weight_name(n)
            items.append((abs(dW_kj[n]), parameter_lines(f"{P}[{k}][{j}]{at}", f"d{P}[{k}][{j}]{at}", W_kj[n],
                                                         new_kj[n], dW_kj[n], "W", (k, j, n))))
        lines += list_lines(f"{P}[{k}][{j}]{i} {every(W_kj, each)}, by |d{P}|", items, top, zero=f"have d{P} = 0")
        lines.append(parameter_lines(f"B[{k}][{j}]", f"dB[{k}][{j}]", net.B[k][j], stepped.B[k][j], g.dB[k][j],
                                     "B", (k, j)))
    return Section(f"{optimizer.NAME} step, layer {k}", lines)


def lookup(lists, index):
    """lists[k][j][n] for the index (k, j, n): an entry of the optimizer's state, shaped like W or B."""
    for n in index:
        lists = lists[n]
    return lists


def sum_lines(target, first, terms, pattern, value, top):
    """Lines for target = first + the sum of terms = value.

    first is (name, number), or None; terms are (name, left, right) for the
    products left*right; pattern names the sum in general ("sum_i ...").
    Up to top terms, one line: every term by name, then by numbers. More:
    the top largest terms by name and numbers, then how many smaller and
    zero terms there are and what they add up to.
    """
    names = [first[0]] if first else []
    numbers = [num(first[1])] if first else []
    if not is_wide(terms, top):
        names += [name for name, _, _ in terms]
        numbers += [f"{factor(left)}*{factor(right)}" for _, left, right in terms]
        return [f"{target} = {' + '.join(names)} = {' + '.join(numbers)} = {num(value)}"]
    products = [left * right for _, left, right in terms]
    largest = sorted(range(len(terms)), key=lambda n: -abs(products[n]))[:top]
    shown = set(largest)
    rest = [n for n in range(len(terms)) if n not in shown]
    zeros = sum(1 for n in rest if products[n] == 0.0)
    names += [terms[n][0] for n in largest]
    numbers += [f"{factor(terms[n][1])}*{factor(terms[n][2])}" for n in largest]
    if len(rest) > zeros:
        names.append(f"({len(rest) - zeros} smaller terms)")
        numbers.append(factor(sum(products[n] for n in rest)))
    if zeros:
        names.append(f"({zeros} zero terms)")
        numbers.append("0")
    indent = " " * len(target)
    return [f"{target} = {first[0] + ' + ' if first else ''}{pattern}   ({len(terms)} terms; the {top} largest shown)",
            f"{indent} = {' + '.join(names)}",
            f"{indent} = {' + '.join(numbers)}",
            f"{indent} = {num(value)}"]


def list_lines(header, items, top, zero="are 0"):
    """The lines of items, (size, line) pairs: all of them, or, past top, the top largest and a count of the rest.

    zero says what a size of 0 means for the items left out.
    """
    if not is_wide(items, top):
        return [line for _, line in items]
    largest = sorted(range(len(items)), key=lambda n: -items[n][0])[:top]
    rest = len(items) - top
    zeros = sum(1 for n in set(range(len(items))) - set(largest) if items[n][0] == 0.0)
    return ([f"{header}: {len(items)} of them, the {top} largest shown"]
            + [items[n][1] for n in largest]
            + [f"... and {rest} more: {zeros} {zero}, {rest - zeros} smaller than these"])


def is_wide(terms, top):
    """True if terms are too many to show all of them."""
    return top is not None and len(terms) > top


def vector(values, top):
    """[2, 3, 1]; for a wide layer, how many values and how many are 0."""
    if is_wide(values, top):
        zeros = sum(1 for value in values if value == 0.0)
        return f"{len(values)} values, {zeros} of them 0, the largest {num(max(values))}"
    return "[" + ", ".join(num(value) for value in values) + "]"


# Feature maps: convolution, pooling and flatten layers (nnloop.layers.conv, nnloop.layers.pooling, nnloop.layers.flatten).
# A layer of maps shaped (C, rows, cols) holds its values in one list, node (c, y, x) at
# i = node_index(shape, c, y, x) = (c*rows + y)*cols + x, and a kernel K[k][c] its weights in one list, weight
# (c', u, v) at j = layer.weight_index(c', u, v); the trace names them A[k][c][y][x] and K[k][c][c'][u][v], as the
# notation does. A layer of maps has many nodes, so past top only the top largest are traced.

def maps(shape):
    """'3x5x5' for the shape (3, 5, 5)."""
    return "x".join(map(str, shape))


def node_lines(values, lines_of, top, what):
    """The lines_of(i) of every node i of values, or past top, of the top nodes of largest |values[i]| and a count
    of the rest."""
    nodes = range(len(values))
    if not is_wide(nodes, top):
        return [line for i in nodes for line in lines_of(i)]
    largest = sorted(nodes, key=lambda i: -abs(values[i]))[:top]
    zeros = sum(1 for value in values if value == 0.0)
    zeros_said = f"; {zeros} of the {len(nodes)} are 0" if zeros else ""
    return ([f"{len(nodes)} nodes; the {top} of largest |{what}| shown{zeros_said}"]
            + [line for i in sorted(largest) for line in lines_of(i)]
            + [f"... and {len(nodes) - top} more nodes"])


def window_terms(layer, H_prev, c, y, x):
    """((c', u, v), (c', y', x'), K, H) for every term K[k][c][c'][u][v]*H[k-1][c'][y'][x'] of A[k][c][y][x] whose
    input is not in the padding."""
    s, p = layer.stride, layer.padding
    terms = []
    for c2 in range(layer.in_shape[0]):
        for u in range(layer.size):
            for v in range(layer.size):
                y2, x2 = s * y + u - p, s * x + v - p
                if 0 <= y2 < layer.in_shape[1] and 0 <= x2 < layer.in_shape[2]:
                    terms.append(((c2, u, v), (c2, y2, x2), layer.K[c][layer.weight_index(c2, u, v)],
                                  H_prev[node_index(layer.in_shape, c2, y2, x2)]))
    return terms


def conv_forward(net, v, k, top):
    """A[k][c][y][x] as the sum over its window, then H[k][c][y][x] = f_k(A[k][c][y][x])."""
    layer, name, H_prev = net.layers[k], net.activations[k], v.H[k - 1]
    s, p = layer.stride, layer.padding
    lines = [f"A[{k}][c][y][x] = B[{k}][c] + sum_{{c',u,v}} K[{k}][c][c'][u][v]*H[{k - 1}][c'][{s}*y+u-{p}][{s}*x+v-{p}]"
             f";  H[{k}][c][y][x] = {name}(A[{k}][c][y][x])",
             f"{layer!r}; terms whose input is in the padding are 0 and left out"]

    def lines_of(i):
        c, y, x = node_place(layer.shape, i)
        terms = [(f"K[{k}][{c}][{c2}][{u}][{w}]*H[{k - 1}][{c2}][{y2}][{x2}]", K, H)
                 for (c2, u, w), (_, y2, x2), K, H in window_terms(layer, H_prev, c, y, x)]
        return sum_lines(f"A[{k}][{c}][{y}][{x}]", (f"B[{k}][{c}]", layer.B[c]), terms,
                         f"sum_{{c',u,v}} K[{k}][{c}][c'][u][v]*H[{k - 1}][c'][..][..]", v.A[k][i], top) + [
            f"H[{k}][{c}][{y}][{x}] = {name}(A[{k}][{c}][{y}][{x}]) = {name}({num(v.A[k][i])}) = {num(v.H[k][i])}"]
    lines += node_lines(v.A[k], lines_of, top, f"A[{k}]")
    return Section(f"Forward, layer {k} (convolution, {name})", lines)


def pool_window(layer, c, y, x):
    """The input positions (c, y', x') of the window of output node (c, y, x)."""
    s = layer.stride
    return [(c, s * y + u, s * x + w) for u in range(layer.size) for w in range(layer.size)]


def maxpool_forward(net, v, k, top):
    return pool_forward(net, v, k, top, "max", "max pooling")


def avgpool_forward(net, v, k, top):
    return pool_forward(net, v, k, top, "mean", "average pooling")


def pool_forward(net, v, k, top, rule, title):
    """H[k][c][y][x], the rule (max or mean) of its window of H[k-1]."""
    layer, H_prev = net.layers[k], v.H[k - 1]
    lines = [f"H[{k}][c][y][x] = {rule}_{{u,v}} H[{k - 1}][c][{layer.stride}*y+u][{layer.stride}*x+v]"
             f"  ({layer!r}; A[{k}] = H[{k}])"]

    def lines_of(i):
        c, y, x = node_place(layer.shape, i)
        window = pool_window(layer, c, y, x)
        names = ", ".join(f"H[{k - 1}][{c}][{y2}][{x2}]" for _, y2, x2 in window)
        values = ", ".join(num(H_prev[node_index(layer.in_shape, *node)]) for node in window)
        return [f"H[{k}][{c}][{y}][{x}] = {rule}({names}) = {rule}({values}) = {num(v.H[k][i])}"]
    lines += node_lines(v.H[k], lines_of, top, f"H[{k}]")
    return Section(f"Forward, layer {k} ({title})", lines)


def flatten_forward(net, v, k, top):
    """H[k][i] = H[k-1][c][y][x] with i = (c*rows + y)*cols + x: node i of the maps' list copied to node i, only
    its name changes."""
    C, rows, cols = net.shapes[k - 1]
    lines = [f"H[{k}][i] = H[{k - 1}][c][y][x],  i = (c*{rows} + y)*{cols} + x: the {maps(net.shapes[k - 1])} maps "
             f"as one list of {net.sizes[k]} nodes (A[{k}] = H[{k}])"]
    items = [(abs(v.H[k][i]), f"H[{k}][{i}] = H[{k - 1}]{node_name(net.shapes[k - 1], i)} = {num(v.H[k - 1][i])}")
             for i in range(net.sizes[k])]
    lines += list_lines(f"H[{k}][i] for i = 0..{net.sizes[k] - 1}", items, top)
    return Section(f"Forward, layer {k} (flatten)", lines)


def delta_lines(net, v, k, top):
    """delta[k][c][y][x] = f_k'(A[k][c][y][x])*back[k][c][y][x] for the maps of layer k."""
    name = net.activations[k]
    lines = [f"delta[{k}][c][y][x] = {name}'(A[{k}][c][y][x])*back[{k}][c][y][x]"]

    def lines_of(i):
        at = node_name(net.shapes[k], i)
        a, back = v.A[k][i], v.back[k][i]
        fprime = net.f[k].derivative(a, v.H[k][i])
        return [f"delta[{k}]{at} = {name}'(A[{k}]{at})*back[{k}]{at} = "
                f"{name}'({num(a)})*{factor(back)} = {factor(fprime)}*{factor(back)} = {num(v.delta[k][i])}"]
    return lines + node_lines(v.back[k], lines_of, top, f"back[{k}]")


def conv_backward(net, v, T, g, k, top):
    """dB[k][c] and dK[k][c][c'][u][v], sums over the positions; then back[k-1] and delta[k-1]."""
    layer, H_prev, delta = net.layers[k], v.H[k - 1], v.delta[k]
    s, p = layer.stride, layer.padding
    C_in, rows, cols = layer.in_shape
    lines = output_delta_lines(net, v, T) if k == net.L else []
    lines.append(f"dB[{k}][c] = sum_{{y,x}} delta[{k}][c][y][x];  dK[{k}][c][c'][u][v] = sum_{{y,x}} "
                 f"H[{k - 1}][c'][{s}*y+u-{p}][{s}*x+v-{p}]*delta[{k}][c][y][x]")
    grid = [(y, x) for y in range(layer.shape[1]) for x in range(layer.shape[2])]  # the positions of an output map
    for c in range(layer.channels):
        lines += sum_lines(f"dB[{k}][{c}]", None, [(f"delta[{k}][{c}][{y}][{x}]", 1.0,
                                                    delta[node_index(layer.shape, c, y, x)]) for y, x in grid],
                           f"sum_{{y,x}} delta[{k}][{c}][y][x]", g.dB[k][c], top)
        items = []
        for c2 in range(C_in):
            for u in range(layer.size):
                for w in range(layer.size):
                    terms = [(f"H[{k - 1}][{c2}][{s * y + u - p}][{s * x + w - p}]*delta[{k}][{c}][{y}][{x}]",
                              H_prev[node_index(layer.in_shape, c2, s * y + u - p, s * x + w - p)],
                              delta[node_index(layer.shape, c, y, x)]) for y, x in grid
                             if 0 <= s * y + u - p < rows and 0 <= s * x + w - p < cols]
                    dK = g.dW[k][c][layer.weight_index(c2, u, w)]
                    items.append((abs(dK), "\n".join(sum_lines(f"dK[{k}][{c}][{c2}][{u}][{w}]", None, terms,
                                                               f"sum_{{y,x}} H[{k - 1}][{c2}][..][..]*delta[{k}][{c}][y][x]",
                                                               dK, top))))
        for item in list_lines(f"dK[{k}][{c}][c'][u][v] for every (c', u, v)", items, top):
            lines += item.split("\n")
    if k > 1:
        lines.append(f"back[{k - 1}][c'][y'][x'] = sum of K[{k}][c][c'][u][v]*delta[{k}][c][y][x] over every "
                     f"(c, y, x, u, v) with {s}*y+u-{p} = y' and {s}*x+v-{p} = x'")

        def lines_of(i):
            c2, y2, x2 = node_place(layer.in_shape, i)
            terms = [(f"K[{k}][{c}][{c2}][{u}][{w}]*delta[{k}][{c}][{y}][{x}]",
                      layer.K[c][layer.weight_index(c2, u, w)], delta[node_index(layer.shape, c, y, x)])
                     for c in range(layer.channels) for y, x in grid
                     for u in range(layer.size) for w in range(layer.size)
                     if s * y + u - p == y2 and s * x + w - p == x2]
            return sum_lines(f"back[{k - 1}][{c2}][{y2}][{x2}]", None, terms, "sum K*delta", v.back[k - 1][i], top)
        lines += node_lines(v.back[k - 1], lines_of, top, f"back[{k - 1}]")
        lines += delta_lines(net, v, k - 1, top)
    return Section(f"Backward, layer {k} (convolution, {net.activations[k]})", lines)


def maxpool_backward(net, v, T, g, k, top):
    """back[k-1]: max pooling sends each delta to its window's maximum; then delta[k-1]."""
    layer, delta = net.layers[k], v.delta[k]
    maxima = {}  # {input node j: the output nodes i whose window's maximum it was}, from the memory[i] = j of forward
    for i, j in enumerate(v.memory[k]):
        maxima.setdefault(j, []).append(i)

    def lines_of(j):
        at, back, wins = node_name(layer.in_shape, j), v.back[k - 1][j], maxima.get(j, [])
        if not wins:
            return [f"back[{k - 1}]{at} = 0  (the maximum of no window)"]
        names = " + ".join(f"delta[{k}]{node_name(layer.shape, i)}" for i in wins)
        if len(wins) == 1:
            return [f"back[{k - 1}]{at} = {names} = {num(back)}"]
        return [f"back[{k - 1}]{at} = {names} = " + " + ".join(num(delta[i]) for i in wins) + f" = {num(back)}"]
    header = (f"back[{k - 1}][c][y'][x'] = sum of delta[{k}][c][y][x] over the windows whose maximum "
              f"H[{k - 1}][c][y'][x'] was (the first, on a tie); 0 elsewhere: no parameters to learn")
    return pool_backward(net, v, k, top, header, lines_of, "max pooling")


def avgpool_backward(net, v, T, g, k, top):
    """back[k-1]: average pooling shares each delta among its window; then delta[k-1]."""
    layer = net.layers[k]
    n = layer.size * layer.size
    windows = {}  # {input node j: the output nodes i whose window holds it}
    for i in range(net.sizes[k]):
        for node in pool_window(layer, *node_place(layer.shape, i)):
            windows.setdefault(node_index(layer.in_shape, *node), []).append(i)

    def lines_of(j):
        shares = " + ".join(f"delta[{k}]{node_name(layer.shape, i)}/{n}" for i in windows.get(j, []))
        return [f"back[{k - 1}]{node_name(layer.in_shape, j)} = {shares or '0'} = {num(v.back[k - 1][j])}"]
    header = (f"back[{k - 1}][c][y'][x'] = sum of delta[{k}][c][y][x]/{n} over the windows "
              f"that hold (y', x'): no parameters to learn")
    return pool_backward(net, v, k, top, header, lines_of, "average pooling")


# What a layer with no parameters says when it is layer 1: the input below it is sent nothing.
INPUT_LEARNS_NOTHING = "layer 0 is the input: nothing below it to learn, nothing sent back"


def pool_backward(net, v, k, top, header, lines_of, title):
    """The backward section of a pooling layer: header, lines_of(j) for the nodes j of back[k-1], delta[k-1]."""
    if k == 1:
        return Section(f"Backward, layer 1 ({title})", [INPUT_LEARNS_NOTHING])
    lines = [header] + node_lines(v.back[k - 1], lines_of, top, f"back[{k - 1}]") + delta_lines(net, v, k - 1, top)
    return Section(f"Backward, layer {k} ({title})", lines)


def flatten_backward(net, v, T, g, k, top):
    """back[k-1][c][y][x] = delta[k][i], i = (c*rows + y)*cols + x: node i copied back, named as a map's node
    again; then delta[k-1]."""
    if k == 1:
        return Section("Backward, layer 1 (flatten)", [INPUT_LEARNS_NOTHING])
    C, rows, cols = net.shapes[k - 1]
    lines = [f"back[{k - 1}][c][y][x] = delta[{k}][i],  i = (c*{rows} + y)*{cols} + x: the list back into maps"]
    items = [(abs(v.back[k - 1][i]), f"back[{k - 1}]{node_name(net.shapes[k - 1], i)} = delta[{k}][{i}] = "
                                     f"{num(v.back[k - 1][i])}") for i in range(len(v.back[k - 1]))]
    lines += list_lines(f"back[{k - 1}][c][y][x] for all {net.sizes[k]}", items, top)
    lines += delta_lines(net, v, k - 1, top)
    return Section(f"Backward, layer {k} (flatten)", lines)


# Dropout (nnloop.layers.dropout), after a list of nodes or feature maps: node j is named '[j]' or '[c][y][x]'.

def dropout_forward(net, v, k, top):
    """A[k][j] = H[k-1][j]*mask[k][j], the mask 0 (dropped) or 1/(1-P) (kept); H[k][j] = A[k][j]."""
    layer, mask = net.layers[k], v.memory[k].mask
    scale = 1.0 / (1.0 - layer.P)
    title = f"Forward, layer {k} (dropout, P = {num(layer.P)})"
    if v.memory[k].rng is None:
        return Section(title, [f"H[{k}] = A[{k}] = H[{k - 1}]: no mask, as at evaluation (values pass through)"])
    nodes = range(net.sizes[k])
    kept = sum(1 for j in nodes if mask[j] != 0.0)
    lines = [f"A[{k}][j] = H[{k - 1}][j]*mask[{k}][j];  H[{k}][j] = A[{k}][j];  mask[{k}][j] = 0 with probability "
             f"P = {num(layer.P)} (dropped), else 1/(1-P) = 1/(1-{num(layer.P)}) = {num(scale)} (kept), drawn for "
             f"this sample (seed {FIXED_SEED}, as gradcheck fixes it)",
             f"{kept} of the {len(nodes)} nodes kept, {len(nodes) - kept} dropped"]
    items = []
    for j in nodes:
        at = node_name(net.shapes[k], j)
        items.append((abs(v.H[k][j]), f"H[{k}]{at} = A[{k}]{at} = H[{k - 1}]{at}*mask[{k}]{at} = "
                                      f"{factor(v.H[k - 1][j])}*{factor(mask[j])} = {num(v.H[k][j])}"
                                      + ("  (dropped)" if mask[j] == 0.0 else "")))
    lines += list_lines(f"H[{k}][j] for all {len(nodes)} nodes", items, top)
    return Section(title, lines)


def dropout_backward(net, v, T, g, k, top):
    """back[k-1][j] = mask[k][j]*delta[k][j]: a dropped node sends nothing back; then delta[k-1]."""
    layer, mask = net.layers[k], v.memory[k].mask
    title = f"Backward, layer {k} (dropout, P = {num(layer.P)})"
    if k == 1:
        return Section(title, [INPUT_LEARNS_NOTHING])
    masked = v.memory[k].rng is not None
    lines = [f"back[{k - 1}][j] = mask[{k}][j]*delta[{k}][j]: the mask of the forward pass; no parameters to learn"
             if masked else f"back[{k - 1}] = delta[{k}]: no mask, as at evaluation"]
    items = []
    for j in range(net.sizes[k - 1]):
        at, back, d = node_name(net.shapes[k - 1], j), v.back[k - 1][j], v.delta[k][j]
        formula = f"mask[{k}]{at}*delta[{k}]{at} = {factor(mask[j])}*{factor(d)}" if masked else f"delta[{k}]{at}"
        items.append((abs(back), f"back[{k - 1}]{at} = {formula} = {num(back)}"))
    lines += list_lines(f"back[{k - 1}][j] for all {len(items)} nodes", items, top)
    if isinstance(net.shapes[k - 1], tuple):
        return Section(title, lines + delta_lines(net, v, k - 1, top))
    name = net.activations[k - 1]
    lines.append(f"delta[{k - 1}][i] = {name}'(A[{k - 1}][i])*back[{k - 1}][i]")
    items = []
    for i in range(net.sizes[k - 1]):
        a, back = v.A[k - 1][i], v.back[k - 1][i]
        fprime = net.f[k - 1].derivative(a, v.H[k - 1][i])
        items.append((abs(v.delta[k - 1][i]), f"delta[{k - 1}][{i}] = {name}'(A[{k - 1}][{i}])*back[{k - 1}][{i}] = "
                      f"{name}'({num(a)})*{factor(back)} = {factor(fprime)}*{factor(back)} = {num(v.delta[k - 1][i])}"))
    return Section(title, lines + list_lines(f"delta[{k - 1}][i] for all {len(items)} nodes", items, top))


class Narration(NamedTuple):
    """How the trace writes one kind of layer: its forward section, forward(net, v, k, top), its backward
    section, backward(net, v, T, g, k, top), and whether the layer above, sending back to it, writes every
    one of its nodes (every_node: an MLP's hidden layer, as wide as it is) or past top only the largest."""
    forward: Callable
    backward: Callable
    every_node: bool = False


# The trace's writing per kind of layer (nnloop.layers.KINDS): a new kind is one row here.
NARRATION = {
    "dense": Narration(forward_layer, backward_layer, every_node=True),
    "conv": Narration(conv_forward, conv_backward),
    "maxpool": Narration(maxpool_forward, maxpool_backward),
    "avgpool": Narration(avgpool_forward, avgpool_backward),
    "flatten": Narration(flatten_forward, flatten_backward),
    "dropout": Narration(dropout_forward, dropout_backward),
}


def render(sections, markdown=False, title="Backprop, step by step"):
    """The trace as text: titled blocks of lines, or, with markdown, headed sections of code blocks."""
    if markdown:
        lines = [f"# {title}"]
        for section in sections:
            lines += ["", f"## {section.title}", "", "```", *section.lines, "```"]
        return "\n".join(lines)
    blocks = [section.title + "\n" + "\n".join("  " + line for line in section.lines) for section in sections]
    return "\n\n".join(blocks)
