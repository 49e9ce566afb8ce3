"""Offload tasks written in Python: the ``@task`` decorator and the child-process worker.

Write tasks as decorated functions in a ``.py`` file and let Offload run them in supervised child
processes (hard time limits, memory limits, recycling) behind its durable queue and HTTP API::

    # tasks.py
    from offload.worker import task

    @task
    def cpu_bound_func(param):
        return sum(i * i for i in range(param))

    @task(name="resize", description="Resize one image",
          input_schema={"type": "object", "required": ["url"],
                        "properties": {"url": {"type": "string"}, "width": {"type": "integer"}}})
    def resize(ctx, inp):
        ctx.check_cancelled()            # stop promptly on cancel / soft time limit
        ctx.progress(0.5, "halfway")
        return {"ok": True}

    $ ./offload serve --python tasks.py          # or: ./offload worker --store URL --python tasks.py

Each task is called as ``fn(ctx, input)`` with the decoded JSON input and returns something
JSON-serializable; functions declared with one parameter are called as ``fn(input)``. A declared
``input_schema`` (JSON Schema) is shown in ``GET /tasks`` and checked before the function runs
(``type``, ``properties``, ``required``, ``additionalProperties: false``, ``items``, ``enum``,
``minimum``, ``maximum``, ``minLength``, ``maxLength``); input that does not fit fails the attempt as
``invalid-input`` without retries.

``python3 -m offload worker tasks.py`` is the child Offload starts (it speaks the JSON-lines protocol
of docs/PROCESS-WORKERS.md on stdin/stdout); ``python3 -m offload describe tasks.py`` prints the
file's tasks as JSON, which is how the server learns their names. A script may also call
``serve({"name": fn, ...})`` itself, or ``serve()`` for its decorated tasks.

Tasks run one at a time on the main thread; while one runs, a watcher thread keeps listening, so
a ``cancel`` sets ``ctx.cancelled`` within about 0.1 s. Cancellation is cooperative: a task that
never checks is killed by the parent after its grace period. Anything the task prints goes to
stderr (the protocol owns stdout), where the parent keeps it for the attempt's error detail.
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

from typing import Any, Callable, Dict, List, Mapping, Optional, Union

__all__ = ["task", "serve", "registered", "describe", "Context", "Cancelled", "InvalidInput",
           "TaskSpec"]

PROTOCOL_VERSION = 1


class Cancelled(Exception):
    """Raised by ``Context.check_cancelled`` once the parent asked the attempt to stop."""


class InvalidInput(ValueError):
    """Raise it from a task (or let the declared ``input_schema`` raise it) for input that cannot
    work: the attempt fails as ``invalid-input`` and the job is not retried. ``field`` names the
    offending field (``input.ms``); the server reports it in the problem's ``field``."""

    def __init__(self, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.field = field


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class TaskSpec:
    """A registered task: its name, function, description and optional JSON Schemas."""

    __slots__ = ("name", "fn", "description", "input_schema", "output_schema", "_arity")

    def __init__(self, name: str, fn: Callable[..., Any], description: str = "",
                 input_schema: Optional[Mapping[str, Any]] = None,
                 output_schema: Optional[Mapping[str, Any]] = None) -> None:
        if not isinstance(name, str) or not name or len(name) > 200 or set(name) - _NAME_CHARS:
            raise ValueError("task name %r: use 1-200 letters, digits, '.', '_' or '-'" % (name,))
        if not callable(fn):
            raise TypeError("task %r: %r is not callable" % (name, fn))
        for label, schema in (("input_schema", input_schema), ("output_schema", output_schema)):
            if schema is not None and not isinstance(schema, Mapping):
                raise TypeError("task %r: %s must be a dict (a JSON Schema), was %r"
                                % (name, label, type(schema).__name__))
        self.name = name
        self.fn = fn
        self.description = description or _first_line(getattr(fn, "__doc__", None))
        self.input_schema = dict(input_schema) if input_schema is not None else None
        self.output_schema = dict(output_schema) if output_schema is not None else None
        self._arity = _arity(fn)

    def call(self, ctx: "Context", inp: Any) -> Any:
        if self.input_schema is not None:
            _validate(self.input_schema, inp, "input")
        return self.fn(ctx, inp) if self._arity >= 2 else self.fn(inp)

    def describe(self) -> Dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "inputSchema": self.input_schema, "outputSchema": self.output_schema}


_REGISTRY: Dict[str, TaskSpec] = {}


def task(fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None,
         description: str = "", input_schema: Optional[Mapping[str, Any]] = None,
         output_schema: Optional[Mapping[str, Any]] = None) -> Any:
    """Registers a function as an Offload task; use as ``@task`` or ``@task(name=..., ...)``.

    ``name`` defaults to the function's name, ``description`` to the first line of its docstring.
    ``input_schema`` / ``output_schema`` are JSON Schemas shown in ``GET /tasks``; the input schema
    is also checked before each call. The function itself is returned unchanged, so it can still
    be called directly (in tests, say).
    """
    def register(f: Callable[..., Any]) -> Callable[..., Any]:
        spec = TaskSpec(name or f.__name__, f, description, input_schema, output_schema)
        existing = _REGISTRY.get(spec.name)
        if existing is not None and existing.fn is not f:
            raise ValueError("task %r is registered twice (%s and %s)"
                             % (spec.name, _where(existing.fn), _where(f)))
        _REGISTRY[spec.name] = spec
        return f

    if fn is not None:
        return register(fn)
    return register


def registered() -> Dict[str, TaskSpec]:
    """The tasks registered with ``@task`` so far, by name."""
    return dict(_REGISTRY)


