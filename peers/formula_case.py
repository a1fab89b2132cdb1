"""A jacobench formula case (`jacobench export-case` on a formula model): loading, validation,
and an interpreter of its compiled formula tapes in NumPy (values and forward-mode
derivatives) and in any NumPy-like module (jax.numpy for the JAX peers).

The format is documented in peers/README.md. Nothing from the file is executed: the
formulas arrive as tapes of whitelisted opcodes over numbered registers (parameters,
predictors, constants, then one register per instruction), checked here before use; the
formula text is carried for people only and never evaluated.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

SCHEMA = 1
LOSSES = ("linear", "soft-l1", "huber", "cauchy", "arctan")
UNARY = ("copy", "negate", "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "arctan", "sinh",
         "cosh", "tanh", "abs")
BINARY = ("add", "subtract", "multiply", "divide", "power")
OPCODES = UNARY + BINARY + ("power-integer",)
TRANSFORMS = ("exp", "log", "log10", "sqrt", "sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "abs")


class FormulaCaseError(ValueError):
    """A formula case that cannot be used; the message names the file and the field."""


@dataclass
class Program:
    """One compiled formula: f(x; θ) as a register tape."""

    parameter_count: int
    predictor_count: int
    constants: list[float]
    instructions: list[tuple[str, int, int, int]]  # (opcode, destination, first, second)
    output: int
    response: str
    response_transform: str | None
    text: str = ""

    @property
    def constant_base(self) -> int:
        return self.parameter_count + self.predictor_count

    @property
    def instruction_base(self) -> int:
        return self.constant_base + len(self.constants)


@dataclass
class FormulaCase:
    name: str
    case_id: str
    programs: list[Program]
    parameter_names: list[str]
    start: np.ndarray  # (n,) every parameter
    fixed: list[int]
    lower: np.ndarray  # (n,) -inf where open
    upper: np.ndarray  # (n,) +inf where open
    has_bounds: bool  # the case file gives bounds
    inputs: np.ndarray  # (S, d)
    targets: np.ndarray  # (S, p)
    sigma: np.ndarray | None  # (S,)
    absolute_sigma: bool
    loss: str
    loss_scale: float
    residuals_at_start: np.ndarray  # (S·p,)
    input_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    jacobench_fit: dict | None = None

    kind = "formula"

    @property
    def parameter_count(self) -> int:
        return self.start.size

    @property
    def free(self) -> np.ndarray:
        return np.array([j for j in range(self.parameter_count) if j not in set(self.fixed)], dtype=int)

    @property
    def sample_count(self) -> int:
        return self.inputs.shape[0]

    @property
    def residual_count(self) -> int:
        return self.targets.size

    def transformed_targets(self) -> np.ndarray:
        """g(y) per target column (the response transform of each formula)."""
        columns = []
        for d, program in enumerate(self.programs):
            y = self.targets[:, d]
            columns.append(unary(np, program.response_transform, y) if program.response_transform else y)
        return np.stack(columns, axis=1)


def _error(source: str, field_name: str, message: str) -> FormulaCaseError:
    return FormulaCaseError(f"{source}: {field_name}: {message}")


def _integer(value, source, name, low=None, high=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(source, name, f"expected an integer, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise _error(source, name, f"{value} is outside [{low}, {high}]")
    return value


def _numbers(value, source, name, allow_null=False) -> np.ndarray:
    if not isinstance(value, list):
        raise _error(source, name, "expected a list of numbers")
    out = []
    for index, item in enumerate(value):
        if item is None and allow_null:
            out.append(math.nan)
            continue
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
            raise _error(source, f"{name}[{index}]", f"expected a finite number, got {item!r}")
        out.append(float(item))
    return np.array(out, dtype=np.float64)


def _rows(value, source, name, width: int | None = None) -> np.ndarray:
    if not isinstance(value, list) or not value:
        raise _error(source, name, "expected a non-empty list of rows")
    rows = [_numbers(row, source, f"{name}[{index}]") for index, row in enumerate(value)]
    widths = {row.size for row in rows}
    if len(widths) != 1 or (width is not None and widths != {width}):
        raise _error(source, name, f"rows of unequal or wrong width {sorted(widths)} (expected {width})")
    return np.stack(rows)


def _program(value, source, name, parameter_count, predictor_count) -> Program:
    known = {"text", "response", "response_transform", "parameter_count", "predictor_count", "constants",
             "instructions", "output", "register_count"}
    if not isinstance(value, dict):
        raise _error(source, name, "expected an object")
    unknown = set(value) - known
    if unknown:
        raise _error(source, name, f"unknown keys {sorted(unknown)}")
    if _integer(value.get("parameter_count"), source, name + ".parameter_count") != parameter_count:
        raise _error(source, name + ".parameter_count", f"expected {parameter_count} (parameter_names)")
    if _integer(value.get("predictor_count"), source, name + ".predictor_count") != predictor_count:
        raise _error(source, name + ".predictor_count", f"expected {predictor_count} (the inputs' width)")
    constants = [float(c) for c in _numbers(value.get("constants"), source, name + ".constants")]
    raw = value.get("instructions")
    if not isinstance(raw, list):
        raise _error(source, name + ".instructions", "expected a list")
    base = parameter_count + predictor_count + len(constants)
    instructions = []
    for index, item in enumerate(raw):
        where = f"{name}.instructions[{index}]"
        if not isinstance(item, list) or len(item) != 4 or item[0] not in OPCODES:
            raise _error(source, where, f"expected [opcode, destination, first, second] with an opcode of {OPCODES}")
        opcode = item[0]
        destination = _integer(item[1], source, where + "[1]", base + index, base + index)
        first = _integer(item[2], source, where + "[2]", 0, destination - 1)
        if opcode in BINARY:
            second = _integer(item[3], source, where + "[3]", 0, destination - 1)
        elif opcode == "power-integer":
            second = _integer(item[3], source, where + "[3]", -64, 64)
        else:
            second = _integer(item[3], source, where + "[3]")
        instructions.append((opcode, destination, first, second))
    register_count = base + len(instructions)
    output = _integer(value.get("output"), source, name + ".output", base, register_count - 1)
    if "register_count" in value and value["register_count"] != register_count:
        raise _error(source, name + ".register_count", f"expected {register_count}")
    transform = value.get("response_transform")
    if transform is not None and transform not in TRANSFORMS:
        raise _error(source, name + ".response_transform", f"expected null or one of {TRANSFORMS}")
    text = value.get("text", "")
    response = value.get("response", "")
    if not isinstance(text, str) or not isinstance(response, str):
        raise _error(source, name, "text and response must be strings")
    return Program(parameter_count, predictor_count, constants, instructions, output, response, transform, text)


FORMULA_KEYS = {"schema", "kind", "name", "case", "formulas", "parameter_names", "start", "fixed", "bounds",
                "input_names", "target_names", "inputs", "targets", "sigma", "absolute_sigma", "loss",
                "loss_scale", "residuals_at_start", "jacobench_fit"}


def formula_case_from_json(document: dict, source: str = "<case>") -> FormulaCase:
    if not isinstance(document, dict):
        raise FormulaCaseError(f"{source}: expected a JSON object")
    unknown = set(document) - FORMULA_KEYS
    if unknown:
        raise _error(source, "(top level)", f"unknown keys {sorted(unknown)}")
    if document.get("schema") != SCHEMA or document.get("kind") != "formula":
        raise _error(source, "schema/kind", f"expected schema {SCHEMA} and kind \"formula\"")
    names = document.get("parameter_names")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _error(source, "parameter_names", "expected a non-empty list of strings")
    n = len(names)
    start = _numbers(document.get("start"), source, "start")
    if start.size != n:
        raise _error(source, "start", f"{start.size} values for {n} parameters")
    fixed = [_integer(j, source, "fixed", 0, n - 1) for j in document.get("fixed", [])]
    inputs = _rows(document.get("inputs"), source, "inputs")
    targets = _rows(document.get("targets"), source, "targets")
    if inputs.shape[0] != targets.shape[0]:
        raise _error(source, "targets", f"{targets.shape[0]} rows for {inputs.shape[0]} input rows")
    formulas = document.get("formulas")
    if not isinstance(formulas, list) or len(formulas) != targets.shape[1]:
        raise _error(source, "formulas", f"expected one program per target column ({targets.shape[1]})")
    programs = [_program(p, source, f"formulas[{i}]", n, inputs.shape[1]) for i, p in enumerate(formulas)]
    bounds = document.get("bounds")
    lower, upper = np.full(n, -np.inf), np.full(n, np.inf)
    if bounds is not None:
        if not isinstance(bounds, dict) or set(bounds) != {"lower", "upper"}:
            raise _error(source, "bounds", "expected null or {\"lower\": [...], \"upper\": [...]}")
        lo = _numbers(bounds["lower"], source, "bounds.lower", allow_null=True)
        hi = _numbers(bounds["upper"], source, "bounds.upper", allow_null=True)
        if lo.size != n or hi.size != n:
            raise _error(source, "bounds", f"expected {n} lower and upper values")
        lower, upper = np.where(np.isnan(lo), -np.inf, lo), np.where(np.isnan(hi), np.inf, hi)
        if np.any(lower >= upper):
            raise _error(source, "bounds", "a lower bound is not below its upper bound")
    sigma = document.get("sigma")
    if sigma is not None:
        sigma = _numbers(sigma, source, "sigma")
        if sigma.size != inputs.shape[0] or np.any(sigma <= 0):
            raise _error(source, "sigma", f"expected {inputs.shape[0]} positive values (one per sample)")
    loss = document.get("loss", "linear")
    if loss not in LOSSES:
        raise _error(source, "loss", f"expected one of {LOSSES}")
    scale = document.get("loss_scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0 or not math.isfinite(scale):
        raise _error(source, "loss_scale", "expected a positive finite number")
    residuals = _numbers(document.get("residuals_at_start", []), source, "residuals_at_start")
    if residuals.size not in (0, targets.size):
        raise _error(source, "residuals_at_start", f"expected {targets.size} values (S·p)")
    fit = document.get("jacobench_fit")
    if fit is not None and not isinstance(fit, dict):
        raise _error(source, "jacobench_fit", "expected an object")
    return FormulaCase(
        name=str(document.get("name", "")), case_id=str(document.get("case", "")), programs=programs,
        parameter_names=names, start=start, fixed=sorted(set(fixed)), lower=lower, upper=upper,
        has_bounds=bounds is not None and bool(np.any(np.isfinite(lower)) or np.any(np.isfinite(upper))),
        inputs=inputs, targets=targets, sigma=sigma, absolute_sigma=bool(document.get("absolute_sigma", False)),
        loss=loss, loss_scale=float(scale), residuals_at_start=residuals,
        input_names=list(document.get("input_names", [])), target_names=list(document.get("target_names", [])),
        jacobench_fit=fit)


def load_formula_case(path: str) -> FormulaCase:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise FormulaCaseError(f"{path}: {error}") from error
    return formula_case_from_json(document, path)


# --- The tape ----------------------------------------------------------------------

def unary(xp, opcode: str, a):
    if opcode == "copy":
        return a
    if opcode == "negate":
        return -a
    if opcode == "arctan":
        return xp.arctan(a)
    if opcode in ("exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs"):
        return getattr(xp, opcode)(a)
    raise ValueError(opcode)


def _binary(xp, opcode: str, a, b):
    if opcode == "add":
        return a + b
    if opcode == "subtract":
        return a - b
    if opcode == "multiply":
        return a * b
    if opcode == "divide":
        return a / b
    return xp.power(a, b)


def evaluate(program: Program, theta, inputs, xp=np):
    """f(x_s; θ) for every row of `inputs` (S × d): the tape in `xp` (NumPy or jax.numpy)."""
    registers = [theta[j] for j in range(program.parameter_count)]
    registers += [inputs[:, k] for k in range(program.predictor_count)]
    registers += list(program.constants)
    for opcode, _destination, first, second in program.instructions:
        a = registers[first]
        if opcode == "power-integer":
            registers.append(a ** second)
        elif opcode in BINARY:
            registers.append(_binary(xp, opcode, a, registers[second]))
        else:
            registers.append(unary(xp, opcode, a))
    value = registers[program.output]
    return value + xp.zeros(inputs.shape[0]) if xp.ndim(value) == 0 else value


def evaluate_with_jacobian(program: Program, theta: np.ndarray, inputs: np.ndarray, free: np.ndarray):
    """f (S,) and ∂f/∂θ_free (S × k) by forward mode over the tape (NumPy; exact to rounding)."""
    samples, k = inputs.shape[0], free.size
    values: list = [float(v) for v in theta] + [inputs[:, j] for j in range(program.predictor_count)]
    values += list(program.constants)
    tangents: list = [None] * len(values)
    for column, j in enumerate(free):
        tangent = np.zeros(k)
        tangent[column] = 1.0
        tangents[j] = tangent
    for opcode, _destination, first, second in program.instructions:
        a, da = values[first], tangents[first]
        b = values[second] if opcode in BINARY else None
        db = tangents[second] if opcode in BINARY else None
        if opcode == "power-integer":
            v = a ** second
            d = None if da is None else _scale(second * a ** (second - 1), da)
        elif opcode in BINARY:
            v = _binary(np, opcode, a, b)
            if opcode == "add":
                d = _sum(da, db)
            elif opcode == "subtract":
                d = _sum(da, None if db is None else -db)
            elif opcode == "multiply":
                d = _sum(_scale(b, da), _scale(a, db))
            elif opcode == "divide":
                d = _sum(_scale(1.0 / b, da), _scale(-v / b, db))
            else:  # a^b: b·a^(b−1)·da + a^b·ln(a)·db
                with np.errstate(divide="ignore", invalid="ignore"):
                    d = _sum(_scale(b * np.power(a, b - 1.0), da), None if db is None else _scale(v * np.log(a), db))
        else:
            v = unary(np, opcode, a)
            d = None if da is None else _scale(_unary_derivative(opcode, a, v), da)
        values.append(v)
        tangents.append(d)
    value, tangent = values[program.output], tangents[program.output]
    value = np.broadcast_to(np.asarray(value, dtype=np.float64), (samples,)).copy()
    jacobian = np.zeros((samples, k)) if tangent is None else np.broadcast_to(tangent, (samples, k)).copy()
    return value, jacobian


def _unary_derivative(opcode, a, v):
    return {
        "copy": lambda: 1.0, "negate": lambda: -1.0, "exp": lambda: v, "log": lambda: 1.0 / a,
        "log10": lambda: 1.0 / (a * math.log(10.0)), "sqrt": lambda: 0.5 / v, "sin": lambda: np.cos(a),
        "cos": lambda: -np.sin(a), "tan": lambda: 1.0 + v * v, "arctan": lambda: 1.0 / (1.0 + a * a),
        "sinh": lambda: np.cosh(a), "cosh": lambda: np.sinh(a), "tanh": lambda: 1.0 - v * v,
        "abs": lambda: np.sign(a),
    }[opcode]()


def _scale(factor, tangent):
    """factor (scalar or (S,)) times a tangent ((k,) or (S, k)); None stays None."""
    if tangent is None:
        return None
    factor = np.asarray(factor, dtype=np.float64)
    return factor[..., None] * tangent if factor.ndim else factor * tangent


def _sum(x, y):
    if x is None:
        return y
    if y is None:
        return x
    return x + y


def residuals(case: FormulaCase, theta: np.ndarray, xp=np, transformed=None):
    """r = (f(x; θ) − g(y))/σ, row s·p + d, for the full parameter vector θ."""
    g = case.transformed_targets() if transformed is None else transformed
    columns = [evaluate(program, theta, case.inputs, xp) for program in case.programs]
    r = xp.stack(columns, axis=1) - g
    if case.sigma is not None:
        r = r / case.sigma[:, None]
    return r.reshape(-1)


def residuals_and_jacobian(case: FormulaCase, theta: np.ndarray, free: np.ndarray, transformed=None):
    """r and ∂r/∂θ_free ((S·p) × k), rows s·p + d."""
    g = case.transformed_targets() if transformed is None else transformed
    samples, p = case.targets.shape
    r = np.empty((samples, p))
    jacobian = np.empty((samples, p, free.size))
    for d, program in enumerate(case.programs):
        value, columns = evaluate_with_jacobian(program, theta, case.inputs, free)
        r[:, d] = value - g[:, d]
        jacobian[:, d, :] = columns
    if case.sigma is not None:
        r /= case.sigma[:, None]
        jacobian /= case.sigma[:, None, None]
    return r.reshape(-1), jacobian.reshape(samples * p, free.size)
