"""The platform bus: devices from the device tree, drivers, probe and remove.

Probe and remove do MMIO through the simulator, so binding is async:
``await platform_driver_register(drv)``, ``await platform_driver_unregister(drv)``,
``await device_release_driver(pdev)``, ``await device_attach(pdev)``.
``of_platform_populate`` only creates devices (sync): populate first, then
register drivers; a device added after its driver binds on ``device_attach``.

probe returns 0 or a negative errno (None counts as 0).  On failure the
devres list is released in reverse, the device stays unbound, and dmesg gets
"probe with driver <drv> failed with error -16" (-ENODEV/-ENXIO: the debug line
"... rejects match -19", as Linux; -EPROBE_DEFER: debug line only, no retry).
"""

import inspect

from .core import (IORESOURCE_IRQ, IORESOURCE_MEM, Device, Resource, current,  # noqa: F401
                   DEFINE_RES_IRQ, DEFINE_RES_MEM, dev_get_drvdata, dev_name, dev_set_drvdata,
                   resource_size, resource_type)
# devres lives in its own module; platform drivers find it here too, as in C.
from .devres import (devm_add_action, devm_add_action_or_reset, devm_ioremap,  # noqa: F401
                     devm_ioremap_resource, devm_release_action, devm_remove_action,
                     devm_request_mem_region, devres_release_all, ioremap, iomem_show,
                     iounmap, register_iomem_backend, release_mem_region, request_mem_region)
from .dma_debug import dma_debug_check_unbind
from .errno import EBUSY, EEXIST, ENODEV, ENXIO, EPROBE_DEFER, EINVAL
from .of import (OF_BAD_ADDR, OF_POPULATED, OF_POPULATED_BUS, of_address_count,
                 of_address_to_resource, of_device_is_available, of_dma_is_coherent,
                 of_irq_count, of_irq_to_resource, of_match_node, of_n_addr_cells,
                 of_property_present, of_property_read_u32, of_read_number,
                 of_translate_address)
from .printk import dev_crit, dev_dbg, dev_err, dev_err_probe, dev_warn, kernel_bug, pr_err

PLATFORM_DEVID_NONE = -1

OF_DEFAULT_BUS_MATCH_TABLE = [{"compatible": "simple-bus"}, {"compatible": "simple-mfd"},
                              {"compatible": "isa"}, {"compatible": "arm,amba-bus"}]


class PlatformDevice:
    """struct platform_device: ``name``, ``id``, ``dev`` (struct device), ``resource``."""

    def __init__(self, name: str, id: int = PLATFORM_DEVID_NONE, resources=(),
                 of_node=None, parent: Device = None):
        self.name = name
        self.id = id
        devname = name if id == PLATFORM_DEVID_NONE else f"{name}.{id}"
        self.dev = Device(devname, bus="platform", parent=parent, of_node=of_node)
        self.dev.platform_device = self
        self.resource = list(resources)

    @property
    def num_resources(self) -> int:
        return len(self.resource)

    def __repr__(self):
        bound = self.dev.driver.name if self.dev.driver else "unbound"
        return f"<PlatformDevice {self.dev.name} ({bound})>"


def platform_devices() -> list:
    """Every registered platform device (/sys/bus/platform/devices)."""
    return list(current().platform_devices)


def to_platform_device(dev: Device) -> PlatformDevice:
    return dev.platform_device


class PlatformDriver:
    """struct platform_driver.  probe/remove are async functions of the pdev.

    ``of_match_table`` is a list of of_device_id dicts: {"compatible": ..., "data": ...}.
    """

    def __init__(self, name: str, probe=None, remove=None, of_match_table=None,
                 shutdown=None):
        self.name = name
        self.probe = probe
        self.remove = remove
        self.shutdown = shutdown
        self.of_match_table = list(of_match_table or [])

    def __repr__(self):
        return f"<PlatformDriver {self.name}>"


def _pdev(x) -> PlatformDevice:
    return x.platform_device if isinstance(x, Device) else x


# --- devices from the device tree -----------------------------------------------

def of_device_make_bus_id(np) -> str:
    """"43c00000.ethernet": translated unit address + node name, else path parts."""
    name = None
    node = np
    while node.parent is not None:
        reg = node.properties.get("reg")
        if reg:
            addr = of_translate_address(node, of_read_number(reg, of_n_addr_cells(node)))
            if addr != OF_BAD_ADDR:
                mask = of_property_read_u32(node, "mask")
                head = f"{addr:x}.{(mask & -mask).bit_length() - 1:x}.{node.name}" \
                    if mask > 0 else f"{addr:x}.{node.name}"
                return f"{head}:{name}" if name else head
        base = node.full_name
        name = f"{base}:{name}" if name else base
        node = node.parent
    return name or "/"


