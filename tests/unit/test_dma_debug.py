"""CONFIG_DMA_API_DEBUG model: every check, with the kernel's exact text, and the model's own."""

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest

from pydriver.kernel import KernelBug, boot, of, platform
from pydriver.kernel.core import Device
from pydriver.kernel.dma import (DMA_BIDIRECTIONAL, DMA_BIT_MASK, DMA_FROM_DEVICE,
                                 DMA_MAPPING_ERROR, DMA_NONE, DMA_TO_DEVICE, dma_alloc_coherent,
                                 dma_free_coherent, dma_map_single, dma_mapping_error,
                                 dma_set_mask_and_coherent, dma_sync_single_for_cpu,
                                 dma_sync_single_for_device, dma_unmap_single, dmam_alloc_coherent)
from pydriver.kernel.dma_debug import (DmaApiDebugError, check_clean, debug_dma_dump_mappings,
                                       dma_debug_entries, dma_debug_reports,
                                       dma_debug_take_reports)
from pydriver.kernel.mm import (PAGE_SIZE, __get_free_pages, cpu_read, cpu_write, free_pages)
from pydriver.kernel.printk import dmesg
from pydriver.kernel.slab import kfree, kmalloc
from pydriver.kernel.swiotlb import swiotlb_exit
from tb.harness.hostmem import HostMemory, install

HERE = Path(__file__).name
HEAD = "DMA-API: ringnic 43c00000.ethernet: "


@pytest.fixture
def k():
    k = boot()
    install(k, HostMemory())
    return k


@pytest.fixture
def dev(k):
    d = Device("43c00000.ethernet", bus="platform")
    d.driver = SimpleNamespace(name="ringnic")
    assert dma_set_mask_and_coherent(d, DMA_BIT_MASK(32)) == 0
    return d


def texts():
    return [r.text for r in dma_debug_take_reports()]


def mapped(dev, size=2048, direction=DMA_FROM_DEVICE):
    buf = kmalloc(size)
    addr = dma_map_single(dev, buf, size, direction)
    assert dma_mapping_error(dev, addr) == 0
    return buf, addr


# --- check_unmap ----------------------------------------------------------------------------

def test_dma_debug_unmap_of_never_mapped_address(dev):
    dma_unmap_single(dev, 0x01234000, 64, DMA_TO_DEVICE)
    assert texts() == [HEAD + "device driver tries to free DMA memory it has not allocated "
                       "[device address=0x0000000001234000] [size=64 bytes]"]


def test_dma_debug_unmap_of_mapping_error(dev):
    dma_unmap_single(dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE)
    assert texts() == [HEAD + "device driver tries to free an invalid DMA memory address"]


def test_dma_debug_unmap_with_wrong_size(dev):
    _, a = mapped(dev)
    dma_unmap_single(dev, a, 1024, DMA_FROM_DEVICE)
    assert texts() == [HEAD + "device driver frees DMA memory with different size "
                       f"[device address=0x{a:016x}] [map size=2048 bytes] [unmap size=1024 bytes]"]
    assert dma_debug_entries(dev) == []      # the entry is gone anyway, as in the kernel


def test_dma_debug_unmap_with_wrong_direction(dev):
    _, a = mapped(dev)
    dma_unmap_single(dev, a, 2048, DMA_TO_DEVICE)
    assert texts() == [HEAD + "device driver frees DMA memory with different direction "
                       f"[device address=0x{a:016x}] [size=2048 bytes] "
                       "[mapped with DMA_FROM_DEVICE] [unmapped with DMA_TO_DEVICE]"]


def test_dma_debug_wrong_unmap_function_both_ways(dev):
    _, a = mapped(dev, 4096, DMA_BIDIRECTIONAL)
    dma_free_coherent(dev, 4096, 0xC0000000 + a, a)
    assert texts() == [HEAD + "device driver frees DMA memory with wrong function "
                       f"[device address=0x{a:016x}] [size=4096 bytes] "
                       "[mapped as single] [unmapped as coherent]"]
    cpu, handle = dma_alloc_coherent(dev, 4096)
    dma_unmap_single(dev, handle, 4096, DMA_BIDIRECTIONAL)
    assert texts() == [HEAD + "device driver frees DMA memory with wrong function "
                       f"[device address=0x{handle:016x}] [size=4096 bytes] "
                       "[mapped as coherent] [unmapped as single]"]


def test_dma_debug_free_coherent_with_other_cpu_address(dev):
    cpu1, h1 = dma_alloc_coherent(dev, 4096)
    cpu2, h2 = dma_alloc_coherent(dev, 4096)
    dma_free_coherent(dev, 4096, cpu2, h1)
    assert texts() == [HEAD + "device driver frees DMA memory with different CPU address "
                       f"[device address=0x{h1:016x}] [size=4096 bytes] "
                       f"[cpu alloc address=0x{h1:016x}] [cpu free address=0x{h2:016x}]"]


