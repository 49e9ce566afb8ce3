"""Python tasks of the server the test suite runs against (``--python tests/tasks.py``)."""

import os
import time

from offload.worker import InvalidInput, task


@task
def echo(inp):
    """Returns its input."""
    return inp


@task(input_schema={"type": "object", "required": ["ms"], "additionalProperties": False,
                    "properties": {"ms": {"type": "integer", "minimum": 0}}},
      output_schema={"type": "object", "properties": {"iterations": {"type": "integer"}}})
def py_spin(ctx, inp):
    """Burns {"ms": N} milliseconds of this process's CPU time."""
    end = time.thread_time() + inp["ms"] / 1000.0
    n = 0
    while time.thread_time() < end:
        n += 1
        if n % 10000 == 0:
            ctx.check_cancelled()
    return {"iterations": n}


@task
def sleepy(ctx, inp):
    """Sleeps {"s": seconds} in small steps, stopping on cancel."""
    end = time.monotonic() + float(inp.get("s", 1))
    while time.monotonic() < end:
        ctx.check_cancelled()
        time.sleep(0.01)
    return {"slept": inp.get("s", 1)}


@task
def hold(ctx, inp):
    """Waits until the file {"path": ...} exists (or 30 s), then returns."""
    end = time.monotonic() + 30
    while not os.path.exists(inp["path"]) and time.monotonic() < end:
        ctx.check_cancelled()
        time.sleep(0.005)
    return {"released": os.path.exists(inp["path"])}


@task
def boom(inp):
    """Always raises ValueError."""
    raise ValueError("boom: %s" % inp.get("why", "no reason"))


@task
def picky(inp):
    """Refuses odd numbers with InvalidInput naming the field."""
    if inp.get("n", 0) % 2:
        raise InvalidInput("must be even", "input.n")
    return {"n": inp["n"]}
