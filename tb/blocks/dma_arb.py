"""Block bench for `ringnic_axi_arb` (tests/rtl/test_dma_arb.py): two cocotbext-axi `AxiMaster`s stand for
the engines on `s0_axi`/`s1_axi`; host memory on `m_axi` is cocotbext-axi's `AxiRam` or, where
AxiRam cannot show a rule, `ReorderingSlave`: a small AXI4 memory that interleaves the R beats of
different IDs, returns B responses out of order (both legal in AXI4), answers SLVERR in an error
window, and can hold AWREADY until it sees WVALID.

`ArbMonitor` watches all three ports every cycle and checks, beat by beat: one grant per address
channel and cycle; per master, the bursts on m_axi are the bursts the master issued, in its order,
none lost, none doubled; every W beat on m_axi is the beat of the one master whose AW is at the
head of the AW order, and a W burst never changes master before WLAST; every R beat and B response
on m_axi reaches exactly the master its ID names, unchanged (RLAST included), and nothing reaches a
master that did not come from m_axi; round-robin: after a grant to one port while the other was
requesting, the next grant goes to the other one.
"""

from __future__ import annotations

import random
from collections import deque

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiBus, AxiMaster, AxiRam, AxiResp

PERIOD_NS = 10
ID_PORT_BIT = 0x8                       # ID_PORT_MASK: the top bit of the 4-bit ID
PORT_IDS = (range(0, 8), range(8, 16))  # S0_ID = 0, S1_ID = 8
LANES = 8                               # DATA_WIDTH / 8
MEM_SIZE = 0x20000
RO_BASE, RO_SIZE = 0x0000, 0x8000       # preloaded, only read (both masters, concurrently)
SLOT_BASE, SLOT_SIZE = 0x8000, 0x2000   # one private slot per worker: written, then read back
ERR_BASE, ERR_SIZE = 0x1F000, 0x1000    # ReorderingSlave answers SLVERR here

SLVERR = int(AxiResp.SLVERR)


def port_of(axi_id: int) -> int:
    return 1 if axi_id & ID_PORT_BIT else 0


def forced_id(axi_id: int, port: int) -> int:
    """The ID the arbiter puts on m_axi for an engine's ID (the port bit forced)."""
    return (axi_id & ~ID_PORT_BIT) | (ID_PORT_BIT if port else 0)


def pauses(rng: random.Random, p: float):
    while True:
        yield rng.random() < p


