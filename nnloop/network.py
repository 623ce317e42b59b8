"""The network: plain lists of weights and biases, a forward and a backward pass.

The notation, used everywhere in nnloop. Layers k = 0..L: layer 0 is the
input (one node per pixel of an image), layer L the output (one node per
class), the ones between are hidden. Every node of layer k-1 feeds every
node of layer k. W[k][j][i] is the weight of the edge from node i of layer
k-1 to node j of layer k, B[k][j] the bias of node j of layer k. For one
sample, node by node:

  forward    A[k][j] = B[k][j] + sum_i W[k][j][i] * H[k-1][i]    the pre-activation
             H[k][j] = f_k(A[k][j])                  the output; H[0] = x, the input
  backward   delta[L][j]   = dLoss/dA[L][j]          where the loss enters
             dB[k][j]     += delta[k][j]             the bias gradient is the delta
             dW[k][j][i]  += H[k-1][i] * delta[k][j] an edge's input times its delta
             back[k-1][i]  = sum_j W[k][j][i] * delta[k][j]   sent back to layer k-1
             delta[k-1][i] = f'_{k-1}(A[k-1][i]) * back[k-1][i]

Y = H[L] is the output and T the target. The network is a stack of layer
units, each with its own loops (nnloop.layers.dense for these lines; nnloop.layers.conv,
nnloop.layers.pooling and nnloop.layers.flatten for feature maps; nnloop.layers.dropout): Network.forward runs
each layer's forward, the first two lines; Network.backward starts at the
loss's delta[L], runs each layer's backward, which adds its dB and dW and
sends back, and takes back through the f' of the layer below, the last line.
backward is the chain rule taken one node at a time: dW and dB add up,
sample after sample, so that a minibatch's update can use their mean.

The worked example: input x = [2, 3, 1], hidden weights W[1] = [[3, 1, 2],
[-2, -3, -1]], output weights W[2] = [[3, 2]], all biases 0, a relu hidden
layer, an identity output and target 20. Forward: A[1] = [11, -14],
H[1] = [11, 0], Y = 33, and the mean squared error is (20 - 33)^2 = 169.
Backward: delta[2] = 2 (33 - 20) = 26, back[1] = [3*26, 2*26] = [78, 52],
delta[1] = [78, 0] (relu is off at -14), dW[1][0] = 78 x = [156, 234, 78]:

>>> net = Network.with_parameters(
...     W=[[], [[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]], [[3.0, 2.0]]],
...     B=[[], [0.0, 0.0], [0.0]],
...     activations=["relu", "identity"], loss="mse")
>>> v = NodeValues(net.sizes)
>>> net.forward([2.0, 3.0, 1.0], v)
[33.0]
>>> v.A[1], v.H[1]
([11.0, -14.0], [11.0, 0.0])
>>> net.sample_loss(v.H[2], [20.0])
169.0
>>> g = Gradients(net.sizes)
>>> net.backward(v, [20.0], g)
>>> v.delta[2], v.back[1], v.delta[1]
([26.0], [78.0, 52.0], [78.0, 0.0])
>>> g.dW[1]
[[156.0, 234.0, 78.0], [0.0, 0.0, 0.0]]

In pdb, `p net`, `p v` and `p g` show the sizes and each layer's first values:

>>> net
Network 3-2-1 (relu, identity; mse)
  layer 1 (relu): W[1][0] = [3, 1, 2]  B[1] = [0, 0]
  layer 2 (identity): W[2][0] = [3, 2]  B[2] = [0]
>>> v
NodeValues 3-2-1
  H[0] = [2, 3, 1]
  layer 1: A[1] = [11, -14]  H[1] = [11, 0]  delta[1] = [78, 0]
  layer 2: A[2] = [33]  H[2] = [33]  delta[2] = [26]
>>> g
Gradients 3-2-1
  layer 1: dW[1][0] = [156, 234, 78]  dB[1] = [78, 0]
  layer 2: dW[2][0] = [286, 0]  dB[2] = [26]
"""
import math

