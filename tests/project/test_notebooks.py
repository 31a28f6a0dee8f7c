"""The tutorial notebooks as files: committed from one clean run, repeatable, overridable.

Their outputs are checked by nbval in ``make test`` (quick mode); this module checks what
nbval does not: how they were stored, that papermill's parameters take effect, and that
the first cell makes MXNet's CPU execution deterministic before MXNet is imported.
"""
import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]  # tests/project -> the repository
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def code_cells(path):
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def source(cell):
    return "".join(cell["source"])


def trains(path):
    """Whether the notebook trains models (loads the data set)."""
    return any("load_data(" in "".join(c["source"]) for c in code_cells(path))


TRAINING = [p for p in NOTEBOOKS if trains(p)]


def parameters_cell(path):
    cells = [c for c in code_cells(path) if "parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} cells tagged 'parameters'"
    return cells[0]


def test_there_are_the_four_notebooks_three_of_which_train():
    assert [p.name for p in NOTEBOOKS] == [
        "01_basics.ipynb", "02_advanced_schedules.ipynb", "03_warmup_cosine.ipynb",
        "04_one_cycle_range_test.ipynb"]
    assert [p.name[:2] for p in TRAINING] == ["01", "03", "04"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_come_from_one_clean_run(path):
    counts = [c.get("execution_count") for c in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: {counts}"
    for cell in code_cells(path):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name}: {out.get('ename')}"
            text = "".join(out.get("text", ""))
            assert "Traceback" not in text, f"{path.name}: a traceback in the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_literals_papermill_can_override(path):
    cell = parameters_cell(path)
    names = []
    for node in ast.parse(source(cell)).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, \
            f"{path.name}: parameters line {node.lineno} is not one assignment"
        ast.literal_eval(node.value)  # raises for anything computed
        names.append(node.targets[0].id)
    if not trains(path):
        return
    assert {"QUICK", "DATASET"} <= set(names), f"{path.name}: no QUICK or DATASET parameter"
    # QUICK = None means "as MXSCHED_QUICK says" (make notebooks / make test): resolved
    # right after the injected parameters
    cells = code_cells(path)
    after = source(cells[cells.index(cell) + 1])
    assert "quick_mode()" in after, f"{path.name}: QUICK is not resolved after the parameters"


@pytest.mark.parametrize("path", TRAINING, ids=lambda p: p.stem)
def test_the_first_cell_makes_the_cpu_deterministic_before_mxnet_loads(path):
    first = source(code_cells(path)[0])
    engine = first.find('"MXNET_ENGINE_TYPE", "NaiveEngine"')
    threads = first.find('"OMP_NUM_THREADS", "1"')
    assert engine >= 0 and threads >= 0, f"{path.name}: no deterministic settings"
    imports = [i for i in (first.find("import mxnet"), first.find("import mxsched"),
                           first.find("from mxnet"), first.find("from mxsched")) if i >= 0]
    assert imports and max(engine, threads) < min(imports), \
        f"{path.name}: the settings come after MXNet is imported"


def test_papermill_overrides_take_effect(tmp_path):
    """Run notebook 03 with -p overrides (one seed, two epochs, the digits set, quick) and
    read back what it says it ran."""
    path = ROOT / "notebooks" / "03_warmup_cosine.ipynb"
    out = tmp_path / "out.ipynb"
    env = dict(os.environ, MXSCHED_QUICK="0")  # only -p QUICK True may make it quick
    subprocess.run(
        [sys.executable, "-m", "papermill", "--kernel", "python3", str(path), str(out),
         "-p", "QUICK", "True", "-p", "DATASET", "digits", "-p", "EPOCHS", "2",
         "-y", "SEEDS: [5]", "--cwd", str(tmp_path)],  # -y: YAML, for a list
        check=True, env=env, capture_output=True, timeout=900)
    text = "".join("".join(o.get("text", "")) for c in code_cells(out)
                   for o in c.get("outputs", []))
    assert "settings: dataset=digits quick=True epochs=2 seeds=[5]" in text
    assert "[quick mode: subsampled]" in text  # the data set line: the quick subset
