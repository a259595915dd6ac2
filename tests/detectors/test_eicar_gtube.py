"""EICAR and GTUBE: samples that must fire and samples that must not."""

from __future__ import annotations

import pytest

from aupguard.detectors.context import Context
from aupguard.detectors.eicar import EICAR, EicarDetector
from aupguard.detectors.gtube import GTUBE, GtubeDetector
from aupguard.events.model import Event, Role
from aupguard.events.normalize import views_for
from tests.detectors.samples import chat, mail, sms

E = EICAR.decode()


def fired(detector: EicarDetector | GtubeDetector, event: Event) -> list[str]:
    return [s.name for s in detector.check(views_for(event), Context())]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "event",
    [
        mail(attachment=("eicar.com", EICAR)),
        mail(attachment=("e.txt", EICAR + b"\r\n  ")),
        mail(body=E),
        sms(E),
    ],
    ids=["attachment", "attachment-trailing-space", "mail-body", "sms"],
)
def test_eicar_fires(event: Event) -> None:
    assert fired(EicarDetector(), event) == ["EICAR"]


@pytest.mark.parametrize(
    "event",
    [
        mail(body="The EICAR test file is " + E + " and that is all."),
        mail(attachment=("doc.txt", b"prefix " + EICAR)),
        mail(attachment=("x.bin", EICAR * 3)),
        sms("eicar"),
    ],
    ids=["quoted-in-prose", "not-at-start", "too-long", "the-word"],
)
def test_eicar_does_not_fire(event: Event) -> None:
    assert fired(EicarDetector(), event) == []


@pytest.mark.parametrize(
    "event",
    [
        mail(body=f"Buy now {GTUBE} thanks"),
        mail(attachment=("g.txt", GTUBE.encode())),
        sms(GTUBE),
        chat((Role.AGENT, GTUBE)),
    ],
    ids=["mail", "attachment", "sms", "chat-agent"],
)
def test_gtube_fires(event: Event) -> None:
    assert fired(GtubeDetector(), event) == ["GTUBE"]


@pytest.mark.parametrize(
    "event",
    [mail(body="GTUBE is a test string"), sms(GTUBE[:-3]), chat((Role.CUSTOMER, GTUBE))],
    ids=["the-word", "cut-string", "chat-customer"],
)
def test_gtube_does_not_fire(event: Event) -> None:
    assert fired(GtubeDetector(), event) == []
