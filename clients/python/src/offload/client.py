"""The blocking client: ``offload.Client``."""

import http.client
import socket
import ssl
import threading
import time
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union

from offload import _http, _sse
from offload.errors import ConnectionFailed, UnavailableError
from offload.models import Event, Job, Page

__all__ = ["Client"]

_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
          ConnectionAbortedError)


class Client:
    """A blocking client of an Offload server's HTTP API (docs/HTTP-API.md).

    Thread-safe: connections are kept alive and reused, one per concurrent caller::

        from offload import Client

        with Client("http://127.0.0.1:8080") as client:
            print(client.run("spin", {"ms": 20}))            # offload and wait
            job = client.submit("spin", {"ms": 200}, max_attempts=5)
            done = client.result(job.id, wait=30)              # long-poll until it ends
            print(done.state, done.result)

    ``token`` is sent as ``Authorization: Bearer`` (default: the ``OFFLOAD_TOKEN`` environment
    variable). ``timeout`` is how long, in seconds, one request may take to connect and answer;
    ``run``/``map`` with a ``timeout`` and ``result`` with ``wait`` wait that long plus 10 s.
    Errors are :class:`offload.errors.ProblemError` subclasses carrying the problem+json fields;
    :class:`offload.errors.ConnectionFailed` when nothing answers.
    """

    def __init__(self, url: str = "http://127.0.0.1:8080", token: Optional[str] = None,
                 timeout: Optional[float] = 60.0, ssl_context: Optional[ssl.SSLContext] = None,
                 max_idle: int = 16) -> None:
        self.url = url
        self._endpoint = _http.Endpoint.parse(url)
        self._timeout = _http.seconds(timeout, "timeout")
        self._ssl = ssl_context
        self._max_idle = max_idle
        token = _http.default_token(token)
        self._headers: Dict[str, str] = {"User-Agent": _http.USER_AGENT,
                                         "Accept": "application/json"}
        if token:
            self._headers["Authorization"] = "Bearer " + token
        self._idle: List[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    # ---- offload and wait -------------------------------------------------------------------

    def run(self, task: str, input: Any = None, *, timeout: Optional[_http.Seconds] = None) -> Any:
        """Runs ``task`` on ``input`` now and returns its output (``POST /tasks/{name}/run``).

        ``timeout`` (seconds) bounds the run on the server, which cancels the work when it runs
        out (:class:`offload.errors.TaskTimeoutError`)."""
        return self._call(_http.run(task, input, timeout))

    def map(self, task: str, inputs: Iterable[Any], *,
            timeout: Optional[_http.Seconds] = None) -> List[Any]:
        """Runs ``task`` over every input across the server's cores; outputs in input order."""
        return self._call(_http.map_(task, inputs, timeout))

    # ---- jobs -------------------------------------------------------------------------------

    def submit(self, task: str, input: Any = None, *, queue: Optional[str] = None,
               priority: Optional[int] = None, delay: Optional[_http.Seconds] = None,
               max_attempts: Optional[int] = None, timeout: Optional[_http.Seconds] = None,
               idempotency_key: Optional[str] = None) -> Job:
        """Submits a background job and returns it at once (``POST /jobs``, 202).

        ``delay`` and ``timeout`` (per attempt) are seconds or timedeltas; a second submit with
        the same ``idempotency_key`` returns the first job."""
        return self._call(_http.submit(task, input, queue, priority, delay, max_attempts, timeout,
                                       idempotency_key))

    def job(self, id: str) -> Job:
        """The job's current state (``GET /jobs/{id}``)."""
        return self._call(_http.job(id))

    def result(self, id: str, wait: Optional[_http.Seconds] = None) -> Job:
        """The job, waiting up to ``wait`` seconds for it to end (long-polls; waits longer than the
        server's 5-minute limit are split). Check ``job.done`` / ``job.state`` on the answer."""
        left = _http.seconds(wait, "wait") or 0.0
        deadline = time.monotonic() + left
        while True:
            j = self._call(_http.result(id, min(left, 300.0)))
            left = deadline - time.monotonic()
            if j.done or left <= 0.001:
                return j

    def cancel(self, id: str) -> Job:
        """Cancels a waiting or running job; a finished job is returned as it is."""
        return self._call(_http.cancel(id))

    def retry(self, id: str) -> Job:
        """Puts a failed or cancelled job back in its queue."""
        return self._call(_http.retry(id))

    def delete(self, id: str) -> None:
        """Deletes a job that is not running."""
        self._call(_http.delete(id))

    def jobs(self, *, state: Union[None, str, Iterable[str]] = None, task: Optional[str] = None,
             queue: Optional[str] = None, limit: Optional[int] = None,
             cursor: Optional[str] = None) -> Iterator[Page]:
        """Pages of jobs, newest first, fetched one at a time as you iterate::

            for page in client.jobs(state=["failed", "cancelled"], limit=100):
                for job in page:
                    ...
        """
        while True:
            page = self._call(_http.jobs(state, task, queue, limit, cursor))
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def events(self, job: Optional[str] = None, *, task: Optional[str] = None,
               queue: Optional[str] = None, last_event_id: Optional[str] = None,
               max_retries: Optional[int] = None) -> Iterator[Event]:
        """Server-sent job events (``GET /events``), reconnecting after a dropped connection.

        With ``job`` the stream starts with the job's current state and ends after its terminal
        state. On reconnect the last event id is sent as ``Last-Event-ID`` when the server gave
        ids; without ids, the replayed current state of a followed job is not delivered twice.
        ``max_retries`` bounds consecutive failed reconnects (default: no bound)."""
        resume = _sse.Resume(job, last_event_id)
        path = _http.events_path(job, task, queue)
        while not resume.finished:
            conn = self._connect(None)
            try:
                headers = dict(self._headers, **resume.headers())
                conn.request("GET", self._endpoint.base + path, headers=headers)
                response = conn.getresponse()
                if response.status != 200:
                    raise _http.error_for(response.status, _lower(response), response.read())
                resume.connected()
                parser = _sse.Parser()
                while not resume.finished:
                    chunk = response.read1(65536)
                    if not chunk:
                        break
                    for event in parser.feed(chunk):
                        if resume.accept(event, parser):
                            yield event
                            if resume.finished:
                                break
            except (OSError, http.client.HTTPException) as e:
                if max_retries is not None and resume.failures >= max_retries:
                    raise ConnectionFailed("event stream from %s lost: %s" % (self.url, e)) from e
                time.sleep(resume.backoff())
                continue
            finally:
                conn.close()
            if not resume.finished:
                time.sleep(min(resume.retry, 1.0))

    # ---- instance ---------------------------------------------------------------------------

    def tasks(self) -> List[Dict[str, Any]]:
        """The server's tasks: name, description, input and output JSON Schemas."""
        return self._call(_http.tasks())

    def stats(self) -> Dict[str, Any]:
        """Counts per state and queue, workers and pool load (``GET /stats``)."""
        return self._call(_http.stats())

    def is_ready(self) -> bool:
        """True when the server answers and its job store does."""
        try:
            return self._call(_http.ready())
        except (UnavailableError, ConnectionFailed):
            return False

    def close(self) -> None:
        """Closes idle connections; the client stays usable (it reconnects)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "Client(%r)" % self.url

    # ---- transport --------------------------------------------------------------------------

    def _connect(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        e = self._endpoint
        t = self._timeout if timeout is None else timeout
        if e.scheme == "https":
            return http.client.HTTPSConnection(e.host, e.port, timeout=t, context=self._ssl)
        return http.client.HTTPConnection(e.host, e.port, timeout=t)

    def _call(self, call: _http.Call) -> Any:
        timeout = self._timeout
        if call.timeout is not None and (timeout is None or call.timeout > timeout):
            timeout = call.timeout
        headers = self._headers
        if call.body is not None:
            headers = dict(headers, **{"Content-Type": "application/json"})
        for attempt in (0, 1):
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            reused = conn is not None
            if conn is None:
                conn = self._connect(timeout)
            elif conn.sock is not None:
                conn.sock.settimeout(timeout)
            try:
                conn.request(call.method, self._endpoint.base + call.path, call.body, headers)
                response = conn.getresponse()
                body = response.read()
            except _STALE as e:
                conn.close()
                if reused and attempt == 0:
                    continue  # the server closed an idle connection: the request never arrived
                raise ConnectionFailed("%s %s: %s" % (call.method, self.url, e)) from e
            except socket.timeout as e:
                conn.close()
                raise ConnectionFailed("%s %s%s: no answer within %s s"
                                       % (call.method, self.url, call.path, timeout)) from e
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                raise ConnectionFailed("%s %s: %s" % (call.method, self.url, e)) from e
            if response.will_close:
                conn.close()
            else:
                with self._lock:
                    if len(self._idle) < self._max_idle:
                        self._idle.append(conn)
                        conn = None
                if conn is not None:
                    conn.close()
            return _http.answer(response.status, _lower(response), body, call)
        raise AssertionError("unreachable")


def _lower(response: http.client.HTTPResponse) -> Dict[str, str]:
    return {k.lower(): v for k, v in response.getheaders()}

