"""swiotlb: bounce buffers for memory a device cannot reach (Documentation/core-api/swiotlb.rst).

A pool of 2 KiB slots in low memory.  dma-direct maps through it when the buffer lies above the
device's DMA mask (or always, with ``swiotlb_init(force=True)``, like ``swiotlb=force``).  Mapping
always copies the buffer into the slots (a CPU copy, through the CPU's cache); sync_for_cpu and
unmap of FROM_DEVICE/BIDIRECTIONAL copy back; sync_for_device of TO_DEVICE/BIDIRECTIONAL copies
in again.  A mapping may not cross a 128-slot segment (256 KiB max); slots are searched next-fit,
page-aligned for mappings of a page or more.  When nothing fits: "swiotlb buffer is full" and
DMA_MAPPING_ERROR, which the driver must catch with dma_mapping_error().

The pool is set up on first use (default 1 MiB, placed below 16 MiB); ``swiotlb_init(size,
phys, force)`` chooses size and place, ``swiotlb_exit()`` removes it (then an address above the
mask cannot be mapped at all, as on a Zynq kernel that never initialised swiotlb).
"""

from __future__ import annotations

from typing import Optional

from .core import current
from .dma_debug import warn_report
from .dma_types import DMA_ATTR_SKIP_CPU_SYNC, DMA_BIDIRECTIONAL, DMA_FROM_DEVICE, DMA_TO_DEVICE
from .errno import ENOMEM
from .mm import (NORMAL_START, PAGE_SIZE, _phys_read, _phys_write, alloc_phys_pages, get_order,
                 release_phys_pages, reserve_phys, unreserve_phys)
from .printk import dev_warn, pr_err, pr_info

IO_TLB_SHIFT = 11
IO_TLB_SIZE = 1 << IO_TLB_SHIFT
IO_TLB_SEGSIZE = 128
SWIOTLB_DEFAULT_SIZE = 1 << 20


class _Mapping:
    __slots__ = ("tlb", "orig", "alloc_size", "nslots")

    def __init__(self, tlb, orig, alloc_size, nslots):
        self.tlb, self.orig, self.alloc_size, self.nslots = tlb, orig, alloc_size, nslots


class IoTlbMem:
    """struct io_tlb_mem."""

    def __init__(self, start: int, size: int, force: bool, reserved: bool):
        self.start, self.end = start, start + size
        self.nslabs = size >> IO_TLB_SHIFT
        self.force = force
        self.reserved = reserved        # reserve_phys() (fixed place) vs alloc_phys_pages()
        self.index = 0
        self.slots = [None] * self.nslabs  # slot -> _Mapping
        self.used = 0


