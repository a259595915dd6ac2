"""A DNS server on loopback that answers NXDOMAIN to every question, without network.

    python bench/dns_stub.py PORT

For benchmarks of mail scanners (Rspamd) whose DNS checks must cost a round trip but
never leave the machine. The answer is built from the query's bytes (id, question),
so it costs next to nothing and never competes with the scanner for the CPU.
"""

from __future__ import annotations

import socket
import struct
import sys

EDNS_OPT = b"\x00" + struct.pack("!HHIH", 41, 4096, 0, 0)  # root, OPT, 4096-byte UDP, no options


def nxdomain(query: bytes) -> bytes | None:
    """The NXDOMAIN answer to one query (its first question echoed), or None if malformed."""
    if len(query) < 12:
        return None
    (ident, flags, qdcount, _, _, arcount) = struct.unpack("!HHHHHH", query[:12])
    if flags & 0x8000 or qdcount < 1:
        return None  # a response, or no question
    pos = 12
    while pos < len(query):
        length = query[pos]
        if length == 0:
            break
        if length & 0xC0:
            return None  # compression in a question: not from a sane client
        pos += 1 + length
    end = pos + 1 + 4  # the root label, QTYPE, QCLASS
    if end > len(query):
        return None
    rd = flags & 0x0100
    answer_flags = 0x8000 | (flags & 0x7800) | rd | 0x0080 | 3  # QR, opcode, RD, RA, NXDOMAIN
    # A query with EDNS (an OPT record) gets one back: some resolvers (Rspamd's) drop
    # an answer without it and wait for their timeout.
    opt = EDNS_OPT if arcount else b""
    head = struct.pack("!HHHHHH", ident, answer_flags, 1, 0, 0, 1 if opt else 0)
    return head + query[12:end] + opt


def serve(port: int) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    while True:
        data, peer = sock.recvfrom(4096)
        reply = nxdomain(data)
        if reply is not None:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
