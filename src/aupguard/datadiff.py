"""What changed between two AUP documents or two rulesets (any policy model), as lines."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out.update(_flatten(sub, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        return _flatten({v["id"]: v for v in value}, prefix)
    return {prefix: value}


def diff_models(old: BaseModel, new: BaseModel) -> list[str]:
    """One line per added, removed or changed setting; long texts get a word diff."""
    a = _flatten(old.model_dump(mode="json"))
    b = _flatten(new.model_dump(mode="json"))
    lines: list[str] = []
    for key in sorted(a.keys() | b.keys()):
        if key not in b:
            lines.append(f"- {key}: {a[key]!r}")
        elif key not in a:
            lines.append(f"+ {key}: {b[key]!r}")
        elif a[key] != b[key]:
            if isinstance(a[key], str) and isinstance(b[key], str) and len(a[key]) > 60:
                lines.append(f"~ {key}: {_word_diff(a[key], b[key])}")
            else:
                lines.append(f"~ {key}: {a[key]!r} -> {b[key]!r}")
    return lines


def _word_diff(old: str, new: str) -> str:
    out: list[str] = []
    for token in difflib.ndiff(old.split(), new.split()):
        if token.startswith("- "):
            out.append(f"[-{token[2:]}-]")
        elif token.startswith("+ "):
            out.append(f"{{+{token[2:]}+}}")
        elif token.startswith("  "):
            out.append(token[2:])
    return " ".join(out)
