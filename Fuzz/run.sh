#!/usr/bin/env bash
# make fuzz: libFuzzer targets for the manifest pipeline end to end (decode, validate, plan),
# the formula parser, the NIST loader, the CSV reader and the bundle JSON readers.
#
# Every module the targets link — Swift modules, the C kernels and swift-crypto — is built
# with AddressSanitizer and libFuzzer's coverage (`swift build --build-path .build/fuzz`),
# then each target links against those objects. Each runs FUZZ_SECONDS (default 60) of CPU
# on its seed corpus (real manifests, data files, bundles) with -malloc_limit_mb above the
# manifest target's own memory budget (256 MiB) and -rss_limit_mb; FUZZ_JOBS targets run at
# once (default 1). File paths stay in a sandbox folder under .build/fuzz/sandbox.
# Crashes, OOMs and timeouts are left in .build/fuzz/<target>/ (crash-*, oom-*, timeout-*);
# each becomes a regression test. Exit 1 when any target found one.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
TARGETS=${FUZZ_TARGETS:-"manifest formula nist csv bundle safetensors"}
export SWIFT_BACKTRACE=enable=no
out=.build/fuzz; debug=$out/debug
# swiftc keeps only the last -sanitize= it is given, so both sanitizers go in one flag (given
# as two, the library was built with AddressSanitizer but without the coverage libFuzzer
# steers by, until 2026-12-06).
flags=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
       -Xcc -fsanitize=fuzzer-no-link -Xcc -fsanitize=address)
swift build --build-path "$out" --target Pipeline "${flags[@]}" >/dev/null
for probe in "$debug/Pipeline.build/ExperimentPlan.swift.o" "$debug/FormulaModels.build/FormulaParser.swift.o"; do
    sections=$(objdump -h "$probe")
    if [[ $sections != *__sancov_cntrs* || $sections != *asan_globals* ]]; then
        echo "fuzz: $probe lacks coverage or AddressSanitizer instrumentation" >&2
        exit 2
    fi
done
mkdir -p "$out/sandbox"

# Every object of the library modules (not executables, examples or tests).
objects=()
for folder in "$debug"/*.build; do
    name=$(basename "$folder" .build)
    case "$name" in
        *Tests|JacobenchCLI|JacobianBenchmark|AllocationProbe|*Example|Jacobench|*-tool|PropertyBased|ArgumentParser*) continue ;;
    esac
    while IFS= read -r -d '' object; do
        # An object whose source file no longer exists (renamed or deleted since the last fuzz
        # build) is stale: linking it would define its symbols twice. Sources a build-tool
        # plugin generated (BuildStamp+Generated.swift) are in the plugins' output folder.
        if [[ -d Sources/$name ]]; then
            source=$(basename "$object" .o)
            [[ -n $(find "Sources/$name" "$out/plugins/outputs" -name "$source" -print -quit 2>/dev/null) ]] || continue
        fi
        objects+=("$object")
    done < <(find "$folder" -name '*.o' -print0)
done

# Clang module maps SwiftPM generated for the C targets (kernels, swift-crypto's BoringSSL).
maps=()
for map in "$debug"/*.build/module.modulemap; do maps+=(-Xcc "-fmodule-map-file=$map"); done

build() {
    local name=$1 source=$2
    swiftc -sanitize=fuzzer,address -parse-as-library -module-name "${name//-/_}" \
        -I "$debug/Modules" -I Sources/CYAML -I Sources/CBLASLapack \
        -I .build/checkouts/swift-numerics/Sources/_NumericsShims/include \
        -I Sources/CNumericKernels/include "${maps[@]}" \
        "$source" "${objects[@]}" -lopenblas -llapacke -lyaml -o "$out/$name" 2>&1 \
        | { grep -v "Cannot export local symbol" || true; }
}

seed() { local dir=$1; shift; mkdir -p "$dir"; for file in "$@"; do [[ -f $file ]] && cp "$file" "$dir/" || true; done; }
seed "$out/manifest/corpus" experiments/*.yaml peers/*.yaml Tests/Fixtures/bad-inputs/*.yaml
seed "$out/nist/corpus" data/nist/*.dat Tests/Fixtures/nist/*.dat Tests/Fixtures/bad-inputs/*.dat
seed "$out/csv/corpus" $(find Tests/Fixtures -name "*.csv")
mkdir -p "$out/bundle/corpus"
mkdir -p "$out/formula/corpus"

grep -h "^ *y = " Tests/Fixtures/nist/*.dat | sed 's/^ *//; s/ *+ *e *$//' | split -l 1 - "$out/formula/corpus/nist-"
# A small bundle of each shipped kind, so the bundle target starts from real files.
if ! ls "$out/bundle/corpus"/*.json >/dev/null 2>&1; then
    .build/debug/jacobench run experiments/optimizers.yaml --results "$out/sandbox/results" >/dev/null 2>&1 || true
    for file in "$out"/sandbox/results/optimizers/2*/{summary,status,resolved}.json; do
        cp "$file" "$out/bundle/corpus/$(basename "$(dirname "$file")")-$(basename "$file")"
    done
fi

# Real weights files (the optimizers run's fitted networks) seed the safetensors target.
mkdir -p "$out/safetensors/corpus"
if ! ls "$out/safetensors/corpus"/* >/dev/null 2>&1; then
    .build/debug/jacobench run experiments/seed-lm.yaml --results "$out/sandbox/weights" >/dev/null 2>&1 || true
    n=0
    for file in "$out"/sandbox/weights/*/2*/cases/*/weights.safetensors; do
        [[ -f $file ]] && cp "$file" "$out/safetensors/corpus/weights-$((n += 1)).safetensors"
    done
fi

export FUZZ_SANDBOX=$PWD/$out/sandbox
export FUZZ_NIST_FILE=$PWD/Tests/Fixtures/nist/Misra1a.dat
status=0
run() {
    local target=$1
    local source
    case $target in
        manifest) source=Fuzz/ManifestFuzz.swift ;; formula) source=Fuzz/FormulaFuzz.swift ;;
        nist) source=Fuzz/NISTFuzz.swift ;; csv) source=Fuzz/CSVFuzz.swift ;; bundle) source=Fuzz/BundleFuzz.swift ;;
        safetensors) source=Fuzz/SafetensorsFuzz.swift ;;
        *) echo "fuzz: unknown target $target" >&2; return 1 ;;
    esac
    build "$target-fuzz" "$source"
    echo "fuzz: $target for ${SECONDS_EACH}s"
    (cd "$out/$target" && ASAN_OPTIONS=detect_leaks=0 /usr/bin/time -f "cpu seconds: %U user + %S system" \
        ../$target-fuzz -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -max_len=20000 -timeout=30 -print_final_stats=1 corpus > log.txt 2>&1) || true
    grep -E "stat::number_of_executed_units|DONE|ERROR|SUMMARY|Test unit written|cpu seconds" "$out/$target/log.txt" | sed "s/^/$target: /" || true
}
pids=()
for target in $TARGETS; do
    run "$target" &
    pids+=($!)
    while (( $(jobs -rp | wc -l) >= JOBS )); do sleep 1; done
done
wait
for target in $TARGETS; do
    if ls "$out/$target"/crash-* "$out/$target"/oom-* "$out/$target"/timeout-* >/dev/null 2>&1; then status=1; fi
done
exit $status
