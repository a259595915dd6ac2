"""The `aupguard` command: one typer app, one module per command group, imported on use.

Each command's module is imported only when that command runs (or when help lists it):
importing all of them (the store, the web app, the gateways, Redis, report intake...)
took 1.5 s of every start, which `aupguard scan` of one file paid three times over.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

# name -> (module, attribute, kind): "command" is a function, "group" a typer app.
_ENTRIES: dict[str, tuple[str, str, str]] = {
    "demo": ("aupguard.cli.demo", "demo", "command"),
    "scan": ("aupguard.cli.scan", "scan", "command"),
    "explain": ("aupguard.cli.explain", "explain", "command"),
    "bench": ("aupguard.cli.bench", "bench", "command"),
    "eval": ("aupguard.cli.evaluate", "evaluate", "command"),
    "decide": ("aupguard.cli.decide", "decide", "command"),
    "policy": ("aupguard.cli.policy", "app", "group"),
    "tenants": ("aupguard.cli.tenants", "app", "group"),
    "cases": ("aupguard.cli.cases", "app", "group"),
    "appeals": ("aupguard.cli.appeals", "app", "group"),
    "serve": ("aupguard.cli.serve", "serve", "command"),
    "purge": ("aupguard.cli.serve", "purge", "command"),
    "migrate": ("aupguard.cli.serve", "migrate", "command"),
    "worker": ("aupguard.cli.stream", "worker", "command"),
    "publish": ("aupguard.cli.stream", "publish", "command"),
    "keys": ("aupguard.cli.serve", "keys", "group"),
    "reviewers": ("aupguard.cli.serve", "reviewers", "group"),
    "auth": ("aupguard.cli.auth", "app", "group"),
    "reports": ("aupguard.cli.reports", "app", "group"),
    "audit": ("aupguard.cli.audit", "app", "group"),
    "notify": ("aupguard.cli.notify", "app", "group"),
    "milter": ("aupguard.cli.gateways", "milter", "command"),
    "relay": ("aupguard.cli.gateways", "relay", "command"),
    "relay-passwd": ("aupguard.cli.gateways", "relay_passwd", "command"),
    "quarantine": ("aupguard.cli.quarantine", "app", "group"),
    "train": ("aupguard.cli.train", "app", "group"),
    "banks": ("aupguard.cli.banks", "app", "group"),
}


def _load(name: str) -> Any:
    module, attribute, kind = _ENTRIES[name]
    target = getattr(importlib.import_module(module), attribute)
    if kind == "group":
        cmd: Any = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command(name)(target)
        cmd = typer.main.get_command(single)
    cmd.name = name
    return cmd


class _LazyGroup(TyperGroup):
    """Lists every command; imports a command's module the first time it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in _ENTRIES if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in _ENTRIES:
            found = self.commands[cmd_name] = _load(cmd_name)
        return found


app = typer.Typer(
    name="aupguard",
    cls=_LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Make an Acceptable Use Policy enforceable: detect, decide, act, enforce."""


if __name__ == "__main__":  # pragma: no cover
    app()
