"""Archives: opened recursively within limits; bombs and deep nesting are signals, fast."""

from __future__ import annotations

import io
import tarfile
import time
import tracemalloc
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.aup.load import load_document
from aupguard.engine import Engine
from aupguard.events.archives import ARCHIVE_TYPES, expand
from aupguard.events.limits import Limits
from aupguard.events.model import Channel, Event, FileContent
from aupguard.events.sniff import sniff_type
from aupguard.events.views import Attachment
from aupguard.rules.load import load_ruleset
from tests.detectors.malware_samples import EICAR_TEXT
from tests.detectors.samples import mail
from tests.events.bombs import nested_zip, zip_bomb


def _engine() -> Engine:
    document = load_document(None)
    return Engine(load_ruleset(None, document), document)


def _file(name: str, data: bytes) -> Event:
    return Event(id=name, channel=Channel.FILE, content=FileContent(name, data))


def _judge(event: Event) -> tuple[set[str], float, int]:
    engine = _engine()
    tracemalloc.start()
    # CPU time of this thread: the work the judgement costs, whatever else the machine runs.
    started = time.thread_time()
    verdict = engine.evaluate(event, dry_run=True).verdict
    elapsed = time.thread_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {s.name for s in verdict.signals}, elapsed, peak


def test_42_level_nested_zip_is_judged_fast_and_bounded() -> None:
    bomb = nested_zip(42, EICAR_TEXT)
    fired, elapsed, peak = _judge(mail(attachment=("nested.zip", bomb)))
    assert "ARCHIVE_TOO_DEEP" in fired
    assert elapsed < 1.0
    assert peak < 64 * 1024 * 1024


def test_10_gb_zip_is_judged_fast_and_bounded() -> None:
    bomb = zip_bomb(10)
    info = zipfile.ZipFile(io.BytesIO(bomb)).infolist()[0]
    assert info.file_size == 10 * 1024**3  # it really expands to 10 GiB
    fired, elapsed, peak = _judge(_file("bomb.zip", bomb))
    assert "ARCHIVE_BOMB" in fired
    assert elapsed < 1.0
    assert peak < 64 * 1024 * 1024


def test_a_zip_that_lies_about_its_sizes_is_cut_while_inflating() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.bin", bytes(3 * 1024 * 1024))
    limits = Limits(archive_member_bytes=1024 * 1024)
    att = Attachment("a.zip", "", "application/zip", buf.getvalue(), "1")
    issues = expand([att], limits).issues
    assert [i.kind for i in issues] == ["bomb"]


def test_eicar_is_found_inside_nested_archives() -> None:
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tf:
        info = tarfile.TarInfo("docs/eicar.com")
        info.size = len(EICAR_TEXT)
        tf.addfile(info, io.BytesIO(EICAR_TEXT))
    outer = nested_zip(2, inner.getvalue(), name="bundle.tar.gz")
    fired, _, _ = _judge(mail(attachment=("bundle.zip", outer)))
    assert "EICAR" in fired


def test_encrypted_zip_shows_member_names() -> None:
    att = Attachment("x.zip", "", "application/zip", _encrypted_zip("invoice.pdf.exe"), "1")
    expansion = expand([att], Limits())
    member = expansion.files[1]
    assert member.encrypted and member.name == "invoice.pdf.exe"


def _encrypted_zip(name: str) -> bytes:
    """A zip whose only entry has the encryption flag set (contents never read)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(name, b"not really encrypted")
    raw = bytearray(buf.getvalue())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = raw.find(sig)
        raw[pos + flag_at] |= 0x01
    return bytes(raw)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(ARCHIVE_TYPES)), data=st.binary(max_size=2048))
def test_expand_never_raises_on_garbage(kind: str, data: bytes) -> None:
    att = Attachment("x", "", kind, data, "1")
    expansion = expand([att], Limits())
    assert expansion.files[0] is att


@settings(max_examples=30, deadline=None)
@given(payload=st.binary(max_size=4096), levels=st.integers(min_value=1, max_value=9))
def test_nested_zips_round_trip_within_depth(payload: bytes, levels: int) -> None:
    payload = b"\x00" + payload  # never itself an archive
    data = nested_zip(levels, payload, name="p.bin")
    att = Attachment("n.zip", "", sniff_type(data), data, "1")
    expansion = expand([att], Limits())
    too_deep = [i for i in expansion.issues if i.kind == "too_deep"]
    assert bool(too_deep) == (levels > Limits().archive_depth)
    if not too_deep:
        assert expansion.files[-1].data == payload
