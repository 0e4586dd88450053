"""Learning-rate schedules that follow ``torch.optim.lr_scheduler`` exactly.

Any optimizer takes ``schedule`` (``constant``, the default, is no scheduler)
and the chosen scheduler's hyperparameters under torch's names.  The scheduler
is stepped once after every optimizer step, as ``scheduler.step()`` (or
``scheduler.step(f)`` for ``plateau``, with f at the new point), so the
learning rate of step k is the scheduler's value after k - 1 of its steps.
The values are computed with torch's own formulas, in torch's order (the
recursive, "chainable" form where torch uses it), so they match torch to the
last bit.  A scheduler key that clashes with one of the optimizer's own
hyperparameters is written with the prefix ``schedule_``.

Two settings follow the run unless given: OneCycle's ``total_steps`` (0 means
the run's steps) and ``max_lr`` (0 means the optimizer's ``lr``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from gdplayground.core.hyperparameters import Hyperparameter, OptimizerError, Value

Array = np.ndarray

SCHEDULE = "schedule"
CONSTANT = "constant"
PREFIX = "schedule_"
#: ReduceLROnPlateau's ``eps`` (torch's default; not a setting here).
PLATEAU_EPS = 1e-8


@dataclass(frozen=True)
class ScheduleInfo:
    """A schedule the user can pick: its name, torch class and hyperparameters."""

    name: str
    torch_class: str
    hyperparameters: tuple[Hyperparameter, ...]
    summary: str = ""


def _int(name: str, default: float, low: float, high: float, description: str) -> Hyperparameter:
    return Hyperparameter(name, float(default), low, high, kind="int", description=description)


def _eta_min() -> Hyperparameter:
    return Hyperparameter("eta_min", 0.0, 0.0, 1e3, description="smallest learning rate")


SCHEDULES: dict[str, ScheduleInfo] = {
    info.name: info
    for info in (
        ScheduleInfo(CONSTANT, "", (), "the learning rate stays lr"),
        ScheduleInfo(
            "step",
            "StepLR",
            (
                _int("step_size", 50, 1, 1e6, "steps between decays"),
                Hyperparameter(
                    "gamma", 0.1, 0.0, 10.0, low_inclusive=False, description="decay factor"
                ),
            ),
            "lr times gamma every step_size steps",
        ),
        ScheduleInfo(
            "exponential",
            "ExponentialLR",
            (
                Hyperparameter(
                    "gamma", 0.99, 0.0, 10.0, low_inclusive=False, description="factor per step"
                ),
            ),
            "lr times gamma every step",
        ),
        ScheduleInfo(
            "cosine",
            "CosineAnnealingLR",
            (_int("T_max", 100, 1, 1e6, "steps from lr down to eta_min"), _eta_min()),
            "lr falls to eta_min along a cosine over T_max steps (and rises again)",
        ),
        ScheduleInfo(
            "cosine_restarts",
            "CosineAnnealingWarmRestarts",
            (
                _int("T_0", 50, 1, 1e6, "steps before the first restart"),
                _int("T_mult", 1, 1, 100, "factor by which each cycle gets longer"),
                _eta_min(),
            ),
            "cosine annealing restarted every T_0, T_0*T_mult, ... steps",
        ),
        ScheduleInfo(
            "linear",
            "LinearLR",
            (
                Hyperparameter(
                    "start_factor",
                    1.0 / 3,
                    0.0,
                    1.0,
                    low_inclusive=False,
                    description="factor of lr at the first step",
                ),
                Hyperparameter("end_factor", 1.0, 0.0, 1.0, description="factor of lr at the end"),
                _int("total_iters", 5, 1, 1e6, "steps from start_factor to end_factor"),
            ),
            "lr scaled linearly from start_factor to end_factor (warm-up)",
        ),
        ScheduleInfo(
            "onecycle",
            "OneCycleLR",
            (
                Hyperparameter(
                    "max_lr", 0.0, 0.0, 1e3, log_scale=True, description="peak lr (0 = lr)"
                ),
                _int("total_steps", 0, 0, 1e9, "length of the cycle (0 = the run's steps)"),
                Hyperparameter(
                    "pct_start", 0.3, 0.0, 1.0, description="part of the cycle spent rising"
                ),
                Hyperparameter(
                    "div_factor",
                    25.0,
                    0.0,
                    1e6,
                    low_inclusive=False,
                    description="initial lr = max_lr / div_factor",
                ),
                Hyperparameter(
                    "final_div_factor",
                    1e4,
                    0.0,
                    1e9,
                    low_inclusive=False,
                    description="final lr = initial lr / final_div_factor",
                ),
                Hyperparameter(
                    "anneal_strategy",
                    "cos",
                    kind="choice",
                    choices=("cos", "linear"),
                    description="shape of the rise and fall",
                ),
                Hyperparameter(
                    "cycle_momentum",
                    1.0,
                    kind="bool",
                    description="cycle momentum (or beta1) against the lr",
                ),
                Hyperparameter(
                    "base_momentum",
                    0.85,
                    0.0,
                    1.0,
                    low_inclusive=False,
                    high_inclusive=False,
                    description="momentum at the peak lr",
                ),
                Hyperparameter(
                    "max_momentum",
                    0.95,
                    0.0,
                    1.0,
                    low_inclusive=False,
                    high_inclusive=False,
                    description="momentum at the lowest lr",
                ),
                Hyperparameter(
                    "three_phase", 0.0, kind="bool", description="fall back to the initial lr first"
                ),
            ),
            "the 1cycle policy: lr rises to max_lr, then falls far below the start",
        ),
        ScheduleInfo(
            "plateau",
            "ReduceLROnPlateau",
            (
                Hyperparameter(
                    "factor",
                    0.1,
                    0.0,
                    1.0,
                    low_inclusive=False,
                    high_inclusive=False,
                    description="lr times factor when f stops improving",
                ),
                _int("patience", 10, 0, 1e6, "steps without improvement before reducing"),
                Hyperparameter(
                    "threshold",
                    1e-4,
                    0.0,
                    1.0,
                    high_inclusive=False,
                    description="relative improvement that counts",
                ),
                _int("cooldown", 0, 0, 1e6, "steps to wait after a reduction"),
                Hyperparameter("min_lr", 0.0, 0.0, 1e3, description="lr never goes below this"),
            ),
            "lr times factor when f has not improved for patience steps",
        ),
    )
}

SCHEDULE_CHOICE = Hyperparameter(
    SCHEDULE,
    CONSTANT,
    kind="choice",
    choices=tuple(SCHEDULES),
    description="learning-rate schedule (torch.optim.lr_scheduler)",
)

#: OneCycle's keys that only apply when momentum is cycled.
_MOMENTUM_KEYS = ("base_momentum", "max_momentum")


def schedule_key(name: str, own: Collection[str]) -> str:
    """The key under which a scheduler's hyperparameter ``name`` is written for an
    optimizer whose own hyperparameters are ``own`` (prefixed where they clash)."""
    return PREFIX + name if name in own else name


def schedule_fields(
    schedule: str, own: Collection[str], can_cycle: bool = True
) -> tuple[tuple[str, Hyperparameter], ...]:
    """The (key, hyperparameter) pairs of ``schedule`` for an optimizer with hyperparameters
    ``own``; OneCycle's ``base_momentum`` and ``max_momentum`` only where momentum
    (or beta1) can be cycled."""
    fields = []
    for hp in SCHEDULES[schedule].hyperparameters:
        if not can_cycle and hp.name in _MOMENTUM_KEYS:
            continue
        fields.append((schedule_key(hp.name, own), hp))
    return tuple(fields)


def all_schedule_keys(own: Collection[str]) -> dict[str, list[str]]:
    """Every key a schedule may add for an optimizer with hyperparameters ``own``,
    with the schedules it belongs to."""
    keys: dict[str, list[str]] = {}
    for info in SCHEDULES.values():
        for hp in info.hyperparameters:
            keys.setdefault(schedule_key(hp.name, own), []).append(info.name)
    return keys


def check_schedule(
    method: str, own: Collection[str], can_cycle: bool, given: Mapping[str, Value]
) -> dict[str, Value]:
    """Validate the schedule part of an optimizer's hyperparameters (``schedule`` and
    the scheduler's keys, nothing else) and fill in the scheduler's defaults.

    Returns the keys to store: nothing for ``constant``.  A key of another
    schedule than the chosen one is refused with one line saying which schedule
    it belongs to.
    """
    chosen = SCHEDULE_CHOICE.check(given.get(SCHEDULE, CONSTANT), method)
    assert isinstance(chosen, str)
    fields = dict(schedule_fields(chosen, own, can_cycle))
    belongs = all_schedule_keys(own)
    for key in given:
        if key != SCHEDULE and key not in fields:
            if chosen == "onecycle" and key.removeprefix(PREFIX) in _MOMENTUM_KEYS:
                raise OptimizerError(
                    f"{method} has no momentum or beta1 for onecycle to cycle: remove {key}"
                )
            where = " or ".join(f"schedule={s}" for s in belongs.get(key, []))
            raise OptimizerError(
                f"{method}: {key} only applies with {where}: write {where} too, or remove {key}"
            )
    if chosen == CONSTANT:
        return {}
    values: dict[str, Value] = {SCHEDULE: chosen}
    for key, hp in fields.items():
        default = hp.default
        if hp.name == "cycle_momentum":
            default = 1.0 if can_cycle else 0.0
        values[key] = hp.check(given[key], method, key) if key in given else default
        if hp.name == "cycle_momentum" and values[key] and not can_cycle:
            raise OptimizerError(
                f"{method} has no momentum or beta1 for onecycle to cycle: "
                f"write {key}=0 or remove it"
            )
    cycle = schedule_key("cycle_momentum", own)
    if cycle in values and not values[cycle]:
        for name in _MOMENTUM_KEYS:
            key = schedule_key(name, own)
            if key in given:
                raise OptimizerError(
                    f"{method}: {key} only applies with cycle_momentum=1: remove {key}"
                )
            values.pop(key, None)
    return values


# ------------------------------------------------------------------- resolved for a run


@dataclass(frozen=True)
class ResolvedSchedule:
    """A configured schedule with the run's numbers filled in: its name, its settings
    under torch's names (no prefix; OneCycle's ``total_steps`` and ``max_lr``
    resolved), the optimizer's lr, and which hyperparameter OneCycle cycles."""

    name: str
    values: dict[str, Value]
    lr: float
    momentum_key: str | None  # "momentum" or "beta1" when cycled, else None


