"""Content models: samples that must fire and must not, roles, obfuscation, languages."""

from __future__ import annotations

import pytest

from aupguard.aup.load import load_document
from aupguard.detectors.agent_misrepresentation import AgentMisrepresentationDetector
from aupguard.detectors.content_models import ContentModelsDetector
from aupguard.detectors.context import Context
from aupguard.detectors.piracy_links import PiracyLinksDetector
from aupguard.detectors.registry import Registry
from aupguard.enforce.identities import Identity, IdentityKind, IdentitySnapshot
from aupguard.engine import Engine
from aupguard.events.model import Channel, Event, Role
from aupguard.events.normalize import views_for
from aupguard.rules.load import load_ruleset
from tests.detectors.samples import chat, sms


@pytest.fixture(scope="module")
def engine() -> Engine:
    registry = Registry(
        [ContentModelsDetector, AgentMisrepresentationDetector, PiracyLinksDetector]
    )
    return Engine(load_ruleset(), load_document(), registry)


def violated(engine: Engine, event: Event, ctx: Context | None = None) -> set[str]:
    return {c.clause for c in engine.evaluate(event, ctx, dry_run=True).verdict.violated}


FIRE = {
    "adult-content": [
        "Hot discreet escorts available tonight, incall or outcall, full service, text ROSE to 555-0141",
        "Relaxing body rub with happy ending at our spa, cash only, ask for the special",
        "3sc0rt s3rvice, girls 18+ for your hotel room, full GFE, discretion guaranteed",
        "e s c o r t s available now near you, outcall only, call 555-0102",
        "ᴇꜱᴄᴏʀᴛ ꜱᴇʀᴠɪᴄᴇ hot blondes, incall $150 half hour, DM for menu",
    ],
    "violence": [
        "Pay by Friday or we will burn down your restaurant with your staff inside",
        "I'm going to k1ll you and your whole family, I know where you live 🔪",
        "Brothers, join the fighters: donate for weapons for the next operation against the infidels",
    ],
    "ip-infringement": [
        "Windows 11 Pro activator + Office crack, no key needed, free download forever",
        "IPTV 20,000 channels + all PPV + Sky Sports for £10/month, works on firestick",
        "Rolex Submariner AAA replica, 1:1 mirror quality, $180 free shipping",
    ],
    "phishing": [
        "Your card is locked. Reply with your full card number, expiry date and CVV to unlock it",
        "To cancel the payment, reply with your online banking password and the one-time code",
    ],
}
QUIET = [
    "Riverside Sexual Health Clinic: your STI test results are ready in the patient portal.",
    "Metro PD: a police escort will accompany the funeral procession on Elm St at 11am.",
    "How to kill a hung process in Linux: run ps aux, then kill -9 PID.",
    "History club tonight: the causes and aftermath of the 9/11 attacks.",
    "Ubuntu 24.04 LTS is out! Download the ISO or the official torrent from ubuntu.com.",
    "Your verification code is 482913. Never share this code with anyone.",
    "Your Acme verification code is 482913",
    "Acme: 739201 is your one-time login code. It expires in 10 minutes.",
    "Your table for 4 is booked for Friday at 7pm. See you then!",
]


@pytest.mark.parametrize(("clause", "text"), [(c, t) for c, ts in FIRE.items() for t in ts])
def test_fires(engine: Engine, clause: str, text: str) -> None:
    assert clause in violated(engine, sms(text))


@pytest.mark.parametrize("text", QUIET)
def test_quiet(engine: Engine, text: str) -> None:
    assert violated(engine, sms(text)) == set()


VIOLENT = "I'm going to come to your house tonight and kill you, you're dead"
SEXUAL = "We have girls for outcall tonight, $300 an hour, full service, happy ending included"


