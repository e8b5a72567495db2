"""Driver path 4, NAPI RX: frames from the wire reach the stack through the interrupt handler and
the NAPI poll, intact and in order, or are counted in exactly one drop statistic.

The wire side is cocotbext-axi's stream source with scapy frames (FCS appended); the driver runs
for real: IRQ handler masks and schedules, the poll drains up to its budget, refills, unmasks
only when napi_complete_done says so. The stack costs the CPU `stack_rx_ns` per frame
(pydriver/kernel/netif_rx.py), so a flood outruns it as it would a real CPU.
"""

from cocotb.triggers import Timer

from pydriver.kernel.interrupt import disable_irq, enable_irq
from pydriver.kernel.napi import NAPI_POLL_WEIGHT, napi_is_scheduled
from pydriver.kernel.netdev_queue import dev_get_stats
from pydriver.kernel.netdevice import dev_get_by_name, netdev_priv
from pydriver.ringnic import netdev as ringnic_netdev
from pydriver.ringnic.netdev import update_stats
from pydriver.ringnic.desc import DESC_SIZE, RXD_STAT_DD, RXD_STATUS
from tb.harness.board import checked_test
from tb.harness.irq import DEFAULT_LATENCY_NS
from tb.harness.traffic import burst, delivered, rx_frame, until, up, wire, wire_idle

RDTR_UNIT_NS = 1024


def in_order(sent: list, got: list) -> bool:
    """Every delivered frame is one that was sent, intact, and they came in the order sent."""
    index = {f: i for i, f in enumerate(sent)}
    order = [index.get(f, -1) for f in got]
    return -1 not in order and order == sorted(order)


@checked_test()
async def test_napi_rx_one_frame(dut):
    """One frame: an interrupt, a poll, the frame at the stack without its FCS, counted."""
    b, ndev, adapter = await up(dut)
    f = rx_frame(1)
    await wire(b, [f])
    assert await delivered(b, 1) == [f]
    await update_stats(adapter)
    st = dev_get_stats(ndev)
    assert (st.rx_packets, st.rx_bytes) == (1, len(f))
    assert adapter.hw_stats["GPRC"] == 1 and adapter.hw_stats["GORC"] == len(f) + 4
    assert adapter.interrupts >= 1 and adapter.napi.stats.completions >= 1


@checked_test()
async def test_napi_rx_burst_in_order(dut):
    """100 frames of assorted sizes arrive in order and intact; fewer interrupts than frames."""
    b, ndev, adapter = await up(dut)
    frames = [rx_frame(i, 60 + 13 * i) for i in range(100)]
    await wire(b, frames)
    assert await delivered(b, 100) == frames
    assert adapter.interrupts < 100


@checked_test()
async def test_napi_rx_flood_longer_than_the_ring(dut):
    """The CPU holds the interrupt off while 1200 frames arrive: the NIC fills its 255 free
    descriptors and its FIFO, then drops in the adapter (MPC/RNBC, RXO). Afterwards the poll
    drains it all, 64 at a time, repolling without unmasking; every frame is delivered intact
    and in order or counted as missed, and the two add up."""
    b, ndev, adapter = await up(dut)
    await disable_irq(ndev.irq)
    frames = [rx_frame(i, 60) for i in range(1200)]
    await wire(b, frames)
    await wire_idle(b)
    await Timer(2, "us")
    irqs_before = adapter.interrupts
    enable_irq(ndev.irq)
    await until(lambda: len(b.received) > 250 and not napi_is_scheduled(adapter.napi), "the ring drained", 2_000_000)
    await update_stats(adapter)
    got, missed = list(b.received), adapter.hw_stats["MPC"]
    assert missed > 0 and adapter.hw_stats["RNBC"] == missed, "the flood never overran the ring"
    assert len(got) + missed == len(frames), f"{len(got)} delivered + {missed} missed != {len(frames)}"
    assert in_order(frames, got), "frames reordered or corrupted"
    assert dev_get_stats(ndev).rx_missed_errors == missed
    assert adapter.rx_over_errors >= 1, "RXO never reached the handler"
    assert adapter.napi.stats.budget_exhausted >= 3, "the poll never used its whole budget"
    # Masked while the poll has work: one interrupt for the whole backlog.
    assert adapter.interrupts - irqs_before == 1, "interrupts while the poll had work"


