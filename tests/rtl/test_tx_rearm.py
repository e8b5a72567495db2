"""TX ring re-arm (`ringnic_tx`, block level): software that disables TCTL.EN and programs a new
ring (TDBAL, TDLEN, TDH, TDT, as Linux e1000's e1000_configure_tx does) gets the ring it wrote.

A frame the disable left without its EOP descriptor is abandoned by the re-programming: dropped,
never written back, counted in ECOL (the 8254x's count of frames the MAC gave up, which Linux
e1000 reports as tx_aborted_errors). The bench is tests/rtl/test_tx_engine.py's.
"""

from __future__ import annotations

import random

import cocotb
from cocotb.triggers import ClockCycles

from tb.blocks.tx_engine import EN, PSP, TXE, PulseWatch, Ring, TxBench, frame_of_len

HDL_TOPLEVEL = "ringnic_tx"

OLD_BASE, OLD_N = 0x1000, 32
NEW_BASE, NEW_N = 0x2_0000, 16


async def reprogram(tb: TxBench, base: int, count: int) -> Ring:
    """e1000_configure_tx with EN clear: TDBAL, TDLEN, TDH = 0, TDT = 0, then TCTL.EN."""
    for name, value in (("tdba", base), ("tdlen", 16 * count), ("tdh", 0)):
        await tb.ring_write(name, value)
    await tb.write_tdt(0)
    await tb.write_tctl(EN | PSP)
    return Ring(tb, base, count)


def old_ring_untouched(tb: TxBench, ring: Ring, idxs: list[int]) -> None:
    for i in idxs:
        sta, _, _ = ring.read_upper(i)
        assert sta == 0, f"old ring descriptor {i} written back (STA {sta:#x}) after the ring was replaced"


async def partial_then_rearm(tb: TxBench, rng: random.Random, settle: int) -> tuple[Ring, list[int], int]:
    """A frame without EOP at the old ring's tail, EN cleared, `settle` cycles, then a new ring."""
    old = await tb.ring(OLD_BASE, OLD_N)
    first = old.post(frame_of_len(300, rng))
    part = old.post(frame_of_len(900, rng), pieces=[300, 300, 300])
    stale = [old.post(frame_of_len(120, rng)) for _ in range(2)]       # never handed over
    await tb.write_tdt(part.idxs[2])           # the EOP descriptor of `part` not given
    await tb.expect([first])
    await tb.wait_tdh(part.idxs[0])
    await ClockCycles(tb.clk, 100)
    await tb.write_tctl(PSP)                   # EN off with `part` half issued
    await ClockCycles(tb.clk, settle)
    tb.collect()
    n_ar = len(tb.ars)
    new = await reprogram(tb, NEW_BASE, NEW_N)
    return new, part.idxs + [i for f in stale for i in f.idxs], n_ar


async def check_new_ring(tb: TxBench, rng: random.Random, new: Ring, old_idxs, n_ar: int, old: Ring) -> None:
    frames = [new.post(frame_of_len(rng.randrange(60, 600), rng)) for _ in range(3)]
    await new.ring()
    await tb.expect(frames)
    await tb.wait_tdh(new.tail)
    await tb.settle(200)
    assert tb.sink.empty(), "a frame of stale data after the re-arm"
    tb.collect()
    stray = [hex(int(a.araddr)) for a in tb.ars[n_ar:] if OLD_BASE <= int(a.araddr) < OLD_BASE + 16 * OLD_N]
    assert not stray, f"the old ring was fetched after the new one was programmed: {stray}"
    old_ring_untouched(tb, old, old_idxs)
    assert tb.intr.count(TXE) == 0 and tb.txerr() == (0, 0)
    tb.check_bus()


@cocotb.test()
async def test_tx_engine_rearm_new_ring_after_partial_frame(dut):
    """EN cleared with a frame lacking EOP, NIC idle, new TDBAL/TDLEN/TDH/TDT, EN: the new ring's
    frames and nothing else go out, the old ring is neither read nor written back, ECOL counts 1."""
    tb = await TxBench.create(dut)
    ecol = PulseWatch(dut.stat_inc_ecol, dut.clk)
    rng = random.Random(31)
    new, old_idxs, n_ar = await partial_then_rearm(tb, rng, settle=500)
    await check_new_ring(tb, rng, new, old_idxs, n_ar, Ring(tb, OLD_BASE, OLD_N))
    assert len(ecol.events) == 1, f"ECOL counted {len(ecol.events)} abandoned frames, expected 1"


@cocotb.test()
async def test_tx_engine_rearm_bursts_in_flight(dut):
    """EN cleared and the new ring programmed at once, payload bursts of the old ring still in
    flight: the new ring works, every old frame is either sent whole or counted in ECOL."""
    tb = await TxBench.create(dut)
    ecol = PulseWatch(dut.stat_inc_ecol, dut.clk)
    rng = random.Random(32)
    old = await tb.ring(OLD_BASE, OLD_N)
    frames = [old.post(frame_of_len(1514, rng), pieces=[500, 514, 500]) for _ in range(6)]
    await old.ring()
    await ClockCycles(tb.clk, 150)             # some frames out, bursts in flight
    await tb.write_tctl(PSP)
    tb.collect()
    n_ar = len(tb.ars)
    new = await reprogram(tb, NEW_BASE, NEW_N)
    sent = []
    await tb.settle(400)
    while not tb.sink.empty():
        sent.append(await tb.recv())
    assert sent == [f.wire for f in frames[:len(sent)]], "an old frame partial or out of order"
    # Frames the engine had not started when EN went off stay software's (no DD, not counted).
    assert len(ecol.events) >= 1 and len(sent) + len(ecol.events) <= len(frames), \
        f"{len(frames)} old frames: {len(sent)} sent, {len(ecol.events)} counted in ECOL"
    tb.collect()
    n_ar = len(tb.ars)
    unsent = [i for f in frames[len(sent):] for i in f.idxs]
    await check_new_ring(tb, rng, new, unsent, n_ar, old)
