"""offload.Client against a real Offload server (see _server.py)."""

import threading
import time
import unittest
import uuid
from datetime import timedelta

import _server
from _proxy import Proxy

import offload
from offload import Client


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.url = _server.url()
        _server.wait_ready(cls.url)
        cls.client = Client(cls.url, timeout=30)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def queue(self):
        return "py-" + uuid.uuid4().hex[:12]  # each test sees only its own jobs

    def test_run_returns_the_output_of_java_and_python_tasks(self):
        self.assertGreater(self.client.run("spin", {"ms": 1})["iterations"], 0)
        self.assertEqual({"a": [1, "x"]}, self.client.run("echo", {"a": [1, "x"]}))
        self.assertGreater(self.client.run("py_spin", {"ms": 2})["iterations"], 0)

    def test_map_keeps_input_order(self):
        out = self.client.map("echo", [{"i": i} for i in range(20)])
        self.assertEqual([{"i": i} for i in range(20)], out)

    def test_run_timeout_is_a_task_timeout_error(self):
        with self.assertRaises(offload.TaskTimeoutError) as caught:
            self.client.run("sleepy", {"s": 5}, timeout=0.3)
        self.assertEqual(504, caught.exception.status)
        self.assertEqual("timeout", caught.exception.kind)

    def test_errors_carry_the_problem_fields(self):
        with self.assertRaises(offload.InvalidInputError) as caught:
            self.client.run("py_spin", {"ms": "lots"})
        e = caught.exception
        self.assertEqual(422, e.status)
        self.assertEqual("urn:offload:problem:invalid-input", e.type)
        self.assertEqual("input.ms", e.field)
        self.assertIn("expected integer", e.detail)
        self.assertTrue(e.title)

        with self.assertRaises(offload.InvalidInputError) as caught:
            self.client.run("picky", {"n": 3})
        self.assertEqual("input.n", caught.exception.field)

        with self.assertRaises(offload.TaskNotFoundError) as caught:
            self.client.run("no_such_task", {})
        self.assertEqual(404, caught.exception.status)
        self.assertEqual("no_such_task", caught.exception.problem["task"])

        with self.assertRaises(offload.JobNotFoundError):
            self.client.job("01a215a7-8398-7000-b0ce-c30eb28077d6")

        with self.assertRaises(offload.TaskFailedError) as caught:
            self.client.run("boom", {"why": "test"})
        self.assertIn("boom: test", caught.exception.detail)

        with self.assertRaises(offload.InvalidInputError) as caught:
            self.client.submit("echo", {}, priority="high")
        self.assertEqual("priority", caught.exception.field)

    def test_submit_sends_every_option_and_result_waits(self):
        q = self.queue()
        key = "k-" + uuid.uuid4().hex
        job = self.client.submit("py_spin", {"ms": 5}, queue=q, priority=7, max_attempts=4,
                                 timeout=timedelta(seconds=30), idempotency_key=key)
        self.assertIn(job.state, ("queued", "running", "succeeded"))
        self.assertEqual((q, 7, 4, key), (job.queue, job.priority, job.max_attempts,
                                          job.idempotency_key))
        self.assertEqual("PT30S", job.timeout)
        self.assertEqual(job.id, self.client.submit("py_spin", {"ms": 5}, queue=q,
                                                    idempotency_key=key).id)
        done = self.client.result(job.id, wait=30)
        self.assertTrue(done.done)
        self.assertEqual("succeeded", done.state)
        self.assertGreater(done.result["iterations"], 0)
        self.assertIsNotNone(done.finished_at.tzinfo)
        self.assertEqual(job.id, self.client.job(job.id).id)

    def test_delay_schedules_and_result_without_wait_returns_at_once(self):
        job = self.client.submit("echo", {"x": 1}, queue=self.queue(), delay=30)
        self.assertEqual("scheduled", job.state)
        started = time.monotonic()
        self.assertEqual("scheduled", self.client.result(job.id).state)
        self.assertEqual("scheduled", self.client.result(job.id, wait=0.3).state)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual("cancelled", self.client.cancel(job.id).state)

    def test_cancel_and_retry(self):
        job = self.client.submit("sleepy", {"s": 30}, queue=self.queue(), max_attempts=1)
        deadline = time.monotonic() + 20
        while self.client.job(job.id).state != "running" and time.monotonic() < deadline:
            time.sleep(0.02)
        cancelled = self.client.cancel(job.id)
        self.assertEqual("cancelled", cancelled.state)
        succeeded = self.client.result(self.client.submit("echo", {}, queue=self.queue()).id,
                                       wait=20)
        with self.assertRaises(offload.JobStateConflictError) as caught:
            self.client.retry(succeeded.id)
        self.assertEqual(409, caught.exception.status)
        failed = self.client.result(self.client.submit("boom", {}, queue=self.queue(),
                                                       max_attempts=1).id, wait=20)
        self.assertEqual("failed", failed.state)
        self.assertEqual("exception", failed.error["type"])
        again = self.client.retry(failed.id)
        self.assertIn(again.state, ("queued", "running", "failed"))

    def test_jobs_iterates_over_pages(self):
        q = self.queue()
        ids = {self.client.submit("echo", {"i": i}, queue=q).id for i in range(7)}
        pages = list(self.client.jobs(queue=q, limit=3))
        self.assertEqual([3, 3, 1], [len(p) for p in pages])
        self.assertIsNone(pages[-1].next_cursor)
        self.assertEqual(ids, {j.id for p in pages for j in p})
        for p in self.client.jobs(queue=q, state=["succeeded", "queued", "running"], task="echo"):
            self.assertTrue(all(j.task == "echo" for j in p))

    def test_events_follow_a_job_to_its_end(self):
        job = self.client.submit("py_spin", {"ms": 50}, queue=self.queue())
        states = [e.state for e in self.client.events(job=job.id)]
        self.assertEqual("succeeded", states[-1])
        self.assertTrue(set(states) <= {"queued", "running", "succeeded"})

    def test_events_resume_after_the_connection_drops(self):
        proxy = Proxy(*_host_port(self.url))
        try:
            client = Client(proxy.url)
            job = client.submit("sleepy", {"s": 1.5}, queue=self.queue())
            seen = []
            for event in client.events(job=job.id):
                seen.append(event.state)
                if len(seen) == 1:
                    threading.Timer(0.2, proxy.drop_all).start()
            client.close()
            self.assertEqual("succeeded", seen[-1])
            self.assertGreaterEqual(proxy.accepted, 2 + 1)  # submit, first stream, resumed stream
            self.assertEqual(len(seen), len(set(seen)), "no state delivered twice: %s" % seen)
        finally:
            proxy.close()

    def test_connections_are_reused_and_the_token_is_sent(self):
        proxy = Proxy(*_host_port(self.url))
        try:
            client = Client(proxy.url, token="s3cret-token")
            for _ in range(20):
                client.run("echo", {})
            self.assertEqual(1, proxy.accepted)
            self.assertIn(b"Authorization: Bearer s3cret-token\r\n", bytes(proxy.sent))
            proxy.drop_all()  # the server side of the idle connection goes away
            time.sleep(0.1)
            self.assertEqual({}, client.run("echo", {}))  # a stale connection is retried once
            client.close()
        finally:
            proxy.close()

    def test_unreachable_server_is_connection_failed(self):
        with self.assertRaises(offload.ConnectionFailed):
            Client("http://127.0.0.1:9", timeout=2).job("x")
        self.assertFalse(Client("http://127.0.0.1:9", timeout=2).is_ready())

    def test_tasks_and_stats(self):
        tasks = {t["name"]: t for t in self.client.tasks()}
        self.assertIn("spin", tasks)
        self.assertEqual(["ms"], tasks["py_spin"]["inputSchema"]["required"])
        self.assertEqual("Returns its input.", tasks["echo"]["description"])
        self.assertIn("jobs", self.client.stats())
        self.assertTrue(self.client.is_ready())


def _host_port(url):
    rest = url.split("://", 1)[1].split("/", 1)[0]
    host, port = rest.rsplit(":", 1)
    return host, int(port)


if __name__ == "__main__":
    unittest.main()
