"""Repository rules that Home Assistant's hassfest does not check.

hassfest itself runs in `script/lint` (../shared/tools/run-hassfest) and in the validate
workflow: manifest keys and values, dependencies, en.json's schema and value rules (no HTML,
URLs, quoted placeholders or padding), icons.json and services.yaml's schema. What it leaves
out for a custom integration is checked here: de.json against en.json, that every action,
flow step, error, entity, exception and issue named in the code has its text (hassfest
demands service texts and icons of core integrations only) and no text is dead, the
quality-scale statuses, the brand images, PARALLEL_UPDATES, no import cycle between
modules (type-only imports count) and no Home Assistant in `api/`. Every checker takes the
integration folder and returns its problems; the second half breaks a copy to show that
each checker can fail.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import shutil
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml
from homeassistant.components.binary_sensor import BinarySensorEntityDescription
from homeassistant.components.button import ButtonEntityDescription
from homeassistant.components.event import EventEntityDescription
from homeassistant.components.lock import LockEntityDescription
from homeassistant.components.number import NumberEntityDescription
from homeassistant.components.select import SelectEntityDescription
from homeassistant.components.sensor import SensorEntityDescription
from homeassistant.components.switch import SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import EntityDescription
from homeassistant.setup import async_setup_component

from custom_components import nuki_web_api
from custom_components.nuki_web_api.api import UrlProblem
from custom_components.nuki_web_api.api.authorizations import AuthProblem
from custom_components.nuki_web_api.const import DOMAIN, PLATFORMS

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN

type Checker = Callable[[Path], list[str]]


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- translations -------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# hassfest's value rules, which it applies to en.json only: no HTML, no '{quoted}'
# placeholders, no padding.
HTML_TAG = re.compile(r"<[a-z/][^>]*>", re.IGNORECASE)
QUOTED_PLACEHOLDER = re.compile(r"'[^']*\{[^}]+\}[^']*'")


def _leaves(tree: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, tree


def _translations(integration: Path, language: str) -> dict[str, Any]:
    data: dict[str, Any] = _json(integration / "translations" / f"{language}.json")
    return data


def translation_problems(integration: Path) -> list[str]:
    """de.json has en.json's keys and placeholders and clean values; en.json no references.

    A custom integration's en.json is shipped as is: a `[%key:…]` reference is resolved
    only for core integrations.
    """
    en = dict(_leaves(_translations(integration, "en")))
    de = dict(_leaves(_translations(integration, "de")))
    problems = [f"{key}: [%key: reference" for key, text in en.items() if "[%key:" in str(text)]
    problems += [f"de.json lacks {key}" for key in sorted(en.keys() - de.keys())]
    problems += [f"de.json has extra {key}" for key in sorted(de.keys() - en.keys())]
    for key, text in de.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(f"de.json {key} is empty or not a string")
        elif HTML_TAG.search(text):
            problems.append(f"de.json {key} contains HTML")
        elif QUOTED_PLACEHOLDER.search(text):
            problems.append(f"de.json {key} quotes a placeholder")
        elif text != text.strip():
            problems.append(f"de.json {key} has leading or trailing spaces")
    problems += [
        f"{key}: placeholders differ"
        for key in en.keys() & de.keys()
        if set(PLACEHOLDER.findall(str(en[key]))) != set(PLACEHOLDER.findall(str(de[key])))
    ]
    return problems


# --- services -----------------------------------------------------------------------------


def service_problems(integration: Path) -> list[str]:
    """Every action in services.yaml has en.json texts for it, its fields and options, and an icon."""
    services: dict[str, Any] = yaml.safe_load((integration / "services.yaml").read_text()) or {}
    en = _translations(integration, "en")
    texts: dict[str, Any] = en.get("services", {})
    selectors: dict[str, Any] = en.get("selector", {})
    icons: dict[str, Any] = _json(integration / "icons.json").get("services", {})
    problems = [f"en.json describes unknown service {name}" for name in texts.keys() - services]
    problems += [
        f"icons.json has an icon for unknown service {name}" for name in icons.keys() - services
    ]
    for name, service in services.items():
        text = texts.get(name, {})
        problems += [f"{name}: no {part}" for part in ("name", "description") if not text.get(part)]
        if name not in icons:
            problems.append(f"{name}: no icon")
        for field, spec in (service or {}).get("fields", {}).items():
            field_text = text.get("fields", {}).get(field, {})
            problems += [
                f"{name}.{field}: no {part}"
                for part in ("name", "description")
                if not field_text.get(part)
            ]
            select = (spec.get("selector") or {}).get("select") or {}
            if key := select.get("translation_key"):
                options = selectors.get(key, {}).get("options", {})
                problems += [
                    f"{name}.{field}: option {option} not in selector.{key}"
                    for option in select.get("options", [])
                    if option not in options
                ]
    return problems


# --- config and options flows -------------------------------------------------------------


def _flow_keys(integration: Path) -> Iterator[tuple[str, str, str]]:
    """(flow, part, key) for each step, abort reason and form error named in config_flow.py."""
    tree = ast.parse((integration / "config_flow.py").read_text())
    options_nodes: set[int] = set()
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        flow = "options" if any("OptionsFlow" in ast.unparse(b) for b in cls.bases) else "config"
        if flow == "options":
            options_nodes |= {id(node) for node in ast.walk(cls)}
        methods = {node.name for node in cls.body if isinstance(node, ast.AsyncFunctionDef)}
        for call in (node for node in ast.walk(cls) if isinstance(node, ast.Call)):
            name = _call_name(call)
            for keyword in call.keywords:
                if isinstance(keyword.value, ast.Constant):
                    if name == "async_show_form" and keyword.arg == "step_id":
                        yield flow, "step", keyword.value.value
                    elif keyword.arg == "reason":
                        yield flow, "abort", keyword.value.value
            if name == "_async_connect" and isinstance(call.args[0], ast.Constant):
                yield flow, "step", call.args[0].value  # the token steps' shared form
            if name == "_abort_if_unique_id_configured":
                yield flow, "abort", "already_configured"
            if name == "async_update_reload_and_abort":
                for step, reason in (("reauth", "reauth"), ("reconfigure", "reconfigure")):
                    if f"async_step_{step}" in methods:
                        yield flow, "abort", f"{reason}_successful"
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and id(node) not in options_nodes:
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "base"
                    and isinstance(value, ast.Constant)
                ):
                    yield "config", "error", value.value
    # The flow shows a refused API URL's problem as the form error.
    yield from (("config", "error", problem.value) for problem in UrlProblem)


def _form_fields(step: dict[str, Any], where: str) -> Iterator[str]:
    for key in step.get("data", {}):
        if key not in step.get("data_description", {}):
            yield f"{where}: {key} has no data_description"
    for name, section in step.get("sections", {}).items():
        yield from _form_fields(section, f"{where}.sections.{name}")


def flow_problems(integration: Path) -> list[str]:
    """Steps, abort reasons and errors of the flows have texts; every field a description."""
    en = _translations(integration, "en")
    problems = [
        f"{flow}.{part}.{key} missing in en.json"
        for flow, part, key in _flow_keys(integration)
        if key not in en.get(flow, {}).get(part, {})
    ]
    for flow in ("config", "options"):
        for step_id, step in en.get(flow, {}).get("step", {}).items():
            problems += _form_fields(step, f"{flow}.step.{step_id}")
    return problems


# --- entity, exception and issue translation keys ----------------------------------------

PLATFORM_DESCRIPTIONS: dict[str, type[EntityDescription]] = {
    "binary_sensor": BinarySensorEntityDescription,
    "button": ButtonEntityDescription,
    "event": EventEntityDescription,
    "lock": LockEntityDescription,
    "number": NumberEntityDescription,
    "select": SelectEntityDescription,
    "sensor": SensorEntityDescription,
    "switch": SwitchEntityDescription,
}


def entity_descriptions() -> list[tuple[str, EntityDescription]]:
    """Every description in a module-level tuple or list of the package, with its platform."""
    found: dict[int, tuple[str, EntityDescription]] = {}
    for module_info in pkgutil.iter_modules(nuki_web_api.__path__):
        module = importlib.import_module(f"{nuki_web_api.__name__}.{module_info.name}")
        for value in vars(module).values():
            if not isinstance(value, tuple | list):
                continue
            for item in value:
                for platform, base in PLATFORM_DESCRIPTIONS.items():
                    if isinstance(item, base):
                        found[id(item)] = (platform, item)
    return list(found.values())


def entity_translation_problems(integration: Path) -> list[str]:
    """Each description's translation_key names an en.json entry (or, unnamed, an icon).

    Without a translation_key the device class gives the name.
    """
    texts: dict[str, Any] = _translations(integration, "en").get("entity", {})
    icons: dict[str, Any] = _json(integration / "icons.json").get("entity", {})
    problems = []
    for platform, description in entity_descriptions():
        key = description.translation_key
        if key is None:
            if getattr(description, "device_class", None) is None:  # nothing names it
                problems.append(
                    f"{platform}.{description.key}: no translation_key, no device class"
                )
        elif key not in texts.get(platform, {}) and not (
            # The main feature (name None) may use its key for icons only.
            description.name is None and key in icons.get(platform, {})
        ):
            problems.append(f"entity.{platform}.{key} missing in en.json")
        else:
            entry = texts.get(platform, {}).get(key, {})
            problems += [
                f"entity.{platform}.{key}: no text for {where}.{state}"
                for where, states in _states(description).items()
                for state in states
                if not _dig(entry, *where.split("."), state)
            ]
    return problems


def _states(description: EntityDescription) -> dict[str, list[str]]:
    """The states a select, enum sensor or event entity can take, by en.json place."""
    if isinstance(description, EventEntityDescription):
        return {"state_attributes.event_type.state": list(description.event_types or [])}
    return {"state": list(getattr(description, "options", None) or [])}


def _dig(tree: Any, *path: str) -> Any:
    for part in path:
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _key_helpers(tree: ast.Module) -> dict[str, int]:
    """Functions that pass a parameter on as translation_key, by name -> argument index."""
    helpers = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        params = [arg.arg for arg in node.args.args if arg.arg not in ("self", "cls")]
        for call in ast.walk(node):
            for keyword in getattr(call, "keywords", []):
                value = keyword.value
                if (
                    keyword.arg == "translation_key"
                    and isinstance(value, ast.Name)
                    and value.id in params
                ):
                    helpers[node.name] = params.index(value.id)
    return helpers


def used_translation_keys(integration: Path) -> dict[str, set[str]]:
    """Exception and issue keys in the source: literals, ``f"prefix_{…}"`` as ``prefix_*``."""
    used: dict[str, set[str]] = {"exceptions": set(), "issues": set()}
    trees = [ast.parse(path.read_text()) for path in sorted(integration.rglob("*.py"))]
    helpers: dict[str, int] = {}
    for tree in trees:
        helpers |= _key_helpers(tree)
    for tree in trees:
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            name = _call_name(call)
            if name.endswith("EntityDescription"):
                continue  # entity keys: entity_translation_problems
            kind = "issues" if name in ("async_create_issue", "create_issue") else "exceptions"
            values = [kw.value for kw in call.keywords if kw.arg == "translation_key"]
            if name in helpers and len(call.args) > helpers[name]:
                values.append(call.args[helpers[name]])
            for value in values:
                if isinstance(value, ast.JoinedStr):
                    prefix = value.values[0]
                    if isinstance(prefix, ast.Constant):
                        used[kind].add(f"{prefix.value}*")
                    continue
                used[kind] |= {
                    node.value
                    for node in ast.walk(value)
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)
                }
    # Nuki's rules (api/authorizations.py) name the error of a value they refuse.
    used["exceptions"] |= {problem.value for problem in AuthProblem}
    return used


def exception_issue_problems(integration: Path) -> list[str]:
    """Every exception and issue key raised in the code has its en.json text."""
    en = _translations(integration, "en")
    problems = []
    for kind, keys in used_translation_keys(integration).items():
        known = en.get(kind, {})
        for key in sorted(keys):
            if key.endswith("*"):
                if not any(text.startswith(key[:-1]) for text in known):
                    problems.append(f"{kind}.{key} matches nothing in en.json")
            elif key not in known:
                problems.append(f"{kind}.{key} missing in en.json")
    return problems


def _string_literals(integration: Path) -> set[str]:
    return {
        node.value
        for path in integration.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def unused_translation_problems(integration: Path) -> list[str]:
    """No dead strings: en.json entity, exception and issue texts that nothing uses."""
    en = _translations(integration, "en")
    used_entities = {
        (platform, description.translation_key) for platform, description in entity_descriptions()
    }
    problems = [
        f"entity.{platform}.{key} is unused"
        for platform, keys in en.get("entity", {}).items()
        for key in keys
        if (platform, key) not in used_entities
    ]
    literals = _string_literals(integration)
    prefixes = {key[:-1] for key in used_translation_keys(integration)["issues"] if key[-1] == "*"}
    for kind in ("exceptions", "issues"):
        problems += [
            f"{kind}.{key} is unused"
            for key in en.get(kind, {})
            if key not in literals
            and not any(key.startswith(p) and key[len(p) :] in literals for p in prefixes)
        ]
    return problems


# --- quality_scale.yaml -------------------------------------------------------------------

QUALITY_SCALE_RULES = frozenset(
    {
        # Bronze
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
        # Silver
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
        # Gold
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
        # Platinum
        "async-dependency",
        "inject-websession",
        "strict-typing",
    }
)


def quality_scale_problems(integration: Path) -> list[str]:
    """hassfest's schema (not run for custom integrations): all 54 rules, exemptions explained."""
    rules: dict[str, Any] = yaml.safe_load((integration / "quality_scale.yaml").read_text())[
        "rules"
    ]
    problems = [f"unknown rule {rule}" for rule in sorted(rules.keys() - QUALITY_SCALE_RULES)]
    problems += [f"rule {rule} missing" for rule in sorted(QUALITY_SCALE_RULES - rules.keys())]
    for rule, value in rules.items():
        status = value.get("status") if isinstance(value, dict) else value
        if status not in ("done", "todo", "exempt"):
            problems.append(f"{rule}: status {status!r}")
        elif status == "exempt" and not (isinstance(value, dict) and value.get("comment")):
            problems.append(f"{rule}: exempt without a comment")
    return problems


