#!/usr/bin/env python3
"""Fits one jacobench case with the fitting peers, from the case's start.

    fit_peers.py CASE.json [--repeats N] [--budget SECONDS] [--only WORD ...] [--skip WORD ...]
                 [--bundle RESULTS/EXP/latest [--bundle-case ID]] [--out fit-peers.json]

CASE is a formula case (`kind: "formula"`) or an MLP case (format: peers/README.md). The
peers, all from the same start over the free parameters (fixed ones held; lmfit: vary=False):

  scipy.least_squares.trf   bounds, loss and f_scale from the case; x_scale 1 (--x-scale-jac: 'jac')
  scipy.least_squares.lm    MINPACK; skipped when the case has bounds or a robust loss, or m < n
  lmfit.leastsq             MINPACK through lmfit (min/max by lmfit's transforms); skipped with a robust loss
  lmfit.least_squares       SciPy trf through lmfit (min/max as bounds, loss, f_scale)
  jaxopt.LevenbergMarquardt, optimistix.LevenbergMarquardt
                            jitted, float64; skipped when the case has bounds or a robust loss

Each reports the final cost in jacobench's convention (½·Σ C²ρ((r/C)²), computed here from its
final parameters), its evaluations, the median time of several whole fits, and the time to
the common best cost: the best final cost among all (jacobench's fit from the case included)
times (1 + 1e-6), reached at a residual evaluation (SciPy, lmfit: found in one recorded run,
then the smallest max_nfev next to it that stops the fit at or below the target, timed) or an iteration (jaxopt, optimistix: the
smallest iteration limit that reaches it, found by bisection, then timed); jacobench's from its
trace's elapsed seconds.

With --bundle on an MLP case, the bundle's weights.safetensors is loaded into a
torch.nn.Sequential and its outputs on the case's inputs are compared with jacobench's
(fit.csv, `fitted`): relative error at most 1e-12.

Exit status: 0, 1 when a check fails (results still written), 2 for a usage or case error.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# peer_benchmark sets the one-thread variables before NumPy is imported; its timing rule is ours.
from peer_benchmark import MINIMUM_REPEATS, environment, json_number, measure  # noqa: E402

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402

import formula_case  # noqa: E402
import mlp_case  # noqa: E402

SCHEMA = 1
RELATIVE_TOLERANCE = 1e-6  # the common best cost's tolerance, as FitToPeerCost's
WEIGHTS_TOLERANCE = 1e-12
TAPE_TOLERANCE = 1e-13
SCIPY_LOSS = {"linear": "linear", "soft-l1": "soft_l1", "huber": "huber", "cauchy": "cauchy", "arctan": "arctan"}
# Stopping settings of the JAX peers (their own defaults stop early: jaxopt's tol is 1e-3).
JAXOPT_SETTINGS = {"stop_criterion": "madsen-nielsen", "xtol": 1e-8, "gtol": 1e-8, "maxiter": 1000,
                   "solver": "cholesky", "materialize_jac": True}
OPTIMISTIX_SETTINGS = {"rtol": 1e-10, "atol": 1e-10, "max_steps": 1000}


class UsageError(ValueError):
    pass


def rho(z: np.ndarray, loss: str) -> np.ndarray:
    """SciPy's ρ(z) for z = (r/C)²."""
    if loss == "linear":
        return z
    if loss == "soft-l1":
        return 2.0 * (np.sqrt(1.0 + z) - 1.0)
    if loss == "huber":
        return np.where(z <= 1.0, z, 2.0 * np.sqrt(z) - 1.0)
    if loss == "cauchy":
        return np.log1p(z)
    if loss == "arctan":
        return np.arctan(z)
    raise ValueError(loss)


@dataclass
class Problem:
    """The fit every peer solves: residuals over the free parameters, bounds, loss."""

    name: str
    kind: str  # "formula" | "mlp"
    start: np.ndarray  # every parameter
    free: np.ndarray
    lower: np.ndarray  # every parameter
    upper: np.ndarray
    has_bounds: bool
    loss: str
    loss_scale: float
    residual_count: int
    residuals_full: Callable[[np.ndarray], np.ndarray]  # θ (all) -> r
    jacobian_full: Callable[[np.ndarray], np.ndarray]  # θ (all) -> ∂r/∂θ_free
    jax_residuals_full: Callable  # (jnp θ all) -> r, built on demand
    parameter_names: list[str] = field(default_factory=list)
    jacobench_fit: dict | None = None

    @property
    def x0(self) -> np.ndarray:
        return self.start[self.free].copy()

    def full(self, x: np.ndarray) -> np.ndarray:
        theta = self.start.copy()
        theta[self.free] = x
        return theta

    def fun(self, x):
        return self.residuals_full(self.full(x))

    def jac(self, x):
        return self.jacobian_full(self.full(x))

    def cost_of_residuals(self, r: np.ndarray) -> float:
        c = self.loss_scale
        return float(0.5 * np.sum(c * c * rho((r / c) ** 2, self.loss)))

    def cost(self, x: np.ndarray) -> float:
        return self.cost_of_residuals(self.fun(x))

    @property
    def robust(self) -> bool:
        return self.loss != "linear"

    @property
    def bounded(self) -> bool:
        return bool(np.any(np.isfinite(self.lower[self.free])) or np.any(np.isfinite(self.upper[self.free])))


