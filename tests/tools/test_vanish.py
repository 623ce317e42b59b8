"""nnloop vanish: sigmoid's gradient decays layer by layer toward the input, relu's stays flat."""
import re

import pytest
from conftest import run_nnloop

from nnloop.tools.vanish import profiles, ratios


def geometric_mean_ratio(profile):
    """The mean factor per layer by which the gradient shrinks from the output layer to layer 1."""
    return (profile[0] / profile[-1]) ** (1.0 / (len(profile) - 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_decays_layer_by_layer_and_relu_does_not(seed):
    sigmoid, relu = profiles(depth=8, width=16, batch_size=8, seed=seed)
    assert len(sigmoid) == len(relu) == 9
    assert all(r < 1.0 for r in ratios(sigmoid))  # every layer back has a smaller gradient
    assert geometric_mean_ratio(sigmoid) < 0.3  # about sigmoid's 0.25 per layer
    assert sigmoid[0] / sigmoid[-1] < 1e-3
    assert 0.75 < geometric_mean_ratio(relu) < 1.33  # flat: no steady decay, no blow-up
    assert relu[0] / relu[-1] > 0.1


def test_the_profiles_depend_on_the_seed_and_only_on_it():
    assert profiles(3, 8, 4, seed=5) == profiles(3, 8, 4, seed=5) != profiles(3, 8, 4, seed=6)


def test_the_command_prints_both_profiles_output_layer_first():
    result = run_nnloop("vanish", "--depth", 4, "--width", 8, "--batch-size", 4, "--seed", 1)
    assert result.returncode == 0, result.stderr
    assert "network 8-8-8-8-8-10 with sigmoid or relu hidden layers" in result.stdout
    rows = re.findall(r"^ +(\d+) +(\S+) +(\S*) +(\S+) *(\S*)$", result.stdout, re.M)
    assert [int(r[0]) for r in rows] == [5, 4, 3, 2, 1]
    sigmoid, relu = profiles(depth=4, width=8, batch_size=4, seed=1)
    for k, row in zip(range(5, 0, -1), rows):
        assert float(row[1]) == pytest.approx(sigmoid[k - 1], rel=1e-3)
        assert float(row[3]) == pytest.approx(relu[k - 1], rel=1e-3)
    assert float(rows[1][2]) == pytest.approx(sigmoid[3] / sigmoid[4], abs=1e-3)


def test_the_readme_table_is_real_output():
    from test_trace import readme_excerpt
    result = run_nnloop("vanish", "--depth", 6, "--width", 16)
    excerpt = readme_excerpt("nnloop vanish --depth 6 --width 16")
    assert len(excerpt) == 8
    for line in excerpt:
        assert line in result.stdout.splitlines(), line
