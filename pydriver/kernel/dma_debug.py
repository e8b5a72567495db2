"""CONFIG_DMA_API_DEBUG (kernel/dma/debug.c), always on, every error recorded.

Every streaming mapping and coherent allocation is an entry; the checks and their text are the
kernel's (Linux 6.1, the Xilinx Zynq-7000 kernel generation: types "single", "scather-gather"
[sic], "coherent", "resource"; dma_map_page and dma_map_single are both "single").  Each report
goes to dmesg as the WARN the kernel prints, with the driver's call site and, for an entry, its
"Mapped at:" site, and is kept in ``dma_debug_reports()``.  Unlike the kernel (which shows only
the first error unless dma-api/all_errors is set) every error is shown and recorded.

Checks the kernel does not have are tagged ``model=True``: leaks after a *failed* probe (the
kernel only checks at BUS_NOTIFY_UNBOUND_DRIVER), a sync that runs past its mapping's end (the
kernel's lookup calls that "not allocated"; we name the overrun), and the CPU-side checks of
dma_debug_model.py (CPU access to a device-owned buffer, shared cache lines, freeing mapped
memory).  Ownership -- who may touch a streaming buffer now -- is tracked per entry here:
map and sync_for_device give (part of) it to the device, sync_for_cpu to the CPU.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Optional

from .core import current, dev_driver_string, dev_name
from .dma_types import (DIR2NAME, DMA_BIDIRECTIONAL, DMA_FROM_DEVICE, DMA_MAPPING_ERROR,  # noqa: F401
                        DMA_NONE, DMA_TO_DEVICE)
from .mm import cache_line_size, caller_site, is_vmalloc_addr, virt_addr_valid, warn_hooks
from .printk import KERN_WARNING, dev_info, printk

dma_debug_single, dma_debug_sg, dma_debug_coherent, dma_debug_resource = range(4)
TYPE2NAME = ("single", "scather-gather", "coherent", "resource")
MAP_ERR_CHECK_NOT_APPLICABLE, MAP_ERR_NOT_CHECKED, MAP_ERR_CHECKED = range(3)
MAPERR2STR = ("dma map error check not applicable", "dma map error not checked",
              "dma map error checked")
HASH_FN_SHIFT = 13
ACTIVE_CACHELINE_MAX_OVERLAP = (1 << 3) - 1   # RADIX_TREE_MAX_TAGS = 3
_PG = 12


@dataclass(eq=False)
class DmaDebugEntry:
    dev: object
    dev_addr: int
    size: int
    type: int
    direction: int
    paddr: int
    map_err_type: int = MAP_ERR_CHECK_NOT_APPLICABLE
    site: str = "?"
    seq: int = 0
    cpu_owned: list = field(default_factory=list)   # [start, end) offsets synced for the CPU
    reported: set = field(default_factory=set)       # ownership reports already made

    def describe(self) -> str:
        return (f"{TYPE2NAME[self.type]} {DIR2NAME[self.direction]} "
                f"[0x{self.dev_addr:08x}+{self.size}] mapped at {self.site}")


@dataclass
class DmaDebugReport:
    check: str                  # the rule, e.g. "unmap_not_allocated"
    text: str                   # the dmesg line, "DMA-API: ringnic 43c00000.ethernet: ..."
    site: str                   # the call that broke the rule
    entry_site: Optional[str]   # "Mapped at:" of the entry involved
    model: bool = False         # a check the kernel does not have
    time_ns: int = 0

    def __str__(self):
        s = f"{self.text}\n    at {self.site}"
        return s + (f"\n    mapped at {self.entry_site}" if self.entry_site else "")


class DmaApiDebugError(AssertionError):
    """check_clean(): DMA-API debug reports were made."""


class DmaDebugState:
    def __init__(self):
        self.by_addr = {}       # dev_addr -> [entries] (the hash bucket, exact)
        self.dma_pages = {}     # dma pfn -> [entries]
        self.phys_pages = {}    # cpu pfn -> [entries]
        self.cachelines = {}    # cacheline number -> overlap count
        self.reports = []
        self.error_count = 0
        self.seq = 0
        self.freed = deque(maxlen=64)   # (entry, unmap site): recently unmapped, for the fence


def _state(k=None) -> DmaDebugState:
    k = k or current()
    if k.dma_debug is None:
        k.dma_debug = DmaDebugState()
    return k.dma_debug


def _site() -> str:
    return caller_site()


def _pages(start: int, size: int):
    return range(start >> _PG, ((start + max(size, 1) - 1) >> _PG) + 1)


def _line_shift() -> int:
    return cache_line_size().bit_length() - 1


# --- reporting ------------------------------------------------------------------------------

def _emit(check, text, entry=None, model=False) -> DmaDebugReport:
    k = current()
    rep = DmaDebugReport(check, text, _site(), entry.site if entry is not None else None,
                         model, k.now_ns())
    k_state = _state(k)
    k_state.reports.append(rep)
    printk(KERN_WARNING, "------------[ cut here ]------------")
    printk(KERN_WARNING, "%s", text)
    printk(KERN_WARNING, "WARNING: CPU: 0 PID: 1 at %s", rep.site)
    if entry is not None:
        printk(KERN_WARNING, "DMA-API: Mapped at:")
        printk(KERN_WARNING, " %s", entry.site)
    printk(KERN_WARNING, "---[ end trace 0000000000000000 ]---")
    return rep


def _head(dev) -> str:
    return f"{dev_driver_string(dev)} {dev_name(dev)}" if dev is not None else "NULL NULL"


def err_printk(dev, entry, check: str, msg: str, model: bool = False) -> DmaDebugReport:
    """The kernel's err_printk(): "DMA-API: <driver> <device>: <msg>"."""
    _state().error_count += 1
    return _emit(check, f"DMA-API: {_head(dev)}: {msg}", entry, model)


