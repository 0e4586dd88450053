"""A race written out as a short standalone PyTorch script.

:func:`torch_script` turns the function, the gradient mode, the optimizers
(each with its schedule and clipping) and the starts into the text of a
Python script that builds every optimizer with ``torch.optim``, runs the same
loop with the same stopping rules as ``gdplayground run``, and prints the same
JSON.  Run with a Python that has torch, it reproduces ``run``'s points to
float64 round-off; a student can paste it into a notebook and go on from there.

The function is printed from the parsed, as-written tree with torch
operations by a small printer here: the user's text is never evaluated.
Newton's method has no ``torch.optim`` equivalent; the script says so and
skips it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gdplayground.core.expression import parse_function
from gdplayground.core.gradients import GRADIENT_STEP, HESSIAN_STEP
from gdplayground.core.optimizers import OPTIMIZERS, OptimizerConfig
from gdplayground.core.schedules import ResolvedSchedule, resolve_schedule
from gdplayground.core.trajectory import HUGE_COORDINATE, HUGE_VALUE

# ------------------------------------------------------------------- the function

_TORCH_FUNCTIONS = {
    "sin": "torch.sin",
    "cos": "torch.cos",
    "tan": "torch.tan",
    "asin": "torch.asin",
    "acos": "torch.acos",
    "atan": "torch.atan",
    "sinh": "torch.sinh",
    "cosh": "torch.cosh",
    "tanh": "torch.tanh",
    "exp": "torch.exp",
    "log": "torch.log",
    "ln": "torch.log",
    "log2": "torch.log2",
    "log10": "torch.log10",
    "sqrt": "torch.sqrt",
    "cbrt": "cbrt",  # torch has none: a helper in the script
    "abs": "torch.abs",
    "sign": "torch.sign",
}

# precedence of what a node prints as: the higher, the tighter it binds
_SUM, _PRODUCT, _NEG, _POWER, _ATOM = 1, 2, 3, 4, 5


def _number(value: float) -> str:
    """A constant as a Python literal: whole numbers without a point."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _print(node: tuple) -> tuple[str, int]:
    """(text, precedence) of an as-written node with torch operations."""
    kind = node[0]
    if kind == "c":
        text = _number(float(node[1]))
        return text, _NEG if text.startswith("-") else _ATOM
    if kind == "var":
        return node[1], _ATOM
    if kind in ("x", "y"):
        return kind, _ATOM
    if kind == "neg":
        return "-" + _operand(node[1], _POWER), _NEG
    if kind == "call":
        return f"{_TORCH_FUNCTIONS[node[1]]}({_print(node[2])[0]})", _ATOM
    if kind == "power":
        return f"{_operand(node[1], _ATOM)} ** {_operand(node[2], _ATOM)}", _POWER
    # sum or product: every term that is not an atom, a call or a power is bracketed,
    # so that the terms are combined from left to right as written
    level = _SUM if kind == "sum" else _PRODUCT
    parts = []
    for i, (op, term) in enumerate(node[1]):
        leading = i == 0 and op in ("+", "*")  # "-a + b" and "-a * b" need no brackets
        text = _operand(term, _PRODUCT if kind == "sum" else _POWER, leading)
        if i == 0:
            parts.append(text if op in ("+", "*") else ("-" + text if kind == "sum" else text))
        else:
            parts.append(f" {op} {text}")
    if kind == "product" and node[1][0][0] == "/":
        parts.insert(0, "1 / ")
    return "".join(parts), level


def _operand(node: tuple, above: int, negative_ok: bool = False) -> str:
    """A node's text, bracketed unless it binds tighter than ``above`` (a negation or
    a negative number only where ``negative_ok``)."""
    text, level = _print(node)
    return text if level >= above and (level != _NEG or negative_ok) else f"({text})"


def torch_function_text(written: tuple) -> str:
    """The body of ``f(x, y)`` with torch operations, from the as-written tree."""
    text, _ = _print(written)
    if written[0] == "c":  # a constant: tied to x and y so that autograd has a graph
        return f"0 * x + 0 * y + {text}"
    return text


# ------------------------------------------------------------------- the optimizers


