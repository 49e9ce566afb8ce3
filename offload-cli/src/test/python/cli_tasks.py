"""Python tasks for offload-cli's PythonWorkerCliTest (serve/worker --python)."""

import os
import time

from offload.worker import task


@task(description="Returns the child's pid",
      input_schema={"type": "object", "properties": {"tag": {"type": "string"}}})
def whoami(inp):
    return {"pid": os.getpid(), "tag": inp.get("tag")}


@task
def runaway(inp):
    """Never returns and never checks for cancel."""
    x = 0
    while True:
        x += 1


@task
def hog(inp):
    """Allocates {"mb": N} megabytes."""
    block = bytearray(inp["mb"] << 20)
    return {"n": len(block)}


@task
def nap(inp):
    time.sleep(inp.get("s", 0.1))
    return {"slept": True}
