# Shared by scripts/stack/*.sh: paths, ports, logging, pid files and readiness waits.
# Sourced, not run. Every setting can be overridden from the environment so tests can start
# private instances (own STACK_DIR, own ports) beside the shared stack.

STACK_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$STACK_SCRIPTS/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$REPO_ROOT/.stack}"
STREAM_SMARTS_CACHE="${STREAM_SMARTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stream-smarts}"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
# Home Assistant: the newest release this machine's Pythons allow. 2025.4.x runs on Python 3.13
# (2025.5 and later ask for 3.13.2+); 2024.3.3, the last release for Python 3.11 and 3.12, is the
# fallback where no 3.13 is found. HA_VERSION set by the caller wins; see resolve_ha_version.
HA_VERSION_CURRENT=2025.4.4
HA_VERSION_FALLBACK=2024.3.3
REGISTRY_VERSION="${REGISTRY_VERSION:-3.0.9}"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-9094}"
HA_PORT="${HA_PORT:-8123}"
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
STACK_HOST=127.0.0.1

mkdir -p "$STACK_DIR/logs" "$STACK_DIR/run"
STACK_DIR="$(cd "$STACK_DIR" && pwd)"

# One progress line per step. QUIET=1 silences everything except errors.
step() { [ "${QUIET:-0}" = 1 ] || printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

pid_file() { printf '%s/run/%s.pid' "$STACK_DIR" "$1"; }

# Prints the pid of a service started from this STACK_DIR if it is still alive.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Every service's command line names its STACK_DIR: a recycled pid is not ours.
  case "$(ps -o args= -p "$pid" 2>/dev/null)" in
    *"$STACK_DIR"*) printf '%s' "$pid" ;;
    *) return 1 ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/$STACK_HOST/$1") 2>/dev/null; }

# Fails when a port we are about to bind is taken by a process we did not start.
require_free_port() {
  local port="$1" name="$2"
  if port_open "$port"; then
    die "port $port ($name) is already in use by another process; stop it or set ${3:-a different port variable} (the stack in $STACK_DIR did not start it)"
  fi
}

# wait_until <seconds> <pid> <description> <command...>: polls the command until it succeeds,
# failing early if the process died.
wait_until() {
  local timeout="$1" pid="$2" what="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then return 2; fi
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 0.5
  done
}

# Stops a service started by this STACK_DIR: TERM, then KILL after a grace period.
stop_service() {
  local name="$1" grace="${2:-30}" pid
  if ! pid="$(running_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    step "$name: not running"
    return 0
  fi
  step "$name: stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; break; fi
    sleep 0.3
  done
  rm -f "$(pid_file "$name")"
}

require_java() {
  command -v java >/dev/null 2>&1 || die "java 17+ not found (install OpenJDK 17, e.g. apt-get install openjdk-17-jre-headless)"
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)"
  [ -n "$major" ] && [ "$major" -ge 17 ] || die "java 17+ not found (found java ${major:-unknown} at $(command -v java))"
}

require_maven() {
  command -v mvn >/dev/null 2>&1 || die "maven (mvn) not found; it is needed once to download the Kafka jars (apt-get install maven)"
}

# Random secret of URL-safe characters.
random_token() { head -c "${1:-18}" /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

# Downloads into the cache atomically: concurrent or interrupted runs never see half a file.
fetch() {
  local url="$1" dest="$2" tmp
  tmp="$dest.part.$$"
  curl -fsSL --retry 3 -o "$tmp" "$url" || { rm -f "$tmp"; return 1; }
  mv "$tmp" "$dest"
}

# SHA-1 of stdin or of a file, hex only (sha1sum on Linux, shasum on macOS).
sha1() {
  if command -v sha1sum >/dev/null 2>&1; then sha1sum "$@"; else shasum -a 1 "$@"; fi | cut -c1-40
}

# The Python minor versions a Home Assistant release runs on.
ha_python_minors() {
  case "$1" in
    2024.*) printf '3.11 3.12' ;;
    *) printf '3.13' ;;
  esac
}

# find_ha_python VERSION: prints a Python that can run that Home Assistant release and make its
# venv: $HA_PYTHON, then pythonX.Y and python3 on PATH, then pyenv's installed versions (pyenv's
# python3.13 shim runs only with PYENV_VERSION set; the version's own binary always runs).
find_ha_python() {
  local minors minor candidate candidates=()
  minors="$(ha_python_minors "$1")"
  [ -n "${HA_PYTHON:-}" ] && candidates+=("$HA_PYTHON")
  for minor in $minors; do candidates+=("python$minor"); done
  candidates+=(python3)
  for minor in $minors; do candidates+=("${PYENV_ROOT:-$HOME/.pyenv}/versions/$minor".*/bin/python3); done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(0 if "%d.%d" % sys.version_info[:2] in sys.argv[1].split() else 1)' "$minors" 2>/dev/null; then
      printf '%s' "$candidate"
      return 0
    fi
  done
  return 1
}

# Sets HA_VERSION (unless the caller did) and HA_PYTHON_FOUND (empty when no Python fits it).
resolve_ha_version() {
  if [ -z "${HA_VERSION:-}" ]; then
    if HA_PYTHON_FOUND="$(find_ha_python "$HA_VERSION_CURRENT")"; then HA_VERSION="$HA_VERSION_CURRENT"
    else HA_VERSION="$HA_VERSION_FALLBACK"; HA_PYTHON_FOUND="$(find_ha_python "$HA_VERSION")" || HA_PYTHON_FOUND=""; fi
  else
    HA_PYTHON_FOUND="$(find_ha_python "$HA_VERSION")" || HA_PYTHON_FOUND=""
  fi
}
