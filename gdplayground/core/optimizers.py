"""The optimizers a user can pick: names, torch's hyperparameters, and their rules.

Every method follows a ``torch.optim`` class exactly in float64 (see
:mod:`steppers` and :mod:`lbfgs`), with torch's hyperparameter names (``lr``,
``momentum``, ``dampening``, ``alpha``, ``eps``, ``weight_decay``, ...), Adam's
``betas`` split into ``beta1`` and ``beta2``, switches as 0 or 1.  Any method
also takes a learning-rate ``schedule`` (see :mod:`schedules`), and any
first-order method gradient clipping (see :mod:`clipping`), and any method
that steps on a gradient it is given seeded gradient ``noise`` (see
:mod:`noise`): :func:`make_config` checks all of them with the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gdplayground.core.clipping import CLIP_HYPERPARAMETERS
from gdplayground.core.hyperparameters import Hyperparameter, OptimizerError, Value
from gdplayground.core.noise import NOISE
from gdplayground.core.schedules import (
    SCHEDULE,
    all_schedule_keys,
    check_schedule,
    resolve_schedule,
)

__all__ = [
    "FIRST_ORDER",
    "OPTIMIZERS",
    "Hyperparameter",
    "OptimizerConfig",
    "OptimizerError",
    "OptimizerInfo",
    "check_run",
    "make_config",
]


@dataclass(frozen=True)
class OptimizerInfo:
    """What the user can pick: a method's name, title and hyperparameters."""

    name: str
    title: str
    hyperparameters: tuple[Hyperparameter, ...]
    uses_hessian: bool = False
    has_velocity: bool = False
    summary: str = ""
    #: Takes ``clip_norm`` and ``clip_value`` (first-order methods that step on the
    #: gradient they are given; not Newton, and not L-BFGS, which evaluates f itself).
    takes_clipping: bool = True
    #: Evaluates f and its gradient itself during a step (L-BFGS).
    uses_objective: bool = False

    @property
    def takes_noise(self) -> bool:
        """Takes ``noise`` (every method that steps on a gradient it is given)."""
        return not self.uses_objective

    def defaults(self) -> dict[str, float]:
        """Every hyperparameter at its default value."""
        return {h.name: h.default for h in self.hyperparameters}  # type: ignore[misc]

    @property
    def cycled_momentum(self) -> str | None:
        """The hyperparameter OneCycle cycles: ``beta1`` or ``momentum``, or None."""
        names = {h.name for h in self.hyperparameters}
        return "beta1" if "beta1" in names else "momentum" if "momentum" in names else None


@dataclass(frozen=True)
class OptimizerConfig:
    """A method and every effective hyperparameter value (defaults filled in).

    ``params`` holds the method's own hyperparameters, then, only where they are
    on, ``schedule`` (text) with its scheduler's settings, ``clip_norm`` /
    ``clip_value`` and ``noise``: a config with the defaults has the method's keys alone.
    """

    name: str
    params: dict[str, Value] = field(default_factory=dict)


def _lr(default: float) -> Hyperparameter:
    return Hyperparameter(
        "lr",
        default,
        0.0,
        1e3,
        low_inclusive=False,
        log_scale=True,
        description="learning rate (step size)",
    )


_MOMENTUM = Hyperparameter(
    "momentum", 0.9, 0.0, 1.0, high_inclusive=False, description="momentum factor"
)
_DAMPENING = Hyperparameter("dampening", 0.0, 0.0, 1.0, description="dampening for momentum")
_EPS = Hyperparameter(
    "eps", 1e-8, 0.0, 1.0, log_scale=True, description="term added to the denominator for stability"
)
_BETA1 = Hyperparameter(
    "beta1",
    0.9,
    0.0,
    1.0,
    high_inclusive=False,
    description="decay of the running mean of gradients",
)
_BETA2 = Hyperparameter(
    "beta2",
    0.999,
    0.0,
    1.0,
    high_inclusive=False,
    description="decay of the running mean of squared gradients",
)
_AMSGRAD = Hyperparameter(
    "amsgrad",
    0.0,
    0.0,
    1.0,
    kind="bool",
    description="use the maximum of past squared gradients (AMSGrad)",
)


def _switch(name: str, description: str) -> Hyperparameter:
    return Hyperparameter(name, 0.0, 0.0, 1.0, kind="bool", description=description)


def _weight_decay(default: float = 0.0) -> Hyperparameter:
    return Hyperparameter(
        "weight_decay", default, 0.0, 1e3, description="L2 penalty (weight decay)"
    )