def warn_report(dev, check: str, msg: str, raw: bool = False, entry=None,
                model: bool = False) -> DmaDebugReport:
    """A WARN from outside dma-debug: dev_WARN's "<driver> <device>: msg", or with ``raw`` the
    bare message (dma-direct's mask overflow, DEBUG_VIRTUAL, swiotlb...)."""
    return _emit(check, msg if raw else f"{_head(dev)}: {msg}", entry, model)


# --- the entry table --------------------------------------------------------------------------

def _add(entry: DmaDebugEntry) -> None:
    st = _state()
    st.seq += 1
    entry.seq = st.seq
    st.by_addr.setdefault(entry.dev_addr, []).append(entry)
    for p in _pages(entry.dev_addr, entry.size):
        st.dma_pages.setdefault(p, []).append(entry)
    for p in _pages(entry.paddr, entry.size):
        st.phys_pages.setdefault(p, []).append(entry)
    if entry.direction == DMA_TO_DEVICE:
        return      # the device does not write: no stale-data concern (active_cacheline_insert)
    cln = entry.paddr >> _line_shift()
    if cln in st.cachelines:
        st.cachelines[cln] += 1
        if st.cachelines[cln] > ACTIVE_CACHELINE_MAX_OVERLAP:
            warn_report(None, "cacheline_overlap_overflow",
                         f"DMA-API: exceeded {ACTIVE_CACHELINE_MAX_OVERLAP} overlapping mappings "
                         f"of cacheline 0x{cln:08x}", raw=True)
        err_printk(entry.dev, entry, "cacheline_overlap",
                   "cacheline tracking EEXIST, overlapping mappings aren't supported")
    else:
        st.cachelines[cln] = 0


def _remove(entry: DmaDebugEntry, site: str) -> None:
    st = _state()
    st.by_addr[entry.dev_addr].remove(entry)
    if not st.by_addr[entry.dev_addr]:
        del st.by_addr[entry.dev_addr]
    for index, base in ((st.dma_pages, entry.dev_addr), (st.phys_pages, entry.paddr)):
        for p in _pages(base, entry.size):
            index[p].remove(entry)
            if not index[p]:
                del index[p]
    if entry.direction != DMA_TO_DEVICE:
        cln = entry.paddr >> _line_shift()
        if cln in st.cachelines:
            st.cachelines[cln] -= 1
            if st.cachelines[cln] < 0:
                del st.cachelines[cln]
    st.freed.append((entry, site))


