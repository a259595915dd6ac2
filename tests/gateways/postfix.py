"""A private Postfix instance from Debian's package: own config, queue and log, loopback only."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.servers import alive, free_port

POSTFIX = "/usr/sbin/postfix"

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {base}/queue
data_directory = {base}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.aupguard.test
mydomain = aupguard.test
mydestination =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
relayhost = [127.0.0.1]:{sink_port}
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 10000
smtpd_hard_error_limit = 10000
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtp_connect_timeout = 5s
smtpd_milters = {milters}
non_smtpd_milters =
milter_default_action = tempfail
milter_connect_timeout = 5s
milter_content_timeout = 20s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
biff = no
maillog_file = {base}/log/maillog
maillog_file_prefixes = {base}
"""

MASTER_CF = """\
127.0.0.1:{smtp_port} inet n - n - - smtpd
127.0.0.1:{plain_port} inet n - n - - smtpd -o smtpd_milters=
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def postfix_missing() -> str | None:
    """Why a private Postfix cannot run here, or None."""
    if not Path(POSTFIX).exists():
        return (
            "Postfix is not installed and scripts/test could not install it "
            "(apt-get install postfix; see /tmp/aupguard-apt.log)"
        )
    if os.geteuid() != 0:
        return "a private Postfix instance needs root (postfix start runs its master as root)"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "the postfix user is missing: the Debian package is not configured"
    return None


def require_postfix() -> None:
    reason = postfix_missing()
    if reason:
        pytest.skip(reason)


def wait_port(port: int, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class PostfixInstance:
    """`postfix -c DIR start` with a generated main.cf/master.cf under a fresh temp dir.

    Two listeners: `smtp_port` with the milters given, `plain_port` without any (baseline).
    Mail leaves only to the relayhost 127.0.0.1:sink_port; local delivery is disabled.
    """

    def __init__(self, sink_port: int, milter_port: int | None) -> None:
        # Postfix's daemons run as user postfix and must traverse to the queue: not pytest's
        # 0700 tmp_path, a 0755 directory of our own.
        self.base = Path(tempfile.mkdtemp(prefix="aupguard-postfix-"))
        self.base.chmod(0o755)
        self.etc = self.base / "etc"
        self.smtp_port = free_port()
        self.plain_port = free_port()
        milters = f"inet:127.0.0.1:{milter_port}" if milter_port else ""
        for sub in ("etc", "queue", "data", "log"):
            (self.base / sub).mkdir()
        shutil.chown(self.base / "data", "postfix")
        (self.etc / "main.cf").write_text(
            MAIN_CF.format(base=self.base, sink_port=sink_port, milters=milters)
        )
        (self.etc / "master.cf").write_text(
            MASTER_CF.format(smtp_port=self.smtp_port, plain_port=self.plain_port)
        )

    def run(self, *args: str, tool: str = POSTFIX) -> str:
        done = subprocess.run(
            [tool, "-c", str(self.etc), *args], capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed: {done.stderr}\n{self.log()}")
        return done.stdout

    def start(self) -> PostfixInstance:
        self.run("check")
        self.run("start")
        wait_port(self.smtp_port)
        wait_port(self.plain_port)
        return self

    def stop(self) -> None:
        subprocess.run(
            [POSTFIX, "-c", str(self.etc), "stop"], capture_output=True, timeout=60, check=False
        )
        pid = self.master_pid()
        end = time.monotonic() + 10
        while pid and alive(pid) and time.monotonic() < end:
            time.sleep(0.1)
        if pid and alive(pid):  # still up after 10 s: end our own master, by its pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        shutil.rmtree(self.base, ignore_errors=True)

    def master_pid(self) -> int | None:
        try:
            return int((self.base / "queue" / "pid" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def log(self) -> str:
        path = self.base / "log" / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def queue(self) -> list[dict[str, object]]:
        out = self.run("-j", tool="/usr/sbin/postqueue")
        return [json.loads(line) for line in out.splitlines() if line.strip()]
