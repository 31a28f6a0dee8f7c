"""environment.yml and pyproject.toml cannot drift: conda installs the project itself."""
import pathlib
import re
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return project, env


def test_environment_yml_installs_the_project_with_every_extra():
    project, env = load()
    deps = env["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert len(pip_sections) == 1, "environment.yml must have one pip section"
    (line,) = pip_sections[0]
    match = re.fullmatch(r"-e \.\[([a-z,]+)\]", line)
    assert match, f"the pip section must install the project itself, got {line!r}"
    assert set(match.group(1).split(",")) == set(project["optional-dependencies"])


def test_environment_yml_lists_no_package_of_its_own():
    _, env = load()
    conda = sorted(d.split("=")[0] for d in env["dependencies"] if isinstance(d, str))
    assert conda == ["pip", "python"], f"packages belong in pyproject.toml, got {conda}"


def test_python_version_of_environment_yml_is_allowed_by_pyproject():
    project, env = load()
    (python,) = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    minor = int(python.split("=")[1].split(".")[1])
    lower, upper = re.findall(r"3\.(\d+)", project["requires-python"])
    assert int(lower) <= minor < int(upper)


def test_mxnet_and_numpy_are_pinned():
    project, _ = load()
    deps = project["dependencies"]
    assert "mxnet==1.9.1" in deps
    assert any(re.fullmatch(r"numpy.*<1\.24", d) for d in deps), deps
