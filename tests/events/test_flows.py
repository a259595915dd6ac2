"""Flow inputs: pcap captures and Zeek conn.log to flows, outcomes and stealth probes."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import dpkt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.errors import InputError
from aupguard.events.flowstate import Outcome, outcome, service, stealth_probe
from aupguard.events.model import Event, Flow
from aupguard.events.sources import read_bytes, read_file
from tests.conftest import corpus

A, B = "198.51.100.7", "203.0.113.9"


def tcp(src: str, dst: str, sport: int, dport: int, flags: int, data: bytes = b"") -> bytes:
    seg = dpkt.tcp.TCP(sport=sport, dport=dport, flags=flags, data=data)
    ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=6, data=seg)
    ip.len = len(bytes(ip))
    return bytes(dpkt.ethernet.Ethernet(type=dpkt.ethernet.ETH_TYPE_IP, data=ip))


def udp(src: str, dst: str, sport: int, dport: int, data: bytes = b"x") -> bytes:
    dgram = dpkt.udp.UDP(sport=sport, dport=dport, data=data)
    dgram.ulen = len(bytes(dgram))
    ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=17, data=dgram)
    ip.len = len(bytes(ip))
    return bytes(dpkt.ethernet.Ethernet(type=dpkt.ethernet.ETH_TYPE_IP, data=ip))


def pcap(*packets: bytes, start: float = 1_700_000_000.0) -> bytes:
    out = io.BytesIO()
    writer = dpkt.pcap.Writer(out)
    for i, pkt in enumerate(packets):
        writer.writepkt(pkt, ts=start + i * 0.01)
    return out.getvalue()


def flows(data: bytes, name: str = "cap.pcap") -> list[Flow]:
    items = list(read_bytes(data, name, Path(name).suffix))
    assert not [i for i in items if isinstance(i, InputError)], items
    return [i.content for i in items if isinstance(i, Event) and isinstance(i.content, Flow)]


S, SA, R, F, P = (
    dpkt.tcp.TH_SYN,
    dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK,
    dpkt.tcp.TH_RST,
    dpkt.tcp.TH_FIN,
    dpkt.tcp.TH_PUSH,
)
ACK = dpkt.tcp.TH_ACK


def test_a_full_connection_is_established_and_a_rejected_one_failed() -> None:
    got = flows(
        pcap(
            tcp(A, B, 40000, 443, S),
            tcp(B, A, 443, 40000, SA),
            tcp(A, B, 40000, 443, ACK | P, b"hello"),
            tcp(B, A, 443, 40000, ACK | P, b"world"),
            tcp(A, B, 40000, 443, F | ACK),
            tcp(B, A, 443, 40000, F | ACK),
            tcp(A, B, 40001, 22, S),
            tcp(B, A, 22, 40001, R | ACK),
        )
    )
    ok, rej = got
    assert (ok.state, outcome(ok), ok.bytes_out, ok.bytes_in) == ("SF", Outcome.ESTABLISHED, 5, 5)
    assert (rej.state, rej.flags, outcome(rej)) == ("REJ", "Sr", Outcome.FAILED)
    assert service(rej) == f"{B}:22"


def test_half_open_probe_is_aborted_and_unanswered_udp_failed() -> None:
    half, silent = flows(
        pcap(
            tcp(A, B, 40000, 80, S),
            tcp(B, A, 80, 40000, SA),
            tcp(A, B, 40000, 80, R),
            udp(A, B, 5353, 161),
        )
    )
    assert (half.state, half.flags, outcome(half)) == ("RSTO", "ShR", Outcome.ABORTED)
    assert (silent.state, outcome(silent), service(silent)) == (
        "S0",
        Outcome.FAILED,
        f"{B}:161/udp",
    )


@pytest.mark.parametrize(
    ("flags", "name"),
    [(0, "NULL"), (F | P | dpkt.tcp.TH_URG, "Xmas"), (S | F, "SYN+FIN"), (F, "FIN probe")],
)
def test_stealth_flag_probes_are_named(flags: int, name: str) -> None:
    (flow,) = flows(pcap(tcp(A, B, 40000, 80, flags)))
    probe = stealth_probe(flow)
    assert probe is not None and name in probe


def test_ordinary_flows_are_no_stealth_probe() -> None:
    assert stealth_probe(Flow(A, B, 1, 2, flags="ShADadFf", state="SF")) is None
    assert stealth_probe(Flow(A, B, 13, 0, proto="icmp")) == "ICMP timestamp request"


def test_outcome_from_history_when_no_state() -> None:
    assert outcome(Flow(A, B, 1, 22, flags="S")) is Outcome.FAILED
    assert outcome(Flow(A, B, 1, 22, flags="ShAR")) is Outcome.ABORTED
    assert outcome(Flow(A, B, 1, 22, flags="ShADad")) is Outcome.ESTABLISHED
    assert outcome(Flow(A, B, 1, 22)) is Outcome.UNKNOWN


def test_wrong_magic_for_a_pcap_name_is_an_error() -> None:
    (err,) = list(read_bytes(b"hello, not a capture", "x.pcap", ".pcap"))
    assert isinstance(err, InputError) and "not a pcap" in err.reason


def test_truncated_capture_keeps_the_flows_read() -> None:
    data = pcap(tcp(A, B, 40000, 80, S), tcp(A, B, 40001, 81, S))
    for cut in (10, 30, 60):  # inside the last packet, its record header, the first packet
        items = list(read_bytes(data[:-cut], "cut.pcap", ".pcap"))
        assert any(isinstance(i, Event) for i in items)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=80), min_size=1, max_size=20))
def test_pcap_reader_never_crashes_on_garbage_packets(payloads: list[bytes]) -> None:
    items = list(read_bytes(pcap(*payloads), "g.pcap", ".pcap"))
    assert all(isinstance(i, Event | InputError) for i in items)
    assert sum(isinstance(i, Event) for i in items) <= len(payloads)


CONN_HEAD = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration"
    "\torig_bytes\tresp_bytes\tconn_state\thistory\torig_pkts\tresp_pkts\n"
)


def conn_line(uid: str, port: int, state: str, history: str, ts: float = 1.7e9) -> str:
    return f"{ts}\t{uid}\t{A}\t40000\t{B}\t{port}\ttcp\t-\t-\t0\t0\t{state}\t{history}\t1\t1\n"


def test_zeek_conn_log_rows_become_flows_with_state_and_history() -> None:
    text = CONN_HEAD + conn_line("C1", 22, "REJ", "Sr") + conn_line("C2", 23, "S0", "S")
    items = list(read_bytes(text.encode(), "conn.log", ".log"))
    assert [i.id for i in items if isinstance(i, Event)] == ["zeek:C1", "zeek:C2"]
    first = items[0]
    assert isinstance(first, Event) and isinstance(first.content, Flow)
    assert (first.content.state, first.content.flags, first.content.dst_port) == ("REJ", "Sr", 22)


def test_zeek_bad_lines_are_errors_with_line_numbers() -> None:
    text = CONN_HEAD + "1.7e9\tC1\tonly three\n" + conn_line("C2", 80, "SF", "ShADadFf")
    items = list(read_bytes(text.encode(), "conn.log", ".log"))
    err = next(i for i in items if isinstance(i, InputError))
    assert err.source == "conn.log:7" and "values for" in err.reason
    assert sum(isinstance(i, Event) for i in items) == 1


def test_zeek_other_log_types_are_refused() -> None:
    text = CONN_HEAD.replace("#path\tconn", "#path\tdns")
    (err,) = list(read_bytes(text.encode(), "dns.log", ".log"))
    assert isinstance(err, InputError) and "'dns' log" in err.reason


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 65535),
            st.sampled_from(["S0", "REJ", "SF", "RSTO", "OTH", "-"]),
            st.text("ShADadFfRr", max_size=8),
        ),
        max_size=15,
    )
)
def test_zeek_rows_round_trip(rows: list[tuple[int, str, str]]) -> None:
    text = CONN_HEAD + "".join(
        conn_line(f"C{i}", p, s, h or "-") for i, (p, s, h) in enumerate(rows)
    )
    got = [i.content for i in read_bytes(text.encode(), "c.log", ".log") if isinstance(i, Event)]
    assert [(f.dst_port, f.state, f.flags) for f in got if isinstance(f, Flow)] == [
        (p, "" if s == "-" else s, h) for p, s, h in rows
    ]


def test_every_esnet_capture_reads_without_errors() -> None:
    root = corpus("scan-pcaps-esnet")
    for path in sorted(root.rglob("*.pcap")):
        items = list(read_file(path))
        assert items and all(isinstance(i, Event) for i in items), path
