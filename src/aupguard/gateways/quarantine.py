"""Held mail a reviewer can list and release: a folder for the relay, the HOLD queue for Postfix."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from aupguard.errors import ConfigError, NotFound

Deliver = Callable[[str, tuple[str, ...], bytes, str], None]  # mail_from, rcpts, raw, next hop


class Held(BaseModel):
    """One held message; the bytes sit beside it (`<id>.eml`) or in Postfix's HOLD queue."""

    model_config = ConfigDict(extra="forbid")
    id: str
    held_at: datetime
    gateway: str
    tenant: str | None
    event_id: str
    case_ref: str | None = None
    reason: str
    mail_from: str
    rcpt_to: list[str]
    size: int = 0
    next_hop: str | None = None  # host:port the relay would have sent it to
    postfix_queue_id: str | None = None
    postfix_config: str | None = None
    state: str = "held"  # held, released
    released_at: datetime | None = None
    released_by: str | None = None


class Quarantine:
    """A folder of `<id>.json` records (and `<id>.eml` for relay mail), written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _write(self, entry: Held) -> None:
        tmp = self.folder / f".{entry.id}.json.tmp"
        tmp.write_text(entry.model_dump_json(indent=1), encoding="utf-8")
        os.replace(tmp, self.folder / f"{entry.id}.json")

    def hold(self, entry: Held, raw: bytes | None) -> Held:
        """Keep `raw` (relay) or only the record (Postfix keeps the message in HOLD)."""
        if raw is not None:
            tmp = self.folder / f".{entry.id}.eml.tmp"
            tmp.write_bytes(raw)
            os.replace(tmp, self.folder / f"{entry.id}.eml")
        self._write(entry)
        return entry

    def entries(self, *, include_released: bool = False) -> list[Held]:
        out = []
        for path in sorted(self.folder.glob("*.json")):
            entry = Held.model_validate_json(path.read_text(encoding="utf-8"))
            if include_released or entry.state == "held":
                out.append(entry)
        return sorted(out, key=lambda e: e.held_at)

    def get(self, entry_id: str) -> Held:
        if not entry_id.replace("-", "").isalnum():
            raise NotFound(f"{entry_id!r} is not a quarantine id (see `aupguard quarantine list`)")
        path = self.folder / f"{entry_id}.json"
        if not path.exists():
            raise NotFound(f"no held message {entry_id} in {self.folder}")
        return Held.model_validate_json(path.read_text(encoding="utf-8"))

    def release(
        self, entry_id: str, *, reviewer: str, deliver: Deliver, next_hop: str | None = None
    ) -> Held:
        """Send a held message on (relay: to its next hop; Postfix: back into its queue)."""
        entry = self.get(entry_id)
        if entry.state != "held":
            raise ConfigError(f"{entry_id} was already released by {entry.released_by}")
        if entry.postfix_queue_id:
            release_postfix(entry.postfix_config, entry.postfix_queue_id)
        else:
            hop = next_hop or entry.next_hop
            if not hop:
                raise ConfigError(f"{entry_id}: no next hop recorded; give one (--next-hop)")
            raw = (self.folder / f"{entry_id}.eml").read_bytes()
            deliver(entry.mail_from, tuple(entry.rcpt_to), raw, hop)
            (self.folder / f"{entry_id}.eml").unlink()  # kept no longer than needed
        released = entry.model_copy(
            update={"state": "released", "released_at": datetime.now(UTC), "released_by": reviewer}
        )
        self._write(released)
        return released


def new_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(4)


def _postfix(tool: str, config: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [tool] + (["-c", config] if config else []) + list(args)
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=True)
    except FileNotFoundError:
        raise ConfigError(f"{tool} not found: is Postfix installed on this host?") from None
    except subprocess.CalledProcessError as exc:
        raise ConfigError(f"{' '.join(cmd)} failed: {exc.stderr.strip()[:300]}") from None


def release_postfix(config: str | None, queue_id: str) -> None:
    """Move a message from Postfix's HOLD queue back to delivery, and try it now."""
    if not queue_id.isalnum():
        raise ConfigError(f"{queue_id!r} is not a Postfix queue id")
    _postfix("postsuper", config, "-H", queue_id)
    _postfix("postqueue", config, "-i", queue_id)


def postfix_held(config: str | None) -> set[str]:
    """Queue ids in Postfix's HOLD queue (`postqueue -j`)."""
    out = _postfix("postqueue", config, "-j").stdout
    ids = set()
    for line in out.splitlines():
        if line.strip():
            item = json.loads(line)
            if item.get("queue_name") == "hold":
                ids.add(str(item["queue_id"]))
    return ids
