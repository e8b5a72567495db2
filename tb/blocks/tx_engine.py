"""Block bench for `ringnic_tx` (tests/rtl/test_tx_engine.py): host memory in a cocotbext-axi `AxiRam` on
`m_axi_` the tests write descriptors and buffers into, frames leaving into an `AxiStreamSink` on
`m_axis_tx_`, checked byte for byte against scapy-built frames plus padding and FCS. The
register-side inputs are driven as the register block would: TDT/TCTL values with their one-cycle
write pulses, TDH following `tdh_we`/`tdh_in`.

Everything the harness watches (AR/R/AW/W/B beats, TDH moves, statistics) is recorded by
cocotbext-axi stream monitors, which sleep while their valid is low; the one bus without a
valid bit (`intr_set`) has a watcher built the same way. No Python runs every cycle otherwise.
"""

from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Event, RisingEdge, with_timeout
from cocotb.utils import get_sim_time
from cocotbext.axi import AxiBus, AxiRam, AxiResp, AxiStreamBus, AxiStreamSink
from cocotbext.axi.axi_channels import (AxiARBus, AxiARMonitor, AxiAWBus, AxiAWMonitor, AxiBBus,
                                        AxiBMonitor, AxiRBus, AxiRMonitor, AxiWBus, AxiWMonitor)
from cocotbext.axi.stream import define_stream
from scapy.all import IP, UDP, Ether, Raw

from pydriver.ringnic import desc, regs
from tb.harness.ethframe import fcs
from tb.tools.runner import hdl_param, settings

CLK_NS = settings()["design"]["clock_period_ns"]
MEM_SIZE = 1 << 22                    # 4 MiB of host memory
BUF_LO, BUF_HI = 0x0004_0000, 0x003F_0000
MAX_FRAME = 16384                     # the RTL default
DESC_BURST = 8
MAX_BURST_BEATS = hdl_param("MAX_BURST_BEATS", 16)

# Legacy descriptor CMD bits (masks in lower.data)
EOP, IFCS, IC, RS, RPS = desc.TXD_CMD_EOP, desc.TXD_CMD_IFCS, desc.TXD_CMD_IC, desc.TXD_CMD_RS, desc.TXD_CMD_RPS
EN, PSP = regs.TCTL_EN, regs.TCTL_PSP

TXDW, TXQE, TXE = regs.ICR_TXDW, regs.ICR_TXQE, regs.ICR_TXE
E_ZERO_LEN, E_TOO_LONG = regs.RNTXERR_CODE_ZERO_LEN, regs.RNTXERR_CODE_TOO_LONG
E_BAD_RING, E_BAD_TAIL = regs.RNTXERR_CODE_BAD_RING, regs.RNTXERR_CODE_BAD_TAIL
E_DESC_READ, E_DATA_READ = regs.RNTXERR_CODE_DESC_READ, regs.RNTXERR_CODE_DATA_READ
E_WB_WRITE = regs.RNTXERR_CODE_WB_WRITE

MAC_A = "02:0a:35:00:00:01"
MAC_B = "02:0a:35:00:00:02"


