"""The fast path to host memory: the Python side of tb/hdl/host_mem_bridge.v.

The NIC's DMA bursts are served by an HDL AXI slave at full beat rate; Python wakes once per
burst (the edge of rd_req or wr_req): it reads the request word, fences the burst against the
live DMA mappings (HostMemory.fence, the same check the cocotbext-axi path makes per AR/AW), then
answers a read with one signal write (ack, error and every beat), or applies the collected write
beats with their strobes (read with the request) and answers with one write. The CPU view
(cache, write buffer, DMA API) is untouched: DRAM stays in HostMemory, so everything the driver
and DMA-API debug see is the same as on the cocotbext-axi path, which stays selectable
(`make sim HOSTMEM=axiram`, the default for the regression; HOSTMEM=hdl picks this one).
"""

from __future__ import annotations

from types import SimpleNamespace

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge

from tb.harness.hostmem import HostMemory, axi_burst_span

BEAT = 8           # bytes per beat of the 64-bit bus
INCR = 1


class BridgePort:
    """One host_mem_bridge (`<prefix>hm_*` signals of `dut`) serving `hostmem` for `owner`
    (an object whose `dma_dev` names the device whose mappings count, or None for any)."""

    def __init__(self, dut, prefix: str, hostmem: HostMemory, owner=None):
        names = ("rd_req", "rd_cmd", "rd_resp", "wr_req", "wr_cmd", "wr_head", "wr_resp")
        self.sig = {n: getattr(dut, f"{prefix}hm_{n}") for n in names}  # looked up once: a lookup costs a read
        self.hostmem, self.owner = hostmem, owner
        self.clk = dut.clk
        self.delay = None  # a callable -> clock cycles to hold each answer back (tb/harness/soak.py's AXI delays)
        self.injector = None       # tb/harness/dma_faults.py: errors and stalls on chosen bursts
        self.bursts = {"read": 0, "write": 0}
        self.data_bits = len(self.sig["rd_resp"]) - 2            # 64 * MAX_BEATS
        self.cmd_bits = len(self.sig["rd_cmd"])
        self.head_beats = (len(self.sig["wr_head"]) - self.cmd_bits) // 72
        self.sig["rd_resp"].value = 0
        self.sig["wr_resp"].value = 0
        self._tasks = [cocotb.start_soon(self._reads()), cocotb.start_soon(self._writes())]

    def _allowed(self, addr: int, n: int, direction: str, burst: int) -> bool:
        ok = self.hostmem.fence(addr, n, direction, getattr(self.owner, "dma_dev", None))
        return burst == INCR and (ok or self.hostmem.fault_policy != "abort")

    @staticmethod
    def _read(handle) -> int:
        """A whole vector as an int: the binary string straight from the simulator, without the
        LogicArray a `.value` read builds (the cheapest read cocotb 2.1 has for wide vectors)."""
        return int(handle._handle.get_signal_val_binstr(), 2)

    async def _reads(self) -> None:
        req, cmd, resp = self.sig["rd_req"], self.sig["rd_cmd"], self.sig["rd_resp"]
        ack = 1 << (self.data_bits + 1)
        toggle = 0
        while True:
            await RisingEdge(req)
            await self._hold()  # the memory's latency: fenced and read when it answers
            addr, beats, burst, (start, n) = decode(self._read(cmd))
            self.bursts["read"] += 1
            ok = self._allowed(start, n, "read", burst)
            if self.injector is not None:
                ok = await self._inject("read", ok)
            # whole beats from the aligned address: lanes below `addr` are don't-care
            data = int.from_bytes(self.hostmem._dev_read(addr & ~(BEAT - 1), beats * BEAT), "little") if ok else 0
            toggle ^= ack
            resp.value = toggle | (0 if ok else 1 << self.data_bits) | data   # one write answers

    async def _writes(self) -> None:
        req, cmd, head, resp = (self.sig[n] for n in ("wr_req", "wr_cmd", "wr_head", "wr_resp"))
        mask = (1 << self.cmd_bits) - 1
        toggle = 0
        while True:
            await RisingEdge(req)
            # The request, then {strobes, data} per beat: one read of wr_head for a short burst,
            # one more of the whole wr_cmd for a long one.
            word = self._read(head)
            addr, beats, burst, (start, n) = decode(word & mask)
            if beats > self.head_beats:
                word = self._read(cmd)
            self.bursts["write"] += 1
            ok = self._allowed(start, n, "write", burst)
            if self.injector is not None:
                ok = await self._inject("write", ok)
            if ok:
                beats_word = word >> self.cmd_bits & ((1 << 72 * beats) - 1)   # later beats: an older burst's
                beat9 = bytearray(beats_word.to_bytes(9 * beats, "little"))     # 72 bits = 9 bytes a beat
                strb = int.from_bytes(beat9[8::9], "little")
                del beat9[8::9]                                                 # leaves the data
                self._apply(addr & ~(BEAT - 1), bytes(beat9), strb)
            await self._hold()
            toggle ^= 2
            resp.value = toggle | (0 if ok else 1)

    async def _hold(self) -> None:
        n = self.delay() if self.delay else 0
        if n:
            await ClockCycles(self.clk, n)
    async def _inject(self, direction: str, ok: bool) -> bool:
        """The injector's fault for this burst (its fence hook ran in _allowed): a stall holds
        the answer (AR/R or AW/B wait with it), an error answers SLVERR."""
        for point in ("ar", "r", "aw", "w", "b"):
            await self.injector.stall(direction, point)
        return ok and not self.injector.error(direction)

    def _apply(self, base: int, raw: bytes, strb: int) -> None:
        """Write the strobed bytes of `raw` at `base`, one DRAM write per contiguous run (whole
        beats are taken at once: only a burst's first and last beats are usually partial)."""
        run = None
        for k in range(len(raw) // BEAT):
            lanes = strb >> (k * BEAT) & 0xFF
            if lanes == 0xFF:
                run = k * BEAT if run is None else run
                continue
            for j in range(BEAT):
                i = k * BEAT + j
                if lanes >> j & 1:
                    run = i if run is None else run
                elif run is not None:
                    self.hostmem._dev_write(base + run, raw[run:i])
                    run = None
        if run is not None:
            self.hostmem._dev_write(base + run, raw[run:])


def decode(cmd: int):
    """host_mem_bridge's request word -> (address, beats, AxBURST, (first byte, byte count))."""
    ar = SimpleNamespace(araddr=cmd & 0xFFFFFFFF, arlen=cmd >> 32 & 0xFF, arsize=cmd >> 40 & 0x7, arburst=cmd >> 43 & 0x3)
    return ar.araddr, ar.arlen + 1, ar.arburst, axi_burst_span(ar, "ar", BEAT)
