"""Server-sent events: an incremental parser and the resume rules both clients follow."""

import json
from typing import Any, Dict, List, Optional, Tuple

from offload.models import Event


class Parser:
    """Feeds bytes, returns complete events (text/event-stream, WHATWG rules: ``data``, ``id``,
    ``event``, ``retry`` fields; comment lines; CRLF, LF or CR line ends)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: List[str] = []
        self._event = ""
        self._id: Optional[str] = None
        #: the last id the stream set (kept across events, as the spec says)
        self.last_id: Optional[str] = None
        #: the reconnection delay the server asked for, in seconds
        self.retry: Optional[float] = None

    def feed(self, chunk: bytes) -> List[Event]:
        self._buffer += chunk
        out: List[Event] = []
        while True:
            line, sep, rest = _split_line(self._buffer)
            if not sep:
                return out
            self._buffer = rest
            event = self._line(line.decode("utf-8", "replace"))
            if event is not None:
                out.append(event)

    def _line(self, line: str) -> Optional[Event]:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
                self.last_id = value
        elif name == "retry" and value.isdigit():
            self.retry = int(value) / 1000.0
        return None

    def _dispatch(self) -> Optional[Event]:
        data, name, event_id = self._data, self._event or "message", self._id
        self._data, self._event, self._id = [], "", None
        if not data:
            return None
        text = "\n".join(data)
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = {"text": text}
        if not isinstance(parsed, dict):
            parsed = {"value": parsed}
        return Event(parsed, event_id if event_id is not None else None, name)


def _split_line(buffer: bytes) -> Tuple[bytes, bytes, bytes]:
    """The first line and the rest; a lone CR at the end waits for a possible LF."""
    for i, b in enumerate(buffer):
        if b == 10:
            return buffer[:i], b"\n", buffer[i + 1:]
        if b == 13:
            if i + 1 == len(buffer):
                return b"", b"", buffer
            if buffer[i + 1] == 10:
                return buffer[:i], b"\r\n", buffer[i + 2:]
            return buffer[:i], b"\r", buffer[i + 1:]
    return b"", b"", buffer


class Resume:
    """What a reconnecting stream must remember: the last event id (sent as ``Last-Event-ID``)
    and, for a server that gives no ids, the last job event delivered, so the job's current state
    that the server replays first on ``?job=`` is not delivered twice."""

    def __init__(self, job: Optional[str], last_event_id: Optional[str]) -> None:
        self.job = job
        self.last_id = last_event_id
        self.retry = 1.0
        self.failures = 0
        self._last_seen: Optional[Tuple[Any, ...]] = None
        self._replay = False
        self.finished = False

    def headers(self) -> Dict[str, str]:
        h = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self.last_id is not None:
            h["Last-Event-ID"] = self.last_id
        return h

    def connected(self) -> None:
        self.failures = 0
        self._replay = self.last_id is None and self._last_seen is not None

    def accept(self, event: Event, parser: Parser) -> bool:
        """Whether to deliver ``event``; notes its id and whether the stream is done."""
        if parser.retry is not None:
            self.retry = parser.retry
        if event.id is not None:
            self.last_id = event.id
        key = (event.data.get("id"), event.data.get("state"), event.data.get("attempt"),
               json.dumps(event.data.get("progress"), sort_keys=True))
        replay, self._replay = self._replay, False
        if replay and event.id is None and key == self._last_seen:
            return False
        self._last_seen = key
        if self.job is not None and event.terminal and event.data.get("id") == self.job:
            self.finished = True
        return True

    def backoff(self) -> float:
        """Seconds to wait before the next attempt: the server's retry, doubling after failures."""
        self.failures += 1
        return min(30.0, self.retry * (2 ** min(self.failures - 1, 5)))