def platform_device_register(pdev: PlatformDevice) -> int:
    """Add a device to the bus (no probing here: await device_attach(pdev))."""
    k = current()
    if pdev in k.platform_devices:
        raise kernel_bug("platform_device_register", f"{pdev.dev.name} is already registered")
    if any(d.dev.name == pdev.dev.name for d in k.platform_devices):
        pr_err("sysfs: cannot create duplicate filename '/devices/platform/%s'", pdev.dev.name)
        return -EEXIST
    k.platform_devices.append(pdev)
    return 0


def of_platform_device_create_pdata(np, bus_id=None, parent: Device = None):
    """Create and register the platform device for ``np`` (None if skipped)."""
    if not of_device_is_available(np) or np.flags & OF_POPULATED:
        return None
    np.flags |= OF_POPULATED
    res = []
    for i in range(of_address_count(np)):
        r = of_address_to_resource(np, i)
        if isinstance(r, Resource):
            res.append(r)
    for i in range(of_irq_count(np)):
        r = of_irq_to_resource(np, i)
        if isinstance(r, Resource):
            res.append(r)
    pdev = PlatformDevice(bus_id or of_device_make_bus_id(np), resources=res, of_node=np,
                          parent=parent)
    # of_dma_configure(): 32-bit default masks, coherency from the tree
    pdev.dev.coherent_dma_mask = (1 << 32) - 1
    pdev.dev.dma_mask = pdev.dev.coherent_dma_mask
    pdev.dev.dma_coherent = of_dma_is_coherent(np)
    if platform_device_register(pdev) < 0:
        np.flags &= ~OF_POPULATED
        return None
    return pdev


def _bus_create(bus, matches, parent, strict) -> None:
    if strict and not of_property_present(bus, "compatible"):
        return
    if bus.flags & OF_POPULATED_BUS:
        return
    if of_property_present(bus, "interrupt-controller"):
        return          # claimed by irqchip init (of_irq_init sets OF_POPULATED)
    pdev = of_platform_device_create_pdata(bus, None, parent)
    if pdev is None or not of_match_node(matches, bus):
        return
    for child in bus.children:
        _bus_create(child, matches, pdev.dev, strict)
    bus.flags |= OF_POPULATED_BUS


def of_platform_populate(root=None, matches=None, parent: Device = None) -> int:
    """Platform devices for every compatible node under ``root`` and under
    matching buses (simple-bus, ...), with MEM resources from reg and IRQ
    resources from interrupts.  Returns 0.

    With no of_root installed yet, ``root`` becomes it (the booted tree).
    """
    k = current()
    root = root or k.of_root
    if root is None:
        return -EINVAL
    if k.of_root is None and root.parent is None:
        k.of_root = root
    matches = OF_DEFAULT_BUS_MATCH_TABLE if matches is None else matches
    for child in root.children:
        _bus_create(child, matches, parent, True)
    root.flags |= OF_POPULATED_BUS
    return 0


def of_find_device_by_node(np):
    for pdev in current().platform_devices:
        if pdev.dev.of_node is np:
            return pdev
    return None


# --- matching and binding -----------------------------------------------------

def of_match_device(matches, dev: Device):
    """The of_device_id entry of ``matches`` that fits dev's node, or None."""
    return of_match_node(matches, dev.of_node) if dev.of_node is not None else None


def of_device_get_match_data(dev: Device):
    drv = dev.driver
    m = of_match_device(drv.of_match_table, dev) if drv is not None else None
    return m.get("data") if m else None


def platform_match(pdev: PlatformDevice, drv: PlatformDriver) -> bool:
    if pdev.dev.of_node is not None and of_match_node(drv.of_match_table, pdev.dev.of_node):
        return True
    return pdev.name == drv.name


async def _call(fn, *args):
    ret = fn(*args)
    if inspect.isawaitable(ret):
        ret = await ret
    return ret


async def _really_probe(drv: PlatformDriver, pdev: PlatformDevice) -> int:
    dev = pdev.dev
    if dev._probing or dev.driver is not None:
        raise kernel_bug("really_probe", f"{dev.name} is already "
                         f"{'being probed' if dev._probing else 'bound to ' + dev.driver.name}")
    if dev.devres:
        dev_crit(dev, "Resources present before probing")
        return -EBUSY
    dev._probing = True
    dev.driver = drv
    try:
        ret = await _call(drv.probe, pdev) if drv.probe else 0
    except BaseException:
        await devres_release_all(dev)
        dev.driver = None
        dev.driver_data = None
        dev._probing = False
        raise
    ret = 0 if ret is None else ret
    if ret == -EPROBE_DEFER:
        dev_dbg(dev, "Driver %s requests probe deferral", drv.name)
    elif ret in (-ENODEV, -ENXIO):
        # As call_driver_probe: "not my device" is a debug line, every other failure an error.
        dev_dbg(dev, "probe with driver %s rejects match %d", drv.name, ret)
    elif ret:
        dev_err(dev, "probe with driver %s failed with error %d", drv.name, ret)
    if ret:
        await devres_release_all(dev)
        dev.driver = None
        dev.driver_data = None
        # the kernel's dma-debug only looks at unbind; the model also checks a failed probe
        dma_debug_check_unbind(dev, probe_failed=True)
    dev._probing = False
    return ret


