"""Tests of the fitting peers: `python -m unittest discover -s peers` (NumPy needed; the fits
need SciPy, lmfit, jaxopt and optimistix and the weights check torch and safetensors, each
skipped without them).

The fixtures in peers/testdata are `jacobench export-case` output: experiments/decay-fit.yaml
and experiments/robust-fit.yaml's loss=cauchy case (`--case loss=cauchy`)."""

from __future__ import annotations

import copy
import csv
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
import formula_case  # noqa: E402
import make_case  # noqa: E402
import mlp_case  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DECAY = os.path.join(HERE, "testdata", "decay-fit.case.json")
CAUCHY = os.path.join(HERE, "testdata", "robust-fit-cauchy.case.json")


def has(*modules: str) -> bool:
    return all(importlib.util.find_spec(module) is not None for module in modules)


def document(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def every_opcode_case() -> formula_case.FormulaCase:
    """y = a·exp(−k·t)·cos(t) + c/(1 + t²) + log(b)·sqrt(t+1) + … — every opcode once, two targets."""
    # Registers: a0 k1 c2 b3 | t4 u5 | constants 1 (6), 0.5 (7) | instructions from 8.
    ops = [
        ["multiply", 8, 1, 4], ["negate", 9, 8, 0], ["exp", 10, 9, 0], ["cos", 11, 4, 0],
        ["multiply", 12, 0, 10], ["multiply", 13, 12, 11], ["power-integer", 14, 4, 2], ["add", 15, 6, 14],
        ["divide", 16, 2, 15], ["log", 17, 3, 0], ["add", 18, 4, 6], ["sqrt", 19, 18, 0],
        ["multiply", 20, 17, 19], ["sin", 21, 5, 0], ["tanh", 22, 21, 0], ["arctan", 23, 0, 0],
        ["multiply", 24, 22, 23], ["power", 25, 3, 7], ["log10", 26, 18, 0], ["multiply", 27, 25, 26],
        ["subtract", 28, 13, 16], ["add", 29, 28, 20], ["add", 30, 29, 24], ["add", 31, 30, 27],
        ["sinh", 32, 1, 0], ["cosh", 33, 2, 0], ["multiply", 34, 32, 33], ["tan", 35, 7, 0],
        ["abs", 36, 9, 0], ["multiply", 37, 35, 36], ["add", 38, 34, 37], ["power", 39, 18, 1],
        ["add", 40, 38, 39], ["copy", 41, 31, 0],
    ]
    rng = np.random.default_rng(3)
    inputs = np.column_stack([rng.uniform(0.1, 2.0, 9), rng.uniform(-1.0, 1.0, 9)])
    def program(output):
        return {"text": "", "response": "y", "response_transform": None, "parameter_count": 4, "predictor_count": 2,
                "constants": [1.0, 0.5], "instructions": ops, "output": output, "register_count": 42}
    doc = {"schema": 1, "kind": "formula", "name": "ops", "case": "x", "parameter_names": ["a", "k", "c", "b"],
           "start": [1.3, 0.4, 0.7, 2.1], "fixed": [], "bounds": None, "inputs": inputs.tolist(),
           "targets": rng.normal(size=(9, 2)).tolist(), "sigma": rng.uniform(0.5, 2.0, 9).tolist(),
           "absolute_sigma": False, "loss": "linear", "loss_scale": 1.0, "residuals_at_start": [],
           "formulas": [program(41), program(40)]}
    return formula_case.formula_case_from_json(doc, "ops")


class TapeTests(unittest.TestCase):
    def test_the_tape_reproduces_jacobenchs_residuals_in_the_exported_cases(self):
        for path in (DECAY, CAUCHY):
            with self.subTest(case=os.path.basename(path)):
                case = formula_case.load_formula_case(path)
                self.assertEqual(case.residuals_at_start.size, case.residual_count)
                r = formula_case.residuals(case, case.start)
                scale = np.max(np.abs(case.residuals_at_start))
                self.assertLessEqual(np.max(np.abs(r - case.residuals_at_start)) / scale, 1e-13)

    def test_forward_mode_jacobian_of_every_opcode_matches_central_differences(self):
        case = every_opcode_case()
        free = case.free
        r, jacobian = formula_case.residuals_and_jacobian(case, case.start, free)
        np.testing.assert_allclose(r, formula_case.residuals(case, case.start), rtol=1e-15, atol=0)
        self.assertEqual(jacobian.shape, (18, 4))
        columns = []
        for j in range(4):
            step = 1e-6 * max(1.0, abs(case.start[j]))
            up, down = case.start.copy(), case.start.copy()
            up[j] += step
            down[j] -= step
            columns.append((formula_case.residuals(case, up) - formula_case.residuals(case, down)) / (2 * step))
        numeric = np.stack(columns, axis=1)
        self.assertLess(np.linalg.norm(jacobian - numeric) / np.linalg.norm(numeric), 1e-8)

    def test_fixed_parameters_have_no_column(self):
        case = every_opcode_case()
        case.fixed = [1, 3]
        _, jacobian = formula_case.residuals_and_jacobian(case, case.start, case.free)
        _, full = formula_case.residuals_and_jacobian(case, case.start, np.arange(4))
        np.testing.assert_array_equal(jacobian, full[:, [0, 2]])

    @unittest.skipUnless(has("jax"), "needs JAX")
    def test_the_jax_interpreter_agrees_with_numpy(self):
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        case = every_opcode_case()
        r = np.asarray(formula_case.residuals(case, jnp.asarray(case.start), xp=jnp))
        np.testing.assert_allclose(r, formula_case.residuals(case, case.start), rtol=1e-14, atol=1e-14)
        jacobian = np.asarray(jax.jacfwd(lambda t: formula_case.residuals(case, t, xp=jnp))(jnp.asarray(case.start)))
        _, mine = formula_case.residuals_and_jacobian(case, case.start, case.free)
        np.testing.assert_allclose(jacobian, mine, rtol=1e-12, atol=1e-13)

    def test_case_validation_names_the_field(self):
        base = document(DECAY)
        for change, field in [
            (lambda d: d["formulas"][0]["instructions"].append(["eval", 9, 0, 0]), "formulas[0].instructions[5]"),
            (lambda d: d["formulas"][0]["instructions"].__setitem__(0, ["negate", 4, 7, 0]), "instructions[0][2]"),
            (lambda d: d["formulas"][0]["instructions"].__setitem__(1, ["multiply", 9, 4, 3]), "instructions[1][1]"),
            (lambda d: d.__setitem__("start", [1, 2]), "start"),
            (lambda d: d.__setitem__("loss", "tukey"), "loss"),
            (lambda d: d.__setitem__("bounds", {"lower": [None, 0], "upper": [None, None, None]}), "bounds"),
            (lambda d: d.__setitem__("code", "print(1)"), "unknown keys"),
            (lambda d: d["formulas"][0].__setitem__("output", 99), "formulas[0].output"),
        ]:
            with self.subTest(field=field):
                bad = copy.deepcopy(base)
                change(bad)
                with self.assertRaises(formula_case.FormulaCaseError) as raised:
                    formula_case.formula_case_from_json(bad, "bad.json")
                self.assertIn(field, str(raised.exception))
                self.assertIn("bad.json", str(raised.exception))

    def test_bounds_null_is_open_and_sigma_divides(self):
        case = formula_case.load_formula_case(CAUCHY)
        self.assertEqual(case.lower[0], -np.inf)
        self.assertEqual(list(case.lower[1:]), [0.0, 0.0])
        self.assertTrue(np.all(np.isinf(case.upper)))
        self.assertTrue(case.has_bounds)
        decay = formula_case.load_formula_case(DECAY)
        self.assertFalse(decay.has_bounds)
        self.assertIsNotNone(decay.sigma)


def run_script(arguments: list[str]) -> tuple[int, dict | None, str]:
    import fit_peers
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out.json")
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr):
            status = fit_peers.main(arguments + ["--repeats", "1", "--budget", "0.001", "--out", out])
        result = document(out) if os.path.exists(out) else None
    return status, result, stdout.getvalue() + stderr.getvalue()


