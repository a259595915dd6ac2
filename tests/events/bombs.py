"""Archive bombs built at test time (never committed): deep nesting and a 10 GB zip."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

_MIB = 1 << 20


def nested_zip(levels: int, inner: bytes, name: str = "eicar.com") -> bytes:
    """`inner` zipped `levels` times, each zip inside the next."""
    data = inner
    for i in range(levels):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(name, data)
        data, name = buf.getvalue(), f"level-{levels - i}.zip"
    return data


def _deflate_zeros(mib: int) -> bytes:
    """A raw deflate stream of `mib` MiB of zeros, built without compressing them all.

    After Z_FULL_FLUSH the compressor forgets its history, so every further MiB of zeros
    compresses to the same bytes: compress two, then repeat the second.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(_MIB)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    unit = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    assert unit == c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return first + unit * (mib - 1) + c.flush(zlib.Z_FINISH)


def _crc_zeros(n: int) -> int:
    """CRC-32 of n zero bytes, by squaring the 'append one zero byte' operator (log n)."""

    def times(mat: list[int], vec: int) -> int:
        out, i = 0, 0
        while vec:
            if vec & 1:
                out ^= mat[i]
            vec >>= 1
            i += 1
        return out

    def square(mat: list[int]) -> list[int]:
        return [times(mat, mat[i]) for i in range(32)]

    # Operator for one zero bit on the raw (un-inverted) register.
    op = [0xEDB88320] + [1 << i for i in range(31)]
    for _ in range(3):  # one zero byte = 8 zero bits
        op = square(op)
    reg = 0xFFFFFFFF
    while n:
        if n & 1:
            reg = times(op, reg)
        op = square(op)
        n >>= 1
    return reg ^ 0xFFFFFFFF


def zip_bomb(gib: int = 10, name: str = "zeros.bin") -> bytes:
    """One member of `gib` GiB of zeros, ~1 MB per GiB, with zip64 sizes and a true CRC."""
    size = gib * 1024 * _MIB
    body = _deflate_zeros(gib * 1024)
    crc = _crc_zeros(size)
    fname = name.encode()
    extra = struct.pack("<HHQQ", 1, 16, size, len(body))
    local = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04",
        45,
        0,
        8,
        0,
        0x21,
        crc,
        0xFFFFFFFF,
        0xFFFFFFFF,
        len(fname),
        len(extra),
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        45,
        45,
        0,
        8,
        0,
        0x21,
        crc,
        0xFFFFFFFF,
        0xFFFFFFFF,
        len(fname),
        len(extra),
        0,
        0,
        0,
        0,
        0,
    )
    head = local + fname + extra
    cd = central + fname + extra
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(cd), len(head) + len(body), 0)
    return head + body + cd + end