def resolve_schedule(
    params: Mapping[str, Value], own: Collection[str], steps: int
) -> ResolvedSchedule | None:
    """The schedule of an optimizer's checked ``params`` for a run of ``steps`` steps,
    or None for ``constant``.  Raises OptimizerError where torch's scheduler would
    fail during that run (OneCycle shorter than the run, or a phase of no steps)."""
    name = params.get(SCHEDULE, CONSTANT)
    if name == CONSTANT:
        return None
    assert isinstance(name, str)
    values = {
        hp.name: params[schedule_key(hp.name, own)]
        for hp in SCHEDULES[name].hyperparameters
        if schedule_key(hp.name, own) in params
    }
    lr = float(params["lr"])
    momentum_key = None
    if name == "onecycle":
        if not values["max_lr"]:
            values["max_lr"] = lr
        if not values["total_steps"]:
            values["total_steps"] = float(max(steps, 1))
        if values["total_steps"] < steps:
            raise OptimizerError(
                f"onecycle: total_steps={values['total_steps']:g} is shorter than the run "
                f"({steps} steps): write total_steps=0 to follow the run, or more"
            )
        if values.get("cycle_momentum"):
            momentum_key = "beta1" if "beta1" in own else "momentum"
    resolved = ResolvedSchedule(name, values, lr, momentum_key)
    if name == "onecycle":
        try:
            _onecycle(resolved, steps)
        except ZeroDivisionError:
            raise OptimizerError(
                f"onecycle: pct_start={values['pct_start']:g} leaves a phase of no steps in a "
                f"cycle of {values['total_steps']:g}: choose a pct_start between them"
            ) from None
    return resolved


