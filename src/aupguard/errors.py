"""Every exception aupguard raises, in one hierarchy.

    AupguardError                 base of everything below
    ├── InputError                an input (file, JSON line, raw message) cannot be read as an event
    │   └── EventSchemaError      a JSON event has a wrong or missing field
    ├── PolicyError               the AUP document or the ruleset is invalid (carries file:line)
    ├── RegistryError             a detector plugin is malformed or a name is registered twice
    ├── ConfigError               a setting or command-line option is invalid
    ├── ModelError                a shipped or trained model file cannot be used
    ├── StoreError                the database refused or lost a write
    │   └── NotFound              a record asked for by id does not exist
    ├── EnforcementError          an action is not allowed (e.g. needs a second person)
    ├── AuditError                the audit trail cannot be sealed, signed or read as asked
    ├── DeliveryError             a notice could not be delivered (permanent or worth a retry)
    ├── ReportError               an abuse report cannot be taken in
    │   └── Rejection             an abuse report is rejected; `field` names what was wrong
    └── DnsError                  a DNS look-up for e-mail authentication failed for good
        └── DnsTempError          it missed its deadline or the server failed: TEMPERROR

Errors are for people: the message says what was wrong, where, and what to do.
"""

from __future__ import annotations


class AupguardError(Exception):
    """Base class of every aupguard error."""


class InputError(AupguardError):
    """An input cannot be read as an event; `source` names the file (and index)."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)


class EventSchemaError(InputError):
    """A JSON event has a missing or wrongly typed field."""


class PolicyError(AupguardError):
    """The AUP document or the ruleset failed validation at load time."""

    def __init__(self, problems: list[tuple[str, int | None, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(self.format_problem(*p) for p in problems))

    @staticmethod
    def format_problem(path: str, line: int | None, message: str) -> str:
        return f"{path}:{line}: {message}" if line is not None else f"{path}: {message}"


class RegistryError(AupguardError):
    """A detector plugin is malformed or registers a name twice."""


class ConfigError(AupguardError):
    """A setting or command-line option is invalid."""


class ModelError(AupguardError):
    """A model file is missing, unreadable or of an unknown format."""


class StoreError(AupguardError):
    """The database refused or lost a write."""


class NotFound(StoreError):
    """A record asked for by id does not exist."""


class EnforcementError(AupguardError):
    """An action is not allowed as asked (e.g. it needs a second person)."""


class AuditError(AupguardError):
    """The audit trail cannot be sealed, checkpointed or verified as asked (key, files)."""


class DeliveryError(AupguardError):
    """A notice could not be delivered; `permanent` ones are dead-lettered at once."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


class ReportError(AupguardError):
    """An abuse report cannot be taken in."""


class Rejection(ReportError):
    """An abuse report is rejected: `field` names the part that is wrong, `reason` says how."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class DnsError(AupguardError):
    """A DNS look-up failed for good (bad name, refused); authentication reports PERMERROR."""


class DnsTempError(DnsError):
    """A DNS look-up missed its deadline or the server failed; authentication reports TEMPERROR."""
