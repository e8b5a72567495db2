"""kmalloc & co. (include/linux/slab.h), over the page allocator of mm.py.

Objects come from caches kmalloc-<size>; the smallest size and every object's alignment is
ARCH_KMALLOC_MINALIGN = the L1 line size (ARM's ARCH_DMA_MINALIGN), so two kmalloc objects never
share a cache line and any kmalloc buffer may be DMA-mapped.  Sizes above 4096 come straight
from the page allocator (kmalloc_large).  Freed objects are reused last-in first-out, as SLUB's
freelist does.  Every object records where it was allocated, for leak reports.
"""

from __future__ import annotations

from .core import Device
from .devres import devm_remove_action, devres_add
from .mm import (GFP_KERNEL, PAGE_SHIFT, PAGE_SIZE, ZERO_SIZE_PTR, __GFP_ZERO, __va,
                 _phys_write, alloc_phys_pages, caller_site, get_order, mm_state,
                 notify_free_memory, release_phys_pages, track, untrack)
from .fault_inject import should_fail
from .printk import kernel_bug

KMALLOC_SIZES = (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096)
KMALLOC_MAX_CACHE_SIZE = 4096


class KmemCache:
    def __init__(self, size: int):
        self.name = f"kmalloc-{size}"
        self.size = size
        self.per_slab = PAGE_SIZE // size
        self.free = []        # object physical addresses, LIFO
        self.slabs = {}       # slab page phys -> objects in use

    def __repr__(self):
        return f"<kmem_cache {self.name}>"


def _caches() -> list:
    mm = mm_state()
    if mm.slab is None:
        align = mm.line_size
        mm.slab = [KmemCache(s) for s in KMALLOC_SIZES if s >= align and s % align == 0]
    return mm.slab


def ARCH_KMALLOC_MINALIGN() -> int:  # noqa: N802 - a constant in C, the installed line size here
    return mm_state().line_size


def _cache_for(size: int):
    for c in _caches():
        if c.size >= size:
            return c
    return None


def kmalloc(size: int, gfp: int = GFP_KERNEL, _site=None) -> int:
    """Lowmem address of a new object of ``size`` bytes, 0 on failure, ZERO_SIZE_PTR for 0.

    The contents are whatever memory (or the cache) holds: kmalloc does not clear.
    """
    site = _site or caller_site()
    if size == 0:
        return ZERO_SIZE_PTR
    if should_fail("failslab", size, site):
        return 0
    if size > KMALLOC_MAX_CACHE_SIZE:
        order = get_order(size)
        phys = alloc_phys_pages(order, gfp)
        if phys < 0:
            return 0
        track("kmalloc", __va(phys), phys, size, order=order, site=site)
    else:
        cache = _cache_for(size)
        if not cache.free:
            slab = alloc_phys_pages(0, gfp)
            if slab < 0:
                return 0
            cache.slabs[slab] = 0
            cache.free.extend(reversed([slab + i * cache.size for i in range(cache.per_slab)]))
        phys = cache.free.pop()
        cache.slabs[phys & ~(PAGE_SIZE - 1)] += 1
        track("kmalloc", __va(phys), phys, size, cache=cache, site=site)
    if gfp & __GFP_ZERO:
        _phys_write(phys, bytes(size))
    return __va(phys)


def kzalloc(size: int, gfp: int = GFP_KERNEL) -> int:
    """kmalloc, zeroed by CPU stores (so the zeros sit in the cache, as on hardware)."""
    return kmalloc(size, gfp | __GFP_ZERO, _site=caller_site())


def kmalloc_array(n: int, size: int, gfp: int = GFP_KERNEL) -> int:
    return kmalloc(n * size, gfp, _site=caller_site())


def kcalloc(n: int, size: int, gfp: int = GFP_KERNEL) -> int:
    return kmalloc(n * size, gfp | __GFP_ZERO, _site=caller_site())


def ksize(ptr: int) -> int:
    a = mm_state().allocs.get(ptr)
    if a is None or a.kind != "kmalloc":
        return 0
    return a.cache.size if a.cache is not None else PAGE_SIZE << a.order


def kfree(ptr) -> None:
    """Free a kmalloc object; kfree(NULL) and kfree(ZERO_SIZE_PTR) do nothing."""
    if not ptr or ptr == ZERO_SIZE_PTR:
        return
    a = mm_state().allocs.get(ptr)
    if a is None or a.kind != "kmalloc":
        raise kernel_bug("kfree", f"0x{ptr:08x} is not a live kmalloc object "
                         "(double free, or a pointer kmalloc did not return)")
    notify_free_memory(a.phys, a.size, "kfree")
    untrack(ptr)
    if a.cache is None:
        release_phys_pages(a.phys, a.order)
        return
    cache = a.cache
    slab = a.phys & ~(PAGE_SIZE - 1)
    cache.slabs[slab] -= 1
    cache.free.append(a.phys)
    if cache.slabs[slab] == 0 and len(cache.free) > cache.per_slab:
        # give an empty slab back, so page accounting stays honest
        cache.free = [p for p in cache.free if p & ~(PAGE_SIZE - 1) != slab]
        del cache.slabs[slab]
        release_phys_pages(slab, 0)


# --- managed (devres) ------------------------------------------------------------------

def devm_kmalloc(dev: Device, size: int, gfp: int = GFP_KERNEL) -> int:
    ptr = kmalloc(size, gfp, _site=caller_site())
    if ptr and ptr != ZERO_SIZE_PTR:
        devres_add(dev, kfree, ptr, name="devm_kmalloc_release")
    return ptr


def devm_kzalloc(dev: Device, size: int, gfp: int = GFP_KERNEL) -> int:
    ptr = kmalloc(size, gfp | __GFP_ZERO, _site=caller_site())
    if ptr and ptr != ZERO_SIZE_PTR:
        devres_add(dev, kfree, ptr, name="devm_kmalloc_release")
    return ptr


def devm_kfree(dev: Device, ptr: int) -> None:
    devm_remove_action(dev, kfree, ptr)
    kfree(ptr)


__all__ = ["KMALLOC_SIZES", "kmalloc", "kzalloc", "kmalloc_array", "kcalloc", "ksize", "kfree",
           "devm_kmalloc", "devm_kzalloc", "devm_kfree", "ARCH_KMALLOC_MINALIGN", "PAGE_SHIFT"]
