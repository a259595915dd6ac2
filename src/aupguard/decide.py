"""The one decision component every entry point calls: status, engine, record, enforce."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from aupguard.aup.load import load_document
from aupguard.aup.model import AupDocument
from aupguard.aup.versions import document_of, in_force, publish, published
from aupguard.banks.lists import load_snapshot
from aupguard.banks.model import BankSnapshot
from aupguard.detectors.context import Context
from aupguard.enforce import counters
from aupguard.enforce.consent import DurableConsent
from aupguard.enforce.identities import IdentitySnapshot
from aupguard.enforce.status import Status, StatusCache
from aupguard.enforce.tenants import snapshot
from aupguard.engine import Engine
from aupguard.errors import EnforcementError
from aupguard.events.model import Event
from aupguard.events.views import Views
from aupguard.judged import Judged, enforces, refusal_of
from aupguard.recording import EventFacts, facts_of, record
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action, Ruleset
from aupguard.rules.verdict import Verdict
from aupguard.settings import Settings
from aupguard.state.base import StateStore
from aupguard.state.memory import MemoryState
from aupguard.store.db import Store
from aupguard.store.models import AppliedEvent, Tenant

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Decision:
    event_id: str
    action: str  # allow, flag, hold, defer, block
    reason: str
    case_ref: str | None = None
    feedback_token: str | None = None
    verdict: Verdict | None = None  # None when refused by status or replayed
    replayed: bool = False


class Decider:
    """Built once per process; `decide` is safe to call from many processes at once."""

    def __init__(
        self,
        store: Store,
        *,
        ruleset: Ruleset | None = None,
        state: StateStore | None = None,
        settings: Settings | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        # Opt-outs are durable: written through to the database, reloaded at start.
        self.state: StateStore = DurableConsent(state or MemoryState(), store)
        self.ruleset = ruleset or (engine.ruleset if engine else load_ruleset())
        self.counter_ttl_s = counters.window_s(self.ruleset)  # sent:<tenant> for the rates
        self.documents = self._documents()
        newest = self.documents[max(self.documents, key=lambda v: tuple(map(int, v.split("."))))]
        self.engine = engine or Engine(self.ruleset, newest)
        self.token_key = self.settings.secret("token")
        self._bus: Any = None  # redis client for status announcements, made on first use
        self._accepted: set[tuple[str, str]] = set()  # (tenant, AUP version) known accepted
        self.status = StatusCache(store)
        self.status.refresh()
        self.directory = self._directory()
        self.resolver = self.settings.resolver()
        self.banks: BankSnapshot = load_snapshot(store)
        from aupguard.enforce.rulesets import activate

        activate(store, self.ruleset, actor="system")

    def _documents(self) -> dict[str, AupDocument]:
        try:
            return self._load_documents()
        except (IntegrityError, EnforcementError):  # another process published it first
            return self._load_documents()

    def _load_documents(self) -> dict[str, AupDocument]:
        with self.store.write() as s:
            rows = published(s)
            if not rows:  # a new database starts with the shipped document in force
                path_doc = load_document()
                from aupguard.aup.load import DEFAULT_PATH

                publish(
                    s,
                    path_doc,
                    DEFAULT_PATH.read_text("utf-8"),
                    actor="system",
                    now=datetime.now(UTC),
                )
                rows = published(s)
            self._versions = rows
            return {r.version: document_of(r) for r in rows}

    def _directory(self) -> IdentitySnapshot:
        with self.store.read() as s:
            return snapshot(s)

    def reload(self) -> None:
        """Pick up new identities, status changes and published AUP versions."""
        self.documents = self._documents()
        self.directory = self._directory()
        self.banks = load_snapshot(self.store)
        self.status.refresh()

    def decide(self, event: Event) -> Decision:
        """Decide once per event id. A redelivery is evaluated again (state is applied once
        per id) and then finds the stored decision when it tries to record: no pre-read."""
        j = self._judge(0, event)
        event, facts, verdict, current = j.event, j.facts, j.verdict, j.current
        refusal, document, views = j.refusal, j.document, j.views
        try:
            decision = self._record(event, facts, verdict, current, refusal, document, views)
        except IntegrityError:  # another process decided this event id first
            replay = self._replay(event.id)
            assert replay is not None
            return replay
        if ((decision.verdict is not None and decision.verdict.violated) or refusal) and (
            self.status.refresh()
        ):
            self._announce()
        return decision

    def _status_of(self, event: Event) -> tuple[Status, EventFacts | None]:
        """The status that applies, and the facts it took (identity and campaign keys cost a
        hash of the content: worked out only for tenants that have a status at all)."""
        if not self.status.has_status(event.tenant):
            return self.status.check(event.tenant, event.channel.value), None
        facts = facts_of(event, self.token_key)
        return self.status.check(event.tenant, event.channel.value, facts.identities), facts

    def _announce(self) -> None:
        """Tell gateways the status version moved (best effort: they poll anyway)."""
        if not self.settings.status_bus:
            return
        try:
            import redis

            from aupguard.enforce.statusbus import publish_version

            if self._bus is None:
                self._bus = redis.Redis.from_url(self.settings.status_bus)
            publish_version(self._bus, self.status.version)
        except Exception as exc:  # a lost notice costs only speed
            log.warning("status bus %s unavailable: %s", self.settings.status_bus, exc)

    def _replay(self, event_id: str) -> Decision | None:
        with self.store.read() as s:
            row = s.get(AppliedEvent, event_id)
            if row is None:
                return None
            from aupguard.store.models import SendLogRow

            log = s.get(SendLogRow, event_id)
            return Decision(
                event_id,
                row.action,
                row.reason,
                row.case_ref,
                log.feedback_token if log else None,
                None,
                replayed=True,
            )

    def _record(
        self,
        event: Event,
        facts: EventFacts,
        verdict: Verdict | None,
        current: Status,
        refusal: tuple[Action, str] | None,
        document: AupDocument,
        views: Views | None = None,
    ) -> Decision:
        enforce = enforces(verdict)
        with self.store.write() as s:
            tenant = None
            if event.tenant and enforce:  # serialise enforcement per tenant across processes
                tenant = s.execute(
                    select(Tenant).where(Tenant.id == event.tenant).with_for_update()
                ).scalar()
            outcome = record(
                s,
                event,
                facts,
                verdict,
                refusal,
                current,
                tenant,
                self.ruleset,
                document,
                self.settings,
                self._versions,
                self._accepted,
                views,
            )
        return Decision(
            event.id,
            outcome.action,
            outcome.reason,
            outcome.case_ref,
            facts.feedback_token,
            verdict,
        )

    def decide_many(
        self, events: Sequence[Event], on_event: Callable[[int | None], None] | None = None
    ) -> list[Decision | Exception]:
        """Decide a batch with `decide`'s semantics per event, committed in one transaction.

        Per event id once: an id already stored or repeated inside the batch is a replay.
        The status cache is asked first. An event that reaches enforcement is committed on
        its own after the events before it (the lock order of `decide`), so the status it
        may change is refreshed before the next is judged.
        An event that fails comes back as its exception; when the batch transaction fails,
        each event is recorded on its own, so one bad event does not poison the others.
        `on_event(i)` is called before event i is judged, `on_event(None)` before writing.
        """
        results: list[Decision | Exception | None] = [None] * len(events)
        first: dict[str, int] = {}
        chunk: list[Judged] = []
        for i, event in enumerate(events):
            if event.id in first:
                continue  # a duplicate inside the batch: answered by the first's decision
            first[event.id] = i
            if on_event:
                on_event(i)
            try:
                judged = self._judge(i, event)
            except Exception as exc:  # the worker leaves it pending; others go on
                log.exception("judging %s failed", event.id)
                results[i] = exc
                continue
            if judged.enforce:
                # Alone, as `decide` would: the tenant's row lock comes before the audit
                # chain's, which an earlier event of the chunk (acceptance by use) may hold;
                # two workers taking them in opposite orders deadlocked.
                self._commit_batch(chunk, results, on_event)
                self._commit_batch([judged], results, on_event)
                chunk = []
            else:
                chunk.append(judged)
        self._commit_batch(chunk, results, on_event)
        out: list[Decision | Exception] = []
        for i, event in enumerate(events):
            result = results[i]
            if result is None:  # repeated inside the batch
                earlier = results[first[event.id]]
                assert earlier is not None
                result = (
                    replace(earlier, verdict=None, replayed=True)
                    if isinstance(earlier, Decision)
                    else earlier
                )
            out.append(result)
        return out

    def _judge(self, index: int, event: Event) -> Judged:
        """Status, then the engine (observations applied once per id): no database write."""
        current, early = self._status_of(event)
        row = in_force(self._versions, event.time.date())
        document = self.documents[row.version] if row else self.engine.document
        verdict: Verdict | None = None
        views: Views | None = None
        refusal = refusal_of(current)
        if refusal is None:
            ctx = Context(
                state=self.state,
                directory=self.directory,
                now=event.time,
                resolver=self.resolver,
                banks=self.banks,
            )
            evaluation = self.engine.evaluate(event, ctx, document_version=document.version)
            sent = counters.sent(event, self.counter_ttl_s)
            self.state.apply(event.id, [*evaluation.observations, *sent], event.time)
            verdict, views = evaluation.verdict, evaluation.views
        facts = (
            early if views is None and early is not None else facts_of(event, self.token_key, views)
        )
        return Judged(index, event, facts, verdict, current, refusal, document, views)

    def _commit_batch(
        self,
        chunk: list[Judged],
        results: list[Decision | Exception | None],
        on_event: Callable[[int | None], None] | None,
    ) -> None:
        if not chunk:
            return
        if on_event:
            on_event(None)
        accepted = set(self._accepted)
        try:
            decided = self._write_batch(chunk)
        except Exception as exc:  # roll back and record one by one
            log.warning("batch of %d failed (%s); recording one by one", len(chunk), exc)
            self._accepted.clear()
            self._accepted.update(accepted)  # acceptances of the rolled-back batch
            decided = [self._record_alone(j) for j in chunk]
        for j, result in zip(chunk, decided, strict=True):
            results[j.index] = result
        changed = any(j.refusal for j in chunk) or any(
            isinstance(d, Decision) and d.verdict is not None and d.verdict.violated
            for d in decided
        )
        if changed and self.status.refresh():
            self._announce()

    def _write_batch(self, chunk: list[Judged]) -> list[Decision | Exception]:
        """One transaction: ids stored already are replays; only the last may enforce."""
        with self.store.write() as s:
            ids = [j.event.id for j in chunk]
            stored = {
                row.event_id: row
                for row in s.execute(
                    select(AppliedEvent).where(AppliedEvent.event_id.in_(ids))
                ).scalars()
            }
            out: list[Decision | Exception] = []
            for j in chunk:
                row = stored.get(j.event.id)
                if row is not None:
                    out.append(
                        Decision(
                            j.event.id,
                            row.action,
                            row.reason,
                            row.case_ref,
                            j.facts.feedback_token,
                            None,
                            replayed=True,
                        )
                    )
                    continue
                tenant = None
                if j.event.tenant and j.enforce:  # the same lock order as `_record`
                    tenant = s.execute(
                        select(Tenant).where(Tenant.id == j.event.tenant).with_for_update()
                    ).scalar()
                outcome = record(
                    s,
                    j.event,
                    j.facts,
                    j.verdict,
                    j.refusal,
                    j.current,
                    tenant,
                    self.ruleset,
                    j.document,
                    self.settings,
                    self._versions,
                    self._accepted,
                    j.views,
                )
                out.append(
                    Decision(
                        j.event.id,
                        outcome.action,
                        outcome.reason,
                        outcome.case_ref,
                        j.facts.feedback_token,
                        j.verdict,
                    )
                )
        return out

    def _record_alone(self, j: Judged) -> Decision | Exception:
        """`decide`'s own recording path for one judged event; its failure is returned."""
        try:
            try:
                return self._record(
                    j.event, j.facts, j.verdict, j.current, j.refusal, j.document, j.views
                )
            except IntegrityError:  # decided by another process, or a conflicting row
                replay = self._replay(j.event.id)
                if replay is None:
                    raise
                return replay
        except Exception as exc:
            log.exception("recording %s failed", j.event.id)
            return exc
