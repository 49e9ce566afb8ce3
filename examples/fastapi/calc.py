"""The ``calc`` module the FastAPI answer imports ``cpu_bound_func`` from (it does not show it).

Here it burns ``param`` milliseconds of the calling thread's CPU time (thread CPU time, not wall
time, so a busy machine does not shorten the work) and returns its loop count, the same contract
as the Java seed-api example, so every version of the app does the same work per request.
"""

import time


def cpu_bound_func(param: int) -> int:
    end = time.thread_time() + max(0, param) / 1000.0
    loops = 0
    while time.thread_time() < end:
        loops += 1
    return loops
