"""Tests of the peer tools: `python -m unittest discover -s peers` (NumPy needed;
the benchmark test also needs torch and JAX and is skipped without them)."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_case  # noqa: E402
from mlp_case import (CaseError, block_diagonal, case_from_json, input_jacobian_blocks,  # noqa: E402
                      load_case, parameter_jacobian, relative_error, residuals)


def central_difference(function, point: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """Independent reference: (f(x + h e_j) - f(x - h e_j)) / 2h, column by column."""
    columns = []
    for j in range(point.size):
        shift = np.zeros_like(point)
        shift[j] = step
        columns.append((function(point + shift) - function(point - shift)) / (2 * step))
    return np.stack(columns, axis=1)


class AnalyticJacobianTests(unittest.TestCase):
    def test_parameter_jacobian_matches_central_differences_for_every_activation(self):
        for activation in ("tanh", "sigmoid", "softplus", "gelu", "relu", "identity"):
            with self.subTest(activation=activation):
                case = make_case.make_case("t", [3, 4, 5, 2], activation, 7, 0.01, 3, "parameters", False)
                numeric = central_difference(lambda t: residuals(case, theta=t), case.parameters)
                self.assertEqual(numeric.shape, (7 * 2, case.parameter_count))
                self.assertLess(relative_error(parameter_jacobian(case), numeric), 1e-8)

    def test_rows_are_sample_major(self):
        case = make_case.make_case("t", [2, 3, 2], "tanh", 3, 0.0, 5, "parameters", False)
        jacobian = parameter_jacobian(case)
        # Row s*p + d is the gradient of output d of sample s: the last layer's bias
        # block (last p columns) is the identity for every sample.
        bias_block = jacobian[:, -2:]
        np.testing.assert_array_equal(bias_block, np.tile(np.eye(2), (3, 1)))

    def test_input_jacobian_is_block_diagonal_and_matches_central_differences(self):
        case = make_case.make_case("t", [4, 6, 3], "gelu", 3, 0.0, 9, "inputs", True)
        flat = case.inputs.reshape(-1)
        numeric = central_difference(lambda v: residuals(case, inputs=v.reshape(3, 4)), flat)
        self.assertEqual(case.jacobian.shape, (9, 12))
        self.assertLess(relative_error(case.jacobian, numeric), 1e-8)
        self.assertEqual(float(np.abs(case.jacobian[0:3, 4:12]).max()), 0.0)
        blocks = input_jacobian_blocks(case)
        np.testing.assert_array_equal(block_diagonal(blocks)[3:6, 4:8], blocks[1])


class MeasureTests(unittest.TestCase):
    def test_warm_up_then_between_the_minimum_and_the_maximum_repeats(self):
        import peer_benchmark
        calls = []
        many = peer_benchmark.measure(lambda: calls.append(1), repeats=5, budget_seconds=1e9)
        self.assertEqual((many["repeats"], len(calls)), (5, 6))
        self.assertLessEqual(many["min_us"], many["median_us"])
        self.assertLessEqual(many["median_us"], many["max_us"])
        calls.clear()
        floor = peer_benchmark.measure(lambda: calls.append(1), repeats=1, budget_seconds=1e9)
        self.assertEqual((floor["repeats"], len(calls)), (3, 4))
        calls.clear()
        once = peer_benchmark.measure(lambda: calls.append(1), repeats=50, budget_seconds=1e-12, warm_up=False)
        self.assertEqual((once["repeats"], len(calls)), (1, 1))


class CaseFileTests(unittest.TestCase):
    def test_presets_have_the_issue_sizes(self):
        seed = make_case.make_case("seed-lm", [5, 9, 3], "tanh", 192, 0.01, 42, "parameters", False)
        self.assertEqual((seed.variable_count, seed.residual_count), (84, 576))
        scale = make_case.PRESETS["scale"]
        case = make_case.make_case("scale", scale["layers"], "tanh", 16, 0.01, 1, "parameters", False)
        self.assertTrue(900 <= case.parameter_count <= 1100)

    def test_round_trip_through_json_keeps_every_value(self):
        case = make_case.make_case("rt", [2, 3, 1], "tanh", 4, 0.1, 7, "parameters", True)
        case.jacobench = {"per-sample": 12.5}
        back = case_from_json(json.loads(json.dumps(case.to_json())), "rt.json")
        np.testing.assert_array_equal(back.parameters, case.parameters)
        np.testing.assert_array_equal(back.inputs, case.inputs)
        np.testing.assert_array_equal(back.targets, case.targets)
        np.testing.assert_array_equal(back.jacobian, case.jacobian)
        self.assertEqual(back.jacobench, {"per-sample": 12.5})
        self.assertEqual(back.activations, ["tanh", "identity"])

    def test_the_generator_is_seeded(self):
        first = make_case.make_case("a", [2, 3, 1], "tanh", 4, 0.1, 11, "parameters", False)
        again = make_case.make_case("a", [2, 3, 1], "tanh", 4, 0.1, 11, "parameters", False)
        other = make_case.make_case("a", [2, 3, 1], "tanh", 4, 0.1, 12, "parameters", False)
        np.testing.assert_array_equal(first.targets, again.targets)
        self.assertFalse(np.array_equal(first.targets, other.targets))

    def assertCaseError(self, document, *fragments):
        with self.assertRaises(CaseError) as raised:
            case_from_json(document, "bad.json")
        for fragment in ("bad.json",) + fragments:
            self.assertIn(fragment, str(raised.exception))

    def test_errors_name_the_field(self):
        good = make_case.make_case("g", [2, 3, 1], "tanh", 2, 0.0, 1, "parameters", False).to_json()
        self.assertCaseError({**good, "parameters": [0.0] * 5}, "parameters", "13")
        self.assertCaseError({**good, "activations": ["tanh"]}, "activations")
        self.assertCaseError({**good, "activations": ["tahn", "identity"]}, "activations[0]", "tahn")
        self.assertCaseError({**good, "inputs": [[0.0, 1.0], [2.0]]}, "inputs[1]")
        self.assertCaseError({**good, "targets": [[0.0]]}, "targets", "rows")
        self.assertCaseError({**good, "jacobian": [0.0]}, "jacobian", "2x13")
        self.assertCaseError({**good, "with_respect_to": "weights"}, "with_respect_to")
        self.assertCaseError({**good, "schema": 2}, "schema")
        self.assertCaseError({**good, "layer": [1]}, "unknown key 'layer'")

    def test_a_case_without_its_jacobian_says_why_and_round_trips(self):
        good = make_case.make_case("wide", [2, 3, 1], "tanh", 2, 0.0, 1, "parameters", False).to_json()
        omitted = {"reason": "m·n = 2 × 13 values exceed the case file's limit of 1", "rows": 2, "columns": 13,
                   "value_limit": 1}
        case = case_from_json({**good, "jacobian_omitted": omitted}, "wide.json")
        self.assertIsNone(case.jacobian)
        self.assertEqual(case.jacobian_omitted, omitted)
        self.assertEqual(case_from_json(json.loads(json.dumps(case.to_json()))).jacobian_omitted, omitted)
        self.assertCaseError({**good, "jacobian_omitted": "too large"}, "jacobian_omitted", "reason")
        self.assertCaseError({**good, "jacobian_omitted": omitted, "jacobian": [0.0] * 26}, "jacobian_omitted",
                             "one or the other")

    def test_the_benchmark_compares_nothing_when_the_jacobian_was_omitted(self):
        import peer_benchmark
        case = make_case.make_case("wide", [2, 3, 1], "tanh", 2, 0.0, 1, "parameters", False)
        case.jacobian_omitted = {"reason": "too many values"}

        def no_reference(_case):
            raise AssertionError("the NumPy reference is as large as the omitted one: never built")

        original = peer_benchmark.reference_jacobian
        peer_benchmark.reference_jacobian = no_reference
        try:
            with redirect_stderr(io.StringIO()):
                report, passed = peer_benchmark.run(case, 3, 0.01, ["no-such-variant"])
        finally:
            peer_benchmark.reference_jacobian = original
        self.assertTrue(passed)
        self.assertEqual(report["checks"]["reference"], "omitted")
        self.assertEqual(report["checks"]["reference_omitted"], "too many values")
        self.assertIsNone(report["checks"]["exact_variants_match"])
        self.assertEqual(report["checks"]["relative_errors"], {})

    def test_load_reports_invalid_json_with_its_position(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            handle.write('{"schema": 1,\n "name": }')
        try:
            with self.assertRaises(CaseError) as raised:
                load_case(handle.name)
            self.assertIn(f"{handle.name}:2:", str(raised.exception))
        finally:
            os.unlink(handle.name)


@unittest.skipUnless(importlib.util.find_spec("torch") and importlib.util.find_spec("jax")
                     and importlib.util.find_spec("scipy"), "torch, JAX or SciPy not installed")
class PeerBenchmarkTests(unittest.TestCase):
    def run_benchmark(self, case_path: str, *extra: str) -> tuple[int, dict]:
        import peer_benchmark
        with tempfile.TemporaryDirectory() as folder:
            out = os.path.join(folder, "out.json")
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                status = peer_benchmark.main([case_path, "--repeats", "3", "--budget", "0.01",
                                              "--out", out, *extra])
            with open(out, encoding="utf-8") as handle:
                return status, json.load(handle)

    def write(self, case, folder: str) -> str:
        path = os.path.join(folder, f"{case.name}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(case.to_json(), handle)
        return path

    def test_every_variant_agrees_with_the_reference_and_is_timed(self):
        case = make_case.make_case("small", [3, 5, 2], "tanh", 20, 0.01, 4, "parameters", True)
        with tempfile.TemporaryDirectory() as folder:
            status, report = self.run_benchmark(self.write(case, folder))
        self.assertEqual(status, 0)
        self.assertTrue(report["checks"]["torch_matches_reference"])
        for name in ("torch.functional.jacobian", "torch.functional.jacobian.forward-mode",
                     "torch.func.vmap-jacrev", "jax.jit.jacfwd", "jax.jit.vmap-jacrev",
                     "torch.forward", "jax.jit.forward", "scipy.least_squares.lm"):
            self.assertGreater(report["peers"][name]["median_us"], 0, name)
            self.assertGreaterEqual(report["peers"][name]["repeats"], 1, name)
        self.assertLess(report["checks"]["relative_errors"]["torch.forward-difference.batched"], 1e-5)
        fit = report["peers"]["scipy.least_squares.lm"]
        self.assertLess(fit["cost"], fit["initial_cost"])

    def test_a_wrong_reference_fails_the_check(self):
        case = make_case.make_case("wrong", [3, 4, 2], "tanh", 5, 0.01, 4, "inputs", True)
        case.jacobian = case.jacobian * (1 + 1e-9)
        with tempfile.TemporaryDirectory() as folder:
            status, report = self.run_benchmark(self.write(case, folder), "--only", "jacobian")
        self.assertEqual(status, 1)
        self.assertFalse(report["checks"]["torch_matches_reference"])
        self.assertIn("torch.functional.jacobian", report["checks"]["mismatched"])


if __name__ == "__main__":
    unittest.main()
