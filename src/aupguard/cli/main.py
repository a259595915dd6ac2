"""The `aupguard` command: one typer app, one module per command group."""

from __future__ import annotations

import typer

from aupguard.cli import bench, demo, evaluate, explain, policy, scan, train

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
app.add_typer(policy.app, name="policy")
app.add_typer(train.app, name="train")


if __name__ == "__main__":  # pragma: no cover
    app()
