#!/usr/bin/env bash
# Installs everything the tests need, then runs the whole suite.
#   --fast   the unit tests only (pytest -m unit; see tests/kinds.py); other arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then args+=(-m unit); else args+=("$arg"); fi
done
bash scripts/install.sh
.venv/bin/python -m pytest -q ${args[@]+"${args[@]}"}
