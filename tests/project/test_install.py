"""Installing MXNet: the build already there is kept, else the right one is chosen.

* ``make install`` in a fresh, isolated virtual environment that holds a stand-in CUDA
  build (a tiny wheel named ``mxnet-cu117`` providing a marked ``mxnet`` package) leaves
  that build alone: neither tools/install_mxnet.py nor ``pip install -e ".[test,notebooks]"``
  installs the CPU ``mxnet`` over it.
* The chooser of tools/install_mxnet.py, run with fake ``nvidia-smi`` / ``nvcc`` /
  ``ldconfig`` on ``PATH`` and stand-in distributions on ``sys.path``: an installed
  build wins over everything, then ``MXNET``, then the CUDA version found, then the CPU.
* ``import mxsched`` without any MXNet build says how to install one.
"""
import ast
import base64
import hashlib
import importlib.util
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import textwrap
import uuid
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]  # tests/project -> the repository
SCRIPT = ROOT / "tools" / "install_mxnet.py"
NUMPY = "numpy>=1.20,<1.24"
IGNORED = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info",
                                 "__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks",
                                 ".ipynb_checkpoints")


def load_script():
    spec = importlib.util.spec_from_file_location("install_mxnet", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


install_mxnet = load_script()


# ------------------------------------------------------------------ stand-ins
def write_standin(target, name, version, marker):
    """Write an unpacked stand-in distribution ``name`` that provides ``mxnet``.

    ``target`` is a directory to put on ``sys.path``; the package ``mxnet`` in it only
    holds ``MARKER = marker``.
    """
    package = target / "mxnet"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"MARKER = {marker!r}\n__version__ = {version!r}\n")
    info = target / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "top_level.txt").write_text("mxnet\n")
    (info / "RECORD").write_text(f"mxnet/__init__.py,,\n{info.name}/METADATA,,\n"
                                 f"{info.name}/top_level.txt,,\n{info.name}/RECORD,,\n")


