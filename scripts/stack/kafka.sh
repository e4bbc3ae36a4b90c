#!/usr/bin/env bash
# Apache Kafka for the local stack: one combined KRaft node (broker + controller) from its
# Maven Central jars. PLAINTEXT on $KAFKA_PORT, SASL_PLAINTEXT (SCRAM-SHA-256 and PLAIN) on
# $KAFKA_SASL_PORT, controller on $KAFKA_CONTROLLER_PORT. Data and credentials in $STACK_DIR/kafka.
# Usage: kafka.sh start|stop|status [--quiet]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=kafka
KAFKA_HOME="$STREAM_SMARTS_CACHE/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
DIR="$STACK_DIR/kafka"
CREDENTIALS="$DIR/scram.env"
LOG="$STACK_DIR/logs/kafka.log"

install_jars() {
  if [ -f "$LIBS/.complete" ] || [ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" -a -f "$LIBS/log4j-slf4j-impl-2.24.3.jar" ]; then
    return 0
  fi
  require_maven
  step "kafka: downloading Kafka $KAFKA_VERSION jars from Maven Central into $LIBS (once)"
  local tmp="$KAFKA_HOME/libs.tmp.$$"
  mkdir -p "$tmp"
  if ! mvn -B -q -f "$STACK_SCRIPTS/kafka-pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" > "$STACK_DIR/logs/kafka-install.log" 2>&1; then
    rm -rf "$tmp"
    die "kafka: downloading the jars failed; see $STACK_DIR/logs/kafka-install.log"
  fi
  touch "$tmp/.complete"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
}

# Runs a Kafka main class (tools) with the cached jars.
java_cmd() {
  java -Xms128m -Xmx512m -Dlog4j2.configurationFile="$STACK_SCRIPTS/log4j2.xml" -cp "$LIBS/*" "$@"
}

write_properties() {
  # shellcheck disable=SC1090
  source "$CREDENTIALS"
  cat > "$DIR/server.properties" <<PROPS
# Written by scripts/stack/kafka.sh on each start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$STACK_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$STACK_HOST:$KAFKA_PORT,CONTROLLER://$STACK_HOST:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://$STACK_HOST:$KAFKA_SASL_PORT
advertised.listeners=PLAINTEXT://$STACK_HOST:${KAFKA_ADVERTISED_PORT:-$KAFKA_PORT},SASL_PLAINTEXT://$STACK_HOST:$KAFKA_SASL_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SCRAM_USER="$KAFKA_SCRAM_PASSWORD";
log.dirs=$DIR/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  chmod 600 "$DIR/server.properties"
}

format_once() {
  [ -f "$DIR/data/meta.properties" ] && return 0
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  if [ ! -f "$CREDENTIALS" ]; then
    umask 077
    printf 'KAFKA_SCRAM_USER=%s\nKAFKA_SCRAM_PASSWORD=%s\n' \
      "stream-smarts" "$(head -c 512 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 24)" > "$CREDENTIALS"
    umask 022
  fi
  write_properties
  local cluster_id
  # Like Kafka's own Uuid.randomUuid: an id starting with '-' would be read as an option.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  step "kafka: formatting storage (cluster $cluster_id, SCRAM user $KAFKA_SCRAM_USER)"
  if ! java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$DIR/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$KAFKA_SCRAM_USER,password=$KAFKA_SCRAM_PASSWORD]" \
      > "$STACK_DIR/logs/kafka-format.log" 2>&1; then
    rm -rf "$DIR/data"
    die "kafka: formatting the storage failed; see $STACK_DIR/logs/kafka-format.log"
  fi
}

is_ready() { port_open "$KAFKA_PORT" && port_open "$KAFKA_SASL_PORT" && grep -q 'Kafka Server started' "$LOG" 2>/dev/null; }

start() {
  local pid
  if pid="$(running_pid "$NAME")"; then
    step "kafka: already running (pid $pid) on $STACK_HOST:$KAFKA_PORT"
    return 0
  fi
  require_java
  require_free_port "$KAFKA_PORT" "kafka" KAFKA_PORT
  require_free_port "$KAFKA_SASL_PORT" "kafka sasl" KAFKA_SASL_PORT
  require_free_port "$KAFKA_CONTROLLER_PORT" "kafka controller" KAFKA_CONTROLLER_PORT
  install_jars
  format_once
  write_properties
  [ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"
  step "kafka: starting on $STACK_HOST:$KAFKA_PORT (SASL $KAFKA_SASL_PORT, controller $KAFKA_CONTROLLER_PORT)"
  local started=$SECONDS
  nohup java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$STACK_SCRIPTS/log4j2.xml" -Dkafka.logs.dir="$STACK_DIR/logs" \
    -Dstream.smarts.stack="$STACK_DIR" -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" \
    > "$LOG" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$(pid_file "$NAME")"
  printf 'KAFKA_PORT=%s\nKAFKA_SASL_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\n' \
    "$KAFKA_PORT" "$KAFKA_SASL_PORT" "$KAFKA_CONTROLLER_PORT" > "$STACK_DIR/run/$NAME.env"
  local rc=0
  wait_until "${KAFKA_START_TIMEOUT:-120}" "$pid" "kafka" is_ready || rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 2 ] && { rm -f "$(pid_file "$NAME")"; die "kafka: exited during start-up; see $LOG"; }
    die "kafka: not ready after ${KAFKA_START_TIMEOUT:-120}s (pid $pid left running; see $LOG)"
  fi
  if [ -d "$REPO_ROOT/node_modules/kafkajs" ] && command -v node >/dev/null 2>&1; then
    timeout 120 node "$STACK_SCRIPTS/kafka-ready.mjs" "$STACK_HOST:$KAFKA_PORT" >> "$STACK_DIR/logs/kafka-ready.log" 2>&1 \
      || die "kafka: the broker is up but its coordinators did not become ready; see $STACK_DIR/logs/kafka-ready.log and $LOG"
  fi
  step "kafka: ready in $((SECONDS - started))s (pid $pid)"
}

# Ports of the running instance (they may differ from the environment's).
load_running_ports() {
  # shellcheck disable=SC1090
  [ -f "$STACK_DIR/run/$NAME.env" ] && source "$STACK_DIR/run/$NAME.env"
  return 0
}

status() {
  local pid
  if pid="$(running_pid "$NAME")"; then
    load_running_ports
    if port_open "$KAFKA_PORT" && port_open "$KAFKA_SASL_PORT"; then
      step "kafka: up (pid $pid) PLAINTEXT $STACK_HOST:$KAFKA_PORT, SASL_PLAINTEXT $STACK_HOST:$KAFKA_SASL_PORT"
      return 0
    fi
    step "kafka: process $pid alive but not listening on $KAFKA_PORT/$KAFKA_SASL_PORT"
    return 1
  fi
  step "kafka: down"
  return 1
}

[ "${2:-}" = --quiet ] && QUIET=1
case "${1:-}" in
  start) start ;;
  stop) stop_service "$NAME" 30 ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [--quiet]" >&2; exit 2 ;;
esac
