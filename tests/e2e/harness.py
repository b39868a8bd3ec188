"""Run a real Home Assistant and the Nuki simulator as processes, outside pytest's event loop.

Shared by the browser tests, `script/develop` and `script/screenshots`, so that all three
start Home Assistant the same way: the committed `config/`, the checkout's
`custom_components/`, an owner user and a finished onboarding (no clicking), and the
HTTP server settings already in storage (HA 2026 would otherwise migrate an `http:` YAML
block into a "Confirm new HTTP server configuration" trial and raise a deprecation repair).

CLI (used by the shell scripts):
    python -m tests.e2e.harness prepare CONFIG_DIR --port 8123 --user dev --password dev
    python -m tests.e2e.harness create-entry URL --user dev --password dev --token T --api-url U
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, TextIO

REPO = Path(__file__).resolve().parents[2]
CONFIG_TEMPLATE = REPO / "config"
DOMAIN = "nuki_web_api"
CLIENT_ID_PATH = "/"
COMMITTED_CONFIG_FILES = ("configuration.yaml",)


def free_port() -> int:
    """Return a loopback port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _write_storage(config_dir: Path, key: str, version: int, minor: int, data: object) -> None:
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    payload = {"version": version, "minor_version": minor, "key": key, "data": data}
    (storage / key).write_text(json.dumps(payload, indent=2))


def prepare_config(config_dir: Path, *, port: int, username: str, password: str) -> None:
    """Make CONFIG_DIR a ready-to-start HA config dir; idempotent, keeps existing state."""
    config_dir.mkdir(parents=True, exist_ok=True)
    if config_dir.resolve() != CONFIG_TEMPLATE.resolve():
        for name in COMMITTED_CONFIG_FILES:
            shutil.copy2(CONFIG_TEMPLATE / name, config_dir / name)
    automations = config_dir / "automations.yaml"  # configuration.yaml includes it
    if not automations.exists():
        automations.write_text("[]\n")
    link = config_dir / "custom_components"
    if not link.is_symlink():
        target = os.path.relpath(REPO / "custom_components", config_dir.resolve())
        link.symlink_to(target, target_is_directory=True)

    storage = config_dir / ".storage"
    if not (storage / "onboarding").exists():
        done = ["user", "core_config", "analytics", "integration"]
        _write_storage(config_dir, "onboarding", 4, 1, {"done": done})
    _write_http_storage(config_dir, port)
    auth = [sys.executable, "-m", "homeassistant", "--script", "auth", "-c", str(config_dir)]
    subprocess.run(
        [*auth, "add", username, password],
        check=True,
        capture_output=True,
    )


def _write_http_storage(config_dir: Path, port: int) -> None:
    """Store the HTTP settings as confirmed ("stable"), with the YAML migration done."""
    from homeassistant.components.http.config import (  # noqa: PLC0415 - heavy import
        HTTP_STORAGE_SCHEMA,
        STORAGE_KEY,
        STORAGE_MINOR_VERSION,
        STORAGE_VERSION,
    )

    stable = HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": port})
    stable |= {"created_at": datetime.now(UTC).isoformat(), "error": None, "error_message": None}
    data = {"stable": stable, "pending": None, "yaml_migration_done": True}
    _write_storage(config_dir, STORAGE_KEY, STORAGE_VERSION, STORAGE_MINOR_VERSION, data)


def start_simulator(port: int, log: TextIO, *, token: str | None = None) -> subprocess.Popen[bytes]:
    """Start `python -m simulator` with the demo scenario on 127.0.0.1:PORT."""
    cmd = [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--scenario", "demo"]
    if token is not None:
        cmd += ["--token", token]
    return subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


def start_hass(config_dir: Path, log: TextIO) -> subprocess.Popen[bytes]:
    """Start `hass -c CONFIG_DIR`; its log also goes to CONFIG_DIR/home-assistant.log.

    DeprecationWarnings are shown (Python hides them by default), so that Home Assistant
    logs them and integration_problems finds those the integration causes.
    """
    cmd = [sys.executable, "-m", "homeassistant", "-c", str(config_dir)]
    env = os.environ | {"PYTHONWARNINGS": "default::DeprecationWarning"}
    return subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)


