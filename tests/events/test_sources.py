"""Reading inputs: files, directories, mbox, Maildir, BSMTP, JSON Lines, logs, bare files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aupguard.detectors.eicar import EICAR
from aupguard.errors import InputError
from aupguard.events.model import Channel, EmailContent, MessageContent, TranscriptContent
from aupguard.events.sources import expand_paths, read_file
from tests.conftest import FIXTURES

MAIL = (FIXTURES / "mail" / "plain.eml").read_bytes()


def items(path: Path) -> list[object]:
    return list(read_file(path))


def test_eml_is_one_email_event(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(MAIL)
    (event,) = items(tmp_path / "a.eml")
    assert not isinstance(event, InputError)
    assert event.channel is Channel.EMAIL and event.id.startswith("sha256:")  # type: ignore[attr-defined]


def test_mbox_splits_messages_and_unquotes_from(tmp_path: Path) -> None:
    body = MAIL.replace(b"Hi Sam", b">From the desk: Hi Sam")
    mbox = (
        b"From a@b Mon Nov  2 09:00:00 2026\n"
        + MAIL
        + b"\nFrom c@d Mon Nov  2 09:01:00 2026\n"
        + body
    )
    (tmp_path / "box").write_bytes(mbox)
    events = items(tmp_path / "box")
    assert len(events) == 2
    assert [e.source for e in events] == [f"{tmp_path}/box#0", f"{tmp_path}/box#1"]  # type: ignore[attr-defined]
    second = events[1].content  # type: ignore[attr-defined]
    assert isinstance(second, EmailContent) and b"\nFrom the desk" in second.raw


def test_maildir_reads_cur_and_new_not_tmp(tmp_path: Path) -> None:
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "md" / sub).mkdir(parents=True)
        (tmp_path / "md" / sub / f"{sub}.msg").write_bytes(MAIL)
    files = [p for p in expand_paths([tmp_path / "md"]) if isinstance(p, Path)]
    assert sorted(p.parent.name for p in files) == ["cur", "new"]


def test_bsmtp_keeps_the_envelope(tmp_path: Path) -> None:
    data = (
        b"HELO mx.example\r\nMAIL FROM:<bounce@acme.example>\r\nRCPT TO:<x@y.example>\r\nDATA\r\n"
    )
    data += MAIL.replace(b"\n", b"\r\n") + b"..dot line\r\n.\r\nQUIT\r\n"
    (tmp_path / "s.bsmtp").write_bytes(data)
    (event,) = items(tmp_path / "s.bsmtp")
    content = event.content  # type: ignore[attr-defined]
    assert content.mail_from == "bounce@acme.example" and content.helo == "mx.example"
    assert content.rcpt_to == ("x@y.example",) and b"\r\n.dot line" in content.raw


def test_jsonl_minimal_line_and_errors_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        json.dumps({"channel": "sms", "text": "hello"}),
        "{not json",
        json.dumps({"channel": "sms"}),
        json.dumps({"channel": "sms", "text": "x", "colour": "red"}),
        json.dumps({"channel": "chat", "turns": [{"role": "agent", "text": "hi"}]}),
    ]
    (tmp_path / "e.jsonl").write_text("\n".join(lines))
    got = items(tmp_path / "e.jsonl")
    assert isinstance(got[0].content, MessageContent)  # type: ignore[union-attr]
    assert isinstance(got[1], InputError) and got[1].source.endswith("e.jsonl:2")
    assert isinstance(got[2], InputError) and "text" in got[2].reason
    assert isinstance(got[3], InputError) and "colour" in got[3].reason
    assert isinstance(got[4].content, TranscriptContent)  # type: ignore[union-attr]


def test_every_json_channel(tmp_path: Path) -> None:
    events = [
        {"channel": "email", "raw": MAIL.decode(), "mail_from": "a@b.example"},
        {"channel": "voice", "turns": [{"role": "customer", "text": "hi"}]},
        {"channel": "call", "caller": "+15550100001", "callee": "+15550100002", "duration": 3},
        {"channel": "flow", "src": "10.0.0.1", "dst": "192.0.2.1", "dst_port": 22, "flags": "S"},
        {
            "channel": "http",
            "line": '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /.env HTTP/1.0" 404 0',
        },
        {"channel": "auth", "client": "1.2.3.4", "target": "ssh", "username": "root"},
    ]
    (tmp_path / "all.json").write_text(json.dumps(events))
    got = items(tmp_path / "all.json")
    assert not [g for g in got if isinstance(g, InputError)]
    assert [g.channel.value for g in got] == ["email", "voice", "call", "flow", "http", "auth"]  # type: ignore[union-attr]
    http = got[4].content  # type: ignore[union-attr]
    assert http.target == "/.env" and http.status == 404


def test_access_log_lines(tmp_path: Path) -> None:
    log = (
        '5.6.7.8 - - [10/Oct/2000:13:55:36 -0700] "GET /admin HTTP/1.1" 403 12 "-" "sqlmap/1.5"\n'
        "garbage line\n"
    )
    (tmp_path / "access.log").write_text(log)
    ok, bad = items(tmp_path / "access.log")
    assert ok.content.user_agent == "sqlmap/1.5"  # type: ignore[union-attr]
    assert isinstance(bad, InputError) and bad.source.endswith("access.log:2")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.eml", b"\n", "empty file"),
        ("garbage.eml", b"\x00\x01 no headers at all \xff", "not an RFC 5322 message"),
        ("noise.bin", bytes(range(256)) * 4, "unrecognised input"),
    ],
)
def test_unreadable_inputs_are_one_clear_error(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(data)
    (err,) = items(tmp_path / name)
    assert (
        isinstance(err, InputError) and reason in err.reason and err.source == str(tmp_path / name)
    )


def test_bare_files_become_file_events(tmp_path: Path) -> None:
    (tmp_path / "eicar.com").write_bytes(EICAR)
    (event,) = items(tmp_path / "eicar.com")
    assert event.channel is Channel.FILE  # type: ignore[union-attr]


def test_missing_path_is_an_error() -> None:
    (err,) = list(expand_paths([Path("/nonexistent/x.eml")]))
    assert isinstance(err, InputError) and "no such file" in err.reason


@pytest.mark.parametrize("bad", ["0", "\u0080abc", "abc"])
def test_bad_raw_base64_is_an_input_error(bad: str) -> None:
    """Found by schemathesis through /v1/decide/batch: it used to escape as a ValueError."""
    from aupguard.events.jsonevent import event_from_json

    with pytest.raises(InputError, match="raw_base64"):
        event_from_json({"channel": "email", "raw_base64": bad})
