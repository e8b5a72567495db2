"""The DMA API (linux/dma-mapping.h) as dma-direct runs it on a 32-bit ARMv7 (Zynq-7000).

"You must not use DMA on this device unless the dma_set_mask family of functions has returned
success" (Documentation/core-api/dma-api-howto.rst) -- so the masks live on the device and the
mapping calls check them.

* Streaming: ``dma_map_single``/``dma_map_page`` give the device a buffer; on a non-coherent
  device the CPU cache is maintained as ARMv7 does (arch/arm/mm/cache-v7.S): map TO_DEVICE or
  BIDIRECTIONAL cleans, map FROM_DEVICE invalidates (partial first/last lines are cleaned and
  invalidated), unmap and sync_for_cpu of FROM_DEVICE/BIDIRECTIONAL invalidate, unmap TO_DEVICE
  does nothing.  A buffer above the mask bounces through swiotlb.
* Coherent: ``dma_alloc_coherent`` returns page-aligned zeroed memory under the coherent mask,
  remapped *uncached* (stores go through the write buffer of the CPU view) unless the device is
  ``dma-coherent`` in the device tree, where it is plain cacheable lowmem.
* ``dev_is_dma_coherent(dev)``: the ``dma-coherent`` property, read by of_dma_configure when the
  platform device was created (``dev.dma_coherent``); then all cache maintenance is skipped.
* Every call goes through CONFIG_DMA_API_DEBUG (dma_debug.py).  A DMA_NONE or unknown direction
  is the kernel's BUG_ON and raises KernelBug.

Returns follow the kernel: a mapping returns a dma_addr_t (DMA_MAPPING_ERROR on failure, to be
caught with dma_mapping_error()); ``dma_alloc_coherent`` returns ``(cpu_addr, dma_handle)`` with
``cpu_addr`` None on failure.
"""

from __future__ import annotations

from .devres import devres_add
from .dma_debug import (debug_dma_alloc_coherent, debug_dma_free_coherent,
                        debug_dma_map_page, debug_dma_map_single, debug_dma_mapping_error,
                        debug_dma_sync_single_for_cpu, debug_dma_sync_single_for_device,
                        debug_dma_unmap_page, warn_report)
from .dma_types import (DIR2NAME, DMA_ATTR_NO_KERNEL_MAPPING, DMA_ATTR_NO_WARN,  # noqa: F401
                        DMA_ATTR_SKIP_CPU_SYNC, DMA_ATTR_WEAK_ORDERING, DMA_ATTR_WRITE_COMBINE,
                        DMA_BIDIRECTIONAL, DMA_FROM_DEVICE, DMA_MAPPING_ERROR, DMA_NONE, DMA_TO_DEVICE)
from .errno import EIO, ENOMEM
from .mm import (GFP_KERNEL, PAGE_SIZE, Page, __pa, __va, _phys_write, alloc_phys_pages,
                 cache_line_size, caller_site, get_order, is_vmalloc_addr, mm_state,
                 offset_in_page, page_to_phys, release_phys_pages, track, untrack,
                 virt_addr_valid, virt_to_page, vmalloc_to_phys, vmap_uncached, vunmap)
from .fault_inject import should_fail
from .printk import kernel_bug
from .swiotlb import (is_swiotlb_active, is_swiotlb_buffer, is_swiotlb_force_bounce,
                      swiotlb_sync_single_for_cpu, swiotlb_sync_single_for_device,
                      swiotlb_tbl_map_single, swiotlb_tbl_unmap_single)


def DMA_BIT_MASK(n: int) -> int:  # noqa: N802 - the kernel's name
    return (1 << n) - 1 if n < 64 else (1 << 64) - 1


# The system's memory sits below 4 GiB (the ZYBO has 512 MiB at 0): any mask of 24 bits or more
# that covers it works, as with dma-direct on a 32-bit ARM.
SYSTEM_DMA_LIMIT = DMA_BIT_MASK(32)
_MIN_MASK = DMA_BIT_MASK(24)  # ISA-era limit dma-direct still refuses below


def dma_set_mask(dev, mask: int) -> int:
    if mask < _MIN_MASK:
        return -EIO
    dev.dma_mask = mask
    return 0


