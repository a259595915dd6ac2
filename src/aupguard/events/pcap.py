"""Packet captures (pcap, pcapng) to flow records with dpkt, the way Zeek's conn.log would."""

from __future__ import annotations

import hashlib
import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dpkt

from aupguard.errors import InputError
from aupguard.events.model import Channel, Event, Flow
from aupguard.events.sniff import PCAP_MAGICS

MAX_PACKETS = 5_000_000
MAX_FLOWS = 500_000

FlowKey = tuple[str, str, int, str, int]  # proto, originator, its port, responder, its port
_ICMP_REPLY = {0: 8, 14: 13, 16: 15, 18: 17}  # reply type -> request type
_ICMP6_REPLY = {129: 128}
_ICMP_ERRORS = {3, 11}  # unreachable, time exceeded: they quote the packet they answer
_ICMP6_ERRORS = {1, 3}


@dataclass(slots=True)
class _Conn:
    first: float
    history: list[str] = field(default_factory=list)
    bytes_out: int = 0
    bytes_in: int = 0
    packets: int = 0
    rejected: bool = False  # an ICMP error answered it

    def note(self, letter: str) -> None:
        if letter not in self.history:
            self.history.append(letter)


_RAW_LINKS = frozenset({12, 14, 101})  # DLT_RAW and LINKTYPE_RAW: packets start at the IP header


def _decoder(datalink: int) -> Any:
    """The dpkt class of the link layer, or None when packets start at the IP header."""
    if datalink == dpkt.pcap.DLT_EN10MB:
        return dpkt.ethernet.Ethernet
    if datalink == dpkt.pcap.DLT_LINUX_SLL:
        return dpkt.sll.SLL
    if datalink in (dpkt.pcap.DLT_NULL, dpkt.pcap.DLT_LOOP):
        return dpkt.loopback.Loopback
    if datalink in _RAW_LINKS:
        return None
    raise InputError(
        f"link type {datalink} is not supported (Ethernet, Linux cooked, loopback or raw IP)"
    )


def _ip_layer(buf: bytes, decoder: Any) -> dpkt.Packet | None:
    if decoder is None:
        version = buf[0] >> 4 if buf else 0
        return dpkt.ip.IP(buf) if version == 4 else dpkt.ip6.IP6(buf) if version == 6 else None
    layer = decoder(buf).data  # Ethernet unwraps 802.1Q tags itself
    return layer if isinstance(layer, dpkt.ip.IP | dpkt.ip6.IP6) else None


def _addr(ip: dpkt.Packet, raw: bytes) -> str:
    family = socket.AF_INET if isinstance(ip, dpkt.ip.IP) else socket.AF_INET6
    return socket.inet_ntop(family, raw)


def _tcp_letter(flags: int, payload: int) -> str:
    syn, ack = flags & dpkt.tcp.TH_SYN, flags & dpkt.tcp.TH_ACK
    fin, rst = flags & dpkt.tcp.TH_FIN, flags & dpkt.tcp.TH_RST
    if flags & 0x3F == 0:
        return "N"
    if syn and (fin or rst):
        return "Q"
    if fin and rst:
        return "I"
    if syn:
        return "H" if ack else "S"
    if fin and flags & dpkt.tcp.TH_PUSH and flags & dpkt.tcp.TH_URG and not ack:
        return "X"
    if rst:
        return "R"
    if fin:
        return "F"
    return "D" if payload else "A"


