"""Each optimizer follows torch.optim's documented update rule in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdplayground.core.expression import X, Y
from gdplayground.core.gradients import make_objective
from gdplayground.core.optimizers import (
    FIRST_ORDER,
    OPTIMIZERS,
    OptimizerError,
    make_config,
)
from gdplayground.core.trajectory import run_trajectory

# f(x, y) = x^2 + 3 y^2 from (1, -2); gradient (2x, 6y).
QUADRATIC = X**2 + 3 * Y**2
START = (1.0, -2.0)

# Three or four steps of torch 2.13.0 (float64) on the quadratic above, printed
# by torch.optim itself with the matching arguments (betas=(beta1, beta2), ...);
# a "name+variant" key runs the optimizer ``name``.
TORCH_REFERENCE = {
    "gd": (
        {"lr": 0.01, "weight_decay": 0.1},
        [
            (0.979, -1.8780000000000001),
            (0.958441, -1.7634420000000002),
            (0.938313739, -1.6558720380000003),
        ],
    ),
    "momentum": (
        {"lr": 0.01, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.1},
        [
            (0.979, -1.8780000000000001),
            (0.9415969, -1.6650978),
            (0.89013792859, -1.3820719507800001),
        ],
    ),
    "nesterov": (
        {"lr": 0.01, "momentum": 0.8, "weight_decay": 0.1},
        [
            (0.9621999999999999, -1.7804),
            (0.91238884, -1.50683208),
            (0.854216573848, -1.2094111016159999),
        ],
    ),
    "adagrad": (
        {
            "lr": 0.3,
            "lr_decay": 0.05,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.2,
            "eps": 1e-10,
        },
        [
            (0.706579747329114, -1.7002013558208315),
            (0.5441430226679157, -1.5152183584448502),
            (0.43475988951323485, -1.3789170403315325),
        ],
    ),
    "rmsprop": (
        {
            "lr": 0.01,
            "alpha": 0.9,
            "eps": 1e-08,
            "weight_decay": 0.1,
            "momentum": 0.5,
            "centered": 1,
        },
        [
            (0.9666666671957672, -1.9666666667577413),
            (0.9249234769712892, -1.9247134860114492),
            (0.8824183658114663, -1.8816602308637735),
        ],
    ),
    "adam": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-08, "weight_decay": 0.1},
        [
            (0.9000000004761904, -1.9000000000819672),
            (0.8006960102192301, -1.8003048257024663),
            (0.7026562038556347, -1.7011364374398101),
        ],
    ),
    "rmsprop+momentum": (
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.6, "weight_decay": 0.05},
        [
            (0.9683772238861211, -1.968377223480961),
            (0.9268143598012921, -1.9266359708860914),
            (0.8833882285922512, -1.8827343086355361),
            (0.8413159994852595, -1.8398422561028658),
        ],
    ),
    # beta2 = 0.5 lets the squared-gradient average fall, where AMSGrad departs from Adam
    "adam+amsgrad": (
        {"lr": 0.3, "beta1": 0.8, "beta2": 0.5, "amsgrad": 1, "weight_decay": 0.1},
        [
            (0.7000000014285714, -1.7000000002459017),
            (0.3938137850747825, -1.3953831739338791),
            (0.13458213212921427, -1.098571620757432),
            (-0.061578405246090956, -0.8262853312921117),
        ],
    ),
    "adam+no-amsgrad": (
        {"lr": 0.3, "beta1": 0.8, "beta2": 0.5, "amsgrad": 0, "weight_decay": 0.1},
        [
            (0.7000000014285714, -1.7000000002459017),
            (0.3922712758017535, -1.3953831739338791),
            (0.07076725990876742, -1.082199288388538),
            (-0.2552204230144758, -0.7553111495609862),
        ],
    ),
    "adamw+amsgrad": (
        {"lr": 0.3, "beta1": 0.8, "beta2": 0.5, "amsgrad": 1, "weight_decay": 0.5},
        [
            (0.5500000015, -1.40000000025),
            (0.1919324065932062, -0.883813782651587),
            (-0.043735537177266526, -0.48418778251736017),
            (-0.17268788779167638, -0.19508404661587558),
        ],
    ),
    "adamw": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.5},
        [
            (0.8500000004999999, -1.8000000000833332),
            (0.7086850437201804, -1.6106960094158171),
            (0.5765933994137072, -1.4320614432623608),
        ],
    ),
}


def _path(name: str, params: dict, steps: int = 3) -> np.ndarray:
    cfg = make_config(name, params)
    return run_trajectory(make_objective(QUADRATIC), cfg, START, steps=steps, tol=0).points


@pytest.mark.parametrize("name", sorted(TORCH_REFERENCE))
def test_matches_torch_reference(name: str) -> None:
    params, expected = TORCH_REFERENCE[name]
    points = _path(name.split("+")[0], params, steps=len(expected))
    np.testing.assert_allclose(points[0], START)
    np.testing.assert_allclose(points[1:], expected, rtol=1e-14, atol=1e-15)


def _grad(p: list[float]) -> list[float]:
    return [2 * p[0], 6 * p[1]]


def _by_hand(name: str, hp: dict, steps: int = 3) -> list[list[float]]:
    """torch's documented pseudo-code, one scalar coordinate at a time."""
    p = list(START)
    state: dict = {}
    out = []
    for t in range(1, steps + 1):
        g = _grad(p)
        for i in range(2):
            gi = g[i] + hp.get("weight_decay", 0.0) * p[i] if name != "adamw" else g[i]
            if name == "gd":
                p[i] -= hp["lr"] * gi
            elif name in ("momentum", "nesterov"):
                b = state.get(("b", i))
                b = gi if b is None else hp["momentum"] * b + (1 - hp.get("dampening", 0)) * gi
                state[("b", i)] = b
                step = gi + hp["momentum"] * b if name == "nesterov" else b
                p[i] -= hp["lr"] * step
            elif name == "adagrad":
                s = state.get(("s", i), hp["initial_accumulator_value"]) + gi * gi
                state[("s", i)] = s
                clr = hp["lr"] / (1 + (t - 1) * hp["lr_decay"])
                p[i] -= clr * gi / (math.sqrt(s) + hp["eps"])
            elif name == "rmsprop":
                v = hp["alpha"] * state.get(("v", i), 0.0) + (1 - hp["alpha"]) * gi * gi
                state[("v", i)] = v
                p[i] -= hp["lr"] * gi / (math.sqrt(v) + hp["eps"])
            elif name in ("adam", "adamw"):
                if name == "adamw":
                    p[i] -= hp["lr"] * hp["weight_decay"] * p[i]
                m = hp["beta1"] * state.get(("m", i), 0.0) + (1 - hp["beta1"]) * gi
                v = hp["beta2"] * state.get(("v", i), 0.0) + (1 - hp["beta2"]) * gi * gi
                state[("m", i)], state[("v", i)] = m, v
                m_hat = m / (1 - hp["beta1"] ** t)
                v_hat = v / (1 - hp["beta2"] ** t)
                p[i] -= hp["lr"] * m_hat / (math.sqrt(v_hat) + hp["eps"])
        out.append(list(p))
    return out


