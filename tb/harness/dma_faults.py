"""DMA fault injection on the NIC's AXI master: a chosen burst answered SLVERR or DECERR, held
for hundreds to thousands of cycles, or refused by the host-memory fence (issue 12, item 4).

Every burst passes HostMemory.fence once, on both host-memory models (cocotbext-axi's AxiRam:
per AR/AW; the HDL bridge: per request), so the injector sits there (``fence_hook``): it names
the burst's channel from its address and direction against the driver's rings --

  read  inside the TX ring: tx_desc_read    write inside the TX ring: tx_wb_write
  read  inside the RX ring: rx_desc_read    write inside the RX ring: rx_wb_write
  read  elsewhere:          tx_data_read    write elsewhere:          rx_data_write

-- counts it, and when an armed ``Fault`` matches (channel, the nth burst of that channel since
arming, optionally an address window) it fires: ``fence`` refuses the burst (an IommuFault is
recorded; under fault_policy="abort" the burst ends in SLVERR), the other kinds are applied by
the model while it serves that burst:

  kind     AxiRam (default)                              HDL bridge (HOSTMEM=hdl)
  slverr   every beat SLVERR (R) / BRESP SLVERR          SLVERR
  decerr   the same with DECERR                          not supported (the bridge has SLVERR only)
  stall    `cycles` before AR is taken, the first R      `cycles` before Python answers: AR/R or
           beat, AW taken, the first W beat taken, or    AW/B held (its ready and valid wait)
           B (``on``: ar, r, aw, w, b); the AR/AW/W
           queues fill, so READY drops meanwhile

The harness may read the driver's rings (adapter.tx_ring/rx_ring: dma, count): it classifies,
never steers, and the driver never sees the injector.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Optional

from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiResp

from pydriver.ringnic.desc import DESC_SIZE

CHANNELS = ("tx_desc_read", "tx_data_read", "tx_wb_write", "rx_desc_read", "rx_data_write", "rx_wb_write")
KINDS = ("slverr", "decerr", "stall", "fence")
STALL_POINTS = {"read": ("ar", "r"), "write": ("aw", "w", "b")}
# What the NIC reports when a channel fails (RNTXERR/RNRXERR code names, rtl/ringnic_regs.rdl)
CAUSE = {"tx_desc_read": ("RNTXERR", "DESC_READ"), "tx_data_read": ("RNTXERR", "DATA_READ"),
         "tx_wb_write": ("RNTXERR", "WB_WRITE"), "rx_desc_read": ("RNRXERR", "DESC_READ"),
         "rx_data_write": ("RNRXERR", "DATA_WRITE"), "rx_wb_write": ("RNRXERR", "WB_WRITE")}
REFUSED = "refused by the fence (fault injection)"


def direction_of(channel: str) -> str:
    return "read" if channel.endswith("_read") else "write"


@dataclass
class Fault:
    channel: str
    kind: str
    nth: int = 1                          # the nth burst of `channel` after arming
    cycles: int = 0                       # stall length, clock cycles
    on: str = ""                          # stall point: ar/r for reads, aw/w/b for writes
    window: Optional[tuple] = None        # (lo, hi): only bursts starting inside
    seen: int = 0
    addr: int = -1                        # the burst it hit
    length: int = 0
    fired_ns: int = -1

    def __post_init__(self):
        assert self.channel in CHANNELS and self.kind in KINDS, (self.channel, self.kind)
        if self.kind == "stall":
            self.on = self.on or STALL_POINTS[direction_of(self.channel)][-1]
            assert self.on in STALL_POINTS[direction_of(self.channel)] and self.cycles > 0

    @property
    def fired(self) -> bool:
        return self.fired_ns >= 0

    def __str__(self):
        extra = f" {self.cycles} cycles on {self.on.upper()}" if self.kind == "stall" else ""
        at = f" at 0x{self.addr:08x}+{self.length}" if self.fired else " (not fired)"
        return f"{self.kind}{extra} on {self.channel} burst #{self.nth}{at}"


class DmaFaultInjector:
    """Attach to one NIC's RingnicTB (after its Board's modprobe: `adapter` gives the rings)."""

    def __init__(self, tb, adapter):
        self.tb, self.adapter = tb, adapter
        self.model = "hdl" if tb.bridge is not None else "axiram"
        self.armed: list[Fault] = []
        self.injected: list[Fault] = []
        self.bursts = Counter()                       # channel -> bursts seen
        self.counts = Counter()                       # (channel, kind) -> faults injected
        self.pending = {"read": None, "write": None}  # the fault of the burst being served
        self._stalled = {"read": False, "write": False}
        tb.hostmem.fence_hook = self._on_burst
        if tb.ram is not None:
            self._wrap_axiram(tb.ram)
        if tb.bridge is not None:
            tb.bridge.injector = self

    def supports(self, kind: str) -> bool:
        return not (kind == "decerr" and self.model == "hdl")

    def arm(self, fault: Fault) -> Fault:
        if not self.supports(fault.kind):
            raise ValueError(f"{fault.kind} is not injectable on the {self.model} host memory")
        self.armed.append(fault)
        return fault

    def channel(self, addr: int, direction: str) -> str:
        def inside(ring):
            return ring.dma and ring.dma <= addr < ring.dma + ring.count * DESC_SIZE
        tx, rx = self.adapter.tx_ring, self.adapter.rx_ring
        if direction == "read":
            return "tx_desc_read" if inside(tx) else "rx_desc_read" if inside(rx) else "tx_data_read"
        return "tx_wb_write" if inside(tx) else "rx_wb_write" if inside(rx) else "rx_data_write"

    # ---- the fence hook: once per burst, both models
    def _on_burst(self, addr: int, length: int, direction: str) -> Optional[str]:
        ch = self.channel(addr, direction)
        self.bursts[ch] += 1
        self.pending[direction], self._stalled[direction] = None, False
        for f in self.armed:
            if f.channel != ch or (f.window and not f.window[0] <= addr < f.window[1]):
                continue
            f.seen += 1
            if f.seen < f.nth:
                continue
            self.armed.remove(f)
            f.addr, f.length, f.fired_ns = addr, length, int(self.tb.now_ns())
            self.injected.append(f)
            self.counts[(ch, f.kind)] += 1
            self.tb.log.info("DMA fault injected: %s", f)
            if f.kind == "fence":
                return REFUSED
            self.pending[direction] = f
            return None
        return None

    def _pending(self, direction: str, *kinds) -> Optional[Fault]:
        f = self.pending[direction]
        return f if f is not None and f.kind in kinds else None

    async def stall(self, direction: str, point: str) -> None:
        """Hold the burst being served for its fault's cycles if it stalls at `point` (once)."""
        f = self._pending(direction, "stall")
        if f is not None and f.on == point and not self._stalled[direction]:
            self._stalled[direction] = True
            await ClockCycles(self.tb.dut.clk, f.cycles)

    def error(self, direction: str) -> bool:
        return self._pending(direction, "slverr", "decerr") is not None

    # ---- cocotbext-axi's AxiRam: its read and write processes serve one burst at a time
    def _wrap_axiram(self, ram) -> None:
        rd, wr = ram.read_if, ram.write_if
        ar_recv, r_send, read = rd.ar_channel.recv, rd.r_channel.send, rd._read
        aw_recv, w_recv, b_send, write = wr.aw_channel.recv, wr.w_channel.recv, wr.b_channel.send, wr._write

        async def ar():
            t = await ar_recv()                  # the fence (and so _on_burst) runs in here
            await self.stall("read", "ar")
            return t

        async def r(beat):
            await self.stall("read", "r")
            if self._pending("read", "decerr") and int(beat.rresp) == AxiResp.SLVERR:
                beat.rresp = AxiResp.DECERR
            await r_send(beat)

        async def _read(address, length):
            if self.error("read"):
                raise IOError("injected read fault")   # AxiSlaveRead answers the beat SLVERR
            return await read(address, length)

        async def aw():
            t = await aw_recv()
            await self.stall("write", "aw")
            return t

        async def w():
            await self.stall("write", "w")
            return await w_recv()

        async def _write(address, data):
            if self.error("write"):
                raise IOError("injected write fault")  # BRESP SLVERR, the data dropped
            await write(address, data)

        async def b(resp):
            await self.stall("write", "b")
            if self._pending("write", "decerr") and int(resp.bresp) == AxiResp.SLVERR:
                resp.bresp = AxiResp.DECERR
            await b_send(resp)

        rd.ar_channel.recv, rd.r_channel.send, rd._read = ar, r, _read
        wr.aw_channel.recv, wr.w_channel.recv, wr._write, wr.b_channel.send = aw, w, _write, b

    def matrix(self) -> dict:
        """{channel: {kind: faults injected}} for the fuzz report."""
        return {ch: {k: self.counts[(ch, k)] for k in KINDS} for ch in CHANNELS}
