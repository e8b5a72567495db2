"""`make synth`: Yosys synthesis of `ringnic` for the ZYBO's xc7z010, per module, against a budget.

Debian's yosys runs `synth_xilinx -family xc7 -top ringnic -noiopad` (the NIC is an IP block
inside the user's design: no I/O buffers) with the hierarchy kept, then `stat -json` per module.
The per-module figures are each module's own cells times its instances (so the rows add up to
the total); "blocks" are the top's sub-blocks with everything below them included.

Resources counted as Vivado's utilisation report names them: LUT (LUT1..LUT6, plus the LUTs a
LUTRAM or shift register takes), FF (FD*), LUTRAM (LUTs used as memory), BRAM36 (RAMB36 + half a
RAMB18), DSP (DSP48E1). Writes build/synth/report.json; exits 1 when a figure in
sim/synth_budget.json is exceeded.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "synth"
BUDGET = ROOT / "sim" / "synth_budget.json"
TOP = "ringnic"
KINDS = ("lut", "ff", "lutram", "bram36", "dsp")

# Zynq-7010 (xc7z010) programmable logic: DS190, table 1.
DEVICE = {"name": "xc7z010", "lut": 17600, "ff": 35200, "lutram": 6000, "bram36": 60, "dsp": 80}

# 7-series distributed RAM and SRL primitives -> LUTs each takes (UG474, UG953).
LUTRAM_LUTS = {
    "RAM32X1S": 1, "RAM32X1D": 2, "RAM32M": 4, "RAM32M16": 8,
    "RAM64X1S": 1, "RAM64X1D": 2, "RAM64M": 4, "RAM64M8": 8,
    "RAM128X1S": 2, "RAM128X1D": 4, "RAM256X1S": 4, "RAM256X1D": 8,
    "SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1,
}
BRAM36 = {"RAMB36E1": 1.0, "RAMB18E1": 0.5, "RAMB36E2": 1.0, "RAMB18E2": 0.5}


def cell_figures(cells: dict) -> dict:
    """Resource figures of one module's own cells ({cell type: count})."""
    f = dict.fromkeys(KINDS, 0)
    for typ, n in cells.items():
        if re.fullmatch(r"LUT[1-6]|INV", typ):
            f["lut"] += n
        elif re.fullmatch(r"FD[CPRSE]E?(_1)?", typ):
            f["ff"] += n
        elif typ in LUTRAM_LUTS:
            f["lutram"] += n * LUTRAM_LUTS[typ]
            f["lut"] += n * LUTRAM_LUTS[typ]
        elif typ in BRAM36:
            f["bram36"] += n * BRAM36[typ]
        elif typ.startswith("DSP48"):
            f["dsp"] += n
    return f


def short_name(mod: str) -> str:
    """`$paramod$9f..\\ringnic_fifo\\WIDTH=..` -> `ringnic_fifo(WIDTH=..,..)`; yosys 0.23
    hashes long parameter lists, then only the module name is left."""
    if not mod.startswith("$paramod"):
        return mod.lstrip("\\")
    parts = mod.split("\\")[1:]
    params = [p.replace("32'", "").replace("'", "") for p in parts[1:]]
    params = [re.sub(r"=(s?[01]+)$", lambda m: "=" + str(int(m.group(1).lstrip("s"), 2)), p) for p in params]
    return f"{parts[0]}({','.join(params)})" if params else parts[0]


def analyse(stat: dict, top: str = TOP) -> dict:
    """From yosys `stat -json` (one entry per module of the kept hierarchy): per-module figures
    (own cells x instances), the top's sub-blocks inclusive, and the total."""
    # A module without parameters is `\\name` as a module but `name` as a cell type.
    mods = {m.lstrip("\\"): v for m, v in stat["modules"].items()}
    own = {m: cell_figures(v.get("num_cells_by_type", {})) for m, v in mods.items()}
    children = {m: {t.lstrip("\\"): n for t, n in v.get("num_cells_by_type", {}).items() if t.lstrip("\\") in mods}
                for m, v in mods.items()}
    parents: dict[str, list] = {}
    for p, cs in sorted(children.items()):
        for c in cs:
            parents.setdefault(c, []).append(short_name(p).split("(")[0])
    top_key = top
    if top_key not in mods:
        raise ValueError(f"no module {top!r} in the yosys statistics")

    instances: dict[str, int] = {}

    def count(m: str, k: int) -> None:
        instances[m] = instances.get(m, 0) + k
        for c, n in children[m].items():
            count(c, k * n)

    count(top_key, 1)

    def inclusive(m: str) -> dict:
        f = dict(own[m])
        for c, n in children[m].items():
            for kind, v in inclusive(c).items():
                f[kind] += n * v
        return f

    # One row per module name: yosys hashes long parameter lists, so the parameter sets of one
    # module (the TX FIFOs) are summed into one row.
    merged: dict[str, dict] = {}
    for m, k in instances.items():
        row = merged.setdefault(short_name(m), {"instances": 0, "parents": [], **dict.fromkeys(KINDS, 0)})
        row["instances"] += k
        row["parents"] += [p for p in parents.get(m, []) if p not in row["parents"]]
        for x in KINDS:
            row[x] += own[m][x] * k
    rows = []
    for n, r in sorted(merged.items(), key=lambda nr: -nr[1]["lut"]):
        ps = r.pop("parents")
        rows.append({"module": n + (f" < {','.join(ps)}" if ps else ""), **r})
    blocks = [{"module": short_name(c), "instances": n, **inclusive(c)} for c, n in sorted(children[top_key].items())]
    total = inclusive(top_key)
    return {"device": DEVICE, "modules": rows, "blocks": blocks, "total": total,
            "percent": {x: round(100.0 * total[x] / DEVICE[x], 1) for x in KINDS}}