HAND_CASES = [
    ("gd", {"lr": 0.05, "weight_decay": 0.2}),
    ("momentum", {"lr": 0.02, "momentum": 0.7, "dampening": 0.25, "weight_decay": 0.0}),
    ("nesterov", {"lr": 0.02, "momentum": 0.6, "weight_decay": 0.3}),
    (
        "adagrad",
        {
            "lr": 0.4,
            "lr_decay": 0.1,
            "weight_decay": 0.0,
            "initial_accumulator_value": 1.0,
            "eps": 1e-10,
        },
    ),
    ("rmsprop", {"lr": 0.02, "alpha": 0.8, "eps": 1e-6, "weight_decay": 0.05}),
    ("adam", {"lr": 0.2, "beta1": 0.7, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.0}),
    ("adamw", {"lr": 0.2, "beta1": 0.7, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.3}),
]


@pytest.mark.parametrize(("name", "params"), HAND_CASES)
def test_matches_update_rule_worked_by_hand(name: str, params: dict) -> None:
    np.testing.assert_allclose(_path(name, params)[1:], _by_hand(name, params), rtol=1e-12)


def test_first_steps_written_out() -> None:
    # SGD, lr=0.1: (1, -2) - 0.1 * (2, -12) = (0.8, -0.8)
    np.testing.assert_allclose(_path("gd", {"lr": 0.1}, 1)[1], [0.8, -0.8])
    # Adam's first step moves every coordinate by about lr against the gradient sign.
    np.testing.assert_allclose(_path("adam", {"lr": 0.1}, 1)[1], [0.9, -1.9], atol=1e-8)
    # Nesterov's first step uses g + momentum * g.
    np.testing.assert_allclose(
        _path("nesterov", {"lr": 0.1, "momentum": 0.5}, 1)[1],
        [1 - 0.1 * 1.5 * 2, -2 + 0.1 * 1.5 * 12],
    )