@checked_test()
async def test_napi_rx_budget_exhausted_repolls_masked(dut):
    """napi_weight=16 and 200 frames waiting: the poll returns its whole budget 12 times and is
    repolled each time without an interrupt (the device stays masked), then completes with 8;
    the frames arrive in order; the one interrupt is the one that started it."""
    b, ndev, adapter = await up(dut, napi_weight=16)
    await disable_irq(ndev.irq)
    frames = [rx_frame(i, 100) for i in range(200)]
    await wire(b, frames)
    await wire_idle(b)
    await Timer(2, "us")
    napi, line = adapter.napi, b.irq_line
    polls, deliveries, rx = napi.stats.polls, line.deliveries, napi.stats.rx
    enable_irq(ndev.irq)
    await delivered(b, 200, 1_000_000)
    await until(lambda: napi.stats.completions > 0 and not napi_is_scheduled(napi), "napi_complete_done")
    assert b.received == frames
    assert napi.stats.polls - polls == 13 and napi.stats.budget_exhausted == 12
    assert line.deliveries - deliveries == 1, "an interrupt was taken while the poll had work"
    assert napi.stats.rx - rx == 200


async def frame_in_the_unmask_window(b, adapter, wait_ns: int) -> dict:
    """A frame, then a second one that lands (fully written back) while the poll that delivered
    the first has completed and is about to unmask. Returns when the unmask happened."""
    ring, line = adapter.rx_ring, b.irq_line
    real_irq_enable = ringnic_netdev.irq_enable
    race = {}

    async def irq_enable_after_a_frame(a):
        if "unmask_ns" not in race and a.napi.in_poll and b.received:
            # The poll has seen no DD and completed; now the frame lands, written back in full.
            status = ring.dma + ring.next_to_clean * DESC_SIZE + RXD_STATUS  # in DRAM, as the NIC writes it
            await wire(b, [late])
            await until(lambda: b.hostmem.dram.read(status, 1)[0] & RXD_STAT_DD, "the late write-back")
            race["unmask_ns"], race["deliveries"] = b.tb.now_ns(), line.deliveries
        await real_irq_enable(a)

    ringnic_netdev.irq_enable = irq_enable_after_a_frame
    try:
        first, late = rx_frame(1), rx_frame(2)
        await wire(b, [first])
        await until(lambda: len(b.received) == 2 or "unmask_ns" in race and b.tb.now_ns() > race["unmask_ns"] + wait_ns,
                    "the race", 2 * wait_ns)
    finally:
        ringnic_netdev.irq_enable = real_irq_enable
    race["frames"] = [first, late]
    return race


@checked_test()
async def test_napi_rx_lost_wakeup_race(dut):
    """N7: a frame lands after the poll's last DD check and before the IMS write that unmasks.
    The NIC latched RXT0 while masked, so the unmask itself raises the line: the frame is at the
    stack within one interrupt latency (plus the poll), not when some later event comes."""
    b, ndev, adapter = await up(dut)
    line = b.irq_line
    race = await frame_in_the_unmask_window(b, adapter, 50_000)
    assert b.received == race["frames"]
    pending_ns, entry_ns = line.entries[race["deliveries"]]
    assert pending_ns - race["unmask_ns"] < 200, "the unmask did not raise the line at once"
    assert entry_ns - pending_ns == DEFAULT_LATENCY_NS
    assert b.tb.now_ns() - race["unmask_ns"] < DEFAULT_LATENCY_NS + 5_000


