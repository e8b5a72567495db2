"""Host memory: the CPU's cache and write buffer, the NIC's fenced port, the seed's stale-data
bugs, write-buffer reordering and barriers, and the cocotbext-axi integration points."""

import asyncio
from types import SimpleNamespace

import pytest
from cocotbext.axi.memory import Memory

from pydriver.kernel import boot
from pydriver.kernel.barrier import dma_wmb, smp_wmb, wmb
from pydriver.kernel.core import Device
from pydriver.kernel.dma import (DMA_BIDIRECTIONAL, DMA_BIT_MASK, DMA_FROM_DEVICE, DMA_TO_DEVICE,
                                 dma_alloc_coherent, dma_map_single, dma_mapping_error,
                                 dma_set_mask_and_coherent, dma_sync_single_for_cpu,
                                 dma_unmap_single)
from pydriver.kernel.dma_debug import dma_debug_take_reports
from pydriver.kernel.mm import __pa, cpu_read, cpu_read_u32, cpu_write, cpu_write_u64
from pydriver.kernel.printk import dmesg
from pydriver.kernel.slab import kmalloc
from pydriver.ringnic.desc import TXD_STAT_DD, TXD_UPPER
from tb.harness.cpu_view import CpuCache, Dram
from tb.harness.hostmem import DmaCheckError, HostMemory, IommuAbort, axi_burst_span, install

DD = TXD_STAT_DD.to_bytes(4, "little")  # a TX descriptor's upper dword with DD, as the NIC writes it

T = [0]


def make(**kw):
    T[0] = 0
    k = boot(clock=lambda: T[0])
    host = install(k, HostMemory(**kw))
    dev = Device("43c00000.ethernet", bus="platform")
    dev.driver = SimpleNamespace(name="ringnic")
    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32))
    return host, dev


@pytest.fixture
def hd():
    return make()


def checks():
    return [r.check for r in dma_debug_take_reports()]


def mapped(dev, buf, size, direction):
    a = dma_map_single(dev, buf, size, direction)
    assert dma_mapping_error(dev, a) == 0
    return a


# --- the cache itself ----------------------------------------------------------------------------

def test_hostmem_cache_is_write_back_write_allocate():
    dram = Dram(1 << 20)
    dram.write(0x100, b"old!" * 8)
    c = CpuCache(dram, 32)
    c.write(0x104, b"new")
    assert c.line_state(0x100) == (True, True) and c.read(0x100, 8) == b"old!new!"
    assert dram.read(0x104, 4) == b"old!"               # memory still old
    c.clean(0x100, 1)
    assert dram.read(0x104, 4) == b"new!" and c.line_state(0x100) == (True, False)
    c.write(0x100, b"X")
    c.invalidate(0x100, 32)                              # dirty data dropped
    assert c.line_state(0x100) == (False, False) and dram.read(0x100, 1) == b"o"
    c.write(0x100, b"Y")
    c.clean_inv(0x100, 32)
    assert dram.read(0x100, 1) == b"Y" and c.line_state(0x100) == (False, False)


def test_hostmem_cache_capacity_evicts_lru_with_write_back():
    dram = Dram(1 << 20)
    c = CpuCache(dram, 32, capacity_lines=2)
    c.write(0, b"a")
    c.write(32, b"b")
    c.read(0, 1)                                         # line 0 is now the most recent
    c.write(64, b"c")                                    # evicts line 32
    assert c.line_state(32) == (False, False) and dram.read(32, 1) == b"b"
    assert c.line_state(0) == (True, True)


# --- the seed's stale-data bugs (non-coherent HP port) --------------------------------------------

