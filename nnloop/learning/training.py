"""Learning: minibatch stochastic gradient descent.

Read top-down, this is the algorithm. Every epoch shuffles the order of the
samples and walks through it batch_size samples at a time; every minibatch
adds each sample's dW and dB into the gradient accumulators (forward, then
backward, one sample at a time), and then moves every parameter against
the mean gradient, clearing each accumulator as it uses it:

    W[k][j][i] -= eta * dW[k][j][i] / batch_size
    B[k][j]    -= eta * dB[k][j] / batch_size

batch_size 1 is online learning, batch_size = len(samples) full-batch
gradient descent. That step is plain SGD, the default optimizer; pass an
optimizer of nnloop.learning.optimizers (momentum, Adam, ...) to take another one.

>>> xor = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]
>>> from nnloop.network import Network
>>> net = Network([2, 4, 1], ["tanh", "sigmoid"], "mse", seed=3)
>>> losses = train(net, xor, epochs=2000, batch_size=4, eta=2.0, seed=3)
>>> losses[-1] < 0.01 < losses[0]
True
>>> [round(net.forward(x)[0]) for x, T in xor]
[0, 1, 1, 0]
"""
import math

from ..errors import NnloopError
from ..network import Gradients, NodeValues, check_samples
from ..rng import Random
from .dropout import gradients_of, with_dropout
from .evaluation import predicted_class
from .optimizers import SGD
from .recipe import SETTINGS


def train(net, samples, epochs, batch_size, eta, seed=0, optimizer=None, dropout=0.0, schedule=None):
    """Train net on a list of (x, T) pairs; return each epoch's mean loss.

    The sample order of every epoch is shuffled by a Random(seed), the
    seeds of the dropout masks drawn from a Random(seed + 1). optimizer (default plain
    SGD) takes each step; dropout is P of nnloop.learning.dropout (0: none);
    schedule, if given, is schedule(e) -> eta of epoch e = 0, 1, ...
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("eta", eta), ("seed", seed),
                        ("dropout", dropout)):
        SETTINGS[name].check(value)
    check_samples(samples)
    rng, dropout_rng = Random(seed), Random(seed + 1)
    optimizer = optimizer or SGD(net)
    losses = []
    for e in range(epochs):
        eta_e = schedule(e) if schedule else eta
        try:
            SETTINGS["eta"].check(eta_e)
        except NnloopError as error:
            raise NnloopError(f"the schedule's eta of epoch {e}: {error}") from None
        losses.append(run_epoch(net, samples, batch_size, eta_e, rng, optimizer=optimizer, dropout=dropout,
                                dropout_rng=dropout_rng)[0])
    return losses


def run_epoch(net, samples, batch_size, eta, rng, pool=None, progress=None, optimizer=None, dropout=0.0,
              dropout_rng=None):
    """One pass over samples in an order shuffled by rng.

    Returns (mean loss, accuracy), both running: measured on each sample as
    it was trained, before its minibatch's update. samples is anything with
    len() and samples[i] == (x, T). pool, if given, spreads each minibatch
    over worker processes (nnloop.learning.parallel); progress, if given, is called
    as progress(samples_done, loss_sum) after each minibatch. optimizer
    (default plain SGD) takes each minibatch's step with learning rate eta;
    dropout P > 0 trains net as if a dropout layer followed each hidden
    layer (nnloop.learning.dropout.with_dropout; pool must be made with the same P).

    Dropout masks, of dropout layers in net or of dropout P: the epoch
    draws one seed from dropout_rng (from rng if not given), and the sample
    at position p of the epoch's order draws its masks from Random(seed + p).
    The masks depend on the run and the positions only, so a pool of any
    size trains with the very masks one process would.
    Raises NnloopError as soon as the loss stops being a finite number.
    """
    optimizer = optimizer or SGD(net)
    trained = with_dropout(net, dropout)  # net itself, unless dropout P > 0
    order = list(range(len(samples)))
    rng.shuffle(order)
    g = Gradients(trained)
    g_net = gradients_of(net, trained, g)  # the same lists, as the optimizer of net reads them
    v = NodeValues(trained)
    epoch_seed = (dropout_rng or rng).next_u64() if v.drops() else None
    loss_sum, hits = 0.0, 0
    for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]  # g is all 0 here: the last step cleared it
        seed = None if epoch_seed is None else epoch_seed + start  # that of the batch's first sample
        if pool is None:
            # each sample made when its turn comes: a list of the minibatch's inputs (200 KB at batch 32)
            # would keep them all alive, and PyPy's garbage collector would copy them
            batch_loss, batch_hits = accumulate(trained, (samples[i] for i in indices), g, v, seed)
        else:
            batch_loss, batch_hits = pool.accumulate(trained, indices, g, seed)
        if math.isinf(batch_loss):
            raise NnloopError(f"training diverged: the loss became infinite or NaN; "
                              f"try a smaller learning rate than {eta:g}")
        optimizer.step(net, g_net, eta, len(indices))
        loss_sum += batch_loss
        hits += batch_hits
        if progress is not None:
            progress(start + len(indices), loss_sum)
    return loss_sum / len(samples), hits / len(samples)


def update_mini_batch(net, batch, eta, optimizer=None, dropout=0.0, dropout_rng=None):
    """One step (plain SGD unless optimizer says otherwise) on a list of (x, T) pairs; return their mean loss."""
    SETTINGS["eta"].check(eta)
    SETTINGS["dropout"].check(dropout)
    check_samples(batch)
    trained = with_dropout(net, dropout)
    g, v = Gradients(trained), NodeValues(trained)
    seed = (dropout_rng or Random(0)).next_u64() if v.drops() else None
    loss_sum, _ = accumulate(trained, batch, g, v, seed)
    (optimizer or SGD(net)).step(net, gradients_of(net, trained, g), eta, len(batch))
    return loss_sum / len(batch)


def accumulate(net, batch, g, v, seed=None):
    """Add each sample's dW and dB into g; return (sum of losses, hits).

    batch holds (x, T) pairs: a list, or anything that gives them in turn.
    One sample at a time: forward fills v.A and v.H, backward fills v.delta
    and adds H[k-1][i] * delta[k][j] into g.dW[k][j][i]. hits counts the
    samples whose largest output is where their target's largest value is.
    seed: sample n of the batch draws its dropout masks from Random(seed + n);
    None: no masks, dropout layers pass values through (as at evaluation).
    The loss sum is infinite as soon as one sample's loss broke down.
    """
    loss_sum, hits = 0.0, 0
    if seed is None:
        v.draw_masks(None)  # v may still hold the generator of an earlier batch's last sample
    for n, (x, T) in enumerate(batch):
        if seed is not None:
            v.draw_masks(Random(seed + n))
        Y = net.forward(x, v)
        loss = net.sample_loss(Y, T)
        if net.loss_function.broke_down(loss):  # NaN, or infinite: no gradient to follow
            return math.inf, hits
        loss_sum += loss
        hits += predicted_class(Y) == predicted_class(T)
        net.backward(v, T, g)
    return loss_sum, hits
