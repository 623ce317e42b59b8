"""nnloop.sizes: a network too large to be meant is refused before its lists are made; a large one is announced."""
import io
import os

import pytest

from nnloop import NnloopError
from nnloop.sizes import (MAX_NODES, MAX_PARAMETERS, check_network, check_nodes, check_workers, duration,
                          parameters)


def test_parameters_counts_every_W_k_j_i_and_B_k_j():
    # layer k has sizes[k] nodes of sizes[k-1] weights and one bias each
    assert parameters([3, 2, 1]) == 2 * (3 + 1) + 1 * (2 + 1)
    assert parameters([784, 100, 10]) == 79510
    assert parameters([5]) == 0


def test_a_normal_network_passes_in_silence():
    out = io.StringIO()
    check_network([784, 100, 10], "--hidden 100", samples=60000, out=out)
    assert out.getvalue() == ""


def test_a_large_network_is_announced_with_its_weights_memory_and_epoch_time():
    out = io.StringIO()
    check_network([784, 2000, 10], "--hidden 2000", samples=1000, out=out)
    line = out.getvalue()
    assert line.startswith("note: 784-2000-10 is a large network: 1,590,010 weights")
    assert "MB" in line and "per epoch here" in line
    out = io.StringIO()
    check_network([784, 2000, 10], "--hidden 2000", out=out)
    assert "per epoch" not in out.getvalue()  # no samples, no estimate


def test_too_many_weights_are_refused_naming_the_option_and_the_limit():
    with pytest.raises(NnloopError, match=r"^--hidden 20000 makes a 784-20000-10 network of 15,900,010 weights .* "
                                          r"nnloop stops at 10,000,000 weights"):
        check_network([784, 20000, 10], "--hidden 20000")


def test_feature_maps_count_as_nodes_and_given_weights_replace_the_dense_count():
    # a conv layer with few weights but huge maps: the nodes are the problem
    with pytest.raises(NnloopError, match="nnloop stops at 10,000,000 nodes"):
        check_network([(1, 28, 28), (20000, 24, 24), 10], "--layers conv20000x5", weights=1000)
    check_network([(1, 28, 28), (8, 24, 24), 10], "--layers conv8x5", weights=MAX_PARAMETERS, out=io.StringIO())


def test_a_long_network_is_named_by_its_ends():
    with pytest.raises(NnloopError, match=r"a 784-5000-\.\.\.-10 \(9 layers\) network"):
        check_network([784] + [5000] * 7 + [10], "--hidden ...")


def test_check_nodes_refuses_one_layer_over_the_limit():
    check_nodes(MAX_NODES, "the maps")
    with pytest.raises(NnloopError, match=r"^the maps hold 10,000,001 nodes"):
        check_nodes(MAX_NODES + 1, "the maps")


def test_check_workers_allows_four_per_core(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    check_workers(8)
    with pytest.raises(NnloopError, match=r"^--workers 9 is more than 4 processes per core \(this machine has 2\)"):
        check_workers(9)
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: one core
    with pytest.raises(NnloopError, match="use at most 4"):
        check_workers(5, "--workers")


def test_duration_words_seconds_minutes_and_hours():
    assert [duration(s) for s in (40, 119, 120, 7199, 7200, 12600)] == ["40 s", "119 s", "2 min", "120 min", "2.0 h",
                                                                   "3.5 h"]