def describe(tasks: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """What ``python3 -m offload describe FILE`` prints: the protocol version and every task."""
    specs = _specs(tasks)
    return {"protocol": PROTOCOL_VERSION, "language": "python",
            "tasks": [specs[n].describe() for n in sorted(specs)]}


def _specs(tasks: Optional[Mapping[str, Any]]) -> Dict[str, TaskSpec]:
    if tasks is None:
        return dict(_REGISTRY)
    out = {}
    for n, t in tasks.items():
        out[n] = t if isinstance(t, TaskSpec) else TaskSpec(n, t)
    return out


def _first_line(doc: Optional[str]) -> str:
    if not doc:
        return ""
    lines = [line.strip() for line in doc.strip().splitlines()]
    return lines[0] if lines else ""


def _where(fn: Callable[..., Any]) -> str:
    code = getattr(fn, "__code__", None)
    if code is None:
        return repr(fn)
    return "%s at %s:%d" % (getattr(fn, "__qualname__", fn), code.co_filename, code.co_firstlineno)


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def _validate(schema: Mapping[str, Any], value: Any, path: str) -> None:
    """Checks the common JSON Schema keywords; raises InvalidInput naming the field."""
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_TYPES.get(n, lambda v: True)(value) for n in names):
            raise InvalidInput("expected %s, got %s" % (" or ".join(names), _json_type(value)),
                               path)
    if "enum" in schema and value not in schema["enum"]:
        raise InvalidInput("%r is not one of %r" % (value, schema["enum"]), path)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise InvalidInput("%r is less than the minimum %r" % (value, schema["minimum"]), path)
        if "maximum" in schema and value > schema["maximum"]:
            raise InvalidInput("%r is more than the maximum %r" % (value, schema["maximum"]), path)
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            raise InvalidInput("shorter than %d characters" % schema["minLength"], path)
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise InvalidInput("longer than %d characters" % schema["maxLength"], path)
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                raise InvalidInput("required", "%s.%s" % (path, key))
        props = schema.get("properties", {})
        for key, sub in props.items():
            if key in value and isinstance(sub, Mapping):
                _validate(sub, value[key], "%s.%s" % (path, key))
        if schema.get("additionalProperties") is False:
            extra = sorted(set(value) - set(props))
            if extra:
                raise InvalidInput("unknown field", "%s.%s" % (path, extra[0]))
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            _validate(schema["items"], item, "%s[%d]" % (path, i))


def _json_type(value: Any) -> str:
    for n in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[n](value):
            return n
    return type(value).__name__


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
        self.tasks = _specs(tasks)
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
                    print("offload.worker: ignoring a line that is not JSON: %r" % line,
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
        spec = self.tasks.get(name)
        if spec is None:
            self.error(ctx.id, "unknown-task", "no task %r in this worker (has %s)"
                       % (name, sorted(self.tasks)), None)
            return
        self._running = ctx
        try:
            output = spec.call(ctx, message.get("input"))
            self._running = None
            self.send({"type": "result", "id": ctx.id, "output": output})
        except InvalidInput as e:
            self._running = None
            self.send({"type": "error", "id": ctx.id, "errorType": "invalid-input",
                       "message": str(e), "detail": None, "field": e.field})
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


def serve(tasks: Optional[Mapping[str, Union[Callable[..., Any], TaskSpec]]] = None) -> None:
    """Runs the worker until the parent sends ``shutdown`` or closes stdin.

    ``tasks`` maps task names to functions ``fn(ctx, input) -> output`` (or ``fn(input)``);
    without it, the tasks registered with ``@task``.
    """
    if tasks is None and not _REGISTRY:
        raise ValueError("serve(): no tasks given and none registered with @task")
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


def load_file(path: str) -> Dict[str, TaskSpec]:
    """Imports a tasks file (its folder first on ``sys.path``, as ``python3 FILE`` would) and
    returns the tasks registered with ``@task`` so far."""
    import importlib.util

    full = os.path.abspath(path)
    if not os.path.isfile(full):
        raise FileNotFoundError("no such tasks file: %s" % path)
    folder = os.path.dirname(full)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    stem = os.path.splitext(os.path.basename(full))[0]
    name = stem if stem.isidentifier() and stem not in sys.modules else "_offload_tasks_file"
    spec = importlib.util.spec_from_file_location(name, full)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import %s as Python" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return registered()


def main(argv: Optional[List[str]] = None) -> int:
    """``python3 -m offload worker FILE`` (the child) or ``python3 -m offload describe FILE``."""
    args = list(sys.argv[1:] if argv is None else argv)
    usage = "usage: python3 -m offload {worker|describe} TASKS.py"
    if len(args) != 2 or args[0] not in ("worker", "describe"):
        print(usage, file=sys.stderr)
        return 2
    command, path = args
    # Whatever the file prints while it is imported must not reach the protocol (or the JSON).
    real_out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    saved_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        tasks = load_file(path)
    except Exception:  # noqa: BLE001 - a broken file is reported, with its traceback, as exit 1
        traceback.print_exc()
        print("offload: cannot load tasks from %s" % path, file=sys.stderr)
        return 1
    finally:
        sys.stdout = saved_stdout
    if not tasks:
        print("offload: %s registers no tasks (decorate functions with @task from offload.worker)"
              % path, file=sys.stderr)
        return 1
    if command == "describe":
        real_out.write(json.dumps(describe(tasks), separators=(",", ":"), default=str) + "\n")
        real_out.flush()
        return 0
    real_out.close()
    serve(tasks)
    return 0
