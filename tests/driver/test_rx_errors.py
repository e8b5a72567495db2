"""NAPI RX, errors and bad input, end to end (wire -> RTL -> driver -> stack): every frame on the
wire is delivered intact and in order, or counted in exactly one drop/error statistic of
dev_get_stats (Linux e1000_main.c: e1000_update_stats' mapping), and the two add up.

Bad input through the register interface is a rogue CPU write the test makes (the driver never
does it); a bad DMA address is a descriptor the test corrupts in host memory, with the fence
answering SLVERR. Each must stop the ring with RXE and its RNRXERR code, the driver's reset task
must bring the ring back, and later frames must arrive; @checked_test proves nothing was written
outside a mapped buffer.
"""

import random

from cocotb.triggers import Timer

from pydriver.kernel.barrier import wmb
from pydriver.kernel.interrupt import disable_irq, enable_irq
from pydriver.kernel.mm import cpu_write_u64
from pydriver.kernel.netdev_queue import dev_get_stats
from pydriver.ringnic import regs
from tb.harness.ethtool import stats as ethtool_stats
from tb.harness.board import checked_test
from tb.harness.traffic import delivered, rx_frame, until, up, wire, wire_idle


# ------------------------------------------------------------------ helpers
async def stats(b, adapter):
    """dev_get_stats once the wire is idle and the NIC has settled, after `ethtool -S` (which
    folds the NIC's counters, as e1000_get_ethtool_stats does)."""
    await wire_idle(b)
    await Timer(10, "us")
    await ethtool_stats(adapter.netdev)
    return dev_get_stats(adapter.netdev)


def spy_mmio(b) -> list:
    """Record every (op, offset, value, ns) on the CPU's AXI-Lite port: the ICR values the
    interrupt handler read (read-to-clear, so the test cannot read them itself) and CTRL writes."""
    log, tb = [], b.tb
    read32, write32 = tb.read32, tb.write32

    async def rd(offset):
        v = await read32(offset)
        log.append(("r", offset, v, tb.now_ns()))
        return v

    async def wr(offset, value):
        log.append(("w", offset, value, tb.now_ns()))
        await write32(offset, value)

    tb.read32, tb.write32 = rd, wr
    return log


async def rxerr_now(b, timeout_ns: int = 20_000) -> int:
    """RNRXERR once set, read back to back: the driver's reset task clears it (CTRL.RST) soon after."""
    t0 = b.tb.now_ns()
    while b.tb.now_ns() - t0 < timeout_ns:
        v = await b.tb.read32(regs.RNRXERR)
        if v:
            return v
    raise AssertionError(f"RNRXERR still 0 after {timeout_ns} ns")


async def recovered(b, adapter, log, t_err: float) -> None:
    """The handler saw RXE, counted it, the reset task reset the NIC and the link came back."""
    ndev = adapter.netdev
    await until(lambda: adapter.engine_errors == 1, "the RXE interrupt")
    assert any(op == "r" and off == regs.ICR and v & regs.ICR_RXE and t >= t_err for op, off, v, t in log), \
        "no ICR read with RXE"
    await until(lambda: any(op == "w" and off == regs.CTRL and v & regs.CTRL_RST and t >= t_err
                            for op, off, v, t in log), "CTRL.RST from the reset task")
    ups = ndev.carrier_up_count
    await until(lambda: ndev.carrier_up_count > ups and not adapter.down, "the link back after the reset")
    assert await b.tb.read32(regs.RNRXERR) == 0
    assert await b.tb.read32(regs.RNTXERR) == 0, "a TX error: the reset was not for RX"


def rxerr(code: int, idx: int) -> int:
    return (idx << regs.RNRXERR_IDX_SHIFT) | code


# ------------------------------------------------------------------ frame errors on the wire
@checked_test()
async def test_rx_crc_error_counted_not_delivered(dut):
    """A bad FCS between two good frames: dropped by the NIC, rx_crc_errors 1 and in rx_errors;
    the good ones delivered in order."""
    b, ndev, adapter = await up(dut)
    good = [rx_frame(1), rx_frame(2)]
    await wire(b, good[:1])
    await wire(b, [rx_frame(3)], bad_fcs=True)
    await wire(b, good[1:])
    assert await delivered(b, 2) == good
    st = await stats(b, adapter)
    assert b.received == good
    assert (st.rx_crc_errors, st.rx_errors, st.rx_length_errors, st.rx_frame_errors) == (1, 1, 0, 0)
    assert (st.rx_packets, st.rx_missed_errors, st.rx_dropped) == (2, 0, 0)
    assert (await ethtool_stats(adapter.netdev))["rx_crc_errors"] == 1