def build_standin_wheel(directory, name, version, marker):
    """Write the wheel of a stand-in distribution ``name`` that provides ``mxnet``."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {
        "mxnet/__init__.py": f"MARKER = {marker!r}\n__version__ = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                            "Summary: stand-in for an MXNet build, for tests\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: mxsched-tests\n"
                         "Root-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/top_level.txt": "mxnet\n",
    }
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def fake_tools(bindir, smi=None, nvcc=None, cudart=None):
    """Put fake ``nvidia-smi``, ``nvcc`` and ``ldconfig`` into ``bindir``.

    ``smi``: None (no nvidia-smi), "fail" (driver not loaded) or the driver's CUDA version,
    e.g. "12.2" (one GPU); "nogpu" lists none. ``nvcc``: None or its release, e.g. "11.7".
    ``cudart``: None (ldconfig knows no libcudart) or the full version of the runtime
    library, e.g. "11.2.152". ``ldconfig`` is always faked, so the machine's own CUDA
    libraries never leak into a test.
    """
    bindir.mkdir(parents=True, exist_ok=True)

    def tool(name, body):
        path = bindir / name
        path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
        path.chmod(0o755)

    if smi == "fail":
        tool("nvidia-smi", """\
            printf 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\\n'
            exit 9
            """)
    elif smi == "nogpu":
        tool("nvidia-smi", "printf 'No devices were found\\n'\nexit 6\n")
    elif smi is not None:
        tool("nvidia-smi", f"""\
            if [ "$1" = "-L" ]; then
                printf 'GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1b2c3d4e-0000)\\n'
                exit 0
            fi
            printf '| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: {smi}     |\\n'
            """)
    if nvcc is not None:
        tool("nvcc", f"""\
            printf 'nvcc: NVIDIA (R) Cuda compiler driver\\n'
            printf 'Cuda compilation tools, release {nvcc}, V{nvcc}.99\\n'
            """)
    lines = ""
    if cudart is not None:
        lib = bindir.parent / "cuda" / "lib64"
        lib.mkdir(parents=True)
        major = cudart.split(".")[0]
        soname = f"libcudart.so.{major}.0" if int(major) >= 11 else \
            f"libcudart.so.{'.'.join(cudart.split('.')[:2])}"
        (lib / f"libcudart.so.{cudart}").write_bytes(b"")
        (lib / soname).symlink_to(f"libcudart.so.{cudart}")
        lines = f"\\t{soname} (libc6,x86-64) => {lib / soname}\\n"
    tool("ldconfig", f"printf '1 libs found in cache\\n{lines}'\n")


def choose(tmp_path, *, mxnet=None, sitedir=None, **tools):
    """Run ``install_mxnet.py --dry-run`` with fake tools; return (rc, argv or None, stderr).

    The script runs under ``python -S``, so only ``sitedir`` (if given) holds installed
    distributions: the test's own MXNet is invisible to it.
    """
    bindir = tmp_path / "bin"
    fake_tools(bindir, **tools)
    env = {"PATH": str(bindir), "LC_ALL": "C"}
    if mxnet is not None:
        env["MXNET"] = mxnet
    if sitedir is not None:
        env["PYTHONPATH"] = str(sitedir)
    done = subprocess.run([sys.executable, "-S", str(SCRIPT), "--dry-run"], env=env,
                          capture_output=True, text=True, timeout=120)
    argv = shlex.split(done.stdout) if done.stdout.strip() else None
    return done.returncode, argv, done.stderr


def pip_argv(build):
    return [sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
            f"{build}==1.9.1", NUMPY]


# ------------------------------------------------------------------ the chooser
@pytest.mark.parametrize("version, build", [
    ((10, 0), None), ((10, 1), "mxnet-cu101"), ((10, 2), "mxnet-cu102"),
    ((11, 0), "mxnet-cu110"), ((11, 1), "mxnet-cu111"), ((11, 4), "mxnet-cu114"),
    ((11, 7), "mxnet-cu117"), ((11, 8), "mxnet-cu117"), ((12, 4), "mxnet-cu117"),
    ((13, 0), "mxnet-cu117"),
])
def test_newest_cuda_build_not_newer_than_the_cuda_version(version, build):
    assert install_mxnet.cuda_build_for(version) == build


def test_no_gpu_means_the_cpu_build(tmp_path):
    rc, argv, err = choose(tmp_path)
    assert rc == 0 and argv == pip_argv("mxnet"), err
    assert "no NVIDIA GPU found" in err


@pytest.mark.parametrize("smi", ["fail", "nogpu"])
def test_nvidia_smi_without_a_usable_gpu_means_the_cpu_build(tmp_path, smi):
    rc, argv, err = choose(tmp_path, smi=smi, nvcc="11.7")
    assert rc == 0 and argv == pip_argv("mxnet"), err


@pytest.mark.parametrize("smi, nvcc, build", [
    ("12.2", "11.7", "mxnet-cu117"),   # toolkit 11.7 on a newer driver
    ("12.2", "11.3", "mxnet-cu113"),   # the toolkit decides, not the driver
    ("11.4", "11.7", "mxnet-cu114"),   # never newer than the driver
    ("12.2", "10.2", "mxnet-cu102"),
    ("12.2", "11.8", "mxnet-cu117"),   # no build for 11.8: the newest older one
])
def test_gpu_with_nvcc_picks_the_build_for_the_toolkit(tmp_path, smi, nvcc, build):
    rc, argv, err = choose(tmp_path, smi=smi, nvcc=nvcc)
    assert rc == 0 and argv == pip_argv(build), err
    assert f"installing {build}" in err and "nvcc --version" in err


def test_gpu_without_nvcc_reads_the_runtime_from_ldconfig(tmp_path):
    rc, argv, err = choose(tmp_path, smi="12.4", cudart="11.2.152")
    assert rc == 0 and argv == pip_argv("mxnet-cu112"), err
    assert "CUDA 11.2 runtime" in err and "libcudart.so.11.2.152" in err


def test_gpu_without_any_runtime_falls_back_to_the_driver_version(tmp_path):
    rc, argv, err = choose(tmp_path, smi="11.6")
    assert rc == 0 and argv == pip_argv("mxnet-cu116"), err
    assert "none was found here" in err  # it says the libraries are needed too


def test_cuda_13_gets_the_newest_build_and_a_note_on_the_cuda_11_libraries(tmp_path):
    rc, argv, err = choose(tmp_path, smi="13.0", nvcc="13.0")
    assert rc == 0 and argv == pip_argv("mxnet-cu117"), err
    assert "loads the CUDA 11 libraries" in err and "not the CUDA 13.0 ones" in err


def test_cuda_too_old_for_every_build_means_the_cpu_build(tmp_path):
    rc, argv, err = choose(tmp_path, smi="12.2", nvcc="10.0")
    assert rc == 0 and argv == pip_argv("mxnet"), err
    assert "older than every" in err


def test_mxnet_variable_wins_over_the_gpu_detection(tmp_path):
    rc, argv, err = choose(tmp_path, mxnet="mxnet-cu112", smi="12.2", nvcc="11.7")
    assert rc == 0 and argv == pip_argv("mxnet-cu112"), err
    assert "MXNET=mxnet-cu112" in err
    rc, argv, err = choose(tmp_path / "cpu", mxnet="mxnet", smi="12.2", nvcc="11.7")
    assert rc == 0 and argv == pip_argv("mxnet"), err


@pytest.mark.parametrize("value", ["mxnet-cu118", "mxnet-cu100", "mxnet-cu117==1.9.1", "torch"])
def test_mxnet_variable_naming_no_1_9_1_build_is_an_error(tmp_path, value):
    rc, argv, err = choose(tmp_path, mxnet=value)
    assert rc == 2 and argv is None
    assert f"MXNET must be one of mxnet, mxnet-cu101," in err and repr(value) in err


def test_an_installed_build_wins_over_everything(tmp_path):
    site = tmp_path / "site"
    write_standin(site, "mxnet-cu110", "1.9.1", "kept")
    rc, argv, err = choose(tmp_path, sitedir=site, mxnet="mxnet-cu117", smi="12.2", nvcc="11.7")
    assert rc == 0 and argv is None, err  # no pip command at all
    assert "keeping the installed MXNet build (mxnet-cu110 1.9.1)" in err
    assert "MXNET=mxnet-cu117 is ignored" in err


def test_an_installed_cpu_build_is_kept_with_a_hint_when_a_gpu_is_there(tmp_path):
    site = tmp_path / "site"
    write_standin(site, "mxnet", "1.9.1", "cpu")
    rc, argv, err = choose(tmp_path, sitedir=site, smi="12.2", nvcc="11.7")
    assert rc == 0 and argv is None, err
    assert "keeping the installed MXNet build (mxnet 1.9.1)" in err
    assert "nvidia-smi lists a GPU" in err


def test_decide_in_process_uses_the_injected_tools():
    outputs = {("nvidia-smi", "-L"): "GPU 0: Tesla T4 (UUID: GPU-x)\n",
               ("nvidia-smi",): "| Driver Version: 470.82.01   CUDA Version: 11.4 |\n"}
    decision = install_mxnet.decide(environ={}, run=lambda argv: outputs.get(tuple(argv)),
                                    providers=[])
    assert decision.build == "mxnet-cu114"
    assert decision.pip_command("py") == [
        "py", "-m", "pip", "install", "--disable-pip-version-check", "mxnet-cu114==1.9.1", NUMPY]
    kept = install_mxnet.decide(environ={}, run=lambda argv: None,
                                providers=[("mxnet-cu102", "1.8.0")])
    assert kept.build is None and kept.pip_command() is None
    assert any("tested for MXNet 1.9.1" in r for r in kept.reasons)


# ------------------------------------------------------------------ make install
def test_make_install_keeps_an_installed_cuda_build(tmp_path):
    """The whole install path, in a fresh isolated venv that holds a stand-in mxnet-cu117."""
    marker = f"stand-in mxnet-cu117 {uuid.uuid4()}"
    wheel = build_standin_wheel(tmp_path, "mxnet-cu117", "1.9.1", marker)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--no-deps", str(wheel)], check=True, timeout=300)
    src = tmp_path / "src"  # a copy: the editable install writes metadata next to the code
    shutil.copytree(ROOT, src, ignore=IGNORED)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MXNET", "VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MFLAGS")}
    done = subprocess.run(["make", "-C", str(src), "install", f"VENV={venv}"], env=env,
                          capture_output=True, text=True, timeout=1200)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "keeping the installed MXNet build (mxnet-cu117 1.9.1)" in log, log
    assert "mxnet==1.9.1" not in log, log

    probe = subprocess.run([str(py), "-c", textwrap.dedent("""\
        import importlib.metadata as md, json, mxnet
        print(json.dumps({
            "marker": mxnet.MARKER, "file": mxnet.__file__,
            "providers": md.packages_distributions().get("mxnet"),
            "names": sorted(d.metadata["Name"].lower() for d in md.distributions()),
            "mxsched": md.version("mxsched"),
        }))
        """)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["marker"] == marker
    assert pathlib.Path(found["file"]).is_relative_to(venv)
    assert found["providers"] == ["mxnet-cu117"]
    assert "mxnet" not in found["names"], found["names"]
    assert "nbval" in found["names"] and "gluoncv" in found["names"]  # the extras came too
    assert found["mxsched"] == ROOT.joinpath("mxsched", "__init__.py").read_text().split(
        '__version__ = "', 1)[1].split('"', 1)[0]


# ------------------------------------------------------------------ import mxsched
HIDE = textwrap.dedent("""\
    import json, sys

    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name == {hidden!r} or name.startswith({hidden!r} + "."):
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    try:
        import mxsched
    except ImportError as exc:
        print(json.dumps({{"type": type(exc).__name__, "name": exc.name, "msg": str(exc)}}))
    else:
        print(json.dumps(None))
    """)


def import_mxsched_without(hidden):
    done = subprocess.run([sys.executable, "-c", HIDE.format(hidden=hidden)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_import_without_mxnet_says_how_to_install_it():
    error = import_mxsched_without("mxnet")
    assert error is not None, "import mxsched succeeded with mxnet hidden"
    assert error["type"] == "ModuleNotFoundError" and error["name"] == "mxnet"
    msg = error["msg"]
    assert "no MXNet build is installed" in msg
    assert 'pip install mxnet==1.9.1 "numpy<1.24"' in msg
    assert 'pip install mxnet-cu117==1.9.1 "numpy<1.24"' in msg
    assert 'section "GPU"' in msg and "README" in msg


def test_import_with_mxnet_but_without_what_it_needs_keeps_the_original_error():
    error = import_mxsched_without("numpy")  # mxnet imports numpy first thing
    assert error is not None
    assert error["name"] == "numpy" and "No module named 'numpy'" in error["msg"]
    assert "no MXNet build is installed" not in error["msg"]


def test_import_mxnet_is_still_the_first_statement_executed():
    tree = ast.parse((ROOT / "mxsched" / "__init__.py").read_text())
    body = tree.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    first = body[0]
    assert isinstance(first, ast.Try), ast.dump(first)
    (statement,) = first.body
    assert isinstance(statement, ast.Import) and [a.name for a in statement.names] == ["mxnet"]


def test_the_readme_gpu_section_lists_every_build_the_script_knows():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## GPU\n", 1)[1].split("\n## ", 1)[0]
    for build in install_mxnet.CUDA_BUILDS:
        assert f"`{build}`" in section, build
    assert 'mx.context.num_gpus()' in section and "MXNET=" in section and "numpy<1.24" in section