def _best_fit(cands, ref):
    # __hash_bucket_find: perfect fit wins, else the single match, else nothing
    best, best_lvl = None, -1
    for e in cands:
        lvl = (e.size == ref.size) + (e.type == ref.type) + (e.direction == ref.direction) + 1
        if lvl == 4:
            return e
        if lvl > best_lvl:
            best, best_lvl = e, lvl
    return best if len(cands) == 1 else None


def _exact(ref):
    return _best_fit([e for e in _state().by_addr.get(ref.dev_addr, ()) if e.dev is ref.dev], ref)


def _ref(dev, dev_addr, size, type_, direction, paddr=0):
    return DmaDebugEntry(dev, dev_addr, size, type_, direction, paddr)


# --- the checks -------------------------------------------------------------------------------

def debug_dma_map_single(dev, addr: int, length: int) -> bool:
    """False when the address is no linear-map memory (the model then refuses the mapping)."""
    ok = True
    if not virt_addr_valid(addr):
        err_printk(dev, None, "map_invalid_area", "device driver maps memory from invalid area "
                   f"[addr={addr or 0:08x}] [len={length}]")
        ok = False
    if is_vmalloc_addr(addr):
        err_printk(dev, None, "map_vmalloc", "device driver maps memory from vmalloc area "
                   f"[addr={addr:08x}] [len={length}]")
        ok = False
    return ok


def debug_dma_map_page(dev, paddr: int, size: int, direction: int, dma_addr: int,
                       site: Optional[str] = None) -> Optional[DmaDebugEntry]:
    if dma_addr == DMA_MAPPING_ERROR:
        return None
    e = DmaDebugEntry(dev, dma_addr, size, dma_debug_single, direction, paddr,
                      MAP_ERR_NOT_CHECKED, site or _site())
    _add(e)
    return e


def debug_dma_mapping_error(dev, dma_addr: int) -> None:
    for e in _state().by_addr.get(dma_addr, ()):
        if e.dev is dev and e.map_err_type == MAP_ERR_NOT_CHECKED:
            e.map_err_type = MAP_ERR_CHECKED
            break


def check_unmap(ref: DmaDebugEntry) -> Optional[DmaDebugEntry]:
    dev, a, sz = ref.dev, ref.dev_addr, ref.size
    entry = _exact(ref)
    if entry is None:
        if a == DMA_MAPPING_ERROR:
            err_printk(dev, None, "unmap_invalid",
                       "device driver tries to free an invalid DMA memory address")
        else:
            err_printk(dev, None, "unmap_not_allocated", "device driver tries to free DMA memory "
                       f"it has not allocated [device address=0x{a:016x}] [size={sz} bytes]")
        return None
    if sz != entry.size:
        err_printk(dev, entry, "unmap_size", "device driver frees DMA memory with different size "
                   f"[device address=0x{a:016x}] [map size={entry.size} bytes] "
                   f"[unmap size={sz} bytes]")
    if ref.type != entry.type:
        err_printk(dev, entry, "unmap_function", "device driver frees DMA memory with wrong "
                   f"function [device address=0x{a:016x}] [size={sz} bytes] "
                   f"[mapped as {TYPE2NAME[entry.type]}] [unmapped as {TYPE2NAME[ref.type]}]")
    elif entry.type == dma_debug_coherent and ref.paddr != entry.paddr:
        err_printk(dev, entry, "free_cpu_address", "device driver frees DMA memory with "
                   f"different CPU address [device address=0x{a:016x}] [size={sz} bytes] "
                   f"[cpu alloc address=0x{entry.paddr:016x}] [cpu free address=0x{ref.paddr:016x}]")
    if ref.direction != entry.direction:
        err_printk(dev, entry, "unmap_direction", "device driver frees DMA memory with different "
                   f"direction [device address=0x{a:016x}] [size={sz} bytes] "
                   f"[mapped with {DIR2NAME[entry.direction]}] "
                   f"[unmapped with {DIR2NAME[ref.direction]}]")
    if entry.map_err_type == MAP_ERR_NOT_CHECKED:
        err_printk(dev, entry, "map_error_unchecked", "device driver failed to check map error"
                   f"[device address=0x{a:016x}] [size={sz} bytes] "
                   f"[mapped as {TYPE2NAME[entry.type]}]")
    _remove(entry, _site())
    return entry


