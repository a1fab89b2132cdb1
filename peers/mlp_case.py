"""A jacobench case file: loading, validation, and a NumPy reference of its network.

The format is documented in peers/README.md. This module needs NumPy only, so the
generator and the tests run without torch or JAX.

The network: layers = [d, w_1, ..., w_L]; layer l computes
    z_l = h_{l-1} W_l^T + b_l,   h_l = phi_l(z_l),   h_0 = x,
with W_l stored out x in row-major followed by b_l in the flat parameter vector,
layer after layer. The residual of sample s, output d, is row s*p + d:
    r_{s,d} = f(x_s; theta)_d - y_{s,d}.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

SCHEMA = 1

# Names as jacobench's manifests spell them, with its aliases.
ACTIVATION_ALIASES = {
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "relu": "relu",
    "softplus": "softplus",
    "gelu": "gelu",
    "gelu-tanh": "gelu",
    "identity": "identity",
    "linear": "identity",
    "none": "identity",
}

GELU_SCALE = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715


class CaseError(ValueError):
    """A case file that cannot be used; the message names the file and the field."""


@dataclass
class Case:
    """One case: the network, its data and optional jacobench figures."""

    name: str
    layers: list[int]
    activations: list[str]
    parameters: np.ndarray  # (N,)
    inputs: np.ndarray  # (S, d)
    targets: np.ndarray  # (S, p)
    with_respect_to: str  # "parameters" | "inputs"
    jacobian: np.ndarray | None = None  # (m, n) or None
    jacobian_omitted: dict | None = None  # why the exporter left the Jacobian out (too large)
    jacobench: dict[str, float] = field(default_factory=dict)
    # Data drawn from a teacher network (jacobench's teacher-mlp): ½‖y − teacher(x)‖² over the
    # samples, and the noise-free held-out samples when the manifest has test-samples.
    teacher_cost: float | None = None
    test_inputs: np.ndarray | None = None  # (S_test, d)
    test_targets: np.ndarray | None = None  # (S_test, p)

    @property
    def sample_count(self) -> int:
        return self.inputs.shape[0]

    @property
    def input_width(self) -> int:
        return self.layers[0]

    @property
    def output_width(self) -> int:
        return self.layers[-1]

    @property
    def parameter_count(self) -> int:
        return parameter_count(self.layers)

    @property
    def variable_count(self) -> int:
        """n, the number of columns of the Jacobian."""
        if self.with_respect_to == "parameters":
            return self.parameter_count
        return self.sample_count * self.input_width

    @property
    def residual_count(self) -> int:
        """m = S * p, the number of rows of the Jacobian."""
        return self.sample_count * self.output_width

    def layer_slices(self) -> list[tuple[int, int, int, int]]:
        """(weight offset, bias offset, out, in) for each layer, in parameter order."""
        return layer_slices(self.layers)

    def to_json(self) -> dict:
        document = {
            "schema": SCHEMA,
            "name": self.name,
            "layers": list(self.layers),
            "activations": list(self.activations),
            "parameters": self.parameters.tolist(),
            "inputs": self.inputs.tolist(),
            "targets": self.targets.tolist(),
            "with_respect_to": self.with_respect_to,
        }
        if self.jacobian is not None:
            document["jacobian"] = self.jacobian.reshape(-1).tolist()
        if self.jacobian_omitted is not None:
            document["jacobian_omitted"] = dict(self.jacobian_omitted)
        if self.jacobench:
            document["jacobench"] = dict(self.jacobench)
        if self.teacher_cost is not None:
            document["teacher_cost"] = self.teacher_cost
        if self.test_inputs is not None and self.test_targets is not None:
            document["test_inputs"] = self.test_inputs.tolist()
            document["test_targets"] = self.test_targets.tolist()
        return document


def parameter_count(layers: list[int]) -> int:
    return sum(layers[i + 1] * layers[i] + layers[i + 1] for i in range(len(layers) - 1))


def layer_slices(layers: list[int]) -> list[tuple[int, int, int, int]]:
    slices = []
    offset = 0
    for i in range(len(layers) - 1):
        fan_in, fan_out = layers[i], layers[i + 1]
        slices.append((offset, offset + fan_out * fan_in, fan_out, fan_in))
        offset += fan_out * fan_in + fan_out
    return slices


def _matrix(document: dict, key: str, columns: int, path: str) -> np.ndarray:
    rows = document.get(key)
    if not isinstance(rows, list) or not rows:
        raise CaseError(f"{path}: {key}: expected a non-empty list of rows")
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != columns:
            found = len(row) if isinstance(row, list) else type(row).__name__
            raise CaseError(f"{path}: {key}[{index}]: expected {columns} numbers, found {found}")
    return np.asarray(rows, dtype=np.float64)


def case_from_json(document: dict, path: str = "<case>") -> Case:
    """Validates a parsed case document; errors name the file and the field."""
    if not isinstance(document, dict):
        raise CaseError(f"{path}: expected a JSON object at the top level")
    known = {"schema", "name", "layers", "activations", "parameters", "inputs", "targets",
             "with_respect_to", "jacobian", "jacobian_omitted", "jacobench", "teacher_cost",
             "test_inputs", "test_targets"}
    unknown = sorted(set(document) - known)
    if unknown:
        raise CaseError(f"{path}: unknown key '{unknown[0]}' (known: {', '.join(sorted(known))})")
    if document.get("schema") != SCHEMA:
        raise CaseError(f"{path}: schema: expected {SCHEMA}, found {document.get('schema')!r}")
    layers = document.get("layers")
    if (not isinstance(layers, list) or len(layers) < 2
            or not all(isinstance(w, int) and w > 0 for w in layers)):
        raise CaseError(f"{path}: layers: expected at least two positive integers, found {layers!r}")
    activations = document.get("activations")
    if not isinstance(activations, list) or len(activations) != len(layers) - 1:
        raise CaseError(f"{path}: activations: expected {len(layers) - 1} names (one per layer), "
                        f"found {activations!r}")
    canonical = []
    for index, name in enumerate(activations):
        if name not in ACTIVATION_ALIASES:
            raise CaseError(f"{path}: activations[{index}]: unknown activation {name!r} "
                            f"(known: {', '.join(sorted(ACTIVATION_ALIASES))})")
        canonical.append(ACTIVATION_ALIASES[name])
    parameters = document.get("parameters")
    expected = parameter_count(layers)
    if not isinstance(parameters, list) or len(parameters) != expected:
        found = len(parameters) if isinstance(parameters, list) else type(parameters).__name__
        raise CaseError(f"{path}: parameters: expected {expected} numbers for layers {layers}, found {found}")
    inputs = _matrix(document, "inputs", layers[0], path)
    targets = _matrix(document, "targets", layers[-1], path)
    if targets.shape[0] != inputs.shape[0]:
        raise CaseError(f"{path}: targets: {targets.shape[0]} rows, but inputs has {inputs.shape[0]}")
    respect = document.get("with_respect_to", "parameters")
    if respect not in ("parameters", "inputs"):
        raise CaseError(f"{path}: with_respect_to: expected 'parameters' or 'inputs', found {respect!r}")
    name = document.get("name", "case")
    if not isinstance(name, str):
        raise CaseError(f"{path}: name: expected a string")
    case = Case(name=name, layers=list(layers), activations=canonical,
                parameters=np.asarray(parameters, dtype=np.float64), inputs=inputs, targets=targets,
                with_respect_to=respect)
    jacobian = document.get("jacobian")
    if jacobian is not None:
        m, n = case.residual_count, case.variable_count
        if not isinstance(jacobian, list) or len(jacobian) != m * n:
            found = len(jacobian) if isinstance(jacobian, list) else type(jacobian).__name__
            raise CaseError(f"{path}: jacobian: expected {m}x{n} = {m * n} numbers (row-major), found {found}")
        case.jacobian = np.asarray(jacobian, dtype=np.float64).reshape(m, n)
    omitted = document.get("jacobian_omitted")
    if omitted is not None:
        if jacobian is not None:
            raise CaseError(f"{path}: jacobian_omitted: the case also has a jacobian; give one or the other")
        if not isinstance(omitted, dict) or not isinstance(omitted.get("reason"), str):
            raise CaseError(f"{path}: jacobian_omitted: expected an object with a string 'reason'")
        case.jacobian_omitted = omitted
    jacobench = document.get("jacobench")
    if jacobench is not None:
        if not isinstance(jacobench, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in jacobench.values()):
            raise CaseError(f"{path}: jacobench: expected an object of strategy name -> median microseconds")
        case.jacobench = {str(k): float(v) for k, v in jacobench.items()}
    teacher_cost = document.get("teacher_cost")
    if teacher_cost is not None:
        if (not isinstance(teacher_cost, (int, float)) or isinstance(teacher_cost, bool)
                or not math.isfinite(teacher_cost) or teacher_cost < 0):
            raise CaseError(f"{path}: teacher_cost: expected a finite number >= 0, found {teacher_cost!r}")
        case.teacher_cost = float(teacher_cost)
    if ("test_inputs" in document) != ("test_targets" in document):
        present = "test_inputs" if "test_inputs" in document else "test_targets"
        raise CaseError(f"{path}: {present}: the held-out set needs both test_inputs and test_targets")
    if "test_inputs" in document:
        case.test_inputs = _matrix(document, "test_inputs", layers[0], path)
        case.test_targets = _matrix(document, "test_targets", layers[-1], path)
        if case.test_targets.shape[0] != case.test_inputs.shape[0]:
            raise CaseError(f"{path}: test_targets: {case.test_targets.shape[0]} rows, "
                            f"but test_inputs has {case.test_inputs.shape[0]}")
    return case


def load_case(path: str) -> Case:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise CaseError(f"{path}: cannot read the case file: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CaseError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from error
    return case_from_json(document, path)


# --- NumPy reference ---------------------------------------------------------------

def activation_value(name: str, z: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "softplus":
        return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0)
    if name == "gelu":
        return 0.5 * z * (1.0 + np.tanh(GELU_SCALE * (z + GELU_CUBIC * z ** 3)))
    if name == "identity":
        return z
    raise CaseError(f"unknown activation {name!r}")


def activation_derivative(name: str, z: np.ndarray) -> np.ndarray:
    if name == "tanh":
        t = np.tanh(z)
        return 1.0 - t * t
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "softplus":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "gelu":
        t = np.tanh(GELU_SCALE * (z + GELU_CUBIC * z ** 3))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * z * z)
    if name == "identity":
        return np.ones_like(z)
    raise CaseError(f"unknown activation {name!r}")


def network_outputs(layers: list[int], activations: list[str], theta: np.ndarray,
                    inputs: np.ndarray) -> np.ndarray:
    """f(x_s; theta) for every row of inputs (S x d) -> S x p."""
    h = inputs
    for (w_off, b_off, fan_out, fan_in), name in zip(layer_slices(layers), activations):
        weights = theta[w_off:b_off].reshape(fan_out, fan_in)
        h = activation_value(name, h @ weights.T + theta[b_off:b_off + fan_out])
    return h


def residuals(case: Case, theta: np.ndarray | None = None, inputs: np.ndarray | None = None) -> np.ndarray:
    """r (length S*p, row s*p + d) at theta and inputs (the case's when omitted)."""
    theta = case.parameters if theta is None else theta
    inputs = case.inputs if inputs is None else inputs
    outputs = network_outputs(case.layers, case.activations, theta, inputs)
    return (outputs - case.targets).reshape(-1)


def _output_sensitivities(layers, activations, theta, inputs):
    """Forward pass, then delta_l[s, d, :] = d f(x_s)_d / d z_l for every layer l.

    Returns (hidden activations h_0..h_{L-1}, deltas per layer, output-side first)."""
    slices = layer_slices(layers)
    hs, zs = [inputs], []
    for (w_off, b_off, fan_out, fan_in), name in zip(slices, activations):
        z = hs[-1] @ theta[w_off:b_off].reshape(fan_out, fan_in).T + theta[b_off:b_off + fan_out]
        zs.append(z)
        hs.append(activation_value(name, z))
    samples, outputs = inputs.shape[0], layers[-1]
    # delta_L[s, d, k] = [d == k] * phi_L'(z_L[s, k])
    delta = np.zeros((samples, outputs, outputs))
    delta[:, np.arange(outputs), np.arange(outputs)] = activation_derivative(activations[-1], zs[-1])
    deltas = [None] * len(slices)
    for l in range(len(slices) - 1, -1, -1):
        deltas[l] = delta
        w_off, b_off, fan_out, fan_in = slices[l]
        back = delta @ theta[w_off:b_off].reshape(fan_out, fan_in)  # (S, p, fan_in)
        if l > 0:
            back = back * activation_derivative(activations[l - 1], zs[l - 1])[:, None, :]
        delta = back
    return hs, deltas, delta  # final delta: d f / d x, (S, p, d)


def parameter_jacobian(case: Case, theta: np.ndarray | None = None) -> np.ndarray:
    """Analytic dr/dtheta (m x N), hand-written backpropagation vectorised over samples."""
    theta = case.parameters if theta is None else theta
    hs, deltas, _ = _output_sensitivities(case.layers, case.activations, theta, case.inputs)
    samples, outputs = case.sample_count, case.output_width
    jacobian = np.empty((samples, outputs, theta.size))
    for l, (w_off, b_off, fan_out, fan_in) in enumerate(case.layer_slices()):
        delta = deltas[l]  # (S, p, fan_out)
        jacobian[:, :, w_off:b_off] = (delta[:, :, :, None] * hs[l][:, None, None, :]).reshape(
            samples, outputs, fan_out * fan_in)
        jacobian[:, :, b_off:b_off + fan_out] = delta
    return jacobian.reshape(samples * outputs, theta.size)


def input_jacobian_blocks(case: Case, inputs: np.ndarray | None = None) -> np.ndarray:
    """Analytic df(x_s)/dx_s for each sample: S x p x d."""
    inputs = case.inputs if inputs is None else inputs
    _, _, blocks = _output_sensitivities(case.layers, case.activations, case.parameters, inputs)
    return blocks


def block_diagonal(blocks: np.ndarray) -> np.ndarray:
    """S blocks p x d -> the (S*p) x (S*d) block-diagonal Jacobian w.r.t. all inputs."""
    samples, outputs, width = blocks.shape
    full = np.zeros((samples, outputs, samples, width))
    full[np.arange(samples), :, np.arange(samples), :] = blocks
    return full.reshape(samples * outputs, samples * width)


def reference_jacobian(case: Case) -> np.ndarray:
    """The analytic Jacobian in the case's own orientation (m x n)."""
    if case.with_respect_to == "parameters":
        return parameter_jacobian(case)
    return block_diagonal(input_jacobian_blocks(case))


def relative_error(value: np.ndarray, reference: np.ndarray) -> float:
    """||value - reference||_F / ||reference||_F (absolute when the reference is zero)."""
    scale = float(np.linalg.norm(reference))
    difference = float(np.linalg.norm(np.asarray(value) - reference))
    return difference / scale if scale > 0 else difference
