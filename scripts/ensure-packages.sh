#!/usr/bin/env bash
# Makes sure the Debian packages Jacobench builds against are installed.
# Quiet and fast when they are; installs them when missing and running as root;
# otherwise prints the exact command and fails.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev libyaml-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]]; then
  echo "jacobench: installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  echo "jacobench: missing Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
