#!/usr/bin/env python3
"""Matrix-free Levenberg-Marquardt peers on a wide MLP case (issue #23; format: peers/README.md).

    wide_peers.py CASE.json [--cap 120] [--window 60] [--threads 1|all|1,all]
                  [--only WORD ...] [--skip WORD ...] [--memory-limit-gib 4]
                  [--bundle results/EXP/latest [--bundle-case ID]] [--out wide-peers.json]

Every solver starts at the case's start (jacobench's Glorot θ₀) on the case's samples, in float64,
for at most --cap seconds of wall time from solver start, each in its own child process (so that
peak memories do not mix and a solver that asks for too much memory fails alone):

  optimistix.LevenbergMarquardt.cg     LevenbergMarquardt(linear_solver=lx.Normal(lx.CG(rtol, atol)))
  optimistix.LevenbergMarquardt.lsmr   LevenbergMarquardt(linear_solver=lx.LSMR(rtol, atol))
  jaxopt.LevenbergMarquardt.shipped    LevenbergMarquardt(materialize_jac=False) as shipped: its
                                       init_state takes diag(JᵀJ) by vmapping JᵀJ·v over the N × N
                                       identity; run under an address-space limit so that it fails fast
  jaxopt.LevenbergMarquardt.chunked-diagonal
                                       the same solver with that diagonal summed from per-sample
                                       gradients, a chunk of samples at a time
  scipy.least_squares.trf-lsmr         least_squares(method="trf", tr_solver="lsmr") on a
                                       LinearOperator of jitted jax.jvp / jax.vjp

and one more child times JᵀJ·v with the linearization done once (jax.linearize, then its jvp and
jax.linear_transpose), against jvp + vjp from scratch (what jaxopt does per product).

Each solver's JIT compilation is a warm-up on the start, timed apart; then the timed run records
(iteration, cost, seconds since solver start) at every accepted step. From that curve: the time
and iterations to 1.05, 1.02 and 1.01 × the teacher cost (the case's `teacher_cost`), the lowest
cost within --window seconds; from the parameters the child saves at every accepted step: the
final cost and the test RMSE on the case's noise-free held-out samples (at the end and at the
lowest cost within the window). Peak memory is the child's ru_maxrss (os.wait4).

--threads 1 (default): children pinned to one CPU, one OpenBLAS/XLA thread (peer_benchmark.py's
settings); all: every CPU and thread pool; "1,all" runs both (rows of the second end in
"@all-cores").

Exit status: 0 (also when solvers fail: that is a result), 2 for a usage or case error.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import math
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import types

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlp_case  # noqa: E402

SCHEMA = 1
# Multiples of the teacher cost whose first crossing is reported (jacobench's fit.teacher.*).
THRESHOLDS = (("1_05", 1.05), ("1_02", 1.02), ("1_01", 1.01))
# lineax's rtol and atol for the inner solves; atol is elementwise and absolute.
LINEAR_TOLERANCE = 1e-10
# The outer optimistix tolerances (as fit_peers.py's).
OPTIMISTIX_TOLERANCE = 1e-10
SCIPY_TOLERANCE = 1e-12  # ftol = xtol = gtol
SCIPY_MAX_NFEV = 10 ** 9
DIAGONAL_CHUNK = 256  # samples per chunk of per-sample gradients (chunk × N doubles at a time)
PRODUCT_REPEATS = 7
PRODUCT_BUDGET_SECONDS = 3.0
PRODUCTS = "jax.gauss-newton-product"

SOLVERS = {
    "optimistix.LevenbergMarquardt.cg": "optimistix LevenbergMarquardt, lx.Normal(lx.CG(rtol, atol)) on the damped system",
    "optimistix.LevenbergMarquardt.lsmr": "optimistix LevenbergMarquardt, lx.LSMR(rtol, atol) on [J; √λ I]",
    "jaxopt.LevenbergMarquardt.shipped": "jaxopt LevenbergMarquardt(materialize_jac=False) as shipped (diag(JᵀJ) from JᵀJ·eye(N))",
    "jaxopt.LevenbergMarquardt.chunked-diagonal": "jaxopt LevenbergMarquardt(materialize_jac=False), diag(JᵀJ) from per-sample gradients in chunks",
    "scipy.least_squares.trf-lsmr": "SciPy least_squares(method='trf', tr_solver='lsmr'), LinearOperator of jitted jax.jvp / jax.vjp",
}

NOTES = [
    "lineax's atol is elementwise and absolute (the inner solve stops at |residual_i| <= atol + rtol·|b_i|): "
    "with atol = 1e-4 the inner solves stop at once and LevenbergMarquardt degenerates into thousands of "
    "near-gradient steps; atol = rtol = 1e-10 here.",
    "optimistix 0.1.0 takes the linear solver as LevenbergMarquardt(..., linear_solver=...); its damped step "
    "is the least-squares solve of [J; √λ I] δ = [r; 0], so lx.Normal(lx.CG) runs CG on JᵀJ + λI and lx.LSMR "
    "works on the stacked operator; J is jax.linearize's function (one linearization per step). Inner "
    "iterations are lineax's stats['num_steps'], read through a wrapper of lineax.linear_solve in optimistix's "
    "levenberg_marquardt module (optimistix itself drops them).",
    "jaxopt's LevenbergMarquardt(materialize_jac=False) computes every JᵀJ·v as jax.vjp + jax.jvp from scratch "
    "(no linearization reused across CG iterations) and solves with jaxopt.linear_solve.solve_cg "
    "(jax.scipy.sparse.linalg.cg, tol 1e-5, maxiter 10·N); its init_state takes diag(JᵀJ) as "
    "vmap(v ↦ vᵀJᵀJv)(eye(N)): an N × N identity and N batched products.",
    "SciPy's trf with tr_solver='lsmr' solves each subproblem by LSMR on the LinearOperator (SciPy's lsmr "
    "defaults: atol = btol = 1e-6, at most min(m, n) iterations) and reduces it to a 2-D trust-region problem; "
    "x_scale is SciPy's default (1 for trf); inner iterations are not reported by SciPy, the J·v and Jᵀ·u "
    "counts are.",
    "The clock of a solver starts before its init (jaxopt's init_state with its diagonal, SciPy's first "
    "residual and Jacobian operator are inside); compilation is a warm-up on the start before it. The child "
    "copies θ to the host and writes it to disk at every accepted step (≈1 ms at N = 66,561), inside the "
    "timed run.",
]


class UsageError(ValueError):
    pass


# --- NumPy-only parts (peers/test_wide_peers.py runs them without JAX) ----------------------

def gauss_newton_product_flops(layers: list[int], samples: int) -> float:
    """Flops of one JᵀJ·v for an MLP over `samples` samples: 2·S·w_l·w_{l−1} per GEMM, two GEMMs
    per layer in each direction (J·v: W_l·ḣ_{l−1} and Ẇ_l·h_{l−1}; Jᵀ·u: W_lᵀ·δ_l and δ_l·h_{l−1}ᵀ),
    one in the first layer (no tangent of the inputs, no gradient w.r.t. them); jacobench's
    PerceptronJacobianOperator.gaussNewtonProductFlops. For 1 → w → w → 1:
    2·2·S·w + 4·2·S·w² + 4·2·S·w."""
    flops = 0.0
    for layer in range(len(layers) - 1):
        products = 2.0 if layer == 0 else 4.0
        flops += products * 2.0 * samples * layers[layer] * layers[layer + 1]
    return flops


def first_reach(curve: list, target: float) -> tuple[int, float, int] | None:
    """The first point of an accepted-step curve [(iteration, cost, seconds), ...] (in time order)
    with cost ≤ target: (iteration, seconds, accepted steps after the start), or None."""
    for index, (iteration, cost, seconds) in enumerate(curve):
        if cost <= target:
            return int(iteration), float(seconds), index
    return None


def curve_metrics(curve: list, teacher_cost: float | None, window_seconds: float) -> dict:
    """Time, iterations and accepted steps to each multiple of the teacher cost (None when not
    reached, or without a teacher cost) and the lowest cost stamped within the window."""
    metrics: dict = {}
    for label, factor in THRESHOLDS:
        hit = None
        if teacher_cost is not None and teacher_cost > 0:
            hit = first_reach(curve, factor * teacher_cost)
        metrics[f"time_to_{label}_s"] = hit[1] if hit else None
        metrics[f"iterations_to_{label}"] = hit[0] if hit else None
        metrics[f"accepted_steps_to_{label}"] = hit[2] if hit else None
    within = [cost for _, cost, seconds in curve if seconds <= window_seconds]
    metrics["lowest_cost_within_window"] = min(within) if within else None
    metrics["lowest_cost_within_window_over_teacher"] = (
        metrics["lowest_cost_within_window"] / teacher_cost
        if within and teacher_cost else None)
    return metrics


def test_rmse(case: mlp_case.Case, theta: np.ndarray) -> float | None:
    """√(Σ r² / m) over the held-out samples (jacobench's fit.test_rmse), None without them."""
    if case.test_inputs is None:
        return None
    outputs = mlp_case.network_outputs(case.layers, case.activations, theta, case.test_inputs)
    difference = outputs - case.test_targets
    return float(np.sqrt(np.mean(difference * difference)))


def cost(case: mlp_case.Case, theta: np.ndarray) -> float:
    r = mlp_case.residuals(case, theta)
    return 0.5 * float(r @ r)


def memory_ask_bytes(message: str) -> int | None:
    """The largest byte count an out-of-memory message names (XLA: 'allocating 35443225... bytes')."""
    counts = [int(text.replace(",", "")) for text in re.findall(r"(\d[\d,]*)\s*(?:bytes|B\b)", message)]
    return max(counts) if counts else None


def thread_environment(threads: str, base: dict) -> dict:
    """The child's environment: one OpenBLAS/OMP/XLA thread (peer_benchmark.py's flags) or all."""
    env = dict(base)
    count = "1" if threads == "1" else str(os.cpu_count() or 1)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[variable] = count
    flags = [flag for flag in env.get("XLA_FLAGS", "").split()
             if "xla_cpu_multi_thread_eigen" not in flag and "intra_op_parallelism_threads" not in flag]
    if threads == "1":
        flags += ["--xla_cpu_multi_thread_eigen=false", "intra_op_parallelism_threads=1"]
    env["XLA_FLAGS"] = " ".join(flags)
    env["JAX_PLATFORMS"] = "cpu"
    return env


def json_number(value):
    """JSON without NaN/Infinity literals: non-finite numbers become strings (peer_benchmark's rule)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: json_number(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_number(v) for v in value]
    return value


def selected(names: list[str], only: list[str] | None, skip: list[str] | None) -> list[str]:
    chosen = [n for n in names if not only or any(word in n for word in only)]
    return [n for n in chosen if not skip or not any(word in n for word in skip)]


# --- the child: one solver (or the product timing) in its own process --------------------

class CapReached(Exception):
    pass


class Progress:
    """JSON lines the parent reads (also after a kill) and θ saved at accepted steps."""

    def __init__(self, folder: str):
        self.folder = folder
        self.handle = open(os.path.join(folder, "progress.jsonl"), "a", encoding="utf-8")

    def emit(self, **event):
        self.handle.write(json.dumps(json_number(event)) + "\n")
        self.handle.flush()

    def save(self, name: str, theta) -> None:
        path = os.path.join(self.folder, name + ".npy")
        with open(path + ".tmp", "wb") as handle:
            np.save(handle, np.asarray(theta, dtype=np.float64))
        os.replace(path + ".tmp", path)


class Recorder:
    """The timed run's clock, cap and accepted-step curve."""

    def __init__(self, progress: Progress, cap: float, window: float, start_cost: float, theta0):
        self.progress, self.cap, self.window = progress, cap, window
        self.best = start_cost
        progress.save("final", theta0)
        progress.save("window", theta0)
        progress.emit(event="timed-start", cost=start_cost)
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def accepted(self, iteration: int, step_cost: float, theta, inner=None) -> None:
        seconds = self.elapsed()
        self.best = min(self.best, step_cost)
        host = np.asarray(theta, dtype=np.float64)
        self.progress.save("final", host)
        if seconds <= self.window:
            self.progress.save("window", host)
        self.progress.emit(event="step", iteration=iteration, cost=step_cost, seconds=seconds, inner=inner)

    def over(self) -> bool:
        return self.elapsed() >= self.cap


def _jax():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax


def jax_network(case: mlp_case.Case):
    jax = _jax()
    import jax.numpy as jnp

    activations = {
        "tanh": jnp.tanh,
        "sigmoid": jax.nn.sigmoid,
        "relu": jax.nn.relu,
        "softplus": jax.nn.softplus,
        "gelu": lambda z: jax.nn.gelu(z, approximate=True),
        "identity": lambda z: z,
    }
    slices = mlp_case.layer_slices(case.layers)
    functions = [activations[name] for name in case.activations]

    def network(theta, x):
        h = x
        for (w_off, b_off, fan_out, fan_in), phi in zip(slices, functions):
            h = phi(h @ theta[w_off:b_off].reshape(fan_out, fan_in).T + theta[b_off:b_off + fan_out])
        return h

    inputs = jnp.asarray(case.inputs)
    targets = jnp.asarray(case.targets)

    def residuals(theta):
        return (network(theta, inputs) - targets).reshape(-1)

    return network, residuals, inputs, targets


def child_optimistix(case, progress, cap, window, linear: str) -> dict:
    jax = _jax()
    import jax.numpy as jnp
    import equinox as eqx
    import lineax as lx
    import optimistix as optx
    from optimistix._solver import levenberg_marquardt as lm_module

    _, residuals, _, _ = jax_network(case)
    inner_counts: list[int] = []
    real_linear_solve = lx.linear_solve

    def counted_linear_solve(operator, vector, solver, *args, **kwargs):
        solution = real_linear_solve(operator, vector, solver, *args, **kwargs)
        jax.debug.callback(lambda n: inner_counts.append(int(n)), solution.stats["num_steps"])
        return solution

    counted = types.ModuleType("lineax")
    counted.__dict__.update(vars(lx))
    counted.linear_solve = counted_linear_solve
    lm_module.lx = counted  # only optimistix's LM module sees the wrapper

    if linear == "cg":
        linear_solver = lx.Normal(lx.CG(rtol=LINEAR_TOLERANCE, atol=LINEAR_TOLERANCE))
    else:
        linear_solver = lx.LSMR(rtol=LINEAR_TOLERANCE, atol=LINEAR_TOLERANCE)
    solver = optx.LevenbergMarquardt(rtol=OPTIMISTIX_TOLERANCE, atol=OPTIMISTIX_TOLERANCE, linear_solver=linear_solver)

    def fn(y, args):
        return residuals(y), None

    theta0 = jnp.asarray(case.parameters)
    f_struct = jax.eval_shape(residuals, theta0)
    options, tags = {}, frozenset()
    init = eqx.filter_jit(lambda y: solver.init(fn, y, None, options, f_struct, None, tags))
    step = eqx.filter_jit(lambda y, state: solver.step(fn, y, None, options, state, tags))

    # Warm-up on the start: compiles init and step (the second step shows the cache holds).
    begin = time.perf_counter()
    state = init(theta0)
    y, state, _ = step(theta0, state)
    jax.block_until_ready((y, state))
    compile_seconds = time.perf_counter() - begin
    begin = time.perf_counter()
    y, state, _ = step(y, state)
    jax.block_until_ready((y, state))
    second_step_seconds = time.perf_counter() - begin
    progress.emit(event="compiled", seconds=compile_seconds, second_step_seconds=second_step_seconds)
    inner_counts.clear()

    start_cost = cost(case, case.parameters)
    recorder = Recorder(progress, cap, window, start_cost, case.parameters)
    state = init(theta0)
    y = theta0
    iterations, accepted, failed_solves, stop = 0, 0, 0, "cap"
    consumed = 0
    while True:
        y, state, _ = step(y, state)
        jax.block_until_ready((y, state))
        iterations += 1
        if not bool(state.result == optx.RESULTS.successful):
            failed_solves += 1
        count = int(state.num_accepted_steps)
        if count > accepted:
            accepted = count
            if count > 1:  # the first accepted evaluation is the start
                r = np.asarray(state.f_info.residual)
                recorder.accepted(iterations - 1, 0.5 * float(r @ r), y, inner=sum(inner_counts[consumed:]))
                consumed = len(inner_counts)
        if bool(state.terminate):
            stop = "converged"
            break
        if recorder.over():
            break
    return {"stop": stop, "iterations": iterations - 1, "accepted_steps": max(accepted - 1, 0),
            "inner_iterations": sum(inner_counts), "inner_solves": len(inner_counts),
            "unsuccessful_steps": failed_solves, "elapsed_seconds": recorder.elapsed(),
            "settings": {"rtol": OPTIMISTIX_TOLERANCE, "atol": OPTIMISTIX_TOLERANCE,
                         "linear_solver": ("lx.Normal(lx.CG(rtol=1e-10, atol=1e-10))" if linear == "cg"
                                           else "lx.LSMR(rtol=1e-10, atol=1e-10)"),
                         "stepping": "solver.init / solver.step under eqx.filter_jit, one step per call"}}


def chunked_diagonal(network, inputs, targets, chunk: int):
    """diag(JᵀJ)_j = Σ_s Σ_d (∂r_{s,d}/∂θ_j)², from per-sample Jacobians (jax.vmap of jax.jacrev)
    `chunk` samples at a time (chunk × p × N doubles live), summed in a lax.scan."""
    jax = _jax()
    import jax.numpy as jnp

    samples = inputs.shape[0]
    chunks = -(-samples // chunk)
    pad = chunks * chunk - samples
    padded_inputs = jnp.concatenate([inputs, jnp.zeros((pad, inputs.shape[1]))]) if pad else inputs
    padded_targets = jnp.concatenate([targets, jnp.zeros((pad, targets.shape[1]))]) if pad else targets
    mask = jnp.concatenate([jnp.ones(samples), jnp.zeros(pad)])

    def one(theta, x, y):
        return network(theta, x[None, :])[0] - y

    per_sample = jax.vmap(jax.jacrev(one), in_axes=(None, 0, 0))  # (chunk, p, N)

    def diagonal(theta):
        def body(total, index):
            start = index * chunk
            x = jax.lax.dynamic_slice_in_dim(padded_inputs, start, chunk)
            y = jax.lax.dynamic_slice_in_dim(padded_targets, start, chunk)
            m = jax.lax.dynamic_slice_in_dim(mask, start, chunk)
            rows = per_sample(theta, x, y)
            return total + jnp.einsum("c,cpn->n", m, rows * rows), None

        total, _ = jax.lax.scan(body, jnp.zeros_like(theta), jnp.arange(chunks))
        return total

    return diagonal


def child_jaxopt(case, progress, cap, window, patched: bool) -> dict:
    jax = _jax()
    import jax.numpy as jnp
    from jaxopt import LevenbergMarquardt

    network, residuals, inputs, targets = jax_network(case)
    n = case.parameter_count
    settings = {"materialize_jac": False, "solver": "jaxopt.linear_solve.solve_cg (defaults)",
                "damping_parameter": 1e-6, "diagonal": ("per-sample gradients, chunks of %d samples" % DIAGONAL_CHUNK
                                                        if patched else "vmap(JᵀJ·v) over eye(N) (jaxopt's _jtj_diag_op)")}
    if patched:
        diagonal = chunked_diagonal(network, inputs, targets, DIAGONAL_CHUNK)

        class ChunkedDiagonalLevenbergMarquardt(LevenbergMarquardt):
            def _jtj_diag_op(self, params, *args, **kwargs):
                return diagonal(params)

        solver = ChunkedDiagonalLevenbergMarquardt(residual_fun=residuals, materialize_jac=False)
    else:
        solver = LevenbergMarquardt(residual_fun=residuals, materialize_jac=False)
    init = jax.jit(solver.init_state)
    update = jax.jit(solver.update)
    theta0 = jnp.asarray(case.parameters)

    begin = time.perf_counter()
    try:
        state = init(theta0)
        jax.block_until_ready(state)
    except Exception as error:  # noqa: BLE001 - the failure is the result
        message = f"{type(error).__name__}: {error}"
        progress.emit(event="failed", stage="init_state", seconds=time.perf_counter() - begin,
                      error=message[:4000], memory_ask_bytes=memory_ask_bytes(message))
        return {"stop": "failed in init_state", "settings": settings,
                "identity_bytes": 8 * n * n}
    params, state = update(theta0, state)
    params, state = update(params, state)  # init's Python ints become arrays: a second signature
    jax.block_until_ready((params, state))
    progress.emit(event="compiled", seconds=time.perf_counter() - begin)

    start_cost = cost(case, case.parameters)
    recorder = Recorder(progress, cap, window, start_cost, case.parameters)
    state = init(theta0)
    params = theta0
    previous = float(state.value)
    iterations, accepted, stop = 0, 0, "cap"
    while not recorder.over():
        params, state = update(params, state)
        jax.block_until_ready((params, state))
        iterations += 1
        value = float(state.value)
        if value < previous:
            accepted += 1
            previous = value
            recorder.accepted(iterations, value, params)
        if not math.isfinite(value):
            stop = "non-finite cost"
            break
    return {"stop": stop, "iterations": iterations, "accepted_steps": accepted, "inner_iterations": None,
            "elapsed_seconds": recorder.elapsed(), "settings": settings, "identity_bytes": 8 * n * n}


def child_scipy(case, progress, cap, window) -> dict:
    jax = _jax()
    import jax.numpy as jnp
    from scipy.optimize import least_squares
    from scipy.sparse.linalg import LinearOperator

    _, residuals, _, _ = jax_network(case)
    m, n = case.residual_count, case.parameter_count
    fun_jit = jax.jit(residuals)
    jvp_jit = jax.jit(lambda theta, v: jax.jvp(residuals, (theta,), (v,))[1])
    vjp_jit = jax.jit(lambda theta, u: jax.vjp(residuals, theta)[1](u)[0])
    theta0 = jnp.asarray(case.parameters)
    begin = time.perf_counter()
    jax.block_until_ready((fun_jit(theta0), jvp_jit(theta0, jnp.zeros(n)), vjp_jit(theta0, jnp.zeros(m))))
    progress.emit(event="compiled", seconds=time.perf_counter() - begin)

    counts = {"fun": 0, "jac": 0, "matvec": 0, "rmatvec": 0}
    recorder = None

    def check():
        if recorder.over():
            raise CapReached

    def fun(x):
        check()
        counts["fun"] += 1
        return np.asarray(fun_jit(jnp.asarray(x)))

    def jac(x):
        counts["jac"] += 1
        point = jnp.asarray(x)

        def matvec(v):
            check()
            counts["matvec"] += 1
            return np.asarray(jvp_jit(point, jnp.asarray(np.ravel(v))))

        def rmatvec(u):
            check()
            counts["rmatvec"] += 1
            return np.asarray(vjp_jit(point, jnp.asarray(np.ravel(u))))

        return LinearOperator((m, n), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)

    state = {"best": math.inf, "iterations": 0, "accepted": 0}

    def callback(intermediate_result):
        state["iterations"] = int(intermediate_result.nit)
        if intermediate_result.cost < state["best"]:
            state["accepted"] += 1
            state["best"] = float(intermediate_result.cost)
            recorder.accepted(int(intermediate_result.nit), float(intermediate_result.cost), intermediate_result.x)
        if recorder.over():
            raise StopIteration

    start_cost = cost(case, case.parameters)
    recorder = Recorder(progress, cap, window, start_cost, case.parameters)
    state["best"] = start_cost
    stop, message, status = "cap", None, None
    try:
        result = least_squares(fun, np.array(case.parameters), jac=jac, method="trf", tr_solver="lsmr",
                               ftol=SCIPY_TOLERANCE, xtol=SCIPY_TOLERANCE, gtol=SCIPY_TOLERANCE,
                               max_nfev=SCIPY_MAX_NFEV, callback=callback)
        status, message = int(result.status), str(result.message)
        if result.status > 0:
            stop = "converged"
            if result.cost < state["best"]:
                recorder.accepted(-1, float(result.cost), result.x)
    except CapReached:
        stop = "cap (inside an iteration)"
    return {"stop": stop, "solver_status": status, "message": message, "iterations": state["iterations"],
            "accepted_steps": state["accepted"], "inner_iterations": None, "residual_evaluations": counts["fun"],
            "jacobian_operators": counts["jac"], "jacobian_products": counts["matvec"],
            "transposed_products": counts["rmatvec"], "elapsed_seconds": recorder.elapsed(),
            "settings": {"method": "trf", "tr_solver": "lsmr", "x_scale": "default (1 for trf)",
                         "ftol": SCIPY_TOLERANCE, "xtol": SCIPY_TOLERANCE, "gtol": SCIPY_TOLERANCE,
                         "max_nfev": SCIPY_MAX_NFEV, "tr_options": "SciPy's lsmr defaults"}}


def child_products(case, progress) -> dict:
    """JᵀJ·v at the start: linearized once (jax.linearize, then its jvp and jax.linear_transpose),
    against jvp + vjp from scratch per product, and one forward pass."""
    jax = _jax()
    import jax.numpy as jnp

    _, residuals, _, _ = jax_network(case)
    theta0 = jnp.asarray(case.parameters)
    v = jnp.asarray(np.random.default_rng(0).standard_normal(case.parameter_count))
    flops = gauss_newton_product_flops(case.layers, case.sample_count)

    begin = time.perf_counter()
    _, f_jvp = jax.linearize(residuals, theta0)
    f_transpose = jax.linear_transpose(f_jvp, theta0)
    linearize_seconds = time.perf_counter() - begin
    linearized = jax.jit(lambda w: f_transpose(f_jvp(w))[0])
    scratch = jax.jit(lambda theta, w: jax.vjp(residuals, theta)[1](jax.jvp(residuals, (theta,), (w,))[1])[0])
    forward = jax.jit(residuals)

    def timed(call) -> dict:
        begin = time.perf_counter()
        reference = jax.block_until_ready(call())
        compile_seconds = time.perf_counter() - begin
        samples = []
        while len(samples) < PRODUCT_REPEATS or (sum(samples) < PRODUCT_BUDGET_SECONDS and len(samples) < 50):
            begin = time.perf_counter()
            jax.block_until_ready(call())
            samples.append(time.perf_counter() - begin)
        median = statistics.median(samples)
        return {"compile_seconds": compile_seconds, "median_ms": median * 1e3, "min_ms": min(samples) * 1e3,
                "repeats": len(samples), "value": reference}

    results = {}
    for name, call in (("linearized", lambda: linearized(v)), ("from_scratch", lambda: scratch(theta0, v)),
                       ("forward", lambda: forward(theta0))):
        results[name] = timed(call)
    agreement = float(jnp.linalg.norm(results["linearized"]["value"] - results["from_scratch"]["value"])
                      / jnp.linalg.norm(results["from_scratch"]["value"]))
    for name in results:
        results[name].pop("value")
        if name != "forward":
            results[name]["gflops"] = flops / (results[name]["median_ms"] * 1e-3) / 1e9
    results["linearized"]["linearize_seconds"] = linearize_seconds
    report = {"flops": flops, "products": results, "relative_difference": agreement}
    progress.emit(event="products", **report)
    return report


def child_main(name: str, case_path: str, folder: str, cap: float, window: float) -> int:
    case = mlp_case.load_case(case_path)
    progress = Progress(folder)
    jax = _jax()
    jax.numpy.zeros(1).block_until_ready()  # the backend up: the baseline every child pays
    versions = {}
    for package in ("jax", "jaxlib", "optimistix", "lineax", "equinox", "jaxopt", "scipy", "numpy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    progress.emit(event="begin", pid=os.getpid(), affinity=sorted(os.sched_getaffinity(0)),
                  baseline_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                  xla_flags=os.environ.get("XLA_FLAGS", ""), versions=versions)
    if name == PRODUCTS:
        child_products(case, progress)
        return 0
    if name == "optimistix.LevenbergMarquardt.cg":
        summary = child_optimistix(case, progress, cap, window, "cg")
    elif name == "optimistix.LevenbergMarquardt.lsmr":
        summary = child_optimistix(case, progress, cap, window, "lsmr")
    elif name == "jaxopt.LevenbergMarquardt.shipped":
        summary = child_jaxopt(case, progress, cap, window, patched=False)
    elif name == "jaxopt.LevenbergMarquardt.chunked-diagonal":
        summary = child_jaxopt(case, progress, cap, window, patched=True)
    elif name == "scipy.least_squares.trf-lsmr":
        summary = child_scipy(case, progress, cap, window)
    else:
        raise UsageError(f"unknown solver {name!r}")
    progress.emit(event="done", **summary)
    return 0


# --- the parent: one child per solver, then the report ------------------------------------

def read_events(folder: str) -> list[dict]:
    events = []
    try:
        with open(os.path.join(folder, "progress.jsonl"), encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if line:
                    try:
                        events.append(json.loads(line))
                    except json.JSONDecodeError:
                        break  # a line cut by a kill
    except OSError:
        pass
    return events


def run_child(name: str, case_path: str, threads: str, cap: float, window: float, compile_timeout: float,
              memory_limit: int | None, workspace: str) -> tuple[list[dict], dict, str]:
    """Runs one child to its end (or kills it: compile_timeout before its timed run starts,
    cap + grace after); returns its events, the process facts and its folder."""
    folder = tempfile.mkdtemp(prefix=name.replace("/", "_") + ".", dir=workspace)
    command = [sys.executable, os.path.abspath(__file__), "--child", name, case_path, "--cap", str(cap),
               "--window", str(window), "--child-folder", folder]
    env = thread_environment(threads, os.environ)
    allowed = sorted(os.sched_getaffinity(0))

    def prepare():
        if threads == "1":
            os.sched_setaffinity(0, {allowed[0]})
        else:
            try:
                os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
            except OSError:
                pass
        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    grace = 0.25 * cap + 5.0
    log = open(os.path.join(folder, "output.log"), "wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=prepare)
    started = time.monotonic()
    deadline = started + compile_timeout
    timed = False
    killed = None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if not timed and any(e.get("event") == "timed-start" for e in read_events(folder)):
            timed = True
            deadline = time.monotonic() + cap + grace
        if killed is None and time.monotonic() > deadline:
            killed = (f"killed after {cap + grace:.0f} s of timed run (cap {cap:g} s + grace {grace:.0f} s): "
                      "one step ran past the cap" if timed else
                      f"killed: no timed run after {compile_timeout:g} s (compilation or warm-up)")
            os.kill(process.pid, signal.SIGKILL)
        time.sleep(0.1)
    log.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(os.path.join(folder, "output.log"), "rb") as handle:
        output = handle.read().decode("utf-8", "replace")
    facts = {"exit_code": process.returncode, "peak_rss_mib": usage.ru_maxrss / 1024.0,
             "wall_seconds": time.monotonic() - started, "killed": killed,
             "output_tail": output[-3000:] if process.returncode != 0 else None}
    return read_events(folder), facts, folder


def solver_row(name: str, case: mlp_case.Case, events: list[dict], facts: dict, folder: str,
               window: float, threads: str) -> dict:
    row: dict = {"description": SOLVERS[name], "threads": threads, "peak_rss_mib": facts["peak_rss_mib"],
                 "exit_code": facts["exit_code"], "child_wall_seconds": facts["wall_seconds"]}
    by_kind = {}
    for event in events:
        by_kind.setdefault(event["event"], []).append(event)
    begin = by_kind.get("begin", [{}])[0]
    row["cpus"] = begin.get("affinity")
    row["baseline_rss_mib"] = begin.get("baseline_rss_mib")
    compiled = by_kind.get("compiled", [{}])[0]
    row["compile_seconds"] = compiled.get("seconds")
    if "second_step_seconds" in compiled:
        row["warm_step_seconds"] = compiled["second_step_seconds"]
    curve = []
    start = by_kind.get("timed-start")
    if start:
        curve.append((0, start[0]["cost"], 0.0))
    inner = []
    for event in by_kind.get("step", []):
        curve.append((event["iteration"], event["cost"], event["seconds"]))
        inner.append(event.get("inner"))
    row["curve"] = [list(point) for point in curve]
    if any(value is not None for value in inner):
        row["inner_iterations_per_step"] = inner
    row.update(curve_metrics(curve, case.teacher_cost, window))
    done = by_kind.get("done", [{}])[0]
    failed = by_kind.get("failed")
    for key, value in done.items():
        if key != "event":
            row[key] = value
    if failed:
        row["status"] = "failed"
        row["failure"] = {k: v for k, v in failed[0].items() if k != "event"}
        row["expected_failure"] = name == "jaxopt.LevenbergMarquardt.shipped"
    elif facts["killed"]:
        row["status"] = "killed"
        row["stop"] = facts["killed"]
    elif facts["exit_code"] != 0 or not done:
        row["status"] = "failed"
        tail = facts.get("output_tail") or ""
        row["failure"] = {"exit_code": facts["exit_code"], "output_tail": tail,
                          "memory_ask_bytes": memory_ask_bytes(tail)}
        row["expected_failure"] = name == "jaxopt.LevenbergMarquardt.shipped"
    else:
        row["status"] = "ok"
    if name == "jaxopt.LevenbergMarquardt.shipped":
        n = case.parameter_count
        row["identity_bytes"] = 8 * n * n
        row["memory_limit_bytes"] = facts.get("memory_limit")
    if curve:
        final = os.path.join(folder, "final.npy")
        best = os.path.join(folder, "window.npy")
        if os.path.exists(final):
            theta = np.load(final)
            row["final_cost"] = cost(case, theta)
            row["final_cost_over_teacher"] = row["final_cost"] / case.teacher_cost if case.teacher_cost else None
            row["solver_final_cost"] = curve[-1][1]
            row["test_rmse"] = test_rmse(case, theta)
        if os.path.exists(best):
            row["test_rmse_at_lowest_within_window"] = test_rmse(case, np.load(best))
    if row.get("inner_iterations") is not None and row.get("inner_solves"):
        row["inner_iterations_per_solve"] = row["inner_iterations"] / row["inner_solves"]
    return row


def bundle_threads(bundle: str) -> str:
    """The threads jacobench ran on, from the bundle's environment.json: "1", or "all" when it
    used every CPU of this machine, else the count ("?" when the file does not say)."""
    try:
        with open(os.path.join(bundle, "environment.json"), encoding="utf-8") as handle:
            threads = json.load(handle).get("threads")
    except (OSError, ValueError):
        return "?"
    if not isinstance(threads, int) or isinstance(threads, bool):
        return "?"
    return "all" if threads > 1 and threads == (os.cpu_count() or 1) else str(threads)


def jacobench_row(bundle: str, case_id: str | None, case: mlp_case.Case, window: float) -> dict:
    """jacobench's own fit of the same manifest, from its bundle's metrics.json and trace.csv."""
    cases = os.path.join(bundle, "cases")
    if not os.path.isdir(cases):
        raise UsageError(f"{bundle}: no cases/ folder (not a jacobench bundle)")
    names = sorted(os.listdir(cases))
    chosen = case_id if case_id is not None else (names[0] if names else None)
    if chosen is None or chosen not in names:
        raise UsageError(f"{bundle}: no case {chosen!r} (cases: {', '.join(names) or 'none'})")
    folder = os.path.join(cases, chosen)
    with open(os.path.join(folder, "metrics.json"), encoding="utf-8") as handle:
        metrics = json.load(handle)

    def number(key):
        value = metrics.get(key)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def seconds(key):
        value = number(key)
        return value / 1e6 if value is not None else None

    row = {"bundle": os.path.realpath(bundle), "case": chosen, "status": metrics.get("fit.status"),
           "threads": bundle_threads(bundle)}
    for label, _ in THRESHOLDS:
        row[f"time_to_{label}_s"] = seconds(f"fit.teacher.time_to_{label}_us")
        row[f"iterations_to_{label}"] = number(f"fit.teacher.iterations_to_{label}")
    row.update({
        "lowest_cost_within_60s": number("fit.cost_within_60s"),
        "final_cost": number("fit.final_cost"),
        "final_cost_over_teacher": number("fit.cost_over_teacher"),
        "test_rmse": number("fit.test_rmse"),
        "iterations": number("fit.iterations"),
        "inner_iterations": number("fit.inner_iterations"),
        "linear_solver": metrics.get("fit.linear_solver"),
        "gauss_newton_product_ms": (number("fit.gauss_newton_product_us") or math.nan) / 1e3,
        "gauss_newton_product_gflops": number("fit.gauss_newton_product_gflops"),
        "peak_rss_mib": (number("memory.peak_bytes") or math.nan) / 2 ** 20,
        "fit_seconds": seconds("fit.time_us"),
        "teacher_cost": number("data.teacher_cost"),
        "compile_seconds": None,
    })
    teacher = row["teacher_cost"]
    row["same_data"] = (teacher is not None and case.teacher_cost is not None
                        and abs(teacher - case.teacher_cost) <= 1e-12 * max(1.0, abs(case.teacher_cost)))
    trace = os.path.join(folder, "trace.csv")
    if os.path.exists(trace):
        with open(trace, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        if rows and {"cost", "accepted", "elapsed_seconds", "iteration"} <= set(rows[0]):
            curve = [(int(float(r["iteration"])), float(r["cost"]), float(r["elapsed_seconds"]))
                     for r in rows if float(r["accepted"]) == 1]
            if not curve or curve[0][0] != 0:  # jacobench's trace starts after its first iteration
                curve.insert(0, (0, cost(case, case.parameters), 0.0))
            row["from_trace"] = curve_metrics(curve, case.teacher_cost, window)
    return row


def versions() -> dict:
    found = {}
    for package in ("jax", "jaxlib", "optimistix", "lineax", "equinox", "jaxopt", "scipy", "numpy"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    found["python"] = platform.python_version()
    return found


def environment() -> dict:
    model = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"cpu": model, "cpu_count": os.cpu_count(), "cpus_allowed": sorted(os.sched_getaffinity(0)),
            "load_average": list(load) if load else None, "platform": platform.platform(),
            "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def fmt(value, digits=3, unit=""):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}{unit}"
    return f"{value}{unit}"


def format_table(report: dict) -> str:
    case = report["case"]
    teacher = case["teacher_cost"]
    lines = [f"case {case['name']}: layers {case['layers']} ({'/'.join(case['activations'])}), "
             f"N = {case['n']:,}, M = {case['m']:,}, teacher cost {fmt(teacher, 6)}, start cost {fmt(case['start_cost'], 6)}; "
             f"cap {report['settings']['cap_seconds']:g} s, window {report['settings']['window_seconds']:g} s",
             "",
             "| solver | threads | compile s | to 1.05× s | to 1.02× s (its) | to 1.01× s | lowest ≤ window (× teacher) "
             "| final cost | test RMSE | inner its | peak MiB | status |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    rows = dict(report["solvers"])
    if report.get("jacobench"):
        rows = {"jacobench.levenberg-marquardt": report["jacobench"], **rows}
    for name, row in rows.items():
        lowest = row.get("lowest_cost_within_window", row.get("lowest_cost_within_60s"))
        ratio = lowest / teacher if lowest is not None and teacher else None
        status = row.get("status")
        if row.get("stop") and status in ("ok", "killed"):
            status = f"{status}: {row['stop']}"
        if row.get("failure"):
            failure = row["failure"]
            text = failure.get("error") or (failure.get("output_tail") or "").strip().splitlines()[-1:] or [""]
            text = text if isinstance(text, str) else text[0]
            status = f"failed{' (expected)' if row.get('expected_failure') else ''}: {text[:160]}"
        its = row.get("iterations_to_1_02")
        lines.append(
            f"| {name} | {row.get('threads')} | {fmt(row.get('compile_seconds'))} | {fmt(row.get('time_to_1_05_s'))} "
            f"| {fmt(row.get('time_to_1_02_s'))}{f' ({int(its)})' if its is not None else ''} | {fmt(row.get('time_to_1_01_s'))} "
            f"| {fmt(lowest, 6)}{f' ({ratio:.4f})' if ratio else ''} | {fmt(row.get('final_cost'), 6)} "
            f"| {fmt(row.get('test_rmse'), 4)} | {fmt(row.get('inner_iterations'))} | {fmt(row.get('peak_rss_mib'), 4)} "
            f"| {status} |")
    for label, products in report.get("products", {}).items():
        if not products or "products" not in products:
            lines.append(f"\nJᵀJ·v ({label}): {products.get('status') if products else 'not run'}")
            continue
        p = products["products"]
        lines.append(
            f"\nJᵀJ·v at the start ({label}; {products['flops'] / 1e9:.3g} GFLOP each): linearized once "
            f"{p['linearized']['median_ms']:.3g} ms ({p['linearized']['gflops']:.3g} GFLOP/s, "
            f"{p['linearized']['repeats']} calls), jvp + vjp from scratch {p['from_scratch']['median_ms']:.3g} ms "
            f"({p['from_scratch']['gflops']:.3g} GFLOP/s), one forward pass {p['forward']['median_ms']:.3g} ms; "
            f"peak {products.get('peak_rss_mib', math.nan):.4g} MiB")
    jb = report.get("jacobench")
    if jb and jb.get("gauss_newton_product_ms") is not None:
        lines.append(f"jacobench's JᵀJ·v in its fit: {fmt(jb['gauss_newton_product_ms'])} ms "
                     f"({fmt(jb.get('gauss_newton_product_gflops'))} GFLOP/s)")
    return "\n".join(lines)


def parse_threads(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values or any(v not in ("1", "all") for v in values):
        raise UsageError(f"--threads: expected 1, all or 1,all; got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case")
    parser.add_argument("--cap", type=float, default=120.0, help="wall-time cap per solver, seconds (default 120)")
    parser.add_argument("--window", type=float, default=60.0, help="lowest cost within this many seconds (default 60)")
    parser.add_argument("--threads", default="1", help="1 (default: one CPU, one thread), all, or 1,all")
    parser.add_argument("--only", nargs="*", help="run the solvers whose names contain one of these words")
    parser.add_argument("--skip", nargs="*", help="leave out the solvers whose names contain one of these words")
    parser.add_argument("--memory-limit-gib", type=float, default=4.0,
                        help="address-space limit of jaxopt's shipped solver (RLIMIT_AS, default 4 GiB)")
    parser.add_argument("--compile-timeout", type=float, default=600.0,
                        help="kill a child that has not started its timed run after this many seconds")
    parser.add_argument("--bundle", help="jacobench's bundle of the same manifest (results/EXP/latest)")
    parser.add_argument("--bundle-case", help="the bundle's case id (default the first)")
    parser.add_argument("--out", help="write the JSON report here")
    parser.add_argument("--keep", action="store_true", help="keep the children's folders (progress, θ, logs)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.case, args.child_folder, args.cap, args.window)
    try:
        if args.cap <= 0 or args.window <= 0:
            raise UsageError("--cap and --window must be positive")
        threads_list = parse_threads(args.threads)
        case = mlp_case.load_case(args.case)
        if case.with_respect_to != "parameters":
            raise UsageError(f"{args.case}: a case w.r.t. inputs has nothing to fit")
        names = selected(list(SOLVERS) + [PRODUCTS], args.only, args.skip)
        jacobench = jacobench_row(args.bundle, args.bundle_case, case, args.window) if args.bundle else None
    except (UsageError, mlp_case.CaseError, OSError, ValueError) as error:
        print(f"wide_peers.py: {error}", file=sys.stderr)
        return 2

    report = {
        "schema": SCHEMA, "kind": "wide-peers",
        "case": {"path": os.path.abspath(args.case), "name": case.name, "layers": case.layers,
                 "activations": case.activations, "n": case.parameter_count, "m": case.residual_count,
                 "samples": case.sample_count,
                 "test_samples": int(case.test_inputs.shape[0]) if case.test_inputs is not None else None,
                 "teacher_cost": case.teacher_cost, "start_cost": cost(case, case.parameters),
                 "start_test_rmse": test_rmse(case, case.parameters)},
        "settings": {"cap_seconds": args.cap, "window_seconds": args.window, "threads": threads_list,
                     "linear_tolerance": {"rtol": LINEAR_TOLERANCE, "atol": LINEAR_TOLERANCE},
                     "memory_limit_gib_jaxopt_shipped": args.memory_limit_gib,
                     "compile_timeout_seconds": args.compile_timeout, "grace_seconds": 0.25 * args.cap + 5.0,
                     "diagonal_chunk_samples": DIAGONAL_CHUNK, "thresholds": [f for _, f in THRESHOLDS]},
        "solvers": {}, "products": {}, "jacobench": jacobench, "notes": NOTES,
        "versions": versions(), "environment": environment(),
    }
    if case.teacher_cost is None:
        report["notes"] = NOTES + ["The case has no teacher_cost (export it with a jacobench that writes one): "
                                   "no times to multiples of it."]
    if case.test_inputs is None:
        report["notes"] = report["notes"] + ["The case has no test set (test-samples in the manifest): no test RMSE."]

    workspace = tempfile.mkdtemp(prefix="wide-peers.")
    for threads in threads_list:
        suffix = "" if len(threads_list) == 1 or threads == "1" else "@all-cores"
        label = "one core" if threads == "1" else "all cores"
        for name in names:
            print(f"wide_peers: {name} ({label}) ...", file=sys.stderr, flush=True)
            limit = int(args.memory_limit_gib * 2 ** 30) if name == "jaxopt.LevenbergMarquardt.shipped" else None
            events, facts, folder = run_child(name, args.case, threads, args.cap, args.window,
                                              args.compile_timeout, limit, workspace)
            facts["memory_limit"] = limit
            if name == PRODUCTS:
                found = [e for e in events if e["event"] == "products"]
                entry = ({k: v for k, v in found[0].items() if k != "event"} if found else
                         {"status": f"failed (exit {facts['exit_code']}): {(facts.get('output_tail') or '')[-300:]}"})
                entry["peak_rss_mib"] = facts["peak_rss_mib"]
                entry["threads"] = threads
                begin = next((e for e in events if e["event"] == "begin"), {})
                entry["cpus"] = begin.get("affinity")
                entry["baseline_rss_mib"] = begin.get("baseline_rss_mib")
                report["products"][label] = entry
                continue
            row = solver_row(name, case, events, facts, folder, args.window, threads)
            report["solvers"][name + suffix] = row
            print(f"wide_peers: {name}: {row['status']}, {fmt(row.get('time_to_1_02_s'))} s to 1.02×, "
                  f"lowest {fmt(row.get('lowest_cost_within_window'), 6)}, peak {row['peak_rss_mib']:.0f} MiB",
                  file=sys.stderr, flush=True)
    if not args.keep:
        import shutil
        shutil.rmtree(workspace, ignore_errors=True)
    else:
        report["workspace"] = workspace

    print(format_table(report))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(json_number(report), handle, indent=1, sort_keys=True)
            handle.write("\n")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
