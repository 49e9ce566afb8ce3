"""``cpu_bound_func`` as an Offload task, run by Offload's Python children:

    ./offload serve --python examples/fastapi/tasks.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from calc import cpu_bound_func  # noqa: E402 - the folder goes on the path first
from offload.worker import task  # noqa: E402


@task(name="cpu_bound_func",
      description="Burns {\"param\": N} milliseconds of CPU time; returns the loop count",
      input_schema={"type": "object", "required": ["param"],
                    "properties": {"param": {"type": "integer"}}},
      output_schema={"type": "integer"})
def cpu_bound_task(inp):
    return cpu_bound_func(inp["param"])
