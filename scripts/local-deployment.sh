#!/usr/bin/env bash
# A multi-process aupguard deployment on this machine: PostgreSQL + Redis, one API,
# a stream-worker supervisor with 2 workers, an SMTP relay gateway and a sink behind it.
#
#   bash scripts/local-deployment.sh start    # start everything, publish events, show them decided
#   bash scripts/local-deployment.sh check    # publish again and show the decisions (running deployment)
#   bash scripts/local-deployment.sh status   # which processes run
#   bash scripts/local-deployment.sh stop     # stop every process started here, by its pid file
#
# Everything lives in the run folder ($AUPGUARD_RUN, default .aupguard/local): pids/,
# logs/, home/ (AUPGUARD_HOME: secrets), sink/ (mail the relay passed on), events/.
# Settings (environment):
#   AUPGUARD_LOCAL_DB     database URL (default: database aupguard_local on 127.0.0.1:5432,
#                         created when missing)
#   AUPGUARD_LOCAL_REDIS  Redis URL for the stream and the shared state (default db 3 of
#                         127.0.0.1:6379, so the deployment's keys stay apart from db 0)
#   AUPGUARD_LOCAL_PORT   first of three TCP ports: API, relay, sink (default 18080)
#   AUPGUARD_LOCAL_WAIT   seconds a process may take to start (default 180: a busy machine)
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${AUPGUARD_BIN:-$here/.venv/bin}"
run="${AUPGUARD_RUN:-$here/.aupguard/local}"
db="${AUPGUARD_LOCAL_DB:-postgresql+psycopg://postgres@127.0.0.1:5432/aupguard_local}"
redis_url="${AUPGUARD_LOCAL_REDIS:-redis://127.0.0.1:6379/3}"
base_port="${AUPGUARD_LOCAL_PORT:-18080}"
api_port=$base_port
relay_port=$((base_port + 1))
sink_port=$((base_port + 2))
tenant=demo
wait_s="${AUPGUARD_LOCAL_WAIT:-180}"  # how long a process may take to start, events to be decided
export AUPGUARD_HOME="$run/home"
export PYTHONUNBUFFERED=1
py="$bin/python"
aupguard="$bin/aupguard"

