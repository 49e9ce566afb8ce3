"""The real Offload server the tests run against.

``OFFLOAD_URL`` set (as the Maven build does: offload-cli's PythonSuiteTest starts the server and
runs this suite): use it. Otherwise start ``java -jar offload-cli/target/offload.jar serve`` (or
``$OFFLOAD_JAR``) on a free port with a temporary SQLite store and this folder's ``tasks.py``, once
per test run, and stop it at exit. The server must serve tests/tasks.py's tasks either way.
"""

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SRC = os.path.join(HERE, "..", "src")
if SRC not in sys.path:
    sys.path.insert(0, os.path.abspath(SRC))

_url = None
_lock = threading.Lock()


def url() -> str:
    """The server's base URL, starting one on first use when OFFLOAD_URL is not set."""
    global _url
    with _lock:
        if _url is None:
            _url = os.environ.get("OFFLOAD_URL") or _start()
        return _url


def _java() -> str:
    # The repository's own finder picks a JDK 21+ ($OFFLOAD_JAVA_HOME, $JAVA_HOME, PATH, /usr/lib/jvm).
    finder = os.path.join(REPO, "bin", "java-home.sh")
    if os.path.exists(finder):
        p = subprocess.run(["bash", "-c", '. "$1" >/dev/null && echo "$JAVA_HOME"', "_", finder],
                           capture_output=True, text=True)
        home = p.stdout.strip()
        if p.returncode == 0 and home and os.path.exists(os.path.join(home, "bin", "java")):
            return os.path.join(home, "bin", "java")
    found = shutil.which("java")
    if found is None:
        raise RuntimeError("no java to start the Offload server: set OFFLOAD_URL, JAVA_HOME or PATH")
    return found


def _start() -> str:
    jar = os.environ.get("OFFLOAD_JAR") or os.path.join(REPO, "offload-cli", "target", "offload.jar")
    if not os.path.exists(jar):
        raise RuntimeError("no Offload server: set OFFLOAD_URL, or build %s (./offload --help "
                           "builds it), or set OFFLOAD_JAR" % jar)
    data = tempfile.mkdtemp(prefix="offload-pytest-")
    log = open(os.path.join(data, "server.log"), "w+")
    proc = subprocess.Popen(
        [_java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar, "serve", "--port", "0",
         "--store", "sqlite:" + os.path.join(data, "offload.db"),
         "--python", os.path.join(HERE, "tasks.py"), "--python-children", "2",
         "--python-interpreter", sys.executable],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(data, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        m = re.search(r"listening on (http://\S+)", log.read())
        if m:
            return m.group(1)
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("the Offload server exited: " + log.read()[-2000:])
        time.sleep(0.1)
    raise RuntimeError("the Offload server did not start within 60 s")


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/health/ready", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server at %s not ready" % base)
        time.sleep(0.1)
