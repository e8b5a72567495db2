"""Device tree: dtc, unflattening through libfdt, and the of_* helpers.

The DTS is compiled by the real ``dtc`` and the DTB walked with pylibfdt
(module ``libfdt``); nothing here parses DTS/DTB by hand.

Return conventions (Linux returns int + out-parameter; we fold them):
  * ``of_property_read_u32/u64/string`` return the value, or a negative
    errno: -EINVAL (property absent), -ENODATA (empty), -EOVERFLOW (too
    short), -EILSEQ (string not NUL-terminated).  A u32 is never negative,
    so ``if val < 0`` is unambiguous; strings are checked with IS_ERR().
  * ``of_address_to_resource`` returns a Resource or -EINVAL.
  * ``irq_of_parse_and_map`` returns a virq, 0 on failure (as Linux).

DeviceNode naming follows Linux: ``name`` is the node name without unit
address ("ethernet"), ``full_name`` the last path component
("ethernet@43c00000") and ``path`` the full path (printk's %pOF).
"""

import subprocess
from pathlib import Path

import libfdt

from .core import (IORESOURCE_BUSY, IORESOURCE_IRQ, IORESOURCE_MEM, IORESOURCE_SYSTEM_RAM, NR_IRQS_LEGACY, IrqDesc,
                   Resource, current, request_resource)
from .errno import EILSEQ, EINVAL, ENODATA, EOVERFLOW
from .printk import pr_warn

OF_BAD_ADDR = (1 << 64) - 1
OF_ROOT_NODE_ADDR_CELLS_DEFAULT = 1
OF_ROOT_NODE_SIZE_CELLS_DEFAULT = 1
OF_POPULATED = 1 << 3        # node flags, as include/linux/of.h
OF_POPULATED_BUS = 1 << 4

IRQ_TYPE_NONE = 0
IRQ_TYPE_EDGE_RISING = 1
IRQ_TYPE_EDGE_FALLING = 2
IRQ_TYPE_EDGE_BOTH = 3
IRQ_TYPE_LEVEL_HIGH = 4
IRQ_TYPE_LEVEL_LOW = 8
IRQ_TYPE_SENSE_MASK = 0xF

GIC_SPI = 0
GIC_PPI = 1


class DtcError(RuntimeError):
    """dtc failed; the message carries dtc's stderr."""


def dtc_compile(dts_path, dtb_path=None, include_dirs=()):
    """Compile DTS with ``dtc -I dts -O dtb``: DTB bytes, or ``dtb_path`` as a Path.

    No C preprocessing: use /include/ (searched in include_dirs), not #include.
    """
    cmd = ["dtc", "-I", "dts", "-O", "dtb"]
    for d in include_dirs:
        cmd += ["-i", str(d)]
    if dtb_path is not None:
        cmd += ["-o", str(dtb_path)]
    cmd.append(str(dts_path))
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except FileNotFoundError:
        raise DtcError("dtc not found: install device-tree-compiler") from None
    if proc.returncode != 0:
        raise DtcError(f"dtc failed on {dts_path} (exit {proc.returncode}):\n"
                       f"{proc.stderr.decode(errors='replace').strip()}")
    if dtb_path is not None:
        return Path(dtb_path)
    return proc.stdout


class DeviceNode:
    """struct device_node."""

    def __init__(self, full_name: str, parent=None):
        self.full_name = full_name
        self.name = full_name.split("@", 1)[0] if parent is not None else ""
        self.parent = parent
        self.children = []
        self.properties = {}      # name -> raw big-endian bytes, in DTB order
        self.phandle = 0
        self.flags = 0

    @property
    def path(self) -> str:
        if self.parent is None:
            return "/"
        up = self.parent.path
        return (up if up.endswith("/") else up + "/") + self.full_name

    @property
    def type(self):
        """device_type property (Linux np->type), or None."""
        v = self.properties.get("device_type")
        return v.rstrip(b"\0").decode() if v is not None else None

    def __repr__(self):
        return f"<DeviceNode {self.path}>"

    def __str__(self):
        return self.path


