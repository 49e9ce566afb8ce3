"""Offload child-process worker helper (standard library only).

Turns a dict of Python functions into an Offload worker that speaks the child-process protocol
(JSON lines over stdin/stdout, see docs/PROCESS-WORKERS.md)::

    from offload_worker import serve

    def cpu_bound_func(ctx, inp):
        total = 0
        for i in range(inp["param"]):
            if i % 100_000 == 0:
                ctx.check_cancelled()            # stop promptly on cancel / soft time limit
                ctx.progress(i / inp["param"])
            total += i * i
        return {"result": total}

    if __name__ == "__main__":
        serve({"cpu_bound_func": cpu_bound_func})

Each task is called as ``fn(ctx, input)`` with the decoded JSON input and must return something
JSON-serializable. Functions declared with one parameter are called as ``fn(input)``.

Tasks run one at a time on the main thread; while one runs, a watcher thread keeps listening, so
a ``cancel`` sets ``ctx.cancelled`` within about 0.1 s. Cancellation is cooperative: a task that
never checks is killed by the parent after its grace period. Anything the task prints goes to stderr (the
protocol owns stdout), where the parent keeps it for the attempt's error detail.
"""

import collections
import inspect
import json
import os
import select
import sys
import threading
import time
import traceback

__all__ = ["serve", "Context", "Cancelled"]

PROTOCOL_VERSION = 1


class Cancelled(Exception):
    """Raised by ``Context.check_cancelled`` once the parent asked the attempt to stop."""


class Context:
    """What a running task sees of its attempt."""

    __slots__ = ("_worker", "id", "job", "attempt", "deadline", "_cancelled", "_last_progress")

    def __init__(self, worker, message):
        self._worker = worker
        self.id = message.get("id")
        self.job = message.get("job")
        self.attempt = int(message.get("attempt") or 1)
        deadline = message.get("deadline")
        #: When the attempt's time limit runs out, in seconds since the epoch, or None.
        self.deadline = deadline / 1000.0 if deadline is not None else None
        self._cancelled = False  # set by the watcher thread; a plain attribute is enough
        self._last_progress = 0.0

    @property
    def cancelled(self):
        """True once the parent sent ``cancel`` for this attempt (caller cancel or soft limit)."""
        return self._cancelled

    def check_cancelled(self):
        """Raises ``Cancelled`` when the attempt should stop."""
        if self._cancelled:
            raise Cancelled("attempt %s was cancelled" % self.id)

    def time_left(self):
        """Seconds until the deadline, or None without one."""
        return None if self.deadline is None else self.deadline - time.time()

    def progress(self, fraction, message=None):
        """Reports progress in [0, 1]; calls closer than 50 ms apart are coalesced."""
        now = time.monotonic()
        if fraction < 1 and now - self._last_progress < 0.05:
            return
        self._last_progress = now
        self._worker.send({"type": "progress", "id": self.id,
                           "fraction": max(0.0, min(1.0, float(fraction))), "message": message})