def test_hostmem_descriptor_in_cacheable_memory_is_stale_for_the_device(hd):
    host, dev = hd
    ring = kmalloc(4096)                                 # the bug: not dma_alloc_coherent
    cpu_write_u64(ring, 0x01000000)
    assert host.device_read(__pa(ring), 8) == bytes(8)   # the dirty line never reached DRAM
    (fault,) = host.take_iommu_faults()                  # ...and it is no DMA memory at all
    assert fault.reason == "outside any DMA mapping" and fault.direction == "read"
    a = mapped(dev, ring, 4096, DMA_BIDIRECTIONAL)       # mapped once at setup
    cpu_write_u64(ring + 16, 0x01000800)                 # then written while the device owns it
    assert host.device_read(a + 16, 8) == bytes(8)
    assert host.take_iommu_faults() == [] and checks() == ["cpu_access_device_owned"]


def test_hostmem_device_write_invisible_to_cpu_without_invalidate(hd):
    host, dev = hd
    ring = kmalloc(4096)
    a = mapped(dev, ring, 4096, DMA_BIDIRECTIONAL)
    assert cpu_read_u32(ring + TXD_UPPER) == 0           # polling DD pulls the line in
    host.device_write(a + TXD_UPPER, DD)                 # the NIC sets DD
    assert cpu_read_u32(ring + TXD_UPPER) == 0           # "NIC writes invisible to the driver"
    dma_sync_single_for_cpu(dev, a, 4096, DMA_BIDIRECTIONAL)
    assert cpu_read_u32(ring + TXD_UPPER) == TXD_STAT_DD
    assert checks() == ["cpu_access_device_owned"]


def test_hostmem_coherent_ring_sees_device_writes_at_once(hd):
    host, dev = hd
    ring, handle = dma_alloc_coherent(dev, 4096)
    assert cpu_read_u32(ring + TXD_UPPER) == 0
    host.device_write(handle + TXD_UPPER, DD)
    assert cpu_read_u32(ring + TXD_UPPER) == TXD_STAT_DD
    assert checks() == [] and host.iommu_faults() == []


def test_hostmem_dt_says_coherent_but_the_port_is_not():
    host, dev = make(coherent=False)
    dev.dma_coherent = True                              # a wrong dma-coherent in the tree
    buf = kmalloc(64)
    cpu_write(buf, b"payload")
    a = mapped(dev, buf, 64, DMA_TO_DEVICE)              # the kernel skips the clean
    assert host.device_read(a, 7) == bytes(7)


def test_hostmem_speculative_fill_makes_a_missing_sync_visible():
    host, dev = make(speculate=1.0, seed=7)
    rx = kmalloc(64)
    a = mapped(dev, rx, 64, DMA_FROM_DEVICE)
    other = kmalloc(64)
    for _ in range(50):                                  # unrelated CPU work
        cpu_write(other, b"work")
        if host.cache.line_state(a)[0]:
            break
    assert host.cache.line_state(a) == (True, False)     # the RX line came in, old data
    host.device_write(a, b"fresh")
    assert cpu_read(rx, 5) == bytes(5)                   # no sync: stale
    dma_unmap_single(dev, a, 64, DMA_FROM_DEVICE)
    assert cpu_read(rx, 5) == b"fresh"
    assert checks() == ["cpu_access_device_owned"]


def test_hostmem_acp_snoops_dirty_lines_and_updates_the_cpu():
    host, dev = make(coherent=True)
    dev.dma_coherent = True
    buf = kmalloc(64)
    a = mapped(dev, buf, 64, DMA_BIDIRECTIONAL)
    dma_sync_single_for_cpu(dev, a, 64, DMA_BIDIRECTIONAL)
    cpu_write(buf, b"cpu")
    assert host.cache.line_state(a) == (True, True)
    assert host.device_read(a, 3) == b"cpu"              # dirty data, seen through the ACP
    host.device_write(a + 4, b"dev")
    assert cpu_read(buf, 7) == b"cpu\x00dev"             # device data, no invalidate needed
    assert checks() == []


# --- write buffer and barriers --------------------------------------------------------------------

