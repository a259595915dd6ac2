"""`aupguard banks`: hash banks (CSAM, terrorist content, infringing files) and their lists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from aupguard.banks.hashing import hashes_of
from aupguard.banks.lists import create_bank, import_entries, parse_lines
from aupguard.banks.model import Purpose
from aupguard.cli.common import DbOption, console, fail, open_store
from aupguard.errors import AupguardError
from aupguard.events.sniff import sniff_type
from aupguard.store.models import BankEntryRow, HashBankRow

app = typer.Typer(
    help="Hash banks matched on attachments (SHA-256, MD5, PDQ).", no_args_is_help=True
)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Bank name, e.g. child-safety.")],
    purpose: Annotated[Purpose, typer.Option(help="csam, terror or ip: decides the clause.")],
    description: Annotated[str, typer.Option(help="Where the list comes from.")] = "",
    db: DbOption = None,
) -> None:
    """Create a bank (idempotent)."""
    store, _ = open_store(db)
    try:
        with store.write() as s:
            create_bank(s, name, purpose, datetime.now(UTC), description)
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"bank {name} ({purpose.value}) ready")


@app.command("import")
def import_(
    bank: Annotated[str, typer.Argument(help="Bank name.")],
    file: Annotated[
        Path, typer.Argument(help="CSV `algorithm,value[,note]` or one hex value a line.")
    ],
    algorithm: Annotated[
        str | None, typer.Option(help="For bare 64-digit values: sha256 or pdq.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a list's hashes to a bank; values already there are skipped."""
    if algorithm not in (None, "sha256", "pdq"):
        fail(f"--algorithm {algorithm!r}: expected sha256 or pdq")
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    store, _ = open_store(db)
    try:
        entries = parse_lines(text, algorithm)
        with store.write() as s:
            result = import_entries(s, bank, entries, datetime.now(UTC))
    except AupguardError as exc:
        fail(f"{file}: {exc}")
    console.print(f"{bank}: {result.added} added, {result.duplicates} already there")


@app.command("list")
def list_(db: DbOption = None) -> None:
    """Banks with their purpose and entry counts."""
    store, _ = open_store(db)
    table = Table(title="hash banks")
    for col in ("bank", "purpose", "entries", "description"):
        table.add_column(col)
    with store.read() as s:
        counts = dict(
            s.execute(select(BankEntryRow.bank, func.count()).group_by(BankEntryRow.bank)).all()
        )
        for row in s.execute(select(HashBankRow).order_by(HashBankRow.name)).scalars():
            table.add_row(row.name, row.purpose, str(counts.get(row.name, 0)), row.description)
    console.print(table)


@app.command("hash")
def hash_(file: Annotated[Path, typer.Argument(help="A file (images also get PDQ).")]) -> None:
    """Print a file's SHA-256, MD5 and (for images) PDQ, in the import format."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    h = hashes_of(data, sniff_type(data).startswith("image/"))
    console.print(f"sha256,{h.sha256}\nmd5,{h.md5}", highlight=False)
    if h.pdq:
        console.print(f"pdq,{h.pdq},quality {h.pdq_quality}", highlight=False)
