"""The fast path to host memory: the Python side of tb/hdl/host_mem_bridge.v.

The NIC's DMA bursts are served by an HDL AXI slave at full beat rate; Python wakes once per
burst: it fences the burst against the live DMA mappings (HostMemory.fence, the same check the
cocotbext-axi path makes per AR/AW), then reads DRAM into the bridge's beat buffer in one signal
write, or applies the collected write beats with their strobes in one signal read. The CPU view
(cache, write buffer, DMA API) is untouched: DRAM stays in HostMemory, so everything the driver
and DMA-API debug see is the same as on the cocotbext-axi path, which stays selectable
(`make sim HOSTMEM=axiram`, the default for the regression; HOSTMEM=hdl picks this one).
"""

from __future__ import annotations

from types import SimpleNamespace

import cocotb
from cocotb.triggers import RisingEdge

from tb.hostmem import HostMemory, axi_burst_span

BEAT = 8           # bytes per beat of the 64-bit bus
INCR = 1


class BridgePort:
    """One host_mem_bridge (`<prefix>hm_*` signals of `dut`) serving `hostmem` for `owner`
    (an object whose `dma_dev` names the device whose mappings count, or None for any)."""

    FIELDS = ("addr", "len", "size", "burst")

    def __init__(self, dut, prefix: str, hostmem: HostMemory, owner=None):
        names = [f"{d}_{f}" for d in ("rd", "wr") for f in self.FIELDS + ("req", "data", "err", "ack")] + ["wr_strb"]
        self.sig = {n: getattr(dut, f"{prefix}hm_{n}") for n in names}  # looked up once: a lookup costs a read
        self.hostmem, self.owner = hostmem, owner
        self.bursts = {"read": 0, "write": 0}
        self.wr_bytes = len(self.sig["wr_data"]) // 8
        for name in ("rd_ack", "wr_ack", "rd_err", "wr_err", "rd_data"):
            self.sig[name].value = 0
        self._tasks = [cocotb.start_soon(self._reads()), cocotb.start_soon(self._writes())]

    def _span(self, ch: str):
        side = "rd" if ch == "ar" else "wr"
        fields = {f"{ch}{f}": int(self.sig[f"{side}_{f}"].value) for f in self.FIELDS}
        span = axi_burst_span(SimpleNamespace(**fields), ch, BEAT)
        return fields[f"{ch}addr"], fields[f"{ch}len"] + 1, fields[f"{ch}burst"], span

    def _allowed(self, addr: int, n: int, direction: str, burst: int) -> bool:
        ok = self.hostmem.fence(addr, n, direction, getattr(self.owner, "dma_dev", None))
        return burst == INCR and (ok or self.hostmem.fault_policy != "abort")

    async def _reads(self) -> None:
        req, data, err, ack = (self.sig[n] for n in ("rd_req", "rd_data", "rd_err", "rd_ack"))
        toggle = 0
        while True:
            await RisingEdge(req)
            addr, beats, burst, (start, n) = self._span("ar")
            self.bursts["read"] += 1
            ok = self._allowed(start, n, "read", burst)
            if ok:  # whole beats from the aligned address: lanes below `addr` are don't-care
                data.value = int.from_bytes(self.hostmem._dev_read(addr & ~(BEAT - 1), beats * BEAT), "little")
            err.value = 0 if ok else 1
            toggle ^= 1
            ack.value = toggle

    async def _writes(self) -> None:
        req, data, strb, err, ack = (self.sig[n] for n in ("wr_req", "wr_data", "wr_strb", "wr_err", "wr_ack"))
        toggle = 0
        while True:
            await RisingEdge(req)
            addr, beats, burst, (start, n) = self._span("aw")
            self.bursts["write"] += 1
            ok = self._allowed(start, n, "write", burst)
            if ok:
                raw = int(data.value).to_bytes(self.wr_bytes, "little")
                self._apply(addr & ~(BEAT - 1), raw[:beats * BEAT], int(strb.value))
            err.value = 0 if ok else 1
            toggle ^= 1
            ack.value = toggle

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
