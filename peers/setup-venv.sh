#!/usr/bin/env bash
# Creates (or refreshes) the peers' virtual environment: CPU-only torch, JAX, SciPy, safetensors,
# and the fitting peers lmfit, jaxopt and optimistix (peers/requirements.txt).
#   peers/setup-venv.sh [VENV]        (default .peers-venv)
# Exit 0: ready. Exit 3: skipped, with the reason on stderr (no Python, no venv module,
# or pip could not install the pinned packages). Nothing else is touched.
set -uo pipefail
venv=${1:-.peers-venv}
here=$(cd "$(dirname "$0")" && pwd)
requirements="$here/requirements.txt"
python=${PEERS_PYTHON:-python3}
# A plain `torch` resolves to the CUDA build (about 20 nvidia-* packages, gigabytes);
# the CPU-only build is a local version that pip finds through its configured
# find-links or an extra index (`pip config list`, PIP_FIND_LINKS, PIP_EXTRA_INDEX_URL).
torch_spec=${PEERS_TORCH:-torch==2.13.0+cpu}

skip() { echo "peers: skipped: $*" >&2; exit 3; }

command -v "$python" >/dev/null 2>&1 ||
    skip "no '$python' on PATH; install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null ||
    skip "'$python' is older than Python 3.11 (optimistix and lineax need 3.11)"

stamp="$venv/.peers-requirements"
wanted=$(cat "$requirements"; echo "$torch_spec")
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    exit 0
fi
if [[ ! -x "$venv/bin/python" ]]; then
    echo "peers: creating $venv" >&2
    "$python" -m venv "$venv" ||
        skip "'$python -m venv $venv' failed (Debian: apt-get install python3-venv)"
fi
echo "peers: installing $torch_spec and $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv" >&2
if ! "$venv/bin/python" -m pip install --quiet "$torch_spec"; then
    skip "pip could not install $torch_spec. The CPU-only wheel must be reachable through pip's
    find-links or an extra index (PyTorch's CPU wheel index, via PIP_EXTRA_INDEX_URL); or set
    PEERS_TORCH=torch to accept the default build with its CUDA packages (several GB)."
fi
"$venv/bin/python" -m pip install --quiet -r "$requirements" ||
    skip "pip could not install $requirements into $venv"
printf '%s\n' "$wanted" > "$stamp"
