"""The FastAPI answer's three routes, with Offload doing the work (docs/PYTHON.md).

    ./offload serve --python examples/fastapi/tasks.py          # the durable queue + Python children
    OFFLOAD_URL=http://127.0.0.1:8080 uvicorn app:app --app-dir examples/fastapi --port 8000

Same routes and JSON as the original (see README.md, side by side); job state lives in Offload's
store instead of a dict in this process, so jobs survive a restart of either process and several
API processes (``uvicorn --workers N``) share them.
"""

import os
from http import HTTPStatus
from uuid import UUID

from fastapi import FastAPI, HTTPException

from offload import AsyncClient, JobNotFoundError

app = FastAPI()
offload = AsyncClient(os.environ.get("OFFLOAD_URL", "http://127.0.0.1:8080"))


@app.get("/{param}")
async def handler(param: int):
    res = await offload.run("cpu_bound_func", {"param": param})  # offload and wait
    return {"result": res}


@app.post("/new_cpu_bound_task/{param}", status_code=HTTPStatus.ACCEPTED)
async def task_handler(param: int):
    job = await offload.submit("cpu_bound_func", {"param": param})  # durable job, 202 at once
    return view(job)


@app.get("/status/{uid}")
async def status_handler(uid: UUID):
    try:
        return view(await offload.job(str(uid)))
    except JobNotFoundError:
        raise HTTPException(status_code=404) from None


def view(job):
    """The original's Job model: uid, status ("in_progress" | "complete"; "failed" added), result."""
    if job.state == "succeeded":
        status = "complete"
    elif job.state in ("failed", "cancelled"):
        status = "failed"
    else:
        status = "in_progress"
    return {"uid": job.id, "status": status, "result": job.result}


@app.on_event("shutdown")
async def on_shutdown():
    await offload.aclose()
