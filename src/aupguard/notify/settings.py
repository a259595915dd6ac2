"""Delivery settings: SMTP, webhooks, retries; from arguments or AUPGUARD_NOTIFY_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from aupguard.errors import ConfigError

ENV_PREFIX = "AUPGUARD_NOTIFY_"


class NotifySettings(BaseModel):
    """How notices leave: the SMTP relay, webhook timeouts, the retry schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False  # upgrade a plain connection (port 587)
    smtp_ssl: bool = False  # implicit TLS (port 465)
    smtp_ca_file: str | None = None  # CA bundle for a relay with a private certificate
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    mail_from: str = "aupguard@localhost"
    message_id_domain: str | None = None  # default: the domain of mail_from
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    operator_webhook_secret: SecretStr | None = None  # signs webhooks of notices with no tenant
    max_attempts: int = Field(default=8, ge=1)
    backoff_base_s: float = Field(default=30.0, gt=0)
    backoff_cap_s: float = Field(default=6 * 3600.0, gt=0)
    lease_s: float = Field(default=300.0, gt=0)  # a claimed notice is re-tried after this
    batch_size: int = Field(default=20, ge=1)

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> NotifySettings:
        if self.smtp_ssl and self.smtp_starttls:
            raise ValueError("choose smtp_ssl (implicit TLS) or smtp_starttls, not both")
        slowest = max(self.smtp_timeout_s, self.webhook_timeout_s)
        if self.lease_s < 2 * slowest:
            raise ValueError(
                f"lease_s ({self.lease_s:g}) must be at least twice the slowest timeout "
                f"({slowest:g} s), or a slow send is re-sent while it is still running"
            )
        return self

    @property
    def id_domain(self) -> str:
        return self.message_id_domain or self.mail_from.rpartition("@")[2] or "localhost"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> NotifySettings:
        """Settings from AUPGUARD_NOTIFY_<FIELD> variables (e.g. ..._SMTP_HOST), then overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            name: env[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if env.get(ENV_PREFIX + name.upper())
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{ENV_PREFIX}{'.'.join(map(str, e['loc'])).upper() or 'SETTINGS'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ConfigError(f"invalid notification settings: {problems}") from None