def check_budget(report: dict, budget: dict) -> list[str]:
    """Overruns of the budget file: `total` (absolute, or "<n>%" of the device) and per `blocks`
    (a block's inclusive figures, by module name without parameters)."""
    def limit(v, kind):
        return DEVICE[kind] * float(v[:-1]) / 100.0 if isinstance(v, str) and v.endswith("%") else float(v)

    errs = []
    for kind, v in budget.get("total", {}).items():
        if report["total"][kind] > limit(v, kind):
            errs.append(f"total {kind} {report['total'][kind]:g} > budget {v}")
    by_name = {}
    for b in report["blocks"]:
        by_name.setdefault(b["module"].split("(")[0], []).append(b)
    for name, lim in budget.get("blocks", {}).items():
        for b in by_name.get(name, []):
            for kind, v in lim.items():
                if b[kind] > limit(v, kind):
                    errs.append(f"{name} {kind} {b[kind]:g} > budget {v}")
    return errs


def table(report: dict) -> str:
    def line(name, n, f):
        return (f"{name[:52]:<52} {n:>3} {f['lut']:>7g} {f['ff']:>7g} {f['lutram']:>7g} "
                f"{f['bram36']:>7g} {f['dsp']:>4g}")

    head = f"{'module (own cells x instances)':<52} {'n':>3} {'LUT':>7} {'FF':>7} {'LUTRAM':>7} {'BRAM36':>7} {'DSP':>4}"
    out = [head, "-" * len(head)]
    out += [line(r["module"], r["instances"], r) for r in report["modules"]]
    out += ["-" * len(head), f"{'blocks under ' + TOP + ' (inclusive)':<52}"]
    out += [line("  " + b["module"], b["instances"], b) for b in report["blocks"]]
    out += ["-" * len(head), line("total", 1, report["total"])]
    d, p = report["device"], report["percent"]
    out.append(f"{'% of ' + d['name']:<52} {'':>3} " + " ".join(
        f"{p[k]:>6g}%" if k != "dsp" else f"{p[k]:>3g}%" for k in KINDS))
    return "\n".join(out)


def load_stat(text: str) -> dict:
    """yosys 0.23's `stat -json` with a top module also prints the hierarchy as text lines in the
    middle of the JSON (no quotes): drop those lines."""
    keep = [ln for ln in text.splitlines() if '"' in ln or re.fullmatch(r"[\s{}\[\],]*", ln)]
    return json.loads("\n".join(keep))


def run_yosys(out: Path, yosys: str = "yosys") -> dict:
    # The protocol monitors (ringnic_check_*.v) are simulation and formal IP, not hardware: the
    # engines bind them under `ifndef SYNTHESIS, and yosys cannot parse their $fatal outside
    # an initial block, so they are not read.
    rtl = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rtl").glob("*.v")
                 if not p.name.startswith("ringnic_check"))
    out.mkdir(parents=True, exist_ok=True)
    script = out / "synth.ys"
    script.write_text(
        f"read_verilog -DSYNTHESIS -Irtl {' '.join(rtl)}\n"
        f"synth_xilinx -family xc7 -top {TOP} -noiopad\n"
        f"tee -q -o {out / 'stat.json'} stat -json\n"
        f"tee -q -o {out / 'stat.txt'} stat\n")
    log = out / "yosys.log"
    res = subprocess.run([yosys, "-q", "-l", str(log), str(script)], cwd=ROOT,
                         capture_output=True, text=True)
    if res.returncode:
        sys.stderr.write(res.stdout + res.stderr)
        raise SystemExit(f"synth: yosys failed (log: {log})")
    return load_stat((out / "stat.json").read_text())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stat", type=Path, help="analyse this yosys `stat -json` output instead of running yosys")
    ap.add_argument("--budget", type=Path, default=BUDGET)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    t0 = time.monotonic()
    if args.stat:
        stat = load_stat(args.stat.read_text())
    else:
        if not shutil.which("yosys"):
            raise SystemExit("synth: no yosys; run: sudo apt-get install -y yosys (or make deps as root)")
        stat = run_yosys(args.out)
    report = analyse(stat)
    report["seconds"] = round(time.monotonic() - t0, 1)
    budget = json.loads(args.budget.read_text()) if args.budget.is_file() else {}
    errs = check_budget(report, budget)
    report["budget"] = budget
    report["overruns"] = errs
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    print(table(report))
    print(f"report: {args.out / 'report.json'}  ({report['seconds']} s)")
    for e in errs:
        print(f"synth: OVER BUDGET ({args.budget.name}): {e}")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
