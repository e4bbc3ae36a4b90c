"""Creates the Home Assistant owner and a long-lived access token for the local stack.

Run with the HA venv's python (it has aiohttp). Idempotent:
- onboarding not done: creates the owner through POST /api/onboarding/users, exchanges the
  auth code for an access token, then asks the websocket for a long-lived token;
- owner exists and the token file still authenticates: nothing to do;
- owner exists, token missing or rejected: logs in with the owner's saved password (login flow)
  and makes a new long-lived token.
The other onboarding steps are marked done by scripts/stack/ha.sh (their API would start
integrations that reach the internet). The onboarding API and store (version 4, the steps user,
core_config, analytics, integration) are the same in Home Assistant 2024.3 and 2025.4. Usage: python onboard.py BASE_URL TOKEN_FILE OWNER_FILE
"""
import asyncio
import json
import os
import secrets
import sys
import time

import aiohttp

OWNER_NAME = "Stream Smarts"
OWNER_USERNAME = "smarts"


def write_private(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


async def token_works(session: aiohttp.ClientSession, base: str, token: str) -> bool:
    async with session.get(f"{base}/api/", headers={"Authorization": f"Bearer {token}"}) as resp:
        return resp.status == 200


async def exchange_code(session: aiohttp.ClientSession, base: str, client_id: str, code: str) -> str:
    form = {"grant_type": "authorization_code", "code": code, "client_id": client_id}
    async with session.post(f"{base}/auth/token", data=form) as resp:
        resp.raise_for_status()
        return (await resp.json())["access_token"]


async def create_owner(session: aiohttp.ClientSession, base: str, client_id: str, owner_file: str) -> str:
    password = secrets.token_urlsafe(18)
    write_private(owner_file, json.dumps({"username": OWNER_USERNAME, "password": password}) + "\n")
    body = {"client_id": client_id, "name": OWNER_NAME, "username": OWNER_USERNAME,
            "password": password, "language": "en"}
    async with session.post(f"{base}/api/onboarding/users", json=body) as resp:
        if resp.status != 200:
            raise SystemExit(f"onboarding: creating the owner failed: HTTP {resp.status} {await resp.text()}")
        return (await resp.json())["auth_code"]


async def login(session: aiohttp.ClientSession, base: str, client_id: str, owner_file: str) -> str:
    try:
        with open(owner_file, encoding="utf8") as handle:
            owner = json.load(handle)
    except FileNotFoundError:
        raise SystemExit(f"onboarding: the owner exists but {owner_file} is gone; "
                         "remove the stack dir's ha/config/.storage to start over") from None
    start = {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id}
    async with session.post(f"{base}/auth/login_flow", json=start) as resp:
        resp.raise_for_status()
        flow_id = (await resp.json())["flow_id"]
    step = {"client_id": client_id, "username": owner["username"], "password": owner["password"]}
    async with session.post(f"{base}/auth/login_flow/{flow_id}", json=step) as resp:
        resp.raise_for_status()
        result = await resp.json()
    if result.get("type") != "create_entry":
        raise SystemExit(f"onboarding: logging in as the owner failed: {result.get('errors')}")
    return result["result"]


async def long_lived_token(session: aiohttp.ClientSession, base: str, access_token: str) -> str:
    async with session.ws_connect(f"{base}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": access_token})
        reply = await ws.receive_json()
        if reply.get("type") != "auth_ok":
            raise SystemExit(f"onboarding: websocket auth failed: {reply}")
        await ws.send_json({"id": 1, "type": "auth/long_lived_access_token",
                            # Client names must be unique per user: a replacement token gets a new one.
                            "client_name": f"stream-smarts local stack {int(time.time())}", "lifespan": 3650})
        reply = await ws.receive_json()
        if not reply.get("success"):
            raise SystemExit(f"onboarding: creating the long-lived token failed: {reply}")
        return reply["result"]


async def main(base: str, token_file: str, owner_file: str) -> None:
    client_id = f"{base}/"
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(f"{base}/api/onboarding") as resp:
            if resp.status == 404:
                # onboarding is complete: Home Assistant no longer serves its API
                steps = {"user": True}
            else:
                resp.raise_for_status()
                steps = {s["step"]: s["done"] for s in await resp.json()}
        if steps.get("user"):
            if os.path.exists(token_file):
                with open(token_file, encoding="utf8") as handle:
                    if await token_works(session, base, handle.read().strip()):
                        print("token ok")
                        return
            code = await login(session, base, client_id, owner_file)
        else:
            code = await create_owner(session, base, client_id, owner_file)
        access_token = await exchange_code(session, base, client_id, code)
        token = await long_lived_token(session, base, access_token)
        write_private(token_file, token + "\n")
        print("token created")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
