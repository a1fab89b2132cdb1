# Jacobench. `make run EXP=seed-lm` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_BIN := .build/release/jacobench
EXP ?= seed-lm
DIR ?= experiments
RESULTS ?= results
JOBS ?= 1
TASKS ?= 4
THREADS ?=
DIFF_ARGS ?=
THREADS_OPTION := $(if $(THREADS),--threads $(THREADS))

.PHONY: deps build release run batch diff test bench peers wide-peers lm-seeds fuzz slurm test-slurm list clean cost-model-check nist-matrix alloc-check report-check

deps:
	@scripts/ensure-packages.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product jacobench

## make run EXP=name [THREADS=n]: release build, then run experiments/name.yaml
## (1 BLAS thread unless THREADS or OPENBLAS_NUM_THREADS says otherwise, as a plain `jacobench run`).
run: release
	$(RELEASE_BIN) run experiments/$(EXP).yaml --results $(RESULTS) $(THREADS_OPTION)

## make batch DIR=experiments [THREADS=n]: every manifest of a directory.
batch: release
	$(RELEASE_BIN) batch $(DIR) --results $(RESULTS) --jobs $(JOBS) $(THREADS_OPTION)

## make diff EXP=name (two latest runs) or make diff A=bundle B=bundle [DIFF_ARGS="--all --format markdown"].
diff: release
	@if [[ -n "$(A)" && -n "$(B)" ]]; then $(RELEASE_BIN) diff "$(A)" "$(B)" $(DIFF_ARGS); \
	else $(RELEASE_BIN) diff --latest $(RESULTS)/$(EXP) $(DIFF_ARGS); fi

## make fuzz [FUZZ_SECONDS=60] [FUZZ_JOBS=1] [FUZZ_TARGETS="manifest formula nist csv bundle safetensors"]:
## libFuzzer with AddressSanitizer on every linked module (C kernels included) for the manifest
## pipeline end to end, the formula parser, the NIST loader, the CSV reader and the bundle readers.
fuzz: deps
	swift build --product jacobench
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} Fuzz/run.sh

## make test: the whole Swift Testing suite (debug build).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## make bench: the engine's benchmark, every Jacobian strategy in forward-pass units (release, one thread).
bench: deps
	$(SWIFT) build -c release --product JacobianBenchmark
	OPENBLAS_NUM_THREADS=1 .build/release/JacobianBenchmark

## make alloc-check: heap allocations per Levenberg-Marquardt iteration (valgrind DHAT, release):
## seed-lm, a formula model and the scale network fitted for K and 2K iterations must allocate alike.
alloc-check: deps
	scripts/alloc-check.sh

## make slurm DIR=experiments TASKS=4: submit a directory as a SLURM job array.
slurm: release
	contrib/slurm/submit.sh $(DIR) $(TASKS) $(RESULTS)

## make test-slurm: a one-node SLURM started here runs a small directory as a job array.
test-slurm: release
	scripts/test-slurm.sh

## make peers [EXP=seed-lm] [PEERS_CASE_ID=id]: the peers on one case of experiments/EXP.yaml (default
## its first), one CPU, in a venv (.peers-venv: CPU-only torch, JAX, SciPy, lmfit, jaxopt, optimistix).
## An MLP case: the Jacobian benchmark (peers/peer_benchmark.py), then the fitting peers
## (peers/fit_peers.py) with the torch check of results/EXP/latest's weights.safetensors when that
## bundle exists; a formula case: the fitting peers. Skipped with a message without Python.
PEERS_VENV ?= .peers-venv
PEERS_CASE_ID ?=
PEERS_STEM := $(RESULTS)/peers/$(EXP)$(if $(PEERS_CASE_ID),.$(subst =,-,$(PEERS_CASE_ID)))
PEERS_CASE ?= $(PEERS_STEM).case.json
PEERS_OUT ?= $(PEERS_STEM).peers.json
PEERS_FIT_OUT ?= $(PEERS_STEM).fit-peers.json
PEERS_BUNDLE ?= $(RESULTS)/$(EXP)/latest
PEERS_ARGS ?=
PEERS_FIT_ARGS ?=
PEERS_PIN := $(shell command -v taskset >/dev/null 2>&1 && echo taskset -c 0)
PEERS_RUN := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PEERS_PIN) $(PEERS_VENV)/bin/python

peers: release
	@if peers/setup-venv.sh $(PEERS_VENV); then \
	  mkdir -p $(dir $(PEERS_CASE)) && \
	  if ! OPENBLAS_NUM_THREADS=1 $(PEERS_PIN) $(RELEASE_BIN) export-case experiments/$(EXP).yaml $(if $(PEERS_CASE_ID),--case '$(PEERS_CASE_ID)') --out $(PEERS_CASE); then \
	    echo "peers: 'jacobench export-case experiments/$(EXP).yaml' failed; generating a $(EXP)-shaped case with peers/make_case.py"; \
	    $(PEERS_VENV)/bin/python peers/make_case.py --preset $(EXP) --jacobian --out $(PEERS_CASE); \
	  fi && \
	  kind=$$($(PEERS_VENV)/bin/python -c 'import json, sys; print(json.load(open(sys.argv[1])).get("kind", "mlp"))' $(PEERS_CASE)) && \
	  status=0 && bundle=() && \
	  if [[ $$kind == mlp ]]; then \
	    $(PEERS_RUN) peers/peer_benchmark.py $(PEERS_CASE) --out $(PEERS_OUT) $(PEERS_ARGS) || status=$$?; \
	    if [[ -d $(PEERS_BUNDLE)/cases ]]; then bundle=(--bundle $(PEERS_BUNDLE) $(if $(PEERS_CASE_ID),--bundle-case '$(PEERS_CASE_ID)')); \
	    else echo "peers: no bundle at $(PEERS_BUNDLE) for the weights check (make run EXP=$(EXP) writes one)"; fi; \
	  fi; \
	  $(PEERS_RUN) peers/fit_peers.py $(PEERS_CASE) "$${bundle[@]}" --out $(PEERS_FIT_OUT) $(PEERS_FIT_ARGS) || status=$$?; \
	  exit $$status; \
	else echo "make peers: skipped (reason above)"; fi