def formula_problem(case: formula_case.FormulaCase) -> Problem:
    transformed = case.transformed_targets()
    free = case.free

    def jax_residuals(theta):
        import jax.numpy as jnp
        return formula_case.residuals(case, theta, xp=jnp, transformed=transformed)

    return Problem(
        name=case.name + (f" ({case.case_id})" if case.case_id else ""), kind="formula", start=case.start.copy(),
        free=free, lower=case.lower, upper=case.upper, has_bounds=case.has_bounds, loss=case.loss,
        loss_scale=case.loss_scale, residual_count=case.residual_count,
        residuals_full=lambda theta: formula_case.residuals(case, theta, transformed=transformed),
        jacobian_full=lambda theta: formula_case.residuals_and_jacobian(case, theta, free, transformed)[1],
        jax_residuals_full=jax_residuals, parameter_names=case.parameter_names, jacobench_fit=case.jacobench_fit)


def mlp_problem(case: mlp_case.Case) -> Problem:
    if case.with_respect_to != "parameters":
        raise UsageError(f"{case.name}: an MLP case w.r.t. inputs is not a fit (with_respect_to: parameters needed)")
    slices = mlp_case.layer_slices(case.layers)

    def jax_residuals(theta):
        import jax
        import jax.numpy as jnp
        functions = {"tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu, "softplus": jax.nn.softplus,
                     "gelu": lambda z: jax.nn.gelu(z, approximate=True), "identity": lambda z: z}
        h = case.inputs
        for (w_off, b_off, fan_out, fan_in), name in zip(slices, case.activations):
            h = functions[name](h @ theta[w_off:b_off].reshape(fan_out, fan_in).T + theta[b_off:b_off + fan_out])
        return (h - case.targets).reshape(-1)

    n = case.parameter_count
    return Problem(
        name=case.name, kind="mlp", start=case.parameters.copy(), free=np.arange(n), lower=np.full(n, -np.inf),
        upper=np.full(n, np.inf), has_bounds=False, loss="linear", loss_scale=1.0,
        residual_count=case.sample_count * case.output_width,
        residuals_full=lambda theta: mlp_case.residuals(case, theta),
        jacobian_full=lambda theta: mlp_case.parameter_jacobian(case, theta),
        jax_residuals_full=jax_residuals, parameter_names=[f"θ{j}" for j in range(n)])


