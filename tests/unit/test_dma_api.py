"""The DMA API over the host-memory model: allocation, ARMv7 cache maintenance per direction,
coherent devices, swiotlb bouncing, the __iomem barrier, the allocators and their accounting."""

import asyncio
from types import SimpleNamespace

import pytest

from pydriver.kernel import KernelBug, boot, platform
from pydriver.kernel.core import Device
from pydriver.kernel.dma import (DMA_BIDIRECTIONAL, DMA_BIT_MASK, DMA_FROM_DEVICE,
                                 DMA_MAPPING_ERROR, DMA_TO_DEVICE, dev_is_dma_coherent,
                                 dma_alloc_coherent, dma_free_coherent, dma_get_cache_alignment,
                                 dma_map_page, dma_map_single, dma_mapping_error, dma_set_mask,
                                 dma_set_mask_and_coherent, dma_sync_single_for_cpu,
                                 dma_sync_single_for_device, dma_unmap_page, dma_unmap_single)
from pydriver.kernel.dma_debug import dma_debug_take_reports
from pydriver.kernel.errno import EIO, ENOMEM
from pydriver.kernel.io import IoMem
from pydriver.kernel.mm import (PAGE_OFFSET, ZERO_SIZE_PTR, alloc_pages, cpu_read, cpu_read_u32, cpu_write, cpu_write_u32, is_vmalloc_addr, memcpy, memset, mm_leaks_since, mm_snapshot, page_address, virt_to_phys, __pa, __free_pages)
from pydriver.kernel.printk import dmesg
from pydriver.kernel.slab import devm_kzalloc, kfree, kmalloc, kzalloc
from pydriver.kernel.swiotlb import swiotlb_init, swiotlb_used
from tb.harness.hostmem import HostMemory, install


@pytest.fixture
def host():
    k = boot()
    return install(k, HostMemory())


@pytest.fixture
def dev(host):
    d = Device("43c00000.ethernet", bus="platform")
    d.driver = SimpleNamespace(name="ringnic")
    dma_set_mask_and_coherent(d, DMA_BIT_MASK(32))
    return d


def mapped(dev, buf, size, direction):
    a = dma_map_single(dev, buf, size, direction)
    assert dma_mapping_error(dev, a) == 0
    return a


def clean_reports():
    assert [r.text for r in dma_debug_take_reports()] == []


# --- masks and coherent allocations ------------------------------------------------------------

def test_dma_masks_keep_their_contract(dev):
    assert dma_set_mask(dev, DMA_BIT_MASK(16)) == -EIO
    assert dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)) == 0
    assert dma_get_cache_alignment() == 32


def test_dma_alloc_coherent_is_uncached_page_aligned_and_zeroed(host, dev):
    host.dram.write(0x01000000, b"\xff" * 8192)       # old contents where it will land
    cpu, handle = dma_alloc_coherent(dev, 6000)
    assert handle % 8192 == 0 and is_vmalloc_addr(cpu)     # order-1: 8 KiB aligned
    assert cpu_read(cpu, 6000) == bytes(6000) and host.dram.read(handle, 6000) == bytes(6000)
    cpu_write_u32(cpu, 0xAABBCCDD)                    # through the write buffer, not the cache
    assert host.cache.line_state(handle) == (False, False)
    assert host.wbuf.pending() == [(handle, bytes.fromhex("ddccbbaa"))]
    assert cpu_read_u32(cpu) == 0xAABBCCDD            # the CPU sees its own store
    dma_free_coherent(dev, 6000, cpu, handle)
    clean_reports()


def test_dma_alloc_coherent_respects_a_small_coherent_mask(dev):
    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(24))
    cpu, handle = dma_alloc_coherent(dev, 4096)
    assert handle + 4096 <= 1 << 24
    dma_free_coherent(dev, 4096, cpu, handle)


def test_dma_alloc_coherent_failure_returns_none(dev):
    assert dma_alloc_coherent(dev, 1 << 30) == (None, DMA_MAPPING_ERROR)


