"""RX frame fuzzing, `ringnic_rx` block level (issue 12, item 3, first cut), and the QEMU e1000
CVE shapes of the receive side as named cases. The bench is tests/rtl/test_rx_engine.py's, whose bus
monitor fails a test on any byte written outside the buffer of the descriptor a burst targets or
outside a descriptor's upper half for a write-back.

Frames: 1..16384 bytes (FCS included), runts, over-long with RCTL.LPE off and on, bad FCS.
Properties, per batch: every frame seen (TPR), every good frame delivered intact and in order,
every other one counted (CRCERRS, RUC, ROC, MPC), no write outside an armed buffer or the ring's
write-back slots, no hang.
Seed: RINGNIC_SEED (printed first); size: RINGNIC_FUZZ_N frames (default 40).
"""

from __future__ import annotations

import random

import cocotb

from pydriver.ringnic import regs
from tb.harness import fuzz
from tb.blocks.rx_engine import BUFS, MAX_FRAME, RxBench, make_frame

HDL_TOPLEVEL = "ringnic_rx"

N_DESC = 64
BATCH = 4


def rand_size(rng: random.Random) -> int:
    r = rng.random()
    return (rng.randrange(1, 64) if r < 0.15 else rng.randrange(64, 1523) if r < 0.7
            else rng.randrange(1523, MAX_FRAME + 1) if r < 0.95 else rng.randrange(MAX_FRAME, MAX_FRAME + 64))


@cocotb.test()
async def test_fuzz_rx_frames(dut):
    """Random frames (sizes, FCS, LPE): good ones delivered intact in order, the rest counted, no
    write outside the armed buffers (RINGNIC_SEED, RINGNIC_FUZZ_N)."""
    with fuzz.Run(dut, "test_fuzz_rx_frames", ("rx_frames", "rx_delivered", "rx_counted")) as run:
        rng, counts = run.rng, run.counts
        n = fuzz.size(40, "frames")
        tb = await RxBench.create(dut)
        await tb.ring(N_DESC)
        sent = 0
        while sent < n:
            lpe = rng.random() < 0.5
            await tb.set_rctl(tb.rctl_bits(extra=regs.RCTL_LPE if lpe else 0))
            before = dict(tb.stats)
            good = []
            for _ in range(min(BATCH, n - sent)):
                size, bad = rand_size(rng), rng.random() < 0.15
                f = make_frame(size, seed=rng.getrandbits(16), bad_fcs=bad) if size > 4 else rng.randbytes(size)
                tb.send(f)
                if not bad and 64 <= size <= (MAX_FRAME if lpe else 1522):
                    good.append(f)
                sent += 1
            await tb.idle()
            d = {k: tb.stats[k] - before[k] for k in tb.stats}
            batch = sent - counts["rx_frames"]
            assert d["tpr"] == batch, f"{batch} frames sent, TPR +{d['tpr']}"
            assert d["gprc"] == len(good) and d["mpc"] == 0, f"{len(good)} good frames, stats {d}"
            assert d["crcerrs"] + d["ruc"] + d["roc"] >= batch - len(good), f"frames neither delivered nor counted: {d}"
            for rx, f in zip(await tb.collect(len(good)), good):
                tb.check_frame(rx, f)
            counts["rx_frames"] += batch
            counts["rx_delivered"] += len(good)
            counts["rx_counted"] += batch - len(good)
        await tb.finish()


@cocotb.test()
async def test_cve_2020_28916_rx_null_buffer(dut):
    """An RX descriptor whose buffer address is 0 (QEMU's e1000e looped on it): the frame is
    written at address 0 as the descriptor says, within a bound, and the next ones follow."""
    tb = await RxBench.create(dut)
    await tb.ring(8, bufs=[0] + [BUFS + 2048 * i for i in range(1, 8)])
    frames = [make_frame(300 + i, seed=i) for i in range(3)]
    for f in frames:
        tb.send(f)
    got = await tb.collect(3, limit=20_000)
    for rx, f in zip(got, frames):
        tb.check_frame(rx, f)
    assert got[0].descs[0][0] == 0
    await tb.finish()


@cocotb.test()
async def test_cve_2012_6075_oversize_lpe_off(dut):
    """A frame far over 1522 bytes with RCTL.LPE clear (QEMU overflowed its buffer): ROC, nothing
    written to host memory, the next frame delivered."""
    tb = await RxBench.create(dut)
    await tb.ring(16, bsize=256)
    tb.send(make_frame(MAX_FRAME, seed=1))
    await tb.idle()
    assert tb.stats["roc"] == 1 and not tb.aws and tb.untouched(BUFS, BUFS + 16 * 2048)
    f = make_frame(200, seed=2)
    tb.send(f)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, f)
    await tb.finish()


@cocotb.test()
async def test_cve_2016_1981_rdh_beyond_ring(dut):
    """RDH past the last descriptor (QEMU looped forever): BAD_RING, no DMA, recovery by a good RDH
    and RCTL.EN."""
    tb = await RxBench.create(dut)
    await tb.ring(16, enable=False)
    dut.rdh.value = 16
    await tb.set_rctl(tb.rctl_bits())
    tb.send(make_frame(100, seed=1))
    await tb.idle()
    assert tb.rxerr() == (regs.RNRXERR_CODE_BAD_RING, 16) and not tb.aws and not tb.ars
    dut.rdh.value = 0
    await tb.set_rctl(tb.rctl_bits())
    f = make_frame(120, seed=2)
    tb.send(f)
    (rx,) = await tb.collect(1)
    tb.check_frame(rx, f)
    await tb.finish()