def test_hostmem_write_buffer_holds_stores_until_wmb(hd):
    host, dev = hd
    ring, handle = dma_alloc_coherent(dev, 4096)
    cpu_write(ring, b"descriptor")
    assert host.device_read(handle, 10) == bytes(10)
    assert cpu_read(ring, 10) == b"descriptor"           # store-to-load forwarding
    wmb()
    assert host.device_read(handle, 10) == b"descriptor"
    assert host.barriers["wmb"] == 1


def test_hostmem_write_buffer_retires_youngest_first_without_a_barrier():
    host, dev = make(wb_max_slots=2)
    ring, h = dma_alloc_coherent(dev, 4096)
    cpu_write_u64(ring, 0x01000000)                      # desc 0 buffer address
    cpu_write_u64(ring + 8, 0x0B000040)                  # desc 0 length/cmd/status
    cpu_write_u64(ring + 16, 0x01000800)                 # desc 1: buffer full, one retires
    assert host.device_read(h + 8, 8) != bytes(8)        # the later store is visible...
    assert host.device_read(h, 8) == bytes(8)            # ...before the earlier one


def test_hostmem_dma_wmb_orders_the_write_buffer():
    host, dev = make(wb_max_slots=2)
    ring, h = dma_alloc_coherent(dev, 4096)
    cpu_write_u64(ring, 0x01000000)
    dma_wmb()
    cpu_write_u64(ring + 8, 0x0B000040)
    cpu_write_u64(ring + 16, 0x01000800)
    assert host.device_read(h, 8) != bytes(8)            # the older epoch went first
    assert host.device_read(h + 8, 8) == bytes(8)


def test_hostmem_dma_wmb_orders_but_does_not_drain_unless_asked():
    host, dev = make()
    ring, h = dma_alloc_coherent(dev, 4096)
    cpu_write(ring, b"desc")
    dma_wmb()
    assert host.device_read(h, 4) == bytes(4)            # dma_wmb + writel_relaxed: stale
    host, dev = make(dmb_drains=True)
    ring, h = dma_alloc_coherent(dev, 4096)
    cpu_write(ring, b"desc")
    dma_wmb()
    assert host.device_read(h, 4) == b"desc"


def test_hostmem_smp_wmb_does_not_order_against_the_device():
    host, dev = make(wb_max_slots=2)
    ring, h = dma_alloc_coherent(dev, 4096)
    cpu_write_u64(ring, 0x01000000)
    smp_wmb()
    cpu_write_u64(ring + 8, 0x0B000040)
    cpu_write_u64(ring + 16, 0x01000800)
    assert host.device_read(h, 8) == bytes(8) and host.barriers["smp_wmb"] == 1


def test_hostmem_write_buffer_drains_by_itself_after_a_while():
    host, dev = make(wb_drain_ns=1000)
    ring, h = dma_alloc_coherent(dev, 4096)
    T[0] = 100
    cpu_write(ring, b"late")
    T[0] = 1099
    assert host.device_read(h, 4) == bytes(4)
    T[0] = 1100
    assert host.device_read(h, 4) == b"late"


def test_hostmem_cache_maintenance_drains_the_write_buffer(hd):
    host, dev = hd
    ring, h = dma_alloc_coherent(dev, 4096)
    cpu_write(ring, b"d")
    a = mapped(dev, kmalloc(64), 64, DMA_TO_DEVICE)      # v7_dma_clean_range ends in a DSB
    assert host.device_read(h, 1) == b"d"
    dma_unmap_single(dev, a, 64, DMA_TO_DEVICE)


# --- the fence ------------------------------------------------------------------------------------

@pytest.mark.parametrize("direction,read_ok,write_ok", [
    (DMA_TO_DEVICE, True, False), (DMA_FROM_DEVICE, False, True), (DMA_BIDIRECTIONAL, True, True)])
