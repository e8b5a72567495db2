"""Waveforms: `WAVES=1` writes build/waves/<sim>/<test>.fst, and sim/ringnic.gtkw opens it in GTKWave.

Plain pytest (it drives the runner itself): it runs one probe test with waves on each simulator,
checks that every signal the save file names exists in that dump, and renders the save file
headless (Xvfb + GTKWave's Tcl grab) to a PNG that must show drawn traces.
"""

import os
import shutil
import subprocess

import pytest

from tb import runner

WAVE_TEST = ("test_probe", "test_probe_binds_from_device_tree")
GTKW = runner.ROOT / "sim" / "ringnic.gtkw"
GRAB = runner.ROOT / "sim" / "gtkwave_grab.tcl"


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} not found: apt-get install {package} (make deps does)"
    return path


@pytest.fixture(scope="module", params=runner.SIMS)
def fst(request):
    sim = request.param
    res = runner.run(sim, *WAVE_TEST, waves=True)
    assert res.passed, f"{WAVE_TEST[1]} failed on {sim}: {res.message}\n{runner.log_tail(res.log)}"
    return res.waves


def gtkw_signals() -> list[str]:
    return [line.strip() for line in GTKW.read_text().splitlines() if line.startswith("ringnic.")]


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
    sim = fst.parent.name
    assert fst == runner.ROOT / "build" / "waves" / sim / f"{WAVE_TEST[1]}.fst"
    assert fst.read_bytes()[:1] == b"\x00", "not an FST file (FST starts with a header block of type 0)"


def test_waves_save_file_signals_exist_in_dump(fst):
    have = dump_signals(fst)
    missing = [s for s in gtkw_signals() if s not in have]
    assert len(gtkw_signals()) >= 60 and not missing, f"{fst.parent.name} dump lacks {missing}"


def test_waves_save_file_renders_headless(fst, tmp_path):
    """GTKWave loads the save file and the dump under Xvfb and draws traces."""
    from PIL import Image

    png = tmp_path / "grab.png"
    cmd = [need("xvfb-run", "xvfb"), "-a", "-s", "-screen 0 1400x900x24",
           need("gtkwave", "gtkwave"), "-a", str(GTKW), "-S", str(GRAB), str(fst)]
    proc = subprocess.run(cmd, env={**os.environ, "RINGNIC_PNG": str(png)}, capture_output=True, text=True, timeout=120)
    assert png.exists(), f"gtkwave wrote no PNG (rc {proc.returncode}): {proc.stderr[-2000:]}"
    img = Image.open(png).convert("RGB")
    assert img.width >= 1000 and img.height >= 600
    colors = img.getcolors(maxcolors=1 << 16) or []
    # GTKWave draws traces in green on black: a blank or failed render has none.
    green = sum(n for n, (r, g, b) in colors if g > 150 and r < 100 and b < 100)
    assert len(colors) > 8 and green > 2000, f"render looks blank: {len(colors)} colours, {green} trace pixels"
    shutil.copy(png, fst.with_suffix(".png"))  # kept beside the FST for a person to look at