@checked_test()
async def test_rx_phy_error_counted_once(dut):
    """tuser on the last beat (RX_ER): RXERRC, which e1000_update_stats folds into rx_errors only
    (rx_frame_errors is ALGNERRC); not delivered."""
    b, ndev, adapter = await up(dut)
    good = [rx_frame(1), rx_frame(2)]
    await wire(b, good[:1])
    await wire(b, [rx_frame(3)], phy_error=True)
    await wire(b, good[1:])
    assert await delivered(b, 2) == good
    st = await stats(b, adapter)
    assert b.received == good and adapter.hw_stats["RXERRC"] == 1
    assert (st.rx_errors, st.rx_crc_errors, st.rx_frame_errors, st.rx_length_errors) == (1, 0, 0, 0)
    assert (st.rx_packets, st.rx_missed_errors, st.rx_dropped) == (2, 0, 0)


@checked_test()
async def test_rx_runt_and_overlong_are_length_errors(dut):
    """A 40-byte frame (44 with FCS, not padded) is a runt (RUC); 1600 bytes with LPE off is
    over-long (ROC): both rx_length_errors, in rx_errors, neither delivered."""
    b, ndev, adapter = await up(dut)
    assert not adapter.rctl & regs.RCTL_LPE
    good = [rx_frame(1), rx_frame(2), rx_frame(3)]
    await wire(b, good[:1])
    await wire(b, [rx_frame(4, 60)[:40]])
    await wire(b, good[1:2])
    await wire(b, [rx_frame(5, 1600)])
    await wire(b, good[2:])
    assert await delivered(b, 3) == good
    st = await stats(b, adapter)
    assert b.received == good
    assert (st.rx_length_errors, st.rx_errors, st.rx_crc_errors) == (2, 2, 0)
    es = await ethtool_stats(adapter.netdev)
    assert (es["rx_short_length_errors"], es["rx_long_length_errors"]) == (1, 1)


@checked_test()
async def test_rx_mixed_errors_add_up(dut):
    """40 frames, good and bad (FCS, PHY error, runt, over-long) in an order fixed by a seed:
    exactly the good ones delivered, in order, and delivered + each error counter == sent."""
    b, ndev, adapter = await up(dut)
    rng = random.Random(20240611)
    kinds = ["good"] * 20 + ["fcs"] * 5 + ["phy"] * 5 + ["runt"] * 5 + ["long"] * 5
    rng.shuffle(kinds)
    good = []
    for i, kind in enumerate(kinds):
        f = rx_frame(i, rng.randrange(60, 1515) if kind in ("good", "fcs", "phy") else 1600)
        if kind == "runt":
            f = f[:rng.randrange(14, 60)]
        await wire(b, [f], bad_fcs=kind == "fcs", phy_error=kind == "phy")
        if kind == "good":
            good.append(f)
    assert await delivered(b, len(good)) == good
    st = await stats(b, adapter)
    assert b.received == good
    n = {k: kinds.count(k) for k in set(kinds)}
    assert st.rx_crc_errors == n["fcs"] and adapter.hw_stats["RXERRC"] == n["phy"]
    assert st.rx_length_errors == n["runt"] + n["long"]
    assert st.rx_errors == n["fcs"] + n["phy"] + n["runt"] + n["long"]
    assert st.rx_packets + st.rx_errors + st.rx_missed_errors + st.rx_dropped == len(kinds)


# ------------------------------------------------------------------ bad input through the registers
@checked_test()
async def test_rx_rogue_rdt_beyond_ring(dut):
    """A rogue RDT write past the ring's end: RXE with BAD_TAIL (IDX = the value written), the
    driver's reset task reinitialises the ring, frames before and after all delivered."""
    b, ndev, adapter = await up(dut)
    log = spy_mmio(b)
    before, after = [rx_frame(i) for i in range(3)], [rx_frame(10 + i) for i in range(3)]
    await wire(b, before)
    assert await delivered(b, 3) == before
    t_err = b.tb.now_ns()
    await b.tb.write32(regs.RDT, adapter.rx_ring.count + 44)
    assert await rxerr_now(b) == rxerr(regs.RNRXERR_CODE_BAD_TAIL, adapter.rx_ring.count + 44)
    await recovered(b, adapter, log, t_err)
    await wire(b, after)
    assert await delivered(b, 6) == before + after
    st = await stats(b, adapter)
    assert (st.rx_packets, st.rx_errors, st.rx_missed_errors, st.rx_dropped) == (6, 0, 0, 0)


