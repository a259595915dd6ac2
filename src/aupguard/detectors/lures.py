"""Lures of phishing and identity theft: requests for secrets, urgency, threats, real numbers.

Patterns are bounded (a request verb, at most a few words, then the secret), so the
regexes stay linear on any input; only the first 20,000 characters of the tenant's
text are read. Card numbers count only when Luhn-valid and SSNs only when they follow
the SSA's rules; evidence is masked before it leaves the detector.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import ahocorasick

from aupguard.detectors.base import Detector, Evidence, Finding, Signal, SignalSpec, excerpt
from aupguard.detectors.context import Context
from aupguard.events.model import Channel
from aupguard.events.views import Views
from aupguard.privacy import luhn_ok

_MAX_CHARS = 20_000
_WINDOW = 120  # characters before a keyword where the request verb may start
_PHRASE_WINDOW = 40  # for phrases whose keyword sits at or near their start
_MAX_TRIES = 8  # windows per pattern and message: a lure shows in the first few
# Patterns of the form "verb ... secret": the keyword is the secret, the verb comes first.
_VERB_FIRST = frozenset(
    {"LURE_CREDENTIALS", "LURE_OTP", "LURE_CARD", "LURE_NATIONAL_ID", "LURE_BANK_LOGIN"}
)
# Up to six words between a verb and its object; words and gaps never overlap, so the
# match is linear (no two ways to split the same text).
_GAP = r"[^\w'’]+(?:[\w'’]+[^\w'’]+){0,6}?"
_ASK = (
    r"(?:verify|confirm|update|validate|re-?enter|provide|enter|submit|send|reply\s+with|"
    r"share|give|tell|type|fill\s+in|complete|reconfirm|restore|unlock|reactivate|"
    r"log\s?in|sign\s?in|click|tap)"
)
_PATTERNS: dict[str, str] = {
    "LURE_CREDENTIALS": (
        rf"\b{_ASK}{_GAP}(?:password|passcode|passwd|login\s+details|log-?in\s+credentials|"
        r"credentials|user\s?name\s+and\s+password|sign-?in\s+(?:details|information)|"
        r"e-?mail\s+password|account\s+(?:details|information))\b"
    ),
    "LURE_OTP": (
        rf"\b(?:send|share|give|tell|reply\s+with|forward|read\s+out|provide){_GAP}"
        r"(?:one[-\s]time\s+(?:code|password|pin)|otp|verification\s+code|security\s+code|"
        r"authentication\s+code|pin(?:\s+code)?|2fa\s+code|sms\s+code|"
        r"code\s+(?:we|i|you)\s+(?:just\s+)?(?:sent|texted|received|got))\b"
    ),
    "LURE_CARD": (
        rf"\b{_ASK}{_GAP}(?:(?:credit|debit|bank)\s+card(?:\s+(?:number|details|information))?|"
        r"card\s+(?:number|details)|cvv2?|cvc|card\s+security\s+code|expiry\s+date|"
        r"expiration\s+date)\b"
    ),
    "LURE_NATIONAL_ID": (
        rf"\b{_ASK}{_GAP}(?:social\s+security\s+number|ssn|national\s+insurance\s+number|"
        r"tax\s+(?:id|identification\s+number)|passport\s+number|driver'?s\s+licen[cs]e\s+number|"
        r"date\s+of\s+birth|mother'?s\s+maiden\s+name|national\s+id(?:entity)?\s+number)\b"
    ),
    "LURE_BANK_LOGIN": (
        rf"\b{_ASK}{_GAP}(?:online\s+banking|bank\s+(?:account|login|details)|routing\s+number|"
        r"account\s+number|sort\s+code|iban|internet\s+banking|banking\s+(?:details|credentials))\b"
    ),
    "LURE_URGENCY": (
        r"\b(?:within\s+(?:24|48|72|12|twenty[-\s]four)\s+hours|immediately|urgent(?:ly)?|"
        r"as\s+soon\s+as\s+possible|final\s+(?:notice|warning|reminder)|last\s+warning|"
        r"expires?\s+today|act\s+now|right\s+away|without\s+delay|time[-\s]sensitive)\b"
    ),
    "LURE_ACCOUNT_THREAT": (
        r"\b(?:(?:account|mailbox|card|access|service|profile)\s+(?:will\s+be|has\s+been|is|was|"
        r"have\s+been|may\s+be)\s+(?:temporarily\s+|permanently\s+)?(?:suspended|locked|closed|"
        r"disabled|terminated|limited|restricted|deactivated|blocked|frozen|on\s+hold)|"
        r"unusual\s+(?:sign-?in|login|activity)|unauthori[sz]ed\s+(?:access|login|transaction|"
        r"activity)|suspicious\s+(?:activity|login|sign-?in)|security\s+alert|"
        r"verify\s+your\s+(?:account|identity)|(?:mailbox|storage)\s+(?:is\s+)?full|"
        r"password\s+(?:will\s+)?expires?|(?:someone|somebody)\s+(?:tried|attempted)\s+to\s+"
        r"(?:log|sign)\s?in|(?:verify|confirm|validate|reactivate|re-?activate|secure)\s+your\s+"
        r"(?:account|identity|mailbox|e-?mail\s+account|wallet|profile)|(?:will|may|shall)\s+"
        r"(?:be|get)\s+(?:permanently\s+)?(?:suspended|locked|closed|deactivated|terminated|"
        r"deleted|disabled|frozen))\b"
    ),
}
# Prizes, airdrops and inheritances (advance-fee and lottery fraud), and the commonest
# phrasings in German, Portuguese, Spanish and French. Keys "SIGNAL/lang" emit SIGNAL.
_PHRASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "LURE_PRIZE": (
        r"\b(?:you(?:'ve|\s+have)\s+(?:won|been\s+selected)|claim\s+your\s+(?:\w+\s+){0,2}?"
        r"(?:prize|reward|gift|bonus|airdrop|tokens?|refund|winnings|share|payout|compensation)|"
        r"gift\s+card|lottery|jackpot|sweepstakes|"
        r"unclaimed\s+(?:funds|inheritance|prize)|inheritance|beneficiary|airdrop|cash\s+prize|"
        r"free\s+spins|selected\s+to\s+receive)\b",
        (
            "won",
            "selected",
            "claim",
            "gift card",
            "lottery",
            "jackpot",
            "sweepstake",
            "unclaimed",
            "inheritance",
            "beneficiary",
            "airdrop",
            "cash prize",
            "free spins",
        ),
    ),
    "LURE_PRIZE/de": (
        r"\b(?:gewonnen|gewinnen\s+sie|gewinner|gutschein|geschenkkarte|freispiele|"
        r"ausgewählt)\b",
        ("gewonnen", "gewinn", "gutschein", "geschenkkarte", "freispiele", "ausgewählt"),
    ),
    "LURE_PRIZE/pt-es-fr": (
        r"\b(?:você\s+ganhou|ganhe|prêmio|premio|sorteio|sorteo|cartelas?|resgat[ea]r?|"
        r"valores\s+a\s+receber|has\s+ganado|ganador|tarjeta\s+de\s+regalo|"
        r"vous\s+avez\s+gagné|gagnant|carte\s+cadeau|tirage\s+au\s+sort)\b",
        (
            "ganhou",
            "ganhe",
            "prêmio",
            "premio",
            "sorteio",
            "sorteo",
            "cartela",
            "resgat",
            "valores a receber",
            "ganado",
            "ganador",
            "regalo",
            "gagné",
            "gagnant",
            "cadeau",
            "tirage",
        ),
    ),
    "LURE_CREDENTIALS/de-pt-es-fr": (
        r"\b(?:passwort|kennwort|senha|contraseña|mot\s+de\s+passe|zugangsdaten|"
        r"dados\s+de\s+acesso|datos\s+de\s+acceso|identifiants)\b",
        (
            "passwort",
            "kennwort",
            "senha",
            "contraseña",
            "mot de passe",
            "zugangsdaten",
            "dados de acesso",
            "datos de acceso",
            "identifiants",
        ),
    ),
    "LURE_ACCOUNT_THREAT/de-pt-es-fr": (
        r"\b(?:(?:konto|zugang|karte)\s+(?:wurde|wird|ist)\s+(?:vorübergehend\s+)?"
        r"(?:gesperrt|deaktiviert|eingeschränkt|blockiert)|abgelaufen|läuft\s+(?:bald\s+)?ab|"
        r"(?:conta|cuenta|compte|cartão|tarjeta|carte)\s+(?:foi|será|está|ha\s+sido|será|"
        r"a\s+été|sera|est)\s+(?:temporariamente\s+|temporalmente\s+|temporairement\s+)?"
        r"(?:bloquead[ao]|suspens[ao]|suspendid[ao]|desativad[ao]|desactivad[ao]|"
        r"cancelad[ao]|suspendu|bloqué|désactivé)|regulariz|pendente|pendiente|"
        r"acesso\s+não\s+autorizado|acceso\s+no\s+autorizado|accès\s+non\s+autorisé)",
        (
            "konto",
            "zugang",
            "karte",
            "abgelaufen",
            "läuft",
            "conta",
            "cuenta",
            "compte",
            "cartão",
            "tarjeta",
            "carte",
            "regulariz",
            "pendente",
            "pendiente",
            "autoriz",
            "autoris",
        ),
    ),
    "LURE_URGENCY/de-pt-es-fr": (
        r"\b(?:dringend|sofort|umgehend|letzte\s+(?:mahnung|warnung|chance)|urgente|"
        r"imediatamente|inmediatamente|immédiatement|último\s+aviso|última\s+(?:chance|"
        r"oportunidad)|dernier\s+avis|dernière\s+chance|prazo|plazo|24\s+(?:horas|stunden|"
        r"heures))\b",
        (
            "dringend",
            "sofort",
            "umgehend",
            "letzte",
            "urgente",
            "imediatamente",
            "inmediatamente",
            "immédiatement",
            "último",
            "última",
            "dernier",
            "dernière",
            "prazo",
            "plazo",
            "24 ",
        ),
    ),
}
_COMPILED = {name: re.compile(rx, re.IGNORECASE) for name, rx in _PATTERNS.items()}
_COMPILED.update({key: re.compile(rx, re.IGNORECASE) for key, (rx, _) in _PHRASES.items()})
# A pattern runs only when one of its objects occurs at all (str.find is C-fast).
_NEEDS: dict[str, tuple[str, ...]] = {
    "LURE_CREDENTIALS": (
        "pass",
        "credential",
        "login",
        "log-in",
        "sign-in",
        "signin",
        "user name",
        "username",
        "account",
    ),
    "LURE_OTP": ("code", "otp", "pin"),
    "LURE_CARD": ("card", "cvv", "cvc", "expir"),
    "LURE_NATIONAL_ID": (
        "social security",
        "ssn",
        "insurance number",
        "tax id",
        "tax ident",
        "passport",
        "licen",
        "date of birth",
        "maiden",
        "national id",
    ),
    "LURE_BANK_LOGIN": ("bank", "routing", "account number", "sort code", "iban"),
    "LURE_URGENCY": (
        "hour",
        "immediate",
        "urgent",
        "soon as",
        "final",
        "last warning",
        "today",
        "act now",
        "right away",
        "delay",
        "sensitive",
    ),
    "LURE_ACCOUNT_THREAT": (
        "suspend",
        "locked",
        "closed",
        "disabled",
        "terminat",
        "limited",
        "restrict",
        "deactivat",
        "blocked",
        "frozen",
        "on hold",
        "unusual",
        "unauthori",
        "suspicious",
        "security alert",
        "verify your",
        "full",
        "expire",
        "tried to",
        "attempted to",
        "confirm your",
        "validate your",
        "activate your",
        "secure your",
        "will be",
        "will get",
        "may be",
    ),
}
# Both open with a digit and check what precedes it after it, in a look-behind: a pattern
# that starts with a digit class lets the regex engine skip to digits, one that starts with
# a look-behind or \b is tried at every character (3x slower on mail).
_CARD = re.compile(r"\d(?<![\d-]\d)[\d -]{11,24}\d(?![\d-])")  # then 13-19 digits and Luhn
_SSN = re.compile(r"(\d(?<!\w\d)\d\d)-(\d{2})-(\d{4})\b")


# "Never share your password": a warning against the lure, not the lure; also in the
# languages whose lure words the patterns read ("nunca pedimos sua senha", "jamais votre
# mot de passe", "niemals Ihr Passwort").
_NEGATION = re.compile(
    r"(?i)\b(?:never|not|don'?t|won'?t|nobody|no\s+one|nunca|jamais|jamás|niemals|nie|"
    r"keine?n?|ninguém|nadie|personne)\b[^.!?\n]{0,30}$"
)


def _automaton() -> ahocorasick.Automaton:
    owners: dict[str, list[str]] = {}
    needs = {**_NEEDS, **{key: needles for key, (_, needles) in _PHRASES.items()}}
    for name, needles in needs.items():
        for needle in needles:
            owners.setdefault(needle, []).append(name)
    auto = ahocorasick.Automaton()
    for needle, names in owners.items():
        auto.add_word(needle, (len(needle), tuple(names)))
    auto.make_automaton()
    return auto


_NEEDLES = _automaton()


def _find_lures(text: str, lower: str, skip: set[str]) -> dict[str, re.Match[str]]:
    """One Aho-Corasick pass for every keyword; each pattern then runs in small windows."""
    found: dict[str, re.Match[str]] = {}
    tries: dict[str, int] = {}
    for end, (size, keys) in _NEEDLES.iter(lower):
        start = end - size + 1
        for key in keys:
            name = key.split("/", 1)[0]
            if name in skip or name in found or tries.get(key, 0) >= _MAX_TRIES:
                continue
            tries[key] = tries.get(key, 0) + 1
            back = _WINDOW if name in _VERB_FIRST else _PHRASE_WINDOW
            m = _COMPILED[key].search(text, max(0, start - back), end + 41)
            if m and not _NEGATION.search(text, max(0, m.start() - 30), m.start() + 1):
                found[name] = m
    return found


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """The SSA's rules: no area 000, 666 or 900-999, no group 00, no serial 0000."""
    a = int(area)
    return a not in (0, 666) and a < 900 and group != "00" and serial != "0000"