def stop(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Stop a process politely (SIGTERM), then forcibly."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Wait until URL answers over HTTP (any status); fail early if PROC died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def wait_until_running(
    hass_url: str, bearer: str, proc: subprocess.Popen[bytes], timeout: float = 120.0
) -> None:
    """Wait until Home Assistant reports that its start-up finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Home Assistant exited with {proc.returncode}")
        if request("GET", f"{hass_url}/api/config", bearer=bearer)["state"] == "RUNNING":
            return
        time.sleep(0.5)
    raise TimeoutError(f"Home Assistant did not finish starting within {timeout:.0f} s")


_LOG_RECORD = re.compile(r"^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", re.MULTILINE)
_LEVEL = re.compile(r"^\S+ \S+ (?P<level>[A-Z]+) ")
_PROBLEM_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})
# The integration's logger or files, or its domain as a word ("custom integration
# 'nuki_web_api'", "entry … for nuki_web_api"), not a path such as ~/.cache/nuki_web_api/.
_OURS = re.compile(rf"custom_components[./]{DOMAIN}|(?<![\w/]){DOMAIN}(?![\w/])")
# Home Assistant says this of every custom integration, each time it starts.
_NOT_TESTED_BY_HA = f"We found a custom integration {DOMAIN} which has not been tested"
# And this of each platform of every integration when its language changes (2026.10: the
# reload takes hass.config.components, which holds "nuki_web_api.lock" and the like).
_PLATFORM_TRANSLATIONS = f"Failed to load integration for translation: Invalid domain {DOMAIN}."


def integration_problems(log_text: str) -> list[str]:
    """Return the log records at WARNING or above, or with a traceback, that name the integration.

    Deprecations reach the log as warnings: Home Assistant's "Detected that custom
    integration 'nuki_web_api' …" reports and Python's DeprecationWarning (start_hass turns
    those on).
    """
    problems = []
    for record in _LOG_RECORD.split(log_text):
        level = _LEVEL.match(record)
        if (
            not _OURS.search(record)
            or _NOT_TESTED_BY_HA in record
            or _PLATFORM_TRANSLATIONS in record
        ):
            continue
        if (level and level["level"] in _PROBLEM_LEVELS) or "Traceback (most recent" in record:
            problems.append(record)
    return problems


def request(
    method: str,
    url: str,
    *,
    json_body: object = None,
    form: Mapping[str, str] | None = None,
    bearer: str | None = None,
) -> Any:
    """Send one HTTP request and return the decoded JSON answer (None when empty)."""
    headers = {}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read()
    return json.loads(body) if body else None


@dataclass(frozen=True)
class Tokens:
    """An HA login as the frontend keeps it in localStorage.hassTokens."""

    hass_url: str
    access_token: str
    refresh_token: str
    expires_in: int

    @property
    def client_id(self) -> str:
        """The OAuth client id the frontend uses: its own origin plus a slash."""
        return self.hass_url + CLIENT_ID_PATH

    def local_storage(self) -> str:
        """The JSON text the frontend expects in localStorage.hassTokens."""
        return json.dumps(
            {
                "access_token": self.access_token,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "refresh_token": self.refresh_token,
                "hassUrl": self.hass_url,
                "clientId": self.client_id,
                "expires": int(time.time() * 1000) + self.expires_in * 1000,
            }
        )


def login(hass_url: str, username: str, password: str) -> Tokens:
    """Log in over HA's REST login flow, as the login page would."""
    client_id = hass_url + CLIENT_ID_PATH
    flow = request(
        "POST",
        f"{hass_url}/auth/login_flow",
        json_body={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{client_id}?auth_callback=1",
        },
    )
    result = request(
        "POST",
        f"{hass_url}/auth/login_flow/{flow['flow_id']}",
        json_body={"username": username, "password": password, "client_id": client_id},
    )
    tokens = request(
        "POST",
        f"{hass_url}/auth/token",
        form={"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
    )
    return Tokens(hass_url, tokens["access_token"], tokens["refresh_token"], tokens["expires_in"])


def config_entries(hass_url: str, bearer: str) -> list[dict[str, Any]]:
    """Return this integration's config entries (REST)."""
    entries = request(
        "GET", f"{hass_url}/api/config/config_entries/entry?domain={DOMAIN}", bearer=bearer
    )
    return list(entries)


def create_entry(hass_url: str, bearer: str, *, token: str, api_url: str) -> dict[str, Any]:
    """Add the integration through the REST config flow (the token, API URL in Advanced)."""
    flow = request(
        "POST",
        f"{hass_url}/api/config/config_entries/flow",
        json_body={"handler": DOMAIN, "show_advanced_options": True},
        bearer=bearer,
    )
    result: dict[str, Any] = request(
        "POST",
        f"{hass_url}/api/config/config_entries/flow/{flow['flow_id']}",
        json_body={"api_token": token, "advanced": {"api_url": api_url}},
        bearer=bearer,
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"the config flow did not create an entry: {result}")
    return result


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll CONDITION until it holds; raise TimeoutError after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


@dataclass(frozen=True)
class Stack:
    """A running simulator and Home Assistant, and a login to the latter."""

    sim_url: str
    hass_url: str
    config_dir: Path
    tokens: Tokens

    @property
    def hass_log(self) -> Path:
        """Home Assistant's own log file."""
        return self.config_dir / "home-assistant.log"

    def api(self, method: str, path: str, body: object = None) -> Any:
        """Call Home Assistant's REST API as the logged-in user."""
        bearer = self.tokens.access_token
        return request(method, self.hass_url + path, json_body=body, bearer=bearer)

    def state(self, entity_id: str) -> dict[str, Any] | None:
        """An entity's state object, or None when Home Assistant has no such entity."""
        try:
            state: dict[str, Any] = self.api("GET", f"/api/states/{entity_id}")
        except urllib.error.HTTPError as err:
            if err.code == HTTPStatus.NOT_FOUND:
                return None
            raise
        return state

    def wait_for_state(self, entity_id: str, expected: str) -> None:
        """Wait until ENTITY_ID has the EXPECTED state."""
        wait_until(
            lambda: (state := self.state(entity_id)) is not None and state["state"] == expected,
            f"{entity_id} to be {expected}",
        )

    def sim(self, method: str, path: str, body: object = None) -> Any:
        """Call the simulator (its Nuki routes or its /_sim control routes)."""
        return request(method, self.sim_url + path, json_body=body)


@contextmanager
def run_stack(base: Path, *, username: str, password: str) -> Iterator[Stack]:
    """Run the simulator and Home Assistant (config and logs in BASE) on free loopback ports."""
    config_dir = base / "config"
    sim_port, hass_port = free_port(), free_port()
    prepare_config(config_dir, port=hass_port, username=username, password=password)
    sim_url, hass_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{hass_port}"
    with (base / "simulator.log").open("w") as sim_log, (base / "hass.out").open("w") as hass_out:
        sim = start_simulator(sim_port, sim_log)
        hass = start_hass(config_dir, hass_out)
        try:
            wait_for(sim_url + "/_sim/state", sim)
            wait_for(hass_url + "/manifest.json", hass)
            tokens = login(hass_url, username, password)
            wait_until_running(hass_url, tokens.access_token, hass)
            yield Stack(sim_url, hass_url, config_dir, tokens)
        finally:
            stop(hass)
            stop(sim)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m tests.e2e.harness`."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.harness")
    sub = parser.add_subparsers(dest="cmd", required=True)
    prep = sub.add_parser("prepare", help="make a config dir ready to start")
    prep.add_argument("config_dir", type=Path)
    prep.add_argument("--port", type=int, default=8123)
    entry = sub.add_parser("create-entry", help="add the integration unless it exists")
    entry.add_argument("hass_url")
    entry.add_argument("--token", required=True)
    entry.add_argument("--api-url", required=True)
    for p in (prep, entry):
        p.add_argument("--user", required=True)
        p.add_argument("--password", required=True)
    args = parser.parse_args(argv)
    if args.cmd == "prepare":
        prepare_config(args.config_dir, port=args.port, username=args.user, password=args.password)
        return 0
    bearer = login(args.hass_url, args.user, args.password).access_token
    if config_entries(args.hass_url, bearer):
        print("the Nuki Web API entry exists already")
        return 0
    result = create_entry(args.hass_url, bearer, token=args.token, api_url=args.api_url)
    print(f"created the entry {result['title']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
