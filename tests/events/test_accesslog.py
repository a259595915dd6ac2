"""Common/Combined Log Format lines: escapes, whole-line quotes, request lines with spaces."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.errors import InputError
from aupguard.events.accesslog import parse_access_line

T = "[22/Dec/2016:16:30:52 +0300]"


def test_escaped_quotes_inside_the_request_are_kept() -> None:
    line = rf'10.0.0.1 - - {T} "GET /a?q=\"><script> HTTP/1.1" 404 10 "-" "Mozilla/5.0 \"x\""'
    req, when = parse_access_line(line)
    assert req.target == '/a?q="><script>' and req.status == 404
    assert req.user_agent == 'Mozilla/5.0 "x"' and when.hour == 16


def test_a_line_wrapped_in_quotes_is_read() -> None:
    req, _ = parse_access_line(f'"10.0.0.1 - - {T} "GET / HTTP/1.1" 200 5 "-" "curl/8""')
    assert (req.client, req.target, req.user_agent) == ("10.0.0.1", "/", "curl/8")


def test_spaces_in_the_target_stay_in_the_target() -> None:
    req, _ = parse_access_line(f'10.0.0.1 - - {T} "GET /a b c HTTP/1.0" 400 0')
    assert (req.method, req.target) == ("GET", "/a b c")


def test_not_clf_is_an_input_error() -> None:
    with pytest.raises(InputError, match="Common/Combined"):
        parse_access_line("hello world")


_field = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(_field, _field, st.integers(100, 599))
def test_escaped_fields_round_trip(path: str, agent: str, status: int) -> None:
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace('"', '\\"')

    target = "/" + path.replace(" ", "%20")
    line = f'192.0.2.1 - - {T} "POST {esc(target)} HTTP/1.1" {status} 1 "-" "{esc(agent)}"'
    req, _ = parse_access_line(line)
    assert (req.target, req.user_agent.strip(), req.status) == (target, agent.strip(), status)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_access_line(text)
