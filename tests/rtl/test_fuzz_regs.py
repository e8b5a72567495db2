"""Register fuzzing through the `ringnic` top (issue 12, item 2).

Seeded random AXI-Lite reads and writes over the whole 128 KiB window, aligned and not, every
strobe pattern, interleaved with CTRL.RST (some written by the fuzz itself) and with frames
arriving on the wire. Properties:
  * every access is answered within a bound, OKAY or SLVERR exactly by the README's rules
    (SLVERR: no register at the word, a read at an unaligned address, a write strobing a lane
    below its byte address), SLVERR reads return 0;
  * no DMA while no ring is enabled: the fuzz never sets TCTL.EN/RCTL.EN, and every DMA burst
    the host memory sees is counted by its fence (HostMemory.fence, once per burst: no mapping
    exists here, so each burst is a recorded fault);
  * after each sequence, CTRL.RST and a hand-built TX and RX ring: one frame sent and one
    received, byte for byte.
Seed: RINGNIC_SEED (printed first); size: RINGNIC_FUZZ_N accesses (default 300).
"""

from __future__ import annotations

import random
import struct

import cocotb
from cocotb.triggers import Timer, with_timeout
from cocotbext.axi import AxiResp

from pydriver.ringnic import regs
from tb.harness import fuzz
from tb.blocks.regs import raw_read, raw_write
from tb.harness.ethframe import with_fcs
from tb.harness.ringnic_tb import RingnicTB
from tb.harness.traffic import on_wire

WINDOW = 1 << 17
REG_OFFS = sorted({off + k * stride for off, n, stride, _ in regs.LAYOUT for k in range(n)})
SEQ_LEN = 100                      # accesses between two recovery checks
ACCESS_BOUND_NS = 2_000            # an AXI-Lite access is answered within 200 cycles
TX_RING, TX_BUF, RX_RING, RX_BUF = 0x10_0000, 0x11_0000, 0x12_0000, 0x13_0000


def expected(addr: int, write: bool, strb: int) -> AxiResp:
    """The README's rules for one access."""
    lane = addr & 3
    if (addr & ~3) not in REG_OFFS:
        return AxiResp.SLVERR
    if not write:
        return AxiResp.SLVERR if lane else AxiResp.OKAY
    return AxiResp.SLVERR if strb & ((1 << lane) - 1) else AxiResp.OKAY


