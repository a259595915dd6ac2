"""Lures: requests for secrets, urgency, threats; numbers count only when valid."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.detectors import lures
from aupguard.detectors.context import Context
from aupguard.detectors.lures import LuresDetector, ssn_ok
from aupguard.events.model import Role
from aupguard.events.normalize import views_for
from tests.detectors.samples import chat, mail, sms


def fired(event: object) -> set[str]:
    return {s.name for s in LuresDetector().check(views_for(event), Context())}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Please verify your account password by replying to this mail.", "LURE_CREDENTIALS"),
        ("Reply with the verification code we just sent you.", "LURE_OTP"),
        ("Confirm your credit card number and CVV below.", "LURE_CARD"),
        ("To continue, provide your social security number.", "LURE_NATIONAL_ID"),
        ("Update your online banking details here.", "LURE_BANK_LOGIN"),
        ("You must act within 24 hours.", "LURE_URGENCY"),
        ("Your account has been suspended due to unusual sign-in activity.", "LURE_ACCOUNT_THREAT"),
        ("card 4111 1111 1111 1111 on file", "PII_CARD_NUMBER"),
        ("SSN 123-45-6789", "PII_SSN"),
    ],
)
def test_lures_fire(text: str, signal: str) -> None:
    assert signal in fired(mail(body=text))


@pytest.mark.parametrize(
    "text",
    [
        "Your appointment is confirmed for Tuesday at 10:00.",
        "Never share your password or one-time code with anyone, including us.",
        "Order 4111 1111 1111 1112 shipped",  # fails Luhn
        "Reference 000-12-3456",  # area 000 is never issued
        "We changed our password policy; nothing to do on your side.",
    ],
)
def test_lures_do_not_fire(text: str) -> None:
    assert fired(mail(body=text)) == set() or "LURE_CREDENTIALS" not in fired(mail(body=text))


def test_ssn_rules() -> None:
    assert ssn_ok("123", "45", "6789")
    assert not ssn_ok("666", "45", "6789") and not ssn_ok("901", "45", "6789")
    assert not ssn_ok("123", "00", "6789") and not ssn_ok("123", "45", "0000")


def test_sms_and_agent_turns_count_customer_turns_do_not() -> None:
    assert "LURE_OTP" in fired(sms("Send me the code we texted you"))
    assert "LURE_OTP" in fired(chat((Role.AGENT, "Please read out the one-time code")))
    assert fired(chat((Role.CUSTOMER, "Should I send you the one-time code?"))) == set()


def test_long_text_stays_fast() -> None:
    import time

    text = ("password " * 5000) + ("word " * 20000)
    started = time.thread_time()  # CPU time: a backtracking pattern would take minutes
    fired(mail(body=text))
    assert time.thread_time() - started < 0.5


# The number patterns as first written (look-behind and \b first): the shipped ones open
# with a digit so the regex engine can skip to digits, and must find exactly the same spans.
_CARD_AS_WRITTEN = re.compile(r"(?<![\d-])\d[\d -]{11,24}\d(?![\d-])")
_SSN_AS_WRITTEN = re.compile(r"\b(\d{3})-(\d{2})-(\d{4})\b")


@settings(max_examples=500)
@given(
    st.lists(
        st.sampled_from(
            [
                "123-45-6789",
                "4111 1111 1111 1111",
                "123",
                "45",
                "6789",
                "1",
                "-",
                " ",
                "a",
                "é",
                "_",
                ".",
            ]
        )
    )
)
def test_number_patterns_match_as_first_written(pieces: list[str]) -> None:
    text = "".join(pieces)

    def spans(p: re.Pattern[str]) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
        return [(m.span(), m.groups()) for m in p.finditer(text)]

    assert spans(lures._CARD) == spans(_CARD_AS_WRITTEN)
    assert spans(lures._SSN) == spans(_SSN_AS_WRITTEN)


@pytest.mark.parametrize(
    "text",
    [
        "Nunca le pediremos su PIN, contraseña ni códigos por correo.",
        "Nunca pedimos senha, código ou foto de documento por e-mail.",
        "Nous ne vous demanderons jamais votre mot de passe.",
        "Wir fragen niemals nach Ihrem Passwort.",
    ],
)
def test_warnings_against_the_lure_in_other_languages_are_not_lures(text: str) -> None:
    assert "LURE_CREDENTIALS" not in fired(mail(body=text))


@pytest.mark.parametrize(
    "text",
    [
        "Confirme su contraseña hoy o su cuenta será bloqueada.",
        "Bitte bestätigen Sie Ihr Passwort hier.",
    ],
)
def test_the_lure_itself_in_other_languages_still_fires(text: str) -> None:
    assert "LURE_CREDENTIALS" in fired(mail(body=text))