def test_dma_debug_free_coherent_of_unknown_handle(dev):
    cpu, h = dma_alloc_coherent(dev, 4096)
    dma_free_coherent(dev, 4096, cpu, h + PAGE_SIZE)
    assert texts() == [HEAD + "device driver tries to free DMA memory it has not allocated "
                       f"[device address=0x{h + PAGE_SIZE:016x}] [size=4096 bytes]"]


def test_dma_debug_map_error_not_checked(dev):
    buf = kmalloc(256)
    a = dma_map_single(dev, buf, 256, DMA_TO_DEVICE)     # no dma_mapping_error()
    dma_unmap_single(dev, a, 256, DMA_TO_DEVICE)
    assert texts() == [HEAD + "device driver failed to check map error"
                       f"[device address=0x{a:016x}] [size=256 bytes] [mapped as single]"]
    _, a = mapped(dev, 256, DMA_TO_DEVICE)                 # checked: quiet
    dma_unmap_single(dev, a, 256, DMA_TO_DEVICE)
    assert texts() == []


# --- check_sync -------------------------------------------------------------------------------

def test_dma_debug_sync_of_unmapped_memory(dev):
    dma_sync_single_for_cpu(dev, 0x01F00000, 64, DMA_FROM_DEVICE)
    assert texts() == [HEAD + "device driver tries to sync DMA memory it has not allocated "
                       "[device address=0x0000000001f00000] [size=64 bytes]"]


def test_dma_debug_sync_outside_the_mapping(dev):
    _, a = mapped(dev)
    dma_sync_single_for_cpu(dev, a + 64, 2048, DMA_FROM_DEVICE)
    assert texts() == [HEAD + "device driver syncs DMA memory outside allocated range "
                       f"[device address=0x{a:016x}] [allocation size=2048 bytes] "
                       "[sync offset+size=2112]"]


def test_dma_debug_partial_sync_inside_the_mapping_is_fine(dev):
    _, a = mapped(dev)
    dma_sync_single_for_cpu(dev, a + 64, 128, DMA_FROM_DEVICE)
    dma_sync_single_for_device(dev, a + 64, 128, DMA_FROM_DEVICE)
    assert texts() == []


def test_dma_debug_sync_for_cpu_with_other_direction(dev):
    _, a = mapped(dev, 2048, DMA_TO_DEVICE)
    dma_sync_single_for_cpu(dev, a, 2048, DMA_BIDIRECTIONAL)
    tail = (f"[device address=0x{a:016x}] [size=2048 bytes] "
            "[mapped with DMA_TO_DEVICE] [synced with DMA_BIDIRECTIONAL]")
    assert texts() == [HEAD + "device driver syncs DMA memory with different direction " + tail,
                       HEAD + "device driver syncs device read-only DMA memory for cpu " + tail]


def test_dma_debug_sync_for_device_with_other_direction(dev):
    _, a = mapped(dev, 2048, DMA_FROM_DEVICE)
    dma_sync_single_for_device(dev, a, 2048, DMA_TO_DEVICE)
    tail = (f"[device address=0x{a:016x}] [size=2048 bytes] "
            "[mapped with DMA_FROM_DEVICE] [synced with DMA_TO_DEVICE]")
    assert texts() == [HEAD + "device driver syncs DMA memory with different direction " + tail,
                       HEAD + "device driver syncs device write-only DMA memory to device " + tail]


def test_dma_debug_bidirectional_mapping_syncs_any_way(dev):
    _, a = mapped(dev, 2048, DMA_BIDIRECTIONAL)
    for d in (DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL):
        dma_sync_single_for_cpu(dev, a, 2048, d)
        dma_sync_single_for_device(dev, a, 2048, d)
    assert texts() == []


# --- overlapping mappings, bad sources, bad directions ---------------------------------------

def test_dma_debug_overlapping_writable_mappings_of_one_cacheline(dev):
    buf = kmalloc(512)
    a1 = dma_map_single(dev, buf, 512, DMA_TO_DEVICE)
    a2 = dma_map_single(dev, buf, 512, DMA_TO_DEVICE)     # read-only overlaps are exempt
    assert texts() == []
    a3 = dma_map_single(dev, buf, 512, DMA_FROM_DEVICE)
    a4 = dma_map_single(dev, buf + 16, 64, DMA_BIDIRECTIONAL)   # same first cache line
    assert texts() == [HEAD + "cacheline tracking EEXIST, overlapping mappings aren't supported"]
    for a, n, d in ((a1, 512, DMA_TO_DEVICE), (a2, 512, DMA_TO_DEVICE), (a3, 512, DMA_FROM_DEVICE),
                    (a4, 64, DMA_BIDIRECTIONAL)):
        dma_mapping_error(dev, a)
        dma_unmap_single(dev, a, n, d)
    assert texts() == []


