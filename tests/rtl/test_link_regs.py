"""Link state at the register block (`ringnic_regs` as the toplevel, its PHY input a cocotb port):
STATUS.LU is the PHY's link while CTRL.SLU is set, and every change of it, up or down, whatever
its cause, sets ICR.LSC (8254x 13.4.2 / QEMU e1000's set_link_status); a reset raises none.
"""

from __future__ import annotations

import cocotb

from pydriver.ringnic import regs
from tb.blocks.regs import make_tb

HDL_TOPLEVEL = "ringnic_regs"


async def lu(tb) -> int:
    return await tb.read32(regs.STATUS) & regs.STATUS_LU


async def phy(tb, up: int) -> None:
    tb.dut.phy_link.value = up
    await tb.cycles(4)  # two synchroniser flops, then lu_q


@cocotb.test()
async def test_link_regs_status_lu_follows_phy_and_slu(dut):
    """LU = phy && SLU; each of its changes is one LSC; a PHY change under SLU=0 is none."""
    tb = await make_tb(dut)
    assert await lu(tb) and await tb.read32(regs.ICR) == 0, "reset: link up, no cause"
    await phy(tb, 0)
    assert not await lu(tb) and int(dut.link_up.value) == 0
    assert await tb.read32(regs.ICR) == regs.ICR_LSC, "link down: LSC"
    await phy(tb, 1)
    assert await lu(tb) and await tb.read32(regs.ICR) == regs.ICR_LSC, "link up: LSC"
    await tb.write32(regs.CTRL, regs.CTRL_FD)  # SLU off: LU drops with the PHY still up
    assert not await lu(tb) and await tb.read32(regs.ICR) == regs.ICR_LSC
    await phy(tb, 0)
    await phy(tb, 1)
    assert not await lu(tb) and await tb.read32(regs.ICR) == 0, "SLU off: the PHY's changes are not LU's"
    await tb.write32(regs.CTRL, regs.CTRL_FD | regs.CTRL_SLU)
    assert await lu(tb) and int(dut.link_up.value) == 1 and await tb.read32(regs.ICR) == regs.ICR_LSC


@cocotb.test()
async def test_link_regs_lsc_interrupt_and_reset(dut):
    """With IMS.LSC the irq rises on a link change and falls on the ICR read; a flap shorter than a
    read is still one latched LSC; CTRL.RST with the link down keeps LU down and raises nothing."""
    tb = await make_tb(dut)
    await tb.write32(regs.IMS, regs.IMS_LSC)
    await phy(tb, 0)
    await tb.cycles(1)
    assert int(dut.irq.value) == 1
    assert await tb.read32(regs.ICR) == regs.ICR_LSC
    await tb.cycles(2)
    assert int(dut.irq.value) == 0
    dut.phy_link.value = 1
    await tb.cycles(2)
    dut.phy_link.value = 0  # a two-cycle flap: two changes, one cause until read
    await tb.cycles(5)
    assert await tb.read32(regs.ICR) == regs.ICR_LSC and await tb.read32(regs.ICR) == 0
    await tb.write32(regs.CTRL, regs.CTRL_RST | regs.CTRL_SLU)
    await tb.cycles(3)
    assert not await lu(tb) and await tb.read32(regs.ICR) == 0, "a reset reports the link, raises no LSC"
    await phy(tb, 1)
    assert await lu(tb) and await tb.read32(regs.ICR) == regs.ICR_LSC
