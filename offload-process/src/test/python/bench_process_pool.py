"""Per-task overhead of Python's concurrent.futures.ProcessPoolExecutor with a no-op task.

The baseline for ProcessExecutor's benchmark (ProcessOverheadBenchTest runs this script on the same
machine, at the same time, and compares). Prints one JSON object:

  latency_us      median round trip of one no-op task submitted and awaited alone
  throughput_us   wall time / N with N no-op tasks submitted at once (amortized cost per task)

each as the median over ROUNDS rounds (the median of a round's samples for latency).

Usage: python3 bench_process_pool.py [workers] [rounds] [latency_n] [throughput_n]
"""

import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, wait


def spin(ms=0):
    """The Python equivalent of spin with ms=0: returns at once."""
    return {"iterations": 0}


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    latency_n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    throughput_n = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    latency, throughput = [], []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Warm up: start every worker process and import the function.
        wait([pool.submit(spin, 0) for _ in range(workers * 50)])
        for _ in range(rounds):
            samples = []
            for _ in range(latency_n):
                t0 = time.perf_counter_ns()
                pool.submit(spin, 0).result()
                samples.append((time.perf_counter_ns() - t0) / 1000.0)
            latency.append(statistics.median(samples))
            t0 = time.perf_counter_ns()
            wait([pool.submit(spin, 0) for _ in range(throughput_n)])
            throughput.append((time.perf_counter_ns() - t0) / 1000.0 / throughput_n)
    print(json.dumps({
        "python": sys.version.split()[0],
        "workers": workers,
        "latency_us": statistics.median(latency),
        "latency_rounds_us": latency,
        "throughput_us": statistics.median(throughput),
        "throughput_rounds_us": throughput,
    }))


if __name__ == "__main__":
    main()
