"""A training report: one HTML page of pictures of a trained MNIST model.

The page is self-contained: its pictures are inline SVG, it loads nothing
and runs no script, so it can be mailed, archived or opened offline. It is
also well-formed XML. Its sections, each a <section id=...>:

    loss           the training loss per epoch
    accuracy       train and test accuracy per epoch
    gradients      mean |dW[k]| per layer k per epoch, on a log scale
    confusion      the confusion matrix C[t][p] on the test digits, as a heat map
    misclassified  test digits the model gets wrong, with true and predicted class
    weights        W[1][j] of each node j of layer 1 as a 28x28 image; for a
                   convnet, each kernel K[1][c][0] of layer 1 as a small image
    maps           a convnet only: one test digit's feature maps H[k][c] through
                   every convolution and pooling layer, a small image a channel

The first three come from the history that nnloop train records in the
model file; a model without one (saved by the Python API) gets a report of
the other three, and each missing picture says why it is missing.
"""
import math
import sys
from xml.sax.saxutils import escape

from ..files import mnist
from ..layers.shapes import node_index
from ..learning.evaluation import accuracy, class_accuracies, confusion_matrix, predicted_class, progress_line
from ..network import NodeValues
from . import svg
from .page import page, section

NODES_SHOWN = 100   # weight images of at most this many nodes of layer 1
DIGITS_SHOWN = 50   # misclassified test digits shown at most
RIGHT, WRONG = (8, 48, 107), (178, 24, 43)  # the heat map's blue diagonal, red mistakes


def write_report(net, training, model_path, html_path, data=None):
    """Evaluate net on the test digits and write the report to html_path.

    net and training are what modelfile.read(model_path) returns; training
    may be None. data is the MNIST directory; None means the one the model
    was trained on (as recorded in the model file), or else the bundled one,
    so that the test accuracy of the history and that of the confusion
    matrix are about the same digits. Returns the test accuracy.
    """
    training = training or {}
    history = training.get("history") or []
    data = data or training.get("arguments", {}).get("data") or mnist.BUNDLED
    _, test = mnist.load(data)
    C = confusion_matrix(net, test, mnist.CLASSES, progress_line(sys.stderr, len(test), f"reporting on {model_path}"))
    rows = [
        [loss_section(history, model_path), accuracy_section(history, model_path)],
        [gradients_section(history, model_path), confusion_section(C)],
        [misclassified_section(net, test)],
    ]
    rows += [[part] for part in [first_weights_section(net)] if part]
    if any(not isinstance(shape, int) for shape in net.shapes):  # feature maps to show
        rows.append([maps_section(net, test)])
    title = f"nnloop report: {model_path}"
    body = (svg.element("h1", escape(title)) + svg.element("p", escape(summary(net, training, C, data))) +
            "".join(svg.element("div", "".join(row), class_="row") for row in rows))
    svg.save(html_path, page(title, body))
    return accuracy(C)


def missing(model_path, what):
    return svg.element("p", escape(f"{model_path} has no training history with {what} (only nnloop train "
                                   "records one), so there is nothing to draw here."), class_="missing")


def summary(net, training, C, data):
    sizes = net.shape_name()
    text = f"Network {sizes} ({'/'.join(net.activations[1:])}, {net.loss})"
    arguments = training.get("arguments")
    if arguments:
        epochs = training.get("epochs_done", "?")
        text += (f", trained {epochs} epoch{'' if epochs == 1 else 's'} by minibatch SGD with batch size "
                 f"{arguments.get('batch_size')}, learning rate {arguments.get('learning_rate')}, "
                 f"seed {arguments.get('seed')}")
    if training.get("made_with"):
        text += f", under {training['made_with'].get('python')}"
    total = sum(map(sum, C))
    where = "the bundled MNIST" if data == mnist.BUNDLED else data
    return text + f". Test accuracy {100 * accuracy(C):.2f}% on the {total:,} test digits of {where}."