from .errors import NnloopError, check_numbers, short
from .layers.activations import ACTIVATIONS
from .layers.dense import Dense
from .layers.shapes import flattened, shape_name
from .lists import clear, count, first, rows, zeros, zeros_like
from .losses import LOSSES
from .rng import Random


class Network:
    """A network held in plain lists: a stack of layer units under one loss.

    layers[k]       the unit of layer k = 1..L, which owns its parameters and
                    its forward and backward loops: a Dense layer
                    (nnloop.layers.dense), or Conv2D, MaxPool, AvgPool, Flatten, Dropout
                    (nnloop.layers.conv, nnloop.layers.pooling, nnloop.layers.flatten,
                    nnloop.layers.dropout); layers[0]
                    is None, since layer 0 is the input
    shapes[k]       shape of layer k's values: an int n for a list of n nodes,
                    (C, rows, cols) for C feature maps; shapes[0] the input's
    sizes[k]        number of nodes of layer k (C * rows * cols for maps)
    activations[k]  name of f_k, the activation of layer k (None for k = 0)
    f[k]            f_k itself, an nnloop.layers.activations.Activation
    W[k], B[k]      layer k's weights and biases, the very lists of layers[k]:
                    W[k][j][i] for a dense layer (sizes[k] rows of sizes[k-1]),
                    kernels K[c][i] for a convolution (kernel c as one list,
                    nnloop.layers.conv), [] for a layer without parameters;
                    W[0] and B[0] are []
    loss            the name of the loss, "mse" or "cross_entropy";
                    loss_function the nnloop.losses.Loss itself

    Network(sizes, activations, loss, seed) is a fully connected network
    with weights drawn at random (He or Xavier, see dense.initial_weights);
    Network.with_parameters takes them; Network.from_layers stacks any units.

    >>> net = Network([784, 100, 10], ["relu", "softmax"], "cross_entropy", seed=1)
    >>> net.L, len(net.W[1]), len(net.W[1][0]), net.activations
    (2, 100, 784, [None, 'relu', 'softmax'])
    """

    def __init__(self, sizes, activations, loss, seed=0):
        check_architecture(sizes, activations, loss)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise NnloopError(f"seed must be a whole number, like 0 or 42; got {seed!r}")
        rng = Random(seed)
        self.stack([Dense(sizes[k - 1], sizes[k], activations[k - 1], rng) for k in range(1, len(sizes))],
                   sizes[0], loss)

    @classmethod
    def with_parameters(cls, W, B, activations, loss):
        """A fully connected network with the given weights W[k][j][i] and biases B[k][j].

        W[0] and B[0] are the empty lists of the input layer; sizes follow
        from the shapes, which must fit together.
        """
        if not isinstance(W, list) or len(W) < 2 or W[0] != []:
            raise NnloopError("W must be a list [[], W[1], ..., W[L]] with W[0] == [] for the input layer")
        for k in range(1, len(W)):
            if not isinstance(W[k], list) or not W[k] or not all(isinstance(row, list) for row in W[k]):
                raise NnloopError(f"W[{k}] must be a non-empty list of rows W[{k}][j], one list of weights per node "
                                  f"of layer {k}; got {short(W[k])}")
        sizes = [len(W[1][0])]
        sizes += [len(W_k) for W_k in W[1:]]
        check_architecture(sizes, activations, loss)
        check_parameters(W, B, sizes)
        net = cls.__new__(cls)
        net.stack([Dense.with_parameters(W[k], B[k], activations[k - 1]) for k in range(1, len(W))], sizes[0], loss)
        return net

    @classmethod
    def from_layers(cls, layers, loss):
        """A network of the given layer units, layers[0] reading the input: the way to build a convnet.

        >>> from nnloop.layers.conv import Conv2D
        >>> from nnloop.layers.flatten import Flatten
        >>> rng = Random(0)
        >>> conv = Conv2D((1, 4, 4), channels=1, size=2, rng=rng)
        >>> net = Network.from_layers([conv, Flatten(conv.shape), Dense(9, 2, "softmax", rng)], "cross_entropy")
        >>> net.shapes, net.sizes
        ([(1, 4, 4), (1, 3, 3), 9, 2], [16, 9, 9, 2])
        """
        check_layers(layers, loss)
        net = cls.__new__(cls)
        net.stack(list(layers), layers[0].in_shape, loss)
        return net

    def stack(self, layers, input_shape, loss):
        self.layers = [None] + layers
        self.L = len(layers)
        self.shapes = [input_shape] + [layer.shape for layer in layers]
        self.sizes = [count(shape) for shape in self.shapes]
        self.activations = [None] + [layer.activation for layer in layers]
        self.f = [None] + [layer.f for layer in layers]
        self.loss = loss
        self.loss_function = LOSSES[loss]

    @property
    def W(self):
        return [[]] + [layer.W for layer in self.layers[1:]]

    @property
    def B(self):
        return [[]] + [layer.B for layer in self.layers[1:]]

    def dense(self):
        """True if every layer is fully connected, its weights W[k][j][i] one per edge: the MLP, which draw,
        the trace page and the report draw as circles and edges (other layers, as mapdraw's grids)."""
        return all(layer.WEIGHTS == "W" for layer in self.layers[1:])

    def __repr__(self):
        """Network 3-2-1 (relu, identity; mse), then W[k] and B[k] of each layer, their first values.

        Short enough for `p net` in pdb, however wide the layers.
        """
        lines = [f"Network {self.shape_name()} ({', '.join(self.functions())}; {self.loss})"]
        for k in range(1, self.L + 1):
            layer = self.layers[k]
            if layer.WEIGHTS == "W":
                lines.append(f"  layer {k} ({self.activations[k]}): W[{k}][0] = {first(self.W[k][0])}  "
                             f"B[{k}] = {first(self.B[k])}")
            else:
                lines.append(f"  layer {k}: {layer!r}")
        return "\n".join(lines)

    def functions(self):
        """What each layer k = 1..L does, by name: its activation, or, for a layer without weights (pooling,
        flatten, dropout), which has none of its own, its kind: ['relu', 'maxpool', 'flatten', 'softmax']."""
        return [layer.activation if layer.W else layer.kind for layer in self.layers[1:]]

    def shape_name(self):
        """The shapes of the layers, input first, each named as shapes.shape_name names it: '784-100-10',
        '1x28x28-8x24x24-8x12x12-1152-100-10'."""
        return "-".join(shape_name(shape) for shape in self.shapes)

    def forward(self, x, v=None):
        """Run one sample x forward; fill v.A and v.H and return Y = v.H[L].

        x is a list of sizes[0] floats (feature maps as one list,
        i = (c*rows + y)*cols + x, as every layer's maps), or the maps
        x[c][y][x] as nested lists, which are read into one; v a NodeValues
        for this network (a fresh one if not given; reuse one to save
        allocating it per sample).
        """
        if v is None:
            v = NodeValues(self)
        if isinstance(x, list) and x and isinstance(x[0], list):  # maps: read row by row into one list
            x = flattened(x, self.shapes[0])
            if x is None:
                raise NnloopError(f"input maps must be shaped {'x'.join(map(str, self.shapes[0]))}, x[c][y][x], "
                                  f"or give one flat list of {self.sizes[0]} numbers, i = (c*rows + y)*cols + x")
        if not isinstance(x, list) or len(x) != self.sizes[0]:
            check_values(x, self.sizes[0], "input", "the network's layer 0 has")
        if not isinstance(self.shapes[0], int):  # maps: node 0's window holds a few inputs, so A[1][0] below
            # would miss a NaN elsewhere
            check_values(x, self.sizes[0], "input", "the network's layer 0 has")
        v.H[0] = x
        try:
            for k in range(1, self.L + 1):
                self.layers[k].forward(v.H[k - 1], v.A[k], v.H[k], v.memory[k])
        except TypeError:  # a value of x that is not a number: say which, at no cost to good inputs
            check_values(x, self.sizes[0], "input", "the network's layer 0 has")
            raise
        # A NaN or infinite x[i] makes every A[1][j] of a dense layer NaN or infinite (even 0 * inf is NaN),
        # so one comparison per sample finds it; only then is x looked at value by value.
        if isinstance(v.A[1][0], float) and not -math.inf < v.A[1][0] < math.inf:
            check_numbers(x, "input")
        return v.H[self.L]

    def backward(self, v, T, g):
        """Backpropagate one sample: fill v.delta, v.back; add dW, dB into g.

        Needs forward(x, v) for the same sample first; T is its target.
        Adds into g, so that a minibatch sums its samples' gradients. Each
        layer k adds its dW[k], dB[k] and sends back[k-1]; between layers,
        delta[k-1][i] = f'_{k-1}(A[k-1][i]) * back[k-1][i].
        """
        L = self.L
        check_values(T, self.sizes[L], "target", "the output layer has")
        self.loss_function.delta(self.f[L], v.A[L], v.H[L], T, v.delta[L])
        for k in range(L, 0, -1):
            back = v.back[k - 1] if k > 1 else None  # layer 0 is the input: nothing below it to learn
            self.layers[k].backward(v.H[k - 1], v.A[k], v.H[k], v.delta[k], g.dW[k], g.dB[k], back, v.memory[k])
            if k == 1:
                break
            # delta[k-1][i] = f'_{k-1}(A[k-1][i]) * back[k-1][i], one call for the whole layer (maps too)
            self.f[k - 1].backward(v.A[k - 1], v.H[k - 1], back, v.delta[k - 1])

    def sample_loss(self, Y, T):
        """The loss of one sample with output Y and target T."""
        check_values(T, self.sizes[self.L], "target", "the output layer has")
        try:
            if len(Y) == self.sizes[self.L]:  # Y comes from forward, checked there
                return self.loss_function.value(Y, T)
        except TypeError:
            pass
        check_values(Y, self.sizes[self.L], "output", "the output layer has")
        raise NnloopError(f"output Y must be a list of {self.sizes[self.L]} numbers, got {short(Y)}: pass what "
                          "forward returned")

    def mean_loss(self, samples, seed=None):
        """The mean loss over a list of (x, T) pairs; the network is unchanged.

        seed: as in gradients, the dropout masks of sample n come from Random(seed + n).
        """
        check_samples(samples)
        v = NodeValues(self)
        total = 0.0
        for n, (x, T) in enumerate(samples):
            if seed is not None:
                v.draw_masks(Random(seed + n))
            total += self.sample_loss(self.forward(x, v), T)
        return total / len(samples)

    def gradients(self, samples, seed=None):
        """The mean gradients of the loss over a list of (x, T) pairs.

        Returns fresh Gradients: asking twice gives the same answer, and the
        network is left untouched. seed None evaluates the network: dropout
        layers pass values through. With a seed, they drop nodes as in
        training, sample n's masks drawn from Random(seed + n): the same
        masks on every call, which is what a gradient check needs.
        """
        check_samples(samples)
        v = NodeValues(self)
        g = Gradients(self)
        for n, (x, T) in enumerate(samples):
            if seed is not None:
                v.draw_masks(Random(seed + n))
            self.forward(x, v)
            self.backward(v, T, g)
        g.scale(1.0 / len(samples))
        return g

    def _repr_svg_(self):
        """The diagram of nnloop draw (weights and biases, or kernels and maps), which Jupyter shows for a
        Network; repr() stays the text above. See nnloop.tools.notebook for a pass's values."""
        # The network's one import of a tool: Jupyter asks the object itself, so it runs when a notebook asks
        from .tools.draw import picture
        return picture(self, title=f"Network {self.shape_name()}")

    def _repr_html_(self):
        from .tools.notebook import html
        return html(self._repr_svg_())


