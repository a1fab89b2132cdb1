#!/usr/bin/env python3
"""Reference values of Tests/PipelineTests/BoundsAndLossTests.swift, computed once with SciPy.

Run with the peers' venv: `.peers-venv/bin/python scripts/fit_references.py` (SciPy 1.17.1 gave
the values stored in the test). Prints Swift literals.

- Bounded fit: signal = a*exp(-k*t) + c on the 12 rows of DATA, c <= 0.5 and 0 <= k <= 10;
  the unconstrained optimum has c = 0.72, so c ends on its bound. least_squares(method="trf")
  gives the parameters and cost; curve_fit with c fixed at 0.5 gives the standard errors of a, k
  (the convention of the docs: parameters at an active bound are treated as fixed).
- Robust fits: the same model on 20 rows with three outliers, for each loss with f_scale 0.1 from (2, 0.2, 0.5);
  least_squares(method="trf", loss=…) gives parameters and cost, and its `jac` (the
  loss-rescaled Jacobian) the standard errors sqrt(diag(inv(JᵀJ)) * 2 cost / (m - n)).
- Two targets sharing parameters: y1 = a*exp(-k*t), y2 = a*exp(-2*k*t) + c on 15 rows of
  TWO; least_squares(method="lm") on both residual vectors stacked gives the parameters and cost,
  and sqrt(diag(inv(JᵀJ)) * 2 cost / (2*15 - 3)) the standard errors.
"""
import numpy as np
from scipy.optimize import curve_fit, least_squares

T12 = np.arange(12) * 0.5
Y12 = np.array([3.23, 2.8317699410626447, 2.602045551704294, 2.254070379054433, 2.082029090235066,
                1.9009163818525368, 1.6864241493514978, 1.6148443727778883, 1.4429855297805052,
                1.348100651614729, 1.2778254003710745, 1.1301247715518852])
T20 = np.arange(20) * 0.3
Y20 = 2.5 * np.exp(-0.3 * T20) + 0.7 + 0.01 * np.sin(7 * T20)
Y20[[3, 9, 15]] += [1.5, -1.0, 2.0]

T15 = np.arange(15) * 0.4
DEV = np.array([0.02, -0.01, 0.03, -0.02, 0.0, 0.01, -0.03, 0.02, -0.01, 0.01, 0.0, -0.02, 0.01, 0.02, -0.01])
Y1 = 3.0 * np.exp(-0.5 * T15) + DEV
Y2 = 3.0 * np.exp(-1.0 * T15) + 0.4 - DEV[::-1]

TOL = dict(ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=100000)


def model(t, a, k, c):
    return a * np.exp(-k * t) + c


def residual(p, t, y):
    return model(t, *p) - y


def literal(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


bounded = least_squares(residual, [1, 0.1, 0], args=(T12, Y12), bounds=([-np.inf, 0, -np.inf], [np.inf, 10, 0.5]), method="trf", **TOL)
held, cov = curve_fit(lambda t, a, k: model(t, a, k, 0.5), T12, Y12, p0=bounded.x[:2], method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
print("bounded parameters", literal(bounded.x), "cost", repr(bounded.cost))
print("bounded errors (a, k)", literal(np.sqrt(np.diag(cov))), "held fit", literal(held))
print("y20", literal(Y20))
for loss in ["linear", "soft_l1", "huber", "cauchy", "arctan"]:
    fit = least_squares(residual, [2, 0.2, 0.5], args=(T20, Y20), loss=loss, f_scale=0.1, method="trf", **TOL)
    J = fit.jac
    errors = np.sqrt(np.diag(np.linalg.inv(J.T @ J)) * 2 * fit.cost / (len(Y20) - 3))
    print(loss, "parameters", literal(fit.x), "cost", repr(fit.cost), "errors", literal(errors), fit.status)


def two_targets(p):
    a, k, c = p
    return np.concatenate([a * np.exp(-k * T15) - Y1, a * np.exp(-2 * k * T15) + c - Y2])


two = least_squares(two_targets, [1, 0.1, 0], method="lm", **TOL)
errors = np.sqrt(np.diag(np.linalg.inv(two.jac.T @ two.jac)) * 2 * two.cost / (30 - 3))
print("two-target rows", [(repr(float(t)), repr(float(a)), repr(float(b))) for t, a, b in zip(T15, Y1, Y2)])
print("two-target parameters", literal(two.x), "cost", repr(two.cost), "errors", literal(errors))
