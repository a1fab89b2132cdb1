#!/usr/bin/env python3
"""Writes a seeded teacher-style case file (format: peers/README.md).

A teacher network with Glorot-uniform weights and small random biases labels
inputs drawn uniformly from [-1, 1]^d; Gaussian noise is added to the targets.
The case's parameters are a second, independent Glorot draw (biases zero): the
starting point a fit would begin from. With --jacobian the case carries the
analytic Jacobian (NumPy backpropagation) at those parameters, so the benchmark's
check against a reference can be exercised before `jacobench export-case` exists.

    python3 peers/make_case.py --preset seed-lm --out seed-lm.case.json
    python3 peers/make_case.py --layers 15 32 55 --with-respect-to inputs --samples 1 --out x.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_case import (ACTIVATION_ALIASES, Case, layer_slices, network_outputs,  # noqa: E402
                      reference_jacobian)

# The cases: seed-lm (N = 84, M = 576), seed-input (15 -> 32 -> 55 w.r.t. inputs at
# one point) and the scale case (1 -> 30 -> 30 -> 1: N = 1,021, M = 4,096).
PRESETS = {
    "seed-lm": {"layers": [5, 9, 3], "samples": 192, "with_respect_to": "parameters"},
    "seed-input": {"layers": [15, 32, 55], "samples": 1, "with_respect_to": "inputs"},
    "scale": {"layers": [1, 30, 30, 1], "samples": 4096, "with_respect_to": "parameters"},
}


def glorot(layers: list[int], rng: np.random.Generator, bias_scale: float) -> np.ndarray:
    theta = np.zeros(sum(o * i + o for _, _, o, i in layer_slices(layers)))
    for w_off, b_off, fan_out, fan_in in layer_slices(layers):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        theta[w_off:b_off] = rng.uniform(-limit, limit, fan_out * fan_in)
        if bias_scale > 0:
            theta[b_off:b_off + fan_out] = rng.normal(0.0, bias_scale, fan_out)
    return theta


def make_case(name: str, layers: list[int], activation: str, samples: int, noise: float,
              seed: int, with_respect_to: str, with_jacobian: bool) -> Case:
    activations = [activation] * (len(layers) - 2) + ["identity"]
    rng = np.random.default_rng(seed)
    teacher = glorot(layers, rng, bias_scale=0.1)
    inputs = rng.uniform(-1.0, 1.0, (samples, layers[0]))
    targets = network_outputs(layers, activations, teacher, inputs)
    targets = targets + noise * rng.standard_normal(targets.shape)
    student = glorot(layers, np.random.default_rng(seed + 1), bias_scale=0.0)
    parameters = teacher if with_respect_to == "inputs" else student
    case = Case(name=name, layers=layers, activations=activations, parameters=parameters,
                inputs=inputs, targets=targets, with_respect_to=with_respect_to)
    if with_jacobian:
        case.jacobian = reference_jacobian(case)
    return case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), help="one of the issue's cases")
    parser.add_argument("--name", help="case name (default: the preset's, else 'teacher')")
    parser.add_argument("--layers", type=int, nargs="+", help="widths d w_1 ... p")
    parser.add_argument("--activation", default="tanh", choices=sorted(ACTIVATION_ALIASES),
                        help="hidden activation; the output layer is identity (default tanh)")
    parser.add_argument("--samples", type=int, help="S, the number of samples (points)")
    parser.add_argument("--noise", type=float, default=0.01, help="target noise standard deviation")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--with-respect-to", choices=["parameters", "inputs"])
    parser.add_argument("--jacobian", action="store_true",
                        help="include the analytic reference Jacobian at the case's parameters")
    parser.add_argument("--out", required=True, help="the JSON file to write ('-' for stdout)")
    args = parser.parse_args(argv)

    preset = PRESETS.get(args.preset, {})
    layers = args.layers or preset.get("layers")
    samples = args.samples or preset.get("samples")
    if not layers or not samples:
        parser.error("give --preset, or both --layers and --samples")
    if len(layers) < 2 or min(layers) < 1 or samples < 1:
        parser.error("--layers needs at least two positive widths and --samples must be positive")
    respect = args.with_respect_to or preset.get("with_respect_to", "parameters")
    name = args.name or args.preset or "teacher"
    case = make_case(name, layers, args.activation, samples, args.noise, args.seed, respect, args.jacobian)
    text = json.dumps(case.to_json(), sort_keys=True)
    if args.out == "-":
        sys.stdout.write(text + "\n")
    else:
        directory = os.path.dirname(args.out)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        print(f"wrote {args.out}: layers {layers}, S = {samples}, n = {case.variable_count}, "
              f"m = {case.residual_count}, w.r.t. {respect}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