class NodeValues:
    """What one sample leaves at the nodes during a forward and backward pass.

    A[k]       pre-activations of layer k, one list of sizes[k] numbers: A[k][j],
               or, for feature maps, the textbook's A[k][c][y][x] at
               A[k][(c*rows + y)*cols + x] (A[0] is [])
    H[k]       outputs of layer k, the same; H[0] is the input x
    delta[k]   dLoss/dA[k], the backprop values (delta[0] is [])
    back[k]    dLoss/dH[k], what layer k+1 sends back to layer k: for a dense
               layer k+1, back[k][i] = sum_j W[k+1][j][i] * delta[k+1][j]
               (back[0] and back[L] are [])
    memory[k]  what layer k's forward leaves for its backward: for a dense
               layer the indices i where H[k-1][i] != 0, which its sums skip;
               for max pooling where each maximum came from; for dropout
               the Mask it drew (nnloop.layers.dropout); for a convolution its
               padded input and windows as lists (nnloop.layers.conv.Memory)
    random     the memories of the layers whose class says RANDOM (dropout's
               masks), to which draw_masks hands a generator

    NodeValues(net) fits any network; NodeValues(sizes), a list of layer
    sizes, fits a fully connected one. One NodeValues is reused sample
    after sample; the lists are filled in place.
    """

    def __init__(self, layout):
        if isinstance(layout, Network):
            shapes, memory = layout.shapes, [None] + [layer.new_memory() for layer in layout.layers[1:]]
            self.random = [memory[k] for k in range(1, len(memory)) if layout.layers[k].RANDOM]
        else:
            shapes, memory = list(layout), [None] + [[] for _ in layout[1:]]
            self.random = []
        L = len(shapes) - 1
        self.A = [[]] + [zeros(shape) for shape in shapes[1:]]
        self.H = [zeros(shape) for shape in shapes]
        self.delta = [[]] + [zeros(shape) for shape in shapes[1:]]
        self.back = [[]] + [zeros(shape) for shape in shapes[1:L]] + [[]]
        self.memory = memory

    def draw_masks(self, rng):
        """Training: every dropout layer draws this sample's masks from rng; rng None: evaluation, values pass.

        A layer that draws random numbers (its class says RANDOM; dropout) keeps its generator in its memory,
        as memory.rng: self.random holds those memories.
        """
        for memory in self.random:
            memory.rng = rng

    def drops(self):
        """True if a layer of the network draws dropout masks (see draw_masks)."""
        return bool(self.random)

    def __repr__(self):
        """NodeValues 3-2-1, then A, H, delta of each layer k, their first values."""
        sizes = [len(H) for H in self.H]
        lines = [f"NodeValues {'-'.join(map(str, sizes))}", f"  H[0] = {first(self.H[0])}"]
        for k in range(1, len(sizes)):
            lines.append(f"  layer {k}: A[{k}] = {first(self.A[k])}  H[{k}] = {first(self.H[k])}  "
                         f"delta[{k}] = {first(self.delta[k])}")
        return "\n".join(lines)