@checked_test()
async def test_napi_rx_lost_wakeup_caught(dut):
    """The same race with a driver that clears ICR before unmasking ("stale causes"): the cause
    latched while masked is thrown away and the frame sits in the ring, owned by nobody, until
    some later event. The race test above would fail on this driver."""
    b, ndev, adapter = await up(dut, bugs={"clear_icr_on_unmask"})
    race = await frame_in_the_unmask_window(b, adapter, 50_000)
    assert b.received == race["frames"][:1], "the late frame was delivered although its cause was cleared"
    ring = adapter.rx_ring
    assert b.hostmem.dram.read(ring.dma + ring.next_to_clean * DESC_SIZE + RXD_STATUS, 1)[0] & RXD_STAT_DD
    await wire(b, [rx_frame(3)])  # the next event picks it up
    assert await delivered(b, 3) == race["frames"] + [rx_frame(3)]


@checked_test()
async def test_napi_rx_moderation_rdtr_radv(dut):
    """`modprobe ringnic RxIntDelay=20 RxAbsIntDelay=30`: a lone frame interrupts 20 x 1.024 us
    after it is written back; frames every 10 us keep restarting RDTR, so RADV fires 30 x 1.024
    us after the first of them. The timers count the free-running 1.024 us tick (rtl/ringnic_tick.v,
    as the 8254x), so n units end between n - 1 and n units after the write-back, which comes
    under 1 us after the frame's end on the wire."""
    b, ndev, adapter = await up(dut, RxIntDelay=20, RxAbsIntDelay=30)
    line = b.irq_line
    await Timer(40, "us")  # the link-up interrupt has come and gone
    n = len(line.entries)

    await wire(b, [rx_frame(1, 60)])
    await wire_idle(b)
    t0 = b.tb.now_ns()
    await delivered(b, 1, 100_000)
    delay = line.entries[n][0] - t0
    assert 19 * RDTR_UNIT_NS < delay < 20 * RDTR_UNIT_NS + 1_000, f"RDTR: interrupt {delay} ns after the frame"

    await Timer(40, "us")
    n = len(line.entries)
    await wire(b, [rx_frame(2, 60)])
    await wire_idle(b)
    t0 = b.tb.now_ns()
    for i in range(3, 7):
        await Timer(10, "us")
        await wire(b, [rx_frame(i, 60)])
    await delivered(b, 6, 200_000)
    delay = line.entries[n][0] - t0
    assert 29 * RDTR_UNIT_NS < delay < 30 * RDTR_UNIT_NS + 1_000, f"RADV: interrupt {delay} ns after the first frame"


@checked_test()
async def test_napi_rx_mitigation_10000_frames(dut):
    """The measurement NAPI exists for: 10,000 64-byte frames back to back, once with NAPI and
    once with the pre-NAPI driver (`modprobe ringnic napi=0`: every frame handled in the
    interrupt handler, queued with netif_rx). With NAPI the flood costs a handful of interrupts
    and the excess is dropped in the adapter (MPC) before the host spends anything on it; without,
    the CPU takes an interrupt every few frames and drops in the backlog after the DMA, the
    interrupt and the skb were paid for. Every frame is delivered or counted, in both."""
    frames = [rx_frame(i, 60) for i in range(10_000)]
    b, ndev, adapter = await up(dut)
    on = await burst(b, adapter, frames)
    assert in_order(frames, b.received), "frames reordered or corrupted"
    await b.rmmod()
    assert await b.modprobe(napi=0) == 0
    await b.ifup()
    adapter = netdev_priv(dev_get_by_name("eth0"))
    off = await burst(b, adapter, frames)
    assert in_order(frames, b.received), "frames reordered or corrupted"
    dut._log.info("NAPI on: %s; NAPI off: %s", on, off)
    for r in (on, off):
        assert r["delivered"] + r["missed"] + r["backlog_dropped"] == len(frames), r
    assert on["backlog_dropped"] == 0 and off["missed"] < on["missed"]
    assert on["interrupts"] * NAPI_POLL_WEIGHT <= off["interrupts"], f"NAPI on {on} vs off {off}"