def _f(name: str) -> Callable[[dict], str]:
    return lambda p: repr(float(p[name]))


def _i(name: str) -> Callable[[dict], str]:
    return lambda p: str(int(p[name]))


def _b(name: str) -> Callable[[dict], str]:
    return lambda p: str(bool(p[name]))


def _pair(a: str, b: str) -> Callable[[dict], str]:
    return lambda p: f"({float(p[a])!r}, {float(p[b])!r})"


_BETAS = ("betas", _pair("beta1", "beta2"))
_LR, _WD, _EPS = ("lr", _f("lr")), ("weight_decay", _f("weight_decay")), ("eps", _f("eps"))

#: method -> (torch.optim class, [(keyword, value from params)])
_TORCH_OPTIMIZERS: dict[str, tuple[str, list]] = {
    "gd": ("SGD", [_LR, _WD]),
    "momentum": (
        "SGD",
        [_LR, ("momentum", _f("momentum")), ("dampening", _f("dampening")), _WD],
    ),
    "nesterov": ("SGD", [_LR, ("momentum", _f("momentum")), _WD, ("nesterov", lambda p: "True")]),
    "adagrad": (
        "Adagrad",
        [
            _LR,
            ("lr_decay", _f("lr_decay")),
            _WD,
            ("initial_accumulator_value", _f("initial_accumulator_value")),
            _EPS,
        ],
    ),
    "rmsprop": (
        "RMSprop",
        [
            _LR,
            ("alpha", _f("alpha")),
            _EPS,
            _WD,
            ("momentum", _f("momentum")),
            ("centered", _b("centered")),
        ],
    ),
    "adam": ("Adam", [_LR, _BETAS, _EPS, _WD, ("amsgrad", _b("amsgrad"))]),
    "adamw": ("AdamW", [_LR, _BETAS, _EPS, _WD, ("amsgrad", _b("amsgrad"))]),
    "nadam": (
        "NAdam",
        [
            _LR,
            _BETAS,
            _EPS,
            _WD,
            ("momentum_decay", _f("momentum_decay")),
            ("decoupled_weight_decay", _b("decoupled_weight_decay")),
        ],
    ),
    "radam": (
        "RAdam",
        [_LR, _BETAS, _EPS, _WD, ("decoupled_weight_decay", _b("decoupled_weight_decay"))],
    ),
    "adamax": ("Adamax", [_LR, _BETAS, _EPS, _WD]),
    "adadelta": ("Adadelta", [_LR, ("rho", _f("rho")), _EPS, _WD]),
    "rprop": (
        "Rprop",
        [
            _LR,
            ("etas", _pair("etaminus", "etaplus")),
            ("step_sizes", _pair("step_size_min", "step_size_max")),
        ],
    ),
    "asgd": ("ASGD", [_LR, ("lambd", _f("lambd")), ("alpha", _f("alpha")), ("t0", _f("t0")), _WD]),
    "lbfgs": (
        "LBFGS",
        [
            _LR,
            ("max_iter", _i("max_iter")),
            (
                "max_eval",
                lambda p: str(int(p["max_eval"])) if p["max_eval"] else "None",
            ),  # max_iter*5//4
            ("tolerance_grad", _f("tolerance_grad")),
            ("tolerance_change", _f("tolerance_change")),
            ("history_size", _i("history_size")),
            ("line_search_fn", lambda p: '"strong_wolfe"' if p["line_search"] else "None"),
        ],
    ),
}