class Gradients:
    """Gradient accumulators shaped like the parameters.

    dW[k]  accumulated dLoss/dW[k], shaped like W[k]: dW[k][j][i] for a dense
           layer, dK[c][i] for a convolution (dW[0] is [])
    dB[k]  accumulated dLoss/dB[k], shaped like B[k] (dB[0] is [])

    Gradients(net) fits any network; Gradients(sizes) a fully connected one.
    zero() clears them in place, so one Gradients serves a whole training run.
    """

    def __init__(self, layout):
        if isinstance(layout, Network):
            self.sizes = layout.sizes
            self.dW = [[]] + [zeros_like(layer.W) for layer in layout.layers[1:]]
            self.dB = [[]] + [zeros_like(layer.B) for layer in layout.layers[1:]]
        else:
            sizes = self.sizes = list(layout)
            self.dW = [[]] + [[[0.0] * sizes[k - 1] for _ in range(sizes[k])] for k in range(1, len(sizes))]
            self.dB = [[]] + [[0.0] * n for n in sizes[1:]]

    def __repr__(self):
        """Gradients 3-2-1, then dW[k][0] and dB[k] of each layer k, their first values."""
        lines = [f"Gradients {'-'.join(map(str, self.sizes))}"]
        for k in range(1, len(self.sizes)):
            if self.dW[k]:
                lines.append(f"  layer {k}: dW[{k}][0] = {first(self.dW[k][0])}  dB[{k}] = {first(self.dB[k])}")
        return "\n".join(lines)

    def zero(self):
        """Clear the accumulators, as at the start of every minibatch: in place, since allocating
        them anew per minibatch (78,400 floats for 784-100-10) costs PyPy a fifth of its time in GC."""
        for k in range(1, len(self.dW)):
            clear(self.dW[k])
            clear(self.dB[k])

    def add(self, other):
        """Add other's accumulators into these."""
        for k in range(1, len(self.dW)):
            for mine, theirs in zip(rows(self.dW[k]), rows(other.dW[k])):
                for i in range(len(mine)):
                    mine[i] += theirs[i]
            dB_k, other_dB_k = self.dB[k], other.dB[k]
            for j in range(len(dB_k)):
                dB_k[j] += other_dB_k[j]

    def scale(self, c):
        """Multiply every accumulator by c (1/k turns a sum into a mean)."""
        for k in range(1, len(self.dW)):
            for row in list(rows(self.dW[k])) + [self.dB[k]]:
                for i in range(len(row)):
                    row[i] *= c

    def mean_abs_dW(self):
        """[m_1, ..., m_L]: m_k is the mean of |dW[k]| over layer k's weights (0.0 for a layer without any).

        How strongly each layer is being pushed: where gradients vanish, the
        first layers' numbers are orders of magnitude below the last's.
        """
        means = []
        for k in range(1, len(self.dW)):
            total, n = 0.0, 0
            for row in rows(self.dW[k]):
                for d in row:
                    total += abs(d)
                n += len(row)
            means.append(total / n if n else 0.0)
        return means


