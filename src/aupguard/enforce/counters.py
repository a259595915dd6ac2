"""Send, complaint and bounce counters per tenant: the state the bulk detector's rates read.

`decide` counts every outbound message it decides (`sent:<tenant>`, under the event id);
report intake counts each authenticated complaint and each hard bounce that resolved to a
tenant through the send log (`complaints:<tenant>`, `bounces:<tenant>`, under the report's
reference). Both go through `StateStore.apply`, so a redelivered event or report counts once.
"""

from __future__ import annotations

from aupguard.events.model import Channel, Direction, Event
from aupguard.rules.model import Ruleset
from aupguard.signals import Observation

MESSAGE_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.CHAT})
DEFAULT_WINDOW_S = 86_400  # the bulk detector's complaint_window_s default


def sent_key(tenant: str) -> str:
    return f"sent:{tenant}"


def complaints_key(tenant: str) -> str:
    return f"complaints:{tenant}"


def bounces_key(tenant: str) -> str:
    return f"bounces:{tenant}"


def window_s(ruleset: Ruleset) -> int:
    """How long counts are kept: the window the bulk detector judges rates over."""
    bulk = ruleset.detectors.get("bulk")
    value = bulk.options.get("complaint_window_s") if bulk else None
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_WINDOW_S


def sent(event: Event, ttl_s: int) -> list[Observation]:
    """One count for an outbound message of a known tenant (nothing for other events)."""
    if (
        event.tenant is None
        or event.direction is not Direction.OUTBOUND
        or event.channel not in MESSAGE_CHANNELS
    ):
        return []
    return [Observation("count", sent_key(event.tenant), ttl_s=ttl_s)]


def reported(tenant: str, kind: str, ttl_s: int) -> list[Observation]:
    """One count of a resolved complaint (`complaint`) or hard bounce (`bounce`)."""
    key = complaints_key(tenant) if kind == "complaint" else bounces_key(tenant)
    return [Observation("count", key, ttl_s=ttl_s)]
