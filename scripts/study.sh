#!/usr/bin/env bash
# The study: every experiment of the seed, repeated across paired seeds, plus the ablations,
# the protocol sensitivity and the bit sweep. Resumable: each step skips the runs that
# reports/results already holds, so rerunning this script continues where it stopped.
# Order: cheapest first, so that an interrupted study leaves complete, useful sets.
#   bash scripts/study.sh            # everything (days on a 2-core machine: CIFAR-10 dominates)
#   STUDY_STEPS="regression mnist" bash scripts/study.sh
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
RUN="node bin/octolab.js run --quiet ${STUDY_ARGS:-}"
steps="${STUDY_STEPS:-regression mnist mnist-protocols mnist-ablations mnist-bits cifar10-5 cifar10-protocols cifar10-20}"
for step in $steps; do
  echo "== $step ($(date -u +%FT%TZ))"
  case "$step" in
    regression)
      $RUN regression --seeds 0-19 --methods float,standard,octization,toward-zero-int,half-even-octal,stochastic,absmax
      $RUN regression --seeds 0-19 --methods standard,octization --protocols projected-epoch,ptq,qat
      $RUN regression --seeds 0-9 --methods standard,octization --bits 2,3,4,6 ;;
    mnist)
      $RUN mnist --seeds 0-9 --methods float,standard,octization ;;
    mnist-protocols)
      $RUN mnist --seeds 0-4 --epochs 5 --methods standard,octization --protocols projected-step,projected-epoch,ptq,qat ;;
    mnist-ablations)
      $RUN mnist --seeds 0-9 --methods toward-zero-int,half-even-octal,stochastic,absmax ;;
    mnist-bits)
      $RUN mnist --seeds 0-4 --methods standard,octization --bits 2,3,4,6 ;;
    cifar10-5)
      $RUN cifar10 --seeds 0-9 --epochs 5 --methods float,standard,octization ;;
    cifar10-protocols)
      $RUN cifar10 --seeds 0-4 --epochs 5 --methods standard,octization --protocols projected-epoch,ptq,qat ;;
    cifar10-20)
      $RUN cifar10 --seeds 0-9 --epochs 20 --methods standard,octization ;;
    *)
      echo "unknown study step '$step'" >&2; exit 2 ;;
  esac
done