# ------------------------------------------------------------------------------- monitors
def _stamped(monitor_cls):
    """A cocotbext-axi stream monitor whose transactions carry the simulated time (ns)."""
    base = monitor_cls._transaction_obj

    class Stamped(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.ns = get_sim_time("ns")

    return type("Stamped" + monitor_cls.__name__, (monitor_cls,), {"_transaction_obj": Stamped})


# The engine's sideband outputs as streams: the pulse is the valid.
TdhBus, _, _, _, TdhMonitor = define_stream("Tdh", signals=["tdh_we", "tdh_in"], valid_signal="tdh_we")
StatBus, _, _, _, StatMonitor = define_stream(
    "Stat", signals=["stat_inc_tpt", "stat_inc_gptc", "stat_inc_mptc", "stat_inc_bptc",
                     "stat_gotc_add", "stat_tot_add"], valid_signal="stat_inc_tpt",
    signal_widths={"stat_inc_tpt": 1})


class PulseWatch:
    """Records (ns, value) of a multi-bit pulse output at each edge while it is nonzero.

    Built like cocotbext-axi's monitors: it sleeps on a value change while the bus is 0.
    """

    def __init__(self, sig, clk):
        self.sig, self.clk, self.events = sig, clk, []
        cocotb.start_soon(self._run())

    async def _run(self):
        while True:
            await RisingEdge(self.clk)
            v = int(self.sig.value)
            if v:
                self.events.append((get_sim_time("ns"), v))
            else:
                await self.sig.value_change

    def count(self, bit: int) -> int:
        return sum(1 for _, v in self.events if v & bit)

    def times(self, bit: int) -> list[float]:
        return [t for t, v in self.events if v & bit]


class StreamChecker:
    """AXI-Stream rules on m_axis_tx while tvalid is high: a stalled beat stays unchanged,
    tkeep is all ones except on the tlast beat, where it is contiguous from byte 0."""

    def __init__(self, dut):
        self.dut, self.errors, self.stalls = dut, [], 0
        cocotb.start_soon(self._run())

    async def _run(self):
        d = self.dut
        held = None
        while True:
            await RisingEdge(d.clk)
            if not int(d.m_axis_tx_tvalid.value):
                held = None
                await d.m_axis_tx_tvalid.value_change
                continue
            beat = (int(d.m_axis_tx_tdata.value), int(d.m_axis_tx_tkeep.value), int(d.m_axis_tx_tlast.value))
            if held is not None and beat != held:
                self.errors.append(f"beat changed while stalled: {held} -> {beat}")
            keep, last = beat[1], beat[2]
            if (not last and keep != 0xFF) or (last and keep not in (0x01, 0x03, 0x07, 0x0F, 0x1F, 0x3F, 0x7F, 0xFF)):
                self.errors.append(f"tkeep 0x{keep:02x} with tlast={last}")
            if int(d.m_axis_tx_tready.value):
                held = None
            else:
                held = beat
                self.stalls += 1


# ------------------------------------------------------------------------------- frame helpers
def ones_sum(data: bytes) -> int:
    """RFC 1071 sum of big-endian 16-bit words (odd last byte as the high byte), folded."""
    if len(data) % 2:
        data = data + b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def putsum(d: bytearray, css: int, cso: int) -> None:
    """QEMU's putsum on a legacy descriptor: sum [CSS, end), store nozero big-endian at CSO."""
    n = len(d)
    if cso < n - 1:
        c = ~ones_sum(bytes(d[css:])) & 0xFFFF if css < n else 0xFFFF
        d[cso:cso + 2] = (c or 0xFFFF).to_bytes(2, "big")


def on_wire(data: bytes, ifcs: bool = True, psp: bool = True, csum: tuple | None = None) -> bytes:
    """What the MAC must send for a frame whose descriptors hold `data`."""
    d = bytearray(data)
    if csum is not None:
        putsum(d, *csum)
    if psp and len(d) < 60:
        d += bytes(60 - len(d))
    if ifcs:
        d += fcs(d)
    return bytes(d)


def udp_frame(n: int, rng: random.Random, dst: str = MAC_B) -> bytes:
    return bytes(Ether(dst=dst, src=MAC_A) / IP(src="10.0.0.1", dst="10.0.0.2")
                 / UDP(sport=1234, dport=5678) / Raw(rng.randbytes(n)))


def frame_of_len(n: int, rng: random.Random, dst: str = MAC_B) -> bytes:
    """A scapy Ether/IP/UDP frame of exactly n bytes (n >= 42), else random bytes."""
    if n >= 42:
        f = udp_frame(n - 42, rng, dst)
        assert len(f) == n
        return f
    return bytes(Ether(dst=dst, src=MAC_A, type=0x88B5)) [:min(n, 14)] + rng.randbytes(max(0, n - 14))


def split(n: int, parts: int, rng: random.Random) -> list[int]:
    """n bytes as `parts` nonzero piece lengths (fewer when n is small)."""
    parts = max(1, min(parts, n))
    cuts = sorted(rng.sample(range(1, n), parts - 1)) if parts > 1 else []
    edges = [0] + cuts + [n]
    return [b - a for a, b in zip(edges, edges[1:])]


class Frame:
    def __init__(self, idxs, data, wire, rs):
        self.idxs, self.data, self.wire, self.rs = idxs, data, wire, rs
        self.buf_ranges = []  # (addr, len) per descriptor


# ------------------------------------------------------------------------------- the bench
class TxBench:
    """One `ringnic_tx`, its host memory, its MAC-side sink and the register side."""

    def __init__(self, dut, bus_monitors: bool):
        self.dut, self.clk, self.log = dut, dut.clk, dut._log
        for name, val in dict(rst=1, sw_rst=0, tdba=0, tdlen=0, tdh=0, tdt=0, tdt_wr=0, tctl=0,
                              tctl_wr=0, tring_wr=0).items():
            getattr(dut, name).value = val
        self.mem = AxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM_SIZE)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_tx"), dut.clk, dut.rst)
        self.tdh_mon = _stamped(TdhMonitor)(TdhBus.from_entity(dut), dut.clk, dut.rst)
        self.stat_mon = StatMonitor(StatBus.from_entity(dut), dut.clk, dut.rst)
        self.ar_mon = _stamped(AxiARMonitor)(AxiARBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst)
        self.aw_mon = _stamped(AxiAWMonitor)(AxiAWBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst)
        self.b_mon = _stamped(AxiBMonitor)(AxiBBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst)
        self.w_mon = AxiWMonitor(AxiWBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst)
        self.r_mon = _stamped(AxiRMonitor)(AxiRBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst) \
            if bus_monitors else None
        self.ars, self.aws, self.ws, self.bs, self.rs = [], [], [], [], []
        self.stats = []
        self.tdh, self.tdh_log, self.tdh_event = 0, [], Event()
        self.psp = True
        self.bad_read: list[tuple[int, int]] = []
        self.bad_write: list[tuple[int, int]] = []
        self.decerr = False
        self._inject_errors()

    @classmethod
    async def create(cls, dut, bus_monitors: bool = True) -> "TxBench":
        tb = cls(dut, bus_monitors)
        Clock(dut.clk, CLK_NS, unit="ns").start(start_high=False)
        await ClockCycles(dut.clk, 4)
        dut.rst.value = 0
        await ClockCycles(dut.clk, 2)
        tb.intr = PulseWatch(dut.intr_set, dut.clk)
        cocotb.start_soon(tb._follow_tdh())
        return tb

    # ---- host memory faults: SLVERR (or DECERR) on reads/writes of chosen ranges
    def _inject_errors(self):
        rd, wr = self.mem.read_if, self.mem.write_if
        orig_read, orig_write, orig_send, orig_bsend = rd._read, wr._write, rd.r_channel.send, wr.b_channel.send

        def hit(ranges, addr, n):
            return any(lo < addr + n and addr < hi for lo, hi in ranges)

        async def _read(address, length):
            if hit(self.bad_read, address, length):
                raise IOError("injected read fault")
            return await orig_read(address, length)

        async def _write(address, data):
            if hit(self.bad_write, address, len(data)):
                raise IOError("injected write fault")
            await orig_write(address, data)

        async def _send(r):
            if self.decerr and int(r.rresp) == AxiResp.SLVERR:
                r.rresp = AxiResp.DECERR
            await orig_send(r)

        async def _bsend(b):
            if self.decerr and int(b.bresp) == AxiResp.SLVERR:
                b.bresp = AxiResp.DECERR
            await orig_bsend(b)

        rd._read, wr._write, rd.r_channel.send, wr.b_channel.send = _read, _write, _send, _bsend

    # ---- register side, as rtl/ringnic_regs.v presents it
    async def _follow_tdh(self):
        while True:
            t = await self.tdh_mon.recv()
            self.tdh = int(t.tdh_in)
            self.dut.tdh.value = self.tdh
            self.tdh_log.append((t.ns, self.tdh))
            self.tdh_event.set()

    async def write_tdt(self, value: int) -> None:
        await RisingEdge(self.clk)
        self.dut.tdt.value, self.dut.tdt_wr.value = value, 1
        await RisingEdge(self.clk)
        self.dut.tdt_wr.value = 0

    async def write_tctl(self, value: int) -> None:
        await RisingEdge(self.clk)
        self.dut.tctl.value, self.dut.tctl_wr.value = value, 1
        self.psp = bool(value & PSP)
        await RisingEdge(self.clk)
        self.dut.tctl_wr.value = 0

    async def set_regs(self, **values) -> None:
        """Plain register writes without a doorbell (TDBA, TDLEN, TDH)."""
        await RisingEdge(self.clk)
        for name, v in values.items():
            getattr(self.dut, name).value = v
            if name == "tdh":
                self.tdh = v

    async def ring_write(self, name: str, value: int) -> None:
        """A software write to TDBAL, TDLEN or TDH: the value and the `tring_wr` pulse."""
        await RisingEdge(self.clk)
        getattr(self.dut, name).value, self.dut.tring_wr.value = value, 1
        if name == "tdh":
            self.tdh = value
        await RisingEdge(self.clk)
        self.dut.tring_wr.value = 0

    async def soft_reset(self) -> None:
        """CTRL.RST: the sw_rst pulse, and the register file back to its reset values."""
        await RisingEdge(self.clk)
        self.dut.sw_rst.value = 1
        await RisingEdge(self.clk)
        self.dut.sw_rst.value = 0
        for name in ("tdba", "tdlen", "tdh", "tdt", "tctl"):
            getattr(self.dut, name).value = 0
        self.tdh = 0

    async def ring(self, base: int, count: int, tctl: int = EN | PSP, tdlen: int | None = None) -> "Ring":
        await self.set_regs(tdba=base, tdlen=count * 16 if tdlen is None else tdlen, tdh=0, tdt=0)
        await self.write_tctl(tctl)
        return Ring(self, base, count)

    # ---- waiting
    async def recv(self, timeout_us: float = 500) -> bytes:
        f = await with_timeout(self.sink.recv(compact=False), timeout_us, "us")
        keep = list(f.tkeep)
        n = sum(keep)
        assert keep == [1] * n + [0] * (len(keep) - n) and len(keep) - n < 8, f"tkeep not contiguous: {keep}"
        assert not any(f.tuser), "tuser set"
        return bytes(f.tdata[:n])

    async def expect(self, frames: list[Frame], timeout_us: float = 500) -> None:
        for k, fr in enumerate(frames):
            got = await self.recv(timeout_us)
            if got != fr.wire:
                other = [j for j, f in enumerate(frames) if f.wire == got]
                diff = next((i for i, (a, b) in enumerate(zip(got, fr.wire)) if a != b), min(len(got), len(fr.wire)))
                raise AssertionError(f"frame {k} (descriptors {fr.idxs}, buffers {fr.buf_ranges}): {len(got)} "
                                     f"bytes, expected {len(fr.wire)}, first difference at byte {diff}"
                                     + (f"; it is frame {other} of this batch" if other else "; it is no frame of this batch"))

    async def wait_tdh(self, value: int, timeout_us: float = 200) -> None:
        async def _wait():
            while self.tdh != value:
                self.tdh_event.clear()
                await self.tdh_event.wait()
        await with_timeout(_wait(), timeout_us, "us")

    async def wait_intr(self, bit: int, count: int = 1, timeout_us: float = 200) -> None:
        async def _wait():
            while self.intr.count(bit) < count:
                await ClockCycles(self.clk, 8)
        await with_timeout(_wait(), timeout_us, "us")

    async def settle(self, cycles: int = 64) -> None:
        await ClockCycles(self.clk, cycles)

    # ---- what the monitors saw
    def collect(self) -> None:
        for mon, out in ((self.ar_mon, self.ars), (self.aw_mon, self.aws), (self.w_mon, self.ws),
                         (self.b_mon, self.bs), (self.r_mon, self.rs), (self.stat_mon, self.stats)):
            while mon is not None and not mon.empty():
                out.append(mon.recv_nowait())

    def check_bus(self) -> None:
        """Every AR/AW: INCR, 8-byte beats, ID 0, no 4 KiB crossing; every burst finished."""
        self.collect()
        for a in self.ars:
            addr, beats = int(a.araddr), int(a.arlen) + 1
            assert int(a.arburst) == 1 and int(a.arsize) == 3 and int(a.arid) == 0, a
            assert addr % 8 == 0, f"AR 0x{addr:x} not 8-byte aligned"
            assert (addr & 0xFFF) + 8 * beats <= 0x1000, f"AR 0x{addr:x} x{beats} crosses 4 KiB"
            assert beats <= max(MAX_BURST_BEATS, 2 * DESC_BURST), f"AR of {beats} beats"
        for a in self.aws:
            assert int(a.awlen) == 0 and int(a.awsize) == 3 and int(a.awburst) == 1, a
            assert (int(a.awaddr) & 0xF) == 8, f"write-back at 0x{int(a.awaddr):x}"
        for w in self.ws:
            assert int(w.wstrb) == 0xF0 and int(w.wlast) == 1, w
        d = self.dut
        assert int(d.m_axi_arvalid.value) == 0 and int(d.m_axi_awvalid.value) == 0 \
            and int(d.m_axi_wvalid.value) == 0, "a request still pending"
        if self.r_mon is not None:
            assert sum(int(a.arlen) + 1 for a in self.ars) == len(self.rs), \
                f"{sum(int(a.arlen) + 1 for a in self.ars)} R beats requested, {len(self.rs)} taken"
            lasts = self._last_beats()
            assert all(int(r.rlast) == (k in lasts) for k, r in enumerate(self.rs)), "RLAST misplaced"
        assert len(self.aws) == len(self.ws) == len(self.bs), \
            f"{len(self.aws)} AW, {len(self.ws)} W, {len(self.bs)} B"

    def _last_beats(self) -> set[int]:
        out, n = set(), 0
        for a in self.ars:
            n += int(a.arlen) + 1
            out.add(n - 1)
        return out

    def r_bursts(self) -> list[tuple[int, int, float]]:
        """(address, beats, time of the last R beat) of every read burst, in order."""
        self.collect()
        out, k = [], 0
        for a in self.ars:
            beats = int(a.arlen) + 1
            out.append((int(a.araddr), beats, self.rs[k + beats - 1].ns))
            k += beats
        return out

    def txerr(self) -> tuple[int, int]:
        v = int(self.dut.txerr.value)
        return v & regs.RNTXERR_CODE, v >> regs.RNTXERR_IDX_SHIFT

    def alloc(self, n: int, lane: int | None = None, rng: random.Random | None = None) -> int:
        """A buffer for n bytes starting at byte lane `lane` of a word (random if None)."""
        rng = rng or random
        lane = rng.randrange(8) if lane is None else lane
        cur = getattr(self, "_cursor", BUF_LO)
        addr = ((cur + 63) & ~7) + lane
        if addr + n >= BUF_HI:
            addr = BUF_LO + lane
        self._cursor = addr + n
        return addr


