"""nnloop: a multilayer perceptron in plain Python lists and explicit loops.

The public API, in the order the algorithm needs it:

    Network(sizes, activations, loss, seed)   build, weights from Box-Muller
    net.forward(x)                            one sample forward: the output Y
    net.gradients(samples)                    mean dW, dB over (x, t) pairs
    update_mini_batch(net, batch, eta)        one SGD step
    train(net, samples, epochs, batch_size, eta, seed)
    check_gradients(net, samples)             backprop against finite differences
    save(net, path), load(path)               versioned JSON model files
"""
from .errors import NnloopError
from .files.modelfile import load, save
from .learning.training import train, update_mini_batch
from .network import Gradients, Network, NodeValues
from .rng import Random
from .tools.gradcheck import check_gradients

__all__ = ["Network", "NodeValues", "Gradients", "Random", "train", "update_mini_batch",
           "check_gradients", "save", "load", "NnloopError"]
__version__ = "0.1.0"