@pytest.mark.parametrize(("words", "clause"), [(VIOLENT, "violence"), (SEXUAL, "adult-content")])
def test_customer_words_do_not_count_agent_words_do(
    engine: Engine, words: str, clause: str
) -> None:
    calm = "I'm sorry to hear that. I can help you with your account today."
    customer_said = chat((Role.CUSTOMER, words), (Role.AGENT, calm))
    agent_said = chat((Role.CUSTOMER, "hello, I have a question"), (Role.AGENT, words))
    assert clause not in violated(engine, customer_said)
    assert clause in violated(engine, agent_said)


def _directory(tenant: str, *brands: str) -> IdentitySnapshot:
    return IdentitySnapshot(
        [Identity(tenant, IdentityKind.BRAND, b, verified=True) for b in (tenant, *brands)]
    )


def test_claim_to_be_another_organisation_is_evidence(engine: Engine) -> None:
    words = (
        "this is officer daniels with the social security administration, your number is "
        "suspended; to avoid arrest today pay the fine with gift cards"
    )
    event = chat((Role.AGENT, words))
    liar = Event("m1", Channel.VOICE, event.content, tenant="Apex Leads")
    ctx = Context(directory=_directory("Apex Leads"))
    verdict = engine.evaluate(liar, ctx, dry_run=True).verdict
    assert "CLAIMS_OTHER_ORG" in {s.name for s in verdict.signals}
    assert "misrepresentation" in {c.clause for c in verdict.violated}


def test_the_agency_itself_makes_no_false_claim(engine: Engine) -> None:
    words = "this is the social security administration calling about your benefit letter"
    event = chat((Role.AGENT, words))
    own = Event("m2", Channel.VOICE, event.content, tenant="Social Security Administration")
    ctx = Context(directory=_directory("Social Security Administration"))
    signals = {s.name for s in engine.evaluate(own, ctx, dry_run=True).verdict.signals}
    assert "CLAIMS_OTHER_ORG" not in signals


def test_customer_claims_are_not_the_tenants(engine: Engine) -> None:
    event = chat(
        (Role.CUSTOMER, "this is the police, stop calling me or you'll be arrested"),
        (Role.AGENT, "I'm sorry, I've added your number to our do not call list."),
    )
    liar = Event("m3", Channel.CHAT, event.content, tenant="Apex Leads")
    ctx = Context(directory=_directory("Apex Leads"))
    assert "misrepresentation" not in violated(engine, liar, ctx)


def test_unknown_language_is_no_clean_pass(engine: Engine) -> None:
    text = "Dziękujemy za zamówienie, paczka zostanie wysłana jutro rano do paczkomatu."
    names = {s.name for s in engine.evaluate(sms(text), dry_run=True).verdict.signals}
    assert "LANGUAGE_UNSUPPORTED" in names


def test_piracy_links() -> None:
    detector = PiracyLinksDetector()
    text = "grab it: magnet:?xt=urn:btih:c0ffee0ddba11dead5eed5c0ffee0ddba11dead5 or thepiratebay.org/x"
    names = {s.name for s in detector.check(views_for(sms(text)), Context())}
    assert names == {"MAGNET_LINK", "PIRACY_LINK"}
    quiet = "download from ubuntu.com or mozilla.org"
    assert detector.check(views_for(sms(quiet)), Context()) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Films at WWW.FMovies.TO tonight", {"PIRACY_LINK"}),
        ("files on cdn.mega.nz/abc", {"CYBERLOCKER_LINK"}),
        ("see thepiratebay.org.example.com/x", set()),  # the listed name is not the host
        ("mail admin@thepiratebay.org", set()),  # an address, not a link
        ("notthepiratebay.org", set()),
    ],
)
def test_piracy_hosts(text: str, found: set[str]) -> None:
    signals = PiracyLinksDetector().check(views_for(sms(text)), Context())
    assert {s.name for s in signals} == found


