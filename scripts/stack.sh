#!/usr/bin/env bash
# The local stack without Docker: Kafka (KRaft), Home Assistant and Apicurio Registry, started
# from the cache in ~/.cache/stream-smarts (downloaded once), state and logs in $STACK_DIR
# (default <repo>/.stack). Writes $STACK_DIR/stack.json for the tests (test/support/stack.ts).
#
#   scripts/stack.sh up       start what is not running, wait until ready, write stack.json
#   scripts/stack.sh down     stop what up started (by pid file)
#   scripts/stack.sh status   [--quiet]: exit 0 only when every service is up
#   scripts/stack.sh reset    down, then delete $STACK_DIR (data, credentials, logs)
#
# Ports: KAFKA_PORT 9092, KAFKA_CONTROLLER_PORT 9093, KAFKA_SASL_PORT 9094, HA_PORT 8123,
# REGISTRY_PORT 8081. A default port taken by another process is an error, unless
# STACK_PORTS=auto (the default when CI=true): then a free port is used and recorded.
# STACK_REGISTRY=0 leaves the registry out (stack.json then has "registry": null).
set -euo pipefail

# Which port variables the caller set explicitly (those are never replaced).
EXPLICIT_PORTS=""
for var in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_SASL_PORT HA_PORT REGISTRY_PORT; do
  [ -n "${!var:-}" ] && EXPLICIT_PORTS="$EXPLICIT_PORTS $var"
done
source "$(dirname "${BASH_SOURCE[0]}")/stack/common.sh"
export STACK_DIR STREAM_SMARTS_CACHE

STACK_JSON="$STACK_DIR/stack.json"
PORTS_AUTO="${STACK_PORTS:-$([ "${CI:-}" = true ] && echo auto || echo fixed)}"
REGISTRY_ENABLED="${STACK_REGISTRY:-1}"

service_script() { printf '%s/%s.sh' "$STACK_SCRIPTS" "$1"; }

# Who listens on a port (for the error message): pid and what it runs.
port_owner() {
  local pid
  pid="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)" || true
  if [ -n "$pid" ]; then
    printf 'pid %s: %s' "$pid" "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -o 'stream.smarts.stack=[^ ]*\|-c [^ ]*\|^[^ ]*' | head -1)"
  else
    printf 'another process'
  fi
}

# Ports handed out in this run: a port chosen for one service is not free for the next
# until that service binds it.
CLAIMED_PORTS=" "
free_port_from() {
  local port="$1"
  while port_open "$port" || [[ "$CLAIMED_PORTS" == *" $port "* ]]; do port=$((port + 1)); done
  printf '%s' "$port"
}

# Settles one port variable for a service that is not running yet.
settle_port() {
  local var="$1" port="${!1}"
  if ! port_open "$port"; then CLAIMED_PORTS+="$port "; return 0; fi
  case " $EXPLICIT_PORTS " in
    *" $var "*) die "port $port ($var) is in use by $(port_owner "$port"); choose another $var" ;;
  esac
  if [ "$PORTS_AUTO" = auto ]; then
    local chosen
    chosen="$(free_port_from $((port + 30000)))"
    CLAIMED_PORTS+="$chosen "
    step "port $port ($var) is in use by $(port_owner "$port"); using $chosen"
    printf -v "$var" '%s' "$chosen"
    export "${var?}"
  else
    die "port $port ($var) is in use by $(port_owner "$port"), not by the stack in $STACK_DIR. Stop it, set $var, or run with STACK_PORTS=auto"
  fi
}

# Ports of a running service come from its run/<name>.env; others are settled afresh.
settle_ports() {
  local name="$1"; shift
  if running_pid "$name" >/dev/null; then
    # shellcheck disable=SC1090
    [ -f "$STACK_DIR/run/$name.env" ] && source "$STACK_DIR/run/$name.env"
  else
    local var
    for var in "$@"; do settle_port "$var"; done
  fi
  export "$@"
}

