"""The CPU's side of host memory: DRAM, the data cache, the write buffer (used by tb/harness/hostmem.py).

* ``Dram``: sparse bytes (4 KiB pages, zero until written).  Also the object cocotbext-axi's
  Memory/AxiRam accepts as ``mem=`` (``len()``, slice get/set); reads past the end give zeros and
  writes past it are dropped (an address no DRAM answers).
* ``CpuCache``: write-back, write-allocate, per line valid/dirty/data.  One level: the A9's L1
  and the PL310 L2 are maintained together by the DMA API, so they act as one cache here.  By
  default it never evicts (a dirty line stays dirty until cleaned: the deterministic worst
  case); ``capacity_lines`` gives it LRU eviction with write-back.
* ``WriteBuffer``: stores to uncached (Normal non-cacheable, bufferable) memory wait here in
  8-byte slots, merging with a pending store to the same slot.  Reordering policy, adversarial
  and deterministic: nothing leaves the buffer on its own except (a) when it is full, the
  *youngest* slot of the oldest barrier epoch is written to DRAM first -- so a later store (a
  descriptor's status word) can become visible before an earlier one (its buffer address) unless
  a barrier separates them; (b) when the oldest pending store is ``drain_ns`` old, everything is
  written (a correct but barrier-less program still progresses).  ``order()`` (dma_wmb,
  dma_rmb) starts a new epoch: no slot of a later epoch is written before every slot of an
  earlier one; ``drain()`` (wmb, mb, rmb, the dsb in cache maintenance) writes everything.
  Per-byte coherence always holds: a byte lives in at most one slot per epoch, epochs drain in
  order, and the CPU's own loads see its pending stores (store-to-load forwarding).
"""

from __future__ import annotations

from collections import Counter, OrderedDict

PAGE = 4096


class Dram:
    """Sparse DRAM of ``size`` bytes at physical 0."""

    def __init__(self, size: int):
        self.size = size
        self.pages = {}

    def __len__(self):
        return self.size

    def read(self, addr: int, n: int) -> bytes:
        out = bytearray()
        while n > 0:
            off = addr & (PAGE - 1)
            k = min(n, PAGE - off)
            page = self.pages.get(addr - off) if 0 <= addr < self.size else None
            out += page[off:off + k] if page is not None else bytes(k)
            addr, n = addr + k, n - k
        return bytes(out)

    def write(self, addr: int, data) -> None:
        data = memoryview(bytes(data))
        i = 0
        while i < len(data):
            a = addr + i
            off = a & (PAGE - 1)
            k = min(len(data) - i, PAGE - off)
            if 0 <= a < self.size:
                self.pages.setdefault(a - off, bytearray(PAGE))[off:off + k] = data[i:i + k]
            i += k

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, _ = key.indices(self.size)
            return self.read(start, stop - start)
        return self.read(key, 1)[0]

    def __setitem__(self, key, value):
        if isinstance(key, slice):
            self.write(key.start or 0, bytes(value))
        else:
            self.write(key, bytes([value]))


class CpuCache:
    """A write-back, write-allocate data cache in front of ``memory`` (a Dram)."""

    def __init__(self, memory: Dram, line_size: int = 32, capacity_lines=None):
        if line_size & (line_size - 1):
            raise ValueError("line_size must be a power of two")
        self.mem, self.line = memory, line_size
        self.capacity = capacity_lines
        self.lines = OrderedDict()      # line address -> [bytearray data, dirty]
        self.stats = Counter()

    def _la(self, addr: int) -> int:
        return addr & ~(self.line - 1)

    def _evict(self) -> None:
        while self.capacity and len(self.lines) > self.capacity:
            la, (data, dirty) = self.lines.popitem(last=False)
            self.stats["evict"] += 1
            if dirty:
                self.mem.write(la, data)

    def _lines(self, addr: int, n: int):
        """The lines of [addr, addr + n) in address order, allocated on a miss (LRU order kept
        when the cache has a capacity); misses are filled from one DRAM read of the whole span
        (a frame is ~48 lines)."""
        lo = addr & ~(self.line - 1)
        hi = (addr + n + self.line - 1) & ~(self.line - 1)
        lines, raw, out = self.lines, None, []
        hits = misses = 0
        for la in range(lo, hi, self.line):
            ln = lines.get(la)
            if ln is None:
                if raw is None:
                    raw = self.mem.read(lo, hi - lo)
                ln = lines[la] = [bytearray(raw[la - lo:la - lo + self.line]), False]
                misses += 1
                if self.capacity:
                    self._evict()
            else:
                hits += 1
                if self.capacity:
                    lines.move_to_end(la)
            out.append(ln)
        self.stats["miss"] += misses
        self.stats["hit"] += hits
        return lo, out

    def read(self, addr: int, n: int) -> bytes:
        if n <= 0:
            return b""
        lo, lines = self._lines(addr, n)
        whole = b"".join(ln[0] for ln in lines)
        return whole[addr - lo:addr - lo + n]

    def write(self, addr: int, data: bytes) -> None:
        if not len(data):
            return
        lo, lines = self._lines(addr, len(data))
        data = memoryview(bytes(data))
        for k, ln in enumerate(lines):
            la = lo + k * self.line
            a, b = max(la, addr), min(la + self.line, addr + len(data))
            ln[0][a - la:b - la] = data[a - addr:b - addr]
            ln[1] = True

    def _present(self, addr: int, size: int) -> list:
        lo, hi = self._la(addr), addr + size
        if (hi - lo) // self.line > len(self.lines):
            return sorted(la for la in self.lines if lo <= la < hi)
        return [la for la in range(lo, hi, self.line) if la in self.lines]

    def clean(self, addr: int, size: int) -> None:
        """Write dirty lines back; they stay valid and become clean."""
        for la in self._present(addr, size):
            ln = self.lines[la]
            if ln[1]:
                self.mem.write(la, ln[0])
                ln[1] = False
                self.stats["clean"] += 1

    def invalidate(self, addr: int, size: int) -> None:
        """Drop the lines, dirty data included."""
        for la in self._present(addr, size):
            del self.lines[la]
            self.stats["inv"] += 1

    def clean_inv(self, addr: int, size: int) -> None:
        self.clean(addr, size)
        self.invalidate(addr, size)

    def fill_clean(self, addr: int) -> bool:
        """Bring a line in from memory if absent (speculation); True if it did."""
        la = self._la(addr)
        if la in self.lines:
            return False
        self.lines[la] = [bytearray(self.mem.read(la, self.line)), False]
        self.stats["speculative"] += 1
        self._evict()
        return True

    def line_state(self, addr: int):
        """(valid, dirty) of the line holding ``addr``."""
        ln = self.lines.get(self._la(addr))
        return (False, False) if ln is None else (True, ln[1])


