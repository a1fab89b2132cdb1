"""Writes a NIST StRD nonlinear regression file in NIST's exact layout.

Line numbers follow NIST's convention: the parameter table starts on line 41, the data
block on line 61 (the header 'Data:  y  x' is line 60).
"""

def sci(v):
    return "%.10E" % v

def layout(name, description, reference, data_info, model_class, parameter_line, formula,
           rows, rss, rsd, dof, nobs, columns, data_rows):
    k = len(rows)
    start_first, start_last = 41, 41 + k - 1
    cert_last = start_last + 1 + 4
    data_first, data_last = 61, 61 + len(data_rows) - 1
    if cert_last >= 59:
        data_first = cert_last + 14
        data_last = data_first + len(data_rows) - 1
    pad = lambda a, b: f"(lines {a} to {b:>{max(2, len(str(data_last)))}})" if len(str(data_last)) > 2 else f"(lines {a} to {b})"
    lines = [
        "NIST/ITL StRD",
        f"Dataset Name:  {name:<17} ({name}.dat)",
        "",
        "File Format:   ASCII",
        f"               Starting Values   {pad(start_first, start_last)}",
        f"               Certified Values  {pad(start_first, cert_last)}",
        f"               Data              {pad(data_first, data_last)}",
        "",
        "Procedure:     Nonlinear Least Squares Regression",
        "",
    ]
    def block(label, texts):
        out = []
        for i, t in enumerate(texts):
            out.append((f"{label:<15}" if i == 0 else " " * 15) + t if t else "")
        return out
    lines += block("Description:", description) + [""]
    lines += block("Reference:", reference) + [""]
    top = block("Data:", data_info) + [""] + block("Model:", [model_class, parameter_line]) + [""]
    top += [" " * 15 + f for f in formula]
    if len(lines) + len(top) > 36:
        raise SystemExit(f"{name}: header too long ({len(lines) + len(top)} lines)")
    lines += [""] * (36 - len(lines) - len(top)) + top
    lines += ["", "          Starting values                  Certified Values", "",
              "        Start 1     Start 2           Parameter     Standard Deviation"]
    assert len(lines) == 40, len(lines)
    for (p, s1, s2, c, sd) in rows:
        lines.append(f"  {p} = {s1:>8} {s2:>11}       {c:>17}  {sd}")
    lines.append("")
    lines.append(f"Residual Sum of Squares:                    {rss}")
    lines.append(f"Residual Standard Deviation:                {rsd}")
    lines.append(f"Degrees of Freedom:                         {dof:>6}")
    lines.append(f"Number of Observations:                     {nobs:>6}")
    assert len(lines) == cert_last
    lines += [""] * (data_first - 2 - len(lines))
    lines.append("Data:   " + "".join(f"{c:<15}" for c in columns).rstrip())
    assert len(lines) == data_first - 1
    for row in data_rows:
        lines.append("  " + "".join(f"{v:>14}" for v in row))
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------------------
# SYNTHETIC problems for NIST model forms whose original files are not in this repository.
# Each is generated from the form's model with seeded Gaussian noise; the "certified"
# values are this script's own least-squares solution (scipy MINPACK lm, tolerances 1e-15),
# standard deviations sqrt(diag(s^2 (J^T J)^-1)). They are NOT NIST data.
#   python3 data/nist/synthetic/generate.py data/nist/synthetic
# ---------------------------------------------------------------------------------------
import sys
import numpy as np
from scipy.optimize import least_squares

def g(v):
    return "%.10E" % v

SYNTHETIC = [
    dict(name="Bennett5-synthetic", like="Bennett5", seed=5, model_class="Miscellaneous Class",
         parameter_line="3 Parameters (b1 to b3)", formula=["y = b1 * (b2+x)**(-1/b3)  +  e"],
         truth=[-2523.5058043, 46.736564644, 0.93218483193], starts=[("-2000", "-1500"), ("50", "45"), ("0.8", "0.85")],
         x=lambda rng: np.sort(rng.uniform(7.447168, 11.97, 154)), noise=1.86e-3,
         f=lambda b, x: b[0] * (b[1] + x) ** (-1 / b[2]), level="Higher"),
]

def main(out):
    for p in SYNTHETIC:
        rng = np.random.default_rng(p["seed"])
        x = p["x"](rng)
        y = p["f"](np.array(p["truth"]), x) + p["noise"] * rng.standard_normal(x.size)
        y = np.array([float("%.6E" % v) for v in y])  # the file's precision, so the fit sees the file's data
        x = np.array([float("%.6E" % v) for v in x])
        fit = least_squares(lambda b: p["f"](b, x) - y, p["truth"], method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
        b = np.array([float(g(v)) for v in fit.x])
        r = y - p["f"](b, x)
        n, k = x.size, b.size
        rss = float(r @ r)
        s2 = rss / (n - k)
        J = np.empty((n, k))
        for j in range(k):
            h = 1e-6 * max(abs(b[j]), 1e-8)
            bp, bm = b.copy(), b.copy()
            bp[j] += h
            bm[j] -= h
            J[:, j] = (p["f"](bp, x) - p["f"](bm, x)) / (2 * h)
        sd = np.sqrt(np.diag(s2 * np.linalg.inv(J.T @ J)))
        rows = [(f"b{j + 1}", p["starts"][j][0], p["starts"][j][1], g(b[j]), g(sd[j])) for j in range(k)]
        description = [f"SYNTHETIC DATA, NOT FROM NIST: generated by", "data/nist/synthetic/generate.py in the layout of",
                       f"NIST's {p['like']}, with the same model and seeded Gaussian", "noise.  Certified values are that script's own",
                       "least-squares solution (MINPACK, tolerances 1e-15)."]
        reference = ["Jacobench test fixture (synthetic)."]
        info = ["1 Response  (y)", "1 Predictor (x)", f"{n} Observations", f"{p['level']} Level of Difficulty", "Generated Data"]
        data = [("%.6E" % yv, "%.6E" % xv) for yv, xv in zip(y, x)]
        text = layout(p["name"], description, reference, info, p["model_class"], p["parameter_line"], p["formula"],
                      rows, g(rss), g(np.sqrt(s2)), n - k, n, ["y", "x"], data)
        open(f"{out}/{p['name']}.dat", "w", newline="").write(text)
        print(p["name"], "rss", g(rss), "params", [g(v) for v in b])

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
