"""Job of tests/gluon/test_launch.py: tests/gluon/dist_worker.py, plus a record of how it was
started.

A worker writes ``<out>/started-<pid>.json`` (working directory, script path and the
variables the launcher should have passed) and then trains exactly as
tests/gluon/dist_worker.py. A scheduler or server never gets past ``import mxnet``.
"""
import mxnet  # noqa: F401  first: a scheduler or server starts inside this import

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dist_worker  # noqa: E402

PASSED = ("DMLC_ROLE", "DMLC_NODE_HOST", "DMLC_NUM_WORKER", "DMLC_NUM_SERVER",
          "OMP_NUM_THREADS", "PYTHONPATH", "MXSCHED_LAUNCH_TOKEN")


def main() -> None:
    out = sys.argv[sys.argv.index("--out") + 1]
    with open(os.path.join(out, f"started-{os.getpid()}.json"), "w") as f:
        json.dump({"cwd": os.getcwd(), "file": os.path.abspath(__file__),
                   "env": {k: os.environ.get(k) for k in PASSED}}, f)
    dist_worker.main()


if __name__ == "__main__":
    main()
