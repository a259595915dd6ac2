"""Near-duplicate fingerprints: deterministic, tolerant to personalisation, bounded on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.detectors.fingerprint import BANDS, band_keys, similarity

TEMPLATE = (
    "Hi {name}, your appointment with {doctor} at the Riverside clinic is on {day} at {time}. "
    "Please bring your insurance card and arrive ten minutes early. Reply C to cancel or call "
    "us to reschedule. See details at https://clinic.example/a/{token}"
)


def filled(name: str, doctor: str, day: str, time: str, token: str) -> str:
    return TEMPLATE.format(name=name, doctor=doctor, day=day, time=time, token=token)


@given(st.text(max_size=3000))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_bands_or_nothing(text: str) -> None:
    keys = band_keys(text)
    assert keys == () or (len(keys) == BANDS and all(len(k) == 16 for k in keys))
    assert band_keys(text) == keys  # deterministic (workers must agree)


@given(
    st.text(alphabet=st.characters(categories=("Lu", "Ll")), min_size=2, max_size=14),
    st.sampled_from(["Dr Patel", "Dr Okafor", "Dr Moreau"]),
    st.integers(1, 28),
    st.text(alphabet="abcdef0123456789", min_size=6, max_size=12),
)
@settings(max_examples=100, deadline=None)
def test_personalised_copies_stay_similar(name: str, doctor: str, day: int, token: str) -> None:
    a = filled("Ana", "Dr Silva", "3 May", "10:30", "x1y2z3")
    b = filled(name, doctor, f"{day} May", "14:00", token)
    assert similarity(a, b) >= 0.5
    assert set(band_keys(a)) & set(band_keys(b)) or similarity(a, b) < 0.7


def test_unrelated_texts_share_no_band() -> None:
    a = filled("Ana", "Dr Silva", "3 May", "10:30", "x1y2z3")
    b = "Your parcel left our warehouse and will be delivered by Thursday; track it online."
    assert not set(band_keys(a)) & set(band_keys(b))
    assert similarity(a, b) < 0.2


def test_undecodable_bytes_kept_as_surrogates_are_fingerprinted() -> None:
    text = b"Caf\xe9 offer for you, today only, at the usual place and time".decode(
        "utf-8", "surrogateescape"
    )
    assert len(band_keys(text)) == BANDS


def test_short_texts_are_not_fingerprinted() -> None:
    assert band_keys("ok thanks") == ()
