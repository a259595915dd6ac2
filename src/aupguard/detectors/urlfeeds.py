"""Known-bad URL feeds (PhishTank CSV/JSON, OpenPhish text, URLhaus CSV), reloaded on change.

Files are re-read when their mtime or size changes, checked at most every
`reload_check_s` seconds (never per message). A feed that fails to parse keeps the
last good copy and logs why; a feed that is missing at start is a configuration error.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from aupguard.errors import ConfigError
from aupguard.events.urlnorm import NormalUrl, normalize, url_key

log = logging.getLogger(__name__)
FeedFormat = Literal["auto", "phishtank_csv", "phishtank_json", "openphish", "urlhaus_csv"]


class FeedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: Path
    format: FeedFormat = "auto"


@dataclass(frozen=True, slots=True)
class FeedHit:
    feed: str
    entry: str


def _urls(text: str, fmt: FeedFormat) -> Iterator[str]:
    if fmt == "auto":
        head = text.lstrip()[:200].lower()
        if head.startswith("[") or head.startswith("{"):
            fmt = "phishtank_json"
        elif head.startswith("phish_id"):
            fmt = "phishtank_csv"
        elif head.startswith("#") or "urlhaus" in head or head.startswith('"id"'):
            fmt = "urlhaus_csv"
        else:
            fmt = "openphish"
    if fmt == "phishtank_json":
        data = json.loads(text)
        for row in data if isinstance(data, list) else data.get("data", []):
            if isinstance(row, dict) and isinstance(row.get("url"), str):
                yield row["url"]
    elif fmt == "phishtank_csv":
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("url"):
                yield row["url"]
    elif fmt == "urlhaus_csv":
        lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
        for row in csv.reader(lines):
            # id, dateadded, url, url_status, last_online, threat, tags, urlhaus_link, reporter
            if len(row) >= 3 and "://" in row[2]:
                yield row[2]
    else:
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


class FeedIndex:
    """URL keys and hosts of every loaded feed; look-ups are set membership."""

    def __init__(self, specs: Iterable[FeedSpec], reload_check_s: float = 30.0) -> None:
        self.specs = list(specs)
        self.reload_check_s = reload_check_s
        self._lock = threading.Lock()
        self._stamps: dict[Path, tuple[float, int]] = {}
        self._keys: dict[str, str] = {}  # url key -> feed name
        self._hosts: dict[str, str] = {}  # host listed as a whole site -> feed name
        self._per_feed: dict[Path, tuple[dict[str, str], dict[str, str]]] = {}
        for spec in self.specs:
            if not spec.path.is_file():
                raise ConfigError(f"URL feed {spec.path} does not exist or is not a file")
            self._load(spec)
        self._rebuild()
        self._checked = time.monotonic()

    def __len__(self) -> int:
        return len(self._keys)

    def _load(self, spec: FeedSpec) -> None:
        st = spec.path.stat()
        text = spec.path.read_text("utf-8", "replace")
        keys: dict[str, str] = {}
        hosts: dict[str, str] = {}
        name = spec.path.name
        for raw in _urls(text, spec.format):
            url = normalize(raw)
            if url is None:
                continue
            keys[url_key(url)] = name
            if url.path in ("", "/") and not url.query:
                hosts[url.host.ascii] = name
        self._per_feed[spec.path] = (keys, hosts)
        self._stamps[spec.path] = (st.st_mtime, st.st_size)

    def _rebuild(self) -> None:
        keys: dict[str, str] = {}
        hosts: dict[str, str] = {}
        for k, h in self._per_feed.values():
            keys.update(k)
            hosts.update(h)
        self._keys, self._hosts = keys, hosts

    def refresh(self) -> None:
        """Re-read feeds whose file changed (at most every reload_check_s seconds)."""
        now = time.monotonic()
        if now - self._checked < self.reload_check_s:
            return
        with self._lock:
            self._checked = now
            changed = False
            for spec in self.specs:
                try:
                    st = spec.path.stat()
                    if self._stamps.get(spec.path) != (st.st_mtime, st.st_size):
                        self._load(spec)
                        changed = True
                except (OSError, ValueError, csv.Error) as exc:
                    log.error("URL feed %s: keeping the previous copy: %s", spec.path, exc)
            if changed:
                self._rebuild()
                log.info("URL feeds reloaded: %d entries", len(self._keys))

    def lookup(self, url: NormalUrl) -> FeedHit | None:
        key = url_key(url)
        feed = self._keys.get(key) or self._keys.get(key.split("?", 1)[0])
        if feed:
            return FeedHit(feed, key)
        feed = self._hosts.get(url.host.ascii)
        return FeedHit(feed, url.host.ascii) if feed else None

    def lists_host(self, host: str) -> str | None:
        url = normalize(f"http://{host}/")
        return self._hosts.get(url.host.ascii) if url else None
