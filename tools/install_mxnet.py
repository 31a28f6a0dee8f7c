#!/usr/bin/env python3
"""Install one Apache MXNet 1.9.1 build into the Python that runs this script.

MXNet's CPU build (``mxnet``) and its CUDA builds (``mxnet-cu101`` ... ``mxnet-cu117``)
are separate distributions that all ship the same ``mxnet`` import package, so a project
cannot list one of them as a dependency without pip installing it over the others. This
script decides which one to install, in this order:

1. a distribution that already provides ``mxnet`` (any build) is kept, untouched;
2. else the build named by the environment variable ``MXNET`` (e.g. ``MXNET=mxnet-cu117``);
3. else, if ``nvidia-smi`` lists an NVIDIA GPU, the CUDA build for the CUDA version found:
   the toolkit's (``nvcc --version``), else the runtime ``libcudart`` known to
   ``ldconfig``, else the newest CUDA version the driver supports (``nvidia-smi``),
   never newer than the driver's; the newest build not newer than that version is chosen;
4. else the CPU build ``mxnet``.

It always pins ``numpy<1.24`` (MXNet 1.9.1 fails to import with numpy >= 1.24) and prints
what it chose and why (on stderr). ``--dry-run`` prints the pip command instead of running
it (on stdout; nothing when an installed build is kept).

Usage::

    python tools/install_mxnet.py [--dry-run]
    MXNET=mxnet-cu117 python tools/install_mxnet.py

Only the standard library is used, so any Python >= 3.9 can run it.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

MXNET_VERSION = "1.9.1"
NUMPY_REQUIREMENT = "numpy>=1.20,<1.24"
CPU_BUILD = "mxnet"

#: The CUDA builds of MXNet 1.9.1 on PyPI and the CUDA version each was built for
#: (there is no 1.9.1 build for CUDA 10.0 or older, nor for CUDA 12 or newer).
CUDA_BUILDS: Dict[str, Tuple[int, int]] = {
    "mxnet-cu101": (10, 1),
    "mxnet-cu102": (10, 2),
    "mxnet-cu110": (11, 0),
    "mxnet-cu111": (11, 1),
    "mxnet-cu112": (11, 2),
    "mxnet-cu113": (11, 3),
    "mxnet-cu114": (11, 4),
    "mxnet-cu115": (11, 5),
    "mxnet-cu116": (11, 6),
    "mxnet-cu117": (11, 7),
}
#: Every build that ``MXNET`` may name.
BUILDS = (CPU_BUILD,) + tuple(CUDA_BUILDS)

Version = Tuple[int, int]
Runner = Callable[[Sequence[str]], Optional[str]]


def _say(message: str) -> None:
    print(f"install_mxnet: {message}", file=sys.stderr)


def normalize(name: str) -> str:
    """Return the distribution name ``name`` in its normal form (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def run_tool(argv: Sequence[str]) -> Optional[str]:
    """Run ``argv`` and return its standard output, or None if it is missing or fails.

    The program is looked up on ``PATH``; ``ldconfig`` is also looked up in ``/sbin`` and
    ``/usr/sbin``, which are often not on a user's ``PATH``.
    """
    program = shutil.which(argv[0])
    if program is None and argv[0] == "ldconfig":
        program = shutil.which("ldconfig", path="/usr/sbin:/sbin")
    if program is None:
        return None
    try:
        done = subprocess.run([program, *argv[1:]], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# --------------------------------------------------------------------------- detection
def installed_providers() -> List[Tuple[str, str]]:
    """The installed distributions that provide the ``mxnet`` import package.

    Returns
    -------
    list of (name, version)
        Sorted by name; empty if no distribution provides ``mxnet``.
    """
    names: List[str] = []
    if hasattr(importlib.metadata, "packages_distributions"):  # Python >= 3.10
        names = list(importlib.metadata.packages_distributions().get("mxnet", []))
    else:
        for dist in importlib.metadata.distributions():
            top = (dist.read_text("top_level.txt") or "").split()
            files = [str(f) for f in (dist.files or [])]
            if "mxnet" in top or any(f.startswith("mxnet/") for f in files):
                names.append(dist.metadata["Name"])
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - racy uninstall
            continue
    return sorted(found.items())


def gpu_names(run: Runner = run_tool) -> List[str]:
    """The GPUs that ``nvidia-smi -L`` lists (empty without nvidia-smi or a driver)."""
    out = run(["nvidia-smi", "-L"])
    if out is None:
        return []
    return [line.strip() for line in out.splitlines() if re.match(r"\s*GPU \d+:", line)]


def driver_cuda_version(run: Runner = run_tool) -> Optional[Version]:
    """The newest CUDA version the NVIDIA driver supports ("CUDA Version" of nvidia-smi)."""
    out = run(["nvidia-smi"])
    match = re.search(r"CUDA Version\s*:\s*(\d+)\.(\d+)", out or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def nvcc_cuda_version(run: Runner = run_tool) -> Optional[Version]:
    """The CUDA toolkit version that ``nvcc --version`` reports ("release X.Y")."""
    out = run(["nvcc", "--version"])
    match = re.search(r"release (\d+)\.(\d+)", out or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def cudart_cuda_version(run: Runner = run_tool) -> Optional[Tuple[Version, str]]:
    """The CUDA runtime version of the newest ``libcudart`` that ``ldconfig -p`` knows.

    The version is read from the name of the file the library resolves to, e.g.
    ``libcudart.so.11.7.99`` (the soname of every CUDA 11 runtime is ``libcudart.so.11.0``,
    so the soname alone does not tell the minor version). A library whose file name has
    no major and minor version is ignored.

    Returns
    -------
    ((major, minor), path) or None
    """
    out = run(["ldconfig", "-p"])
    best: Optional[Tuple[Version, str]] = None
    for line in (out or "").splitlines():
        match = re.search(r"=>\s*(\S*libcudart\.so\S*)\s*$", line)
        if not match:
            continue
        path = os.path.realpath(match.group(1))
        version = re.search(r"libcudart\.so\.(\d+)\.(\d+)", os.path.basename(path))
        if version:
            found = ((int(version.group(1)), int(version.group(2))), path)
            if best is None or found[0] > best[0]:
                best = found
    return best


def cuda_build_for(version: Version) -> Optional[str]:
    """The newest MXNet 1.9.1 CUDA build for a CUDA version not newer than ``version``.

    Returns None when ``version`` is older than every build (CUDA 10.0 and older).
    """
    fitting = [(v, name) for name, v in CUDA_BUILDS.items() if v <= tuple(version)]
    return max(fitting)[1] if fitting else None


def _fmt(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


# --------------------------------------------------------------------------- decision
@dataclass
class Decision:
    """What to do: keep the installed build (``build`` is None) or install ``build``."""

    build: Optional[str]
    reasons: List[str] = field(default_factory=list)

    def pip_command(self, python: str = sys.executable) -> Optional[List[str]]:
        """The pip command that installs the chosen build, or None to keep the installed one."""
        if self.build is None:
            return None
        return [python, "-m", "pip", "install", "--disable-pip-version-check",
                f"{self.build}=={MXNET_VERSION}", NUMPY_REQUIREMENT]


def decide(environ: Optional[Dict[str, str]] = None, run: Runner = run_tool,
           providers: Optional[List[Tuple[str, str]]] = None) -> Decision:
    """Choose the MXNet build to install (see the module docstring for the order).

    Parameters
    ----------
    environ : dict, optional
        The environment to read ``MXNET`` from (default: ``os.environ``).
    run : callable, optional
        Runs a command and returns its standard output or None (default: :func:`run_tool`).
    providers : list of (name, version), optional
        The installed distributions providing ``mxnet`` (default: :func:`installed_providers`).

    Raises
    ------
    ValueError
        If ``MXNET`` names no MXNet 1.9.1 build.
    """
    environ = dict(os.environ if environ is None else environ)
    requested = environ.get("MXNET", "").strip()
    if requested and normalize(requested) not in BUILDS:
        raise ValueError(f"MXNET must be one of {', '.join(BUILDS)}, got {requested!r}")
    providers = installed_providers() if providers is None else providers

    if providers:
        listed = ", ".join(f"{name} {version}" for name, version in providers)
        reasons = [f"keeping the installed MXNet build ({listed}); nothing to install"]
        if any(version != MXNET_VERSION for _, version in providers):
            reasons.append(f"note: mxsched is made and tested for MXNet {MXNET_VERSION}")
        names = {normalize(name) for name, _ in providers}
        if requested and normalize(requested) not in names:
            reasons.append(f"MXNET={requested} is ignored: to switch builds, uninstall "
                           f"{' '.join(sorted(names))} first (or `make clean`)")
        elif not requested and names <= {CPU_BUILD} and gpu_names(run):
            reasons.append("note: this is the CPU build and nvidia-smi lists a GPU; to use "
                           "it, uninstall mxnet and install a CUDA build (README, GPU section)")
        return Decision(None, reasons)

    if requested:
        return Decision(normalize(requested), [f"installing {normalize(requested)} "
                                               f"because MXNET={requested}"])

    gpus = gpu_names(run)
    if not gpus:
        return Decision(CPU_BUILD, ["no NVIDIA GPU found (nvidia-smi missing or lists none): "
                                    f"installing the CPU build {CPU_BUILD}"])
    reasons = [f"nvidia-smi lists {len(gpus)} GPU(s): {gpus[0]}"]
    driver = driver_cuda_version(run)
    runtime, source = nvcc_cuda_version(run), "nvcc --version"
    if runtime is None:
        found = cudart_cuda_version(run)
        if found is not None:
            runtime, source = found[0], found[1]
    if runtime is not None:
        reasons.append(f"CUDA {_fmt(runtime)} runtime/toolkit (from {source})")
    if driver is not None:
        reasons.append(f"the driver supports CUDA up to {_fmt(driver)} (from nvidia-smi)")
    if runtime is None and driver is None:
        reasons.append("could not tell the CUDA version (no nvcc, no libcudart in ldconfig, "
                       f"no 'CUDA Version' from nvidia-smi): installing the CPU build "
                       f"{CPU_BUILD}; set MXNET=mxnet-cuXXX to choose a CUDA build")
        return Decision(CPU_BUILD, reasons)
    target = min(v for v in (runtime, driver) if v is not None)
    build = cuda_build_for(target)
    if build is None:
        reasons.append(f"CUDA {_fmt(target)} is older than every MXNet {MXNET_VERSION} CUDA "
                       f"build (the oldest is mxnet-cu101, CUDA 10.1): installing the CPU "
                       f"build {CPU_BUILD}")
        return Decision(CPU_BUILD, reasons)
    built_for = CUDA_BUILDS[build]
    reasons.append(f"installing {build}, the newest MXNet {MXNET_VERSION} build for "
                   f"CUDA <= {_fmt(target)} (it is built for CUDA {_fmt(built_for)})")
    needs = (f"note: {build} loads the CUDA {built_for[0]} libraries (libcudart, cuBLAS, "
             "cuDNN 8, NCCL 2) when imported")
    if runtime is None:
        reasons.append(f"{needs}; none was found here (no nvcc, no libcudart in ldconfig): "
                       "make sure they are installed (README, GPU section)")
    elif runtime[0] != built_for[0]:
        reasons.append(f"{needs}, not the CUDA {_fmt(runtime)} ones found here: install "
                       "those as well (README, GPU section)")
    return Decision(build, reasons)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=f"Install one MXNet {MXNET_VERSION} build (CPU or CUDA) into this "
                    "Python, keeping a build that is already installed.",
        epilog=f"MXNET=<build> forces a build, one of: {', '.join(BUILDS)}.")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the pip command instead of running it")
    args = parser.parse_args(argv)
    try:
        decision = decide()
    except ValueError as exc:
        _say(f"error: {exc}")
        return 2
    for reason in decision.reasons:
        _say(reason)
    command = decision.pip_command()
    if command is None:
        return 0
    if args.dry_run:
        print(shlex.join(command))
        return 0
    _say(f"running: {shlex.join(command)}")
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
