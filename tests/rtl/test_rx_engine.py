"""NAPI RX path, block level: `ringnic_rx` (MAC checks, filter, packet buffer, RX descriptor engine).

The DUT is the RX block alone (HDL_TOPLEVEL below), in the bench of tb/blocks/rx_engine.py: host
memory in a cocotbext-axi `AxiRam` the tests write descriptors into and read payload and
write-backs from (address ranges can answer SLVERR), scapy frames from an `AxiStreamSource`, and a
bus monitor that fails any test on a DMA rule it breaks.
"""

from __future__ import annotations

import random

import cocotb

from pydriver.ringnic import desc, regs
from tb.blocks.rx_engine import (BCAST, BUFS, CLK_NS, MAX_FRAME, OUR_MAC, PB_BEATS, RING, RING_LOG2, RxBench, bench,
                                 make_frame)
from tb.blocks.tick import Ticks
from tb.harness.ethframe import mta_hash

HDL_TOPLEVEL = "ringnic_rx"

# Every test runs at the engine's default payload burst cap (16 beats, an AXI3 port's limit) and
# at AXI4's longest (256, ringnic's default): tests/conftest.py's parameter sets.
HDL_PARAMETER_SETS = {"burst16": {"MAX_BURST_BEATS": 16}, "burst256": {"MAX_BURST_BEATS": 256}}


# =============================================================================== tests
@cocotb.test()
async def test_rx_engine_one_frame(dut):
    """One UDP frame lands byte for byte; length incl. FCS, DD|EOP|IXSM, RDH, RXT0 and counters."""
    tb = await bench(dut)
    await tb.ring(16)
    f = make_frame(98)
    tb.send(f)
    (rx,) = await tb.collect(1, refill=False)
    tb.check_frame(rx, f)
    assert rx.descs[0][:2] == (0, 98)
    await tb.idle()
    assert tb.rdh() == 1
    assert tb.rdh_writes[-1][1] == 1
    assert tb.intr_count(regs.ICR_RXT0) == 1
    assert tb.intr_count(regs.ICR_RXO | regs.ICR_RXE) == 0
    assert tb.stats == dict(tb.stats, gprc=1, tpr=1, mpc=0, crcerrs=0, bprc=0, mprc=0)
    assert tb.gorc == 98 and tb.tor == 98
    assert tb.untouched(BUFS + 98, BUFS + 2048), "bytes past the frame were written"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_many_frames_wrap(dut):
    """60 frames of mixed sizes through a 16-descriptor ring: wrap-around, refill by RDT, order."""
    tb = await bench(dut)
    await tb.ring(16)
    frames = [make_frame(random.Random(i).choice([64, 65, 71, 72, 128, 333, 1000, 1514, 1518]), seed=i)
              for i in range(60)]
    for f in frames:
        tb.send(f)
    got = await tb.collect(len(frames))
    for rx, f in zip(got, frames):
        tb.check_frame(rx, f)
    await tb.idle()
    assert tb.rdh() == 60 % 16
    assert tb.stats["gprc"] == 60 and tb.stats["tpr"] == 60
    assert tb.gorc == sum(map(len, frames))
    await tb.finish()


@cocotb.test()
async def test_rx_engine_chained_odd_alignment(dut):
    """256-byte buffers at every byte alignment, some ending just before 4 KiB: frames chain over
    up to 6 descriptors, EOP on the last, and the payload is exact."""
    tb = await bench(dut)
    n = 32
    bufs = []
    for i in range(n):
        page = BUFS + 0x2000 * i
        # alternate: odd offsets, and buffers straddling the page end
        bufs.append(page + (i % 8) if i % 2 == 0 else page + 0x1000 - 100 - (i % 8))
    await tb.ring(n, bsize=256, bufs=bufs)
    sizes = [64, 255, 256, 257, 300, 511, 512, 513, 1000, 1518, 77, 1200]
    frames = [make_frame(s, seed=i) for i, s in enumerate(sizes)]
    for f in frames:
        tb.send(f)
    got = await tb.collect(len(frames))
    for rx, f in zip(got, frames):
        tb.check_frame(rx, f)
        assert len(rx.descs) == (len(f) + 255) // 256
    await tb.idle()
    for i in range(n):
        lo, hi = tb.buffers[i]
        assert tb.untouched(lo - 16, lo) and tb.untouched(hi, hi + 16), f"bytes next to buffer {i} written"
    crossing = [b for b in tb.aws if not b.wb and (b.addr & 0xFFF) > 0xF00]
    assert crossing, "no buffer near a 4 KiB boundary was exercised"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_jumbo_lpe(dut):
    """RCTL.LPE: a 9018-byte frame in one 16 KiB buffer, a MAX_FRAME frame chained over 2 KiB
    buffers; MAX_FRAME+1 is over-long (ROC) even with LPE."""
    tb = await bench(dut)
    await tb.ring(16, bsize=16384, extra=regs.RCTL_LPE)
    j1 = make_frame(9018, seed=1)
    tb.send(j1)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, j1)
    assert len(rx.descs) == 1
    # 2 KiB buffers: re-program the ring while disabled
    await tb.set_rctl(0)
    await tb.idle()
    await tb.ring(16, bsize=2048, extra=regs.RCTL_LPE)
    j2 = make_frame(MAX_FRAME, seed=2)
    tb.send(j2)
    tb.send(make_frame(MAX_FRAME + 1, seed=3))
    tb.send(make_frame(1600, seed=4))
    got = await tb.collect(2)
    tb.check_frame(got[0], j2)
    assert len(got[0].descs) == 8
    tb.check_frame(got[1], make_frame(1600, seed=4))
    await tb.idle()
    assert tb.stats["roc"] == 1 and tb.stats["gprc"] == 3
    await tb.finish()