class _Slot:
    __slots__ = ("addr", "data", "mask", "epoch", "seq", "t_ns")

    def __init__(self, addr, size, epoch, seq, t_ns):
        self.addr, self.data, self.mask = addr, bytearray(size), 0
        self.epoch, self.seq, self.t_ns = epoch, seq, t_ns


class WriteBuffer:
    """Buffered stores to uncached memory (see the module text for the policy)."""

    def __init__(self, memory: Dram, slot_bytes: int = 8, max_slots: int = 16,
                 drain_ns: int = 2000):
        self.mem, self.slot_bytes = memory, slot_bytes
        self.max_slots, self.drain_ns = max_slots, drain_ns
        self.slots = []
        self.epoch = self.seq = 0
        self.stats = Counter()

    def store(self, addr: int, data: bytes, now_ns: int = 0) -> None:
        i = 0
        while i < len(data):
            base = (addr + i) & ~(self.slot_bytes - 1)
            off = addr + i - base
            k = min(len(data) - i, self.slot_bytes - off)
            slot = next((s for s in self.slots if s.addr == base and s.epoch == self.epoch), None)
            if slot is None:
                if len(self.slots) >= self.max_slots:
                    self._retire_one()
                self.seq += 1
                slot = _Slot(base, self.slot_bytes, self.epoch, self.seq, now_ns)
                self.slots.append(slot)
            else:
                self.stats["merged"] += 1
            slot.data[off:off + k] = data[i:i + k]
            slot.mask |= ((1 << k) - 1) << off
            i += k

    def _write(self, slot: _Slot) -> None:
        run = None
        for b in range(self.slot_bytes + 1):
            on = b < self.slot_bytes and slot.mask >> b & 1
            if on and run is None:
                run = b
            elif not on and run is not None:
                self.mem.write(slot.addr + run, slot.data[run:b])
                run = None

    def _retire_one(self) -> None:
        oldest = min(s.epoch for s in self.slots)
        victim = max((s for s in self.slots if s.epoch == oldest), key=lambda s: s.seq)
        self._write(victim)
        self.slots.remove(victim)
        self.stats["retired_early"] += 1

    def order(self) -> None:
        """A DMB: later stores stay behind the ones already buffered."""
        if self.slots:
            self.epoch += 1

    def drain(self) -> None:
        """A DSB: every buffered store reaches memory, in program order."""
        for s in sorted(self.slots, key=lambda s: (s.epoch, s.seq)):
            self._write(s)
        self.stats["drained"] += len(self.slots)
        self.slots.clear()

    def tick(self, now_ns: int) -> None:
        if self.slots and self.drain_ns is not None and \
                now_ns - min(s.t_ns for s in self.slots) >= self.drain_ns:
            self.stats["timeouts"] += 1
            self.drain()

    def forward(self, addr: int, n: int, below: bytes) -> bytes:
        """What the CPU loads: memory overlaid with its own pending stores."""
        out = bytearray(below)
        for s in sorted(self.slots, key=lambda s: (s.epoch, s.seq)):
            for b in range(self.slot_bytes):
                a = s.addr + b
                if s.mask >> b & 1 and addr <= a < addr + n:
                    out[a - addr] = s.data[b]
        return bytes(out)

    def pending(self) -> list:
        """(address, bytes) of every buffered store, program order (for tests and dumps)."""
        out = []
        for s in sorted(self.slots, key=lambda s: (s.epoch, s.seq)):
            b = 0
            while b < self.slot_bytes:
                if s.mask >> b & 1:
                    e = b
                    while e < self.slot_bytes and s.mask >> e & 1:
                        e += 1
                    out.append((s.addr + b, bytes(s.data[b:e])))
                    b = e
                else:
                    b += 1
        return out
