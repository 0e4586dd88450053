"""The narrated step: one optimizer's update at step k, with the numbers the run used.

The run keeps points, values and gradients, not each method's inner state
(Adam's m and v, RMSProp's running mean ...).  That state is rebuilt by
replaying the run's own stepper (the runner's group: schedule, clipping and
gradient noise included) on the recorded gradients, so the numbers are exactly
those of the run; the replay is checked by landing on the recorded next point.
A fit's step on a batch is replayed on that batch's gradient (the recorded
gradients are the full data's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gdplayground.core.data.batches import Batches
from gdplayground.core.gradients import Objective
from gdplayground.core.trajectory import Trajectory, group_of, step_group

Array = np.ndarray


@dataclass(frozen=True)
class Narration:
    """What an optimizer did at step ``step`` (from point ``step`` to ``step + 1``).

    ``lines`` are for people (symbols, formulas, numbers); ``values`` hold the
    same numbers by name for programs and tests (``g``, ``m``, ``v``, ``step``...).
    ``step`` is None when the run had ended before it (nothing to narrate).
    """

    optimizer: str
    method: str
    step: int | None
    lines: tuple[str, ...]
    values: dict[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """All the lines, one a line."""
        return "\n".join(self.lines)


def _v(values: Array | float) -> str:
    """A number or a pair, four significant digits."""
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 1:
        return f"{array[0]:.4g}"
    return "(" + ", ".join(f"{v:.4g}" for v in array) + ")"


class StepReplay:
    """Replays one run's stepper along its recorded gradients, step by step.

    Going forward continues from where the last narration stopped (cheap when
    the timeline plays); going back starts again from the start point.
    """

    def __init__(
        self,
        objective: Objective,
        trajectory: Trajectory,
        name: str,
        seed: int = 0,
        batches: Batches | None = None,
    ) -> None:
        self.objective = objective
        self.trajectory = trajectory
        self.name = name
        self.seed = seed
        #: a fit's batches (None, or a full batch: the recorded gradients are the step's)
        self.batches = batches if batches is not None and batches.batch_size is not None else None
        self._reset()

    def _reset(self) -> None:
        t = self.trajectory
        stepped: Objective = self.objective
        if self.batches is not None:
            from gdplayground.core.data.runner import BatchLoss

            stepped = BatchLoss(self.objective)  # type: ignore[arg-type,assignment]
        self._stepped = stepped
        self.group = group_of(t.config, 1, stepped, max(t.steps, 1), self.seed)
        self.done = 0  # steps replayed

    def _taken(self, k: int) -> tuple[Array, Array]:
        """The gradient and value the step from point ``k`` was taken on: the recorded
        ones, or a fit's on the step's batch (each (1, 2) and (1,))."""
        t = self.trajectory
        if self.batches is None:
            return t.gradients[k : k + 1].copy(), t.values[k : k + 1].copy()
        index = self.batches.batch(k + 1)
        self._stepped.index = index  # type: ignore[attr-defined]
        p = t.points[k : k + 1]
        f, gw, gb = self.objective.batch_value_and_gradient(p[:, 0], p[:, 1], index)  # type: ignore[attr-defined]
        return np.stack([gw, gb], axis=1), np.asarray(f, dtype=np.float64)

    def narrate(self, k: int) -> Narration:
        """The update from point ``k`` to point ``k + 1`` (0-based)."""
        t, method = self.trajectory, self.trajectory.config.name
        if not 0 <= k < t.steps:
            last = f"the run ended at step {t.steps} ({t.message})" if k >= t.steps else ""
            return Narration(self.name, method, None, (last or "no such step",))
        if k < self.done:
            self._reset()
        while self.done < k:
            self._step(self.done)
        before = _state(self.group.stepper)
        p = t.points[k]
        g = self._taken(k)[0][0]
        new = self._step(k)
        after = _state(self.group.stepper)
        noise = self.group.noise[k] if self.group.noise is not None else None
        used = g + noise if noise is not None else g
        lines, values = _explain(method, self.group, k, p, used, new, before, after, self.objective)
        if self.batches is not None:
            index = self.batches.batch(k + 1)
            shown = ", ".join(str(i) for i in index[:8]) + (", …" if len(index) > 8 else "")
            lines[0] = f"g = ∇ (mean loss over the {len(index)} examples of this batch) = {_v(g)}"
            lines.insert(1, f"the batch: examples {shown}")
        elif noise is not None:
            lines[0] = f"g = ∇f(x) = {_v(g)}"
        if noise is not None:
            lines[0] = f"{lines[0]}, plus the seeded noise {_v(noise)} = {_v(used)}"
        values.update(point=p.copy(), gradient=g.copy(), new_point=new.copy(), used=used.copy())
        recorded = t.points[k + 1]
        if not np.allclose(new, recorded, rtol=1e-12, atol=1e-300):  # pragma: no cover
            lines.append(f"(replayed {_v(new)}, the run recorded {_v(recorded)})")
        header = f"{self.name} — step {k + 1}: from x = {_v(p)}, f = {t.values[k]:.6g}"
        return Narration(self.name, method, k, (header, *lines), values)

    def _step(self, k: int) -> Array:
        t = self.trajectory
        p = t.points[k : k + 1].copy()
        g, f = self._taken(k)
        new = step_group(self._stepped, self.group, k + 1, p, g, f, np.ones(1, dtype=bool))
        if self.group.per_row_lr and k + 1 < len(t.values):
            self.group.schedule.after_step(t.values[k + 1 : k + 2])  # type: ignore[union-attr]
        self.done = k + 1
        return np.asarray(new, dtype=np.float64)[0]


def _state(stepper: object) -> dict[str, object]:
    """Copies of a stepper's inner arrays and numbers (row 0)."""
    state: dict[str, object] = {}
    for name, value in vars(stepper).items():
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[0] == 1:
            state[name] = value[0].copy()
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            state[name] = value
    state["p"] = dict(getattr(stepper, "p", {}))
    return state


