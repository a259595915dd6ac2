#!/usr/bin/env bash
# Rspamd 3.4 (2 workers, DNS stubbed) against `aupguard scan --jobs 2`, same corpus, same run.
#
#   bash bench/rspamd_compare.sh [CORPUS_DIR] [--passes N]
#
# Installs Debian's rspamd with apt-get when it is missing (root only). Starts a private
# rspamd on loopback (its own config overlay, database, run and log folders in a temp dir;
# the system's rspamd service is not touched) with 2 normal workers whose only name server
# is bench/dns_stub.py on loopback, answering NXDOMAIN to everything: RBLs, SPF, DKIM keys,
# fuzzy servers and map URLs all cost a round trip and find nothing, and no packet leaves
# the machine. The corpus (every folder of spamassassin-public by default) is fed with
# `rspamc -n 16` (16 requests in flight) after one warm-up pass and after rspamd's
# hyperscan compiler has gone idle. Then `aupguard scan --jobs 2` runs over the same
# files (end to end: interpreter start, engine build, reading every file). Passes
# alternate (rspamd, aupguard, rspamd, ...) so both see the same load on this shared
# machine; the best pass of each and the ratio are printed with the load average.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
corpus=""
passes=3
while [ $# -gt 0 ]; do
  case "$1" in
    --passes) passes="$2"; shift 2 ;;
    *) corpus="$1"; shift ;;
  esac
done
if [ -z "$corpus" ]; then
  corpus="$("$here/.venv/bin/python" -c \
    'from aupguard.training.corpora import find_corpora; print(find_corpora())')/spamassassin-public"
