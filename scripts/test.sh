#!/usr/bin/env bash
# Installs everything the tests need, then runs the whole suite.
#   --fast     the unit tests only (pytest -m unit; see tests/kinds.py)
#   --lowest   the unit tests on the lowest dependency versions pyproject.toml allows
#              (scripts/lowest.txt), in their own virtualenv: $LOWEST_VENV or .venv-lowest
# Other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
lowest=0
for arg in "$@"; do
  case "$arg" in
    --fast) args+=(-m unit) ;;
    --lowest) lowest=1; args+=(-m unit) ;;
    *) args+=("$arg") ;;
  esac
done
if [ "$lowest" = 1 ]; then
  venv=${LOWEST_VENV:-.venv-lowest}
  [ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q -c scripts/lowest.txt -e ".[test]"
  "$venv/bin/python" -m pip check
  exec "$venv/bin/python" -m pytest -q ${args[@]+"${args[@]}"}
fi
bash scripts/install.sh
.venv/bin/python -m pytest -q ${args[@]+"${args[@]}"}