def _explain(
    method: str,
    group: object,
    k: int,
    p: Array,
    g: Array,
    new: Array,
    before: dict,
    after: dict,
    objective: Objective,
) -> tuple[list[str], dict[str, object]]:
    """Lines and named values of one update, in the method's own notation."""
    hp = after["p"]
    lr = float(hp.get("lr", math.nan))
    step = new - p
    lines = [f"g = ∇f(x) = {_v(g)}"]
    values: dict[str, object] = {"g": g.copy(), "lr": lr, "step": step}
    clip = getattr(group, "clip", None)
    if clip is not None:
        lines.append(f"clipped (clip_norm {clip[0]:g}, clip_value {clip[1]:g}) before the step")
    wd = float(hp.get("weight_decay", 0.0) or 0.0)
    if wd and method != "adamw":  # AdamW says its decoupled decay itself
        lines.append(f"weight decay: g ← g + {wd:g}·x")
    family = _FAMILIES.get(method, _generic)
    family(lines, values, hp, lr, before, after, p, g, objective)
    lines.append(f"step = {_v(step)}")
    lines.append(f"x ← x + step = {_v(new)}")
    if getattr(group, "schedule", None) is not None:
        lines.append(f"(learning rate from the {hp.get('schedule')} schedule: {lr:.4g})")
    return lines, values


def _nesterov(lines, values, hp, lr, before, after, p, g, objective) -> None:
    momentum = float(hp.get("momentum", 0.0))
    v = after.get("velocity")
    if before.get("velocity") is None:
        lines.append(f"velocity v = g = {_v(v)}  (the first step)")
    else:
        lines.append(f"velocity v ← {momentum:g}·v + g = {_v(v)}")
    values["velocity"] = np.asarray(v)
    look = np.asarray(g) + momentum * np.asarray(v)
    values["lookahead"] = look
    lines.append(f"look ahead: d = g + {momentum:g}·v = {_v(look)}")
    lines.append(f"step = −lr·d = −{lr:g}·d")


def _momentum(lines, values, hp, lr, before, after, p, g, objective) -> None:
    momentum = float(hp.get("momentum", 0.0))
    dampening = float(hp.get("dampening", 0.0) or 0.0)
    v = after.get("velocity")
    if before.get("velocity") is None:
        lines.append(f"velocity v = g = {_v(v)}  (the first step)")
    else:
        lines.append(f"velocity v ← {momentum:g}·v + {1 - dampening:g}·g = {_v(v)}")
    values["velocity"] = np.asarray(v)
    lines.append(f"step = −lr·v = −{lr:g}·v")


def _gd(lines, values, hp, lr, before, after, p, g, objective) -> None:
    lines.append(f"step = −lr·g = −{lr:g}·g")