# --- brand images -------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(path: Path) -> tuple[int, int] | None:
    header = path.read_bytes()[:24]
    if header[:8] != PNG_SIGNATURE or header[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def brand_problems(integration: Path) -> list[str]:
    """brand/: square icons of 256 and 512, logos with a short side of 128-256 (256-512 @2x)."""
    brand = integration / "brand"
    problems: list[str] = []
    sizes: dict[str, tuple[int, int]] = {}
    for name in ("icon", "icon@2x", "logo", "logo@2x"):
        path = brand / f"{name}.png"
        if not path.is_file():
            problems.append(f"{name}.png missing")
        elif (size := _png_size(path)) is None:
            problems.append(f"{name}.png is not a PNG")
        else:
            sizes[name] = size
    for name, side in (("icon", 256), ("icon@2x", 512)):
        if name in sizes and sizes[name] != (side, side):
            problems.append(f"{name}.png is {sizes[name]}, not {side}x{side}")
    for name, low in (("logo", 128), ("logo@2x", 256)):
        if name in sizes and not low <= min(sizes[name]) <= 2 * low:
            problems.append(f"{name}.png {sizes[name]}: short side not within {low}..{2 * low}")
    if "logo" in sizes and "logo@2x" in sizes:
        (width, height), (width2, height2) = sizes["logo"], sizes["logo@2x"]
        if abs(width / height - width2 / height2) > 0.02 * width / height:
            problems.append("logo.png and logo@2x.png differ in aspect ratio")
    return problems


# --- module-level names -------------------------------------------------------------------


def _module_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    return names | {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def module_problems(integration: Path) -> list[str]:
    """PARALLEL_UPDATES in every platform module (the quality scale's parallel-updates)."""
    return [
        f"{platform}.py has no PARALLEL_UPDATES"
        for platform in PLATFORMS
        if "PARALLEL_UPDATES" not in _module_names(integration / f"{platform}.py")
    ]


def _relative_imports(path: Path) -> set[str]:
    """Sibling modules a module imports (`from .x import`, `from . import x`), also under
    TYPE_CHECKING."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def import_problems(integration: Path) -> list[str]:
    """No import cycle between the integration's modules; `api/` imports no Home Assistant."""
    modules = {path.stem: path for path in integration.glob("*.py")}
    graph = {
        name: sorted(_relative_imports(path) & modules.keys() - {name})
        for name, path in modules.items()
    }
    problems = []
    for start in sorted(graph):
        stack = [(start, [start])]
        while stack:
            name, path = stack.pop()
            for imported in graph[name]:
                if imported == start:
                    problems.append("import cycle: " + " -> ".join([*path, start]))
                elif imported not in path and imported > start:  # each cycle once
                    stack.append((imported, [*path, imported]))
    for path in sorted((integration / "api").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            imported = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(name.split(".")[0] == "homeassistant" for name in imported):
                problems.append(f"api/{path.name} imports Home Assistant")
    return problems


CHECKERS: dict[str, Checker] = {
    "translations": translation_problems,
    "services": service_problems,
    "flows": flow_problems,
    "entity_translations": entity_translation_problems,
    "exception_issue_translations": exception_issue_problems,
    "unused_translations": unused_translation_problems,
    "quality_scale": quality_scale_problems,
    "brand": brand_problems,
    "modules": module_problems,
    "imports": import_problems,
}


@pytest.mark.parametrize("checker", CHECKERS.values(), ids=CHECKERS.keys())
def test_repository_passes(checker: Checker) -> None:
    """The repository as committed passes every check."""
    assert checker(INTEGRATION) == []


TARGET_KEYS = {"area_id", "device_id", "entity_id", "floor_id", "label_id"}


def _schema_fields(schema: Any) -> set[str]:
    """Field names of a service schema (entity services wrap theirs in All(...))."""
    if isinstance(schema, vol.Schema):
        return _schema_fields(schema.schema)
    if isinstance(schema, vol.All):
        return _schema_fields(schema.validators[0])
    return {str(key) for key in schema} - {"metadata"}


async def test_services_yaml_matches_registered_services(hass: HomeAssistant) -> None:
    """The actions async_setup registers are those services.yaml describes, field by field."""
    assert await async_setup_component(hass, DOMAIN, {})
    registered = hass.services.async_services_internal()[DOMAIN]
    described: dict[str, Any] = yaml.safe_load((INTEGRATION / "services.yaml").read_text())

    assert registered.keys() == described.keys()
    for name, service in registered.items():
        fields = _schema_fields(service.schema)
        if "target" in described[name]:
            fields -= TARGET_KEYS
        assert fields == set(described[name].get("fields", {})), name


def test_the_walks_find_what_they_check() -> None:
    """Guard against checks that pass because they look at nothing."""
    assert len(QUALITY_SCALE_RULES) == 54
    platforms = {platform for platform, _ in entity_descriptions()}
    assert platforms == {str(platform) for platform in PLATFORMS}
    used = used_translation_keys(INTEGRATION)
    # a literal, a helper argument (services.invalid), a refused rule (api.authorizations),
    # a .get default, an f-string, an issue
    assert {
        "button_cooldown",
        "pick_one_code",
        "invalid_code",
        "action_failed",
        "device_offline",
    } <= used["exceptions"]
    assert {"smart_hosting", "missing_scope", "push_*"} <= used["issues"]
    flow_keys = set(_flow_keys(INTEGRATION))
    assert {
        ("config", "step", "reauth_confirm"),
        ("options", "step", "init"),
        ("config", "abort", "reconfigure_successful"),
        ("config", "error", "invalid_auth"),
    } <= flow_keys


# --- each checker can fail ----------------------------------------------------------------


def _edit_json(path: Path, edit: Callable[[Any], object]) -> None:
    data = _json(path)
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _write_png(path: Path, width: int, height: int) -> None:
    path.write_bytes(PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", width, height))


BREAKAGES: dict[str, tuple[Checker, Callable[[Path], object]]] = {
    "de_missing_key": (
        translation_problems,
        lambda i: _edit_json(i / "translations/de.json", lambda d: d["services"].popitem()),
    ),
    "en_reference": (
        translation_problems,
        lambda i: _edit_json(
            i / "translations/en.json",
            lambda d: d["config"]["abort"].update(reauth_successful="[%key:common::x%]"),
        ),
    ),
    "de_padded": (
        translation_problems,
        lambda i: _edit_json(
            i / "translations/de.json",
            lambda d: d["config"]["abort"].update(wrong_account=" Falsches Konto"),
        ),
    ),
    "de_quoted_placeholder": (
        translation_problems,
        lambda i: _edit_json(
            i / "translations/de.json",
            lambda d: d["exceptions"]["device_busy"].update(message="'{name}' is busy"),
        ),
    ),
    "service_no_icon": (
        service_problems,
        lambda i: _edit_json(i / "icons.json", lambda d: d["services"].pop("lock_n_go")),
    ),
    "service_field_no_text": (
        service_problems,
        lambda i: _edit_json(
            i / "translations/en.json",
            lambda d: d["services"]["create_keypad_code"]["fields"].pop("code"),
        ),
    ),
    "flow_abort_missing": (
        flow_problems,
        lambda i: _edit_json(
            i / "translations/en.json", lambda d: d["config"]["abort"].pop("wrong_account")
        ),
    ),
    "flow_error_missing": (
        flow_problems,
        lambda i: _edit_json(
            i / "translations/en.json", lambda d: d["config"]["error"].pop("insufficient_scope")
        ),
    ),
    "flow_section_field_undescribed": (
        flow_problems,
        lambda i: _edit_json(
            i / "translations/en.json",
            lambda d: d["config"]["step"]["user"]["sections"]["advanced"]["data_description"].pop(
                "api_url"
            ),
        ),
    ),
    "entity_key_missing": (
        entity_translation_problems,
        lambda i: _edit_json(
            i / "translations/en.json", lambda d: d["entity"]["sensor"].pop("door_state")
        ),
    ),
    "exception_key_missing": (
        exception_issue_problems,
        lambda i: _edit_json(
            i / "translations/en.json", lambda d: d["exceptions"].pop("invalid_code")
        ),
    ),
    "issue_prefix_missing": (
        exception_issue_problems,
        lambda i: _edit_json(
            i / "translations/en.json",
            lambda d: d.update(issues={k: v for k, v in d["issues"].items() if "push" not in k}),
        ),
    ),
    "select_option_no_state": (
        entity_translation_problems,
        lambda i: _edit_json(
            i / "translations/en.json",
            lambda d: d["entity"]["select"]["motor_speed"]["state"].popitem(),
        ),
    ),
    "event_type_no_text": (
        entity_translation_problems,
        lambda i: _edit_json(
            i / "translations/en.json",
            lambda d: d["entity"]["event"]["doorbell"]["state_attributes"]["event_type"][
                "state"
            ].popitem(),
        ),
    ),
    "selector_option_no_text": (
        service_problems,
        lambda i: _edit_json(
            i / "translations/en.json", lambda d: d["selector"]["week_day"]["options"].pop("sun")
        ),
    ),
    "dead_exception_text": (
        unused_translation_problems,
        lambda i: _edit_json(
            i / "translations/en.json", lambda d: d["exceptions"].update(never_raised="x")
        ),
    ),
    "dead_entity_text": (
        unused_translation_problems,
        lambda i: _edit_json(
            i / "translations/en.json", lambda d: d["entity"]["sensor"].update(gone={"name": "x"})
        ),
    ),
    "quality_scale_exempt_silent": (
        quality_scale_problems,
        lambda i: (i / "quality_scale.yaml").write_text(
            (i / "quality_scale.yaml").read_text().replace("  brands: done", "  brands: exempt")
        ),
    ),
    "quality_scale_unknown_rule": (
        quality_scale_problems,
        lambda i: (i / "quality_scale.yaml").write_text(
            (i / "quality_scale.yaml").read_text().replace("  brands: done", "  brand: done")
        ),
    ),
    "icon_not_square": (brand_problems, lambda i: _write_png(i / "brand/icon.png", 256, 200)),
    "logo_not_png": (brand_problems, lambda i: (i / "brand/logo.png").write_bytes(b"GIF89a")),
    "no_parallel_updates": (
        module_problems,
        lambda i: (i / "lock.py").write_text(
            (i / "lock.py").read_text().replace("PARALLEL_UPDATES", "SERIAL_UPDATES")
        ),
    ),
    "type_only_import_cycle": (
        import_problems,
        lambda i: (i / "coordinator.py").write_text(
            (i / "coordinator.py").read_text()
            + "\nif TYPE_CHECKING:\n    from .push import NukiPush\n"
        ),
    ),
    "api_imports_home_assistant": (
        import_problems,
        lambda i: (i / "api/enums.py").write_text(
            "from homeassistant.const import Platform\n" + (i / "api/enums.py").read_text()
        ),
    ),
}


@pytest.mark.parametrize(("checker", "breakage"), BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_broken_copy_fails(
    tmp_path: Path, checker: Checker, breakage: Callable[[Path], object]
) -> None:
    """The same check on a copy with one mistake reports it."""
    integration = tmp_path / "custom_components" / DOMAIN
    shutil.copytree(INTEGRATION, integration, ignore=shutil.ignore_patterns("__pycache__"))
    assert checker(integration) == []

    breakage(integration)

    assert checker(integration) != []