class FlowTable:
    """Connections keyed by 5-tuple; the first packet's sender is the originator."""

    def __init__(self) -> None:
        self.conns: dict[FlowKey, _Conn] = {}

    def packet(self, ts: float, ip: dpkt.Packet) -> bool:
        """Account one IP packet; False when the flow table is full."""
        src, dst = _addr(ip, ip.src), _addr(ip, ip.dst)
        t = ip.data
        if isinstance(t, dpkt.tcp.TCP):
            return self._add(ts, ("tcp", src, t.sport, dst, t.dport), len(t.data), t.flags)
        if isinstance(t, dpkt.udp.UDP):
            return self._add(ts, ("udp", src, t.sport, dst, t.dport), len(t.data), None)
        if isinstance(t, dpkt.icmp.ICMP | dpkt.icmp6.ICMP6):
            v6 = isinstance(t, dpkt.icmp6.ICMP6)
            if t.type in (_ICMP6_ERRORS if v6 else _ICMP_ERRORS) and self._reject(t):
                return True
            kind = (_ICMP6_REPLY if v6 else _ICMP_REPLY).get(t.type, t.type)
            if kind != t.type:  # a reply travels responder -> originator
                return self._add(ts, ("icmp", dst, kind, src, t.code), len(t.data), None, True)
            return self._add(ts, ("icmp", src, t.type, dst, t.code), len(t.data), None)
        return True

    def _add(
        self, ts: float, key: FlowKey, size: int, flags: int | None, reply: bool = False
    ) -> bool:
        proto, a, ap, b, bp = key
        forward = not reply
        conn = self.conns.get(key)
        if conn is None and not reply and proto != "icmp":
            conn = self.conns.get((proto, b, bp, a, ap))
            forward = conn is None
        if conn is None:
            if len(self.conns) >= MAX_FLOWS:
                return False
            if flags is not None and flags & dpkt.tcp.TH_SYN and flags & dpkt.tcp.TH_ACK:
                key, forward = (proto, b, bp, a, ap), False  # capture began after the SYN
            conn = self.conns[key] = _Conn(ts)
        conn.packets += 1
        if forward:
            conn.bytes_out += size
        else:
            conn.bytes_in += size
        letter = "D" if flags is None else _tcp_letter(flags, size)
        conn.note(letter if forward else letter.lower())
        return True

    def _reject(self, icmp: dpkt.Packet) -> bool:
        quoted = icmp.data.data if hasattr(icmp.data, "data") else None
        if not isinstance(quoted, dpkt.ip.IP | dpkt.ip6.IP6):
            return False
        inner = quoted.data
        if not isinstance(inner, dpkt.tcp.TCP | dpkt.udp.UDP):
            return False
        proto = "tcp" if isinstance(inner, dpkt.tcp.TCP) else "udp"
        key = (
            proto,
            _addr(quoted, quoted.src),
            inner.sport,
            _addr(quoted, quoted.dst),
            inner.dport,
        )
        conn = self.conns.get(key)
        if conn is None:
            return False
        conn.rejected = True
        return True

    def flows(self) -> Iterator[tuple[float, Flow]]:
        for key, conn in sorted(self.conns.items(), key=lambda kv: kv[1].first):
            proto, a, ap, b, bp = key
            history = "".join(conn.history)
            yield (
                conn.first,
                Flow(
                    a,
                    b,
                    ap,
                    bp,
                    proto,
                    history,
                    conn.bytes_out,
                    conn.bytes_in,
                    conn.packets,
                    conn_state(proto, history, conn.rejected),
                ),
            )


def conn_state(proto: str, history: str, rejected: bool = False) -> str:
    """Zeek's conn_state from the history letters (and an ICMP error that answered)."""
    if proto != "tcp":
        if proto == "icmp":
            return "OTH"
        return "REJ" if rejected else ("SF" if "d" in history else "S0")
    if "S" in history and "h" not in history:
        if "r" in history or rejected:
            return "REJ"
        if "R" in history:
            return "RSTOS0"
        return "SH" if "F" in history else "S0"
    if "S" in history:
        if "R" in history:
            return "RSTO"
        if "r" in history:
            return "RSTR"
        if "F" in history:
            return "SF" if "f" in history else "S2"
        return "S3" if "f" in history else "S1"
    return "RSTRH" if "h" in history and "r" in history else "OTH"


def read_pcap(data: bytes, source: str) -> Iterator[Event | InputError]:
    """Flow events from a capture, in order of first packet; unreadable packets are counted."""
    try:
        reader_cls = dpkt.pcapng.Reader if data[:4] == PCAP_MAGICS[-1] else dpkt.pcap.Reader
        reader = reader_cls(io.BytesIO(data))
        decoder = _decoder(reader.datalink())
    except InputError as exc:
        yield InputError(exc.reason, source)
        return
    except (ValueError, dpkt.UnpackError, dpkt.NeedData) as exc:
        yield InputError(f"not a readable pcap/pcapng file: {exc}", source)
        return
    table = FlowTable()
    bad = seen = 0
    cut: str | None = None
    try:
        for ts, buf in reader:
            seen += 1
            if seen > MAX_PACKETS:
                cut = f"stopped after {MAX_PACKETS} packets (limit); the rest is not read"
                break
            try:
                ip = _ip_layer(buf, decoder)
            except (dpkt.UnpackError, dpkt.NeedData, ValueError, IndexError):
                bad += 1
                continue
            if ip is not None and not table.packet(float(ts), ip):
                cut = f"stopped at {MAX_FLOWS} flows (limit) after {seen} packets"
                break
    except (dpkt.UnpackError, dpkt.NeedData, ValueError) as exc:
        cut = f"capture ends early after {seen} packets ({exc})"
    for i, (first, flow) in enumerate(table.flows()):
        key = f"{flow.proto} {flow.src}:{flow.src_port} {flow.dst}:{flow.dst_port} {first:.6f}"
        yield Event(
            id="flow:" + hashlib.sha256(key.encode()).hexdigest()[:32],
            channel=Channel.FLOW,
            content=flow,
            time=datetime.fromtimestamp(first, UTC),
            source=f"{source}#{i}",
        )
    if bad:
        yield InputError(
            f"{bad} of {seen} packets could not be decoded; flows use the rest", source
        )
    if cut:
        yield InputError(cut, source)
