"""py3langid's model from an uncompressed copy in the user's cache folder.

py3langid 0.4 ships its model LZMA-packed (4.6 MB, 68 MB unpacked): unpacking takes 0.3 s
at every start of every process that meets a non-English text. The first start keeps the
unpacked arrays as .npy files under `$XDG_CACHE_HOME/aupguard` (default `~/.cache`), keyed
by the model file's size and SHA-256; later starts map them (0.02 s), and forked workers
share the mapped pages. A cache that cannot be written or read changes nothing: py3langid
then loads its own file, as without this module. `AUPGUARD_CACHE=off` turns it off.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def cache_folder() -> Path | None:
    """Where aupguard keeps derived files, or None when caching is turned off."""
    if os.environ.get("AUPGUARD_CACHE", "").lower() in ("off", "0", "no"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aupguard"


def install() -> bool:
    """Make py3langid's global identifier from the cache (unpacking into it the first
    time); False when it could not, and py3langid will load its own file on first use."""
    import py3langid.langid as langid

    if langid.IDENTIFIER is not None:
        return True
    folder = cache_folder()
    if folder is None:
        return False
    source = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    try:
        data = source.read_bytes()
        target = folder / f"py3langid-{len(data)}-{hashlib.sha256(data).hexdigest()[:16]}"
        if not (target / "complete").exists():
            _unpack(data, target)
        langid.IDENTIFIER = _identifier(langid, target)
    except Exception:  # any failure here: py3langid's own loader, unchanged behaviour
        return False
    return True


def _unpack(packed: bytes, target: Path) -> None:
    import numpy as np

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".py3langid-", dir=target.parent))
    try:
        with np.load(io.BytesIO(lzma.decompress(packed)), allow_pickle=False) as npz:
            for name in _ARRAYS:
                np.save(staging / f"{name}.npy", npz[name], allow_pickle=False)
        (staging / "complete").touch()
        try:
            staging.rename(target)  # whole or not at all; a concurrent process may win
        except OSError:
            if not (target / "complete").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _identifier(langid: Any, folder: Path) -> Any:
    """The same object py3langid builds from its packed file (modelio.load_model)."""
    import numpy as np
    from py3langid.modelio import _to_array

    def read(name: str, mmap: bool = False) -> Any:
        return np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None)

    return langid.LanguageIdentifier(
        read("ptc", mmap=True),
        read("pc"),
        read("classes").tolist(),
        _to_array(read("nextmove")),
        read("out_feat").tolist(),
        tk_row=_to_array(read("nextmove_row")),
    )
