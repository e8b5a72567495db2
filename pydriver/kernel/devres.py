"""Managed device resources, the iomem resource tree and the MMIO hook.

devres: actions recorded against a struct device and run in reverse order
when the driver unbinds (or its probe fails).  Actions may be plain
functions or coroutines; ``devres_release_all`` is async so that e.g.
devm_register_netdev can unregister (which may await ndo_stop).

iomem: ``request_mem_region``/``release_mem_region`` claim busy ranges in
``current().iomem_resource`` like kernel/resource.c, so a second claim on an
overlapping range fails and ``iomem_show()`` prints /proc/iomem.

MMIO: the kernel cannot know how registers are reached in the simulation,
so the harness calls ``register_iomem_backend(start, size, factory)``;
``ioremap(start, size)`` returns ``factory(start, size)``, wrapped in an ``io.IoMem``, for the window
that holds the range: an object with async ``readl(offset)`` and
``writel(value, offset)`` (offsets relative to the mapped start).  If the
object has an ``iounmap()`` method it is called when the mapping goes away.
"""

import inspect

from .core import (IORESOURCE_BUSY, IORESOURCE_MEM, Device, Resource, _request_resource_conflict,  # noqa: F401
                   current, dev_name, release_resource, request_resource, resource_size, resource_type)
from .errno import EBUSY, EINVAL, ENOMEM
from .io import IoMem
from .fault_inject import should_fail
from .printk import dev_err, pr_err, pr_warn


class _Devres:
    __slots__ = ("release", "args", "name")

    def __init__(self, release, args, name):
        self.release, self.args, self.name = release, args, name

    def __repr__(self):
        return f"<devres {self.name}>"


def _name(fn) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def devres_add(dev: Device, release, *args, name=None) -> None:
    dev.devres.append(_Devres(release, args, name or _name(release)))


def devm_add_action(dev: Device, action, *args) -> int:
    """Run ``action(*args)`` at unbind. Returns 0 (it cannot fail here)."""
    devres_add(dev, action, *args)
    return 0


def devm_add_action_or_reset(dev: Device, action, *args) -> int:
    """As devm_add_action; Linux would run the action if adding failed."""
    return devm_add_action(dev, action, *args)


def _find_action(dev: Device, action, args):
    for i in range(len(dev.devres) - 1, -1, -1):
        d = dev.devres[i]
        if d.release is action and d.args == args:
            return i
    return None


def devm_remove_action(dev: Device, action, *args) -> None:
    """Forget a registered action without running it."""
    i = _find_action(dev, action, args)
    if i is None:
        pr_warn("WARNING: devm_remove_action: %s not registered on %s", _name(action), dev_name(dev))
        return
    del dev.devres[i]


async def devm_release_action(dev: Device, action, *args) -> None:
    """Remove a registered action and run it now."""
    i = _find_action(dev, action, args)
    if i is None:
        pr_warn("WARNING: devm_release_action: %s not registered on %s", _name(action), dev_name(dev))
        return
    d = dev.devres.pop(i)
    await _run(d)


async def _run(d: _Devres) -> None:
    ret = d.release(*d.args)
    if inspect.isawaitable(ret):
        await ret


async def devres_release_all(dev: Device) -> int:
    """Run every devres action of ``dev``, newest first. Returns the count."""
    n = 0
    while dev.devres:
        await _run(dev.devres.pop())
        n += 1
    return n


# --- struct resource tree (kernel/resource.c) --------------------------------

def _request_region(parent: Resource, start: int, n: int, name, flags: int):
    # __request_region: descend into non-busy containers, fail on busy overlap.
    res = Resource(start, start + n - 1, name, flags | IORESOURCE_BUSY)
    while True:
        conflict = _request_resource_conflict(parent, res)
        if conflict is None:
            return res
        if conflict is not parent and not (conflict.flags & IORESOURCE_BUSY):
            parent = conflict
            continue
        return None


