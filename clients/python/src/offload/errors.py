"""Exceptions of the Offload client: one root, one class per problem+json ``type`` that matters."""

from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
    "OffloadError", "ConnectionFailed", "ProblemError", "InvalidInputError", "NotFoundError",
    "JobNotFoundError", "TaskNotFoundError", "JobStateConflictError", "QueueFullError",
    "TaskFailedError", "TaskTimeoutError", "UnavailableError", "UnauthorizedError",
]

PROBLEM_PREFIX = "urn:offload:problem:"


class OffloadError(Exception):
    """The root of every error this client raises."""


class ConnectionFailed(OffloadError):
    """Nothing answered at the server's address, or the connection broke mid-answer."""


class ProblemError(OffloadError):
    """The server answered with an error (``application/problem+json``, RFC 9457).

    ``type`` is stable (``urn:offload:problem:queue-full``, ...), ``detail`` is for people,
    ``field`` names the offending input field (``input.ms``) when there is one, and
    ``retry_after`` is the server's ``Retry-After`` in seconds (429 and 503), else None.
    ``problem`` holds every member of the answer (``task``, ``id``, ``state``, ``error``, ...).
    """

    def __init__(self, status: int, problem: Mapping[str, Any],
                 retry_after: Optional[float] = None) -> None:
        self.status: int = int(problem.get("status") or status)
        self.type: str = str(problem.get("type") or "about:blank")
        self.title: str = str(problem.get("title") or "HTTP %d" % status)
        self.detail: Optional[str] = problem.get("detail")
        self.field: Optional[str] = problem.get("field")
        self.retry_after: Optional[float] = retry_after
        self.problem: Dict[str, Any] = dict(problem)
        super().__init__("%d %s: %s" % (self.status, self.title, self.detail or self.type))

    @property
    def kind(self) -> str:
        """The ``type`` without its ``urn:offload:problem:`` prefix (``queue-full``)."""
        t = self.type
        return t[len(PROBLEM_PREFIX):] if t.startswith(PROBLEM_PREFIX) else t


class InvalidInputError(ProblemError):
    """422: the input does not fit the task, or a job field is wrong (see ``field``)."""


class NotFoundError(ProblemError):
    """404: no such route, job or task."""


class JobNotFoundError(NotFoundError):
    """404: no job with that id."""


class TaskNotFoundError(NotFoundError):
    """404: no task of that name."""


class JobStateConflictError(ProblemError):
    """409: the job is in a state that does not allow this (retry a running job, say)."""


class QueueFullError(ProblemError):
    """429: the server's queue is full; try again after ``retry_after`` seconds."""


class TaskFailedError(ProblemError):
    """500 ``task-failed``: the task raised; ``detail`` has its message."""


class TaskTimeoutError(ProblemError):
    """504: the run's ``timeout`` ran out and the work was cancelled."""


class UnavailableError(ProblemError):
    """503: the server is shutting down or its job store failed; see ``retry_after``."""


class UnauthorizedError(ProblemError):
    """401 or 403: the token is missing, wrong, or not allowed to do this."""


_BY_KIND: Dict[str, Type[ProblemError]] = {
    "invalid-input": InvalidInputError,
    "job-not-found": JobNotFoundError,
    "task-not-found": TaskNotFoundError,
    "not-found": NotFoundError,
    "job-state-conflict": JobStateConflictError,
    "queue-full": QueueFullError,
    "task-failed": TaskFailedError,
    "timeout": TaskTimeoutError,
    "shutting-down": UnavailableError,
    "store-unavailable": UnavailableError,
}

_BY_STATUS: Dict[int, Type[ProblemError]] = {
    401: UnauthorizedError, 403: UnauthorizedError, 404: NotFoundError,
    409: JobStateConflictError, 422: InvalidInputError, 429: QueueFullError,
    503: UnavailableError, 504: TaskTimeoutError,
}


def problem_error(status: int, problem: Mapping[str, Any],
                  retry_after: Optional[float] = None) -> ProblemError:
    """The exception for an error answer: by its problem ``type``, else by its status."""
    kind = str(problem.get("type") or "")
    if kind.startswith(PROBLEM_PREFIX):
        kind = kind[len(PROBLEM_PREFIX):]
    cls = _BY_KIND.get(kind) or _BY_STATUS.get(status, ProblemError)
    return cls(status, problem, retry_after)
