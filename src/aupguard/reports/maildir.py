"""Maildir import: every message of a Maildir (new/ and cur/) through the intake, read-only."""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from aupguard.errors import ConfigError
from aupguard.reports.intake import Authenticator, IntakeSink, Receipt, take_in
from aupguard.reports.model import IntakeContext


@dataclass
class ImportSummary:
    receipts: list[tuple[str, Receipt]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for _, r in self.receipts if r.status == status)


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def messages(path: Path) -> Iterator[tuple[str, bytes, datetime]]:
    """(key, raw bytes, delivery time) for each message, oldest key first; never modifies."""
    if not is_maildir(path):
        raise ConfigError(f"{path} is not a Maildir (it needs cur/ and new/ folders)")
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        message = box.get_message(key)
        delivered = datetime.fromtimestamp(message.get_date(), UTC)
        yield key, box.get_bytes(key), delivered


def import_maildir(
    path: Path,
    sink: IntakeSink,
    ctx: IntakeContext,
    authenticator: Authenticator | None = None,
    progress: Callable[[str, Receipt], None] | None = None,
) -> ImportSummary:
    """Each message is taken in with its delivery time as received time; the sink dedups."""
    summary = ImportSummary()
    for key, raw, delivered in messages(path):
        receipt = take_in(raw, replace(ctx, received=delivered), sink, "maildir", authenticator)
        summary.receipts.append((key, receipt))
        if progress is not None:
            progress(key, receipt)
    return summary