def debug_dma_unmap_page(dev, addr: int, size: int, direction: int) -> None:
    check_unmap(_ref(dev, addr, size, dma_debug_single, direction))


def debug_dma_alloc_coherent(dev, size: int, dma_addr: int, paddr: int,
                             site: Optional[str] = None) -> DmaDebugEntry:
    e = DmaDebugEntry(dev, dma_addr, size, dma_debug_coherent, DMA_BIDIRECTIONAL, paddr,
                      site=site or _site())
    _add(e)
    return e


def debug_dma_free_coherent(dev, size: int, paddr: int, dma_addr: int) -> None:
    check_unmap(_ref(dev, dma_addr, size, dma_debug_coherent, DMA_BIDIRECTIONAL, paddr))


def _containing(dev, addr, size):
    lo, hi = addr, addr + size
    return [e for e in _state().dma_pages.get(addr >> _PG, ())
            if e.dev is dev and e.dev_addr <= lo and hi <= e.dev_addr + e.size]


def check_sync(dev, ref: DmaDebugEntry, to_cpu: bool) -> Optional[DmaDebugEntry]:
    a = ref.dev_addr
    entry = _best_fit(_containing(dev, a, ref.size), ref)
    if entry is None:
        # The kernel's containing-match lookup finds no entry for a sync that runs past the end
        # of its mapping and says "not allocated"; the model names the range overrun instead.
        starts_in = [e for e in _state().dma_pages.get(a >> _PG, ())
                     if e.dev is dev and e.dev_addr <= a < e.dev_addr + e.size]
        if not starts_in:
            err_printk(dev, None, "sync_not_allocated", "device driver tries to sync DMA memory "
                       f"it has not allocated [device address=0x{a:016x}] [size={ref.size} bytes]")
            return None
        entry = starts_in[0]
        err_printk(dev, entry, "sync_out_of_range", "device driver syncs DMA memory outside "
                   f"allocated range [device address=0x{entry.dev_addr:016x}] "
                   f"[allocation size={entry.size} bytes] "
                   f"[sync offset+size={a - entry.dev_addr + ref.size}]")
    if entry.direction == DMA_BIDIRECTIONAL:
        return entry
    names = f"[mapped with {DIR2NAME[entry.direction]}] [synced with {DIR2NAME[ref.direction]}]"
    where = f"[device address=0x{a:016x}] [size={entry.size} bytes] {names}"
    if ref.direction != entry.direction:
        err_printk(dev, entry, "sync_direction",
                   f"device driver syncs DMA memory with different direction {where}")
    if to_cpu and entry.direction != DMA_FROM_DEVICE and ref.direction != DMA_TO_DEVICE:
        err_printk(dev, entry, "sync_read_only_for_cpu",
                   f"device driver syncs device read-only DMA memory for cpu {where}")
    if not to_cpu and entry.direction != DMA_TO_DEVICE and ref.direction != DMA_FROM_DEVICE:
        err_printk(dev, entry, "sync_write_only_to_device",
                   f"device driver syncs device write-only DMA memory to device {where}")
    return entry


def _own(entry, lo, hi, cpu: bool) -> None:
    """Move [lo, hi) (offsets in the entry) to the CPU or back to the device."""
    spans = []
    for s, e in entry.cpu_owned:
        if cpu and s <= hi and lo <= e:         # touching CPU spans merge
            lo, hi = min(lo, s), max(hi, e)
        elif not cpu and s < hi and lo < e:     # give the overlap back to the device
            spans += [x for x in ((s, lo), (hi, e)) if x[0] < x[1]]
        else:
            spans.append((s, e))
    if cpu:
        spans.append((lo, hi))
    entry.cpu_owned = sorted(spans)
    entry.reported.clear()