# ------------------------------------------------------------------------------- monitor
class ArbMonitor:
    """Cycle-by-cycle checker of the three ports (see the module docstring)."""

    def __init__(self, dut):
        self.dut = dut
        self.s = [self._port(dut, "s0_axi"), self._port(dut, "s1_axi")]
        self.m = self._port(dut, "m_axi")
        self.errors: list[str] = []
        self.cycle = 0
        self.s_a = {"ar": ([], []), "aw": ([], [])}     # per port: bursts as the master issued them
        self.m_a = {"ar": [], "aw": []}                 # on m_axi: (id, addr, len, size, burst, lock, cache, prot)
        self.grants = {"ar": [], "aw": []}              # port of every grant, in order
        self.owed = {"ar": None, "aw": None}            # port that must get the next grant
        self.wait = {"ar": [0, 0], "aw": [0, 0]}        # cycles a valid has waited
        self.max_wait = {"ar": [0, 0], "aw": [0, 0]}
        self.w_bursts: list[tuple[int, int]] = []       # (port, beats) of each W burst on m_axi
        self.w_cur: list[int] | None = None
        self.w_before_aw = 0                            # W beats that passed before their AW did
        self.beats = {"r": ([], []), "w": ([], [])}     # cycle of every data beat, per port
        self.r_open: set[int] = set()                   # IDs with an R burst started, not ended
        self.r_interleaved = 0                          # R beats of one ID inside another ID's burst
        self.aw_ids: list[int] = []                     # m_axi AW IDs still waiting for B
        self.b_reordered = 0                            # B responses that overtook an older AW's
        self.reads_out = [0, 0]
        self.max_reads_out = [0, 0]
        cocotb.start_soon(self._run())

    @staticmethod
    def _port(dut, prefix):
        return {n: getattr(dut, f"{prefix}_{n}") for n in (
            "arvalid", "arready", "awvalid", "awready", "wvalid", "wready", "rvalid", "rready",
            "bvalid", "bready", "arid", "araddr", "arlen", "arsize", "arburst", "arlock", "arcache",
            "arprot", "awid", "awaddr", "awlen", "awsize", "awburst", "awlock", "awcache", "awprot",
            "wdata", "wstrb", "wlast", "rid", "rdata", "rresp", "rlast", "bid", "bresp")}

    def error(self, msg: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(f"cycle {self.cycle}: {msg}")

    @staticmethod
    def _addr(sig, ch):
        return tuple(int(sig[ch + n].value) for n in ("id", "addr", "len", "size", "burst", "lock", "cache", "prot"))

    async def _run(self):
        clk, rst = self.dut.clk, self.dut.rst
        while True:
            await RisingEdge(clk)
            self.cycle += 1
            if int(rst.value):
                continue
            for ch in ("ar", "aw"):
                self._address(ch)
            self._w()
            self._r()
            self._b()

    def _address(self, ch):
        valid = [int(s[ch + "valid"].value) for s in self.s]
        hs = [valid[p] and int(self.s[p][ch + "ready"].value) for p in (0, 1)]
        if hs[0] and hs[1]:
            self.error(f"{ch}: both ports granted in one cycle")
        for p in (0, 1):
            if hs[p]:
                a = self._addr(self.s[p], ch)
                self.s_a[ch][p].append(a)
                self.grants[ch].append(p)
                if self.owed[ch] is not None and self.owed[ch] != p:
                    self.error(f"{ch}: port {p} granted, but port {self.owed[ch]} was owed the grant (round-robin)")
                self.owed[ch] = 1 - p if valid[1 - p] else None
                if ch == "ar":
                    self.reads_out[p] += 1
                    self.max_reads_out[p] = max(self.max_reads_out[p], self.reads_out[p])
            self.wait[ch][p] = self.wait[ch][p] + 1 if valid[p] and not hs[p] else 0
            self.max_wait[ch][p] = max(self.max_wait[ch][p], self.wait[ch][p])
        if int(self.m[ch + "valid"].value) and int(self.m[ch + "ready"].value):
            a = self._addr(self.m, ch)
            self.m_a[ch].append(a)
            _, addr, ln, size, burst = a[:5]
            if burst == 1 and (addr & 0xFFF) + (ln + 1 << size) - (addr & ((1 << size) - 1)) > 0x1000:
                self.error(f"{ch}: INCR burst at 0x{addr:x} len {ln} crosses a 4 KiB boundary")
            if ch == "aw":
                self.aw_ids.append(a[0])

    def _w(self):
        m_hs = int(self.m["wvalid"].value) and int(self.m["wready"].value)
        s_hs = [int(s["wvalid"].value) and int(s["wready"].value) for s in self.s]
        if sum(s_hs) != (1 if m_hs else 0):
            self.error(f"W: m_axi handshake {m_hs}, s0/s1 handshakes {s_hs}")
            return
        if not m_hs:
            return
        p = s_hs.index(1)
        beat = [int(self.m[n].value) for n in ("wdata", "wstrb", "wlast")]
        if beat != [int(self.s[p][n].value) for n in ("wdata", "wstrb", "wlast")]:
            self.error(f"W: beat on m_axi differs from port {p}'s")
        if self.w_cur is None:
            self.w_cur = [p, 0]
            if len(self.m_a["aw"]) <= len(self.w_bursts):
                self.w_before_aw += 1
        elif self.w_cur[0] != p:
            self.error(f"W interleaved: a beat of port {p} inside a burst of port {self.w_cur[0]}")
        n = len(self.w_bursts)
        want = self.grants["aw"][n] if n < len(self.grants["aw"]) else None
        if want != p:
            self.error(f"W: beat of port {p}, but W burst {n} belongs to the AW granted to port {want}")
        self.w_cur[1] += 1
        self.beats["w"][p].append(self.cycle)
        if beat[2]:
            self.w_bursts.append(tuple(self.w_cur))
            self.w_cur = None

    def _r(self):
        m_hs = int(self.m["rvalid"].value) and int(self.m["rready"].value)
        s_valid = [int(s["rvalid"].value) for s in self.s]
        s_hs = [s_valid[p] and int(self.s[p]["rready"].value) for p in (0, 1)]
        if not m_hs:
            if any(s_hs):
                self.error(f"R: a beat reached port {s_hs.index(1)} without an m_axi beat")
            return
        beat = [int(self.m[n].value) for n in ("rid", "rdata", "rresp", "rlast")]
        p = port_of(beat[0])
        if not s_hs[p] or s_valid[1 - p]:
            self.error(f"R: rid 0x{beat[0]:x} must reach port {p} only; valid {s_valid}, handshake {s_hs}")
            return
        if beat != [int(self.s[p][n].value) for n in ("rid", "rdata", "rresp", "rlast")]:
            self.error(f"R: beat at port {p} differs from m_axi's")
        if self.r_open - {beat[0]}:
            self.r_interleaved += 1
        if beat[3]:
            self.r_open.discard(beat[0])
            self.reads_out[p] -= 1
        else:
            self.r_open.add(beat[0])
        self.beats["r"][p].append(self.cycle)

    def _b(self):
        m_hs = int(self.m["bvalid"].value) and int(self.m["bready"].value)
        s_valid = [int(s["bvalid"].value) for s in self.s]
        s_hs = [s_valid[p] and int(self.s[p]["bready"].value) for p in (0, 1)]
        if not m_hs:
            if any(s_hs):
                self.error(f"B: a response reached port {s_hs.index(1)} without an m_axi response")
            return
        bid, bresp = int(self.m["bid"].value), int(self.m["bresp"].value)
        p = port_of(bid)
        if not s_hs[p] or s_valid[1 - p]:
            self.error(f"B: bid 0x{bid:x} must reach port {p} only; valid {s_valid}, handshake {s_hs}")
            return
        if [bid, bresp] != [int(self.s[p]["bid"].value), int(self.s[p]["bresp"].value)]:
            self.error(f"B: response at port {p} differs from m_axi's")
        if bid in self.aw_ids:
            if self.aw_ids.index(bid) > 0:
                self.b_reordered += 1
            self.aw_ids.remove(bid)
        else:
            self.error(f"B: bid 0x{bid:x} has no outstanding AW")

    def check(self, forced: bool = False) -> None:
        """Everything seen so far obeys the rules; call when the buses are idle."""
        assert not self.errors, "\n".join(self.errors)
        for ch in ("ar", "aw"):
            for p in (0, 1):
                issued = [(forced_id(a[0], p),) + a[1:] for a in self.s_a[ch][p]] if forced else self.s_a[ch][p]
                seen = [a for a in self.m_a[ch] if port_of(a[0]) == p]
                assert seen == issued, f"{ch}: port {p}'s bursts on m_axi differ from what it issued (order, loss)"
        want = [(port_of(a[0]), a[2] + 1) for a in self.m_a["aw"]]
        assert self.w_bursts == want[:len(self.w_bursts)] and self.w_cur is None, \
            "W bursts on m_axi do not follow the AW order (port, beats)"

    def throughput(self, kind: str, port: int) -> tuple[int, int, float]:
        """(beats, cycles from the first to the last beat, beats per cycle) since the last clear."""
        c = self.beats[kind][port]
        span = c[-1] - c[0] + 1
        return len(c), span, len(c) / span

    def clear_beats(self):
        self.beats = {"r": ([], []), "w": ([], [])}


# ------------------------------------------------------------------------------- a reordering slave
class ReorderingSlave:
    """AXI4 memory on m_axi that uses AXI4's freedoms: R beats of different IDs interleaved and
    B responses out of order (in order per ID), random READY/VALID gaps, SLVERR in [err_lo, err_hi),
    and with `aw_needs_w` an AWREADY that waits for WVALID (legal for a slave)."""

    def __init__(self, dut, size, rng, err=(ERR_BASE, ERR_BASE + ERR_SIZE), aw_needs_w=False, busy=0.25,
                 b_busy=0.95):
        self.dut, self.rng, self.busy, self.aw_needs_w = dut, rng, busy, aw_needs_w
        self.b_busy = b_busy
        self.mem = bytearray(size)
        self.err_lo, self.err_hi = err
        self.reads: dict[int, deque] = {}
        self.aw_q: deque = deque()
        self.w_buf: deque = deque()
        self.b_pending: dict[int, deque] = {}
        self.r_cur = self.b_cur = None
        self.arready = self.awready = self.wready = 0
        self.errors: list[str] = []
        for n in ("arready", "awready", "wready", "rvalid", "bvalid", "rid", "rdata", "rresp", "rlast",
                  "bid", "bresp"):
            getattr(dut, "m_axi_" + n).value = 0
        cocotb.start_soon(self._run())

    def _err(self, addr):
        return self.err_lo <= addr < self.err_hi

    def _retire_writes(self):
        while self.aw_q and any(b[2] for b in self.w_buf):
            wid, addr, n = self.aw_q.popleft()
            beats = []
            while True:
                beats.append(self.w_buf.popleft())
                if beats[-1][2]:
                    break
            if len(beats) != n:
                self.errors.append(f"AW id 0x{wid:x} len {n}: {len(beats)} W beats")
            resp = 0
            for k, (data, strb, _) in enumerate(beats):
                a = addr + k * LANES
                if self._err(a):
                    resp = SLVERR
                    continue
                for i in range(LANES):
                    if strb >> i & 1:
                        self.mem[a + i] = data >> 8 * i & 0xFF
            self.b_pending.setdefault(wid, deque()).append(resp)

    async def _run(self):
        d, rng = self.dut, self.rng
        while True:
            await RisingEdge(d.clk)
            if int(d.rst.value):
                continue
            # what the cycle that just ended transferred
            if self.arready and int(d.m_axi_arvalid.value):
                if int(d.m_axi_arsize.value) != 3 or int(d.m_axi_arburst.value) != 1:
                    self.errors.append("AR: only full-width INCR bursts are modelled")
                self.reads.setdefault(int(d.m_axi_arid.value), deque()).append(
                    [int(d.m_axi_araddr.value) & ~(LANES - 1), int(d.m_axi_arlen.value) + 1])
            if self.awready and int(d.m_axi_awvalid.value):
                self.aw_q.append((int(d.m_axi_awid.value), int(d.m_axi_awaddr.value) & ~(LANES - 1),
                                  int(d.m_axi_awlen.value) + 1))
            wvalid = int(d.m_axi_wvalid.value)
            if self.wready and wvalid:
                self.w_buf.append((int(d.m_axi_wdata.value), int(d.m_axi_wstrb.value), int(d.m_axi_wlast.value)))
            if self.r_cur is not None and int(d.m_axi_rready.value):
                self.r_cur = None
            if self.b_cur is not None and int(d.m_axi_bready.value):
                self.b_cur = None
            self._retire_writes()
            # what the next cycle offers
            if self.r_cur is None:
                ids = [i for i, q in self.reads.items() if q]
                if ids and rng.random() >= self.busy:
                    rid = rng.choice(ids)       # any ID: beats of different IDs interleave
                    burst = self.reads[rid][0]
                    addr = burst[0]
                    burst[0] += LANES
                    burst[1] -= 1
                    last = burst[1] == 0
                    if last:
                        self.reads[rid].popleft()
                    if self._err(addr):
                        data, resp = 0, SLVERR
                    else:
                        data, resp = int.from_bytes(self.mem[addr:addr + LANES], "little"), 0
                    self.r_cur = rid
                    d.m_axi_rid.value, d.m_axi_rdata.value = rid, data
                    d.m_axi_rresp.value, d.m_axi_rlast.value = resp, int(last)
                d.m_axi_rvalid.value = int(self.r_cur is not None)
            if self.b_cur is None:
                ids = [i for i, q in self.b_pending.items() if q]
                # A lone response mostly waits for a second one, which may then overtake it.
                if ids and rng.random() >= (self.busy if len(ids) > 1 else self.b_busy):
                    bid = rng.choice(ids)       # any ID: responses of different IDs reorder
                    d.m_axi_bid.value, d.m_axi_bresp.value = bid, self.b_pending[bid].popleft()
                    self.b_cur = bid
                d.m_axi_bvalid.value = int(self.b_cur is not None)
            self.arready = int(rng.random() >= self.busy)
            if self.aw_needs_w:
                self.wready = 1
                self.awready = int(bool(wvalid or self.w_buf))
            else:
                self.wready = int(rng.random() >= self.busy)
                self.awready = int(rng.random() >= self.busy)
            d.m_axi_arready.value, d.m_axi_awready.value, d.m_axi_wready.value = self.arready, self.awready, self.wready

    def check(self):
        assert not self.errors, "\n".join(self.errors)


# ------------------------------------------------------------------------------- bench
class ArbBench:
    def __init__(self, dut, seed, slave="ram", ports=(0, 1), **slave_kw):
        self.dut = dut
        self.rng = random.Random(seed)
        dut.rst.value = 1
        self.masters = {p: AxiMaster(AxiBus.from_prefix(dut, f"s{p}_axi"), dut.clk, dut.rst) for p in ports}
        for p in {0, 1} - set(ports):   # a port without a model: its inputs idle (a test drives them)
            for n in ("awid", "awaddr", "awlen", "awsize", "awburst", "awlock", "awcache", "awprot", "awvalid",
                      "wdata", "wstrb", "wlast", "wvalid", "bready", "arid", "araddr", "arlen", "arsize",
                      "arburst", "arlock", "arcache", "arprot", "arvalid", "rready"):
                getattr(dut, f"s{p}_axi_{n}").value = 0
        if slave == "ram":
            self.ram = AxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM_SIZE)
        else:
            self.ram = ReorderingSlave(dut, MEM_SIZE, random.Random(seed + 1), **slave_kw)
        self.mon = ArbMonitor(dut)

    @classmethod
    async def create(cls, dut, seed=1, **kw) -> "ArbBench":
        tb = cls(dut, seed, **kw)
        Clock(dut.clk, PERIOD_NS, unit="ns").start(start_high=False)
        await ClockCycles(dut.clk, 4)
        dut.rst.value = 0
        await ClockCycles(dut.clk, 2)
        return tb

    def mem_write(self, addr, data):
        if isinstance(self.ram, AxiRam):
            self.ram.write(addr, data)
        else:
            self.ram.mem[addr:addr + len(data)] = data

    def mem_read(self, addr, n):
        if isinstance(self.ram, AxiRam):
            return bytes(self.ram.read(addr, n))
        return bytes(self.ram.mem[addr:addr + n])

    def add_backpressure(self, p_master=0.2, p_ram=0.2):
        """Random VALID/READY gaps on the masters' and AxiRam's channels."""
        for m in self.masters.values():
            for ch in (m.write_if.aw_channel, m.write_if.w_channel, m.write_if.b_channel,
                       m.read_if.ar_channel, m.read_if.r_channel):
                ch.set_pause_generator(pauses(random.Random(self.rng.random()), p_master))
        if isinstance(self.ram, AxiRam):
            for ch in (self.ram.write_if.aw_channel, self.ram.write_if.w_channel, self.ram.write_if.b_channel,
                       self.ram.read_if.ar_channel, self.ram.read_if.r_channel):
                ch.set_pause_generator(pauses(random.Random(self.rng.random()), p_ram))

    async def idle(self, cycles=8):
        for m in self.masters.values():
            await m.wait()
        await ClockCycles(self.dut.clk, cycles)