@cocotb.test()
async def test_rx_engine_secrc(dut):
    """RCTL.SECRC strips the FCS (length and bytes), also when the FCS sits alone in the last beat
    or alone past a buffer; without SECRC the length includes it."""
    tb = await bench(dut)
    await tb.ring(16, bsize=256)
    sizes = [64, 68, 69, 72, 256, 260, 261, 515]
    frames = [make_frame(s, seed=s) for s in sizes]
    for f in frames:
        tb.send(f)
    for rx, f in zip(await tb.collect(len(frames)), frames):
        tb.check_frame(rx, f)
        assert sum(dl for _, dl, _, _ in rx.descs) == len(f)
    await tb.idle()
    await tb.set_rctl(tb.rctl_bits(256, regs.RCTL_SECRC))
    frames2 = [make_frame(s, seed=s + 1) for s in sizes]
    for f in frames2:
        tb.send(f)
    for rx, f in zip(await tb.collect(len(frames2)), frames2):
        tb.check_frame(rx, f, strip=True)
        assert sum(dl for _, dl, _, _ in rx.descs) == len(f) - 4
        assert len(rx.descs) == (len(f) - 4 + 255) // 256
    await tb.idle()
    assert tb.gorc == sum(map(len, frames + frames2)), "GORC counts the FCS whatever SECRC says"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_crc_error(dut):
    """A bad FCS is dropped and counted in CRCERRS; with RCTL.SBP it is stored with CE (0x01)."""
    tb = await bench(dut)
    await tb.ring(16)
    bad = make_frame(100, bad_fcs=True)
    tb.send(bad)
    tb.send(make_frame(200, seed=1))
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, make_frame(200, seed=1))
    await tb.idle()
    assert tb.stats["crcerrs"] == 1 and tb.stats["gprc"] == 1 and tb.stats["tpr"] == 2
    await tb.set_rctl(tb.rctl_bits(extra=regs.RCTL_SBP))
    tb.send(bad)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, bad, errors=desc.RXD_ERR_CE)
    await tb.idle()
    assert tb.stats["crcerrs"] == 2 and tb.stats["gprc"] == 1, "a stored bad frame is not a good one"
    assert tb.tor == 100 + 200 + 100 and tb.gorc == 200, "TOR counts every frame, GORC good ones"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_tuser(dut):
    """tuser with tlast (PHY error): dropped and counted in RXERRC; with SBP stored with RXE (0x80)."""
    tb = await bench(dut)
    await tb.ring(16)
    f = make_frame(120)
    tb.send(f, tuser=1)
    tb.send(make_frame(80, seed=2))
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, make_frame(80, seed=2))
    await tb.idle()
    assert tb.stats["rxerrc"] == 1 and tb.stats["crcerrs"] == 0 and tb.stats["gprc"] == 1
    await tb.set_rctl(tb.rctl_bits(extra=regs.RCTL_SBP))
    tb.send(f, tuser=1)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, f, errors=desc.RXD_ERR_RXE)
    await tb.idle()
    assert tb.stats["rxerrc"] == 2
    await tb.finish()


@cocotb.test()
async def test_rx_engine_runt(dut):
    """Frames under 64 bytes (FCS included) are dropped and counted in RUC, even with SBP."""
    tb = await bench(dut)
    await tb.ring(16, extra=regs.RCTL_SBP)
    for s in (63, 60, 20, 5):
        tb.send(make_frame(s, seed=s))
    tb.send(make_frame(64, seed=9))
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, make_frame(64, seed=9))
    await tb.idle()
    assert tb.stats["ruc"] == 4 and tb.stats["gprc"] == 1 and tb.stats["tpr"] == 5
    assert tb.rdh() == 1
    await tb.finish()


@cocotb.test()
async def test_rx_engine_oversize(dut):
    """Without LPE, 1522 bytes is the longest frame (VLAN-tagged maximum); 1523 is ROC."""
    tb = await bench(dut)
    await tb.ring(16)
    for s in (1523, 2000, 1522):
        tb.send(make_frame(s, seed=s))
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, make_frame(1522, seed=1522))
    await tb.idle()
    assert tb.stats["roc"] == 2 and tb.stats["gprc"] == 1
    await tb.set_rctl(tb.rctl_bits(extra=regs.RCTL_LPE))
    tb.send(make_frame(2000, seed=3))
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, make_frame(2000, seed=3))
    assert len(rx.descs) == 1
    await tb.idle()
    assert tb.stats["roc"] == 2
    await tb.finish()


