"""Interrupt moderation through `ethtool -C` (tb/harness/ethtool.py, the driver's set_coalesce), measured
in simulated time at the interrupt line (tb/harness/irq.py's pending times): rx-usecs is ITR, the least
time between two assertions (e1000: ITR = 10^9 / (10^6/usecs * 256)); tx-usecs and tx-usecs-high
are TIDV and TADV, which delay TXDW after a write-back of a descriptor with CMD.IDE (the driver
sets IDE while tx-usecs is not 0, as e1000_configure_tx does).

The timers count a free-running tick (rtl/ringnic_tick.v, as the 8254x's 1.024 us and 256 ns
clocks), so a delay of n units ends between n - 1 and n units after it starts: the checks allow
exactly that unit, plus WB_NS for where the delay starts against what the test sees. ethtool's
microseconds become units rounded to the nearest (tx-usecs-high 30 is TADV 29: 29.7 us), so the
expected delays are taken from the registers the driver programmed, not from the microseconds.
The TX delays are taken from the time the frame is complete on the wire: the engine writes the
descriptor back once the frame is wholly read, a few tens of ns before that.
"""

from __future__ import annotations

from cocotb.triggers import Timer

from tb.harness.board import checked_test
from tb.harness.ethtool import ethtool
from tb.harness.traffic import delivered, rx_frame, tx_frame, until, up, wire

UNIT_NS = 1024          # TIDV/TADV/RDTR/RADV unit
ITR_NS = 256            # ITR unit
SLACK_NS = 1_500        # ITR: the flood's 5 us spacing aside, the line to the GIC
WB_NS = 200             # TX: the write-back before the frame's end on the wire, and the line


def within_unit(d: float, units: int) -> bool:
    """A delay of `units` x 1.024 us ending on the tick: (units - 1, units] units, WB_NS either way."""
    return (units - 1) * UNIT_NS - WB_NS < d <= units * UNIT_NS + WB_NS


async def quiet(b) -> int:
    """Let the link-up interrupt come and go; the index of the next interrupt entry."""
    await Timer(40, "us")
    return len(b.irq_line.entries)


async def rx_flood(b, first: int, n: int, every_us: int) -> list[float]:
    """`n` frames from the wire, one every `every_us`, until all are delivered; the pending
    times of the interrupts meanwhile."""
    start = len(b.irq_line.entries)
    for i in range(first, first + n):
        await wire(b, [rx_frame(i, 60)])
        await Timer(every_us, "us")
    await delivered(b, first + n)
    return [p for p, _ in list(b.irq_line.entries)[start:]]


def gaps(times: list[float]) -> list[float]:
    return [y - x for x, y in zip(times, times[1:])]


@checked_test()
async def test_intr_delay_ethtool_rx_usecs_spaces_interrupts(dut):
    """`ethtool -C eth0 rx-usecs 100` (ITR 390, 99.84 us) under a frame every 5 us with RDTR 0:
    interrupts 99.84 us apart (less a 256 ns unit: the window starts between two ticks) and every
    frame delivered; rx-usecs 0 (ITR 0) gives an interrupt per few frames again."""
    b, eth0, adapter = await up(dut, RxIntDelay=0, RxAbsIntDelay=0)
    await quiet(b)
    await ethtool("-C eth0 rx-usecs 100")
    win = 390 * ITR_NS
    times = await rx_flood(b, 0, 60, 5)
    dut._log.info("ITR 390: %d interrupts for 60 frames, %s ns apart", len(times), gaps(times))
    assert len(times) >= 2, f"{len(times)} interrupt(s) for a 300 us flood"
    for g in gaps(times):
        assert win - ITR_NS < g < win + 5_000 + SLACK_NS, f"ITR 390: interrupts {gaps(times)} ns apart"

    await ethtool("-C eth0 rx-usecs 0")
    times = await rx_flood(b, 60, 20, 5)
    dut._log.info("ITR 0: %d interrupts for 20 frames", len(times))
    assert len(times) >= 10 and min(gaps(times)) < 20_000, f"ITR 0: interrupts {gaps(times)} ns apart"


async def tx_irq_delays(b, eth0, sends: int, every_us: int) -> tuple[float, float]:
    """`sends` frames `every_us` apart; (first frame on the wire, last frame on the wire) to the
    TXDW interrupt that reclaims them."""
    n = len(b.irq_line.entries)
    wire_ns = []
    for i in range(sends):
        await b.send(eth0, [tx_frame(i, 60)])
        await b.wire_frames(1)
        wire_ns.append(b.tb.now_ns())
        if i < sends - 1:
            await Timer(every_us, "us")
    await until(lambda: len(b.irq_line.entries) > n, "the TXDW interrupt", 200_000)
    irq = b.irq_line.entries[n][0]
    return irq - wire_ns[0], irq - wire_ns[-1]


@checked_test()
async def test_intr_delay_ethtool_tx_usecs_tidv_tadv(dut):
    """tx-usecs 20 (TIDV 20, IDE on): TXDW 20 units (20.48 us) after a lone frame; tx-usecs-high 30
    (TADV 29: 30 us is 29.3 units, rounded) with a frame every 8 us: 29 units (29.70 us) after the
    first; tx-usecs 0 (IDE off): at once."""
    b, eth0, adapter = await up(dut)
    await quiet(b)
    await ethtool("-C eth0 tx-usecs 20 tx-usecs-high 0")
    tidv = adapter.tx_int_delay
    assert tidv == 20, f"tx-usecs 20: TIDV {tidv}"
    _, last = await tx_irq_delays(b, eth0, 1, 0)
    dut._log.info("TIDV %d: TXDW %d ns after the frame", tidv, last)
    assert within_unit(last, tidv), f"TIDV {tidv}: TXDW {last} ns after the frame"

    await Timer(40, "us")
    await ethtool("-C eth0 tx-usecs 20 tx-usecs-high 30")
    tadv = adapter.tx_abs_int_delay
    assert tadv == 29, f"tx-usecs-high 30: TADV {tadv} (30,000 / 1,024 rounded)"
    first, last = await tx_irq_delays(b, eth0, 5, 8)
    dut._log.info("TADV %d: TXDW %d ns after the first frame, %d after the last", tadv, first, last)
    assert within_unit(first, tadv), f"TADV {tadv}: TXDW {first} ns after the first"

    await Timer(60, "us")
    await ethtool("-C eth0 tx-usecs 0 tx-usecs-high 0")
    _, last = await tx_irq_delays(b, eth0, 1, 0)
    dut._log.info("IDE clear: TXDW %d ns after the frame", last)
    assert last < WB_NS, f"IDE clear: TXDW {last} ns after the frame"
    await until(lambda: adapter.tx_ring.next_to_clean == adapter.tx_ring.next_to_use, "TX reclaim")
