"""A trace of backprop: every step of one forward pass, one backward pass and one SGD step, numbers substituted.

trace(net, x, t, eta) runs the engine on one sample (Network.forward, then
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
import copy
import math
from typing import List, NamedTuple

from .network import Gradients, Network, NodeValues
from .optimizers import SGD


class Section(NamedTuple):
    """One part of a trace: a title, and lines of `name = formula = numbers = value`."""
    title: str
    lines: List[str]


def trace(net, x, t, eta, top=None, about=(), optimizer=None):
    """The Sections of a trace of the sample (x, t) through net, then one step of rate eta.

    top: sums and lists of more than top terms show only their top largest
    (None: everything). about: lines saying what is traced. optimizer takes
    the step (default plain SGD). net and optimizer are left unchanged: the
    step is taken on copies.
    """
    v, g, Y, loss, stepped, loss_after, optimizer, before = compute(net, x, t, eta, optimizer)
    sections = [overview(net, x, t, eta, about, top, "SGD" if type(optimizer) is SGD else optimizer.NAME)]
    sections += [forward_layer(net, v, k, top) for k in range(1, net.L + 1)]
    sections.append(Section("Loss", [loss_line(net, Y, t, loss)]))
    sections += [backward_layer(net, v, t, g, k, top) for k in range(net.L, 0, -1)]
    if type(optimizer) is SGD and not optimizer.weight_decay:
        sections += [step_layer(net, stepped, g, eta, k, top) for k in range(1, net.L + 1)]
    else:
        sections += [optimizer_layer(net, stepped, g, eta, optimizer, before, k, top) for k in range(1, net.L + 1)]
    sections.append(Section("After the step", [f"loss = {num(loss)} before the step, {num(loss_after)} after it "
                                               f"(the same sample through the updated W and B)"]))
    return sections


class Computed(NamedTuple):
    """What the engine computed for one sample (x, t) and one step of rate eta.

    v           the NodeValues forward and backward filled: A, H, delta, back
    g           the Gradients backward filled: dW, dB
    Y, loss     the output v.H[L] and the sample's loss
    stepped     a copy of the network after the step (W - eta*dW, B - eta*dB for plain SGD)
    loss_after  the loss of the same sample through stepped
    optimizer   a copy of the optimizer that took the step, its state after it
    before      the optimizer's state before the step
    """
    v: NodeValues
    g: Gradients
    Y: List[float]
    loss: float
    stepped: Network
    loss_after: float
    optimizer: object
    before: object


def compute(net, x, t, eta, optimizer=None):
    """Run the engine on (x, t) and take the step on copies: the one place trace and draw get their numbers.

    optimizer (default plain SGD) takes the step; net and optimizer are left unchanged.
    """
    v = NodeValues(net)
    g = Gradients(net)
    Y = net.forward(x, v)
    loss = net.sample_loss(Y, t)
    net.backward(v, t, g)
    stepped = Network.with_parameters(net.W, net.B, net.activations[1:], net.loss)  # copies W and B
    optimizer = copy.deepcopy(optimizer) if optimizer is not None else SGD(net)
    before = copy.deepcopy(optimizer.state)
    optimizer.step(stepped, g, eta, 1)  # a minibatch of one sample: its mean gradient is its own
    loss_after = stepped.sample_loss(stepped.forward(x), t)
    return Computed(v, g, Y, loss, stepped, loss_after, optimizer, before)


def overview(net, x, t, eta, about, top, rule="SGD"):
    activations = ", ".join(f"layer {k} {net.activations[k]}" for k in range(1, net.L + 1))
    return Section("The network and the sample", list(about) + [
        f"network {'-'.join(map(str, net.sizes))}: {activations}; loss {net.loss}",
        f"H[0] = x = {vector(x, top)}",
        f"T = t = {vector(t, top)}",
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
    """delta[L][j] = dLoss/dA[L][j], as nnloop.losses.output_delta computes it for this loss and output."""
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
    for i in range(net.sizes[k - 1]):
        terms = [(f"W[{k}][{j}][{i}]*delta[{k}][{j}]", W_k[j][i], delta_k[j]) for j in range(len(delta_k))]
        lines += sum_lines(f"back[{k - 1}][{i}]", None, terms, f"sum_j W[{k}][j][{i}]*delta[{k}][j]",
                           v.back[k - 1][i], top)
        a, back = v.A[k - 1][i], v.back[k - 1][i]
        fprime = net.f[k - 1].derivative(a, v.H[k - 1][i])
        lines.append(f"delta[{k - 1}][{i}] = {name}'(A[{k - 1}][{i}])*back[{k - 1}][{i}] = "
                     f"{name}'({num(a)})*{factor(back)} = {factor(fprime)}*{factor(back)} = {num(v.delta[k - 1][i])}")
    return lines


def step_layer(net, stepped, g, eta, k, top):
    """The new W[k][j][i] and B[k][j] after one SGD step: old value - eta * gradient."""
    lines = [f"W[{k}][j][i] = W[{k}][j][i] - eta*dW[{k}][j][i];  B[{k}][j] = B[{k}][j] - eta*dB[{k}][j]"]
    for j in range(net.sizes[k]):
        W_kj, dW_kj, new_kj = net.W[k][j], g.dW[k][j], stepped.W[k][j]
        edges = f"W[{k}][{j}][i] = W[{k}][{j}][i] - eta*dW[{k}][{j}][i]"
        if is_wide(W_kj, top) and not any(dW_kj):
            lines.append(f"{edges}: unchanged for all {len(W_kj)} i, since dW[{k}][{j}][i] = 0")
        else:
            items = [(abs(dW_kj[i]), f"W[{k}][{j}][{i}] = W[{k}][{j}][{i}] - eta*dW[{k}][{j}][{i}] = "
                                                f"{num(W_kj[i])} - {num(eta)}*{factor(dW_kj[i])} = {moved(W_kj[i], new_kj[i])}")
                     for i in range(len(W_kj))]
            lines += list_lines(f"{edges} for i = 0..{len(W_kj) - 1}, by how far they move", items, top,
                                zero="do not move")
        lines.append(f"B[{k}][{j}] = B[{k}][{j}] - eta*dB[{k}][{j}] = {num(net.B[k][j])} - {num(eta)}*"
                     f"{factor(g.dB[k][j])} = {moved(net.B[k][j], stepped.B[k][j])}")
    return Section(f"SGD step, layer {k}", lines)


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

    for j in range(net.sizes[k]):
        W_kj, dW_kj = net.W[k][j], g.dW[k][j]
        items = [(abs(dW_kj[i]), parameter_lines(f"W[{k}][{j}][{i}]", f"dW[{k}][{j}][{i}]", W_kj[i],
                                                 stepped.W[k][j][i], dW_kj[i], "W", (k, j, i)))
                 for i in range(len(W_kj))]
        lines += list_lines(f"W[{k}][{j}][i] for i = 0..{len(W_kj) - 1}, by |dW|", items, top, zero="have dW = 0")
        lines.append(parameter_lines(f"B[{k}][{j}]", f"dB[{k}][{j}]", net.B[k][j], stepped.B[k][j], g.dB[k][j],
                                     "B", (k, j)))
    return Section(f"{optimizer.NAME} step, layer {k}", lines)


def lookup(lists, index):
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


def num(x):
    """A number as the trace writes it: 11 for 11.0, six significant digits for the others.

    >>> num(11.0), num(-14.0), num(0.1 + 0.2), num(-0.0), num(2.5e-07), num(2.7139999999999995)
    ('11', '-14', '0.3', '0', '2.5e-07', '2.714')
    """
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def moved(old, new):
    """num(new), with as many more digits as it takes to tell it from num(old) when it differs.

    A small step must not look like no step:

    >>> num(2.0 - 4.3e-06), moved(2.0, 2.0 - 4.3e-06), moved(3.0, 2.714)
    ('2', '1.999996', '2.714')
    """
    text = num(new)
    digits = 6
    while new != old and text == num(old) and digits < 17:
        digits += 1
        text = f"{new:.{digits}g}"
    return text


def factor(x):
    """num(x), in parentheses if negative, to stand in a product or after a sign: (-2)*3, 5 - (-1).

    >>> factor(-2.0), factor(3.0)
    ('(-2)', '3')
    """
    text = num(x)
    return f"({text})" if text.startswith("-") else text


def render(sections, markdown=False, title="Backprop, step by step"):
    """The trace as text: titled blocks of lines, or, with markdown, headed sections of code blocks."""
    if markdown:
        lines = [f"# {title}"]
        for section in sections:
            lines += ["", f"## {section.title}", "", "```", *section.lines, "```"]
        return "\n".join(lines)
    blocks = [section.title + "\n" + "\n".join("  " + line for line in section.lines) for section in sections]
    return "\n\n".join(blocks)
