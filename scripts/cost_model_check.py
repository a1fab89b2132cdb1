#!/usr/bin/env python3
"""Predicted against measured forward-pass units of every timed Jacobian strategy.

Runs the experiments whose timings the cost model's constants were fitted to (release
binary, one BLAS thread) and reads, from every case of their bundles, each strategy's
`jacobian.<s>.predicted_units` (JacobianCostModel, shipped constants) and
`jacobian.<s>.forward_units` (measured: median over the forward pass's median). Prints a
table, the worst ratios, and whether the cheapest predicted exact strategy of each case was
the measured fastest. Exits 1 when an exact strategy's predicted/measured ratio is outside
[0.5, 2], 2 when a run fails or a bundle has no timings.

    scripts/cost_model_check.py                       # crossover, seed-lm, seed-input
    scripts/cost_model_check.py --bundle results/crossover/latest   # read, do not run

Python 3 standard library only. `make cost-model-check` builds and runs it.
"""

import argparse
import json
import os
import subprocess
import sys

# Strategies that are not exact to rounding (JacobianStrategyCatalog's isExact is false):
# their timings are listed but not checked.
INEXACT = {"forward-difference", "central-difference", "ridders"}
DEFAULT_EXPERIMENTS = ["crossover", "seed-lm", "seed-input"]
LOW, HIGH = 0.5, 2.0


def run_experiment(binary, manifest, results):
    """Runs one manifest at one thread; returns its bundle path (the last stdout line)."""
    command = [binary, "run", manifest, "--results", results, "--threads", "1"]
    print("$ " + " ".join(command), flush=True)
    process = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    lines = [line for line in process.stdout.splitlines() if line.strip()]
    if process.returncode not in (0, 1) or not lines:
        sys.exit(f"cost-model-check: '{' '.join(command)}' exited {process.returncode}")
    return lines[-1].strip()


def case_rows(bundle):
    """(case id, strategy, predicted units, measured units, median µs) for every timed strategy."""
    cases = os.path.join(bundle, "cases")
    if not os.path.isdir(cases):
        sys.exit(f"cost-model-check: {bundle}: no cases/ folder (not a result bundle)")
    rows = []
    for case in sorted(os.listdir(cases)):
        path = os.path.join(cases, case, "metrics.json")
        if not os.path.isfile(path):
            continue
        with open(path) as handle:
            metrics = json.load(handle)
        for key, measured in metrics.items():
            if not (key.startswith("jacobian.") and key.endswith(".forward_units")):
                continue
            strategy = key[len("jacobian."):-len(".forward_units")]
            predicted = metrics.get(f"jacobian.{strategy}.predicted_units")
            median = metrics.get(f"jacobian.{strategy}.median_us")
            if isinstance(predicted, (int, float)) and isinstance(measured, (int, float)) and measured > 0:
                rows.append((case, strategy, float(predicted), float(measured), median))
    return rows


def short(value):
    """A number in at most 4 significant digits (k, M for large ones)."""
    if value >= 1e6:
        return f"{value / 1e6:.3g}M"
    if value >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiments", nargs="*", help="experiment names under experiments/ (default: %(default)s)",
                        default=DEFAULT_EXPERIMENTS)
    parser.add_argument("--jacobench", default=".build/release/jacobench", help="the binary to run")
    parser.add_argument("--results", default="results/cost-model-check", help="results folder for the runs")
    parser.add_argument("--bundle", action="append", default=[], help="read this bundle instead of running (repeatable)")
    arguments = parser.parse_args()

    bundles = arguments.bundle or [
        run_experiment(arguments.jacobench, os.path.join("experiments", name + ".yaml"), arguments.results)
        for name in arguments.experiments
    ]
    failures, checked, ranking = [], 0, []
    print(f"\n{'bundle / case':58} {'strategy':20} {'predicted':>10} {'measured':>10} {'ratio':>6}")
    for bundle in bundles:
        rows = case_rows(bundle)
        if not rows:
            sys.exit(f"cost-model-check: {bundle}: no jacobian-timing metrics")
        name = os.path.basename(os.path.dirname(os.path.realpath(bundle)))
        by_case = {}
        for case, strategy, predicted, measured, median in rows:
            ratio = predicted / measured
            exact = strategy not in INEXACT
            flag = ""
            if exact:
                checked += 1
                if not LOW <= ratio <= HIGH:
                    failures.append((name, case, strategy, ratio))
                    flag = "  OUT"
            else:
                flag = "  (inexact, not checked)"
            print(f"{(name + ' ' + case)[:58]:58} {strategy:20} {short(predicted):>10} {short(measured):>10} {ratio:6.2f}{flag}")
            if exact and strategy not in ("auto", "swift-autodiff"):
                by_case.setdefault(case, []).append((predicted, measured, strategy))
        for case, entries in by_case.items():
            predicted_best = min(entries)
            measured_best = min(entries, key=lambda entry: entry[1])
            ranking.append((predicted_best[1] / measured_best[1], name, case, predicted_best[2], measured_best[2]))

    print(f"\n{checked} exact strategy timings checked; {len(failures)} outside [{LOW}, {HIGH}].")
    for name, case, strategy, ratio in sorted(failures, key=lambda item: abs(__import__('math').log(item[3])), reverse=True):
        print(f"  {name} {case} {strategy}: predicted/measured {ratio:.2f}")
    ranking.sort(reverse=True)
    worst = ranking[:5]
    print("Ranking: the cheapest predicted exact strategy against the measured fastest (measured time ratio, worst first):")
    for loss, name, case, predicted, measured in worst:
        print(f"  {loss:5.2f}  {name} {case}: predicted {predicted}, measured fastest {measured}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
