"""Labelled evaluation sets (evalsets/*.jsonl) as events, with their tenants' directory."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from aupguard.detectors.context import Context
from aupguard.enforce.identities import Identity, IdentityKind, IdentitySnapshot
from aupguard.errors import InputError
from aupguard.events.model import Channel, Event, MessageContent, Role, TranscriptContent, Turn
from aupguard.events.sources import email_event


@dataclass(frozen=True, slots=True)
class EvalItem:
    id: str
    clause: str
    label: int
    lang: str  # "en" when the item has no `lang`
    event: Event


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    items: tuple[EvalItem, ...]
    directory: IdentitySnapshot  # the tenants named in the set, their names as brands

    def context(self, item: EvalItem) -> Context:
        return Context(directory=self.directory, now=item.event.time)


def tenant_id(name: str) -> str:
    return "t-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def _event(row: dict[str, object], where: str) -> Event:
    channel = Channel(str(row["channel"]))
    tenant = row.get("tenant")
    owner = tenant_id(str(tenant["name"])) if isinstance(tenant, dict) else None
    ident = str(row["id"])
    if channel is Channel.EMAIL:
        msg = EmailMessage()
        msg["From"] = "Sender <news@sender.example>"
        msg["To"] = "user@example.net"
        msg["Subject"] = str(row.get("subject", ""))
        msg.set_content(str(row["text"]))
        ev = email_event(msg.as_bytes(policy=SMTP), where)
        return Event(ident, channel, ev.content, ev.time, owner, source=where)
    if channel is Channel.SMS:
        return Event(ident, channel, MessageContent(str(row["text"])), tenant=owner, source=where)
    turns = row.get("turns")
    if not isinstance(turns, list) or not turns:
        raise InputError(f"{where}: {channel.value} item needs turns")
    content = TranscriptContent(tuple(Turn(Role(t["role"]), t["text"]) for t in turns))
    return Event(ident, channel, content, tenant=owner, source=where)


def load_evalset(path: Path) -> EvalSet:
    """Items of one JSON Lines file; errors name the file and line. `note` is never read."""
    return parse_evalset(path.stem, path.read_text(encoding="utf-8").splitlines(), str(path))


def parse_evalset(name: str, lines: Iterable[str], origin: str) -> EvalSet:
    """Items of JSON Lines `lines`; errors name `origin` and the line number."""
    items: list[EvalItem] = []
    identities: list[Identity] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            row = json.loads(line)
            tenant = row.get("tenant")
            if isinstance(tenant, dict):
                owner = tenant_id(tenant["name"])
                for brand in (tenant["name"], *tenant.get("brands", ())):
                    identities.append(Identity(owner, IdentityKind.BRAND, brand, verified=True))
            event = _event(row, where)
            label = int(row["label"])
            items.append(
                EvalItem(str(row["id"]), str(row["clause"]), label, row.get("lang", "en"), event)
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(f"{where}: not an evaluation item ({exc!r})") from None
    return EvalSet(name, tuple(items), IdentitySnapshot(identities))


def writer_rounds(folder: Path) -> dict[str, list[int]]:
    """Per dev set, the last item number of each writers' round but the last
    (`dev/rounds.json`); empty when the folder has none."""
    path = folder / "rounds.json"
    if not path.is_file():
        return {}
    return {str(k): [int(n) for n in v] for k, v in json.loads(path.read_text())["bounds"].items()}


def writer_round(ident: str, rounds: dict[str, list[int]]) -> int | None:
    """The round that wrote dev item `ident` (`<set>-d-NNNN`), or None when unknown."""
    match = re.fullmatch(r"(.+)-d-(\d+)", ident)
    if match is None or match.group(1) not in rounds:
        return None
    return sum(int(match.group(2)) > bound for bound in rounds[match.group(1)])