def of_fdt_unflatten(dtb: bytes) -> DeviceNode:
    """Build the DeviceNode tree from a DTB via libfdt; returns the root."""
    fdt = libfdt.FdtRo(bytes(dtb))
    quiet = (libfdt.NOTFOUND,)

    def build(offset, parent):
        node = DeviceNode(fdt.get_name(offset) if parent is not None else "/", parent)
        poff = fdt.first_property_offset(offset, quiet)
        while poff >= 0:
            prop = fdt.get_property_by_offset(poff)
            node.properties[prop.name] = bytes(prop)
            poff = fdt.next_property_offset(poff, quiet)
        node.phandle = fdt.get_phandle(offset)
        child = fdt.first_subnode(offset, quiet)
        while child >= 0:
            node.children.append(build(child, node))
            child = fdt.next_subnode(child, quiet)
        return node

    return build(fdt.path_offset("/"), None)


def unflatten_device_tree(dtb: bytes) -> DeviceNode:
    """of_fdt_unflatten and install the result as the kernel's of_root."""
    root = of_fdt_unflatten(dtb)
    current().of_root = root
    return root


# --- walking ---------------------------------------------------------------------

def _allnodes(root):
    yield root
    for c in root.children:
        yield from _allnodes(c)


def _root_of(np):
    while np.parent is not None:
        np = np.parent
    return np


def of_get_parent(np):
    return np.parent if np is not None else None


def for_each_child_of_node(np):
    return iter(list(np.children))


def of_get_child_by_name(np, name: str):
    for c in np.children:
        if c.name == name:
            return c
    return None


def of_node_full_name(np) -> str:
    return np.full_name if np is not None else "<no-node>"


def of_find_node_by_path(path: str, root=None):
    """Node at an absolute path ("/axi/ethernet@43c00000") or an /aliases name.

    A component without unit address matches a node by name, as Linux does.
    """
    root = root or current().of_root
    if root is None:
        return None
    if not path.startswith("/"):
        aliases = of_get_child_by_name(root, "aliases")
        target = of_property_read_string(aliases, path) if aliases else -EINVAL
        return of_find_node_by_path(target, root) if isinstance(target, str) else None
    np = root
    for comp in filter(None, path.split("/")):
        match = None
        for c in np.children:
            if c.full_name == comp or ("@" not in comp and c.name == comp):
                match = c
                break
        if match is None:
            return None
        np = match
    return np


def of_find_node_by_phandle(handle: int, root=None):
    root = root or current().of_root
    if not handle or root is None:
        return None
    for np in _allnodes(root):
        if np.phandle == handle:
            return np
    return None


def of_device_is_compatible(np, compat: str) -> bool:
    return np is not None and compat in of_property_read_string_array(np, "compatible")


def of_device_is_available(np) -> bool:
    status = of_property_read_string(np, "status")
    return not isinstance(status, str) or status in ("okay", "ok")


def of_find_compatible_node(from_, type_, compat: str, root=None):
    """Next node after ``from_`` in tree order matching compat (and device_type).

    With ``from_`` None the search starts at ``root`` (default: current().of_root).
    """
    if from_ is None:
        root, started = root or current().of_root, True
        if root is None:
            return None
    else:
        root, started = _root_of(from_), False
    for np in _allnodes(root):
        if not started:
            started = np is from_
            continue
        if type_ is not None and np.type != type_:
            continue
        if of_device_is_compatible(np, compat):
            return np
    return None


def for_each_compatible_node(type_, compat: str, root=None):
    np = of_find_compatible_node(None, type_, compat, root)
    while np is not None:
        yield np
        np = of_find_compatible_node(np, type_, compat)


def of_match_node(matches, np):
    """Best of_device_id entry (dicts with "compatible"/"type"/"name"/"data") or None.

    Earlier entries of the node's compatible list win, like __of_match_node().
    """
    if not matches or np is None:
        return None
    compats = of_property_read_string_array(np, "compatible")
    best, best_score = None, -1
    for m in matches:
        score = 0
        if m.get("compatible"):
            if m["compatible"] not in compats:
                continue
            score += (1 << 30) - 4 * compats.index(m["compatible"])
        if m.get("type"):
            if np.type != m["type"]:
                continue
            score += 2
        if m.get("name"):
            if np.name != m["name"]:
                continue
            score += 1
        if score > best_score:
            best, best_score = m, score
    return best


