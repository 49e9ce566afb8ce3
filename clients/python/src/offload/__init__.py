"""Offload for Python: a client of the Offload server, and Python tasks run by Offload.

- :class:`offload.Client` — blocking client (``run``, ``map``, ``submit``, ``job``, ``result``,
  ``cancel``, ``retry``, ``jobs``, ``events``).
- :class:`offload.AsyncClient` — the same operations as coroutines, for FastAPI and asyncio.
- :mod:`offload.worker` — ``@task`` functions that Offload runs in supervised child processes
  (``./offload serve --python tasks.py``).

Standard library only; Python 3.9 or newer.
"""

from offload.aio import AsyncClient
from offload.client import Client
from offload.errors import (ConnectionFailed, InvalidInputError, JobNotFoundError,
                            JobStateConflictError, NotFoundError, OffloadError, ProblemError,
                            QueueFullError, TaskFailedError, TaskNotFoundError, TaskTimeoutError,
                            UnauthorizedError, UnavailableError)
from offload.models import TERMINAL_STATES, Event, Job, Page

__version__ = "0.1.0"

__all__ = [
    "Client", "AsyncClient", "Job", "Page", "Event", "TERMINAL_STATES",
    "OffloadError", "ConnectionFailed", "ProblemError", "InvalidInputError", "NotFoundError",
    "JobNotFoundError", "TaskNotFoundError", "JobStateConflictError", "QueueFullError",
    "TaskFailedError", "TaskTimeoutError", "UnavailableError", "UnauthorizedError",
]
