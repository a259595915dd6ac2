"""`aupguard audit keygen|checkpoint|verify|show`: the hash-chained audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.table import Table
from sqlalchemy import select

from aupguard.audit.checkpoint import checkpoint as sign_head
from aupguard.audit.keys import (
    KEY_ENV,
    checkpoints_dir,
    generate_key,
    key_path,
    load_key,
    load_public_key,
    public_path,
)
from aupguard.audit.merkle import DEFAULT_MAX_BATCH, seal_verdicts
from aupguard.audit.verify import VerifyReport, verify_report
from aupguard.cli.common import DbOption, console, err_console, fail, open_store
from aupguard.errors import AupguardError
from aupguard.store.models import AuditEntry

app = typer.Typer(
    help="The append-only audit trail: keys, signed checkpoints, verification.",
    no_args_is_help=True,
)

KeyOption = Annotated[
    Path | None,
    typer.Option("--key", help=f"Ed25519 private key file (default: ${KEY_ENV})."),
]
CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        help="Exported checkpoints folder (default: $AUPGUARD_AUDIT_CHECKPOINTS, "
        "else checkpoints/ beside the key).",
    ),
]


@app.command()
def keygen(
    path: Annotated[Path, typer.Argument(help="Where to write the private key (0600).")],
) -> None:
    """Create the checkpoint signing key, outside the database, and PATH.pub beside it."""
    try:
        key = generate_key(path)
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"wrote {key.path} (private, 0600) and {public_path(key.path)}", soft_wrap=True)
    console.print(f"key id {key.key_id}; set {KEY_ENV}={key.path} for checkpoints", soft_wrap=True)


@app.command()
def checkpoint(
    db: DbOption = None,
    key: KeyOption = None,
    checkpoints: CheckpointsOption = None,
    seal: Annotated[bool, typer.Option(help="Seal unsealed verdicts first.")] = True,
    max_batch: Annotated[int, typer.Option(help="Verdicts per Merkle batch.")] = DEFAULT_MAX_BATCH,
) -> None:
    """Seal pending verdicts, then sign the chain head and export it (run it periodically)."""
    store, _ = open_store(db, create=False)
    try:
        signing = load_key(key)
        folder = checkpoints_dir(signing.path, checkpoints)
        batches = 0
        while seal:
            with store.write() as session:
                if seal_verdicts(session, max_batch=max_batch) is None:
                    break
            batches += 1
        with store.write() as session:
            row = sign_head(session, signing, directory=folder)
    except AupguardError as exc:
        fail(str(exc))
    finally:
        store.dispose()
    console.print(f"sealed {batches} verdict batch(es)", soft_wrap=True)
    console.print(
        f"checkpoint {row.seq} sha256:{row.hash} -> {folder / f'{row.seq}.json'}", soft_wrap=True
    )


def _public_keys(
    public: list[Path] | None, key: Path | None
) -> tuple[list[Ed25519PublicKey], Path] | None:
    if public:
        return [load_public_key(p) for p in public], public[0]
    try:
        private = key_path(key)
    except AupguardError:
        return None
    pub = public_path(private)
    return [load_public_key(pub if pub.exists() else private)], private


def _summary(report: VerifyReport) -> str:
    checkpoints = (
        f"{report.checkpoints} signed checkpoint(s), newest {report.newest_checkpoint}"
        if report.checkpoints_checked
        else "checkpoints not checked"
    )
    return (
        f"{report.entries} entries (head {report.head_seq} sha256:{report.head_hash[:16]}), "
        f"{report.batches} verdict batch(es) ({report.verdicts_sealed} verdicts sealed, "
        f"{report.verdicts_unsealed} unsealed), {checkpoints}"
    )


@app.command()
def verify(
    db: DbOption = None,
    key: KeyOption = None,
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key",
            help="Public key file (default: <key>.pub); repeat it for keys retired by rotation.",
        ),
    ] = None,
    checkpoints: CheckpointsOption = None,
) -> None:
    """Check the chain, checkpoints and verdict batches; exit 1 naming the first bad entry."""
    store, _ = open_store(db, create=False)
    try:
        found = _public_keys(public_key, key)
        if found is None:
            err_console.print(
                f"warning: no key (--public-key, --key or ${KEY_ENV}): checkpoints are not "
                "checked, so deleted newest entries cannot be detected"
            )
        folder = checkpoints_dir(found[1], checkpoints) if found else checkpoints
        with console.status("verifying the audit trail"), store.read() as session:
            report = verify_report(session, folder, found[0] if found else None)
    except AupguardError as exc:
        fail(str(exc))
    finally:
        store.dispose()
    if report.checkpoints_checked and not report.checkpoints:
        err_console.print(
            f"warning: no signed checkpoint in {folder}: run `aupguard audit checkpoint` "
            "periodically, or deleted newest entries go unnoticed",
            soft_wrap=True,
        )
    if report.ok:
        console.print(f"ok: {_summary(report)}", highlight=False, soft_wrap=True)
        return
    first, *rest = report.problems
    err_console.print(f"[bold red]FAILED:[/] {first.message}", highlight=False, soft_wrap=True)
    for problem in rest:
        err_console.print(f"  also: {problem.message}", highlight=False, soft_wrap=True)
    err_console.print(f"checked: {_summary(report)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def show(
    db: DbOption = None,
    last: Annotated[int, typer.Option(help="How many of the newest entries.")] = 20,
    kind: Annotated[str | None, typer.Option(help="Only entries of this kind.")] = None,
    subject: Annotated[str | None, typer.Option(help="Only entries about this subject.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Print the newest audit entries (oldest first)."""
    store, _ = open_store(db, create=False)
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(last)
    if kind:
        query = query.where(AuditEntry.kind == kind)
    if subject:
        query = query.where(AuditEntry.subject == subject)
    with store.read() as session:
        entries = list(reversed(session.execute(query).scalars().all()))
    store.dispose()
    if as_json:
        for e in entries:
            row = {
                "seq": e.seq,
                "time": e.time.isoformat(),
                "actor": e.actor,
                "kind": e.kind,
                "subject": e.subject,
                "data": e.data,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            typer.echo(json.dumps(row, sort_keys=True))
        return
    table = Table("seq", "time (UTC)", "actor", "kind", "subject", "data", "hash")
    for e in entries:
        data = json.dumps(e.data, sort_keys=True, separators=(",", ":"))
        table.add_row(
            str(e.seq),
            f"{e.time:%Y-%m-%d %H:%M:%S}",
            e.actor,
            e.kind,
            e.subject,
            data if len(data) <= 60 else data[:57] + "...",
            e.hash[:12],
        )
    console.print(table)
