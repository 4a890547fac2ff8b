#!/usr/bin/env bash
# The study: every experiment of the seed, repeated across paired seeds, plus the ablations,
# the protocol sensitivity and the bit sweep, as planned in src/experiments/study.ts.
# Resumable: runs that reports/results already holds are skipped, so rerunning continues
# where it stopped. `node bin/octolab.js study --status` says what is stored and what is left.
#   bash scripts/study.sh                                   # everything, cheapest step first
#   STUDY_STEPS="cifar10-5 cifar10-20" bash scripts/study.sh # chosen steps, in that order
#   STUDY_ARGS="--workers 2 --out /elsewhere" bash scripts/study.sh
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
steps=()
if [ -n "${STUDY_STEPS:-}" ]; then
  steps=(--steps "$(echo "$STUDY_STEPS" | tr -s ' ' ',' | sed 's/^,//; s/,$//')")
fi
# shellcheck disable=SC2086 # STUDY_ARGS is a list of options
exec node bin/octolab.js study --quiet "${steps[@]}" ${STUDY_ARGS:-}
