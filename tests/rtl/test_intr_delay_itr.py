"""ITR at the register block (`ringnic_regs` as the toplevel, the engines' cause input a port; see
tests/rtl/test_regs.py for why the block and not the top): the interrupt line's assertions are at
least ITR x 256 ns apart, measured in simulated time (rtl/ringnic_itr.v).

A "handler" reads ICR at each rise of irq, as e1000_intr does; under a flood of causes the next
rise then waits for the window. The clock is 10 ns, so a window of ITR x 256 ns ends on the first
edge at or after it: the spacing is in [ITR x 256, ITR x 256 + 10) ns.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import RisingEdge

from pydriver.ringnic import regs
from tb.blocks.regs import hw, irq_after, make_tb

HDL_TOPLEVEL = "ringnic_regs"

CLK_NS = 10
TXDW = regs.ICR_TXDW


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
    """TXDW every 370 ns, ICR read at each rise: the rises are ITR x 256 ns apart (ITR = 21,
    5,376 ns: not a whole number of clocks, so the window ends on the next edge)."""
    tb = await make_tb(dut)
    await tb.write32(regs.IMS, TXDW)
    await tb.write32(regs.ITR, 21)
    win = 21 * 256
    flood = Flood(tb, 37)                   # a cause every 370 ns, 14 per window
    times = await rises(tb, 5)
    flood.stop()
    for g in gaps(times):
        assert win <= g < win + CLK_NS, f"ITR=21: rises {gaps(times)} ns apart, window {win} ns"


@cocotb.test()
async def test_intr_delay_itr_cause_waits_for_window(dut):
    """One cause inside the window is held in ICR with irq low, and raises irq as the window ends;
    a cause after the window has passed raises irq at once (ITR = 40, 10,240 ns)."""
    tb = await make_tb(dut)
    await tb.write32(regs.IMS, TXDW)
    await tb.write32(regs.ITR, 40)
    win = 40 * 256
    await tb.write32(regs.ICS, TXDW)
    (t0,) = await rises(tb, 1)             # the first: at once, opens the window
    await tb.cycles(100)
    await tb.write32(regs.ICS, TXDW)        # a cause 1 us into the window
    await tb.cycles(100)
    assert tb.irq_level() == 0, "irq rose inside the ITR window"
    assert int(hw(tb).icr.value) & TXDW, "the cause is not held in ICR while throttled"
    (t1,) = await rises(tb, 1)
    assert win <= t1 - t0 < win + CLK_NS, f"ITR=40: second rise {t1 - t0} ns after the first"
    await tb.cycles(win // CLK_NS + 10)     # the window has passed: no throttling
    await tb.write32(regs.ICS, TXDW)
    assert await irq_after(tb) == 1, "a cause after the window did not raise irq at once"


@cocotb.test()
async def test_intr_delay_itr_zero_unchanged(dut):
    """ITR = 0: irq follows |(ICR & IMS) two clocks after the cause (ICR, then the line), however
    soon after the last assertion; ITR written 0 inside a window ends the window."""
    tb = await make_tb(dut)
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
