"""Shared test set-up: golden files (--update-golden), corpora location, small builders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"


def _find_corpora() -> Path:
    """$AUPGUARD_CORPORA, else the nearest `shared/corpora` above the repository."""
    env = os.environ.get("AUPGUARD_CORPORA")
    if env:
        return Path(env)
    for parent in TESTS.resolve().parents:
        if (parent / "shared" / "corpora").is_dir():
            return parent / "shared" / "corpora"
    return TESTS.parent.parent / "shared" / "corpora"


CORPORA = _find_corpora()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


class Golden:
    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, text: str) -> None:
        path = GOLDEN / name
        if self.update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not self.update:
                pytest.fail(f"golden file {name} was missing and has been written; rerun")
        assert text == path.read_text(encoding="utf-8"), f"differs from golden/{name}"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-golden")))


def corpus(name: str) -> Path:
    """A folder of ../shared/corpora, or a skip saying why it is not there."""
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"corpus {name} not found at {path} (only on developer and CI machines)")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated-on-first-use database URL: SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'aupguard.db'}"
    else:
        from tests.servers import postgres_schema

        with postgres_schema() as url:
            yield url