def dma_set_coherent_mask(dev, mask: int) -> int:
    if mask < _MIN_MASK:
        return -EIO
    dev.coherent_dma_mask = mask
    return 0


def dma_set_mask_and_coherent(dev, mask: int) -> int:
    rc = dma_set_mask(dev, mask)
    return rc if rc else dma_set_coherent_mask(dev, mask)


def dma_get_mask(dev) -> int:
    return getattr(dev, "dma_mask", None) or DMA_BIT_MASK(32)


def dma_set_max_seg_size(dev, size: int) -> int:
    dev.dma_max_seg_size = size
    return 0


def dma_get_max_seg_size(dev) -> int:
    return getattr(dev, "dma_max_seg_size", 1 << 16)


def dev_is_dma_coherent(dev) -> bool:
    return bool(getattr(dev, "dma_coherent", False))


def dma_get_cache_alignment() -> int:
    return cache_line_size()


def dma_capable(dev, addr: int, size: int) -> bool:
    return addr != DMA_MAPPING_ERROR and addr + max(size, 1) - 1 <= dma_get_mask(dev)


def _check_dir(direction, fn: str) -> None:
    if direction not in (DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE):
        raise kernel_bug(fn, f"invalid DMA direction {DIR2NAME.get(direction, direction)} "
                         "(BUG_ON(!valid_dma_direction(dir)))")


# --- ARMv7 cache maintenance (v7_dma_map_area / v7_dma_unmap_area, plus the outer cache) -----

def _clip(phys: int, size: int):
    end = min(phys + size, mm_state().dram_size)
    return phys, max(0, end - phys)


def v7_dma_inv_range(phys: int, size: int) -> None:
    """Invalidate; a partial first or last line is cleaned and invalidated (it may hold CPU
    data next to the buffer)."""
    phys, size = _clip(phys, size)
    if not size:
        return
    view, line = mm_state().view, cache_line_size()
    start, end = phys, phys + size
    if start & (line - 1):
        view.cache_clean_inv(start & ~(line - 1), line)
        start = (start | (line - 1)) + 1
    if end & (line - 1):
        view.cache_clean_inv(end & ~(line - 1), line)
        end &= ~(line - 1)
    if start < end:
        view.cache_inv(start, end - start)


def v7_dma_clean_range(phys: int, size: int) -> None:
    phys, size = _clip(phys, size)
    if size:
        mm_state().view.cache_clean(phys, size)


def arch_sync_dma_for_device(phys: int, size: int, direction: int) -> None:
    if direction == DMA_FROM_DEVICE:
        v7_dma_inv_range(phys, size)
    else:
        v7_dma_clean_range(phys, size)


def arch_sync_dma_for_cpu(phys: int, size: int, direction: int) -> None:
    if direction != DMA_TO_DEVICE:
        v7_dma_inv_range(phys, size)


def swiotlb_map(dev, phys: int, size: int, dir: int, attrs: int = 0) -> int:
    """dma-direct's bounce path (kernel/dma/swiotlb.c, here because it uses the mask and cache
    helpers above): slots, a mask check of the slots, cache maintenance."""
    tlb = swiotlb_tbl_map_single(dev, phys, size, dir, attrs)
    if tlb < 0:
        return DMA_MAPPING_ERROR
    if not dma_capable(dev, tlb, size):
        swiotlb_tbl_unmap_single(dev, tlb, size, dir, skip_sync=True)
        return _mask_overflow(dev, "swiotlb", tlb, size)
    return _mapped_for_device(dev, tlb, size, dir, attrs)


def _mask_overflow(dev, what: str, addr: int, size: int) -> int:
    warn_report(dev, "mask_overflow", f"{what} addr 0x{addr:08x}+{size} overflow "
                f"(mask {dma_get_mask(dev):x}, bus limit 0).")
    return DMA_MAPPING_ERROR


def _mapped_for_device(dev, addr: int, size: int, direction: int, attrs: int) -> int:
    """The cache maintenance of a new mapping (none for a dma-coherent device): ``addr``."""
    if not dev_is_dma_coherent(dev) and not attrs & DMA_ATTR_SKIP_CPU_SYNC:
        arch_sync_dma_for_device(addr, size, direction)
    return addr