async def platform_driver_register(drv: PlatformDriver) -> int:
    """Register ``drv`` and probe every unbound matching device. 0, or -EBUSY if
    a driver of that name is already registered."""
    k = current()
    if any(d.name == drv.name for d in k.platform_drivers):
        pr_err("Error: Driver '%s' is already registered, aborting...", drv.name)
        return -EBUSY
    k.platform_drivers.append(drv)
    for pdev in list(k.platform_devices):
        if pdev.dev.driver is None and not pdev.dev._probing and platform_match(pdev, drv):
            await _really_probe(drv, pdev)
    return 0


async def device_attach(pdev) -> int:
    """Try the registered drivers on an unbound device: 1 bound, 0 none, -ENODEV."""
    pdev = _pdev(pdev)
    if pdev not in current().platform_devices:
        return -ENODEV
    if pdev.dev.driver is not None:
        return 1
    for drv in list(current().platform_drivers):
        if platform_match(pdev, drv) and await _really_probe(drv, pdev) == 0:
            return 1
    return 0


async def device_release_driver(pdev) -> None:
    """Unbind: await remove, then release devres newest first.

    Unbinding a device that is not bound is a KernelBug.
    """
    pdev = _pdev(pdev)
    dev = pdev.dev
    if dev._unbinding:
        raise kernel_bug("device_release_driver", f"{dev.name} is already being unbound")
    if dev._probing:
        raise kernel_bug("device_release_driver", f"{dev.name} is still being probed")
    drv = dev.driver
    if drv is None:
        raise kernel_bug("device_release_driver", f"{dev.name} is not bound to a driver "
                         "(removed twice, or its probe failed)")
    dev._unbinding = True
    try:
        if drv.remove is not None:
            ret = await _call(drv.remove, pdev)
            if ret:
                dev_warn(dev, "remove callback returned a non-zero value. This will be ignored.")
        await devres_release_all(dev)
    finally:
        dev.driver = None
        dev.driver_data = None
        dev._unbinding = False
    dma_debug_check_unbind(dev)    # BUS_NOTIFY_UNBOUND_DRIVER: DMA memory still held is a leak


async def platform_driver_unregister(drv: PlatformDriver) -> None:
    """Unbind ``drv`` from all its devices, then forget it."""
    k = current()
    if drv not in k.platform_drivers:
        raise kernel_bug("driver_unregister", f"driver '{drv.name}' is not registered")
    for pdev in list(k.platform_devices):
        if pdev.dev.driver is drv:
            await device_release_driver(pdev)
    k.platform_drivers.remove(drv)


# --- resources for drivers ----------------------------------------------------

def platform_get_resource(pdev: PlatformDevice, type_: int, num: int):
    """The ``num``-th resource of ``type_`` (IORESOURCE_MEM/IRQ), or None."""
    for r in pdev.resource:
        if resource_type(r) == type_:
            if num == 0:
                return r
            num -= 1
    return None


def platform_get_resource_byname(pdev: PlatformDevice, type_: int, name: str):
    for r in pdev.resource:
        if resource_type(r) == type_ and r.name == name:
            return r
    return None


def platform_get_irq_optional(pdev: PlatformDevice, num: int) -> int:
    r = platform_get_resource(pdev, IORESOURCE_IRQ, num)
    if r is None:
        return -ENXIO
    return r.start if r.start > 0 else -EINVAL


def platform_get_irq(pdev: PlatformDevice, num: int) -> int:
    """virq of interrupt ``num``; -ENXIO logged as "IRQ index %u not found"."""
    ret = platform_get_irq_optional(pdev, num)
    if ret < 0:
        return dev_err_probe(pdev.dev, ret, "IRQ index %u not found", num)
    return ret


def platform_irq_count(pdev: PlatformDevice) -> int:
    n = 0
    while platform_get_irq_optional(pdev, n) >= 0:
        n += 1
    return n


def devm_platform_ioremap_resource(pdev: PlatformDevice, index: int):
    """Request + map MEM resource ``index``: backend object or negative errno."""
    return devm_ioremap_resource(pdev.dev, platform_get_resource(pdev, IORESOURCE_MEM, index))


def devm_platform_ioremap_resource_byname(pdev: PlatformDevice, name: str):
    return devm_ioremap_resource(pdev.dev,
                                 platform_get_resource_byname(pdev, IORESOURCE_MEM, name))


def devm_platform_get_and_ioremap_resource(pdev: PlatformDevice, index: int):
    """(backend or negative errno, Resource or None)."""
    res = platform_get_resource(pdev, IORESOURCE_MEM, index)
    return devm_ioremap_resource(pdev.dev, res), res


def platform_set_drvdata(pdev: PlatformDevice, data) -> None:
    dev_set_drvdata(pdev.dev, data)


def platform_get_drvdata(pdev: PlatformDevice):
    return dev_get_drvdata(pdev.dev)
