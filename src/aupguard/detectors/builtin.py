"""The built-in detectors, registered through the same hook as third-party plugins."""

from __future__ import annotations

from aupguard.detectors.attachments import AttachmentsDetector
from aupguard.detectors.base import Detector
from aupguard.detectors.clamav import ClamavDetector
from aupguard.detectors.eicar import EicarDetector
from aupguard.detectors.gtube import GtubeDetector
from aupguard.detectors.hookspecs import hookimpl
from aupguard.detectors.htmlfiles import HtmlFilesDetector
from aupguard.detectors.language import LanguageDetector
from aupguard.detectors.limits import LimitsDetector
from aupguard.detectors.lures import LuresDetector
from aupguard.detectors.office import OfficeDetector
from aupguard.detectors.pdf import PdfDetector
from aupguard.detectors.phishing import PhishingModelDetector
from aupguard.detectors.senderbrand import SenderBrandDetector
from aupguard.detectors.urls import UrlsDetector
from aupguard.detectors.yarascan import YaraDetector


@hookimpl
def aupguard_detectors() -> list[type[Detector]]:
    return [
        EicarDetector,
        GtubeDetector,
        LimitsDetector,
        LanguageDetector,
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
    ]
