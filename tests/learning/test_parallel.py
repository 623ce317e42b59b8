"""Data parallelism: worker processes give the gradients, test counts and gradient probe one process gives."""
import multiprocessing
import os
import signal
import socket
import threading
import time
from array import array

import pytest

from nnloop.errors import NnloopError
from nnloop.files.modelfile import read
from nnloop.learning.evaluation import confusion_matrix
from nnloop.learning.parallel import WorkerPool, receive_doubles, send_doubles, split
from nnloop.learning.recipe import Recipe
from nnloop.learning.training import accumulate, run_epoch
from nnloop.lists import rows
from nnloop.network import Gradients, Network, NodeValues
from nnloop.rng import Random

from conftest import start_nnloop


@pytest.fixture(scope="module")
def digits(real_mnist):
    return real_mnist[0].first(200)


def deep_net():
    return Network([784, 24, 12, 10], ["relu", "tanh", "softmax"], "cross_entropy", seed=5)


def assert_close(g, h, rel=1e-12):
    """Every value of dW[k] and dB[k] (a dense layer's or a convolution's) of g equals h's to rel, relative."""
    assert len(g.dW) == len(h.dW)
    for k in range(1, len(g.dW)):
        g_rows, h_rows = list(rows(g.dW[k])) + [g.dB[k]], list(rows(h.dW[k])) + [h.dB[k]]
        assert list(map(len, g_rows)) == list(map(len, h_rows)), k
        for g_row, h_row in zip(g_rows, h_rows):
            for a, b in zip(g_row, h_row):
                assert abs(a - b) <= rel * max(abs(a), abs(b)), (k, a, b)


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("batch", [1, 2, 7, 64])
def test_workers_gradients_equal_one_process_gradients(digits, workers, batch):
    net = deep_net()
    indices = list(range(50, 50 + batch))
    alone = Gradients(net.sizes)
    loss, hits = accumulate(net, [digits[i] for i in indices], alone, NodeValues(net.sizes))
    shared = Gradients(net.sizes)
    with WorkerPool(net, digits, workers) as pool:
        pool_loss, pool_hits = pool.accumulate(net, indices, shared)
    assert pool_hits == hits and abs(pool_loss - loss) <= 1e-12 * loss
    assert_close(shared, alone)
    assert any(d != 0.0 for row in shared.dW[1] for d in row)  # the comparison compared something


def test_workers_see_the_weights_of_every_step(digits):
    """After an SGD step in the parent, the workers' gradients follow the new weights."""
    net = deep_net()
    with WorkerPool(net, digits, 2) as pool:
        for step in range(3):
            alone, shared = Gradients(net.sizes), Gradients(net.sizes)
            indices = list(range(10 * step, 10 * step + 10))
            accumulate(net, [digits[i] for i in indices], alone, NodeValues(net.sizes))
            pool.accumulate(net, indices, shared)
            assert_close(shared, alone)
            net.W[1][0][300] += 0.5  # a change only the weights sent with the next batch carry
            for W_kj in net.W[2]:
                W_kj[3] -= 0.25


@pytest.mark.parametrize("workers", [2, 3])
def test_a_fixed_number_of_workers_gives_the_same_training_every_run(digits, workers):
    def weights_after_training():
        net = deep_net()
        with WorkerPool(net, digits, workers) as pool:
            losses = [run_epoch(net, digits, 16, 0.1, Random(9), pool=pool) for _ in range(2)]
        return losses, net.W, net.B

    first = weights_after_training()
    assert weights_after_training() == first  # bit for bit


def test_training_with_workers_matches_one_process_up_to_rounding(digits):
    alone, shared = deep_net(), deep_net()
    loss_alone = run_epoch(alone, digits, 32, 0.1, Random(4))
    with WorkerPool(shared, digits, 2) as pool:
        loss_shared = run_epoch(shared, digits, 32, 0.1, Random(4), pool=pool)
    assert loss_shared[1] == loss_alone[1]
    assert abs(loss_shared[0] - loss_alone[0]) < 1e-12
    for k in range(1, alone.L + 1):
        for W_kj, V_kj in zip(alone.W[k], shared.W[k]):
            assert max(abs(a - b) for a, b in zip(W_kj, V_kj)) < 1e-12


