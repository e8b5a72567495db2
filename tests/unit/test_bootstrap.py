"""The Makefile bootstraps itself: installs only what is missing, and says what to do when it cannot."""

import os
import subprocess

from tb.tools.runner import ROOT


def make(*args, env=None):
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})})


def test_rerun_does_no_work():
    first = make("venv")
    assert first.returncode == 0, first.stdout + first.stderr
    again = make("venv")
    assert again.returncode == 0 and again.stdout == "", f"second `make venv` did work: {again.stdout!r}"


def test_missing_package_without_root_is_one_clear_line(tmp_path):
    fake_id = tmp_path / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")  # not root
    fake_id.chmod(0o755)
    res = make("deps", "APT_PKGS=iverilog ringnic-no-such-package",
               env={"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"})
    assert res.returncode != 0
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("ringnic:")]
    assert lines == ["ringnic: missing Debian packages; run: "
                     "sudo apt-get install -y --no-install-recommends ringnic-no-such-package"], res.stdout
