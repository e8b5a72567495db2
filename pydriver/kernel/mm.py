"""Physical memory, the linear map, the page allocator and the CPU's loads and stores.

Layout, as a 32-bit ARM kernel without LPAE lays out a Zynq-7000:

* DRAM at physical 0 (PHYS_OFFSET), its size from the device tree memory node (ZYBO: 512 MiB).
* Lowmem: PAGE_OFFSET (0xC0000000) maps DRAM linearly and cacheable -- ``__va``/``__pa``,
  ``virt_to_phys``/``phys_to_virt``.  A CPU virtual address is not a bus address: programming one
  into a descriptor sends the NIC to 0xC...., where the harness fence reports it.
* The vmalloc area (from ``high_memory`` + 8 MiB): ``dma_alloc_coherent`` remaps its pages there,
  *uncached*, for a non-coherent device (ARM's ``pgprot_dmacoherent``).
* Placement policy of the model: the first 1 MiB is the kernel's; ordinary allocations come from
  16 MiB up, the memory below is kept for allocations under a small DMA mask (like ZONE_DMA), so
  a device limited to DMA_BIT_MASK(24) cannot reach kmalloc memory and swiotlb has to bounce.

Every CPU load/store of normal memory goes through the *CPU view* ``mm_state().view``.  Without a
harness it is ``FlatMemory`` (no cache, no write buffer: every store visible at once).  The harness
installs its cache + write buffer model instead (``tb.harness.hostmem.install``).  A view provides:
``size``, ``line_size``, ``cpu_read(phys, n, cached)``, ``cpu_write(phys, data, cached)``,
``memory_write(phys, data)`` (straight to DRAM), ``cache_clean/cache_inv/cache_clean_inv(phys,
size)`` (whole lines overlapping the range) and ``barrier(kind)``.

Accessors (``cpu_read``, ``cpu_write``, ``memcpy``, ``memset``, ``cpu_read_u32``...) are
synchronous: a CPU load or store takes no simulated bus time.  Each one is checked against the
live streaming DMA mappings by the hooks below, which dma_debug_model.py (a layer up) registers
at import (as mm/page_alloc.c calls debug_check_no_obj_freed on a free).  kmalloc & co. are in
slab.py; struct page, the flat view and the constants in mm_types.py.
"""

from __future__ import annotations

from typing import Optional

from .core import current
from .mm_types import (DRAM_SIZE_DEFAULT, GFP_ATOMIC, GFP_DMA, GFP_KERNEL,  # noqa: F401
                       GFP_NOWAIT, KERNEL_RESERVED, L1_CACHE_BYTES_DEFAULT, MAX_LOWMEM,
                       NORMAL_START, PAGE_MASK, PAGE_OFFSET, PAGE_SHIFT, PAGE_SIZE, PHYS_OFFSET,
                       VMALLOC_END, VMALLOC_OFFSET, ZERO_SIZE_PTR, __GFP_DMA, __GFP_FS,
                       __GFP_HIGH, __GFP_IO, __GFP_NOWARN, __GFP_ZERO, Allocation, FlatMemory,
                       Page, VmArea, caller_site)
from .of import for_each_child_of_node, of_address_count, of_address_to_resource
from .fault_inject import should_fail
from .printk import kernel_bug, pr_warn

# Hooks of the layers above (pydriver/kernel/__init__.py), registered at their import:
cpu_access_hooks: list = []   # fn(vaddr, phys, n, write) on every CPU load/store (dma_debug_model)
free_memory_hooks: list = []  # fn(phys, size, "kfree"/"free_pages") before memory is freed (same)
warn_hooks: list = []         # fn(check, text): a WARN (CONFIG_DEBUG_VIRTUAL), recorded by dma_debug


def notify_free_memory(phys: int, size: int, what: str) -> None:
    for hook in free_memory_hooks:
        hook(phys, size, what)


class MmState:
    """The memory state of one kernel (``current().mm``)."""

    def __init__(self, view, dram_size: int):
        self.view = view
        self.dram_size = dram_size
        self.line_size = view.line_size
        self.lowmem_size = min(dram_size, MAX_LOWMEM) & PAGE_MASK
        self.high_memory = PAGE_OFFSET + self.lowmem_size
        self.vmalloc_start = (self.high_memory + 2 * VMALLOC_OFFSET - 1) & ~(VMALLOC_OFFSET - 1)
        self.vm_next = self.vmalloc_start
        self.vm_areas = {}          # vaddr -> VmArea
        self.page_used = bytearray(self.lowmem_size >> PAGE_SHIFT)
        self.page_used[:KERNEL_RESERVED >> PAGE_SHIFT] = b"\1" * (KERNEL_RESERVED >> PAGE_SHIFT)
        self.allocs = {}            # vaddr -> Allocation (everything handed to a caller)
        self.seq = 0
        self.slab = None            # slab.py's caches, made on first kmalloc


