"""Unit tests of offload_worker.py over real pipes (run by PythonHelperTest, or by hand:
PYTHONPATH=offload-process/src/main/python python3 -m unittest discover -s offload-process/src/test/python -p 'test_*.py')."""

import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.join(HERE, "..", "..", "main", "python")

WORKER = r'''
import sys, time
from offload_worker import serve, Cancelled

def echo(inp):
    return inp

def loop(ctx, inp):
    n = 0
    while True:
        ctx.check_cancelled()
        n += 1
        if n % 1000 == 0:
            ctx.progress(0.5, "looping")
        time.sleep(0.0005)

def info(ctx, inp):
    return {"id": ctx.id, "job": ctx.job, "attempt": ctx.attempt, "deadline": ctx.deadline,
            "left_positive": ctx.time_left() is not None and ctx.time_left() > 0}

def noisy(inp):
    print("to stdout")
    sys.stdout.write("more stdout\n")
    return {"ok": True}

def hog(inp):
    return {"n": len(bytearray(inp["mb"] << 20))}

serve({"echo": echo, "loop": loop, "info": info, "noisy": noisy, "hog": hog})
'''


class Child:
    def __init__(self, *wrapper):
        env = dict(os.environ, PYTHONPATH=HELPER, OFFLOAD_HEARTBEAT_MS="200")
        self.p = subprocess.Popen(list(wrapper) + [sys.executable, "-u", "-c", WORKER],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, text=True, bufsize=1)
        self.ready = self.read()

    def send(self, **m):
        self.p.stdin.write(json.dumps(m) + "\n")
        self.p.stdin.flush()

    def read(self, skip=("heartbeat",)):
        while True:
            line = self.p.stdout.readline()
            if not line:
                return None
            m = json.loads(line)
            if m["type"] not in skip:
                return m

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except OSError:
                pass


class WorkerTest(unittest.TestCase):
    def setUp(self):
        self.c = Child()

    def tearDown(self):
        self.c.close()

    def test_ready_lists_the_tasks(self):
        self.assertEqual(self.c.ready["type"], "ready")
        self.assertEqual(self.c.ready["tasks"], ["echo", "hog", "info", "loop", "noisy"])
        self.assertEqual(self.c.ready["pid"], self.c.p.pid)

    def test_many_runs_back_to_back_each_answered_once(self):
        # Requests sent the moment the previous answer arrives race the watcher thread.
        for i in range(300):
            self.c.send(type="run", id=str(i), task="echo", input={"i": i})
            m = self.c.read()
            self.assertEqual((m["type"], m["id"], m["output"]), ("result", str(i), {"i": i}))

    def test_pipelined_runs(self):
        for i in range(200):
            self.c.send(type="run", id=str(i), task="echo", input={"i": i})
        ids = [self.c.read()["id"] for _ in range(200)]
        self.assertEqual(ids, [str(i) for i in range(200)])

    def test_cancel_stops_a_running_task_and_the_worker_goes_on(self):
        self.c.send(type="run", id="a", task="loop", input={})
        progress = self.c.read()
        self.assertEqual((progress["type"], progress["id"]), ("progress", "a"))
        t0 = time.monotonic()
        self.c.send(type="cancel", id="b")  # not the running attempt: ignored
        self.c.send(type="cancel", id="a")
        m = self.c.read(skip=("heartbeat", "progress"))
        self.assertEqual((m["type"], m["id"], m["errorType"]), ("error", "a", "cancelled"))
        self.assertLess(time.monotonic() - t0, 1.0)
        self.c.send(type="run", id="c", task="echo", input={"x": 1})
        self.assertEqual(self.c.read()["output"], {"x": 1})

    def test_context_fields(self):
        deadline = int(time.time() * 1000) + 60_000
        self.c.send(type="run", id="7", task="info", input={}, job="job-1", attempt=3,
                    deadline=deadline)
        out = self.c.read()["output"]
        self.assertEqual((out["id"], out["job"], out["attempt"]), ("7", "job-1", 3))
        self.assertAlmostEqual(out["deadline"], deadline / 1000.0)
        self.assertTrue(out["left_positive"])

    def test_prints_go_to_stderr_not_the_protocol(self):
        self.c.send(type="run", id="1", task="noisy", input={})
        self.assertEqual(self.c.read()["output"], {"ok": True})
        self.c.send(type="shutdown")
        self.assertEqual(self.c.p.wait(5), 0)
        err = self.c.p.stderr.read()
        self.assertIn("to stdout", err)
        self.assertIn("more stdout", err)

    def test_unknown_task_and_bad_lines(self):
        self.c.p.stdin.write("this is not json\n")
        self.c.send(type="run", id="1", task="nope", input={})
        m = self.c.read()
        self.assertEqual((m["type"], m["errorType"]), ("error", "unknown-task"))

    def test_heartbeats_flow(self):
        m = self.c.read(skip=())
        self.assertEqual(m["type"], "heartbeat")

    def test_eof_ends_the_worker(self):
        self.c.p.stdin.close()
        self.assertEqual(self.c.p.wait(5), 0)

    def test_eof_while_a_task_runs_does_not_let_it_outlive_the_parent(self):
        self.c.send(type="run", id="a", task="loop", input={})
        self.c.read()
        self.c.p.stdin.close()
        self.assertEqual(self.c.p.wait(5), 0)


class MemoryTest(unittest.TestCase):
    def test_memory_error_is_reported_and_the_worker_exits(self):
        c = Child("prlimit", "--as=%d" % (200 << 20), "--")
        try:
            c.send(type="run", id="1", task="hog", input={"mb": 512})
            m = c.read()
            self.assertEqual((m["type"], m["errorType"]), ("error", "memory-limit"))
            self.assertEqual(c.p.wait(5), 3)
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