def test_dma_debug_map_from_invalid_area(dev):
    assert dma_map_single(dev, 0x1000, 64, DMA_TO_DEVICE) == DMA_MAPPING_ERROR
    assert texts() == [HEAD + "device driver maps memory from invalid area "
                       "[addr=00001000] [len=64]"]


def test_dma_debug_map_of_vmalloc_memory_is_rejected(dev):
    cpu, _ = dma_alloc_coherent(dev, 4096)
    assert dma_map_single(dev, cpu, 64, DMA_TO_DEVICE) == DMA_MAPPING_ERROR
    assert texts() == ["ringnic 43c00000.ethernet: rejecting DMA map of vmalloc memory"]


def test_dma_debug_address_above_mask_without_swiotlb(dev):
    swiotlb_exit()
    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(24))
    buf = kmalloc(64)                               # kmalloc memory starts at 16 MiB
    assert dma_map_single(dev, buf, 64, DMA_TO_DEVICE) == DMA_MAPPING_ERROR
    assert texts() == [f"ringnic 43c00000.ethernet: DMA addr 0x{buf - 0xC0000000:08x}+64 "
                       "overflow (mask ffffff, bus limit 0)."]


def test_dma_debug_dma_none_is_a_kernel_bug(dev):
    buf = kmalloc(64)
    with pytest.raises(KernelBug, match="invalid DMA direction DMA_NONE"):
        dma_map_single(dev, buf, 64, DMA_NONE)
    with pytest.raises(KernelBug, match="dma_unmap_page_attrs"):
        dma_unmap_single(dev, 0x01000000, 64, 7)


# --- model checks -------------------------------------------------------------------------------

def test_dma_debug_cpu_access_to_device_owned_buffer(dev):
    buf, a = mapped(dev, 256, DMA_FROM_DEVICE)
    cpu_read(buf, 16)
    cpu_read(buf + 16, 16)                          # one report per buffer and kind
    cpu_write(buf, b"x")
    got = dma_debug_take_reports()
    assert [r.check for r in got] == ["cpu_access_device_owned"] * 2 and all(r.model for r in got)
    assert got[0].text == (HEAD + "cpu reads DMA memory owned by the device "
                           f"[device address=0x{a:016x}] [size=256 bytes] "
                           f"[mapped with DMA_FROM_DEVICE] [cpu address=0x{buf:08x}] "
                           "[access size=16 bytes]")
    assert "cpu writes to DMA memory owned by the device" in got[1].text
    dma_sync_single_for_cpu(dev, a, 256, DMA_FROM_DEVICE)      # the CPU's now
    cpu_read(buf, 256)
    cpu_write(buf, b"y")
    assert texts() == []
    dma_sync_single_for_device(dev, a, 256, DMA_FROM_DEVICE)   # the device's again
    cpu_read(buf, 4)
    assert [r.check for r in dma_debug_take_reports()] == ["cpu_access_device_owned"]


def test_dma_debug_cpu_may_read_but_not_write_a_to_device_buffer(dev):
    buf, a = mapped(dev, 256, DMA_TO_DEVICE)
    cpu_read(buf, 256)
    assert texts() == []
    cpu_write(buf + 8, b"late edit")                # modifying a TX skb after mapping it
    assert "cpu writes to DMA memory owned by the device" in texts()[0]
    dma_unmap_single(dev, a, 256, DMA_TO_DEVICE)
    cpu_write(buf, b"ok")
    assert texts() == []


def test_dma_debug_partial_sync_gives_the_cpu_only_that_part(dev):
    buf, a = mapped(dev, 2048, DMA_FROM_DEVICE)
    dma_sync_single_for_cpu(dev, a, 64, DMA_FROM_DEVICE)
    cpu_read(buf, 64)
    assert texts() == []
    cpu_read(buf + 64, 4)
    assert len(texts()) == 1


def test_dma_debug_cpu_store_into_a_line_shared_with_a_receive_buffer(dev):
    page = __get_free_pages(0, 0)
    a = dma_map_single(dev, page, 48, DMA_FROM_DEVICE)     # ends inside line 1
    dma_mapping_error(dev, a)
    cpu_write(page + 56, b"flag")                          # same line, outside the buffer
    assert texts() == [HEAD + "cpu writes to a cache line shared with DMA memory owned by the "
                       f"device [cacheline=0x{a + 32:08x}] [device address=0x{a:016x}] "
                       "[size=48 bytes] [mapped with DMA_FROM_DEVICE]"]
    cpu_write(page + 64, b"next line is fine")
    assert texts() == []
    dma_unmap_single(dev, a, 48, DMA_FROM_DEVICE)
    free_pages(page, 0)


