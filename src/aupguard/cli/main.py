"""The `aupguard` command: one typer app, one module per command group."""

from __future__ import annotations

import typer

from aupguard.cli import (
    appeals,
    audit,
    auth,
    banks,
    bench,
    cases,
    decide,
    demo,
    evaluate,
    explain,
    gateways,
    notify,
    policy,
    quarantine,
    reports,
    scan,
    serve,
    stream,
    tenants,
    train,
    train_harmful,
    train_phishing,
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
app.command("serve")(serve.serve)
app.command("purge")(serve.purge)
app.command("migrate")(serve.migrate)
app.command("worker")(stream.worker)
app.command("publish")(stream.publish)
app.add_typer(serve.keys, name="keys")
app.add_typer(serve.reviewers, name="reviewers")
app.add_typer(auth.app, name="auth")
app.add_typer(reports.app, name="reports")
app.add_typer(audit.app, name="audit")
app.add_typer(notify.app, name="notify")
app.command("milter")(gateways.milter)
app.command("relay")(gateways.relay)
app.command("relay-passwd")(gateways.relay_passwd)
app.add_typer(quarantine.app, name="quarantine")
train.app.command("phishing")(train_phishing.phishing)
train.app.command("harmful")(train_harmful.harmful)
app.add_typer(train.app, name="train")
app.add_typer(banks.app, name="banks")


if __name__ == "__main__":  # pragma: no cover
    app()
