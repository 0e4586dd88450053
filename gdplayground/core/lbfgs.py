"""L-BFGS as ``torch.optim.LBFGS``: one step is one ``LBFGS.step(closure)``.

A step evaluates f and its gradient as often as torch's would (up to
``max_iter`` iterations, with the strong Wolfe line search when
``line_search`` is 1), so the method needs the objective inside the step.
Its control flow differs from point to point, so each point (row) is
stepped on its own, with Python floats, in torch's order of operations, and
torch's fused multiply-adds (``add_`` with ``alpha``) computed exactly as
fused (one rounding): L-BFGS without a line search amplifies a difference in
the last bit within a few steps, and this way it follows torch to the bit.
``func_evals`` counts the evaluations of each row, as torch's
``state["func_evals"]``: the evaluation at the start of a step is counted,
although its values are the ones already known for the point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from gdplayground.core.hyperparameters import Value
from gdplayground.core.steppers import Stepper

if TYPE_CHECKING:  # (the function language, and sympy, load only where a function is compiled)
    from gdplayground.core.gradients import Objective

Array = np.ndarray
Vector = list[float]
Evaluate = Callable[[Vector], tuple[float, Vector]]


def default_max_eval(max_iter: int) -> int:
    """torch's default ``max_eval`` for ``max_iter`` (used where ``max_eval`` is 0)."""
    return max_iter * 5 // 4


class _State:
    """torch's LBFGS state of one row, kept between steps."""

    def __init__(self) -> None:
        self.n_iter = 0
        self.d: Vector = []
        self.t: float = 0.0
        self.old_dirs: list[Vector] = []
        self.old_stps: list[Vector] = []
        self.ro: list[float] = []
        self.h_diag = 1.0
        self.prev_flat_grad: Vector = []
        self.prev_loss = 0.0
        self.al: list[float] = []


class LBFGS(Stepper):
    """torch.optim.LBFGS for ``n`` independent points of ``objective``."""

    def __init__(self, params: Mapping[str, Value], n: int, objective: Objective) -> None:
        super().__init__(params, n)
        self.objective = objective
        self.states = [_State() for _ in range(n)]
        self.func_evals = np.zeros(n, dtype=np.int64)

    def step_rows(self, p: Array, f: Array, g: Array, active: Array) -> Array:
        """The new points of the ``active`` rows (the others stay where they are);
        ``f`` and ``g`` are the value and gradient at ``p``."""
        self.t += 1
        lr = self.p["lr"]
        new = p.copy()
        for i in np.flatnonzero(active):
            lr_i = float(lr[i, 0]) if isinstance(lr, np.ndarray) else float(lr)
            x, evals = self._step_row(
                self.states[i], [float(p[i, 0]), float(p[i, 1])], float(f[i]), list(g[i]), lr_i
            )
            new[i] = x
            self.func_evals[i] += evals
        return new

    def step(self, p: Array, g: Array, hessian: tuple[Array, Array, Array] | None = None) -> Array:
        f = self.objective.value(p[:, 0], p[:, 1])
        return self.step_rows(p, f, g, np.ones(len(p), dtype=bool))

    def _evaluate(self, x: Vector) -> tuple[float, Vector]:
        f, gx, gy = self.objective.value_and_gradient(np.array([x[0]]), np.array([x[1]]))
        return float(f[0]), [float(gx[0]), float(gy[0])]

    def _step_row(
        self, s: _State, x: Vector, loss: float, flat_grad: Vector, lr: float
    ) -> tuple[Vector, int]:
        """One LBFGS.step of one row from ``x``: the new point and the evaluations used."""
        p = self.p
        max_iter = int(p["max_iter"])
        max_eval = int(p["max_eval"]) or default_max_eval(max_iter)
        tolerance_grad, tolerance_change = float(p["tolerance_grad"]), float(p["tolerance_change"])
        history_size = int(p["history_size"])
        current_evals = 1  # the closure's call at the start: f and g at x, known already
        opt_cond = _abs_max(flat_grad) <= tolerance_grad
        if opt_cond:
            return x, current_evals
        d, t = s.d, s.t
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            s.n_iter += 1
            if s.n_iter == 1:
                d = [-flat_grad[0], -flat_grad[1]]
                s.old_dirs, s.old_stps, s.ro, s.h_diag = [], [], [], 1.0
            else:
                d = self._direction(s, flat_grad, d, t, history_size)
            s.prev_flat_grad = list(flat_grad)
            s.prev_loss = loss
            if s.n_iter == 1:
                t = min(1.0, _div(1.0, abs(flat_grad[0]) + abs(flat_grad[1]))) * lr
            else:
                t = lr
            gtd = _dot(flat_grad, d)
            if gtd > -tolerance_change:
                break
            ls_func_evals = 0
            if p["line_search"]:
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    self._evaluate, x, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                x = _axpy(t, d, x)
                opt_cond = _abs_max(flat_grad) <= tolerance_grad
            else:
                x = _axpy(t, d, x)
                if n_iter != max_iter:
                    loss, flat_grad = self._evaluate(x)
                    opt_cond = _abs_max(flat_grad) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if _abs_max([d[0] * t, d[1] * t]) <= tolerance_change:
                break
            if abs(loss - s.prev_loss) < tolerance_change:
                break
        s.d, s.t = d, t
        return x, current_evals

    @staticmethod
    def _direction(s: _State, flat_grad: Vector, d: Vector, t: float, history_size: int) -> Vector:
        """Update the memory with the last step and return the L-BFGS direction."""
        y = [flat_grad[0] - s.prev_flat_grad[0], flat_grad[1] - s.prev_flat_grad[1]]
        step = [d[0] * t, d[1] * t]
        ys = _dot(y, step)
        if ys > 1e-10:
            if len(s.old_dirs) == history_size:
                s.old_dirs.pop(0)
                s.old_stps.pop(0)
                s.ro.pop(0)
            s.old_dirs.append(y)
            s.old_stps.append(step)
            s.ro.append(1.0 / ys)
            s.h_diag = _div(ys, _dot(y, y))
        num_old = len(s.old_dirs)
        if not s.al:
            s.al = [0.0] * history_size
        al = s.al
        q = [-flat_grad[0], -flat_grad[1]]
        for i in range(num_old - 1, -1, -1):
            al[i] = _dot(s.old_stps[i], q) * s.ro[i]
            q = _axpy(-al[i], s.old_dirs[i], q)
        r = [q[0] * s.h_diag, q[1] * s.h_diag]
        for i in range(num_old):
            be_i = _dot(s.old_dirs[i], r) * s.ro[i]
            r = _axpy(al[i] - be_i, s.old_stps[i], r)
        return r


