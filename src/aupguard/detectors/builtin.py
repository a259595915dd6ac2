"""The built-in detectors, registered through the same hook as third-party plugins."""

from __future__ import annotations

from aupguard.detectors.base import Detector
from aupguard.detectors.bulk import BulkDetector
from aupguard.detectors.eicar import EicarDetector
from aupguard.detectors.gtube import GtubeDetector
from aupguard.detectors.hookspecs import hookimpl
from aupguard.detectors.language import LanguageDetector
from aupguard.detectors.limits import LimitsDetector
from aupguard.detectors.sms_consent import SmsConsentDetector
from aupguard.detectors.spam_email import SpamEmailDetector
from aupguard.detectors.spam_sms import SpamSmsDetector


@hookimpl
def aupguard_detectors() -> list[type[Detector]]:
    return [
        EicarDetector,
        GtubeDetector,
        LimitsDetector,
        LanguageDetector,
        SpamEmailDetector,
        SpamSmsDetector,
        BulkDetector,
        SmsConsentDetector,
    ]
