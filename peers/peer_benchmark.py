#!/usr/bin/env python3
"""Times PyTorch, JAX and SciPy on one jacobench case (format: peers/README.md).

    peer_benchmark.py CASE.json [--repeats N] [--budget SECONDS] [--out results.json]

Every variant computes the same Jacobian (of the residuals with respect to the
parameters, or of the outputs with respect to the inputs) in float64 on one thread:
torch.set_num_threads(1); XLA's Eigen thread pool off. JAX ignores thread flags for
some work, so pin the whole process to one CPU from outside: `taskset -c 0 python ...`
(`make peers` and the peer-comparison plugin do). Each variant runs once to warm up
(JIT compilation included there), then as many timed calls as fit in the time budget,
between 3 and --repeats; the median, minimum and count are reported in microseconds.

Exit status: 0 when every exact variant matches the reference Jacobian to the
tolerance (or when the case says its Jacobian was omitted: nothing is compared),
1 when one does not (results are still written), 2 for a usage or case error.
"""

from __future__ import annotations

import os

# Thread settings must precede the imports of NumPy, torch and JAX.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
_XLA_SINGLE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
if "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + _XLA_SINGLE_THREAD).strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_case import (Case, CaseError, block_diagonal, input_jacobian_blocks,  # noqa: E402
                      layer_slices, load_case, parameter_jacobian, reference_jacobian,
                      relative_error, residuals)

SCHEMA = 1
TOLERANCE = 1e-12
MINIMUM_REPEATS = 3
FIT = "scipy.least_squares.lm"


@dataclass
class Variant:
    """One way to compute the Jacobian (or a forward pass, or a fit)."""

    name: str
    framework: str
    kind: str  # "exact" | "finite-difference" | "forward" | "fit"
    run: Callable[[], object]  # one timed call; returns something the check can convert
    to_jacobian: Callable[[object], np.ndarray] | None = None


def measure(run: Callable[[], object], repeats: int, budget_seconds: float, warm_up: bool = True) -> dict:
    """One warm-up call, then between MINIMUM_REPEATS and `repeats` timed calls, as many as
    the first timed call says fit in the budget; one call only when that call alone took
    longer than the budget."""
    if warm_up:
        run()
    start = time.perf_counter_ns()
    run()
    samples = [(time.perf_counter_ns() - start) / 1e3]  # also the estimate of one call
    fitting = int(budget_seconds * 1e6 / max(samples[0], 1e-3))
    count = 1 if fitting < 1 else max(MINIMUM_REPEATS, min(repeats, fitting))
    for _ in range(count - 1):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / 1e3)
    return {"median_us": statistics.median(samples), "min_us": min(samples), "max_us": max(samples),
            "repeats": count}


# --- PyTorch ---------------------------------------------------------------------

