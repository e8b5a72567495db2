"""The interrupt timers' tick for a block bench whose toplevel takes it as an input (ringnic_regs'
`itr_tick`, ringnic_rx's `intr_tick`, ringnic_intr_delay's `tick`): in the NIC it comes from
rtl/ringnic_tick.v, here from the same rule. Tick n is on the first clock edge at or after
n x tick_ps from the start, as ringnic_tick's modulo count places it, so the ticks are on average
exactly tick_ps apart. One wake-up per tick (every 25 or 26 clocks for 256 ns at 10 ns), only in the
timer tests that start it.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb.utils import get_sim_time


def edges(clk_ps: int, tick_ps: int, n: int) -> list[int]:
    """Clock edges, counted from 1 after the start, that carry the first `n` ticks: tick k on the
    first edge at or after k x tick_ps (ringnic_tick's rule)."""
    return [-(-k * tick_ps // clk_ps) for k in range(1, n + 1)]


class Ticks:
    """Drives `sig` with a one-clock tick every tick_ps on average; `times` holds the simulated
    time (ns) of each edge that sampled a tick."""

    def __init__(self, clk, sig, clk_ps: int, tick_ps: int):
        assert 0 < clk_ps <= tick_ps, f"a tick of {tick_ps} ps needs a clock of at most that ({clk_ps} ps)"
        self.clk, self.sig, self.clk_ps, self.tick_ps = clk, sig, clk_ps, tick_ps
        self.times: list[float] = []
        sig.value = 0
        self.task = cocotb.start_soon(self._drive())

    async def _drive(self) -> None:
        edge, k = 0, 0
        while True:
            k += 1
            at = -(-k * self.tick_ps // self.clk_ps)
            if at - edge > 1:
                await ClockCycles(self.clk, at - edge - 1)
            self.sig.value = 1
            await RisingEdge(self.clk)
            self.times.append(get_sim_time("ns"))
            self.sig.value = 0
            edge = at

    def nth_after(self, t: float, n: int) -> float:
        """The time of the n-th tick after t (a tick on t's own edge does not count)."""
        return [x for x in self.times if x > t][n - 1]
