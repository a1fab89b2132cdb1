"""Tests of peers/wide_peers.py's NumPy parts: `python -m unittest discover -s peers` (NumPy only:
nothing here imports JAX, SciPy or the solvers, and no child process is started)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_case  # noqa: E402
import wide_peers  # noqa: E402
from mlp_case import CaseError, case_from_json, network_outputs  # noqa: E402


class FlopCountTests(unittest.TestCase):
    def test_one_gauss_newton_product_of_a_two_hidden_layer_network(self):
        for width, samples in ((64, 8192), (256, 8192), (3, 5)):
            with self.subTest(width=width):
                expected = 2 * 2 * samples * width + 4 * 2 * samples * width ** 2 + 4 * 2 * samples * width
                self.assertEqual(wide_peers.gauss_newton_product_flops([1, width, width, 1], samples), expected)
        # issue #23's network: 4.32 GFLOP per JᵀJ·v.
        self.assertAlmostEqual(wide_peers.gauss_newton_product_flops([1, 256, 256, 1], 8192) / 1e9, 4.32013312, places=8)

    def test_wider_inputs_and_outputs_count_every_layer(self):
        # [3, 4, 2] over 10 samples: first layer one GEMM each way, the second two.
        self.assertEqual(wide_peers.gauss_newton_product_flops([3, 4, 2], 10), 2 * 2 * 10 * 12 + 4 * 2 * 10 * 8)


class CurveTests(unittest.TestCase):
    # (iteration, cost, seconds) at accepted steps; the start first. Teacher cost 1.
    CURVE = [(0, 100.0, 0.0), (1, 1.2, 0.5), (3, 1.04, 1.5), (4, 1.015, 2.0), (7, 1.001, 70.0)]

    def test_first_crossing_of_each_multiple(self):
        metrics = wide_peers.curve_metrics(self.CURVE, 1.0, 60.0)
        self.assertEqual(metrics["time_to_1_05_s"], 1.5)
        self.assertEqual(metrics["iterations_to_1_05"], 3)
        self.assertEqual(metrics["accepted_steps_to_1_05"], 2)
        self.assertEqual(metrics["time_to_1_02_s"], 2.0)
        self.assertEqual(metrics["iterations_to_1_02"], 4)
        # 1.01 is only crossed after the window, still reported (the window is for the lowest cost).
        self.assertEqual(metrics["time_to_1_01_s"], 70.0)
        self.assertEqual(metrics["lowest_cost_within_window"], 1.015)
        self.assertAlmostEqual(metrics["lowest_cost_within_window_over_teacher"], 1.015)

    def test_an_exact_hit_counts_and_a_miss_is_none(self):
        self.assertEqual(wide_peers.first_reach([(0, 2.0, 0.0), (2, 1.02, 0.3)], 1.02), (2, 0.3, 1))
        metrics = wide_peers.curve_metrics([(0, 5.0, 0.0), (1, 3.0, 1.0)], 1.0, 60.0)
        for label in ("1_05", "1_02", "1_01"):
            self.assertIsNone(metrics[f"time_to_{label}_s"])
            self.assertIsNone(metrics[f"iterations_to_{label}"])
        self.assertEqual(metrics["lowest_cost_within_window"], 3.0)

    def test_without_a_teacher_cost_there_are_no_thresholds(self):
        metrics = wide_peers.curve_metrics(self.CURVE, None, 60.0)
        self.assertIsNone(metrics["time_to_1_02_s"])
        self.assertIsNone(metrics["lowest_cost_within_window_over_teacher"])
        self.assertEqual(wide_peers.curve_metrics([], 1.0, 60.0)["lowest_cost_within_window"], None)


class CaseFieldTests(unittest.TestCase):
    def document(self) -> dict:
        case = make_case.make_case("w", [1, 4, 4, 1], "tanh", 6, 0.01, 3, "parameters", False)
        document = case.to_json()
        document["teacher_cost"] = 0.25
        document["test_inputs"] = [[0.1], [-0.3]]
        document["test_targets"] = [[0.2], [0.0]]
        return document

    def test_teacher_cost_and_test_set_are_read_and_written_back(self):
        case = case_from_json(self.document())
        self.assertEqual(case.teacher_cost, 0.25)
        self.assertEqual(case.test_inputs.shape, (2, 1))
        again = case_from_json(json.loads(json.dumps(case.to_json())))
        np.testing.assert_array_equal(again.test_targets, case.test_targets)
        self.assertEqual(again.teacher_cost, 0.25)

    def test_validation_names_the_field(self):
        for change, field in (({"teacher_cost": -1.0}, "teacher_cost"), ({"teacher_cost": "x"}, "teacher_cost"),
                              ({"test_inputs": [[0.1, 0.2]]}, "test_inputs[0]"),
                              ({"test_targets": [[1.0]]}, "test_targets")):
            with self.subTest(field=field):
                document = self.document()
                document.update(change)
                with self.assertRaises(CaseError) as caught:
                    case_from_json(document, "c.json")
                self.assertIn(f"c.json: {field}", str(caught.exception))
        document = self.document()
        del document["test_targets"]
        with self.assertRaisesRegex(CaseError, "test_inputs: the held-out set needs both"):
            case_from_json(document, "c.json")

    def test_test_rmse_is_over_every_held_out_residual(self):
        case = case_from_json(self.document())
        outputs = network_outputs(case.layers, case.activations, case.parameters, case.test_inputs)
        expected = np.sqrt(np.mean((outputs - case.test_targets) ** 2))
        self.assertAlmostEqual(wide_peers.test_rmse(case, case.parameters), float(expected), places=15)
        case.test_inputs = None
        self.assertIsNone(wide_peers.test_rmse(case, case.parameters))


class ProcessSettingsTests(unittest.TestCase):
    def test_one_thread_or_all(self):
        one = wide_peers.thread_environment("1", {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=true --other"})
        self.assertEqual(one["OPENBLAS_NUM_THREADS"], "1")
        self.assertIn("--xla_cpu_multi_thread_eigen=false", one["XLA_FLAGS"])
        self.assertNotIn("=true", one["XLA_FLAGS"])
        self.assertIn("--other", one["XLA_FLAGS"])
        every = wide_peers.thread_environment("all", one)
        self.assertEqual(every["OPENBLAS_NUM_THREADS"], str(os.cpu_count()))
        self.assertNotIn("multi_thread_eigen", every["XLA_FLAGS"])
        self.assertEqual(wide_peers.parse_threads("1,all"), ["1", "all"])
        with self.assertRaises(wide_peers.UsageError):
            wide_peers.parse_threads("2")

    def test_memory_ask_is_read_from_xlas_message(self):
        message = "JaxRuntimeError: RESOURCE_EXHAUSTED: Out of memory allocating 73484934272 bytes."
        self.assertEqual(wide_peers.memory_ask_bytes(message), 73484934272)
        self.assertIsNone(wide_peers.memory_ask_bytes("Killed"))

    def test_only_and_skip_match_words(self):
        names = list(wide_peers.SOLVERS) + [wide_peers.PRODUCTS]
        self.assertEqual(wide_peers.selected(names, ["optimistix"], None),
                         ["optimistix.LevenbergMarquardt.cg", "optimistix.LevenbergMarquardt.lsmr"])
        self.assertNotIn("jaxopt.LevenbergMarquardt.shipped", wide_peers.selected(names, None, ["shipped"]))

    def test_json_has_no_non_finite_literals(self):
        text = json.dumps(wide_peers.json_number({"a": [float("nan"), 1.0], "b": float("-inf")}))
        self.assertEqual(json.loads(text), {"a": ["NaN", 1.0], "b": "-Infinity"})


class JacobenchBundleTests(unittest.TestCase):
    def test_the_row_comes_from_metrics_and_the_trace(self):
        case = case_from_json(CaseFieldTests().document())
        with tempfile.TemporaryDirectory() as bundle:
            folder = os.path.join(bundle, "cases", "default")
            os.makedirs(folder)
            with open(os.path.join(folder, "metrics.json"), "w") as handle:
                json.dump({"fit.status": "max-time", "fit.teacher.time_to_1_02_us": 2.5e6,
                           "fit.teacher.iterations_to_1_02": 4, "fit.cost_within_60s": 0.251,
                           "fit.final_cost": 0.25, "fit.test_rmse": 1e-3, "memory.peak_bytes": 2 ** 29,
                           "data.teacher_cost": 0.25, "fit.gauss_newton_product_us": 2000.0}, handle)
            with open(os.path.join(folder, "trace.csv"), "w") as handle:
                handle.write("iteration,cost,accepted,elapsed_seconds\n0,9,1,0\n1,8,0,0.5\n2,0.26,1,1.0\n4,0.254,1,2.5\n")
            row = wide_peers.jacobench_row(bundle, None, case, 60.0)
        self.assertEqual(row["time_to_1_02_s"], 2.5)
        self.assertEqual(row["iterations_to_1_02"], 4)
        self.assertEqual(row["peak_rss_mib"], 512.0)
        self.assertEqual(row["gauss_newton_product_ms"], 2.0)
        self.assertEqual(row["threads"], "?")  # no environment.json
        self.assertTrue(row["same_data"])
        self.assertEqual(row["from_trace"]["time_to_1_02_s"], 2.5)  # 0.254 ≤ 1.02 · 0.25; 0.26 is not
        self.assertEqual(row["from_trace"]["iterations_to_1_05"], 2)
        with self.assertRaises(wide_peers.UsageError):
            wide_peers.jacobench_row(bundle, None, case, 60.0)  # removed with the folder

    def test_the_threads_come_from_the_bundles_environment(self):
        cpus = os.cpu_count() or 1
        with tempfile.TemporaryDirectory() as bundle:
            for threads, label in [(1, "1"), (cpus, "all" if cpus > 1 else "1"), (cpus + 1, str(cpus + 1))]:
                with open(os.path.join(bundle, "environment.json"), "w") as handle:
                    json.dump({"threads": threads}, handle)
                self.assertEqual(wide_peers.bundle_threads(bundle), label)
            with open(os.path.join(bundle, "environment.json"), "w") as handle:
                json.dump({"threads": "two"}, handle)
            self.assertEqual(wide_peers.bundle_threads(bundle), "?")

    def test_a_trace_without_the_start_gets_the_cases_start(self):
        case = case_from_json(CaseFieldTests().document())
        with tempfile.TemporaryDirectory() as bundle:
            folder = os.path.join(bundle, "cases", "c")
            os.makedirs(folder)
            with open(os.path.join(folder, "metrics.json"), "w") as handle:
                json.dump({"data.teacher_cost": 0.3}, handle)
            with open(os.path.join(folder, "trace.csv"), "w") as handle:
                handle.write("iteration,cost,accepted,elapsed_seconds\n1,0.5,1,0.5\n2,0.254,1,0.9\n")
            row = wide_peers.jacobench_row(bundle, "c", case, 60.0)
        self.assertEqual(row["from_trace"]["accepted_steps_to_1_02"], 2)  # the start, then two steps
        self.assertEqual(row["from_trace"]["iterations_to_1_02"], 2)
        self.assertFalse(row["same_data"])
        self.assertIsNone(row["time_to_1_02_s"])  # not in metrics.json


if __name__ == "__main__":
    unittest.main()