@cocotb.test()
async def test_rx_engine_filters(dut):
    """Destination filter: exact RAL0/RAH0 (only when AV), broadcast with/without BAM, UPE, MPE, and
    the MTA hash for every MO (QEMU's bit selection), hit and miss."""
    tb = await bench(dut)
    await tb.ring(64)
    accepted = 0

    async def check(dst: str, expect: bool, why: str):
        nonlocal accepted
        before = tb.stats["tpr"]
        f = make_frame(90, dst=dst, seed=accepted + 100 * before)
        tb.send(f)
        if expect:
            (rx,) = await tb.collect(1)
            tb.check_frame(rx, f)
            accepted += 1
        await tb.idle(quiet=32)
        assert tb.stats["tpr"] == before + 1
        assert tb.stats["gprc"] == accepted, f"{why}: {dst} {'should' if expect else 'should not'} be accepted"

    await check(OUR_MAC, True, "exact match")
    await check("02:0a:35:00:00:02", False, "other unicast")
    tb.dut.mac_valid.value = 0
    await check(OUR_MAC, False, "RAH0.AV clear")
    tb.dut.mac_valid.value = 1
    await check(BCAST, False, "broadcast without BAM")
    await tb.set_rctl(tb.rctl_bits(extra=regs.RCTL_BAM))
    await check(BCAST, True, "broadcast with BAM")
    assert tb.stats["bprc"] == 1
    await tb.set_rctl(tb.rctl_bits(extra=regs.RCTL_UPE))
    await check("02:0a:35:00:00:02", True, "UPE")
    await check("01:00:5e:00:00:01", False, "multicast with UPE only")
    await tb.set_rctl(tb.rctl_bits(extra=regs.RCTL_MPE))
    await check("01:00:5e:00:00:01", True, "MPE")
    await check(BCAST, False, "broadcast with MPE, no BAM")
    assert tb.stats["mprc"] == 1
    mcast = "33:33:00:00:ab:cd"
    for mo in range(4):
        await tb.set_rctl(tb.rctl_bits(extra=mo << regs.RCTL_MO_SHIFT))
        h = mta_hash(mcast, mo)
        tb.mta = [0xFFFFFFFF] * 128                         # every bit but ours: a wrong MO hits
        tb.mta[h >> 5] &= ~(1 << (h & 31))
        await check(mcast, False, f"MTA miss, MO={mo}")
        tb.mta = [0] * 128                                  # only ours: a wrong MO misses
        tb.mta[h >> 5] = 1 << (h & 31)
        await check(mcast, True, f"MTA hit, MO={mo} (bit {h:#05x})")
        others = [m for m in range(4) if mta_hash(mcast, m) != h]
        assert others, "the test address hashes alike for every MO"
    tb.mta = [0xFFFFFFFF] * 128
    await tb.set_rctl(tb.rctl_bits())
    await check("02:0a:35:00:00:02", False, "the MTA does not apply to unicast")
    assert tb.stats["mprc"] == 5
    await tb.finish()


@cocotb.test()
async def test_rx_engine_no_descriptor(dut):
    """No (or too few) free descriptors: the frame is dropped in the adapter, MPC and RNBC +1, RXO,
    host memory untouched; after RDT moves the next frame is written."""
    tb = await bench(dut)
    await tb.ring(16, bsize=256, tail=0)
    tb.send(make_frame(100, seed=1))
    await tb.idle()
    assert tb.stats["mpc"] == 1 and tb.stats["rnbc"] == 1 and tb.intr_count(regs.ICR_RXO) == 1
    assert not tb.aws, "a frame without a descriptor reached host memory"
    assert tb.untouched(BUFS, BUFS + 16 * 2048)
    # 2 descriptors owned, a frame needing 3 (600 bytes / 256): dropped whole
    await tb.set_rdt(2)
    tb.send(make_frame(600, seed=2))
    await tb.idle()
    assert tb.stats["mpc"] == 2 and tb.stats["rnbc"] == 2 and tb.intr_count(regs.ICR_RXO) == 2
    assert not tb.aws and tb.untouched(BUFS, BUFS + 16 * 2048)
    assert tb.rdh() == 0
    # a frame that fits the 2 descriptors is written
    f = make_frame(400, seed=3)
    tb.send(f)
    (rx,) = await tb.collect(1, refill=False)
    tb.check_frame(rx, f)
    await tb.idle()
    assert tb.rdh() == 2 and tb.stats["gprc"] == 1 and tb.stats["tpr"] == 3
    await tb.finish()


