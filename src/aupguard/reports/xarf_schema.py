"""JSON Schema validators for X-ARF (v4 from the `xarf` package, legacy from Abusix), built once.

Errors are turned into (field, reason): the dotted path of the offending field, with the
missing or unexpected property name appended, so a rejection says exactly what to fix.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

import referencing
from referencing.jsonschema import DRAFT7, DRAFT202012

if TYPE_CHECKING:
    # Imported where used: jsonschema's format checker builds an RFC 3987 grammar on
    # import (about half of every `aupguard` command's start-up), and only report
    # intake needs it.
    import jsonschema
    import jsonschema.exceptions

LEGACY_VERSIONS = ("1", "2", "3", "alpha", "development")
_LEGACY_ROOT = files("aupguard.reports") / "schemas" / "abusix"
_MAX_ERRORS = 200  # a hostile report can fail thousands of checks; the first few suffice


def _json(path: Traversable) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def v4_spec_version() -> str:
    """The X-ARF specification version of the bundled v4 schemas, e.g. "v4.2.0"."""
    return str(_json(files("xarf") / "schemas" / ".version").get("version", "unknown"))


@cache
def _v4() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    import jsonschema

    root = files("xarf") / "schemas"
    paths = [root / "xarf-core.json", root / "xarf-v4-master.json"]
    paths += sorted((p for p in (root / "types").iterdir() if p.name.endswith(".json")), key=str)
    schemas = [_json(p) for p in paths]
    registry: referencing.Registry[Any] = referencing.Registry().with_resources(
        (s["$id"], DRAFT202012.create_resource(s)) for s in schemas
    )
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    core, master = (
        jsonschema.Draft202012Validator(s, registry=registry, format_checker=checker)
        for s in schemas[:2]
    )
    return core, master


def v4_core_validator() -> jsonschema.Draft202012Validator:
    """The fields every v4 report has; checked first, since the master schema's
    per-type `if` clauses hold vacuously when category or type is missing."""
    return _v4()[0]


def v4_validator() -> jsonschema.Draft202012Validator:
    return _v4()[1]


def v4_types() -> dict[str, set[str]]:
    from xarf.schema_registry import schema_registry

    types: dict[str, set[str]] = schema_registry.get_all_types()
    return types


@cache
def _legacy() -> dict[tuple[str, str], list[jsonschema.Draft7Validator]]:
    """Per (version, ReportType): the validators of the per-type schemas that accept it."""
    resources: list[tuple[str, Any]] = []
    by_version: dict[str, list[dict[str, Any]]] = {}
    for version in LEGACY_VERSIONS:
        for path in sorted((_LEGACY_ROOT / version).iterdir(), key=str):
            if path.name.endswith(".json"):
                schema = _json(path)
                resources.append((schema["$id"], DRAFT7.create_resource(schema)))
                by_version.setdefault(version, []).append(schema)
    import jsonschema

    registry: referencing.Registry[Any] = referencing.Registry().with_resources(resources)
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    per_type: dict[tuple[str, str], list[jsonschema.Draft7Validator]] = {}
    for version, schemas in by_version.items():
        for schema in schemas:
            validator = jsonschema.Draft7Validator(
                schema, registry=registry, format_checker=checker
            )
            for report_type in _report_types(schema):
                per_type.setdefault((version, report_type), []).append(validator)
    return per_type


def legacy_type_validators(version: str, report_type: str) -> list[jsonschema.Draft7Validator]:
    """The schemas of a version that accept `report_type` (RPZ and Malware share one)."""
    return _legacy().get((version, report_type), [])


def legacy_types(version: str) -> list[str]:
    return sorted(t for v, t in _legacy() if v == version)


def _report_types(schema: Any) -> list[str]:
    """The ReportType enum values a per-type schema pins (found anywhere inside it)."""
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            spec = node.get("ReportType")
            if isinstance(spec, dict) and isinstance(spec.get("enum"), list):
                found.extend(str(v) for v in spec["enum"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def problem(validator: jsonschema.protocols.Validator, instance: Any) -> tuple[str, str] | None:
    """(field, reason) of the most relevant error, or None when `instance` is valid."""
    import jsonschema.exceptions

    errors = []
    for error in validator.iter_errors(instance):
        errors.append(error)
        if len(errors) >= _MAX_ERRORS:
            break
    if not errors:
        return None
    # The deepest error names the most precise field; best_match breaks ties.
    deepest = max(len(e.absolute_path) for e in errors)
    best = jsonschema.exceptions.best_match(e for e in errors if len(e.absolute_path) == deepest)
    return describe(_innermost(best))


def _innermost(
    error: jsonschema.exceptions.ValidationError,
) -> jsonschema.exceptions.ValidationError:
    """Into oneOf/anyOf: the alternative that failed least, then its deepest error."""
    while error.context:
        branches: dict[object, list[jsonschema.exceptions.ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        branch = min(branches.values(), key=len)
        error = max(branch, key=lambda e: len(e.absolute_path))
    return error


def describe(error: jsonschema.exceptions.ValidationError) -> tuple[str, str]:
    path: list[str | int] = list(error.absolute_path)
    reason = error.message
    if error.validator == "required" and reason.count("'") >= 2:
        path.append(reason.split("'")[1])
        reason = "is required but missing"
    elif error.validator == "additionalProperties" and "'" in reason:
        names = reason.split("(", 1)[-1].split("'")[1::2]
        if names:
            path.append(names[0])
            reason = "is not allowed here" + (f" (nor {', '.join(names[1:])})" if names[1:] else "")
    elif error.validator == "not":
        rule = error.validator_value
        why = rule.get("description") if isinstance(rule, dict) else None
        if not why and isinstance(rule, dict) and isinstance(rule.get("$ref"), str):
            why = "must not match " + rule["$ref"].rsplit("/", 1)[-1]
        reason = "is not allowed here" + (f" ({why})" if why else "")
    field = dotted(path)
    return field, _short(reason)


def dotted(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(report)"


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
