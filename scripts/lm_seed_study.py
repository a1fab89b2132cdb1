#!/usr/bin/env python3
"""Levenberg-Marquardt over many seeds against SciPy's `least_squares(method="lm")`.

For each seed (`--set seed=N`: teacher, data and start) of an experiment's first case:
SciPy lm with its analytic Jacobian (peers/fit_peers.py, in the peers' venv) gives the final
cost and its median time; then jacobench fits the same case with the network's default
damping, with each `--damping` rule asked for and with each `--variant` (a label and solver
settings, e.g. `--variant "levenberg-1e-6: damping=nielsen, scaling=levenberg, initial-damping=1e-6"`),
stopping at SciPy's final cost (`target-cost`, ftol = xtol = 0, at most `--max-iterations`). A
fit that never gets there stayed higher: in another local minimum or on a plateau. With
`--jaxopt`, jaxopt's LevenbergMarquardt (the peer's settings) is fitted too and its iterations
to SciPy's cost are counted. Prints one markdown table and writes the figures as JSON.

    scripts/lm_seed_study.py --jacobench .build/release/jacobench --python .peers-venv/bin/python \
        --experiment experiments/seed-lm.yaml --seeds 1-20 --out results/lm-seeds/seed-lm.json

Standard library only; one CPU (taskset when present), one BLAS thread.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile


def seed_list(text: str) -> list[int]:
    """'1-5,42' → [1, 2, 3, 4, 5, 42]."""
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            seeds.extend(range(int(first), int(last) + 1))
        elif part:
            seeds.append(int(part))
    if not seeds:
        raise argparse.ArgumentTypeError("no seeds")
    return seeds


def variant(text: str) -> tuple[str, list[str]]:
    """'label: damping=nielsen, scaling=levenberg' → ('label', ['--set', 'solver.damping=nielsen', …])."""
    label, separator, body = text.partition(":")
    settings: list[str] = []
    for item in body.split(","):
        key, equals, value = item.strip().partition("=")
        if not equals or not key.strip() or not value.strip():
            raise argparse.ArgumentTypeError(f"variant {text!r}: expected 'label: key=value, …'")
        settings += ["--set", f"solver.{key.strip()}={value.strip()}"]
    if not separator or not label.strip() or not settings:
        raise argparse.ArgumentTypeError(f"variant {text!r}: expected 'label: key=value, …'")
    return label.strip(), settings


def pinned(command: list[str]) -> list[str]:
    return (["taskset", "-c", "0"] if shutil.which("taskset") else []) + command


ENVIRONMENT = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")


def run(command: list[str]) -> str:
    done = subprocess.run(pinned(command), env=ENVIRONMENT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"lm_seed_study: {' '.join(command[:3])} … failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def scipy_lm(args, seed: int, work: str) -> dict:
    case = os.path.join(work, f"case-{seed}.json")
    out = os.path.join(work, f"scipy-{seed}.json")
    run([args.jacobench, "export-case", args.experiment, "--set", f"seed={seed}", "--out", case])
    run([args.python, os.path.join(os.path.dirname(__file__), "..", "peers", "fit_peers.py"), case,
         "--only", "scipy.least_squares.lm", "--repeats", str(args.repeats), "--budget", "1", "--out", out])
    result = json.load(open(out))
    peer = result["peers"]["scipy.least_squares.lm"]
    return {"cost": peer["cost"], "median_us": peer["median_us"], "jacobians": peer.get("njev"),
            "target": peer["cost"] * (1 + 1e-6)}


def jaxopt_lm(args, seed: int, target: float, work: str) -> dict:
    """jaxopt's LevenbergMarquardt on the exported case: its final cost and, where it gets to
    SciPy's cost, the iterations (trials, rejected ones included) and median time to it."""
    out = os.path.join(work, f"jaxopt-{seed}.json")
    run([args.python, os.path.join(os.path.dirname(__file__), "..", "peers", "fit_peers.py"),
         os.path.join(work, f"case-{seed}.json"), "--only", "jaxopt", "--target-cost", repr(target),
         "--repeats", str(args.repeats), "--budget", "1", "--out", out])
    peer = json.load(open(out))["peers"]["jaxopt.LevenbergMarquardt"]
    reached = bool(peer.get("reached"))
    return {"final_cost": peer["cost"], "reached": reached, "status": "target-cost" if reached else "stayed",
            "iterations": peer.get("iterations_to_best", peer.get("iterations")),
            "median_us": peer.get("time_to_best_us")}


