"""`aupguard milter`, `relay`, `relay-passwd`: run the e-mail enforcement points."""

from __future__ import annotations

import getpass
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from aupguard.cli.common import DbOption, RulesOption, console, fail, load_policy, settings_for
from aupguard.errors import AupguardError
from aupguard.gateways.factory import Gateway, GatewaySetup, build_gateway
from aupguard.gateways.mail import MailGate
from aupguard.gateways.quarantine import Quarantine
from aupguard.gateways.relayauth import UserTable, set_password
from aupguard.gateways.throttle import BucketSpec

ApiOption = Annotated[
    str | None, typer.Option("--api", help="Decide API base URL; default: decide in-process.")
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="AUPGUARD_API_KEY",
        help="Key (scope decide) for --api; prefer the environment variable to the command line.",
    ),
]
RedisOption = Annotated[
    str | None,
    typer.Option("--redis", help="Redis URL: shared throttles and instant status notices."),
]
FailOption = Annotated[
    str,
    typer.Option("--fail", help="When the engine is down or slow: 'closed' defers, 'open' passes."),
]
DeadlineOption = Annotated[float, typer.Option(help="Seconds the engine may take per message.")]
RateOption = Annotated[
    float, typer.Option(help="Messages per second a throttled sender may send (shared bucket).")
]
BurstOption = Annotated[float, typer.Option(help="Messages a throttled sender may send at once.")]
UnmappedOption = Annotated[
    str, typer.Option(help="Mail no tenant owns: 'check' it on content, 'defer' or 'reject' it.")
]
QuarantineOption = Annotated[
    Path | None, typer.Option("--quarantine-dir", help="Folder for held mail and its records.")
]
MetricsOption = Annotated[
    int | None, typer.Option("--metrics-port", help="Serve Prometheus metrics on 127.0.0.1:PORT.")
]


def _setup(
    name: str,
    db: str | None,
    api: str | None,
    api_key: str | None,
    redis: str | None,
    fail_mode: str,
    deadline: float,
    rate: float,
    burst: float,
    rules: Path | None,
) -> Gateway:
    if fail_mode not in ("open", "closed"):
        fail(f"--fail must be 'open' or 'closed', not {fail_mode!r}")
    mode: Literal["open", "closed"] = "open" if fail_mode == "open" else "closed"
    _, ruleset = load_policy(None, rules)
    settings = settings_for(db)
    try:
        setup = GatewaySetup(
            name=name,
            db_url=settings.database_url if db or not api else None,
            api_url=api,
            api_key=api_key,
            redis_url=redis,
            failure_mode=mode,
            deadline_s=deadline,
            throttle=BucketSpec(rate, burst),
            settings=settings,
        )
        return build_gateway(setup, ruleset=ruleset)
    except (AupguardError, ValueError) as exc:
        fail(str(exc))
    except Exception as exc:  # database or Redis unreachable at start
        fail(f"cannot start the {name}: {exc}")


def _logging() -> None:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )


def _metrics(gateway: Gateway, port: int | None) -> None:
    if port is not None:
        from prometheus_client import start_http_server

        start_http_server(port, "127.0.0.1", registry=gateway.metrics.registry)


def _unmapped(value: str) -> Literal["check", "defer", "reject"]:
    if value not in ("check", "defer", "reject"):
        fail(f"--unmapped must be check, defer or reject, not {value!r}")
    return "check" if value == "check" else "defer" if value == "defer" else "reject"