fi
python="$here/.venv/bin/python"
aupguard="$here/.venv/bin/aupguard"
folders=()
for d in "$corpus"/*/; do folders+=("${d%/}"); done
[ ${#folders[@]} -gt 0 ] || { echo "error: no folders under $corpus" >&2; exit 2; }
messages=$(find "${folders[@]}" -type f | wc -l)

if ! command -v rspamd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "error: rspamd is not installed and this is not root: apt-get install rspamd" >&2
    exit 2
  fi
  echo "installing Debian's rspamd"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rspamd >/dev/null
fi

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
run="$(mktemp -d /tmp/rspamd-compare.XXXXXX)"
mkdir -p "$run/conf/local.d" "$run/db" "$run/log"
dns_port=$(free_port)
normal_port=$(free_port)
controller_port=$(free_port)
proxy_port=$(free_port)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$run/rspamd.pid" ] && kill "$(cat "$run/rspamd.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$run"
}
trap cleanup EXIT

"$python" "$here/bench/dns_stub.py" "$dns_port" &
pids+=($!)

# The shipped top-level config with our ports, and an overlay (LOCAL_CONFDIR) with
# 2 workers, the stub name server and no fuzzy storage.
sed -e "s/localhost:11333/127.0.0.1:$normal_port/" \
    -e "s/localhost:11334/127.0.0.1:$controller_port/" \
    -e "s/localhost:11332/127.0.0.1:$proxy_port/" \
    /etc/rspamd/rspamd.conf >"$run/rspamd.conf"
cat >"$run/conf/local.d/worker-normal.inc" <<EOF
count = 2;
EOF
cat >"$run/conf/local.d/worker-proxy.inc" <<EOF
count = 0;
EOF
cat >"$run/conf/local.d/options.inc" <<EOF
dns {
  nameserver = ["127.0.0.1:$dns_port"];
  timeout = 1s;
  retransmits = 1;
}
EOF
cat >"$run/conf/local.d/logging.inc" <<EOF
level = "error";
EOF

rspamd -u root -g root -i -c "$run/rspamd.conf" \
  --var=LOCAL_CONFDIR="$run/conf" --var=DBDIR="$run/db" --var=RUNDIR="$run" \
  --var=LOGDIR="$run/log" -p "$run/rspamd.pid"
for _ in $(seq 1 120); do
  (echo "" | rspamc -h "127.0.0.1:$normal_port" -t 5 >/dev/null 2>&1) && break
  sleep 0.5
done

rspamd_cpu() {  # CPU clock ticks (user + system) of the rspamd main process and its workers
  local main total=0
  main="$(cat "$run/rspamd.pid" 2>/dev/null || true)"
  [ -n "$main" ] || { echo 0; return; }
  for pid in "$main" $(pgrep -P "$main" || true); do
    [ -r "/proc/$pid/stat" ] || continue
    # Fields after the command name (which may hold spaces): utime is 14th, stime 15th.
    read -r -a f <<<"$(sed 's/^.*) //' "/proc/$pid/stat")"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# Warm up (compiles, caches, maps), then wait until rspamd's background hyperscan
# compilation is done: its CPU use stays under 5 % over two seconds.
rspamc -h "127.0.0.1:$normal_port" -n 16 -t 60 "${folders[0]}" >/dev/null 2>&1 || true
for _ in $(seq 1 90); do
  before=$(rspamd_cpu); sleep 2; after=$(rspamd_cpu)
  [ $((after - before)) -le 10 ] && break
done

now() { date +%s.%N; }
calc() { "$python" -c "print($1)"; }
echo "corpus: $corpus ($messages messages, ${#folders[@]} folders)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
best_r=0
best_a=0
best_r_cpu=0
best_a_cpu=0
for pass in $(seq 1 "$passes"); do
  c0=$(rspamd_cpu)
  t0=$(now)
  rspamc -h "127.0.0.1:$normal_port" -n 16 -t 60 "${folders[@]}" >"$run/rspamc.out" 2>&1
  t1=$(now)
  c1=$(rspamd_cpu)
  scanned=$(grep -c '^Action:' "$run/rspamc.out" || true)
  r=$(calc "round($scanned / ($t1 - $t0))")
  r_cpu=$(calc "round($scanned / max(($c1 - $c0) / $(getconf CLK_TCK), 0.01))")
  t2=$(now)
  # /usr/bin/time counts the scan's worker processes too (they are waited for).
  /usr/bin/time -o "$run/scan.time" -f "%U %S" \
    "$aupguard" scan --jobs 2 --format jsonl --fail-on never "${folders[@]}" \
    >"$run/scan.out" 2>"$run/scan.err"
  t3=$(now)
  judged=$(wc -l <"$run/scan.out")
  read -r user sys <"$run/scan.time"
  a=$(calc "round($judged / ($t3 - $t2))")
  a_cpu=$(calc "round($judged / ($user + $sys))")
  echo "pass $pass: rspamd $r msg/s ($scanned in $(calc "round($t1 - $t0, 1)") s, $r_cpu per CPU-s);" \
    "aupguard scan --jobs 2 $a msg/s ($judged in $(calc "round($t3 - $t2, 1)") s, $a_cpu per CPU-s" \
    "start-up included); load average $(cut -d' ' -f1 /proc/loadavg)"
  [ "$r" -gt "$best_r" ] && best_r=$r
  [ "$a" -gt "$best_a" ] && best_a=$a
  [ "$r_cpu" -gt "$best_r_cpu" ] && best_r_cpu=$r_cpu
  [ "$a_cpu" -gt "$best_a_cpu" ] && best_a_cpu=$a_cpu
done
echo "best wall: rspamd 3.4 (2 workers, DNS stubbed) $best_r msg/s;" \
  "aupguard scan --jobs 2 $best_a msg/s; ratio $(calc "round($best_a / max($best_r, 1), 2)")x (target 1.5x)"
echo "best per CPU-second: rspamd $best_r_cpu; aupguard scan $best_a_cpu;" \
  "ratio $(calc "round($best_a_cpu / max($best_r_cpu, 1), 2)")x (steadier than wall on a busy machine)"
echo "DNS stub: $(calc "round($(ps -o cputimes= -p "${pids[0]}") , 1)") CPU-s in all; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
