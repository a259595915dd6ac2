"""The feedback loops we are enrolled in (a YAML file) and the DKIM key look-ups they need.

The file is `$AUPGUARD_ENROLLMENT`, else `<home>/enrollment.yaml`; absent, nobody is
enrolled and every report goes to triage. Keys are looked up through the DNS setting
(`AUPGUARD_DNS`); with DNS off no report can be authenticated.

```yaml
providers:
  - name: Example Mail FBL
    dkim_domains: [fbl.example.net]
    max_counted_per_window: 1000   # optional
```
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from aupguard import datafile
from aupguard.auth.resolver import Txt
from aupguard.errors import DnsError
from aupguard.reports.authenticate import Enrollment, TxtLookup
from aupguard.reports.intake import Authenticator
from aupguard.settings import Settings


def enrollment_path(settings: Settings) -> Path:
    env = os.environ.get("AUPGUARD_ENROLLMENT")
    return Path(env) if env else settings.home / "enrollment.yaml"


def load_enrollment(settings: Settings, path: Path | None = None) -> Enrollment:
    """The enrollment file (errors carry file:line); an absent default file enrolls nobody."""
    path = path or enrollment_path(settings)
    if not path.exists() and not os.environ.get("AUPGUARD_ENROLLMENT"):
        return Enrollment()
    return datafile.load(Enrollment, path)


def dns_lookup(settings: Settings) -> TxtLookup | None:
    """DKIM key records through the configured resolver, or None when DNS is off."""
    resolver = settings.resolver()
    if resolver is None:
        return None

    def lookup(name: str) -> bytes | None:
        try:
            answer = resolver.query(name, "TXT", time.monotonic() + 5)
        except DnsError:
            return None
        txts = [r for r in answer.records if isinstance(r, Txt)]
        return b"".join(txts[0].strings) if txts else None

    return lookup


def authenticator_for(settings: Settings, enrollment: Enrollment) -> Authenticator | None:
    """None when nobody is enrolled or DNS is off: then no report is authenticated."""
    lookup = dns_lookup(settings)
    if lookup is None or not enrollment.providers:
        return None
    return Authenticator(enrollment, lookup)
