"""nnloop: backpropagation in plain Python lists and explicit loops, for multilayer perceptrons and convnets.

The public API, in the order the algorithm needs it (the README's Python API shows each in use):

    Network(sizes, activations, loss, seed)      an MLP, weights from Box-Muller (Random)
    Network.from_layers(layers, loss)            any stack of Dense, Conv2D, MaxPool, AvgPool, Flatten
    NodeValues(net), Gradients(net)              A, H, delta, back of one sample; dW, dB sums
    net.forward(x, v), net.backward(v, T, g)     one sample forward, then back
    ACTIVATIONS, LOSSES                          f and f' by name; the losses and their output deltas
    SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, OPTIMIZERS    the update rules
    eta_at(schedule, eta, e, ...)                eta_e of epoch e: "constant", "step", "cosine"
    update_mini_batch(net, batch, eta), train(net, samples, epochs, batch_size, eta, ...)
    Recipe(hidden=[100], eta=0.1, ...)           a training run's settings, checked whole (nnloop train's options)
    check_gradients(net, samples)                backprop against finite differences
    save(net, path), load(path)                  versioned JSON model files

In a notebook, a Network shows as its diagram, and nnloop.tools.notebook.Pass
shows one sample's forward, backward or update values in it.
"""
from .errors import NnloopError
from .files.modelfile import load, save
from .layers import KINDS
from .layers.activations import ACTIVATIONS
from .layers.conv import Conv2D
from .layers.dense import Dense
from .layers.flatten import Flatten
from .layers.pooling import AvgPool, MaxPool
from .learning.optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp
from .learning.recipe import Recipe
from .learning.schedules import SCHEDULES, eta_at
from .learning.training import train, update_mini_batch
from .losses import LOSSES
from .network import Gradients, Network, NodeValues
from .rng import Random
from .tools.gradcheck import check_gradients

__all__ = ["Network", "NodeValues", "Gradients", "Dense", "Conv2D", "MaxPool", "AvgPool", "Flatten", "KINDS",
           "ACTIVATIONS", "LOSSES", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "OPTIMIZERS",
           "SCHEDULES", "eta_at", "Recipe", "Random", "train", "update_mini_batch", "check_gradients", "save", "load",
           "NnloopError"]
__version__ = "0.1.0"