def loss_section(history, model_path):
    explanation = ("The mean loss over the training digits in each epoch, measured on each digit as it was "
                   "trained. It should fall quickly, then level off.")
    if not history:
        return section("loss", "Loss per epoch", explanation, missing(model_path, "losses"))
    points = [(entry["epoch"], entry["loss"]) for entry in history]
    picture = svg.chart([("training loss", points)], 460, 250, "epoch", "loss",
                        y_range=svg.span([0.0] + [y for _, y in points], False))
    return section("loss", "Loss per epoch", explanation, picture)


def accuracy_section(history, model_path):
    explanation = ("The percentage of digits classified right after each epoch: on the training digits "
                   "(running, as trained) and on the test digits, which the network never learns from. "
                   "A test curve that falls while the training curve climbs is overfitting.")
    if not history:
        return section("accuracy", "Accuracy per epoch", explanation, missing(model_path, "accuracies"))
    train = [(entry["epoch"], 100 * entry["train_accuracy"]) for entry in history]
    test = [(entry["epoch"], 100 * entry["test_accuracy"]) for entry in history]
    picture = svg.chart([("train", train), ("test", test)], 460, 250, "epoch", "accuracy (%)")
    return section("accuracy", "Accuracy per epoch", explanation, picture)


def gradients_section(history, model_path):
    explanation = ("How hard each layer is still being pushed: the mean of |dW[k][j][i]| over the weights of "
                   "layer k, for the same 1,000 training digits after each epoch, on a log scale. "
                   "Vanishing gradients show as first layers far below the last.")
    entries = [entry for entry in history if "mean_abs_dW" in entry]
    if not entries:
        return section("gradients", "Gradient magnitude per layer", explanation,
                       missing(model_path, "gradient magnitudes"))
    layers = len(entries[0]["mean_abs_dW"])
    series = [(f"mean |dW[{k}]|", [(entry["epoch"], entry["mean_abs_dW"][k - 1]) for entry in entries
                                   if entry["mean_abs_dW"][k - 1] > 0]) for k in range(1, layers + 1)]
    series = [(name, points) for name, points in series if points]  # pooling and flatten layers have no weights
    picture = svg.chart(series, 460, 250, "epoch", "mean |dW| (log scale)", log_y=True)
    return section("gradients", "Gradient magnitude per layer", explanation, picture)


def confusion_section(C):
    """The heat map of C: row t, column p counts the test digits t taken for p."""
    cell, left, top = 32, 50, 40
    fills = [[svg.blend(math.sqrt(count / max(sum(row), 1)), RIGHT if t == p else WRONG)
              for p, count in enumerate(row)] for t, row in enumerate(C)]
    n = len(C)
    parts = [svg.heat_map(C, fills, cell, left, top),
             svg.text(left + n * cell / 2, 15, "predicted class p", text_anchor="middle"),
             svg.text(12, top + n * cell / 2, "true class t", text_anchor="middle",
                      transform=f"rotate(-90 12 {top + n * cell // 2})"),
             svg.text(left + n * cell + 10, top - 8, "accuracy")]
    for c, share in enumerate(class_accuracies(C)):
        parts.append(svg.text(left + (c + 0.5) * cell, top - 8, str(c), text_anchor="middle"))
        parts.append(svg.text(left - 10, top + (c + 0.5) * cell + 4, str(c), text_anchor="end"))
        parts.append(svg.text(left + n * cell + 10, top + (c + 0.5) * cell + 4,
                              "-" if share is None else f"{100 * share:.1f}%"))
    explanation = ("Row t, column p counts the test digits of class t that the network took for p. Blue on "
                   "the diagonal is right, red off it is wrong; the shade is the square root of the row's "
                   "share, so that small confusions show.")
    picture = svg.document(left + n * cell + 70, top + n * cell + 10, parts)
    return section("confusion", "Confusion matrix", explanation, picture)


