"""Data parallelism: each minibatch's samples shared out over processes.

A minibatch of n samples is cut into N contiguous shares, one per process.
The parent process is worker 0; worker processes 1..N-1 each receive the
current weights and the indices of their share, run the very same forward
and backward loops over it (training.accumulate), and send back their
share's sums of dW and dB while the parent works on share 0. The shares are
then added in worker order, 0, 1, ..., N-1: for a fixed N the result is the
same run after run. Against one process only the grouping of the additions
differs, which moves a gradient by rounding error (about 1e-15 relative).
Dropout masks too are the ones one process would draw: each sample's come
from a seed of the run and the sample's position in the epoch
(training.run_epoch), and each worker is told the seed of its share's first.

Worker processes start once per run and are forked, so that they inherit
the training digits instead of receiving them; each minibatch then costs
two messages per worker: the weights out, the gradient sums back, as raw
doubles, packed into and read from one array of doubles that each side
allocates once. They ignore Ctrl-C, which the parent handles (keeping the last
checkpoint, nnloop.cli.trainer), and the parent ends them when the run ends.
A worker that dies or fails ends the run with an NnloopError.
"""
import multiprocessing
import signal
import sys
from array import array

from ..errors import NnloopError
from ..lists import rows
from ..network import Gradients, NodeValues
from .dropout import with_dropout
from .training import accumulate

# How pack, unpack and add_packed copy a row: PyPy compiles an index loop into a plain copy (2 to 8 times faster
# than its array.fromlist or slices), while CPython runs such a loop value by value and copies fastest through
# array's own methods (2 to 3 times faster than the loop), so each takes the way that is fast where it runs.
COMPILED = sys.implementation.name == "pypy"


class WorkerPool:
    """workers - 1 worker processes that train on shares of minibatches of samples.

    samples is what run_epoch trains on (len() and samples[i] == (x, T));
    net gives the architecture: the weights travel with every minibatch.
    dropout is the P of run_epoch's dropout (--dropout), which the workers
    train with too.
    """

    def __init__(self, net, samples, workers, dropout=0.0):
        if workers < 2:
            raise NnloopError(f"a pool needs 2 or more workers, got {workers}: train with no pool for 1")
        if "fork" not in multiprocessing.get_all_start_methods():
            raise NnloopError("--workers needs processes started by fork (Linux, macOS): use --workers 1 here")
        context = multiprocessing.get_context("fork")
        self.samples = samples
        net = with_dropout(net, dropout)  # the network run_epoch trains, which the workers must run too
        self.v = NodeValues(net)
        self.flat = packed_array(net)  # the weights going out, then each worker's sums coming back
        self.connections, self.processes = [], []
        self.busy = False
        for n in range(1, workers):
            here, there = context.Pipe()
            process = context.Process(target=work, args=(there, net, samples), name=f"nnloop worker {n}",
                                      daemon=True)
            process.start()
            there.close()
            self.connections.append(here)
            self.processes.append(process)

    def accumulate(self, net, indices, g, seed=None):
        """Add the dW and dB sums of samples[i] for i in indices into g; return (loss sum, hits).

        As training.accumulate over the same samples, with the work shared;
        seed is that of the first sample's masks, sample n's is seed + n.
        """
        shares = split(indices, len(self.processes) + 1)
        pack(net.W, net.B, self.flat)
        self.busy = True
        first = len(shares[0])  # the position in indices of share n's first sample
        for n, connection in enumerate(self.connections, start=1):
            self.talk(n, connection.send, (shares[n], None if seed is None else seed + first))
            self.talk(n, connection.send_bytes, self.flat)
            first += len(shares[n])
        loss_sum, hits = accumulate(net, [self.samples[i] for i in shares[0]], g, self.v, seed)
        for n, connection in enumerate(self.connections, start=1):
            reply = self.talk(n, connection.recv)
            if reply[0] == "failed":
                raise NnloopError(f"worker {n} failed: {reply[1]}")
            loss_sum += reply[1]
            hits += reply[2]
            self.talk(n, connection.recv_bytes_into, self.flat)
            add_packed(g, self.flat)
        self.busy = False
        return loss_sum, hits

    def talk(self, n, action, *message):
        """One send or receive with worker n, turning a dead worker into an NnloopError."""
        try:
            return action(*message)
        except (EOFError, OSError):
            self.processes[n - 1].join(1)
            raise NnloopError(f"worker {n} stopped unexpectedly (exit status {self.processes[n - 1].exitcode}); "
                              f"run again, or with --workers 1") from None

    def close(self):
        """End the worker processes: at once if they are in the middle of a minibatch."""
        for connection, process in zip(self.connections, self.processes):
            if self.busy:
                process.terminate()
            else:
                try:
                    connection.send(None)
                except OSError:
                    pass  # it has already gone
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join()
            connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()


