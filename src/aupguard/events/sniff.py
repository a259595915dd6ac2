"""File type from content, not from the name: a small table of magic numbers."""

from __future__ import annotations

# Packet captures (libpcap in both byte orders, micro- and nanosecond, and pcapng).
PCAP_MAGICS = (
    b"\xd4\xc3\xb2\xa1",
    b"\xa1\xb2\xc3\xd4",
    b"\x4d\x3c\xb2\xa1",  # nanosecond resolution
    b"\xa1\xb2\x3c\x4d",
    b"\x0a\x0d\x0d\x0a",  # pcapng section header
)

# (offset, magic, type) checked in order; first match wins.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"MZ", "application/x-dosexec"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (0, b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"PK\x05\x06", "application/zip"),
    (0, b"PK\x07\x08PK\x03\x04", "application/zip"),  # a one-segment spanned zip
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"{\\rt", "text/rtf"),
    (0, b"Rar!\x1a\x07", "application/vnd.rar"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"BZh", "application/x-bzip2"),
    (0, b"\xfd7zXZ\x00", "application/x-xz"),
    (257, b"ustar", "application/x-tar"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"RIFF", "application/x-riff"),
    (0, b"L\x00\x00\x00\x01\x14\x02\x00", "application/x-ms-shortcut"),
    (0x8001, b"CD001", "application/x-iso9660-image"),
    (0, b"\x78\x9f\x3e\x22", "application/vnd.ms-tnef"),
    (0, b"\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d", "application/onenote"),
    (0, b"MSCF", "application/vnd.ms-cab-compressed"),
    (0, b"\x60\xea", "application/x-arj"),
    (0, b"ITSF", "application/vnd.ms-htmlhelp"),
    (0, b"SZDD", "application/x-ms-compress-szdd"),
    (0, b"conectix", "application/x-vhd"),
    (0, b"vhdxfile", "application/x-vhd"),
    (0x8801, b"CD001", "application/x-iso9660-image"),
    (0x9001, b"CD001", "application/x-iso9660-image"),
    (0x8001, b"BEA01", "application/x-iso9660-image"),  # UDF
    (0, b"070701", "application/x-cpio"),
    (0, b"070707", "application/x-cpio"),
    (0, b"\xc7\x71", "application/x-cpio"),
    (0, b"\x71\xc7", "application/x-cpio"),
    (8, b"\x19\x04\x00\x10", "application/vnd.symbian.install"),
    (0, b"(This file must be converted with BinHex", "application/mac-binhex40"),
    (0, b"#!", "text/x-shellscript"),
)
# Zip-based formats, told apart by the member names in the central directory (at the end).
_ZIP_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"[Content_Types].xml", "application/vnd.openxmlformats-officedocument"),
    (b"mimetypeapplication/vnd.oasis.opendocument", "application/vnd.oasis.opendocument"),
    (b"AndroidManifest.xml", "application/vnd.android.package-archive"),
    (b"META-INF/MANIFEST.MF", "application/java-archive"),
)

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<form")


def sniff_type(data: bytes) -> str:
    """MIME type judged from the bytes; 'text/plain' or 'application/octet-stream' at worst."""
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return _zip_kind(data) if kind == "application/zip" else kind
    head = data[:1024].lstrip().lower()
    if any(head.startswith(m) for m in _HTML_MARKERS) or b"<html" in head:
        return "text/html"
    if head.startswith(b"<?xml") or head.startswith(b"<svg"):
        return "image/svg+xml" if b"<svg" in head else "application/xml"
    if looks_like_text(data[:4096]):
        return "text/plain"
    return "application/octet-stream"


def _zip_kind(data: bytes) -> str:
    head, tail = data[:4096], data[-65536:]
    for marker, kind in _ZIP_KINDS:
        if marker in head or marker in tail:
            return kind
    return "application/zip"


def looks_like_text(sample: bytes) -> bool:
    """True when the bytes decode as UTF-8 (or are mostly printable) and hold no NULs."""
    if not sample or b"\x00" in sample:
        return not sample
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a multi-byte character cut by the sample
            return True
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 160 for b in sample)
    return printable / len(sample) > 0.95
