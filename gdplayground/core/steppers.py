"""Update rules that follow ``torch.optim`` exactly, vectorised over points.

Each method is a small class holding its state for ``n`` points at once; its
``step`` takes the current points ``p`` (shape ``(n, 2)``) and their gradients
and returns the new points.  The arithmetic follows the order of torch's
single-tensor implementations (the code path torch takes on the CPU), so
results match torch in float64 to round-off: torch fuses some multiply-adds,
numpy does not.  ``lr`` (and, under OneCycle, ``momentum`` or ``beta1``) are
read from ``p`` at every step, so a schedule can change them between steps;
a per-row ``lr`` has shape ``(n, 1)``.  L-BFGS, which evaluates f itself, is in
:mod:`lbfgs`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from gdplayground.core.hyperparameters import OptimizerError, Value

Array = np.ndarray


class Stepper:
    """State of one method for ``n`` points; ``step`` returns the new points.

    ``step`` must neither change ``p`` and ``g`` nor keep them: they may be
    views of buffers that the caller reuses for later steps.
    """

    velocity: Array | None = None  # the buffer the method carries, shape (n, 2), if any

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        self.p = dict(params)
        self.n = n
        self.t = 0

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        raise NotImplementedError


class SGD(Stepper):
    """torch.optim.SGD, with or without (Nesterov) momentum."""

    def __init__(self, params: Mapping[str, Value], n: int, nesterov: bool = False) -> None:
        super().__init__(params, n)
        self.nesterov = nesterov

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        wd = self.p["weight_decay"]
        momentum = self.p.get("momentum", 0.0)  # read every step: OneCycle may cycle it
        if wd != 0:
            g = g + wd * p
        if momentum != 0:
            if self.velocity is None:
                self.velocity = g.copy()
            else:
                dampening = self.p.get("dampening", 0.0)
                self.velocity = self.velocity * momentum + (1 - dampening) * g
            g = g + momentum * self.velocity if self.nesterov else self.velocity
        return p + (-self.p["lr"]) * g


class Adagrad(Stepper):
    """torch.optim.Adagrad."""

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
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

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        super().__init__(params, n)
        self.square_avg = np.zeros((n, 2))
        self.grad_avg = np.zeros((n, 2))

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
        if self.p["momentum"] > 0:  # torch keeps the buffer from the first step with momentum
            if self.velocity is None:
                self.velocity = np.zeros((self.n, 2))
            self.velocity = self.velocity * self.p["momentum"] + g / avg
            return p + (-self.p["lr"]) * self.velocity
        return p + (-self.p["lr"]) * (g / avg)


class Adam(Stepper):
    """torch.optim.Adam, or AdamW when ``decoupled`` (weight decay applied to the point)."""

    def __init__(self, params: Mapping[str, Value], n: int, decoupled: bool = False) -> None:
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

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
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


class NAdam(Stepper):
    """torch.optim.NAdam, optionally with decoupled weight decay."""

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        super().__init__(params, n)
        self.velocity = np.zeros((n, 2))  # exp_avg
        self.exp_avg_sq = np.zeros((n, 2))
        self.mu_product = 1.0

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        lr, b1, b2, wd = self.p["lr"], self.p["beta1"], self.p["beta2"], self.p["weight_decay"]
        step, decay = float(self.t), self.p["momentum_decay"]
        bias_correction2 = 1 - b2**step
        if wd != 0:
            if self.p["decoupled_weight_decay"]:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
        mu = b1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        self.mu_product = self.mu_product * mu
        self.velocity = _lerp(self.velocity, g, 1 - b1)
        self.exp_avg_sq = self.exp_avg_sq * b2 + (1 - b2) * g * g
        denom = np.sqrt(self.exp_avg_sq / bias_correction2) + self.p["eps"]
        mu_product_next = self.mu_product * mu_next
        p = p + (-lr * (1.0 - mu) / (1.0 - self.mu_product)) * (g / denom)
        return p + ((-lr * mu_next) / (1.0 - mu_product_next)) * (self.velocity / denom)


class RAdam(Stepper):
    """torch.optim.RAdam: SGD with momentum until the variance estimate is
    trustworthy (rho_t > 5), then rectified Adam steps."""

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        super().__init__(params, n)
        self.velocity = np.zeros((n, 2))  # exp_avg
        self.exp_avg_sq = np.zeros((n, 2))

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        lr, b1, b2, wd = self.p["lr"], self.p["beta1"], self.p["beta2"], self.p["weight_decay"]
        step = float(self.t)
        if wd != 0:
            if self.p["decoupled_weight_decay"]:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
        self.velocity = _lerp(self.velocity, g, 1 - b1)
        self.exp_avg_sq = self.exp_avg_sq * b2 + (1 - b2) * g * g
        bias_correction1 = 1 - b1**step
        bias_correction2 = 1 - b2**step
        corrected = self.velocity / bias_correction1
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2**step) / bias_correction2
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            adaptive = (bias_correction2**0.5) / (np.sqrt(self.exp_avg_sq) + self.p["eps"])
            return p - corrected * lr * adaptive * rect
        return p - corrected * lr


class Adamax(Stepper):
    """torch.optim.Adamax: Adam with the infinity norm of past gradients."""

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        super().__init__(params, n)
        self.velocity = np.zeros((n, 2))  # exp_avg
        self.exp_inf = np.zeros((n, 2))

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        b1, b2, wd = self.p["beta1"], self.p["beta2"], self.p["weight_decay"]
        if wd != 0:
            g = g + wd * p
        self.velocity = _lerp(self.velocity, g, 1 - b1)
        self.exp_inf = np.maximum(self.exp_inf * b2, np.abs(g) + self.p["eps"])
        clr = self.p["lr"] / (1 - b1 ** float(self.t))
        return p + (-clr) * (self.velocity / self.exp_inf)


class Adadelta(Stepper):
    """torch.optim.Adadelta."""

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        super().__init__(params, n)
        self.square_avg = np.zeros((n, 2))
        self.acc_delta = np.zeros((n, 2))

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        rho, eps, wd = self.p["rho"], self.p["eps"], self.p["weight_decay"]
        if wd != 0:
            g = g + wd * p
        self.square_avg = self.square_avg * rho + (1 - rho) * g * g
        std = np.sqrt(self.square_avg + eps)
        delta = np.sqrt(self.acc_delta + eps) / std * g
        self.acc_delta = self.acc_delta * rho + (1 - rho) * delta * delta
        return p + (-self.p["lr"]) * delta


class Rprop(Stepper):
    """torch.optim.Rprop: per-coordinate steps that grow while the gradient keeps its
    sign and shrink when it flips; ``lr`` is the first step size (later changes of
    ``lr`` do not reach it, as in torch)."""

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        super().__init__(params, n)
        self.prev = np.zeros((n, 2))
        self.step_size: Array | None = None

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        etaminus, etaplus = self.p["etaminus"], self.p["etaplus"]
        if self.step_size is None:
            self.step_size = np.array(np.broadcast_to(self.p["lr"], (self.n, 2)), dtype=np.float64)
        sign = np.sign(g * self.prev)
        factor = np.where(
            sign > 0, etaplus, np.where(sign < 0, etaminus, np.where(sign == 0, 1.0, sign))
        )
        self.step_size = np.clip(
            self.step_size * factor, self.p["step_size_min"], self.p["step_size_max"]
        )
        g = np.where(factor == etaminus, 0.0, g)
        self.prev = g
        return p - np.sign(g) * self.step_size


class ASGD(Stepper):
    """torch.optim.ASGD.  The points are torch's parameters; the running average it
    also keeps (``ax``) is not a point of the path and is not tracked."""

    def __init__(self, params: Mapping[str, Value], n: int) -> None:
        super().__init__(params, n)
        self.eta: float | Array | None = None

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        self.t += 1
        lr, lambd, wd = self.p["lr"], self.p["lambd"], self.p["weight_decay"]
        eta = lr if self.eta is None else self.eta
        if wd != 0:
            g = g + wd * p
        p = p * (1 - lambd * eta)
        p = p + (-eta) * g
        self.eta = lr / _power(1 + lambd * lr * float(self.t), self.p["alpha"])
        return p


def _power(base: float | Array, exponent: float) -> float | Array:
    """``base ** exponent`` with Python's pow (as torch computes it here) for a
    float or for each entry of an array (numpy's power may differ in the last bit)."""
    if isinstance(base, np.ndarray):
        flat = [b**exponent for b in base.ravel().tolist()]
        return np.array(flat, dtype=np.float64).reshape(base.shape)
    return base**exponent


_STEPPERS: dict[str, type[Stepper]] = {
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "nadam": NAdam,
    "radam": RAdam,
    "adamax": Adamax,
    "adadelta": Adadelta,
    "rprop": Rprop,
    "asgd": ASGD,
    "newton": Newton,
}


def make_stepper(name: str, params: Mapping[str, Value], n: int) -> Stepper:
    """A fresh stepper of method ``name`` for ``n`` points (not L-BFGS: see :mod:`lbfgs`)."""
    if name in ("gd", "momentum"):
        return SGD(params, n)
    if name == "nesterov":
        return SGD(params, n, nesterov=True)
    if name in ("adam", "adamw"):
        return Adam(params, n, decoupled=name == "adamw")
    stepper = _STEPPERS.get(name)
    if stepper is None:
        raise OptimizerError(f"unknown optimizer {name!r}")
    return stepper(params, n)
