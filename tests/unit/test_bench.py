"""tb/apps/bench.py's report on a made-up result set: ratios, goals, the table and the JSON (no simulator)."""

import json

from tb.apps import bench

MACHINE = {"cpu": "Test CPU", "nproc": 2, "python": "3.11.7", "verilator": "5.48", "icarus": "Icarus 11.0",
           "cocotb": "2.1.0"}


def limit(sim, size, cps, fd):
    return {"workload": f"limit_{size}", "kind": "limit", "sim": sim, "frame_bytes": size, "status": "ok",
            "cycles": 1000, "wall_s": 1000 / cps, "cycles_per_s": cps, "frames_per_s": 10.0,
            "fd_bytes_per_cycle": fd, "tx_desc_fetches_per_frame": 0.125, "rx_desc_fetches_per_frame": 0.125}


def oneway(sim, size, tx, rx):
    return {"workload": f"oneway_{size}", "kind": "oneway", "sim": sim, "frame_bytes": size, "status": "ok",
            "cycles": 1000, "wall_s": 0.01, "cycles_per_s": 100_000, "frames_per_s": 5.0,
            "tx_bytes_per_cycle": tx, "rx_bytes_per_cycle": rx,
            "tx_desc_fetches_per_frame": 0.125, "rx_desc_fetches_per_frame": 0.13}


def fake_results():
    napi = {"workload": "napi", "kind": "napi", "sim": "verilator", "frame_bytes": 64, "status": "ok",
            "napi_on": {"frames": 10_000, "delivered": 1000, "missed": 9000, "backlog_dropped": 0, "interrupts": 2,
                        "interrupts_per_frame": 0.0002, "polls": 18, "polls_per_interrupt": 9.0,
                        "sim_ns": 1e6, "wall_s": 3.0},
            "napi_off": {"frames": 10_000, "delivered": 2000, "missed": 0, "backlog_dropped": 8000,
                         "interrupts": 1667, "interrupts_per_frame": 0.1667, "polls": 0,
                         "polls_per_interrupt": None, "sim_ns": 2e6, "wall_s": 15.0}}
    return [
        limit("verilator", 1518, 100_000, 15.5), limit("icarus", 1518, 2_500, 15.5),
        {"workload": "native_1518", "kind": "native", "sim": "verilator", "frame_bytes": 1518, "status": "ok",
         "cycles": 1000, "wall_s": 0.0025, "cycles_per_s": 400_000, "frames_per_s": 40.0, "fd_bytes_per_cycle": 15.5},
        {"workload": "cosim_hdl_1518", "kind": "cosim", "sim": "verilator", "frame_bytes": 1518, "status": "ok",
         "cycles": 5000, "wall_s": 0.1, "cycles_per_s": 50_000, "frames_per_s": 400.0, "callbacks_per_frame": 11.1},
        oneway("verilator", 1518, 7.8, 7.5), oneway("verilator", 64, 4.0, 6.0),
        {"workload": "cosim_1518", "kind": "cosim", "sim": "verilator", "frame_bytes": 1518, "status": "ok",
         "cycles": 5000, "wall_s": 1.0, "cycles_per_s": 5_000, "frames_per_s": 40.0},
        {"workload": "cosim_1518", "kind": "cosim", "sim": "icarus", "frame_bytes": 1518, "status": "ok",
         "cycles": 5000, "wall_s": 5.0, "cycles_per_s": 1_000, "frames_per_s": 8.0},
        {"workload": "cosim_64", "kind": "cosim", "sim": "verilator", "frame_bytes": 64,
         "status": "failed", "reason": "the simulator crashed"},
        napi,
    ]


def report():
    regression = [{"sim": "verilator", "source": "last make sim (build/junit-verilator.xml)", "wall_s": 42.0,
                   "tests": 80, "failed": 0, "when": "2026-12-02T17:00:00"}]
    builds = [{"sim": "verilator", "toplevel": "ringnic_pair_bench", "build_s": 30.0, "fresh": True}]
    return bench.make_report(fake_results(), builds, regression, ["verilator", "icarus"], quick=False, full=False,
                             machine_info=MACHINE, generated="2026-12-02T18:00:00+00:00")


