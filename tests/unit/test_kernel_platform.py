"""Platform bus and devres: populate from the board tree, probe/remove, unwinding, iomem, ioremap."""

import asyncio
from pathlib import Path

import pytest

from pydriver.kernel import KernelBug, boot
from pydriver.kernel import of, platform
from pydriver.kernel.errno import EBUSY, ENODEV, ENOMEM, ENXIO, EPROBE_DEFER
from pydriver.kernel.etherdevice import devm_alloc_etherdev
from pydriver.kernel.netdevice import (NETREG_RELEASED, SET_NETDEV_DEV, dev_get_by_name,
                                       devm_register_netdev)
from pydriver.kernel.platform import IORESOURCE_IRQ, IORESOURCE_MEM, PlatformDriver
from pydriver.kernel.printk import dmesg

DTS = Path(__file__).resolve().parents[2] / "sim" / "ringnic.dts"
NIC = "ringnic,ringnic-1.0"
BASE, SIZE = 0x43C00000, 0x20000


@pytest.fixture
def k():
    return boot()


def populate(tmp_path=None, overlay: str = ""):
    src = DTS
    if overlay:
        src = tmp_path / "variant.dts"
        src.write_text(f'/include/ "{DTS}"\n{overlay}\n')
    root = of.of_fdt_unflatten(of.dtc_compile(src))
    assert platform.of_platform_populate(root) == 0
    return root


def nic_pdev():
    return next(d for d in platform.platform_devices() if d.dev.name == "43c00000.ethernet")


def run(coro):
    return asyncio.run(coro)


def driver(probe=None, remove=None, compatible=NIC, name="ringnic"):
    return PlatformDriver(name, probe=probe, remove=remove, of_match_table=[{"compatible": compatible}])


def region_free(start=BASE, size=SIZE) -> bool:
    res = platform.request_mem_region(start, size, "check")
    if res is None:
        return False
    platform.release_mem_region(start, size)
    return True


# --- of_platform_populate --------------------------------------------------------

def test_populate_creates_ethernet_with_mem_and_irq(k):
    root = populate()
    assert k.of_root is root                          # the populated tree is the booted one
    names = [d.dev.name for d in platform.platform_devices()]
    assert names == ["axi", "43c00000.ethernet"]     # no GIC, memory or chosen device
    pdev = nic_pdev()
    assert pdev.name == "43c00000.ethernet" and pdev.id == platform.PLATFORM_DEVID_NONE
    assert pdev.dev.of_node is of.of_find_compatible_node(None, None, NIC, root=root)
    assert pdev.dev.parent.name == "axi" and pdev.dev.bus == "platform"
    mem = platform.platform_get_resource(pdev, IORESOURCE_MEM, 0)
    assert (mem.start, mem.end, platform.resource_size(mem)) == (BASE, BASE + SIZE - 1, SIZE)
    assert str(mem) == "[mem 0x43c00000-0x43c1ffff]"
    assert platform.platform_get_resource(pdev, IORESOURCE_MEM, 1) is None
    irq = platform.platform_get_resource(pdev, IORESOURCE_IRQ, 0)
    assert irq.start == irq.end == platform.platform_get_irq(pdev, 0) == 16
    assert of.irq_get_irq_data(irq.start).hwirq == 61 and irq.flags == IORESOURCE_IRQ | 4
    assert platform.platform_irq_count(pdev) == 1
    # of_dma_configure defaults
    assert pdev.dev.coherent_dma_mask == pdev.dev.dma_mask == (1 << 32) - 1
    assert pdev.dev.dma_coherent is False
    assert platform.of_find_device_by_node(pdev.dev.of_node) is pdev


def test_populate_honours_status_and_dma_coherent(tmp_path, k):
    populate(tmp_path, '&ringnic0 { dma-coherent; }; / { off@40000000 { compatible = "acme,x"; '
                       'reg = <0x40000000 0x1000>; status = "disabled"; }; };')
    assert nic_pdev().dev.dma_coherent is True
    assert "40000000.off" not in [d.dev.name for d in platform.platform_devices()]


def test_populate_twice_does_not_duplicate(k):
    root = populate()
    platform.of_platform_populate(root)
    assert len(platform.platform_devices()) == 2


# --- probe / remove ----------------------------------------------------------------

def test_register_probes_matching_device_only(k):
    populate()
    seen, other = [], []

    async def probe(pdev):
        seen.append(pdev)
        platform.platform_set_drvdata(pdev, "adapter")
        return 0

    async def other_probe(pdev):
        other.append(pdev)
        return 0

    assert run(platform.platform_driver_register(driver(other_probe, compatible="acme,other-nic",
                                                        name="other"))) == 0
    assert other == [] and nic_pdev().dev.driver is None
    drv = driver(probe)
    assert run(platform.platform_driver_register(drv)) == 0
    pdev = nic_pdev()
    assert seen == [pdev] and pdev.dev.driver is drv
    assert platform.platform_get_drvdata(pdev) == "adapter"
    assert platform.of_match_device(drv.of_match_table, pdev.dev) == {"compatible": NIC}
    assert run(platform.platform_driver_register(driver(probe))) == -EBUSY  # same name
    assert "Error: Driver 'ringnic' is already registered, aborting..." in "\n".join(dmesg())


