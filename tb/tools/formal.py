"""`make formal`: bounded proofs of the AXI rules with Debian's yosys and ABC (no SymbiYosys).

The rules are the ones the simulation monitors check (rtl/ringnic_check_axil.v,
rtl/ringnic_check_axi.v): yosys reads the RTL with `read_verilog -formal`, which defines FORMAL,
so the monitors bound in the RTL under `ifndef SYNTHESIS` become assert() for the rules the
design owes and assume() for its environment's. Each proof: yosys flattens the design to an
AIGER model (assumptions as AIGER constraints), ABC folds the constraints and runs bmc3 to the
stated depth: "pass" means no trace of that many cycles from reset, within the assumptions,
violates any asserted rule. The jobs: the register block (AXI4-Lite slave), the DMA arbiter
and each DMA engine (AXI4 master; tb/formal/ wrappers supply the environment); per engine a
reachability job (an event asserted never to happen, must FAIL: the assumptions allow the
traffic, and the table shows the first cycle it can happen); four mutants (one-line RTL bugs)
must FAIL: the flow can catch one.

    python -m tb.tools.formal [--only NAME ...] [--depth-scale F]

prints a table and writes build/formal/report.json; exit 1 when a proof fails, a mutant or
reach job does not fail on its rule, or a tool is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "formal"
CHECKERS = ["rtl/ringnic_check_axil.v", "rtl/ringnic_check_axi.v"]


@dataclass
class Job:
    name: str
    top: str
    props: str                       # the property set, as the table shows it
    files: list[str]
    depth: int                       # BMC depth, cycles from reset
    timeout: int                     # seconds ABC may spend
    chparam: dict = field(default_factory=dict)     # {module: {param: value}}: small instances
    mutate: tuple | None = None      # (file, old, new): a one-line bug; the proof must FAIL
    expect: str = "pass"
    rule: str | None = None          # expect="fail": the rule the counterexample must break
    cut: list = field(default_factory=list)         # cells (flattened names) made free: cutpoint


# Small instances: the logic under proof does not depend on the sizes (ring length, frame
# buffer, burst caps), and smaller memories let the BMC reach deeper. MAX_FRAME is each
# engine's smallest legal value (its parameter check refuses less).
TX_SMALL = {"ringnic_tx": {"RING_LOG2": 4, "DESC_BURST": 2, "MAX_FRAME": 1514, "MAX_BURST_BEATS": 4}}
RX_SMALL = {"ringnic_rx": {"RING_LOG2": 4, "DESC_BURST": 2, "MAX_FRAME": 1522, "MAX_BURST_BEATS": 4}}
AXIL_WAIT = {"ringnic_check_axil": {"MAX_WAIT": 4}}
REGS = ["rtl/ringnic_regs.v", "rtl/ringnic_axil_port.v", "rtl/ringnic_count_rc.v", "rtl/ringnic_itr.v",
        "rtl/ringnic_stats.v"]

# The engines run inside tb/formal/formal_tx.v / formal_rx.v: register inputs free except for
# what ringnic_regs guarantees (each assumption commented there with its line), any legal AXI
# slave (the engine's own monitor assumes its rules), the MAC side free. RX: the packet
# buffer's data RAM is a cut point (its read data free every cycle, 32 Kibit of state gone):
# no AXI rule may depend on frame bytes, so a proof over any data is a proof over the real ones.
TX = ["rtl/ringnic_tx.v", "rtl/ringnic_desc_fetch.v", "rtl/ringnic_tx_proc.v", "rtl/ringnic_tx_rd.v",
      "rtl/ringnic_tx_wb.v", "rtl/ringnic_fifo.v", "rtl/ringnic_tx_pack.v", "rtl/ringnic_tx_mac.v",
      "rtl/ringnic_crc32.v", "tb/formal/formal_tx.v"]
RX = ["rtl/ringnic_rx.v", "rtl/ringnic_desc_fetch.v", "rtl/ringnic_rx_dma.v", "rtl/ringnic_rx_wb.v",
      "rtl/ringnic_fifo.v", "rtl/ringnic_rx_csum.v", "rtl/ringnic_rx_csum_add.v", "rtl/ringnic_rx_fifo.v",
      "rtl/ringnic_intr_delay.v", "rtl/ringnic_rx_mac.v",
      "rtl/ringnic_crc32.v", "tb/formal/formal_rx.v"]
RX_CUT = ["u_rx.u_fifo.mem"]

JOBS = [
    Job("regs", "ringnic_regs", "AXI4-Lite slave (s_axil_)", REGS, 24, 120, AXIL_WAIT),
    Job("arb", "formal_arb", "AXI4 master (m_axi_) + slave rules per engine port",
        ["rtl/ringnic_axi_arb.v", "tb/formal/formal_arb.v"], 20, 120),
    Job("tx", "formal_tx", "AXI4 master (m_axi_), regs' guarantees assumed", TX, 24, 150, TX_SMALL),
    Job("rx", "formal_rx", "AXI4 master (m_axi_), regs' guarantees assumed", RX, 21, 150, RX_SMALL, cut=RX_CUT),
    # Reachability: the assumptions do not forbid the traffic the proof is about, and the first
    # cycle it can happen, against the proof's depth. Each asserts an event never happens: must FAIL.
    Job("tx-reach", "formal_tx", "reach: a descriptor write-back answered (B)", TX, 20, 100,
        {**TX_SMALL, "formal_tx": {"REACH": 1}}, expect="fail", rule="REACH_TX_B"),
    Job("rx-reach", "formal_rx", "reach: a payload write answered (B)", RX, 20, 100,
        {**RX_SMALL, "formal_rx": {"REACH": 1}}, cut=RX_CUT, expect="fail", rule="REACH_RX_B"),
    # Mutants: a new read accepted while RVALID waits (RDATA changes under the master) ...
    Job("regs-mutant", "ringnic_regs", "AXI4-Lite slave, mutant: ARREADY ignores RVALID", REGS,
        24, 120, AXIL_WAIT, mutate=("rtl/ringnic_axil_port.v", "assign s_axil_arready = !rvalid_q && !hold;",
                                    "assign s_axil_arready = !hold;"), expect="fail", rule="AXIL_R_HOLD"),
    # ... WLAST taken from the wrong engine ...
    Job("arb-mutant", "formal_arb", "AXI4 master, mutant: WLAST from the other port",
        ["rtl/ringnic_axi_arb.v", "tb/formal/formal_arb.v"], 20, 120,
        mutate=("rtl/ringnic_axi_arb.v", "assign m_axi_wlast    = w_sel1 ? s1_axi_wlast : s0_axi_wlast;",
                "assign m_axi_wlast    = w_sel1 ? s0_axi_wlast : s1_axi_wlast;"), expect="fail", rule="AXI_WLAST"),
    # ... a TX payload read burst and an RX payload write burst sized without the 4 KiB limit.
    Job("tx-mutant", "formal_tx", "AXI4 master, mutant: payload read ignores 4 KiB", TX, 20, 100, TX_SMALL,
        mutate=("rtl/ringnic_tx_proc.v", "wire [17:0] b_beats  = (b_to_4k < b_n1) ? b_to_4k : b_n1;",
                "wire [17:0] b_beats  = b_n1;"), expect="fail", rule="AXI_AR_4K"),
    Job("rx-mutant", "formal_rx", "AXI4 master, mutant: payload write ignores 4 KiB", RX, 20, 100, RX_SMALL,
        cut=RX_CUT, mutate=("rtl/ringnic_rx_dma.v", "wire [15:0] fe_n       = min16(min16(fe_out_left, MAXB), fe_to_4k);",
                            "wire [15:0] fe_n       = min16(fe_out_left, MAXB);"), expect="fail", rule="AXI_AW_4K"),
]

YOSYS_FLOW = """\
read_verilog -formal -I{rtl} {files}
{chparam}
prep -top {top}
flatten
{cut}
delete -port {top}/o:*
memory_map
opt -fast
async2sync
techmap
opt -fast
dffunmap
setundef -undriven -anyseq
aigmap
opt_clean
tee -q -o {asserts} select -list t:$assert
write_aiger -zinit -map {map} {aig}
"""


def tools() -> dict[str, str]:
    need = {"yosys": "yosys", "yosys-abc": "yosys"}
    found = {t: shutil.which(t) for t in need}
    missing = sorted({need[t] for t, p in found.items() if not p})
    if missing:
        raise SystemExit(f"formal: missing {', '.join(found)}: apt-get install {' '.join(missing)} (make deps does)")
    return found


def sources(job: Job, wdir: Path) -> list[Path]:
    """The job's files and the checkers, with the mutation applied to a copy."""
    out = []
    for f in CHECKERS + job.files:
        path = ROOT / f
        if job.mutate and f == job.mutate[0]:
            text = path.read_text()
            if job.mutate[1] not in text:
                raise SystemExit(f"formal: mutant {job.name}: {job.mutate[1]!r} not found in {f}")
            path = wdir / Path(f).name
            path.write_text(text.replace(job.mutate[1], job.mutate[2]))
        out.append(path)
    return out