def load(path: str):
    """(kind, case) from a case file of either kind."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: {error}") from error
    if isinstance(document, dict) and document.get("kind") == "formula":
        return "formula", formula_case.formula_case_from_json(document, path)
    return "mlp", mlp_case.case_from_json(document, path)


# --- The peers ---------------------------------------------------------------------------

class Recorder:
    """Counts residual evaluations and remembers the first at or below a target cost."""

    def __init__(self, problem: Problem, target: float):
        self.problem, self.target, self.count, self.first = problem, target, 0, None

    def fun(self, x):
        r = self.problem.fun(x)
        self.count += 1
        if self.first is None and self.problem.cost_of_residuals(r) <= self.target:
            self.first = self.count
        return r


@dataclass
class Peer:
    """A peer: `fit(problem, limit)` returns (x, counts); `limit` stops it early (evaluations or
    iterations, per `limit_kind`), None runs it to its own convergence."""

    name: str
    applicable: Callable[[Problem], str | None]  # None or the reason to skip
    fit: Callable  # (problem, limit, fun) -> (x, info)
    limit_kind: str  # "evaluations" | "iterations"
    settings: dict
    compiled: bool = False
    version: Callable[[], dict] = lambda: {}


def needs_plain(problem: Problem) -> str | None:
    if problem.bounded:
        return "the case has bounds; this solver has none"
    if problem.robust:
        return f"the case has the robust loss {problem.loss}; this solver minimises ½‖r‖² only"
    return None


def scipy_trf(x_scale_jac: bool) -> Peer:
    from scipy.optimize import least_squares

    def fit(problem: Problem, limit, fun):
        lower, upper = problem.lower[problem.free], problem.upper[problem.free]
        result = least_squares(fun, problem.x0, jac=problem.jac, method="trf", bounds=(lower, upper),
                               loss=SCIPY_LOSS[problem.loss], f_scale=problem.loss_scale,
                               x_scale="jac" if x_scale_jac else 1.0, max_nfev=limit)
        return result.x, {"nfev": int(result.nfev), "njev": int(result.njev or 0), "solver_status": int(result.status),
                          "message": str(result.message)}

    return Peer("scipy.least_squares.trf", lambda p: None, fit, "evaluations",
                {"method": "trf", "jac": "analytic (NumPy)", "x_scale": "jac" if x_scale_jac else 1.0,
                 "ftol": 1e-8, "xtol": 1e-8, "gtol": 1e-8}, version=_version("scipy"))


def scipy_lm() -> Peer:
    from scipy.optimize import least_squares

    def applicable(problem: Problem):
        reason = needs_plain(problem)
        if reason:
            return reason
        if problem.residual_count < problem.free.size:
            return f"m = {problem.residual_count} < n = {problem.free.size}"
        return None

    def fit(problem: Problem, limit, fun):
        result = least_squares(fun, problem.x0, jac=problem.jac, method="lm", max_nfev=limit)
        return result.x, {"nfev": int(result.nfev), "njev": int(result.njev or 0), "solver_status": int(result.status),
                          "message": str(result.message)}

    return Peer("scipy.least_squares.lm", applicable, fit, "evaluations",
                {"method": "lm", "jac": "analytic (NumPy)", "ftol": 1e-8, "xtol": 1e-8, "gtol": 1e-8},
                version=_version("scipy"))


def _lmfit_parameters(problem: Problem):
    import lmfit
    parameters = lmfit.Parameters()
    free = set(int(j) for j in problem.free)
    names = []
    for j, value in enumerate(problem.start):
        name = f"p{j}"  # the case's names need not be Python identifiers
        names.append(name)
        parameters.add(name, value=float(value), vary=j in free,
                       min=float(problem.lower[j]), max=float(problem.upper[j]))
    return parameters, names


def lmfit_peer(method: str) -> Peer:
    import lmfit  # noqa: F401  (an ImportError skips the peer; the import is not timed)

    def applicable(problem: Problem):
        if method == "leastsq" and problem.robust:
            return f"the case has the robust loss {problem.loss}; leastsq minimises ½‖r‖² only"
        if method == "leastsq" and problem.residual_count < problem.free.size:
            return f"m = {problem.residual_count} < n = {problem.free.size}"
        return None

    def fit(problem: Problem, limit, fun):
        import lmfit
        parameters, names = _lmfit_parameters(problem)
        free = problem.free

        def residual(params):
            x = np.array([params[names[j]].value for j in free])
            return fun(x)

        minimizer = lmfit.Minimizer(residual, parameters, max_nfev=limit)
        if method == "leastsq":
            result = minimizer.minimize(method="leastsq")
        else:
            result = minimizer.minimize(method="least_squares", loss=SCIPY_LOSS[problem.loss],
                                        f_scale=problem.loss_scale)
        x = np.array([result.params[names[j]].value for j in free])
        return x, {"nfev": int(result.nfev), "solver_status": "success" if result.success else "stopped",
                   "message": str(result.message)}

    settings = {"method": method, "jac": "lmfit's default (finite differences)"}
    if method == "least_squares":
        settings.update({"bounds": "min/max", "loss": "from the case"})
    else:
        settings.update({"bounds": "min/max through lmfit's transformations"})
    return Peer(f"lmfit.{method}", applicable, fit, "evaluations", settings, version=_version("lmfit"))


def _enable_x64():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax


def jaxopt_peer() -> Peer:
    import jaxopt  # noqa: F401
    cache: dict = {}

    def fit(problem: Problem, limit, fun):
        jax = _enable_x64()
        import jax.numpy as jnp
        import jaxopt
        key = (id(problem), limit)
        if key not in cache:
            start, free = jnp.asarray(problem.start), jnp.asarray(problem.free)

            def residual(x):
                return problem.jax_residuals_full(start.at[free].set(x))

            settings = dict(JAXOPT_SETTINGS)
            if limit is not None:
                settings["maxiter"] = limit
            solver = jaxopt.LevenbergMarquardt(residual_fun=residual, jit=True, **settings)
            cache[key] = jax.jit(solver.run)
        x, state = cache[key](jnp.asarray(problem.x0))
        x.block_until_ready()
        return np.asarray(x), {"iterations": int(state.iter_num)}

    return Peer("jaxopt.LevenbergMarquardt", needs_plain, fit, "iterations",
                dict(JAXOPT_SETTINGS, jac="JAX autodiff (jacfwd inside jaxopt)"), compiled=True,
                version=_version("jaxopt", "jax"))


def optimistix_peer() -> Peer:
    import optimistix  # noqa: F401
    cache: dict = {}

    def fit(problem: Problem, limit, fun):
        jax = _enable_x64()
        import equinox as eqx
        import jax.numpy as jnp
        import optimistix as optx
        key = (id(problem), limit)
        if key not in cache:
            start, free = jnp.asarray(problem.start), jnp.asarray(problem.free)

            def residual(x, args):
                return problem.jax_residuals_full(start.at[free].set(x))

            solver = optx.LevenbergMarquardt(rtol=OPTIMISTIX_SETTINGS["rtol"], atol=OPTIMISTIX_SETTINGS["atol"])
            steps = OPTIMISTIX_SETTINGS["max_steps"] if limit is None else limit

            @eqx.filter_jit
            def run(x0):
                solution = optx.least_squares(residual, solver, x0, max_steps=steps, throw=False)
                return solution.value, solution.stats["num_steps"], solution.result == optx.RESULTS.successful

            cache[key] = run
        x, steps, ok = cache[key](jnp.asarray(problem.x0))
        x.block_until_ready()
        return np.asarray(x), {"iterations": int(steps), "solver_status": "successful" if bool(ok) else "stopped"}

    return Peer("optimistix.LevenbergMarquardt", needs_plain, fit, "iterations",
                dict(OPTIMISTIX_SETTINGS, jac="JAX autodiff (lineax)", linear_solver="QR (default)"),
                compiled=True, version=_version("optimistix", "lineax", "equinox", "jax"))


def _version(*packages):
    def versions():
        from importlib.metadata import PackageNotFoundError, version
        out = {}
        for package in packages:
            try:
                out[package] = version(package)
            except PackageNotFoundError:
                pass
        return out
    return versions


PEER_BUILDERS = [
    ("scipy.least_squares.trf", "scipy", lambda options: scipy_trf(options.x_scale_jac)),
    ("scipy.least_squares.lm", "scipy", lambda options: scipy_lm()),
    ("lmfit.leastsq", "lmfit", lambda options: lmfit_peer("leastsq")),
    ("lmfit.least_squares", "lmfit", lambda options: lmfit_peer("least_squares")),
    ("jaxopt.LevenbergMarquardt", "jaxopt", lambda options: jaxopt_peer()),
    ("optimistix.LevenbergMarquardt", "optimistix", lambda options: optimistix_peer()),
]


# --- Running -----------------------------------------------------------------------------

def run_peer(peer: Peer, problem: Problem, repeats: int, budget: float) -> dict:
    outcome = {}

    def call():
        outcome["x"], outcome["info"] = peer.fit(problem, None, problem.fun)

    timing = measure(call, repeats, budget, warm_up=True)
    x = outcome["x"]
    entry = {"status": "ok", "cost": problem.cost(x), "initial_cost": problem.cost(problem.x0),
             "parameters": [float(v) for v in problem.full(x)], **outcome["info"], **timing,
             "settings": peer.settings}
    if peer.limit_kind == "evaluations":
        # One recorded run: how many residual evaluations the fit made (including lmfit's
        # finite-difference ones), independent of what the solver reports.
        recorder = Recorder(problem, -math.inf)
        peer.fit(problem, None, recorder.fun)
        entry["residual_evaluations"] = recorder.count
    return entry


def time_to_target(peer: Peer, problem: Problem, target: float, full_entry: dict, repeats: int, budget: float) -> dict:
    """When (and after how many evaluations or iterations) the peer first reaches `target`,
    and the median time of its fit stopped there."""
    if peer.limit_kind == "evaluations":
        recorder = Recorder(problem, target)
        peer.fit(problem, None, recorder.fun)
        if recorder.first is None:
            return {"reached": False}
        # The recorded count includes calls the solver does not count against max_nfev (lmfit's
        # evaluations before and after the fit): `extra` of them over the whole run. The solver's
        # own count at the first evaluation reaching the target lies in [first − extra, first];
        # take the smallest max_nfev there whose stopped fit ends at or below the target.
        extra = max(0, recorder.count - int(full_entry.get("nfev", recorder.count)))
        limit = None
        for candidate in range(max(1, recorder.first - extra), recorder.first + extra + 3):
            x, _ = peer.fit(problem, candidate, problem.fun)
            if problem.cost(x) <= target:
                limit = candidate
                break
        if limit is None:  # not stoppable there: the whole fit is the time to the target
            return {"reached": bool(full_entry["cost"] <= target), "evaluations_to_best": recorder.first,
                    "time_to_best_us": full_entry["median_us"], "time_to_best_min_us": full_entry["min_us"],
                    "time_to_best_repeats": full_entry["repeats"], "stopped_cost": full_entry["cost"],
                    "time_to_best_note": "no max_nfev near the first evaluation reaching the target stops there: whole fit"}
    else:
        total = int(full_entry.get("iterations", 0))
        if not full_entry["cost"] <= target or total < 1:
            return {"reached": False}
        low, high = 0, total  # cost(run(high)) ≤ target; cost(run(low)) not (low 0 = the start)
        if problem.cost(problem.x0) <= target:
            high = 0
        while high - low > 1:
            middle = (low + high) // 2
            x, _ = peer.fit(problem, middle, problem.fun)
            if problem.cost(x) <= target:
                high = middle
            else:
                low = middle
        limit = high
        if limit == 0:
            return {"reached": True, "time_to_best_us": 0.0, "iterations_to_best": 0}
    outcome = {}

    def call():
        outcome["x"], outcome["info"] = peer.fit(problem, limit, problem.fun)

    timing = measure(call, repeats, budget, warm_up=True)
    stopped_cost = problem.cost(outcome["x"])
    key = "evaluations_to_best" if peer.limit_kind == "evaluations" else "iterations_to_best"
    return {"reached": bool(stopped_cost <= target), key: limit, "time_to_best_us": timing["median_us"],
            "time_to_best_min_us": timing["min_us"], "time_to_best_repeats": timing["repeats"],
            "stopped_cost": stopped_cost}


def jacobench_entry(problem: Problem) -> dict | None:
    fit = problem.jacobench_fit
    if not fit:
        return None
    x = np.asarray(fit["parameters"], dtype=np.float64)
    entry = {"status": "ok", "cost": problem.cost(x[problem.free]), "reported_cost": fit.get("cost"),
             "parameters": [float(v) for v in x], "nfev": fit.get("residual_evaluations"),
             "njev": fit.get("jacobian_evaluations"), "iterations": fit.get("iterations"),
             "median_us": fit.get("median_us"), "min_us": fit.get("min_us"), "max_us": fit.get("max_us"),
             "repeats": fit.get("repeats"), "message": fit.get("status"),
             "settings": {"solver": fit.get("solver"), "jacobian": fit.get("jacobian_strategy"),
                          "source": fit.get("source", "the case file (jacobench export-case)")}}
    if fit.get("structured_assemblies"):
        entry["structured_assemblies"] = fit["structured_assemblies"]
    return entry


def jacobench_fit_from_bundle(folder: str) -> dict:
    """jacobench's fit as a bundle's case folder records it (parameters.json, metrics.json,
    trace.csv), in the case file's `jacobench_fit` shape: one fit, so its time is that fit's."""
    with open(os.path.join(folder, "parameters.json"), encoding="utf-8") as handle:
        parameters = json.load(handle)
    with open(os.path.join(folder, "metrics.json"), encoding="utf-8") as handle:
        metrics = json.load(handle)
    trace = []
    with open(os.path.join(folder, "trace.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if float(row.get("accepted", 1)) != 0:
                trace.append([float(row["iteration"]), float(row["cost"]), float(row["elapsed_seconds"])])
    time_us = metrics.get("fit.time_us")
    return {"solver": "levenberg-marquardt", "cost": metrics.get("fit.final_cost"), "parameters": parameters["values"],
            "iterations": metrics.get("fit.iterations"), "residual_evaluations": metrics.get("fit.residual_evaluations"),
            "jacobian_evaluations": metrics.get("fit.jacobian_evaluations"),
            "structured_assemblies": metrics.get("fit.structured_assemblies"), "status": metrics.get("fit.status"),
            "jacobian_strategy": metrics.get("fit.jacobian_strategy"), "median_us": time_us, "min_us": time_us,
            "max_us": time_us, "repeats": 1, "trace": trace,
            "source": f"the bundle {folder} (the manifest's fit, one run)"}


def jacobench_time_to_target(problem: Problem, target: float) -> dict:
    trace = (problem.jacobench_fit or {}).get("trace") or []
    for iteration, cost, seconds in trace:
        if cost <= target:
            return {"reached": True, "iterations_to_best": int(iteration), "time_to_best_us": seconds * 1e6,
                    "source": "trace elapsed_seconds of the last timed fit"}
    return {"reached": False}


def selected(name: str, only, skip) -> bool:
    if only and not any(word in name for word in only):
        return False
    return not (skip and any(word in name for word in skip))


def run(problem: Problem, repeats: int, budget: float, only, skip, options) -> dict:
    peers, versions, built = {}, {}, {}
    jacobench = jacobench_entry(problem)
    if jacobench:
        peers["jacobench.levenberg-marquardt"] = jacobench
    for name, package, build in PEER_BUILDERS:
        if not selected(name, only, skip):
            continue
        try:
            peer = build(options)
        except ImportError as error:
            peers[name] = {"status": "skipped", "reason": f"{package} is not installed ({error})"}
            continue
        reason = peer.applicable(problem)
        if reason:
            peers[name] = {"status": "skipped", "reason": reason}
            continue
        try:
            peers[name] = run_peer(peer, problem, repeats, budget)
            built[name] = peer
            versions.update(peer.version())
        except Exception as error:  # a peer that fails is reported, the others still run
            peers[name] = {"status": "failed", "reason": f"{type(error).__name__}: {error}"}
    finished = {name: entry for name, entry in peers.items() if entry.get("status") == "ok"}
    best_name = min(finished, key=lambda name: finished[name]["cost"]) if finished else None
    best = finished[best_name]["cost"] if best_name else math.nan
    given = getattr(options, "target_cost", None)
    target = given if given is not None else best * (1 + RELATIVE_TOLERANCE)
    for name, entry in finished.items():
        if name in built:
            try:
                entry.update(time_to_target(built[name], problem, target, entry, repeats, budget))
            except Exception as error:
                entry.update({"reached": None, "time_to_best_error": f"{type(error).__name__}: {error}"})
        else:
            entry.update(jacobench_time_to_target(problem, target))
        entry["cost_relative_to_best"] = (entry["cost"] - best) / best if best > 0 else entry["cost"] - best
    return {"peers": peers, "best": {"peer": best_name, "cost": best, "target_cost": target,
                                     "target_given": given is not None,
                                     "relative_tolerance": RELATIVE_TOLERANCE}, "versions": versions}


# --- Checks ------------------------------------------------------------------------------

def tape_check(case: formula_case.FormulaCase) -> dict:
    """The interpreted tape against jacobench's residuals at the start (in the case)."""
    if case.residuals_at_start.size == 0:
        return {"status": "no residuals_at_start in the case"}
    r = formula_case.residuals(case, case.start)
    error = float(np.max(np.abs(r - case.residuals_at_start)) / max(np.max(np.abs(case.residuals_at_start)), 1e-300))
    return {"relative_error": error, "tolerance": TAPE_TOLERANCE, "matches": error <= TAPE_TOLERANCE}


