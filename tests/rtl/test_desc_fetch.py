"""The descriptor fetcher both ring engines share (`ringnic_desc_fetch`, rtl/ringnic_desc_fetch.v),
alone, built the way each engine instantiates it: TX (bytes 8..15 queued, a failed read queued
with its poison bit) and RX (the buffer address only, a failed read not queued). The bench
(tb/blocks/desc_fetch.py) plays the engine and host memory with random pacing and checks every
burst against the burst rule and every queued descriptor against the ring, in ring order.
"""

from __future__ import annotations

import cocotb

from tb.blocks.desc_fetch import FetchBench

HDL_TOPLEVEL = "desc_fetch_top"
HDL_PARAMETER_SETS = {
    "tx": {"RING_LOG2": 6, "DESC_BURST": 4, "KEEP_HI": 1, "DROP_BAD": 0},
    "rx": {"RING_LOG2": 6, "DESC_BURST": 4, "KEEP_HI": 0, "DROP_BAD": 1},
}


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def test_desc_fetch_bursts_in_ring_order(dut):
    """A 64-descriptor ring that crosses a 4 KiB boundary, started mid-ring, read three times round
    with the limit raised in random steps: every burst obeys the rule, the queue gives every
    descriptor intact in ring order, and bursts split at the ring end and at 4 KiB."""
    tb = await FetchBench.create(dut, seed=21, ring_size=64, base=0x1000 - 16 * 26)
    await tb.start(37)
    await tb.run(limit=3 * 64)
    assert tb.popped == [(37 + k) % 64 for k in range(3 * 64)]
    ends = {i + n for i, n in tb.bursts}
    assert 64 in ends, "no burst ended at the ring end"
    assert 26 in ends, "no burst ended at the 4 KiB boundary (descriptor 26)"
    assert max(n for _, n in tb.bursts) == 4, "never a whole DESC_BURST"
    dut._log.info("%d bursts, sizes %s", len(tb.bursts), sorted({n for _, n in tb.bursts}))


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def test_desc_fetch_failed_read(dut):
    """SLVERR on the first beat of one descriptor and the second of another: err names each at its
    beat; TX queues them poisoned, RX leaves them out; the others arrive intact."""
    tb = await FetchBench.create(dut, seed=22, ring_size=32, base=0x2000)
    tb.bad = {(5, 0), (11, 1)}
    await tb.start(0)
    await tb.run(limit=16)
    assert tb.errs == [5, 11], f"err for {tb.errs}"
    want = [d for d in range(16) if not (tb.drop_bad and d in (5, 11))]
    assert tb.popped == want, f"queued {tb.popped}"


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def test_desc_fetch_keep_and_clr(dut):
    """keep low drops what completes then (RX after a stop) while busy still counts the burst to its
    last beat; clr empties the queue; a start then fetches from the new index."""
    tb = await FetchBench.create(dut, seed=23, ring_size=16, base=0x3000)
    tb.p_take, tb.p_beat = 1.0, 0.0              # take bursts, return nothing yet
    await tb.start(0)
    tb.limit = 8
    while tb.fetched < 8:
        await tb.step(pop=False)
    assert int(dut.busy.value) == 1
    tb.keep, tb.p_beat = 0, 1.0                  # the engine stopped: the beats still come
    while tb.beats:
        await tb.step(allow=False, pop=False)
    await tb.settle()
    assert int(dut.busy.value) == 0 and int(dut.idle.value) == 1 and not tb.expect
    tb.keep = 1
    await tb.start(3)                            # fill the queue, then clear it
    tb.limit = 4
    while tb.fetched < 4 or tb.beats:
        await tb.step(pop=False)
    assert int(dut.q_valid.value) == 1
    await tb.clr()
    assert int(dut.q_valid.value) == 0 and int(dut.idle.value) == 1
    await tb.start(9)
    tb.p_take, tb.p_beat = 0.7, 0.7
    await tb.run(limit=12)
    assert tb.popped == [(9 + k) % 16 for k in range(12)]
