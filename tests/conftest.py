"""pytest front end for the cocotb tests.

Every ``@cocotb.test()`` in ``tests/<group>/test_*.py`` becomes one pytest item per simulator,
``test_probe_ok[verilator]``, run in a simulator process of its own (tb/tools/runner.py). So
``pytest tests -k "probe and icarus"`` selects exactly what ``make sim`` runs, and the
JUnit XML, timeouts and summaries are pytest's.

Options: ``--sim verilator,icarus`` (default: both), ``--testcase NAME`` (exactly one test;
no match is an error), ``--waves`` (one FST per test), ``--list-paths`` (tests by folder, then
by driver path). The folders (tb/tools/runner.py TEST_GROUPS): rtl/ checks an RTL block or the RTL
top without the driver, driver/ a driver path, system/ the system, harness/ the harness.
"""

from __future__ import annotations

import difflib
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pytest

from tb.tools import runner

# Driver paths, by test-name prefix; `make list` groups by these (longest prefix wins).
DRIVER_PATHS = {
    "test_probe": "probe",
    "test_regs": "probe (register semantics)",
    "test_dma_coherence": "DMA coherence",
    "test_dma": "DMA coherence",
    "test_tx": "TX descriptor writes",
    "test_napi_rx": "NAPI RX",
    "test_rx": "NAPI RX",
    "test_pair": "real traffic: two NICs (snull's topology)",
    "test_wire_peer": "real traffic: a scapy host on the wire",
    "test_tap": "real traffic: Linux TAP bridge",
    "test_waves": "waveforms",
    "test_wakeups": "harness (wake-up counting)",
    "test_demo": "demo",
    "test_fuzz": "fuzzing", "test_cve": "fuzzing",
    "test_dma_arb": "DMA arbiter (ringnic_axi_arb)",
    "test_desc_fetch": "descriptor fetcher of both engines (ringnic_desc_fetch)",
    "test_tx_engine": "TX descriptor engine (ringnic_tx)", "test_tx_rearm": "TX descriptor engine (ringnic_tx)",
    "test_rx_engine": "RX descriptor engine (ringnic_rx)", "test_rx_rearm": "RX descriptor engine (ringnic_rx)",
    "test_tx_fcs": "TX MAC: the FCS (ringnic_crc32)",
    "test_protocol": "AXI protocol monitors (ringnic_check_axi*)",
    "test_link": "link (STATUS.LU, ICR.LSC, the PHY pin)",
    "test_ethtool": "ethtool",
    "test_fault": "fault injection",
    "test_soak": "soak and teardown under load", "test_teardown": "soak and teardown under load",
}


def driver_path(name: str) -> str:
    best = max((p for p in DRIVER_PATHS if name.startswith(p)), key=len, default=None)
    return DRIVER_PATHS[best] if best else "other"


def pytest_addoption(parser):
    g = parser.getgroup("ringnic")
    g.addoption("--sim", default="verilator,icarus", help="simulators, comma-separated (default: both)")
    g.addoption("--testcase", default="", help="run exactly this cocotb test; no match is an error")
    g.addoption("--waves", action="store_true", help="write build/waves/<sim>/<test>.fst per test")
    g.addoption("--hostmem", default=None, choices=runner.HOSTMEMS,
                help="host memory on the DMA port: axiram (cocotbext-axi, default) or hdl (the fast path)")
    g.addoption("--list-paths", action="store_true", help="list the cocotb tests grouped by driver path")


def pytest_configure(config):
    config.addinivalue_line("markers", "sim(name): a cocotb test run on simulator `name`")
    config._ringnic_results = []
    config._ringnic_t0 = time.perf_counter()


def _sims(config) -> list[str]:
    sims = [s.strip() for s in config.getoption("--sim").split(",") if s.strip()]
    bad = [s for s in sims if s not in runner.SIMS]
    if bad:
        raise pytest.UsageError(f"--sim: unknown simulator {', '.join(bad)} (choose from {', '.join(runner.SIMS)})")
    return sims


def pytest_pycollect_makeitem(collector, name, obj):
    from cocotb._decorators import TestGenerator  # cocotb 2.1: what @cocotb.test() returns

    if not isinstance(obj, TestGenerator):
        return None
    module = collector.module
    toplevel = getattr(module, "HDL_TOPLEVEL", None)  # default: sim/settings.toml
    # HDL_PARAMETER_SETS {"tag": {name: value}} runs every test once per set (test[verilator-tag]);
    # HDL_PARAMETERS {name: value} is one set without a tag.
    sets = getattr(module, "HDL_PARAMETER_SETS", None) or {"": getattr(module, "HDL_PARAMETERS", {})}
    items = []
    for t in obj.generate_tests():
        for sim in _sims(collector.config):
            for tag, params in sets.items():
                item = CocotbItem.from_parent(collector, name=f"{t.name}[{sim}{'-' + tag if tag else ''}]", sim=sim,
                                              test=t.name, module_name=module.__name__, toplevel=toplevel,
                                              params=tuple(sorted(params.items())), doc=t.doc, tag=tag)
                item.add_marker(pytest.mark.sim(sim))
                item.add_marker(getattr(pytest.mark, sim))
                # KNOWN_DEFECTS {test: reason}: an open defect the test has found. It still runs
                # and reports XFAIL with the reason (XPASS once it is fixed), never a green pass.
                reason = getattr(module, "KNOWN_DEFECTS", {}).get(t.name)
                if reason:
                    item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
                items.append(item)
    return items