def mm_init(view=None, dram_size: Optional[int] = None) -> MmState:
    """(Re)initialise memory on ``view`` (default FlatMemory of ``dram_size``)."""
    k = current()
    if k.mm is not None and k.mm.allocs:
        raise ValueError("mm_init: memory is already in use (install the host memory before "
                         "the first allocation)")
    if view is None:
        view = FlatMemory(dram_size or dram_size_from_dt(k.of_root) or DRAM_SIZE_DEFAULT)
    k.mm = MmState(view, dram_size or view.size)
    k.swiotlb = None            # its pool lived in the old page map: set up again on first use
    return k.mm


def mm_state() -> MmState:
    k = current()
    return k.mm if k.mm is not None else mm_init()


def dram_size_from_dt(root) -> int:
    """Size of the DRAM at physical 0 from the /memory node(s) of ``root``, or 0."""
    if root is None:
        return 0
    size = 0
    for np in for_each_child_of_node(root):
        if getattr(np, "type", None) == "memory":
            for i in range(of_address_count(np)):
                r = of_address_to_resource(np, i)
                if r is not None and not isinstance(r, int) and r.start == PHYS_OFFSET + size:
                    size += r.end - r.start + 1
    return size


def cache_line_size() -> int:
    """L1 line size = ARCH_DMA_MINALIGN = ARCH_KMALLOC_MINALIGN."""
    return mm_state().line_size


# --- address translation ---------------------------------------------------------

def virt_addr_valid(vaddr) -> bool:
    mm = mm_state()
    return isinstance(vaddr, int) and PAGE_OFFSET <= vaddr < mm.high_memory


def is_vmalloc_addr(vaddr) -> bool:
    return isinstance(vaddr, int) and mm_state().vmalloc_start <= vaddr < VMALLOC_END


def __pa(vaddr: int) -> int:  # noqa: N802 - the kernel's name
    return vaddr - PAGE_OFFSET + PHYS_OFFSET


def __va(phys: int) -> int:  # noqa: N802
    return phys - PHYS_OFFSET + PAGE_OFFSET


def virt_to_phys(vaddr: int) -> int:
    """Linear-map translation; CONFIG_DEBUG_VIRTUAL warns on anything else (and, as in the
    kernel, the result is then garbage)."""
    if not virt_addr_valid(vaddr):
        for hook in warn_hooks:
            hook("virt_to_phys", f"virt_to_phys used for non-linear address: {vaddr:08x}")
    return __pa(vaddr)


def phys_to_virt(phys: int) -> int:
    return __va(phys)


def offset_in_page(addr: int) -> int:
    return addr & (PAGE_SIZE - 1)


def page_to_pfn(page: Page) -> int:
    return page.pfn


def pfn_to_page(pfn: int) -> Page:
    return Page(pfn)


def page_to_phys(page: Page) -> int:
    return page.pfn << PAGE_SHIFT


def page_address(page: Page) -> int:
    return __va(page.pfn << PAGE_SHIFT)


def virt_to_page(vaddr: int) -> Page:
    return Page(__pa(vaddr) >> PAGE_SHIFT)


def get_order(size: int) -> int:
    order, n = 0, PAGE_SIZE
    while n < size:
        order, n = order + 1, n << 1
    return order


def vmalloc_to_phys(vaddr: int):
    """Physical address behind a vmalloc-area address, or None."""
    for area in mm_state().vm_areas.values():
        if area.vaddr <= vaddr < area.vaddr + area.size:
            return area.phys + vaddr - area.vaddr
    return None


def _oops(vaddr, n, what) -> Exception:
    if vaddr is None or (isinstance(vaddr, int) and 0 <= vaddr < PAGE_SIZE):
        text = f"Unable to handle kernel NULL pointer dereference at virtual address {vaddr or 0:08x}"
    else:
        text = f"Unable to handle kernel paging request at virtual address {vaddr:08x}"
    return kernel_bug(what, f"{text} ({n}-byte access)")


def translate(vaddr, n: int, what: str = "access"):
    """(phys, cached) for a CPU access of n bytes at vaddr; an unmapped address oopses."""
    mm = mm_state()
    if isinstance(vaddr, int) and PAGE_OFFSET <= vaddr and vaddr + n <= mm.high_memory:
        return __pa(vaddr), True
    if isinstance(vaddr, int) and mm.vmalloc_start <= vaddr < VMALLOC_END:
        for area in mm.vm_areas.values():
            if area.vaddr <= vaddr and vaddr + n <= area.vaddr + area.size:
                return area.phys + vaddr - area.vaddr, area.cached
    raise _oops(vaddr, n, what)


