"""The built-in detectors, registered through the same hook as third-party plugins."""

from __future__ import annotations

from aupguard.detectors.agent_misrepresentation import AgentMisrepresentationDetector
from aupguard.detectors.attachments import AttachmentsDetector
from aupguard.detectors.base import Detector
from aupguard.detectors.bruteforce import BruteForceDetector
from aupguard.detectors.bulk import BulkDetector
from aupguard.detectors.caller_id import CallerIdDetector
from aupguard.detectors.clamav import ClamavDetector
from aupguard.detectors.content_models import ContentModelsDetector
from aupguard.detectors.eicar import EicarDetector
from aupguard.detectors.email_auth import EmailAuthDetector
from aupguard.detectors.flow_source import FlowSourceDetector
from aupguard.detectors.gtube import GtubeDetector
from aupguard.detectors.hash_banks import HashBanksDetector
from aupguard.detectors.hookspecs import hookimpl
from aupguard.detectors.htmlfiles import HtmlFilesDetector
from aupguard.detectors.impersonation import ImpersonationDetector
from aupguard.detectors.language import LanguageDetector
from aupguard.detectors.limits import LimitsDetector
from aupguard.detectors.lures import LuresDetector
from aupguard.detectors.office import OfficeDetector
from aupguard.detectors.pdf import PdfDetector
from aupguard.detectors.phishing import PhishingModelDetector
from aupguard.detectors.piracy_links import PiracyLinksDetector
from aupguard.detectors.portscan import PortScanDetector
from aupguard.detectors.probes import ProbeDetector
from aupguard.detectors.received_route import ReceivedRouteDetector
from aupguard.detectors.robocall import RobocallDetector
from aupguard.detectors.sender_id import SenderIdDetector
from aupguard.detectors.sender_ownership import SenderOwnershipDetector
from aupguard.detectors.senderbrand import SenderBrandDetector
from aupguard.detectors.sms_consent import SmsConsentDetector
from aupguard.detectors.smspumping import SmsPumpingDetector
from aupguard.detectors.spam_email import SpamEmailDetector
from aupguard.detectors.spam_sms import SpamSmsDetector
from aupguard.detectors.trw import TrwDetector
from aupguard.detectors.urls import UrlsDetector
from aupguard.detectors.wardialing import WarDialingDetector
from aupguard.detectors.webattack import WebAttackDetector
from aupguard.detectors.webscan import WebScanDetector
from aupguard.detectors.yarascan import YaraDetector


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
        # unauthorized access and telephony abuse (docs/unauthorized-access.md)
        PortScanDetector,
        TrwDetector,
        ProbeDetector,
        WebAttackDetector,
        WebScanDetector,
        BruteForceDetector,
        WarDialingDetector,
        RobocallDetector,
        SmsPumpingDetector,
        AttachmentsDetector,
        OfficeDetector,
        PdfDetector,
        HtmlFilesDetector,
        YaraDetector,
        ClamavDetector,
        UrlsDetector,
        LuresDetector,
        PhishingModelDetector,
        SenderBrandDetector,
        SpamEmailDetector,
        SpamSmsDetector,
        BulkDetector,
        SmsConsentDetector,
        # harmful content and agent fraud (issue 8)
        ContentModelsDetector,
        AgentMisrepresentationDetector,
        PiracyLinksDetector,
        HashBanksDetector,
    ]