def torch_variants(case: Case) -> tuple[list[Variant], dict]:
    import torch
    from torch.func import jacfwd, jacrev, vmap

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set in this process
        pass
    torch.set_default_dtype(torch.float64)

    activations = {
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "softplus": torch.nn.functional.softplus,
        "gelu": lambda z: torch.nn.functional.gelu(z, approximate="tanh"),
        "identity": lambda z: z,
    }
    slices = layer_slices(case.layers)
    functions = [activations[name] for name in case.activations]

    def network(theta, x):
        h = x
        for (w_off, b_off, fan_out, fan_in), phi in zip(slices, functions):
            h = phi(h @ theta[w_off:b_off].view(fan_out, fan_in).T + theta[b_off:b_off + fan_out])
        return h

    theta = torch.tensor(case.parameters)
    x = torch.tensor(case.inputs)
    y = torch.tensor(case.targets)
    samples, width = case.inputs.shape

    if case.with_respect_to == "parameters":
        def full(v):
            return (network(v, x) - y).reshape(-1)

        def single(v, x_s, y_s):
            return network(v, x_s) - y_s

        point = theta
        per_sample = vmap(jacrev(single), in_dims=(None, 0, 0))
        per_sample_call = lambda: per_sample(theta, x, y)  # noqa: E731
        per_sample_jacobian = lambda j: j.reshape(-1, point.numel()).numpy()  # noqa: E731
    else:
        def full(v):
            return (network(theta, v.view(samples, width)) - y).reshape(-1)

        def single(x_s, y_s):
            return network(theta, x_s) - y_s

        point = x.reshape(-1).clone()
        per_sample = vmap(jacrev(single))
        per_sample_call = lambda: per_sample(x, y)  # noqa: E731
        per_sample_jacobian = lambda j: block_diagonal(j.numpy())  # noqa: E731

    functional = torch.autograd.functional.jacobian
    jacobian_rev = jacrev(full)
    jacobian_fwd = jacfwd(full)
    n = point.numel()
    steps = math.sqrt(np.finfo(np.float64).eps) * torch.clamp(point.abs(), min=1.0)
    perturbed = point.unsqueeze(0) + torch.diag(steps)
    batched_full = vmap(full)

    def difference_loop():
        with torch.no_grad():
            base = full(point)
            columns = torch.empty(base.numel(), n)
            shifted = point.clone()
            for j in range(n):
                shifted[j] = point[j] + steps[j]
                columns[:, j] = (full(shifted) - base) / steps[j]
                shifted[j] = point[j]
            return columns

    def difference_batched():
        with torch.no_grad():
            return ((batched_full(perturbed) - full(point)) / steps.unsqueeze(1)).T

    def forward():
        with torch.no_grad():
            return full(point)

    as_numpy = lambda j: j.detach().numpy()  # noqa: E731
    variants = [
        Variant("torch.functional.jacobian", "torch", "exact", lambda: functional(full, point), as_numpy),
        Variant("torch.functional.jacobian.vectorize", "torch", "exact",
                lambda: functional(full, point, vectorize=True), as_numpy),
        Variant("torch.functional.jacobian.forward-mode", "torch", "exact",
                lambda: functional(full, point, vectorize=True, strategy="forward-mode"), as_numpy),
        Variant("torch.func.jacrev", "torch", "exact", lambda: jacobian_rev(point), as_numpy),
        Variant("torch.func.jacfwd", "torch", "exact", lambda: jacobian_fwd(point), as_numpy),
        Variant("torch.func.vmap-jacrev", "torch", "exact", per_sample_call, per_sample_jacobian),
        Variant("torch.forward-difference.loop", "torch", "finite-difference", difference_loop, as_numpy),
        Variant("torch.forward-difference.batched", "torch", "finite-difference", difference_batched,
                as_numpy),
        Variant("torch.forward", "torch", "forward", forward),
    ]
    return variants, {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}


# --- JAX -------------------------------------------------------------------------

