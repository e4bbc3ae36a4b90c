"""Provisions the Stream Smarts dashboard as the stack's default dashboard (storage mode).

Run with the HA venv's python (aiohttp, PyYAML). Writes home-assistant/dashboard.yaml
only where no dashboard has been saved yet, so a person's edits in the UI are kept.
Usage: python dashboard.py BASE_URL TOKEN_FILE DASHBOARD_YAML
"""
import asyncio
import sys

import aiohttp
import yaml


async def command(ws: aiohttp.ClientWebSocketResponse, message_id: int, message: dict) -> dict:
    await ws.send_json({"id": message_id, **message})
    while True:
        reply = await ws.receive_json()
        if reply.get("id") == message_id and reply.get("type") == "result":
            return reply


async def main(base: str, token_file: str, dashboard_file: str) -> None:
    with open(token_file, encoding="utf8") as handle:
        token = handle.read().strip()
    with open(dashboard_file, encoding="utf8") as handle:
        config = yaml.safe_load(handle)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        async with session.ws_connect(f"{base}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            if (await ws.receive_json()).get("type") != "auth_ok":
                raise SystemExit("dashboard: the token was refused")
            current = await command(ws, 1, {"type": "lovelace/config"})
            if current.get("success"):
                print("dashboard: kept the saved one")
                return
            saved = await command(ws, 2, {"type": "lovelace/config/save", "config": config})
            if not saved.get("success"):
                raise SystemExit(f"dashboard: saving failed: {saved.get('error')}")
            print("dashboard: provisioned")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
