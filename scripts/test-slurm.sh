#!/usr/bin/env bash
# Runs a small experiment directory as a SLURM job array on a one-node SLURM started here,
# then checks with `jacobench collect` that every manifest produced exactly one complete bundle.
#
# Starts munged, slurmctld and slurmd with configuration and state in a temporary folder,
# and stops exactly the daemons it started (by their pid files) whatever happens.
# If SLURM cannot start, the test fails and prints the daemons' log tails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=${JACOBENCH_BINARY:-$root/.build/release/jacobench}
experiments=${SLURM_TEST_EXPERIMENTS:-$root/Tests/Fixtures/slurm-experiments}
tasks=${SLURM_TEST_TASKS:-3}
timeout_seconds=${SLURM_TEST_TIMEOUT:-600}

fail() { echo "test-slurm: FAIL: $*" >&2; exit 1; }

# 1. Packages.
missing=()
for package in slurmctld slurmd slurm-client munge; do
  [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || fail "missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
  echo "test-slurm: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[[ -x "$binary" ]] || fail "no jacobench binary at $binary (run: swift build -c release --product jacobench)"

# 2. A private SLURM installation in a temporary folder.
work=$(mktemp -d /tmp/jacobench-slurm.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{munge,state,spool,logs,results}
node=$(hostname -s)
cpus=$(nproc)
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))

stop_daemons() {
  local status=$?
  for pid_file in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    if [[ -s "$pid_file" ]]; then
      local pid; pid=$(cat "$pid_file")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [[ $status -ne 0 ]]; then
    for log in "$work"/logs/*.log; do
      [[ -f "$log" ]] && { echo "---- tail of $log" >&2; tail -n 25 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit $status
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

key="$work/munge/munge.key"
if [[ -r /etc/munge/munge.key ]]; then cp /etc/munge/munge.key "$key"; else dd if=/dev/urandom of="$key" bs=1 count=1024 2>/dev/null; fi
chmod 600 "$key"
socket="$work/munge/munge.socket"
munged --force --key-file="$key" --socket="$socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/logs/munged.log" --seed-file="$work/munge/munged.seed" \
  || fail "munged did not start"

cat > "$work/slurm.conf" <<CONF
ClusterName=jacobench-test
SlurmctldHost=$node
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${SLURM_TEST_CTLD_PORT:-16817}
SlurmdPort=${SLURM_TEST_D_PORT:-16818}
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
NodeName=$node CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"

for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$node" -o '%T' 2>/dev/null || true)
  [[ "$state" == "idle" ]] && break
  sleep 0.5
done
[[ "$state" == "idle" ]] || fail "node '$node' is '${state:-unknown}', not idle, after 30 s"
echo "test-slurm: one-node SLURM up ($node, $cpus CPUs)" >&2

# 3. The job array.
export JACOBENCH_BINARY="$binary"
job=$("$root/contrib/slurm/submit.sh" "$experiments" "$tasks" "$work/results" --parsable)
echo "test-slurm: submitted job array $job ($tasks tasks)" >&2
deadline=$(( SECONDS + timeout_seconds ))
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
  (( SECONDS < deadline )) || { scancel "$job" || true; fail "job array $job still running after ${timeout_seconds}s"; }
  sleep 1
done

# 4. One batch summary per task, then every manifest produced exactly one complete bundle.
count=$(find "$experiments" -maxdepth 1 -name '*.yaml' | wc -l)
(( tasks > count )) && tasks=$count
for (( task = 0; task < tasks; task++ )); do
  out="$work/results/slurm-${job}_${task}.out"
  grep -q "manifests succeeded" "$out" 2>/dev/null \
    || { cat "$work"/results/slurm-*.out >&2 2>/dev/null || true; fail "task $task left no batch summary in $out"; }
done
"$binary" collect "$work/results" --manifests "$experiments" --require-complete \
  || { cat "$work"/results/slurm-*.out >&2 2>/dev/null || true; fail "collect found manifests without exactly one complete bundle"; }
echo "test-slurm: 1 passed, 0 failed"
