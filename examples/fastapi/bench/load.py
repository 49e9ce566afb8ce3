"""Load client for the FastAPI benchmark: the same client drives the original and the Offload app.

    python3 load.py URL get PARAM SECONDS CONCURRENCY        # GET /PARAM in a closed loop
    python3 load.py URL flow PARAM JOBS CONCURRENCY          # POST /new_cpu_bound_task/PARAM, then
                                                             # GET /status/UID until all complete
Prints one JSON line. HTTP/1.1 keep-alive over asyncio streams, one connection per virtual user;
``--pids`` names processes whose CPU time (with their descendants) is reported per request.
"""

import asyncio
import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
POLL_S = 0.05  # a 202 client checks a pending job again after this long


def cpu_seconds(pid, tree=True):
    """utime + stime of pid (and all its descendants unless ``tree`` is false), in seconds."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append((int(entry), fields))
            except OSError:
                continue
    total, stack = 0.0, [pid]
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0
    if not tree:
        return total
    while stack:
        for child, fields in children.get(stack.pop(), []):
            total += (int(fields[11]) + int(fields[12])) / TICK
            stack.append(child)
    return total


class Conn:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n"
                           % (method, path, self.host)).encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length)
        return status, body


async def get_loop(host, port, param, seconds, concurrency):
    stop = time.monotonic() + seconds
    latencies, errors = [], 0

    async def user():
        nonlocal errors
        c = Conn(host, port)
        while time.monotonic() < stop:
            t = time.perf_counter()
            status, _ = await c.request("GET", "/%d" % param)
            latencies.append(time.perf_counter() - t)
            if status != 200:
                errors += 1

    t0 = time.monotonic()
    await asyncio.gather(*[user() for _ in range(concurrency)])
    elapsed = time.monotonic() - t0
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "seconds": elapsed,
            "rate": len(latencies) / elapsed,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)]}


async def flow(host, port, param, jobs, concurrency):
    todo = list(range(jobs))
    uids = []
    requests = errors = 0

    async def submitter():
        nonlocal requests, errors
        c = Conn(host, port)
        while todo:
            todo.pop()
            status, body = await c.request("POST", "/new_cpu_bound_task/%d" % param)
            requests += 1
            if status != 202:
                errors += 1
                continue
            uids.append(json.loads(body)["uid"])
        return c

    t0 = time.monotonic()
    conns = await asyncio.gather(*[submitter() for _ in range(concurrency)])
    submitted = time.monotonic() - t0
    done = 0
    pending = list(uids)
    # Then passes over the jobs not yet complete, each job asked at most once per pass and passes
    # at least POLL_S apart: a client that checks back, not one that spins on the status route.
    while pending:
        pass_started = time.monotonic()
        queue = list(pending)
        still = []

        async def poller(c):
            nonlocal requests, done, errors
            while queue:
                uid = queue.pop()
                status, body = await c.request("GET", "/status/" + uid)
                requests += 1
                state = json.loads(body).get("status") if status == 200 else None
                if state == "complete":
                    done += 1
                elif state == "in_progress":
                    still.append(uid)
                else:
                    errors += 1

        await asyncio.gather(*[poller(c) for c in conns])
        pending = still
        if pending:
            await asyncio.sleep(max(0.0, POLL_S - (time.monotonic() - pass_started)))
    elapsed = time.monotonic() - t0
    return {"jobs": jobs, "completed": done, "errors": errors, "requests": requests,
            "submit_seconds": submitted, "submit_rate": jobs / submitted,
            "seconds": elapsed, "rate": done / elapsed}


def summarize(path, orig_pid, app_pid, java_pid):
    """Medians per scenario and side as a Markdown table, with CPU per request or job."""
    import statistics
    rows = [json.loads(line) for line in open(path)]
    by = {}
    for r in rows:
        by.setdefault((r["scenario"], r["side"]), []).append(r["result"])
    print("| scenario | original | Offload | ratio | original p50 | Offload p50 | CPU per unit: "
          "original uvicorn process | original pool workers | Offload app (uvicorn) | "
          "Offload server JVM | Offload Python children |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scenario in ("get 0", "get 10", "flow 0", "flow 20"):
        o, a = by.get((scenario, "original"), []), by.get((scenario, "offload"), [])
        if not o or not a:
            continue
        med = lambda rs, key: statistics.median(r[key] for r in rs)

        def cpu(rs, pid, which):
            key = "cpu_ms_per_request" if "cpu_ms_per_request" in rs[0] else "cpu_ms_per_job"
            return statistics.median(r[key][str(pid)][which] for r in rs)

        unit = "req/s" if scenario.startswith("get") else "jobs/s"
        p50 = (lambda rs: "%.1f ms" % med(rs, "p50_ms")) if scenario.startswith("get") else (
            lambda rs: "submit %.0f/s" % med(rs, "submit_rate"))
        print("| %s | %.1f %s | %.1f %s | %.2fx | %s | %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms "
              "| %.2f ms |" % (
                  scenario.replace("get ", "GET /").replace("flow ", "202 flow, work ms="),
                  med(o, "rate"), unit, med(a, "rate"), unit, med(a, "rate") / med(o, "rate"),
                  p50(o), p50(a), cpu(o, orig_pid, 0),
                  cpu(o, orig_pid, 1) - cpu(o, orig_pid, 0), cpu(a, app_pid, 1),
                  cpu(a, java_pid, 0), cpu(a, java_pid, 1) - cpu(a, java_pid, 0)))
    print("\n(%d rounds; medians)" % max(len(v) for v in by.values()))


def main():
    args = sys.argv[1:]
    if args and args[0] == "summarize":
        summarize(*args[1:])
        return
    pids = []
    if "--pids" in args:
        i = args.index("--pids")
        pids = [int(p) for p in args[i + 1].split(",") if p]
        del args[i:i + 2]
    url, kind, param, amount, concurrency = args
    host, port = url.split("://", 1)[1].rstrip("/").rsplit(":", 1)
    before = {p: (cpu_seconds(p, False), cpu_seconds(p)) for p in pids}
    fn = get_loop if kind == "get" else flow
    result = asyncio.run(fn(host, int(port), int(param), float(amount) if kind == "get"
                            else int(amount), int(concurrency)))
    unit = result["requests"] if kind == "get" else result["jobs"]
    # per pid: [the process alone, the process and its descendants], ms of CPU per request/job
    result["cpu_ms_per_" + ("request" if kind == "get" else "job")] = {
        str(p): [1000 * (cpu_seconds(p, False) - before[p][0]) / max(1, unit),
                 1000 * (cpu_seconds(p) - before[p][1]) / max(1, unit)] for p in pids}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