async def traffic(tb: ArbBench, workers: int, ops: int, max_len: int, ids_per_worker: int = 1) -> dict:
    """Both masters, `workers` concurrent tasks each: random reads of the shared preloaded region and
    random writes + read-backs in a private slot, random lengths and alignments (4 KiB crossings
    included, split by the masters). Checked against a Python model of memory."""
    model = bytearray(tb.rng.randbytes(RO_SIZE))
    tb.mem_write(RO_BASE, bytes(model))
    slots = {}
    stats = {"reads": [0, 0], "writes": [0, 0], "bytes": [0, 0]}

    async def worker(p, w, rng):
        k = p * workers + w
        base = SLOT_BASE + k * SLOT_SIZE
        slot = bytearray(rng.randbytes(SLOT_SIZE))
        tb.mem_write(base, bytes(slot))
        slots[k] = (base, slot)
        ids = [PORT_IDS[p][(w * ids_per_worker + i) % 8] for i in range(ids_per_worker)]
        m = tb.masters[p]
        for _ in range(ops):
            n = rng.randint(1, max_len)
            kind = rng.random()
            if kind < 0.35:
                off = rng.randrange(0, SLOT_SIZE - n + 1)
                data = rng.randbytes(n)
                r = await m.write(base + off, data, awid=rng.choice(ids))
                assert r.resp == AxiResp.OKAY, f"port {p}: write {r.resp!r}"
                slot[off:off + n] = data
                stats["writes"][p] += 1
            elif kind < 0.6:
                off = rng.randrange(0, SLOT_SIZE - n + 1)
                r = await m.read(base + off, n, arid=rng.choice(ids))
                assert r.resp == AxiResp.OKAY and r.data == bytes(slot[off:off + n]), \
                    f"port {p} worker {w}: slot read 0x{base + off:x}+{n} differs from the model"
                stats["reads"][p] += 1
            else:
                # several reads in flight from one task (descriptor prefetch + payload)
                reqs = []
                for _ in range(rng.randint(1, 4)):
                    n = rng.randint(1, max_len)
                    off = rng.randrange(0, RO_SIZE - n + 1)
                    reqs.append((off, n, m.init_read(RO_BASE + off, n, arid=rng.choice(ids))))
                for off, n, ev in reqs:
                    await ev.wait()
                    r = ev.data
                    assert r.resp == AxiResp.OKAY and r.data == bytes(model[off:off + n]), \
                        f"port {p} worker {w}: read 0x{RO_BASE + off:x}+{n} differs from the model"
                    stats["reads"][p] += 1
            stats["bytes"][p] += n

    tasks = [cocotb.start_soon(worker(p, w, random.Random(tb.rng.random())))
             for p in tb.masters for w in range(workers)]
    for t in tasks:
        await t
    await tb.idle()
    for base, slot in slots.values():
        assert tb.mem_read(base, SLOT_SIZE) == bytes(slot), f"memory at 0x{base:x} differs from the model"
    assert tb.mem_read(RO_BASE, RO_SIZE) == bytes(model), "the read-only region was written"
    return stats
