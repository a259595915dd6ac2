"""X-ARF JSON reports: v4 validated against its schemas; legacy versions converted to v4 terms.

Which validator applies is decided by the version field: `xarf_version` 4.x is v4;
`Version` "3.0"/"3.0.0" is the xarf.org v3 dialect, converted by the `xarf` package and
then validated as v4; `Version` 1, 2, 3, alpha, development (or none, with ReporterInfo
and Report) is the Abusix lineage, validated against its own schemas (xarf_legacy.py).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from aupguard.errors import Rejection
from aupguard.reports import xarf_legacy, xarf_schema
from aupguard.reports.evidence import XarfFacts, build_report
from aupguard.reports.model import IntakeContext, Report

V3_DIALECT = ("3.0", "3.0.0")


def load_json(data: bytes, ctx: IntakeContext) -> dict[str, Any]:
    """The JSON object, within the size and depth limits, or a Rejection saying why not."""
    limit = ctx.limits.max_json_bytes
    if len(data) > limit:
        raise Rejection("(report)", f"{len(data)} bytes of JSON is over the limit of {limit}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Rejection("(report)", f"not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise Rejection("(report)", "JSON nested too deeply") from None
    except ValueError as exc:
        raise Rejection("(report)", f"not JSON: {str(exc)[:120]}") from None
    if not isinstance(value, dict):
        raise Rejection("(report)", f"expected a JSON object, got {type(value).__name__}")
    depth = _depth(value, ctx.limits.max_json_depth)
    if depth > ctx.limits.max_json_depth:
        raise Rejection("(report)", f"JSON nested deeper than {ctx.limits.max_json_depth}")
    return value


def is_xarf(value: dict[str, Any]) -> bool:
    return "xarf_version" in value or "Version" in value or {"ReporterInfo", "Report"} <= set(value)


def parse_xarf(data: bytes, ctx: IntakeContext) -> Report:
    return parse_xarf_object(load_json(data, ctx), ctx)


def parse_xarf_object(value: dict[str, Any], ctx: IntakeContext) -> Report:
    if "xarf_version" in value:
        return build_report(_v4(value), ctx)
    version = value.get("Version")
    if version in V3_DIALECT:
        return build_report(_v4(_from_v3(value), converted=True), ctx)
    if version is None and not {"ReporterInfo", "Report"} <= set(value):
        raise Rejection("xarf_version", "missing: not an X-ARF report")
    return build_report(xarf_legacy.facts(value), ctx)


def _v4(value: dict[str, Any], converted: bool = False) -> XarfFacts:
    found = xarf_schema.problem(xarf_schema.v4_core_validator(), value)
    if found is None:
        types = xarf_schema.v4_types().get(str(value["category"]), set())
        if value["type"] not in types:
            known = ", ".join(sorted(types))
            found = (
                "type",
                f"{str(value['type'])[:40]!r} is not a type of {value['category']} ({known})",
            )
    found = found or xarf_schema.problem(xarf_schema.v4_validator(), value)
    if found is not None:
        field, reason = found
        prefix = "X-ARF v3 converted to v4: " if converted else ""
        raise Rejection(field, prefix + reason)
    return XarfFacts.from_v4(value, converted=converted)


def _from_v3(value: dict[str, Any]) -> dict[str, Any]:
    from xarf.exceptions import XARFError
    from xarf.v3_compat import convert_v3_to_v4

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            converted: dict[str, Any] = convert_v3_to_v4(value)
        except (XARFError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Rejection("Report", f"cannot convert X-ARF v3 to v4: {exc}") from None
    return converted


def _depth(value: object, limit: int) -> int:
    """Nesting depth, counted iteratively and stopping once past `limit`."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest
