"""A Report as plain JSON data (for `reports parse`, logs and the API); bytes become sizes."""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from typing import Any

from aupguard.reports.model import Report


def report_json(report: Report, include_original: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = _plain(dataclasses.asdict(report))
    original = report.original
    if original is not None:
        data["original"] = {
            "size": original.size,
            "kept": len(original.raw),
            "headers_only": original.headers_only,
        }
        if include_original:
            data["original"]["raw"] = original.raw.decode("utf-8", "replace")
    data["source_network"] = report.source_network
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not isinstance(v, bytes)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
