"""Packaging: one list of dependencies, one version, the licence, and what a wheel ships.

environment.yml and pyproject.toml cannot drift (conda installs the project itself); the
version is written once (``mxsched.__version__``, read statically by setuptools); MXNet is
no dependency (tools/install_mxnet.py installs one build of it) and the pins of that
script agree with pyproject.toml; the wheel built from the tree ships ``py.typed`` and
the licence.
"""
import ast
import hashlib
import importlib.util
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]  # tests/project -> the repository
# sha256 of the Apache License 2.0 as published (https://www.apache.org/licenses/LICENSE-2.0.txt)
APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
COPYRIGHT = "Copyright 2026 The mxsched authors"
# what a copy of the tree for a build leaves out: environments, caches, build output
IGNORED = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info",
                                 "__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks",
                                 ".ipynb_checkpoints")


def load():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return project, env


def install_script():
    spec = importlib.util.spec_from_file_location("install_mxnet",
                                                  ROOT / "tools" / "install_mxnet.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def literal_version():
    """The value of the one ``__version__ = "..."`` statement of mxsched/__init__.py."""
    tree = ast.parse((ROOT / "mxsched" / "__init__.py").read_text())
    found = [node.value for node in tree.body if isinstance(node, ast.Assign)
             and [getattr(t, "id", None) for t in node.targets] == ["__version__"]]
    assert len(found) == 1, "mxsched/__init__.py must assign __version__ exactly once"
    (value,) = found
    assert isinstance(value, ast.Constant) and isinstance(value.value, str), (
        "__version__ must be a string literal, which setuptools reads without importing "
        "mxsched (and MXNet)")
    return value.value


# ------------------------------------------------------------------ environment.yml
def test_environment_yml_installs_the_project_with_every_extra_but_cpu():
    project, env = load()
    deps = env["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert len(pip_sections) == 1, "environment.yml must have one pip section"
    (line,) = pip_sections[0]
    match = re.fullmatch(r"-e \.\[([a-z,]+)\]", line)
    assert match, f"the pip section must install the project itself, got {line!r}"
    # `cpu` is the CPU build of MXNet: conda users install the build for their machine
    # with tools/install_mxnet.py instead.
    assert set(match.group(1).split(",")) == set(project["optional-dependencies"]) - {"cpu"}


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


# ------------------------------------------------------------------ MXNet and numpy
def test_mxnet_is_no_dependency_and_numpy_is_pinned():
    project, _ = load()
    deps = project["dependencies"]
    assert not [d for d in deps if d.lower().startswith("mxnet")], (
        f"a listed MXNet build would be installed over another one, got {deps}")
    assert any(re.fullmatch(r"numpy.*<1\.24", d) for d in deps), deps
    extras = project["optional-dependencies"]
    assert extras["cpu"] == ["mxnet==1.9.1"]
    others = [d for name, reqs in extras.items() if name != "cpu" for d in reqs
              if d.lower().startswith("mxnet") and not d.startswith("mxsched")]
    assert not others, f"only the extra cpu may name an MXNet build, got {others}"


def test_install_script_pins_what_pyproject_pins():
    project, _ = load()
    script = install_script()
    assert script.MXNET_VERSION == "1.9.1"
    assert script.NUMPY_REQUIREMENT in project["dependencies"]
    assert project["optional-dependencies"]["cpu"] == [
        f"{script.CPU_BUILD}=={script.MXNET_VERSION}"]


def test_every_make_target_that_needs_the_venv_installs_mxnet_first():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in recipe.splitlines()[1:]]
    script = next(i for i, line in enumerate(lines) if "tools/install_mxnet.py" in line)
    project = next(i for i, line in enumerate(lines) if "pip install" in line and "-e" in line)
    assert script < project, recipe
    assert "tools/install_mxnet.py" in recipe.splitlines()[0], "the stamp must depend on it"


# ------------------------------------------------------------------ version
def test_version_has_one_source():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"], "the version is written in mxsched only"
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "mxsched.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", literal_version())


def test_version_at_runtime_is_the_literal():
    import mxsched

    assert mxsched.__version__ == literal_version()


# ------------------------------------------------------------------ licence
def test_license_is_the_apache_2_text_under_our_copyright():
    text = (ROOT / "LICENSE").read_text()
    first, rest = text.split("\n", 1)
    assert first == COPYRIGHT
    assert hashlib.sha256(rest.encode()).hexdigest() == APACHE_2_SHA256, (
        "after the copyright line, LICENSE must be the Apache License 2.0, unchanged")


def test_pyproject_declares_the_license_file():
    project, _ = load()
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]


# ------------------------------------------------------------------ the wheel
@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built by pip (with build isolation) from a clean copy of the tree."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=IGNORED)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         "--quiet", "--wheel-dir", str(tmp / "out"), str(src)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = (tmp / "out").glob("mxsched-*.whl")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(f"{dist_info}/METADATA").decode()
    return path, names, dist_info, metadata


def test_wheel_ships_py_typed_and_every_module(wheel):
    _, names, _, _ = wheel
    assert "mxsched/py.typed" in names
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "mxsched").rglob("*.py"))
    assert modules and set(modules) <= set(names)
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"mxsched"}, top


def test_wheel_metadata_version_license_and_requirements(wheel):
    path, names, dist_info, metadata = wheel
    fields = [line.split(": ", 1) for line in metadata.split("\n\n", 1)[0].splitlines()
              if ": " in line]
    values = {}
    for key, value in fields:
        values.setdefault(key, []).append(value)
    assert values["Version"] == [literal_version()]
    assert path.name == f"mxsched-{literal_version()}-py3-none-any.whl"
    assert values["License-Expression"] == ["Apache-2.0"]
    assert values["License-File"] == ["LICENSE"]
    (shipped,) = [n for n in names if n.startswith(dist_info) and n.endswith("/LICENSE")]
    assert shipped.startswith(dist_info + "/")
    requires = values["Requires-Dist"]
    assert 'mxnet==1.9.1; extra == "cpu"' in requires
    unconditional = [r for r in requires if "extra ==" not in r]
    assert not [r for r in unconditional if r.lower().startswith("mxnet")], unconditional
    assert any(r.startswith("numpy") and "<1.24" in r for r in unconditional), unconditional
