"""examples/fastapi against a real Offload server, beside the original, both under uvicorn.

OFFLOAD_URL names a server that serves tasks.py (offload-cli's FastApiExampleTest starts one:
``offload serve --python examples/fastapi/tasks.py``). Needs Debian's python3-fastapi and
python3-uvicorn; the offload package comes from clients/python/src (PYTHONPATH)."""

import json
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.abspath(os.path.join(HERE, "..", "..", "clients", "python", "src"))


class Uvicorn:
    """``python -m uvicorn MODULE:app`` on a socket bound here (``--fd``), so no port race."""

    def __init__(self, module, app_dir, env):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        path = os.pathsep.join([PACKAGE, HERE, os.environ.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", module + ":app", "--app-dir", app_dir,
             "--fd", str(self.sock.fileno()), "--log-level", "warning"],
            pass_fds=(self.sock.fileno(),), env=dict(os.environ, PYTHONPATH=path, **env),
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/openapi.json", timeout=2).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("uvicorn %s did not start" % module)
                time.sleep(0.1)

    def call(self, method, path):
        request = urllib.request.Request(self.url + path, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()


def wait_complete(app, uid):
    deadline = time.monotonic() + 30
    while True:
        status, body = app.call("GET", "/status/" + uid)
        if body.get("status") != "in_progress" or time.monotonic() > deadline:
            return status, body
        time.sleep(0.02)


class FastApiOnOffloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.environ.get("OFFLOAD_URL"):
            raise RuntimeError("set OFFLOAD_URL to a server running: offload serve --python "
                               "examples/fastapi/tasks.py")
        cls.app = Uvicorn("app", HERE, {})
        cls.original = Uvicorn("seed_app", os.path.join(HERE, "original"), {})

    @classmethod
    def tearDownClass(cls):
        cls.app.stop()
        cls.original.stop()

    def test_offload_and_wait(self):
        status, body = self.app.call("GET", "/5")
        self.assertEqual(200, status)
        self.assertEqual(["result"], list(body))
        self.assertIsInstance(body["result"], int)
        self.assertGreater(body["result"], 0)
        self.assertEqual({"result": 0}, self.app.call("GET", "/0")[1])

    def test_background_job_202_then_status(self):
        status, body = self.app.call("POST", "/new_cpu_bound_task/20")
        self.assertEqual(202, status)
        self.assertEqual({"uid", "status", "result"}, set(body))
        self.assertEqual("in_progress", body["status"])
        self.assertIsNone(body["result"])
        uuid.UUID(body["uid"])
        status, done = wait_complete(self.app, body["uid"])
        self.assertEqual(200, status)
        self.assertEqual("complete", done["status"])
        self.assertEqual(body["uid"], done["uid"])
        self.assertGreater(done["result"], 0)

    def test_same_json_as_the_original(self):
        for path in ("/3",):
            a, b = self.app.call("GET", path), self.original.call("GET", path)
            self.assertEqual((a[0], set(a[1])), (b[0], set(b[1])))
        a = self.app.call("POST", "/new_cpu_bound_task/2")
        b = self.original.call("POST", "/new_cpu_bound_task/2")
        self.assertEqual((a[0], set(a[1]), a[1]["status"], a[1]["result"]),
                         (b[0], set(b[1]), b[1]["status"], b[1]["result"]))
        a, b = wait_complete(self.app, a[1]["uid"]), wait_complete(self.original, b[1]["uid"])
        self.assertEqual((a[0], set(a[1]), a[1]["status"]), (b[0], set(b[1]), b[1]["status"]))
        self.assertEqual(type(a[1]["result"]), type(b[1]["result"]))
        for path in ("/abc", "/status/not-a-uuid"):
            a, b = self.app.call("GET", path), self.original.call("GET", path)
            self.assertEqual(422, a[0])
            self.assertEqual(a, b)

    def test_unknown_uid_is_404_where_the_original_fails(self):
        status, body = self.app.call("GET", "/status/" + str(uuid.uuid4()))
        self.assertEqual((404, {"detail": "Not Found"}), (status, body))


if __name__ == "__main__":
    unittest.main()
