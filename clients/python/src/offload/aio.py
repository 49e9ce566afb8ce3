"""The asyncio client: ``offload.AsyncClient``, HTTP/1.1 written by hand over asyncio streams.

Design: one request at a time per connection, connections kept alive in a LIFO pool (the most
recently used one is warm and least likely to have been closed by the server). No thread per
request and no executor: a FastAPI handler awaiting ``run`` costs one socket write and one read
on the event loop. A connection is returned to the pool only after its whole answer was read; one
whose request was cancelled or timed out mid-answer is closed, since its framing is unknown."""

import asyncio
import ssl
import sys
import time
from collections import deque
from typing import (Any, AsyncIterator, Awaitable, Deque, Dict, Iterable, List, Optional,
                    Tuple, TypeVar, Union)

from offload import _http, _sse
from offload.errors import ConnectionFailed, UnavailableError
from offload.models import Event, Job, Page

__all__ = ["AsyncClient"]

T = TypeVar("T")

_LOST = (ConnectionError, asyncio.IncompleteReadError, EOFError)


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001 - closing a broken transport may fail; it is gone anyway
            pass


async def _within(awaitable: Awaitable[T], timeout: Optional[float]) -> T:
    if timeout is None:
        return await awaitable
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(timeout):
            return await awaitable
    return await asyncio.wait_for(awaitable, timeout)


