"""A comparison page: the loss and test-accuracy curves of several training runs, overlaid.

The optimizer figure of the textbooks, made from real runs: train the same
network with --optimizer sgd, momentum and adam, and see which falls faster.
Each run is named by what differs between them (the arguments of nnloop
train that are not the same in every run), so the legend reads
"optimizer=adam, learning_rate=0.001" rather than a file name. The page is
self-contained, well-formed XHTML like the report (nnloop.tools.page).
"""
from xml.sax.saxutils import escape

from ..errors import NnloopError
from ..files import modelfile
from . import svg
from .page import page, section

IGNORED = ("data", "workers", "reproducible")  # how a run was carried out, not what it learned
LEGEND = 330  # pixels for the run names beside each chart


def run_names(arguments):
    """For each run's arguments, the 'name=value' of those that differ between runs.

    >>> run_names([{"optimizer": "sgd", "seed": 0, "eta": 0.1}, {"optimizer": "adam", "seed": 0, "eta": 0.001}])
    ['optimizer=sgd, eta=0.1', 'optimizer=adam, eta=0.001']
    """
    keys = sorted({key for a in arguments for key in a} - set(IGNORED), key=lambda key: (key != "optimizer", key))
    differing = [key for key in keys if len({repr(a.get(key)) for a in arguments}) > 1]
    names = [", ".join(f"{key}={a.get(key)}" for key in differing) for a in arguments]
    return [name or f"run {n + 1}" for n, name in enumerate(names)]


def write_compare(model_paths, html_path):
    """Read the model files and write the page to html_path; return the run names."""
    histories, arguments = [], []
    for path in model_paths:
        _, training = modelfile.read(path)
        if not training or not training.get("history"):
            raise NnloopError(f"{path} has no training history: only models from nnloop train can be compared")
        histories.append(training["history"])
        arguments.append(training.get("arguments") or {})
    names = run_names(arguments)
    loss = [(name, [(e["epoch"], e["loss"]) for e in history]) for name, history in zip(names, histories)]
    test = [(name, [(e["epoch"], 100 * e["test_accuracy"]) for e in history])
            for name, history in zip(names, histories)]
    losses = [y for _, points in loss for _, y in points]
    rows = [
        section("loss", "Training loss per epoch", "The mean loss over the training digits in each epoch, "
                "measured on each digit as it was trained: the lower and the sooner, the faster the run learns.",
                svg.chart(loss, 900, 300, "epoch", "loss", y_range=svg.span([0.0] + losses, False), legend=LEGEND)),
        section("accuracy", "Test accuracy per epoch", "The percentage of the test digits, which no run learns "
                "from, classified right after each epoch.",
                svg.chart(test, 900, 300, "epoch", "test accuracy (%)", legend=LEGEND)),
    ]
    finals = "; ".join(f"{name}: {100 * history[-1]['test_accuracy']:.2f}%"
                       for name, history in zip(names, histories))
    title = "nnloop compare: " + ", ".join(model_paths)
    body = (svg.element("h1", escape(title)) +
            svg.element("p", escape(f"{len(model_paths)} runs, named by what differs between them. "
                                    f"Final test accuracy: {finals}.")) + "".join(rows))
    svg.save(html_path, page(title, body))
    return names
