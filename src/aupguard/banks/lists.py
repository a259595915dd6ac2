"""Banks in the store: create, import lists (HMA-style CSV or bare hex), load a snapshot."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.banks.model import BankEntry, BankSnapshot, Purpose, check_value
from aupguard.errors import InputError, NotFound
from aupguard.store.db import Store
from aupguard.store.models import BankEntryRow, HashBankRow

MAX_LINES = 5_000_000


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    duplicates: int


def create_bank(
    session: Session, name: str, purpose: Purpose, now: datetime, description: str = ""
) -> HashBankRow:
    row = session.get(HashBankRow, name)
    if row is not None:
        if row.purpose != purpose.value:
            raise InputError(f"bank {name!r} exists with purpose {row.purpose}, not {purpose}")
        return row
    row = HashBankRow(name=name, purpose=purpose.value, description=description, created_at=now)
    session.add(row)
    session.flush()
    audit(
        session,
        actor="cli",
        kind="bank.create",
        subject=f"bank:{name}",
        data={"purpose": purpose.value},
    )
    return row


def parse_lines(text: str, default_algorithm: str | None) -> list[tuple[str, str, str]]:
    """(algorithm, value, note) per line: `pdq,HEX[,note]` (HMA CSV) or bare hex.

    A bare 32-digit value is MD5; a bare 64-digit value needs `default_algorithm`
    (sha256 or pdq), since both are 64 hex digits. Errors name the line.
    """
    out = []
    reader = csv.reader(io.StringIO(text))
    for number, row in enumerate(reader, 1):
        if number > MAX_LINES:
            raise InputError(f"more than {MAX_LINES} lines; split the file")
        cells = [c.strip() for c in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if cells[0].lower() in ("signal_type", "algorithm"):
            continue  # a header line
        try:
            if len(cells) >= 2 and not all(c in "0123456789abcdef" for c in cells[0].lower()):
                algorithm, value, note = cells[0].lower(), cells[1], ",".join(cells[2:])
            else:
                value, note = cells[0], ",".join(cells[1:])
                algorithm = "md5" if len(value) == 32 else (default_algorithm or "")
                if not algorithm:
                    raise ValueError("64 hex digits may be SHA-256 or PDQ: pass --algorithm")
            out.append((algorithm, check_value(algorithm, value), note[:200]))
        except ValueError as exc:
            raise InputError(f"line {number}: {exc}") from None
    return out


def import_entries(
    session: Session, bank: str, entries: list[tuple[str, str, str]], now: datetime
) -> ImportResult:
    if session.get(HashBankRow, bank) is None:
        raise NotFound(
            f"no bank {bank!r}; create it with `aupguard banks create {bank} --purpose ...`"
        )
    existing = {
        (a, v)
        for a, v in session.execute(
            select(BankEntryRow.algorithm, BankEntryRow.value).where(BankEntryRow.bank == bank)
        )
    }
    added = 0
    for algorithm, value, note in entries:
        if (algorithm, value) in existing:
            continue
        existing.add((algorithm, value))
        session.add(
            BankEntryRow(bank=bank, algorithm=algorithm, value=value, note=note, added_at=now)
        )
        added += 1
    try:
        session.flush()
    except IntegrityError:  # another process imported the same values at the same time
        raise InputError(f"bank {bank!r} changed during the import; run it again") from None
    audit(session, actor="cli", kind="bank.import", subject=f"bank:{bank}", data={"added": added})
    return ImportResult(added, len(entries) - added)


def load_snapshot(store: Store) -> BankSnapshot:
    """Every entry of every bank, for the detectors (rebuilt on reload)."""
    with store.read() as s:
        purposes = {r.name: Purpose(r.purpose) for r in s.execute(select(HashBankRow)).scalars()}
        rows = s.execute(select(BankEntryRow.bank, BankEntryRow.algorithm, BankEntryRow.value))
        entries = [BankEntry(b, purposes[b], a, v) for b, a, v in rows]
        version = int(s.execute(select(func.count(BankEntryRow.id))).scalar_one())
    return BankSnapshot(entries, version)