def jax_variants(case: Case) -> tuple[list[Variant], dict]:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    activations = {
        "tanh": jnp.tanh,
        "sigmoid": jax.nn.sigmoid,
        "relu": jax.nn.relu,
        "softplus": jax.nn.softplus,
        "gelu": lambda z: jax.nn.gelu(z, approximate=True),
        "identity": lambda z: z,
    }
    slices = layer_slices(case.layers)
    functions = [activations[name] for name in case.activations]

    def network(theta, x):
        h = x
        for (w_off, b_off, fan_out, fan_in), phi in zip(slices, functions):
            h = phi(h @ theta[w_off:b_off].reshape(fan_out, fan_in).T + theta[b_off:b_off + fan_out])
        return h

    theta = jnp.asarray(case.parameters)
    x = jnp.asarray(case.inputs)
    y = jnp.asarray(case.targets)
    samples, width = case.inputs.shape

    if case.with_respect_to == "parameters":
        def full(v):
            return (network(v, x) - y).reshape(-1)

        def single(v, x_s, y_s):
            return network(v, x_s) - y_s

        point = theta
        per_sample = jax.jit(jax.vmap(jax.jacrev(single), in_axes=(None, 0, 0)))
        per_sample_call = lambda: per_sample(theta, x, y).block_until_ready()  # noqa: E731
        per_sample_jacobian = lambda j: np.asarray(j).reshape(-1, point.size)  # noqa: E731
    else:
        def full(v):
            return (network(theta, v.reshape(samples, width)) - y).reshape(-1)

        def single(x_s, y_s):
            return network(theta, x_s) - y_s

        point = x.reshape(-1)
        per_sample = jax.jit(jax.vmap(jax.jacrev(single)))
        per_sample_call = lambda: per_sample(x, y).block_until_ready()  # noqa: E731
        per_sample_jacobian = lambda j: block_diagonal(np.asarray(j))  # noqa: E731

    jacobian_rev = jax.jit(jax.jacrev(full))
    jacobian_fwd = jax.jit(jax.jacfwd(full))
    forward = jax.jit(full)
    as_numpy = lambda j: np.asarray(j)  # noqa: E731
    variants = [
        Variant("jax.jit.jacrev", "jax", "exact", lambda: jacobian_rev(point).block_until_ready(), as_numpy),
        Variant("jax.jit.jacfwd", "jax", "exact", lambda: jacobian_fwd(point).block_until_ready(), as_numpy),
        Variant("jax.jit.vmap-jacrev", "jax", "exact", per_sample_call, per_sample_jacobian),
        Variant("jax.jit.forward", "jax", "forward", lambda: forward(point).block_until_ready()),
    ]
    import jaxlib
    return variants, {"jax": jax.__version__, "jaxlib": jaxlib.__version__,
                      "jax_devices": [str(d) for d in jax.devices()]}


# --- SciPy -----------------------------------------------------------------------

def scipy_fit(case: Case, repeats: int, budget_seconds: float) -> tuple[dict, dict]:
    """scipy.optimize.least_squares(method="lm") from the case's parameters, analytic Jacobian."""
    import scipy
    from scipy.optimize import least_squares

    def fun(theta):
        return residuals(case, theta)

    def jac(theta):
        return parameter_jacobian(case, theta)

    outcome = {}

    def fit():
        outcome["result"] = least_squares(fun, case.parameters, jac=jac, method="lm")

    timing = measure(fit, repeats, budget_seconds, warm_up=False)  # nothing to compile
    result = outcome["result"]
    initial = 0.5 * float(np.dot(fun(case.parameters), fun(case.parameters)))
    timing.update({"nfev": int(result.nfev), "njev": int(result.njev or 0), "cost": float(result.cost),
                   "initial_cost": initial, "status": int(result.status), "message": result.message})
    return timing, {"scipy": scipy.__version__}


# --- Driver ----------------------------------------------------------------------

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
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return {"python": platform.python_version(), "numpy": np.__version__, "cpu": model,
            "cpus_allowed": affinity, "xla_flags": os.environ.get("XLA_FLAGS", ""),
            "platform": platform.platform()}


