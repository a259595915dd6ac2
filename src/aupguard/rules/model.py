"""The ruleset: how aupguard enforces the AUP document. Data, validated at load, hashed."""

from __future__ import annotations

import enum
import hashlib
import json
import re
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

_SIGNAL = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
# Report mapping keys: "<family>" or "<family>:<type>" (docs/reports.md, "Mapping keys").
_REPORT_KEY = re.compile(
    r"^(arf|xarf|xarf-legacy|dsn|complaint|form|api)(:[a-z0-9][a-z0-9_.-]{0,40}(/[a-z0-9_.-]{1,40})?)?$"
)


class Action(enum.IntEnum):
    """What happens to one event, ordered by severity so the worst clause wins."""

    ALLOW = 0
    FLAG = 1
    HOLD = 2
    DEFER = 3
    BLOCK = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Action:
        return cls[text.upper()]


class Mode(enum.StrEnum):
    ENFORCE = "enforce"
    SHADOW = "shadow"  # computed and recorded, never acted on
    OFF = "off"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(Strict):
    """Score at or above which each action applies; null disables that action."""

    flag: float | None = Field(default=0.3, ge=0, le=1)
    hold: float | None = Field(default=0.6, ge=0, le=1)
    defer: float | None = Field(default=None, ge=0, le=1)
    block: float | None = Field(default=0.9, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        last, last_name = -1.0, ""
        for name in ("flag", "hold", "defer", "block"):
            value = getattr(self, name)
            if value is None:
                continue
            if value < last:
                raise ValueError(f"{name} ({value}) is below {last_name} ({last}): must not fall")
            last, last_name = value, name
        return self

    def action_for(self, score: float) -> Action:
        for name, action in (
            ("block", Action.BLOCK),
            ("defer", Action.DEFER),
            ("hold", Action.HOLD),
            ("flag", Action.FLAG),
        ):
            value = getattr(self, name)
            if value is not None and score >= value and score > 0:
                return action
        return Action.ALLOW


class Combo(Strict):
    """Weight that counts only when every signal in `all_of` fired (e.g. bulk AND no auth)."""

    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    all_of: list[str] = Field(min_length=2)
    weight: float = Field(ge=-1, le=1)


class ClauseRules(Strict):
    mode: Mode = Mode.ENFORCE
    signals: dict[str, float] = Field(default_factory=dict)  # signal -> weight in [-1, 1]
    combos: list[Combo] = Field(default_factory=list)
    thresholds: Thresholds | None = None  # defaults.thresholds when absent
    on_detector_error: Literal["allow", "flag", "hold", "defer"] | None = None
    # Signals whose violation puts the case under legal hold: evidence preserved with
    # restricted access, blurred media only, marked for the legal reporting duty (CSAM).
    legal_hold_on: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _legal_hold_signals_weigh(self) -> ClauseRules:
        for name in self.legal_hold_on:
            if self.signals.get(name, 0) <= 0:
                raise ValueError(f"legal_hold_on names {name}, which has no positive weight")
        return self

    @field_validator("signals")
    @classmethod
    def _signal_names(cls, value: dict[str, float]) -> dict[str, float]:
        for name, weight in value.items():
            if not _SIGNAL.match(name):
                raise ValueError(f"signal {name!r} is not an UPPER_SNAKE name")
            if not -1 <= weight <= 1:
                raise ValueError(f"weight of {name} is {weight}; expected a number in [-1, 1]")
        return value


class DetectorRules(Strict):
    mode: Mode = Mode.ENFORCE
    options: dict[str, Any] = Field(default_factory=dict)


class Exception_(Strict):
    """Signals that do not count towards a clause when any of `when_any` fired too."""

    clause: str
    when_any: list[str] = Field(min_length=1)
    suppress: list[str] = Field(default_factory=list)  # empty: every signal of the clause
    reason: str = Field(min_length=5)


class LadderStep(Strict):
    strikes: int = Field(ge=1)
    action: Literal["warn", "restrict", "suspend", "terminate"]
    scope: Literal["tenant", "channel", "identity", "campaign", "agent"] = "tenant"
    restriction: Literal["throttle", "defer", "block"] = "throttle"  # for `restrict` steps
    needs_deterministic: bool = False  # automatic only on signature/hash/feed evidence
    needs_second_person: bool = False


class Ladder(Strict):
    window_days: int = Field(default=90, ge=1, le=3650)
    distinct_events_for_suspend: int = Field(default=3, ge=1)
    steps: list[LadderStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _rising(self) -> Ladder:
        counts = [s.strikes for s in self.steps]
        if counts != sorted(counts) or len(set(counts)) != len(counts):
            raise ValueError("ladder steps must have strictly rising strike counts")
        return self


class Brakes(Strict):
    max_auto_actions_per_hour: int = Field(default=20, ge=1)
    jump_factor: float = Field(default=5.0, gt=1)  # vs the trailing 24 h hourly mean


class ReportThreshold(Strict):
    """How many authenticated reports about a tenant make one strike (docs/reports.md)."""

    every: int = Field(ge=1, description="counted reports per strike")
    window_hours: int = Field(default=24, ge=1, le=24 * 90)
    min_complaint_rate: float | None = Field(
        default=None, gt=0, le=1, description="and at least this share of the tenant's sends"
    )
    automatic_up_to: Literal["warn", "restrict", "suspend", "terminate"] = Field(
        default="restrict", description="stronger ladder steps wait for a person"
    )


class Defaults(Strict):
    thresholds: Thresholds = Thresholds()
    on_detector_error: Literal["allow", "flag", "hold", "defer"] = "hold"


class Ruleset(Strict):
    version: str = Field(min_length=1)
    document: str = Field(min_length=1, description="AUP document version this ruleset enforces")
    defaults: Defaults = Defaults()
    clauses: dict[str, ClauseRules]
    detectors: dict[str, DetectorRules] = Field(default_factory=dict)
    exceptions: list[Exception_] = Field(default_factory=list)
    ladders: dict[str, Ladder] = Field(default_factory=dict)  # clause id or "default"
    brakes: Brakes = Brakes()
    report_mapping: dict[str, str] = Field(default_factory=dict)  # report type -> clause
    report_thresholds: dict[str, ReportThreshold] = Field(default_factory=dict)  # or "default"

    @field_validator("report_mapping")
    @classmethod
    def _report_keys(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        clauses = info.data.get("clauses") or {}
        for key, clause in value.items():
            if not _REPORT_KEY.match(key):
                raise ValueError(
                    f"key {key!r} is not '<family>[:<type>]' with family one of arf, xarf, "
                    "xarf-legacy, dsn, complaint, form, api (e.g. xarf:content/phishing)"
                )
            if clauses and clause not in clauses:
                known = ", ".join(clauses)
                raise ValueError(
                    f"{key!r} names unknown clause {clause!r} (expected one of: {known})"
                )
        return value

    @field_validator("report_thresholds")
    @classmethod
    def _threshold_clauses(
        cls, value: dict[str, ReportThreshold], info: ValidationInfo
    ) -> dict[str, ReportThreshold]:
        clauses = info.data.get("clauses") or {}
        for name in value:
            if clauses and name != "default" and name not in clauses:
                known = ", ".join(clauses)
                raise ValueError(f"unknown clause {name!r} (expected 'default' or one of: {known})")
        return value

    @model_validator(mode="after")
    def _references(self) -> Ruleset:
        for i, exc in enumerate(self.exceptions):
            if exc.clause not in self.clauses:
                raise ValueError(f"exceptions[{i}] names unknown clause {exc.clause!r}")
        for name in self.ladders:
            if name != "default" and name not in self.clauses:
                raise ValueError(f"ladders names unknown clause {name!r}")
        if "default" not in self.ladders and set(self.clauses) - set(self.ladders):
            raise ValueError("ladders needs a 'default' ladder or one per clause")
        return self

    def thresholds_for(self, clause: str) -> Thresholds:
        return self.clauses[clause].thresholds or self.defaults.thresholds

    def ladder_for(self, clause: str) -> Ladder:
        return self.ladders.get(clause) or self.ladders["default"]

    def report_threshold_for(self, clause: str) -> ReportThreshold | None:
        """None: reports about this clause fill its cases but never add strikes."""
        return self.report_thresholds.get(clause) or self.report_thresholds.get("default")

    def detector_mode(self, name: str) -> Mode:
        rules = self.detectors.get(name)
        return rules.mode if rules else Mode.ENFORCE

    @cached_property
    def content_hash(self) -> str:
        """sha256 of the canonical JSON form: the same rules always hash the same."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    @cached_property
    def clauses_of_signal(self) -> dict[str, list[tuple[str, float]]]:
        out: dict[str, list[tuple[str, float]]] = {}
        for clause, rules in self.clauses.items():
            for name, weight in rules.signals.items():
                out.setdefault(name, []).append((clause, weight))
        return out