class CocotbFailure(Exception):
    pass


class CocotbItem(pytest.Item):
    def __init__(self, *, sim, test, module_name, toplevel, params, doc, tag="", **kw):
        super().__init__(**kw)
        self.sim, self.test, self.module_name, self.toplevel, self.doc = sim, test, module_name, toplevel, doc
        self.params, self.tag = params, tag

    def runtest(self):
        res = runner.run(self.sim, self.module_name, self.test, self.toplevel,
                         waves=self.config.getoption("--waves"), params=self.params,
                         hostmem=self.config.getoption("--hostmem"), tag=self.tag)
        # The summary reads these back from the report (pytest_runtest_logreport): under
        # pytest-xdist the test runs in a worker and only its report reaches the controller.
        self.user_properties += [("sim_time_ns", res.sim_time_ns), ("log", str(res.log)),
                                 ("ringnic", {"sim": res.sim, "passed": res.passed, "skipped": res.skipped,
                                              "sim_time_ns": res.sim_time_ns, "wall_s": res.wall_s,
                                              "waves": str(res.waves) if res.waves else ""})]
        if res.waves:
            self.user_properties.append(("waves", str(res.waves)))
        if res.skipped:  # the cocotb test called pytest.skip(reason): SKIPPED, never passed
            pytest.skip(res.message)
        if not res.passed:
            raise CocotbFailure(f"{res.message}\n--- last lines of {res.log} ---\n{runner.log_tail(res.log)}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CocotbFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.test} [{self.sim}]"


def _test_name(item) -> str | None:
    """The test's name for --testcase and --list-paths: a cocotb test's, or that of a plain pytest
    test that runs a simulator itself (parametrized per simulator with the `sim` marker)."""
    if isinstance(item, CocotbItem):
        return item.test
    return getattr(item, "originalname", None) if item.get_closest_marker("sim") else None


def pytest_collection_modifyitems(session, config, items):
    sims = _sims(config)  # plain tests marked sim(name) follow --sim as the cocotb items do
    off = [i for i in items if not isinstance(i, CocotbItem) and i.get_closest_marker("sim")
           and i.get_closest_marker("sim").args[0] not in sims]
    if off:
        config.hook.pytest_deselected(items=off)
        items[:] = [i for i in items if i not in off]
    wanted = config.getoption("--testcase")
    if wanted:
        keep = [i for i in items if _test_name(i) == wanted]
        if not keep:
            names = sorted({_test_name(i) for i in items if _test_name(i)})
            close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
            raise pytest.UsageError(f"no cocotb test named {wanted!r}; `make list` shows them"
                                    + (f" (did you mean {', '.join(close)}?)" if close else ""))
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
    if config.getoption("--list-paths"):
        groups = defaultdict(list)
        for i in items:
            name = _test_name(i)
            folder = Path(str(i.path)).parent.name
            key = (folder, driver_path(name)) if name else None
            if name and name not in groups[key]:
                groups[key].append(name)
        order = list(runner.TEST_GROUPS)
        for (folder, path), tests in sorted(groups.items(), key=lambda kv: (order.index(kv[0][0])
                                                                            if kv[0][0] in order else 99, kv[0][1])):
            print(f"\n{folder}/ ({runner.TEST_GROUPS.get(folder, '')}) -- {path}:")
            for t in tests:
                doc = next((getattr(i, "doc", None) or getattr(getattr(i, "function", None), "__doc__", None)
                            for i in items if _test_name(i) == t), "") or ""
                print(f"  {t:<44} {doc.strip().splitlines()[0] if doc.strip() else ''}")
        print()
        pytest.exit("listed", returncode=0)


_CONFIG = []


def pytest_sessionstart(session):
    _CONFIG[:] = [session.config]


def pytest_runtest_logreport(report):
    """Collects each cocotb test's figures, in the process that reports (the xdist controller)."""
    if report.when != "call" or not _CONFIG:
        return
    for name, value in report.user_properties:
        if name == "ringnic":
            v = dict(value)
            _CONFIG[0]._ringnic_results.append(SimpleNamespace(**{**v, "waves": Path(v["waves"]) if v["waves"] else None}))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    results = config._ringnic_results
    if not results:
        return
    tr = terminalreporter
    tr.section("ringnic simulation summary")
    by_sim = defaultdict(list)
    for r in results:
        by_sim[r.sim].append(r)
    tr.write_line(f"{'simulator':<10} {'tests':>5} {'passed':>6} {'failed':>6} {'skipped':>7} {'sim time':>12} "
                  f"{'test wall':>10}")
    for sim, rs in by_sim.items():
        npass, nskip = sum(r.passed for r in rs), sum(r.skipped for r in rs)
        tr.write_line(f"{sim:<10} {len(rs):>5} {npass:>6} {len(rs) - npass - nskip:>6} {nskip:>7} "
                      f"{sum(r.sim_time_ns for r in rs) / 1e3:>9.1f} us {sum(r.wall_s for r in rs):>8.1f} s")
    tr.write_line(f"wall time including builds: {time.perf_counter() - config._ringnic_t0:.1f} s")
    waves = [r.waves for r in results if r.waves]
    if waves:
        tr.write_line(f"waveforms: {waves[0].parent}/<test>.fst")