#: schedule -> (torch.optim.lr_scheduler class, [(keyword, kind)]); kind f, i, b or s (text)
_TORCH_SCHEDULERS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "step": ("StepLR", [("step_size", "i"), ("gamma", "f")]),
    "exponential": ("ExponentialLR", [("gamma", "f")]),
    "cosine": ("CosineAnnealingLR", [("T_max", "i"), ("eta_min", "f")]),
    "cosine_restarts": (
        "CosineAnnealingWarmRestarts",
        [("T_0", "i"), ("T_mult", "i"), ("eta_min", "f")],
    ),
    "linear": ("LinearLR", [("start_factor", "f"), ("end_factor", "f"), ("total_iters", "i")]),
    "onecycle": (
        "OneCycleLR",
        [
            ("max_lr", "f"),
            ("total_steps", "i"),
            ("pct_start", "f"),
            ("anneal_strategy", "s"),
            ("cycle_momentum", "b"),
            ("base_momentum", "f"),
            ("max_momentum", "f"),
            ("div_factor", "f"),
            ("final_div_factor", "f"),
            ("three_phase", "b"),
        ],
    ),
    "plateau": (
        "ReduceLROnPlateau",
        [
            ("factor", "f"),
            ("patience", "i"),
            ("threshold", "f"),
            ("cooldown", "i"),
            ("min_lr", "f"),
        ],
    ),
}


def _float(value: float) -> str:
    """A float as a Python literal, also nan and infinities."""
    return repr(value) if np.isfinite(value) else f'float("{value}")'


def _literal(value: object, kind: str) -> str:
    if kind == "i":
        return str(int(value))  # type: ignore[call-overload]
    if kind == "b":
        return str(bool(value))
    if kind == "s":
        return json.dumps(str(value))
    return repr(float(value))  # type: ignore[arg-type]


def _call(function: str, arguments: list[str], indent: str) -> list[str]:
    """``function(arguments)`` on one line if it fits in 96 characters, else one per line."""
    one_line = f"{indent}{function}({', '.join(arguments)})"
    if len(one_line) <= 96:
        return [one_line]
    inner = indent + "    "
    return [f"{indent}{function}(", *(f"{inner}{a}," for a in arguments), f"{indent})"]


def _builder(
    function_name: str, config: OptimizerConfig, schedule: ResolvedSchedule | None
) -> list[str]:
    """The lines of a function that builds the optimizer (and scheduler) for the point p."""
    params = config.params
    torch_class, keywords = _TORCH_OPTIMIZERS[config.name]
    lines = [f"def {function_name}(p):"]
    arguments = ["[p]", *(f"{key}={value(params)}" for key, value in keywords)]
    lines += _call(f"optimizer = torch.optim.{torch_class}", arguments, "    ")
    if schedule is None:
        lines.append("    scheduler = None")
    else:
        scheduler_class, settings = _TORCH_SCHEDULERS[schedule.name]
        arguments = ["optimizer"] + [
            f"{key}={_literal(schedule.values[key], kind)}"
            for key, kind in settings
            if key in schedule.values
        ]
        if schedule.name == "onecycle" and "total_steps" in schedule.values:
            lines.append("    # total_steps and max_lr as gdplayground resolved them for this run")
        lines += _call(f"scheduler = torch.optim.lr_scheduler.{scheduler_class}", arguments, "    ")
    lines.append("    return optimizer, scheduler")
    return lines


def _dict_literal(values: dict) -> str:
    """A dict of names to numbers or text as a Python literal (strings in double quotes)."""
    items = (
        f"{json.dumps(k)}: {json.dumps(v) if isinstance(v, str) else repr(float(v))}"
        for k, v in values.items()
    )
    return "{" + ", ".join(items) + "}"


def _wrapped(text: str, indent: str, end: str) -> list[str]:
    """``text`` (a one-line literal) broken after commas into lines of at most 96 characters."""
    lines, line = [], indent
    for piece in re.split(r"(?<=, )", text):
        if len(line) + len(piece) > 96 and line.strip():
            lines.append(line.rstrip())
            line = indent + " "
        line += piece
    lines.append(line + end)
    return lines


def _identifier(name: str, taken: set[str]) -> str:
    """A Python function name for an optimizer's label, unique among ``taken``."""
    base = "make_" + (re.sub(r"\W+", "_", name.lower()).strip("_") or "optimizer")
    base = base if base.isidentifier() else "make_optimizer"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


# ---------------------------------------------------------------------- the script

