"""Vanishing gradients, measured.

Going back through a layer, backprop multiplies by that layer's f':

    delta[k-1][i] = f'_{k-1}(A[k-1][i]) * back[k-1][i]

Sigmoid's f' = f (1 - f) is never above 0.25, so every sigmoid layer shrinks
the deltas, and with them dW[k][j][i] = H[k-1][i] * delta[k][j], by a factor
of about 0.25 or less: the first layers of a deep sigmoid network barely
learn. Relu's f' is exactly 1 where a node is on, and He's weights (std
sqrt(2/n)) make up for the nodes that are off, so its profile stays flat.

profiles() builds the same deep network twice, sigmoid and relu hidden
layers, and measures per layer the mean |dW[k]| (Gradients.mean_abs_dW) of
one batch at initialization:

>>> sigmoid, relu = profiles(depth=6, width=16, batch_size=8, seed=0)
>>> all(sigmoid[k] < sigmoid[k + 1] for k in range(len(sigmoid) - 1))   # layer 1 is the input's side
True
>>> sigmoid[0] / sigmoid[-1] < 0.01 < relu[0] / relu[-1]
True
"""
from ..network import Network
from ..rng import Random

CLASSES = 10


def synthetic_batch(width, batch_size, seed):
    """batch_size (x, T) pairs: x of width standard normal numbers, T a one-hot target over CLASSES.

    Standard normal inputs are what He and Xavier initialization assume of a
    layer's inputs (mean 0, variance 1), so the profile shows the layers and
    not a quirk of some data set; and any width works, not just 784.
    """
    rng = Random(seed)
    batch = []
    for _ in range(batch_size):
        x = [rng.gauss() for _ in range(width)]
        label = rng.below(CLASSES)
        batch.append((x, [1.0 if c == label else 0.0 for c in range(CLASSES)]))
    return batch


def deep_network(hidden, depth, width, seed):
    """depth hidden layers of width nodes with activation hidden, and a softmax output over CLASSES.

    The layer sizes are [width] * (depth + 1) + [CLASSES]: input, depth
    hidden layers, output; the weights are drawn from seed (He for relu,
    Xavier for sigmoid, as Network does).
    """
    sizes = [width] * (depth + 1) + [CLASSES]
    return Network(sizes, [hidden] * depth + ["softmax"], "cross_entropy", seed=seed)


def profiles(depth, width, batch_size, seed):
    """(sigmoid, relu): per layer k = 1..L the mean |dW[k]| over one batch at initialization.

    Both networks get the same batch, and weights from the same seed.
    """
    batch = synthetic_batch(width, batch_size, seed)
    return tuple(deep_network(hidden, depth, width, seed).gradients(batch).mean_abs_dW()
                 for hidden in ("sigmoid", "relu"))


def ratios(profile):
    """[m_k / m_{k+1} for k = 1..L-1]: how much smaller layer k's gradient is than the layer above it's.

    >>> ratios([0.001, 0.004, 0.032, 0.128])
    [0.25, 0.125, 0.25]
    """
    return [profile[k] / profile[k + 1] for k in range(len(profile) - 1)]


def report(depth, width, batch_size, seed):
    """The lines of `nnloop vanish`: the two profiles side by side, output layer first."""
    sigmoid, relu = profiles(depth, width, batch_size, seed)
    L = len(sigmoid)
    sigmoid_ratios, relu_ratios = ratios(sigmoid) + [None], ratios(relu) + [None]
    sizes = "-".join(map(str, [width] * (depth + 1) + [CLASSES]))
    lines = [f"network {sizes} with sigmoid or relu hidden layers, softmax output, cross_entropy; "
             f"weights from seed {seed}, not yet trained",
             f"mean |dW[k][j][i]| over layer k's weights, for one batch of {batch_size} random inputs "
             f"(standard normal, seed {seed})",
             "ratio = mean |dW[k]| / mean |dW[k+1]|, what is left of the gradient one layer further back",
             "",
             f"{'layer':>5}  {'sigmoid':>11}  {'ratio':>6}  {'relu':>11}  {'ratio':>6}"]
    for k in range(L, 0, -1):
        row = (f"{k:>5}  {sigmoid[k - 1]:>11.3e}  {ratio(sigmoid_ratios[k - 1])}  "
               f"{relu[k - 1]:>11.3e}  {ratio(relu_ratios[k - 1])}")
        lines.append(row.rstrip())
    lines += ["",
              f"layer 1 against layer {L}: sigmoid {sigmoid[0] / sigmoid[-1]:.2g}, relu {relu[0] / relu[-1]:.2g}",
              "sigmoid: delta[k-1][i] = sigmoid'(A[k-1][i]) * back[k-1][i] and sigmoid' = f (1 - f) is at most 0.25, "
              "so every layer back the gradient shrinks to about a quarter",
              f"  (0.25^2 = 0.0625 after two layers; the weights and H[k-1] add factors of their own, so single "
              f"ratios stray either side of 0.25, here {min(sigmoid_ratios[:-1]):.3f} to "
              f"{max(sigmoid_ratios[:-1]):.3f})",
              "relu: relu' is 1 wherever a node is on, and He's weights (std sqrt(2/n)) make up for the nodes "
              "that are off, so the gradient reaches layer 1 about as strong as it left the output"]
    return lines


def ratio(value):
    return f"{'':>6}" if value is None else f"{value:>6.3f}"
