"""The benchmark's workloads (issue 7), one cocotb test each; `python -m tb.apps.bench` runs them.

Not collected by `make sim` (the regression collects tests/<group>/test_*.py only). Each test writes its
figures to build/bench/<sim>/<workload>.json; tb/apps/bench.py turns them into the table. What a
test measures in wall time is `time.perf_counter()` around the measured part only (no build, no
simulator start, no setup). Sizes come from the environment (tb/apps/bench.py sets them):
RINGNIC_BENCH_CYCLES (limit runs), RINGNIC_BENCH_FRAMES (NAPI burst, co-simulation).

Workloads:
  limit_<size>   toplevel ringnic_pair_bench: both NICs send to each other, HDL RAMs, doorbells,
                 no Python while it runs: what the simulator itself reaches for this design
  oneway_<size>  the same, A sends and B receives: TX and RX efficiency in simulated time
  napi           toplevel ringnic: a burst of 64-byte frames with NAPI on, then off
  cosim_<size>   toplevel ringnic_pair: the full co-simulation, both drivers (tb/harness/topology.py)
<size> is the frame on the wire in bytes, FCS included.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, Timer
from cocotbext.axi import AxiLiteBus, AxiLiteMaster, AxiResp

from pydriver.ringnic import desc, regs
from tb.harness.board import checked_test
from tb.tools.runner import BUILD, settings
from tb.harness.wakeups import Wakeups
from tb.harness.wakeups import per as wakeups_per

CLK_NS = settings()["design"]["clock_period_ns"]
PEAK_BYTES_PER_CYCLE = 8  # the 64-bit MAC-side stream

# ---- ringnic_pair_bench's memory map (each NIC has a RAM of its own, same layout in both)
RING_N = 256                      # the RTL's RING_N default; TDLEN = RDLEN = 16 * RING_N
TX_RING, RX_RING = 0x1000, 0x2000
TX_BUFS, TX_NBUF = 0x4000, 16     # TX descriptor i sends buffer i % TX_NBUF: they never change
RX_BUFS, BUF_SIZE = 0x10000, 2048  # one 2 KiB buffer per RX descriptor (RCTL.BSIZE = 2048)
MAC = {"a": "02:0a:35:00:00:01", "b": "02:0a:35:00:00:02"}  # ringnic_pair's MAC_A, MAC_B
HOST_COUNTERS = ("txd_fetch", "rxd_fetch", "tx_wb", "rx_wb", "rx_frames", "rx_bytes", "rx_errors")  # bench_host.v


def out_path(workload: str) -> Path:
    return BUILD / "bench" / os.environ.get("RINGNIC_SIM", "unknown") / f"{workload}.json"


def write_result(workload: str, fig: dict) -> None:
    p = out_path(workload)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps({"workload": workload, "sim": os.environ.get("RINGNIC_SIM"), **fig}, indent=1))


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class profiled:
    """With RINGNIC_BENCH_PROFILE=1, cProfile over the measured part (every Python callback the
    simulator makes meanwhile): build/bench/<sim>/<workload>.prof and the top 25 in .txt."""

    def __init__(self, workload: str):
        self.workload, self.prof = workload, None

    def __enter__(self):
        if os.environ.get("RINGNIC_BENCH_PROFILE") == "1":
            import cProfile
            self.prof = cProfile.Profile()
            self.prof.enable()
        return self

    def __exit__(self, *exc):
        if self.prof is not None:
            import io
            import pstats
            self.prof.disable()
            p = out_path(self.workload)
            p.parent.mkdir(parents=True, exist_ok=True)
            self.prof.dump_stats(str(p.with_suffix(".prof")))
            text = io.StringIO()
            pstats.Stats(self.prof, stream=text).sort_stats("tottime").print_stats(25)
            p.with_suffix(".txt").write_text(text.getvalue())
        return False


def udp_frame(size: int, src: str, dst: str, i: int) -> bytes:
    """An Ether/IPv4/UDP frame of `size` bytes on the wire: `size` - 4 bytes, the NIC adds the FCS."""
    from tb.harness.traffic import PORT_SRC, udp_frame as frame

    return frame(i, size - 4, dst, src, "10.213.0.1", "10.213.0.2", PORT_SRC)


# ================================================================ the no-Python limit
class BenchNic:
    """One NIC of ringnic_pair_bench: its register port (for setup only) and its RAM's words."""

    def __init__(self, dut, name: str):
        self.dut, self.name = dut, name
        self.host = getattr(dut, f"u_host_{name}")
        self.mem = self.host.u_ram.mem
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, f"{name}_s_axil"), dut.clk, dut.rst)

    def preload(self, addr: int, data: bytes) -> None:
        """Words into the RAM through handles (toolchain.md 12: a few us a word), zero-padded."""
        assert addr % 8 == 0
        data = data.ljust(-(-len(data) // 8) * 8, b"\0")
        for k in range(0, len(data), 8):
            self.mem[(addr + k) // 8].value = int.from_bytes(data[k:k + 8], "little")

    async def wr(self, reg: int, value: int) -> None:
        rv = await self.axil.write(reg, value.to_bytes(4, "little"))
        assert rv.resp == AxiResp.OKAY, f"NIC {self.name}: write {regs.register_name(reg)}: {rv.resp}"

    async def rd(self, reg: int) -> int:
        rv = await self.axil.read(reg, 4)
        assert rv.resp == AxiResp.OKAY, f"NIC {self.name}: read {regs.register_name(reg)}: {rv.resp}"
        return int.from_bytes(rv.data, "little")

    def counter(self, name: str) -> int:
        return int(getattr(self.host, name).value)

    def load_rings(self, size: int, peer: str) -> None:
        frames = [udp_frame(size, MAC[self.name], MAC[peer], i) for i in range(TX_NBUF)]
        for i, f in enumerate(frames):
            self.preload(TX_BUFS + i * BUF_SIZE, f)
        txd, rxd = bytearray(), bytearray()
        for i in range(RING_N):
            cmd = desc.TXD_CMD_EOP | desc.TXD_CMD_IFCS | desc.TXD_CMD_RS
            txd += desc.pack(desc.TXD_LAYOUT, buffer_addr=TX_BUFS + (i % TX_NBUF) * BUF_SIZE,
                             lower=len(frames[i % TX_NBUF]) | cmd)
            rxd += desc.pack(desc.RXD_LAYOUT, buffer_addr=RX_BUFS + i * BUF_SIZE)
        self.preload(TX_RING, bytes(txd))
        self.preload(RX_RING, bytes(rxd))

    async def program(self, tx: bool, rx: bool) -> None:
        """The rings empty (head = tail = 0), engines on, interrupts masked: the doorbell fills them."""
        await self.wr(regs.IMC, 0xFFFFFFFF)
        for reg, value in ((regs.TDBAL, TX_RING), (regs.TDLEN, desc.DESC_SIZE * RING_N), (regs.TDH, 0), (regs.TDT, 0),
                           (regs.RDBAL, RX_RING), (regs.RDLEN, desc.DESC_SIZE * RING_N), (regs.RDH, 0), (regs.RDT, 0)):
            await self.wr(reg, value)
        if tx:
            await self.wr(regs.TCTL, regs.TCTL_EN | regs.TCTL_PSP)
        if rx:  # BSIZE 0: 2048-byte buffers; the frames are addressed to this NIC's MAC
            await self.wr(regs.RCTL, regs.RCTL_EN | regs.RCTL_BAM)


async def limit(dut, workload: str, size: int, duplex: bool) -> None:
    """Both NICs on HDL RAMs with doorbells: once `bench_run` is high the simulator runs alone
    for RINGNIC_BENCH_CYCLES cycles; Python only awaits a Timer."""
    cycles = env_int("RINGNIC_BENCH_CYCLES", 200_000)
    warmup = env_int("RINGNIC_BENCH_WARMUP", 2_000)
    dut.rst.value = 1
    dut.bench_run.value = 0
    dut.ring_tx_base.value = TX_RING
    dut.ring_rx_base.value = RX_RING
    en = {"a_tx_en": 1, "a_rx_en": int(duplex), "b_tx_en": int(duplex), "b_rx_en": 1}
    for k, v in en.items():
        getattr(dut, k).value = v
    nics = {n: BenchNic(dut, n) for n in "ab"}
    # The C++ (GPI) clock on both simulators: cocotb's default on Icarus is a Python coroutine,
    # which would put Python in the loop twice a cycle. start_high=False: cocotbext-axi's idle
    # writes land before the first edge (toolchain.md 6).
    Clock(dut.clk, CLK_NS, unit="ns", impl="gpi").start(start_high=False)
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 2)
    t0 = time.perf_counter()
    for n, peer in (("a", "b"), ("b", "a")):
        nics[n].load_rings(size, peer)
    preload_s = time.perf_counter() - t0
    for n in "ab":
        await nics[n].program(tx=bool(en[f"{n}_tx_en"]), rx=bool(en[f"{n}_rx_en"]))
    await RisingEdge(dut.clk)

    def snapshot() -> tuple[int, dict, dict]:
        link = {k: {f: int(getattr(dut, f"cnt_{k}_{f}").value) for f in ("frames", "bytes", "stall")}
                for k in ("ab", "ba")}
        host = {n: {c: nics[n].counter(f"cnt_{c}") for c in HOST_COUNTERS} for n in "ab"}
        return int(dut.cnt_cycles.value), link, host

    # The window starts once the rings are past their first fill (warm-up), so the figures are
    # the steady state's whatever the run length; the counters are read through handles, the
    # simulator is not stopped.
    dut.bench_run.value = 1
    await Timer(warmup * CLK_NS, "ns")
    c0, link0, host0 = snapshot()
    with profiled(workload):
        t0 = time.perf_counter()
        await Timer(cycles * CLK_NS, "ns")
        wall = time.perf_counter() - t0
    c1, link1, host1 = snapshot()
    dut.bench_run.value = 0
    ran = c1 - c0
    link = {k: {f: link1[k][f] - link0[k][f] for f in link1[k]} for k in link1}
    host = {n: {c: host1[n][c] - host0[n][c] for c in host1[n]} for n in host1}

    await RisingEdge(dut.clk)
    while int(dut.bench_busy.value):  # the doorbells finish their last access
        await RisingEdge(dut.clk)
    await ClockCycles(dut.clk, 2)
    nic_regs = {n: {r: await nics[n].rd(getattr(regs, r)) for r in ("MPC", "RNTXERR", "RNRXERR")} for n in "ab"}
    assert not int(dut.bench_err.value), "a doorbell access failed or a RAM got a burst it cannot serve"
    for n in "ab":
        assert nic_regs[n]["RNTXERR"] == nic_regs[n]["RNRXERR"] == 0, f"NIC {n} stopped on an error: {nic_regs[n]}"
    assert link["ab"]["frames"] > 0 and host["b"]["rx_frames"] > 0, "no frame crossed from A to B"
    assert host["b"]["rx_errors"] == host["a"]["rx_errors"] == 0, "frames delivered with errors"

    frames = link["ab"]["frames"] + link["ba"]["frames"]
    fig = {
        "kind": "limit" if duplex else "oneway", "frame_bytes": size, "ring_descriptors": RING_N,
        "warmup_cycles": warmup, "cycles": ran, "sim_ns": ran * CLK_NS, "wall_s": wall, "preload_s": preload_s,
        "cycles_per_s": ran / wall, "frames": frames, "frames_per_s": frames / wall,
        "link": link, "host": host, "nic_regs": nic_regs,
        # A -> B: A's TX puts bytes on the link, B's RX hands them to its host.
        "tx_bytes_per_cycle": link["ab"]["bytes"] / ran,
        "rx_bytes_per_cycle": host["b"]["rx_bytes"] / ran,
        "tx_desc_fetches_per_frame": host["a"]["txd_fetch"] / max(1, link["ab"]["frames"]),
        "rx_desc_fetches_per_frame": host["b"]["rxd_fetch"] / max(1, host["b"]["rx_frames"]),
    }
    if duplex:
        fig["fd_bytes_per_cycle"] = (link["ab"]["bytes"] + link["ba"]["bytes"]) / ran
        fig["fd_rx_bytes_per_cycle"] = (host["a"]["rx_bytes"] + host["b"]["rx_bytes"]) / ran
    write_result(workload, fig)
    dut._log.info("%s: %s", workload, json.dumps(fig))


def _limit_test(size: int, duplex: bool):
    name = f"{'limit' if duplex else 'oneway'}_{size}"

    async def run(dut):
        await limit(dut, name, size, duplex)

    run.__name__ = run.__qualname__ = f"bench_{name}"
    run.__doc__ = f"{name}: {'both NICs send' if duplex else 'A sends, B receives'}, {size}-byte frames, no Python"
    return cocotb.test()(run)


bench_limit_64 = _limit_test(64, True)
bench_limit_512 = _limit_test(512, True)
bench_limit_1518 = _limit_test(1518, True)
bench_oneway_64 = _limit_test(64, False)
bench_oneway_512 = _limit_test(512, False)
bench_oneway_1518 = _limit_test(1518, False)


# ================================================================ NAPI
@checked_test()
async def bench_napi(dut):
    """napi: a burst of 64-byte frames (RINGNIC_BENCH_FRAMES, 10,000) with NAPI on, then off."""
    from pydriver.kernel.netdevice import dev_get_by_name, netdev_priv
    from tb.harness.traffic import burst, rx_frame, up

    n = env_int("RINGNIC_BENCH_FRAMES", 10_000)
    frames = [rx_frame(i, 60) for i in range(n)]
    b, _, adapter = await up(dut)
    on = await burst(b, adapter, frames)
    await b.rmmod()
    assert await b.modprobe(napi=0) == 0
    await b.ifup()
    off = await burst(b, netdev_priv(dev_get_by_name("eth0")), frames)
    for r in (on, off):
        assert r["delivered"] + r["missed"] + r["backlog_dropped"] == n, f"frames unaccounted for: {r}"
    fig = {"kind": "napi", "frame_bytes": 64, "napi_on": on, "napi_off": off,
           "wall_s": on["wall_s"] + off["wall_s"], "cycles": (on["sim_ns"] + off["sim_ns"]) / CLK_NS}
    write_result("napi", fig)
    dut._log.info("napi: %s", json.dumps(fig))


# ================================================================ the full co-simulation
async def cosim(dut, workload: str, size: int) -> None:
    """RINGNIC_BENCH_FRAMES frames each way at once between sn0 and sn1, through both drivers,
    both DMA directions and host memory with the cache and DMA-API debug checks on."""
    from pydriver.kernel.etherdevice import mac_str
    from tb.harness import topology
    from tb.harness.traffic import until

    n = env_int("RINGNIC_BENCH_FRAMES", 200)
    b, (sn0, sn1), _hosts = await topology.pair(dut)
    # The stack sides count frames (board.rx) and nothing more: no scapy host parses them, so
    # the figure is the driver model's and the NICs', not scapy's.
    for name in (sn0.name, sn1.name):
        b.rx_hooks.pop(name, None)
    m0, m1 = mac_str(sn0.dev_addr), mac_str(sn1.dev_addr)
    f01 = [udp_frame(size, m0, m1, i) for i in range(n)]
    f10 = [udp_frame(size, m1, m0, i) for i in range(n)]
    got0, got1 = len(b.rx.get(sn0.name, [])), len(b.rx.get(sn1.name, []))
    wake = Wakeups.install()
    with profiled(workload):
        ns0, t0, w0 = b.tb.now_ns(), time.perf_counter(), wake.snapshot()
        task = cocotb.start_soon(b.send(sn0, f01))
        await b.send(sn1, f10)
        await task
        await until(lambda: len(b.rx[sn1.name]) - got1 >= n and len(b.rx[sn0.name]) - got0 >= n,
                    lambda: f"{n} frames each way (sn1 got {len(b.rx[sn1.name]) - got1}, "
                            f"sn0 {len(b.rx[sn0.name]) - got0})", max(2_000_000, n * size * 20), 1_000)
        wall, sim_ns, woke = time.perf_counter() - t0, b.tb.now_ns() - ns0, wake.since(w0)
    assert b.rx[sn1.name][got1:got1 + n] == f01 and b.rx[sn0.name][got0:got0 + n] == f10, "frames lost or changed"
    cycles = sim_ns / CLK_NS
    fig = {"kind": "cosim", "frame_bytes": size, "frames": 2 * n, "cycles": cycles, "sim_ns": sim_ns, "wall_s": wall,
           "cycles_per_s": cycles / wall, "frames_per_s": 2 * n / wall,
           "pcap": os.environ.get("RINGNIC_PCAP", "1") != "0", "hostmem": os.environ.get("RINGNIC_HOSTMEM", "axiram"),
           **wakeups_per(woke, 2 * n, int(cycles))}
    write_result(workload, fig)
    dut._log.info("%s: %s", workload, json.dumps(fig))


def _cosim_test(size: int, prefix: str = "cosim"):
    name = f"{prefix}_{size}"

    async def run(dut):
        await cosim(dut, name, size)

    run.__name__ = run.__qualname__ = f"bench_{name}"
    run.__doc__ = f"{name}: frames each way between sn0 and sn1 through both drivers, {size}-byte frames"
    return checked_test()(run)


bench_cosim_64 = _cosim_test(64)
bench_cosim_512 = _cosim_test(512)
bench_cosim_1518 = _cosim_test(1518)
# The same on the HDL host-memory bridge (toplevel ringnic_pair_host: tb/apps/bench.py runs them with
# hostmem="hdl"); the test is the same, the topology adapts to the toplevel.
bench_cosim_hdl_64 = _cosim_test(64, "cosim_hdl")
bench_cosim_hdl_512 = _cosim_test(512, "cosim_hdl")
bench_cosim_hdl_1518 = _cosim_test(1518, "cosim_hdl")