_HEADER = '''\
"""An optimizer race on f(x, y) = {function}, exported by gdplayground.

Run it with a Python that has PyTorch (pip install torch).  Every optimizer is
built with torch.optim (its schedule with torch.optim.lr_scheduler, its
clipping with torch.nn.utils), runs from every start with the same stopping
rules as `gdplayground run`, and the result is printed as the same JSON.
"""

import json
import math

import torch

torch.set_default_dtype(torch.float64)  # float64 throughout, as gdplayground computes

FUNCTION = {function_literal}
GRADIENT = "{gradient}"
STEPS = {steps}
TOL = {tol!r}  # stop when the gradient norm is below this (0: never)
STARTS = {starts}
HUGE_COORDINATE = {huge_coordinate:g}  # beyond these a run has diverged
HUGE_VALUE = {huge_value:g}
'''

_CBRT = '''

def cbrt(a):
    """The real cube root (torch has no cbrt)."""
    return torch.sign(a) * torch.abs(a) ** (1 / 3)
'''

_FUNCTION = """

def f(x, y):
    return {body}
"""

_SYMBOLIC = '''

def value_and_gradient(xy):
    """f and its exact gradient (autograd) at the point xy."""
    xy = xy.detach().requires_grad_(True)
    value = f(xy[0], xy[1])
    (gradient,) = torch.autograd.grad(value, xy)
    return value.item(), gradient


def hessian(x, y):
    """(fxx, fxy, fyy) by central differences of the gradient, as gdplayground's."""
    hx = {step!r} * max(1.0, abs(x))
    hy = {step!r} * max(1.0, abs(y))
    xs = [x + hx, x - hx, x, x]
    ys = [y, y, y + hy, y - hy]
    g = [value_and_gradient(torch.tensor([a, b]))[1].tolist() for a, b in zip(xs, ys)]
    fxx = (g[0][0] - g[1][0]) / (xs[0] - xs[1])
    fyy = (g[2][1] - g[3][1]) / (ys[2] - ys[3])
    fxy = 0.5 * ((g[0][1] - g[1][1]) / (xs[0] - xs[1]) + (g[2][0] - g[3][0]) / (ys[2] - ys[3]))
    return fxx, fxy, fyy
'''

_NUMERIC = '''

H = {h!r}  # the finite-difference step (None: {step!r} * max(1, |coordinate|))


def _f(x, y):
    return f(torch.tensor(x), torch.tensor(y)).item()


def _step(v, base):
    return H if H is not None else base * max(1.0, abs(v))


def value_and_gradient(xy):
    """f and its gradient by central differences, as gdplayground's numeric mode."""
    x, y = xy.tolist()
    hx, hy = _step(x, {step!r}), _step(y, {step!r})
    xp, xm, yp, ym = x + hx, x - hx, y + hy, y - hy
    gx = (_f(xp, y) - _f(xm, y)) / (xp - xm) if xp != xm else math.nan
    gy = (_f(x, yp) - _f(x, ym)) / (yp - ym) if yp != ym else math.nan
    return _f(x, y), torch.tensor([gx, gy])


def hessian(x, y):
    """(fxx, fxy, fyy) by central differences of f, as gdplayground's numeric mode."""
    hx, hy = _step(x, {hessian_step!r}), _step(y, {hessian_step!r})
    f0 = _f(x, y)
    fxx = (_f(x + hx, y) - 2 * f0 + _f(x - hx, y)) / (hx * hx)
    fyy = (_f(x, y + hy) - 2 * f0 + _f(x, y - hy)) / (hy * hy)
    fxy = (
        _f(x + hx, y + hy) - _f(x + hx, y - hy) - _f(x - hx, y + hy) + _f(x - hx, y - hy)
    ) / (4 * hx * hy)
    return fxx, fxy, fyy
'''

