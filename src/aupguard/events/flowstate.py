"""What a flow record says happened, in Zeek's terms: established, failed, aborted or unknown.

`Flow.state` is Zeek's `conn_state` and `Flow.flags` its `history` (upper case: the
originator, lower case: the responder). The pcap reader writes both the way Zeek would
and adds two letters Zeek does not record: `N`, a TCP packet with no flags (a NULL
probe), and `X`, FIN+PSH+URG (an Xmas probe).
"""

from __future__ import annotations

import enum

from aupguard.events.model import Flow


class Outcome(enum.Enum):
    ESTABLISHED = "established"  # the service answered and data flowed
    FAILED = "failed"  # no answer, or rejected (S0, REJ, RSTOS0, SH; UDP without reply)
    ABORTED = "aborted"  # handshake done, then the originator reset it with no data sent
    UNKNOWN = "unknown"  # mid-stream, ICMP, or too little recorded to say


_FAILED = frozenset({"S0", "REJ", "RSTOS0", "SH"})
_OPENED = frozenset({"SF", "S1", "S2", "S3", "RSTO", "RSTR"})

# ICMP types that only probes send (Zeek puts the ICMP type in the originator port).
_ICMP_PROBES = {13: "ICMP timestamp request", 17: "ICMP address-mask request"}


def _carried_data(flow: Flow) -> bool:
    return flow.bytes_out > 0 or flow.bytes_in > 0 or "D" in flow.flags or "d" in flow.flags


def outcome(flow: Flow) -> Outcome:
    """Classify one flow from its conn_state, or from its history when no state is given."""
    proto = flow.proto.lower()
    if proto == "icmp":
        return Outcome.UNKNOWN
    state = flow.state.upper()
    if state in _FAILED:
        return Outcome.FAILED
    if state in _OPENED:
        if _carried_data(flow):
            return Outcome.ESTABLISHED
        return Outcome.ABORTED if state == "RSTO" else Outcome.UNKNOWN
    if state or not flow.flags or proto != "tcp":
        return Outcome.UNKNOWN
    history = flow.flags
    if "S" in history and "h" not in history:
        return Outcome.FAILED
    if "S" in history and "h" in history:
        if _carried_data(flow):
            return Outcome.ESTABLISHED
        return Outcome.ABORTED if "R" in history else Outcome.UNKNOWN
    return Outcome.UNKNOWN


def stealth_probe(flow: Flow) -> str | None:
    """The name of a probe no normal network stack sends, or None."""
    proto = flow.proto.lower()
    if proto == "icmp":
        return _ICMP_PROBES.get(flow.src_port)
    if proto != "tcp":
        return None
    history = flow.flags
    if "N" in history:
        return "TCP NULL probe (no flags)"
    if "X" in history:
        return "TCP Xmas probe (FIN+PSH+URG)"
    if "Q" in history:
        return "TCP SYN+FIN or SYN+RST probe"
    if history[:1] == "F" and not any(c in history for c in "SHAD") and not _carried_data(flow):
        return "TCP FIN probe without a connection"
    return None


def service(flow: Flow) -> str:
    """`host:port`, with the protocol added when it is not TCP."""
    proto = flow.proto.lower()
    return f"{flow.dst}:{flow.dst_port}" + ("" if proto == "tcp" else f"/{proto}")
