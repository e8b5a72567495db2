"""The board: the kernel model booted on a device tree, and the CPU's physical address map.

The address map is the hardware's truth and comes from the *base* device tree
(sim/ringnic.dts): the NIC's AXI-Lite window sits where its node says. A test may hand the
kernel a *variant* of that tree (a dtc overlay such as ``&ringnic0 { ... };``) to describe a
board mistake -- a wrong compatible, a missing interrupt, a reg that points at another
peripheral -- without changing what is really on the bus.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import functools

import cocotb
from cocotb.triggers import Timer, with_timeout
from cocotbext.axi import SparseMemoryRegion

from pydriver import kernel
from pydriver.kernel import of, platform
from pydriver.kernel.netdev_queue import dev_queue_xmit, dev_queue_xmit_list
from pydriver.kernel.netdevice import dev_get_by_name, dev_open, netif_carrier_ok
from pydriver.kernel.netif_rx import register_rx_sink
from pydriver.kernel.skbuff import skb_from_bytes
from pydriver.ringnic import main as ringnic
from tb.harness.hostmem import DmaCheckError, install
from tb.harness.irq import IrqLine, install_cpu_backend
from tb.harness.ringnic_tb import RingnicTB
from tb.tools.runner import ROOT, wave_path

DTS = ROOT / "sim" / "ringnic.dts"
# A peripheral that is not a ringnic: an AXI BRAM controller (reads what was written, 0 else).
BRAM_BASE, BRAM_SIZE = 0x40000000, 0x20000


class BramWindow:
    """MMIO view of the AXI BRAM: plain memory (cocotbext-axi's SparseMemoryRegion)."""

    def __init__(self, size: int):
        self.mem = SparseMemoryRegion(size)

    async def readl(self, offset: int) -> int:
        return int.from_bytes(await self.mem.read(offset, 4), "little")

    async def writel(self, value: int, offset: int) -> None:
        await self.mem.write(offset, int(value).to_bytes(4, "little"))


def compile_dts(overlay: str = "", dts: Path = DTS) -> bytes:
    """The base tree plus `overlay` (dtc syntax, appended after an /include/), compiled by dtc."""
    if not overlay:
        return of.dtc_compile(dts)
    with tempfile.TemporaryDirectory() as tmp:
        variant = Path(tmp) / "variant.dts"
        variant.write_text(f'/include/ "{dts}"\n{overlay}\n')
        return of.dtc_compile(variant)


def nic_windows(dts: Path = DTS) -> list[tuple[str, int, int]]:
    """(label-ish name, base, size) of every ringnic node in the base tree, in tree order."""
    root = of.of_fdt_unflatten(compile_dts(dts=dts))
    out = []
    np = of.of_find_compatible_node(None, None, ringnic.COMPATIBLE, root=root)
    while np is not None:
        res = of.of_address_to_resource(np, 0)
        out.append((np.full_name, res.start, res.end - res.start + 1))
        np = of.of_find_compatible_node(np, None, ringnic.COMPATIBLE, root=root)
    return out


_boards: list = []  # the boards of the running test, checked when it ends


class BoardCheckError(AssertionError):
    """A test left DMA-API debug reports, IOMMU faults or kernel BUGs it did not expect."""


def checked_test(**kwargs):
    """`cocotb.test(**kwargs)` plus what every test gets for free when it ends: no DMA-API debug
    report, no IOMMU fault and no kernel BUG on any board it booted. A test that provokes one
    on purpose consumes it (`Board.take_bugs`, `hostmem.take_iommu_faults`,
    `dma_debug_take_reports`) and asserts on it."""

    def decorate(fn):
        @functools.wraps(fn)
        async def run(dut, *args, **kw):
            _boards.clear()
            try:
                await fn(dut, *args, **kw)
            finally:
                for b in _boards:
                    b.write_pcaps()
            for b in _boards:
                b.check_clean()

        return cocotb.test(**kwargs)(run)

    return decorate


class Board:
    """One booted kernel with its NIC(s) on the bus.

    `nics` are the NICs of the toplevel, in the order of the ringnic nodes of `dts`: the n-th node's
    register window is the n-th NIC's AXI-Lite port, and its interrupt that NIC's irq line.
    """

    def __init__(self, tb: RingnicTB, dts: Path = DTS, nics: list | None = None):
        self.tb, self.dts = tb, dts
        self.nics = nics or [tb]
        self.bram = BramWindow(BRAM_SIZE)
        self.kernel = None
        self.root = None
        self.hostmem = tb.hostmem
        self.irq_line = None      # the first NIC's; irq_lines has them all
        self.irq_lines = {}       # NIC -> IrqLine
        self.received: list[bytes] = []  # frames the stack got from netif_receive_skb, any device
        self.rx: dict[str, list[bytes]] = {}  # ... per device name
        self.rx_hooks: dict[str, list] = {}   # name -> [hook(frame)], what sits on a stack side
        self.captures = [n.capture for n in self.nics if n.capture is not None]  # wires, for pcaps
        _boards.append(self)

    def write_pcaps(self) -> list[Path]:
        """Each wire's capture next to the test's waveform: build/waves/<sim>/<test>[-<wire>].pcap."""
        sim, test = os.environ.get("RINGNIC_SIM"), os.environ.get("RINGNIC_TEST")
        if not (sim and test):
            return []
        base = wave_path(sim, test).with_suffix("")
        several = len(self.captures) > 1
        paths = [c.write(Path(f"{base}-{c.name}.pcap" if several else f"{base}.pcap")) for c in self.captures]
        return [p for p in paths if p is not None]

    def take_bugs(self) -> list:
        """The kernel BUGs recorded so far (and forget them): for tests that provoke one."""
        bugs, self.kernel.bugs[:] = list(self.kernel.bugs), []
        return bugs

    def check_clean(self) -> None:
        problems = [f"kernel BUG: {b}" for b in self.kernel.bugs] if self.kernel else []
        try:
            self.hostmem.check_clean()
        except DmaCheckError as exc:
            problems.append(str(exc))
        if problems:
            raise BoardCheckError("\n".join(problems))

    async def boot(self, overlay: str = ""):
        """Boot the kernel model on the base tree (+ overlay) and populate its platform devices."""
        self.kernel = kernel.boot(clock=lambda: int(self.tb.now_ns()))
        logging.getLogger("kernel").setLevel(logging.DEBUG)  # dmesg into the simulation log too
        install(self.kernel, self.hostmem)  # the CPU's loads and stores go through its cache
        install_cpu_backend()  # softirqs, timers and work items run as cocotb tasks
        windows = nic_windows(self.dts)
        assert len(windows) == len(self.nics), f"{self.dts.name}: {len(windows)} NIC nodes for {len(self.nics)} NICs"
        self.windows = {base: nic for (_, base, _), nic in zip(windows, self.nics)}
        for (_, base, size), nic in zip(windows, self.nics):
            platform.register_iomem_backend(base, size, lambda start, n, nic=nic, base=base: nic.mmio(base, start))
        platform.register_iomem_backend(BRAM_BASE, BRAM_SIZE, lambda start, n: self.bram)
        self.root = of.of_fdt_unflatten(compile_dts(overlay, self.dts))
        platform.of_platform_populate(self.root)
        return self.kernel

    async def modprobe(self, **params) -> int:
        """`modprobe ringnic`; each bound NIC gets its interrupt line wired to the CPU, and its
        DMA port fenced against its own device's mappings."""
        rc = await ringnic.ringnic_init_module(**params)
        for pdev in platform.platform_devices():
            res = platform.platform_get_resource(pdev, platform.IORESOURCE_MEM, 0)
            nic = self.windows.get(res.start) if res is not None else None
            if pdev.dev.driver is not ringnic.ringnic_driver or nic is None:
                continue
            nic.dma_dev = pdev.dev
            if nic not in self.irq_lines:
                self.irq_lines[nic] = IrqLine(nic, platform.platform_get_irq(pdev, 0), signal=nic.irq).start()
        self.irq_line = self.irq_lines.get(self.nics[0])
        return rc

    async def rmmod(self) -> None:
        await ringnic.ringnic_exit_module()

    # ---- the stack side: `ip link set up`, sending, receiving
    async def ifup(self, name: str = "eth0", timeout_ns: int = 50_000):
        """`ip link set <name> up`, then wait (simulated time) for the link the driver reports."""
        ndev = dev_get_by_name(name)
        rc = await dev_open(ndev)
        assert rc == 0, f"dev_open({name}) = {rc}"
        got = self.rx.setdefault(name, [])

        def sink(dev, frame, skb):
            self.received.append(frame)
            got.append(frame)
            for hook in self.rx_hooks.get(name, ()):
                hook(frame)
        register_rx_sink(ndev, sink)
        waited = 0
        while not netif_carrier_ok(ndev):
            assert waited < timeout_ns, f"{name}: no carrier after {timeout_ns} ns"
            await Timer(200, "ns")
            waited += 200
        return ndev

    async def send(self, ndev, frames, frag_sizes=(), batch: bool = True) -> None:
        """Hand frames (scapy packets or bytes, no FCS) to the stack's TX path for `ndev`."""
        skbs = [skb_from_bytes(ndev, bytes(f), frag_sizes) for f in frames]
        if batch:
            await dev_queue_xmit_list(skbs)
        else:
            for skb in skbs:
                await dev_queue_xmit(skb)

    async def wire_frames(self, n: int, timeout_ns: int = 1_000_000) -> list[bytes]:
        """The next `n` frames the NIC put on the wire (with their FCS)."""
        out = []
        for _ in range(n):
            frame = await with_timeout(self.tb.wire_tx.recv(), timeout_ns, "ns")
            out.append(bytes(frame.tdata))
        return out

    def pdev(self):
        """The platform device of the (first) ringnic node."""
        return next(d for d in platform.platform_devices() if of.of_device_is_compatible(d.dev.of_node, ringnic.COMPATIBLE))
