"""What the server answers with: jobs, pages of jobs, and job events."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Mapping, Optional

__all__ = ["Job", "Page", "Event", "TERMINAL_STATES", "parse_time"]

#: States a job never leaves by itself.
TERMINAL_STATES = frozenset({"succeeded", "failed", "cancelled"})

_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def parse_time(text: Optional[str]) -> Optional[datetime]:
    """An ISO-8601 instant as an aware datetime (nanoseconds cut to microseconds), or None."""
    if not text:
        return None
    m = _TIME.match(text)
    if m is None:
        raise ValueError("not an ISO-8601 instant: %r" % text)
    base, fraction, zone = m.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    parsed = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(microsecond=micros)
    if zone in (None, "Z"):
        return parsed.replace(tzinfo=timezone.utc)
    sign = 1 if zone[0] == "+" else -1
    from datetime import timedelta
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * sign
    return parsed.replace(tzinfo=timezone(offset))


@dataclass(frozen=True)
class Job:
    """One job as the server reports it (``GET /jobs/{id}``).

    ``state`` is one of ``scheduled, queued, running, succeeded, failed, cancelled``; ``result``
    is the task's output once it succeeded; ``error`` is ``{"type": ..., "message": ...}`` once
    it failed; ``raw`` is the whole JSON object, for fields this version does not know.
    """

    id: str
    task: str
    state: str
    queue: str = "default"
    priority: int = 0
    input: Any = None
    result: Any = None
    error: Optional[Dict[str, Any]] = None
    progress: Optional[Dict[str, Any]] = None
    attempts: int = 0
    max_attempts: int = 1
    timeout: Optional[str] = None
    idempotency_key: Optional[str] = None
    created_at: Optional[datetime] = None
    run_at: Optional[datetime] = None
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Job":
        return cls(
            id=d["id"], task=d.get("task", ""), state=d.get("state", ""),
            queue=d.get("queue", "default"), priority=d.get("priority", 0),
            input=d.get("input"), result=d.get("result"), error=d.get("error"),
            progress=d.get("progress"), attempts=d.get("attempts", 0),
            max_attempts=d.get("maxAttempts", 1), timeout=d.get("timeout"),
            idempotency_key=d.get("idempotencyKey"),
            created_at=parse_time(d.get("createdAt")), run_at=parse_time(d.get("runAt")),
            started_at=parse_time(d.get("startedAt")),
            finished_at=parse_time(d.get("finishedAt")), raw=dict(d))

    @property
    def done(self) -> bool:
        """True once the job succeeded, failed or was cancelled."""
        return self.state in TERMINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state == "succeeded"


@dataclass(frozen=True)
class Page:
    """One page of ``GET /jobs``: its jobs (newest first) and the cursor of the next page."""

    items: List[Job]
    next_cursor: Optional[str]

    def __iter__(self) -> Iterator[Job]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Event:
    """One server-sent event of ``GET /events``.

    ``data`` is the event's JSON object (for job changes: ``id`` of the job, ``task``, ``queue``,
    ``state``, ``attempt``, ``progress``, ``at``); ``id`` is the stream position the server gave
    (sent back as ``Last-Event-ID`` when the client reconnects), or None.
    """

    data: Dict[str, Any]
    id: Optional[str] = None
    event: str = "message"

    @property
    def job_id(self) -> Optional[str]:
        return self.data.get("id")

    @property
    def state(self) -> Optional[str]:
        return self.data.get("state")

    @property
    def terminal(self) -> bool:
        return self.data.get("state") in TERMINAL_STATES
