#!/usr/bin/env bash
# Apicurio Registry (Confluent-compatible API at /apis/ccompat/v7) for the local stack, from its
# Maven Central distribution (io.apicurio:apicurio-registry-app:<version>:tar.gz:all), on
# $REGISTRY_PORT. 3.0.x runs on Java 17; 3.3.x needs Java 21.
# Storage: KafkaSQL by default, as Confluent's registry keeps its schemas in _schemas: the schemas
# live in a topic of the stack's broker ($REGISTRY_TOPIC), so a restarted registry still resolves
# the ids producers cached. REGISTRY_STORAGE=mem keeps them in memory (lost on restart).
# Usage: registry.sh start|stop|status [--quiet]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=registry
HOME_DIR="$STREAM_SMARTS_CACHE/apicurio-registry-$REGISTRY_VERSION"
LOG="$STACK_DIR/logs/registry.log"
REGISTRY_STORAGE="${REGISTRY_STORAGE:-kafkasql}"
REGISTRY_TOPIC="${REGISTRY_TOPIC:-_stream-smarts-registry-journal}"
# The broker's port when this script runs on its own: the stack's Kafka records it in run/kafka.env.
if [ -z "${REGISTRY_KAFKA:-}" ] && [ -f "$STACK_DIR/run/kafka.env" ]; then
  # shellcheck disable=SC1091
  source "$STACK_DIR/run/kafka.env"
fi
REGISTRY_KAFKA="${REGISTRY_KAFKA:-$STACK_HOST:$KAFKA_PORT}"
MAVEN_CENTRAL="${MAVEN_CENTRAL:-https://repo1.maven.org/maven2}"

install_dist() {
  [ -f "$HOME_DIR/.complete" ] && return 0
  command -v curl >/dev/null 2>&1 || die "registry: curl not found (needed once to download Apicurio Registry)"
  local base="$MAVEN_CENTRAL/io/apicurio/apicurio-registry-app/$REGISTRY_VERSION"
  local file="apicurio-registry-app-$REGISTRY_VERSION-all.tar.gz"
  step "registry: downloading Apicurio Registry $REGISTRY_VERSION from Maven Central (once, ~100 MB)"
  mkdir -p "$STREAM_SMARTS_CACHE"
  local tmp="$HOME_DIR.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if ! fetch "$base/$file" "$tmp/$file"; then
    rm -rf "$tmp"
    return 1
  fi
  local expected actual
  expected="$(curl -fsSL "$base/$file.sha1" | cut -c1-40)" || expected=""
  actual="$(sha1 "$tmp/$file")"
  if [ -n "$expected" ] && [ "$expected" != "$actual" ]; then
    rm -rf "$tmp"
    die "registry: checksum mismatch for $file (expected $expected, got $actual)"
  fi
  tar xzf "$tmp/$file" -C "$tmp" && rm -f "$tmp/$file"
  touch "$tmp/.complete"
  rm -rf "$HOME_DIR"
  mv "$tmp" "$HOME_DIR"
}

runner_jar() {
  local jar
  for jar in "$HOME_DIR/quarkus-run.jar" "$HOME_DIR"/*-runner.jar; do
    [ -f "$jar" ] && { printf '%s' "$jar"; return 0; }
  done
  return 1
}

is_ready() { curl -fsS -o /dev/null "http://$STACK_HOST:$REGISTRY_PORT/apis/ccompat/v7/subjects" 2>/dev/null; }

start() {
  local pid
  if pid="$(running_pid "$NAME")"; then
    step "registry: already running (pid $pid) on http://$STACK_HOST:$REGISTRY_PORT"
    return 0
  fi
  require_java
  require_free_port "$REGISTRY_PORT" "registry" REGISTRY_PORT
  install_dist || die "registry: Apicurio Registry $REGISTRY_VERSION could not be downloaded from Maven Central"
  local jar
  jar="$(runner_jar)" || die "registry: no runnable jar in $HOME_DIR"
  [ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"
  # Without a storage kind Apicurio keeps everything in an in-memory H2 database.
  local storage=() where="in memory"
  if [ "$REGISTRY_STORAGE" = kafkasql ]; then
    storage=(-Dapicurio.storage.kind=kafkasql -Dapicurio.kafkasql.bootstrap.servers="$REGISTRY_KAFKA" -Dapicurio.kafkasql.topic="$REGISTRY_TOPIC")
    where="in Kafka topic $REGISTRY_TOPIC on $REGISTRY_KAFKA"
  fi
  step "registry: starting Apicurio Registry $REGISTRY_VERSION on $STACK_HOST:$REGISTRY_PORT (schemas $where)"
  local started=$SECONDS
  (cd "$STACK_DIR" && exec nohup java -Xms64m -Xmx512m -XX:+UseSerialGC \
    -Dquarkus.http.host="$STACK_HOST" -Dquarkus.http.port="$REGISTRY_PORT" "${storage[@]}" \
    -Dstream.smarts.stack="$STACK_DIR" \
    -jar "$jar" > "$LOG" 2>&1 < /dev/null) &
  pid=$!
  echo "$pid" > "$(pid_file "$NAME")"
  printf 'REGISTRY_PORT=%s\n' "$REGISTRY_PORT" > "$STACK_DIR/run/$NAME.env"
  local rc=0
  wait_until "${REGISTRY_START_TIMEOUT:-120}" "$pid" "registry" is_ready || rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 2 ] && { rm -f "$(pid_file "$NAME")"; die "registry: exited during start-up; see $LOG"; }
    die "registry: not ready after ${REGISTRY_START_TIMEOUT:-120}s (pid $pid left running; see $LOG)"
  fi
  step "registry: ready in $((SECONDS - started))s (pid $pid)"
}

status() {
  local pid
  # shellcheck disable=SC1090
  [ -f "$STACK_DIR/run/$NAME.env" ] && source "$STACK_DIR/run/$NAME.env"
  if pid="$(running_pid "$NAME")"; then
    if is_ready; then
      step "registry: up (pid $pid) http://$STACK_HOST:$REGISTRY_PORT/apis/ccompat/v7"
      return 0
    fi
    step "registry: process $pid alive but not answering on $REGISTRY_PORT"
    return 1
  fi
  step "registry: down"
  return 1
}

[ "${2:-}" = --quiet ] && QUIET=1
case "${1:-}" in
  start) start ;;
  stop) stop_service "$NAME" 20 ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [--quiet]" >&2; exit 2 ;;
esac
