#!/usr/bin/env bash
# Submits the study to Slurm: an array job with one task per shard (study.sbatch), and a
# merge job (merge.sbatch) that starts only after every task succeeded
# (--dependency=afterok; --kill-on-invalid-dep=yes cancels it when a task failed).
# Only shards with missing runs are submitted: after a partial failure, rerunning the same
# command redoes only the missing runs. Run from anywhere; paths are taken from here.
#   scripts/slurm/submit.sh --array-size 8 --partition cpu --time 12:00:00 --cpus-per-task 4
#   scripts/slurm/submit.sh --array-size 4 --profile smoke --out /scratch/octolab/results
# Options:
#   --array-size N      shards = array tasks (default 8)
#   --partition NAME    partition of both jobs (default: the cluster's default)
#   --time T            time limit of each array task, as sbatch --time (default: the partition's)
#   --cpus-per-task C   CPUs per task = worker processes per task (default 1)
#   --steps LIST        study steps (default: all)      --profile NAME  full (default) or smoke
#   --out DIR           results directory (default reports/results of the checkout)
#   --data-dir DIR      data directory (default $OCTOLAB_DATA_DIR, else ./data of the checkout)
#   --no-download       never download missing data in the tasks
#   --report            the merge job also rebuilds the reports (into the parent of --out)
#   --no-build          do not run `npm run build` first
# Prints ARRAY_JOB=<id> (absent when every shard is complete) and MERGE_JOB=<id>.
# Other sbatch settings come from the usual SBATCH_* environment variables (e.g. SBATCH_ACCOUNT).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

die() { echo "submit.sh: $*" >&2; exit 2; }
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

shards=8 partition="" time_limit="" cpus=1 steps="" profile=full out="$root/reports/results" data_dir="" build=1 report=0 download=1
while [ $# -gt 0 ]; do
  case "$1" in
    --array-size) shards=${2:?--array-size needs a value}; shift 2 ;;
    --partition) partition=${2:?--partition needs a value}; shift 2 ;;
    --time) time_limit=${2:?--time needs a value}; shift 2 ;;
    --cpus-per-task) cpus=${2:?--cpus-per-task needs a value}; shift 2 ;;
    --steps) steps=${2:?--steps needs a value}; shift 2 ;;
    --profile) profile=${2:?--profile needs a value}; shift 2 ;;
    --out) out="$(abs "${2:?--out needs a value}")"; shift 2 ;;
    --data-dir) data_dir="$(abs "${2:?--data-dir needs a value}")"; shift 2 ;;
    --no-download) download=0; shift ;;
    --report) report=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "--array-size must be a positive integer, got '$shards'"
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "--cpus-per-task must be a positive integer, got '$cpus'"
command -v sbatch >/dev/null 2>&1 || die "sbatch not found (is this a Slurm login node?)"

cd "$root"
[ "$build" -eq 0 ] || npm run build --silent

plan=(--profile "$profile" --out "$out")
[ -z "$steps" ] || plan+=(--steps "$steps")
study=("${plan[@]}")
[ -z "$data_dir" ] || study+=(--data-dir "$data_dir")
[ "$download" -eq 1 ] || study+=(--no-download)

# Which shards still have missing runs (a conflict in the shard files stops here).
pending="$(node bin/octolab.js gather --shards "$shards" --pending "${plan[@]}")" ||
  die "the shard files conflict with the plan (see above); fix or remove them first"

common=(--parsable --chdir="$root")
[ -z "$partition" ] || common+=(--partition="$partition")
logs="$out/shards/logs"
mkdir -p "$logs"

merge_args=()
[ "$report" -eq 0 ] || merge_args+=(--report)
merge_args+=(--shards "$shards" "${plan[@]}")

if [ -z "$pending" ]; then
  echo "all $shards shard(s) complete; submitting the merge job only"
  merge="$(sbatch "${common[@]}" --job-name=octolab-gather --output="$logs/gather-%j.out" \
    scripts/slurm/merge.sbatch "${merge_args[@]}")"
  echo "MERGE_JOB=${merge%%;*}"
  exit 0
fi

task=("${common[@]}" --job-name=octolab-study --array="$pending" --cpus-per-task="$cpus" --output="$logs/study-%A_%a.out")
[ -z "$time_limit" ] || task+=(--time="$time_limit")
array="$(sbatch "${task[@]}" scripts/slurm/study.sbatch --shard "slurm/$shards" "${study[@]}")"
array=${array%%;*}
merge="$(sbatch "${common[@]}" --job-name=octolab-gather --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$logs/gather-%j.out" scripts/slurm/merge.sbatch "${merge_args[@]}")"
echo "array job $array: shard(s) $pending of $shards; merge job ${merge%%;*} after it succeeds; logs in $logs"
echo "ARRAY_JOB=$array"
echo "MERGE_JOB=${merge%%;*}"
