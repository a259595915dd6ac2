"""Request-level false positives of the web attack signatures on real benign URLs.

Each URL of a list (one per line, e.g. the ISCX-URL-2016 benign list) becomes one GET
request answered 200, from its own client, so only the per-request signatures can fire:

    python scripts/eval_web_urls.py \
        ../shared/corpora/phishing-urls-phishtank-iscx/benign_iscx_url2016.csv
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from aupguard.aup.load import load_document
from aupguard.batch import evaluate_batch
from aupguard.engine import Engine
from aupguard.events.model import Channel, Event, HttpRequest
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action
from aupguard.state.memory import MemoryState

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("--show", type=int, default=10, help="examples of flagged URLs")
    args = parser.parse_args()
    events = []
    when = datetime(2026, 11, 2, tzinfo=UTC)
    for n, line in enumerate(args.urls.read_text("utf-8", "replace").splitlines()):
        url = line.strip().strip('"')
        if not url.startswith(("http://", "https://")):
            continue
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req = HttpRequest(f"c{n}", "GET", target, 200, BROWSER, host=parts.netloc)
        events.append(Event(f"u{n}", Channel.HTTP, req, when))
    document = load_document()
    engine = Engine(load_ruleset(document=document), document)
    verdicts = evaluate_batch(engine, events, MemoryState())
    hits = [(e, v) for e, v in zip(events, verdicts, strict=True) if v.signals]
    flagged = [(e, v) for e, v in hits if v.action >= Action.FLAG]
    with_query = sum("?" in e.content.target for e in events)  # type: ignore[union-attr]
    print(f"{len(events)} URLs ({with_query} with a query string)")
    print(f"any signal: {len(hits)}; flagged: {len(flagged)} = {len(flagged) / len(events):.3%}")
    print(Counter(s.name for _, v in hits for s in v.signals).most_common())
    for e, v in flagged[: args.show]:
        names = ", ".join(s.name for s in v.signals)
        print(f"  {names}: {e.content.target[:120]}")  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