def check_architecture(sizes, activations, loss):
    """Refuse a network that cannot be built or makes no sense."""
    if not isinstance(sizes, (list, tuple)):
        raise NnloopError(f"sizes must be a list of layer sizes, like [784, 100, 10]; got {short(sizes)}")
    if not isinstance(activations, (list, tuple)):
        raise NnloopError(f"activations must be a list of names, one per layer after the input, like "
                          f"['relu', 'softmax']; got {short(activations)}")
    sizes, activations = list(sizes), list(activations)
    if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise NnloopError(f"sizes must be 2 or more positive integers (input, ..., output), got {sizes}")
    if len(activations) != len(sizes) - 1:
        raise NnloopError(f"{len(sizes) - 1} layers after the input need {len(sizes) - 1} activations, got {len(activations)}: give one per layer after the input")
    for name in activations:
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise NnloopError(f"unknown activation {short(name)}: use one of {', '.join(ACTIVATIONS)}")
    if "softmax" in activations[:-1]:
        raise NnloopError("softmax is for the output layer only: use relu, sigmoid, tanh or identity in hidden layers")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise NnloopError(f"unknown loss {short(loss)}: use mse or cross_entropy")
    if activations[-1] == "softmax" and sizes[-1] < 2:
        raise NnloopError("softmax over 1 output node is always 1: use 2 or more output nodes, or sigmoid")
    if loss == "cross_entropy" and activations[-1] != "softmax":
        raise NnloopError(f"cross_entropy needs probabilities from a softmax output layer, not {activations[-1]}: "
                          "make the last activation softmax, or use loss mse")


