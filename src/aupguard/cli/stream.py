"""`aupguard worker` and `aupguard publish`: scale out through Redis Streams."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from aupguard.cli.common import DbOption, console, err_console, fail, settings_for

RedisOption = Annotated[str, typer.Option("--redis", help="Redis URL of the event stream.")]


def worker(
    processes: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    event_timeout: Annotated[float, typer.Option(help="Kill a worker stuck this long (s).")] = 30.0,
    batch: Annotated[
        int, typer.Option(min=1, help="Events read, decided and committed together.")
    ] = 64,
    redis_url: RedisOption = "redis://127.0.0.1:6379/0",
    state: Annotated[str, typer.Option(help="State backend: memory:// or redis://...")] = "",
    db: DbOption = None,
) -> None:
    """Decide events from the stream: ack after commit, claim a dead peer's entries."""
    from aupguard.decide import Decider
    from aupguard.store.db import Store
    from aupguard.stream.supervisor import WorkerSpec, supervise

    settings = settings_for(db)
    # Migrate, publish the default AUP and record the ruleset once, before workers start.
    Decider(Store(settings.database_url), settings=settings).store.dispose()
    spec = WorkerSpec(
        db_url=settings.database_url,
        redis_url=redis_url,
        state_url=state or settings.state_url,
        home=str(settings.home),
        batch=batch,
    )
    console.print(f"{processes} worker(s) on {redis_url}, database {settings.database_url}")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    # SIGTERM (systemd, CI, a test) stops the workers cleanly instead of orphaning them.
    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        supervise(spec, processes, event_timeout, lambda: stopping)
    console.print("stopped")


def publish(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories of events.")],
    redis_url: RedisOption = "redis://127.0.0.1:6379/0",
    tenant: Annotated[str | None, typer.Option(help="Tenant for events naming none.")] = None,
    max_backlog: Annotated[
        int, typer.Option(min=1, help="Wait while the stream holds more undecided events.")
    ] = 200_000,
) -> None:
    """Bulk-import events into the stream (backpressure when the workers fall behind)."""
    from dataclasses import replace

    import redis

    from aupguard.errors import InputError
    from aupguard.events.model import Event
    from aupguard.events.sources import expand_paths, read_file
    from aupguard.stream.producer import publish as publish_events

    errors = 0

    def events() -> object:
        nonlocal errors
        for path in expand_paths(paths):
            if not isinstance(path, Path):
                errors += 1
                continue
            for item in read_file(path):
                if isinstance(item, InputError):
                    errors += 1
                    err_console.print(f"{item.source}: error: {item.reason}", highlight=False)
                elif isinstance(item, Event):
                    yield replace(item, tenant=item.tenant or tenant)

    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        fail(f"cannot reach Redis at {redis_url}: {exc}")
    with Progress(console=err_console, disable=not err_console.is_terminal) as progress:
        task = progress.add_task("publishing", total=None)
        sent = publish_events(
            client,
            events(),  # type: ignore[arg-type]
            max_backlog=max_backlog,
            on_batch=lambda n: progress.update(task, completed=n),
        )
    console.print(f"{sent} events published to {redis_url}; {errors} inputs unreadable")
