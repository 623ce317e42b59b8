"""nnloop.learning.schedules: eta_e of epoch e = 0, 1, ... from the run's eta; the schedule settings that cannot run
refused where a recipe is made."""
import math

import pytest
from hypothesis import given, strategies as st

from nnloop import NnloopError, Recipe
from nnloop.learning.schedules import SCHEDULES, eta_at

etas = st.floats(1e-6, 10.0)


@given(etas, st.integers(0, 1000))
def test_constant_is_the_run_s_eta_every_epoch(eta, e):
    assert eta_at("constant", eta, e) == eta


@given(etas, st.integers(0, 100), st.integers(1, 10), st.floats(0.01, 0.99))
def test_step_multiplies_by_gamma_every_step_epochs(eta, e, step, gamma):
    assert eta_at("step", eta, e, step=step, gamma=gamma) == eta * gamma ** (e // step)
    if e % step != step - 1:  # within a step, eta holds
        assert eta_at("step", eta, e + 1, step=step, gamma=gamma) == \
            eta_at("step", eta, e, step=step, gamma=gamma)


@given(etas, st.integers(1, 50))
def test_cosine_starts_at_eta_falls_and_never_reaches_0_within_E(eta, E):
    rates = [eta_at("cosine", eta, e, E=E) for e in range(E)]
    assert rates[0] == eta
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    assert rates[-1] > 0
    # halfway, half the rate
    if E % 2 == 0:
        assert math.isclose(rates[E // 2], eta / 2)


@given(etas, st.integers(1, 50), st.integers(0, 100))
def test_cosine_past_E_holds_its_last_rate(eta, E, extra):
    assert eta_at("cosine", eta, E + extra, E=E) == eta_at("cosine", eta, E - 1, E=E)


def test_an_unknown_schedule_is_refused_with_the_choices():
    with pytest.raises(NnloopError, match="unknown learning-rate schedule 'linear': use one of constant, step, cosine"):
        eta_at("linear", 0.1, 0)
    with pytest.raises(NnloopError, match="the learning-rate schedule must be one of constant, step, cosine"):
        Recipe(lr_schedule="linear")


def test_a_recipe_accepts_the_schedule_settings_that_run():
    for schedule in SCHEDULES:
        assert Recipe(lr_schedule=schedule).eta_at(0) == 0.1
    assert Recipe(lr_schedule="step", lr_step=1, lr_gamma=0.1).eta_at(1) == 0.1 * 0.1
    assert Recipe(lr_schedule="cosine", lr_epochs=1).eta_at(3) == 0.1


@pytest.mark.parametrize("step, gamma, E, message", [
    (0, None, None, r"STEP \(epochs between cuts\) must be a whole number >= 1; got 0"),
    (2.0, None, None, "got 2.0"),
    (True, None, None, "got True"),
    (2, 1.0, None, r"GAMMA .* must be > 0 and < 1 \(1 would cut nothing\)"),
    (2, 0, None, "GAMMA"),
    (2, "0.5", None, "GAMMA"),
    (None, None, 0, "length E must be a whole number >= 1 or None; got 0"),
])
def test_a_recipe_refuses_schedule_settings_that_cannot_run(step, gamma, E, message):
    schedule = "cosine" if E is not None else "step"
    settings = {name: value for name, value in (("lr_step", step), ("lr_gamma", gamma), ("lr_epochs", E))
                if value is not None}
    with pytest.raises(NnloopError, match=message):
        Recipe(lr_schedule=schedule, **settings)