_LOOP = '''

def stationary(x, y):
    """What kind of stationary point (x, y) is, from the Hessian's eigenvalues."""
    a, b, c = hessian(x, y)
    if not all(math.isfinite(v) for v in (a, b, c)):
        return "degenerate"
    mean, radius = (a + c) / 2, math.hypot((a - c) / 2, b)
    low, high = mean - radius, mean + radius
    tol = 1e-6 * max(1.0, abs(low), abs(high))
    if low > tol:
        return "minimum"
    if high < -tol:
        return "maximum"
    if low < -tol and high > tol:
        return "saddle"
    return "degenerate"


def ok(point, value, gradient):
    """False where the point, f or the gradient is not finite or too large."""
    return (
        max(abs(point[0]), abs(point[1])) <= HUGE_COORDINATE
        and max(abs(gradient[0]), abs(gradient[1]), abs(value)) <= HUGE_VALUE
    )


def step(optimizer, p, gradient, clip_norm, clip_value):
    """One optimizer step from p, whose gradient is known."""
    if isinstance(optimizer, torch.optim.LBFGS):  # evaluates f itself, maybe many times

        def closure():
            value, p.grad = value_and_gradient(p)
            return value

        optimizer.step(closure)
        return
    p.grad = gradient.clone()
    if clip_norm:
        torch.nn.utils.clip_grad_norm_([p], clip_norm)
    if clip_value:
        torch.nn.utils.clip_grad_value_([p], clip_value)
    optimizer.step()


def start_problem(point, value, gradient):
    """Why a run could not take its first step."""
    if not all(math.isfinite(v) and abs(v) <= HUGE_COORDINATE for v in point):
        return "the start point is too far out: move the start"
    if not math.isfinite(value) or abs(value) > HUGE_VALUE:
        return "f is undefined at the start point: move the start"
    if not all(math.isfinite(v) and abs(v) <= HUGE_VALUE for v in gradient):
        return (
            f"the gradient is undefined at the start point (f = {value:.4g} there): "
            "move the start"
        )
    return "could not start: move the start"


def number(v):
    """JSON has no NaN or infinity: undefined numbers become null."""
    return v if math.isfinite(v) else None


def race(build, start, clip_norm=0.0, clip_value=0.0):
    """One optimizer from one start, stopped as gdplayground stops it."""
    p = torch.tensor(start, requires_grad=True)
    optimizer, scheduler = build(p)
    points, values, grad_norms, evaluations, lrs = [], [], [], [], []
    status, stopped_at, message, cost = "max_steps", None, None, 0
    for k in range(STEPS + 1):
        value, gradient = value_and_gradient(p)  # f and its gradient at point k
        if k > 0 and isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(value)  # the metric is f at the new point
        elif k > 0 and scheduler is not None:
            scheduler.step()
        point, g = p.tolist(), gradient.tolist()
        if not ok(point, value, g):  # diverged: the path keeps its last finite point
            status, stopped_at = "diverged", k
            if k > 0:
                message = f"diverged at step {k}"
                break
            message = start_problem(point, value, g)
        points.append(point)
        values.append(value)
        grad_norms.append(math.hypot(*g))
        if isinstance(optimizer, torch.optim.LBFGS):
            cost = optimizer.state[p].get("func_evals", 0)
        evaluations.append(cost)
        lrs.append(optimizer.param_groups[0]["lr"])
        if status == "diverged":
            break
        if TOL > 0 and grad_norms[-1] < TOL:
            status, stopped_at = "converged", k
            kind = stationary(*point)
            message = f"converged at step {k} ({kind})"
            break
        if k == STEPS:
            break
        step(optimizer, p, gradient, clip_norm, clip_value)
        cost += 1
    steps = len(points) - 1
    return {
        "start": [number(v) for v in start],
        "points": [[number(x), number(y)] for x, y in points],
        "values": [number(v) for v in values],
        "grad_norms": [number(v) for v in grad_norms],
        "evaluations": evaluations,
        "lrs": [number(v) for v in lrs],
        "status": status,
        "steps": steps,
        "stopped_at": stopped_at,
        "stationary": kind if status == "converged" else None,
        "message": message or f"ran {steps} steps",
    }
'''

_MAIN = """

def main():
    runs = []
    for name, method, build, clipping, params in RACE:
        for start in STARTS:
            run = race(build, start, **clipping)
            runs.append({"optimizer": name, "method": method, "params": params, **run})
    doc = {"function": FUNCTION, "gradient": GRADIENT, "runs": runs}
    print(json.dumps(doc, indent=1, allow_nan=False))


if __name__ == "__main__":
    main()
"""