def json_number(value):
    """JSON without NaN/Infinity literals: non-finite numbers become strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: json_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_number(v) for v in value]
    return value


def fastest(peers: dict, names: list[str]) -> dict | None:
    timed = [(peers[name]["median_us"], name) for name in names if name in peers]
    if not timed:
        return None
    median, name = min(timed)
    return {"variant": name, "median_us": median}


def jacobench_fastest_exact(case: Case) -> dict | None:
    exact = {k: v for k, v in case.jacobench.items()
             if "difference" not in k and k not in ("forward", "forward-pass")}
    if not exact:
        return None
    name = min(exact, key=exact.get)
    return {"strategy": name, "median_us": exact[name]}


def format_table(report: dict, case: Case) -> str:
    peers, errors = report["peers"], report["checks"].get("relative_errors", {})
    lines = [f"case {case.name}: layers {case.layers}, w.r.t. {case.with_respect_to}, "
             f"n = {case.variable_count}, m = {case.residual_count}, S = {case.sample_count}",
             f"{'variant':42} {'median µs':>12} {'min µs':>12} {'reps':>5} {'× fwd':>9} {'rel. error':>10}"]
    for name, entry in peers.items():
        units = entry.get("forward_units")
        ratio = f"{units:9.1f}" if units else f"{'':9}"
        error = errors.get(name)
        error_text = f"{error:10.1e}" if isinstance(error, float) else f"{'':10}"
        lines.append(f"{name:42} {entry['median_us']:12.1f} {entry['min_us']:12.1f} "
                     f"{entry['repeats']:5d} {ratio} {error_text}")
        if "nfev" in entry:
            lines.append(f"{'':42} nfev {entry['nfev']}, njev {entry['njev']}, cost "
                         f"{entry['initial_cost']:.6g} -> {entry['cost']:.10g}")
    for key, value in report["summary"].items():
        if isinstance(value, dict) and "median_us" in value:
            label = value.get("variant") or value.get("strategy")
            lines.append(f"{key}: {label} {value['median_us']:.1f} µs")
        else:
            lines.append(f"{key}: {value}")
    for key, value in report["checks"].items():
        if key != "relative_errors":
            lines.append(f"check {key}: {value}")
    for name, reason in report.get("skipped", {}).items():
        lines.append(f"skipped {name}: {reason}")
    return "\n".join(lines)


def run(case: Case, repeats: int, budget: float, only: list[str] | None,
        skip: list[str] | None = None) -> tuple[dict, bool]:
    variants: list[Variant] = []
    versions, skipped = {}, {}
    for framework, build in (("torch", torch_variants), ("jax", jax_variants)):
        try:
            built, framework_versions = build(case)
        except ImportError as error:
            skipped[framework] = f"not importable ({error}); install it in the peers venv (make peers)"
            continue
        variants.extend(built)
        versions.update(framework_versions)
    if only:
        variants = [v for v in variants if any(word in v.name for word in only)]
    if skip:
        variants = [v for v in variants if not any(word in v.name for word in skip)]

    # A case exported without its Jacobian (m*n over jacobench's limit) has no reference:
    # the NumPy one would be as large, so nothing is compared, only timed.
    compares = case.jacobian_omitted is None
    if not compares:
        reference_source, reference = "omitted", None
    elif case.jacobian is not None:
        reference_source, reference = "case", case.jacobian
    else:
        reference_source, reference = "numpy-analytic", reference_jacobian(case)
    peers, errors, passed = {}, {}, True
    failures = []
    for variant in variants:
        print(f"  timing {variant.name} ...", file=sys.stderr, flush=True)
        if compares and variant.to_jacobian is not None:
            errors[variant.name] = relative_error(variant.to_jacobian(variant.run()), reference)
            if variant.kind == "exact" and not errors[variant.name] <= TOLERANCE:
                passed = False
                failures.append(variant.name)
        peers[variant.name] = measure(variant.run, repeats, budget)

    wants_fit = (case.with_respect_to == "parameters" and (not only or any(w in FIT for w in only))
                 and not any(w in FIT for w in skip or []))
    if wants_fit and case.residual_count < case.variable_count:
        skipped[FIT] = (f"method 'lm' needs m >= n residuals; this case has "
                                             f"m = {case.residual_count} < n = {case.variable_count}")
    elif wants_fit:
        try:
            print(f"  timing {FIT} ...", file=sys.stderr, flush=True)
            peers[FIT], scipy_versions = scipy_fit(case, repeats, budget)
            versions.update(scipy_versions)
        except ImportError as error:
            skipped["scipy"] = f"not importable ({error})"

    forward = {v.framework: peers[v.name]["median_us"] for v in variants if v.kind == "forward"}
    for variant in variants:
        if variant.framework in forward and variant.kind != "fit":
            peers[variant.name]["forward_units"] = peers[variant.name]["median_us"] / forward[variant.framework]

    checks = {"reference": reference_source, "tolerance": TOLERANCE, "relative_errors": errors,
              "exact_variants_match": passed if compares else None}
    if not compares:
        checks["reference_omitted"] = case.jacobian_omitted.get("reason")
    if failures:
        checks["mismatched"] = failures
    if case.jacobian is not None:
        checks["numpy_analytic_vs_case"] = relative_error(reference_jacobian(case), case.jacobian)
    if "torch.functional.jacobian" in errors:
        checks["torch_vs_reference"] = errors["torch.functional.jacobian"]
        checks["torch_matches_reference"] = errors["torch.functional.jacobian"] <= TOLERANCE

    exact_torch = [v.name for v in variants if v.framework == "torch" and v.kind == "exact"]
    exact_jax = [v.name for v in variants if v.framework == "jax" and v.kind == "exact"]
    summary = {}
    for key, names in (("torch_best", exact_torch), ("jax_best", exact_jax),
                       ("peer_best", exact_torch + exact_jax)):
        best = fastest(peers, names)
        if best:
            summary[key] = best
    if "torch.functional.jacobian" in peers:
        summary["torch_default"] = {"variant": "torch.functional.jacobian",
                                    "median_us": peers["torch.functional.jacobian"]["median_us"]}
    ours = jacobench_fastest_exact(case)
    if ours:
        summary["jacobench_best"] = ours
        summary["speedup_over"] = {name: entry["median_us"] / ours["median_us"]
                                   for name, entry in peers.items()
                                   if name in exact_torch + exact_jax}
    report = {"schema": SCHEMA,
              "case": {"name": case.name, "layers": case.layers, "activations": case.activations,
                       "with_respect_to": case.with_respect_to, "n": case.variable_count,
                       "m": case.residual_count, "samples": case.sample_count},
              "peers": peers, "checks": checks, "summary": summary,
              "versions": versions, "environment": environment(), "settings":
                  {"max_repeats": repeats, "budget_seconds_per_variant": budget,
                   "minimum_repeats": MINIMUM_REPEATS}}
    if skipped:
        report["skipped"] = skipped
    return report, passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", help="case JSON file (jacobench export-case or peers/make_case.py)")
    parser.add_argument("--repeats", type=int, default=50, help="most timed calls per variant (default 50)")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds of timed calls per variant; slow variants get fewer repeats "
                             f"(never fewer than {MINIMUM_REPEATS}; default 2)")
    parser.add_argument("--only", nargs="+", metavar="WORD",
                        help="time only variants whose name contains one of these words")
    parser.add_argument("--skip", nargs="+", metavar="WORD",
                        help="leave out variants whose name contains one of these words "
                             "(scipy: the fit); for large cases, e.g. --skip functional func.jacrev")
    parser.add_argument("--out", help="write the results JSON here")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.budget <= 0:
        parser.error("--repeats must be at least 1 and --budget positive")
    try:
        case = load_case(args.case)
    except CaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report, passed = run(case, args.repeats, args.budget, args.only, args.skip)
    if not report["peers"]:
        print("error: nothing was timed: " + "; ".join(f"{k}: {v}" for k, v in
                                                     report.get("skipped", {}).items()), file=sys.stderr)
        return 2
    print(format_table(report, case))
    if args.out:
        directory = os.path.dirname(args.out)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(json_number(report), handle, sort_keys=True, indent=1, allow_nan=False)
            handle.write("\n")
        print(f"wrote {args.out}", file=sys.stderr)
    if not passed:
        print(f"error: exact variants differ from the reference by more than {TOLERANCE:g} relative: "
              + ", ".join(report["checks"].get("mismatched", [])), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
