"""Load-generator parts: a light keep-alive HTTP/1.1 client and a process tree's CPU."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children (uvicorn workers), Linux."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Http:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams. httpx's pool scans its
    waiting requests on every change, so under a backlog the client itself fell behind
    (10 ms of client CPU per GET /healthz on this machine) and measured its own queue."""

    def __init__(self, host: str, port: int, connections: int = 512) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(connections)
        self.writers: list[asyncio.StreamWriter] = []

    async def request(
        self, method: str, target: str, body: bytes = b"", auth: str = "", ctype: str = ""
    ) -> tuple[int, bytes]:
        head = f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\n"
        if auth:
            head += f"Authorization: {auth}\r\n"
        if body:
            head += f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
        data = head.encode() + b"\r\n" + body
        async with self.slots:
            for attempt in (0, 1):
                reused = bool(self.idle) and attempt == 0
                if reused:
                    reader, writer = self.idle.pop()
                else:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                    self.writers.append(writer)
                try:
                    writer.write(data)
                    answer = await self._response(reader)
                except (ConnectionError, asyncio.IncompleteReadError):
                    writer.close()
                    if reused:  # the server closed it while idle (keep-alive timeout)
                        continue
                    raise
                self.idle.append((reader, writer))
                return answer
        raise AssertionError("unreachable")

    @staticmethod
    async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("connection closed")
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await reader.readexactly(length)

    def close(self) -> None:
        for writer in self.writers:
            writer.close()