class Ring:
    """The TX ring as a driver fills it: descriptors written at the tail, TDT rung after."""

    def __init__(self, tb: TxBench, base: int, count: int):
        self.tb, self.base, self.count = tb, base, count
        self.tail, self.frames = 0, []

    def desc_addr(self, i: int) -> int:
        return self.base + desc.DESC_SIZE * i

    def free(self) -> int:
        return (self.tb.tdh - self.tail - 1) % self.count

    def write_desc(self, i, addr, length, cmd, cso=0, css=0, sta=0, special=0):
        """`sta`: the byte below CSS (STA and the reserved bits above it)."""
        lower = length << desc.TXD_LENGTH_SHIFT | cso << desc.TXD_CSO_SHIFT | cmd
        upper = sta | css << desc.TXD_CSS_SHIFT | special << desc.TXD_SPECIAL_SHIFT
        self.tb.mem.write(self.desc_addr(i), desc.pack(desc.TXD_LAYOUT, buffer_addr=addr, lower=lower, upper=upper))

    def read_upper(self, i: int) -> tuple[int, int, int]:
        """(STA with the reserved bits above it, CSS, special) of descriptor i."""
        upper = desc.unpack(desc.TXD_LAYOUT, self.tb.mem.read(self.desc_addr(i), desc.DESC_SIZE))["upper"]
        return (upper & ~(desc.TXD_CSS | desc.TXD_SPECIAL), (upper & desc.TXD_CSS) >> desc.TXD_CSS_SHIFT,
                upper >> desc.TXD_SPECIAL_SHIFT)

    def post(self, data: bytes, pieces: list[int] | None = None, lanes=None, addrs=None, cmd: int = IFCS,
             rs="eop", ic: tuple | None = None, sta: int = 0, special: int = 0,
             rng: random.Random | None = None) -> Frame:
        pieces = pieces or [len(data)]
        assert sum(pieces) == len(data)
        assert len(pieces) <= self.free(), "the test overfills the ring (software keeps one slot empty)"
        idxs, rs_list, ranges, off = [], [], [], 0
        for k, n in enumerate(pieces):
            last = k == len(pieces) - 1
            if addrs is not None:
                addr = addrs[k]
            else:
                addr = self.tb.alloc(n, None if lanes is None else lanes[k], rng)
            self.tb.mem.write(addr, data[off:off + n])
            ranges.append((addr, n))
            off += n
            c = cmd | (EOP if last else 0)
            want_rs = rs == "all" or (rs == "eop" and last) or (isinstance(rs, (list, tuple)) and rs[k])
            c |= RS if want_rs else 0
            # IC/CSS/CSO on the EOP descriptor only; decoys elsewhere prove they are ignored.
            css, cso = (ic if last else (7, 9)) if ic is not None else (0, 0)
            if ic is not None:
                c |= IC
            self.write_desc(self.tail, addr, n, c, cso=cso, css=css, sta=sta, special=special)
            idxs.append(self.tail)
            rs_list.append(want_rs)
            self.tail = (self.tail + 1) % self.count
        fr = Frame(idxs, data, on_wire(data, ifcs=bool(cmd & IFCS), psp=self.tb.psp, csum=ic), rs_list)
        fr.buf_ranges = ranges
        self.frames.append(fr)
        return fr

    async def ring(self) -> None:
        await self.tb.write_tdt(self.tail)


# ------------------------------------------------------------------------------- tests


async def after_sw_rst(tb: TxBench, rng: random.Random) -> None:
    """CTRL.RST clears RNTXERR; a freshly set-up ring then works."""
    await tb.soft_reset()
    await tb.settle(100)
    assert tb.txerr() == (0, 0), "CTRL.RST did not clear RNTXERR"
    tb.check_bus()
    ring = await tb.ring(0x9000, 16)
    frames = [ring.post(frame_of_len(rng.randrange(42, 300), rng)) for _ in range(3)]
    await ring.ring()
    await tb.expect(frames)
    await tb.wait_tdh(ring.tail)