def check_layers(layers, loss):
    """Refuse a stack of layer units that do not fit together or make no sense."""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise NnloopError("layers must be a non-empty list of layer units, like [Conv2D(...), Flatten(...), "
                          "Dense(...)]")
    for k in range(1, len(layers)):
        if layers[k].in_shape != layers[k - 1].shape:
            raise NnloopError(f"layer {k + 1} ({layers[k].kind}) reads {layers[k].in_shape} but layer {k} "
                              f"gives {layers[k - 1].shape}: make each layer's input the shape below it")
    last = layers[-1]
    if last.WEIGHTS != "W":  # a node per class, each with a weight per edge W[L][j][i]
        raise NnloopError(f"the output layer must be dense, not {last.kind}: end with a dense layer of one node "
                          "per class")
    if any(layer.activation == "softmax" for layer in layers[:-1]):
        raise NnloopError("softmax is for the output layer only: use relu, sigmoid, tanh or identity in hidden layers")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise NnloopError(f"unknown loss {short(loss)}: use mse or cross_entropy")
    if last.activation == "softmax" and last.shape < 2:
        raise NnloopError("softmax over 1 output node is always 1: use 2 or more output nodes, or sigmoid")
    if loss == "cross_entropy" and last.activation != "softmax":
        raise NnloopError(f"cross_entropy needs probabilities from a softmax output layer, not {last.activation}: "
                          "make the last activation softmax, or use loss mse")