def misclassified(net, test, limit):
    """[(index, true class, predicted class)] of the first limit test digits the network gets wrong."""
    wrong = []
    v = NodeValues(net)
    for index in range(len(test)):
        x, _ = test[index]
        guess = predicted_class(net.forward(x, v))
        if guess != test.labels[index]:
            wrong.append((index, test.labels[index], guess))
            if len(wrong) == limit:
                break
    return wrong


def misclassified_section(net, test):
    wrong = misclassified(net, test, DIGITS_SHOWN)
    tile, per_row = 80, 10
    parts = []
    for n, (index, label, guess) in enumerate(wrong):
        x, y = (n % per_row) * tile, (n // per_row) * (tile + 10)
        pixels = test.pixels[index * 784:(index + 1) * 784]
        parts.append(svg.group([
            svg.pixel_image([p / 255 for p in pixels], 28, svg.gray, x + 12, y + 2, 2),
            svg.text(x + 40, y + 72, f"{label} \u2192 {guess}", text_anchor="middle", font_size=13),
            svg.text(x + 40, y + 86, f"test {index}", text_anchor="middle", font_size=10, fill="#777777"),
        ], class_="digit", data_index=index, data_true=label, data_predicted=guess))
    rows = (len(wrong) + per_row - 1) // per_row
    explanation = (f"The first {len(wrong)} test digits the network gets wrong, each labelled true class "
                   "\u2192 predicted class, with its index in the test set (see it with nnloop predict).")
    if not wrong:
        explanation = "The network classifies every test digit right: there is nothing to show."
    return section("misclassified", "Misclassified test digits", explanation,
                   svg.document(per_row * tile, max(rows, 1) * (tile + 10), parts))


def first_weights_section(net):
    """The section of the first layer with weights (a dropout layer may come before it): its kernels, or its
    W[k][j] as images when it reads a square image's pixels (784 of them, say); None otherwise."""
    k = next(k for k in range(1, net.L + 1) if net.layers[k].WEIGHTS)
    if net.layers[k].WEIGHTS == "K":
        return kernels_section(net, k)
    side = math.isqrt(net.sizes[k - 1])
    return weights_section(net, k, side) if side * side == net.sizes[k - 1] else None


def weights_section(net, k, side):
    """W[k][j] of each node j of layer k, which reads the side x side pixels of a digit, as an image, blue
    negative, red positive."""
    shown = net.W[k][:NODES_SHOWN]
    tile, per_row = 64, 14
    scale = max(1, 56 // side)
    parts = []
    for j, W_kj in enumerate(shown):
        x, y = (j % per_row) * tile, (j // per_row) * (tile + 8)
        biggest = max(abs(w) for w in W_kj) or 1.0
        parts.append(svg.group([
            svg.pixel_image([w / biggest for w in W_kj], side, svg.diverging, x + 4, y, scale),
            svg.text(x + 32, y + 68, f"j = {j}", text_anchor="middle", font_size=10, fill="#777777"),
        ], class_="node", data_j=j))
    rows = (len(shown) + per_row - 1) // per_row
    layer = "the output layer: a template per digit" if k == net.L else "the first hidden layer"
    count = f"all {len(shown)}" if len(shown) == len(net.W[k]) else f"the first {len(shown)} of {len(net.W[k])}"
    explanation = (f"The incoming weights W[{k}][j][i] of {count} nodes j of layer {k} ({layer}), pixel i at "
                   f"its place in the {side}x{side} digit: red pixels push the node's A[{k}][j] up when inked, blue "
                   f"ones down. Each image is scaled to its own largest |W[{k}][j][i]|.")
    return section("weights", f"What the nodes of layer {k} look for", explanation,
                   svg.document(per_row * tile, rows * (tile + 8), parts))


def kernels_section(net, k):
    """K[k][c][c'] of each kernel c of the convolution layer k as a small image, blue negative, red positive."""
    layer = net.layers[k]
    size, tile, per_row = layer.size, 64, 14
    C_in = layer.in_shape[0]
    scale = max(1, 48 // size)
    parts = []
    for c, K_c in enumerate(layer.K):
        for c2 in range(C_in):
            start = layer.weight_index(c2, 0, 0)
            grid = K_c[start:start + size * size]  # K[k][c][c'][u][v] row by row: the part of K[c] for input channel c'
            n = c * C_in + c2
            x, y = (n % per_row) * tile, (n // per_row) * (tile + 8)
            biggest = max(abs(w) for w in grid) or 1.0
            label = f"c = {c}" if C_in == 1 else f"c = {c}, c' = {c2}"
            parts.append(svg.group([
                svg.pixel_image([w / biggest for w in grid], size, svg.diverging,
                                x + (tile - size * scale) // 2, y + (tile - 8 - size * scale) // 2, scale),
                svg.text(x + 32, y + 68, label, text_anchor="middle", font_size=10, fill="#777777"),
            ], class_="kernel", data_c=c))
    count = len(parts)
    rows = (count + per_row - 1) // per_row
    explanation = (f"The {layer.channels} learned kernels K[{k}][c][c'][u][v] of the convolution layer {k}, each a "
                   f"{size}x{size} grid of weights that slides over the digit: red weights push A[{k}][c][y][x] up "
                   "where the window is inked, blue ones down, so each kernel finds a stroke of its own direction "
                   f"wherever it is. Each image is scaled to its own largest |K[{k}][c][c'][u][v]|.")
    return section("weights", f"What the kernels of layer {k} look for", explanation,
                   svg.document(per_row * tile, rows * (tile + 8), parts))


MAPS_SHOWN = 8   # channels of a layer drawn in the feature maps section at most
MAP_INDEX = 0    # the test digit whose feature maps are drawn


def maps_section(net, test, index=MAP_INDEX):
    """The feature maps H[k][c] of test digit index through every layer of maps: a row of images per layer."""
    x, _ = test[index]
    v = NodeValues(net)
    net.forward(x, v)
    layers = [k for k in range(net.L + 1) if not isinstance(net.shapes[k], int)]
    tile, label, parts, y = 76, 14, [], 0
    for k in layers:
        C, rows, cols = net.shapes[k]
        scale = max(1, 64 // max(rows, cols))
        what = "the digit, H[0] = x" if k == 0 else f"layer {k}, {net.layers[k].kind} ({net.shapes[k][1]}x" \
                                                      f"{net.shapes[k][2]}, {C} channels)"
        more = f"; the first {MAPS_SHOWN} shown" if C > MAPS_SHOWN else ""
        parts.append(svg.text(0, y + 12, what + more, font_weight="bold"))
        y += label + 6
        for c in range(min(C, MAPS_SHOWN)):
            start = node_index(net.shapes[k], c, 0, 0)
            values = v.H[k][start:start + rows * cols]  # H[k][c][y][x] row by row: channel c's part of the list
            biggest = max(abs(h) for h in values) or 1.0
            colour = svg.gray if k == 0 else svg.diverging
            parts.append(svg.group([
                svg.pixel_image([h / biggest for h in values], cols, colour, c * tile + (tile - cols * scale) // 2, y,
                                scale),
                svg.text(c * tile + tile / 2, y + rows * scale + 13, f"H[{k}][{c}]", text_anchor="middle",
                         font_size=10, fill="#777777"),
            ], class_="map", data_k=k, data_c=c))
        y += rows * scale + 24
    explanation = (f"Test digit {index} (labelled {test.labels[index]}) through the network: each channel c of "
                   "each convolution and pooling layer k as an image of its H[k][c][y][x], red > 0, blue < 0, "
                   "scaled to its own largest |H[k][c][y][x]|. A convolution's maps light up where its kernel's "
                   "stroke is in the digit; pooling keeps the strongest of each window at a quarter of the size.")
    return section("maps", "Feature maps of one test digit", explanation,
                   svg.document(MAPS_SHOWN * tile, y, parts))
