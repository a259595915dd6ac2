"""What the activity detectors share: who acts (state keys) and how targets are summarised."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from aupguard.events.flowstate import Outcome, outcome, service
from aupguard.events.model import Event, Flow
from aupguard.events.views import Views


def actor(event: Event, who: str) -> str:
    """State-key prefix for one actor: tenant, workload and the source (IP, caller ...).

    Keys stay short, printable and free of spaces so every backend stores them as is.
    """
    return f"{event.tenant or '-'}/{event.workload or '-'}/{who}"


def flow_facts(view: Views) -> tuple[Outcome, str, str]:
    """(outcome, actor, service) of a flow, computed once per event for every flow detector."""
    found = view.memo.get("flow")
    if found is None:
        flow = view.event.content
        assert isinstance(flow, Flow)
        found = view.memo["flow"] = (outcome(flow), actor(view.event, flow.src), service(flow))
    return found  # type: ignore[return-value]


def flow_actor(event: Event) -> str:
    """The actor of a flow event, for the detectors' `reads` hints (before any view)."""
    flow = event.content
    return actor(event, flow.src) if isinstance(flow, Flow) else ""


def flow_outcome(view: Views) -> Outcome:
    return flow_facts(view)[0]


def attribution(event: Event) -> str:
    return f"tenant {event.tenant or '(none)'}, workload {event.workload or '(none)'}"


def ramp(value: float, threshold: float) -> float:
    """Strength 0.5 at the threshold, rising linearly to 1.0 at twice the threshold."""
    if threshold <= 0:
        return 1.0
    return max(0.0, min(1.0, 0.5 * value / threshold))


def span(first_ts: float, now: datetime) -> str:
    """`over 1h05m` from the oldest remembered member to now."""
    seconds = max(0, int(now.timestamp() - first_ts))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"over {hours}h{minutes:02d}m"
    return f"over {minutes}m{secs:02d}s" if minutes else f"over {secs}s"


def ranges(values: Iterable[int], limit: int = 6) -> str:
    """`0-1000, 8080` for sorted integers (ports, numbers), at most `limit` runs shown."""
    runs: list[tuple[int, int]] = []
    for v in sorted(set(values)):
        if runs and v == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    if len(runs) > limit:  # scattered: the extent says more than a list of fragments
        return f"{sum(b - a + 1 for a, b in runs)} distinct within {runs[0][0]}-{runs[-1][1]}"
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in runs)


def listing(items: Iterable[str], limit: int = 4) -> str:
    """A few items in sorted order and how many more there are."""
    ordered = sorted(set(items))
    more = f" (+{len(ordered) - limit} more)" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more


def split_service(member: str) -> tuple[str, int]:
    """`host:port[/proto]` back to (host, port); IPv6 hosts keep their colons."""
    host, _, rest = member.rpartition(":")
    port = rest.split("/", 1)[0]
    return host, int(port) if port.isdigit() else -1