@checked_test()
async def test_rx_rogue_rctl_reserved_bsize(dut):
    """A rogue RCTL write with BSEX and BSIZE 0 (a reserved buffer size): RXE with BAD_BSIZE
    (IDX = RDH), reset, frames before and after all delivered."""
    b, ndev, adapter = await up(dut)
    log = spy_mmio(b)
    before, after = [rx_frame(i) for i in range(3)], [rx_frame(10 + i) for i in range(3)]
    await wire(b, before)
    assert await delivered(b, 3) == before
    rdh = await b.tb.read32(regs.RDH)
    t_err = b.tb.now_ns()
    await b.tb.write32(regs.RCTL, (adapter.rctl | regs.RCTL_EN | regs.RCTL_BSEX) & ~regs.RCTL_BSIZE)
    assert await rxerr_now(b) == rxerr(regs.RNRXERR_CODE_BAD_BSIZE, rdh)
    await recovered(b, adapter, log, t_err)
    assert await b.tb.read32(regs.RCTL) == adapter.rctl | regs.RCTL_EN, "the reset restored RCTL"
    await wire(b, after)
    assert await delivered(b, 6) == before + after
    st = await stats(b, adapter)
    assert (st.rx_packets, st.rx_errors, st.rx_missed_errors, st.rx_dropped) == (6, 0, 0, 0)


@checked_test()
async def test_rx_reset_counts_frames_left_on_the_ring(dut):
    """100 frames written back while the CPU holds the interrupt off, then a rogue RDT write: the
    poll takes a budget's worth before the reset task's napi_disable and the reset discards the
    rest. Each frame is delivered, in order, or counted in rx_dropped; the two add up."""
    b, ndev, adapter = await up(dut)
    log = spy_mmio(b)
    await disable_irq(ndev.irq)
    frames = [rx_frame(i, 60) for i in range(100)]
    await wire(b, frames)
    await wire_idle(b)
    for _ in range(100):  # every frame written back (RDH moves after the write-back's BRESP)
        if await b.tb.read32(regs.RDH) == len(frames):
            break
        await Timer(1, "us")
    assert await b.tb.read32(regs.RDH) == len(frames)
    t_err = b.tb.now_ns()
    await b.tb.write32(regs.RDT, adapter.rx_ring.count)
    assert await rxerr_now(b) == rxerr(regs.RNRXERR_CODE_BAD_TAIL, adapter.rx_ring.count)
    enable_irq(ndev.irq)
    await recovered(b, adapter, log, t_err)
    after = [rx_frame(200 + i) for i in range(3)]
    await wire(b, after)
    await until(lambda: b.received[-3:] == after, "the frames sent after the reset")
    st = await stats(b, adapter)
    got = b.received[:-3]
    assert got == frames[:len(got)], "delivered out of order or altered"
    assert (st.rx_missed_errors, st.rx_errors) == (0, 0)
    assert len(got) + st.rx_dropped == len(frames), f"{len(got)} delivered + {st.rx_dropped} dropped"


# ------------------------------------------------------------------ an AXI error on a payload write
@checked_test()
async def test_rx_payload_write_slverr(dut):
    """A driver bug corrupts descriptor K's buffer address after writing it, before the NIC
    fetches it; the fence answers SLVERR for a write outside any mapping. RXE with DATA_WRITE
    (IDX = K), the faults are the bursts at the bad address only, frames before K delivered,
    frame K missed, and after the reset new frames arrive."""
    b, ndev, adapter = await up(dut)
    b.hostmem.fault_policy = "abort"  # no SMMU on the Zynq; here the fence answers SLVERR
    log = spy_mmio(b)
    ring = adapter.rx_ring
    k = ring.next_to_clean + 20  # past the two prefetch bursts (16 descriptors) fetched at ifup
    bad = 0x1F000000  # DRAM nothing is mapped at
    cpu_write_u64(ring.desc_addr(k), bad)  # the driver's store to its coherent ring...
    wmb()  # ...and out of the write buffer
    frames = [rx_frame(i, 64) for i in range(k + 1)]
    t_err = b.tb.now_ns()
    await wire(b, frames)
    assert await rxerr_now(b, timeout_ns=100_000) == rxerr(regs.RNRXERR_CODE_DATA_WRITE, k)
    await recovered(b, adapter, log, t_err)
    faults = b.hostmem.take_iommu_faults()
    assert faults and all(f.direction == "write" and bad <= f.addr < bad + adapter.rx_buffer_len
                          for f in faults), [str(f) for f in faults]
    assert b.received == frames[:k]
    after = [rx_frame(100 + i) for i in range(3)]
    await wire(b, after)
    assert await delivered(b, k + 3) == frames[:k] + after
    st = await stats(b, adapter)
    assert (st.rx_packets, st.rx_missed_errors, st.rx_errors, st.rx_dropped) == (k + 3, 1, 0, 0)
