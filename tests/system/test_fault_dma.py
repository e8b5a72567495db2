"""Fault injection on the NIC's DMA (issue 12, item 4), through the real driver and the RTL.

tb/harness/dma_faults.py answers a chosen burst of one channel (TX descriptor fetch, TX payload read, TX
write-back, RX descriptor fetch, RX payload write, RX write-back) with SLVERR or DECERR, holds
it for hundreds to thousands of cycles, or has the host-memory fence refuse it. Properties,
after each fault:
  * no hang: the fault fires within a bounded number of frames, the ring that failed stops with
    ICR.TXE/RXE and its cause in RNTXERR/RNRXERR, the bus drains (no VALID left standing);
  * the error is visible: the driver's engine_errors counter (ethtool -S) and a kernel log line
    naming the cause the channel must give ("Tx engine stopped: DESC_READ at descriptor 5");
  * recovery: the reset task (e1000_reset_task's role) brings the interface back, and frames
    flow again both ways, intact; a stall is no error at all: the frame just arrives later;
  * nothing leaks: at rmmod no allocation made since boot is live and DMA-API debug is silent
    (checked_test), and every frame on the wire or at the stack is one that was sent, intact.
Each test is seeded (RINGNIC_SEED, printed) and writes its per-channel counts for `make fuzz`.
"""

import logging

from cocotb.triggers import Timer

from pydriver.kernel.errno import ENOMEM
from pydriver.kernel.fault_inject import fault_attr, fault_inject_off, setup_fault_attr
from pydriver.kernel.mm import mm_allocations
from pydriver.kernel.netdev_queue import netdev_get_tx_queue, netif_queue_stopped
from pydriver.kernel.netdevice import dev_close, dev_open, netif_carrier_ok
from pydriver.ringnic import regs
from tb.harness import fuzz
from tb.harness.board import checked_test
from tb.harness.dma_faults import CAUSE, CHANNELS, KINDS, REFUSED, STALL_POINTS, DmaFaultInjector, Fault, direction_of
from tb.harness.traffic import on_wire, rx_frame, tx_frame, until, up, wire

KEYS = tuple(f"fault_{ch}_{k}" for ch in CHANNELS for k in KINDS) + (
    "faults_injected", "engine_stops", "recoveries", "stalls_survived", "frames_checked", "hangs", "leaks")
AXI_VALIDS = ("m_axi_arvalid", "m_axi_rvalid", "m_axi_awvalid", "m_axi_wvalid", "m_axi_bvalid")
AXI_STATE = AXI_VALIDS + ("m_axi_arready", "m_axi_rready", "m_axi_awready", "m_axi_wready", "m_axi_bready",
                          "hm_rd_req", "hm_wr_req")


def bus_state(dut) -> str:
    """The DMA port's handshake signals, for a timeout's message."""
    return " ".join(f"{s[6:] if s.startswith('m_axi_') else s}={dut.__getattr__(s).value}"
                    for s in AXI_STATE if hasattr(dut, s))


