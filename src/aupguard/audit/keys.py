"""The Ed25519 checkpoint key: a file outside the database, created 0600, found by setting."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from aupguard.errors import AuditError

KEY_ENV = "AUPGUARD_AUDIT_KEY"
CHECKPOINTS_ENV = "AUPGUARD_AUDIT_CHECKPOINTS"


def key_path(path: str | Path | None = None) -> Path:
    """The path given, else $AUPGUARD_AUDIT_KEY; an error saying how to make one otherwise."""
    chosen = path or os.environ.get(KEY_ENV)
    if not chosen:
        raise AuditError(
            f"no audit key: pass --key PATH or set ${KEY_ENV} "
            "(create one with `aupguard audit keygen PATH`, outside the database's folder)"
        )
    return Path(chosen).expanduser()


def public_path(path: Path) -> Path:
    """Where the public half of the key at `path` is written: `<path>.pub`."""
    return path.with_name(path.name + ".pub")


def checkpoints_dir(key_file: Path, directory: str | Path | None = None) -> Path:
    """The directory given, else $AUPGUARD_AUDIT_CHECKPOINTS, else `checkpoints/` by the key."""
    chosen = directory or os.environ.get(CHECKPOINTS_ENV)
    return Path(chosen).expanduser() if chosen else key_file.parent / "checkpoints"


def key_id(public: Ed25519PublicKey) -> str:
    """A short stable name for a public key: the first 16 hex of sha256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The private signing key and the file it came from."""

    private: Ed25519PrivateKey
    path: Path

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate_key(path: str | Path) -> AuditKey:
    """Create a new key file (0600, never overwriting) and `<path>.pub` beside it."""
    target = Path(path).expanduser()
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AuditError(f"{target}: a key already exists; refusing to overwrite it") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_path(target).write_bytes(_public_pem(private.public_key()))
    return AuditKey(private, target)


def load_key(path: str | Path | None = None) -> AuditKey:
    """Read the private key (path, else $AUPGUARD_AUDIT_KEY); refuse one others can read."""
    source = key_path(path)
    try:
        mode = source.stat().st_mode
        data = source.read_bytes()
    except OSError as exc:
        raise AuditError(f"{source}: cannot read the audit key ({exc.strerror})") from None
    if mode & 0o077:
        raise AuditError(
            f"{source}: the audit key is readable by others (mode {mode & 0o777:o}); "
            f"run `chmod 600 {source}`"
        )
    private = serialization.load_pem_private_key(data, password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise AuditError(f"{source}: not an Ed25519 private key")
    return AuditKey(private, source)


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """A public key from a `.pub` PEM file, or derived from a private key file."""
    source = Path(path).expanduser()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise AuditError(f"{source}: cannot read the public key ({exc.strerror})") from None
    if b"PRIVATE KEY" in data:
        return load_key(source).public
    try:
        public = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise AuditError(f"{source}: not a PEM public key ({exc})") from None
    if not isinstance(public, Ed25519PublicKey):
        raise AuditError(f"{source}: not an Ed25519 public key")
    return public
