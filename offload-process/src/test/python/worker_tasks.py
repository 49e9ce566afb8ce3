"""Tasks for the Java tests of ProcessExecutor, one per failure mode."""

import os
import signal
import sys
import time

from offload.worker import serve


def echo(inp):
    return {"value": inp.get("value"), "pid": os.getpid()}


def runaway(inp):
    x = 0
    while True:  # never checks for cancel
        x += 1


def cooperative(ctx, inp):
    """Works in small steps until cancelled; reports how far it got."""
    steps = 0
    while steps < inp.get("steps", 10**9):
        ctx.check_cancelled()
        time.sleep(0.01)
        steps += 1
        ctx.progress(min(1.0, steps / 1000.0), "step %d" % steps)
    return {"steps": steps}


def crash(inp):
    print("about to crash with", inp["code"], file=sys.stderr, flush=True)
    os._exit(inp["code"])


def die_by_signal(inp):
    print("about to be killed", file=sys.stderr, flush=True)
    os.kill(os.getpid(), inp["signal"])
    time.sleep(10)


def hog(inp):
    """Allocates and touches memory 16 MiB at a time, up to inp["mb"]."""
    keep = []
    for _ in range(inp["mb"] // 16):
        keep.append(bytearray(16 << 20))
        time.sleep(0.005)
    return {"held": len(keep) * 16}


def fail(inp):
    print("stderr line from the failing task", file=sys.stderr, flush=True)
    print("a print() on stdout must not break the protocol")
    raise ValueError("bad value: %s" % inp.get("value"))


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    serve({"echo": echo, "runaway": runaway, "cooperative": cooperative, "crash": crash,
           "die_by_signal": die_by_signal, "hog": hog, "fail": fail})
