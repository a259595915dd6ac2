"""Fixtures for the malware detectors: decoded ClamAV test files and a real clamd."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.detectors.malware_samples import decode_clamav_files, start_clamd


@pytest.fixture(scope="session")
def clamav_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return decode_clamav_files(tmp_path_factory.mktemp("clamav-files"))


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # A short path: unix socket paths are limited to ~100 bytes.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="clamd-") as tmp:
        yield from start_clamd(Path(tmp))
