"""The built-in detectors, registered through the same hook as third-party plugins."""

from __future__ import annotations

from aupguard.detectors.agent_misrepresentation import AgentMisrepresentationDetector
from aupguard.detectors.base import Detector
from aupguard.detectors.caller_id import CallerIdDetector
from aupguard.detectors.content_models import ContentModelsDetector
from aupguard.detectors.eicar import EicarDetector
from aupguard.detectors.email_auth import EmailAuthDetector
from aupguard.detectors.flow_source import FlowSourceDetector
from aupguard.detectors.gtube import GtubeDetector
from aupguard.detectors.hash_banks import HashBanksDetector
from aupguard.detectors.hookspecs import hookimpl
from aupguard.detectors.impersonation import ImpersonationDetector
from aupguard.detectors.language import LanguageDetector
from aupguard.detectors.limits import LimitsDetector
from aupguard.detectors.piracy_links import PiracyLinksDetector
from aupguard.detectors.received_route import ReceivedRouteDetector
from aupguard.detectors.sender_id import SenderIdDetector
from aupguard.detectors.sender_ownership import SenderOwnershipDetector


@hookimpl
def aupguard_detectors() -> list[type[Detector]]:
    return [
        EicarDetector,
        GtubeDetector,
        LimitsDetector,
        LanguageDetector,
        # origin forgery: ownership (no DNS), impersonation, route, numbers, flows, auth
        SenderOwnershipDetector,
        ImpersonationDetector,
        ReceivedRouteDetector,
        SenderIdDetector,
        CallerIdDetector,
        FlowSourceDetector,
        EmailAuthDetector,
        # harmful content and agent fraud (issue 8)
        ContentModelsDetector,
        AgentMisrepresentationDetector,
        PiracyLinksDetector,
        HashBanksDetector,
    ]
