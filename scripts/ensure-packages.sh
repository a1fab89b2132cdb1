#!/usr/bin/env bash
# Makes sure Debian packages are installed: the ones Jacobench builds against, or the ones named
# as arguments (scripts/ensure-packages.sh chromium: without its recommended packages). Quiet and fast when they are; installs them
# when missing, as root or through sudo when there is one; otherwise prints the exact command and fails.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev libyaml-dev pkg-config)
options=()
if [[ $# -gt 0 ]]; then packages=("$@"); options=(--no-install-recommends); fi
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "jacobench: missing Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "jacobench: installing Debian packages: ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${options[@]}" "${missing[@]}" >&2
