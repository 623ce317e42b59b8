"""nnloop.learning.schedules: eta_e of epoch e = 0, 1, ... from eta_0, and the schedules that cannot run refused."""
import math

import pytest
from hypothesis import given, strategies as st

from nnloop import NnloopError
from nnloop.learning.schedules import SCHEDULES, check_schedule, learning_rate

etas = st.floats(1e-6, 10.0)


@given(etas, st.integers(0, 1000))
def test_constant_is_eta_0_every_epoch(eta_0, e):
    assert learning_rate("constant", eta_0, e) == eta_0


@given(etas, st.integers(0, 100), st.integers(1, 10), st.floats(0.01, 0.99))
def test_step_multiplies_by_gamma_every_step_epochs(eta_0, e, step, gamma):
    assert learning_rate("step", eta_0, e, step=step, gamma=gamma) == eta_0 * gamma ** (e // step)
    if e % step != step - 1:  # within a step, eta holds
        assert learning_rate("step", eta_0, e + 1, step=step, gamma=gamma) == \
            learning_rate("step", eta_0, e, step=step, gamma=gamma)


@given(etas, st.integers(1, 50))
def test_cosine_starts_at_eta_0_falls_and_never_reaches_0_within_E(eta_0, E):
    rates = [learning_rate("cosine", eta_0, e, E=E) for e in range(E)]
    assert rates[0] == eta_0
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    assert rates[-1] > 0
    # halfway, half the rate
    if E % 2 == 0:
        assert math.isclose(rates[E // 2], eta_0 / 2)


@given(etas, st.integers(1, 50), st.integers(0, 100))
def test_cosine_past_E_holds_its_last_rate(eta_0, E, extra):
    assert learning_rate("cosine", eta_0, E + extra, E=E) == learning_rate("cosine", eta_0, E - 1, E=E)


def test_an_unknown_schedule_is_refused_with_the_choices():
    with pytest.raises(NnloopError, match="unknown learning-rate schedule 'linear': use one of constant, step, cosine"):
        learning_rate("linear", 0.1, 0)
    with pytest.raises(NnloopError, match="use one of constant, step, cosine"):
        check_schedule("linear", 10, 0.5, None)


def test_check_schedule_accepts_what_runs():
    for schedule in SCHEDULES:
        check_schedule(schedule, 10, 0.5, 10)
    check_schedule("constant", None, None, None)  # the others' settings are not its business
    check_schedule("step", 1, 0.1, None)
    check_schedule("cosine", None, None, 1)


@pytest.mark.parametrize("schedule, step, gamma, E, message", [
    ("step", 0, 0.5, None, "step .* must be a whole number >= 1, got 0"),
    ("step", 2.0, 0.5, None, "got 2.0"),
    ("step", True, 0.5, None, "got True"),
    ("step", 2, 1.0, None, r"gamma .* must be > 0 and < 1 \(1 would cut nothing\)"),
    ("step", 2, 0, None, "gamma"),
    ("step", 2, "0.5", None, "gamma"),
    ("cosine", None, None, 0, "length E must be a whole number of epochs >= 1, got 0"),
    ("cosine", None, None, None, "got None"),
])
def test_check_schedule_refuses_settings_that_cannot_run(schedule, step, gamma, E, message):
    with pytest.raises(NnloopError, match=message):
        check_schedule(schedule, step, gamma, E)
