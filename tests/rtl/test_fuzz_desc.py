"""TX descriptor fuzzing, `ringnic_tx` block level (issue 12, item 3, first cut), and the QEMU
e1000 CVE shapes as named cases. The bench is tests/rtl/test_tx_engine.py's, on a sparse host memory
spanning the whole 32-bit space.

Each fuzzed ring: a random base (0 and the top of the 32-bit space included), TDLEN random (not
always a multiple of 128), TDH/TDT random (out of range included), descriptors with random
buffer addresses, lengths 0..16383 and every CMD bit. Properties, per doorbell:
  * bounded work: within a bound the engine either takes every frame handed over (TDH past the
    last EOP descriptor; a trailing frame without EOP waits for software) or stops with TXE and
    an RNTXERR cause; never a hang;
  * no DMA write outside the ring's write-back slots (upper half of a descriptor in [TDH, TDT));
  * frames on the wire are whole (the stream checker of the bench) and at most one per EOP
    descriptor handed over;
  * CTRL.RST then a good ring sends good frames (recovery).
Seed: RINGNIC_SEED (printed first); size: RINGNIC_FUZZ_N rings (default 12).
"""

from __future__ import annotations

import random

import cocotb
from cocotb.triggers import ClockCycles

from tb.harness import fuzz
from tb.blocks import tx_engine as txe
from tb.blocks.tx_engine import (E_BAD_RING, E_TOO_LONG, E_ZERO_LEN, EN, EOP, IFCS, PSP, RS, TXE, Ring, TxBench,
                            after_sw_rst, frame_of_len)

HDL_TOPLEVEL = "ringnic_tx"

TOP = 1 << 32
BOUND_US = 400                    # work per doorbell: MAX_FRAME-sized frames drain well within it


async def bench(dut) -> TxBench:
    txe.MEM_SIZE = TOP                # sparse: only what is touched is stored
    return await TxBench.create(dut, bus_monitors=False)


def rand_addr(rng: random.Random, align: int = 1) -> int:
    r = rng.random()
    a = 0 if r < 0.1 else TOP - rng.randrange(1, 1 << 16) if r < 0.2 else rng.randrange(TOP)
    return a & ~(align - 1)


def rand_len(rng: random.Random) -> int:
    r = rng.random()
    return (0 if r < 0.01 else rng.randrange(1, 64) if r < 0.55 else rng.randrange(64, 1600) if r < 0.9
            else rng.randrange(16384))


async def run_ring(tb: TxBench, rng: random.Random, counts: dict) -> None:
    count = rng.choice((8, 16, 24, 64, 256))
    tdlen = 16 * count if rng.random() < 0.85 else rng.randrange(1, 16 * count)
    base = rand_addr(rng, 16)
    if base + 16 * count > TOP:
        base = TOP - 16 * count
    head = rng.randrange(count) if rng.random() < 0.9 else rng.randrange(count, 1 << 16)
    n_desc = rng.randrange(1, min(count, 16))
    tail = (head + n_desc) % count if rng.random() < 0.9 else rng.randrange(count, 1 << 16)
    ring = Ring(tb, base, count)
    eops, stop = 0, head      # stop: where TDH rests, before a trailing frame without EOP
    for k in range(n_desc):
        i = (head + k) % count
        length, cmd = rand_len(rng), rng.getrandbits(8)
        cmd |= EOP if k == n_desc - 1 and rng.random() < 0.8 else 0
        eops += bool(cmd & EOP)
        stop = (i + 1) % count if cmd & EOP else stop
        addr = rand_addr(rng)
        if addr + length > TOP:
            addr = TOP - length
        ring.write_desc(i, addr, length, cmd, cso=rng.getrandbits(8), css=rng.getrandbits(8))
    await tb.set_regs(tdba=base, tdlen=tdlen, tdh=head, tdt=head)
    tb.collect()
    n_aw, n_out, n_txe = len(tb.aws), tb.sink.count(), tb.intr.count(TXE)
    await tb.write_tctl(EN | (PSP if rng.random() < 0.5 else 0))
    await tb.write_tdt(tail)
    t = 0
    while tb.tdh != stop and tb.intr.count(TXE) == n_txe:
        await ClockCycles(tb.clk, 100)
        t += 1
        assert t * 100 * txe.CLK_NS < BOUND_US * 1000, \
            f"ring {counts['rings']}: TDH {tb.tdh} not at {stop} (TDT {tail}) nor TXE in {BOUND_US} us"
    await tb.settle(300)
    tb.collect()
    slots = {base + 16 * ((head + k) % count) + 8 for k in range(n_desc)}
    stray = [hex(int(a.awaddr)) for a in tb.aws[n_aw:] if int(a.awaddr) not in slots]
    assert not stray, f"ring {counts['rings']}: DMA writes outside the write-back slots: {stray}"
    out = tb.sink.count() - n_out
    assert out <= eops, f"ring {counts['rings']}: {out} frames from {eops} EOP descriptors"
    stopped = tb.intr.count(TXE) > n_txe
    counts["rings"] += 1
    counts["tx_frames"] += out
    counts["stopped_with_cause"] += stopped
    if stopped:
        assert tb.txerr()[0] != 0, "TXE without an RNTXERR cause"
    await tb.soft_reset()
    # The frame the MAC was streaming at CTRL.RST still leaves (up to MAX_FRAME bytes): wait
    # for the stream to be quiet before the next ring counts its frames.
    while True:
        n = tb.sink.count()
        await tb.settle(2500)
        if tb.sink.count() == n and not int(tb.dut.m_axis_tx_tvalid.value):
            break
    while not tb.sink.empty():
        await tb.recv()
    await tb.write_tctl(0)