# --- dma-direct ------------------------------------------------------------------------------

def _direct_map(dev, phys: int, size: int, direction: int, attrs: int) -> int:
    if is_swiotlb_force_bounce(dev):
        return swiotlb_map(dev, phys, size, direction, attrs)
    if not dma_capable(dev, phys, size):
        if is_swiotlb_active(dev):
            return swiotlb_map(dev, phys, size, direction, attrs)
        return _mask_overflow(dev, "DMA", phys, size)
    return _mapped_for_device(dev, phys, size, direction, attrs)


def _direct_sync_for_cpu(dev, addr: int, size: int, direction: int) -> None:
    if not dev_is_dma_coherent(dev):
        arch_sync_dma_for_cpu(addr, size, direction)
    if is_swiotlb_buffer(dev, addr):
        swiotlb_sync_single_for_cpu(dev, addr, size, direction)


def _direct_sync_for_device(dev, addr: int, size: int, direction: int) -> None:
    if is_swiotlb_buffer(dev, addr):
        swiotlb_sync_single_for_device(dev, addr, size, direction)
    if not dev_is_dma_coherent(dev):
        arch_sync_dma_for_device(addr, size, direction)


def dma_map_page_attrs(dev, page: Page, offset: int, size: int, direction: int,
                       attrs: int = 0, _site=None) -> int:
    _check_dir(direction, "dma_map_page_attrs")
    if should_fail("fail_dma_map", size, _site):
        return DMA_MAPPING_ERROR
    phys = page_to_phys(page) + offset
    addr = _direct_map(dev, phys, size, direction, attrs)
    debug_dma_map_page(dev, phys, size, direction, addr, _site or caller_site())
    return addr


def dma_map_page(dev, page: Page, offset: int, size: int, direction: int) -> int:
    return dma_map_page_attrs(dev, page, offset, size, direction, 0, caller_site())


def dma_map_single_attrs(dev, ptr: int, size: int, direction: int, attrs: int = 0,
                         _site=None) -> int:
    site = _site or caller_site()
    # DMA must never operate on areas that might be remapped (dma-mapping.h).
    if is_vmalloc_addr(ptr):
        warn_report(dev, "map_vmalloc", "rejecting DMA map of vmalloc memory")
        return DMA_MAPPING_ERROR
    if not debug_dma_map_single(dev, ptr, size):
        return DMA_MAPPING_ERROR     # the kernel would go on and map a garbage page
    return dma_map_page_attrs(dev, virt_to_page(ptr), offset_in_page(ptr), size, direction,
                              attrs, site)


def dma_map_single(dev, ptr: int, size: int, direction: int) -> int:
    """Give the device [ptr, ptr+size) of lowmem (kmalloc, page allocator)."""
    return dma_map_single_attrs(dev, ptr, size, direction, 0, caller_site())


def dma_unmap_page_attrs(dev, addr: int, size: int, direction: int, attrs: int = 0) -> None:
    _check_dir(direction, "dma_unmap_page_attrs")
    if not attrs & DMA_ATTR_SKIP_CPU_SYNC:
        _direct_sync_for_cpu(dev, addr, size, direction)
    if is_swiotlb_buffer(dev, addr):
        swiotlb_tbl_unmap_single(dev, addr, size, direction, skip_sync=True)
    debug_dma_unmap_page(dev, addr, size, direction)


def dma_unmap_page(dev, addr: int, size: int, direction: int) -> None:
    dma_unmap_page_attrs(dev, addr, size, direction)


dma_unmap_single_attrs = dma_unmap_page_attrs


def dma_unmap_single(dev, addr: int, size: int, direction: int) -> None:
    dma_unmap_page_attrs(dev, addr, size, direction)


def dma_mapping_error(dev, dma_addr: int) -> int:
    """-ENOMEM if the mapping failed, else 0; marks the mapping as checked for dma-debug."""
    debug_dma_mapping_error(dev, dma_addr)
    return -ENOMEM if dma_addr == DMA_MAPPING_ERROR else 0


