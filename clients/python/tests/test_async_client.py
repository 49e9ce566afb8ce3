"""offload.AsyncClient against a real Offload server (see _server.py)."""

import asyncio
import os
import tempfile
import unittest
import uuid

import _server
from _proxy import Proxy
from test_client import _host_port

import offload
from offload import AsyncClient


class AsyncClientTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.url = _server.url()
        _server.wait_ready(cls.url)

    async def asyncSetUp(self):
        self.proxy = Proxy(*_host_port(self.url))
        self.client = AsyncClient(self.proxy.url, timeout=30)

    async def asyncTearDown(self):
        await self.client.aclose()
        self.proxy.close()

    def queue(self):
        return "pya-" + uuid.uuid4().hex[:12]

    async def test_run_map_and_errors(self):
        self.assertEqual({"v": 1}, await self.client.run("echo", {"v": 1}))
        self.assertEqual([{"i": 0}, {"i": 1}], await self.client.map("echo", [{"i": 0}, {"i": 1}]))
        with self.assertRaises(offload.InvalidInputError) as caught:
            await self.client.run("py_spin", {"ms": -1})
        self.assertEqual("input.ms", caught.exception.field)
        with self.assertRaises(offload.TaskNotFoundError):
            await self.client.submit("nope")
        with self.assertRaises(offload.TaskTimeoutError):
            await self.client.run("sleepy", {"s": 5}, timeout=0.2)

    async def test_jobs_submit_result_cancel_retry_and_pages(self):
        q = self.queue()
        job = await self.client.submit("py_spin", {"ms": 3}, queue=q, priority=2, max_attempts=2)
        done = await self.client.result(job.id, wait=20)
        self.assertEqual("succeeded", done.state)
        self.assertEqual(done, await self.client.job(job.id))
        long = await self.client.submit("sleepy", {"s": 30}, queue=q)
        self.assertEqual("cancelled", (await self.client.cancel(long.id)).state)
        self.assertIn((await self.client.retry(long.id)).state, ("queued", "running"))
        await self.client.cancel(long.id)
        pages = [p async for p in self.client.jobs(queue=q, limit=1)]
        self.assertEqual(2, len(pages))
        self.assertEqual({job.id, long.id}, {j.id for p in pages for j in p})

    async def test_connections_are_kept_alive_and_pooled(self):
        for _ in range(30):
            await self.client.run("echo", {})
        self.assertEqual(1, self.proxy.accepted)
        await asyncio.gather(*[self.client.run("py_spin", {"ms": 20}) for _ in range(8)])
        opened = self.proxy.accepted
        self.assertLessEqual(opened, 1 + 8)
        await asyncio.gather(*[self.client.run("echo", {}) for _ in range(8)])
        self.assertEqual(opened, self.proxy.accepted, "the second burst reuses the pool")

    async def test_max_connections_bounds_the_pool(self):
        client = AsyncClient(self.proxy.url, max_connections=2)
        try:
            results = await asyncio.gather(*[client.run("echo", {"i": i}) for i in range(20)])
            self.assertEqual([{"i": i} for i in range(20)], results)
            self.assertLessEqual(self.proxy.accepted, 2)
        finally:
            await client.aclose()

    async def test_stale_connection_is_retried_and_token_sent(self):
        client = AsyncClient(self.proxy.url, token="tok-123")
        try:
            await client.run("echo", {})
            self.proxy.drop_all()
            await asyncio.sleep(0.1)
            self.assertEqual({"again": True}, await client.run("echo", {"again": True}))
            self.assertIn(b"Authorization: Bearer tok-123\r\n", bytes(self.proxy.sent))
        finally:
            await client.aclose()

    async def test_a_cancelled_call_closes_its_connection_and_the_client_goes_on(self):
        with self.assertRaises(asyncio.TimeoutError):
            await asyncio.wait_for(self.client.run("sleepy", {"s": 5}), 0.3)
        self.assertEqual({"after": 1}, await self.client.run("echo", {"after": 1}))
        with self.assertRaises(offload.ConnectionFailed):
            await AsyncClient(self.proxy.url, timeout=0.3).run("sleepy", {"s": 3})

    async def test_events_follow_a_job_and_resume_after_a_drop(self):
        job = await self.client.submit("sleepy", {"s": 1.5}, queue=self.queue())
        seen = []
        async for event in self.client.events(job=job.id):
            seen.append(event.state)
            if len(seen) == 1:
                asyncio.get_running_loop().call_later(0.2, self.proxy.drop_all)
        self.assertEqual("succeeded", seen[-1])
        self.assertEqual(len(seen), len(set(seen)), "no state delivered twice: %s" % seen)
        self.assertGreaterEqual(self.proxy.accepted, 3)

    async def test_events_without_a_job_see_other_jobs(self):
        q = self.queue()
        stream = self.client.events(queue=q)
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.3)  # the stream is open before the job exists
        job = await self.client.submit("echo", {}, queue=q)
        event = await asyncio.wait_for(first, 20)
        self.assertEqual(job.id, event.job_id)
        await stream.aclose()

    async def test_a_full_queue_is_429_with_retry_after(self):
        release = os.path.join(tempfile.mkdtemp(), "go")
        client = AsyncClient(self.url, max_connections=800, timeout=60)
        try:
            calls = [asyncio.ensure_future(client.run("hold", {"path": release}))
                     for _ in range(700)]
            done, _ = await asyncio.wait(calls, timeout=60,
                                         return_when=asyncio.FIRST_EXCEPTION)
            errors = [c.exception() for c in done if c.exception() is not None]
            self.assertTrue(errors, "some calls were refused")
            self.assertIsInstance(errors[0], offload.QueueFullError)
            self.assertEqual(429, errors[0].status)
            self.assertGreater(errors[0].retry_after, 0)
        finally:
            open(release, "w").close()
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            await client.aclose()
        refused = [o for o in outcomes if isinstance(o, offload.QueueFullError)]
        served = [o for o in outcomes if isinstance(o, dict)]
        self.assertEqual(700, len(refused) + len(served), [o for o in outcomes
                                                           if not isinstance(o, (dict,
                                                           offload.QueueFullError))][:3])
        self.assertTrue(all(o == {"released": True} for o in served))


if __name__ == "__main__":
    unittest.main()