def test_probe_failure_unwinds_devres_in_reverse(k):
    populate()
    order = []

    async def probe(pdev):
        dev = pdev.dev
        assert platform.devm_request_mem_region(dev, BASE, SIZE, "ringnic") is not None
        platform.devm_add_action(dev, order.append, "first")
        platform.devm_add_action_or_reset(dev, order.append, "second")

        async def async_undo():
            order.append("third")
        platform.devm_add_action(dev, async_undo)
        platform.platform_set_drvdata(pdev, "half-built")
        assert not region_free()
        return -ENOMEM

    run(platform.platform_driver_register(driver(probe)))
    pdev = nic_pdev()
    assert order == ["third", "second", "first"]
    assert region_free() and pdev.dev.devres == []
    assert pdev.dev.driver is None and platform.platform_get_drvdata(pdev) is None
    assert ("ringnic 43c00000.ethernet: probe with driver ringnic failed with error -12"
            in [line.split("] ", 1)[1] for line in dmesg()])


def test_probe_exception_unwinds_and_propagates(k):
    populate()
    undone = []

    async def probe(pdev):
        platform.devm_add_action(pdev.dev, undone.append, 1)
        raise RuntimeError("driver crashed")

    with pytest.raises(RuntimeError, match="driver crashed"):
        run(platform.platform_driver_register(driver(probe)))
    assert undone == [1] and nic_pdev().dev.driver is None


def test_probe_defer_is_quiet(k):
    populate()

    async def probe(pdev):
        return -EPROBE_DEFER

    run(platform.platform_driver_register(driver(probe)))
    assert nic_pdev().dev.driver is None
    assert not any("failed with error" in line for line in dmesg())
    assert any("Driver ringnic requests probe deferral" in line for line in dmesg())


def test_resources_present_before_probing(k):
    populate()
    called = []
    platform.devm_add_action(nic_pdev().dev, called.append, "stale")

    async def probe(pdev):
        called.append("probe")
        return 0

    run(platform.platform_driver_register(driver(probe)))
    assert called == [] and nic_pdev().dev.driver is None
    assert any("43c00000.ethernet: Resources present before probing" in line for line in dmesg())


def test_devm_mem_region_conflict_and_release_at_unbind(k):
    populate()
    got = {}

    async def probe(pdev):
        got["first"] = platform.devm_request_mem_region(pdev.dev, BASE, SIZE, "ringnic")
        got["second"] = platform.devm_request_mem_region(pdev.dev, BASE + 0x100, 0x100, "again")
        return 0

    run(platform.platform_driver_register(driver(probe)))
    assert got["first"] is not None and got["second"] is None
    assert platform.request_mem_region(BASE, 4, "intruder") is None
    assert platform.iomem_show() == "43c00000-43c1ffff : ringnic\n"
    run(platform.device_release_driver(nic_pdev()))
    assert region_free() and platform.iomem_show() == ""


def test_remove_runs_before_devres_and_twice_is_a_bug(k):
    populate()
    order = []

    async def probe(pdev):
        platform.devm_add_action(pdev.dev, order.append, "devres")
        return 0

    async def remove(pdev):
        order.append("remove")

    run(platform.platform_driver_register(driver(probe, remove)))
    pdev = nic_pdev()
    run(platform.device_release_driver(pdev))
    assert order == ["remove", "devres"] and pdev.dev.driver is None
    with pytest.raises(KernelBug, match=r"device_release_driver: 43c00000.ethernet is not bound") as exc:
        run(platform.device_release_driver(pdev))
    assert exc.value.rule == "device_release_driver" and k.bugs == [exc.value]
    assert any("kernel BUG: device_release_driver" in line for line in dmesg())


def test_driver_unregister_removes_bound_devices(k):
    populate()
    removed = []

    async def probe(pdev):
        return 0

    async def remove(pdev):
        removed.append(pdev.dev.name)
        return 1    # old-style int return: ignored with a warning

    drv = driver(probe, remove)
    run(platform.platform_driver_register(drv))
    run(platform.platform_driver_unregister(drv))
    assert removed == ["43c00000.ethernet"] and nic_pdev().dev.driver is None
    assert any("remove callback returned a non-zero value" in line for line in dmesg())
    with pytest.raises(KernelBug, match="driver_unregister"):
        run(platform.platform_driver_unregister(drv))


