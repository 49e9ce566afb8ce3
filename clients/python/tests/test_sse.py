"""The event-stream parser, and resuming with Last-Event-ID against a server that gives ids.

The Offload server in this version sends no ``id:`` lines (test_client and test_async_client cover
that case against it); here a small scripted HTTP server speaks SSE with ids and ``retry:``, cuts
the stream after a few events, and records the ``Last-Event-ID`` of each reconnect."""

import asyncio
import http.server
import json
import socketserver
import threading
import unittest

import _server  # noqa: F401 - puts the package on sys.path

from offload import AsyncClient, Client
from offload._sse import Parser


class ParserTest(unittest.TestCase):
    def test_fields_comments_and_line_ends(self):
        p = Parser()
        events = p.feed(b": hello\n\ndata: {\"a\": 1}\nid: 7\n\n")
        events += p.feed(b"event: reset\r\ndata: {\"b\"\r\ndata: : 2}\r\n\r")
        events += p.feed(b"\nretry: 2500\ndata: plain text\n\n")
        self.assertEqual([({"a": 1}, "7", "message"), ({"b": 2}, None, "reset"),
                          ({"text": "plain text"}, None, "message")],
                         [(e.data, e.id, e.event) for e in events])
        self.assertEqual("7", p.last_id)
        self.assertEqual(2.5, p.retry)

    def test_split_anywhere(self):
        stream = b"data: {\"n\": 1}\n\ndata: {\"n\": 2}\r\n\r\n"
        for cut in range(len(stream)):
            p = Parser()
            got = p.feed(stream[:cut]) + p.feed(stream[cut:])
            self.assertEqual([{"n": 1}, {"n": 2}], [e.data for e in got], cut)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen_last_ids: list = []
    total = 6

    def log_message(self, *args):
        pass

    def do_GET(self):
        last = self.headers.get("Last-Event-ID")
        type(self).seen_last_ids.append(last)
        start = int(last) + 1 if last is not None else 1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        # Three events per connection, then the connection drops without a proper end.
        for n in range(start, min(start + 3, self.total + 1)):
            state = "succeeded" if n == self.total else "running"
            body = ("retry: 10\nid: %d\ndata: %s\n\n" % (n, json.dumps(
                {"id": "job-1", "state": state, "attempt": 1, "progress": {"n": n}}))).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(body), body))
            self.wfile.flush()
        self.close_connection = True


class ResumeWithIdsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        cls.httpd.daemon_threads = True
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()
        cls.url = "http://127.0.0.1:%d" % cls.httpd.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()

    def setUp(self):
        _Handler.seen_last_ids = []

    def test_sync_client_sends_last_event_id(self):
        events = list(Client(self.url).events(job="job-1"))
        self.assertEqual([str(n) for n in range(1, 7)], [e.id for e in events])
        self.assertEqual([None, "3"], _Handler.seen_last_ids)

    def test_async_client_sends_last_event_id(self):
        async def collect():
            client = AsyncClient(self.url)
            return [e async for e in client.events(job="job-1", last_event_id="1")]

        events = asyncio.run(collect())
        self.assertEqual([str(n) for n in range(2, 7)], [e.id for e in events])
        self.assertEqual(["1", "4"], _Handler.seen_last_ids)


if __name__ == "__main__":
    unittest.main()