def _adagrad(lines, values, hp, lr, before, after, p, g, objective) -> None:
    total = np.asarray(after["sum"])
    t = int(after["t"])
    clr = lr / (1 + (t - 1) * float(hp["lr_decay"]))
    values.update(sum=total, clr=clr)
    lines.append(f"sum of squares G ← G + g² = {_v(total)}")
    lines.append(f"rate lr/(1 + (t−1)·lr_decay) = {clr:.4g}")
    lines.append(f"step = −rate·g / (√G + ε), ε = {float(hp['eps']):g}")


def _rmsprop(lines, values, hp, lr, before, after, p, g, objective) -> None:
    alpha = float(hp["alpha"])
    square = np.asarray(after["square_avg"])
    values["square_avg"] = square
    lines.append(f"running mean of g²: s ← {alpha:g}·s + {1 - alpha:g}·g² = {_v(square)}")
    if hp.get("centered"):
        mean = np.asarray(after["grad_avg"])
        values["grad_avg"] = mean
        lines.append(f"running mean of g: ḡ = {_v(mean)}; s − ḡ² in the denominator")
    if float(hp.get("momentum", 0.0) or 0.0) > 0:
        values["velocity"] = np.asarray(after["velocity"])
        lines.append(f"buffer b ← μ·b + g/(√s + ε) = {_v(after['velocity'])}")
        lines.append(f"step = −lr·b = −{lr:g}·b")
    else:
        lines.append(f"step = −lr·g / (√s + ε) = −{lr:g}·g/(√s + {float(hp['eps']):g})")


def _adam(lines, values, hp, lr, before, after, p, g, objective) -> None:
    b1, b2, eps = float(hp["beta1"]), float(hp["beta2"]), float(hp["eps"])
    t = int(after["t"])
    m, v = np.asarray(after["velocity"]), np.asarray(after["exp_avg_sq"])
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    values.update(t=t, m=m, v=v, m_hat=m_hat, v_hat=v_hat)
    lines.append(f"m ← {b1:g}·m + {1 - b1:g}·g = {_v(m)}")
    lines.append(f"v ← {b2:g}·v + {1 - b2:g}·g² = {_v(v)}")
    lines.append(f"bias-corrected (t = {t}): m̂ = m/(1 − β1^t) = {_v(m_hat)}")
    lines.append(f"                       v̂ = v/(1 − β2^t) = {_v(v_hat)}")
    if hp.get("amsgrad"):
        lines.append("AMSGrad: the largest v so far in place of v")
    lines.append(f"step = −lr·m̂ / (√v̂ + ε) = −{lr:g}·m̂/(√v̂ + {eps:g})")


def _adamw(lines, values, hp, lr, before, after, p, g, objective) -> None:
    wd = float(hp.get("weight_decay", 0.0) or 0.0)
    lines.append(f"decoupled weight decay first: x ← x·(1 − lr·{wd:g})")
    _adam(lines, values, hp, lr, before, after, p, g, objective)


def _newton(lines, values, hp, lr, before, after, p, g, objective) -> None:
    a, b, c = (float(v[0]) for v in objective.hessian(p[0:1], p[1:2]))
    det = a * c - b * b
    values.update(hessian=np.array([[a, b], [b, c]]), det=det)
    lines.append(f"Hessian H = [[{a:.4g}, {b:.4g}], [{b:.4g}, {c:.4g}]], det H = {det:.4g}")
    if after.get("problem", 0):
        lines.append("H is singular or not positive definite: no step (the run stops)")
        return
    solved = np.array([c * g[0] - b * g[1], a * g[1] - b * g[0]]) / det
    values["solved"] = solved
    lines.append(f"solve H·d = g: d = {_v(solved)}")
    lines.append(f"step = −lr·d = −{lr:g}·d")


def _generic(lines, values, hp, lr, before, after, p, g, objective) -> None:
    shown = [
        (name, value)
        for name, value in after.items()
        if isinstance(value, np.ndarray) and name not in ("problem",)
    ]
    for name, value in shown:
        values[name] = value
        lines.append(f"{name} = {_v(value)}")
    lines.append(f"lr = {lr:g}")


_FAMILIES = {
    "gd": _gd,
    "momentum": _momentum,
    "nesterov": _nesterov,
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "adam": _adam,
    "adamw": _adamw,
    "newton": _newton,
}