def jacobench_fit(args, seed: int, target: float, extra: list[str], work: str) -> dict:
    settings = ["--set", f"seed={seed}", "--set", "evaluation=[{kind: fit}]", "--set", f"solver.target-cost={target!r}",
                "--set", f"solver.max-iterations={args.max_iterations}", "--set", "solver.ftol=0",
                "--set", "solver.xtol=0", "--set", "solver.covariance=false"] + extra
    times, metrics = [], {}
    for _ in range(args.repeats):
        bundle = run([args.jacobench, "run", args.experiment, "--results", work] + settings).strip().splitlines()[-1]
        cases = os.path.join(bundle, "cases")
        metrics = json.load(open(os.path.join(cases, sorted(os.listdir(cases))[0], "metrics.json")))
        times.append(metrics["fit.total_us"])
        if metrics["fit.status"] != "target-cost":
            break  # never reached: one run says so; its time is not a time to the cost
    return {"status": metrics["fit.status"], "iterations": metrics["fit.iterations"],
            "residual_evaluations": metrics["fit.residual_evaluations"], "final_cost": metrics["fit.final_cost"],
            "median_us": statistics.median(times), "reached": metrics["fit.status"] == "target-cost"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jacobench", required=True)
    parser.add_argument("--python", required=True, help="the peers' venv python (SciPy)")
    parser.add_argument("--experiment", default="experiments/seed-lm.yaml")
    parser.add_argument("--seeds", type=seed_list, default=seed_list("1-20"))
    parser.add_argument("--damping", nargs="*", default=["nielsen"], help="rules besides the default (trust-region, nielsen)")
    parser.add_argument("--variant", type=variant, action="append", default=[],
                        help="'label: key=value, …': a setting of solver keys besides the default (repeatable)")
    parser.add_argument("--jaxopt", action="store_true", help="fit jaxopt's LevenbergMarquardt too")
    parser.add_argument("--max-iterations", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3, help="timed fits per seed and setting (median)")
    parser.add_argument("--out")
    args = parser.parse_args()

    extras = {"default": []}
    extras.update({rule: ["--set", f"solver.damping={rule}"] for rule in args.damping})
    extras.update(dict(args.variant))
    settings = list(extras) + (["jaxopt"] if args.jaxopt else [])
    rows = []
    with tempfile.TemporaryDirectory(prefix="lm-seeds-") as work:
        for seed in args.seeds:
            scipy = scipy_lm(args, seed, work)
            row = {"seed": seed, "scipy": scipy}
            for setting, extra in extras.items():
                row[setting] = jacobench_fit(args, seed, scipy["target"], extra, work)
            if args.jaxopt:
                row["jaxopt"] = jaxopt_lm(args, seed, scipy["target"], work)
            rows.append(row)
            print(f"seed {seed}: SciPy {scipy['cost']:.7g} in {scipy['median_us'] / 1e3:.1f} ms; "
                  + "; ".join(f"{s}: {'reached' if row[s]['reached'] else 'stayed at'} {row[s]['final_cost']:.7g}"
                              f" in {row[s]['iterations']} iterations" for s in settings), file=sys.stderr)

    header = ["seed", "SciPy lm cost", "SciPy ms (Jacobians)"]
    for setting in settings:
        header += [f"{setting}: to SciPy's cost", f"{setting}: ms", f"{setting}: × SciPy"]
    print("| " + " | ".join(header) + " |")
    print("|" + " ---: |" * len(header))
    for row in rows:
        cells = [str(row["seed"]), f"{row['scipy']['cost']:.7g}", f"{row['scipy']['median_us'] / 1e3:.1f} ({row['scipy']['jacobians']})"]
        for setting in settings:
            fit = row[setting]
            if fit["reached"]:
                unit = "trials" if setting == "jaxopt" else "iterations"  # jaxopt counts rejected steps too
                cells += [f"{fit['iterations']} {unit}", f"{fit['median_us'] / 1e3:.2f}",
                          f"{row['scipy']['median_us'] / fit['median_us']:.0f}×"]
            else:
                cells += [f"no: {fit['status']} at {fit['final_cost']:.5g}", "—", "—"]
        print("| " + " | ".join(cells) + " |")
    summary = {}
    for setting in settings:
        reached = [row for row in rows if row[setting]["reached"]]
        speedups = [row["scipy"]["median_us"] / row[setting]["median_us"] for row in reached]
        summary[setting] = {"reached": len(reached), "seeds": len(rows),
                            "median_speedup": statistics.median(speedups) if speedups else None}
        print(f"\n{setting}: reached SciPy lm's cost on {len(reached)} of {len(rows)} seeds"
              + (f"; × SciPy median {statistics.median(speedups):.0f}, range {min(speedups):.0f}–{max(speedups):.0f}"
                 if speedups else ""))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as handle:
            json.dump({"experiment": args.experiment, "rows": rows, "summary": summary}, handle, indent=1)
        print(f"\nwrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
