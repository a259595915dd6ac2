"""Labelled training sets read from ../shared/corpora: tokens, labels and groups."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aupguard.errors import ConfigError, InputError
from aupguard.events.email import EmailView
from aupguard.events.normalize import views_for
from aupguard.events.sources import read_file

# Licences that allow shipping a model trained on them (shared/corpora/INDEX.md).
SHIPPABLE = frozenset({"spamassassin-public", "spamassassin-testdata", "sms-spam-collection"})


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """Feature tokens per item, with its label (True: spam) and group (folder or source)."""

    name: str
    docs: list[list[str]]
    labels: list[bool]
    groups: list[str]
    sources: list[str]


def find_corpora(start: Path | None = None) -> Path:
    """$AUPGUARD_CORPORA, else the nearest `shared/corpora` above `start` (or the cwd)."""
    env = os.environ.get("AUPGUARD_CORPORA")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for parent in (here, *here.parents):
        if (parent / "shared" / "corpora").is_dir():
            return parent / "shared" / "corpora"
    raise ConfigError("no shared/corpora above the current directory; set AUPGUARD_CORPORA")


def spamassassin_public(
    root: Path, featurize: Callable[[EmailView], list[str]], limit: int | None = None
) -> LabelledSet:
    """Every message in the folders present: `*ham*` is ham, `spam*` is spam."""
    folders = sorted(
        p for p in root.iterdir() if p.is_dir() and ("ham" in p.name or "spam" in p.name)
    )
    if not folders:
        raise ConfigError(f"{root}: no ham or spam folders; is this spamassassin-public?")
    out = LabelledSet(root.name, [], [], [], [])
    for folder in folders:
        files = sorted(p for p in folder.iterdir() if p.is_file())[:limit]
        for path in files:
            for item in read_file(path):
                if isinstance(item, InputError):
                    raise ConfigError(f"{item}: cannot train on an unreadable message")
                view = views_for(item)
                assert isinstance(view, EmailView)
                out.docs.append(featurize(view))
                out.labels.append(folder.name.startswith("spam"))
                out.groups.append(folder.name)
                out.sources.append(str(path))
    return out


def sms_spam_collection(
    root: Path, featurize: Callable[[str], list[str]], limit: int | None = None
) -> LabelledSet:
    """The UCI file: one `ham|spam<TAB>text` per line; a malformed line is an error."""
    path = root / "SMSSpamCollection" if root.is_dir() else root
    out = LabelledSet("sms-spam-collection", [], [], [], [])
    lines = path.read_text(encoding="utf-8").splitlines()[:limit]
    for n, line in enumerate(lines, 1):
        label, sep, text = line.partition("\t")
        if not sep or label not in ("ham", "spam"):
            raise ConfigError(f"{path}:{n}: expected 'ham' or 'spam', a tab, then the text")
        out.docs.append(featurize(text))
        out.labels.append(label == "spam")
        out.groups.append(label)
        out.sources.append(f"{path}:{n}")
    return out
