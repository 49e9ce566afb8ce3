"""What the sync and async clients share: the endpoint, each operation as a request plus a way to
read its answer, and HTTP/1.1 framing helpers. No I/O here."""

import json
import os
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Union
from urllib.parse import quote, urlencode, urlsplit

from offload.errors import ProblemError, problem_error
from offload.models import Job, Page

Seconds = Union[float, int, timedelta]

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_loads = json.loads

USER_AGENT = "offload-python/0.1.0"


class Endpoint(NamedTuple):
    scheme: str
    host: str
    port: int
    base: str  # path prefix without a trailing slash ("" or "/offload")
    host_header: str

    @classmethod
    def parse(cls, url: str) -> "Endpoint":
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be http://HOST[:PORT][/PATH] or https://..., was %r" % url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname
        default = (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
        shown = "[%s]" % host if ":" in host else host
        return cls(parts.scheme, host, port, parts.path.rstrip("/"),
                   shown if default else "%s:%d" % (shown, port))


def seconds(value: Optional[Seconds], name: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s must be seconds (a number) or a timedelta, was %r" % (name, value))
    if value < 0:
        raise ValueError("%s must not be negative, was %r" % (name, value))
    return float(value)


def iso_duration(value: float) -> str:
    """Seconds as an ISO-8601 duration the server reads (``PT1.5S``)."""
    text = ("%.3f" % value).rstrip("0").rstrip(".")
    return "PT%sS" % text


def default_token(token: Optional[str]) -> Optional[str]:
    return token if token is not None else (os.environ.get("OFFLOAD_TOKEN") or None)


def base_headers(endpoint: Endpoint, token: Optional[str]) -> bytes:
    """Headers sent with every request, pre-encoded once per client."""
    lines = ["Host: " + endpoint.host_header, "User-Agent: " + USER_AGENT,
             "Accept: application/json"]
    if token:
        lines.append("Authorization: Bearer " + token)
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


class Call(NamedTuple):
    """One operation: the request to send and how to turn a 2xx answer into the return value."""

    method: str
    path: str  # below the endpoint's base, with the query
    body: Optional[bytes]
    read: Callable[[int, Any], Any]
    timeout: Optional[float] = None  # overrides the client's per-request timeout when longer


def encode_request(endpoint: Endpoint, headers: bytes, call: Call,
                   extra: Iterable[Tuple[str, str]] = ()) -> bytes:
    head = "%s %s%s HTTP/1.1\r\n" % (call.method, endpoint.base, call.path)
    out = [head.encode("latin-1"), headers]
    for k, v in extra:
        out.append(("%s: %s\r\n" % (k, v)).encode("latin-1"))
    if call.body is not None:
        out.append(b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(call.body))
        out.append(call.body)
    elif call.method in ("POST", "PUT"):
        out.append(b"Content-Length: 0\r\n\r\n")
    else:
        out.append(b"\r\n")
    return b"".join(out)


def parse_head(head: bytes) -> Tuple[int, Dict[str, str]]:
    """Status and headers (names lower-cased) of a response head ending in a blank line."""
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/"):
        raise ValueError("not an HTTP response: %r" % lines[0][:80])
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line[1]), headers


def retry_after(headers: Mapping[str, str]) -> Optional[float]:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import datetime, timezone
        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


def answer(status: int, headers: Mapping[str, str], body: bytes, call: Call) -> Any:
    """The call's value for a 2xx answer; the matching ProblemError otherwise."""
    if 200 <= status < 300:
        data = _loads(body) if body else None
        return call.read(status, data)
    raise error_for(status, headers, body)


def error_for(status: int, headers: Mapping[str, str], body: bytes) -> ProblemError:
    problem: Dict[str, Any]
    try:
        parsed = _loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        problem = parsed
    else:
        text = body.decode("utf-8", "replace").strip()[:500] if body else ""
        problem = {"status": status, "title": "HTTP %d" % status, "detail": text or None}
    return problem_error(status, problem, retry_after(headers))


# ---- the operations --------------------------------------------------------------------------

def _q(text: str) -> str:
    return quote(str(text), safe="")


def _json(value: Any) -> bytes:
    return _dumps(value).encode("utf-8")


def _timeout_query(timeout: Optional[float]) -> str:
    return "" if timeout is None else "?timeout=" + iso_duration(timeout)


def _margin(timeout: Optional[float]) -> Optional[float]:
    return None if timeout is None else timeout + 10.0


def run(task: str, input: Any, timeout: Optional[Seconds]) -> Call:
    t = seconds(timeout, "timeout")
    if t == 0:
        raise ValueError("timeout must be positive")
    return Call("POST", "/tasks/%s/run%s" % (_q(task), _timeout_query(t)),
                _json({} if input is None else input), lambda s, d: d["result"], _margin(t))


def map_(task: str, inputs: Iterable[Any], timeout: Optional[Seconds]) -> Call:
    t = seconds(timeout, "timeout")
    if t == 0:
        raise ValueError("timeout must be positive")
    return Call("POST", "/tasks/%s/map%s" % (_q(task), _timeout_query(t)),
                _json(list(inputs)), lambda s, d: d["results"], _margin(t))


def submit(task: str, input: Any, queue: Optional[str], priority: Optional[int],
           delay: Optional[Seconds], max_attempts: Optional[int], timeout: Optional[Seconds],
           idempotency_key: Optional[str]) -> Call:
    body: Dict[str, Any] = {"task": task, "input": {} if input is None else input}
    if queue is not None:
        body["queue"] = queue
    if priority is not None:
        body["priority"] = priority
    d = seconds(delay, "delay")
    if d is not None:
        body["delay"] = iso_duration(d)
    if max_attempts is not None:
        body["maxAttempts"] = max_attempts
    t = seconds(timeout, "timeout")
    if t is not None:
        body["timeout"] = iso_duration(t)
    if idempotency_key is not None:
        body["idempotencyKey"] = idempotency_key
    return Call("POST", "/jobs", _json(body), _job)


def job(job_id: str) -> Call:
    return Call("GET", "/jobs/" + _q(job_id), None, _job)


def result(job_id: str, wait: Optional[float]) -> Call:
    query = "" if not wait else "?wait=" + iso_duration(wait)
    return Call("GET", "/jobs/%s/result%s" % (_q(job_id), query), None, _job, _margin(wait))


def cancel(job_id: str) -> Call:
    return Call("POST", "/jobs/%s/cancel" % _q(job_id), None, _job)


def retry(job_id: str) -> Call:
    return Call("POST", "/jobs/%s/retry" % _q(job_id), None, _job)


def delete(job_id: str) -> Call:
    return Call("DELETE", "/jobs/" + _q(job_id), None, lambda s, d: None)


def jobs(state: Union[None, str, Iterable[str]], task: Optional[str], queue: Optional[str],
         limit: Optional[int], cursor: Optional[str]) -> Call:
    params: List[Tuple[str, str]] = []
    if state:
        params.append(("state", state if isinstance(state, str) else ",".join(state)))
    if task:
        params.append(("task", task))
    if queue:
        params.append(("queue", queue))
    if limit is not None:
        params.append(("limit", str(limit)))
    if cursor:
        params.append(("cursor", cursor))
    query = "?" + urlencode(params) if params else ""
    return Call("GET", "/jobs" + query, None, _page)


def tasks() -> Call:
    return Call("GET", "/tasks", None, lambda s, d: d["tasks"])


def stats() -> Call:
    return Call("GET", "/stats", None, lambda s, d: d)


def ready() -> Call:
    return Call("GET", "/health/ready", None, lambda s, d: True)


def events_path(job: Optional[str], task: Optional[str], queue: Optional[str]) -> str:
    params = [(k, v) for k, v in (("job", job), ("task", task), ("queue", queue)) if v]
    return "/events" + ("?" + urlencode(params) if params else "")


def _job(status: int, data: Any) -> Job:
    return Job.from_json(data)


def _page(status: int, data: Any) -> Page:
    return Page([Job.from_json(j) for j in data.get("items", [])], data.get("nextCursor"))
