"""Learning-rate schedules: eta_e, the learning rate of epoch e = 0, 1, 2, ..., from the run's eta.

  constant   eta_e = eta
  step       eta_e = eta * gamma^floor(e / step)       every `step` epochs, times gamma
  cosine     eta_e = eta * (1 + cos(pi * e / E)) / 2   from eta down toward 0 over E epochs, e = 0..E-1;
                                                     past them (a resumed run) eta_(E-1) holds

Large steps early cross the loss landscape quickly; small steps late settle
into a minimum instead of rattling around it. The position in a schedule is
just the epoch, so a resumed run picks up its schedule where it stopped.
The settings are checked where a run's recipe is made (nnloop.learning.recipe).

>>> [eta_at("step", 0.1, e, step=2, gamma=0.5) for e in range(5)]
[0.1, 0.1, 0.05, 0.05, 0.025]
>>> [round(eta_at("cosine", 0.1, e, E=4), 6) for e in range(6)]   # past E: its last eta, held
[0.1, 0.085355, 0.05, 0.014645, 0.014645, 0.014645]
"""
import math

from ..errors import NnloopError

SCHEDULES = ("constant", "step", "cosine")


def eta_at(schedule, eta, e, step=None, gamma=None, E=None):
    """eta_e, the learning rate of epoch e (counted from 0) under the schedule, from the run's eta."""
    if schedule == "constant":
        return eta
    if schedule == "step":
        return eta * gamma ** (e // step)
    if schedule == "cosine":  # past its E epochs (a run resumed with more) it holds its last eta
        return eta * (1.0 + math.cos(math.pi * min(e, E - 1) / E)) / 2.0
    raise NnloopError(f"unknown learning-rate schedule {schedule!r}: use one of {', '.join(SCHEDULES)}")
