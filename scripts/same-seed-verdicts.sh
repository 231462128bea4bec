#!/usr/bin/env bash
# Fingerprints the verdicts of a checkout at a fixed seed: the model, every
# mutant (on its own area) and, with --linux, the kernel. A refactor must leave
# the output unchanged: run it before and after and diff the two files.
# JOBS=N runs every IUT with --jobs N: the output must not change with N.
# Usage: [JOBS=N] scripts/same-seed-verdicts.sh [--linux] > verdicts.txt
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${SEED:-11}
runs=${RUNS:-50}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
jobs=(${JOBS:+--jobs "$JOBS"})
run() { ./bin/nfconform run --seed "$seed" --runs "$runs" --corpus none "${jobs[@]}" --out "$out/$1" "${@:2}" >/dev/null 2>&1 || true; }
run model --iut model
for mutant in $(./bin/nfconform list --json | node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8")); for (const m of d.mutants) console.log(m.name)'); do
  run "$mutant" --iut "mutant:$mutant" --area "${mutant%%-*}"
done
if [ "${1:-}" = "--linux" ]; then run linux --iut linux --runs "${LINUX_RUNS:-20}"; fi
node scripts/verdict-fingerprint.mjs "$out"/*/report.json
