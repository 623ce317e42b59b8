"""How well a network classifies: the confusion matrix and the accuracies read off it.

C[t][p] counts the samples of true class t (the index of the 1 in their
one-hot target T) that the network put in class p (the class of its largest
output). The diagonal holds the right answers.

>>> C = [[8, 2], [1, 9]]
>>> accuracy(C), class_accuracies(C)
(0.85, [0.8, 0.9])
"""
from ..network import NodeValues


def predicted_class(Y):
    """The class a network's output Y stands for: the index of the largest output."""
    return Y.index(max(Y))


def confusion_matrix(net, samples, classes, progress=None):
    """C[t][p] over samples, a sequence of (x, T) pairs with one-hot T.

    progress, if given, is called as progress(samples done) every 500 samples and once at the end.
    """
    C = [[0] * classes for _ in range(classes)]
    v = NodeValues(net)
    for n in range(len(samples)):
        if progress is not None and n % 500 == 0:
            progress(n)
        x, T = samples[n]
        C[predicted_class(T)][predicted_class(net.forward(x, v))] += 1
    if progress is not None:
        progress(len(samples))
    return C


def progress_line(out, total, label):
    """A progress callback for confusion_matrix: on a terminal, 'label [####......] done/total' redrawn in place
    and wiped at the end; elsewhere (a log, a pipe) nothing."""
    live = hasattr(out, "isatty") and out.isatty()

    def draw(done):
        if not live:
            return
        if done >= total:
            out.write("\r" + " " * 100 + "\r")
        else:
            bar = 20 * done // total
            out.write(f"\r{label} [{'#' * bar}{'.' * (20 - bar)}] {done:>6,}/{total:,} test digits ")
        out.flush()
    return draw


def accuracy(C):
    """The fraction of samples on the diagonal of C."""
    total = sum(sum(row) for row in C)
    return sum(C[c][c] for c in range(len(C))) / total if total else 0.0


def class_accuracies(C):
    """For each true class t, the fraction of its samples put in class t (None if it has none)."""
    return [row[t] / sum(row) if sum(row) else None for t, row in enumerate(C)]


def format_confusion(C):
    """C as a text table: true classes down, predicted classes across.

    >>> print(format_confusion([[8, 2], [1, 9]]))
    true \\ predicted     0     1   accuracy
                   0     8     2     80.00%
                   1     1     9     90.00%
    """
    corner = "true \\ predicted"
    width = max(6, len(str(max(max(row) for row in C))) + 1)
    lines = [corner + "".join(f"{p:>{width}}" for p in range(len(C))) + "   accuracy"]
    for t, (row, acc) in enumerate(zip(C, class_accuracies(C))):
        shown = "          -" if acc is None else f"{100 * acc:10.2f}%"
        lines.append(f"{t:>{len(corner)}}" + "".join(f"{n:>{width}}" for n in row) + shown)
    return "\n".join(lines)