class Rig:
    """A board with eth0 up, the injector on its DMA port, and the frames that crossed it."""

    def __init__(self, b, ndev, adapter, run):
        self.b, self.ndev, self.adapter, self.run = b, ndev, adapter, run
        # cocotbext-axi warns once per failed beat: thousands of lines for nothing
        logging.getLogger(f"cocotb.{b.tb.dut._name}.m_axi").setLevel(logging.ERROR)
        self.inj = DmaFaultInjector(b.tb, adapter)
        self.marker = max((a.seq for a in mm_allocations()), default=0)
        self.sent, self.wired, self.seen, self.n = set(), set(), set(), 0
        # The reset task logs the cause first, then goes down and up: recovery is judged after
        # it has finished (frames sent while it runs are dropped and counted, not lost).
        self.resets_done, reinit = 0, adapter.reset_task.func

        async def counted(work):
            await reinit(work)
            self.resets_done += 1
        adapter.reset_task.func = counted

    @classmethod
    async def create(cls, dut, run):
        b, ndev, adapter = await up(dut)
        b.hostmem.fault_policy = "abort"   # a refused burst ends in SLVERR (an IOMMU's abort)
        return cls(b, ndev, adapter, run)

    async def frame(self, side: str) -> bytes:
        """One frame sent (`side` "tx") or arriving on the wire ("rx"); returns it as the wire or
        the stack must show it."""
        self.n += 1
        size = self.run.rng.randrange(60, 1500)
        if side == "tx":
            f = tx_frame(self.n, size)
            self.sent.add(on_wire(f))
            await self.b.send(self.ndev, [f])
            return on_wire(f)
        f = rx_frame(self.n, size)
        self.wired.add(f)
        await wire(self.b, [f])
        return f

    def drain(self) -> set:
        """Every frame on the wire was sent, every frame at the stack was wired: intact. Returns
        what was seen, on either side."""
        seen = set()
        while not self.b.tb.wire_tx.empty():
            got = bytes(self.b.tb.wire_tx.recv_nowait().tdata)
            assert got in self.sent, f"a frame on the wire that was never sent ({len(got)} bytes)"
            seen.add(got)
        for f in self.b.received:
            assert f in self.wired, f"a frame at the stack that was never wired ({len(f)} bytes)"
            seen.add(f)
        self.run.counts["frames_checked"] += len(seen)
        self.b.received.clear()
        self.seen |= seen
        return seen

    async def idle_bus(self) -> None:
        """The bus drains: no VALID stays up once the traffic stopped."""
        dut = self.b.tb.dut
        sigs = [getattr(dut, s) for s in AXI_VALIDS if hasattr(dut, s)]
        await until(lambda: not any(int(s.value) for s in sigs), "the AXI bus to drain", 100_000)

    async def recover(self) -> None:
        """Frames flow again both ways: two sent reach the wire, two wired reach the stack."""
        a = self.adapter
        await until(lambda: not a.down and netif_carrier_ok(self.ndev), "the interface back up", 500_000)
        want = {await self.frame(side) for side in ("tx", "tx", "rx", "rx")}
        try:
            await self._flowing(want)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; NIC: {await self.diag()}") from None
        self.run.counts["recoveries"] += 1

    async def diag(self) -> str:
        """The rings' registers and the driver's view, for a hang's message."""
        tb, a = self.b.tb, self.adapter
        names = ("CTRL", "STATUS", "TCTL", "TDH", "TDT", "RCTL", "RDH", "RDT", "RNTXERR", "RNRXERR", "IMS")
        vals = {n: hex(await tb.read32(getattr(regs, n))) for n in names}
        return (f"{vals}; driver: down={a.down} tx ntu/ntc {a.tx_ring.next_to_use}/{a.tx_ring.next_to_clean} "
                f"rx ntu/ntc {a.rx_ring.next_to_use}/{a.rx_ring.next_to_clean} queue stopped "
                f"{netif_queue_stopped(self.ndev)} engine_errors {a.engine_errors}; txq "
                f"{ {k: v for k, v in vars(netdev_get_tx_queue(self.ndev, 0)).items() if k != 'dev'} }; "
                f"wire_rx queued {self.b.tb.wire_rx.count()} tready {self.b.tb.dut.s_axis_rx_tready.value}")

    async def _flowing(self, want: set) -> None:
        a = self.adapter
        await until(lambda: self.drain() is not None and want <= self.seen,
                    lambda: f"{len(want - self.seen)} of 4 frames after recovery (bus: "
                            f"{bus_state(self.b.tb.dut)}; bursts {dict(self.inj.bursts)})", 1_000_000)
        await until(lambda: a.tx_ring.next_to_clean == a.tx_ring.next_to_use, "TX reclaimed", 500_000)

    async def inject(self, fault: Fault) -> None:
        """Arm `fault`, drive frames until it fires, check the NIC's and the driver's answer."""
        a, c = self.adapter, self.run.counts
        errors0, logs0, resets0 = a.engine_errors, len(a.engine_error_log), self.resets_done
        self.inj.arm(fault)
        driven = set()
        for _ in range(48):
            if fault.fired:
                break
            driven.add(await self.frame(fault.channel[:2]))
            await Timer(2, "us")
        if not fault.fired:
            raise AssertionError(f"{fault}: the channel made no burst in 48 frames (bursts so far: "
                                 f"{dict(self.inj.bursts)}, tx ntu/ntc {self.adapter.tx_ring.next_to_use}/"
                                 f"{self.adapter.tx_ring.next_to_clean}, wire {len(self.seen)})")
        try:
            await self._answer(fault, driven, errors0, logs0, resets0)
        except AssertionError as exc:
            c["hangs"] += "timed out" in str(exc)
            raise

    async def _answer(self, fault: Fault, driven: set, errors0: int, logs0: int, resets0: int) -> None:
        a, c = self.adapter, self.run.counts
        c["faults_injected"] += 1
        c[f"fault_{fault.channel}_{fault.kind}"] += 1
        if fault.kind == "stall":
            await until(lambda: self.drain() is not None and driven <= self.seen,
                        f"{fault}: the frames held by the stall", 1_000_000)
            assert a.engine_errors == errors0, f"{fault}: a stall stopped the engine"
            c["stalls_survived"] += 1
        else:
            reg, cause = CAUSE[fault.channel]
            await until(lambda: len(a.engine_error_log) > logs0, f"{fault}: the reset task to report "
                        f"{reg} {cause}", 500_000)
            assert a.engine_errors > errors0
            got = [(r, n) for r, n, _ in a.engine_error_log[logs0:]]
            assert (reg, cause) in got, f"{fault}: the driver saw {got}, wanted {reg} {cause}"
            c["engine_stops"] += 1
            await until(lambda: self.resets_done > resets0, f"{fault}: the reset task to finish", 500_000)
            if fault.kind == "fence":
                faults = self.b.hostmem.take_iommu_faults()
                assert [f.reason for f in faults] == [REFUSED], [str(f) for f in faults]
        await self.recover()
        await self.idle_bus()

    async def finish(self) -> None:
        """rmmod, then nothing allocated since boot may be live (kmemleak's view)."""
        self.drain()
        await self.b.rmmod()
        leaks = [f"{x.kind} {x.size} at {x.site}" for x in mm_allocations() if x.seq > self.marker]
        self.run.counts["leaks"] += len(leaks)
        assert not leaks, f"leaked at rmmod: {leaks[:5]}"


