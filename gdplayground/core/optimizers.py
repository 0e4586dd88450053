"""Optimizers that follow ``torch.optim``'s update rules exactly, vectorised over points.

Each method is a small class holding its state for ``n`` points at once; its
``step`` takes the current points ``p`` (shape ``(n, 2)``) and their gradients
and returns the new points.  Hyperparameter names are torch's (``lr``,
``momentum``, ``dampening``, ``alpha``, ``eps``, ``weight_decay``, ...), with
Adam's ``betas`` split into ``beta1`` and ``beta2``.  The arithmetic follows the
order of torch's single-tensor implementations, so results match torch in
float64 to the last bits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


class OptimizerError(ValueError):
    """A bad optimizer name or hyperparameter; the message says what to write instead."""


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: its default and the range of values that make sense."""

    name: str
    default: float
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True
    kind: str = "float"  # "float" or "bool" (0 / 1)
    log_scale: bool = False
    description: str = ""

    def check(self, value: float, optimizer: str) -> float:
        """Return ``value`` as a float if it is allowed, else raise OptimizerError."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise OptimizerError(
                f"{optimizer}: {self.name} must be a number, not {value!r}"
            ) from None
        if self.kind == "bool":
            if v not in (0.0, 1.0):
                raise OptimizerError(f"{optimizer}: {self.name} is a switch: write 0 or 1")
            return v
        if not math.isfinite(v):
            raise OptimizerError(f"{optimizer}: {self.name} must be a finite number, not {value}")
        too_low = v < self.low or (v == self.low and not self.low_inclusive)
        too_high = v > self.high or (v == self.high and not self.high_inclusive)
        if too_low or too_high:
            raise OptimizerError(
                f"{optimizer}: {self.name}={value:g} is out of range: {self.range_text()}"
            )
        return v

    def range_text(self) -> str:
        """The allowed range, e.g. ``0 < lr <= 100``."""
        lo = "<=" if self.low_inclusive else "<"
        hi = "<=" if self.high_inclusive else "<"
        return f"{self.low:g} {lo} {self.name} {hi} {self.high:g}"


@dataclass(frozen=True)
class OptimizerInfo:
    """What the user can pick: a method's name, title and hyperparameters."""

    name: str
    title: str
    hyperparameters: tuple[Hyperparameter, ...]
    uses_hessian: bool = False
    has_velocity: bool = False
    summary: str = ""

    def defaults(self) -> dict[str, float]:
        """Every hyperparameter at its default value."""
        return {h.name: h.default for h in self.hyperparameters}


@dataclass(frozen=True)
class OptimizerConfig:
    """A method and every effective hyperparameter value (defaults filled in)."""

    name: str
    params: dict[str, float] = field(default_factory=dict)


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
            "newton", "Newton", (_lr(1.0),), uses_hessian=True, summary="x <- x - lr * H^-1 grad f"
        ),
    )
}

FIRST_ORDER: tuple[str, ...] = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def make_config(name: str, params: Mapping[str, float] | None = None) -> OptimizerConfig:
    """Validate a method name and hyperparameter overrides; fill in the defaults."""
    key = name.strip().lower()
    info = OPTIMIZERS.get(key)
    if info is None:
        choices = ", ".join(OPTIMIZERS)
        raise OptimizerError(f"unknown optimizer {name!r}: choose one of {choices}")
    known = {h.name: h for h in info.hyperparameters}
    values = info.defaults()
    for pname, value in (params or {}).items():
        hp = known.get(pname)
        if hp is None:
            allowed = ", ".join(known)
            raise OptimizerError(f"{key} has no hyperparameter {pname!r}: use {allowed}")
        values[pname] = hp.check(value, key)
    return OptimizerConfig(key, values)


# --------------------------------------------------------------------------- steppers


class Stepper:
    """State of one method for ``n`` points; ``step`` returns the new points.

    ``step`` must neither change ``p`` and ``g`` nor keep them: they may be
    views of buffers that the caller reuses for later steps.
    """

    velocity: Array | None = None  # the buffer the method carries, shape (n, 2), if any

    def __init__(self, params: Mapping[str, float], n: int) -> None:
        self.p = dict(params)
        self.n = n
        self.t = 0

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        raise NotImplementedError


class SGD(Stepper):
    """torch.optim.SGD, with or without (Nesterov) momentum."""

    def __init__(self, params: Mapping[str, float], n: int, nesterov: bool = False) -> None:
        super().__init__(params, n)
        self.nesterov = nesterov
        self.momentum = self.p.get("momentum", 0.0)
        self.dampening = self.p.get("dampening", 0.0)

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        wd = self.p["weight_decay"]
        if wd != 0:
            g = g + wd * p
        if self.momentum != 0:
            if self.velocity is None:
                self.velocity = g.copy()
            else:
                self.velocity = self.velocity * self.momentum + (1 - self.dampening) * g
            g = g + self.momentum * self.velocity if self.nesterov else self.velocity
        return p + (-self.p["lr"]) * g


