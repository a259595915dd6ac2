"""E-mail delivery over SMTP; the Message-ID comes from the outbox id, so re-sends match."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from aupguard.errors import DeliveryError
from aupguard.notify.outgoing import Outgoing
from aupguard.notify.settings import NotifySettings


def message_id(outbox_id: int, settings: NotifySettings) -> str:
    """`<aupguard-notice-ID@domain>`: the same on every attempt, so a duplicate is visible."""
    return f"<aupguard-notice-{outbox_id}@{settings.id_domain}>"


def build_email(msg: Outgoing, settings: NotifySettings) -> EmailMessage:
    """The RFC 5322 message; identical on every attempt except X-Aupguard-Attempt."""
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = msg.recipient
    email["Subject"] = msg.subject
    email["Date"] = format_datetime(msg.created_at)
    email["Message-ID"] = message_id(msg.id, settings)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    email["X-Aupguard-Notice"] = f"{msg.topic}; id={msg.id}"
    email["X-Aupguard-Attempt"] = str(msg.attempt)
    email.set_content(msg.body)
    return email


def _refusal(exc: smtplib.SMTPException) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{r}: {c} {m!r}" for r, (c, m) in exc.recipients.items())
        return DeliveryError(f"recipient refused: {detail}", permanent=min(codes) >= 500)
    if isinstance(exc, smtplib.SMTPDataError):
        return DeliveryError(
            f"message refused: {exc.smtp_code} {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
        )
    return DeliveryError(f"SMTP error: {exc}")


def send_email(msg: Outgoing, settings: NotifySettings) -> None:
    """Hand the message to the SMTP relay; DeliveryError says whether to retry."""
    email = build_email(msg, settings)
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout_s
    try:
        smtp: smtplib.SMTP
        tls = settings.smtp_ssl or settings.smtp_starttls
        context = ssl.create_default_context(cafile=settings.smtp_ca_file) if tls else None
        if settings.smtp_ssl:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=context)
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                smtp.login(settings.smtp_user, password)
            smtp.send_message(email)
    except smtplib.SMTPException as exc:
        raise _refusal(exc) from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with SMTP server {host}:{port} failed: {exc}") from None
    except OSError as exc:
        raise DeliveryError(f"SMTP server {host}:{port} unreachable: {exc}") from None