# ------------------------------------------------------------- torch's formulas, in order


def _step(s: ResolvedSchedule, steps: int) -> list[float]:
    step_size, gamma = int(s.values["step_size"]), float(s.values["gamma"])
    lr, out = s.lr, [s.lr]
    for epoch in range(1, steps + 1):
        if epoch % step_size == 0:
            lr = lr * gamma
        out.append(lr)
    return out


def _exponential(s: ResolvedSchedule, steps: int) -> list[float]:
    gamma = float(s.values["gamma"])
    lr, out = s.lr, [s.lr]
    for _ in range(steps):
        lr = lr * gamma
        out.append(lr)
    return out


def _cosine(s: ResolvedSchedule, steps: int) -> list[float]:
    """CosineAnnealingLR as stepped: the recursive form, as torch computes it."""
    t_max, eta_min = int(s.values["T_max"]), float(s.values["eta_min"])
    base = lr = s.lr
    out = [lr]
    for epoch in range(1, steps + 1):
        if (epoch - 1 - t_max) % (2 * t_max) == 0:
            lr = lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        else:
            lr = (1 + math.cos(math.pi * epoch / t_max)) / (
                1 + math.cos(math.pi * (epoch - 1) / t_max)
            ) * (lr - eta_min) + eta_min
        out.append(lr)
    return out