class LuresDetector(Detector):
    name = "lures"
    description = "Finds requests for passwords, codes, card and ID numbers, urgency and threats."
    channels = frozenset({Channel.EMAIL, Channel.SMS, Channel.CHAT, Channel.VOICE})
    signals = (
        SignalSpec("LURE_CREDENTIALS", "The text asks for a password or login details."),
        SignalSpec("LURE_OTP", "The text asks the reader to pass on a one-time code or PIN."),
        SignalSpec("LURE_CARD", "The text asks for a card number, CVV or expiry date."),
        SignalSpec("LURE_NATIONAL_ID", "The text asks for an SSN, national ID or date of birth."),
        SignalSpec("LURE_BANK_LOGIN", "The text asks for online-banking or account numbers."),
        SignalSpec("LURE_URGENCY", "The text presses for action now (24 hours, final notice)."),
        SignalSpec("LURE_ACCOUNT_THREAT", "The text threatens the account (suspended, locked)."),
        SignalSpec("LURE_PRIZE", "The text promises a prize, gift card, airdrop or inheritance."),
        SignalSpec("PII_CARD_NUMBER", "A Luhn-valid card number appears in the text."),
        SignalSpec("PII_SSN", "A valid-looking US social security number appears in the text."),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        found: list[Finding] = []
        done: set[str] = set()
        for tp in view.text_parts:
            if not tp.role.is_tenant_speech or not tp.text:
                continue
            text = tp.text[:_MAX_CHARS]
            for name, m in _find_lures(text, text.lower(), done).items():
                done.add(name)
                ev = Evidence(tp.part, excerpt(text, m.start(), m.end()), m.start(), m.end())
                found.append(self.signal(name, 1.0, ev))
            if "PII_CARD_NUMBER" not in done:
                for m in _CARD.finditer(text):
                    digits = re.sub(r"\D", "", m.group(0))
                    if 13 <= len(digits) <= 19 and luhn_ok(digits):
                        done.add("PII_CARD_NUMBER")
                        ev = Evidence(tp.part, f"card ****{digits[-4:]}", m.start(), m.end())
                        found.append(self.signal("PII_CARD_NUMBER", 1.0, ev))
                        break
            if "PII_SSN" not in done:
                for m in _SSN.finditer(text):
                    if ssn_ok(*m.groups()):
                        done.add("PII_SSN")
                        ev = Evidence(tp.part, "[ssn]", m.start(), m.end())
                        found.append(self.signal("PII_SSN", 1.0, ev))
                        break
        view.memo["signals:lures"] = [f.name for f in found if isinstance(f, Signal)]
        return found
