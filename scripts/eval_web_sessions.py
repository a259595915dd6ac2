"""Session-level detection of web scanning: scanner logs versus a benign access log.

A session is one client's requests with no gap longer than `--gap` minutes (30 by
default, the usual web-analytics inactivity timeout). A session counts as flagged when
at least one of its requests gets `flag` or worse. Each log file is judged on its own,
in time order, with an in-memory state shared by the file's requests (as `aupguard scan`
does). Reproduce the numbers in docs/unauthorized-access.md with:

    python scripts/gen_benign_access_log.py --lines 50000 --seed 1 > /tmp/benign.log
    python scripts/eval_web_sessions.py --benign /tmp/benign.log \\
        ../shared/corpora/scanner-access-logs-ocatak/*.txt
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.batch import evaluate_batch
from aupguard.engine import Engine
from aupguard.errors import InputError
from aupguard.events.accesslog import parse_access_line
from aupguard.events.model import Channel, Event
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action
from aupguard.state.memory import MemoryState

# Ground truth. Acunetix and Netsparker logs hold only scanner traffic (with spoofed
# browser User-Agents). In w3af.txt the scanner announces itself as "w3af.org"; the other
# sessions there are people in Firefox logging into DVWA before a scan (192.168.4.25, and
# 192.168.4.163 at 00:22-00:31), so a w3af.txt session is scanning iff it has that agent.
SCANNER_AGENT = {"w3af.txt": "w3af.org"}
SLICE_S = 300  # a finer unit than sessions: 5-minute pieces of a session


@dataclass
class Session:
    source: str
    client: str
    requests: int = 0
    flagged: int = 0
    first_flag: int | None = None
    signals: set[str] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
    start: float = 0.0
    slices: set[int] = field(default_factory=set)  # 5-minute slices with requests
    flagged_slices: set[int] = field(default_factory=set)

    @property
    def scanning(self) -> bool:
        agent = SCANNER_AGENT.get(self.source)
        return agent is None or agent in self.agents


def read_log(path: Path) -> tuple[list[Event], int]:
    events: list[Event] = []
    bad = 0
    for n, raw in enumerate(path.read_text("utf-8", "replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            req, when = parse_access_line(raw)
        except InputError:
            bad += 1
            continue
        events.append(Event(f"{path.name}:{n}", Channel.HTTP, req, when, source=f"{path}:{n}"))
    events.sort(key=lambda e: e.time)
    return events, bad


def sessions_of(path: Path, engine: Engine, gap: timedelta) -> tuple[list[Session], int]:
    events, bad = read_log(path)
    results = evaluate_batch(engine, events, MemoryState())
    last: dict[str, tuple[Session, float]] = {}
    out: list[Session] = []
    for event, verdict in zip(events, results, strict=True):
        client = event.content.client  # type: ignore[union-attr]
        current = last.get(client)
        ts = event.time.timestamp()
        if current is None or ts - current[1] > gap.total_seconds():
            out.append(Session(path.name, client, start=ts))
            current = (out[-1], ts)
        session = current[0]
        last[client] = (session, ts)
        session.requests += 1
        piece = int((ts - session.start) // SLICE_S)
        session.slices.add(piece)
        session.agents.add(event.content.user_agent)  # type: ignore[union-attr]
        if verdict.action >= Action.FLAG:
            session.flagged += 1
            session.flagged_slices.add(piece)
            if session.first_flag is None:
                session.first_flag = session.requests
            session.signals.update(s.name for s in verdict.signals)
    return out, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scanner_logs", nargs="*", type=Path, help="logs of scanning clients")
    parser.add_argument("--benign", type=Path, action="append", default=[])
    parser.add_argument("--gap", type=float, default=30.0, help="session gap in minutes")
    parser.add_argument("--rules", type=Path, help="ruleset YAML (default: the shipped one)")
    args = parser.parse_args()
    document = load_document()
    engine = Engine(load_ruleset(args.rules, document=document), document)
    gap = timedelta(minutes=args.gap)
    scanning: list[Session] = []
    benign: list[Session] = []
    benign_requests = benign_flagged = 0
    for path in [*args.scanner_logs, *args.benign]:
        found, bad = sessions_of(path, engine, gap)
        print(f"{path.name}: {sum(s.requests for s in found)} requests, {bad} unreadable lines")
        for s in found:
            positive = path in args.scanner_logs and s.scanning
            (scanning if positive else benign).append(s)
            if not positive:
                benign_requests += s.requests
                benign_flagged += s.flagged
            if path in args.scanner_logs:
                print(
                    f"  {'scan  ' if positive else 'benign'} {s.client:15} {s.requests:5} req, "
                    f"{s.flagged:5} flagged, first at #{s.first_flag}, {sorted(s.signals)}"
                )
    hit = sum(1 for s in scanning if s.flagged)
    false = [s for s in benign if s.flagged]
    if scanning:
        print(f"scanning sessions flagged: {hit}/{len(scanning)} = {hit / len(scanning):.1%}")
        pieces = sum(len(s.slices) for s in scanning)
        caught = sum(len(s.flagged_slices) for s in scanning)
        print(f"5-minute slices of scanning sessions flagged: {caught}/{pieces}")
    if benign:
        share = len(false) / len(benign)
        print(f"benign sessions flagged: {len(false)}/{len(benign)} = {share:.2%}")
        print(f"benign requests flagged: {benign_flagged}/{benign_requests}")
        for s in false[:10]:
            print(f"  false positive: {s.source} {s.client} {s.requests} req {sorted(s.signals)}")


if __name__ == "__main__":
    main()