def test_hostmem_fence_direction_rules(hd, direction, read_ok, write_ok):
    host, dev = hd
    a = mapped(dev, kmalloc(256), 256, direction)
    assert host.fence(a, 64, "read") is read_ok
    assert host.fence(a, 64, "write") is write_ok
    for f in host.take_iommu_faults():
        assert f.nearest_mapping.dev_addr == a and f.reason.startswith(f"device {f.direction} of a")


def test_hostmem_fence_allows_coherent_memory_both_ways(hd):
    host, dev = hd
    _, h = dma_alloc_coherent(dev, 4096)
    host.device_read(h, 4096)
    host.device_write(h + 4000, bytes(96))
    assert host.iommu_faults() == []


def test_hostmem_fence_reports_the_nearest_mapping(hd):
    host, dev = hd
    buf = kmalloc(2048)
    a = mapped(dev, buf, 2048, DMA_FROM_DEVICE)
    host.device_write(a + 2048 + 64, bytes(64))
    host.device_write(a + 2040, bytes(16))
    out, past = host.take_iommu_faults()
    assert (out.addr, out.length, out.direction) == (a + 2112, 64, "write")
    assert out.reason == "outside any DMA mapping"
    assert out.nearest_mapping.dev_addr == a and out.nearest_mapping.size == 2048
    assert out.nearest_mapping.direction == "DMA_FROM_DEVICE"
    assert out.nearest_mapping.site.startswith("tests/unit/test_hostmem.py:")
    assert past.reason == "runs past the end of its mapping"
    assert f"hostmem: IOMMU fault: device write 0x{a + 2112:08x}+64" in "\n".join(dmesg())


def test_hostmem_fence_catches_use_after_unmap(hd):
    host, dev = hd
    a = mapped(dev, kmalloc(2048), 2048, DMA_FROM_DEVICE)
    dma_unmap_single(dev, a, 2048, DMA_FROM_DEVICE)
    host.device_write(a, b"late")
    (f,) = host.take_iommu_faults()
    assert f.reason == "inside a mapping that was already unmapped"
    assert f.nearest_mapping.unmapped_at.endswith("in test_hostmem_fence_catches_use_after_unmap")


def test_hostmem_fence_catches_device_access_to_a_cpu_owned_buffer(hd):
    host, dev = hd
    a = mapped(dev, kmalloc(2048), 2048, DMA_FROM_DEVICE)
    dma_sync_single_for_cpu(dev, a, 128, DMA_FROM_DEVICE)
    host.device_write(a + 256, bytes(64))                # still the device's part
    host.device_write(a + 64, bytes(64))
    (f,) = host.take_iommu_faults()
    assert f.addr == a + 64 and f.reason.startswith("buffer owned by the CPU")


def test_hostmem_fence_spots_a_cpu_virtual_address_in_a_descriptor(hd):
    host, dev = hd
    buf = kmalloc(2048)
    mapped(dev, buf, 2048, DMA_FROM_DEVICE)
    host.device_write(buf, bytes(64))                    # the driver programmed buf, not its handle
    (f,) = host.take_iommu_faults()
    assert f.reason == (f"outside any DMA mapping (a CPU virtual address? __pa() of it is "
                        f"0x{__pa(buf):08x}, inside a live mapping)")


def test_hostmem_fence_checks_the_device_mask():
    host, dev = make()
    host.dev = dev
    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(24))
    host.device_read(0x01000000, 64)
    (f,) = host.take_iommu_faults()
    assert f.reason == "above the device's DMA mask 0xffffff"


def test_hostmem_fault_policy_abort_drops_writes_and_reads_zeros():
    host, dev = make(fault_policy="abort")
    host.dram.write(0x02000000, b"secret")
    assert host.device_read(0x02000000, 6) == bytes(6)
    host.device_write(0x02000000, b"XXXXXX")
    assert host.dram.read(0x02000000, 6) == b"secret"
    assert len(host.take_iommu_faults()) == 2


