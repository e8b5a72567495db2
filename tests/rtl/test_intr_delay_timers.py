"""The interrupt delay timers alone (`ringnic_intr_delay`, rtl/ringnic_intr_delay.v), driven as the
top drives its TX instance: `ev` is a write-back of a descriptor with CMD.IDE, `now` one without,
pkt_dly = TIDV, abs_dly = TADV, `fire` is ICR.TXDW. Delays are measured in simulated time from the
write-back's pulse; units are 1.024 us, and the timers count picoseconds, so each fire comes
between the exact delay and one clock after it. Both builds run every test: the 100 MHz default and
a 125 MHz clock (8 ns, CLK_PERIOD_PS = 8000), where 1.024 us is exactly 128 clocks.
"""

from __future__ import annotations

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb.utils import get_sim_time

from tb.runner import hdl_param

HDL_TOPLEVEL = "ringnic_intr_delay"
HDL_PARAMETER_SETS = {"clk10ns": {"CLK_PERIOD_PS": 10000}, "clk8ns": {"CLK_PERIOD_PS": 8000}}

UNIT_NS = 1024


class Timers:
    def __init__(self, dut):
        self.dut = dut
        self.clk_ns = int(hdl_param("CLK_PERIOD_PS", 10000)) / 1000
        self.fires: list[float] = []

    @classmethod
    async def create(cls, dut) -> "Timers":
        t = cls(dut)
        for name in ("ev", "now", "flush", "pkt_dly", "abs_dly"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        Clock(dut.clk, t.clk_ns, unit="ns").start(start_high=False)
        await ClockCycles(dut.clk, 4)
        dut.rst.value = 0
        cocotb.start_soon(t._watch())
        return t

    async def _watch(self):
        while True:
            await RisingEdge(self.dut.fire)
            self.fires.append(get_sim_time("ns"))

    async def pulse(self, name: str) -> float:
        """One-cycle pulse on `name`; returns the time of the edge that samples it."""
        getattr(self.dut, name).value = 1
        await RisingEdge(self.dut.clk)
        t = get_sim_time("ns")
        getattr(self.dut, name).value = 0
        return t

    async def wait_us(self, us: float) -> None:
        await ClockCycles(self.dut.clk, int(us * 1000 / self.clk_ns))

    def after(self, t0: float) -> list[float]:
        return [f - t0 for f in self.fires if f >= t0]

    def check(self, t0: float, units: int, what: str) -> None:
        got = self.after(t0)
        assert got, f"{what}: no TXDW"
        lo = units * UNIT_NS                     # on the first edge at or after the delay
        assert lo <= got[0] < lo + self.clk_ns, f"{what}: TXDW {got[0]} ns after, want {units} x 1.024 us"


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