say() { printf '== %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# Start one long-running process in its own session (so `stop` ends its children too),
# its output in logs/NAME.log and its pid in pids/NAME.pid.
launch() {
  local name="$1"; shift
  setsid "$@" >"$run/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$run/pids/$name.pid"
}

running() {  # is the process of this pid file alive?
  local file="$run/pids/$1.pid"
  [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null
}

wait_port() {  # NAME PORT: until something listens, or fail with its log
  local name="$1" port="$2"
  for _ in $(seq 1 $((wait_s * 10))); do
    if "$py" -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" \
      2>/dev/null; then
      return 0
    fi
    running "$name" || { tail -20 "$run/logs/$name.log" >&2; die "$name exited"; }
    sleep 0.1
  done
  tail -20 "$run/logs/$name.log" >&2
  die "$name did not listen on $port in $wait_s s"
}

check_services() {
  say "PostgreSQL and Redis (already running on this machine)"
  "$py" - "$db" "$redis_url" <<'EOF'
import sys

import psycopg
import redis
from sqlalchemy.engine import make_url

db, redis_url = sys.argv[1], sys.argv[2]
url = make_url(db)
if url.get_backend_name() == "postgresql":
    admin = f"host={url.host} port={url.port or 5432} dbname=test user={url.username}"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{url.database}"')
            print(f"created database {url.database}")
    print(f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}: up")
client = redis.Redis.from_url(redis_url)
client.ping()
print(f"Redis {redis_url}: up")
EOF
}

sample_events() {  # a handful of events of several channels, fresh ids each time
  local stamp="$1"
  mkdir -p "$run/events"
  "$py" - "$run/events/$stamp.jsonl" "$stamp" "$tenant" <<'EOF'
import json
import sys

path, stamp, tenant = sys.argv[1], sys.argv[2], sys.argv[3]
gtube = "XJS*C4JDBQADN1.NSBGBRUN-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
events = [
    {"channel": "sms", "text": "Your appointment is at 10:00. Reply STOP to opt out."},
    {"channel": "sms", "text": "Package held: pay the fee at http://paypa1-secure.example/x"},
    {"channel": "email", "raw": "From: a@demo.example\nTo: b@example.org\nSubject: hi\n\n"
     "Lunch on Friday?\n"},
    {"channel": "email", "raw": "From: a@demo.example\nTo: b@example.org\nSubject: t\n\n"
     + gtube + "\n"},
    {"channel": "flow", "src": "198.51.100.7", "dst": "203.0.113.9", "dst_port": 443,
     "flags": "ShADadFf", "state": "SF"},
]
with open(path, "w") as out:
    for n, event in enumerate(events):
        event.update(id=f"local-{stamp}-{n}", tenant=tenant)
        out.write(json.dumps(event) + "\n")
EOF
}

show_decided() {  # STAMP COUNT: wait until the workers decided them, print each
  "$py" - "$db" "$1" "$2" "$wait_s" <<'EOF'
import sys
import time

from sqlalchemy import select

from aupguard.store.db import Store
from aupguard.store.models import SendLogRow

db, stamp, count, wait_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = Store(db, migrate=False)
rows = []
for _ in range(wait_s * 10):
    with store.read() as s:
        rows = s.execute(
            select(SendLogRow.event_id, SendLogRow.channel, SendLogRow.action)
            .where(SendLogRow.event_id.like(f"local-{stamp}-%"))
            .order_by(SendLogRow.event_id)
        ).all()
    if len(rows) >= count:
        break
    time.sleep(0.1)
for event_id, channel, action in rows:
    print(f"  {event_id:<28} {channel:<6} {action}")
store.dispose()
if len(rows) < count:
    sys.exit(f"only {len(rows)} of {count} events decided within {wait_s} s")
print(f"{len(rows)} of {count} events decided by the workers (send log in the database)")
EOF
}

exercise() {
  local stamp
  stamp="$(date +%s%N)"
  say "publish events to the stream ($redis_url)"
  sample_events "$stamp"
  "$aupguard" publish "$run/events/$stamp.jsonl" --redis "$redis_url" --tenant "$tenant"
  show_decided "$stamp" 5
  say "decide one event through the API (POST /v1/decide)"
  "$py" - "$api_port" "$(cat "$run/home/api-key")" "$stamp" "$tenant" <<'EOF'
import sys

import httpx

port, key, stamp, tenant = sys.argv[1:5]
event = {"id": f"api-{stamp}", "channel": "sms", "tenant": tenant,
         "text": "Your code is ready. Reply STOP to opt out."}
reply = httpx.post(f"http://127.0.0.1:{port}/v1/decide", json=event,
                   headers={"Authorization": f"Bearer {key}"}, timeout=30)
reply.raise_for_status()
print(f"  api-{stamp}: {reply.json()['action']}")
EOF
  say "send mail through the SMTP relay (127.0.0.1:$relay_port -> sink :$sink_port)"
  "$py" - "$relay_port" "$stamp" <<'EOF'
import smtplib
import sys
from email.message import EmailMessage

port, stamp = int(sys.argv[1]), sys.argv[2]
# The EICAR test file (not malware: every scanner's agreed test string).
eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
for name, attachment in (("clean", None), ("eicar", eicar)):
    msg = EmailMessage()
    msg["From"], msg["To"] = "news@demo.example", "reader@example.org"
    msg["Subject"], msg["Message-ID"] = f"relay {name}", f"<{name}-{stamp}@demo.example>"
    msg.set_content("Minutes of today's meeting attached.\n")
    if attachment:
        msg.add_attachment(attachment, "application", "octet-stream", filename="minutes.com")
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        try:
            smtp.send_message(msg)
            print(f"  {name}: accepted and relayed")
        except smtplib.SMTPResponseException as exc:
            print(f"  {name}: refused {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}")
EOF
  echo "  sink holds $(find "$run/sink" -type f | wc -l) relayed message(s)"
}

start() {
  mkdir -p "$run/pids" "$run/logs" "$run/home" "$run/sink/tmp" "$run/sink/new" "$run/sink/cur"
  for name in api worker relay sink; do
    running "$name" && die "$name already runs (pid $(cat "$run/pids/$name.pid")): stop first"
  done
  check_services
  say "migrations, policy, tenant and an API key"
  "$aupguard" migrate --db "$db"
  "$aupguard" tenants add "$tenant" "Demo Ltd" --db "$db" 2>/dev/null \
    || echo "tenant $tenant exists"
  if [ ! -s "$run/home/api-key" ]; then
    "$aupguard" keys create local-deployment --scope decide --db "$db" >"$run/home/api-key"
  fi
  say "sink (SMTP next hop), API, 2 stream workers, SMTP relay"
  launch sink "$py" -m aiosmtpd -n -l "127.0.0.1:$sink_port" \
    -c aiosmtpd.handlers.Mailbox "$run/sink"
  launch api "$aupguard" serve --host 127.0.0.1 --port "$api_port" --db "$db"
  launch worker "$aupguard" worker --processes 2 --redis "$redis_url" --state "$redis_url" \
    --db "$db"
  launch relay "$aupguard" relay --listen "127.0.0.1:$relay_port" \
    --next-hop "127.0.0.1:$sink_port" --db "$db" --redis "$redis_url"
  wait_port sink "$sink_port"
  wait_port api "$api_port"
  wait_port relay "$relay_port"
  for _ in $(seq 1 $((wait_s * 10))); do
    grep -q "worker(s) on" "$run/logs/worker.log" 2>/dev/null && break
    running worker || { cat "$run/logs/worker.log" >&2; die "worker exited"; }
    sleep 0.1
  done
  status
  exercise
  say "running; logs in $run/logs; stop with: bash scripts/local-deployment.sh stop"
}

status() {
  for name in sink api worker relay; do
    if running "$name"; then
      echo "  $name: pid $(cat "$run/pids/$name.pid")"
    else
      echo "  $name: stopped"
    fi
  done
}

stop() {
  say "stopping"
  for name in relay worker api sink; do
    local file="$run/pids/$name.pid"
    [ -f "$file" ] || continue
    local pid
    pid="$(cat "$file")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      echo "  $name (pid $pid) stopped"
    fi
    rm -f "$file"
  done
}

case "${1:-}" in
  start) start ;;
  check) exercise ;;
  status) status ;;
  stop) stop ;;
  *) echo "usage: $0 start|check|status|stop" >&2; exit 2 ;;
esac