def swiotlb_init(size: int = SWIOTLB_DEFAULT_SIZE, phys: Optional[int] = None,
                 force: bool = False) -> int:
    """(Re)create the pool: ``size`` bytes at ``phys`` (default: anywhere below 16 MiB)."""
    k = current()
    if isinstance(k.swiotlb, IoTlbMem) and k.swiotlb.used:
        raise ValueError("swiotlb_init: the pool has live mappings")
    swiotlb_exit()
    size = max(PAGE_SIZE, (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
    if phys is None:
        phys = alloc_phys_pages(get_order(size), limit=NORMAL_START, memblock=True)
        reserved = False
        ok = phys >= 0
    else:
        ok = reserved = reserve_phys(phys, size)
    if not ok:
        pr_err("software IO TLB: cannot allocate %lu bytes", size)
        k.swiotlb = False
        return -ENOMEM
    k.swiotlb = IoTlbMem(phys, size, force, reserved)
    pr_info("software IO TLB: mapped [mem %#010x-%#010x] (%uMB)", phys, phys + size - 1,
            size >> 20)
    return 0


def swiotlb_exit() -> None:
    k = current()
    mem = k.swiotlb
    if isinstance(mem, IoTlbMem):
        if mem.reserved:
            unreserve_phys(mem.start, mem.end - mem.start)
        else:
            release_phys_pages(mem.start, get_order(mem.end - mem.start))
    k.swiotlb = False


def _mem() -> Optional[IoTlbMem]:
    k = current()
    if k.swiotlb is None:
        swiotlb_init()
    return k.swiotlb or None


def is_swiotlb_active(dev=None) -> bool:
    return _mem() is not None


def is_swiotlb_force_bounce(dev=None) -> bool:
    mem = _mem()
    return mem is not None and mem.force


def is_swiotlb_buffer(dev, phys: int) -> bool:
    mem = current().swiotlb
    return isinstance(mem, IoTlbMem) and mem.start <= phys < mem.end


def swiotlb_max_mapping_size(dev=None) -> int:
    return IO_TLB_SIZE * IO_TLB_SEGSIZE


def swiotlb_used() -> int:
    """Slots in use (debugfs io_tlb_used)."""
    mem = current().swiotlb
    return mem.used if isinstance(mem, IoTlbMem) else 0


def _find_slots(mem: IoTlbMem, nslots: int, stride: int) -> int:
    n = mem.nslabs
    first = -(-mem.index // stride) * stride % n
    for step in range(0, n, stride):
        i = (first + step) % n
        if i + nslots > n or i // IO_TLB_SEGSIZE != (i + nslots - 1) // IO_TLB_SEGSIZE:
            continue
        if all(s is None for s in mem.slots[i:i + nslots]):
            mem.index = (i + nslots) % n
            return i
    return -1


def _mapping(mem: IoTlbMem, tlb: int) -> _Mapping:
    return mem.slots[(tlb - mem.start) >> IO_TLB_SHIFT]


def swiotlb_bounce(dev, tlb: int, size: int, to_device: bool) -> None:
    """Copy between the original buffer and its slots, by CPU loads/stores."""
    mem = current().swiotlb
    m = _mapping(mem, tlb)
    off = tlb - m.tlb
    if off + size > m.alloc_size:
        warn_report(dev, "swiotlb_overflow", "Buffer overflow detected. Allocation size: "
                     f"{m.alloc_size}. Mapping size: {off + size}.")
        size = max(0, m.alloc_size - off)
    if to_device:
        _phys_write(tlb, _phys_read(m.orig + off, size))
    else:
        _phys_write(m.orig + off, _phys_read(tlb, size))


def swiotlb_tbl_map_single(dev, orig: int, size: int, dir: int, attrs: int = 0) -> int:
    """Slots holding a copy of [orig, orig+size): their physical address, or -1 when full."""
    mem = _mem()
    nslots = -(-size // IO_TLB_SIZE)
    stride = PAGE_SIZE >> IO_TLB_SHIFT if size >= PAGE_SIZE else 1
    i = _find_slots(mem, nslots, stride) if 0 < nslots <= IO_TLB_SEGSIZE else -1
    if i < 0:
        dev_warn(dev, "swiotlb buffer is full (sz: %d bytes), total %u (slots), used %u (slots)",
                 size, mem.nslabs, mem.used)
        return -1
    tlb = mem.start + (i << IO_TLB_SHIFT)
    m = _Mapping(tlb, orig, size, nslots)
    mem.slots[i:i + nslots] = [m] * nslots
    mem.used += nslots
    # always initialise the slots: never leak old swiotlb contents to the device
    swiotlb_bounce(dev, tlb, size, True)
    return tlb


def swiotlb_tbl_unmap_single(dev, tlb: int, size: int, dir: int, skip_sync: bool = False) -> None:
    mem = current().swiotlb
    m = _mapping(mem, tlb)
    if m is None:
        return
    if not skip_sync and dir in (DMA_FROM_DEVICE, DMA_BIDIRECTIONAL):
        swiotlb_bounce(dev, tlb, size, False)
    i = (m.tlb - mem.start) >> IO_TLB_SHIFT
    mem.slots[i:i + m.nslots] = [None] * m.nslots
    mem.used -= m.nslots


def swiotlb_sync_single_for_cpu(dev, tlb: int, size: int, dir: int) -> None:
    if _mapping(current().swiotlb, tlb) is not None and dir in (DMA_FROM_DEVICE, DMA_BIDIRECTIONAL):
        swiotlb_bounce(dev, tlb, size, False)


def swiotlb_sync_single_for_device(dev, tlb: int, size: int, dir: int) -> None:
    if _mapping(current().swiotlb, tlb) is not None and dir in (DMA_TO_DEVICE, DMA_BIDIRECTIONAL):
        swiotlb_bounce(dev, tlb, size, True)


def swiotlb_unmap(dev, tlb: int, size: int, dir: int, attrs: int = 0) -> None:
    """Copy back (unless DMA_ATTR_SKIP_CPU_SYNC) and free the slots."""
    swiotlb_tbl_unmap_single(dev, tlb, size, dir, skip_sync=bool(attrs & DMA_ATTR_SKIP_CPU_SYNC))