def test_torch_names_and_defaults() -> None:
    assert set(FIRST_ORDER) == set(OPTIMIZERS) - {"newton"}
    adam = make_config("adam").params
    assert {"lr", "beta1", "beta2", "eps", "weight_decay"} <= set(adam)
    assert adam["beta1"] == 0.9 and adam["beta2"] == 0.999 and adam["eps"] == 1e-8
    assert make_config("adamw").params["weight_decay"] == 0.01
    assert make_config("rmsprop").params["alpha"] == 0.99
    assert make_config("momentum").params["momentum"] == 0.9
    assert make_config("ADAM", {"lr": 0.5}).params["lr"] == 0.5


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("adamm", {}, "unknown optimizer 'adamm'"),
        ("adam", {"betas": 0.9}, "no hyperparameter 'betas'"),
        ("adam", {"lr": 0}, "lr=0 is out of range"),
        ("adam", {"lr": -1}, "out of range"),
        ("gd", {"lr": float("nan")}, "finite"),
        ("momentum", {"momentum": 1.0}, "out of range"),
        ("adam", {"amsgrad": 0.5}, "write 0 or 1"),
        ("adam", {"lr": "fast"}, "must be a number"),
    ],
)
def test_bad_hyperparameters_are_refused(name: str, params: dict, fragment: str) -> None:
    with pytest.raises(OptimizerError, match=fragment):
        make_config(name, params)


def test_stepping_is_vectorised_and_independent_per_point() -> None:
    obj = make_objective((1 - X) ** 2 + 100 * (Y - X**2) ** 2)
    starts = np.array([[-1.5, 2.0], [0.5, 0.5], [2.0, -1.0]])
    from gdplayground.core.trajectory import run_trajectories

    for name in OPTIMIZERS:
        batch = run_trajectories(obj, make_config(name), starts, steps=20, tol=0)
        for start, traj in zip(starts, batch, strict=True):
            alone = run_trajectory(obj, make_config(name), tuple(start), steps=20, tol=0)
            np.testing.assert_array_equal(traj.points, alone.points)


# ------------------------------------------------------------------ the methods added later

