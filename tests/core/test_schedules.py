"""Learning-rate schedules follow torch.optim.lr_scheduler, stepped once after every step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdplayground.core.expression import X, Y
from gdplayground.core.gradients import Objective, make_objective
from gdplayground.core.optimizers import OptimizerError, check_run, make_config
from gdplayground.core.schedules import check_schedule, resolve_schedule, schedule_key
from gdplayground.core.trajectory import Trajectory, run_many, run_trajectory

QUADRATIC = X**2 + 3 * Y**2
START = (1.0, -2.0)


def _run(
    name: str,
    params: dict,
    steps: int,
    objective: Objective | None = None,
    start: tuple[float, float] = START,
) -> Trajectory:
    objective = objective or make_objective(QUADRATIC)
    return run_trajectory(objective, make_config(name, params), start, steps=steps, tol=0)


# Learning rates printed by torch 2.13.0 (float64): opt = torch.optim.SGD([p], lr=0.1)
# (p = torch.tensor([1., -2.], requires_grad=True)); sched = <Scheduler>(opt, **kwargs);
# then per step opt.zero_grad(); (p[0]**2 + 3*p[1]**2).backward(); opt.step();
# sched.step(); the list is opt.param_groups[0]["lr"] before the first step and
# after each.  OneCycleLR is given total_steps equal to the run and
# cycle_momentum=False (plain SGD has no momentum to cycle here).
TORCH_LRS = {
    "step": (  # StepLR(opt, step_size=3, gamma=0.5)
        {"schedule": "step", "step_size": 3, "gamma": 0.5},
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025],
    ),
    "exponential": (  # ExponentialLR(opt, gamma=0.9)
        {"schedule": "exponential", "gamma": 0.9},
        [
            0.1,
            0.09000000000000001,
            0.08100000000000002,
            0.07290000000000002,
            0.06561000000000002,
            0.05904900000000002,
            0.05314410000000002,
        ],
    ),
    # CosineAnnealingLR(opt, T_max=4, eta_min=0.01): torch's recursive form, past T_max too
    "cosine": (
        {"schedule": "cosine", "T_max": 4, "eta_min": 0.01},
        [
            0.1,
            0.08681980515339464,
            0.05500000000000001,
            0.023180194846605363,
            0.01,
            0.023180194846605363,
            0.05500000000000002,
            0.08681980515339469,
            0.10000000000000006,
            0.0868198051533947,
            0.05500000000000005,
            0.023180194846605412,
        ],
    ),
    "cosine_restarts": (  # CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.01)
        {"schedule": "cosine_restarts", "T_0": 2, "T_mult": 2, "eta_min": 0.01},
        [
            0.1,
            0.05500000000000001,
            0.1,
            0.08681980515339464,
            0.05500000000000001,
            0.023180194846605363,
            0.1,
            0.0965745789630079,
            0.08681980515339464,
            0.07222075445642905,
            0.05500000000000001,
        ],
    ),
    "linear": (  # LinearLR(opt, start_factor=0.25, end_factor=0.75, total_iters=4)
        {"schedule": "linear", "start_factor": 0.25, "end_factor": 0.75, "total_iters": 4},
        [0.025, 0.037500000000000006, 0.05, 0.0625, 0.075, 0.075, 0.075, 0.075],
    ),
    "onecycle": (  # OneCycleLR(opt, max_lr=0.2, total_steps=10, cycle_momentum=False)
        {"schedule": "onecycle", "max_lr": 0.2},
        [
            0.008000000000000007,
            0.10400000000000001,
            0.2,
            0.19009692640269477,
            0.1623491307899526,
            0.12225240438725786,
            0.07774839561274215,
            0.0376516692100474,
            0.009903873597305258,
            8e-07,
            0.009903873597305247,
        ],
    ),
    # OneCycleLR(opt, max_lr=0.2, total_steps=12, pct_start=0.25, anneal_strategy="linear",
    #            three_phase=True, div_factor=4.0, final_div_factor=10.0, cycle_momentum=False)
    "onecycle+three_phase": (
        {
            "schedule": "onecycle",
            "max_lr": 0.2,
            "pct_start": 0.25,
            "anneal_strategy": "linear",
            "three_phase": 1,
            "div_factor": 4,
            "final_div_factor": 10,
        },
        [
            0.05,
            0.125,
            0.2,
            0.125,
            0.04999999999999999,
            0.04357142857142857,
            0.037142857142857144,
            0.030714285714285715,
            0.024285714285714285,
            0.017857142857142856,
            0.011428571428571427,
            0.0049999999999999975,
            -0.0014285714285714318,  # what a 13th step would use: torch extrapolates
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(TORCH_LRS))
def test_learning_rates_match_torch(case: str) -> None:
    params, expected = TORCH_LRS[case]
    traj = _run("gd", {"lr": 0.1, **params}, steps=len(expected) - 1)
    assert traj.steps == len(expected) - 1
    np.testing.assert_allclose(traj.lrs, expected, rtol=1e-15, atol=0)
    # the learning rate of each step is the one that moved the point: gd's x <- x - lr * 2x
    np.testing.assert_allclose(
        traj.points[1:, 0], traj.points[:-1, 0] - np.array(expected[:-1]) * 2 * traj.points[:-1, 0]
    )


def _documented(name: str, v: dict, lr: float, steps: int) -> list[float]:
    """The closed forms in torch's documentation (not the recursive form torch computes)."""
    out = []
    t_i, t_cur = v.get("T_0", 1), -1
    for e in range(steps + 1):
        if name == "step":
            out.append(lr * v["gamma"] ** (e // v["step_size"]))
        elif name == "exponential":
            out.append(lr * v["gamma"] ** e)
        elif name == "cosine":
            eta = v["eta_min"]
            out.append(eta + (lr - eta) * (1 + math.cos(math.pi * e / v["T_max"])) / 2)
        elif name == "cosine_restarts":
            t_cur += 1
            if t_cur >= t_i:
                t_cur, t_i = 0, t_i * v["T_mult"]
            eta = v["eta_min"]
            out.append(eta + (lr - eta) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
        elif name == "linear":
            start, end, total = v["start_factor"], v["end_factor"], v["total_iters"]
            out.append(lr * (start + (end - start) * min(e, total) / total))
    return out


@pytest.mark.parametrize(
    "params",
    [
        {"schedule": "step", "step_size": 7, "gamma": 0.5},
        {"schedule": "exponential", "gamma": 0.97},
        {"schedule": "cosine", "T_max": 13, "eta_min": 0.001},
        {"schedule": "cosine_restarts", "T_0": 5, "T_mult": 2, "eta_min": 0.001},
        {"schedule": "linear", "start_factor": 0.1, "end_factor": 0.9, "total_iters": 20},
    ],
)
def test_learning_rates_follow_the_documented_formulas(params: dict) -> None:
    traj = _run("adam", {"lr": 0.05, **params}, steps=60)
    expected = _documented(params["schedule"], params, 0.05, 60)
    np.testing.assert_allclose(traj.lrs, expected, rtol=1e-12)


def _onecycle_documented(v: dict, total: int, steps: int) -> tuple[list[float], list[float]]:
    """OneCycle's documented two phases with cosine annealing: lr from max_lr/div_factor up
    to max_lr over pct_start of the cycle, then down to initial/final_div_factor; momentum
    the other way round."""
    initial = v["max_lr"] / v["div_factor"]
    low = initial / v["final_div_factor"]
    rise = v["pct_start"] * total - 1

    def anneal(start: float, end: float, pct: float) -> float:
        return end + (start - end) / 2 * (1 + math.cos(math.pi * pct))

    lrs, momenta = [], []
    for e in range(steps + 1):
        if e <= rise:
            pct = e / rise
            lrs.append(anneal(initial, v["max_lr"], pct))
            momenta.append(anneal(v["max_momentum"], v["base_momentum"], pct))
        else:
            pct = (e - rise) / (total - 1 - rise)
            lrs.append(anneal(v["max_lr"], low, pct))
            momenta.append(anneal(v["base_momentum"], v["max_momentum"], pct))
    return lrs, momenta


# OneCycleLR with momentum cycling (its default), torch 2.13.0 in float64, on
# x^2 + 3 y^2 from (1, -2): the points after each step.
#   Adam([p], lr=0.05) with OneCycleLR(opt, max_lr=0.3, total_steps=8): beta1 cycles
#   SGD([p], lr=0.01, momentum=0.9) with OneCycleLR(opt, max_lr=0.05, total_steps=8,
#       base_momentum=0.5, max_momentum=0.9): momentum cycles
ONECYCLE_POINTS = {
    "adam": (
        {"lr": 0.05, "schedule": "onecycle", "max_lr": 0.3},
        [
            (0.98800000006, -1.98800000001),
            (0.8134617611434523, -1.8131933571089158),
            (0.5945792816084647, -1.5897177500024444),
            (0.3914601490313354, -1.37671250258929),
            (0.23460618875390876, -1.2070680187089349),
            (0.14071484711753235, -1.1025817945460266),
            (0.11055675355863676, -1.0682725320653907),
            (0.1105551096790985, -1.068270626536184),
        ],
    ),
    "momentum": (
        {
            "lr": 0.01,
            "schedule": "onecycle",
            "max_lr": 0.05,
            "base_momentum": 0.5,
            "max_momentum": 0.9,
        },
        [
            (0.996, -1.976),
            (0.8672671356666247, -1.2075353345032307),
            (0.7048990712943883, -0.3893756539889675),
            (0.5696645303014252, 0.09855619833134731),
            (0.4752284831066494, 0.30857121407017374),
            (0.42394916995209825, 0.366491808942347),
            (0.40862963621966647, 0.3716988239010588),
            (0.4086287531804616, 0.371698622445769),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(ONECYCLE_POINTS))
def test_onecycle_cycles_momentum_or_beta1_as_torch(name: str) -> None:
    params, expected = ONECYCLE_POINTS[name]
    traj = _run(name, params, steps=8)
    np.testing.assert_allclose(traj.points[1:], expected, rtol=1e-14, atol=1e-15)
    assert traj.config.params["cycle_momentum"] == 1.0  # torch's default where possible
    # without the cycling the path is another one
    plain_params = {k: v for k, v in params.items() if not k.endswith("_momentum")}
    plain = _run(name, {**plain_params, "cycle_momentum": 0}, steps=8)
    assert np.abs(plain.points[-1] - traj.points[-1]).max() > 1e-3


def test_onecycle_momentum_follows_the_documented_anneal() -> None:
    v = {
        "max_lr": 0.05,
        "div_factor": 25.0,
        "final_div_factor": 1e4,
        "pct_start": 0.3,
        "base_momentum": 0.5,
        "max_momentum": 0.9,
    }
    traj = _run("momentum", {"lr": 0.01, "schedule": "onecycle", **v}, steps=30)
    lrs, momenta = _onecycle_documented(v, 30, 30)
    np.testing.assert_allclose(traj.lrs, lrs, rtol=1e-12)
    # SGD with momentum (torch's form: b <- m b + g, x <- x - lr b) with the cycled momentum
    x, buf = np.array(START), None
    for k in range(30):
        g = np.array([2 * x[0], 6 * x[1]])
        buf = g.copy() if buf is None else momenta[k] * buf + g
        x = x - lrs[k] * buf
        np.testing.assert_allclose(traj.points[k + 1], x, rtol=1e-12, atol=1e-15)


# ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, threshold=1e-4) on
# SGD([p], lr=1.2) (x^2 + 3 y^2 from (1, -2), where y oscillates and grows), stepped
# with sched.step(f) at each new point, torch 2.13.0 in float64.
PLATEAU_LRS = [1.2, 1.2, 1.2, 1.2, 0.6, 0.6, 0.6, 0.6, 0.3, 0.3, 0.3, 0.3, 0.15, 0.15, 0.15]
PLATEAU_POINTS = [
    (-1.4, 12.399999999999999),
    (1.9599999999999997, -76.87999999999998),
    (-2.7439999999999993, 476.65599999999984),
    (3.841599999999999, -2955.2671999999984),
    (-0.7683199999999996, 7683.694719999996),
    (0.15366399999999988, -19977.60627199999),
    (-0.03073279999999997, 51941.77630719997),
    (0.006146559999999993, -135048.61839871993),
    (0.0024586239999999974, 108038.89471897593),
    (0.000983449599999999, -86431.11577518075),
    (0.00039337983999999964, 69144.89262014459),
    (0.00015735193599999986, -55315.914096115666),
    (0.0001101463551999999, -5531.591409611573),
    (7.710244863999993e-05, -553.1591409611577),
]
PLATEAU = {"schedule": "plateau", "factor": 0.5, "patience": 2, "cooldown": 1}


def test_plateau_matches_torch_with_patience_and_cooldown() -> None:
    traj = _run("gd", {"lr": 1.2, **PLATEAU}, steps=14)
    np.testing.assert_allclose(traj.lrs, PLATEAU_LRS, rtol=1e-15)
    np.testing.assert_allclose(traj.points[1:], PLATEAU_POINTS, rtol=1e-14)


def _plateau_documented(values: np.ndarray, lr: float, v: dict) -> list[float]:
    """ReduceLROnPlateau's documented rule (mode min, relative threshold) on f's values."""
    best, bad, cooldown, out = math.inf, 0, 0, [lr]
    for f in values[1:]:
        if f < best * (1 - v.get("threshold", 1e-4)):
            best, bad = f, 0
        else:
            bad += 1
        if cooldown > 0:
            cooldown, bad = cooldown - 1, 0
        if bad > v["patience"]:
            new = max(lr * v["factor"], v.get("min_lr", 0.0))
            if lr - new > 1e-8:
                lr = new
            cooldown, bad = v.get("cooldown", 0), 0
        out.append(lr)
    return out


@pytest.mark.parametrize(
    "params",
    [
        PLATEAU,
        {**PLATEAU, "cooldown": 0},
        {"schedule": "plateau", "factor": 0.5, "patience": 2, "threshold": 0.05, "cooldown": 3},
        {"schedule": "plateau", "factor": 0.5, "patience": 1, "min_lr": 0.01},
    ],
)
def test_plateau_follows_the_documented_rule(params: dict) -> None:
    rosenbrock = make_objective((1 - X) ** 2 + 100 * (Y - X**2) ** 2)
    runs = (("gd", 1.2, None, START), ("adam", 0.05, rosenbrock, (-1.5, 2.0)))
    for name, lr, objective, start in runs:
        traj = _run(name, {"lr": lr, **params}, steps=60, objective=objective, start=start)
        expected = _plateau_documented(traj.values, lr, params)
        assert traj.lrs.tolist() == expected
        assert min(expected) < lr  # the schedule did reduce the rate


def test_cooldown_delays_the_next_reduction() -> None:
    with_cooldown = _run("gd", {"lr": 1.2, **PLATEAU}, steps=14).lrs
    without = _run("gd", {"lr": 1.2, **PLATEAU, "cooldown": 0}, steps=14).lrs
    first = [int(np.argmax(lrs < 1.2)) for lrs in (with_cooldown, without)]
    second = [int(np.argmax(lrs < 0.6)) for lrs in (with_cooldown, without)]
    assert first == [4, 4]  # patience 2: the third step without improvement reduces
    assert second == [8, 7]  # one step of cooldown ignores one bad step


def test_plateau_is_per_run_when_many_start_together() -> None:
    objective = make_objective(QUADRATIC)
    config = make_config("gd", {"lr": 1.2, **PLATEAU})
    starts = np.array([START, (0.5, 0.0), (1e-3, 1e-3)])
    together = run_many(objective, [config], starts, steps=14, tol=0)[0]
    for start, traj in zip(starts, together, strict=True):
        alone = run_trajectory(objective, config, tuple(start), steps=14, tol=0)
        np.testing.assert_array_equal(traj.lrs, alone.lrs)
        np.testing.assert_array_equal(traj.points, alone.points)
    assert together[0].lrs.tolist() != together[1].lrs.tolist()


def test_constant_rate_is_recorded_and_schedules_are_fixed_when_the_run_starts() -> None:
    traj = _run("adam", {"lr": 0.07}, steps=5)
    assert traj.lrs.tolist() == [0.07] * 6
    assert "schedule" not in traj.config.params  # constant is no scheduler at all


def test_onecycle_follows_the_run_unless_told() -> None:
    config = make_config("adam", {"schedule": "onecycle"})
    assert config.params["total_steps"] == 0 and config.params["max_lr"] == 0
    traj = _run("adam", {"schedule": "onecycle"}, steps=40)
    assert traj.lrs.max() == pytest.approx(0.05)  # max_lr is the optimizer's lr
    assert int(np.argmax(traj.lrs)) == 11  # the peak at pct_start of the run's 40 steps
    assert traj.lrs[39] == pytest.approx(0.05 / 25 / 1e4)  # the end of the cycle
    longer = _run("adam", {"schedule": "onecycle", "total_steps": 80}, steps=40)
    assert int(np.argmax(longer.lrs)) == 23
    with pytest.raises(OptimizerError, match="total_steps=20 is shorter than the run"):
        _run("adam", {"schedule": "onecycle", "total_steps": 20}, steps=40)
    with pytest.raises(OptimizerError, match="pct_start=0.1 leaves a phase of no steps"):
        _run("adam", {"schedule": "onecycle", "pct_start": 0.1}, steps=10)


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("adam", {"T_max": 10}, "T_max only applies with schedule=cosine"),
        ("adam", {"schedule": "step", "T_max": 10}, "T_max only applies with schedule=cosine"),
        ("gd", {"gamma": 0.5}, "schedule=step or schedule=exponential"),
        ("adam", {"schedule": "cosin"}, "did you mean cosine"),
        ("adam", {"schedule": 2}, "schedule=2 is not a choice"),
        ("adam", {"schedule": "onecycle", "anneal_strategy": "cosine"}, "one of cos, linear"),
        ("adam", {"schedule": "cosine", "T_max": 0}, "T_max=0 is out of range"),
        ("adam", {"schedule": "step", "step_size": 2.5}, "step_size must be a whole number"),
        ("adam", {"schedule": "plateau", "factor": 1}, "factor=1 is out of range"),
        ("adagrad", {"schedule": "onecycle", "cycle_momentum": 1}, "no momentum or beta1"),
        ("rprop", {"schedule": "onecycle", "max_momentum": 0.9}, "no momentum or beta1"),
        (
            "adam",
            {"schedule": "onecycle", "cycle_momentum": 0, "base_momentum": 0.8},
            "base_momentum only applies with cycle_momentum=1",
        ),
    ],
)
def test_bad_schedules_are_refused_in_one_line(name: str, params: dict, fragment: str) -> None:
    with pytest.raises(OptimizerError, match=fragment) as error:
        make_config(name, params)
    assert "\n" not in str(error.value)


def test_schedules_take_text_as_the_command_line_gives_it() -> None:
    config = make_config("adam", {"lr": "0.1", "schedule": "Cosine", "T_max": "200"})
    assert config.params["schedule"] == "cosine"
    assert config.params["T_max"] == 200.0 and config.params["eta_min"] == 0.0
    assert config == make_config("adam", {"lr": 0.1, "schedule": "cosine", "T_max": 200})
    assert make_config("adam", {"schedule": "constant"}) == make_config("adam")
    assert make_config("adagrad", {"schedule": "onecycle"}).params["cycle_momentum"] == 0.0


def test_a_scheduler_key_that_clashes_is_prefixed() -> None:
    own = ["lr", "gamma"]  # an optimizer with a gamma of its own
    assert schedule_key("gamma", own) == "schedule_gamma"
    assert schedule_key("step_size", own) == "step_size"
    given = {"schedule": "step", "schedule_gamma": 0.5}
    values = check_schedule("method", own, False, given)
    assert values == {"schedule": "step", "step_size": 50.0, "schedule_gamma": 0.5}
    with pytest.raises(OptimizerError, match="gamma only applies with"):
        check_schedule("method", own, False, {"schedule": "exponential", "gamma": 0.5})
    resolved = resolve_schedule({"lr": 0.1, **values}, own, steps=10)
    assert resolved is not None and resolved.values == {"step_size": 50.0, "gamma": 0.5}


def test_a_run_too_long_for_its_schedule_is_found_before_it_starts() -> None:
    config = make_config("adam", {"schedule": "onecycle", "total_steps": 100})
    check_run(config, 100)
    check_run(make_config("adam"), 10**6)
    with pytest.raises(OptimizerError, match="total_steps=100 is shorter than the run"):
        check_run(config, 101)