async def matrix(dut, test: str, kinds: tuple) -> None:
    """Each channel once per kind (the kinds this host-memory model supports)."""
    with fuzz.Run(dut, test, KEYS) as run:
        rig = await Rig.create(dut, run)
        for kind in kinds:
            if not rig.inj.supports(kind):
                dut._log.info("%s: not injectable on the %s host memory, skipped", kind, rig.inj.model)
                continue
            for ch in CHANNELS:
                await rig.inject(random_fault(run.rng, ch, kind))
        await rig.finish()


def random_fault(rng, channel: str, kind: str) -> Fault:
    cycles = rng.randrange(200, 3000) if kind == "stall" else 0
    on = rng.choice(STALL_POINTS[direction_of(channel)]) if kind == "stall" else ""
    return Fault(channel, kind, nth=rng.randrange(1, 4), cycles=cycles, on=on)


@checked_test()
async def test_fault_dma_errors(dut):
    """SLVERR and DECERR (DECERR on the AxiRam model only) on every DMA channel."""
    await matrix(dut, "test_fault_dma_errors", ("slverr", "decerr"))


@checked_test()
async def test_fault_dma_stalls(dut):
    """A 200..3000-cycle stall on every channel, at a random point of its burst: no error."""
    await matrix(dut, "test_fault_dma_stalls", ("stall",))


@checked_test()
async def test_fault_fence_refuses_burst(dut):
    """The host-memory fence (an IOMMU under abort) refuses one burst of every channel."""
    await matrix(dut, "test_fault_fence_refuses_burst", ("fence",))


@checked_test(timeout_time=2, timeout_unit="sec")
async def test_fault_fuzz_dma(dut):
    """Random faults (channel, kind, burst ordinal, stall length and point), one after another on
    one board; RINGNIC_FUZZ_N_FAULTS of them (default 8)."""
    with fuzz.Run(dut, "test_fault_fuzz_dma", KEYS) as run:
        rig = await Rig.create(dut, run)
        kinds = [k for k in KINDS if rig.inj.supports(k)]
        for _ in range(fuzz.size(8, "faults")):
            await rig.inject(random_fault(run.rng, run.rng.choice(CHANNELS), run.rng.choice(kinds)))
        await rig.finish()


@checked_test()
async def test_fault_open_request_irq_failure_no_dma(dut):
    """Regression (found by the driver sweep): request_irq failing in open left RX enabled on
    the freed ring; a frame then arriving was written into freed memory (the fence's IOMMU
    fault). Now open resets the NIC first: nothing is written, and the next open works."""
    b, ndev, adapter = await up(dut)
    await dev_close(ndev)
    setup_fault_attr("failslab", require=("ringnic_open",), nth=1, times=0)
    assert await dev_open(ndev) == -ENOMEM
    assert fault_attr("failslab").failed, "request_irq was not reached"
    fault_inject_off()
    await wire(b, [rx_frame(1)])
    await Timer(20, "us")
    assert b.hostmem.take_iommu_faults() == [], "the NIC wrote into freed memory after a failed open"
    assert await dev_open(ndev) == 0
    await until(lambda: netif_carrier_ok(ndev), "carrier after the second open")
    await wire(b, [rx_frame(2)])
    await until(lambda: rx_frame(2) in b.received, "a frame after the second open")
    await b.rmmod()


@checked_test()
async def test_fault_alloc_xmit_and_rx_refill(dut):
    """The datapath's allocation sites on the RTL: a forced dma_mapping_error in xmit drops and
    counts the frame (tx_dropped, never on the wire); a failed skb allocation in the RX refill
    counts alloc_rx_buff_failed and a later poll fills the slot, frames keep arriving."""
    b, ndev, adapter = await up(dut)
    setup_fault_attr("fail_dma_map", require=("tx.py",), nth=1, times=0)
    await b.send(ndev, [tx_frame(1), tx_frame(2)])
    assert await b.wire_frames(1) == [on_wire(tx_frame(2))]
    assert adapter.tx_dropped == 1
    setup_fault_attr("failslab", require=("alloc_rx_buffers",), nth=1, times=0)
    frames = [rx_frame(i) for i in range(40)]
    await wire(b, frames)
    await until(lambda: len(b.received) == 40, "40 frames at the stack", 1_000_000)
    assert b.received == frames and adapter.alloc_rx_buff_failed == 1
    fault_inject_off()
    ring = adapter.rx_ring
    assert ring.unused() == 0, "the refill never came back for the failed slot"
    await b.rmmod()