def test_dma_coherent_device_gets_cacheable_memory_and_no_maintenance():
    k = boot()
    host = install(k, HostMemory(coherent=True))
    d = Device("43c00000.ethernet", bus="platform")
    d.dma_coherent = True                             # what of_dma_configure reads from the DT
    dma_set_mask_and_coherent(d, DMA_BIT_MASK(32))
    assert dev_is_dma_coherent(d)
    cpu, handle = dma_alloc_coherent(d, 4096)
    assert cpu == PAGE_OFFSET + handle
    cpu_write(cpu, b"desc")                           # dirty in the cache...
    assert host.cache.line_state(handle) == (True, True)
    assert host.device_read(handle, 4) == b"desc"     # ...and the ACP snoops it
    buf = kmalloc(64)
    cpu_write(buf, b"payload")
    a = mapped(d, buf, 64, DMA_TO_DEVICE)
    assert host.cache.line_state(a) == (True, True)   # no clean: coherent
    assert host.device_read(a, 7) == b"payload"
    host.device_write(handle, b"DD")
    assert cpu_read(cpu, 4) == b"DDsc"
    dma_unmap_single(d, a, 64, DMA_TO_DEVICE)
    dma_free_coherent(d, 4096, cpu, handle)
    clean_reports()


# --- ARMv7 cache maintenance per direction ----------------------------------------------------

def test_dma_map_to_device_and_bidirectional_clean(host, dev):
    for direction in (DMA_TO_DEVICE, DMA_BIDIRECTIONAL):
        buf = kmalloc(128)
        cpu_write(buf, b"frame" * 20)
        phys = __pa(buf)
        assert host.cache.line_state(phys) == (True, True)
        assert host.dram.read(phys, 5) != b"frame"
        a = mapped(dev, buf, 128, direction)
        assert host.cache.line_state(phys) == (True, False)   # written back, still valid
        assert host.device_read(a, 100) == b"frame" * 20
        dma_unmap_single(dev, a, 128, direction)
    clean_reports()


def test_dma_map_from_device_invalidates_whole_lines_and_cleans_partial_edges(host, dev):
    page = page_address(alloc_pages(0, 0))
    phys = __pa(page)
    cpu_write(page, b"A" * 128)                         # four dirty lines
    a = mapped(dev, page + 16, 64, DMA_FROM_DEVICE)     # [16, 80): partial first and last lines
    assert host.cache.line_state(phys) == (False, False)
    assert host.dram.read(phys, 32) == b"A" * 32        # partial line: cleaned, then dropped
    assert host.dram.read(phys + 32, 32) == bytes(32)   # whole line: dropped, CPU data lost
    assert host.dram.read(phys + 64, 32) == b"A" * 32   # partial last line cleaned
    assert host.cache.line_state(phys + 96) == (True, True)    # outside: untouched
    dma_unmap_single(dev, a, 64, DMA_FROM_DEVICE)
    clean_reports()


def test_dma_unmap_and_sync_for_cpu_of_from_device_invalidate(host, dev):
    buf = kmalloc(256)
    a = mapped(dev, buf, 256, DMA_FROM_DEVICE)
    host.cache.fill_clean(a)                            # the CPU speculated the line in
    host.device_write(a, b"packet 1")
    dma_sync_single_for_cpu(dev, a, 256, DMA_FROM_DEVICE)
    assert cpu_read(buf, 8) == b"packet 1"
    dma_sync_single_for_device(dev, a, 256, DMA_FROM_DEVICE)
    host.cache.fill_clean(a)
    host.device_write(a, b"packet 2")
    dma_unmap_single(dev, a, 256, DMA_FROM_DEVICE)
    assert cpu_read(buf, 8) == b"packet 2"
    clean_reports()


def test_dma_unmap_to_device_leaves_the_cache_alone(host, dev):
    buf = kmalloc(64)
    cpu_write(buf, b"x")
    a = mapped(dev, buf, 64, DMA_TO_DEVICE)
    dma_unmap_single(dev, a, 64, DMA_TO_DEVICE)
    assert host.cache.line_state(a) == (True, False)


def test_dma_sync_for_device_to_device_cleans_again(host, dev):
    buf = kmalloc(64)
    a = mapped(dev, buf, 64, DMA_TO_DEVICE)
    dma_sync_single_for_cpu(dev, a, 64, DMA_TO_DEVICE)
    cpu_write(buf, b"rewritten")
    assert host.device_read(a, 9) != b"rewritten"
    dma_sync_single_for_device(dev, a, 64, DMA_TO_DEVICE)
    assert host.device_read(a, 9) == b"rewritten"
    dma_unmap_single(dev, a, 64, DMA_TO_DEVICE)
    clean_reports()


