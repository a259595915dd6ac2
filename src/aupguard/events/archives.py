"""Archives opened lazily and within limits: zip, gzip, bzip2, xz, tar, 7z and HTML data: URIs.

Nothing here trusts a size an archive declares: declared sizes and ratios are checked
before anything is inflated, and every decompression is capped as it runs, so a zip
bomb or a deeply nested archive costs milliseconds and bounded memory. Hitting a limit
is an `ArchiveIssue` (detectors turn it into a signal), never an exception.
"""

from __future__ import annotations

import base64
import bz2
import io
import lzma
import posixpath
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from aupguard.events.limits import Limits
from aupguard.events.sniff import sniff_type
from aupguard.events.views import Attachment

IssueKind = Literal["bomb", "too_deep", "too_many", "encrypted", "unreadable", "unsupported"]

ARCHIVE_TYPES = frozenset(
    {
        "application/zip",
        "application/gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-tar",
        "application/x-7z-compressed",
    }
)
# Containers we recognise but cannot open here (RAR needs non-free code, CAB/ARJ no library).
OPAQUE_TYPES = frozenset(
    {
        "application/vnd.rar",
        "application/vnd.ms-cab-compressed",
        "application/x-arj",
        "application/x-ms-compress-szdd",
        "application/mac-binhex40",
        "application/x-cpio",
    }
)
_CHUNK = 64 * 1024
# data: URIs in HTML: the way HTML smuggling carries a file inside the page itself.
_DATA_URI = re.compile(r"data:([\w.+-]{1,60}/[\w.+-]{1,80})[^,\"'\s]{0,120};base64,")
_B64_RUN = re.compile(r"[A-Za-z0-9+/=\s]{1,67108864}")


@dataclass(frozen=True, slots=True)
class ArchiveIssue:
    """A limit hit or an archive that could not be (fully) read."""

    kind: IssueKind
    part: str
    detail: str


@dataclass(frozen=True, slots=True)
class Expansion:
    """Every file of an event: the attachments, then their members, depth first."""

    files: tuple[Attachment, ...]
    issues: tuple[ArchiveIssue, ...]


