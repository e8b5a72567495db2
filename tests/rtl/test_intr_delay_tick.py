"""The interrupt timers' time base alone (`ringnic_tick`, rtl/ringnic_tick.v): a free-running 256 ns
tick (ITR's unit) and every fourth of it a 1.024 us tick (RDTR/RADV/TIDV/TADV's), from any clock
period without a multiplier. At 100 MHz 256 ns is 25.6 clocks: tick k must come on the first edge
at or after k x 256 ns (25 or 26 clocks apart, exactly 256 ns on average); at 125 MHz every 32
clocks. Both builds run every test.
"""

from __future__ import annotations

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotb.utils import get_sim_time

from tb.blocks.tick import edges
from tb.tools.runner import hdl_param

HDL_TOPLEVEL = "ringnic_tick"
HDL_PARAMETER_SETS = {"clk10ns": {"CLK_PERIOD_PS": 10000}, "clk8ns": {"CLK_PERIOD_PS": 8000}}

N = 40      # 256 ns ticks observed: 10.24 us


async def sampled_edges(dut, sig, start: float, clk_ns: float, n: int) -> list[int]:
    """Edges (counted from 1 after `start`) that sample the next `n` pulses of `sig`."""
    out = []
    while len(out) < n:
        await RisingEdge(sig)               # combinational: settled, the next edge takes it
        await ReadOnly()
        if not int(sig.value):
            continue
        await RisingEdge(dut.clk)
        out.append(round((get_sim_time("ns") - start) / clk_ns))
    return out


@cocotb.test()
async def test_intr_delay_tick_256ns_and_1024ns(dut):
    """From reset, tick_256ns on the first edge at or after each k x 256 ns, tick_1024ns on every
    fourth of those and on no other edge."""
    clk_ps = int(hdl_param("CLK_PERIOD_PS", 10000))
    clk_ns = clk_ps / 1000
    dut.rst.value = 1
    Clock(dut.clk, clk_ns, unit="ns").start(start_high=False)
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    start = get_sim_time("ns")              # edge 0: the next edge is the first without reset
    fast = cocotb.start_soon(sampled_edges(dut, dut.tick_256ns, start, clk_ns, N))
    slow = cocotb.start_soon(sampled_edges(dut, dut.tick_1024ns, start, clk_ns, N // 4))
    got_fast, got_slow = await fast, await slow
    want = edges(clk_ps, 256000, N)
    assert got_fast == want, f"256 ns ticks on edges {got_fast}, want {want}"
    assert got_slow == want[3::4], f"1.024 us ticks on edges {got_slow}, want {want[3::4]}"
    gaps = {b - a for a, b in zip(want, want[1:])}
    dut._log.info("clock %s ns: 256 ns ticks %s clocks apart, %d ticks in %d clocks", clk_ns, sorted(gaps), N, want[-1])
