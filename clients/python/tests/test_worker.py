"""Tests of offload.worker over real pipes: the child protocol, @task files, describe, input checks.
Run with the rest of the suite (see the package README), or alone: python3 -m unittest test_worker."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.abspath(os.path.join(HERE, "..", "src"))
TASKS_FILE = os.path.join(HERE, "tasks.py")

WORKER = r'''
import sys, time
from offload.worker import serve, Cancelled

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


class Described(unittest.TestCase):
    def run_module(self, *args, stdin=None):
        env = dict(os.environ, PYTHONPATH=HELPER, OFFLOAD_HEARTBEAT_MS="200")
        return subprocess.run([sys.executable, "-m", "offload"] + list(args), input=stdin,
                              capture_output=True, text=True, env=env, timeout=30)

    def test_describe_lists_the_decorated_tasks_with_their_schemas(self):
        p = self.run_module("describe", TASKS_FILE)
        self.assertEqual(0, p.returncode, p.stderr)
        described = json.loads(p.stdout)
        tasks = {t["name"]: t for t in described["tasks"]}
        self.assertEqual(1, described["protocol"])
        self.assertEqual({"echo", "py_spin", "sleepy", "hold", "boom", "picky"}, set(tasks))
        self.assertEqual("Returns its input.", tasks["echo"]["description"])
        self.assertIsNone(tasks["echo"]["inputSchema"])
        self.assertEqual(["ms"], tasks["py_spin"]["inputSchema"]["required"])

    def test_a_file_that_prints_or_fails_at_import(self):
        folder = tempfile.mkdtemp()
        noisy = os.path.join(folder, "noisy_tasks.py")
        with open(noisy, "w") as f:
            f.write("from offload.worker import task\nprint('hello from import')\n"
                    "@task(name='x.y-z')\ndef f(inp):\n    return 1\n")
        p = self.run_module("describe", noisy)
        self.assertEqual(0, p.returncode, p.stderr)
        self.assertEqual(["x.y-z"], [t["name"] for t in json.loads(p.stdout)["tasks"]])
        self.assertIn("hello from import", p.stderr)

        broken = os.path.join(folder, "broken.py")
        with open(broken, "w") as f:
            f.write("import no_such_module_here\n")
        p = self.run_module("describe", broken)
        self.assertEqual(1, p.returncode)
        self.assertIn("No module named 'no_such_module_here'", p.stderr)

        empty = os.path.join(folder, "empty.py")
        open(empty, "w").close()
        p = self.run_module("describe", empty)
        self.assertEqual(1, p.returncode)
        self.assertIn("registers no tasks", p.stderr)
        self.assertEqual(2, self.run_module("describe").returncode)

    def test_worker_mode_runs_the_file_and_checks_the_declared_schema(self):
        env = dict(os.environ, PYTHONPATH=HELPER, OFFLOAD_HEARTBEAT_MS="200")
        p = subprocess.Popen([sys.executable, "-u", "-m", "offload", "worker", TASKS_FILE],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1)
        try:
            def read():
                while True:
                    m = json.loads(p.stdout.readline())
                    if m["type"] != "heartbeat":
                        return m

            self.assertIn("py_spin", read()["tasks"])
            for i, (inp, expect) in enumerate([
                    ({"ms": 1}, None),
                    ({"ms": "1"}, ("input.ms", "expected integer, got string")),
                    ({}, ("input.ms", "required")),
                    ({"ms": -1}, ("input.ms", "less than the minimum")),
                    ({"ms": 1, "x": 2}, ("input.x", "unknown field")),
                    ([1], ("input", "expected object, got array"))]):
                p.stdin.write(json.dumps({"type": "run", "id": str(i), "task": "py_spin",
                                          "input": inp}) + "\n")
                p.stdin.flush()
                m = read()
                if expect is None:
                    self.assertEqual("result", m["type"], m)
                else:
                    self.assertEqual(("error", "invalid-input"), (m["type"], m["errorType"]))
                    self.assertEqual(expect[0], m["field"])
                    self.assertIn(expect[1], m["message"])
            p.stdin.write(json.dumps({"type": "run", "id": "p", "task": "picky",
                                      "input": {"n": 1}}) + "\n")
            p.stdin.flush()
            m = read()
            self.assertEqual(("invalid-input", "input.n", "must be even"),
                             (m["errorType"], m["field"], m["message"]))
        finally:
            p.stdin.close()
            self.assertEqual(0, p.wait(10))
            p.stdout.close()


class Decorator(unittest.TestCase):
    def setUp(self):
        sys.path.insert(0, HELPER)
        import offload.worker as w
        self.w = w
        self.saved = dict(w._REGISTRY)

    def tearDown(self):
        self.w._REGISTRY.clear()
        self.w._REGISTRY.update(self.saved)

    def test_names_are_checked_and_duplicates_refused(self):
        task = self.w.task
        with self.assertRaises(ValueError):
            task(name="has space")(lambda inp: inp)
        with self.assertRaises(TypeError):
            task(name="ok", input_schema=["not", "a", "dict"])(lambda inp: inp)

        @task(name="dup")
        def one(inp):
            return 1

        with self.assertRaises(ValueError) as caught:
            @task(name="dup")
            def two(inp):
                return 2
        self.assertIn("registered twice", str(caught.exception))
        self.assertIs(one, task(name="dup")(one), "registering the same function again is fine")
        self.assertEqual(1, one({}), "the decorated function stays callable")

    def test_serve_without_tasks_refuses(self):
        self.w._REGISTRY.clear()
        with self.assertRaises(ValueError):
            self.w.serve()


if __name__ == "__main__":
    unittest.main()