def _cosine_restarts(s: ResolvedSchedule, steps: int) -> list[float]:
    t_i, t_mult = int(s.values["T_0"]), int(s.values["T_mult"])
    eta_min, base = float(s.values["eta_min"]), s.lr
    t_cur = 0
    out = []
    for epoch in range(steps + 1):
        if epoch > 0:
            t_cur += 1
            if t_cur >= t_i:
                t_cur = t_cur % t_i
                t_i = t_i * t_mult
        out.append(eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
    return out


def _linear(s: ResolvedSchedule, steps: int) -> list[float]:
    start, end = float(s.values["start_factor"]), float(s.values["end_factor"])
    total = int(s.values["total_iters"])
    lr = s.lr * start
    out = [lr]
    for epoch in range(1, steps + 1):
        if epoch <= total:
            lr = lr * (1.0 + (end - start) / (total * start + (epoch - 1) * (end - start)))
        out.append(lr)
    return out


def _anneal(strategy: Value, start: float, end: float, pct: float) -> float:
    if strategy == "cos":
        cos_out = math.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out
    return (end - start) * pct + start


def _onecycle(s: ResolvedSchedule, steps: int) -> tuple[list[float], list[float] | None]:
    """OneCycleLR's learning rates (and momenta, when cycled) for epochs 0 to ``steps``."""
    v = s.values
    total = int(v["total_steps"])
    pct_start = float(v["pct_start"])
    initial = float(v["max_lr"]) / float(v["div_factor"])
    level = {
        "initial_lr": initial,
        "max_lr": float(v["max_lr"]),
        "min_lr": initial / float(v["final_div_factor"]),
        "max_momentum": float(v.get("max_momentum", 0.0)),
        "base_momentum": float(v.get("base_momentum", 0.0)),
    }
    if v["three_phase"]:
        phases = [
            (float(pct_start * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (
                float(2 * pct_start * total) - 2,
                "max_lr",
                "initial_lr",
                "base_momentum",
                "max_momentum",
            ),
            (total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
        ]
    else:
        phases = [
            (float(pct_start * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ]
    strategy = v["anneal_strategy"]
    lrs: list[float] = []
    momenta: list[float] = []
    for step_num in range(steps + 1):
        start_step = 0.0
        for i, (end_step, lr0, lr1, m0, m1) in enumerate(phases):
            if step_num <= end_step or i == len(phases) - 1:
                pct = (step_num - start_step) / (end_step - start_step)
                lrs.append(_anneal(strategy, level[lr0], level[lr1], pct))
                momenta.append(_anneal(strategy, level[m0], level[m1], pct))
                break
            start_step = end_step
    return lrs, (momenta if s.momentum_key else None)


def schedule_values(s: ResolvedSchedule, steps: int) -> tuple[list[float], list[float] | None]:
    """The learning rate (and cycled momentum or beta1) after 0, 1, ..., ``steps``
    scheduler steps: entry k is what optimizer step k + 1 uses.  Not for plateau,
    whose values depend on f."""
    if s.name == "onecycle":
        return _onecycle(s, steps)
    return _FORMULAS[s.name](s, steps), None


_FORMULAS = {
    "step": _step,
    "exponential": _exponential,
    "cosine": _cosine,
    "cosine_restarts": _cosine_restarts,
    "linear": _linear,
}


# ----------------------------------------------------------------------- during a run


class LrSchedule:
    """The learning rates of one optimizer's rows during a run.

    :meth:`before_step` sets the stepper's ``lr`` (and cycled momentum) for step
    k; :meth:`after_step` steps the scheduler with f at the new points.  ``lr``
    is the rate the next step uses: a float, or for plateau one per row.
    """

    per_row = False

    def before_step(self, k: int, hyperparameters: dict) -> None:
        raise NotImplementedError

    def after_step(self, values: Array) -> None:
        """Step the scheduler once the new points' values are known."""

    def lrs(self, count: int) -> Array:
        """The learning rate at each of the first ``count`` points (not for per-row)."""
        raise NotImplementedError


class FixedSchedule(LrSchedule):
    """A schedule that does not depend on f: every value computed when the run starts."""

    def __init__(self, resolved: ResolvedSchedule, steps: int) -> None:
        self.values, self.momenta = schedule_values(resolved, steps)
        self.momentum_key = resolved.momentum_key

    def before_step(self, k: int, hyperparameters: dict) -> None:
        hyperparameters["lr"] = self.values[k - 1]
        if self.momenta is not None:
            hyperparameters[self.momentum_key] = self.momenta[k - 1]

    def lrs(self, count: int) -> Array:
        return np.array(self.values[:count], dtype=np.float64)


class PlateauSchedule(LrSchedule):
    """ReduceLROnPlateau (mode min, relative threshold) for each row, on f at the new point."""

    per_row = True

    def __init__(self, resolved: ResolvedSchedule, n: int) -> None:
        v = resolved.values
        self.factor, self.min_lr = float(v["factor"]), float(v["min_lr"])
        self.patience, self.cooldown = int(v["patience"]), int(v["cooldown"])
        self.rel_epsilon = 1.0 - float(v["threshold"])
        self.lr = np.full(n, resolved.lr)
        self.best = np.full(n, np.inf)
        self.bad_steps = np.zeros(n, dtype=np.int64)
        self.cooldown_counter = np.zeros(n, dtype=np.int64)

    def before_step(self, k: int, hyperparameters: dict) -> None:
        hyperparameters["lr"] = self.lr[:, None]

    def after_step(self, values: Array) -> None:
        better = values < self.best * self.rel_epsilon  # false for nan, as in torch
        self.best = np.where(better, values, self.best)
        self.bad_steps = np.where(better, 0, self.bad_steps + 1)
        cooling = self.cooldown_counter > 0
        self.cooldown_counter = np.where(cooling, self.cooldown_counter - 1, self.cooldown_counter)
        self.bad_steps = np.where(cooling, 0, self.bad_steps)
        reduce = self.bad_steps > self.patience
        if np.count_nonzero(reduce):
            new_lr = np.maximum(self.lr * self.factor, self.min_lr)
            self.lr = np.where(reduce & (self.lr - new_lr > PLATEAU_EPS), new_lr, self.lr)
            self.cooldown_counter = np.where(reduce, self.cooldown, self.cooldown_counter)
            self.bad_steps = np.where(reduce, 0, self.bad_steps)


def make_schedule(
    params: Mapping[str, Value], own: Collection[str], steps: int, n: int
) -> LrSchedule | None:
    """The running schedule of ``n`` rows of one optimizer, or None for ``constant``."""
    resolved = resolve_schedule(params, own, steps)
    if resolved is None:
        return None
    if resolved.name == "plateau":
        return PlateauSchedule(resolved, n)
    return FixedSchedule(resolved, steps)