def test_dma_debug_freeing_mapped_memory(dev):
    buf, a = mapped(dev, 128, DMA_TO_DEVICE)
    kfree(buf)
    assert texts() == [HEAD + "kfree() of memory that is still DMA-mapped "
                       f"[device address=0x{a:016x}] [size=128 bytes] [mapped with DMA_TO_DEVICE]"]


# --- reporting ----------------------------------------------------------------------------------

def test_dma_debug_records_every_error_with_call_and_map_sites(dev):
    buf = kmalloc(64)
    a = dma_map_single(dev, buf, 64, DMA_FROM_DEVICE); map_line = _line()  # noqa: E702
    dma_unmap_single(dev, a, 32, DMA_TO_DEVICE); unmap_line = _line()  # noqa: E702
    reps = dma_debug_reports()
    assert [r.check for r in reps] == ["unmap_size", "unmap_direction", "map_error_unchecked"]
    assert all(r.site == f"tests/unit/{HERE}:{unmap_line} in "
               "test_dma_debug_records_every_error_with_call_and_map_sites" for r in reps)
    assert all(r.entry_site.startswith(f"tests/unit/{HERE}:{map_line} ") for r in reps)
    log = "\n".join(dmesg())
    assert log.count("------------[ cut here ]------------") == 3
    assert "DMA-API: Mapped at:" in log and f"{HERE}:{map_line} in " in log
    with pytest.raises(DmaApiDebugError, match="3 DMA-API debug report"):
        check_clean()
    dma_debug_take_reports()
    check_clean()


def _line():
    import sys
    return sys._getframe(1).f_lineno


def test_dma_debug_dump_mappings(dev):
    _, a = mapped(dev, 2048, DMA_FROM_DEVICE)
    debug_dma_dump_mappings(dev)
    assert any(f"ringnic 43c00000.ethernet: single idx {(a >> 13) & 16383} P={a:x} N={a >> 12:x} "
               f"D={a:x} L=800 DMA_FROM_DEVICE dma map error checked" in line for line in dmesg())


# --- leaks at unbind, through the platform bus -----------------------------------------------

DTS = Path(__file__).resolve().parents[2] / "sim" / "ringnic.dts"


def _bind(probe):
    root = of.of_fdt_unflatten(of.dtc_compile(DTS))
    platform.of_platform_populate(root)
    drv = platform.PlatformDriver("ringnic", probe=probe,
                                  of_match_table=[{"compatible": "ringnic,ringnic-1.0"}])
    asyncio.run(platform.platform_driver_register(drv))
    return next(d for d in platform.platform_devices() if d.dev.name == "43c00000.ethernet")


def test_dma_debug_leak_reported_at_unbind_with_where_it_was_made(k):
    got = {}

    async def probe(pdev):
        dev = pdev.dev
        got["ring"] = dma_alloc_coherent(dev, 4096)
        got["held"] = dmam_alloc_coherent(dev, 4096)        # devres frees this one
        buf = kmalloc(2048)
        got["rx"] = dma_map_single(dev, buf, 2048, DMA_FROM_DEVICE); got["line"] = _line()  # noqa
        dma_mapping_error(dev, got["rx"])
        return 0

    pdev = _bind(probe)
    assert texts() == []
    asyncio.run(platform.device_release_driver(pdev))
    reps = dma_debug_take_reports()
    assert len(reps) == 1 and not reps[0].model
    rx = got["rx"]
    assert reps[0].text == (
        "DMA-API: platform 43c00000.ethernet: device driver has pending DMA allocations while "
        "released from device [count=2]\nOne of leaked entries details: "
        f"[device address=0x{rx:016x}] [size=2048 bytes] [mapped with DMA_FROM_DEVICE] "
        "[mapped as single]")
    log = "\n".join(dmesg())
    ring = got["ring"][1]
    assert (f"DMA-API: leaked: coherent DMA_BIDIRECTIONAL [0x{ring:08x}+4096] mapped at "
            f"tests/unit/{HERE}:") in log
    assert f"[0x{rx:08x}+2048] mapped at tests/unit/{HERE}:{got['line']} in probe" in log


def test_dma_debug_leak_after_failed_probe_is_a_model_report(k):
    async def probe(pdev):
        dma_alloc_coherent(pdev.dev, 4096)
        return -12

    _bind(probe)
    reps = dma_debug_take_reports()
    assert len(reps) == 1 and reps[0].model and reps[0].check == "leak_after_failed_probe"
    assert reps[0].text.startswith("DMA-API: platform 43c00000.ethernet: device driver has "
                                   "pending DMA allocations while released from device [count=1]")