@unittest.skipUnless(has("scipy"), "needs SciPy")
class FitScriptTests(unittest.TestCase):
    def test_scipy_trf_reaches_jacobenchs_cost_on_decay_fit(self):
        status, result, output = run_script([DECAY, "--only", "trf"])
        self.assertEqual(status, 0, output)
        jacobench = document(DECAY)["jacobench_fit"]["cost"]
        trf = result["peers"]["scipy.least_squares.trf"]
        self.assertEqual(trf["status"], "ok")
        self.assertLessEqual(abs(trf["cost"] - jacobench) / jacobench, 1e-8)
        self.assertTrue(trf["reached"])
        self.assertTrue(result["peers"]["jacobench.levenberg-marquardt"]["reached"])
        self.assertLessEqual(result["checks"]["tape"]["relative_error"], 1e-13)
        for key in ("median_us", "nfev", "residual_evaluations", "evaluations_to_best", "time_to_best_us"):
            self.assertIn(key, trf)
        self.assertAlmostEqual(result["best"]["target_cost"], result["best"]["cost"] * (1 + 1e-6), places=15)

    def test_a_given_target_cost_times_every_peer_to_it(self):
        jacobench = document(DECAY)["jacobench_fit"]["cost"]
        target = jacobench * 1.5
        status, result, output = run_script([DECAY, "--only", "trf", "--target-cost", repr(target)])
        self.assertEqual(status, 0, output)
        self.assertEqual(result["best"]["target_cost"], target)
        self.assertTrue(result["best"]["target_given"])
        trf = result["peers"]["scipy.least_squares.trf"]
        self.assertTrue(trf["reached"])
        self.assertLessEqual(trf["stopped_cost"], target)
        self.assertGreater(trf["stopped_cost"], jacobench * (1 + 1e-6))  # stopped before the best cost
        import fit_peers
        with self.assertRaises(SystemExit):
            with redirect_stderr(io.StringIO()):
                fit_peers.main([DECAY, "--target-cost", "nan"])

    def test_under_a_robust_loss_with_bounds_trf_matches_and_the_others_say_why_they_skip(self):
        status, result, output = run_script([CAUCHY])
        self.assertEqual(status, 0, output)
        peers = result["peers"]
        jacobench = document(CAUCHY)["jacobench_fit"]["cost"]
        self.assertLessEqual(abs(peers["scipy.least_squares.trf"]["cost"] - jacobench) / jacobench, 1e-8)
        self.assertIn("bounds", peers["scipy.least_squares.lm"]["reason"])
        for name in ("jaxopt.LevenbergMarquardt", "optimistix.LevenbergMarquardt"):
            self.assertEqual(peers[name]["status"], "skipped")
            self.assertIn("bounds", peers[name]["reason"])
        if has("lmfit"):
            self.assertIn("cauchy", peers["lmfit.leastsq"]["reason"])
            self.assertLessEqual(abs(peers["lmfit.least_squares"]["cost"] - jacobench) / jacobench, 1e-6)

    def test_fixed_parameters_are_held(self):
        doc = document(DECAY)
        doc["fixed"] = [2]
        del doc["jacobench_fit"]
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "fixed.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(doc, handle)
            status, result, output = run_script([path, "--only", "scipy", "lmfit"])
        self.assertEqual(status, 0, output)
        for name, entry in result["peers"].items():
            if entry["status"] == "ok":
                self.assertEqual(entry["parameters"][2], 0.0, name)
        self.assertEqual(result["case"]["free"], 2)

    @unittest.skipUnless(has("jaxopt", "optimistix"), "needs jaxopt and optimistix")
    def test_the_jax_peers_reach_the_common_cost_on_decay_fit(self):
        status, result, output = run_script([DECAY, "--only", "jaxopt", "optimistix", "trf"])
        self.assertEqual(status, 0, output)
        for name in ("jaxopt.LevenbergMarquardt", "optimistix.LevenbergMarquardt"):
            entry = result["peers"][name]
            self.assertEqual(entry["status"], "ok", entry)
            self.assertTrue(entry["reached"], entry)
            self.assertGreaterEqual(entry["iterations_to_best"], 1)


