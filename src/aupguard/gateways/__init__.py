"""Enforcement points: the milter, the SMTP relay and the messaging gate, with their shared gate."""

from aupguard.enforce.statusbus import publish_version
from aupguard.gateways.answer import Answer, Origin
from aupguard.gateways.gate import Gate, GateConfig
from aupguard.gateways.replies import SmtpReply, smtp_reply

__all__ = [
    "Answer",
    "Gate",
    "GateConfig",
    "Origin",
    "SmtpReply",
    "publish_version",
    "smtp_reply",
]