def debug_dma_sync_single_for_cpu(dev, addr: int, size: int, direction: int) -> None:
    e = check_sync(dev, _ref(dev, addr, size, dma_debug_single, direction), True)
    if e is not None and e.type != dma_debug_coherent:
        _own(e, addr - e.dev_addr, min(addr - e.dev_addr + size, e.size), cpu=True)


def debug_dma_sync_single_for_device(dev, addr: int, size: int, direction: int) -> None:
    e = check_sync(dev, _ref(dev, addr, size, dma_debug_single, direction), False)
    if e is not None and e.type != dma_debug_coherent:
        _own(e, addr - e.dev_addr, min(addr - e.dev_addr + size, e.size), cpu=False)


def dma_debug_check_unbind(dev, probe_failed: bool = False) -> int:
    """BUS_NOTIFY_UNBOUND_DRIVER: report the entries ``dev`` still holds. Returns their count."""
    leaked = dma_debug_entries(dev)
    if not leaked:
        return 0
    e = max(leaked, key=lambda x: ((x.dev_addr >> HASH_FN_SHIFT) & 16383, x.seq))
    err_printk(dev, e, "leak_at_unbind" if not probe_failed else "leak_after_failed_probe",
               "device driver has pending DMA allocations while released from device "
               f"[count={len(leaked)}]\nOne of leaked entries details: "
               f"[device address=0x{e.dev_addr:016x}] [size={e.size} bytes] "
               f"[mapped with {DIR2NAME[e.direction]}] [mapped as {TYPE2NAME[e.type]}]",
               model=probe_failed)
    for x in leaked:    # the kernel shows one; the model lists where each was made
        printk(KERN_WARNING, "DMA-API: leaked: %s", x.describe())
    return len(leaked)


# --- queries ----------------------------------------------------------------------------------

def dma_debug_entries(dev=None, k=None) -> list:
    """Live entries (oldest first), of one device or all."""
    st = _state(k)
    out = {id(e): e for lst in st.by_addr.values() for e in lst if dev is None or e.dev is dev}
    return sorted(out.values(), key=lambda e: e.seq)


def dma_debug_entries_at(addr: int, length: int, dev=None, k=None) -> list:
    """Live entries whose device address range overlaps [addr, addr+length)."""
    st, out = _state(k), {}
    for p in _pages(addr, length):
        for e in st.dma_pages.get(p, ()):
            if (dev is None or e.dev is dev) and e.dev_addr < addr + length \
                    and addr < e.dev_addr + e.size:
                out[id(e)] = e
    return sorted(out.values(), key=lambda e: e.seq)


def dma_debug_recently_freed(k=None) -> list:
    """(entry, unmap site) of the last 64 unmaps/frees, newest last."""
    return list(_state(k).freed)


def dma_debug_reports(k=None) -> list:
    return list(_state(k).reports)


def dma_debug_take_reports(k=None) -> list:
    """Return and forget the reports (a test that expects them takes them)."""
    st = _state(k)
    out, st.reports = st.reports, []
    return out


def dma_debug_error_count(k=None) -> int:
    return _state(k).error_count


def check_clean(k=None) -> None:
    """Raise DmaApiDebugError listing every report."""
    reps = dma_debug_reports(k)
    if reps:
        raise DmaApiDebugError(f"{len(reps)} DMA-API debug report(s):\n" +
                               "\n".join(str(r) for r in reps))


def debug_dma_dump_mappings(dev=None) -> None:
    for e in dma_debug_entries(dev):
        dev_info(e.dev, "%s idx %d P=%x N=%x D=%x L=%x %s %s", TYPE2NAME[e.type],
                 (e.dev_addr >> HASH_FN_SHIFT) & 16383, e.paddr, e.paddr >> _PG, e.dev_addr,
                 e.size, DIR2NAME[e.direction], MAPERR2STR[e.map_err_type])


def _mm_warn(check: str, text: str) -> None:
    warn_report(None, check, text, raw=True)


warn_hooks.append(_mm_warn)  # mm.py's WARNs (virt_to_phys) are recorded like the others
