"""ClamAV through clamd's INSTREAM protocol: started first, joined within a deadline.

`begin` submits one INSTREAM scan per attachment to this detector's small thread pool
(socket I/O releases the GIL, so the scans run while the other detectors work); `check`
waits for them until `timeout_s` after they started. clamd opens archives itself, so
only the event's own attachments are sent (and, for e-mail, the raw message, so
clamd's MIME parser gets its own look). Without a configured socket nothing is sent
and a log line says so once; a configured clamd that fails gives CLAMAV_UNAVAILABLE.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import cast

from pydantic import BaseModel, ConfigDict

from aupguard.detectors.base import (
    MESSAGE_CHANNELS,
    Detector,
    Evidence,
    Finding,
    SignalSpec,
)
from aupguard.detectors.context import Context
from aupguard.events.email import EmailView
from aupguard.events.views import Views

log = logging.getLogger(__name__)
_CHUNK = 64 * 1024
_MEMO = "clamav:pending"
_told = False


class ClamavOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    socket: str | None = None  # unix socket path, or host:port (loopback) for TCP
    timeout_s: float = 5.0  # deadline for all scans of one event, from their start
    max_bytes: int = 25 * 1024 * 1024  # clamd's default StreamMaxLength
    workers: int = 4
    whole_message: bool = True  # e-mail: also send the raw message (clamd's own MIME parser)


class ClamdError(Exception):
    """clamd refused, timed out or answered something unexpected."""


def instream(address: str, data: bytes, timeout_s: float) -> str | None:
    """Scan bytes with clamd; the signature name when found, None when clean."""
    if ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=timeout_s)
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout_s)
        sock.connect(address)
    with sock:
        sock.sendall(b"zINSTREAM\0")
        for i in range(0, len(data), _CHUNK):
            chunk = data[i : i + _CHUNK]
            sock.sendall(struct.pack(">I", len(chunk)) + chunk)
        sock.sendall(struct.pack(">I", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            more = sock.recv(4096)
            if not more:
                break
            reply += more
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("FOUND"):
        return text.removeprefix("stream:").removesuffix("FOUND").strip()
    if text.endswith("OK"):
        return None
    raise ClamdError(text or "empty reply")


class ClamavDetector(Detector):
    name = "clamav"
    channels = MESSAGE_CHANNELS
    description = "Scans attachments with ClamAV (clamd INSTREAM) in parallel, under a deadline."
    signals = (
        SignalSpec("CLAMAV_FOUND", "ClamAV found a signature in an attachment.", True),
        SignalSpec("CLAMAV_UNAVAILABLE", "clamd is configured but did not answer in time."),
    )
    Options = ClamavOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, ClamavOptions)
        self._pool: ThreadPoolExecutor | None = None
        global _told
        if self.options.socket is None and not _told:
            _told = True  # once per process, not once per engine or worker rebuild
            log.warning(
                "clamav: no clamd socket configured (detectors.clamav.options.socket); "
                "attachments are checked by structure and YARA only"
            )

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:  # created lazily: a forked worker must not inherit threads
            assert isinstance(self.options, ClamavOptions)
            self._pool = ThreadPoolExecutor(self.options.workers, thread_name_prefix="clamd")
        return self._pool

    def begin(self, view: Views, ctx: Context) -> None:
        assert isinstance(self.options, ClamavOptions)
        address = self.options.socket
        if address is None or not view.attachments:
            return
        pool = self._executor()
        limit, timeout = self.options.max_bytes, self.options.timeout_s
        items = [(att.part, att.name, att.data) for att in view.attachments if att.data]
        if self.options.whole_message and isinstance(view, EmailView):
            items.append(("message", "", view.raw))
        pending = [
            (part, name, pool.submit(instream, address, data[:limit], timeout))
            for part, name, data in items
        ]
        view.memo[_MEMO] = (time.monotonic() + timeout, pending)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        assert isinstance(self.options, ClamavOptions)
        if self.options.socket is None or not view.attachments:
            return []
        if _MEMO not in view.memo:
            self.begin(view, ctx)  # called without the engine (tests, library use)
        deadline, pending = cast(
            "tuple[float, list[tuple[str, str, Future[str | None]]]]",
            view.memo.pop(_MEMO, (time.monotonic(), [])),
        )
        found: list[Evidence] = []
        failed: list[Evidence] = []
        for part, name, future in pending:
            try:
                hit = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except (FutureTimeout, OSError, ClamdError) as exc:
                future.cancel()
                failed.append(Evidence(part, name, detail=f"{type(exc).__name__}: {exc}"[:200]))
                continue
            if hit:
                found.append(Evidence(part, name, detail=hit))
        out: list[Finding] = []
        if found:
            out.append(self.signal("CLAMAV_FOUND", 1.0, *found[:10]))
        if failed:
            log.warning("clamav: %d attachment(s) not scanned: %s", len(failed), failed[0].detail)
            out.append(self.signal("CLAMAV_UNAVAILABLE", 1.0, *failed[:10]))
        return out
