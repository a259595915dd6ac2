"""Every table, one module per concept; importing this package registers them all."""

from aupguard.store.models.access import ApiKey, Reviewer, WebSession
from aupguard.store.models.audit import AuditCheckpoint, AuditEntry, VerdictBatch
from aupguard.store.models.banks import BankEntryRow, HashBankRow, HeldEvidence
from aupguard.store.models.base import Base
from aupguard.store.models.cases import Action, Appeal, Case, CaseItem, Strike
from aupguard.store.models.decisions import AppliedEvent, SendLogRow, VerdictRecord
from aupguard.store.models.notify import OutboxMessage
from aupguard.store.models.policy import Acceptance, AupVersion, ConsentMark, RulesetVersion
from aupguard.store.models.reports import ReporterRow, ReportRow
from aupguard.store.models.tenants import IdentityRow, StatusRow, StatusVersion, Tenant

__all__ = [
    "Acceptance",
    "Action",
    "ApiKey",
    "Appeal",
    "AppliedEvent",
    "AuditCheckpoint",
    "AuditEntry",
    "AupVersion",
    "BankEntryRow",
    "Base",
    "Case",
    "CaseItem",
    "ConsentMark",
    "HashBankRow",
    "HeldEvidence",
    "IdentityRow",
    "OutboxMessage",
    "ReportRow",
    "ReporterRow",
    "Reviewer",
    "RulesetVersion",
    "SendLogRow",
    "StatusRow",
    "StatusVersion",
    "Strike",
    "Tenant",
    "VerdictBatch",
    "VerdictRecord",
    "WebSession",
]
