"""Spam content detectors: samples that must fire and must not, evidence, model hash in verdicts."""

from __future__ import annotations

import pytest

from aupguard.aup.load import load_document
from aupguard.detectors.context import Context
from aupguard.detectors.registry import Registry
from aupguard.detectors.spam_email import SpamEmailDetector
from aupguard.detectors.spam_rules import email_rule_hits, sms_rule_hits
from aupguard.detectors.spam_sms import SpamSmsDetector
from aupguard.engine import Engine
from aupguard.events.model import Channel, Direction, Event, MessageContent
from aupguard.events.normalize import views_for
from aupguard.events.sources import email_event
from aupguard.models.linear import shipped
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action, DetectorRules, Mode
from tests.detectors.samples import sms

SPAMMY = (
    'From: "Best Deals" <deals4you123@hotmail.com>\r\nTo: undisclosed-recipients:;\r\n'
    "Subject: FREE CASH NOW!!! LIMITED TIME OFFER\r\nX-Mailer: Mass Mailer Pro\r\n"
    "Content-Type: text/html\r\n\r\n<html><body><font size=5>MAKE MONEY FAST!!! Earn $5000 a week "
    "from home, 100% guaranteed, no experience needed. Click here: "
    "<a href='http://192.168.13.7/offer.cgi?id=9'>http://192.168.13.7/offer</a> to order now. "
    "This is not spam. You received this because you are on our opt-in list. To be removed "
    "reply with REMOVE in the subject line.</font></body></html>\r\n"
)
HAM = (
    "From: Dana Ortiz <dana@acme.example>\r\nTo: Lee <lee@customer.example>\r\n"
    "Subject: Re: your ticket 4411\r\nIn-Reply-To: <4411@acme.example>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Hi Lee,\r\n\r\nthanks for the logs. The sync fails because the token expired on Friday; "
    "I have renewed it on our side, so the next run tonight should pass. If it still fails, "
    "reply here with the time it ran and I will look again.\r\n\r\nDana\r\nAcme support\r\n"
)


def _names(detector: SpamEmailDetector | SpamSmsDetector, event: Event) -> dict[str, float]:
    return {s.name: s.strength for s in detector.check(views_for(event), Context())}  # type: ignore[union-attr]


def test_email_spam_fires_with_rules_and_evidence() -> None:
    det = SpamEmailDetector()
    found = det.check(views_for(email_event(SPAMMY.encode(), "s")), Context())
    by_name = {s.name: s for s in found}  # type: ignore[union-attr]
    assert by_name["SPAM_CONTENT"].strength > shipped("spam_email").threshold
    assert {
        "SPAM_URL_NUMERIC_HOST",
        "SPAM_REMOVE_BY_REPLY",
        "SPAM_CLAIMS_NOT_SPAM",
        "SPAM_SUBJECT_SHOUTING",
    } <= set(by_name)
    detail = by_name["SPAM_CONTENT"].evidence[0].detail  # type: ignore[union-attr]
    assert detail.startswith("P(spam)=") and "strongest:" in detail


def test_email_ham_stays_quiet() -> None:
    assert _names(SpamEmailDetector(), email_event(HAM.encode(), "h")) == {}


def test_inbound_mail_is_not_the_tenants_spam() -> None:
    event = email_event(SPAMMY.encode(), "s")
    inbound = Event(event.id, event.channel, event.content, direction=Direction.INBOUND)
    assert _names(SpamEmailDetector(), inbound) == {}


@pytest.mark.parametrize(
    "text",
    [
        "WINNER!! You have won a £1000 cash prize. To claim call 09061701461 now. 150p/min",
        "FREE entry in 2 a weekly comp to win FA Cup final tickets. Text FA to 87121 to receive entry",
        "URGENT! Your mobile number has been awarded a £2000 bonus prize. Call 09058094455 from land line",
    ],
)
def test_sms_spam_fires(text: str) -> None:
    found = _names(SpamSmsDetector(), sms(text))
    assert found.get("SMS_SPAM_CONTENT", 0) > shipped("spam_sms").threshold


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sam, your appointment with Dr Patel is confirmed for Tuesday 3pm. Reply C to cancel.",
        "Your order has shipped and will arrive tomorrow.",
        "Sorry, I'm running 10 minutes late, see you at the cafe",
    ],
)
def test_sms_ham_stays_quiet(text: str) -> None:
    assert "SMS_SPAM_CONTENT" not in _names(SpamSmsDetector(), sms(text))


def test_shadow_by_default_records_but_does_not_count() -> None:
    doc = load_document()
    engine = Engine(load_ruleset(document=doc), doc, Registry([SpamEmailDetector]))
    verdict = engine.evaluate(email_event(SPAMMY.encode(), "s"), dry_run=True).verdict
    assert verdict.action is Action.ALLOW
    assert any(s.name == "SPAM_CONTENT" and s.shadow for s in verdict.signals)


def test_rule_hits_say_where() -> None:
    hits = sms_rule_hits("Txt WIN to 80086 now! Calls cost 150p/min")
    assert {h.name for h in hits} == {"SMS_TEXT_TO_SHORTCODE", "SMS_PREMIUM_RATE"}
    assert all(h.start is not None for h in hits)
    assert email_rule_hits("Hello", [], []) == []


@pytest.mark.parametrize(
    "text",
    [
        "to be removed reply with remove in the subject line",
        "please reply to this address with the word remove",
        "remove " + "x" * 50 + " subject",  # the match ends 60+ characters after "remove"
        "removed " * 20 + "to be removed from this list reply here",  # later occurrences
        "remove" + "\n" + "reply",  # no match across a line
        "remove me from nothing",
        "x" * 5_000 + " reply " + "y" * 30 + " remove",
    ],
)
def test_removal_rule_finds_what_the_whole_text_regex_finds(text: str) -> None:
    from aupguard.detectors.spam_rules import _REMOVE, _removal

    m = _REMOVE.search(text)
    assert _removal(text) == ((m.start(), m.end()) if m else None)


def test_verdict_records_the_model_hash_and_flags_at_the_operating_point() -> None:
    doc = load_document()
    rules = load_ruleset(document=doc)
    shipped_modes = {rules.detector_mode(n).value for n in ("spam_email", "spam_sms")}
    assert shipped_modes == {"shadow"}  # shipped in shadow (see rules.yaml); enforce here
    enforce = {n: DetectorRules(mode=Mode.ENFORCE) for n in ("spam_email", "spam_sms")}
    rules = rules.model_copy(update={"detectors": {**rules.detectors, **enforce}})
    engine = Engine(rules, doc, Registry([SpamEmailDetector, SpamSmsDetector]))
    spam = engine.evaluate(email_event(SPAMMY.encode(), "s"), dry_run=True).verdict
    assert dict(spam.model_hashes) == {
        "spam_email": shipped("spam_email").sha256,
        "spam_sms": shipped("spam_sms").sha256,
    }
    assert spam.action is Action.FLAG and spam.violated[0].clause == "message-abuse"
    chat = Event("c", Channel.CHAT, MessageContent("WINNER! claim your prize, call 09061701461"))
    assert engine.evaluate(chat, dry_run=True).verdict.action >= Action.FLAG
