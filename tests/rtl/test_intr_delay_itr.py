"""ITR at the register block (`ringnic_regs` as the toplevel, the engines' cause input a port; see
tests/rtl/test_regs.py for why the block and not the top): the interrupt line's assertions are
ITR x 256 ns apart, measured in simulated time (rtl/ringnic_itr.v).

A "handler" reads ICR at each rise of irq, as e1000_intr does; under a flood of causes the next
rise then waits for the window. The window counts the 256 ns tick (`itr_tick`, driven by the bench
by ringnic_tick's rule, tb/blocks/tick.py): it passes on the ITR-th tick after the rise that opened
it, so the next rise is on that tick's edge, which the tests check to the edge. A rise that
was itself waiting for a tick comes on a tick, and the spacing is then ITR x 256 ns (to the clock);
a rise between ticks opens a window of between ITR - 1 and ITR units.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import RisingEdge

from pydriver.ringnic import regs
from tb.blocks.regs import hw, irq_after, make_tb
from tb.blocks.tick import Ticks

HDL_TOPLEVEL = "ringnic_regs"

CLK_NS = 10
ITR_NS = 256
TXDW = regs.ICR_TXDW


async def itr_tb(dut):
    tb = await make_tb(dut)
    tb.ticks = Ticks(dut.clk, dut.itr_tick, CLK_NS * 1000, ITR_NS * 1000)
    return tb


def check_gap(tb, t0: float, t1: float, itr: int) -> None:
    """A rise at t1 that waited on the window the rise at t0 opened: on the edge of the ITR-th
    tick after t0 (the line rises as that tick passes the window), within a unit of ITR x 256 ns."""
    want = tb.ticks.nth_after(t0, itr)
    assert t1 == want, f"ITR={itr}: rise {t1 - t0} ns after the last, want {want - t0} (tick {itr} after)"
    assert (itr - 1) * ITR_NS < t1 - t0 <= itr * ITR_NS + CLK_NS, f"ITR={itr}: rise {t1 - t0} ns after the last"


async def rises(tb, n: int) -> list[float]:
    """Times of the next `n` rises of irq, each answered by ICR reads until the line is low."""
    out = []
    for _ in range(n):
        await RisingEdge(tb.dut.irq)
        out.append(tb.now_ns())
        assert await tb.read32(regs.ICR) & TXDW, "irq rose without the cause in ICR"
        while await irq_after(tb):          # a cause in the read's own cycle survives it
            await tb.read32(regs.ICR)
    return out


class Flood:
    """TXDW from the hardware side every `period` cycles (an engine writing back descriptors)."""

    def __init__(self, tb, period: int):
        self.tb, self.period, self.times = tb, period, []
        self.task = cocotb.start_soon(self._run())

    async def _run(self):
        while True:
            self.times.append(self.tb.now_ns())
            hw(self.tb).intr_set.value = TXDW
            await RisingEdge(self.tb.dut.clk)
            hw(self.tb).intr_set.value = 0
            await self.tb.cycles(self.period - 1)

    def stop(self):
        self.task.cancel()
        hw(self.tb).intr_set.value = 0


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:])]


@cocotb.test()
async def test_intr_delay_itr_spacing_under_flood(dut):
    """TXDW every 370 ns, ICR read at each rise: each rise on the 21st 256 ns tick after the last
    (ITR = 21, 5,376 ns: not a whole number of clocks; every rise but the first is on a tick, so the
    spacing is 5,376 ns to the clock)."""
    tb = await itr_tb(dut)
    await tb.write32(regs.IMS, TXDW)
    await tb.write32(regs.ITR, 21)
    flood = Flood(tb, 37)                   # a cause every 370 ns, 14 per window
    times = await rises(tb, 5)
    flood.stop()
    for t0, t1 in zip(times, times[1:]):
        check_gap(tb, t0, t1, 21)
    for g in gaps(times[1:]):
        assert abs(g - 21 * ITR_NS) < CLK_NS, f"ITR=21: rises {gaps(times)} ns apart"


@cocotb.test()
async def test_intr_delay_itr_cause_waits_for_window(dut):
    """One cause inside the window is held in ICR with irq low, and raises irq as the window ends;
    a cause after the window has passed raises irq at once (ITR = 40, 10,240 ns)."""
    tb = await itr_tb(dut)
    await tb.write32(regs.IMS, TXDW)
    await tb.write32(regs.ITR, 40)
    win = 40 * ITR_NS
    await tb.write32(regs.ICS, TXDW)
    (t0,) = await rises(tb, 1)             # the first: at once, opens the window
    await tb.cycles(100)
    await tb.write32(regs.ICS, TXDW)        # a cause 1 us into the window
    await tb.cycles(100)
    assert tb.irq_level() == 0, "irq rose inside the ITR window"
    assert int(hw(tb).icr.value) & TXDW, "the cause is not held in ICR while throttled"
    (t1,) = await rises(tb, 1)
    check_gap(tb, t0, t1, 40)
    await tb.cycles(win // CLK_NS + 10)     # the window has passed: no throttling
    await tb.write32(regs.ICS, TXDW)
    assert await irq_after(tb) == 1, "a cause after the window did not raise irq at once"


@cocotb.test()
async def test_intr_delay_itr_zero_unchanged(dut):
    """ITR = 0: irq follows |(ICR & IMS) two clocks after the cause (ICR, then the line), however
    soon after the last assertion; ITR written 0 inside a window ends the window."""
    tb = await itr_tb(dut)
    await tb.write32(regs.IMS, TXDW)
    flood = Flood(tb, 37)
    times = await rises(tb, 5)
    flood.stop()
    for t in times:
        cause = max(c for c in flood.times if c < t)
        assert t - cause <= 2 * CLK_NS, f"ITR=0: irq rose {t - cause} ns after its cause"

    await tb.write32(regs.ITR, 1000)        # 256 us
    await tb.write32(regs.ICS, TXDW)
    await rises(tb, 1)
    await tb.write32(regs.ICS, TXDW)
    assert await irq_after(tb, 20) == 0, "ITR=1000: irq inside the window"
    await tb.write32(regs.ITR, 0)
    assert await irq_after(tb) == 1, "ITR written 0: the held cause did not raise irq at once"
