"""Enforcement points: the milter, the SMTP relay and the messaging gate, with their shared gate."""

from aupguard.gateways.answer import Answer, Origin
from aupguard.gateways.gate import Gate, GateConfig
from aupguard.gateways.replies import SmtpReply, smtp_reply
from aupguard.gateways.statusbus import publish_version

__all__ = [
    "Answer",
    "Gate",
    "GateConfig",
    "Origin",
    "SmtpReply",
    "publish_version",
    "smtp_reply",
]
