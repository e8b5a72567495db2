"""Block bench for `ringnic_rx` (tests/rtl/test_rx_engine.py): the DUT's register-side inputs driven as
`ringnic_regs` presents them, host memory in a cocotbext-axi `AxiRam` on `m_axi_`, frames from an
`AxiStreamSource`, and the bus monitor every test runs.

Register-side inputs are levels (RDBA, RDLEN, RCTL, ...) plus the one-cycle pulses rdt_wr/rctl_wr
aligned with the new value; RDH is modelled as the register block holds it (updated the cycle
after rdh_we) and so is the MTA lookup (mta_hit one cycle after mta_bit). Frames are scapy
Ether/IP/UDP packets with their FCS (zlib CRC-32, little-endian).

The monitor (the harness watches signals, never the driver) fails the test on: a burst crossing
4 KiB or longer than MAX_BURST_BEATS, a strobed byte outside the buffer of the descriptor the burst
targets (or outside a descriptor's upper half for a write-back), a write-back AW before every
payload burst of its frame has its B, a W beat count/WLAST mismatch, a fetch of a descriptor
hardware does not own or past the ring end, and (at the end) a burst without its B.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiBus, AxiRam, AxiStreamBus, AxiStreamFrame, AxiStreamSource
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from pydriver.ringnic import desc, regs
from tb.harness.ethframe import mac_bytes, with_fcs
from tb.tools.runner import hdl_param

MAX_BURST_BEATS = hdl_param("MAX_BURST_BEATS", 16)
DESC_BURST = 8
MAX_FRAME = 16384
RING_LOG2 = 12
PB_BEATS = 4096            # packet buffer: two MAX_FRAME frames in 64-bit beats
CLK_NS = 10                # sim/settings.toml clock_period_ns == CLK_PERIOD_PS / 1000

MEM_SIZE = 1 << 22         # 4 MiB of host memory
RING = 0x0001_0000         # default ring base
BUFS = 0x0010_0000         # default buffer area
FILL = 0xA5                # what memory holds before the NIC writes

OUR_MAC = "02:0a:35:00:00:01"
PEER_MAC = "02:00:00:00:00:02"
BCAST = "ff:ff:ff:ff:ff:ff"

STAT_PULSES = ("crcerrs", "rxerrc", "mpc", "rnbc", "gprc", "bprc", "mprc", "ruc", "roc", "tpr")
BSIZE_BITS = {2048: 0, 1024: 1 << 16, 512: 2 << 16, 256: 3 << 16,
              16384: regs.RCTL_BSEX | 1 << 16, 8192: regs.RCTL_BSEX | 2 << 16, 4096: regs.RCTL_BSEX | 3 << 16}

RX_INPUTS = {"sw_rst": 0, "rdba": 0, "rdlen": 0, "rdh": 0, "rdt": 0, "rdt_wr": 0, "rctl": 0, "rctl_wr": 0, "rxcsum": 0,
             "rdtr": 0, "rdtr_fpd": 0, "radv": 0, "mac_addr": int(OUR_MAC.replace(":", ""), 16),
             "mac_valid": 1, "mta_hit": 0, "intr_tick": 0}


# ------------------------------------------------------------------------------- frames
def make_frame(size: int, dst: str = OUR_MAC, seed: int = 0, bad_fcs: bool = False) -> bytes:
    """A frame of `size` bytes including its FCS: Ether/IP/UDP when it fits, else raw bytes."""
    rng = random.Random(seed * 7919 + size)
    hdr = 14 + 20 + 8
    if size - 4 >= hdr:
        pkt = (Ether(dst=dst, src=PEER_MAC) / IP(src="10.0.0.2", dst="10.0.0.1")
               / UDP(sport=1024 + seed % 1000, dport=5000) / Raw(rng.randbytes(size - 4 - hdr)))
        raw = bytes(pkt)
    else:
        raw = (mac_bytes(dst) + mac_bytes(PEER_MAC) + b"\x08\x00" + rng.randbytes(64))[:max(size - 4, 0)]
    assert len(raw) == size - 4
    f = with_fcs(raw)
    if bad_fcs:
        f = f[:-1] + bytes([f[-1] ^ 0x01])
    return f


# ------------------------------------------------------------------------------- bus monitor
@dataclass
class Burst:
    addr: int
    beats: int
    aw_cycle: int
    wb: bool
    aw_start: int = 0              # cycle AWVALID rose
    desc: int = -1                 # descriptor whose buffer / upper half it writes
    w_seen: int = 0
    b_cycle: int | None = None
    bresp: int = 0
    eop: bool = False


@dataclass
class Received:
    data: bytes
    descs: list = field(default_factory=list)     # (index, length, status, errors)


class RxBench:
    """ringnic_rx with host memory, a frame source, the register-side model and the bus monitor."""

    def __init__(self, dut):
        self.dut = dut
        self.log = dut._log
        for name, v in RX_INPUTS.items():
            getattr(dut, name).value = v
        dut.rst.value = 1
        self.ram = AxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM_SIZE)
        self.ram.write(0, bytes([FILL]) * MEM_SIZE)
        self.src = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_rx"), dut.clk, dut.rst)
        self.fail_w: list[tuple[int, int]] = []     # byte ranges answering SLVERR on write
        self.fail_r: list[tuple[int, int]] = []     # ... on read
        self._hook_errors()
        self.mta = [0] * 128
        self.cycle = 0
        self.stats = dict.fromkeys(STAT_PULSES + ("rnrxoff",), 0)  # RNRXOFF: frames dropped with EN clear
        self.gorc = 0
        self.tor = 0
        self.intr: list[tuple[int, int]] = []       # (cycle, intr_set)
        self.rdh_writes: list[tuple[int, int]] = []
        self.rx_beats = 0                          # beats accepted on s_axis
        self.rx_first = None                       # cycle of the first accepted beat
        self.rx_last = None                        # cycle of the last accepted beat
        self.tready_low = []                       # cycles where tvalid && !tready
        self.errors: list[str] = []
        self.aws: list[Burst] = []                 # every AW, in order
        self._w_next = 0                           # index into aws of the burst W belongs to
        self._b_next = 0
        self.ars = []                              # (cycle, addr, beats)
        self.r_beats = 0
        self._pl_open: dict[int, list[Burst]] = {}
        self._group: list[Burst] = []
        self.ring_base = RING
        self.n = 0
        self.bsize = 2048
        self.buffers: dict[int, tuple[int, int]] = {}
        self._starts = None
        self._aw_start = None
        self.sw_rst_cycles: list[int] = []
        self.next_clean = 0                        # driver's next_to_clean
        self.tail = 0
        self.wb_head = 0                           # head as the engine counts ownership: past the last write-back issued

    # ---------------------------------------------------------------- setup
    @classmethod
    async def create(cls, dut) -> "RxBench":
        tb = cls(dut)
        Clock(dut.clk, CLK_NS, unit="ns").start(start_high=False)
        cocotb.start_soon(tb._monitor())
        await ClockCycles(dut.clk, 4)
        dut.rst.value = 0
        await ClockCycles(dut.clk, 2)
        return tb

    def _hook_errors(self):
        w_orig, r_orig = self.ram.write_if._write, self.ram.read_if._read
        tb = self

        async def w(address, data):
            if any(lo < address + len(data) and address < hi for lo, hi in tb.fail_w):
                raise IOError("injected SLVERR")
            await w_orig(address, data)

        async def r(address, length):
            if any(lo < address + length and address < hi for lo, hi in tb.fail_r):
                raise IOError("injected SLVERR")
            return await r_orig(address, length)

        self.ram.write_if._write = w
        self.ram.read_if._read = r

    async def cycles(self, n: int) -> None:
        await ClockCycles(self.dut.clk, n)

    async def pulse(self, **sigs) -> None:
        """Set levels and one-cycle pulses together: pulse(rctl=v, rctl_wr=1)."""
        for k, v in sigs.items():
            getattr(self.dut, k).value = v
        await RisingEdge(self.dut.clk)
        for k in sigs:
            if k.endswith("_wr") or k in ("sw_rst", "rdtr_fpd"):
                getattr(self.dut, k).value = 0

    async def set_rctl(self, value: int) -> None:
        self.wb_head = self.rdh()                 # a (re)start begins at RDH
        await self.pulse(rctl=value, rctl_wr=1)

    async def set_rdt(self, value: int) -> None:
        self.tail = value
        await self.pulse(rdt=value, rdt_wr=1)

    async def sw_reset(self) -> None:
        """CTRL.RST as ringnic_regs does it: the pulse, then the registers read their resets."""
        await self.pulse(sw_rst=1)
        for k in ("rdba", "rdlen", "rdh", "rdt", "rctl", "rdtr", "radv"):
            getattr(self.dut, k).value = 0
        self.next_clean = self.tail = 0

    def rctl_bits(self, bsize: int = 2048, extra: int = 0) -> int:
        return regs.RCTL_EN | BSIZE_BITS[bsize] | extra

    async def ring(self, n: int, bsize: int = 2048, base: int = RING, bufs: list[int] | None = None,
                   extra: int = 0, tail: int | None = None, enable: bool = True) -> None:
        """Program an n-descriptor ring with buffers of `bsize` bytes, RDH=0, RDT=tail (n-1), EN."""
        self.ring_base, self.n, self.bsize = base, n, bsize
        if bufs is None:
            bufs = [BUFS + i * max(bsize, 2048) for i in range(n)]
        self.buffers = {}
        self._starts = None
        for i, b in enumerate(bufs):
            self.set_desc(i, b)
        spans = sorted(self.buffers.values())
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "test bug: buffers overlap"
        self.dut.rdba.value = base
        self.dut.rdlen.value = 16 * n
        self.dut.rdh.value = 0
        self.next_clean = self.wb_head = 0
        await self.set_rdt(n - 1 if tail is None else tail)
        if enable:
            await self.set_rctl(self.rctl_bits(bsize, extra))

    def set_desc(self, i: int, buf: int) -> None:
        self.ram.write(self.ring_base + desc.DESC_SIZE * i, desc.pack(desc.RXD_LAYOUT, buffer_addr=buf))
        self.buffers[i] = (buf, buf + self.bsize)
        self._starts = None

    def rdh(self) -> int:
        return int(self.dut.rdh.value)

    def rxerr(self) -> tuple[int, int]:
        v = int(self.dut.rxerr.value)
        return v & 0xF, v >> 16

    def intr_count(self, bit: int, since: int = 0) -> int:
        return sum(1 for c, v in self.intr if v & bit and c >= since)

    def intr_cycles(self, bit: int) -> list[int]:
        return [c for c, v in self.intr if v & bit]

    # ---------------------------------------------------------------- frames in and out
    def send(self, frame: bytes, tuser: int = 0) -> None:
        self.src.send_nowait(AxiStreamFrame(frame, tuser=tuser))

    async def idle(self, quiet: int = 64, limit: int = 200_000) -> None:
        """Wait until the source is drained and the AXI bus has been silent for `quiet` cycles."""
        last = (-1, -1, -1)
        still = 0
        for _ in range(limit // 16):
            await self.cycles(16)
            now = (len(self.aws), self.r_beats, self.rx_beats)
            busy = not self.src.idle() or any(b.b_cycle is None for b in self.aws[-4:])
            still = still + 16 if (now == last and not busy) else 0
            last = now
            if still >= quiet:
                return
        raise AssertionError("the RX block did not go idle")

    def desc(self, i: int) -> tuple[int, int, int]:
        """(length, status, errors) of descriptor i."""
        d = desc.unpack(desc.RXD_LAYOUT, self.ram.read(self.ring_base + desc.DESC_SIZE * i, desc.DESC_SIZE))
        return d["length"], d["status"], d["errors"]

    async def collect(self, count: int, refill: bool = True, limit: int = 200_000) -> list[Received]:
        """Read `count` frames from the ring as the driver would (DD, EOP chains), in order.

        Descriptors are handed back (status cleared, RDT advanced) when `refill`."""
        out = []
        waited = 0
        while len(out) < count:
            rx = Received(b"")
            i = self.next_clean
            while True:
                while True:
                    length, status, errors = self.desc(i)
                    if status & desc.RXD_STAT_DD:
                        break
                    await self.cycles(16)
                    waited += 16
                    assert waited < limit, (f"frame {len(out)} of {count} not written back (RDH={self.rdh()}, "
                                            f"RDT={self.tail}, rxerr={self.rxerr()}, stats={self.stats})")
                lo, _ = self.buffers[i]
                rx.data += self.ram.read(lo, length)
                rx.descs.append((i, length, status, errors))
                i = (i + 1) % self.n
                if status & desc.RXD_STAT_EOP:
                    break
            out.append(rx)
            for j, *_ in rx.descs:
                self.ram.write(self.ring_base + desc.DESC_SIZE * j + desc.RXD_LENGTH, bytes(8))  # length..special
            self.next_clean = i
            if refill:
                await self.set_rdt((i - 1) % self.n)
        return out

    def check_frame(self, rx: Received, frame: bytes, strip: bool = False, errors: int = 0) -> None:
        want = frame[:-4] if strip else frame
        if rx.data != want:
            k = next((k for k in range(min(len(rx.data), len(want))) if rx.data[k] != want[k]), None)
            ctx = "" if k is None else f": got {rx.data[k-8:k+8].hex()} want {want[k-8:k+8].hex()} around it"
            raise AssertionError(f"payload differs: got {len(rx.data)} bytes, want {len(want)}; first difference "
                                 f"at {k}{ctx}; descriptors {rx.descs}; buffers {[hex(self.buffers[i][0]) for i, *_ in rx.descs]}")
        for k, (i, length, status, errs) in enumerate(rx.descs):
            last = k == len(rx.descs) - 1
            want = desc.RXD_STAT_DD | desc.RXD_STAT_IXSM | (desc.RXD_STAT_EOP if last else 0)
            assert status == want, f"descriptor {i}: status 0x{status:02x}"
            assert errs == (errors if last else 0), f"descriptor {i}: errors 0x{errs:02x}, want 0x{errors:02x}"
            if not last:
                assert length == self.bsize, f"descriptor {i} of a chain holds {length} bytes, not the buffer size"

    def untouched(self, lo: int, hi: int) -> bool:
        return self.ram.read(lo, hi - lo) == bytes([FILL]) * (hi - lo)

    # ---------------------------------------------------------------- the monitor
    def _in_ring(self, addr: int) -> bool:
        return self.n and self.ring_base <= addr < self.ring_base + 16 * self.n

    def _owner(self, addr: int) -> int:
        if self._starts is None:
            self._starts = sorted((lo, i) for i, (lo, _) in self.buffers.items())
        k = bisect.bisect_right(self._starts, (addr, 1 << 30)) - 1
        while k >= 0:
            lo, i = self._starts[k]
            if lo <= addr < self.buffers[i][1]:
                return i
            k -= 1
        return -1

    async def _monitor(self):
        d = self.dut
        edge = RisingEdge(d.clk)
        stat_sigs = [(n, getattr(d, f"stat_inc_{n}")) for n in STAT_PULSES]
        while True:
            await edge
            self.cycle += 1
            if int(d.rst.value):
                continue
            b = int(d.mta_bit.value)
            d.mta_hit.value = (self.mta[b >> 5] >> (b & 31)) & 1
            if int(d.rdh_we.value):
                v = int(d.rdh_in.value)
                d.rdh.value = v
                self.rdh_writes.append((self.cycle, v))
            iv = int(d.intr_set.value)
            if iv:
                self.intr.append((self.cycle, iv))
            for n, s in stat_sigs:
                if int(s.value):
                    self.stats[n] += 1
            self.stats["rnrxoff"] += int(d.stat_off_add.value)
            self.gorc += int(d.stat_gorc_add.value)
            self.tor += int(d.stat_tor_add.value)
            if int(d.s_axis_rx_tvalid.value):
                if int(d.s_axis_rx_tready.value):
                    self.rx_beats += 1
                    self.rx_last = self.cycle
                    if self.rx_first is None:
                        self.rx_first = self.cycle
                else:
                    self.tready_low.append(self.cycle)
            if int(d.sw_rst.value):
                self.sw_rst_cycles.append(self.cycle)
            if int(d.m_axi_awvalid.value):
                if self._aw_start is None:
                    self._aw_start = self.cycle
                if int(d.m_axi_awready.value):
                    self._on_aw(int(d.m_axi_awaddr.value), int(d.m_axi_awlen.value) + 1)
                    self.aws[-1].aw_start = self._aw_start
                    self._aw_start = None
            if int(d.m_axi_wvalid.value) and int(d.m_axi_wready.value):
                self._on_w(int(d.m_axi_wdata.value), int(d.m_axi_wstrb.value), int(d.m_axi_wlast.value))
            if int(d.m_axi_bvalid.value) and int(d.m_axi_bready.value):
                self._on_b(int(d.m_axi_bresp.value))
            if int(d.m_axi_arvalid.value) and int(d.m_axi_arready.value):
                self._on_ar(int(d.m_axi_araddr.value), int(d.m_axi_arlen.value) + 1)
            if int(d.m_axi_rvalid.value) and int(d.m_axi_rready.value):
                self.r_beats += 1

    def _err(self, msg: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(f"cycle {self.cycle}: {msg}")

    def _on_aw(self, addr: int, beats: int) -> None:
        wb = self._in_ring(addr)
        bu = Burst(addr, beats, self.cycle, wb)
        if beats > MAX_BURST_BEATS:
            self._err(f"AW 0x{addr:08x}: {beats} beats > MAX_BURST_BEATS")
        if (addr & 0xFF8) + 8 * beats > 0x1000:
            self._err(f"AW 0x{addr:08x} x{beats}: crosses 4 KiB")
        if wb:
            off = addr - self.ring_base
            bu.desc = off // 16
            if off % 16 != 8 or beats != 1:
                self._err(f"write-back AW 0x{addr:08x} x{beats}: not one beat at a descriptor's upper half")
        else:
            bu.desc = self._owner(addr)
            if bu.desc < 0:
                self._err(f"payload AW 0x{addr:08x}: not inside any descriptor's buffer")
            else:
                self._pl_open.setdefault(bu.desc, []).append(bu)
        self.aws.append(bu)

    def _on_w(self, data: int, strb: int, last: int) -> None:
        if self._w_next >= len(self.aws):
            self._err("W beat without an AW")
            return
        bu = self.aws[self._w_next]
        base = (bu.addr & ~7) + 8 * bu.w_seen
        lanes = [k for k in range(8) if strb >> k & 1]
        if bu.wb:
            lo = self.ring_base + 16 * bu.desc + 8
            hi = lo + 8
            if strb != 0xFF:
                self._err(f"write-back W strobe 0x{strb:02x}")
            st = desc.unpack(desc.RXD_LAYOUT, data.to_bytes(8, "little"), start=8)["status"]
            bu.eop = bool(st & desc.RXD_STAT_EOP)
            if bu.eop:
                self.wb_head = (bu.desc + 1) % self.n
            self._write_back(bu)
        else:
            lo, hi = self.buffers.get(bu.desc, (0, 0))
        if bu.w_seen == 0 and lanes and base + lanes[0] != bu.addr and not bu.wb:
            self._err(f"first beat of AW 0x{bu.addr:08x} strobes from 0x{base + lanes[0]:08x}")
        for k in lanes:
            if not lo <= base + k < hi:
                self._err(f"W byte at 0x{base + k:08x} outside [0x{lo:08x}, 0x{hi:08x}) (descriptor {bu.desc})")
                break
        bu.w_seen += 1
        if bool(last) != (bu.w_seen == bu.beats):
            self._err(f"WLAST={last} on beat {bu.w_seen} of {bu.beats} (AW 0x{bu.addr:08x})")
        if bu.w_seen == bu.beats:
            self._w_next += 1

    def _write_back(self, wb: Burst) -> None:
        """DD never before its data: every payload burst of the frame has its B before the first
        write-back AW of the frame."""
        self._group.append(wb)
        if not wb.eop:
            return
        t0 = self._group[0].aw_cycle
        for g in self._group:
            for p in self._pl_open.pop(g.desc, []):
                if p.b_cycle is None or p.b_cycle >= t0:
                    self._err(f"write-back of descriptor {g.desc} (AW cycle {t0}) before the B of payload "
                              f"burst 0x{p.addr:08x} (B cycle {p.b_cycle})")
        self._group = []

    def _on_b(self, resp: int) -> None:
        if self._b_next >= len(self.aws) or self._b_next >= self._w_next:
            self._err("B without a completed burst")
            return
        bu = self.aws[self._b_next]
        bu.b_cycle, bu.bresp = self.cycle, resp
        self._b_next += 1

    def _on_ar(self, addr: int, beats: int) -> None:
        self.ars.append((self.cycle, addr, beats))
        if (addr & 0xFFF) + 8 * beats > 0x1000:
            self._err(f"AR 0x{addr:08x} x{beats}: crosses 4 KiB")
        if beats > 2 * DESC_BURST or beats % 2:
            self._err(f"AR x{beats}: not whole descriptors or more than DESC_BURST")
        first = (addr - self.ring_base) // 16
        n = beats // 2
        if addr % 16 or first < 0 or first + n > self.n:
            self._err(f"AR 0x{addr:08x} x{beats}: outside the ring")
        # Ownership ends when a write-back goes out (the driver may see DD before RDH moves).
        head, tail = self.wb_head, int(self.dut.rdt.value)
        owned = (tail - head) % self.n if self.n else 0
        for k in range(n):
            if (first + k - head) % max(self.n, 1) >= owned:
                self._err(f"AR fetches descriptor {first + k}, not in [RDH={head}, RDT={tail})")
                break

    def bus_idle(self) -> bool:
        return all(b.b_cycle is not None for b in self.aws) and self._w_next == len(self.aws)

    async def finish(self) -> None:
        """End-of-test checks of the monitor."""
        await self.cycles(32)
        assert self.bus_idle(), "bursts left without their W beats or B"
        assert not self.errors, "bus monitor:\n  " + "\n  ".join(self.errors)


async def bench(dut) -> RxBench:
    return await RxBench.create(dut)