def test_ratios_between_runs():
    rows = {(r["workload"], r["sim"]): r for r in report()["workloads"]}
    assert rows[("cosim_1518", "verilator")]["ratio_to_limit"] == 5_000 / 100_000
    assert rows[("cosim_1518", "verilator")]["verilator_over_icarus"] == 5.0
    assert rows[("limit_1518", "verilator")]["verilator_over_icarus"] == 40.0
    assert "verilator_over_icarus" not in rows[("cosim_1518", "icarus")]


def test_goals_met_not_met_and_unmeasured():
    goals = {g["goal"]: g for g in report()["goals"]}
    by_start = {k.split(":")[0].split(" >=")[0].split(" on Verilator")[0]: g for k, g in goals.items()}
    ratio = {k.split(" ")[0]: g for k, g in goals.items() if "the same run's limit" in k}
    assert ratio["cosim_hdl_1518"]["met"] is True and ratio["cosim_hdl_1518"]["value"] == 0.5
    assert ratio["cosim_1518"]["met"] is False            # 0.05 of the limit against 2 x 0.042
    assert ratio["cosim_hdl_64"]["met"] is None            # not measured
    assert goals["cosim_hdl_1518: <= 20 simulator->Python callbacks per frame"]["met"] is True
    assert goals["limit_1518 >= 1/4 of native_1518 (what cocotb's clock and VPI cost)"]["value"] == 0.25
    assert by_start["TX at 1518-byte frames"]["met"] is True and by_start["TX at 1518-byte frames"]["value"] == 97.5
    assert by_start["RX at 1518-byte frames"]["met"] is False  # 7.5 of 8 is 93.75 %
    assert by_start["TX at 64-byte frames"]["met"] is False and by_start["RX at 64-byte frames"]["met"] is True
    assert by_start["NAPI under a flood"]["met"] is True
    # No Icarus oneway run: judged on the first simulator that has one.
    assert by_start["TX at 1518-byte frames"]["where"] == "oneway_1518 verilator"


def test_goal_without_a_measurement_is_not_met_nor_failed():
    r = bench.make_report([], [], [], ["verilator"], False, False, MACHINE, "now")
    assert {g["met"] for g in r["goals"]} == {None}
    assert "not measured" in bench.format_table(r)


def test_table_has_units_rows_and_goal_lines():
    text = bench.format_table(report())
    assert "cycles/s" in text and "frames/s" in text and "B/cycle (% of 8)" in text and "speed x" in text
    assert "7.80 (97.5%)" in text           # TX bytes/cycle with its share of the 8-byte peak
    assert "15.50 (96.9%)" in text          # full duplex against 16
    assert "0.050" in text and "5.0" in text  # ratio to the limit, Verilator / Icarus
    assert "cosim_64        verilator  failed: the simulator crashed" in text
    assert "[NOT met] cosim_1518 on Verilator" in text and "[met    ] NAPI" in text
    assert "11.1" in text and "0.250" in text   # callbacks per frame; limit / native
    napi_off = next(ln for ln in text.splitlines() if ln.startswith("napi off"))
    assert "1,667" in napi_off and napi_off.split()[-3] == "-"  # no NAPI: no polls per interrupt
    assert "42.0 s  80 tests, 0 failed" in text
    assert "Test CPU, 2 CPUs, Python 3.11.7" in text


def test_json_round_trip(tmp_path):
    r = report()
    path = bench.write_json(r, tmp_path / "bench" / "results.json")
    back = json.loads(path.read_text())
    assert back == json.loads(json.dumps(r))
    assert back["schema"] == 1 and back["machine"]["nproc"] == 2
    assert {w["workload"] for w in back["workloads"]} >= {"limit_1518", "cosim_64", "napi"}


def test_every_workload_has_a_bench_test_and_a_size_per_simulator():
    import ast
    from pathlib import Path

    src = (Path(bench.ROOT) / "tb" / "apps" / "bench_tests.py").read_text()
    names = {n.id for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Name)} | \
            {n.name for n in ast.walk(ast.parse(src)) if isinstance(n, ast.AsyncFunctionDef)}
    for w in bench.WORKLOADS:
        assert w.kind == "native" or f"bench_{w.name}" in names, w.name
    for sim in ("verilator", "icarus"):
        for quick in (False, True):
            assert int(bench.workload_env(sim, bench.WORKLOADS[0], quick)["RINGNIC_BENCH_CYCLES"]) > 0
