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

Tasks run one at a time on the main thread; a reader thread keeps listening, so a ``cancel``
sets ``ctx.cancelled`` while the task runs. Cancellation is cooperative: a task that never checks
is killed by the parent after its grace period. Anything the task prints goes to stderr (the
protocol owns stdout), where the parent keeps it for the attempt's error detail.
"""

import inspect
import json
import os
import queue
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

    def __init__(self, worker, message):
        self._worker = worker
        self.id = message.get("id")
        self.job = message.get("job")
        self.attempt = int(message.get("attempt") or 1)
        deadline = message.get("deadline")
        #: When the attempt's time limit runs out, in seconds since the epoch, or None.
        self.deadline = deadline / 1000.0 if deadline is not None else None
        self._cancelled = threading.Event()
        self._last_progress = 0.0

    @property
    def cancelled(self):
        """True once the parent sent ``cancel`` for this attempt (caller cancel or soft limit)."""
        return self._cancelled.is_set()

    def check_cancelled(self):
        """Raises ``Cancelled`` when the attempt should stop."""
        if self._cancelled.is_set():
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
    def __init__(self, tasks, proto_out, proto_in):
        self.tasks = dict(tasks)
        self._arity = {name: _arity(fn) for name, fn in self.tasks.items()}
        self._out = proto_out
        self._in = proto_in
        self._lock = threading.Lock()
        self._inbox = queue.SimpleQueue()
        self._running = None  # the Context of the attempt on the main thread
        self._done = threading.Event()

    def send(self, message):
        line = json.dumps(message, separators=(",", ":"), default=str) + "\n"
        with self._lock:
            try:
                self._out.write(line)
                self._out.flush()
            except (BrokenPipeError, OSError):
                os._exit(0)  # the parent is gone

    def read_loop(self):
        for line in self._in:
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except ValueError:
                print("offload_worker: ignoring a line that is not JSON: %r" % line, file=sys.stderr)
                continue
            kind = message.get("type")
            if kind == "cancel":
                ctx = self._running
                if ctx is not None and ctx.id == message.get("id"):
                    ctx._cancelled.set()
            elif kind in ("run", "shutdown"):
                self._inbox.put(message)
        # stdin closed: the parent is gone or gave up on us. Messages already read get a moment to
        # finish (handy when piping a file in by hand); a long task does not outlive the parent.
        self._inbox.put({"type": "shutdown"})
        self._done.wait(2.0)
        sys.stderr.flush()
        os._exit(0)

    def heartbeat_loop(self, interval):
        beat = {"type": "heartbeat"}
        while True:
            time.sleep(interval)
            self.send(beat)

    def main_loop(self):
        while True:
            message = self._inbox.get()
            if message.get("type") == "shutdown":
                self._done.set()
                return
            self.run(message)

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
    # the task, or from C code, cannot corrupt the protocol.
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8", newline="\n")
    worker = _Worker(tasks, proto_out, proto_in)
    worker.send({"type": "ready", "pid": os.getpid(), "tasks": sorted(worker.tasks),
                 "protocol": PROTOCOL_VERSION, "language": "python"})
    interval = int(os.environ.get("OFFLOAD_HEARTBEAT_MS", "1000")) / 1000.0
    threading.Thread(target=worker.heartbeat_loop, args=(interval,), name="offload-heartbeat",
                     daemon=True).start()
    threading.Thread(target=worker.read_loop, name="offload-reader", daemon=True).start()
    worker.main_loop()
    sys.stderr.flush()