def _release_region(parent: Resource, start: int, n: int) -> None:
    end = start + n - 1
    children = parent.children
    i = 0
    while i < len(children):
        res = children[i]
        if res.start <= start and res.end >= end:
            if not (res.flags & IORESOURCE_BUSY):
                children, i = res.children, 0
                continue
            if res.start != start or res.end != end:
                break
            release_resource(res)
            return
        i += 1
    pr_warn("Trying to free nonexistent resource <0x%08x-0x%08x>", start, end)


def request_mem_region(start: int, n: int, name) -> Resource:
    """Claim [start, start+n) in iomem; None if (part of) it is busy."""
    return _request_region(current().iomem_resource, start, n, name, IORESOURCE_MEM)


def release_mem_region(start: int, n: int) -> None:
    _release_region(current().iomem_resource, start, n)


def devm_request_mem_region(dev: Device, start: int, n: int, name) -> Resource:
    """request_mem_region, released automatically when the driver unbinds."""
    res = request_mem_region(start, n, name)
    if res is not None:
        devres_add(dev, release_mem_region, start, n, name="devm_region_release")
    return res


def iomem_show() -> str:
    """/proc/iomem as root reads it."""
    root = current().iomem_resource
    width = 4 if root.end < 0x10000 else 8
    lines = []

    def walk(r, depth):
        for c in r.children:
            lines.append(f"{'  ' * depth}{c.start:0{width}x}-{c.end:0{width}x} : "
                         f"{c.name if c.name is not None else '<BAD>'}")
            walk(c, depth + 1)
    walk(root, 0)
    return "\n".join(lines) + ("\n" if lines else "")


# --- ioremap through harness-provided backends --------------------------------

def register_iomem_backend(start: int, size: int, backend_factory) -> None:
    """Harness hook: MMIO in [start, start+size) is served by backend_factory(start, size)."""
    k = current()
    for s, sz, _ in k.iomem_backends:
        if start < s + sz and s < start + size:
            raise ValueError(f"iomem backend window 0x{start:x}+0x{size:x} overlaps "
                             f"0x{s:x}+0x{sz:x}")
    k.iomem_backends.append((start, size, backend_factory))


def ioremap(phys_addr: int, size: int):
    """Map registers: an IoMem around the backend object (io.py: writel's barrier), or None if
    no backend covers the range."""
    k = current()
    if size > 0 and should_fail("failslab", size):   # get_vm_area's vm_struct
        return None
    if size > 0:
        for s, sz, factory in k.iomem_backends:
            if s <= phys_addr and phys_addr + size <= s + sz:
                backend = IoMem(factory(phys_addr, size), phys_addr, size)
                k.iomaps.append((phys_addr, size, backend))
                return backend
    pr_err("ioremap: no MMIO backend covers %s (harness: register_iomem_backend)",
           Resource(phys_addr, phys_addr + max(size, 1) - 1, None, IORESOURCE_MEM))
    return None


def iounmap(addr) -> None:
    k = current()
    for i, (_, _, backend) in enumerate(k.iomaps):
        if backend is addr:
            del k.iomaps[i]
            unmap = getattr(addr, "iounmap", None)
            if callable(unmap):
                unmap()
            return
    pr_warn("WARNING: iounmap: bad address %r", addr)


def devm_ioremap(dev: Device, offset: int, size: int):
    """ioremap that is undone at unbind; None on failure."""
    addr = ioremap(offset, size)
    if addr is not None:
        devres_add(dev, iounmap, addr, name="devm_ioremap_release")
    return addr


def devm_ioremap_resource(dev: Device, res):
    """Request and map a MEM resource; backend object or negative errno (ERR_PTR)."""
    if res is None or resource_type(res) != IORESOURCE_MEM:
        dev_err(dev, "invalid resource %s", res)
        return -EINVAL
    size = resource_size(res)
    name = f"{dev_name(dev)} {res.name}" if res.name else dev_name(dev)
    if devm_request_mem_region(dev, res.start, size, name) is None:
        dev_err(dev, "can't request region for resource %s", res)
        return -EBUSY
    addr = devm_ioremap(dev, res.start, size)
    if addr is None:
        dev_err(dev, "ioremap failed for resource %s", res)
        # Linux leaves the region to devres as well.
        return -ENOMEM
    return addr
