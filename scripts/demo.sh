#!/usr/bin/env bash
# The demo on embedded defaults (a folder as the object store, SQLite, a development key):
# generate sample scans, digitise them, verify one signed result.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"
rm -rf demo
sohoa samples demo/samples --count 6 --seed 7
sohoa digitise demo/samples/scans --data demo/data --agency 000.17.22.H56 || [ $? -eq 7 ]
result=$(find demo/data/objects/results -name '*.pdf' | sort | head -n 1)
sohoa verify "$result" --data demo/data
echo "pdftotext of $result:"; pdftotext -l 1 "$result" - | head -n 15
