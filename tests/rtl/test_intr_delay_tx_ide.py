"""CMD.IDE out of the TX engine (`ringnic_tx` alone, the bench of tb/blocks/tx_engine.py): every
TXDW pulse of a write-back comes with `txdw_ide` telling whether that descriptor had IDE set, which
is what the top's TIDV/TADV timers (ringnic_intr_delay) take to delay it or raise it at once. The
delays themselves are measured in test_intr_delay_timers.py and, through the driver, in
tests/driver/test_intr_delay_ethtool.py.
"""

from __future__ import annotations

import random

import cocotb

from pydriver.ringnic import desc
from tb.blocks.tx_engine import IFCS, TXDW, PulseWatch, TxBench, udp_frame

HDL_TOPLEVEL = "ringnic_tx"
HDL_PARAMETERS = {"MAX_BURST_BEATS": 16}

IDE = desc.TXD_CMD_IDE


@cocotb.test()
async def test_intr_delay_tx_engine_marks_ide_writebacks(dut):
    """Frames of 1-3 descriptors, RS on each, IDE on every other frame: one TXDW per write-back,
    and txdw_ide with exactly those of IDE descriptors, in ring order."""
    tb = await TxBench.create(dut)
    ide = PulseWatch(dut.txdw_ide, dut.clk)
    ring = await tb.ring(0x1000, 64)
    rng = random.Random(14)
    frames, want = [], []
    for k in range(12):
        parts = 1 + k % 3
        data = udp_frame(200 + 7 * k, rng)
        cmd = IFCS | (IDE if k % 2 else 0)
        step = len(data) // parts
        pieces = [step] * (parts - 1) + [len(data) - step * (parts - 1)]
        frames.append(ring.post(data, pieces=pieces, cmd=cmd, rs="all"))
        want += [bool(k % 2)] * parts
    await ring.ring()
    await tb.expect(frames)
    await tb.wait_tdh(ring.tail)
    await tb.settle()
    txdw = tb.intr.times(TXDW)
    marked = {t for t, _ in ide.events}
    assert len(txdw) == len(want), f"{len(txdw)} TXDW for {len(want)} RS descriptors"
    assert marked <= set(txdw), "txdw_ide without TXDW"
    assert [t in marked for t in txdw] == want, "txdw_ide does not follow the descriptors' IDE"