def dma_sync_single_for_cpu(dev, addr: int, size: int, direction: int) -> None:
    """Hand [addr, addr+size) back to the CPU (after the device wrote it)."""
    _check_dir(direction, "dma_sync_single_for_cpu")
    _direct_sync_for_cpu(dev, addr, size, direction)
    debug_dma_sync_single_for_cpu(dev, addr, size, direction)


def dma_sync_single_for_device(dev, addr: int, size: int, direction: int) -> None:
    """Hand [addr, addr+size) to the device again."""
    _check_dir(direction, "dma_sync_single_for_device")
    _direct_sync_for_device(dev, addr, size, direction)
    debug_dma_sync_single_for_device(dev, addr, size, direction)


def dma_sync_single_range_for_cpu(dev, addr: int, offset: int, size: int, direction: int):
    dma_sync_single_for_cpu(dev, addr + offset, size, direction)


def dma_sync_single_range_for_device(dev, addr: int, offset: int, size: int, direction: int):
    dma_sync_single_for_device(dev, addr + offset, size, direction)


# --- coherent allocations -----------------------------------------------------------------------

def dma_alloc_coherent(dev, size: int, gfp: int = GFP_KERNEL, _site=None):
    """(cpu_addr, dma_handle): zeroed, page-aligned, under the coherent mask; (None, ERROR)."""
    site = _site or caller_site()
    mask = getattr(dev, "coherent_dma_mask", 0)
    if not mask:
        warn_report(dev, "no_coherent_mask", "dma_alloc_coherent: no coherent DMA mask "
                    "(WARN_ON_ONCE(!dev->coherent_dma_mask))")
        return None, DMA_MAPPING_ERROR
    order = get_order(size)
    mm = mm_state()
    phys = alloc_phys_pages(order, gfp, None if mask >= mm.dram_size - 1 else mask + 1)
    if phys < 0:
        return None, DMA_MAPPING_ERROR
    span = PAGE_SIZE << order
    if dev_is_dma_coherent(dev):
        vaddr = __va(phys)
        _phys_write(phys, bytes(span))
    else:
        # arch_dma_prep_coherent: no dirty line of the cacheable alias may land on it later;
        # then the uncached remap, zeroed (straight to memory: nobody can look at it yet).
        mm.view.cache_clean_inv(phys, span)
        mm.view.barrier("dsb")      # set_pte + TLB maintenance: no old buffered store survives
        vaddr = vmap_uncached(phys, span)
        if not vaddr:
            release_phys_pages(phys, order)
            return None, DMA_MAPPING_ERROR
        mm.view.memory_write(phys, bytes(span))
    track("coherent", vaddr, phys, size, order, site=site)
    debug_dma_alloc_coherent(dev, size, phys, phys, site)
    return vaddr, phys


def _cpu_to_phys(cpu_addr):
    if is_vmalloc_addr(cpu_addr):
        return vmalloc_to_phys(cpu_addr)
    return __pa(cpu_addr) if virt_addr_valid(cpu_addr) else None


def dma_free_coherent(dev, size: int, cpu_addr, dma_handle: int) -> None:
    """Free a dma_alloc_coherent() allocation: same device, size and both addresses."""
    paddr = _cpu_to_phys(cpu_addr)
    if paddr is not None:
        debug_dma_free_coherent(dev, size, paddr, dma_handle)
    a = mm_state().allocs.get(cpu_addr) if cpu_addr else None
    if a is None or a.kind != "coherent":
        return      # dma-debug has said it; the kernel would free garbage here
    untrack(cpu_addr)
    if vunmap(cpu_addr) is not None:
        mm_state().view.barrier("dsb")   # the TLB flush of vunmap completes buffered stores
    release_phys_pages(a.phys, a.order)


def dmam_alloc_coherent(dev, size: int, gfp: int = GFP_KERNEL):
    """dma_alloc_coherent, freed automatically when the driver unbinds."""
    vaddr, handle = dma_alloc_coherent(dev, size, gfp, _site=caller_site())
    if vaddr is not None:
        devres_add(dev, dma_free_coherent, dev, size, vaddr, handle, name="dmam_release")
    return vaddr, handle
