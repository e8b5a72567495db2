"""Hardware access, as e1000_hw.c: register I/O through the ioremap window, reset, MAC, IRQ mask.

Everything the driver knows about the NIC passes through `er32`/`ew32` (e1000's names), i.e.
AXI-Lite reads and writes of the registers in `regs` (generated from the RDL).
"""

from __future__ import annotations

from pydriver.kernel.errno import ETIMEDOUT
from pydriver.kernel.interrupt import cpu_sleep
from pydriver.ringnic import regs


def field(value: int, mask: int) -> int:
    """The value of the field `mask` selects (FIELD_GET)."""
    return (value & mask) >> ((mask & -mask).bit_length() - 1)


RNID_VALUE = regs.RNID_RESET  # the identification value the RTL answers with
RNVER_MAJOR = field(regs.RNVER_RESET, regs.RNVER_MAJOR)  # the interface version this driver speaks
RESET_POLL_READS = 16  # CTRL.RST self-clears within a cycle or two; this many reads is a dead NIC
ALL_CAUSES = 0xFFFFFFFF
# e1000e_disable_pcie_master polls STATUS.GIO_MASTER_ENABLE up to MASTER_DISABLE_TIMEOUT (800)
# times, udelay(100) apart; here 1 us apart for as long (10,000 polls, 10 ms), since a drain is
# usually over within a few bursts.
MASTER_POLL_NS, MASTER_POLLS = 1_000, 10_000


class RingnicHw:
    """struct ringnic_hw: the register window and what the driver caches of the hardware."""

    def __init__(self, hw_addr):
        self.hw_addr = hw_addr  # what devm_ioremap returned: readl/writel at offsets
        self.mac_addr = bytes(6)
        self.version = (0, 0, 0)
        self.caps = 0
        self.mc_filter_type = 0  # RCTL.MO: which destination bits hash into the MTA

    async def er32(self, reg: int) -> int:
        return await self.hw_addr.readl(reg)

    async def ew32(self, reg: int, value: int) -> None:
        await self.hw_addr.writel(value & 0xFFFFFFFF, reg)

    async def write_flush(self) -> None:
        """E1000_WRITE_FLUSH: a read that cannot complete before the writes before it."""
        await self.er32(regs.STATUS)

    async def identify(self) -> tuple[int, tuple[int, int, int], int]:
        """(RNID, (major, minor, patch), RNCAPS) of the project-specific ID block."""
        rnid = await self.er32(regs.RNID)
        ver = await self.er32(regs.RNVER)
        self.version = (field(ver, regs.RNVER_MAJOR), field(ver, regs.RNVER_MINOR), field(ver, regs.RNVER_PATCH))
        self.caps = await self.er32(regs.RNCAPS)
        return rnid, self.version, self.caps

    def cap(self, mask: int) -> int:
        return field(self.caps, mask)

    async def reset_hw(self) -> int:
        """CTRL.RST, then wait for it to self-clear (0 or -ETIMEDOUT)."""
        ctrl = await self.er32(regs.CTRL)
        await self.ew32(regs.CTRL, ctrl | regs.CTRL_RST)
        for _ in range(RESET_POLL_READS):
            if not await self.er32(regs.CTRL) & regs.CTRL_RST:
                return 0
        return -ETIMEDOUT

    async def wait_dma_stopped(self) -> int:
        """With RCTL.EN and TCTL.EN clear: wait until no DMA is left on the bus (0 or -ETIMEDOUT),
        so the buffers can be unmapped (e1000e_disable_pcie_master's poll)."""
        for _ in range(MASTER_POLLS):
            if not await self.er32(regs.STATUS) & regs.STATUS_GIO_MASTER_EN:
                return 0
            await cpu_sleep(MASTER_POLL_NS)  # udelay
        return -ETIMEDOUT

    async def irq_disable(self) -> None:
        """e1000_irq_disable: mask every cause and flush."""
        await self.ew32(regs.IMC, ALL_CAUSES)
        await self.write_flush()

    async def read_mac_addr(self) -> bytes | None:
        """The station address in RAL0/RAH0, or None when Address Valid is clear."""
        ral, rah = await self.er32(regs.RAL0), await self.er32(regs.RAH0)
        if not rah & regs.RAH0_AV:
            return None
        return ral.to_bytes(4, "little") + (rah & 0xFFFF).to_bytes(2, "little")

    async def rar_set(self, addr: bytes) -> None:
        """e1000_rar_set(hw, addr, 0): program the station address, then mark it valid."""
        ral = int.from_bytes(addr[0:4], "little")
        rah = int.from_bytes(addr[4:6], "little") | regs.RAH0_AV
        await self.ew32(regs.RAL0, ral)
        await self.ew32(regs.RAH0, rah)
        await self.write_flush()
        self.mac_addr = bytes(addr)

    def hash_mc_addr(self, mc_addr: bytes) -> int:
        """e1000_hash_mc_addr: the 12 destination bits RCTL.MO selects; MTA[hash >> 5] bit hash & 31."""
        shift = (4, 3, 2, 0)[self.mc_filter_type]  # address bits [47:36], [46:35], [45:34], [43:32]
        return ((mc_addr[4] >> shift) | (mc_addr[5] << (8 - shift))) & 0xFFF
