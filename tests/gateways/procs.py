"""Gateway processes started as an operator would: `aupguard milter` / `aupguard relay`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.gateways.postfix import wait_port
from tests.servers import free_port


class GatewayProcess:
    """One `aupguard` gateway command in its own process group, stopped by its pid."""

    def __init__(self, args: list[str], port: int, home: Path, log: Path) -> None:
        self.port = port
        self.log_path = log
        env = dict(os.environ, AUPGUARD_HOME=str(home), PYTHONUNBUFFERED="1")
        self.log_file = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "aupguard.cli.main", *args],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            wait_port(port, timeout=180)  # models load before it listens
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"gateway did not start: {self.log()}") from None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log_file.close()


def start_milter(db: str, tmp: Path, *extra: str) -> GatewayProcess:
    port = free_port()
    args = ["milter", "--listen", f"inet:{port}@127.0.0.1", "--db", db, *extra]
    return GatewayProcess(args, port, tmp / "home", tmp / f"milter-{port}.log")


def start_relay(db: str, tmp: Path, next_hop: int, *extra: str) -> GatewayProcess:
    port = free_port()
    args = ["relay", "--listen", f"127.0.0.1:{port}", "--next-hop", f"127.0.0.1:{next_hop}"]
    return GatewayProcess(
        [*args, "--db", db, *extra], port, tmp / "home", tmp / f"relay-{port}.log"
    )
