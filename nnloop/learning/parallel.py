"""Data parallelism: each minibatch's samples, and each epoch's test pass and gradient probe, shared out over processes.

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

After each epoch the test pass (confusion_matrix) is shared the same way:
each process counts C[t][p] over its share of the test digits, and the
parent adds the counts, integers, so the matrix is exactly one process's.
The gradient probe (gradients) is accumulate over the probe's digits with
no dropout masks, divided by their number: net.gradients up to rounding.

Worker processes start once per run and are forked, so that they inherit
the training and test digits instead of receiving them. Each task costs two
messages out per worker: which task, with its share's indices, then the
weights, as raw doubles, packed into one array of doubles that each side
allocates once and sent as its bytes (send_doubles). A worker sends back ("done", ...) with its share's result:
for "accumulate" the loss sum and hits, then the gradient sums in that same
array; for "confusion_matrix" its counts C. Workers ignore Ctrl-C, which the
parent handles (keeping the last checkpoint, nnloop.cli.trainer), and the
parent ends them when the run ends. A worker that dies or fails ends the run
with an NnloopError.
"""
import multiprocessing
import signal
import socket
import sys
from array import array

from .. import lists
from ..errors import NnloopError
from ..lists import overwrite, rows
from ..network import Gradients, NodeValues
from .dropout import gradients_of, with_dropout
from .evaluation import confusion_matrix
from .training import accumulate

# How pack, unpack and add_packed copy a row: PyPy compiles an index loop into a plain copy (2 to 8 times faster
# than its array.fromlist or slices), while CPython runs such a loop value by value and copies fastest through
# array's own methods (2 to 3 times faster than the loop), so each takes the way that is fast where it runs.
COMPILED = sys.implementation.name == "pypy"


class WorkerPool:
    """workers - 1 worker processes that train on shares of minibatches of samples, and test on shares of test.

    samples is what run_epoch trains on (len() and samples[i] == (x, T));
    test, if given, the test digits of confusion_matrix, alike;
    net gives the architecture: the weights travel with every task.
    dropout is the P of run_epoch's dropout (--dropout), which the workers
    train with too.
    """

    def __init__(self, net, samples, workers, dropout=0.0, test=None):
        if workers < 2:
            raise NnloopError(f"a pool needs 2 or more workers, got {workers}: train with no pool for 1")
        if "fork" not in multiprocessing.get_all_start_methods():
            raise NnloopError("--workers needs processes started by fork (Linux, macOS): use --workers 1 here")
        context = multiprocessing.get_context("fork")
        self.samples, self.test, self.dropout = samples, test, dropout
        net = with_dropout(net, dropout)  # the network run_epoch trains, which the workers must run too
        self.v = NodeValues(net)
        self.flat = packed_array(net)  # the weights going out, then each worker's sums coming back
        self.connections, self.processes = [], []
        self.busy = False
        for n in range(1, workers):
            here, there = context.Pipe()
            process = context.Process(target=work, args=(there, net, samples, test), name=f"nnloop worker {n}",
                                      daemon=True)
            process.start()
            there.close()
            self.connections.append(here)
            self.processes.append(process)

    def accumulate(self, net, indices, g, seed=None):
        """Add the dW and dB sums of samples[i] for i in indices into g; return (loss sum, hits).

        As training.accumulate over the same samples, with the work shared;
        seed is that of the first sample's masks, sample n's is seed + n
        (None: no masks). net is the network run_epoch trains (with_dropout).
        """
        shares = split(indices, len(self.processes) + 1)
        tasks, first = [], len(shares[0])  # first: the position in indices of share n's first sample
        for share in shares[1:]:
            tasks.append(("accumulate", share, None if seed is None else seed + first))
            first += len(share)
        self.send_out(net, tasks)
        loss_sum, hits = accumulate(net, (self.samples[i] for i in shares[0]), g, self.v, seed)
        for n in range(1, len(shares)):
            share_loss, share_hits = self.reply(n)
            loss_sum += share_loss
            hits += share_hits
            self.talk(n, receive_doubles, self.connections[n - 1], self.flat)
            add_packed(g, self.flat)
        self.busy = False
        return loss_sum, hits

    def gradients(self, net, indices):
        """The mean gradients of the loss over samples[i] for i in indices, as net.gradients gives them.

        No dropout masks (net.gradients' seed None), the work shared: the
        sums are grouped by share, so the means differ from one process's
        by rounding error only.
        """
        trained = with_dropout(net, self.dropout)  # the network the workers hold: net's layers, and dropout's
        g = Gradients(trained)
        self.accumulate(trained, indices, g)
        g.scale(1.0 / len(indices))
        return gradients_of(net, trained, g)

    def confusion_matrix(self, net, classes, progress=None):
        """C[t][p] over the test digits, as evaluation.confusion_matrix(net, test, classes) counts it.

        progress is called on the parent's share as confusion_matrix calls
        it, so it reaches only that share's count; then with len(test) once
        all shares are in.
        """
        if self.test is None:
            raise NnloopError("this pool was made without test digits: pass test= to WorkerPool")
        shares = split(list(range(len(self.test))), len(self.processes) + 1)
        self.send_out(net, [("confusion_matrix", share, classes) for share in shares[1:]])
        C = confusion_matrix(net, Share(self.test, shares[0]), classes, progress)
        for n in range(1, len(shares)):
            C_n = self.reply(n)[0]  # worker n's counts
            for t in range(classes):
                for p in range(classes):
                    C[t][p] += C_n[t][p]
        self.busy = False
        if progress is not None:
            progress(len(self.test))
        return C

    def send_out(self, net, tasks):
        """Send worker n its task, tasks[n - 1], then net's current weights: the one place weights go out."""
        pack(net.W, net.B, self.flat)
        self.busy = True
        for n, (connection, task) in enumerate(zip(self.connections, tasks), start=1):
            self.talk(n, connection.send, task)
            self.talk(n, send_doubles, connection, self.flat)

    def reply(self, n):
        """What worker n sent back after "done"; a worker that failed becomes an NnloopError."""
        reply = self.talk(n, self.connections[n - 1].recv)
        if reply[0] == "failed":
            raise NnloopError(f"worker {n} failed: {reply[1]}")
        return reply[1:]

    def talk(self, n, action, *message):
        """One send or receive with worker n, turning a dead worker into an NnloopError."""
        try:
            return action(*message)
        except (EOFError, OSError):
            self.processes[n - 1].join(1)
            raise NnloopError(f"worker {n} stopped unexpectedly (exit status {self.processes[n - 1].exitcode}); "
                              f"run again, or with --workers 1") from None

    def close(self):
        """End the worker processes: at once if they are in the middle of a task."""
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


