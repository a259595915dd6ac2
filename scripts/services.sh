# Sourced by scripts/test: start the local servers the tests use when they are down.
# These are the machine's own PostgreSQL and Redis (see docs/development.md).
start_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
      echo "starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
  fi
}
start_redis() {
  if ! (redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1); then
    if command -v redis-server >/dev/null 2>&1; then
      echo "starting Redis"
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    fi
  fi
}
start_postgres
start_redis
