"""nnloop.learning.evaluation: the confusion matrix C[t][p] of a network, and the accuracies read off it."""
import io

from hypothesis import given, strategies as st

from nnloop.learning.evaluation import (accuracy, class_accuracies, confusion_matrix, format_confusion,
                                         predicted_class, progress_line)
from nnloop.network import Network


def test_predicted_class_is_the_first_largest_output():
    assert predicted_class([0.1, 0.7, 0.2]) == 1
    assert predicted_class([0.5, 0.5]) == 0


def one_hot(c, classes):
    return [1.0 if i == c else 0.0 for i in range(classes)]


def test_confusion_matrix_counts_true_class_by_predicted_class():
    # identity output Y = x: the network predicts the largest input
    net = Network.with_parameters([[], [[1.0, 0.0], [0.0, 1.0]]], [[], [0.0, 0.0]], ["identity"], "mse")
    samples = [([1.0, 0.0], one_hot(0, 2)), ([0.0, 1.0], one_hot(0, 2)), ([0.0, 1.0], one_hot(1, 2)),
               ([2.0, 1.0], one_hot(1, 2)), ([0.0, 3.0], one_hot(1, 2))]
    assert confusion_matrix(net, samples, 2) == [[1, 1], [1, 2]]


def test_progress_is_called_every_500_samples_and_at_the_end():
    net = Network([2, 2], ["softmax"], "cross_entropy", seed=0)
    calls = []
    confusion_matrix(net, [([0.5, 0.5], one_hot(0, 2))] * 1001, 2, progress=calls.append)
    assert calls == [0, 500, 1000, 1001]


matrices = st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(st.integers(0, 50), min_size=n, max_size=n),
                                                        min_size=n, max_size=n))


@given(matrices)
def test_accuracy_is_the_diagonal_s_share_and_class_accuracies_its_rows(C):
    total = sum(map(sum, C))
    assert accuracy(C) == (sum(C[c][c] for c in range(len(C))) / total if total else 0.0)
    for t, acc in enumerate(class_accuracies(C)):
        assert acc == (C[t][t] / sum(C[t]) if sum(C[t]) else None)


def test_format_confusion_marks_a_class_without_samples():
    text = format_confusion([[3, 1, 0], [0, 0, 0], [0, 200, 1000]])
    lines = text.splitlines()
    assert lines[0].split() == ["true", "\\", "predicted", "0", "1", "2", "accuracy"]
    assert lines[1].split() == ["0", "3", "1", "0", "75.00%"]
    assert lines[2].split() == ["1", "0", "0", "0", "-"]
    assert lines[3].endswith("83.33%") and len({len(line) for line in lines}) == 1  # columns line up


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_draws_only_on_a_terminal_and_wipes_itself():
    log = io.StringIO()
    progress_line(log, 100, "evaluating")(50)
    assert log.getvalue() == ""
    tty = Terminal()
    draw = progress_line(tty, 100, "evaluating")
    draw(50)
    assert tty.getvalue() == "\revaluating [##########..........]     50/100 test digits "
    draw(100)
    assert tty.getvalue().endswith("\r" + " " * 100 + "\r")