class _Stop(Exception):
    """Raised inside a reader when a limit is hit; carries the issue."""

    def __init__(self, kind: IssueKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.members = limits.archive_members
        self.bytes = limits.archive_total_bytes

    def cap(self) -> int:
        """Most bytes the next member may inflate to."""
        return min(self.limits.archive_member_bytes, self.bytes)

    def check_declared(self, name: str, size: int, packed: int) -> None:
        lim = self.limits
        if size > lim.archive_ratio_floor and size > lim.archive_ratio * max(packed, 1):
            raise _Stop(
                "bomb", f"{name}: {size} bytes from {packed} (ratio over {lim.archive_ratio:g})"
            )
        if size > self.cap():
            raise _Stop("bomb", f"{name}: declares {size} bytes, over the {self.cap()}-byte budget")

    def check_inflated(self, name: str, size: int, packed: int) -> None:
        lim = self.limits
        if size > self.cap():
            raise _Stop("bomb", f"{name}: inflates past {self.cap()} bytes")
        if size > lim.archive_ratio_floor and size > lim.archive_ratio * max(packed, 1):
            raise _Stop("bomb", f"{name}: inflates past ratio {lim.archive_ratio:g}")

    def take(self, size: int) -> None:
        self.members -= 1
        self.bytes -= size


def expand(attachments: Sequence[Attachment], limits: Limits) -> Expansion:
    """Open every archive among `attachments`, recursively, within `limits`."""
    files: list[Attachment] = []
    issues: list[ArchiveIssue] = []
    budget = _Budget(limits)
    for att in attachments:
        _visit(att, 0, files, issues, budget)
    return Expansion(tuple(files), tuple(issues))


_HTML_NAMES = (".htm", ".html", ".xhtml", ".shtml", ".svg", ".mht", ".mhtml")


def is_html(att: Attachment) -> bool:
    """HTML by content, or by name (a page may start with any tag, e.g. a bare <a>)."""
    if att.sniffed_type in ("text/html", "image/svg+xml"):
        return True
    return att.sniffed_type == "text/plain" and att.name.lower().endswith(_HTML_NAMES)


def _visit(
    att: Attachment,
    depth: int,
    files: list[Attachment],
    issues: list[ArchiveIssue],
    budget: _Budget,
) -> None:
    files.append(att)
    if att.sniffed_type not in ARCHIVE_TYPES and not is_html(att):
        return
    if att.sniffed_type in ARCHIVE_TYPES and depth >= budget.limits.archive_depth:
        detail = f"archive nested deeper than {budget.limits.archive_depth} levels"
        issues.append(ArchiveIssue("too_deep", att.part, detail))
        return
    reader = _READERS.get(att.sniffed_type, _html_data_uris)
    try:
        for name, data, packed in reader(att, budget):
            if budget.members <= 0:
                detail = f"more than {budget.limits.archive_members} files"
                raise _Stop("too_many", detail)
            budget.take(len(data))
            member = Attachment(
                name=name,
                declared_type="",
                sniffed_type=sniff_type(data) if data else "application/x-empty",
                data=data,
                part=f"{att.part}!{name}",
                depth=depth + 1,
                encrypted=packed < 0,
            )
            _visit(member, depth + 1, files, issues, budget)
    except _Stop as stop:
        issues.append(ArchiveIssue(stop.kind, att.part, stop.detail))
    except NotImplementedError as exc:  # e.g. a zip method Python has no codec for
        issues.append(ArchiveIssue("unsupported", att.part, str(exc)[:200]))
    except (
        OSError,
        EOFError,
        ValueError,
        KeyError,
        RuntimeError,
        zlib.error,
        lzma.LZMAError,
    ) as exc:
        issues.append(ArchiveIssue("unreadable", att.part, f"{type(exc).__name__}: {exc}"[:200]))
    except Exception as exc:  # third-party parsers raise their own types (py7zr)
        issues.append(ArchiveIssue("unreadable", att.part, f"{type(exc).__name__}: {exc}"[:200]))


Member = tuple[str, bytes, int]  # name, data, packed size (-1: encrypted, data empty)


def _zip(att: Attachment, budget: _Budget) -> Iterator[Member]:
    zf = zipfile.ZipFile(io.BytesIO(att.data))
    for info in zf.infolist():
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            yield info.filename, b"", -1
            continue
        budget.check_declared(info.filename, info.file_size, info.compress_size)
        yield info.filename, _read_capped(zf, info, budget), info.compress_size


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            out += chunk
            budget.check_inflated(info.filename, len(out), info.compress_size)
    return bytes(out)


class _Inflater(Protocol):
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


def _stream(
    att: Attachment, budget: _Budget, inflate: _Inflater, suffixes: tuple[str, ...]
) -> Iterator[Member]:
    cap = budget.cap()
    data = inflate.decompress(att.data, cap + 1)
    name = _strip_suffix(att.name or "data", suffixes)
    budget.check_inflated(name, len(data), len(att.data))
    yield name, data, len(att.data)


def _gzip(att: Attachment, budget: _Budget) -> Iterator[Member]:
    return _stream(att, budget, zlib.decompressobj(47), (".gz", ".tgz", ".gzip"))


def _bzip2(att: Attachment, budget: _Budget) -> Iterator[Member]:
    return _stream(att, budget, bz2.BZ2Decompressor(), (".bz2", ".tbz", ".tbz2"))


def _xz(att: Attachment, budget: _Budget) -> Iterator[Member]:
    return _stream(att, budget, lzma.LZMADecompressor(), (".xz", ".txz"))


def _strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    base = posixpath.basename(name.replace("\\", "/"))
    lower = base.lower()
    for suffix in suffixes:
        if lower.endswith(suffix):
            stem = base[: -len(suffix)]
            return stem + ".tar" if suffix.startswith(".t") and suffix != ".tar" else stem
    return base


def _tar(att: Attachment, budget: _Budget) -> Iterator[Member]:
    with tarfile.open(fileobj=io.BytesIO(att.data), mode="r:") as tf:
        for member in tf:
            if not member.isfile():
                continue
            budget.check_declared(member.name, member.size, member.size)
            fh = tf.extractfile(member)
            yield member.name, fh.read(budget.cap() + 1) if fh else b"", member.size


def _sevenzip(att: Attachment, budget: _Budget) -> Iterator[Member]:
    import py7zr
    from py7zr.io import BytesIOFactory

    with py7zr.SevenZipFile(io.BytesIO(att.data)) as sz:
        infos = [i for i in sz.list() if not i.is_directory]
        if sz.needs_password():
            for info in infos:
                yield info.filename, b"", -1
            return
        declared = sum(i.uncompressed for i in infos)
        budget.check_declared(att.part, declared, len(att.data))
        factory = BytesIOFactory(budget.cap() + 1)
        sz.extractall(factory=factory)
        for info in infos:
            product = factory.products.get(info.filename)
            if product is None:
                continue
            product.seek(0)
            yield info.filename, product.read(), info.compressed or len(att.data)


def _html_data_uris(att: Attachment, budget: _Budget) -> Iterator[Member]:
    """Files carried inside an HTML page as base64 data: URIs (images left out)."""
    text = att.data[: budget.limits.max_text_chars].decode("latin-1")
    for n, m in enumerate(_DATA_URI.finditer(text), 1):
        kind = m.group(1).lower()
        if kind.startswith(("image/", "font/")):
            continue
        run = _B64_RUN.match(text, m.end())
        if not run:
            continue
        b64 = "".join(run.group(0).split())
        if len(b64) * 3 // 4 > budget.cap():
            raise _Stop("bomb", f"data: URI {n} is over {budget.cap()} bytes")
        try:
            data = base64.b64decode(b64 + "=" * (-len(b64) % 4))
        except ValueError:
            continue
        yield f"data-uri-{n}", data, len(b64)


_READERS = {
    "application/zip": _zip,
    "application/gzip": _gzip,
    "application/x-bzip2": _bzip2,
    "application/x-xz": _xz,
    "application/x-tar": _tar,
    "application/x-7z-compressed": _sevenzip,
}
