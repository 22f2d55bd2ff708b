#!/bin/bash
# A comparison on a real Slurm: starts slurmctld and slurmd from Debian's slurm-wlm on this
# machine (generated slurm.conf in a temporary directory, auth/none, free ports, one node with
# this machine's CPUs), submits the script `gradplug compare --emit slurm` prints with
# `sbatch --wait`, merges with `gradplug report`, and checks the merged table equals a local
# `compare` of the same config and seeds. Then it stops the daemons it started, by their process
# ids, and removes its directory.
#
# usage: slurm_test.sh GRADPLUG_BINARY SOURCE_DIR     (exit 77: skipped, slurm-wlm not here)
set -euo pipefail
gradplug=$(realpath "$1")
source_dir=$(realpath "$2")

for tool in slurmctld slurmd sbatch sinfo; do
  if ! command -v "$tool" > /dev/null; then
    echo "SKIPPED: $tool not found; slurm-wlm is not installed (bash .ci/setup installs it)"
    exit 77
  fi
done

work=$(mktemp -d /tmp/gradplug-slurm-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Two free ports: nothing answers on them now.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
      echo "$port"
      return
    fi
  done
}
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done

user=$(id -un)
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF=$work/slurm.conf
cat > "$SLURM_CONF" << CONF
ClusterName=gradplugtest
SlurmctldHost=$(uname -n | cut -d. -f1)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/none
CredType=cred/none
SlurmUser=$user
SlurmdUser=$user
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=gradplugnode NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=gradplugnode Default=YES MaxTime=INFINITE State=UP
CONF

# In the foreground (-D), as our own children, so their process ids are known for the stop.
slurmctld -D -f "$SLURM_CONF" > "$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N gradplugnode > "$work/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 120); do
  state=$(sinfo -h -n gradplugnode -o %T 2> /dev/null || true)
  [ "$state" = "idle" ] && break
  if [ "$i" = 120 ]; then
    echo "FAILED: the node did not come up (state '$state'); logs:"
    tail -n 20 "$work"/*.log "$work"/*.out
    exit 1
  fi
  sleep 0.5
done
echo "slurm is up: slurmctld pid ${pids[0]} port $ctld_port, slurmd pid ${pids[1]} port $slurmd_port"

cd "$work"
comparison=("$source_dir/configs/moons.yaml" --optimizers sgd,rmsprop,adam:lr=0.01 --seeds 3
  --set training.steps=60)

start=$(date +%s%N)
"$gradplug" compare "${comparison[@]}" --out "$work/local" --format csv > local.csv
local_ms=$((($(date +%s%N) - start) / 1000000))

"$gradplug" compare "${comparison[@]}" --out "$work/cluster" --emit slurm --shards 3 \
  --time 0:10:00 > job.sbatch
echo "--- the emitted script ---"
cat job.sbatch
echo "--------------------------"
start=$(date +%s%N)
if ! timeout 300 sbatch --parsable --wait job.sbatch > job.id; then
  echo "FAILED: the job array did not succeed; task logs:"
  tail -n 20 "$work"/cluster/logs/* "$work"/slurmd.log
  exit 1
fi
slurm_ms=$((($(date +%s%N) - start) / 1000000))
job_id=$(cut -d';' -f1 job.id)
# The tasks' own span, from the controller (whole seconds), apart from sbatch --wait's polling.
span=$(scontrol -o show job "$job_id" | tr ' ' '\n' |
  sed -n 's/^\(SubmitTime\|StartTime\|EndTime\)=//p' | sort | sed -n '1p;$p' | tr '\n' ' ')
logs=$(ls "$work"/cluster/logs/slurm-*_*.out | wc -l)
if [ "$logs" != 3 ]; then
  echo "FAILED: expected 3 array task logs, found $logs"
  exit 1
fi
"$gradplug" report "$work/cluster" --format csv > merged.csv
"$gradplug" report "$work/cluster"

# Column 10 is train_seconds_mean, a timing; everything else must be equal.
if ! diff <(cut -d, -f1-9,11- local.csv) <(cut -d, -f1-9,11- merged.csv); then
  echo "FAILED: the merged table differs from the local compare"
  exit 1
fi
runs=$(grep -c . "$work/cluster/compare.csv")
echo "PASSED: the Slurm job array's merged table equals the local compare ($((runs - 1)) runs);" \
  "local compare ${local_ms} ms; Slurm job $job_id: sbatch --wait returned after ${slurm_ms} ms," \
  "first submit and last end: $span"