# Points after each step on x^2 + 3 y^2 from (1, -2), printed by torch 2.13.0 in
# float64 (torch.set_default_dtype(torch.float64)): p = torch.tensor([1., -2.],
# requires_grad=True); opt = torch.optim.<Class>([p], **kwargs); then per step
# opt.zero_grad(); (p[0]**2 + 3*p[1]**2).backward(); opt.step().  The kwargs are
# the params below with betas=(beta1, beta2), etas=(etaminus, etaplus),
# step_sizes=(step_size_min, step_size_max) and switches as True/False.
TORCH_REFERENCE_MORE = {
    "nadam": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1, "momentum_decay": 0.004},
        [
            (0.8904721922673979, -1.8904721918356138),
            (0.8080105525599639, -1.805739730586872),
            (0.7309485188048049, -1.7249395549156505),
        ],
    ),
    "nadam+decoupled": (
        {
            "lr": 0.1,
            "beta1": 0.8,
            "beta2": 0.99,
            "weight_decay": 0.5,
            "momentum_decay": 0.01,
            "decoupled_weight_decay": 1,
        },
        [
            (0.8404661947936987, -1.7904661943373077),
            (0.7182344129732733, -1.6182756826303197),
            (0.6093790532152499, -1.4603395717746082),
        ],
    ),
    # seven steps: the first five are RAdam's un-adapted ones (rho_t <= 5), then rectified
    "radam": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.9, "weight_decay": 0.1},
        [
            (0.79, -0.7799999999999998),
            (0.6045, 0.026555555555555888),
            (0.4429979508196721, 0.49591666666666695),
            (0.30469118602558964, 0.7038041064438424),
            (0.18849342162676802, 0.7221365888471722),
            (0.16829513887888042, 0.7172919690716845),
            (0.14410874262274787, 0.7056259996556942),
        ],
    ),
    "radam+decoupled": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.9, "weight_decay": 0.5, "decoupled_weight_decay": 1},
        [
            (0.75, -0.6999999999999997),
            (0.5402777777777776, 0.10166666666666713),
            (0.3673394808743168, 0.5240423497267763),
            (0.22759298765061864, 0.6739833860900086),
            (0.11740072819384627, 0.6437318728056004),
            (0.0928415572324623, 0.6066790413514923),
            (0.06657874633071892, 0.5653866740456617),
        ],
    ),
    "adamax": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-08, "weight_decay": 0.1},
        [
            (0.9000000004761904, -1.9000000000819672),
            (0.8046015721719844, -1.801795735289231),
            (0.7140871565199636, -1.7055819888752894),
        ],
    ),
    "adadelta": (
        {"lr": 2.0, "rho": 0.8, "eps": 0.0001, "weight_decay": 0.1},
        [
            (0.9552811754589086, -1.9552787155663152),
            (0.9091163323906493, -1.9086156783610897),
            (0.8626804064464925, -1.8609451960266454),
        ],
    ),
    # large enough steps that the gradient's sign flips (steps shrink) and holds (they grow)
    "rprop": (
        {"lr": 0.3, "etaminus": 0.4, "etaplus": 1.5, "step_size_min": 1e-3, "step_size_max": 0.6},
        [
            (0.7, -1.7),
            (0.25, -1.25),
            (-0.35, -0.65),
            (-0.35, -0.050000000000000044),
            (-0.10999999999999999, 0.5499999999999999),
            (0.25, 0.5499999999999999),
        ],
    ),
    "asgd": (
        {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 2, "weight_decay": 0.1},
        [
            (0.8945000000000001, -1.389),
            (0.8001538335940207, -0.9647665451097405),
            (0.7157797806348445, -0.6701776232344374),
            (0.6403215862169667, -0.46559174125113933),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(TORCH_REFERENCE_MORE))
def test_more_methods_match_torch_reference(name: str) -> None:
    params, expected = TORCH_REFERENCE_MORE[name]
    points = _path(name.split("+")[0], params, steps=len(expected))
    np.testing.assert_allclose(points[1:], expected, rtol=1e-14, atol=1e-15)


def _more_by_hand(name: str, hp: dict, steps: int) -> list[list[float]]:
    """The pseudo-code of torch's documentation for each method, one coordinate at a time."""
    h = {"weight_decay": 0.0, "eps": 1e-8, "decoupled_weight_decay": 0, **hp}
    lr, wd = h["lr"], h["weight_decay"]
    p = list(START)
    state: dict = {}
    out = []
    mu_products = [1.0]
    for t in range(1, steps + 1):
        g_all = _grad(p)
        if name == "nadam":
            mu = [h["beta1"] * (1 - 0.5 * 0.96 ** (i * h["momentum_decay"])) for i in (t, t + 1)]
            mu_products.append(mu_products[-1] * mu[0])
        for i in range(2):
            g = g_all[i]
            if wd and h["decoupled_weight_decay"]:
                p[i] -= lr * wd * p[i]
            elif wd:
                g += wd * p[i]
            m = state.get(("m", i), 0.0)
            v = state.get(("v", i), 0.0)
            if name == "nadam":
                m = h["beta1"] * m + (1 - h["beta1"]) * g
                v = h["beta2"] * v + (1 - h["beta2"]) * g * g
                m_hat = mu[1] * m / (1 - mu_products[-1] * mu[1]) + (1 - mu[0]) * g / (
                    1 - mu_products[-1]
                )
                v_hat = v / (1 - h["beta2"] ** t)
                p[i] -= lr * m_hat / (math.sqrt(v_hat) + h["eps"])
            elif name == "radam":
                m = h["beta1"] * m + (1 - h["beta1"]) * g
                v = h["beta2"] * v + (1 - h["beta2"]) * g * g
                m_hat = m / (1 - h["beta1"] ** t)
                rho_inf = 2 / (1 - h["beta2"]) - 1
                rho = rho_inf - 2 * t * h["beta2"] ** t / (1 - h["beta2"] ** t)
                if rho > 5:
                    adaptive = math.sqrt(1 - h["beta2"] ** t) / (math.sqrt(v) + h["eps"])
                    rect = math.sqrt(
                        (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
                    )
                    p[i] -= lr * m_hat * rect * adaptive
                else:
                    p[i] -= lr * m_hat
            elif name == "adamax":
                m = h["beta1"] * m + (1 - h["beta1"]) * g
                v = max(h["beta2"] * v, abs(g) + h["eps"])  # u_t, the infinity norm
                p[i] -= lr * m / ((1 - h["beta1"] ** t) * v)
            elif name == "adadelta":
                v = h["rho"] * v + (1 - h["rho"]) * g * g  # square_avg
                delta = math.sqrt(m + h["eps"]) / math.sqrt(v + h["eps"]) * g
                m = h["rho"] * m + (1 - h["rho"]) * delta * delta  # acc_delta
                p[i] -= lr * delta
            elif name == "rprop":
                size, prev = state.get(("size", i), lr), state.get(("prev", i), 0.0)
                if prev * g > 0:
                    size = min(size * h["etaplus"], h["step_size_max"])
                elif prev * g < 0:
                    size, g = max(size * h["etaminus"], h["step_size_min"]), 0.0
                state[("size", i)], state[("prev", i)] = size, g
                p[i] -= size * (g > 0) - size * (g < 0)
            elif name == "asgd":
                eta = state.get("eta", lr)
                p[i] = p[i] * (1 - h["lambd"] * eta) - eta * g
            state[("m", i)], state[("v", i)] = m, v
        if name == "asgd":
            state["eta"] = lr / (1 + h["lambd"] * lr * t) ** h["alpha"]
        out.append(list(p))
    return out


@pytest.mark.parametrize("name", sorted(TORCH_REFERENCE_MORE))
def test_more_methods_match_the_documented_rule(name: str) -> None:
    params, expected = TORCH_REFERENCE_MORE[name]
    method = name.split("+")[0]
    steps = len(expected)
    np.testing.assert_allclose(
        _path(method, params, steps=steps)[1:], _more_by_hand(method, params, steps), rtol=1e-12
    )


ROSENBROCK = (1 - X) ** 2 + 100 * (Y - X**2) ** 2

# Five LBFGS.step(closure) calls of torch 2.13.0 (float64) on Rosenbrock from
# (-1.5, 2): p = torch.tensor([-1.5, 2.], requires_grad=True); opt =
# torch.optim.LBFGS([p], **kwargs); the closure zeroes the gradient, computes
# (1 - p[0])**2 + 100*(p[1] - p[0]**2)**2, calls backward() and counts itself.
# Each entry: the point after the step, and the closure calls so far.
LBFGS_REFERENCE = {
    "default": (
        {},  # LBFGS([p])
        [
            ((-0.781122729831648, 0.6131352916809746), 20),
            ((0.08303252319322772, 0.005052944696990406), 40),
            ((1.054969018030194, 0.8137053551938505), 60),
            ((0.928914413856703, 0.8627421344658046), 80),
            ((0.9999956484454162, 0.999991789284527), 89),
        ],
    ),
    "strong_wolfe": (
        {"line_search": 1},  # LBFGS([p], line_search_fn="strong_wolfe")
        [
            ((-0.08511855589860293, -0.028757058413769698), 25),
            ((0.9995835472529905, 0.9991550319577943), 50),
            ((0.9999979943196398, 0.9999973438921637), 53),
            ((0.9999979943196398, 0.9999973438921637), 54),
            ((0.9999979943196398, 0.9999973438921637), 55),
        ],
    ),
    "short": (
        {"lr": 0.5, "max_iter": 3, "history_size": 2},  # LBFGS([p], lr=0.5, max_iter=3, ...)
        [
            ((-1.2562351611111637, 2.073956127358466), 3),
            ((-1.404359679323141, 2.0379368953574124), 6),
            ((-1.4185785333778624, 2.0337894220394275), 9),
            ((-1.4215368608326535, 2.03149334111878), 12),
            ((-1.4220483345793666, 2.0285345358656057), 15),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(LBFGS_REFERENCE))
def test_lbfgs_matches_torch_on_rosenbrock(case: str) -> None:
    params, expected = LBFGS_REFERENCE[case]
    traj = run_trajectory(
        make_objective(ROSENBROCK), make_config("lbfgs", params), (-1.5, 2.0), steps=5, tol=0
    )
    # L-BFGS without a line search turns a last-bit difference into a visible one
    # within a few steps: these agree to the bit, as do the evaluation counts.
    np.testing.assert_allclose(traj.points[1:], [p for p, _ in expected], rtol=1e-15, atol=0)
    assert list(traj.evaluations) == [0] + [e for _, e in expected]


def _textbook_lbfgs(hp: dict, steps: int) -> list[list[float]]:
    """L-BFGS with a fixed step (Nocedal & Wright, algorithm 7.4: the two-loop
    recursion with H0 = s.y / y.y), the first step scaled by min(1, 1/|g|_1) as torch's."""
    x = [-1.5, 2.0]
    memory: list[tuple[list[float], list[float]]] = []
    previous: tuple[list[float], list[float]] | None = None  # last step s and gradient
    out = []
    for _ in range(steps):
        a, b = x
        g = [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]
        if previous is None:
            d = [-g[0], -g[1]]
            t = min(1.0, 1.0 / (abs(g[0]) + abs(g[1]))) * hp["lr"]
            h0 = 1.0
        else:
            s, g_old = previous
            y = [g[0] - g_old[0], g[1] - g_old[1]]
            if y[0] * s[0] + y[1] * s[1] > 1e-10:
                memory = [*memory, (s, y)][-int(hp["history_size"]) :]
                h0 = (y[0] * s[0] + y[1] * s[1]) / (y[0] ** 2 + y[1] ** 2)
            q = [-g[0], -g[1]]
            alphas = []
            for s_i, y_i in reversed(memory):
                alpha = (s_i[0] * q[0] + s_i[1] * q[1]) / (y_i[0] * s_i[0] + y_i[1] * s_i[1])
                q = [q[0] - alpha * y_i[0], q[1] - alpha * y_i[1]]
                alphas.append(alpha)
            d = [h0 * q[0], h0 * q[1]]
            for (s_i, y_i), alpha in zip(memory, reversed(alphas), strict=True):
                beta = (y_i[0] * d[0] + y_i[1] * d[1]) / (y_i[0] * s_i[0] + y_i[1] * s_i[1])
                d = [d[0] + (alpha - beta) * s_i[0], d[1] + (alpha - beta) * s_i[1]]
            t = hp["lr"]
        x = [x[0] + t * d[0], x[1] + t * d[1]]
        previous = ([t * d[0], t * d[1]], g)
        out.append(list(x))
    return out


def test_lbfgs_one_iteration_a_step_is_the_textbook_two_loop_recursion() -> None:
    params = {"lr": 0.05, "max_iter": 1, "history_size": 3}
    traj = run_trajectory(
        make_objective(ROSENBROCK), make_config("lbfgs", params), (-1.5, 2.0), steps=12, tol=0
    )
    np.testing.assert_allclose(traj.points[1:], _textbook_lbfgs(params, 12), rtol=1e-10)
    assert list(traj.evaluations) == list(range(13))  # one evaluation a step, like SGD


def test_lbfgs_line_search_steps_satisfy_the_strong_wolfe_conditions() -> None:
    objective = make_objective(ROSENBROCK)
    traj = run_trajectory(
        objective, make_config("lbfgs", {"max_iter": 1, "line_search": 1, "max_eval": 25}),
        (-1.5, 2.0), steps=8, tol=0,
    )  # fmt: skip
    moved = 0
    for k in range(8):
        step = traj.points[k + 1] - traj.points[k]
        if not step.any():
            continue
        moved += 1
        slope_before = traj.gradients[k] @ step
        slope_after = traj.gradients[k + 1] @ step
        assert traj.values[k + 1] <= traj.values[k] + 1e-4 * slope_before  # sufficient decrease
        assert abs(slope_after) <= 0.9 * abs(slope_before)  # curvature, the strong form
    assert moved >= 6
    assert traj.evaluations[-1] > 8  # the line search evaluates f more than once a step


def test_new_defaults_move_visibly_on_rosenbrock() -> None:
    objective = make_objective(ROSENBROCK)
    for name in ("nadam", "radam", "adamax", "adadelta", "rprop", "asgd", "lbfgs"):
        traj = run_trajectory(objective, make_config(name), (-1.5, 2.0), steps=200)
        assert traj.status != "diverged", name
        assert np.hypot(*(traj.points[-1] - traj.points[0])) > 0.25, name
        assert traj.values[-1] < traj.values[0], name


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("lbfgs", {"max_iter": 2.5}, "max_iter must be a whole number"),
        ("lbfgs", {"line_search": 2}, "write 0 or 1"),
        ("rprop", {"etaplus": 1.0}, "etaplus=1 is out of range"),
        ("rprop", {"etaminus": 1.0}, "out of range"),
        ("nadam", {"decoupled_weight_decay": 0.5}, "write 0 or 1"),
        ("radam", {"betas": 0.5}, "no hyperparameter 'betas'"),
    ],
)
def test_bad_hyperparameters_of_new_methods_are_refused(
    name: str, params: dict, fragment: str
) -> None:
    with pytest.raises(OptimizerError, match=fragment):
        make_config(name, params)


def test_lbfgs_max_eval_follows_max_iter_unless_given() -> None:
    objective = make_objective(ROSENBROCK)

    def evaluations(params: dict) -> int:
        traj = run_trajectory(objective, make_config("lbfgs", params), (-1.5, 2.0), steps=1)
        return int(traj.evaluations[-1])

    # without a line search one step evaluates min(max_iter, max_eval) times
    assert make_config("lbfgs").params["max_eval"] == 0  # 0 stands for max_iter*5//4
    assert evaluations({"max_iter": 8}) == 8
    assert evaluations({"max_iter": 8, "max_eval": 5}) == 5
    assert evaluations({"max_iter": 8, "line_search": 1}) <= 8 * 5 // 4