write_stack_json() {
  local registry_url=""
  [ -f "$STACK_DIR/run/registry.unavailable" ] || [ "$REGISTRY_ENABLED" = 0 ] \
    || registry_url="http://$STACK_HOST:$REGISTRY_PORT/apis/ccompat/v7"
  # shellcheck disable=SC1091
  source "$STACK_DIR/kafka/scram.env"
  # shellcheck disable=SC1091
  source "$STACK_DIR/run/ha.env"
  STACK_JSON_OUT="$STACK_JSON" HA_TOKEN="$(tr -d '\n' < "$STACK_DIR/ha-token")" REGISTRY_URL="$registry_url" \
  REGISTRY_ENABLED="$REGISTRY_ENABLED" HA_VERSION_RUNNING="${HA_VERSION_RUNNING:-unknown}" KAFKA_SCRAM_USER="$KAFKA_SCRAM_USER" KAFKA_SCRAM_PASSWORD="$KAFKA_SCRAM_PASSWORD" \
  CONFIG_DIR="$STACK_DIR/ha/config" node -e '
    const e = process.env;
    const host = "127.0.0.1";
    const info = {
      kafka: {
        brokers: [`${host}:${e.KAFKA_PORT}`],
        saslBrokers: [`${host}:${e.KAFKA_SASL_PORT}`],
        scram: { username: e.KAFKA_SCRAM_USER, password: e.KAFKA_SCRAM_PASSWORD },
        saslMechanisms: ["scram-sha-256", "plain"],
      },
      ha: {
        url: `http://${host}:${e.HA_PORT}`,
        version: e.HA_VERSION_RUNNING,
        token: e.HA_TOKEN,
        configDir: e.CONFIG_DIR,
        notifyFile: `${e.CONFIG_DIR}/notifications.log`,
        notifyService: "notify.stack_file",
        entities: {
          energy: "sensor.home_energy",
          power: "sensor.home_power",
          energyInput: "input_number.home_energy_meter",
          powerInput: "input_number.home_power_meter",
          temperature: "sensor.freezer_temperature",
          temperatureInput: "input_number.freezer_temperature_setting",
        },
      },
      registry: e.REGISTRY_URL ? { url: e.REGISTRY_URL } : null,
      registryOptedOut: e.REGISTRY_ENABLED === "0",
    };
    const fs = require("node:fs");
    fs.writeFileSync(e.STACK_JSON_OUT + ".tmp", JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    fs.renameSync(e.STACK_JSON_OUT + ".tmp", e.STACK_JSON_OUT);
  '
}

up() {
  command -v node >/dev/null 2>&1 || die "node not found (Node.js 20+ is needed)"
  local started=$SECONDS
  step "stack: up in $STACK_DIR (cache $STREAM_SMARTS_CACHE)"
  settle_ports kafka KAFKA_PORT KAFKA_SASL_PORT KAFKA_CONTROLLER_PORT
  settle_ports ha HA_PORT
  [ "$REGISTRY_ENABLED" = 1 ] && settle_ports registry REGISTRY_PORT
  # stack.json is replaced atomically at the end: readers never see it missing or half-written.

  # Kafka and Home Assistant start side by side; the registry keeps its schemas in Kafka, so it
  # starts once the broker is ready.
  local kafka_job ha_job registry_job="" failed=0
  bash "$(service_script kafka)" start & kafka_job=$!
  bash "$(service_script ha)" start & ha_job=$!
  wait "$kafka_job" || failed=1
  if [ "$REGISTRY_ENABLED" = 1 ]; then
    rm -f "$STACK_DIR/run/registry.unavailable"
    if [ "$failed" = 0 ]; then
      bash "$(service_script registry)" start & registry_job=$!
    else
      touch "$STACK_DIR/run/registry.unavailable"
    fi
  fi
  wait "$ha_job" || failed=1
  if [ -n "$registry_job" ] && ! wait "$registry_job"; then
    touch "$STACK_DIR/run/registry.unavailable"
    # In CI a registry that does not come up fails the run; STACK_REGISTRY=0 is the way to opt out.
    if [ "${CI:-}" = true ]; then
      failed=1
      step "registry: not available (CI: a service that does not come up fails the run; STACK_REGISTRY=0 opts out)"
    else
      step "registry: not available; the stack carries on without it (stack.json has registry: null)"
    fi
  fi
  [ "$failed" = 0 ] || die "stack: not up (see the messages above and $STACK_DIR/logs/)"

  write_stack_json
  step "stack: up in $((SECONDS - started))s; $STACK_JSON written"
  echo "  Kafka            $STACK_HOST:$KAFKA_PORT (PLAINTEXT), $STACK_HOST:$KAFKA_SASL_PORT (SASL_PLAINTEXT SCRAM-SHA-256/PLAIN)"
  echo "  Home Assistant   http://$STACK_HOST:$HA_PORT  ($HA_VERSION_RUNNING; token: $STACK_DIR/ha-token)"
  if [ -f "$STACK_DIR/run/registry.unavailable" ] || [ "$REGISTRY_ENABLED" = 0 ]; then
    echo "  Schema registry  not running"
  else
    echo "  Schema registry  http://$STACK_HOST:$REGISTRY_PORT/apis/ccompat/v7"
  fi
  echo "  Logs             $STACK_DIR/logs/"
}

down() {
  local name
  for name in registry ha kafka; do bash "$(service_script "$name")" stop; done
  rm -f "$STACK_JSON"
}

status() {
  local ok=0
  bash "$(service_script kafka)" status || ok=1
  bash "$(service_script ha)" status || ok=1
  if [ "$REGISTRY_ENABLED" = 1 ] && [ ! -f "$STACK_DIR/run/registry.unavailable" ]; then
    bash "$(service_script registry)" status || ok=1
  fi
  if [ ! -f "$STACK_JSON" ]; then
    step "stack: $STACK_JSON missing (run npm run stack:up)"
    ok=1
  fi
  return "$ok"
}

[ "${2:-}" = --quiet ] && { QUIET=1; export QUIET; }
case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  reset) down; rm -rf "$STACK_DIR"; step "stack: removed $STACK_DIR" ;;
  *) echo "usage: $0 up|down|status [--quiet]|reset" >&2; exit 2 ;;
esac
