"""Host DRAM as the NIC and the CPU see it, and the IOMMU-style fence on every NIC access.

``HostMemory`` owns the DRAM bytes (cpu_view.Dram) and is two things at once:

* the *CPU view* the kernel model's loads/stores go through (``install(kernel, hostmem)``):
  cacheable memory through ``CpuCache``, uncached memory (dma_alloc_coherent on a non-coherent
  device) through ``WriteBuffer``; cache maintenance and barriers from the DMA API land here;
* the *device side*: ``device_read(addr, length)``/``device_write(addr, data)`` are one NIC
  transaction each, checked by the fence, then served from DRAM.  For cocotbext-axi, give
  ``AxiRam(..., mem=hostmem.axi_mem())`` and call ``hostmem.attach_axi(ram)`` right after
  building it: every AR/AW burst is fenced once, its beats are served by the same DRAM.

Ordering.  The write buffer (cpu_view.WriteBuffer) holds uncached stores; wmb/mb/rmb, a writel,
and the DSB ending every DMA cache operation drain it; dma_wmb/dma_rmb are order points only
(ARM's DMB), unless ``dmb_drains=True`` asks for the simpler "every DMA barrier drains" model.
Stores to cacheable memory are never reordered here.

Coherence.  ``coherent=False`` (an HP port, the Zynq default): the NIC sees DRAM only -- dirty
lines it cannot see, stale lines the CPU keeps.  ``coherent=True`` (the ACP): before a NIC read
the lines it covers are cleaned, before a NIC write they are cleaned and invalidated.  That is
observably the same as a snooping ACP (the NIC gets the CPU's latest data; the CPU's next load
misses and refills with the NIC's data) and keeps one code path.  This is the *hardware*; what
the kernel believes comes from the device tree (``dma-coherent``), and a mismatch reproduces the
board bug it is.

Fence (per transaction, against the live DMA-debug entries of ``dev``, or of every device, at
the granularity of one 8-byte bus beat: a 64-bit master reads whole beats and writes with
strobes, so the rest of the beat a mapping starts or ends in is not a fault):
  - a device *read* needs a coherent allocation, or a streaming mapping DMA_TO_DEVICE or
    DMA_BIDIRECTIONAL; a device *write* needs a coherent allocation, or DMA_FROM_DEVICE or
    DMA_BIDIRECTIONAL -- the IOMMU permissions the kernel derives (dma_info_to_prot:
    TO_DEVICE = IOMMU_READ, FROM_DEVICE = IOMMU_WRITE);
  - every byte must be covered; a part synced for the CPU (sync_for_cpu, not yet back) is the
    CPU's, and the device touching it is a fault too; an address above the device's DMA mask
    is a fault.
  A fault is recorded (``IommuFault``: address, length, direction, reason, nearest mapping,
  time) and printed; then, with ``fault_policy="complete"`` (default: the Zynq has no SMMU,
  so what follows is what the board would do) the access completes; with ``"abort"`` a write
  is dropped and a read returns zeros (on the AXI port: SLVERR).  The bus never hangs.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Optional

from pydriver.kernel import core, mm
from pydriver.kernel.barrier import BARRIER_EFFECT
from pydriver.kernel.dma import dma_get_mask
from pydriver.kernel.dma_debug import (DIR2NAME, DMA_BIDIRECTIONAL, DMA_FROM_DEVICE,
                                       DMA_TO_DEVICE, TYPE2NAME, dma_debug_coherent,
                                       dma_debug_entries, dma_debug_entries_at,
                                       dma_debug_recently_freed, dma_debug_reports)
from pydriver.kernel.printk import KERN_ERR, printk
from tb.harness.cpu_view import CpuCache, Dram, WriteBuffer

DRAM_SIZE = 512 << 20


@dataclass(frozen=True)
class MappingInfo:
    """A snapshot of one DMA-debug entry, for fault reports."""
    type: str
    direction: str
    dev_addr: int
    size: int
    site: str
    unmapped_at: Optional[str] = None     # set if it was already unmapped/freed

    @classmethod
    def of(cls, e, unmapped_at=None):
        return cls(TYPE2NAME[e.type], DIR2NAME[e.direction], e.dev_addr, e.size, e.site,
                   unmapped_at)

    def __str__(self):
        s = (f"{self.type} {self.direction} [0x{self.dev_addr:08x}-0x{self.dev_addr + self.size:08x})"
             f" mapped at {self.site}")
        return s + (f", unmapped at {self.unmapped_at}" if self.unmapped_at else "")


@dataclass(frozen=True)
class IommuFault:
    addr: int
    length: int
    direction: str                       # "read" or "write", as the device does it
    reason: str
    nearest_mapping: Optional[MappingInfo]
    time_ns: int = 0

    def __str__(self):
        near = f"; nearest: {self.nearest_mapping}" if self.nearest_mapping else ""
        return (f"IOMMU fault: device {self.direction} 0x{self.addr:08x}+{self.length} "
                f"at {self.time_ns} ns: {self.reason}{near}")


class DmaCheckError(AssertionError):
    """check_clean(): DMA-API debug reports or IOMMU faults were recorded."""


class IommuAbort(Exception):
    """Raised to cocotbext-axi (fault_policy="abort") so the beat is answered with SLVERR."""


def _permits(e, write: bool) -> bool:
    if e.type == dma_debug_coherent or e.direction == DMA_BIDIRECTIONAL:
        return True
    return e.direction == (DMA_FROM_DEVICE if write else DMA_TO_DEVICE)


def _covered(spans, lo: int, hi: int) -> bool:
    for s, e in sorted(spans):
        if s > lo:
            return False
        lo = max(lo, e)
        if lo >= hi:
            return True
    return lo >= hi


class HostMemory:
    """DRAM, the CPU's cache and write buffer, and the NIC's fenced port (see the module text)."""

    def __init__(self, size: int = DRAM_SIZE, line_size: int = 32, coherent: bool = False,
                 fault_policy: str = "complete", clock: Optional[Callable[[], int]] = None,
                 dev=None, name: str = "hostmem", cache_capacity_lines: Optional[int] = None,
                 wb_slot_bytes: int = 8, wb_max_slots: int = 16, wb_drain_ns: int = 2000,
                 dmb_drains: bool = False, speculate: float = 0.0, seed: int = 0, granule: int = 8):
        # The fence's granularity: the DMA bus's beat (8 bytes). A 64-bit master reads whole
        # beats and writes with byte strobes, so a burst may cover the rest of the beat a
        # mapping starts or ends in without touching memory it does not own.
        self.granule = granule
        if fault_policy not in ("complete", "abort"):
            raise ValueError("fault_policy is 'complete' or 'abort'")
        self.size, self.line_size, self.coherent = size, line_size, coherent
        self.fault_policy, self.clock, self.dev, self.name = fault_policy, clock, dev, name
        self.dram = Dram(size)
        self.cache = CpuCache(self.dram, line_size, cache_capacity_lines)
        self.wbuf = WriteBuffer(self.dram, wb_slot_bytes, wb_max_slots, wb_drain_ns)
        # True: dma_wmb/dma_rmb drain like wmb (simpler, hides "dma_wmb + writel_relaxed")
        self.dmb_drains = dmb_drains
        # Assumption (off by default): ARMv7 may fill clean lines speculatively at any time.
        self.speculate, self.rng = speculate, random.Random(seed)
        self.kernel = None
        self.faults = []
        # Fault injection (tb/harness/dma_faults.py): fence_hook(addr, length, direction) sees every
        # burst first and may return a reason to refuse it; the refused span, per direction,
        # stays refused for that burst's beats (AxiPort) until the next burst is fenced.
        self.fence_hook: Optional[Callable] = None
        self._refused: dict = {}
        self.barriers = Counter()
        self.stats = Counter()

    def now_ns(self) -> int:
        return int(self.clock()) if self.clock else 0

    def _tick(self) -> None:
        self.wbuf.tick(self.now_ns())

    # --- the CPU view (pydriver/kernel/mm.py) ---------------------------------------------

    def cpu_read(self, phys: int, n: int, cached: bool) -> bytes:
        self._tick()
        if cached:
            self._speculate(phys + n)
            return self.cache.read(phys, n)
        return self.wbuf.forward(phys, n, self.dram.read(phys, n))

    def cpu_write(self, phys: int, data: bytes, cached: bool) -> None:
        self._tick()
        if cached:
            self.cache.write(phys, data)
            self._speculate(phys + len(data))
        else:
            self.wbuf.store(phys, data, self.now_ns())

    def memory_write(self, phys: int, data: bytes) -> None:
        self.dram.write(phys, data)

    # ARMv7's DMA cache routines end in a DSB, which also empties the write buffer.
    def cache_clean(self, phys: int, size: int) -> None:
        self.wbuf.drain()
        self.cache.clean(phys, size)

    def cache_inv(self, phys: int, size: int) -> None:
        self.wbuf.drain()
        self.cache.invalidate(phys, size)

    def cache_clean_inv(self, phys: int, size: int) -> None:
        self.wbuf.drain()
        self.cache.clean_inv(phys, size)

    def barrier(self, kind: str) -> None:
        self.barriers[kind] += 1
        effect = BARRIER_EFFECT.get(kind)
        if effect == "drain" or (effect == "order" and self.dmb_drains):
            self.wbuf.drain()
        elif effect == "order":
            self.wbuf.order()

    def _speculate(self, next_addr: int) -> None:
        if not self.speculate or self.rng.random() >= self.speculate:
            return
        cands = [next_addr]     # the next-line prefetcher, and any buffer the device may write
        cands += [e.dev_addr + self.rng.randrange(max(e.size, 1)) for e in self._entries()
                  if e.type != dma_debug_coherent and e.direction != DMA_TO_DEVICE]
        addr = self.rng.choice(cands)
        if 0 <= addr < self.size and self.cache.fill_clean(addr):
            self.stats["speculative_fills"] += 1

    # --- the device side --------------------------------------------------------------------

    def device_read(self, addr: int, length: int) -> bytes:
        """One NIC read transaction: fenced, then served (snooped if coherent)."""
        if not self.fence(addr, length, "read") and self.fault_policy == "abort":
            return bytes(length)
        return self._dev_read(addr, length)

    def device_write(self, addr: int, data) -> None:
        """One NIC write transaction."""
        data = bytes(data)
        if not self.fence(addr, len(data), "write") and self.fault_policy == "abort":
            return
        self._dev_write(addr, data)

    def _dev_read(self, addr: int, length: int) -> bytes:
        self._tick()
        self.stats["device_read_bytes"] += length
        if self.coherent and addr < self.size:
            self.cache.clean(addr, length)
        return self.dram.read(addr, length)

    def _dev_write(self, addr: int, data: bytes) -> None:
        self._tick()
        self.stats["device_write_bytes"] += len(data)
        if self.coherent and addr < self.size:
            self.cache.clean_inv(addr, len(data))
        self.dram.write(addr, data)

    def _entries(self, addr=None, length=None, dev=None) -> list:
        k, dev = self.kernel or core.current(), dev or self.dev
        if addr is None:
            return dma_debug_entries(dev, k)
        return dma_debug_entries_at(addr, length, dev, k)

    def evaluate(self, addr: int, length: int, direction: str, dev=None):
        """(reason, nearest MappingInfo) if the access would fault, else (None, None).
        `dev`: the device making it (default: the one given at construction, else any)."""
        dev = dev or self.dev
        span = self._refused.get(direction)
        if span and span[0] <= addr and addr + length <= span[1]:
            return span[2], None
        write = direction == "write"
        ents = self._entries(addr, max(length, 1), dev)
        mask = dma_get_mask(dev) if dev is not None else None
        if mask is not None and addr + length - 1 > mask:
            return f"above the device's DMA mask 0x{mask:x}", self._nearest(addr, length, ents, dev)
        ok, wrong, cpu = [], [], []
        g = self.granule
        for e in ents:
            lo = max(addr, e.dev_addr & ~(g - 1))
            hi = min(addr + length, (e.dev_addr + e.size + g - 1) & ~(g - 1))
            if not _permits(e, write):
                wrong.append(e)
            elif e.type != dma_debug_coherent and any(
                    s < hi - e.dev_addr and lo - e.dev_addr < t for s, t in e.cpu_owned):
                cpu.append(e)
            else:
                ok.append((lo, hi))
        if _covered(ok, addr, addr + length):
            return None, None
        if wrong:
            e = wrong[0]
            return (f"device {direction} of a {DIR2NAME[e.direction]} mapping "
                    f"(the device may only {'read' if write else 'write'} it)"), MappingInfo.of(e)
        if cpu:
            return ("buffer owned by the CPU (dma_sync_single_for_cpu without "
                    "dma_sync_single_for_device)"), MappingInfo.of(cpu[0])
        if ents:
            return "runs past the end of its mapping", MappingInfo.of(ents[0])
        return self._unmapped_reason(addr, length, dev)

    def _unmapped_reason(self, addr, length, dev):
        k = self.kernel or core.current()
        for e, site in reversed(dma_debug_recently_freed(k)):
            if (dev is None or e.dev is dev) and e.dev_addr < addr + length \
                    and addr < e.dev_addr + e.size:
                return "inside a mapping that was already unmapped", MappingInfo.of(e, site)
        reason = "outside any DMA mapping"
        if addr >= mm.PAGE_OFFSET:
            pa = addr - mm.PAGE_OFFSET + mm.PHYS_OFFSET     # __pa()
            hit = self._entries(pa, max(length, 1), dev)
            reason += (f" (a CPU virtual address? __pa() of it is 0x{pa:08x}"
                       + (", inside a live mapping)" if hit else ")"))
            if hit:
                return reason, MappingInfo.of(hit[0])
        return reason, self._nearest(addr, length, [], dev)

    def _nearest(self, addr, length, ents, dev=None):
        ents = ents or self._entries(dev=dev)
        if not ents:
            return None
        def dist(e):
            return max(e.dev_addr - (addr + length), addr - (e.dev_addr + e.size), 0)
        return MappingInfo.of(min(ents, key=dist))

    def fence(self, addr: int, length: int, direction: str, dev=None) -> bool:
        """Check one device transaction; record and print a fault. True if allowed."""
        self._refused.pop(direction, None)
        injected = self.fence_hook(addr, length, direction) if self.fence_hook else None
        if injected:
            g = self.granule                 # whole beats: AxiPort checks beat by beat
            self._refused[direction] = (addr & ~(g - 1), (addr + length + g - 1) & ~(g - 1), injected)
        reason, nearest = self.evaluate(addr, length, direction, dev)
        if reason is None:
            return True
        fault = IommuFault(addr, length, direction, reason, nearest, self.now_ns())
        self.faults.append(fault)
        if self.kernel is not None or core._current is not None:
            printk(KERN_ERR, "%s: %s", self.name, fault)
        return False

    # --- cocotbext-axi ------------------------------------------------------------------------

    def axi_mem(self, owner=None) -> "AxiPort":
        """The ``mem=`` object for AxiRam: beats served from this DRAM (fenced per burst by
        attach_axi; with fault_policy="abort" a faulting beat raises -> SLVERR). ``owner`` as
        for attach_axi."""
        return AxiPort(self, owner)

    def attach_axi(self, ram, owner=None) -> None:
        """Fence each AR/AW burst of ``ram`` (an AxiRam, or its read_if/write_if parts): wraps
        the address channels' recv().  Call right after building the AxiRam, before the next
        await (its read/write processes are scheduled by the constructor). With several NICs on
        one DRAM, ``owner.dma_dev`` (read per burst) names the device whose mappings count."""
        parts = [(getattr(ram, "read_if", ram), "ar", "read"),
                 (getattr(ram, "write_if", ram), "aw", "write")]
        for part, ch, direction in parts:
            chan = getattr(part, f"{ch}_channel", None)
            if chan is None:
                continue
            recv = chan.recv

            async def fenced(recv=recv, part=part, ch=ch, direction=direction):
                t = await recv()
                addr, n = axi_burst_span(t, ch, getattr(part, "byte_lanes", 8))
                self.fence(addr, n, direction, getattr(owner, "dma_dev", None))
                return t
            chan.recv = fenced

    # --- results ----------------------------------------------------------------------------------

    def iommu_faults(self) -> list:
        return list(self.faults)

    def take_iommu_faults(self) -> list:
        """Return and forget the faults (a test that expects them takes them)."""
        out, self.faults = self.faults, []
        return out

    def dma_debug_reports(self) -> list:
        return dma_debug_reports(self.kernel)

    def check_clean(self) -> None:
        """Raise DmaCheckError listing every DMA-API debug report and IOMMU fault."""
        reps, faults = self.dma_debug_reports(), self.faults
        if reps or faults:
            raise DmaCheckError(
                f"{len(reps)} DMA-API debug report(s), {len(faults)} IOMMU fault(s):\n"
                + "\n".join([str(r) for r in reps] + [str(f) for f in faults]))


def axi_burst_span(t, ch: str, byte_lanes: int):
    """(first byte, length) an AXI AR/AW transaction covers (INCR, FIXED or WRAP)."""
    addr = int(getattr(t, f"{ch}addr"))
    beats = int(getattr(t, f"{ch}len", 0)) + 1
    nbytes = 2 ** int(getattr(t, f"{ch}size", (byte_lanes - 1).bit_length()))
    burst = int(getattr(t, f"{ch}burst", 1))
    aligned = addr - addr % nbytes
    if burst == 0:                                   # FIXED
        return addr, aligned + nbytes - addr
    if burst == 2:                                   # WRAP
        total = nbytes * beats
        return addr - addr % total, total
    return addr, aligned + nbytes * beats - addr     # INCR


class AxiPort:
    """cocotbext-axi Memory ``mem``: a 32-bit address space served by HostMemory."""

    def __init__(self, host: HostMemory, owner=None):
        self.host, self.owner = host, owner

    def __len__(self):
        return 1 << 32   # no wrap-around: AxiRam takes addresses modulo len(mem)

    def __getitem__(self, key):
        start, stop = (key.start or 0, key.stop) if isinstance(key, slice) else (key, key + 1)
        self._abort(start, stop - start, "read")
        data = self.host._dev_read(start, stop - start)
        return data if isinstance(key, slice) else data[0]

    def __setitem__(self, key, value):
        data = bytes(value) if isinstance(key, slice) else bytes([value])
        start = key.start or 0 if isinstance(key, slice) else key
        self._abort(start, len(data), "write")
        self.host._dev_write(start, data)

    def _abort(self, addr, n, direction):
        if self.host.fault_policy == "abort" and \
                self.host.evaluate(addr, n, direction, getattr(self.owner, "dma_dev", None))[0]:
            raise IommuAbort(f"{direction} 0x{addr:08x}+{n}")


def install(kernel, hostmem: HostMemory) -> HostMemory:
    """Make ``hostmem`` the CPU view of ``kernel`` (the booted, current one), before anything is
    allocated: kmalloc alignment, dma_alloc_coherent and every CPU load/store use it."""
    if kernel is not core._current:
        raise ValueError("install: kernel is not the running one (boot it first)")
    mm.mm_init(view=hostmem, dram_size=hostmem.size)
    hostmem.kernel = kernel
    if hostmem.clock is None:
        hostmem.clock = kernel.now_ns
    return hostmem