class Adagrad(Stepper):
    """torch.optim.Adagrad."""

    def __init__(self, params: Mapping[str, float], n: int) -> None:
        super().__init__(params, n)
        self.sum = np.full((n, 2), self.p["initial_accumulator_value"], dtype=np.float64)

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        wd = self.p["weight_decay"]
        if wd != 0:
            g = g + wd * p
        clr = self.p["lr"] / (1 + (self.t - 1) * self.p["lr_decay"])
        self.sum = self.sum + g * g
        std = np.sqrt(self.sum) + self.p["eps"]
        return p + (-clr) * (g / std)


class RMSprop(Stepper):
    """torch.optim.RMSprop, optionally centred and with momentum."""

    def __init__(self, params: Mapping[str, float], n: int) -> None:
        super().__init__(params, n)
        self.square_avg = np.zeros((n, 2))
        self.grad_avg = np.zeros((n, 2))
        if self.p["momentum"] > 0:
            self.velocity = np.zeros((n, 2))

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        alpha, wd = self.p["alpha"], self.p["weight_decay"]
        if wd != 0:
            g = g + wd * p
        self.square_avg = self.square_avg * alpha + (1 - alpha) * g * g
        if self.p["centered"]:
            self.grad_avg = _lerp(self.grad_avg, g, 1 - alpha)
            avg = np.sqrt(self.square_avg + (-1) * self.grad_avg * self.grad_avg)
        else:
            avg = np.sqrt(self.square_avg)
        avg = avg + self.p["eps"]
        if self.p["momentum"] > 0:
            self.velocity = self.velocity * self.p["momentum"] + g / avg
            return p + (-self.p["lr"]) * self.velocity
        return p + (-self.p["lr"]) * (g / avg)


class Adam(Stepper):
    """torch.optim.Adam, or AdamW when ``decoupled`` (weight decay applied to the point)."""

    def __init__(self, params: Mapping[str, float], n: int, decoupled: bool = False) -> None:
        super().__init__(params, n)
        self.decoupled = decoupled
        self.velocity = np.zeros((n, 2))  # exp_avg: the running mean of gradients
        self.exp_avg_sq = np.zeros((n, 2))
        self.max_exp_avg_sq = np.zeros((n, 2))

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        lr, b1, b2, wd = self.p["lr"], self.p["beta1"], self.p["beta2"], self.p["weight_decay"]
        if self.decoupled:
            p = p * (1 - lr * wd)
        elif wd != 0:
            g = g + wd * p
        self.velocity = _lerp(self.velocity, g, 1 - b1)
        self.exp_avg_sq = self.exp_avg_sq * b2 + (1 - b2) * g * g
        bias_correction1 = 1 - b1**self.t
        bias_correction2 = 1 - b2**self.t
        step_size = lr / bias_correction1
        bias_correction2_sqrt = math.sqrt(bias_correction2)
        if self.p["amsgrad"]:
            self.max_exp_avg_sq = np.maximum(self.max_exp_avg_sq, self.exp_avg_sq)
            denom = np.sqrt(self.max_exp_avg_sq) / bias_correction2_sqrt + self.p["eps"]
        else:
            denom = np.sqrt(self.exp_avg_sq) / bias_correction2_sqrt + self.p["eps"]
        return p + (-step_size) * (self.velocity / denom)


HESSIAN_OK, HESSIAN_SINGULAR, HESSIAN_INDEFINITE = 0, 1, 2


class Newton(Stepper):
    """x <- x - lr * H^-1 grad; points whose Hessian is singular or not positive
    definite are flagged in ``problem`` and left where they are."""

    def __init__(self, params: Mapping[str, float], n: int) -> None:
        super().__init__(params, n)
        self.problem = np.zeros(n, dtype=np.int8)

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        assert hessian is not None, "Newton needs the Hessian"
        a, b, c = hessian
        det = a * c - b * b
        scale = a * a + 2 * b * b + c * c
        with np.errstate(all="ignore"):
            singular = ~np.isfinite(det) | (np.abs(det) <= 1e-14 * scale) | (scale == 0)
            indefinite = ~singular & ((a <= 0) | (det <= 0))
            dx = (c * g[:, 0] - b * g[:, 1]) / det
            dy = (a * g[:, 1] - b * g[:, 0]) / det
        self.problem = np.where(
            singular, HESSIAN_SINGULAR, np.where(indefinite, HESSIAN_INDEFINITE, HESSIAN_OK)
        ).astype(np.int8)
        ok = (self.problem == HESSIAN_OK)[:, None]
        new = p - self.p["lr"] * np.stack([dx, dy], axis=1)
        return np.where(ok, new, p)


def _lerp(start: Array, end: Array, weight: float) -> Array:
    """torch.lerp: ``start + weight * (end - start)``, computed as torch does."""
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def make_stepper(config: OptimizerConfig, n: int) -> Stepper:
    """A fresh stepper for ``n`` points with the config's hyperparameters."""
    name, params = config.name, config.params
    if name in ("gd", "momentum"):
        return SGD(params, n)
    if name == "nesterov":
        return SGD(params, n, nesterov=True)
    if name == "adagrad":
        return Adagrad(params, n)
    if name == "rmsprop":
        return RMSprop(params, n)
    if name in ("adam", "adamw"):
        return Adam(params, n, decoupled=name == "adamw")
    if name == "newton":
        return Newton(params, n)
    raise OptimizerError(f"unknown optimizer {name!r}")