def test_dma_wrong_unmap_direction_leaves_stale_data(host, dev):
    buf = kmalloc(64)
    a = mapped(dev, buf, 64, DMA_FROM_DEVICE)
    host.cache.fill_clean(a)
    host.device_write(a, b"new")
    dma_unmap_single(dev, a, 64, DMA_TO_DEVICE)         # no invalidate
    assert cpu_read(buf, 3) == bytes(3)
    assert [r.check for r in dma_debug_take_reports()] == ["unmap_direction"]


def test_dma_map_page_of_a_page(host, dev):
    page = alloc_pages(0, 1)
    cpu_write(page_address(page) + 4096, b"frag")
    a = dma_map_page(dev, page, 4096, 512, DMA_TO_DEVICE)
    assert dma_mapping_error(dev, a) == 0
    assert host.device_read(a, 4) == b"frag"
    dma_unmap_page(dev, a, 512, DMA_TO_DEVICE)
    __free_pages(page, 1)
    clean_reports()


# --- swiotlb ----------------------------------------------------------------------------------

def test_dma_bounce_buffering_under_a_small_mask(host, dev):
    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(24))
    tx = kmalloc(1500)
    cpu_write(tx, b"T" * 1500)                          # dirty in the cache: the copy sees it
    a = mapped(dev, tx, 1500, DMA_TO_DEVICE)
    assert a + 1500 <= 1 << 24 and a != __pa(tx)
    assert host.device_read(a, 1500) == b"T" * 1500
    rx = kmalloc(2048)
    b = mapped(dev, rx, 2048, DMA_FROM_DEVICE)
    host.device_write(b, b"R" * 64)
    assert host.dram.read(__pa(rx), 64) != b"R" * 64    # still only in the bounce slot
    dma_sync_single_for_cpu(dev, b, 2048, DMA_FROM_DEVICE)
    assert cpu_read(rx, 64) == b"R" * 64
    dma_sync_single_for_device(dev, b, 2048, DMA_FROM_DEVICE)
    host.device_write(b, b"S" * 64)
    dma_unmap_single(dev, b, 2048, DMA_FROM_DEVICE)
    assert cpu_read(rx, 64) == b"S" * 64
    dma_unmap_single(dev, a, 1500, DMA_TO_DEVICE)
    assert swiotlb_used() == 0
    clean_reports()


def test_dma_bounce_pool_exhaustion_fails_cleanly(host, dev):
    assert swiotlb_init(size=8192) == 0                 # 4 slots of 2 KiB
    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(24))
    bufs = [kmalloc(4096) for _ in range(3)]
    a0 = mapped(dev, bufs[0], 4096, DMA_TO_DEVICE)
    a1 = mapped(dev, bufs[1], 4096, DMA_TO_DEVICE)
    a2 = dma_map_single(dev, bufs[2], 4096, DMA_TO_DEVICE)
    assert a2 == DMA_MAPPING_ERROR and dma_mapping_error(dev, a2) == -ENOMEM
    assert ("ringnic 43c00000.ethernet: swiotlb buffer is full (sz: 4096 bytes), "
            "total 4 (slots), used 4 (slots)") in "\n".join(dmesg())
    clean_reports()                                     # a handled failure is no driver bug
    dma_unmap_single(dev, a0, 4096, DMA_TO_DEVICE)
    a2 = mapped(dev, bufs[2], 4096, DMA_TO_DEVICE)
    for a in (a1, a2):
        dma_unmap_single(dev, a, 4096, DMA_TO_DEVICE)
    clean_reports()


def test_dma_swiotlb_force_bounces_everything(host, dev):
    swiotlb_init(size=1 << 16, phys=0x00800000, force=True)
    buf = kmalloc(64)
    a = mapped(dev, buf, 64, DMA_FROM_DEVICE)
    assert 0x00800000 <= a < 0x00810000
    host.device_write(a, b"hi")
    assert cpu_read(buf, 2) != b"hi"                    # missing sync shows even when coherent
    dma_unmap_single(dev, a, 64, DMA_FROM_DEVICE)
    assert cpu_read(buf, 2) == b"hi"
    assert [r.check for r in dma_debug_take_reports()] == ["cpu_access_device_owned"]


# --- __iomem ------------------------------------------------------------------------------------

class Regs:
    def __init__(self, host):
        self.host, self.seen = host, []

    async def readl(self, offset):
        return 0

    async def writel(self, value, offset):   # what the NIC would fetch when the doorbell rings
        self.seen.append(self.host.device_read(self.ring, 4))


