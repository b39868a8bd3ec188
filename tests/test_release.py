"""Releases and the ecosystem around the code: hacs.json, workflows, changelog, release zip.

The workflows cannot run here; these tests parse them and check what they must do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "nuki_web_api"
WORKFLOWS = ROOT / ".github" / "workflows"
# HACS's hacs.json keys (hacs/integration, utils/validate.py).
HACS_KEYS = {
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "name",
    "persistent_directory",
    "render_readme",
    "zip_release",
}
# An action pinned to a release: a version tag (v6, v2.1.0, 22.5.0) or a commit.
RELEASED = re.compile(r"@(v?\d+(\.\d+)*|[0-9a-f]{40})$")
# home-assistant/actions publishes no current release; its docs use master.
UNRELEASED_ALLOWED = {"home-assistant/actions/hassfest@master"}


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _manifest_version() -> str:
    return str(_json(INTEGRATION / "manifest.json")["version"])


def _workflow(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _runs(workflow: dict[Any, Any]) -> list[str]:
    return [step["run"] for step in _steps(workflow) if "run" in step]


def _uses(workflow: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return {step["uses"]: step.get("with", {}) for step in _steps(workflow) if "uses" in step}


# --- hacs.json ------------------------------------------------------------------------------


def test_hacs_json() -> None:
    """Known keys; the release zip is what HACS installs; the minimum HA is the tested one."""
    hacs = _json(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"]
    assert hacs["zip_release"] is True
    assert hacs["filename"] == "nuki_web_api.zip"
    # The version the unit tests run against (pytest-homeassistant-custom-component pins it):
    # nothing older is tested, so nothing older is promised.
    assert AwesomeVersion(hacs["homeassistant"]) == AwesomeVersion(ha_version)


# --- workflows ------------------------------------------------------------------------------


def test_every_workflow_parses_and_pins_released_actions() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [path.name for path in files] == ["release.yml", "tests.yml", "validate.yml"]
    for path in files:
        workflow = _workflow(path.name)
        assert workflow["name"]
        assert workflow["on"]
        for action in _uses(workflow):
            assert RELEASED.search(action) or action in UNRELEASED_ALLOWED, action


def test_validate_workflow_runs_hassfest_and_hacs() -> None:
    workflow = _workflow("validate.yml")
    assert {"push", "pull_request", "schedule"} <= set(workflow["on"])
    assert workflow["on"]["schedule"][0]["cron"]
    uses = _uses(workflow)
    assert "home-assistant/actions/hassfest@master" in uses
    hacs = [with_ for action, with_ in uses.items() if action.startswith("hacs/action@")]
    assert hacs == [{"category": "integration"}]


def test_tests_workflow_runs_the_readme_commands_on_python_314() -> None:
    workflow = _workflow("tests.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert all(job["runs-on"].startswith("ubuntu") for job in workflow["jobs"].values())
    python = [
        w for action, w in _uses(workflow).items() if action.startswith("actions/setup-python@")
    ]
    assert python == [{"python-version": "3.14"}]
    assert _runs(workflow) == ["script/setup --no-e2e", "script/test", "script/lint"]


def test_release_workflow_checks_the_tag_and_attaches_the_hacs_zip() -> None:
    workflow = _workflow("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "write"}
    assert _runs(workflow) == ['script/release "$GITHUB_REF_NAME" dist']
    upload = next(w for a, w in _uses(workflow).items() if a.startswith("softprops/"))
    assert upload["files"] == "dist/" + _json(ROOT / "hacs.json")["filename"]


def test_release_zip_holds_the_integration(tmp_path: Path) -> None:
    """script/release builds the zip HACS unpacks into custom_components/nuki_web_api/."""
    out = subprocess.run(
        [ROOT / "script" / "release", f"v{_manifest_version()}", tmp_path],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "files of custom_components/nuki_web_api" in out.stdout
    with zipfile.ZipFile(tmp_path / _json(ROOT / "hacs.json")["filename"]) as archive:
        names = set(archive.namelist())
    expected = {
        path.relative_to(INTEGRATION).as_posix()
        for path in INTEGRATION.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert names == expected
    assert {"manifest.json", "__init__.py", "translations/de.json", "brand/icon.png"} <= names


@pytest.mark.parametrize("tag", ["v0.0.1", "0.1.0-rc", "latest"])
def test_release_refuses_a_tag_that_is_not_the_manifest_version(tmp_path: Path, tag: str) -> None:
    result = subprocess.run(
        [ROOT / "script" / "release", tag, tmp_path], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "is not manifest.json's version" in result.stderr
    assert not list(tmp_path.iterdir())


# --- versions -------------------------------------------------------------------------------


def test_manifest_version_is_the_newest_changelog_entry() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "Keep a Changelog" in changelog
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.MULTILINE)
    assert versions, "no version entries"
    assert versions[0] == _manifest_version()
    assert versions == sorted(versions, key=AwesomeVersion, reverse=True)


def _setup_python(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ROOT / "script" / "setup", "--print-python"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_setup_uses_a_python_314_found_on_path(tmp_path: Path) -> None:
    """script/setup takes a Python >= 3.14.2 from PATH before assembling one (GitHub's runners)."""
    shim = tmp_path / "bin" / "python3.14"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys._base_executable}" "$@"\n')
    shim.chmod(0o755)
    env = os.environ | {
        "PATH": f"{shim.parent}:/usr/bin:/bin",
        "NUKI_PY_CACHE": str(tmp_path / "no-cache"),
    }
    assert _setup_python(env).stdout.strip() == str(shim)

    shim.write_text("#!/bin/sh\nexit 1\n")  # an older Python: refused, none left to take
    refused = _setup_python(env)
    assert refused.returncode != 0
    assert refused.stdout == ""
