#!/usr/bin/env python3
"""Refits NetworkCostTable's constants from result bundles; prints the Swift table.

Reads every case of the given bundles (runs of experiments/crossover.yaml, seed-lm.yaml and
seed-input.yaml at one thread, e.g. those `make cost-model-check` leaves under
results/cost-model-check), fits each strategy's terms (Sources/Jacobians/NetworkTimeModel.swift,
documented in NetworkCostTable.swift; keep the two in step) by non-negative least squares on
relative error, worst cells weighted up, and prints the `coefficients:` entries to paste into
NetworkCostTable.swift for the CPU's kernel variant, then the worst predicted/measured ratio
per strategy on the fitting data.

The forward pass is fitted first on its measured medians; every strategy then on its measured
forward-pass units times the *predicted* forward pass, so that predicted units (strategy over
forward pass, both predicted) match measured ones.

    scripts/fit_cost_model.py results/cost-model-check/crossover/latest results/cost-model-check/seed-lm/latest ...

Needs numpy and scipy (a developer's tool, not part of the build or the tests).
"""

import json
import math
import os
import re
import sys

import numpy as np
from scipy.optimize import nnls

SPILL = 4e6  # doubles (32 MB): beyond this a seed or lane block no longer fits in cache
LANE_SPILL = 4e5  # doubles (3.2 MB): the same for one lane's block (the loops)


def cases(bundle):
    """(resolved case manifest, metrics) of every case of a bundle."""
    with open(os.path.join(bundle, "resolved.json")) as handle:
        resolved = {case["id"]: case["manifest"] for case in json.load(handle)["cases"]}
    folder = os.path.join(bundle, "cases")
    for case in sorted(os.listdir(folder)):
        path = os.path.join(folder, case, "metrics.json")
        if case in resolved and os.path.isfile(path):
            with open(path) as handle:
                yield resolved[case], json.load(handle)


def sizes(manifest, metrics):
    """The network's sizes as NetworkTimeModel names them."""
    layers = manifest["model"]["layers"]
    samples = manifest["data"]["samples"]
    parameters = manifest.get("jacobian", {}).get("with-respect-to", "parameters") == "parameters"
    return {
        "L": layers, "S": samples, "par": 1.0 if parameters else 0.0,
        "P": sum(b * (a + 1) for a, b in zip(layers, layers[1:])), "H": sum(layers[1:-1]),
        "U": sum(layers[1:]), "W": max(layers), "p": layers[-1],
        "n": metrics["jacobian.columns"], "m": metrics["jacobian.rows"],
    }


def terms(strategy, z, chunk=None):
    """The work terms of NetworkTimeModel for `strategy` (None for a strategy it lacks)."""
    S, P, H, U, W, n, m, p, par = (z[k] for k in ("S", "P", "H", "U", "W", "n", "m", "p", "par"))
    sp, sh, per_unit = S * P, S * H, U * par
    spill = lambda elements, limit=SPILL: min(1.0, elements / limit)
    if strategy == "forward-pass":
        return [1, sp, sh]
    evaluations = {"forward-difference": n + 1, "central-difference": 2 * n, "complex-step": n}
    if strategy in evaluations:
        e = evaluations[strategy]
        return [1, e, e * sp, e * sh, m * n]
    if strategy == "forward-loop":
        return [1, n, n * per_unit, n * sp, n * sh, m * n, n * sp * spill(S * W, LANE_SPILL)]
    if strategy == "reverse-loop":
        return [1, m, m * per_unit, m * sp, m * sh, m * n, m * sp * spill(S * W, LANE_SPILL)]
    if strategy == "forward-vectorized":
        k = min(chunk or n, n)
        c = math.ceil(n / k)
        return [1, c, c * per_unit, c * sp, n * sp, n * sh, m * n, c * k * n, c * k * n * spill(k * n), n * sh * spill(k * S * W)]
    if strategy == "reverse-vectorized":
        k = min(chunk or m, m)
        c = math.ceil(m / k)
        return [1, c, c * per_unit, c * sp, m * sp, m * sh, m * n, c * k * m, c * k * m * spill(k * m), m * sp * spill(k * S * W)]
    if strategy == "per-sample":
        return [1, p, p * per_unit, p * sp, sp, sh, m * n]
    if strategy == "swift-autodiff":
        layers = len(z["L"]) - 1
        k = n if par else z["L"][0]
        return [S, m * layers, m * P, m * k * layers]
    return None


def fit(rows):
    """Non-negative coefficients minimising relative error, the worst rows weighted up."""
    matrix = np.array([row[0] for row in rows], float)
    target = np.array([row[1] for row in rows], float)
    weights = 1 / target
    for _ in range(30):
        coefficients, _ = nnls(matrix * weights[:, None], target * weights)
        ratio = np.maximum(matrix @ coefficients / target, 1e-9)
        weights = (1 / target) * (1 + 4 * np.abs(np.log(ratio)))
    return coefficients, matrix @ coefficients / target


def main():
    bundles = sys.argv[1:]
    if not bundles:
        sys.exit(__doc__)
    observations = []  # (variables, strategy, sizes, metrics)
    for bundle in bundles:
        for manifest, metrics in cases(bundle):
            if "forward.median_us" in metrics and manifest["model"].get("kind") == "mlp":
                observations.append((sizes(manifest, metrics), metrics))
    table, report = {}, []
    for variables in ("parameters", "inputs"):
        chosen = [(z, metrics) for z, metrics in observations if (z["par"] == 1.0) == (variables == "parameters")]
        if not chosen:
            continue
        # One forward pass per distinct network (the last bundle's), so that repeated runs
        # of a cell do not weigh its forward pass more.
        distinct = {(tuple(z["L"]), z["S"]): (terms("forward-pass", z), metrics["forward.median_us"]) for z, metrics in chosen}
        forward_rows = list(distinct.values())
        forward, ratios = fit(forward_rows)
        table[f"forward-pass/{variables}"] = forward
        report.append((f"forward-pass/{variables}", len(forward_rows), ratios.min(), ratios.max()))
        names = sorted({key.split(".")[1] for _, metrics in chosen for key in metrics if key.endswith(".forward_units")})
        overheads = []
        for strategy in names:
            rows = []
            for z, metrics in chosen:
                units = metrics.get(f"jacobian.{strategy}.forward_units")
                row = terms(strategy, z, metrics.get(f"jacobian.{strategy}.chunk"))
                if units and row:
                    rows.append((row, units * float(np.dot(forward, terms("forward-pass", z)))))
            if rows:
                coefficients, ratios = fit(rows)
                table[f"{strategy}/{variables}"] = coefficients
                report.append((f"{strategy}/{variables}", len(rows), ratios.min(), ratios.max()))
        for _, metrics in chosen:
            exact = [metrics[key] for key in metrics if re.match(r"jacobian\.(per-sample|forward-vectorized|reverse-vectorized|forward-loop|reverse-loop|complex-step)\.median_us$", key)]
            if "jacobian.auto.median_us" in metrics and exact:
                overheads.append(metrics["jacobian.auto.median_us"] - min(exact))
        if overheads:
            overheads.sort()
            table[f"auto/{variables}"] = np.array([max(overheads[len(overheads) // 2], 0.0)])
    for key in sorted(table):
        print(f'            "{key}": [{", ".join("%.6g" % value for value in table[key])}],')
    print("\nfitting data, predicted/measured per strategy:", file=sys.stderr)
    for key, count, low, high in report:
        print(f"  {key:32} {count:4} cases  {low:.2f} .. {high:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