def test_dma_writel_drains_the_write_buffer_writel_relaxed_does_not(host, dev):
    regs = Regs(host)
    io = IoMem(regs, 0x43C00000, 0x20000)
    assert io.backend is regs
    cpu, regs.ring = dma_alloc_coherent(dev, 4096)
    cpu_write(cpu, b"dsc1")
    asyncio.run(io.writel_relaxed(1, 0x3818))
    cpu_write(cpu, b"dsc2")
    asyncio.run(io.writel(2, 0x3818))
    assert regs.seen == [bytes(4), b"dsc2"]    # relaxed: the NIC fetched a stale descriptor


def test_dma_devm_ioremap_hands_out_iomem(host):
    from pathlib import Path
    from pydriver.kernel import of
    root = of.of_fdt_unflatten(of.dtc_compile(Path(__file__).resolve().parents[2] / "sim" /
                                              "ringnic.dts"))
    platform.of_platform_populate(root)
    platform.register_iomem_backend(0x43C00000, 0x20000, lambda s, n: Regs(host))
    got = {}

    async def probe(pdev):
        got["io"] = platform.devm_ioremap(pdev.dev, 0x43C00000, 0x20000)
        return 0
    asyncio.run(platform.platform_driver_register(
        platform.PlatformDriver("ringnic", probe=probe,
                                of_match_table=[{"compatible": "ringnic,ringnic-1.0"}])))
    assert type(got["io"]) is IoMem and isinstance(got["io"].backend, Regs)


# --- allocators and accounting ------------------------------------------------------------------

def test_dma_kmalloc_objects_start_on_cache_lines(host):
    ptrs = [kmalloc(n) for n in (1, 8, 33, 100, 1500)]
    assert all(p % 32 == 0 for p in ptrs)
    assert len({p >> 5 for p in ptrs}) == len(ptrs)
    assert kmalloc(0) == ZERO_SIZE_PTR
    kfree(ZERO_SIZE_PTR)
    kfree(None)
    p = kzalloc(200)
    assert cpu_read(p, 200) == bytes(200)
    memset(p, 0x5A, 16)
    memcpy(p + 100, p, 16)
    assert cpu_read(p + 100, 16) == b"\x5a" * 16
    kfree(p)
    with pytest.raises(KernelBug, match="kfree: 0x.* is not a live kmalloc object"):
        kfree(p)


def test_dma_kmalloc_alignment_follows_the_installed_line_size():
    k = boot()
    install(k, HostMemory(line_size=64))
    assert all(kmalloc(n) % 64 == 0 for n in (1, 40, 70, 200))


def test_dma_leaked_kmalloc_names_its_allocation_site(host):
    mark = mm_snapshot()
    keep = kmalloc(100)
    gone = kmalloc(100)
    kfree(gone)
    leaks = mm_leaks_since(mark)
    assert [a.vaddr for a in leaks] == [keep]
    assert leaks[0].site.startswith("tests/unit/test_dma_api.py:") and \
        leaks[0].site.endswith("in test_dma_leaked_kmalloc_names_its_allocation_site")


def test_dma_devm_kzalloc_is_freed_at_unbind(host):
    from pathlib import Path
    from pydriver.kernel import of
    root = of.of_fdt_unflatten(of.dtc_compile(Path(__file__).resolve().parents[2] / "sim" /
                                              "ringnic.dts"))
    platform.of_platform_populate(root)
    mark = mm_snapshot()

    async def probe(pdev):
        devm_kzalloc(pdev.dev, 512)
        return 0
    asyncio.run(platform.platform_driver_register(
        platform.PlatformDriver("ringnic", probe=probe,
                                of_match_table=[{"compatible": "ringnic,ringnic-1.0"}])))
    assert len(mm_leaks_since(mark)) == 1
    pdev = next(d for d in platform.platform_devices() if d.dev.name == "43c00000.ethernet")
    asyncio.run(platform.device_release_driver(pdev))
    assert mm_leaks_since(mark) == []


def test_dma_cpu_virtual_addresses_are_not_bus_addresses(host, dev):
    cpu, handle = dma_alloc_coherent(dev, 4096)
    assert virt_to_phys(cpu) != handle                  # garbage, and DEBUG_VIRTUAL says so
    reps = dma_debug_take_reports()
    assert [r.text for r in reps] == [f"virt_to_phys used for non-linear address: {cpu:08x}"]
    with pytest.raises(KernelBug, match="Unable to handle kernel paging request at virtual "
                       "address e0900000"):
        cpu_read(0xE0900000, 4)
    with pytest.raises(KernelBug, match="NULL pointer dereference"):
        cpu_write(0, b"x")
