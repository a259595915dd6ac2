"""Card numbers and one-time codes, typed or spoken, never reach storage or logs unmasked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from aupguard.aup.load import load_document
from aupguard.decide import Decider
from aupguard.engine import Engine
from aupguard.events.model import Channel, Event, MessageContent, Role, TranscriptContent, Turn
from aupguard.privacy import mask_pii
from aupguard.rules.load import load_ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store
from aupguard.store.models import CaseItem, VerdictRecord

SPOKEN_CARD = "four one one one one one one one one one one one one one one one"


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("card 4111 1111 1111 1111 exp 09/27", "4111 1111 1111 1111"),
        ("card 4111-1111-1111-1111", "4111-1111-1111-1111"),
        ("your code is 482913", "482913"),
        ("verification code: 482 913", "482 913"),
        ("the pin is 4 8 2 9", "4 8 2 9"),
        (f"it's {SPOKEN_CARD} and", SPOKEN_CARD),
        ("and the code is four eight two nine one three ok", "four eight two nine one three"),
        ("the pin is double four seven one", "double four seven one"),
        ("digits on the back are seven three one", "seven three one"),
        ("ssn 123-45-6789", "123-45-6789"),
    ],
)
def test_secrets_are_masked(text: str, gone: str) -> None:
    masked = mask_pii(text)
    assert gone not in masked, masked
    assert "[" in masked


@pytest.mark.parametrize(
    "text",
    ["i have four kids and one dog", "order 12345 ships on the 3rd", "room two one five"],
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert mask_pii(text) == text


@given(st.text(max_size=300))
def test_masking_never_fails_and_is_stable(text: str) -> None:
    once = mask_pii(text)
    assert mask_pii(once) == once


_PIECES = [
    "one", "Two", "THREE", "four", "five", "six", "seven", "eight", "nine", "zero", "oh", "o",
    "O", "double", "Triple", "12", "7", "2026", "12345", "code", "pin", "the", "is", "money",
    "often", "ohio", "one2", "5one", "K", "\u212a", "\u0663", "é",
]  # fmt: skip
_GAPS = ["", " ", "  ", ", ", "-", ".", "\n", "é", "_"]


@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_GAPS)), max_size=40))
def test_spoken_fast_path_skips_only_texts_without_a_run(parts: list[tuple[str, str]]) -> None:
    from aupguard.privacy import _spoken, _spoken_runs

    text = "".join(word + gap for word, gap in parts)
    assert _spoken(text) == _spoken_runs(text)


@pytest.mark.parametrize(
    "text",
    ["the code is three seven eight", "pin: seven eight zero three", "code is triple five"],
)
def test_spoken_codes_without_one_two_four_five_six_nine_are_masked(text: str) -> None:
    assert "[code]" in mask_pii(text)


def _transcript() -> Event:
    turns = (
        Turn(Role.AGENT, "for security please read me the full card number and the code we texted"),
        Turn(
            Role.CUSTOMER, f"okay it's {SPOKEN_CARD} and the code is four eight two nine one three"
        ),
        Turn(
            Role.AGENT,
            f"so that's {SPOKEN_CARD}, card 4111 1111 1111 1111, "
            "and the verification code 482913, thank you, and your pin please",
        ),
    )
    return Event("pci-1", Channel.VOICE, TranscriptContent(turns), tenant=None)


def test_nothing_stored_holds_a_card_or_code(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    ruleset = load_ruleset()
    decider = Decider(
        store,
        ruleset=ruleset,
        engine=Engine(ruleset, load_document()),
        settings=Settings(home=tmp_path / "home"),
    )
    sms = Event(
        "pci-2",
        Channel.SMS,
        MessageContent("Card 4111 1111 1111 1111 locked. Reply with your PIN and the code 482913"),
    )
    for event in (_transcript(), sms):
        decision = decider.decide(event)
        assert decision.verdict is not None and decision.verdict.signals
    with store.read() as s:
        rows = list(s.execute(select(VerdictRecord)).scalars())
        items = list(s.execute(select(CaseItem)).scalars())
    blob = json.dumps([[r.signals, r.explanation] for r in rows] + [i.body for i in items])
    assert len(rows) == 2
    for secret in ("4111 1111", "1111 1111 1111", "482913", "four one one one", "four eight two"):
        assert secret not in blob, secret
    # Digits inside hex digests (model hashes, fingerprints) are not cards or codes.
    no_digests = re.sub(r"\b(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", "", blob.replace("sha256", ""))
    assert not re.search(r"\d{6,}", no_digests)
    store.dispose()