# --- properties ------------------------------------------------------------------

def of_get_property(np, name: str):
    """Raw value bytes, or None when absent (len() gives Linux's lenp)."""
    return np.properties.get(name) if np is not None else None


def of_property_present(np, name: str) -> bool:
    return of_get_property(np, name) is not None


def of_property_read_bool(np, name: str) -> bool:
    return of_property_present(np, name)


def _value_of_size(np, name, size):
    v = of_get_property(np, name)
    if v is None:
        return -EINVAL
    if len(v) == 0:
        return -ENODATA
    if len(v) < size:
        return -EOVERFLOW
    return v


def of_property_read_u32_index(np, name: str, index: int) -> int:
    v = _value_of_size(np, name, 4 * (index + 1))
    if isinstance(v, int):
        return v
    return int.from_bytes(v[4 * index:4 * index + 4], "big")


def of_property_read_u32(np, name: str) -> int:
    """The first cell as u32, or -EINVAL/-ENODATA/-EOVERFLOW."""
    return of_property_read_u32_index(np, name, 0)


def of_property_read_u32_array(np, name: str, count: int):
    """list of ``count`` u32 values, or a negative errno."""
    v = _value_of_size(np, name, 4 * count)
    if isinstance(v, int):
        return v
    return [int.from_bytes(v[4 * i:4 * i + 4], "big") for i in range(count)]


def of_property_count_u32_elems(np, name: str) -> int:
    v = of_get_property(np, name)
    if v is None:
        return -EINVAL
    return len(v) // 4 if len(v) % 4 == 0 else -EINVAL


def of_property_read_u64(np, name: str) -> int:
    v = _value_of_size(np, name, 8)
    return v if isinstance(v, int) else int.from_bytes(v[:8], "big")


def of_property_read_string_array(np, name: str) -> list:
    """All strings of a string-list property ([] when absent or malformed)."""
    v = of_get_property(np, name)
    if not v or v[-1] != 0:
        return []
    return [s.decode(errors="replace") for s in v[:-1].split(b"\0")]


def of_property_read_string(np, name: str):
    """First string, or -EINVAL (absent) / -ENODATA (empty) / -EILSEQ (no NUL)."""
    v = of_get_property(np, name)
    if v is None:
        return -EINVAL
    if len(v) == 0:
        return -ENODATA
    if 0 not in v:
        return -EILSEQ
    return v[:v.index(0)].decode(errors="replace")


def of_property_count_strings(np, name: str) -> int:
    v = of_get_property(np, name)
    if v is None:
        return -EINVAL
    if not v or v[-1] != 0:
        return -EILSEQ
    return v.count(0)


def of_property_match_string(np, name: str, string: str) -> int:
    """Index of ``string`` in a string-list property, or -ENODATA / -EINVAL."""
    if of_get_property(np, name) is None:
        return -EINVAL
    strs = of_property_read_string_array(np, name)
    return strs.index(string) if string in strs else -ENODATA


# --- addresses ------------------------------------------------------------------

def _cells_up(np, prop, default):
    while np is not None:
        v = of_property_read_u32(np, prop)
        if v >= 0:
            return v
        np = np.parent
    return default


def of_n_addr_cells(np) -> int:
    """#address-cells governing ``np``'s reg (looked up from its parent)."""
    return _cells_up(np.parent if np.parent is not None else np, "#address-cells",
                     OF_ROOT_NODE_ADDR_CELLS_DEFAULT)


def of_n_size_cells(np) -> int:
    return _cells_up(np.parent if np.parent is not None else np, "#size-cells",
                     OF_ROOT_NODE_SIZE_CELLS_DEFAULT)


def of_read_number(data: bytes, size: int, offset: int = 0) -> int:
    """``size`` big-endian cells starting at cell ``offset`` of a property value."""
    return int.from_bytes(data[4 * offset:4 * (offset + size)], "big")


