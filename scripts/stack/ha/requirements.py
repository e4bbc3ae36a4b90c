"""Prints the pip requirements of the Home Assistant integrations the local stack uses.

Run with the venv's python: it reads the installed homeassistant package's manifests and
follows dependencies and after_dependencies, so start-up finds everything installed and
never pip-installs (quick, and works offline). Usage: python requirements.py DOMAIN...
"""
import json
import sys
from pathlib import Path

import homeassistant
from homeassistant.bootstrap import DEFAULT_INTEGRATIONS

COMPONENTS = Path(homeassistant.__file__).parent / "components"
# Set up by the core whatever the configuration says (see homeassistant/bootstrap.py).
ALWAYS = {"homeassistant", "persistent_notification", "http", "api", "websocket_api", "auth",
          "onboarding", "system_log", "logger", "device_automation", "config", "sensor"}


def manifest(domain: str) -> dict:
    path = COMPONENTS / domain / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> None:
    pending = set(DEFAULT_INTEGRATIONS) | ALWAYS | set(sys.argv[1:])
    seen: set[str] = set()
    requirements: set[str] = set()
    while pending:
        domain = pending.pop()
        if domain in seen:
            continue
        seen.add(domain)
        info = manifest(domain)
        requirements.update(info.get("requirements", []))
        pending.update(info.get("dependencies", []))
        pending.update(info.get("after_dependencies", []))
    print("\n".join(sorted(requirements)))
    print(f"# {len(seen)} integrations: {' '.join(sorted(seen))}", file=sys.stderr)


main()
