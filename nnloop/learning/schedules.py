"""Learning-rate schedules: the eta of epoch e = 0, 1, 2, ... from the starting eta_0.

  constant   eta_e = eta_0
  step       eta_e = eta_0 * gamma^floor(e / step)       every `step` epochs, times gamma
  cosine     eta_e = eta_0 * (1 + cos(pi * e / E)) / 2   from eta_0 down toward 0 over E epochs, e = 0..E-1;
                                                       past them (a resumed run) eta_(E-1) holds

Large steps early cross the loss landscape quickly; small steps late settle
into a minimum instead of rattling around it. The position in a schedule is
just the epoch, so a resumed run picks up its schedule where it stopped.

>>> [learning_rate("step", 0.1, e, step=2, gamma=0.5) for e in range(5)]
[0.1, 0.1, 0.05, 0.05, 0.025]
>>> [round(learning_rate("cosine", 0.1, e, E=4), 6) for e in range(6)]   # past E: its last rate, held
[0.1, 0.085355, 0.05, 0.014645, 0.014645, 0.014645]
"""
import math

from ..errors import NnloopError

SCHEDULES = ("constant", "step", "cosine")


def learning_rate(schedule, eta_0, e, step=None, gamma=None, E=None):
    """eta_e, the learning rate of epoch e (counted from 0) under the schedule."""
    if schedule == "constant":
        return eta_0
    if schedule == "step":
        return eta_0 * gamma ** (e // step)
    if schedule == "cosine":  # past its E epochs (a run resumed with more) it holds its last rate
        return eta_0 * (1.0 + math.cos(math.pi * min(e, E - 1) / E)) / 2.0
    raise NnloopError(f"unknown learning-rate schedule {schedule!r}: use one of {', '.join(SCHEDULES)}")


def check_schedule(schedule, step, gamma, E):
    """Refuse a schedule that cannot run, naming the fix."""
    if schedule not in SCHEDULES:
        raise NnloopError(f"unknown learning-rate schedule {schedule!r}: use one of {', '.join(SCHEDULES)}")
    if schedule == "step":
        if isinstance(step, bool) or not isinstance(step, int) or step < 1:
            raise NnloopError(f"the step schedule's step (epochs between cuts) must be a whole number >= 1, "
                              f"got {step!r}")
        if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not 0.0 < gamma < 1.0:
            raise NnloopError(f"the step schedule's gamma (the factor of each cut) must be > 0 and < 1 (1 would "
                              f"cut nothing), typically 0.5 or 0.1; got {gamma!r}")
    if schedule == "cosine" and (isinstance(E, bool) or not isinstance(E, int) or E < 1):
        raise NnloopError(f"the cosine schedule's length E must be a whole number of epochs >= 1, got {E!r}")
