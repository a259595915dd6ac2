"""The judge: weights combine, thresholds pick the action, modes, exceptions, errors."""

from __future__ import annotations

import pytest

from aupguard.rules.judge import DetectorFailure, combine, judge
from aupguard.rules.model import Action, Ruleset
from aupguard.signals import Evidence, Signal


def ruleset(**over: object) -> Ruleset:
    data: dict[str, object] = {
        "version": "t1",
        "document": "1.0",
        "clauses": {
            "malware": {"signals": {"EICAR": 1.0, "ODD_ZIP": 0.5}},
            "origin-forgery": {"signals": {"FROM_NOT_OWNED": 0.7, "VERIFIED_ALIAS": -0.2}},
            "message-abuse": {"mode": "shadow", "signals": {"GTUBE": 1.0}},
        },
        "exceptions": [
            {
                "clause": "origin-forgery",
                "when_any": ["DISCLOSED_REMAILER"],
                "suppress": ["FROM_NOT_OWNED"],
                "reason": "remailers are allowed",
            }
        ],
        "ladders": {"default": {"steps": [{"strikes": 1, "action": "warn"}]}},
    }
    data.update(over)
    return Ruleset.model_validate(data)


def sig(name: str, strength: float = 1.0, deterministic: bool = False) -> Signal:
    return Signal(name, strength, deterministic, (Evidence("1"),), "test", "1")


def test_combine_is_noisy_or_and_bounded() -> None:
    assert combine([]) == 0
    assert combine([0.5, 0.5]) == pytest.approx(0.75)
    assert combine([1.0, 0.3]) == 1.0
    assert combine([0.8, -0.5]) == pytest.approx(0.4)
    assert 0 <= combine([2.0, -3.0]) <= 1


def test_deterministic_signal_blocks_and_cites_clause() -> None:
    v = judge("e1", [sig("EICAR", deterministic=True)], ruleset(), "1.0")
    assert v.action is Action.BLOCK and [c.clause for c in v.violated] == ["malware"]
    assert v.deterministic and v.scores["malware"] == 1.0
    assert v.ruleset_hash == ruleset().content_hash and v.document_version == "1.0"
    assert set(v.scores) == {"malware", "origin-forgery", "message-abuse"}


def test_thresholds_pick_the_action() -> None:
    assert judge("e", [sig("ODD_ZIP", 0.7)], ruleset(), "1").action is Action.FLAG  # 0.35
    assert judge("e", [sig("FROM_NOT_OWNED")], ruleset(), "1").action is Action.HOLD  # 0.7


def test_shadow_clause_records_but_does_not_act() -> None:
    v = judge("e", [sig("GTUBE", deterministic=True)], ruleset(), "1")
    assert v.action is Action.ALLOW and v.shadow_action is Action.BLOCK and not v.violated


def test_shadow_signal_is_not_counted() -> None:
    from dataclasses import replace

    v = judge("e", [replace(sig("EICAR"), shadow=True)], ruleset(), "1")
    assert v.action is Action.ALLOW and v.signals[0].shadow


def test_exception_suppresses_named_signals_both_ways() -> None:
    flagged = judge("e", [sig("FROM_NOT_OWNED")], ruleset(), "1")
    excused = judge("e", [sig("FROM_NOT_OWNED"), sig("DISCLOSED_REMAILER")], ruleset(), "1")
    assert flagged.action is Action.HOLD
    assert excused.action is Action.ALLOW
    clause = next(c for c in excused.clauses if c.clause == "origin-forgery")
    assert clause.suppressed == ("FROM_NOT_OWNED",) and "remailers" in clause.exception_reason


def test_negative_weight_damps() -> None:
    v = judge("e", [sig("FROM_NOT_OWNED"), sig("VERIFIED_ALIAS")], ruleset(), "1")
    assert v.scores["origin-forgery"] == pytest.approx(0.56)


def test_detector_error_applies_on_error_of_fed_clauses() -> None:
    failure = DetectorFailure("zipper", frozenset({"ODD_ZIP"}), "boom")
    v = judge("e", [], ruleset(), "1", [failure])
    assert v.action is Action.HOLD
    assert any("DETECTOR_ERROR in zipper: boom" in line for line in v.explanation)
    rs = ruleset(defaults={"on_detector_error": "allow"})
    assert judge("e", [], rs, "1", [failure]).action is Action.ALLOW


def test_quiet_verdict_is_cached_but_carries_the_event_id() -> None:
    a, b = judge("a", [], ruleset(), "1"), judge("b", [], ruleset(), "1")
    assert (a.event_id, b.event_id) == ("a", "b") and a.clauses is b.clauses


def test_combo_counts_only_when_all_parts_fired() -> None:
    rs = ruleset(
        exceptions=[],
        clauses={
            "message-abuse": {
                "signals": {"BULK": 0.2, "NO_AUTH": 0.1},
                "combos": [
                    {"name": "BULK_WITHOUT_AUTH", "all_of": ["BULK", "NO_AUTH"], "weight": 0.7}
                ],
            }
        },
    )
    assert judge("e", [sig("BULK")], rs, "1").action is Action.ALLOW
    both = judge("e", [sig("BULK"), sig("NO_AUTH", 0.5)], rs, "1")
    assert both.action is Action.FLAG  # 1 - 0.8 * 0.95 * 0.65 = 0.506
    assert both.scores["message-abuse"] == pytest.approx(1 - 0.8 * 0.95 * 0.65, abs=1e-3)
    assert any("BULK_WITHOUT_AUTH" in line for line in both.explanation)
