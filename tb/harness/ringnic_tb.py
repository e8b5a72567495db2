"""The test bench around one `ringnic`: clock, reset, the CPU's AXI-Lite master, MMIO for the driver.

The harness may watch RTL signals (protocol checks, measurements); the driver model may not: it
only sees what `MmioWindow.readl`/`writel` return, as a CPU would.
"""

from __future__ import annotations

import logging
import os

from cocotb.utils import get_sim_time
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import (AxiBus, AxiLiteBus, AxiLiteMaster, AxiRam, AxiResp, AxiStreamBus, AxiStreamSink,
                           AxiStreamSource)

from pydriver.ringnic.regs import register_name
from tb.harness import pcap
from tb.harness.hostmem import HostMemory
from tb.harness.hostmem_bridge import BridgePort
from tb.tools.runner import settings

DRAM_SIZE = 512 << 20  # the ZYBO's DDR3 (sim/ringnic.dts memory node)


class AxiError(Exception):
    """An AXI-Lite access the NIC answered with SLVERR/DECERR."""

    def __init__(self, op: str, offset: int, resp: AxiResp, register: str = ""):
        self.op, self.offset, self.resp, self.register = op, offset, resp, register
        where = f"{register} (0x{offset:05x})" if register else f"0x{offset:05x}"
        super().__init__(f"{op} {where}: {AxiResp(resp).name}")


def quiet_bus_logs(dut, *prefixes: str) -> None:
    """cocotbext-axi logs every burst and frame at INFO, a few ms of Python each on a flood:
    WARNING and up only, unless RINGNIC_BUS_LOG=1 asks for the bus transcript."""
    if os.environ.get("RINGNIC_BUS_LOG") != "1":
        for prefix in prefixes:
            logging.getLogger(f"cocotb.{dut._name}.{prefix}").setLevel(logging.WARNING)


class RingnicTB:
    """One NIC, its clock and reset, the AXI-Lite master the CPU uses, and host DRAM on its DMA port.

    `acp=True` attaches the DMA port where a Zynq's ACP would be: coherent with the CPU cache.
    The default is an HP port, as on the seed's board: DMA sees DRAM only.

    `prefix` picks one NIC of a multi-NIC toplevel ("a_" for a_s_axil_, a_m_axi_, a_irq); such
    NICs share one host's DRAM (`hostmem`), each port fenced against its own device's mappings
    once `dma_dev` is known (the board sets it at probe).
    """

    def __init__(self, dut, acp: bool = False, prefix: str = "", hostmem: HostMemory | None = None):
        self.dut, self.prefix = dut, prefix
        self.period_ns = settings()["design"]["clock_period_ns"]
        self.log = dut._log
        self.dma_dev = None
        dut.rst.value = 1
        quiet_bus_logs(dut, *(prefix + p for p in ("s_axil", "m_axi", "m_axis_tx", "s_axis_rx")))
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, prefix + "s_axil"), dut.clk, dut.rst)
        self.hostmem = hostmem or HostMemory(size=DRAM_SIZE, coherent=acp)
        self.irq = getattr(dut, prefix + "irq", None)
        # The PHY's link pin: up unless a test pulls it (tb/harness/link.py's Cable and WirePhy).
        self.phy_link = getattr(dut, prefix + "phy_link_up", None)
        if self.phy_link is not None:
            self.phy_link.value = 1
        self.ram = self.bridge = None
        if hasattr(dut, prefix + "hm_rd_req"):  # the fast path: an HDL AXI slave, Python per burst
            self.bridge = BridgePort(dut, prefix, self.hostmem, owner=self)
        elif hasattr(dut, prefix + "m_axi_awvalid"):
            self.ram = AxiRam(AxiBus.from_prefix(dut, prefix + "m_axi"), dut.clk, dut.rst, mem=self.hostmem.axi_mem(self))
            # before any await: fence every burst the NIC makes
            self.hostmem.attach_axi(self.ram, owner=self)
        # The MAC side: what leaves on m_axis_tx_, what arrives on s_axis_rx_ (complete frames, FCS included).
        self.wire_tx = self.wire_rx = None
        if hasattr(dut, prefix + "m_axis_tx_tvalid"):
            self.wire_tx = AxiStreamSink(AxiStreamBus.from_prefix(dut, prefix + "m_axis_tx"), dut.clk, dut.rst)
        if hasattr(dut, prefix + "s_axis_rx_tvalid"):
            self.wire_rx = AxiStreamSource(AxiStreamBus.from_prefix(dut, prefix + "s_axis_rx"), dut.clk, dut.rst)
        self.capture = None  # both directions of the wire, for the test's pcap (tb/harness/pcap.py)
        if pcap.enabled() and (self.wire_tx or self.wire_rx):
            self.capture = pcap.WireCapture(prefix.rstrip("_") or "wire")
            if self.wire_rx:
                self.capture.tap_source(self.wire_rx)
            if self.wire_tx:
                self.capture.tap_sink(self.wire_tx)

    @classmethod
    async def create(cls, dut, reset: bool = True, acp: bool = False) -> "RingnicTB":
        tb = cls(dut, acp=acp)
        Clock(dut.clk, tb.period_ns, unit="ns").start(start_high=False)
        if reset:
            await tb.reset()
        return tb

    @classmethod
    async def create_many(cls, dut, prefixes: tuple[str, ...]) -> list["RingnicTB"]:
        """The NICs of a multi-NIC toplevel, on one clock, one reset and one host's DRAM."""
        first = cls(dut, prefix=prefixes[0], hostmem=HostMemory(size=DRAM_SIZE))
        nics = [first] + [cls(dut, prefix=p, hostmem=first.hostmem) for p in prefixes[1:]]
        Clock(dut.clk, first.period_ns, unit="ns").start(start_high=False)
        await first.reset()
        return nics

    async def reset(self, cycles: int = 4) -> None:
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, cycles)
        self.dut.rst.value = 0
        await ClockCycles(self.dut.clk, 2)

    async def cycles(self, n: int) -> None:
        await ClockCycles(self.dut.clk, n)

    async def edge(self) -> None:
        await RisingEdge(self.dut.clk)

    def irq_level(self) -> int:
        return int(self.irq.value)

    def now_ns(self) -> float:
        return get_sim_time("ns")

    # ---- raw register access, for register-level tests (the driver uses MmioWindow)
    async def read32(self, offset: int) -> int:
        rv = await self.axil.read(offset, 4)
        if rv.resp != AxiResp.OKAY:
            raise AxiError("read", offset, rv.resp, register_name(offset))
        return int.from_bytes(rv.data, "little")

    async def write32(self, offset: int, value: int) -> None:
        rv = await self.axil.write(offset, int(value).to_bytes(4, "little"))
        if rv.resp != AxiResp.OKAY:
            raise AxiError("write", offset, rv.resp, register_name(offset))

    def mmio(self, base: int, start: int | None = None) -> "MmioWindow":
        return MmioWindow(self, base, base if start is None else start)


class MmioWindow:
    """What `devm_ioremap` hands the driver: readl/writel at offsets from the mapped start.

    `base` is where the NIC's AXI-Lite window sits in the CPU's address map; a mapping may start
    inside it. An error response raises AxiError naming the register and offset.
    """

    def __init__(self, tb: RingnicTB, base: int, start: int):
        self.tb, self.base, self.start = tb, base, start

    async def readl(self, offset: int) -> int:
        return await self.tb.read32(self.start - self.base + offset)

    async def writel(self, value: int, offset: int) -> None:
        await self.tb.write32(self.start - self.base + offset, value)

    def __repr__(self) -> str:
        return f"<ioremap {self.start:#010x}>"