@cocotb.test()
async def test_fuzz_desc_tx_rings(dut):
    """Random TX rings and descriptors: bounded work per doorbell, write-backs only to the ring's
    slots, whole frames, a cause when stopped, recovery (RINGNIC_SEED, RINGNIC_FUZZ_N)."""
    with fuzz.Run(dut, "test_fuzz_desc_tx_rings", ("rings", "tx_frames", "stopped_with_cause")) as run:
        tb = await bench(dut)
        for _ in range(fuzz.size(12, "rings")):
            await run_ring(tb, run.rng, run.counts)
        await after_sw_rst(tb, run.rng)


# ------------------------------------------------------------------ QEMU e1000 CVE shapes
@cocotb.test()
async def test_cve_2016_1981_tdh_beyond_ring(dut):
    """TDH past the last whole descriptor (QEMU looped forever): BAD_RING at once, nothing read."""
    tb = await bench(dut)
    rng = random.Random(1981)
    for tdh, tdlen in ((8, 128), (0xFFFF, 128), (8, 136)):
        await tb.set_regs(tdba=0x1000, tdlen=tdlen, tdh=tdh, tdt=0)
        tb.collect()
        n_ar = len(tb.ars)
        await tb.write_tctl(EN | PSP)
        await tb.write_tdt(3)
        await tb.wait_intr(TXE, 1, timeout_us=20)
        tb.collect()
        assert tb.txerr()[0] == E_BAD_RING and len(tb.ars) == n_ar
        await after_sw_rst(tb, rng)
        tb.intr.events.clear()


@cocotb.test()
async def test_cve_2015_6815_zero_length_descriptors(dut):
    """A ring of zero-length descriptors (QEMU's zero-length TSO context looped): ZERO_LEN at the
    first, within a bound, no write-back."""
    tb = await bench(dut)
    ring = await tb.ring(0x2000, 64)
    for i in range(63):
        ring.write_desc(i, 0x8000 + 64 * i, 0, IFCS | RS | (EOP if i % 2 else 0))
    await tb.write_tdt(63)
    await tb.wait_intr(TXE, 1, timeout_us=20)
    tb.collect()
    assert tb.txerr() == (E_ZERO_LEN, 0) and not tb.aws and tb.sink.empty()
    await after_sw_rst(tb, random.Random(6815))


@cocotb.test()
async def test_cve_2021_20257_invalid_tx_fields(dut):
    """Invalid TX descriptors (QEMU looped on them): a frame over MAX_FRAME across descriptors,
    every CMD bit (DEXT too) set: stopped with TOO_LONG, earlier frames sent whole."""
    tb = await bench(dut)
    ring = await tb.ring(0x3000, 32)
    rng = random.Random(20257)
    good = ring.post(frame_of_len(200, rng))
    for k in range(4):
        ring.write_desc(1 + k, 0x10_0000 + 0x4000 * k, 0x3FFF + k, 0xFF & ~EOP if k < 3 else 0xFF)
    ring.tail = 5
    await ring.ring()
    await tb.expect([good])
    await tb.wait_intr(TXE, 1, timeout_us=50)
    assert tb.txerr() == (E_TOO_LONG, 2) and tb.tdh == 1
    await after_sw_rst(tb, rng)