def work(connection, net, samples):
    """A worker process: for each (indices, weights) received, send back its share's sums."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    g, v = Gradients(net), NodeValues(net)
    flat = packed_array(net)
    while True:
        message = connection.recv()
        if message is None:
            return
        indices, seed = message
        connection.recv_bytes_into(flat)
        unpack(net.W, net.B, flat)
        try:  # g is all 0 here: the last pack cleared it
            loss_sum, hits = accumulate(net, [samples[i] for i in indices], g, v, seed)
        except Exception as e:  # reported to the parent, which ends the run with the message
            connection.send(("failed", f"{type(e).__name__}: {e}"))
            return
        connection.send(("done", loss_sum, hits))
        pack(g.dW, g.dB, flat, clear=True)
        connection.send_bytes(flat)


def split(indices, N):
    """indices cut into N contiguous shares whose lengths differ by at most 1.

    >>> split([7, 3, 5, 1, 9], 2)
    [[7, 3, 5], [1, 9]]
    """
    q, r = divmod(len(indices), N)
    shares, start = [], 0
    for n in range(N):
        end = start + q + (n < r)
        shares.append(indices[start:end])
        start = end
    return shares


def packed_rows(M, V):
    """The lists of M[k][j][i] and V[k][j] in the order pack writes them.

    Layer by layer, k = 1..L: the rows of M[k] (its innermost lists, whatever its shape), then V[k].
    """
    for k in range(1, len(M)):
        yield from rows(M[k])
        yield V[k]


def packed_array(net):
    """An array of as many doubles as net has weights and biases: what pack fills and unpack reads."""
    return array("d", bytes(8 * sum(len(row) for row in packed_rows(net.W, net.B))))


def pack(M, V, flat, clear=False):
    """Copy M[k][j][i] and V[k][j] (weights and biases, or dW and dB) into the array flat, in packed_rows order.

    clear: set each value to 0.0 once copied (a worker's gradient sums, used up by the parent).

    >>> flat = array("d", bytes(8 * 3))
    >>> dW, dB = [[], [[1.0, 2.0]]], [[], [3.0]]
    >>> pack(dW, dB, flat, clear=True)
    >>> flat.tolist(), dW, dB
    ([1.0, 2.0, 3.0], [[], [[0.0, 0.0]]], [[], [0.0]])
    """
    o = 0
    for row in packed_rows(M, V):
        if COMPILED:
            for i in range(len(row)):
                flat[o + i] = row[i]
            if clear:
                for i in range(len(row)):
                    row[i] = 0.0
        else:
            flat[o:o + len(row)] = array("d", row)
            if clear:
                row[:] = [0.0] * len(row)  # as nnloop.lists.clear: the list stays, its values are 0.0
        o += len(row)


def unpack(M, V, flat):
    """Overwrite M and V, in place, with the values pack(M, V, flat) wrote into flat."""
    o = 0
    for row in packed_rows(M, V):
        if COMPILED:
            for i in range(len(row)):
                row[i] = flat[o + i]
        else:
            row[:] = flat[o:o + len(row)].tolist()
        o += len(row)


def add_packed(g, flat):
    """Add the dW and dB sums that pack wrote into flat into g's accumulators.

    >>> g = Gradients([2, 1])
    >>> g.dW[1][0][1] = 1.5
    >>> flat = array("d", bytes(8 * 3))
    >>> pack([[], [[1.0, 2.0]]], [[], [3.0]], flat)
    >>> add_packed(g, flat)
    >>> g.dW[1], g.dB[1]
    ([[1.0, 3.5]], [3.0])
    """
    o = 0
    for row in packed_rows(g.dW, g.dB):
        if COMPILED:
            for i in range(len(row)):
                row[i] += flat[o + i]
        else:
            share = flat[o:o + len(row)]  # the row's slice, one copy in C, so that the loop indexes both alike
            for i in range(len(row)):
                row[i] += share[i]
        o += len(row)