def test_a_dead_worker_ends_the_run_with_a_clear_error(digits):
    net = deep_net()
    with WorkerPool(net, digits, 2) as pool:
        pool.processes[0].kill()
        pool.processes[0].join()
        with pytest.raises(NnloopError, match=r"worker 1 stopped unexpectedly \(exit status -9\)"):
            pool.accumulate(net, list(range(8)), Gradients(net.sizes))


def test_a_failing_worker_reports_why(digits):
    net = deep_net()
    samples = [digits[i] for i in range(8)] + [([0.5] * 3, digits[8][1])]  # the last input is too short
    with WorkerPool(net, samples, 2) as pool:
        with pytest.raises(NnloopError, match="worker 1 failed: NnloopError: input has 3 values"):
            pool.accumulate(net, list(range(9)), Gradients(net.sizes))


@pytest.fixture(scope="module")
def test_digits(real_mnist):
    return real_mnist[1].first(101)  # 101: shares of unequal lengths for 2 and 3 workers


def small_convnet():
    return Recipe(layers="conv2x5s3,maxpool2,dense8", seed=3).new_network((1, 28, 28), 10)


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("make_net", [deep_net, small_convnet])
def test_the_pools_test_pass_counts_what_one_process_counts(digits, test_digits, workers, make_net):
    net = make_net()
    with WorkerPool(net, digits, workers, test=test_digits) as pool:
        run_epoch(net, digits, 20, 0.1, Random(2), pool=pool)  # weights the workers learn only from the test pass
        shared = pool.confusion_matrix(net, 10)
    assert shared == confusion_matrix(net, test_digits, 10)
    assert sum(map(sum, shared)) == len(test_digits)
    assert sum(1 for p in range(10) if any(row[p] for row in shared)) >= 2  # the net tells some digits apart


def test_the_pools_test_pass_reports_progress_on_its_share_then_the_whole(digits, test_digits):
    net, calls = deep_net(), []
    with WorkerPool(net, digits, 2, test=test_digits) as pool:
        pool.confusion_matrix(net, 10, calls.append)
    assert calls == [0, 51, 101]  # the parent's share, 51 digits, then all of them


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("make_net", [deep_net, small_convnet])
def test_the_pools_gradient_probe_is_net_gradients_up_to_rounding(digits, workers, make_net):
    net = make_net()
    with WorkerPool(net, digits, workers) as pool:
        run_epoch(net, digits, 20, 0.1, Random(2), pool=pool)
        shared = pool.gradients(net, list(range(150)))
    alone = net.gradients([digits[i] for i in range(150)])
    assert_close(shared, alone)
    means = alone.mean_abs_dW()
    assert means[0] > 0.0 and means[-1] > 0.0  # 0.0 between them only for a layer without weights (maxpool)
    for a, b in zip(shared.mean_abs_dW(), means):
        assert abs(a - b) <= 1e-12 * b


def test_the_gradient_probe_after_dropout_training_draws_no_masks(digits):
    """The probe evaluates the network: the generators of the last training batch's masks must not carry over."""
    net = deep_net()
    with WorkerPool(net, digits, 2, dropout=0.5) as pool:
        run_epoch(net, digits, 20, 0.1, Random(2), pool=pool, dropout=0.5)
        shared = pool.gradients(net, list(range(60)))
    alone = net.gradients([digits[i] for i in range(60)])
    assert len(shared.dW) == len(alone.dW) == net.L + 1  # net's layers, not those of the dropout network trained
    assert_close(shared, alone)


def test_a_worker_dead_in_the_test_pass_gives_the_clear_error(digits, test_digits):
    net = deep_net()
    with WorkerPool(net, digits, 2, test=test_digits) as pool:
        pool.processes[0].kill()
        pool.processes[0].join()
        with pytest.raises(NnloopError, match=r"worker 1 stopped unexpectedly \(exit status -9\)"):
            pool.confusion_matrix(net, 10)