class AsyncClient:
    """The same operations as :class:`offload.Client`, as coroutines, for asyncio code such as
    FastAPI handlers::

        from offload import AsyncClient

        client = AsyncClient("http://127.0.0.1:8080")

        @app.get("/{param}")
        async def handler(param: int):
            return {"result": await client.run("cpu_bound_func", {"param": param})}

    Create it anywhere (it connects lazily, on the running loop) and ``await client.aclose()``
    at shutdown, or use ``async with``. ``max_connections`` bounds the connections open at once
    (callers beyond it wait for a free one). A client belongs to one event loop.
    """

    def __init__(self, url: str = "http://127.0.0.1:8080", token: Optional[str] = None,
                 timeout: Optional[float] = 60.0, ssl_context: Optional[ssl.SSLContext] = None,
                 max_connections: int = 100) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be >= 1, was %r" % max_connections)
        self.url = url
        self._endpoint = _http.Endpoint.parse(url)
        self._timeout = _http.seconds(timeout, "timeout")
        self._token = _http.default_token(token)
        self._headers = _http.base_headers(self._endpoint, self._token)
        self._ssl: Union[None, ssl.SSLContext] = None
        if self._endpoint.scheme == "https":
            self._ssl = ssl_context or ssl.create_default_context()
        self._idle: Deque[_Conn] = deque()
        self._max = max_connections
        self._open = 0
        self._waiters: Deque["asyncio.Future[None]"] = deque()
        self._closed = False

    # ---- offload and wait -------------------------------------------------------------------

    async def run(self, task: str, input: Any = None, *,
                  timeout: Optional[_http.Seconds] = None) -> Any:
        """Runs ``task`` on ``input`` now and returns its output; see :meth:`offload.Client.run`."""
        return await self._call(_http.run(task, input, timeout))

    async def map(self, task: str, inputs: Iterable[Any], *,
                  timeout: Optional[_http.Seconds] = None) -> List[Any]:
        """Runs ``task`` over every input across the server's cores; outputs in input order."""
        return await self._call(_http.map_(task, inputs, timeout))

    # ---- jobs -------------------------------------------------------------------------------

    async def submit(self, task: str, input: Any = None, *, queue: Optional[str] = None,
                     priority: Optional[int] = None, delay: Optional[_http.Seconds] = None,
                     max_attempts: Optional[int] = None, timeout: Optional[_http.Seconds] = None,
                     idempotency_key: Optional[str] = None) -> Job:
        """Submits a background job and returns it at once; see :meth:`offload.Client.submit`."""
        return await self._call(_http.submit(task, input, queue, priority, delay, max_attempts,
                                             timeout, idempotency_key))

    async def job(self, id: str) -> Job:
        """The job's current state."""
        return await self._call(_http.job(id))

    async def result(self, id: str, wait: Optional[_http.Seconds] = None) -> Job:
        """The job, waiting up to ``wait`` seconds for it to end (long-poll)."""
        left = _http.seconds(wait, "wait") or 0.0
        deadline = time.monotonic() + left
        while True:
            j = await self._call(_http.result(id, min(left, 300.0)))
            left = deadline - time.monotonic()
            if j.done or left <= 0.001:
                return j

    async def cancel(self, id: str) -> Job:
        """Cancels a waiting or running job."""
        return await self._call(_http.cancel(id))

    async def retry(self, id: str) -> Job:
        """Puts a failed or cancelled job back in its queue."""
        return await self._call(_http.retry(id))

    async def delete(self, id: str) -> None:
        """Deletes a job that is not running."""
        await self._call(_http.delete(id))

    async def jobs(self, *, state: Union[None, str, Iterable[str]] = None,
                   task: Optional[str] = None, queue: Optional[str] = None,
                   limit: Optional[int] = None,
                   cursor: Optional[str] = None) -> AsyncIterator[Page]:
        """Pages of jobs, newest first: ``async for page in client.jobs(state="failed"): ...``"""
        while True:
            page = await self._call(_http.jobs(state, task, queue, limit, cursor))
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def events(self, job: Optional[str] = None, *, task: Optional[str] = None,
                     queue: Optional[str] = None, last_event_id: Optional[str] = None,
                     max_retries: Optional[int] = None) -> AsyncIterator[Event]:
        """Server-sent job events, reconnecting after a dropped connection; see
        :meth:`offload.Client.events`. Uses a connection of its own."""
        resume = _sse.Resume(job, last_event_id)
        call = _http.Call("GET", _http.events_path(job, task, queue), None, lambda s, d: d)
        while not resume.finished:
            conn: Optional[_Conn] = None
            try:
                conn = await self._dial()
                conn.writer.write(_http.encode_request(self._endpoint, self._headers, call,
                                                       resume.headers().items()))
                status, headers = await self._head(conn)
                if status != 200:
                    body = await self._body(conn, status, headers)
                    raise _http.error_for(status, headers, body)
                resume.connected()
                parser = _sse.Parser()
                async for chunk in self._chunks(conn, headers):
                    for event in parser.feed(chunk):
                        if resume.accept(event, parser):
                            yield event
                            if resume.finished:
                                return
            except (OSError, EOFError, asyncio.IncompleteReadError, ConnectionFailed) as e:
                if max_retries is not None and resume.failures >= max_retries:
                    raise ConnectionFailed("event stream from %s lost: %s" % (self.url, e)) from e
                await asyncio.sleep(resume.backoff())
                continue
            finally:
                if conn is not None:
                    conn.close()
            if not resume.finished:
                await asyncio.sleep(min(resume.retry, 1.0))

    # ---- instance ---------------------------------------------------------------------------

    async def tasks(self) -> List[Dict[str, Any]]:
        """The server's tasks: name, description, input and output JSON Schemas."""
        return await self._call(_http.tasks())

    async def stats(self) -> Dict[str, Any]:
        """Counts per state and queue, workers and pool load."""
        return await self._call(_http.stats())

    async def is_ready(self) -> bool:
        """True when the server answers and its job store does."""
        try:
            return await self._call(_http.ready())
        except (UnavailableError, ConnectionFailed):
            return False

    async def aclose(self) -> None:
        """Closes the pooled connections; later calls open new ones."""
        while self._idle:
            conn = self._idle.pop()
            self._open -= 1
            conn.close()
            try:
                await conn.writer.wait_closed()
            except Exception:  # noqa: BLE001 - the peer may have reset it already
                pass

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return "AsyncClient(%r)" % self.url

    # ---- transport --------------------------------------------------------------------------

    async def _call(self, call: _http.Call) -> Any:
        timeout = self._timeout
        if call.timeout is not None and (timeout is None or call.timeout > timeout):
            timeout = call.timeout
        data = _http.encode_request(self._endpoint, self._headers, call)
        for attempt in (0, 1):
            conn, reused = await self._checkout(timeout)
            keep = False
            try:
                conn.writer.write(data)
                status, headers, body = await _within(self._exchange(conn), timeout)
                keep = headers.get("connection", "").lower() != "close"
            except _LOST as e:
                if reused and attempt == 0 and _nothing_read(e):
                    continue  # the server closed an idle connection: the request never arrived
                raise ConnectionFailed("%s %s%s: %s" % (call.method, self.url, call.path,
                                                        e or type(e).__name__)) from e
            except asyncio.TimeoutError as e:
                raise ConnectionFailed("%s %s%s: no answer within %s s"
                                       % (call.method, self.url, call.path, timeout)) from e
            except OSError as e:
                raise ConnectionFailed("%s %s%s: %s" % (call.method, self.url, call.path, e)) from e
            finally:
                self._checkin(conn, keep)
            return _http.answer(status, headers, body, call)
        raise AssertionError("unreachable")

    async def _exchange(self, conn: _Conn) -> Tuple[int, Dict[str, str], bytes]:
        status, headers = await self._head(conn)
        return status, headers, await self._body(conn, status, headers)

    async def _head(self, conn: _Conn) -> Tuple[int, Dict[str, str]]:
        while True:
            head = await conn.reader.readuntil(b"\r\n\r\n")
            status, headers = _http.parse_head(head)
            if status != 100:
                return status, headers

    async def _body(self, conn: _Conn, status: int, headers: Dict[str, str]) -> bytes:
        if status in (204, 304) or 100 <= status < 200:
            return b""
        length = headers.get("content-length")
        if length is not None:
            return await conn.reader.readexactly(int(length))
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            async for chunk in self._chunks(conn, headers):
                parts.append(chunk)
            return b"".join(parts)
        headers["connection"] = "close"  # delimited by the end of the connection
        return await conn.reader.read()

    async def _chunks(self, conn: _Conn, headers: Dict[str, str]) -> AsyncIterator[bytes]:
        reader = conn.reader
        if "chunked" not in headers.get("transfer-encoding", "").lower():
            length = headers.get("content-length")
            if length is not None:
                yield await reader.readexactly(int(length))
                return
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                yield data
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                return
            data = await reader.readexactly(size)
            await reader.readexactly(2)
            yield data

    async def _dial(self) -> _Conn:
        e = self._endpoint
        try:
            reader, writer = await _within(
                asyncio.open_connection(e.host, e.port, ssl=self._ssl, limit=1 << 20),
                self._timeout)
        except asyncio.TimeoutError as x:
            raise ConnectionFailed("cannot connect to %s within %s s" % (self.url, self._timeout)) from x
        except OSError as x:
            raise ConnectionFailed("cannot connect to %s: %s" % (self.url, x)) from x
        return _Conn(reader, writer)

    async def _checkout(self, timeout: Optional[float]) -> Tuple[_Conn, bool]:
        while self._idle:
            conn = self._idle.pop()
            if not conn.reader.at_eof() and not conn.writer.is_closing():
                return conn, True
            self._open -= 1
            conn.close()
        while self._open >= self._max:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await _within(waiter, timeout)
            except asyncio.TimeoutError as x:
                raise ConnectionFailed("no free connection to %s within %s s (max_connections=%d)"
                                       % (self.url, timeout, self._max)) from x
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if self._idle:
                return self._idle.pop(), True
        self._open += 1
        try:
            return await self._dial(), False
        except BaseException:
            self._open -= 1
            self._wake()
            raise

    def _checkin(self, conn: _Conn, keep: bool) -> None:
        if keep and not self._closed and not conn.reader.at_eof():
            self._idle.append(conn)
        else:
            self._open -= 1
            conn.close()
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


def _nothing_read(e: BaseException) -> bool:
    if isinstance(e, asyncio.IncompleteReadError):
        return not e.partial
    return True