@cocotb.test()
async def test_rx_engine_dd_after_payload(dut):
    """Stress the write ordering: slow and bursty AW/W/B from the memory while frames stream in over
    odd-aligned small buffers. The monitor checks every write-back AW against its frame's Bs."""
    tb = await bench(dut)
    rng = random.Random(5)
    tb.ram.write_if.b_channel.set_pause_generator(iter(lambda: rng.random() < 0.6, None))
    tb.ram.write_if.aw_channel.set_pause_generator(iter(lambda: rng.random() < 0.3, None))
    tb.ram.write_if.w_channel.set_pause_generator(iter(lambda: rng.random() < 0.2, None))
    tb.ram.read_if.r_channel.set_pause_generator(iter(lambda: rng.random() < 0.3, None))
    n = 32
    bufs = [BUFS + 0x1000 * i + 0x1000 - 300 + 3 * i for i in range(n)]
    await tb.ring(n, bsize=512, bufs=bufs, base=RING + 0xFA0)      # ring straddles a 4 KiB page
    frames = [make_frame(rng.choice([64, 100, 511, 512, 513, 900, 1518]), seed=i) for i in range(40)]
    for g in range(0, len(frames), 8):                             # 8 frames take at most 24 descriptors
        for f in frames[g:g + 8]:
            tb.send(f)
        for rx, f in zip(await tb.collect(8), frames[g:g + 8]):
            tb.check_frame(rx, f)
    await tb.idle()
    assert tb.stats["mpc"] == 0
    wbs = sum(1 for b in tb.aws if b.wb)
    assert wbs == sum((len(f) + 511) // 512 for f in frames)
    assert any((a & 0xFFF) + 8 * n > 0xF00 for _, a, n in tb.ars), "no descriptor burst near the ring's 4 KiB edge"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_moderation(dut):
    """RXT0 moderation: RDTR=0 immediate; RDTR restarted per frame; RADV bounds it from the first
    frame; RDTR.FPD fires a pending RXT0 at once (and nothing when none is pending). The 1.024 us
    tick is the bench's (tb/blocks/tick.py): a delay of n fires on its n-th tick, between n - 1 and
    n units after the frame (tests/rtl/test_intr_delay_timers.py checks the block to the edge)."""
    tb = await bench(dut)
    Ticks(dut.clk, dut.intr_tick, CLK_NS * 1000, 1024 * 1000)
    await tb.ring(64)
    unit = 1024 // CLK_NS                      # cycles per 1.024 us, rounded down (102)

    async def frame_and_commit(seed):
        tb.send(make_frame(64, seed=seed))
        n = len(tb.rdh_writes)
        while len(tb.rdh_writes) == n:
            await tb.cycles(1)
        return tb.rdh_writes[-1][0]

    # RDTR = 0: RXT0 with the write-back
    c = await frame_and_commit(1)
    await tb.cycles(8)
    (t,) = [x for x in tb.intr_cycles(regs.ICR_RXT0) if x >= c]
    assert t - c <= 2, f"RDTR=0: RXT0 {t - c} cycles after RDH moved"

    # RDTR = 4: 4.096 us after the last frame, restarted by the second frame
    tb.dut.rdtr.value = 4
    c1 = await frame_and_commit(2)
    await tb.cycles(200)
    assert tb.intr_count(regs.ICR_RXT0, since=c1) == 0
    c2 = await frame_and_commit(3)
    await tb.cycles(6 * unit)
    (t,) = [x for x in tb.intr_cycles(regs.ICR_RXT0) if x >= c1]
    delay_ns = (t - c2 - 1) * CLK_NS       # the timer starts a cycle before RDH is seen to move
    assert 3 * 1024 < delay_ns <= 4 * 1024 + CLK_NS, f"RDTR=4: RXT0 {delay_ns} ns after the last frame"

    # RADV = 6 bounds RDTR = 4 with a frame every ~3 us
    tb.dut.radv.value = 6
    start = await frame_and_commit(4)
    for s in range(5, 9):
        await tb.cycles(3 * unit)
        await frame_and_commit(s)
    await tb.cycles(6 * unit)
    hits = [x for x in tb.intr_cycles(regs.ICR_RXT0) if x >= start]
    assert hits, "no RXT0 under RADV"
    delay_ns = (hits[0] - start - 1) * CLK_NS
    assert 5 * 1024 < delay_ns <= 6 * 1024 + CLK_NS, f"RADV=6: first RXT0 {delay_ns} ns after the first frame"

    # FPD: RDTR = 100 (102 us) pending, flushed after 50 cycles
    tb.dut.radv.value = 0
    tb.dut.rdtr.value = 100
    c = await frame_and_commit(10)
    await tb.cycles(50)
    await tb.pulse(rdtr_fpd=1)
    f = tb.cycle
    await tb.cycles(8)
    (t,) = [x for x in tb.intr_cycles(regs.ICR_RXT0) if x >= c]
    assert t - f <= 3, f"FPD: RXT0 {t - f} cycles after the flush"
    n = tb.intr_count(regs.ICR_RXT0)
    await tb.pulse(rdtr_fpd=1)
    await tb.cycles(16)
    assert tb.intr_count(regs.ICR_RXT0) == n, "FPD with nothing pending raised RXT0"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_rxdmt0(dut):
    """RXDMT0 with each frame written back while the free descriptors are at or below RDMTS
    (1/2, 1/4, 1/8 of the ring), as QEMU: free * 16 <= RDLEN >> (RDMTS + 1)."""
    tb = await bench(dut)
    for rdmts, thr in ((0, 8), (1, 4), (2, 2)):
        await tb.set_rctl(0)
        await tb.idle(quiet=16)
        await tb.ring(16, extra=rdmts << regs.RCTL_RDMTS_SHIFT, tail=15)
        for k in range(1, 15):
            since = tb.cycle
            tb.send(make_frame(64, seed=k))
            await tb.collect(1, refill=False)
            await tb.cycles(16)
            free = 15 - k
            got = tb.intr_count(regs.ICR_RXDMT0, since=since)
            assert got == (1 if free <= thr else 0), f"RDMTS={rdmts}: {free} free, RXDMT0 x{got}"
    await tb.finish()


async def expect_stop(tb: RxBench, code: int, idx: int, since: int) -> None:
    await tb.cycles(64)
    assert tb.rxerr() == (code, idx), f"rxerr {tb.rxerr()}, expected ({code}, {idx})"
    assert tb.intr_count(regs.ICR_RXE, since=since) == 1, "RXE not pulsed exactly once"
    assert tb.bus_idle(), "a burst was left unfinished"
    n_aw, n_ar = len(tb.aws), len(tb.ars)
    await tb.cycles(200)
    assert (len(tb.aws), len(tb.ars)) == (n_aw, n_ar), "the stopped ring still uses the bus"


@cocotb.test()
async def test_rx_engine_bad_ring(dut):
    """RDLEN zero, not a multiple of 128, too large: BAD_RING (IDX = RDH), RXE once, no bus access;
    frames meanwhile dropped in MPC; RCTL EN=1 re-checks; a good RDLEN and EN=1 resume."""
    tb = await bench(dut)
    await tb.ring(16, enable=False)
    for rdlen in (0, 16 * 16 + 16, (16 << RING_LOG2) + 128):
        tb.dut.rdlen.value = rdlen
        since = tb.cycle
        await tb.set_rctl(tb.rctl_bits())
        await expect_stop(tb, regs.RNRXERR_CODE_BAD_RING, 0, since)
        mpc = tb.stats["mpc"]
        tb.send(make_frame(64))
        await tb.idle(quiet=32)
        assert tb.stats["mpc"] == mpc + 1 and not tb.aws and not tb.ars
    tb.dut.rdlen.value = 16 * 16
    await tb.set_rctl(tb.rctl_bits())
    await tb.cycles(4)
    assert tb.rxerr() == (0, 0)
    f = make_frame(64, seed=5)
    tb.send(f)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_bad_tail(dut):
    """RDT at or past the ring end: BAD_TAIL with IDX = RDT, at enable and while running; CTRL.RST
    clears it; a reprogrammed ring runs."""
    tb = await bench(dut)
    await tb.ring(16, tail=16, enable=False)
    since = tb.cycle
    await tb.set_rctl(tb.rctl_bits())
    await expect_stop(tb, regs.RNRXERR_CODE_BAD_TAIL, 16, since)
    await tb.set_rdt(5)
    await tb.set_rctl(tb.rctl_bits())                      # re-enable: clears, restarts at RDH
    f = make_frame(64, seed=1)
    tb.send(f)
    (rx,) = await tb.collect(1, refill=False)
    tb.check_frame(rx, f)
    await tb.idle()
    since = tb.cycle
    await tb.set_rdt(100)                                  # bad tail while running
    await expect_stop(tb, regs.RNRXERR_CODE_BAD_TAIL, 100, since)
    await tb.sw_reset()
    await tb.cycles(8)
    assert tb.rxerr() == (0, 0)
    await tb.ring(16)
    tb.send(f)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_bad_bsize(dut):
    """RCTL.BSEX with BSIZE=0 is a reserved size: BAD_BSIZE (IDX = RDH), nothing written."""
    tb = await bench(dut)
    await tb.ring(16, enable=False)
    since = tb.cycle
    await tb.set_rctl(regs.RCTL_EN | regs.RCTL_BSEX)
    await expect_stop(tb, regs.RNRXERR_CODE_BAD_BSIZE, 0, since)
    tb.send(make_frame(64))
    await tb.idle()
    assert tb.stats["mpc"] == 1 and not tb.aws
    tb.bsize = 4096
    for i in range(16):
        tb.set_desc(i, BUFS + 0x2000 * i)
    await tb.set_rctl(tb.rctl_bits(4096, regs.RCTL_LPE))    # clears BAD_BSIZE, restarts
    f = make_frame(3000, seed=2)
    tb.send(f)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_desc_read_error(dut):
    """SLVERR on a descriptor fetch: DESC_READ with that descriptor's index, stop, frames dropped in
    MPC; re-enable resumes at RDH with the error gone."""
    tb = await bench(dut)
    tb.fail_r.append((RING + 16 * 10, RING + 16 * 11))
    since = tb.cycle
    await tb.ring(16)
    await expect_stop(tb, regs.RNRXERR_CODE_DESC_READ, 10, since)
    tb.send(make_frame(64))
    await tb.idle()
    assert tb.stats["mpc"] == 1 and not tb.aws
    tb.fail_r.clear()
    await tb.set_rctl(tb.rctl_bits())
    frames = [make_frame(200, seed=i) for i in range(20)]
    for f in frames:
        tb.send(f)
    for rx, f in zip(await tb.collect(20), frames):
        tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_data_write_error(dut):
    """SLVERR on a payload write: DATA_WRITE with its descriptor, every started burst completes, the
    frame is not written back, RDH stays; re-enable resumes at that descriptor."""
    tb = await bench(dut)
    await tb.ring(16)
    lo, hi = tb.buffers[2]
    tb.fail_w.append((lo + 512, lo + 520))
    frames = [make_frame(1500, seed=i) for i in range(3)]
    since = tb.cycle
    for f in frames:
        tb.send(f)
    got = await tb.collect(2, refill=False)
    for rx, f in zip(got, frames):
        tb.check_frame(rx, f)
    await expect_stop(tb, regs.RNRXERR_CODE_DATA_WRITE, 2, since)
    assert tb.rdh() == 2 and tb.desc(2)[1] == 0, "the failed frame was written back"
    assert tb.stats["mpc"] == 1, "the frame cut off by the stop is not counted as missed"
    tb.send(make_frame(64, seed=9))
    await tb.idle()
    assert tb.stats["mpc"] == 2
    tb.fail_w.clear()
    await tb.set_rctl(tb.rctl_bits())
    f = make_frame(700, seed=7)
    tb.send(f)
    (rx,) = await tb.collect(1)
    assert rx.descs[0][0] == 2
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_wb_write_error(dut):
    """SLVERR on a write-back: WB_WRITE with its descriptor; RDH stays before it; recovery."""
    tb = await bench(dut)
    await tb.ring(16)
    tb.fail_w.append((RING + 16 * 1 + 8, RING + 16 * 2))
    since = tb.cycle
    for i in range(2):
        tb.send(make_frame(300, seed=i))
    (rx,) = await tb.collect(1, refill=False)
    tb.check_frame(rx, make_frame(300, seed=0))
    await expect_stop(tb, regs.RNRXERR_CODE_WB_WRITE, 1, since)
    assert tb.rdh() == 1
    assert tb.stats["mpc"] == 1 and tb.stats["gprc"] == 1, "the frame whose write-back failed is missed"
    tb.fail_w.clear()
    await tb.set_rctl(tb.rctl_bits())
    f = make_frame(64, seed=3)
    tb.send(f)
    (rx,) = await tb.collect(1)
    assert rx.descs[0][0] == 1
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_recover_by_sw_rst(dut):
    """Every error kind (BAD_RING, BAD_TAIL, BAD_BSIZE, DESC_READ, DATA_WRITE, WB_WRITE): code, index,
    RXE once, stopped and silent; CTRL.RST clears RNRXERR and a freshly programmed ring runs."""
    tb = await bench(dut)
    cases = {
        "BAD_RING": (regs.RNRXERR_CODE_BAD_RING, 0),
        "BAD_TAIL": (regs.RNRXERR_CODE_BAD_TAIL, 16),
        "BAD_BSIZE": (regs.RNRXERR_CODE_BAD_BSIZE, 0),
        "DESC_READ": (regs.RNRXERR_CODE_DESC_READ, 3),
        "DATA_WRITE": (regs.RNRXERR_CODE_DATA_WRITE, 0),
        "WB_WRITE": (regs.RNRXERR_CODE_WB_WRITE, 0),
    }
    for k, (name, (code, idx)) in enumerate(cases.items()):
        since = tb.cycle
        if name == "DESC_READ":
            tb.fail_r.append((RING + 16 * 3, RING + 16 * 4))
        if name == "DATA_WRITE":
            tb.fail_w.append((BUFS, BUFS + 8))
        if name == "WB_WRITE":
            tb.fail_w.append((RING + 8, RING + 16))
        await tb.ring(16, enable=False, tail=16 if name == "BAD_TAIL" else None)
        if name == "BAD_RING":
            tb.dut.rdlen.value = 100
        await tb.set_rctl(regs.RCTL_EN | regs.RCTL_BSEX if name == "BAD_BSIZE" else tb.rctl_bits())
        if name in ("DATA_WRITE", "WB_WRITE"):
            tb.send(make_frame(64, seed=k))
        await expect_stop(tb, code, idx, since)
        await tb.sw_reset()
        await tb.cycles(4)
        assert tb.rxerr() == (0, 0), f"{name}: CTRL.RST left RNRXERR set"
        tb.fail_r.clear()
        tb.fail_w.clear()
        await tb.cycles(32)
        (rst_cycle,) = tb.sw_rst_cycles[-1:]
        assert not [c for c, _ in tb.intr if c > rst_cycle], f"{name}: a cause after CTRL.RST"
        await tb.ring(16)
        f = make_frame(100, seed=k)
        tb.send(f)
        (rx,) = await tb.collect(1)
        tb.check_frame(rx, f)
        await tb.idle(quiet=32)
        await tb.set_rctl(0)
        await tb.idle(quiet=32)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_disable(dut):
    """RCTL.EN=0: frames are ignored (not even TPR) and nothing touches the bus; clearing EN under
    traffic completes every started burst, frames still buffered are dropped and counted in
    RNRXOFF (the receiver was off: not MPC, a want of descriptors); EN=1 resumes at RDH."""
    tb = await bench(dut)
    await tb.ring(64, enable=False)
    tb.send(make_frame(200))
    await tb.idle()
    assert tb.stats["tpr"] == 0 and not tb.aws and not tb.ars
    await tb.set_rctl(tb.rctl_bits())
    frames = [make_frame(1518, seed=i) for i in range(8)]
    for f in frames:
        tb.send(f)
    while tb.rx_beats < 4 * 190:               # let some frames in, then switch off
        await tb.cycles(4)
    await tb.set_rctl(0)
    off = tb.cycle
    await tb.idle()
    assert tb.bus_idle()
    late = [b for b in tb.aws if b.aw_start > off + 1]
    assert not late, "bursts started after RCTL.EN was cleared"
    done = tb.rdh()
    got = await tb.collect(done, refill=False) if done else []
    for rx, f in zip(got, frames):
        tb.check_frame(rx, f)
    seen = tb.stats["tpr"]
    # Every frame sent (the first one, while disabled, too) is delivered or counted: RNRXOFF has
    # those the MAC refused with EN clear (not in TPR) and those EN's clearing cut from the buffer.
    assert tb.stats["gprc"] == done and done + tb.stats["mpc"] + tb.stats["rnrxoff"] == 1 + len(frames), \
        f"{seen} frames seen, {done} written back, MPC {tb.stats['mpc']}, RNRXOFF {tb.stats['rnrxoff']}"
    assert seen < len(frames), "EN=0 did not stop reception"
    assert tb.rxerr() == (0, 0) and tb.intr_count(regs.ICR_RXE) == 0
    await tb.set_rctl(tb.rctl_bits())
    f = make_frame(300, seed=99)
    tb.send(f)
    (rx,) = await tb.collect(1)
    assert rx.descs[0][0] == done, "re-enable did not resume at RDH"
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_sw_rst_midframe(dut):
    """CTRL.RST while a jumbo frame is being written: started bursts complete, then nothing: no RDH
    update, no cause, no count; the soft reset clears RNRXERR; a new ring runs."""
    tb = await bench(dut)
    await tb.ring(16, extra=regs.RCTL_LPE)
    rng = random.Random(1)
    tb.ram.write_if.b_channel.set_pause_generator(iter(lambda: rng.random() < 0.5, None))
    for i in range(3):
        tb.send(make_frame(9000, seed=i))
    # 320 payload beats issued (20 bursts at 16 beats, under two at 256): mid-frame at any burst size
    while sum(b.beats for b in tb.aws if not b.wb) < 320:
        await tb.cycles(1)
    await tb.sw_reset()
    await tb.cycles(400)
    tb.ram.write_if.b_channel.clear_pause_generator()
    tb.ram.write_if.b_channel.pause = False
    await tb.idle()
    assert tb.bus_idle()
    (rst_cycle,) = tb.sw_rst_cycles          # the edge the pulse is sampled at
    in_flight = [b for b in tb.aws if b.aw_start <= rst_cycle < b.b_cycle]
    assert in_flight, "CTRL.RST did not hit a transfer in progress"
    late = [b for b in tb.aws if b.aw_start > rst_cycle]
    assert not late, f"{len(late)} bursts started after CTRL.RST"
    assert not [c for c, _ in tb.rdh_writes if c > rst_cycle], "RDH written after CTRL.RST"
    assert not [c for c, _ in tb.intr if c > rst_cycle], "cause raised after CTRL.RST"
    assert tb.rxerr() == (0, 0)
    await tb.ring(16)
    f = make_frame(128, seed=11)
    tb.send(f)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_rx_engine_fifo_full_backpressure(dut):
    """tready drops only when the packet buffer is full: with the W channel stalled, exactly
    PB_BEATS beats are taken; released, every frame arrives intact."""
    tb = await bench(dut)
    await tb.ring(64)
    tb.ram.write_if.w_channel.pause = True
    frames = [make_frame(1518, seed=i) for i in range(30)]
    for f in frames:
        tb.send(f)
    while not tb.tready_low:
        await tb.cycles(8)
    first_low = tb.tready_low[0]
    assert tb.rx_beats == PB_BEATS, f"tready dropped after {tb.rx_beats} beats, buffer holds {PB_BEATS}"
    await tb.cycles(200)
    tb.ram.write_if.w_channel.pause = False
    for rx, f in zip(await tb.collect(len(frames)), frames):
        tb.check_frame(rx, f)
    assert tb.stats["mpc"] == 0
    assert first_low > tb.rx_first
    await tb.finish()


async def throughput(tb: RxBench, size: int, count: int, bsize: int, n: int) -> tuple[float, float]:
    """(ingress, end to end) in bytes per cycle / 8. Ingress: from the first to the last beat taken
    on s_axis. End to end: bytes written back per cycle between the first and the last RDH update."""
    await tb.ring(n, bsize=bsize, bufs=[BUFS + i * bsize for i in range(n)])
    frames = [make_frame(size, seed=i) for i in range(count)]
    for f in frames:
        tb.send(f)
    got = await tb.collect(count, refill=True, limit=10_000_000)
    for rx, f in zip(got, frames):
        tb.check_frame(rx, f)
    first_commit = tb.rdh_writes[0][0]
    last_commit = tb.rdh_writes[-1][0]
    in_cycles = tb.rx_last - tb.rx_first + 1
    ingress = size * count / (in_cycles * 8)
    e2e = size * (count - 1) / ((last_commit - first_commit) * 8)
    tb.log.info("THROUGHPUT %d x %d B: %d beats taken in %d cycles; %d frames written back in %d cycles "
                "after the first; first frame in host memory %d cycles after its first beat",
                count, size, tb.rx_beats, in_cycles, count - 1, last_commit - first_commit, first_commit - tb.rx_first)
    return ingress, e2e


@cocotb.test()
async def test_rx_engine_throughput_64(dut):
    """Always-valid source, 1200 back-to-back 64-byte frames (9600 beats): bytes per cycle taken
    (goal >= 95 %) and written back. Written back is bounded by 8/9: each frame takes 8 payload
    beats and one write-back beat on the single W channel; the packet buffer absorbs the rest."""
    tb = await bench(dut)
    ingress, e2e = await throughput(tb, 64, 1200, 256, 2048)
    tb.log.info("THROUGHPUT 64 B: ingress %.1f %%, end to end %.1f %% of 8 bytes/cycle", 100 * ingress, 100 * e2e)
    assert ingress >= 0.95, f"64-byte frames: {100 * ingress:.1f} % taken"
    assert e2e >= 0.88, f"64-byte frames: {100 * e2e:.1f} % written back (8/9 = 88.9 % expected)"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_throughput_1518(dut):
    """Always-valid source, 60 back-to-back 1518-byte frames: bytes per cycle taken and written
    back (goal >= 60 %)."""
    tb = await bench(dut)
    ingress, e2e = await throughput(tb, 1518, 60, 2048, 64)
    tb.log.info("THROUGHPUT 1518 B: ingress %.1f %%, end to end %.1f %% of 8 bytes/cycle", 100 * ingress, 100 * e2e)
    assert ingress >= 0.95 and e2e >= 0.95, f"1518-byte frames: {100 * ingress:.1f} % / {100 * e2e:.1f} %"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_flood_unaligned_buffers(dut):
    """NET_IP_ALIGN flood: 320 back-to-back 64-byte frames into a 256-entry ring (255 owned) whose
    2048-byte buffers start at byte offset 2 (9-beat payload bursts). The first 255 land intact
    and in order; the rest find no descriptor and are dropped in the adapter (MPC = RNBC, RXO)
    without a byte of host memory touched, while the last payload and write-backs are still on
    the bus. After the driver hands the ring back, new frames are written again."""
    tb = await bench(dut)
    n, sent = 256, 320
    bufs = [BUFS + i * 4096 + 2 for i in range(n)]
    await tb.ring(n, bsize=2048, bufs=bufs)
    frames = [make_frame(64, seed=i) for i in range(sent)]
    for f in frames:
        tb.send(f)
    # the drops leave no trace on the bus: wait for the counters, not for a quiet bus
    for _ in range(2000):
        if tb.stats["gprc"] + tb.stats["mpc"] >= sent:
            break
        await tb.cycles(16)
    done = tb.cycle
    assert tb.stats["gprc"] + tb.stats["mpc"] == sent, (
        f"frames neither delivered nor missed: stats {tb.stats}, RDH={tb.rdh()}, bus monitor {tb.errors}, "
        f"bursts without B {sum(b.b_cycle is None for b in tb.aws)}")
    # Filling the ring (9 payload beats + 1 write-back per 8-beat frame) leaves a backlog in the
    # packet buffer; the adapter must drop faster than the line delivers, or that backlog outlives
    # the flood and is written into the next buffers the driver hands back.
    # The wire ends about when the ring is full, so nearly every drop is in that backlog: allow
    # half the line's 8 cycles per 64-byte frame.
    assert done - tb.rx_last <= 4 * (sent - (n - 1)), (
        f"drops finished {done - tb.rx_last} cycles after the last beat for {sent - (n - 1)} frames: "
        "the adapter drops no faster than line rate")
    await tb.idle()
    assert tb.stats["tpr"] == sent
    got = await tb.collect(n - 1, refill=False)
    for rx, f in zip(got, frames):
        tb.check_frame(rx, f)
    dropped = sent - (n - 1)
    assert tb.stats["gprc"] == n - 1
    assert tb.stats["mpc"] == dropped and tb.stats["rnbc"] == dropped, tb.stats
    assert tb.intr_count(regs.ICR_RXO) == dropped
    assert tb.rdh() == n - 1
    assert tb.untouched(bufs[n - 1] - 2, bufs[n - 1] + 4094), "a dropped frame reached the unowned buffer"
    assert len([b for b in tb.aws if not b.wb]) == n - 1, "payload bursts for dropped frames"
    # the driver refills: the next frames are written again, from descriptor 255 on
    await tb.set_rdt((tb.next_clean - 1) % n)
    more = [make_frame(64, seed=1000 + i) for i in range(8)]
    for f in more:
        tb.send(f)
    for rx, f in zip(await tb.collect(len(more), refill=False), more):
        tb.check_frame(rx, f)
    assert got[0].descs[0][0] == 0
    await tb.idle()
    assert tb.stats["mpc"] == dropped and tb.stats["gprc"] == n - 1 + len(more)
    await tb.finish()