def test_device_attach_for_a_late_device(k):
    calls = []

    async def probe(pdev):
        calls.append(pdev.name)
        return 0

    drv = PlatformDriver("late-nic", probe=probe)
    run(platform.platform_driver_register(drv))
    pdev = platform.PlatformDevice("late-nic", resources=[platform.DEFINE_RES_MEM(0x40000000, 0x1000)])
    assert platform.platform_device_register(pdev) == 0
    assert run(platform.device_attach(pdev)) == 1 and calls == ["late-nic"]   # name match
    assert pdev.dev.driver is drv


def test_platform_get_irq_missing_logs_like_linux(k):
    populate()
    pdev = nic_pdev()
    assert platform.platform_get_irq(pdev, 1) == -ENXIO
    assert dmesg()[-1].endswith("platform 43c00000.ethernet: error -ENXIO: IRQ index 1 not found")
    assert platform.platform_get_irq_optional(pdev, 3) == -ENXIO


def test_platform_get_irq_missing_interrupts_property(tmp_path, k):
    populate(tmp_path, "&ringnic0 { /delete-property/ interrupts; };")

    async def probe(pdev):
        return platform.platform_get_irq(pdev, 0)

    run(platform.platform_driver_register(driver(probe)))
    log = "\n".join(dmesg())
    assert "ringnic 43c00000.ethernet: error -ENXIO: IRQ index 0 not found" in log
    assert f"probe with driver ringnic rejects match -{ENXIO}" in log


# --- ioremap hook ------------------------------------------------------------------

class FakeMmio:
    def __init__(self, start, size):
        self.start, self.size, self.regs, self.unmapped = start, size, {}, False

    async def readl(self, offset):
        return self.regs.get(offset, 0)

    async def writel(self, value, offset):
        self.regs[offset] = value

    def iounmap(self):
        self.unmapped = True


def test_devm_ioremap_uses_registered_backend(k):
    populate()
    made = []

    def factory(start, size):
        made.append(FakeMmio(start, size))
        return made[-1]

    platform.register_iomem_backend(BASE, SIZE, factory)
    with pytest.raises(ValueError):
        platform.register_iomem_backend(BASE + 0x1000, 0x10, factory)
    got = {}

    async def probe(pdev):
        got["regs"] = platform.devm_ioremap(pdev.dev, BASE + 0x100, 0x100)
        got["none"] = platform.devm_ioremap(pdev.dev, 0x50000000, 0x100)
        await got["regs"].writel(0xABCD, 0x8)
        got["read"] = await got["regs"].readl(0x8)
        return 0

    run(platform.platform_driver_register(driver(probe)))
    regs = got["regs"].backend  # devm_ioremap hands out an IoMem over the harness backend
    assert isinstance(regs, FakeMmio) and (regs.start, regs.size) == (BASE + 0x100, 0x100)
    assert got["none"] is None and got["read"] == 0xABCD
    assert any("no MMIO backend covers [mem 0x50000000-0x500000ff]" in line for line in dmesg())
    run(platform.device_release_driver(nic_pdev()))
    assert regs.unmapped and k.iomaps == []


def test_devm_platform_ioremap_resource(k):
    populate()
    platform.register_iomem_backend(BASE, SIZE, FakeMmio)
    got = {}

    async def probe(pdev):
        got["regs"] = platform.devm_platform_ioremap_resource(pdev, 0)
        got["again"] = platform.devm_platform_ioremap_resource(pdev, 0)
        got["bad"] = platform.devm_platform_ioremap_resource(pdev, 1)
        return 0

    run(platform.platform_driver_register(driver(probe)))
    assert isinstance(got["regs"].backend, FakeMmio)
    assert got["again"] == -EBUSY and got["bad"] < 0
    assert platform.iomem_show() == "43c00000-43c1ffff : 43c00000.ethernet ethernet@43c00000\n"
    log = "\n".join(dmesg())
    assert "can't request region for resource [mem 0x43c00000-0x43c1ffff]" in log
    assert "invalid resource None" in log


def test_devm_netdev_is_unregistered_then_freed_at_unbind(k):
    populate()
    got = {}

    async def probe(pdev):
        ndev = devm_alloc_etherdev(pdev.dev)
        SET_NETDEV_DEV(ndev, pdev.dev)
        got["ndev"] = ndev
        return await devm_register_netdev(pdev.dev, ndev)

    run(platform.platform_driver_register(driver(probe)))
    ndev = got["ndev"]
    assert dev_get_by_name("eth0") is ndev
    run(platform.device_release_driver(nic_pdev()))
    assert dev_get_by_name("eth0") is None and ndev.reg_state == NETREG_RELEASED


def test_probe_rejecting_with_enodev_leaves_device_free_for_others(k):
    populate()

    async def no(pdev):
        return -ENODEV

    async def yes(pdev):
        return 0

    run(platform.platform_driver_register(driver(no, name="first")))
    assert nic_pdev().dev.driver is None
    run(platform.platform_driver_register(driver(yes, name="second")))
    assert nic_pdev().dev.driver.name == "second"
