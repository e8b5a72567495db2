"""pydriver/kernel/fault_inject.py: the kernel's fault_attr knobs (probability, interval, times,
space, the call-site filter, fail-nth) and its hooks in kmalloc, the page allocator, dma_map_*,
alloc_netdev, request_irq and ioremap."""

import pytest

from pydriver.kernel import boot
from pydriver.kernel.core import Device
from pydriver.kernel.dma import DMA_TO_DEVICE, DMA_MAPPING_ERROR, dma_alloc_coherent, dma_map_single, \
    dma_mapping_error, dma_set_mask_and_coherent, dma_unmap_single, dma_free_coherent
from pydriver.kernel.dma_debug import dma_debug_reports
from pydriver.kernel.etherdevice import alloc_etherdev
from pydriver.kernel.fault_inject import fault_attr, fault_inject_off, setup_fault_attr, should_fail
from pydriver.kernel.mm import alloc_pages
from pydriver.kernel.printk import dmesg
from pydriver.kernel.slab import kfree, kmalloc


@pytest.fixture(autouse=True)
def kernel():
    return boot(seed=1)


def test_fault_attr_off_after_boot_never_fails():
    assert not any(should_fail("failslab", 64, site=f"s{i}") for i in range(100))
    assert fault_attr("failslab").count == 0            # off: not even counted


def test_fault_attr_times_and_interval():
    setup_fault_attr("failslab", probability=100, interval=3, times=2)
    got = [should_fail("failslab", 8, site="x") for _ in range(12)]
    assert got == [False, False, True, False, False, True] + [False] * 6   # every 3rd, twice
    assert fault_attr("failslab").failed == ["x", "x"]


def test_fault_attr_space_lets_bytes_through_first():
    setup_fault_attr("failslab", probability=100, space=100, times=-1)
    assert [should_fail("failslab", 40, site="x") for _ in range(4)] == [False, False, True, True]


def test_fault_attr_probability_is_seeded():
    setup_fault_attr("fail_page_alloc", probability=30, times=-1)
    n = sum(should_fail("fail_page_alloc", 4096, site="x") for _ in range(1000))
    assert 230 < n < 370


def test_fault_attr_require_reject_and_nth():
    setup_fault_attr("fail_dma_map", require=("rx.py",), reject=("rx.py:9 ",), nth=2, times=0)
    sites = ["tx.py:1 in a", "rx.py:9 in b", "rx.py:5 in c", "rx.py:5 in c", "rx.py:5 in c"]
    assert [should_fail("fail_dma_map", 1, site=s) for s in sites] == [False, False, False, True, False]
    assert dict(fault_attr("fail_dma_map").calls) == {"rx.py:5 in c": 3}


def test_fault_hooks_fail_and_log():
    dev = Device("fi")
    dma_set_mask_and_coherent(dev, (1 << 32) - 1)
    setup_fault_attr("failslab", nth=1, times=0, require=(__file__.split("/")[-1],))
    assert kmalloc(100) == 0
    p = kmalloc(100)
    assert p
    kfree(p)
    setup_fault_attr("fail_page_alloc", nth=1, times=0)
    assert alloc_pages(0, 0) is None
    setup_fault_attr("fail_page_alloc", nth=1, times=0)
    assert dma_alloc_coherent(dev, 4096) == (None, DMA_MAPPING_ERROR)
    setup_fault_attr("fail_dma_map", nth=1, times=0)
    buf = kmalloc(256)
    addr = dma_map_single(dev, buf, 256, DMA_TO_DEVICE)
    assert dma_mapping_error(dev, addr)
    addr = dma_map_single(dev, buf, 256, DMA_TO_DEVICE)
    assert not dma_mapping_error(dev, addr)
    dma_unmap_single(dev, addr, 256, DMA_TO_DEVICE)
    kfree(buf)
    setup_fault_attr("failslab", nth=1, times=0)
    assert alloc_etherdev() is None
    fault_inject_off()
    v, h = dma_alloc_coherent(dev, 4096)
    dma_free_coherent(dev, 4096, v, h)
    assert dma_debug_reports() == []
    assert sum("FAULT_INJECTION: forcing a failure" in line for line in dmesg()) == 5