def bundle_case_folder(bundle: str, case_id: str | None) -> str:
    folder = os.path.join(bundle, "cases")
    if not os.path.isdir(folder):
        raise UsageError(f"{bundle}: no cases/ folder (run `jacobench run` on the experiment first)")
    ids = sorted(name for name in os.listdir(folder) if not name.startswith("."))
    if case_id is None:
        if len(ids) != 1:
            raise UsageError(f"{bundle}: {len(ids)} cases ({', '.join(ids)}); choose one with --bundle-case")
        case_id = ids[0]
    if case_id not in ids:
        raise UsageError(f"{bundle}: no case {case_id}; cases: {', '.join(ids)}")
    return os.path.join(folder, case_id)


def torch_sequential(layers: list[int], activations: list[str]):
    """Linear + activation modules named as jacobench writes them (0.weight, 0.bias, 2.weight, …)."""
    import torch
    modules = {"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU,
               "softplus": torch.nn.Softplus, "gelu": lambda: torch.nn.GELU(approximate="tanh"),
               "identity": torch.nn.Identity}
    items = []
    for index, (fan_in, fan_out) in enumerate(zip(layers[:-1], layers[1:])):
        items.append(torch.nn.Linear(fan_in, fan_out, dtype=torch.float64))
        last = index == len(layers) - 2
        if not (last and activations[index] == "identity"):
            items.append(modules[activations[index]]())
    return torch.nn.Sequential(*items)


