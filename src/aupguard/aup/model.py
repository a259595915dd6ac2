"""The AUP document: what tenants agree to. Clauses with ids, titles and verbatim text."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CLAUSE_IDS = (
    "phishing",
    "malware",
    "adult-content",
    "violence",
    "ip-infringement",
    "unauthorized-access",
    "origin-forgery",
    "misrepresentation",
    "message-abuse",
    "illegal-harmful",
)
_CLAUSE_ID = re.compile(r"^[a-z][a-z0-9-]{1,40}$")


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str = Field(min_length=3)
    text: str = Field(min_length=10)  # verbatim policy text
    severity: int = Field(default=2, ge=1, le=4)  # 4 = most severe; sets case due times

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _CLAUSE_ID.match(value):
            raise ValueError("clause ids are lower-case words joined by '-'")
        return value


class AupDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(pattern=r"^\d+(\.\d+){0,2}$")
    effective: date
    title: str
    preamble: str = ""
    clauses: list[Clause]
    enforcement: str = ""  # what the operator may do (suspend, terminate)
    changes: str = ""  # how changes are announced
    reporting: str = ""  # how to report a violation

    @model_validator(mode="after")
    def _unique_ids(self) -> AupDocument:
        seen: set[str] = set()
        for clause in self.clauses:
            if clause.id in seen:
                raise ValueError(f"clause id {clause.id!r} appears twice")
            seen.add(clause.id)
        return self

    @cached_property
    def by_id(self) -> dict[str, Clause]:
        return {c.id: c for c in self.clauses}

    @cached_property
    def digest(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()
