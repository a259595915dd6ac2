"""`aupguard demo`: seed sample tenants and traffic, scan it and show what was found."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aupguard.cli.common import console
from aupguard.cli.scan import FailOn, Format, scan
from aupguard.demo.traffic import TENANTS, write_demo_traffic


def demo(
    folder: Annotated[Path, typer.Option(help="Where to write the sample traffic.")] = Path(
        "demo-data"
    ),
) -> None:
    """Seed sample tenants and traffic, scan it and print what violates the AUP."""
    files = write_demo_traffic(folder)
    console.print(
        f"[bold]aupguard demo[/]: {len(TENANTS)} tenants, {len(files)} files in {folder}/"
    )
    for t in TENANTS:
        console.print(f"  tenant {t.id}: {t.name}, {t.domain}, {t.number}")
    scan([folder], fmt=Format.TABLE, fail_on=FailOn.NEVER, jobs=1, strict=False)