def weights_check(case: mlp_case.Case, bundle: str, case_id: str | None) -> dict:
    """torch.nn.Sequential from the bundle's weights.safetensors against jacobench's fitted
    outputs (fit.csv) on the case's inputs."""
    import torch
    from safetensors.torch import load_file
    folder = bundle_case_folder(bundle, case_id)
    weights_path, fit_path = os.path.join(folder, "weights.safetensors"), os.path.join(folder, "fit.csv")
    for path in (weights_path, fit_path):
        if not os.path.isfile(path):
            return {"status": f"skipped: {path} is missing (fit.csv is written for at most 5,000 samples)"}
    state = load_file(weights_path)
    model = torch_sequential(case.layers, case.activations)
    model.load_state_dict(state, strict=True)
    torch.set_num_threads(1)
    with torch.no_grad():
        outputs = model(torch.tensor(case.inputs, dtype=torch.float64)).numpy()
    samples, p = case.sample_count, case.output_width
    with open(fit_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != samples * p:
        raise UsageError(f"{fit_path}: {len(rows)} rows for {samples} samples × {p} targets")
    targets: dict[str, int] = {}
    for row in rows:
        targets.setdefault(row.get("target", ""), len(targets))
    if len(targets) != p:
        raise UsageError(f"{fit_path}: {len(targets)} targets, the network has {p} outputs")
    fitted = np.full((samples, p), np.nan)
    observed = np.full((samples, p), np.nan)
    if rows and "sample" in rows[0]:
        # Several inputs: rows carry the sample index.
        for row in rows:
            s, d = int(float(row["sample"])), targets[row.get("target", "")]
            if not (0 <= s < samples):
                raise UsageError(f"{fit_path}: sample {s} outside 0 … {samples - 1}")
            fitted[s, d], observed[s, d] = float(row["fitted"]), float(row["observed"])
        data_checked = True
    elif rows and "input" in rows[0]:
        # One input: rows sorted by the input (then target). Samples with equal inputs have equal
        # outputs, so the samples sorted by input (any order among ties) line up with the rows.
        order = np.argsort(case.inputs[:, 0], kind="stable")
        for position, row in enumerate(rows):
            s, d = order[position // p], targets[row.get("target", "")]
            if float(row["input"]) != case.inputs[s, 0]:
                raise UsageError(f"{fit_path}: row {position + 2} has input {row['input']}, the case's sorted "
                                 f"inputs {case.inputs[s, 0]!r}")
            fitted[s, d], observed[s, d] = float(row["fitted"]), float(row["observed"])
        data_checked = False  # ties may pair observed values with another sample
    else:
        raise UsageError(f"{fit_path}: neither a sample nor an input column")
    if np.isnan(fitted).any():
        raise UsageError(f"{fit_path}: not every sample and target has a row")
    scale = max(float(np.max(np.abs(fitted))), 1e-300)
    error = float(np.max(np.abs(outputs - fitted)) / scale)
    data_error = (float(np.max(np.abs(observed - case.targets)) / max(float(np.max(np.abs(case.targets))), 1e-300))
                  if data_checked else None)
    return {"weights": weights_path, "outputs": fit_path, "tensors": {k: list(v.shape) for k, v in state.items()},
            "relative_error": error, "tolerance": WEIGHTS_TOLERANCE, "matches": error <= WEIGHTS_TOLERANCE,
            "targets_relative_difference": data_error,
            "module": str(model).replace("\n", " ")}


# --- Output ------------------------------------------------------------------------------

def _format(value, digits=4):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def format_table(report: dict) -> str:
    case, best = report["case"], report["best"]
    lines = [f"case {case['name']} ({case['kind']}): n = {case['n']} ({case['free']} free), m = {case['m']}, "
             f"loss {case['loss']} (C = {case['loss_scale']:g}), bounds {'yes' if case['bounds'] else 'no'}",
             f"common best cost {best['cost']:.12g} ({best['peer']}); target ×(1 + {RELATIVE_TOLERANCE:g}) = "
             f"{best['target_cost']:.12g}", "",
             f"{'peer':32} {'final cost':>20} {'nfev':>6} {'njev':>6} {'iter':>6} {'median ms':>11} "
             f"{'to best ms':>11} {'evals/iters to best':>20}"]
    for name, entry in report["peers"].items():
        if entry.get("status") != "ok":
            lines.append(f"{name:32} {entry.get('status')}: {entry.get('reason')}")
            continue
        to_best = (f"{entry['time_to_best_us'] / 1e3:.4g}" if entry.get("reached") else "not reached")
        if "evaluations_to_best" in entry:
            count = f"{entry['evaluations_to_best']} evaluations"
        elif "iterations_to_best" in entry:
            count = f"{entry['iterations_to_best']} iterations"
        else:
            count = "-"
        nfev = entry.get("residual_evaluations", entry.get("nfev"))
        njev = _format(entry.get("njev"))
        if entry.get("structured_assemblies"):
            njev += f"+{entry['structured_assemblies']}a"
        lines.append(f"{name:32} {entry['cost']:>20.14g} {_format(nfev):>6} {njev:>6} "
                     f"{_format(entry.get('iterations')):>6} {entry['median_us'] / 1e3:>11.4g} {to_best:>11} "
                     f"{count if entry.get('reached') else '-':>20}")
    lines.append("nfev: residual evaluations (lmfit's include its finite-difference Jacobians); njev: Jacobians "
                 "(jacobench: +Na structured JᵀJ assemblies without J); jaxopt, optimistix: iterations; median of "
                 "whole fits; to best: the fit stopped where it first reaches the target, median "
                 "(jacobench: its trace's elapsed time)")
    checks = report.get("checks", {})
    if "tape" in checks and "relative_error" in checks["tape"]:
        lines.append(f"tape vs jacobench residuals at the start: {checks['tape']['relative_error']:.3g} "
                     f"(≤ {TAPE_TOLERANCE:g}: {checks['tape']['matches']})")
    if "weights" in checks:
        weights = checks["weights"]
        if "relative_error" in weights:
            lines.append(f"torch.nn.Sequential from {weights['weights']} vs jacobench's fitted outputs: "
                         f"{weights['relative_error']:.3g} (≤ {WEIGHTS_TOLERANCE:g}: {weights['matches']})")
        else:
            lines.append(f"weights check: {weights.get('status')}")
    return "\n".join(lines)


def write_json(report: dict, path: str) -> None:
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(json_number(report), handle, sort_keys=True, indent=1, allow_nan=False)
        handle.write("\n")
    print(f"wrote {path}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", help="case JSON (jacobench export-case: a formula or an MLP case)")
    parser.add_argument("--repeats", type=int, default=20, help="most timed fits per peer (default 20)")
    parser.add_argument("--budget", type=float, default=1.0,
                        help=f"seconds of timed fits per peer (at least {MINIMUM_REPEATS} fits; default 1)")
    parser.add_argument("--only", nargs="+", metavar="WORD", help="run only peers whose name contains a word")
    parser.add_argument("--skip", nargs="+", metavar="WORD", help="leave out peers whose name contains a word")
    parser.add_argument("--x-scale-jac", action="store_true", help="SciPy trf with x_scale='jac' (default 1)")
    parser.add_argument("--bundle", help="MLP cases: a bundle (results/EXP/latest) whose weights.safetensors "
                                         "and fit.csv are checked with torch")
    parser.add_argument("--bundle-case", help="the bundle's case id (default: its only case)")
    parser.add_argument("--target-cost", type=float,
                        help="time every peer to this cost (default: the best final cost × (1 + 1e-6))")
    parser.add_argument("--out", help="write the results JSON here")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.budget <= 0:
        parser.error("--repeats must be at least 1 and --budget positive")
    if args.target_cost is not None and not (math.isfinite(args.target_cost) and args.target_cost >= 0):
        parser.error("--target-cost must be a finite cost, at least 0")
    checks: dict = {}
    try:
        kind, case = load(args.case)
        if kind == "mlp" and case.with_respect_to != "parameters":
            reason = f"{case.name} is an MLP case w.r.t. {case.with_respect_to}: nothing to fit"
            print(f"fit_peers: skipped: {reason}")
            if args.out:
                write_json({"schema": SCHEMA, "kind": "fit-peers", "skipped": reason}, args.out)
            return 0
        if kind == "formula":
            problem = formula_problem(case)
            checks["tape"] = tape_check(case)
        else:
            problem = mlp_problem(case)
            if args.bundle:
                folder = bundle_case_folder(args.bundle, args.bundle_case)
                try:
                    problem.jacobench_fit = jacobench_fit_from_bundle(folder)
                except (OSError, KeyError, ValueError) as error:
                    print(f"fit_peers: no jacobench fit from {folder}: {error}", file=sys.stderr)
                try:
                    checks["weights"] = weights_check(case, args.bundle, args.bundle_case)
                except ImportError as error:
                    checks["weights"] = {"status": f"skipped: {error}"}
    except (UsageError, formula_case.FormulaCaseError, mlp_case.CaseError, OSError, KeyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = run(problem, args.repeats, args.budget, args.only, args.skip, args)
    report = {
        "schema": SCHEMA, "kind": "fit-peers",
        "case": {"name": problem.name, "kind": kind, "n": int(problem.start.size), "free": int(problem.free.size),
                 "m": problem.residual_count, "loss": problem.loss, "loss_scale": problem.loss_scale,
                 "bounds": problem.bounded, "parameter_names": problem.parameter_names,
                 "start": [float(v) for v in problem.start]},
        **result, "checks": checks, "environment": environment(),
        "settings": {"repeats": args.repeats, "budget_s": args.budget, "x_scale_jac": args.x_scale_jac},
    }
    report["versions"]["numpy"] = np.__version__
    print(format_table(report))
    if args.out:
        write_json(report, args.out)
    failed = [name for name, check in checks.items() if check.get("matches") is False]
    if failed:
        print(f"error: check(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
