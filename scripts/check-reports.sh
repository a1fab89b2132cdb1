#!/usr/bin/env bash
# make report-check: every shipped experiment's report.html loaded in a real browser (headless
# Chromium). Installs Debian's chromium when it is missing and fails when it cannot (a check that
# skips without its browser checks nothing). First a self-test: the checker must find the problem
# in each broken fixture of Tests/Fixtures/report-check and none in clean.html. Then runs each
# experiment with the release binary into a scratch folder, loads its report.html and fails on any
# console error or warning, uncaught exception or failed resource load (scripts/report_check.py);
# saves a full-page screenshot of each. The bundles are not touched.
#
#   scripts/check-reports.sh                      # every experiments/*.yaml
#   scripts/check-reports.sh seed-lm crossover    # or EXPERIMENTS="seed-lm crossover"
#
# Writes $RESULTS/report-check (default results/report-check): bundles/NAME/... and
# screenshots/NAME.png, both replaced on every run. JACOBENCH names the binary
# (default .build/release/jacobench, `make release`).
set -euo pipefail
cd "$(dirname "$0")/.."
jacobench=${JACOBENCH:-.build/release/jacobench}
out=${RESULTS:-results}/report-check
fixtures=Tests/Fixtures/report-check

if [[ $# -gt 0 ]]; then
    experiments=("$@")
else
    read -r -a experiments <<<"${EXPERIMENTS:-}"
    if [[ ${#experiments[@]} -eq 0 ]]; then
        experiments=(experiments/*.yaml)
    fi
fi

# The browser (and the Python that drives it): Debian's packages, installed when missing.
if ! command -v chromium >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
    echo "report-check: installing Debian's chromium" >&2
    scripts/ensure-packages.sh chromium python3 ||
        { echo "report-check: FAILED: could not install Debian's chromium (see above); the reports are not checked" >&2; exit 1; }
fi
if ! command -v chromium >/dev/null 2>&1; then
    echo "report-check: FAILED: no chromium on PATH after installing Debian's chromium; the reports are not checked" >&2
    exit 1
fi
[[ -x "$jacobench" ]] || { echo "report-check: no $jacobench: run make release first" >&2; exit 1; }
echo "report-check: $(chromium --version 2>/dev/null | tail -1)"

# Self-test: the check must be able to fail.
echo "report-check: self-test on $fixtures (each broken page must show its problem, clean.html none)"
if ! scripts/report_check.py --expect-problems \
    "$fixtures/console-error.html" "$fixtures/missing-image.html" \
    "$fixtures/uncaught-exception.html" "$fixtures/svg-nan.html"; then
    echo "report-check: FAILED: the self-test's broken pages were not all caught" >&2
    exit 1
fi
if ! scripts/report_check.py "$fixtures/clean.html"; then
    echo "report-check: FAILED: the self-test's clean page did not pass" >&2
    exit 1
fi
echo "report-check: self-test passed: the broken fixtures fail, the clean one passes"

# The shipped experiments, each into its own scratch results folder.
rm -rf "$out/bundles" "$out/screenshots"
mkdir -p "$out/bundles" "$out/screenshots"
names=()
reports=()
started=$SECONDS
for experiment in "${experiments[@]}"; do
    [[ "$experiment" == */* || "$experiment" == *.yaml ]] || experiment=experiments/$experiment.yaml
    [[ -f "$experiment" ]] || { echo "report-check: no manifest $experiment" >&2; exit 1; }
    name=$(basename "$experiment" .yaml)
    echo "report-check: running $experiment"
    begun=$SECONDS
    if ! "$jacobench" run "$experiment" --results "$out/bundles/$name" >"$out/bundles/$name.log" 2>&1; then
        tail -20 "$out/bundles/$name.log" >&2
        echo "report-check: FAILED: jacobench run $experiment (log: $out/bundles/$name.log)" >&2
        exit 1
    fi
    written=("$out/bundles/$name"/*/latest/report.html)
    [[ -f "${written[0]}" ]] || { echo "report-check: FAILED: $experiment wrote no report.html" >&2; exit 1; }
    report=${written[0]}
    echo "report-check: $name ran in $((SECONDS - begun)) s"
    names+=("$name")
    reports+=("$report")
done
echo "report-check: ${#names[@]} experiments ran in $((SECONDS - started)) s"

# IFS=, joins the names for --names.
if ! (IFS=,; scripts/report_check.py --screenshots "$out/screenshots" --names "${names[*]}" "${reports[@]}"); then
    echo "report-check: FAILED (the lines above name each problem)" >&2
    exit 1
fi
echo "report-check: ${#names[@]} reports load without a console error or failed load; screenshots in $out/screenshots"
