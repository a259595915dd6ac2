"""Settings from the environment (AUPGUARD_*), with sane embedded defaults and key files."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aupguard.auth.resolver import Resolver


def _env(name: str, default: str) -> str:
    return os.environ.get(f"AUPGUARD_{name}", default)


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path = field(default_factory=lambda: Path(_env("HOME", ".aupguard")))
    db_url: str = ""
    state_url: str = field(default_factory=lambda: _env("STATE_URL", "memory://"))
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "http://127.0.0.1:8080"))
    retain_originals_days: int = field(
        default_factory=lambda: int(_env("RETAIN_ORIGINALS_DAYS", "0"))
    )
    send_log_days: int = field(default_factory=lambda: int(_env("SEND_LOG_DAYS", "90")))
    operator_email: str = field(
        default_factory=lambda: _env("OPERATOR_EMAIL", "abuse-desk@localhost")
    )
    # DNS for e-mail authentication of relayed/received mail: "off" (the default: no
    # network from a plain install or a test run), "system" (the host's resolvers) or a
    # comma-separated list of name server addresses. Answers are cached with their TTL.
    dns: str = field(default_factory=lambda: _env("DNS", "off"))
    # Redis URL on which status changes are announced to gateways (pub/sub); empty: none
    # (gateways then rely on polling the status version, at least every 500 ms).
    status_bus: str = field(default_factory=lambda: _env("STATUS_BUS", ""))
    # Bearer token Prometheus presents to scrape /metrics (an admin API key works too);
    # empty: only admin keys may read the metrics.
    metrics_token: str = field(default_factory=lambda: _env("METRICS_TOKEN", ""))

    def resolver(self) -> Resolver | None:
        """The DNS resolver detectors use, or None when DNS is off."""
        if self.dns == "off":
            return None
        from aupguard.auth.resolver import CachingResolver, DnsResolver

        servers = None if self.dns == "system" else [x.strip() for x in self.dns.split(",")]
        return CachingResolver(DnsResolver(servers))

    @property
    def database_url(self) -> str:
        return (
            self.db_url
            or os.environ.get("AUPGUARD_DB_URL")
            or f"sqlite:///{self.home / 'aupguard.db'}"
        )

    def secret(self, name: str, size: int = 32) -> bytes:
        """A key kept in a file under `home` (created 0600 on first use), never in the DB."""
        env = os.environ.get(f"AUPGUARD_{name.upper()}_KEY")
        if env:
            return bytes.fromhex(env)
        path = self.home / "keys" / f"{name}.key"
        if not path.exists():
            # Written whole under a private name, then linked into place: of processes
            # starting together, the first link wins and the others read its key (never a
            # half-written file).
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(size))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it first: use that key
            finally:
                os.unlink(tmp)
        return bytes.fromhex(path.read_text().strip())

    def ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