def _cells(data: bytes, off: int, n: int) -> int:
    return of_read_number(data, n, off)


def of_translate_address(np, addr: int) -> int:
    """Bus address in ``np``'s parent space -> CPU physical, via each bus's ranges."""
    bus = np.parent
    while bus is not None and bus.parent is not None:
        ranges = of_get_property(bus, "ranges")
        if ranges is None:
            return OF_BAD_ADDR          # no ranges: not memory-mapped
        if len(ranges) > 0:
            na, ns = of_n_addr_cells(np), of_n_size_cells(np)
            pna = of_n_addr_cells(bus)
            step = na + pna + ns
            for i in range(len(ranges) // (4 * step)):
                child = _cells(ranges, i * step, na)
                parent = _cells(ranges, i * step + na, pna)
                size = _cells(ranges, i * step + na + pna, ns)
                if child <= addr < child + size:
                    addr = parent + (addr - child)
                    break
            else:
                return OF_BAD_ADDR
        np, bus = bus, bus.parent
    return addr


def of_address_count(np) -> int:
    reg = of_get_property(np, "reg")
    if not reg:
        return 0
    return len(reg) // (4 * (of_n_addr_cells(np) + of_n_size_cells(np)))


def of_address_to_resource(np, index: int):
    """MEM Resource for reg entry ``index`` (named from reg-names), or -EINVAL."""
    reg = of_get_property(np, "reg")
    na, ns = of_n_addr_cells(np), of_n_size_cells(np)
    if reg is None or index < 0 or index >= of_address_count(np):
        return -EINVAL
    base = index * (na + ns)
    addr = of_translate_address(np, _cells(reg, base, na))
    size = _cells(reg, base + na, ns)
    if addr == OF_BAD_ADDR or size == 0:
        return -EINVAL
    names = of_property_read_string_array(np, "reg-names")
    name = names[index] if index < len(names) else np.full_name
    return Resource(addr, addr + size - 1, name, IORESOURCE_MEM)


def of_dma_is_coherent(np) -> bool:
    """dma-coherent / dma-noncoherent on the node or the nearest ancestor; default
    non-coherent (ARM's dma_default_coherent is false)."""
    while np is not None:
        if of_property_read_bool(np, "dma-coherent"):
            return True
        if of_property_read_bool(np, "dma-noncoherent"):
            return False
        np = np.parent
    return False


def early_init_dt_scan_memory(root=None) -> list:
    """Claim each /memory reg as "System RAM" in iomem; returns the (base, size) list.

    Linux does this in two steps (memblock, then request_standard_resources).
    """
    root = root or current().of_root
    banks = []
    for np in _allnodes(root):
        if np.type != "memory" or not of_device_is_available(np):
            continue
        for i in range(of_address_count(np)):
            r = of_address_to_resource(np, i)
            if isinstance(r, Resource):
                request_resource(current().iomem_resource,
                                 Resource(r.start, r.end, "System RAM",
                                          IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY))
                banks.append((r.start, r.end - r.start + 1))
    return banks


# --- interrupts -----------------------------------------------------------------

def of_irq_find_parent(np):
    """The interrupt controller (node with #interrupt-cells) serving ``np``."""
    child = np
    while True:
        parp = of_property_read_u32(child, "interrupt-parent")
        p = of_find_node_by_phandle(parp, _root_of(child)) if parp >= 0 else child.parent
        child = p
        if p is None or of_property_present(p, "#interrupt-cells"):
            return p


def of_irq_parse_one(np, index: int):
    """(controller, [cells]) for interrupt ``index`` of ``np``, or -EINVAL.

    Handles "interrupts" (with inherited interrupt-parent) and
    "interrupts-extended"; interrupt-map nexus nodes are not modelled.
    """
    ext = of_get_property(np, "interrupts-extended")
    if ext is not None:
        pos, i, n = 0, 0, len(ext) // 4
        while pos < n:
            ctrl = of_find_node_by_phandle(_cells(ext, pos, 1), _root_of(np))
            size = of_property_read_u32(ctrl, "#interrupt-cells") if ctrl else -EINVAL
            if size < 0 or pos + 1 + size > n:
                return -EINVAL
            if i == index:
                return ctrl, [_cells(ext, pos + 1 + j, 1) for j in range(size)]
            pos, i = pos + 1 + size, i + 1
        return -EINVAL
    intspec = of_get_property(np, "interrupts")
    if intspec is None:
        return -EINVAL
    ctrl = of_irq_find_parent(np)
    if ctrl is None:
        return -EINVAL
    size = of_property_read_u32(ctrl, "#interrupt-cells")
    if size < 0 or 4 * size * (index + 1) > len(intspec):
        return -EINVAL
    if not of_property_present(ctrl, "interrupt-controller"):
        return -EINVAL
    return ctrl, [_cells(intspec, size * index + j, 1) for j in range(size)]


def of_irq_count(np) -> int:
    n = 0
    while not isinstance(of_irq_parse_one(np, n), int):
        n += 1
    return n


def _xlate(ctrl, args):
    """irq_domain xlate: GIC 3-cell <type hwirq flags>, else onecell/twocell."""
    if len(args) >= 3:
        if args[0] == GIC_SPI:
            hwirq = args[1] + 32
        elif args[0] == GIC_PPI:
            hwirq = args[1] + 16
        else:
            return None
        return hwirq, args[2] & IRQ_TYPE_SENSE_MASK
    if len(args) == 2:
        return args[0], args[1] & IRQ_TYPE_SENSE_MASK
    if len(args) == 1:
        return args[0], IRQ_TYPE_NONE
    return None


def irq_find_mapping(domain, hwirq: int) -> int:
    for virq, d in current().irq_descs.items():
        if d.domain is domain and d.hwirq == hwirq:
            return virq
    return 0


def irq_create_mapping(domain, hwirq: int, trigger_type: int = IRQ_TYPE_NONE) -> int:
    """virq for (domain, hwirq), allocating the lowest free number >= 16."""
    virq = irq_find_mapping(domain, hwirq)
    if virq:
        return virq
    descs = current().irq_descs
    virq = NR_IRQS_LEGACY
    while virq in descs:
        virq += 1
    descs[virq] = IrqDesc(virq, hwirq, domain, trigger_type)
    return virq


def irq_dispose_mapping(virq: int) -> None:
    current().irq_descs.pop(virq, None)


def irq_get_irq_data(virq: int):
    """The IrqDesc (irq, hwirq, domain, trigger_type) of ``virq``, or None."""
    return current().irq_descs.get(virq)


def irq_get_trigger_type(virq: int) -> int:
    d = irq_get_irq_data(virq)
    return d.trigger_type if d else IRQ_TYPE_NONE


def irq_create_of_mapping(ctrl, args) -> int:
    hw = _xlate(ctrl, args)
    if hw is None:
        pr_warn("%s: bad interrupt specifier %s", ctrl.path, args)
        return 0
    return irq_create_mapping(ctrl, hw[0], hw[1])


def irq_of_parse_and_map(np, index: int) -> int:
    """Linux virq for interrupt ``index`` of ``np``; 0 on failure."""
    spec = of_irq_parse_one(np, index)
    if isinstance(spec, int):
        return 0
    return irq_create_of_mapping(*spec)


def of_irq_get(np, index: int) -> int:
    """virq, or a negative errno (-EINVAL when there is no such interrupt)."""
    spec = of_irq_parse_one(np, index)
    if isinstance(spec, int):
        return spec
    virq = irq_create_of_mapping(*spec)
    return virq if virq else -EINVAL


def of_irq_to_resource(np, index: int):
    """IRQ Resource (start=end=virq, flags carry the trigger) or a negative errno."""
    virq = of_irq_get(np, index)
    if virq < 0:
        return virq
    names = of_property_read_string_array(np, "interrupt-names")
    name = names[index] if index < len(names) else np.full_name
    return Resource(virq, virq, name, IORESOURCE_IRQ | irq_get_trigger_type(virq))