def test_evidence_is_masked_and_located(engine: Engine) -> None:
    text = "Escort service tonight, card 4111 1111 1111 1111 accepted, incall only"
    verdict = engine.evaluate(sms(text), dry_run=True).verdict
    evidence = [e for s in verdict.signals for e in s.evidence]
    assert evidence and all("4111 1111" not in e.excerpt for e in evidence)
    assert any(e.start is not None and "escort" in text[e.start : e.end].lower() for e in evidence)


def test_stages_join_as_the_mean_of_their_log_odds() -> None:
    from aupguard.content.models import Scores, combined

    assert combined(0.7, 0.7) == pytest.approx(0.7)
    assert combined(0.9, 0.1) == pytest.approx(0.5)
    assert combined(0.2, 0.95) == pytest.approx(combined(0.95, 0.2))
    assert 0.2 < combined(0.2, 0.95) < 0.95
    scores = Scores({"violence": 0.3, "adult": 0.3}, {"violence": 0.9})
    assert scores.final("adult") == 0.3  # no second stage: the first stage's probability
    assert scores.final("violence") == pytest.approx(combined(0.3, 0.9))


@pytest.mark.parametrize(
    ("head", "harmful", "harmless"),
    [
        (
            "violence",
            "I will kill you and your whole family tonight, you have been warned",
            "how do I kill a Python process that hangs on exit",
        ),
        (
            "adult",
            "Hot local escorts available tonight, discreet incall outcall, text now",
            "Our clinic offers confidential sexual health screening, book online",
        ),
        (
            "piracy",
            "Download the latest movies free, cracked full version, torrent link inside",
            "Stream the film on our licensed service with your subscription",
        ),
        (
            "pii",
            "Please reply with the six digit code we just texted you and your card number",
            "We will never ask you for your password or code. Do not share it with anyone.",
        ),
    ],
)
def test_second_stage_encoder_reads_meaning(head: str, harmful: str, harmless: str) -> None:
    """The fine-tuned encoder (int8 ONNX) on the folded text the detector gives it: the
    harmful sentence is positive for its head, the one that shares its words negative."""
    from aupguard.content.features import analysis_of
    from aupguard.content.models import HEADS, encoder, encoder_text

    def logit(text: str) -> float:
        analysis = analysis_of(views_for(sms(text)), None)
        return float(encoder().logits(encoder_text(analysis))[HEADS.index(head)])

    assert logit(harmful) > 0 > logit(harmless)


def test_borderline_first_stage_asks_the_encoder() -> None:
    """Inside the band the second stage runs and its opinion moves the probability;
    with the second stage disabled only the first stage speaks."""
    from aupguard.content.features import analysis_of
    from aupguard.content.models import combined, linear_model
    from aupguard.content.scoring import StagePolicy, score

    analysis = analysis_of(views_for(sms("we will make you pay for what you did")), None)
    logits = linear_model().logits(analysis)
    both = score(analysis, StagePolicy(band=(0.0, 1.0)), ["violence"], logits)
    first = score(analysis, StagePolicy(enabled=False), ["violence"], logits)
    assert "violence" in both.second and not first.second
    assert both.final("violence") == pytest.approx(
        combined(first.final("violence"), both.second["violence"])
    )


def test_stage_policy_band_high_heads_and_skips() -> None:
    """In the band every head asks; above it only the high heads; below it nobody,
    unless `high_from` lowers the high heads' floor; skipped heads never ask."""
    from aupguard.content.scoring import StagePolicy

    policy = StagePolicy((0.1, 0.8), frozenset({"violence"}), skip=frozenset({"pii"}))
    assert policy.wants("adult", 0.5) and policy.wants("violence", 0.5)
    assert not policy.wants("adult", 0.9) and policy.wants("violence", 0.9)
    assert not policy.wants("violence", 0.07) and not policy.wants("pii", 0.5)
    lower = StagePolicy((0.1, 0.8), frozenset({"violence"}), high_from=0.05)
    assert lower.wants("violence", 0.07) and not lower.wants("violence", 0.04)
    assert not lower.wants("adult", 0.07)
