#!/usr/bin/env bash
# make fuzz: builds three libFuzzer targets (YAML decoder, formula parser, NIST loader) with
# swiftc -sanitize=fuzzer,address and runs each for FUZZ_SECONDS (default 60). The instrumented
# sources are compiled here; the modules they import are linked from the debug build.
# Crashes are left in .build/fuzz/<target>/ as crash-*; add each as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
export SWIFT_BACKTRACE=enable=no
swift build --product jacobench >/dev/null
out=.build/fuzz; debug=.build/debug
mkdir -p "$out"
build() { local name=$1 module=$2; shift 2; swiftc -sanitize=fuzzer,address -parse-as-library -module-name "$module" \
    -I "$debug/Modules" -I Sources/CYAML -I Sources/CBLASLapack -I .build/checkouts/swift-numerics/Sources/_NumericsShims/include \
    "$@" -o "$out/$name" 2>&1 | { grep -v "Cannot export local symbol" || true; }; }
objects() { for m in "$@"; do ls "$debug/$m.build/"*.o; done; }

build yaml-fuzz YAMLDecoding Sources/YAMLDecoding/*.swift Fuzz/YAMLFuzz.swift -lyaml
build formula-fuzz FormulaModels Sources/FormulaModels/Formula{Lexer,Parser,Syntax,ParseError,Declarations}.swift Fuzz/FormulaFuzz.swift \
    $(objects RealModule ComplexModule Numerics)
build nist-fuzz Datasets Sources/Datasets/NIST*.swift Sources/Datasets/Dataset.swift Sources/Datasets/DatasetSplit.swift Fuzz/NISTFuzz.swift \
    $(objects FormulaModels LinearAlgebra Jacobians NeuralNetworks RealModule ComplexModule Numerics) -lopenblas -llapacke

seed() { local dir=$1; shift; mkdir -p "$dir"; cp "$@" "$dir/" 2>/dev/null || true; }
seed "$out/yaml/corpus" experiments/*.yaml Tests/Fixtures/bad-inputs/m*.yaml
seed "$out/nist/corpus" Tests/Fixtures/nist/*.dat Tests/Fixtures/bad-inputs/n*.dat
mkdir -p "$out/formula/corpus"
grep -h "^ *y = " Tests/Fixtures/nist/*.dat | sed 's/^ *//; s/ *+ *e *$//' | split -l 1 - "$out/formula/corpus/nist-"

status=0
for target in yaml formula nist; do
    echo "fuzz: $target for ${SECONDS_EACH}s"
    (cd "$out/$target" && ../$target-fuzz -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=20000 corpus 2>&1 \
        | grep -E "DONE|ERROR|SUMMARY|Test unit written") || status=1
    if ls "$out/$target"/crash-* "$out/$target"/oom-* "$out/$target"/timeout-* >/dev/null 2>&1; then status=1; fi
done
exit $status
