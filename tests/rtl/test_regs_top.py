"""Register semantics through the `ringnic` top, as the CPU sees them.

tests/rtl/test_regs.py proves the register block's whole contract with its hardware-side ports
driven; this module checks the same RDL contract through the top the driver talks to: every
register's reset value, SLVERR on every gap of the window, and the `irq` pin following
ICS/IMS/IMC and the ICR read.
"""

import cocotb

from pydriver.ringnic import regs
from tb.harness.ringnic_tb import RingnicTB
from tb.blocks.regs import Model, expect_slverr_read, expect_slverr_write, gaps, irq_after


@cocotb.test()
async def test_regs_top_rdl_reset_and_gaps(dut):
    """Through the top: every RDL register reads its reset value; every gap answers SLVERR."""
    tb = await RingnicTB.create(dut)
    model = Model()
    await model.check(tb, "after reset")
    for first, last in gaps():
        for off in sorted({first, last}):
            await expect_slverr_read(tb, off)
            await expect_slverr_write(tb, off)
    await expect_slverr_read(tb, regs.CTRL + 2)  # misaligned read
    await model.check(tb, "after the SLVERR sweep")  # nothing changed


@cocotb.test()
async def test_regs_top_irq_pin(dut):
    """The top's irq pin: ICS raises it only when unmasked, IMC drops it, the ICR read clears it."""
    tb = await RingnicTB.create(dut)
    await tb.write32(regs.ICS, regs.ICS_RXT0)
    assert await irq_after(tb) == 0, "irq with every cause masked"
    await tb.write32(regs.IMS, regs.IMS_RXT0)
    assert await irq_after(tb) == 1, "a cause latched while masked did not fire on unmask"
    await tb.write32(regs.IMC, regs.IMC_RXT0)
    assert await irq_after(tb) == 0, "IMC did not drop irq"
    await tb.write32(regs.IMS, regs.IMS_RXT0)
    assert await irq_after(tb) == 1
    assert await tb.read32(regs.ICR) == regs.ICR_RXT0
    assert await irq_after(tb) == 0, "the ICR read did not clear the cause"
    assert await tb.read32(regs.ICR) == 0
