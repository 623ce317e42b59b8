"""`--dropout P`: training with a dropout layer after each hidden layer of nodes.

Dropout itself is a layer (nnloop.layers.dropout), placed anywhere in an
architecture: conv8x5,maxpool2,dropout0.25,dense100,dropout0.5. --dropout P
(and train(..., dropout=P)) is the older shorthand, kept as it was: the
network is trained as if a Dropout(P) followed each hidden layer whose
values are a list of nodes (the dense layers, and a convnet's flattened
maps), never the input or the output. The network itself is left as it is,
so its model file, and every file written before dropout was a layer, have
no dropout layers: at evaluation dropout passes values through anyway.

with_dropout makes the network that is trained: the very layer objects of
net, with Dropout layers between them, so that a step on its parameters is
a step on net's. Its Gradients have an empty dW[k] and dB[k] for each
dropout layer; gradients_of shows the same lists to an optimizer of net.

>>> from nnloop.network import Network
>>> net = Network([3, 4, 4, 2], ["relu", "relu", "softmax"], "cross_entropy")
>>> trained = with_dropout(net, 0.5)
>>> [layer.kind for layer in trained.layers[1:]], trained.layers[3] is net.layers[2]
(['dense', 'dropout', 'dense', 'dropout', 'dense'], True)
"""
from ..layers.dropout import Dropout
from ..network import Gradients, Network


def with_dropout(net, P):
    """The network --dropout P trains: net's own layers, a Dropout(P) after each hidden layer of nodes; net if P is 0."""
    if not P:
        return net
    layers = []
    for k in range(1, net.L + 1):
        layers.append(net.layers[k])
        if k < net.L and isinstance(net.shapes[k], int):  # feature maps are dropped once flattened, as before
            layers.append(Dropout(net.shapes[k], P))
    return Network.from_layers(layers, net.loss)


def gradients_of(net, trained, g):
    """net's view of g, the Gradients of trained = with_dropout(net, P): the very lists of g at net's layers.

    What trained's backward passes add into g is then what an optimizer of net reads, and clears, in one step.
    """
    if trained is net:
        return g
    kept = [0] + [k for k in range(1, trained.L + 1) if any(trained.layers[k] is layer for layer in net.layers)]
    view = Gradients.__new__(Gradients)
    view.sizes = net.sizes
    view.dW = [g.dW[k] for k in kept]
    view.dB = [g.dB[k] for k in kept]
    return view