def torch_script(
    function: str,
    gradient: str,
    optimizers: Sequence[tuple[str, OptimizerConfig]],
    starts: Sequence[tuple[float, float]] | np.ndarray,
    steps: int,
    tol: float,
    h: float | None = None,
) -> str:
    """The text of a standalone PyTorch script that races ``optimizers`` (label,
    config) from every start on ``function`` (the formula as the user wrote it,
    not a preset name) and prints ``run``'s JSON.

    ``gradient`` is ``symbolic`` (autograd) or ``numeric`` (central differences
    with step ``h``, or gdplayground's default step when None).  Raises
    ExpressionError for a function that does not parse, and OptimizerError
    for a schedule that cannot run ``steps`` steps (as the run itself would).
    """
    written = parse_function(function).written
    body = torch_function_text(written)
    start_list = [
        (float(x), float(y)) for x, y in np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    ]
    parts = [
        _HEADER.format(
            function=function.replace('"""', "'''").replace("\\", "\\\\"),
            function_literal=json.dumps(function),
            gradient=gradient,
            steps=int(steps),
            tol=float(tol),
            starts="[" + ", ".join(f"({_float(x)}, {_float(y)})" for x, y in start_list) + "]",
            huge_coordinate=HUGE_COORDINATE,
            huge_value=HUGE_VALUE,
        )
    ]
    if "cbrt(" in body:
        parts.append(_CBRT)
    parts.append(_FUNCTION.format(body=body))
    if gradient == "numeric":
        parts.append(
            _NUMERIC.format(
                h=None if h is None else float(h),
                step=float(GRADIENT_STEP),
                hessian_step=float(HESSIAN_STEP),
            )
        )
    else:
        parts.append(_SYMBOLIC.format(step=float(GRADIENT_STEP)))
    parts.append(_LOOP)
    parts.append(_race_table(optimizers, steps))
    parts.append(_MAIN)
    return "".join(parts)


def _race_table(optimizers: Sequence[tuple[str, OptimizerConfig]], steps: int) -> str:
    """The builder functions and the RACE list: (label, method, params, builder, clips)."""
    lines: list[str] = ["", ""]
    rows: list[str] = []
    taken: set[str] = set()
    for name, config in optimizers:
        info = OPTIMIZERS[config.name]
        if config.name not in _TORCH_OPTIMIZERS:
            lines += [
                f"# {name} ({info.title}: {info.summary}) has no torch.optim equivalent: skipped.",
                "",
                "",
            ]
            continue
        own = [hp.name for hp in info.hyperparameters]
        schedule = resolve_schedule(config.params, own, steps)
        function_name = _identifier(name, taken)
        if config.params.get("noise"):
            lines.append(
                f"# {name}: noise={config.params['noise']:g} (gdplayground's seeded Gaussian "
                "noise on each gradient) has no torch equivalent: this race runs without it."
            )
        lines += [*_builder(function_name, config, schedule), "", ""]
        clips = {key: float(config.params.get(key, 0.0)) for key in ("clip_norm", "clip_value")}
        rows += [
            "    (",
            f"        {json.dumps(name)},",
            f"        {json.dumps(config.name)},",
            f"        {function_name},",
            f"        {_dict_literal(clips)},",
            *_wrapped(_dict_literal(config.params), "        ", ","),
            "    ),",
        ]
    lines.append(
        "# (label, method, builder, clipping, the hyperparameters as gdplayground prints them)"
    )
    lines += ["RACE = [", *rows, "]"]
    return "\n".join(lines) + "\n"


def session_script(session: Any, starts: Sequence[tuple[float, float]] | None = None) -> str:
    """:func:`torch_script` for a session's enabled optimizers (named as the window
    names them), from ``starts`` (default: the session's start)."""
    enabled = [(e.name, e.config) for e in session.optimizers if e.enabled]
    return torch_script(
        session.function,
        session.gradient,
        enabled,
        starts if starts is not None else [session.start],
        session.steps,
        session.tol,
        session.h,
    )


def write_session_script(
    session: Any, path: str | Path, starts: Sequence[tuple[float, float]] | None = None
) -> None:
    """Write :func:`session_script` to ``path`` (atomically, checked)."""
    from gdplayground.io.files import atomic_write_text

    atomic_write_text(path, session_script(session, starts))
