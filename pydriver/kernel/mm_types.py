"""Types and constants the memory model shares (linux/mm_types.h, asm/memory.h, gfp_types.h):
struct page, allocation records, the flat CPU view used when no harness is installed, and the
call-site helper that names where an allocation or a mapping was made."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_MASK = ~(PAGE_SIZE - 1)
PAGE_OFFSET = 0xC0000000
PHYS_OFFSET = 0
VMALLOC_OFFSET = 8 << 20
VMALLOC_END = 0xFF800000
MAX_LOWMEM = 760 << 20          # ARM's default vmalloc=240M leaves 760 MiB of lowmem
DRAM_SIZE_DEFAULT = 512 << 20   # ZYBO
L1_CACHE_BYTES_DEFAULT = 32     # Cortex-A9 L1 line; the installed view may say otherwise
KERNEL_RESERVED = 1 << 20       # vectors, page tables, kernel image
NORMAL_START = 16 << 20         # model placement: ordinary allocations start here
ZERO_SIZE_PTR = 16              # kmalloc(0)

# gfp_t (include/linux/gfp_types.h, 6.1)
__GFP_DMA = 0x01
__GFP_HIGH = 0x20
__GFP_IO = 0x40
__GFP_FS = 0x80
__GFP_ZERO = 0x100
__GFP_NOWARN = 0x2000
GFP_KERNEL = 0xCC0
GFP_ATOMIC = 0xA20
GFP_NOWAIT = 0x800
GFP_DMA = __GFP_DMA

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))


_FILES: dict = {}   # co_filename -> (absolute path, path shown): every allocation asks


def caller_site(skip_dirs=()) -> str:
    """"path:line in func" of the nearest caller outside the kernel layer (the driver or test
    that made the call), for leak reports and "Mapped at:"."""
    f = sys._getframe(1)
    skip = (_HERE,) + tuple(skip_dirs)
    while f is not None:
        co = f.f_code
        known = _FILES.get(co.co_filename)
        if known is None:
            fn = os.path.abspath(co.co_filename)
            known = _FILES[co.co_filename] = (fn, os.path.relpath(fn, _ROOT) if fn.startswith(_ROOT) else fn)
        if not known[0].startswith(skip):
            return f"{known[1]}:{f.f_lineno} in {co.co_name}"
        f = f.f_back
    return "?"


class FlatMemory:
    """The CPU view without a harness: sparse DRAM, no cache, no write buffer."""

    def __init__(self, size: int = DRAM_SIZE_DEFAULT, line_size: int = L1_CACHE_BYTES_DEFAULT):
        self.size, self.line_size = size, line_size
        self._pages = {}

    def memory_read(self, phys: int, n: int) -> bytes:
        out = bytearray()
        while n > 0:
            base, off = phys & PAGE_MASK, phys & (PAGE_SIZE - 1)
            k = min(n, PAGE_SIZE - off)
            page = self._pages.get(base)
            out += page[off:off + k] if page is not None else bytes(k)
            phys, n = phys + k, n - k
        return bytes(out)

    def memory_write(self, phys: int, data) -> None:
        data, i = memoryview(bytes(data)), 0
        while i < len(data):
            base, off = (phys + i) & PAGE_MASK, (phys + i) & (PAGE_SIZE - 1)
            k = min(len(data) - i, PAGE_SIZE - off)
            self._pages.setdefault(base, bytearray(PAGE_SIZE))[off:off + k] = data[i:i + k]
            i += k

    def cpu_read(self, phys, n, cached):
        return self.memory_read(phys, n)

    def cpu_write(self, phys, data, cached):
        self.memory_write(phys, data)

    def cache_clean(self, phys, size): pass
    def cache_inv(self, phys, size): pass
    def cache_clean_inv(self, phys, size): pass
    def barrier(self, kind): pass


@dataclass(eq=False)
class Allocation:
    """One live allocation, for accounting and leak reports."""
    kind: str          # "kmalloc", "pages", "coherent", ...
    vaddr: int
    phys: int
    size: int
    site: str
    seq: int
    order: int = 0
    cache: object = None      # the kmalloc cache of a slab object

    def __str__(self):
        return f"{self.kind} 0x{self.vaddr:08x} (size {self.size}) allocated at {self.site}"


@dataclass(eq=False)
class VmArea:
    vaddr: int
    size: int
    phys: int
    cached: bool


class Page:
    """struct page, by page frame number."""
    __slots__ = ("pfn",)

    def __init__(self, pfn: int):
        self.pfn = pfn

    def __eq__(self, other):
        return isinstance(other, Page) and other.pfn == self.pfn

    def __hash__(self):
        return hash(self.pfn)

    def __repr__(self):
        return f"<page pfn 0x{self.pfn:x}>"
