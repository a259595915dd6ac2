"""Loaders for the public authentication test suites (openspf YAML, ValiMail ARC YAML)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aupguard.auth.resolver import TIMEOUT, Mx, Txt, ZoneEntry, ZoneResolver


@dataclass(frozen=True)
class SpfCase:
    id: str
    host: str
    mailfrom: str
    helo: str
    expected: tuple[str, ...]  # acceptable results
    explanation: str | None
    strict: bool
    zone: dict[str, list[ZoneEntry]]


def _txt(value: Any) -> Txt | str:
    if value == TIMEOUT:
        return TIMEOUT
    strings = (value,) if isinstance(value, str) else tuple(value)
    return Txt(tuple(s.encode("utf-8", "surrogateescape") for s in strings))


def spf_zone(records: list[Any]) -> list[ZoneEntry]:
    """The openspf zonedata conventions: SPF-type records stand in for TXT when no TXT is
    given (pyspf asks only for TXT, RFC 7208 3.1), `NONE` means no record of that type."""
    out: list[ZoneEntry] = []
    spf_only: list[ZoneEntry] = []
    has_txt = False
    for item in records:
        if item == TIMEOUT:
            out.append(TIMEOUT)
            continue
        for kind, value in item.items():
            has_txt |= kind == "TXT"
            if value == "NONE":
                continue
            if kind == "SPF":
                spf_only.append(("TXT", _txt(value)))
            elif kind == "TXT":
                out.append(("TXT", _txt(value)))
            elif kind == "MX":
                out.append(
                    ("MX", TIMEOUT if value == TIMEOUT else Mx(int(value[0]), str(value[1])))
                )
            else:
                out.append((kind, value))
    if not has_txt:
        out.extend(spf_only)
    return out


def spf_cases(path: Path) -> Iterator[SpfCase]:
    with path.open("rb") as fh:
        for scenario in yaml.safe_load_all(fh):
            zone = {name: spf_zone(recs) for name, recs in scenario["zonedata"].items()}
            for tid, t in scenario["tests"].items():
                result = t["result"]
                expected = tuple(result) if isinstance(result, list) else (result,)
                yield SpfCase(
                    tid,
                    t["host"],
                    t["mailfrom"],
                    t["helo"],
                    expected,
                    t.get("explanation"),
                    t.get("strict", True),
                    zone,
                )


@dataclass(frozen=True)
class ArcCase:
    id: str
    message: bytes
    expected: str  # pass, fail, none, or "" (a sealer already said cv=fail: no new status)
    resolver: ZoneResolver


def arc_cases(path: Path) -> Iterator[ArcCase]:
    with path.open("rb") as fh:
        for scenario in yaml.safe_load_all(fh):
            records = scenario.get("txt-records") or {}
            for tid, t in scenario["tests"].items():
                zone = ZoneResolver({n: [("TXT", v)] for n, v in records.items()})
                cv = (t.get("cv") or "").strip().lower()
                yield ArcCase(tid, (t.get("message") or "").encode(), cv, zone)