def test_a_worker_failing_in_the_test_pass_reports_why(digits, test_digits):
    net = deep_net()
    test = [test_digits[i] for i in range(8)] + [([0.5] * 3, test_digits[8][1])]  # the last input is too short
    with WorkerPool(net, digits, 2, test=test) as pool:
        with pytest.raises(NnloopError, match="worker 1 failed: NnloopError: input has 3 values"):
            pool.confusion_matrix(net, 10)


def test_a_pool_without_test_digits_refuses_a_test_pass(digits):
    net = deep_net()
    with WorkerPool(net, digits, 2) as pool:
        with pytest.raises(NnloopError, match="without test digits"):
            pool.confusion_matrix(net, 10)


def test_an_array_of_doubles_arrives_whole_between_messages():
    """Raw bytes and pickled messages share one connection, in the order they were sent; an array larger than
    a socket's buffer arrives whole (sent from a thread, as another process would)."""
    here, there = multiprocessing.get_context("fork").Pipe()
    sent = array("d", [0.5 * i - 1e300 * (i % 7 == 3) for i in range(100_000)])  # 800 KB, with huge values
    received = array("d", bytes(8 * len(sent)))

    def other_end():
        there.send(("accumulate", [1, 2], None))
        send_doubles(there, sent)
        there.send(("done", 1.5, 2))

    thread = threading.Thread(target=other_end)
    thread.start()
    assert here.recv() == ("accumulate", [1, 2], None)
    receive_doubles(here, received)
    assert here.recv() == ("done", 1.5, 2)
    thread.join()
    assert received == sent


def test_an_array_cut_short_by_the_other_end_going_away_is_an_eoferror():
    """What the pool's talk turns into "worker n stopped unexpectedly": never a half-filled array taken for whole."""
    here, there = multiprocessing.get_context("fork").Pipe()
    raw = socket.socket(fileno=there.fileno())
    raw.sendall(bytes(8 * 10))  # 10 of the 20 doubles, and then the other end goes away
    raw.detach()  # the connection owns the descriptor, and closes it
    there.close()
    with pytest.raises(EOFError):
        receive_doubles(here, array("d", bytes(8 * 20)))


def test_split_keeps_order_and_balances():
    for n in range(0, 20):
        for N in range(1, 5):
            shares = split(list(range(n)), N)
            assert len(shares) == N and sum(shares, []) == list(range(n))
            assert max(map(len, shares)) - min(map(len, shares)) <= 1


def children_of(pid):
    """Process ids whose parent is pid (Linux /proc)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


def start_training(model, data, *options):
    process = start_nnloop("train", "--data", data, "-o", model, "--epochs", "1000", "--hidden", "16",
                           "--workers", "2", *options)
    deadline = time.time() + 120
    while not model.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert model.exists(), "no checkpoint after two minutes"
    workers = children_of(process.pid)
    assert len(workers) == 1
    return process, workers[0]


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="finds the worker processes in Linux's /proc")
def test_ctrl_c_with_workers_keeps_the_checkpoint_and_leaves_no_process(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    process, worker = start_training(model, small_mnist)
    for pid in (process.pid, worker):  # as Ctrl-C in a terminal: to every process of the foreground group
        os.kill(pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted in epoch" in out
    assert not os.path.exists(f"/proc/{worker}")
    assert epochs_done(model) >= 1


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="finds the worker processes in Linux's /proc")
def test_a_worker_killed_mid_run_ends_it_cleanly_with_the_checkpoint_kept(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    process, worker = start_training(model, small_mnist)
    os.kill(worker, signal.SIGKILL)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "worker 1 stopped unexpectedly" in lines[0] and "keeps epoch" in lines[0], err
    assert epochs_done(model) >= 1


def epochs_done(model):
    return read(str(model))[1]["epochs_done"]
