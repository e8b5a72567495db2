"""The interrupt delay timers alone (`ringnic_intr_delay`, rtl/ringnic_intr_delay.v), driven as the
top drives its TX instance: `ev` is a write-back of a descriptor with CMD.IDE, `now` one without,
pkt_dly = TIDV, abs_dly = TADV, `fire` is ICR.TXDW. The 1.024 us tick comes from the bench by
ringnic_tick's rule (tb/blocks/tick.py; ringnic_tick itself is test_intr_delay_tick.py). A delay of
n units fires on the n-th tick after its event, which each test checks to the edge; that is between
n - 1 and n units after the event (the 8254x's free-running 1.024 us clock quantises the same way),
which each test checks too.
"""

from __future__ import annotations

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotb.utils import get_sim_time

from tb.blocks.tick import Ticks

HDL_TOPLEVEL = "ringnic_intr_delay"

CLK_NS = 10
UNIT_NS = 1024


class Timers:
    def __init__(self, dut):
        self.dut = dut
        self.fires: list[float] = []
        self.ticks: Ticks | None = None

    @classmethod
    async def create(cls, dut) -> "Timers":
        t = cls(dut)
        for name in ("ev", "now", "flush", "pkt_dly", "abs_dly"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        Clock(dut.clk, CLK_NS, unit="ns").start(start_high=False)
        t.ticks = Ticks(dut.clk, dut.tick, CLK_NS * 1000, UNIT_NS * 1000)
        await ClockCycles(dut.clk, 4)
        dut.rst.value = 0
        cocotb.start_soon(t._watch())
        return t

    async def _watch(self):
        while True:
            await RisingEdge(self.dut.fire)     # combinational: settled, the next edge takes it
            await ReadOnly()
            if not int(self.dut.fire.value):
                continue                        # a delta glitch while the inputs change after an edge
            await RisingEdge(self.dut.clk)
            self.fires.append(get_sim_time("ns"))

    async def pulse(self, name: str) -> float:
        """One-cycle pulse on `name`; returns the time of the edge that samples it."""
        getattr(self.dut, name).value = 1
        await RisingEdge(self.dut.clk)
        t = get_sim_time("ns")
        getattr(self.dut, name).value = 0
        return t

    async def wait_us(self, us: float) -> None:
        await ClockCycles(self.dut.clk, int(us * 1000 / CLK_NS))

    def after(self, t0: float) -> list[float]:
        return [f - t0 for f in self.fires if f >= t0]

    def check(self, t0: float, units: int, what: str) -> None:
        got = self.after(t0)
        assert got, f"{what}: no TXDW"
        want = self.ticks.nth_after(t0, units) - t0
        assert got[0] == want, f"{what}: TXDW {got[0]} ns after, want {want} (tick {units} after)"
        assert (units - 1) * UNIT_NS < got[0] <= units * UNIT_NS + CLK_NS, f"{what}: {got[0]} ns, not {units} units"


@cocotb.test()
async def test_intr_delay_tidv_restarted_by_each_ide_writeback(dut):
    """IDE set, TIDV = 4: TXDW 4 x 1.024 us after the last of two write-backs 2 us apart."""
    t = await Timers.create(dut)
    dut.pkt_dly.value = 4
    t0 = await t.pulse("ev")
    await t.wait_us(2)
    assert not t.after(t0), "TXDW before TIDV ran out"
    t1 = await t.pulse("ev")
    await t.wait_us(6)
    t.check(t1, 4, "TIDV=4")
    assert len(t.after(t0)) == 1, "one TXDW for the two write-backs"


@cocotb.test()
async def test_intr_delay_tadv_bounds_from_first_writeback(dut):
    """IDE set, TIDV = 4, TADV = 6, a write-back every 3 us: TIDV never runs out, TADV fires 6 x
    1.024 us after the first; the next write-back starts a new round."""
    t = await Timers.create(dut)
    dut.pkt_dly.value, dut.abs_dly.value = 4, 6
    t0 = await t.pulse("ev")
    for _ in range(3):
        await t.wait_us(3)
        await t.pulse("ev")
    t.check(t0, 6, "TADV=6")
    await t.wait_us(10)
    assert len(t.after(t0)) == 2, f"TADV, then TIDV after the last write-back: {t.after(t0)}"


@cocotb.test()
async def test_intr_delay_ide_clear_fires_at_once(dut):
    """IDE clear: TXDW on the edge that takes the write-back, and it covers an IDE write-back waiting on
    TIDV (no second TXDW); TIDV = 0 with IDE set is at once too."""
    t = await Timers.create(dut)
    dut.pkt_dly.value, dut.abs_dly.value = 20, 40
    t0 = await t.pulse("ev")
    await t.wait_us(1)
    t1 = await t.pulse("now")
    await t.wait_us(50)
    assert t.after(t0) == [t1 - t0], f"IDE clear: TXDW at {t.after(t0)}, want one, at once"
    dut.pkt_dly.value = 0
    t2 = await t.pulse("ev")
    await t.wait_us(1)
    assert t.after(t2) == [0], f"TIDV=0: TXDW at {t.after(t2)}"
