"""Waveforms: `WAVES=1` writes build/waves/<sim>/<test>.fst, and sim/ringnic.gtkw (one NIC) or
sim/ringnic-pair.gtkw (two) opens it in GTKWave.

Plain pytest (it drives the runner itself): for each save file it runs one test of its toplevel
with waves on each simulator, checks that every signal the save file names exists in that dump, and renders the save file
headless (Xvfb + GTKWave's Tcl grab) to a PNG that must show drawn traces, with the register
addresses and interrupt causes shown through the translate filters of sim/filters/ (make regs).
"""

import os
import shutil
import subprocess

from pathlib import Path
from typing import NamedTuple

import pytest

from tb.tools import gtkw, runner

# (save file, a test on the toplevel it is for, host memory model): one NIC and the two-NIC pair,
# each with host memory behind cocotbext-axi's AxiRam and on the fast path
# (a different test each, since a test's FST path has no room for the model)
CASES = {"single": ("sim/ringnic.gtkw", "test_probe", "test_probe_binds_from_device_tree", None, "axiram"),
         "pair": ("sim/ringnic-pair.gtkw", "test_pair", "test_pair_probe_both", "ringnic_pair", "axiram"),
         "host": ("sim/ringnic-host.gtkw", "test_probe", "test_probe_msg_enable_levels", None, "hdl"),
         "pair-host": ("sim/ringnic-pair-host.gtkw", "test_pair", "test_pair_ping_across", "ringnic_pair", "hdl")}
GRAB = runner.ROOT / "sim" / "gtkwave_grab.tcl"


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} not found: apt-get install {package} (make deps does)"
    return path


@pytest.fixture(scope="module", params=[(sim, case) for case in CASES for sim in runner.SIMS],
                ids=lambda p: f"{p[1]}-{p[0]}")
def fst(request):
    sim, case = request.param
    _, module, test, toplevel, hostmem = CASES[case]
    res = runner.run(sim, module, test, toplevel=toplevel, waves=True, hostmem=hostmem)
    assert res.passed, f"{test} failed on {sim}: {res.message}\n{runner.log_tail(res.log)}"
    return Wave(res.waves, case)


class Wave(NamedTuple):
    path: Path     # the FST
    case: str      # a key of CASES

    @property
    def gtkw(self) -> Path:
        return runner.ROOT / CASES[self.case][0]


def gtkw_signals(w: Wave) -> list[str]:
    return [line.strip() for line in w.gtkw.read_text().splitlines() if line.startswith("ringnic")]


def dump_signals(fst) -> set[str]:
    """Hierarchical names with ranges (`ringnic.u_regs.tdh[15:0]`) of every var in the dump."""
    vcd = subprocess.run([need("fst2vcd", "gtkwave"), str(fst)], capture_output=True, text=True, check=True).stdout
    names, scope = set(), []
    for line in vcd.splitlines():
        tok = line.split()
        if line.startswith("$scope"):
            scope.append(tok[2])
        elif line.startswith("$upscope"):
            scope.pop()
        elif line.startswith("$var"):
            rng = tok[5] if tok[5] != "$end" else ""
            names.add(".".join(scope + [tok[4]]) + rng)
        elif line.startswith("$enddefinitions"):
            break
    return names


def test_waves_one_fst_per_test_at_documented_path(fst):
    sim = fst.path.parent.name
    assert fst.path == runner.ROOT / "build" / "waves" / sim / f"{CASES[fst.case][2]}.fst"
    assert fst.path.read_bytes()[:1] == b"\x00", "not an FST file (FST starts with a header block of type 0)"


def test_waves_save_file_signals_exist_in_dump(fst):
    have, want = dump_signals(fst.path), gtkw_signals(fst)
    missing = [s for s in want if s not in have]
    assert len(want) >= 60 and not missing, f"{fst.path.parent.name} dump lacks {missing}"


def test_waves_save_file_renders_headless(fst, tmp_path):
    """GTKWave loads the save file, its translate filters and the dump under Xvfb and draws traces."""
    from PIL import Image

    problems = gtkw.filter_problems(fst.gtkw)
    assert not problems, f"{fst.gtkw.name}: {problems}"
    png = tmp_path / "grab.png"
    cmd = [need("xvfb-run", "xvfb"), "-a", "-s", "-screen 0 1400x900x24",
           need("gtkwave", "gtkwave"), "-a", str(fst.gtkw), "-S", str(GRAB), str(fst.path)]
    proc = subprocess.run(cmd, env={**os.environ, "RINGNIC_PNG": str(png)}, capture_output=True, text=True, timeout=120,
                          cwd=runner.ROOT)  # the save files name sim/filters/ from the top of the tree
    assert png.exists(), f"gtkwave wrote no PNG (rc {proc.returncode}): {proc.stderr[-2000:]}"
    assert "Could not open filter file" not in proc.stdout + proc.stderr, f"{fst.gtkw.name}: a filter did not load"
    img = Image.open(png).convert("RGB")
    assert img.width >= 1000 and img.height >= 600
    colors = img.getcolors(maxcolors=1 << 16) or []
    # GTKWave draws traces in green on black: a blank or failed render has none.
    green = sum(n for n, (r, g, b) in colors if g > 150 and r < 100 and b < 100)
    assert len(colors) > 8 and green > 2000, f"render looks blank: {len(colors)} colours, {green} trace pixels"
    shutil.copy(png, fst.path.with_suffix(".png"))  # kept beside the FST for a person to look at
