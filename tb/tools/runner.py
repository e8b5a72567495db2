"""Build the RTL once per simulator, then run each cocotb test in a simulator process of its own.

One process per test gives every test a clean simulator, its own log and its own waveform at a
predictable path, and lets pytest select, time out and report each test alone -- and run tests
side by side (pytest-xdist): builds take a file lock, so concurrent workers never build the same
toplevel at once, and `python -m tb.tools.runner --prebuild SIM` builds every toplevel the tests use
before the workers start:

    build/<sim>/<toplevel>[-waves]/      the simulator build (incremental, one builder at a time)
    build/<sim>/run/<test>/              the simulator's working directory
    build/<sim>/logs/<test>.log          everything the simulation printed
    build/<sim>/results/<test>.xml       cocotb's JUnit result (simulated time, failure text)
    build/waves/<sim>/<test>.fst         the waveform, with WAVES=1
"""

from __future__ import annotations

import argparse
import fcntl
import glob
import json
import os
import re
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tb.tools import toolchain

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
SIMS = ("verilator", "icarus")


@dataclass
class Result:
    sim: str
    test: str
    passed: bool
    sim_time_ns: float
    wall_s: float
    message: str
    log: Path
    waves: Path | None
    skipped: bool = False  # the test skipped itself (pytest.skip inside the cocotb test): `message` says why


@lru_cache(maxsize=None)
def settings() -> dict:
    with open(ROOT / "sim" / "settings.toml", "rb") as f:
        return tomllib.load(f)


def sources() -> list[Path]:
    return [Path(p) for pat in settings()["design"]["sources"] for p in sorted(glob.glob(str(ROOT / pat)))]


def wave_path(sim: str, test: str) -> Path:
    return BUILD / "waves" / sim / f"{test}.fst"


def log_path(sim: str, test: str) -> Path:
    return BUILD / sim / "logs" / f"{test}.log"


def coverage() -> bool:
    """$RINGNIC_COVERAGE=1 (make coverage): Verilator builds with line coverage, in build
    directories of their own, and every run writes build/coverage/dat/<test>-<hostmem>.dat."""
    return os.environ.get("RINGNIC_COVERAGE") == "1"


COVERAGE_DAT = BUILD / "coverage" / "dat"


def build_dir(sim: str, toplevel: str, waves: bool, params: tuple = ()) -> Path:
    tag = "".join(f"-{k}={v}" for k, v in params).replace("'", "")
    cov = "-cov" if coverage() and sim == "verilator" else ""
    return BUILD / sim / (toplevel + tag + ("-waves" if waves else "") + cov)


# Driver-level toplevels are built without cocotb's --public-flat-rw, which makes every signal
# of the design VPI-writable and keeps Verilator from optimising across them (3-4x slower with
# no Python in the loop); sim/verilator_public.vlt opens what Python reads inside them. The
# block-level tops keep it: their tests drive internal ports.
LEAN_TOPS = {"ringnic", "ringnic_host", "ringnic_pair", "ringnic_pair_host", "ringnic_pair_bench"}
PUBLIC_VLT = ROOT / "sim" / "verilator_public.vlt"


def _lean(runner) -> None:
    build_command = runner._build_command

    def lean_build_command():
        cmds = build_command()
        cmds[0] = [a for a in cmds[0] if a != "--public-flat-rw"] + [str(PUBLIC_VLT)]
        return cmds
    runner._build_command = lean_build_command


@lru_cache(maxsize=None)
def build(sim: str, toplevel: str | None = None, waves: bool = False, params: tuple = ()):
    """Build (or bring up to date) `toplevel` with parameters `params` for `sim`; returns the runner.

    `params` is a tuple of (name, Verilog literal) pairs, e.g. (("MAC_ADDR", "48'h0"),).
    """
    from cocotb_tools.runner import get_runner

    if sim not in SIMS:
        raise toolchain.ToolchainError(f"unknown simulator {sim!r}: choose one of {', '.join(SIMS)}")
    toplevel = toplevel or settings()["design"]["toplevel"]
    if sim == "verilator":
        toolchain.check_verilator(waves=waves)
    else:
        toolchain.check_icarus()
    toolchain.activate(sim)  # the runner builds with os.environ and looks verilator up on PATH
    runner = get_runner(sim)
    if sim == "verilator" and toplevel in LEAN_TOPS:
        _lean(runner)
    bdir = build_dir(sim, toplevel, waves, params)
    bdir.mkdir(parents=True, exist_ok=True)
    with open(bdir.parent / f".{bdir.name}.lock", "w") as lock:   # one builder per build directory
        fcntl.flock(lock, fcntl.LOCK_EX)
        _build(runner, sim, toplevel, waves, params, bdir)
    return runner


