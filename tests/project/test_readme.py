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


def porting_rows():
    """(module, peer call, our call, built-from) of each row of the porting tables."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Porting from another library\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for part in section.split("\n### ")[1:]:
        module = re.search(r"from (mxsched\.compat\.\w+) import", part.splitlines()[0]).group(1)
        for line in part.splitlines():
            if line.startswith("| `"):
                peer, ours, built = (c.strip() for c in line.strip().strip("|").split("|"))
                rows.append((module, peer, ours, built))
    return rows


def _code(cell):
    return re.search(r"`([^`]*)`", cell).group(1)


def _lambda_example(epoch):
    return 0.95 ** epoch


def test_the_porting_tables_cover_every_drop_in():
    import importlib

    import mxsched
    rows = porting_rows()
    shown = {}
    for module, peer, ours, _ in rows:
        call = _code(peer) if ours == "the same call" else _code(ours)
        shown.setdefault(module, set()).add(re.match(r"\w+", call).group(0))
    for module in ("torch", "timm", "transformers", "gluoncv", "mxnet", "keras"):
        name = f"mxsched.compat.{module}"
        mod = importlib.import_module(name)
        public = {n for n in mod.__all__ if callable(getattr(mod, n))
                  and not isinstance(getattr(mod, n), type(mxsched.config))}
        # every drop-in class or function (helpers such as from_mxnet, SchedulerType excepted)
        helpers = {"from_mxnet", "SchedulerType"}
        assert public - helpers <= shown.get(name, set()), name


def test_every_porting_row_builds_what_it_says():
    import importlib

    import mxsched
    rows = porting_rows()
    assert len(rows) >= 40
    for module, peer, ours, built in rows:
        mod = importlib.import_module(module)
        scope = dict(vars(mxsched), f=_lambda_example,
                     **{n: getattr(mod, n) for n in mod.__all__})
        call = _code(peer) if ours == "the same call" else _code(ours)
        sched = eval(call, scope)  # test only: the README's own text
        assert isinstance(sched, mxsched.Schedule), call
        # the core is made of mxsched's own classes (Keras reuses names such as
        # ExponentialDecay): read it in mxsched's namespace
        want = eval(_code(built), dict(vars(mxsched), f=_lambda_example))
        got = sched.core if hasattr(sched, "core") else sched
        assert got == want, f"{call}: core is {got!r}"
        assert type(sched).__module__.startswith(module) or module == "mxsched.compat.mxnet"