# ------------------------------------------------------------- torch's helpers, in order


def _dot(a: Vector, b: Vector) -> float:
    return a[0] * b[0] + a[1] * b[1]


def _axpy(alpha: float, x: Vector, y: Vector) -> Vector:
    """``y.add(x, alpha=alpha)``: ``y + alpha * x`` with one rounding, as torch computes it."""
    return [_fma(alpha, x[0], y[0]), _fma(alpha, x[1], y[1])]


def _fma(a: float, b: float, c: float) -> float:
    """``a * b + c`` rounded once (exact integer arithmetic; Python's int division
    rounds correctly).  Infinite or nan inputs take the plain route, as IEEE's fma."""
    try:
        na, da = a.as_integer_ratio()
        nb, db = b.as_integer_ratio()
        nc, dc = c.as_integer_ratio()
    except (OverflowError, ValueError):
        return a * b + c
    numerator = na * nb * dc + nc * da * db
    if numerator == 0:
        return a * b + c  # the sign of an exact zero, as IEEE gives it
    try:
        return numerator / (da * db * dc)
    except OverflowError:
        return a * b + c


def _abs_max(v: Vector) -> float:
    """``v.abs().max()``: nan if any entry is nan, as torch's max."""
    a, b = abs(v[0]), abs(v[1])
    if a != a or b != b:
        return math.nan
    return max(a, b)


def _div(a: float, b: float) -> float:
    """``a / b`` with IEEE results (inf, nan) where Python would raise, as tensors give."""
    try:
        return a / b
    except ZeroDivisionError:
        with np.errstate(all="ignore"):
            return float(np.float64(a) / np.float64(b))


def _cubic_interpolate(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser of the cubic through two points with values and slopes, kept in bounds."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - _div(3 * (f1 - f2), x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * _div(g2 + d2 - d1, g2 - g1 + 2 * d2)
        else:
            min_pos = x1 - (x1 - x2) * _div(g1 + d2 - d1, g1 - g2 + 2 * d2)
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(
    evaluate: Evaluate,
    x: Vector,
    t: float,
    d: Vector,
    f: float,
    g: Vector,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Vector, float, int]:
    """torch's strong Wolfe line search along ``d`` from ``x``: (f, gradient, t, evaluations)."""
    d_norm = _abs_max(d)
    f_new, g_new = evaluate(_axpy(t, d, x))
    ls_func_evals = 1
    gtd_new = _dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[float] = []
    bracket_f: list[float] = []
    bracket_g: list[Vector] = []
    bracket_gtd: list[float] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = evaluate(_axpy(t, d, x))
        ls_func_evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # zoom: refine the bracket until a point satisfies the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = evaluate(_axpy(t, d, x))
        ls_func_evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = (
                    bracket_g[low_pos],
                    bracket_gtd[low_pos],
                )
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
