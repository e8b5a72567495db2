"""RX ring re-arm (`ringnic_rx`, block level), the sibling of tests/rtl/test_tx_rearm.py: RCTL.EN
cleared while a frame is being written over several descriptors, then a new ring (RDBAL, RDLEN,
RDH, RDT, as Linux e1000's e1000_configure_rx) and EN. The new ring must get the new frames and
the old ring and its buffers nothing more once the bursts on the bus are done; the frames cut
off are counted in MPC. The bench (and its bus monitor) is tests/rtl/test_rx_engine.py's.
"""

from __future__ import annotations

import cocotb

from tb.blocks.rx_engine import RxBench, make_frame

HDL_TOPLEVEL = "ringnic_rx"

NEW_RING, NEW_BUFS, NEW_N = 0x0002_0000, 0x0030_0000, 16


async def rearm(dut, settle: bool) -> None:
    tb = await RxBench.create(dut)
    await tb.ring(32, bsize=256)
    frames = [make_frame(1518, seed=i) for i in range(4)]
    for f in frames:
        tb.send(f)
    while tb.rx_beats < 190 + 60:              # the second frame is being written
        await tb.cycles(4)
    await tb.set_rctl(0)
    if settle:
        await tb.idle()
    # e1000_configure_rx with EN clear: the registers as levels; the bench's model follows once
    # the old ring's bursts are done, so its monitor checks those against the old ring.
    dut.rdba.value, dut.rdlen.value, dut.rdh.value = NEW_RING, 16 * NEW_N, 0
    await tb.pulse(rdt=0, rdt_wr=1)
    off = tb.cycle
    await tb.idle()
    # Frames cut off by EN clear, and those the MAC refused after it, are counted in RNRXOFF
    # (receiver off), one lost for want of a running ring in MPC: every frame sent is delivered
    # or counted.
    old_done, seen, lost = tb.rdh(), tb.stats["tpr"], tb.stats["mpc"] + tb.stats["rnrxoff"]
    assert tb.stats["gprc"] + lost == len(frames), \
        f"{len(frames)} frames sent, {seen} seen: {tb.stats['gprc']} delivered, {lost} counted"
    assert seen > tb.stats["gprc"], "no frame was cut off: the test did not hit the window"
    late = [hex(b.addr) for b in tb.aws if b.aw_start > off + 1]
    assert not late, f"bursts after the ring was re-programmed: {late}"
    n_aw = len(tb.aws)
    await tb.ring(NEW_N, bsize=256, base=NEW_RING, bufs=[NEW_BUFS + 256 * i for i in range(NEW_N)])
    new = [make_frame(600, seed=50 + i) for i in range(3)]
    for f in new:
        tb.send(f)
    got = await tb.collect(len(new))
    for rx, f in zip(got, new):
        tb.check_frame(rx, f)
    stray = [hex(b.addr) for b in tb.aws[n_aw:]
             if not (NEW_RING <= b.addr < NEW_RING + 16 * NEW_N or NEW_BUFS <= b.addr < NEW_BUFS + 256 * NEW_N)]
    assert not stray, f"writes outside the new ring and its buffers: {stray}"
    assert tb.rxerr() == (0, 0), f"RNRXERR {tb.rxerr()} (old ring's RDH was {old_done})"
    await tb.finish()


@cocotb.test()
async def test_rx_engine_rearm_new_ring_after_partial_frame(dut):
    """RCTL.EN cleared mid-frame, the NIC idle, a new ring and EN: new frames land in the new
    ring only, the cut-off frame is counted in MPC."""
    await rearm(dut, settle=True)


@cocotb.test()
async def test_rx_engine_rearm_bursts_in_flight(dut):
    """RCTL.EN cleared mid-frame and the new ring programmed at once, bursts still on the bus."""
    await rearm(dut, settle=False)