def work(connection, net, samples, test):
    """A worker process: for each task and the weights received, send back its share's result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    g, v = Gradients(net), NodeValues(net)
    flat = packed_array(net)
    while True:
        message = connection.recv()
        if message is None:
            return
        task, indices, extra = message  # extra: the seed of the share's first sample, or the number of classes
        receive_doubles(connection, flat)
        unpack(net.W, net.B, flat)
        try:  # g is all 0 here: the last pack cleared it
            if task == "accumulate":
                reply = ("done", *accumulate(net, (samples[i] for i in indices), g, v, extra))
            else:
                reply = ("done", confusion_matrix(net, Share(test, indices), extra))
        except Exception as e:  # reported to the parent, which ends the run with the message
            connection.send(("failed", f"{type(e).__name__}: {e}"))
            return
        connection.send(reply)
        if task == "accumulate":
            pack(g.dW, g.dB, flat, clear=True)
            send_doubles(connection, flat)


class Share:
    """samples[i] for i in indices, each read when asked for: a share of the test digits, not a copy of it
    (5,000 digits as lists of floats are 31 MB).

    >>> share = Share(["a", "b", "c", "d"], [1, 3])
    >>> len(share), share[1], list(share)
    (2, 'd', ['b', 'd'])
    """

    def __init__(self, samples, indices):
        self.samples, self.indices = samples, indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, n):
        return self.samples[self.indices[n]]

    def __repr__(self):
        return f"Share of {len(self.indices)} of {len(self.samples)} samples"


def send_doubles(connection, flat):
    """Send the array of doubles flat down connection (a Pipe's end, a Unix socket) as its raw bytes.

    Straight from the array's memory through the socket under the connection: Connection.send_bytes and
    recv_bytes_into copy the bytes on the way, and a round trip of 240 KB (the README convnet's weights out,
    its gradient sums back) took 1.4 ms under PyPy and 0.5 ms under CPython that way, 0.2 and 0.1 ms this way.
    """
    line = socket.socket(fileno=connection.fileno())
    try:
        line.sendall(flat)
    finally:
        line.detach()  # the connection keeps its file descriptor


def receive_doubles(connection, flat):
    """Fill the array flat with the bytes send_doubles sent down the other end of connection."""
    line = socket.socket(fileno=connection.fileno())
    try:
        view = memoryview(flat).cast("B")
        got = line.recv_into(flat, len(view), socket.MSG_WAITALL)  # one call that waits for all of them
        while got < len(view):  # cut short: by a signal, or by the other end going away
            rest = line.recv(len(view) - got)
            if not rest:
                raise EOFError("the other end closed the connection")
            view[got:got + len(rest)] = rest
            got += len(rest)
    finally:
        line.detach()


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
        else:
            flat[o:o + len(row)] = array("d", row)
        if clear:
            lists.clear(row)  # the list stays, its values are 0.0
        o += len(row)


def unpack(M, V, flat):
    """Overwrite M and V, in place, with the values pack(M, V, flat) wrote into flat."""
    o = 0
    for row in packed_rows(M, V):
        if COMPILED:
            for i in range(len(row)):
                row[i] = flat[o + i]
        else:
            overwrite(row, flat[o:o + len(row)].tolist())
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