def milter(
    listen: Annotated[
        str, typer.Option(help="Socket as Postfix names it: inet:PORT@HOST or unix:/path.")
    ] = "inet:8894@127.0.0.1",
    db: DbOption = None,
    api: ApiOption = None,
    api_key: ApiKeyOption = None,
    redis: RedisOption = None,
    fail_mode: FailOption = "closed",
    deadline: DeadlineOption = 5.0,
    throttle_rate: RateOption = 1.0,
    throttle_burst: BurstOption = 5.0,
    unmapped: UnmappedOption = "check",
    quarantine_dir: QuarantineOption = None,
    postfix_config: Annotated[
        str | None, typer.Option(help="Postfix config dir, for releasing held mail.")
    ] = None,
    rules: RulesOption = None,
    metrics_port: MetricsOption = None,
) -> None:
    """Run the milter for Postfix or Sendmail (smtpd_milters = inet:HOST:PORT)."""
    from aupguard.gateways.milter import MilterService, run_milter

    _logging()
    mode = _unmapped(unmapped)
    gateway = _setup(
        "milter",
        db,
        api,
        api_key,
        redis,
        fail_mode,
        deadline,
        throttle_rate,
        throttle_burst,
        rules,
    )
    _metrics(gateway, metrics_port)
    quarantine = Quarantine(quarantine_dir) if quarantine_dir else None
    service = MilterService(MailGate(gateway, "milter", mode), quarantine, postfix_config)
    try:
        run_milter(service, listen)
    except AupguardError as exc:
        fail(str(exc))
    finally:
        gateway.close()


def relay(
    next_hop: Annotated[str, typer.Option(help="host:port allowed mail is relayed to.")],
    listen: Annotated[str, typer.Option(help="host:port to accept SMTP on.")] = "127.0.0.1:10025",
    db: DbOption = None,
    api: ApiOption = None,
    api_key: ApiKeyOption = None,
    redis: RedisOption = None,
    fail_mode: FailOption = "closed",
    deadline: DeadlineOption = 5.0,
    throttle_rate: RateOption = 1.0,
    throttle_burst: BurstOption = 5.0,
    unmapped: UnmappedOption = "check",
    quarantine_dir: QuarantineOption = None,
    tls_cert: Annotated[Path | None, typer.Option(help="PEM certificate for STARTTLS.")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM key for STARTTLS.")] = None,
    require_starttls: Annotated[bool, typer.Option(help="Refuse mail before STARTTLS.")] = False,
    users: Annotated[
        Path | None, typer.Option(help="AUTH user table (aupguard relay-passwd).")
    ] = None,
    auth_required: Annotated[bool, typer.Option(help="Refuse mail before AUTH.")] = False,
    rules: RulesOption = None,
    metrics_port: MetricsOption = None,
) -> None:
    """Run the SMTP relay: decide every message, relay allowed mail to the next hop."""
    from aupguard.gateways.smtp_relay import (
        NextHop,
        RelayHandler,
        RelayOptions,
        start_relay,
        tls_context,
    )

    _logging()
    mode = _unmapped(unmapped)
    try:
        hop = NextHop.parse(next_hop)
        host, _, port = listen.rpartition(":")
        if (tls_cert is None) != (tls_key is None):
            fail("give both --tls-cert and --tls-key for STARTTLS")
        tls = tls_context(str(tls_cert), str(tls_key)) if tls_cert and tls_key else None
        table = UserTable.load(users) if users else None
        options = RelayOptions(
            host.strip("[]") or "127.0.0.1",
            int(port),
            tls,
            require_starttls,
            auth_required,
        )
    except (AupguardError, ValueError, OSError) as exc:
        fail(str(exc))
    if (require_starttls and tls is None) or (auth_required and table is None):
        fail("--require-starttls needs --tls-cert/--tls-key; --auth-required needs --users")
    gateway = _setup(
        "relay",
        db,
        api,
        api_key,
        redis,
        fail_mode,
        deadline,
        throttle_rate,
        throttle_burst,
        rules,
    )
    _metrics(gateway, metrics_port)
    quarantine = Quarantine(quarantine_dir) if quarantine_dir else None
    handler = RelayHandler(MailGate(gateway, "relay", mode), hop, quarantine, table)
    try:
        controller = start_relay(handler, options)
    except Exception as exc:
        gateway.close()
        fail(f"cannot listen on {listen}: {exc}")
    logging.getLogger(__name__).info("aupguard relay on %s, next hop %s", listen, hop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        gateway.close()


def relay_passwd(
    users: Annotated[Path, typer.Argument(help="The relay's AUTH user table file.")],
    login: Annotated[
        str, typer.Argument(help="SMTP login (map it: tenants identity T smtp_user).")
    ],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Add or change a relay AUTH login (scrypt hash, file mode 0600)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass()
    if not password:
        fail("an empty password is not allowed")
    try:
        set_password(users, login, password)
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"login {login} set in {users}")