def test_hostmem_check_clean_lists_reports_and_faults(hd):
    host, dev = hd
    host.check_clean()
    dma_unmap_single(dev, 0x01000000, 64, DMA_TO_DEVICE)
    host.device_read(0x03000000, 16)
    with pytest.raises(DmaCheckError) as e:
        host.check_clean()
    msg = str(e.value)
    assert "1 DMA-API debug report(s), 1 IOMMU fault(s)" in msg
    assert "device driver tries to free DMA memory it has not allocated" in msg
    assert "IOMMU fault: device read 0x03000000+16" in msg
    dma_debug_take_reports()
    host.take_iommu_faults()
    host.check_clean()


# --- cocotbext-axi integration ----------------------------------------------------------------

def test_hostmem_axi_burst_spans():
    def ar(addr, n, size=3, burst=1):
        return SimpleNamespace(araddr=addr, arlen=n - 1, arsize=size, arburst=burst)
    assert axi_burst_span(ar(0x1000, 4), "ar", 8) == (0x1000, 32)
    assert axi_burst_span(ar(0x1004, 2), "ar", 8) == (0x1004, 12)          # unaligned start
    assert axi_burst_span(ar(0x1010, 4, burst=2), "ar", 8) == (0x1000, 32)  # WRAP
    assert axi_burst_span(ar(0x1008, 4, burst=0), "ar", 8) == (0x1008, 8)  # FIXED
    aw = SimpleNamespace(awaddr=0x2000, awlen=1, awsize=2, awburst=1)
    assert axi_burst_span(aw, "aw", 8) == (0x2000, 8)


class Chan:
    def __init__(self, items):
        self.items = list(items)

    async def recv(self):
        return self.items.pop(0)


def test_hostmem_attach_axi_fences_each_burst_once(hd):
    host, dev = hd
    a = mapped(dev, kmalloc(2048), 2048, DMA_TO_DEVICE)
    ar = [SimpleNamespace(araddr=a, arlen=7, arsize=3, arburst=1),
          SimpleNamespace(araddr=a + 4096, arlen=7, arsize=3, arburst=1)]
    aw = [SimpleNamespace(awaddr=a, awlen=0, awsize=3, awburst=1)]
    ram = SimpleNamespace(read_if=SimpleNamespace(ar_channel=Chan(ar), byte_lanes=8),
                          write_if=SimpleNamespace(aw_channel=Chan(aw), byte_lanes=8))
    host.attach_axi(ram)

    async def bursts():
        return [await ram.read_if.ar_channel.recv(), await ram.read_if.ar_channel.recv(),
                await ram.write_if.aw_channel.recv()]
    assert asyncio.run(bursts())[0] is ar[0]             # transactions pass through unchanged
    faults = host.take_iommu_faults()
    assert [(f.addr, f.length, f.direction) for f in faults] == [(a + 4096, 64, "read"),
                                                              (a, 8, "write")]


def test_hostmem_axi_mem_serves_cocotbext_memory_from_the_same_dram():
    host, dev = make(coherent=True)
    ram = Memory(mem=host.axi_mem())                     # what AxiRam(..., mem=...) builds on
    assert ram.size == 1 << 32
    host.cache.write(0x01000000, b"dirty")               # CPU data the ACP must see
    assert ram.read(0x01000000, 5) == b"dirty"
    ram.write(0x01000008, b"beat")
    assert host.dram.read(0x01000008, 4) == b"beat"
    assert ram.read(0x30000000, 4) == bytes(4)           # no DRAM there: zeros, no wrap-around
    assert host.iommu_faults() == []                     # beats are not fenced, bursts are

    host.fault_policy = "abort"
    with pytest.raises(IommuAbort):                      # -> SLVERR in AxiRamRead/Write
        ram.read(0x01000000, 8)


def test_hostmem_install_needs_the_running_kernel():
    k = boot()
    boot()
    with pytest.raises(ValueError, match="not the running one"):
        install(k, HostMemory())