def rule_of(src: str) -> str:
    """The rule name at an assert's source location (file:line), from the RN_RULE line."""
    m = re.match(r"(.*?):(\d+)", src)
    if not m:
        return src
    path = Path(m.group(1))
    path = path if path.is_absolute() else ROOT / path
    try:
        line = path.read_text().splitlines()[int(m.group(2)) - 1]
    except (OSError, IndexError):
        return src
    name = re.search(r'"((?:AXIL?|REACH)_\w+)"', line)
    return name.group(1) if name else f"{path.name}:{m.group(2)}"


def run_job(job: Job, scale: float) -> dict:
    wdir = OUT / job.name
    shutil.rmtree(wdir, ignore_errors=True)
    wdir.mkdir(parents=True)
    depth = max(1, int(job.depth * scale))
    chp = "\n".join(f"chparam {' '.join(f'-set {k} {v}' for k, v in ps.items())} {mod}"
                    for mod, ps in job.chparam.items())
    cut = "\n".join(f"select -assert-count 1 {job.top}/{c}\ncutpoint {job.top}/{c}" for c in job.cut)
    ys = YOSYS_FLOW.format(rtl=ROOT / "rtl", files=" ".join(str(p) for p in sources(job, wdir)), chparam=chp, cut=cut,
                           top=job.top, map=wdir / "model.map", asserts=wdir / "asserts.txt", aig=wdir / "model.aig")
    (wdir / "model.ys").write_text(ys)
    t0 = time.perf_counter()
    y = subprocess.run(["yosys", "-q", "-l", str(wdir / "yosys.log"), str(wdir / "model.ys")],
                       capture_output=True, text=True)
    t_model = time.perf_counter() - t0
    res = {"job": job.name, "module": job.top, "properties": job.props, "depth_target": depth,
           "expect": job.expect, "expect_rule": job.rule, "chparam": job.chparam, "mutation": list(job.mutate) if job.mutate else None}
    if y.returncode != 0:
        return {**res, "result": "error", "depth": 0, "seconds": round(t_model, 1), "ok": False,
                "detail": (y.stderr or y.stdout).strip().splitlines()[-5:]}
    abc = subprocess.run(["yosys-abc", "-c", f"read_aiger {wdir / 'model.aig'}; print_stats; fold; "
                                             f"bmc3 -F {depth} -T {job.timeout} -v"],
                         capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    (wdir / "abc.log").write_text(abc.stdout + abc.stderr)
    stats = re.search(r"i/o =\s*(\d+)/\s*(\d+).*?lat =\s*(\d+)\s+and =\s*(\d+)", abc.stdout)
    res["model"] = ({"inputs": int(stats[1]), "outputs": int(stats[2]), "latches": int(stats[3]), "ands": int(stats[4])}
                    if stats else None)
    cex = re.search(r"Output (\d+) of miter .* was asserted in frame (\d+)", abc.stdout)
    ok = re.search(r"No output asserted in (\d+) frames", abc.stdout)
    if cex:
        rule = rule_of(bad_source(wdir / "asserts.txt", int(cex.group(1))))
        res.update(result="fail", depth=int(cex.group(2)), rule=rule)
    elif ok:
        reached = int(ok.group(1))
        res.update(result="pass" if reached >= depth else "bounded", depth=reached)
    else:
        res.update(result="error", depth=0, detail=(abc.stdout + abc.stderr).strip().splitlines()[-5:])
    res["seconds"] = round(seconds, 1)
    res["ok"] = ((res["result"] == job.expect and (job.rule is None or res.get("rule") == job.rule))
                 or (job.expect == "pass" and res["result"] == "bounded"))
    return res


def bad_source(asserts: Path, index: int) -> str:
    """The source location (file:line) of bad-state output `index` of the AIGER model: write_aiger
    numbers the $assert cells in the module's cell order, which `select -list` also lists."""
    cells = [c for c in asserts.read_text().splitlines() if "$assert" in c]
    if index >= len(cells):
        return f"bad state {index}"
    m = re.search(r"\$assert\$([^$]+\.v:\d+)", cells[index])
    return m.group(1) if m else cells[index]


def table(rows: list[dict]) -> str:
    lines = [f"{'job':<12} {'module':<13} {'property set':<52} {'depth':>5} {'result':<22} {'seconds':>7}"]
    for r in rows:
        result = r["result"] + (f" ({r['rule']})" if r.get("rule") else "")
        if r["result"] == "bounded":
            result += f" of {r['depth_target']}"
        if r["expect"] == "fail":
            result += " ok" if r["ok"] else (" (should fail)" if r["result"] != "fail" else f" (not {r['expect_rule']})")
        lines.append(f"{r['job']:<12} {r['module']:<13} {r['properties'][:52]:<52} {r['depth']:>5} {result:<22} "
                     f"{r['seconds']:>7.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="run these jobs only (names in the table)")
    ap.add_argument("--depth-scale", type=float, default=1.0, help="scale every depth (quick checks)")
    args = ap.parse_args(argv)
    tools()
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    unknown = sorted(set(args.only or []) - {j.name for j in JOBS})
    if unknown:
        raise SystemExit(f"formal: no job {', '.join(unknown)} (jobs: {', '.join(j.name for j in JOBS)})")
    for job in JOBS:
        if args.only and job.name not in args.only:
            continue
        r = run_job(job, args.depth_scale)
        rows.append(r)
        print(f"formal: {job.name}: {r['result']} depth {r['depth']} in {r['seconds']} s", flush=True)
    print(table(rows))
    report = {"tool": subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip(),
              "engine": "yosys write_aiger -> ABC fold; bmc3", "jobs": rows}
    (OUT / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"report: {OUT / 'report.json'}")
    bad = [r["job"] for r in rows if not r["ok"]]
    if bad:
        print(f"formal: FAILED: {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