@unittest.skipUnless(has("torch", "safetensors", "scipy"), "needs torch, safetensors and SciPy")
class WeightsCheckTests(unittest.TestCase):
    def bundle(self, folder: str, case: mlp_case.Case, perturb: float = 0.0) -> str:
        import torch
        from safetensors.torch import save_file
        tensors = {}
        for index, (w_off, b_off, fan_out, fan_in) in enumerate(mlp_case.layer_slices(case.layers)):
            tensors[f"{2 * index}.weight"] = torch.tensor(case.parameters[w_off:b_off].reshape(fan_out, fan_in))
            tensors[f"{2 * index}.bias"] = torch.tensor(case.parameters[b_off:b_off + fan_out])
        cases = os.path.join(folder, "cases", "default")
        os.makedirs(cases)
        save_file(tensors, os.path.join(cases, "weights.safetensors"))
        outputs = mlp_case.residuals(case).reshape(case.targets.shape) + case.targets
        one_input = case.input_width == 1
        with open(os.path.join(cases, "fit.csv"), "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["input" if one_input else "sample", "target", "observed", "fitted", "residual"])
            # jacobench sorts a one-input fit.csv by the input.
            order = np.argsort(case.inputs[:, 0]) if one_input else range(case.sample_count)
            for s in order:
                for d in range(case.output_width):
                    fitted = outputs[s, d] * (1 + perturb)
                    writer.writerow([repr(float(case.inputs[s, 0])) if one_input else float(s), f"y{d + 1}", repr(float(case.targets[s, d])), repr(float(fitted)),
                                     repr(float(case.targets[s, d] - fitted))])
        return folder

    def test_torch_loads_the_weights_and_matches_the_fitted_outputs(self):
        import fit_peers
        case = make_case.make_case("t", [3, 5, 2], "tanh", 11, 0.01, 4, "parameters", False)
        with tempfile.TemporaryDirectory() as folder:
            check = fit_peers.weights_check(case, self.bundle(folder, case), None)
        self.assertTrue(check["matches"], check)
        self.assertLessEqual(check["relative_error"], 1e-12)
        self.assertEqual(check["tensors"], {"0.weight": [5, 3], "0.bias": [5], "2.weight": [2, 5], "2.bias": [2]})

    def test_a_one_input_fit_csv_is_sorted_by_the_input(self):
        import fit_peers
        case = make_case.make_case("t", [1, 4, 3, 2], "softplus", 13, 0.01, 6, "parameters", False)
        with tempfile.TemporaryDirectory() as folder:
            check = fit_peers.weights_check(case, self.bundle(folder, case), None)
        self.assertTrue(check["matches"], check)
        self.assertEqual(sorted(check["tensors"]), ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"])

    def test_a_missing_fit_csv_skips_the_check(self):
        import fit_peers
        case = make_case.make_case("t", [3, 5, 2], "tanh", 11, 0.01, 4, "parameters", False)
        with tempfile.TemporaryDirectory() as folder:
            self.bundle(folder, case)
            os.remove(os.path.join(folder, "cases", "default", "fit.csv"))
            check = fit_peers.weights_check(case, folder, None)
        self.assertTrue(check["status"].startswith("skipped"))

    def test_an_inputs_case_has_nothing_to_fit(self):
        case = make_case.make_case("t", [3, 5, 2], "tanh", 4, 0.0, 4, "inputs", False)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "inputs.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(case.to_json(), handle)
            status, result, output = run_script([path])
        self.assertEqual(status, 0, output)
        self.assertIn("nothing to fit", result["skipped"])

    def test_a_difference_fails_the_check(self):
        import fit_peers
        case = make_case.make_case("t", [3, 5, 2], "tanh", 11, 0.01, 4, "parameters", False)
        with tempfile.TemporaryDirectory() as folder:
            check = fit_peers.weights_check(case, self.bundle(folder, case, perturb=1e-9), None)
        self.assertFalse(check["matches"])


if __name__ == "__main__":
    unittest.main()
