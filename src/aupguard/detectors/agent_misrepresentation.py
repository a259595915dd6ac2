"""Agents who claim to be someone they are not, or use a fraudster's script: roles count."""

from __future__ import annotations

from collections.abc import Sequence

from aupguard.content.features import analysis_of
from aupguard.content.models import ENCODER, LINEAR, artifact_hash, linear_model
from aupguard.content.scoring import scores_of
from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec, excerpt
from aupguard.detectors.content_models import (
    TEXT_CHANNELS,
    ContentModelsDetector,
    ContentOptions,
    evidence_for,
    unsupported_language,
)
from aupguard.detectors.context import Context
from aupguard.events.views import Views


class AgentMisrepresentationDetector(Detector):
    name = "agent_misrepresentation"
    version = "1"
    description = (
        "Reads only the tenant's side of a conversation (agent and bot turns; customers "
        "left out) for claims to be another organisation (an agency, the police, a court, "
        "a bank or brand that is not the tenant's own) and for a fraud script: gift cards, "
        "wires or crypto, remote-access tools, threats of arrest, secrets under a false name."
    )
    channels = TEXT_CHANNELS
    signals = (
        SignalSpec(
            "AGENT_MISREPRESENTATION",
            "The tenant's agent speaks a fraud script or under a false identity (model).",
        ),
        SignalSpec(
            "CLAIMS_OTHER_ORG",
            "The tenant's agent introduces themself as an organisation not the tenant's own.",
        ),
        SignalSpec(
            "LANGUAGE_UNSUPPORTED",
            "The text is in a language the content models do not know: no clean pass.",
        ),
    )
    Options = ContentOptions
    model_hash = artifact_hash(LINEAR, ENCODER)
    load = ContentModelsDetector.load  # the same models, the same options

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        assert isinstance(self.options, ContentOptions)
        opts = self.options
        analysis = analysis_of(view, ctx.directory)
        if analysis.empty:
            return []
        found: list[Finding] = []
        known_tenant = ctx.directory is not None and bool(view.event.tenant)
        others = [c for c in analysis.claims if not c.own]
        if others and known_tenant:
            evidence = []
            for claim in others[:3]:
                span = analysis.span_of(claim.start, claim.end)
                note = f"claims to be {claim.name!r} ({claim.kind}); not a name of the tenant"
                if span is not None:
                    lo, hi = span
                    evidence.append(Evidence("text", excerpt(analysis.text, lo, hi), lo, hi, note))
                else:
                    evidence.append(Evidence("text", detail=note))
            found.append(self.signal("CLAIMS_OTHER_ORG", 1.0, *evidence))
        scores = scores_of(view, analysis, opts.policy(), ("misrep",))
        p = scores.final("misrep")
        if p >= opts.emit_min:
            detail = f"first stage {scores.first['misrep']:.2f}"
            if "misrep" in scores.second:
                detail += f", second stage {scores.second['misrep']:.2f}"
            ev = evidence_for(view, analysis, "misrep:", detail)
            found.append(self.signal("AGENT_MISREPRESENTATION", p, *ev))
        lang = unsupported_language(view, linear_model().languages)
        if lang is not None:
            ev2 = Evidence("text", detail=f"language {lang}; the misrepresentation model knows en")
            found.append(self.signal("LANGUAGE_UNSUPPORTED", 1.0, ev2))
        return found
