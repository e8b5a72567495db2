"""Statistics under load: `ringnic_regs`'s counters live in a RAM with pending accumulators
(rtl/ringnic_stats.v), folded one word per cycle; no count may be lost or doubled however the
increments and the clearing reads interleave.

Every counter is incremented at random in every cycle (each 32-bit counter's pulse, each pair's
octets) while the bus reads every counter back to back, clearing them; the sum of what the reads
returned must equal what was counted. test_regs.py checks the single-event semantics.
"""

from __future__ import annotations

import random

import cocotb
from cocotb.triggers import FallingEdge, RisingEdge

from pydriver.ringnic import regs
from tb.harness import fuzz
from tb.harness.ringnic_tb import RingnicTB

HDL_TOPLEVEL = "ringnic_regs"  # the block's hardware-side inputs are ports (see test_regs.py)

# stat_inc bit order (rtl/ringnic_regs.v), and the pairs with their octet ports.
STAT32 = ["CRCERRS", "MPC", "GPRC", "BPRC", "MPRC", "GPTC", "RNBC", "RUC", "ROC",
          "TPR", "TPT", "MPTC", "BPTC", "RXERRC", "ECOL"]
PAIRS = {"GORC": "stat_gorc_add", "GOTC": "stat_gotc_add", "TOR": "stat_tor_add", "TOT": "stat_tot_add"}
HW_INPUTS = ("intr_set", "tdh_we", "tdh_in", "rdh_we", "rdh_in", "stat_inc", "txerr", "rxerr",
             "mta_bit", "rxoff_add", "txrst_add") + tuple(PAIRS.values())


async def storm(dut, rng: random.Random, counted: dict, stop: list) -> None:
    """Random increments on every counter, one set per clock edge, until stop[0]."""
    while not stop[0]:
        await FallingEdge(dut.clk)
        inc = rng.getrandbits(len(STAT32))
        adds = {p: rng.getrandbits(16) for p in PAIRS}
        dut.stat_inc.value = inc
        for p, v in adds.items():
            getattr(dut, PAIRS[p]).value = v
        await RisingEdge(dut.clk)
        for i, name in enumerate(STAT32):
            counted[name] += (inc >> i) & 1
        for p, v in adds.items():
            counted[p] += v
    await FallingEdge(dut.clk)
    dut.stat_inc.value = 0
    for port in PAIRS.values():
        getattr(dut, port).value = 0


async def read_all(tb, got: dict) -> None:
    """One clearing read of every counter (a pair: low, then high), added to `got`."""
    for name in STAT32:
        got[name] += await tb.read32(getattr(regs, name))
    for p in PAIRS:
        lo = await tb.read32(getattr(regs, p + "L"))
        hi = await tb.read32(getattr(regs, p + "H"))
        got[p] += (hi << 32) | lo


@cocotb.test()
async def test_regs_stats_exact_under_load(dut):
    """Every counter counting every cycle while the reads clear them: nothing lost, nothing twice."""
    seed = fuzz.seed(dut._log)
    rng = random.Random(seed)
    for name in HW_INPUTS:
        getattr(dut, name).value = 0
    tb = await RingnicTB.create(dut)

    counted = dict.fromkeys(STAT32 + list(PAIRS), 0)
    got = dict.fromkeys(counted, 0)
    stop = [False]
    task = cocotb.start_soon(storm(dut, rng, counted, stop))
    for _ in range(8):
        await read_all(tb, got)
    stop[0] = True
    await task
    await read_all(tb, got)  # what the last reads left, and the pending counts

    assert min(counted[n] for n in STAT32) > 0, "the storm did not run"
    for name in counted:
        assert got[name] == counted[name], f"{name}: reads returned {got[name]}, counted {counted[name]} (seed {seed})"
    for name in STAT32:
        assert await tb.read32(getattr(regs, name)) == 0, f"{name}: not cleared"


async def _survives_ctrl_rst(dut, reg: str, port: str, stat: str) -> None:
    """`reg` adds `port`, clears on a read (an add in the read's cycle counts toward the next
    read) and, unlike the statistics (`stat`), survives CTRL.RST."""
    from tb.blocks.regs import during_read_handshake, hw_pulse

    for name in HW_INPUTS:
        getattr(dut, name).value = 0
    tb = await RingnicTB.create(dut)
    addr = getattr(regs, reg)
    assert await tb.read32(addr) == 0
    await hw_pulse(tb, 3, **{port: 2}, stat_inc=1 << STAT32.index(stat))
    await tb.write32(regs.CTRL, regs.CTRL_RST)
    await hw_pulse(tb, 1, **{port: 5})  # what a reset discards arrives after its pulse
    assert await tb.read32(getattr(regs, stat)) == 0, "CTRL.RST did not clear the statistics"
    task = during_read_handshake(tb, **{port: 1})
    assert await tb.read32(addr) == 11, f"{reg} lost counts across CTRL.RST"
    await task
    assert await tb.read32(addr) == 1, "an add in the cycle of the clearing read was lost"
    assert await tb.read32(addr) == 0


@cocotb.test()
async def test_regs_rnrxoff_survives_ctrl_rst(dut):
    """RNRXOFF (frames dropped with the receiver off): a frame the NIC drops while the driver
    resets it is still counted after the driver's last fold."""
    await _survives_ctrl_rst(dut, "RNRXOFF", "rxoff_add", "MPC")


@cocotb.test()
async def test_regs_rntxrst_survives_ctrl_rst(dut):
    """RNTXRST (frames CTRL.RST dropped from the TX packet buffer after their write-back): the
    frames the driver's own reset discards are counted after its last fold."""
    await _survives_ctrl_rst(dut, "RNTXRST", "txrst_add", "ECOL")