OPTIMIZERS: dict[str, OptimizerInfo] = {
    info.name: info
    for info in (
        OptimizerInfo(
            "gd", "Gradient descent", (_lr(1e-3), _weight_decay()), summary="torch.optim.SGD"
        ),
        OptimizerInfo(
            "momentum",
            "Momentum",
            (_lr(1e-3), _MOMENTUM, _DAMPENING, _weight_decay()),
            has_velocity=True,
            summary="torch.optim.SGD(momentum=...)",
        ),
        OptimizerInfo(
            "nesterov",
            "Nesterov",
            (_lr(1e-3), _MOMENTUM, _weight_decay()),
            has_velocity=True,
            summary="torch.optim.SGD(momentum=..., nesterov=True)",
        ),
        OptimizerInfo(
            "adagrad",
            "AdaGrad",
            (
                _lr(0.5),
                Hyperparameter("lr_decay", 0.0, 0.0, 1e3, description="learning-rate decay"),
                _weight_decay(),
                Hyperparameter(
                    "initial_accumulator_value",
                    0.0,
                    0.0,
                    1e6,
                    description="starting value of the sum of squares",
                ),
                Hyperparameter(
                    "eps",
                    1e-10,
                    0.0,
                    1.0,
                    log_scale=True,
                    description="term added to the denominator for stability",
                ),
            ),
            summary="torch.optim.Adagrad",
        ),
        OptimizerInfo(
            "rmsprop",
            "RMSProp",
            (
                _lr(0.01),
                Hyperparameter(
                    "alpha", 0.99, 0.0, 1.0, high_inclusive=False, description="smoothing constant"
                ),
                _EPS,
                _weight_decay(),
                Hyperparameter(
                    "momentum", 0.0, 0.0, 1.0, high_inclusive=False, description="momentum factor"
                ),
                Hyperparameter(
                    "centered",
                    0.0,
                    0.0,
                    1.0,
                    kind="bool",
                    description="normalise by the estimated gradient variance",
                ),
            ),
            has_velocity=True,
            summary="torch.optim.RMSprop",
        ),
        OptimizerInfo(
            "adam",
            "Adam",
            (_lr(0.05), _BETA1, _BETA2, _EPS, _weight_decay(), _AMSGRAD),
            has_velocity=True,
            summary="torch.optim.Adam",
        ),
        OptimizerInfo(
            "adamw",
            "AdamW",
            (_lr(0.05), _BETA1, _BETA2, _EPS, _weight_decay(1e-2), _AMSGRAD),
            has_velocity=True,
            summary="torch.optim.AdamW",
        ),
        OptimizerInfo(
            "nadam",
            "NAdam",
            (
                _lr(0.05),
                _BETA1,
                _BETA2,
                _EPS,
                _weight_decay(),
                Hyperparameter(
                    "momentum_decay",
                    4e-3,
                    0.0,
                    1.0,
                    description="how fast the momentum schedule approaches beta1",
                ),
                _switch("decoupled_weight_decay", "apply weight decay to the point, as AdamW"),
            ),
            has_velocity=True,
            summary="torch.optim.NAdam",
        ),
        OptimizerInfo(
            "radam",
            "RAdam",
            (
                _lr(0.01),
                _BETA1,
                _BETA2,
                _EPS,
                _weight_decay(),
                _switch("decoupled_weight_decay", "apply weight decay to the point, as AdamW"),
            ),
            has_velocity=True,
            summary="torch.optim.RAdam",
        ),
        OptimizerInfo(
            "adamax",
            "Adamax",
            (_lr(0.1), _BETA1, _BETA2, _EPS, _weight_decay()),
            has_velocity=True,
            summary="torch.optim.Adamax",
        ),
        OptimizerInfo(
            "adadelta",
            "Adadelta",
            (
                _lr(10.0),
                Hyperparameter("rho", 0.9, 0.0, 1.0, description="decay of the running averages"),
                Hyperparameter(
                    "eps",
                    1e-6,
                    0.0,
                    1.0,
                    log_scale=True,
                    description="term added inside the square roots for stability",
                ),
                _weight_decay(),
            ),
            summary="torch.optim.Adadelta",
        ),
        OptimizerInfo(
            "rprop",
            "Rprop",
            (
                _lr(0.01),
                Hyperparameter(
                    "etaminus",
                    0.5,
                    0.0,
                    1.0,
                    low_inclusive=False,
                    high_inclusive=False,
                    description="step-size factor when the gradient's sign flips",
                ),
                Hyperparameter(
                    "etaplus",
                    1.2,
                    1.0,
                    1e3,
                    low_inclusive=False,
                    description="step-size factor when the gradient's sign holds",
                ),
                Hyperparameter(
                    "step_size_min", 1e-6, 0.0, 1e3, log_scale=True, description="smallest step"
                ),
                Hyperparameter(
                    "step_size_max", 50.0, 0.0, 1e6, log_scale=True, description="largest step"
                ),
            ),
            summary="torch.optim.Rprop",
        ),
        OptimizerInfo(
            "asgd",
            "ASGD",
            (
                _lr(1e-3),
                Hyperparameter("lambd", 1e-4, 0.0, 1e3, description="decay term"),
                Hyperparameter("alpha", 0.75, 0.0, 1e3, description="power for the eta update"),
                Hyperparameter("t0", 1e6, 0.0, 1e12, description="step at which averaging starts"),
                _weight_decay(),
            ),
            summary="torch.optim.ASGD",
        ),
        OptimizerInfo(
            "lbfgs",
            "L-BFGS",
            (
                _lr(1.0),
                Hyperparameter(
                    "max_iter",
                    20.0,
                    1,
                    1e4,
                    kind="int",
                    description="iterations per step",
                ),
                Hyperparameter(
                    "max_eval",
                    0.0,
                    0,
                    1e5,
                    kind="int",
                    description="evaluations of f per step (0 = max_iter*5//4)",
                ),
                Hyperparameter(
                    "history_size", 100.0, 1, 1e4, kind="int", description="update history size"
                ),
                Hyperparameter(
                    "tolerance_grad",
                    1e-7,
                    0.0,
                    1.0,
                    log_scale=True,
                    description="stop a step when every gradient coordinate is below this",
                ),
                Hyperparameter(
                    "tolerance_change",
                    1e-9,
                    0.0,
                    1.0,
                    log_scale=True,
                    description="stop a step when f or the point changes less than this",
                ),
                _switch("line_search", "use the strong Wolfe line search ('strong_wolfe')"),
            ),
            summary="torch.optim.LBFGS (one step = one LBFGS.step(closure))",
            takes_clipping=False,
            uses_objective=True,
        ),
        OptimizerInfo(
            "newton",
            "Newton",
            (_lr(1.0),),
            uses_hessian=True,
            summary="x <- x - lr * H^-1 grad f",
            takes_clipping=False,
        ),
    )
}