def _build(runner, sim: str, toplevel: str, waves: bool, params: tuple, bdir: Path) -> None:
    cfg, design = settings()[sim], settings()["design"]
    runner.build(
        sources=sources(),
        includes=[ROOT / p for p in design["includes"]],
        hdl_toplevel=toplevel,
        build_dir=bdir,
        build_args=cfg["build_args"] + (cfg["waves_build_args"] if waves else [])
        + (cfg["coverage_build_args"] if coverage() and sim == "verilator" else []),
        timescale=tuple(design["timescale"]),
        parameters=dict(params),
        waves=waves,
        log_file=bdir / "build.log",
    )


# Host memory on the fast path (tb/harness/hostmem_bridge.py): the same NIC tops with an HDL AXI slave
# in front of host DRAM instead of cocotbext-axi's AxiRam on m_axi_.
HOSTMEM_TOPS = {"ringnic": "ringnic_host", "ringnic_pair": "ringnic_pair_host"}
HOSTMEMS = ("axiram", "hdl")


def hostmem_model(choice: str | None = None) -> str:
    """`choice`, else $RINGNIC_HOSTMEM, else axiram (cocotbext-axi's AxiRam on the DMA port)."""
    model = choice or os.environ.get("RINGNIC_HOSTMEM") or "axiram"
    if model not in HOSTMEMS:
        raise toolchain.ToolchainError(f"unknown host memory model {model!r}: choose one of {', '.join(HOSTMEMS)}")
    return model


def run(sim: str, module: str, test: str, toplevel: str | None = None, waves: bool = False,
        params: tuple = (), extra_env: dict[str, str] | None = None, hostmem: str | None = None,
        tag: str = "") -> Result:
    """Run exactly one cocotb test; a filter that matches nothing is a failure, not a pass.
    `hostmem` "hdl" runs a NIC toplevel with host memory on the fast path. `tag` names a
    parameter set: it goes into the log, result and wave file names (test-tag), and the test
    reads the parameters from $RINGNIC_HDL_PARAMS (tb.tools.runner.hdl_param)."""
    toplevel = toplevel or settings()["design"]["toplevel"]
    if hostmem_model(hostmem) == "hdl":
        toplevel = HOSTMEM_TOPS.get(toplevel, toplevel)
    runner = build(sim, toplevel, waves, params)
    _test_path()
    name = f"{test}-{tag}" if tag else test
    log, xml = log_path(sim, name), BUILD / sim / "results" / f"{name}.xml"
    (BUILD / sim / "run" / name).mkdir(parents=True, exist_ok=True)
    wave = wave_path(sim, name) if waves else None
    for p in (log, xml) + ((wave,) if wave else ()):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.unlink(missing_ok=True)
    plusargs, test_args = [], []
    if wave and sim == "icarus":
        plusargs.append(f"+dumpfile_path={wave}")
    elif wave:
        test_args += ["--trace-file", str(wave)]
    if coverage() and sim == "verilator":
        COVERAGE_DAT.mkdir(parents=True, exist_ok=True)
        plusargs.append(f"+verilator+coverage+file+{COVERAGE_DAT / name}-{hostmem_model(hostmem)}.dat")
    env = {"RINGNIC_SIM": sim, "RINGNIC_TEST": name, "RINGNIC_HDL_PARAMS": json.dumps(dict(params)),
           **(extra_env or {})}
    t0 = time.perf_counter()
    crashed = ""
    try:
        runner.test(
            test_module=module, hdl_toplevel=toplevel, build_dir=build_dir(sim, toplevel, waves, params),
            test_dir=BUILD / sim / "run" / name, results_xml=str(xml), log_file=log,
            test_filter=rf"^{re.escape(module)}\.{re.escape(test)}$",
            waves=waves, plusargs=plusargs, test_args=test_args, extra_env=env,
        )
    except (RuntimeError, SystemExit) as exc:  # the simulator itself failed
        crashed = f"simulator failed: {exc}"
    wall = time.perf_counter() - t0
    passed, sim_ns, message = _parse(xml, test)
    skipped = not crashed and message == SKIPPED
    if skipped:
        message = _skip_reason(log, module, test)
    if crashed:
        passed, message = False, f"{crashed}; {message}"
    return Result(sim, test, passed, sim_ns, wall, message, log, wave, skipped)