def vmap_uncached(phys: int, size: int) -> int:
    """Map [phys, phys+size) uncached in the vmalloc area (one guard page after it)."""
    mm = mm_state()
    vaddr = mm.vm_next
    if vaddr + size > VMALLOC_END:
        return 0
    mm.vm_next = vaddr + size + PAGE_SIZE
    mm.vm_areas[vaddr] = VmArea(vaddr, size, phys, False)
    return vaddr


def vunmap(vaddr: int) -> Optional[VmArea]:
    return mm_state().vm_areas.pop(vaddr, None)


# --- page allocator ------------------------------------------------------------------

def _find_free(mm: MmState, npages: int, lo: int, hi: int) -> int:
    pat, pos = bytes(npages), lo
    while pos + npages <= hi:
        i = mm.page_used.find(pat, pos, hi)
        if i < 0:
            return -1
        aligned = -(-i // npages) * npages      # buddy blocks are naturally aligned
        if aligned == i:
            return i
        pos = aligned
    return -1


def alloc_phys_pages(order: int, gfp: int = GFP_KERNEL, limit: Optional[int] = None, memblock: bool = False) -> int:
    """Physical address of 2**order free pages (below ``limit`` if given), or -1. ``memblock``:
    a boot-time reservation (the swiotlb pool), which fail_page_alloc does not reach."""
    mm = mm_state()
    if not memblock and should_fail("fail_page_alloc", PAGE_SIZE << order):
        if not gfp & __GFP_NOWARN:
            pr_warn("page allocation failure: order:%u, mode:%#x (injected)", order, gfp)
        return -1
    n, total = 1 << order, len(mm.page_used)
    low, normal = KERNEL_RESERVED >> PAGE_SHIFT, min(NORMAL_START >> PAGE_SHIFT, total)
    if limit is not None or gfp & __GFP_DMA:
        hi = total if limit is None else min(total, limit >> PAGE_SHIFT)
        pfn = _find_free(mm, n, low, hi)
    else:
        pfn = _find_free(mm, n, normal, total)
        if pfn < 0:
            pfn = _find_free(mm, n, low, normal)
    if pfn < 0:
        if not gfp & __GFP_NOWARN:
            pr_warn("page allocation failure: order:%u, mode:%#x", order, gfp)
        return -1
    mm.page_used[pfn:pfn + n] = b"\1" * n
    return pfn << PAGE_SHIFT


def release_phys_pages(phys: int, order: int) -> None:
    mm = mm_state()
    pfn, n = phys >> PAGE_SHIFT, 1 << order
    mm.page_used[pfn:pfn + n] = bytes(n)


def reserve_phys(phys: int, size: int) -> bool:
    """Take [phys, phys+size) out of the page allocator (memblock_reserve); False if busy."""
    mm = mm_state()
    lo, hi = phys >> PAGE_SHIFT, (phys + size + PAGE_SIZE - 1) >> PAGE_SHIFT
    if hi > len(mm.page_used) or any(mm.page_used[lo:hi]):
        return False
    mm.page_used[lo:hi] = b"\1" * (hi - lo)
    return True


def unreserve_phys(phys: int, size: int) -> None:
    """Give a reserve_phys() range back to the page allocator."""
    mm = mm_state()
    lo, hi = phys >> PAGE_SHIFT, (phys + size + PAGE_SIZE - 1) >> PAGE_SHIFT
    mm.page_used[lo:hi] = bytes(hi - lo)


def track(kind: str, vaddr: int, phys: int, size: int, order: int = 0, cache=None,
          site: Optional[str] = None) -> Allocation:
    mm = mm_state()
    mm.seq += 1
    a = Allocation(kind, vaddr, phys, size, site or caller_site(), mm.seq, order, cache)
    mm.allocs[vaddr] = a
    return a


def untrack(vaddr: int) -> Optional[Allocation]:
    return mm_state().allocs.pop(vaddr, None)


def alloc_pages(gfp: int, order: int) -> Optional[Page]:
    """2**order contiguous, naturally aligned pages, or None."""
    phys = alloc_phys_pages(order, gfp)
    if phys < 0:
        return None
    track("pages", __va(phys), phys, PAGE_SIZE << order, order)
    if gfp & __GFP_ZERO:
        _phys_write(phys, bytes(PAGE_SIZE << order))
    return Page(phys >> PAGE_SHIFT)


def __get_free_pages(gfp: int, order: int) -> int:  # noqa: N802
    """Lowmem address of 2**order pages, or 0."""
    page = alloc_pages(gfp, order)
    return page_address(page) if page is not None else 0


def get_zeroed_page(gfp: int = GFP_KERNEL) -> int:
    return __get_free_pages(gfp | __GFP_ZERO, 0)


def free_pages(addr: int, order: int) -> None:
    if not addr:
        return
    a = mm_state().allocs.get(addr)
    if a is None or a.kind != "pages":
        raise kernel_bug("free_pages", f"0x{addr:08x} is not a page allocation "
                         "(double free, or memory from another allocator)")
    if a.order != order:
        raise kernel_bug("free_pages", f"order {order} for 0x{addr:08x}, allocated with "
                         f"order {a.order} at {a.site}")
    notify_free_memory(a.phys, a.size, "free_pages")
    untrack(addr)
    release_phys_pages(a.phys, order)


def __free_pages(page: Page, order: int) -> None:  # noqa: N802
    free_pages(page_address(page), order)


def free_page(addr: int) -> None:
    free_pages(addr, 0)


# --- accounting ------------------------------------------------------------------------

def mm_allocations(kind: Optional[str] = None) -> list:
    """Live allocations (oldest first), optionally of one kind."""
    return sorted((a for a in mm_state().allocs.values() if kind is None or a.kind == kind),
                  key=lambda a: a.seq)


def mm_snapshot() -> int:
    """A marker for mm_leaks_since(): allocations made after it."""
    return mm_state().seq


def mm_leaks_since(marker: int) -> list:
    """Allocations made after ``marker`` that are still live (kmemleak's "unreferenced object",
    by lifetime rather than by scanning)."""
    return [a for a in mm_allocations() if a.seq > marker]


# --- CPU accessors for normal memory -----------------------------------------------------

def _phys_read(phys: int, n: int, cached: bool = True) -> bytes:
    """Kernel-internal load by physical address (swiotlb copies): no ownership check."""
    return mm_state().view.cpu_read(phys, n, cached)


def _phys_write(phys: int, data, cached: bool = True) -> None:
    mm_state().view.cpu_write(phys, bytes(data), cached)


def cpu_read(vaddr: int, n: int) -> bytes:
    """``n`` bytes loaded by the CPU from ``vaddr`` (through cache or write buffer)."""
    if n <= 0:
        return b""
    phys, cached = translate(vaddr, n, "cpu_read")
    for hook in cpu_access_hooks:
        hook(vaddr, phys, n, False)
    return mm_state().view.cpu_read(phys, n, cached)


def cpu_write(vaddr: int, data) -> None:
    """The CPU stores ``data`` at ``vaddr``."""
    data = bytes(data)
    if not data:
        return
    phys, cached = translate(vaddr, len(data), "cpu_write")
    for hook in cpu_access_hooks:
        hook(vaddr, phys, len(data), True)
    mm_state().view.cpu_write(phys, data, cached)


def memcpy(dst: int, src: int, n: int) -> int:
    cpu_write(dst, cpu_read(src, n))
    return dst


def memset(dst: int, c: int, n: int) -> int:
    cpu_write(dst, bytes([c & 0xFF]) * n)
    return dst


def _reader(width):
    def rd(vaddr: int) -> int:
        return int.from_bytes(cpu_read(vaddr, width), "little")
    rd.__name__ = rd.__qualname__ = f"cpu_read_u{width * 8}"
    return rd


def _writer(width):
    def wr(vaddr: int, value: int) -> None:
        cpu_write(vaddr, (int(value) & ((1 << (8 * width)) - 1)).to_bytes(width, "little"))
    wr.__name__ = wr.__qualname__ = f"cpu_write_u{width * 8}"
    return wr


# Little-endian CPU (ARM LE): loads/stores of __le fields need no swap.
cpu_read_u8, cpu_read_u16, cpu_read_u32, cpu_read_u64 = (_reader(w) for w in (1, 2, 4, 8))
cpu_write_u8, cpu_write_u16, cpu_write_u32, cpu_write_u64 = (_writer(w) for w in (1, 2, 4, 8))


def cpu_to_le16(x: int) -> int: return x & 0xFFFF
def cpu_to_le32(x: int) -> int: return x & 0xFFFFFFFF
def cpu_to_le64(x: int) -> int: return x & 0xFFFFFFFFFFFFFFFF


le16_to_cpu, le32_to_cpu, le64_to_cpu = cpu_to_le16, cpu_to_le32, cpu_to_le64
