"""The model's own DMA checks on the CPU side (the kernel's dma-debug has none of these).

* A CPU load or store of a streaming buffer while the device owns it -- between map (or
  sync_for_device) and unmap (or sync_for_cpu) -- except loads of a DMA_TO_DEVICE buffer,
  which the device only reads too.  One report per buffer and kind until it changes hands.
* A CPU store into a cache line shared with a device-owned, device-writable buffer: on a
  non-coherent CPU one of the two writes is lost (Documentation/core-api/dma-api-howto.rst).
* Freeing (kfree, free_pages) memory that is still mapped.

Called by mm.py's accessors and allocators (and slab's kfree) through the mm hooks this module
registers at import; reports go through dma_debug.err_printk, tagged ``model=True``.
"""

from __future__ import annotations

from . import mm
from .dma_debug import (DIR2NAME, DMA_TO_DEVICE, _line_shift, _pages, _state,
                        dma_debug_coherent, err_printk)


def _device_owned(e, lo, hi):
    """Parts of [lo, hi) (physical) of streaming entry e that the device owns."""
    lo, hi = max(lo, e.paddr) - e.paddr, min(hi, e.paddr + e.size) - e.paddr
    if lo >= hi:
        return False
    for s, t in e.cpu_owned:
        if s <= lo and hi <= t:
            return False
    return True


def debug_dma_cpu_access(vaddr: int, phys: int, n: int, write: bool) -> None:
    st = _state()
    if not st.phys_pages:
        return
    lsz = 1 << _line_shift()
    lo, hi = (phys & ~(lsz - 1), (phys + n + lsz - 1) & ~(lsz - 1)) if write else (phys, phys + n)
    seen = set()
    for p in _pages(lo, hi - lo):
        for e in st.phys_pages.get(p, ()):
            if id(e) in seen or e.type == dma_debug_coherent:
                continue
            seen.add(id(e))
            if _device_owned(e, phys, phys + n):
                if (write or e.direction != DMA_TO_DEVICE) and ("own", write) not in e.reported:
                    e.reported.add(("own", write))
                    what = "writes to" if write else "reads"
                    err_printk(e.dev, e, "cpu_access_device_owned",
                               f"cpu {what} DMA memory owned by the device "
                               f"[device address=0x{e.dev_addr:016x}] [size={e.size} bytes] "
                               f"[mapped with {DIR2NAME[e.direction]}] [cpu address=0x{vaddr:08x}] "
                               f"[access size={n} bytes]", model=True)
            elif (write and e.direction != DMA_TO_DEVICE and _device_owned(e, lo, hi)
                  and ("line", True) not in e.reported):
                e.reported.add(("line", True))
                edges = (e.paddr & ~(lsz - 1), (e.paddr + e.size - 1) & ~(lsz - 1))
                line = next((c for c in edges if lo <= c < hi), lo)
                err_printk(e.dev, e, "cacheline_shared",
                           "cpu writes to a cache line shared with DMA memory owned by the device "
                           f"[cacheline=0x{line:08x}] [device address=0x{e.dev_addr:016x}] "
                           f"[size={e.size} bytes] [mapped with {DIR2NAME[e.direction]}]",
                           model=True)


def debug_dma_free_memory(phys: int, size: int, what: str) -> None:
    st = _state()
    seen = set()
    for p in _pages(phys, size):
        for e in st.phys_pages.get(p, ()):
            if id(e) not in seen and e.paddr < phys + size and phys < e.paddr + e.size:
                seen.add(id(e))
                err_printk(e.dev, e, "free_while_mapped",
                           f"{what}() of memory that is still DMA-mapped "
                           f"[device address=0x{e.dev_addr:016x}] [size={e.size} bytes] "
                           f"[mapped with {DIR2NAME[e.direction]}]", model=True)


mm.cpu_access_hooks.append(debug_dma_cpu_access)
mm.free_memory_hooks.append(debug_dma_free_memory)