# The cocotb test modules, by what they check (the folder says which; `make list` groups by it).
TEST_GROUPS = {"rtl": "RTL blocks and the RTL top, without the driver",
               "driver": "driver paths, through the kernel model",
               "system": "the system: real traffic, two NICs, the TAP bridge",
               "harness": "the harness itself: waveforms, wake-up counting"}


def test_modules() -> list[Path]:
    """Every cocotb test module: tests/<group>/test_*.py."""
    return [p for g in TEST_GROUPS for p in sorted((ROOT / "tests" / g).glob("test_*.py"))]


def _test_path() -> None:
    """The test folders and the root on sys.path: test modules import by name, and the runner
    hands the simulator our sys.path."""
    for path in [str(ROOT / "tests" / g) for g in TEST_GROUPS] + [str(ROOT)]:
        if path not in sys.path:
            sys.path.insert(0, path)


def hdl_param(name: str, default):
    """Inside a test: the value of HDL parameter `name` the toplevel was built with (its parameter
    set), else `default` (the module's own default)."""
    return json.loads(os.environ.get("RINGNIC_HDL_PARAMS") or "{}").get(name, default)


SKIPPED = "skipped by cocotb"


def _skip_reason(log: Path, module: str, test: str) -> str:
    """cocotb's JUnit says only "Test was skipped"; its log has the reason pytest.skip() gave."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace")) if log.exists() else ""
    m = re.search(rf"skipping {re.escape(module)}\.{re.escape(test)}: (.*)", text)
    return m.group(1).strip() if m else SKIPPED


def _parse(xml: Path, test: str) -> tuple[bool, float, str]:
    if not xml.exists():
        return False, 0.0, "no results file: the simulation did not finish"
    cases = [c for c in ET.parse(xml).getroot().iter("testcase") if c.get("name") == test]
    if not cases:
        return False, 0.0, f"no test named {test!r} ran (the cocotb filter matched nothing)"
    case = cases[0]
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    scale = {"fs": 1e-6, "ps": 1e-3, "ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[props.get("sim_time_unit", "ns")]
    sim_ns = float(props.get("sim_time_duration", 0.0)) * scale
    for tag in ("failure", "error"):
        node = case.find(tag)
        if node is not None:
            return False, sim_ns, (node.get("message") or "") + ("\n" + node.text if node.text else "")
    if case.find("skipped") is not None:  # never a pass: run() reports it as a skip, with its reason
        return False, sim_ns, SKIPPED
    return True, sim_ns, ""


def log_tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def test_toplevels(hostmem: str | None = None) -> list[tuple[str, tuple]]:
    """(toplevel, params) of every cocotb test module, as runner.run would build them."""
    import importlib

    _test_path()
    default = settings()["design"]["toplevel"]
    out = set()
    for f in test_modules():
        mod = importlib.import_module(f.stem)
        if not any(type(v).__name__ == "TestGenerator" for v in vars(mod).values()):
            continue                                     # a plain pytest module
        top = getattr(mod, "HDL_TOPLEVEL", None) or default
        if hostmem_model(hostmem) == "hdl":
            top = HOSTMEM_TOPS.get(top, top)
        sets = getattr(mod, "HDL_PARAMETER_SETS", None) or {"": getattr(mod, "HDL_PARAMETERS", {})}
        out.update((top, tuple(sorted(p.items()))) for p in sets.values())
    return sorted(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="build the toplevels the cocotb tests use")
    ap.add_argument("--prebuild", metavar="SIM", required=True, choices=SIMS)
    ap.add_argument("--hostmem", choices=HOSTMEMS, default=None)
    ap.add_argument("--waves", action="store_true")
    args = ap.parse_args(argv)
    from concurrent.futures import ThreadPoolExecutor

    def one(job):   # each build is a subprocess of its own: threads keep every core busy
        top, params = job
        t0 = time.perf_counter()
        build(args.prebuild, top, args.waves, params)
        return f"runner: built {args.prebuild} {top}{''.join(f' {k}={v}' for k, v in params)} in {time.perf_counter() - t0:.1f} s"

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for line in pool.map(one, test_toplevels(args.hostmem)):
            print(line, flush=True)
    print(f"runner: prebuild {args.prebuild} done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
