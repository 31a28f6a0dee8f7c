"""The README's Python example runs and means what the README says."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]  # tests/project -> the repository


def test_readme_example_runs_and_warms_up_to_the_peak():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "README.md has no python example"
    scope = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)  # test only: our own README
    sched = scope["sched"]
    assert sched(0) == 0.0 and sched(2 * 235) == 0.1 and sched.base_lr == 0.1
    assert scope["trainer"].optimizer.lr_scheduler is sched
