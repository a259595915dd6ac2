"""Load and validate AUP documents; the shipped default lives in default/aup.yaml."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from aupguard import datafile
from aupguard.aup.model import AupDocument

DEFAULT_PATH = Path(str(files("aupguard.aup") / "default" / "aup.yaml"))


def load_document(path: Path | None = None) -> AupDocument:
    """The AUP document at `path` (the shipped default when None); PolicyError names lines."""
    return datafile.load(AupDocument, path or DEFAULT_PATH)