class _Worker:
    """Design: the main thread reads stdin and runs each task itself, so a request reaches its task
    without any thread hand-off (a hand-off costs more than the rest of the round trip). While a
    task runs, the watcher thread (which also sends heartbeats) reads stdin too, looking for a
    ``cancel`` for that task; it polls every WATCH_S, so an idle worker costs nothing per task.
    Both readers share one buffer of complete lines under a lock, on a non-blocking descriptor."""

    WATCH_S = 0.1

    def __init__(self, tasks, proto_out, fd):
        self.tasks = dict(tasks)
        self._arity = {name: _arity(fn) for name, fn in self.tasks.items()}
        self._out = proto_out
        self._fd = fd
        os.set_blocking(fd, False)
        self._out_lock = threading.Lock()
        self._in_lock = threading.Lock()
        self._partial = b""
        self._lines = collections.deque()
        self._eof = False
        self._running = None  # the Context of the attempt being run
        # The watcher may read the next message just as a task ends, while the main thread waits
        # on the now-empty descriptor: it then wakes the main thread through this pipe.
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._encode = json.JSONEncoder(separators=(",", ":"), default=str).encode

    def send(self, message):
        line = self._encode(message) + "\n"
        with self._out_lock:
            try:
                self._out.write(line)
                self._out.flush()
            except (BrokenPipeError, OSError):
                os._exit(0)  # the parent is gone

    def _fill(self):
        """Reads what is available into the line buffer (caller holds _in_lock)."""
        try:
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        if not data:
            self._eof = True
            return
        parts = (self._partial + data).split(b"\n")
        self._partial = parts.pop()
        self._lines.extend(p for p in parts if p.strip())

    def next_message(self):
        """The next message for the main thread, or None at end of input."""
        while True:
            with self._in_lock:
                if self._lines:
                    line = self._lines.popleft()
                elif self._eof:
                    return None
                else:
                    line = None
            if line is not None:
                try:
                    return json.loads(line)
                except ValueError:
                    print("offload_worker: ignoring a line that is not JSON: %r" % line,
                          file=sys.stderr)
                    continue
            ready = select.select([self._fd, self._wake_r], [], [])[0]
            if self._wake_r in ready:
                try:
                    os.read(self._wake_r, 4096)
                except BlockingIOError:
                    pass
            with self._in_lock:
                self._fill()

    def watch_loop(self, heartbeat_interval):
        beat = {"type": "heartbeat"}
        next_beat = time.monotonic() + heartbeat_interval
        while True:
            wait = max(0.0, min(self.WATCH_S, next_beat - time.monotonic()))
            ctx = self._running
            if ctx is None:
                time.sleep(wait)
            elif select.select([self._fd], [], [], wait)[0]:
                self._scan_for_cancel(ctx)
            if time.monotonic() >= next_beat:
                self.send(beat)
                next_beat = time.monotonic() + heartbeat_interval

    def _scan_for_cancel(self, ctx):
        with self._in_lock:
            self._fill()
            eof = self._eof
            kept = collections.deque()
            for line in self._lines:
                if b'"cancel"' in line:
                    try:
                        m = json.loads(line)
                    except ValueError:
                        m = {}
                    if m.get("type") == "cancel":
                        if m.get("id") == ctx.id:
                            ctx._cancelled = True
                        continue
                kept.append(line)
            self._lines = kept
        if kept or eof:
            try:
                os.write(self._wake_w, b"x")
            except BlockingIOError:
                pass  # the pipe is full of wake-ups already
        if eof:
            # stdin closed: the parent is gone or gave up on us. The running task gets a moment
            # (handy when piping a file in by hand), but does not outlive the parent for long.
            deadline = time.monotonic() + 2.0
            while self._running is ctx and time.monotonic() < deadline:
                time.sleep(0.01)
            if self._running is ctx:
                sys.stderr.flush()
                os._exit(0)

    def main_loop(self):
        while True:
            message = self.next_message()
            if message is None or message.get("type") == "shutdown":
                return
            if message.get("type") == "run":
                self.run(message)
            # a cancel read here is for an attempt that already ended: nothing to do

    def run(self, message):
        ctx = Context(self, message)
        name = message.get("task")
        fn = self.tasks.get(name)
        if fn is None:
            self.error(ctx.id, "unknown-task", "no task %r in this worker (has %s)"
                       % (name, sorted(self.tasks)), None)
            return
        self._running = ctx
        try:
            arg = message.get("input")
            output = fn(ctx, arg) if self._arity[name] >= 2 else fn(arg)
            self._running = None
            self.send({"type": "result", "id": ctx.id, "output": output})
        except MemoryError:
            self._running = None
            self.error(ctx.id, "memory-limit", "MemoryError: the task ran out of memory",
                       traceback.format_exc())
            # The heap may be in a bad state; the parent replaces us.
            sys.stderr.flush()
            os._exit(3)
        except Cancelled as e:
            self._running = None
            self.error(ctx.id, "cancelled", str(e), None)
        except BaseException as e:  # noqa: B902 - everything a task raises fails only its attempt
            self._running = None
            if isinstance(e, (SystemExit, KeyboardInterrupt)) and not ctx.cancelled:
                raise
            kind = "cancelled" if ctx.cancelled else type(e).__name__
            self.error(ctx.id, kind, str(e) or type(e).__name__, traceback.format_exc())

    def error(self, attempt_id, error_type, message, detail):
        self.send({"type": "error", "id": attempt_id, "errorType": error_type,
                   "message": message, "detail": detail})


def _arity(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 2
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 2
    return len(positional)


def serve(tasks):
    """Runs the worker until the parent sends ``shutdown`` or closes stdin.

    ``tasks`` maps task names to functions ``fn(ctx, input) -> output`` (or ``fn(input)``).
    """
    # The protocol keeps the real stdout; fd 1 (and sys.stdout) now go to stderr, so prints from
    # the task, or from C code, cannot corrupt the protocol. Likewise the protocol owns stdin.
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    proto_in = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    worker = _Worker(tasks, proto_out, proto_in)
    worker.send({"type": "ready", "pid": os.getpid(), "tasks": sorted(worker.tasks),
                 "protocol": PROTOCOL_VERSION, "language": "python"})
    interval = int(os.environ.get("OFFLOAD_HEARTBEAT_MS", "1000")) / 1000.0
    threading.Thread(target=worker.watch_loop, args=(interval,), name="offload-watcher",
                     daemon=True).start()
    worker.main_loop()
    sys.stderr.flush()
