"""SMS sender IDs: registered to the sending tenant, and not a brand it is not."""

from __future__ import annotations

from collections.abc import Sequence

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.knownbrands import brand_names, known_brands
from aupguard.events.model import Channel, Direction, MessageContent
from aupguard.events.views import Views
from aupguard.phrases import words


class SenderIdDetector(Detector):
    name = "sender_id"
    description = (
        "Checks that an outbound SMS sender ID (number, short code or alphanumeric name) is "
        "registered to the sending tenant and does not name a brand that is not the tenant's."
    )
    channels = frozenset({Channel.SMS})
    signals = (
        SignalSpec("SENDER_ID_NOT_OWNED", "The sender ID is not registered to the tenant.", True),
        SignalSpec(
            "SENDER_ID_OTHER_TENANT", "The sender ID is registered to another tenant.", True
        ),
        SignalSpec("SENDER_ID_BRAND", "The alphanumeric sender ID names a brand not the tenant's."),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        event, content = view.event, view.event.content
        if not isinstance(content, MessageContent) or event.direction is not Direction.OUTBOUND:
            return []
        sender_id = (content.sender_id or "").strip()
        if not sender_id:
            return []
        tenant, directory = event.tenant, ctx.directory
        found: list[Finding] = []
        owner = directory.owner_of_sender_id(sender_id) if directory else None
        if directory is not None and tenant is not None and owner != tenant:
            detail = f"sender ID {sender_id} is not registered to tenant {tenant}"
            found.append(
                self.signal(
                    "SENDER_ID_NOT_OWNED", 1.0, Evidence("sender_id", sender_id, detail=detail)
                )
            )
            if owner is not None:
                detail = f"sender ID {sender_id} is registered to tenant {owner}"
                ev = Evidence("sender_id", sender_id, detail=detail)
                found.append(self.signal("SENDER_ID_OTHER_TENANT", 1.0, ev))
        if _is_number(sender_id) or (owner is not None and owner == tenant):
            return found
        own = {b.casefold() for b in directory.brands_of(tenant)} if directory and tenant else set()
        claimed = _known_brand_in(sender_id, own)
        if claimed is None and directory is not None:
            claimed = next((b for b, t in directory.brands_in(sender_id) if t != tenant), None)
        if claimed is not None:
            detail = f"sender ID {sender_id} names {claimed}"
            found.append(
                self.signal("SENDER_ID_BRAND", 1.0, Evidence("sender_id", sender_id, detail=detail))
            )
        return found


def _is_number(sender_id: str) -> bool:
    return sender_id.lstrip("+").replace(" ", "").replace("-", "").isdigit()


def _known_brand_in(sender_id: str, own: set[str]) -> str | None:
    """A brand named by the sender ID as words ("HSBC Alerts") or run together ("HSBCUK")."""
    for hit in brand_names().find(sender_id):
        if hit.value.brand.casefold() not in own:
            return hit.value.brand
    compact = "".join(words(sender_id))
    for brand in known_brands():
        if brand.brand.casefold() in own:
            continue
        for name in brand.names:
            key = "".join(words(name))
            if len(key) >= 4 and compact.startswith(key):
                return brand.brand
    return None