## make wide-peers [WIDE_EXP=wide] [WIDE_CAP=120] [WIDE_SET="--set data.layers=[1,64,64,1] --set model.layers=[1,64,64,1]"]
## [WIDE_PEERS_ARGS="--threads 1,all --only optimistix"]: the matrix-free Levenberg-Marquardt peers
## (peers/wide_peers.py: optimistix LM with lx.Normal(lx.CG) and lx.LSMR, jaxopt LM as shipped and with a
## chunked diag(JᵀJ), SciPy trf + lsmr on jax.jvp/jax.vjp, JAX's JᵀJ·v) on experiments/WIDE_EXP.yaml's
## case against jacobench's own fit of the same manifest (jacobench run, solver.max-time = WIDE_CAP);
## one CPU, each solver capped at WIDE_CAP seconds. Minutes of wall time: not part of make test.
WIDE_EXP ?= wide
WIDE_SET ?=
WIDE_CAP ?= 120
WIDE_PEERS_ARGS ?=
WIDE_NAME ?= $(WIDE_EXP)$(if $(strip $(WIDE_SET)),.set-$(shell printf '%s' '$(WIDE_SET)' | cksum | cut -d' ' -f1))
WIDE_CASE ?= $(RESULTS)/peers/$(WIDE_NAME).case.json
WIDE_OUT ?= $(RESULTS)/peers/$(WIDE_NAME).wide-peers.json

wide-peers: release
	@set -f -o pipefail; \
	if peers/setup-venv.sh $(PEERS_VENV); then \
	  mkdir -p $(RESULTS)/peers && \
	  OPENBLAS_NUM_THREADS=1 $(PEERS_PIN) $(RELEASE_BIN) export-case experiments/$(WIDE_EXP).yaml $(WIDE_SET) --out $(WIDE_CASE) && \
	  echo "wide-peers: jacobench's own fit (jacobench run experiments/$(WIDE_EXP).yaml $(WIDE_SET) --set solver.max-time=$(WIDE_CAP))" && \
	  bundle=$$(OPENBLAS_NUM_THREADS=1 $(PEERS_PIN) $(RELEASE_BIN) run experiments/$(WIDE_EXP).yaml $(WIDE_SET) --set solver.max-time=$(WIDE_CAP) --results $(RESULTS) | tail -n 1) && \
	  echo "wide-peers: jacobench's bundle: $$bundle" && \
	  $(PEERS_RUN) peers/wide_peers.py $(WIDE_CASE) --cap $(WIDE_CAP) --bundle "$$bundle" --out $(WIDE_OUT) $(WIDE_PEERS_ARGS); \
	else echo "make wide-peers: skipped (reason above)"; fi

## make lm-seeds [EXP=seed-lm] [SEEDS=1-20] [LM_SEEDS_ARGS="--damping nielsen --repeats 3"]: SciPy's
## least_squares(method="lm") on each seed of experiments/EXP.yaml (peers' venv), then jacobench's
## default LM, each other damping rule and each `--variant "label: key=value, …"` of solver
## settings (and with `--jaxopt` jaxopt's LM) to SciPy's final cost: which reach it, in how many
## iterations and how much sooner (scripts/lm_seed_study.py; minutes, one CPU).
SEEDS ?= 1-20
LM_SEEDS_ARGS ?=
lm-seeds: release
	@if peers/setup-venv.sh $(PEERS_VENV); then \
	  scripts/lm_seed_study.py --jacobench $(RELEASE_BIN) --python $(PEERS_VENV)/bin/python \
	    --experiment experiments/$(EXP).yaml --seeds $(SEEDS) --out $(RESULTS)/lm-seeds/$(EXP).json $(LM_SEEDS_ARGS); \
	else echo "make lm-seeds: skipped (reason above)"; fi

list: release
	$(RELEASE_BIN) list

## make nist-matrix: every shipped NIST problem × both starts × every LM linear solver (192 cases, release).
nist-matrix: release
	$(RELEASE_BIN) run experiments/nist-solvers.yaml --results $(RESULTS)

## make cost-model-check: release build, crossover, seed-lm and seed-input at one thread, then the
## cost model's predicted against measured forward-pass units per strategy and case; fails when an
## exact strategy is off by more than 2x (after speed work, refit NetworkCostTable's constants).
cost-model-check: release
	scripts/cost_model_check.py --jacobench $(RELEASE_BIN) --results $(RESULTS)/cost-model-check

## make report-check [EXPERIMENTS="seed-lm crossover"]: every shipped experiment's report.html in headless
## Chromium (Debian's chromium, installed when missing): fails on any console error, uncaught exception
## or failed load, after a self-test on broken fixtures; screenshots in $(RESULTS)/report-check/screenshots.
report-check: release
	RESULTS=$(RESULTS) JACOBENCH=$(RELEASE_BIN) EXPERIMENTS="$(EXPERIMENTS)" scripts/check-reports.sh

clean:
	rm -rf .build
