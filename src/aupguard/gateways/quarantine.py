"""Held mail a reviewer can list, release or delete: a folder for the relay, Postfix's HOLD queue.

Every release and deletion, and every attempt that failed, is an entry in the audit chain
(`quarantine.release`, `quarantine.delete`): who, which message (ids only), and the outcome.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from aupguard.audit.chain import append as audit
from aupguard.errors import ConfigError, NotFound
from aupguard.store.db import Store

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
    state: str = "held"  # held, released, deleted
    released_at: datetime | None = None
    released_by: str | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None


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
        self,
        entry_id: str,
        *,
        reviewer: str,
        deliver: Deliver,
        store: Store,
        next_hop: str | None = None,
    ) -> Held:
        """Send a held message on (relay: to its next hop; Postfix: back into its queue)."""
        entry = self._still_held(entry_id)

        def send() -> None:
            if entry.postfix_queue_id:
                release_postfix(entry.postfix_config, entry.postfix_queue_id)
                return
            hop = next_hop or entry.next_hop
            if not hop:
                raise ConfigError(f"{entry_id}: no next hop recorded; give one (--next-hop)")
            raw = (self.folder / f"{entry_id}.eml").read_bytes()
            deliver(entry.mail_from, tuple(entry.rcpt_to), raw, hop)
            (self.folder / f"{entry_id}.eml").unlink()  # kept no longer than needed

        _audited(store, entry, reviewer, "release", send)
        now = datetime.now(UTC)
        return self._close(entry, state="released", released_at=now, released_by=reviewer)

    def delete(self, entry_id: str, *, reviewer: str, store: Store) -> Held:
        """Drop a held message for good (relay: its copy; Postfix: from the HOLD queue)."""
        entry = self._still_held(entry_id)

        def drop() -> None:
            if entry.postfix_queue_id:
                delete_postfix(entry.postfix_config, entry.postfix_queue_id)
            else:
                (self.folder / f"{entry_id}.eml").unlink(missing_ok=True)

        _audited(store, entry, reviewer, "delete", drop)
        now = datetime.now(UTC)
        return self._close(entry, state="deleted", deleted_at=now, deleted_by=reviewer)

    def _still_held(self, entry_id: str) -> Held:
        entry = self.get(entry_id)
        if entry.state == "released":
            raise ConfigError(f"{entry_id} was already released by {entry.released_by}")
        if entry.state != "held":
            raise ConfigError(f"{entry_id} was already {entry.state} by {entry.deleted_by}")
        return entry

    def _close(self, entry: Held, **update: object) -> Held:
        closed = entry.model_copy(update=update)
        self._write(closed)
        return closed


def _audited(store: Store, entry: Held, reviewer: str, verb: str, work: Callable[[], None]) -> None:
    """Run `work`, then append its outcome to the audit chain; a failure is audited too."""
    data: dict[str, object] = {
        "gateway": entry.gateway,
        "tenant": entry.tenant,
        "event_id": entry.event_id,
        "case_ref": entry.case_ref,
        "postfix_queue_id": entry.postfix_queue_id,
    }
    try:
        work()
    except Exception as exc:
        _append(
            store,
            reviewer,
            verb,
            entry.id,
            {**data, "outcome": "failed", "error": type(exc).__name__},
        )
        raise
    _append(store, reviewer, verb, entry.id, {**data, "outcome": f"{verb}d"})


def _append(store: Store, actor: str, verb: str, entry_id: str, data: dict[str, object]) -> None:
    with store.write() as s:
        audit(
            s, actor=actor, kind=f"quarantine.{verb}", subject=f"quarantine:{entry_id}", data=data
        )


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


def delete_postfix(config: str | None, queue_id: str) -> None:
    """Remove a message from Postfix's HOLD queue (`postsuper -d ID hold`)."""
    if not queue_id.isalnum():
        raise ConfigError(f"{queue_id!r} is not a Postfix queue id")
    _postfix("postsuper", config, "-d", queue_id, "hold")


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
