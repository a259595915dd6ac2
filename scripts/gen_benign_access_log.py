"""Write a benign Combined Log Format access log: browsing, API clients, crawlers, monitors.

Deterministic for a seed. Used as the negative set for web-scan detection (no public
benign log with mixed traffic was found; see docs/unauthorized-access.md). It holds what
real logs hold: 404s for favicons, robots.txt and broken links, expired tokens (401),
rate limits (429), deleted resources, searches with quotes, SQL words and ampersands,
admins opening their own admin pages, and a link checker walking many distinct URLs.

    python scripts/gen_benign_access_log.py --lines 50000 --seed 1 > benign.log
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
]
API_AGENTS = ["python-requests/2.32.3", "okhttp/4.12.0", "axios/1.7.2", "Go-http-client/2.0"]
SEARCHES = [
    "refund policy",
    "o'brien account",
    'order "12345" status',
    "select committee hearing",
    "union station parking",
    "drop shipping fees",
    "cats & dogs",
    "rock 'n' roll tickets",
    "and/or logic",
    "where is my order?",
    "1=1 meaning",
    "how to cancel <subscription>",
    "C:\\Users path windows",
    "100% cotton",
    "sleep(ing) bag",
    "script writing course",
    "alert settings",
    "passwd reset",
    "../ meaning in paths",
]
PAGES = [
    "/",
    "/products",
    "/products/{n}",
    "/cart",
    "/checkout",
    "/help",
    "/help/{n}",
    "/blog/{n}-post",
    "/account",
    "/account/orders",
    "/contact",
    "/pricing",
]
ASSETS = [
    "/static/app.{v}.js",
    "/static/app.{v}.css",
    "/static/img/logo.png",
    "/static/fonts/inter.woff2",
    "/static/img/p{n}.jpg",
]
API = [
    "/api/v2/customers/{n}",
    "/api/v2/orders?status=open&page={p}&per_page=50",
    "/api/v2/tickets/{n}/comments",
    "/api/v2/contacts?email={e}&include=tags",
    "/api/v2/search?q={q}&sort=-created_at",
    "/api/v2/orders/{n}?fields=id,total,status",
    "/rest/v1/items?select=id,name&order=name.asc&limit=100",
]


class Log:
    def __init__(self, out: list[tuple[datetime, str]]) -> None:
        self.out = out

    def add(
        self,
        when: datetime,
        ip: str,
        method: str,
        target: str,
        status: int,
        agent: str,
        referrer: str = "-",
    ) -> None:
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
        size = 0 if status in (204, 304) else random.randrange(200, 40_000)
        line = (
            f'{ip} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size} '
            f'"{referrer}" "{agent}"'
        )
        self.out.append((when, line))


def fill(path: str, rng: random.Random) -> str:
    return path.format(
        n=rng.randrange(1, 5000),
        v=rng.randrange(100, 999),
        p=rng.randrange(1, 20),
        e=quote_plus(f"user{rng.randrange(999)}@ex.com"),
        q=quote_plus(rng.choice(SEARCHES)),
    )


def browse(log: Log, rng: random.Random, ip: str, start: datetime) -> datetime:
    agent, at, ref = rng.choice(BROWSERS), start, "-"
    site = f"https://shop{rng.randrange(1, 40)}.example"
    for i in range(rng.randrange(3, 25)):
        page = fill(rng.choice(PAGES), rng)
        if rng.random() < 0.15:
            page = "/search?q=" + quote_plus(rng.choice(SEARCHES))
        status = 404 if rng.random() < 0.03 else (302 if page == "/checkout" else 200)
        if rng.random() < 0.05 and i == 0:
            page, status = rng.choice([("/admin/", 200), ("/wp-admin/", 200), ("/admin/", 403)])
        log.add(at, ip, "GET", page, status, agent, ref)
        for _ in range(rng.randrange(0, 6)):
            log.add(
                at + timedelta(milliseconds=rng.randrange(50, 900)),
                ip,
                "GET",
                fill(rng.choice(ASSETS), rng),
                rng.choice([200, 200, 304]),
                agent,
                site + page,
            )
        if i == 0:
            for extra in ("/favicon.ico", "/apple-touch-icon.png"):
                if rng.random() < 0.5:
                    log.add(at, ip, "GET", extra, rng.choice([200, 404]), agent)
        if page == "/account" and rng.random() < 0.3:
            log.add(at, ip, "POST", "/login", rng.choice([200, 200, 401]), agent, site + page)
        ref = site + page
        at += timedelta(seconds=rng.expovariate(1 / 25))
    return at


def api_client(log: Log, rng: random.Random, ip: str, start: datetime) -> datetime:
    agent, at = rng.choice(API_AGENTS), start
    for _ in range(rng.randrange(20, 300)):
        target = fill(rng.choice(API), rng)
        roll = rng.random()
        status = (
            404
            if roll < 0.04
            else 401
            if roll < 0.05
            else 429
            if roll < 0.06
            else 422
            if roll < 0.07
            else 200
        )
        method = rng.choice(["GET", "GET", "GET", "POST", "PUT", "DELETE"])
        if status == 401:
            log.add(at, ip, "POST", "/oauth/token", 200, agent)
        log.add(at, ip, method, target, status, agent)
        at += timedelta(seconds=rng.expovariate(1 / 3))
    return at


def link_checker(log: Log, rng: random.Random, ip: str, start: datetime) -> datetime:
    at = start
    for i in range(rng.randrange(100, 600)):
        target = f"/docs/{rng.randrange(1, 3000)}/{rng.choice(['intro', 'setup', 'faq'])}"
        log.add(at, ip, "HEAD", target, 404 if rng.random() < 0.08 else 200, "LinkChecker/10.2")
        if i % 50 == 0:
            log.add(at, ip, "GET", "/robots.txt", rng.choice([200, 404]), "LinkChecker/10.2")
        at += timedelta(seconds=rng.uniform(0.5, 2.0))
    return at


def monitor(log: Log, rng: random.Random, ip: str, start: datetime) -> datetime:
    at = start
    for _ in range(rng.randrange(50, 200)):
        log.add(at, ip, "GET", "/health", 200 if rng.random() < 0.99 else 503, "kube-probe/1.29")
        at += timedelta(seconds=30)
    return at


def generate(lines: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    random.seed(seed)  # Log.add draws response sizes from the module generator
    out: list[tuple[datetime, str]] = []
    log = Log(out)
    start = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    kinds = [(browse, 0.6), (api_client, 0.3), (link_checker, 0.05), (monitor, 0.05)]
    while len(out) < lines:
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        ip = (
            f"{rng.choice(['10.1', '10.2', '172.16'])}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        )
        kind(log, rng, ip, start + timedelta(seconds=rng.uniform(0, 86_400)))
    out.sort(key=lambda pair: pair[0])
    return [line for _, line in out[:lines]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.stdout.write("\n".join(generate(args.lines, args.seed)) + "\n")


if __name__ == "__main__":
    main()
