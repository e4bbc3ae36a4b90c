#!/usr/bin/env bash
# Home Assistant for the local stack, from PyPI in a venv per release in the cache, on $HA_PORT,
# config in $STACK_DIR/ha/config. The release is the newest this machine's Pythons allow
# (resolve_ha_version in common.sh: 2025.4.4 on Python 3.13, else 2024.3.3 on 3.11/3.12);
# HA_VERSION and HA_PYTHON choose another. Creates the owner and a long-lived token ($STACK_DIR/ha-token, mode 600).
# Usage: ha.sh start|stop|status [--quiet]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=ha
CONFIG_DIR="$STACK_DIR/ha/config"
NOTIFY_FILE="$CONFIG_DIR/notifications.log"
TOKEN_FILE="$STACK_DIR/ha-token"
OWNER_FILE="$STACK_DIR/ha/owner.json"
LOG="$STACK_DIR/logs/ha.log"
# Integrations configured in configuration.yaml.in (their requirements are pre-installed).
DOMAINS="recorder history logbook lovelace notify command_line template input_number automation persistent_notification system_log logger mobile_app"

# Sets HA_VERSION, HA_HOME, VENV and CONSTRAINTS for this start.
choose_release() {
  resolve_ha_version
  HA_HOME="$STREAM_SMARTS_CACHE/ha-$HA_VERSION"
  VENV="$HA_HOME/venv"
  CONSTRAINTS="$STACK_SCRIPTS/ha/constraints-$HA_VERSION.txt"
  [ -f "$CONSTRAINTS" ] || die "ha: no pinned constraints for Home Assistant $HA_VERSION ($CONSTRAINTS); make one as the header of constraints-$HA_VERSION_CURRENT.txt says"
}

install_venv() {
  # One installer at a time per cache (two checkouts starting on an empty cache): a venv cannot
  # be built aside and moved, its paths are absolute.
  mkdir -p "$STREAM_SMARTS_CACHE"
  if command -v flock >/dev/null 2>&1; then
    exec 9> "$STREAM_SMARTS_CACHE/.ha-install.lock"
    flock 9
  fi
  if [ ! -x "$VENV/bin/hass" ] || [ ! -d "$VENV/lib/python3."*"/site-packages/homeassistant-$HA_VERSION.dist-info" ]; then
    local python="$HA_PYTHON_FOUND" minors
    minors="$(ha_python_minors "$HA_VERSION")"
    [ -n "$python" ] || die "no Python ${minors// / or } with venv found (Home Assistant $HA_VERSION needs it; install python${minors%% *} and python${minors%% *}-venv, or set HA_PYTHON)"
    step "ha: installing Home Assistant $HA_VERSION from PyPI into $VENV with $python (once, a few minutes)"
    rm -rf "$VENV"
    mkdir -p "$HA_HOME"
    "$python" -m venv "$VENV" || die "python venv not available ($python -m venv failed; install python${minors%% *}-venv)"
    if ! { "$VENV/bin/pip" install -q --upgrade pip wheel && "$VENV/bin/pip" install -q -c "$CONSTRAINTS" "homeassistant==$HA_VERSION"; } \
        > "$STACK_DIR/logs/ha-install.log" 2>&1; then
      rm -rf "$VENV"
      die "ha: installing homeassistant==$HA_VERSION failed; see $STACK_DIR/logs/ha-install.log"
    fi
  fi
  install_requirements
  # Release the lock; Home Assistant must not inherit it.
  exec 9>&-
}

# The integrations' requirements, pinned by HA's own package_constraints.txt, so that start-up
# installs nothing (fast, offline-safe). Re-run only when the list changes.
install_requirements() {
  local marker="$VENV/.stream-smarts-requirements" fingerprint
  # Everything that decides the list, hashed without starting Python (keeps warm starts quick).
  fingerprint="$(printf '%s\n' "$HA_VERSION" "$DOMAINS" | cat - "$STACK_SCRIPTS/ha/requirements.py" "$CONSTRAINTS" | sha1)"
  [ -f "$marker" ] && [ "$(cat "$marker")" = "$fingerprint" ] && return 0
  local wanted constraints
  wanted="$("$VENV/bin/python" "$STACK_SCRIPTS/ha/requirements.py" $DOMAINS 2>/dev/null)" \
    || die "ha: listing the integrations' requirements failed"
  step "ha: installing the requirements of the configured integrations (once)"
  constraints="$("$VENV/bin/python" -c 'import homeassistant, os; print(os.path.join(os.path.dirname(homeassistant.__file__), "package_constraints.txt"))')"
  # shellcheck disable=SC2086
  if ! "$VENV/bin/pip" install -q -c "$constraints" -c "$CONSTRAINTS" $wanted >> "$STACK_DIR/logs/ha-install.log" 2>&1; then
    die "ha: installing the integrations' requirements failed; see $STACK_DIR/logs/ha-install.log"
  fi
  printf '%s' "$fingerprint" > "$marker"
}

write_config() {
  mkdir -p "$CONFIG_DIR"
  chmod 700 "$STACK_DIR/ha"
  sed -e "s|@HA_PORT@|$HA_PORT|g" -e "s|@CONFIG_DIR@|$CONFIG_DIR|g" \
      -e "s|@NOTIFY_FILE@|$NOTIFY_FILE|g" -e "s|@TIME_ZONE@|${HA_TIME_ZONE:-UTC}|g" \
      "$STACK_SCRIPTS/ha/configuration.yaml.in" > "$CONFIG_DIR/configuration.yaml"
  local examples="$REPO_ROOT/home-assistant/automations.yaml"
  if [ -f "$examples" ]; then
    cp "$examples" "$CONFIG_DIR/automations.yaml"
  elif [ ! -f "$CONFIG_DIR/automations.yaml" ]; then
    echo '[]' > "$CONFIG_DIR/automations.yaml"
  fi
  touch "$NOTIFY_FILE"
}

