"""``python3 -m offload worker TASKS.py`` runs a child worker; ``describe TASKS.py`` lists tasks."""

import sys

from offload.worker import main

if __name__ == "__main__":
    sys.exit(main())
