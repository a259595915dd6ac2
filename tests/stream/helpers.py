"""What the stream tests share."""

from __future__ import annotations

from aupguard.decide import Decider
from aupguard.store.models import SendLogRow
from tests.enforce.helpers import T0


def plant_poison(d: Decider, event_id: str) -> None:
    """A send-log row without its decision: every write of `event_id` conflicts."""
    with d.store.write() as s:
        s.add(
            SendLogRow(
                event_id=event_id,
                day=T0.date(),
                time=T0,
                tenant_id="acme",
                channel="sms",
                campaign="x",
                feedback_token="x",
                action="allow",
                recipients=0,
            )
        )