# HTTP is up: the API answers (401 without a token), however far onboarding went.
is_ready() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://$STACK_HOST:$HA_PORT/api/" 2>/dev/null)"
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

ONBOARDING_STEPS='"user", "core_config", "analytics", "integration"'
ONBOARDING_FILE="$CONFIG_DIR/.storage/onboarding"

onboarding_complete() {
  [ -f "$ONBOARDING_FILE" ] && grep -q '"integration"' "$ONBOARDING_FILE" && grep -q '"core_config"' "$ONBOARDING_FILE"
}

# The owner is made through the onboarding API (user step). The other steps are marked done in
# HA's onboarding store while HA is stopped: their API would set up integrations that reach the
# internet (met.no weather, radio browser) and need packages the stack does not install.
complete_onboarding() {
  printf '{\n  "version": 4,\n  "minor_version": 1,\n  "key": "onboarding",\n  "data": { "done": [%s] }\n}\n' "$ONBOARDING_STEPS" > "$ONBOARDING_FILE"
}

launch() {
  local skip=()
  [ "${HA_SKIP_PIP:-0}" = 1 ] && skip=(--skip-pip)
  nohup "$VENV/bin/python" -m homeassistant -c "$CONFIG_DIR" --log-file "$LOG" --log-no-color "${skip[@]}" \
    >> "$STACK_DIR/logs/ha.out.log" 2>&1 < /dev/null &
  HA_PID=$!
  echo "$HA_PID" > "$(pid_file "$NAME")"
}

token_saved() { grep -q '"long_lived_access_token"' "$CONFIG_DIR/.storage/auth" 2>/dev/null; }

is_running_state() {
  local config
  config="$(curl -fsS -H "Authorization: Bearer $(cat "$TOKEN_FILE")" "http://$STACK_HOST:$HA_PORT/api/config" 2>/dev/null)" || return 1
  [[ "$config" =~ \"state\":\ *\"RUNNING\" ]]
}

start() {
  local pid
  if pid="$(running_pid "$NAME")"; then
    step "ha: already running (pid $pid) on http://$STACK_HOST:$HA_PORT"
    return 0
  fi
  command -v curl >/dev/null 2>&1 || die "curl not found (needed to check Home Assistant's readiness)"
  require_free_port "$HA_PORT" "home assistant" HA_PORT
  choose_release
  install_venv
  write_config
  [ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"
  step "ha: starting Home Assistant $HA_VERSION on $STACK_HOST:$HA_PORT (config $CONFIG_DIR)"
  local started=$SECONDS
  : > "$STACK_DIR/logs/ha.out.log"
  launch
  printf 'HA_PORT=%s\nHA_VERSION_RUNNING=%s\n' "$HA_PORT" "$HA_VERSION" > "$STACK_DIR/run/$NAME.env"
  local rc=0 timeout="${HA_START_TIMEOUT:-300}"
  wait_until "$timeout" "$HA_PID" "ha" is_ready || rc=$?
  if [ "$rc" -eq 0 ]; then
    "$VENV/bin/python" "$STACK_SCRIPTS/ha/onboard.py" "http://$STACK_HOST:$HA_PORT" "$TOKEN_FILE" "$OWNER_FILE" \
      >> "$STACK_DIR/logs/ha-onboard.log" 2>&1 || die "ha: creating the owner and token failed; see $STACK_DIR/logs/ha-onboard.log"
    if ! onboarding_complete; then
      step "ha: owner made; marking the other onboarding steps done and restarting once"
      # HA saves its auth store a moment after a change: stopping before that loses the token.
      wait_until 60 "$HA_PID" "ha token saved" token_saved || die "ha: the new token never reached $CONFIG_DIR/.storage/auth"
      stop_service "$NAME" 60
      complete_onboarding
      launch
      wait_until "$timeout" "$HA_PID" "ha" is_ready || rc=$?
    fi
  fi
  [ "$rc" -eq 0 ] && { wait_until "$timeout" "$HA_PID" "ha" is_running_state || rc=$?; }
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 2 ] && { rm -f "$(pid_file "$NAME")"; die "ha: exited during start-up; see $LOG and $STACK_DIR/logs/ha.out.log"; }
    die "ha: not ready after ${timeout}s (pid $HA_PID left running; see $LOG)"
  fi
  "$VENV/bin/python" "$STACK_SCRIPTS/ha/dashboard.py" "http://$STACK_HOST:$HA_PORT" "$TOKEN_FILE" "$REPO_ROOT/home-assistant/dashboard.yaml" \
    >> "$STACK_DIR/logs/ha-onboard.log" 2>&1 || die "ha: provisioning the dashboard failed; see $STACK_DIR/logs/ha-onboard.log"
  step "ha: ready in $((SECONDS - started))s (Home Assistant $HA_VERSION, pid $HA_PID), token in $TOKEN_FILE"
}

status() {
  local pid
  # shellcheck disable=SC1090
  [ -f "$STACK_DIR/run/$NAME.env" ] && source "$STACK_DIR/run/$NAME.env"
  if pid="$(running_pid "$NAME")"; then
    if [ -f "$TOKEN_FILE" ] && is_running_state; then
      step "ha: up (pid $pid) http://$STACK_HOST:$HA_PORT"
      return 0
    fi
    step "ha: process $pid alive but not running (yet) on $HA_PORT"
    return 1
  fi
  step "ha: down"
  return 1
}

[ "${2:-}" = --quiet ] && QUIET=1
case "${1:-}" in
  start) start ;;
  stop) stop_service "$NAME" 60 ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [--quiet]" >&2; exit 2 ;;
esac
