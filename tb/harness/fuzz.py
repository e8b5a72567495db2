"""Fuzz campaign plumbing: the seed and size every fuzz test takes, and its counts for the report.

Each fuzz test takes its seed from RINGNIC_SEED (default 1, so `make test` is repeatable) and
prints it first; its size from RINGNIC_FUZZ_N (see size()). At the end it writes its counts to
build/fuzz/parts/<test>[<sim>].json; `python -m tb.harness.fuzz` (what `make fuzz` runs last) merges the
parts into build/fuzz/report.json.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUZZ_DIR = ROOT / "build" / "fuzz"
PARTS = FUZZ_DIR / "parts"


def seed(log) -> int:
    """RINGNIC_SEED, logged so a failure can be replayed."""
    s = int(os.environ.get("RINGNIC_SEED", "1"), 0)
    log.info("seed=%d rerun with RINGNIC_SEED=%d", s, s)
    return s


def size(default: int, kind: str) -> int:
    """RINGNIC_FUZZ_N_<KIND> (REGS, RINGS, FRAMES, SOAK, TEARDOWNS: what `make fuzz` and `make soak`
    set), else RINGNIC_FUZZ_N,
    else the test's small default (what `make test` runs)."""
    v = os.environ.get(f"RINGNIC_FUZZ_N_{kind.upper()}") or os.environ.get("RINGNIC_FUZZ_N") or str(default)
    return int(v, 0)


def record(test: str, sim: str, seed_used: int, counts: dict) -> None:
    """This run's counts (register accesses, resets, rings, frames, failures...)."""
    PARTS.mkdir(parents=True, exist_ok=True)
    part = {"test": test, "sim": sim, "seed": seed_used, **counts}
    (PARTS / f"{test}[{sim}].json").write_text(json.dumps(part, indent=1) + "\n")


class Run:
    """One fuzz test's run: `with fuzz.Run(dut, "test_x", ("rings", ...)) as run:` gives run.rng
    (seeded from RINGNIC_SEED, printed) and run.counts; on the way out, a failure is counted and
    the counts are recorded, pass or fail."""

    def __init__(self, dut, test: str, keys: tuple[str, ...]):
        self.dut, self.test = dut, test
        self.seed = seed(dut._log)
        self.rng = random.Random(self.seed)
        self.counts = dict.fromkeys(keys + ("failures",), 0)

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        import cocotb
        self.counts["failures"] += exc_type is not None
        record(self.test, cocotb.SIM_NAME.split()[0].lower(), self.seed, self.counts)
        self.dut._log.info("fuzz counts: %s", self.counts)
        return False


def merge(junit: list[Path] | None = None) -> dict:
    """Sum the parts per counter and per simulator; failures from the JUnit files of the run."""
    parts = [json.loads(p.read_text()) for p in sorted(PARTS.glob("*.json"))]
    totals: dict = {}
    for p in parts:
        for k, v in p.items():
            if isinstance(v, int) and k != "seed":
                totals[k] = totals.get(k, 0) + v
    matrix = fault_matrix(totals)
    failures, tests = [], 0
    for x in junit or []:
        import xml.etree.ElementTree as ET
        for case in ET.parse(x).getroot().iter("testcase"):
            tests += 1
            if case.find("failure") is not None or case.find("error") is not None:
                failures.append(case.get("name"))
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            "size": {k: os.environ.get(f"RINGNIC_FUZZ_N_{k}") for k in ("REGS", "RINGS", "FRAMES", "SOAK", "TEARDOWNS",
                                                                       "FAULTS")},
            "seed": os.environ.get("RINGNIC_SEED", "1"),
            "tests_run": tests, "failures": len(failures), "failed": failures, "totals": totals,
            "fault_matrix": matrix, "runs": parts}


def fault_matrix(totals: dict) -> dict:
    """{channel: {kind: n}} from the fault tests' fault_<channel>_<kind> counters (tests/system/test_fault_dma.py)."""
    kinds = ("slverr", "decerr", "stall", "fence")
    out: dict = {}
    for k, v in totals.items():
        if k.startswith("fault_") and k.rsplit("_", 1)[-1] in kinds:
            ch, kind = k[len("fault_"):].rsplit("_", 1)
            out.setdefault(ch, dict.fromkeys(kinds, 0))[kind] += v
    return out


if __name__ == "__main__":
    report = merge([Path(a) for a in sys.argv[1:]])
    FUZZ_DIR.mkdir(parents=True, exist_ok=True)
    (FUZZ_DIR / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("date", "machine", "size", "seed", "tests_run", "failures",
                                             "totals", "fault_matrix")}, indent=1))
