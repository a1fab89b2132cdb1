#!/usr/bin/env bash
# Submits a directory of manifests as a SLURM job array.
#
#   contrib/slurm/submit.sh EXPERIMENT_DIR TASKS RESULTS_DIR [extra sbatch options…]
#
# TASKS is capped at the number of manifests. Prints sbatch's answer (the job id with
# --parsable). JACOBENCH_BINARY names the jacobench executable (default: the release build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
directory=${1:?usage: submit.sh EXPERIMENT_DIR TASKS RESULTS_DIR [sbatch options]}
tasks=${2:?usage: submit.sh EXPERIMENT_DIR TASKS RESULTS_DIR [sbatch options]}
results=${3:?usage: submit.sh EXPERIMENT_DIR TASKS RESULTS_DIR [sbatch options]}
shift 3
# The same selection as `jacobench batch` (BatchPlan): *.yaml and *.yml, hidden files excluded.
manifests=$(find "$directory" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) ! -name '.*' | wc -l)
(( manifests > 0 )) || { echo "submit.sh: no *.yaml or *.yml manifests in $directory" >&2; exit 2; }
(( tasks > manifests )) && tasks=$manifests
mkdir -p "$results"
directory=$(cd "$directory" && pwd)
results=$(cd "$results" && pwd)
export JACOBENCH_BINARY=${JACOBENCH_BINARY:-$root/.build/release/jacobench}
exec sbatch --array="0-$(( tasks - 1 ))" --output="$results/slurm-%A_%a.out" \
  --chdir="$root" --export=ALL "$@" "$here/jacobench-array.sbatch" "$directory" "$results"
