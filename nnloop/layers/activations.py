"""Activation functions f and their derivatives f'.

Each activation is an `Activation` with three functions:

  forward(A, H)     fill H[j] = f(A[j]) for every node j of one layer
                    (softmax needs the whole layer, so all of them take one)
  derivative(a, h)  f'(a) for one node, given its pre-activation a and its
                    output h = f(a): sigmoid and tanh are cheapest from h
  backward(A, H, back, delta)
                    fill delta[j] = f'(A[j]) * back[j] for every node j of
                    one layer: backprop through f, a loop per layer as
                    forward is (None for softmax, only ever an output)

Every function returns a number for any finite input, never OverflowError.

>>> H = [0.0, 0.0, 0.0]
>>> relu.forward([-2.0, 0.0, 3.0], H); H
[0.0, 0.0, 3.0]
>>> sigmoid.forward([-1000.0, 0.0, 1000.0], H); H
[0.0, 0.5, 1.0]
"""
import math
from typing import Callable, NamedTuple, Optional

from ..lists import overwrite


class Activation(NamedTuple):
    name: str
    forward: Callable
    derivative: Optional[Callable]  # None for softmax: see losses.mse_delta
    backward: Optional[Callable]


def identity_forward(A, H):
    overwrite(H, A)  # H[j] = A[j] for every j, in place: one copy, not a loop (pooling and flatten maps)


def identity_derivative(a, h):
    return 1.0


def identity_backward(A, H, back, delta):
    overwrite(delta, back)  # delta[j] = 1 * back[j], in place, as identity_forward


def relu_forward(A, H):
    for j in range(len(A)):
        a = A[j]
        H[j] = a if a > 0.0 else 0.0


def relu_derivative(a, h):
    return 1.0 if a > 0.0 else 0.0


def relu_backward(A, H, back, delta):
    for j in range(len(back)):
        delta[j] = back[j] if A[j] > 0.0 else 0.0  # relu'(a) * back: the back itself, or 0 where the node is off


def sigmoid_value(a):
    """1 / (1 + e^-a), computed so that e^x never overflows.

    >>> sigmoid_value(0.0)
    0.5
    >>> sigmoid_value(-1000.0), sigmoid_value(1000.0)
    (0.0, 1.0)
    """
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)  # a < 0: e^-a could overflow, e^a cannot
    return e / (1.0 + e)


def sigmoid_forward(A, H):
    for j in range(len(A)):
        H[j] = sigmoid_value(A[j])


def sigmoid_derivative(a, h):
    return h * (1.0 - h)  # f' = f (1 - f), never above 0.25


def sigmoid_backward(A, H, back, delta):
    for j in range(len(back)):
        h = H[j]
        delta[j] = h * (1.0 - h) * back[j]


def tanh_forward(A, H):
    for j in range(len(A)):
        H[j] = math.tanh(A[j])


def tanh_derivative(a, h):
    return 1.0 - h * h


def tanh_backward(A, H, back, delta):
    for j in range(len(back)):
        h = H[j]
        delta[j] = (1.0 - h * h) * back[j]


def softmax_forward(A, H):
    """Y[j] = exp(A[j]) / sum_i exp(A[i]): outputs >= 0 that sum to 1.

    max(A) is subtracted first, which leaves Y unchanged and keeps every
    exponent <= 0, so exp never overflows.

    >>> Y = [0.0, 0.0]
    >>> softmax_forward([1000.0, 1000.0], Y); Y
    [0.5, 0.5]
    """
    top = max(A)
    total = 0.0
    for j in range(len(A)):
        e = math.exp(A[j] - top)
        H[j] = e
        total += e
    for j in range(len(A)):
        H[j] /= total


identity = Activation("identity", identity_forward, identity_derivative, identity_backward)
relu = Activation("relu", relu_forward, relu_derivative, relu_backward)
sigmoid = Activation("sigmoid", sigmoid_forward, sigmoid_derivative, sigmoid_backward)
tanh = Activation("tanh", tanh_forward, tanh_derivative, tanh_backward)
softmax = Activation("softmax", softmax_forward, None, None)

ACTIVATIONS = {f.name: f for f in (identity, relu, sigmoid, tanh, softmax)}
