"""The `aupguard` command: one typer app, one module per command group."""

from __future__ import annotations

import typer

from aupguard.cli import (
    appeals,
    bench,
    cases,
    decide,
    demo,
    evaluate,
    explain,
    gateways,
    policy,
    quarantine,
    scan,
    tenants,
)

app = typer.Typer(
    name="aupguard",
    help="Make an Acceptable Use Policy enforceable: detect, decide, act, enforce.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo.demo)
app.command("scan")(scan.scan)
app.command("explain")(explain.explain)
app.command("bench")(bench.bench)
app.command("eval")(evaluate.evaluate)
app.command("decide")(decide.decide)
app.add_typer(policy.app, name="policy")
app.add_typer(tenants.app, name="tenants")
app.add_typer(cases.app, name="cases")
app.add_typer(appeals.app, name="appeals")
app.command("milter")(gateways.milter)
app.command("relay")(gateways.relay)
app.command("relay-passwd")(gateways.relay_passwd)
app.add_typer(quarantine.app, name="quarantine")


if __name__ == "__main__":  # pragma: no cover
    app()
