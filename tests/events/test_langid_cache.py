"""py3langid's model from the cache folder judges exactly as py3langid's own file does."""

from __future__ import annotations

from pathlib import Path

import py3langid.langid as langid
import pytest

from aupguard.events import langid_cache

TEXTS = [
    "Dziękujemy za zamówienie, paczka zostanie wysłana jutro rano do paczkomatu.",
    "Ihre Bestellung wurde versandt und kommt morgen an.",
    "Su cita es mañana a las diez, responda STOP para cancelar.",
    "Votre rendez-vous est confirmé pour lundi à 10 heures.",
    "La consegna è prevista per domani mattina.",
    "Sua encomenda foi enviada hoje.",
    "Your table is ready. Reply STOP to opt out.",
    "Спасибо за заказ, доставка завтра.",
    "ご注文ありがとうございます。明日発送します。",
    "x",
    "",
]


@pytest.fixture
def fresh_identifier(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("AUPGUARD_CACHE", raising=False)
    monkeypatch.setattr(langid, "IDENTIFIER", None)
    return tmp_path


def test_cached_model_ranks_like_the_packed_one(fresh_identifier: Path) -> None:
    stock = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    assert langid_cache.install()  # unpacks into the cache folder
    assert list((fresh_identifier / "aupguard").glob("py3langid-*/complete"))
    langid.IDENTIFIER = None
    assert langid_cache.install()  # now read from it
    cached = langid.IDENTIFIER
    assert cached is not None
    for text in TEXTS:
        assert cached.rank(text) == stock.rank(text), text
        assert cached.classify(text) == stock.classify(text), text


def test_turned_off_or_unwritable_changes_nothing(
    fresh_identifier: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUPGUARD_CACHE", "off")
    assert not langid_cache.install()
    assert langid.IDENTIFIER is None
    monkeypatch.delenv("AUPGUARD_CACHE")
    blocker = fresh_identifier / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert not langid_cache.install()
    assert langid.IDENTIFIER is None
    assert langid.classify("Su cita es mañana a las diez")[0] == "es"  # its own loader
