"""The FastAPI answer's CPU-bound function as an Offload task, run in a Python child process.

The answer (see the seed: "How to do multiprocessing in FastAPI") imports ``cpu_bound_func`` from
a ``calc`` module it does not show; this is a typical body for it: a pure-Python loop that keeps
one core busy and takes one integer parameter. Instead of ``loop.run_in_executor(
ProcessPoolExecutor(), cpu_bound_func, param)``, the function becomes an Offload task, and Offload
supplies the pool, time limits, cancel, retries and the durable queue:

    ProcessExecutor py = ProcessExecutor.python(Path.of("examples/python-worker/cpu_bound.py"))
        .hardTimeLimit(Duration.ofSeconds(60)).build();
    Task<In, Out> task = ExternalTask.of("cpu_bound_func", In.class, Out.class);
    // record In(int param) {}  record Out(long result) {}

Input ``{"param": N}``, output ``{"result": sum of i*i for i < N}`` (the answer's handler
returns ``{"result": res}``).

Run it by hand: ``echo '{"type":"run","id":"1","task":"cpu_bound_func","input":{"param":10}}' |
PYTHONPATH=clients/python/src python3 examples/python-worker/cpu_bound.py``

Without Java code, the same file's ``@task`` form runs with ``./offload serve --python FILE``: see
examples/fastapi/tasks.py and docs/PYTHON.md.
"""

import os
import sys

try:
    from offload.worker import serve
except ImportError:  # run from a checkout without PYTHONPATH set
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "clients", "python", "src"))
    from offload.worker import serve


def sum_of_squares(start: int, end: int) -> int:
    total = 0
    for i in range(start, end):
        total += i * i
    return total


def cpu_bound_func(param: int) -> int:
    """The answer's CPU-bound work: plain Python, no I/O."""
    return sum_of_squares(0, param)


def cpu_bound_task(ctx, inp):
    """``cpu_bound_func`` in chunks, so progress and cancel reach it between chunks."""
    param = int(inp["param"])
    if param < 0:
        raise ValueError("param must be >= 0, was %d" % param)
    chunk = 200_000
    total = 0
    for start in range(0, param, chunk):
        ctx.check_cancelled()
        end = min(param, start + chunk)
        total += sum_of_squares(start, end)
        ctx.progress(end / param)
    return {"result": total}


def noop(inp):
    """The equivalent of spin with ms=0, for measuring per-task overhead."""
    return {"iterations": 0}


if __name__ == "__main__":
    serve({"cpu_bound_func": cpu_bound_task, "spin": noop})
