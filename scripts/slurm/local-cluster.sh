#!/usr/bin/env bash
# A throwaway single-node Slurm, for testing the batch scripts against a real scheduler:
# munged, slurmctld and slurmd run in the background, configured in a temporary folder
# with their own ports and munge socket, so nothing of a system Slurm or munge is used.
#   scripts/slurm/local-cluster.sh start [DIR]  # prints SLURM_CONF=... and OCTOLAB_SLURM_DIR=... once the node is idle
#   scripts/slurm/local-cluster.sh stop DIR     # stops those daemons and removes DIR
# Then: export SLURM_CONF=DIR/slurm.conf; sbatch ...; squeue ...
# Needs root and the Debian packages slurmctld slurmd slurm-client munge
# (scripts/setup-system.sh installs them). Every wait has a deadline; a failed start stops
# what it started; each daemon runs under `timeout` (OCTOLAB_SLURM_LIFETIME seconds,
# default 1800), so nothing outlives a test that was killed before it could stop them.
set -euo pipefail

NODE=octolab
LIFETIME=${OCTOLAB_SLURM_LIFETIME:-1800}
MARK=.octolab-local-slurm

die() { echo "local-cluster: $*" >&2; exit 1; }

# Runs "$@" until it succeeds or SECONDS_LEFT seconds pass; each try is bounded too.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local end=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$end" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "local-cluster: timed out after ${seconds}s waiting for $what" >&2
  return 1
}

# A process counts as gone when it no longer exists or is a zombie.
alive() {
  local s
  s="$(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ')" || return 1
  [ -n "$s" ] && [ "${s#Z}" = "$s" ]
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts "$@" detached, under timeout, logging to $1; writes the wrapper's pid to $dir/pids/$name.
launch() {
  local name=$1 log=$2; shift 2
  setsid timeout -k 5 "$LIFETIME" "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name"
}

# The daemon under a wrapper (its only child), or the wrapper itself once the child is gone.
daemon_pid() {
  local w c
  w="$(cat "$dir/pids/$1" 2>/dev/null)" || return 1
  c="$(ps -o pid= --ppid "$w" 2>/dev/null | head -n1 | tr -d ' ')"
  echo "${c:-$w}"
}

stop_one() {
  local name=$1 w p end
  w="$(cat "$dir/pids/$name" 2>/dev/null)" || return 0
  p="$(daemon_pid "$name")"
  alive "$p" && kill -TERM "$p" 2>/dev/null || true
  end=$((SECONDS + 10))
  while alive "$p" && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
  if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
  if alive "$w"; then kill -KILL "$w" 2>/dev/null || true; fi
  end=$((SECONDS + 5))
  while { alive "$p" || alive "$w"; } && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
  rm -f "$dir/pids/$name"
}

# Job step daemons of this cluster (they carry its SLURM_CONF and outlive slurmd).
stepds() {
  local p
  for p in $(pgrep -f '^slurmstepd:' 2>/dev/null); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "SLURM_CONF=$dir/slurm.conf" && echo "$p"
  done
  return 0
}

stop_all() {
  local end p
  # Jobs first, while the controller can still cancel them.
  if [ -f "$dir/pids/slurmctld" ]; then
    SLURM_CONF="$dir/slurm.conf" timeout 5 scancel --quiet --full "--user=$(id -un)" 2>/dev/null || true
    end=$((SECONDS + 10))
    while [ -n "$(stepds)" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
  fi
  # slurmd before slurmctld: with its controller gone it ignores SIGTERM.
  stop_one slurmd
  stop_one slurmctld
  stop_one munged
  for p in $(stepds); do kill -KILL "$p" 2>/dev/null || true; done
}

cmd=${1:-}
case "$cmd" in
  start)
    [ "$(id -u)" -eq 0 ] || die "needs root (the daemons run as root and munged as user munge)"
    for b in munged slurmctld slurmd sbatch squeue sinfo timeout setsid runuser; do
      command -v "$b" >/dev/null 2>&1 || die "'$b' not found: install slurmctld slurmd slurm-client munge (scripts/setup-system.sh)"
    done
    [ -r /etc/munge/munge.key ] || die "/etc/munge/munge.key missing (the munge package creates it)"
    dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/octolab-slurm.XXXXXX")}
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    chmod 0755 "$dir" # munged (user munge) must reach its socket folder
    runuser -u munge -- test -x "$dir" || die "user munge cannot reach $dir: every folder above it needs o+x"
    touch "$dir/$MARK"
    mkdir -p "$dir/pids" "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
    chown munge:munge "$dir/munge"
    chmod 0700 "$dir/munge"
    trap 'status=$?; if [ $status -ne 0 ]; then tail -n 20 "$dir"/log/*.log "$dir"/munge/munged.log >&2 2>/dev/null || true; stop_all; fi' EXIT
    base=${OCTOLAB_SLURM_PORT:-$((20000 + (RANDOM % 20000) * 2))}
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      port_free "$base" && port_free $((base + 1)) && break
      base=$((20000 + (RANDOM % 20000) * 2))
    done
    port_free "$base" && port_free $((base + 1)) || die "no free pair of ports found"
    host="$(hostname -s)"
    cpus="$(nproc)"
    cat >"$dir/slurm.conf" <<EOF
ClusterName=octolab-local
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${base}
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=${dir}/munge/munge.socket
CredType=cred/munge
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=3600
KillWait=5
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$dir/slurm.conf"
    launch munged "$dir/log/munged.out" runuser -u munge -- munged -F --force \
      --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
      --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --key-file=/etc/munge/munge.key
    wait_for 10 "munged's socket" test -S "$dir/munge/munge.socket"
    launch slurmctld "$dir/log/slurmctld.out" slurmctld -D -c -f "$SLURM_CONF"
    wait_for 15 "slurmctld" timeout 3 squeue -h
    launch slurmd "$dir/log/slurmd.out" slurmd -D -N "$NODE" -f "$SLURM_CONF"
    idle() { [ "$(timeout 3 sinfo -h -n "$NODE" -o %T 2>/dev/null)" = "idle" ]; }
    wait_for 30 "node $NODE to be idle" idle
    echo "SLURM_CONF=$SLURM_CONF"
    echo "OCTOLAB_SLURM_DIR=$dir"
    ;;
  stop)
    dir=${2:-}
    [ -n "$dir" ] && [ -d "$dir" ] || die "usage: $0 stop DIR (the folder start printed)"
    [ -e "$dir/$MARK" ] || die "$dir was not made by '$0 start'; not touching it"
    stop_all
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start [DIR] | stop DIR" >&2
    exit 2
    ;;
esac