def check_parameters(W, B, sizes):
    """Refuse weights and biases whose shapes do not fit the sizes."""
    L = len(sizes) - 1
    if not isinstance(B, list) or len(B) != L + 1 or B[0] != []:
        raise NnloopError(f"B must be a list [[], B[1], ..., B[{L}]] with B[0] == [] for the input layer")
    for k in range(1, L + 1):
        if not isinstance(W[k], list) or not isinstance(B[k], list) or len(B[k]) != sizes[k]:
            raise NnloopError(f"layer {k}: W[{k}] has {len(W[k])} rows but B[{k}] has {len(B[k])} biases: give one bias per row")
        for j, row in enumerate(W[k]):
            if not isinstance(row, list) or len(row) != sizes[k - 1]:
                raise NnloopError(f"W[{k}][{j}] must hold {sizes[k - 1]} weights, one per node of layer {k - 1}")
            check_numbers(row, f"W[{k}][{j}]")
        check_numbers(B[k], f"B[{k}]")


def check_values(values, n, what, layer):
    """Refuse values that are not n finite numbers; cheap enough to run on every sample.

    One sum, done in C, finds any non-number (TypeError) and almost any
    NaN or infinity (the sum is not finite); only then are the values
    looked at one by one, since finite values can also overflow the sum.
    """
    try:
        if len(values) != n:
            raise NnloopError(f"{what} has {len(values)} values, {layer} {n} nodes: give one number per node")
        total = sum(values)
    except TypeError:
        raise NnloopError(f"{what} must be a list of {n} numbers, got {short(values)}") from None
    if not -math.inf < total < math.inf:
        check_numbers(values, what)


def check_samples(samples):
    """Refuse anything but a non-empty list of (x, T) pairs: once per call, not per sample.

    The numbers inside are checked by forward and backward as they go.
    Anything else with len() and samples[i] (nnloop.files.mnist.Digits) is taken
    as it is.
    """
    if isinstance(samples, (str, bytes, dict)) or not hasattr(samples, "__len__") or len(samples) == 0:
        raise NnloopError(f"samples must be a non-empty list of (x, T) pairs, got {short(samples)}")
    if isinstance(samples, (list, tuple)):
        for n, pair in enumerate(samples):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise NnloopError(f"sample {n} must be a pair (x, T) of an input and a target, got {short(pair)}")
