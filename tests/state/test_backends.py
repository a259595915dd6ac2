"""One set of semantic tests, run against the in-memory and the Redis backend alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aupguard.signals import Observation
from aupguard.state.memory import MemoryState
from aupguard.state.redis import RedisState

T0 = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
State = MemoryState | RedisState


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_count_window_sums_recent_minutes_only(backend: State) -> None:
    for i in range(10):  # one per minute, 3 each
        backend.apply(f"e{i}", [Observation("count", "vol:t1", amount=3, ttl_s=3600)], at(60 * i))
    assert backend.count("vol:t1", 3600, at(9 * 60)) == 30
    assert backend.count("vol:t1", 300, at(9 * 60)) == 15  # the last five minutes
    assert backend.count("vol:t1", 60, at(9 * 60)) == 3
    assert backend.count("vol:other", 3600, at(9 * 60)) == 0


def test_count_forgets_buckets_older_than_ttl(backend: State) -> None:
    backend.apply("a", [Observation("count", "k", ttl_s=120)], at(0))
    backend.apply("b", [Observation("count", "k", ttl_s=120)], at(60))
    backend.apply("c", [Observation("count", "k", ttl_s=120)], at(600))
    backend.apply("d", [Observation("count", "k", ttl_s=120)], at(660))
    assert backend.count("k", 10_000, at(660)) == 2  # the first two buckets were pruned


def test_distinct_members_expire_per_member(backend: State) -> None:
    backend.apply("a", [Observation("distinct", "rcpt", "r1", ttl_s=100)], at(0))
    backend.apply("b", [Observation("distinct", "rcpt", "r2", ttl_s=100)], at(50))
    backend.apply("c", [Observation("distinct", "rcpt", "r1", ttl_s=100)], at(60))  # seen again
    assert backend.distinct("rcpt", at(60)) == 2
    assert backend.distinct("rcpt", at(155)) == 1  # r2 forgotten at 150, r1 lives to 160
    assert backend.distinct("rcpt", at(161)) == 0
    assert backend.distinct("nothing", at(0)) == 0


def test_distinct_is_bounded_keeping_the_most_recent(backend: State) -> None:
    for i in range(8):  # max_members is 5 in the fixture
        backend.apply(f"e{i}", [Observation("distinct", "many", f"m{i}", ttl_s=3600)], at(i))
    assert backend.distinct("many", at(10)) == 5
    backend.apply("again", [Observation("distinct", "many", "m7", ttl_s=3600)], at(11))
    assert backend.distinct("many", at(11)) == 5


def test_marks_are_durable_until_unmarked(backend: State) -> None:
    backend.apply("stop", [Observation("mark", "consent:num:+1555:+1666", "STOP at t")], at(0))
    assert backend.marked("consent:num:+1555:+1666") == "STOP at t"
    assert backend.marked("consent:num:+1555:+1777") is None
    # marks have no TTL: a year later they are still there
    backend.apply("later", [Observation("count", "x", ttl_s=60)], at(365 * 86_400))
    assert backend.marked("consent:num:+1555:+1666") == "STOP at t"
    backend.apply("start", [Observation("unmark", "consent:num:+1555:+1666")], at(400 * 86_400))
    assert backend.marked("consent:num:+1555:+1666") is None


def test_apply_is_idempotent_per_event_id(backend: State) -> None:
    obs = [
        Observation("count", "vol", amount=2, ttl_s=3600),
        Observation("distinct", "set", "a", ttl_s=3600),
    ]
    assert backend.apply("same-id", obs, at(0)) is True
    assert backend.apply("same-id", obs, at(1)) is False  # a redelivery changes nothing
    assert backend.count("vol", 3600, at(1)) == 2
    assert backend.apply("other-id", obs, at(2)) is True
    assert backend.count("vol", 3600, at(2)) == 4
    assert backend.distinct("set", at(2)) == 1


def test_apply_many_keeps_apply_once(backend: State) -> None:
    obs = [Observation("count", "vol", ttl_s=3600)]
    done = backend.apply_many([("a", obs, at(0)), ("b", obs, at(1)), ("a", obs, at(2))])
    assert done == [True, True, False]
    assert backend.count("vol", 3600, at(2)) == 2


def test_empty_observations_still_mark_the_event_applied(backend: State) -> None:
    assert backend.apply("quiet", [], at(0)) is True
    assert backend.apply("quiet", [], at(0)) is False


def test_memory_forgets_expired_keys_and_keeps_a_key_bound() -> None:
    state = MemoryState(max_keys=50)
    for i in range(200):  # each event a new key living 60 s
        state.apply(f"e{i}", [Observation("distinct", f"band:{i}", "r", ttl_s=60)], at(i * 10))
    assert state.keys <= 7  # only keys written in the last minute survive
    bounded = MemoryState(max_keys=50)
    for i in range(200):
        bounded.apply(f"e{i}", [Observation("count", f"k{i}", ttl_s=86_400)], at(i))
    assert bounded.keys == 50
    assert bounded.count("k199", 3600, at(200)) == 1
    assert bounded.count("k0", 3600, at(200)) == 0  # the least recently written went first
