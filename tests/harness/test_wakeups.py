"""tb/harness/wakeups.py counts what the simulator costs in Python: pinned on a toy design.

Each await of a GPI trigger is one simulator->Python callback of its kind, and one task resume;
awaiting Python-only events costs no callback. make bench reports these counts per frame.
"""

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Event, RisingEdge, Timer

from tb.harness.wakeups import Wakeups

HDL_TOPLEVEL = "wakeup_toy"
PERIOD = 8  # the toy's default


async def _reset(dut) -> None:
    Clock(dut.clk, 10, unit="ns", impl="gpi").start(start_high=False)   # C++ clock: no Python per edge
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await RisingEdge(dut.clk)


@cocotb.test()
async def test_wakeups_counted_by_kind(dut):
    """10 clock edges, 3 timers, 2 pulses awaited: exactly 12 edge and 3 timer callbacks, 15 resumes."""
    await _reset(dut)
    w = Wakeups.install()
    snap = w.snapshot()
    for _ in range(10):
        await RisingEdge(dut.clk)
    for _ in range(3):
        await Timer(25, "ns")
    for _ in range(2):
        await RisingEdge(dut.pulse)
    d = w.since(snap)
    assert d["by_kind"] == {"edge": 12, "timer": 3}, d
    assert d["callbacks"] == 15 and d["resumes"] == 15, d


@cocotb.test()
async def test_wakeups_timer_wait_is_one_callback(dut):
    """A long wait on a Timer is one callback whatever its length; ClockCycles is one per edge.
    An Event set and awaited within Python costs a resume and no callback."""
    await _reset(dut)
    w = Wakeups.install()
    snap = w.snapshot()
    await Timer(1000 * 10, "ns")
    assert w.since(snap)["callbacks"] == 1
    snap = w.snapshot()
    await ClockCycles(dut.clk, 100)
    assert w.since(snap)["by_kind"] == {"edge": 100}
    ev = Event()
    snap = w.snapshot()
    cocotb.start_soon(_set(ev))
    await ev.wait()
    d = w.since(snap)
    assert d["callbacks"] == 0 and d["resumes"] == 2, d   # the setter's one step, then this test's


async def _set(ev) -> None:
    ev.set()
