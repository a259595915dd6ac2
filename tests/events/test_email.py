"""The e-mail normalizer: MIME structure, encodings, HTML, URLs, attachments, limits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.events.email import EmailView
from aupguard.events.limits import Limits
from aupguard.events.model import Role
from aupguard.events.sources import email_event
from tests.conftest import FIXTURES


def view_of(raw: bytes, limits: Limits | None = None) -> EmailView:
    return EmailView(email_event(raw, "test"), limits)


def fixture(name: str) -> EmailView:
    return view_of((FIXTURES / "mail" / name).read_bytes())


def test_plain_message_text_urls_and_headers() -> None:
    v = fixture("plain.eml")
    assert v.subject == "Your appointment"
    assert v.from_address == ("Acme Dental", "support@acme-dental.example")
    assert v.message_id == "<plain-1@acme-dental.example>"
    assert [tp.role for tp in v.text_parts] == [Role.SUBJECT, Role.BODY]
    assert [u.url for u in v.urls] == [
        "https://acme-dental.example/booking?id=42",
        "http://www.acme-dental.example",
    ]
    assert v.attachments == ()
    assert v.language == "en"


def test_nested_multipart_decodes_every_part() -> None:
    v = fixture("nested.eml")
    texts = {tp.part: tp for tp in v.text_parts}
    assert "Café voucher inside." in texts["1.1.1"].text  # quoted-printable, ISO-8859-1
    assert texts["1.1.2"].role is Role.HTML
    assert "color:red" not in texts["1.1.2"].text and "var x" not in texts["1.1.2"].text
    assert "The forwarded body text." in texts["1.2.1"].text  # inside message/rfc822
    link = next(u for u in v.urls if u.anchor_text)
    assert link.url == "http://evil.example/login"
    assert link.anchor_text == "https://globex-travel.example/trip"
    assert "http://globex-travel.example/trip/123" in [u.url for u in v.urls]  # soft break joined
    (att,) = v.attachments
    assert att.name == "itinerary.txt" and att.sniffed_type == "application/pdf"
    assert att.declared_type == "application/octet-stream"


def test_encoded_words_and_windows_charset() -> None:
    v = fixture("encoded-subject.eml")
    assert v.subject == "Échéance de votre facture"
    assert v.from_address[0] == "Zürich Café"
    body = next(tp.text for tp in v.text_parts if tp.role is Role.BODY)
    assert "€ 19,99" in body and "à bientôt" in body
    assert v.language == "fr"


def test_truncated_multipart_is_reported_not_raised() -> None:
    v = fixture("truncated.eml")
    assert v.is_truncated
    assert "Your invoice is attached." in v.tenant_text


def test_mime_depth_limit_is_a_hit_not_a_crash() -> None:
    depth = 30
    head = b"From: a@b.example\nSubject: deep\nMIME-Version: 1.0\n"
    body = b""
    for i in range(depth):
        body += b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i)
    body += b"Content-Type: text/plain\n\nbottom\n"
    for i in reversed(range(depth)):
        body += b"--b%d--\n" % i
    v = view_of(head + body, Limits(max_mime_depth=10))
    _ = v.text_parts
    assert any(h.limit == "mime_depth" for h in v.limit_hits)


def test_part_and_header_and_size_limits() -> None:
    parts = b"".join(b"--b\nContent-Type: text/plain\n\npart %d\n" % i for i in range(50))
    raw = b'From: a@b.example\nContent-Type: multipart/mixed; boundary="b"\n\n' + parts + b"--b--\n"
    v = view_of(raw, Limits(max_parts=10))
    _ = v.text_parts
    assert any(h.limit == "parts" for h in v.limit_hits)
    many = b"".join(b"X-H%d: v\n" % i for i in range(40)) + b"\nbody\n"
    v = view_of(many, Limits(max_headers=20))
    assert len(v.headers) == 20 and any(h.limit == "headers" for h in v.limit_hits)
    v = view_of(b"Subject: big\n\n" + b"a" * 5000, Limits(max_bytes=1000))
    _ = v.text_parts
    assert any(h.limit == "size" for h in v.limit_hits)


def _touch_everything(v: EmailView) -> None:
    _ = (
        v.headers,
        v.subject,
        v.from_address,
        v.message_id,
        v.text_parts,
        v.urls,
        v.attachments,
        v.language,
        v.is_truncated,
        v.html_documents,
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_normalizer_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    _touch_everything(view_of(raw))


_MIME_PIECES = st.sampled_from(
    [
        b"From: a@b.example\n",
        b"Subject: =?utf-8?b?w4k=?=\n",
        b"Subject: =?bogus?q?x?=\n",
        b'Content-Type: multipart/mixed; boundary="b"\n',
        b"Content-Type: text/html; charset=x-unknown\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.exe\n",
        b"\n",
        b"--b\n",
        b"--b--\n",
        b"<a href='http://x.example'>y</a>",
        b"=C3=A9=\n",
        b"QUJD\n",
        b"\xff\xfe\x00",
        b"Content-Type: message/rfc822\n",
        b"www.example.com ",
        b"http://[::1]:99999/\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_MIME_PIECES, max_size=40))
def test_normalizer_never_raises_on_mime_shaped_bytes(pieces: list[bytes]) -> None:
    _touch_everything(view_of(b"".join(pieces)))