def pick_addr(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.6:
        return rng.choice(REG_OFFS) + (rng.randrange(4) if rng.random() < 0.2 else 0)
    if r < 0.8:
        return rng.randrange(WINDOW) & ~3
    return rng.randrange(WINDOW)


def tame(addr: int, data: int) -> int:
    """The fuzz never enables a ring (that would DMA to random addresses): EN stays clear."""
    word = addr & ~3
    if word == regs.TCTL:
        return data & ~(regs.TCTL_EN << (8 * (addr & 3)))
    if word == regs.RCTL:
        return data & ~(regs.RCTL_EN << (8 * (addr & 3)))
    return data


async def access(tb, rng: random.Random, counts: dict) -> None:
    addr, write = pick_addr(rng), rng.random() < 0.5
    if write:
        strb, data = rng.randrange(16), tame(addr, rng.getrandbits(32))
        resp = await with_timeout(raw_write(tb, addr, data, strb), ACCESS_BOUND_NS, "ns")
        rdata = 0
    else:
        strb = 0
        rdata, resp = await with_timeout(raw_read(tb, addr), ACCESS_BOUND_NS, "ns")
    want = expected(addr, write, strb)
    what = f"{'write' if write else 'read'} 0x{addr:05x} strb {strb:04b}"
    assert resp == want, f"{what}: {resp.name}, expected {want.name}"
    assert resp == AxiResp.OKAY or rdata == 0, f"{what}: SLVERR with data 0x{rdata:08x}"
    counts["register_accesses"] += 1
    counts["slverr"] += resp != AxiResp.OKAY
    if write and want == AxiResp.OKAY and (addr & ~3) == regs.CTRL and strb & 8 and data & regs.CTRL_RST:
        counts["resets"] += 1
        await settle_reset(tb)


async def settle_reset(tb) -> None:
    for _ in range(100):
        if not (await tb.read32(regs.CTRL)) & regs.CTRL_RST:
            return
        await tb.cycles(4)
    raise AssertionError("CTRL.RST did not self-clear")


async def ctrl_reset(tb) -> None:
    await tb.write32(regs.CTRL, (await tb.read32(regs.CTRL)) | regs.CTRL_RST)
    await settle_reset(tb)


async def recover(tb, rng: random.Random, counts: dict) -> None:
    """CTRL.RST, then one frame out and one in through hand-built rings."""
    await tb.wire_rx.wait()                 # the fuzz's wire traffic is in (and ignored) first
    await ctrl_reset(tb)
    mem = tb.hostmem
    payload = bytes([0xFF] * 6) + bytes.fromhex("020a35000009") + b"\x88\xb5" + rng.randbytes(rng.randrange(46, 200))
    mem.memory_write(TX_BUF, payload)
    mem.memory_write(TX_RING, struct.pack("<QHBBBBH", TX_BUF, len(payload), 0, 0x0B, 0, 0, 0))  # EOP|IFCS|RS
    for off, v in ((regs.TDBAL, TX_RING), (regs.TDLEN, 128), (regs.TDH, 0), (regs.TDT, 0),
                   (regs.TCTL, regs.TCTL_EN | regs.TCTL_PSP), (regs.TDT, 1)):
        await tb.write32(off, v)
    f = await with_timeout(tb.wire_tx.recv(), 200, "us")
    assert bytes(f.tdata) == on_wire(payload), "TX after CTRL.RST: wrong frame"
    for i in range(8):
        mem.memory_write(RX_RING + 16 * i, struct.pack("<QQ", RX_BUF + 2048 * i, 0))
    for off, v in ((regs.RDBAL, RX_RING), (regs.RDLEN, 128), (regs.RDH, 0), (regs.RDT, 7),
                   (regs.RCTL, regs.RCTL_EN | regs.RCTL_BAM)):
        await tb.write32(off, v)
    frame = with_fcs(payload)
    tb.wire_rx.send_nowait(frame)
    for _ in range(200):
        length, _, status = struct.unpack("<HHB", mem.cpu_read(RX_RING + 8, 5, cached=False))
        if status & 1:
            break
        await Timer(1, "us")
    else:
        raise AssertionError("RX after CTRL.RST: no descriptor written back")
    assert mem.cpu_read(RX_BUF, length, cached=False) == frame, "RX after CTRL.RST: wrong bytes"
    counts["recovery_tx_frames"] += 1
    counts["recovery_rx_frames"] += 1
    await ctrl_reset(tb)
    tb.hostmem.take_iommu_faults()          # the recovery's own DMA (no mappings on this bench)


@cocotb.test()
async def test_fuzz_regs(dut):
    """Random AXI-Lite accesses, resets and wire traffic: every access answered by the rules, no
    DMA with the rings disabled, TX and RX work after every reset (RINGNIC_SEED, RINGNIC_FUZZ_N)."""
    with fuzz.Run(dut, "test_fuzz_regs", ("register_accesses", "slverr", "resets", "sequences", "recovery_tx_frames",
                                          "recovery_rx_frames", "dma_without_ring")) as run:
        rng, counts = run.rng, run.counts
        n = fuzz.size(300, "regs")
        tb = await RingnicTB.create(dut)
        await recover(tb, rng, counts)
        done = 0
        while done < n:
            for _ in range(min(SEQ_LEN, n - done)):
                if rng.random() < 0.02:                    # live traffic on the wire, RX disabled
                    tb.wire_rx.send_nowait(with_fcs(rng.randbytes(rng.randrange(60, 300))))
                if rng.random() < 0.01:                    # CTRL.RST in the middle of a sequence
                    await ctrl_reset(tb)
                    counts["resets"] += 1
                await access(tb, rng, counts)
                done += 1
            await tb.cycles(200)
            dma = tb.hostmem.take_iommu_faults()
            counts["dma_without_ring"] += len(dma)
            assert not dma, f"DMA with no ring enabled: {dma[0]}"
            counts["sequences"] += 1
            await recover(tb, rng, counts)
