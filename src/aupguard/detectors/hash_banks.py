"""Attachments whose SHA-256, MD5 or PDQ hash is in a bank: CSAM, terrorist content, piracy."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.banks.hashing import hashes_of
from aupguard.banks.model import PDQ_MATCH_DISTANCE, BankHit, Purpose
from aupguard.detectors.base import (
    MESSAGE_CHANNELS,
    Detector,
    Evidence,
    Finding,
    SignalSpec,
)
from aupguard.detectors.context import Context
from aupguard.events.views import Views

SIGNAL_OF = {
    Purpose.CSAM: "CSAM_HASH_MATCH",
    Purpose.TERROR: "TERROR_HASH_MATCH",
    Purpose.IP: "IP_HASH_MATCH",
}


class HashBankOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pdq_max_distance: int = Field(default=PDQ_MATCH_DISTANCE, ge=0, le=64)
    pdq_min_quality: int = Field(default=50, ge=0, le=100)  # flat images hash to noise
    max_attachments: int = Field(default=50, ge=1)


class HashBanksDetector(Detector):
    name = "hash_banks"
    channels = MESSAGE_CHANNELS
    version = "1"
    description = (
        "Hashes attachments (SHA-256, MD5 and, for images, PDQ) and looks them up in the "
        "hash banks: child sexual abuse material, terrorist content, known infringing files. "
        "Evidence names the bank and the distance, never the media."
    )
    signals = (
        SignalSpec("CSAM_HASH_MATCH", "An attachment matches the child-safety hash bank.", True),
        SignalSpec(
            "TERROR_HASH_MATCH", "An attachment matches a terrorist-content hash bank.", True
        ),
        SignalSpec(
            "IP_HASH_MATCH", "An attachment matches a bank of known infringing files.", True
        ),
    )
    Options = HashBankOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        assert isinstance(self.options, HashBankOptions)
        banks = ctx.banks
        if banks is None or not len(banks):
            return []
        found: dict[str, list[Evidence]] = {}
        for att in view.attachments[: self.options.max_attachments]:
            is_image = att.sniffed_type.startswith("image/") and banks.has_pdq
            hashes = hashes_of(att.data, is_image)
            hits: list[BankHit] = [
                *banks.match_digest("sha256", hashes.sha256),
                *banks.match_digest("md5", hashes.md5),
            ]
            if hashes.pdq and hashes.pdq_quality >= self.options.pdq_min_quality:
                hits += banks.match_pdq(hashes.pdq, self.options.pdq_max_distance)
            for hit in hits:
                e = hit.entry
                detail = f"bank {e.bank} ({e.purpose.value}), {e.algorithm}"
                detail += f" distance {hit.distance}" if e.algorithm == "pdq" else " exact"
                detail += f"; sha256 {hashes.sha256}"
                ev = Evidence(att.part, excerpt="", detail=detail)
                found.setdefault(SIGNAL_OF[e.purpose], []).append(ev)
        return [self.signal(name, 1.0, *evs[:5]) for name, evs in found.items()]