FIRST_ORDER: tuple[str, ...] = tuple(name for name in OPTIMIZERS if name != "newton")
#: The classic methods raced when none are named (what ``run`` raced before more were added).
CLASSIC: tuple[str, ...] = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def make_config(name: str, params: Mapping[str, object] | None = None) -> OptimizerConfig:
    """Validate a method name and hyperparameter overrides; fill in the defaults.

    Values may be numbers or text (``"0.1"``, or ``"cosine"`` for ``schedule``).
    The method's own hyperparameters are always all present; a schedule's
    settings only with a ``schedule`` other than ``constant``, clipping only
    where it is on (not 0).
    """
    key = name.strip().lower()
    info = OPTIMIZERS.get(key)
    if info is None:
        choices = ", ".join(OPTIMIZERS)
        raise OptimizerError(f"unknown optimizer {name!r}: choose one of {choices}")
    own = {h.name: h for h in info.hyperparameters}
    schedule_keys = {SCHEDULE, *all_schedule_keys(own)}
    clips = {h.name: h for h in CLIP_HYPERPARAMETERS}
    values: dict[str, Value] = dict(info.defaults())
    scheduled: dict[str, object] = {}
    clipped: dict[str, Value] = {}
    noise = 0.0
    for pname, value in (params or {}).items():
        if pname in own:
            values[pname] = own[pname].check(value, key)
        elif pname == NOISE.name and info.takes_noise:
            noise = float(NOISE.check(value, key))
        elif pname == NOISE.name:
            raise OptimizerError(
                f"{key} takes no gradient noise (it evaluates f and its gradient itself "
                "during a step): remove noise"
            )
        elif pname in schedule_keys:
            scheduled[pname] = value
        elif pname in clips and info.takes_clipping:
            clipped[pname] = clips[pname].check(value, key)
        elif pname in clips:
            raise OptimizerError(
                f"{key} takes no gradient clipping (it is not a first-order step on a "
                f"given gradient): remove {pname}"
            )
        else:
            allowed = [
                *own,
                SCHEDULE,
                *(clips if info.takes_clipping else ()),
                *((NOISE.name,) if info.takes_noise else ()),
            ]
            raise OptimizerError(f"{key} has no hyperparameter {pname!r}: use {', '.join(allowed)}")
    values.update(check_schedule(key, own, info.cycled_momentum is not None, scheduled))
    values.update((n, clipped[n]) for n in clips if clipped.get(n))
    if noise:
        values[NOISE.name] = noise
    return OptimizerConfig(key, values)


def check_run(config: OptimizerConfig, steps: int) -> None:
    """Raise OptimizerError (one line) where ``config`` cannot run ``steps`` steps:
    a OneCycle schedule shorter than the run, or with a phase of no steps."""
    own = [h.name for h in OPTIMIZERS[config.name].hyperparameters]
    resolve_schedule(config.params, own, steps)
