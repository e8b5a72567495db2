"""Every allocation and DMA-mapping call site the ringnic driver reaches in probe, open, xmit and
the RX refill, failed in turn (pydriver/kernel/fault_inject.py, as the kernel's failslab,
fail_page_alloc and a forced dma_mapping_error): the failure is handled where it happens --
probe and open return -ENOMEM with nothing of theirs left, xmit drops and counts in tx_dropped,
the refill counts alloc_rx_buff_failed and fills the ring on its next pass -- the interface
comes up after the fault, and at rmmod nothing is leaked (kmemleak's view: no allocation made
since boot is live; DMA-API debug: no report).

The NIC is a register file here (FakeNic: IDs, CTRL.RST self-clearing, the link up), so the
whole lifecycle runs in pure Python; tests/system/test_fault_dma.py runs the datapath on the RTL.
"""

import asyncio

import pytest

from pydriver.kernel import boot, of, platform
from pydriver.kernel.errno import ENOMEM
from pydriver.kernel.fault_inject import ATTRS, fault_attr, fault_inject_off, setup_fault_attr
from pydriver.kernel.mm import mm_allocations
from pydriver.kernel.netdevice import dev_close, dev_get_by_name, dev_open, netdev_priv
from pydriver.kernel.printk import dmesg
from pydriver.kernel.skbuff import skb_from_bytes
from pydriver.ringnic import main as ringnic
from pydriver.ringnic import regs
from pydriver.ringnic.tx import ringnic_xmit_frame
from pydriver.ringnic.rx import alloc_rx_buffers
from tb.harness import fuzz
from tb.harness.hostmem import HostMemory, install
from tb.tools.runner import ROOT

DRIVER = ("pydriver/ringnic/",)      # only the driver's call sites fail, never the harness's
PHASES = ("probe", "open", "xmit", "refill")
XMIT_FRAMES = 4


class FakeNic:
    """MMIO of a NIC that never moves data: what probe and open read back."""

    def __init__(self):
        self.r = {regs.RNID: regs.RNID_RESET, regs.RNVER: regs.RNVER_RESET, regs.RNCAPS: regs.RNCAPS_RESET,
                  regs.STATUS: regs.STATUS_LU}
        self.writes = []

    async def readl(self, off):
        return 0 if off == regs.ICR else self.r.get(off, 0)

    async def writel(self, value, off):
        self.writes.append((off, value))
        self.r[off] = value & ~regs.CTRL_RST if off == regs.CTRL else value
        if off == regs.CTRL and value & regs.CTRL_RST:
            self.r[regs.RCTL] = self.r[regs.TCTL] = 0

    def rx_dma_live(self) -> bool:
        return bool(self.r.get(regs.RCTL, 0) & regs.RCTL_EN)


def _boot():
    k = boot(seed=7)
    host = install(k, HostMemory(size=64 << 20))
    nic = FakeNic()
    root = of.of_fdt_unflatten(of.dtc_compile(ROOT / "sim" / "ringnic.dts"))
    platform.register_iomem_backend(0x43C00000, 0x20000, lambda start, n: nic)
    platform.of_platform_populate(root)
    return k, host, nic


async def lifecycle(record: dict | None = None, fail: tuple | None = None) -> dict:
    """modprobe, open, XMIT_FRAMES xmits, one refill pass after the ring was emptied, close, rmmod.
    `record`: {phase: {(attr, site): calls}}, filled; `fail`: (attr, site, nth) armed throughout."""
    k, host, nic = _boot()
    base = max((a.seq for a in mm_allocations()), default=0)
    for name in ATTRS:
        setup_fault_attr(name, require=DRIVER, times=0)
    if fail:
        setup_fault_attr(fail[0], require=(fail[1],), nth=fail[2], times=0)
    out = {"probe_rc": None, "open_rc": None, "tx_dropped": 0, "alloc_rx_buff_failed": 0}

    def mark(phase):
        if record is not None:
            seen = {(n, s): c for n in ATTRS for s, c in fault_attr(n).calls.items()}
            prev = {key: c for p in record.values() for key, c in p.items()}
            record[phase] = {key: c - prev.get(key, 0) for key, c in seen.items() if c > prev.get(key, 0)}

    assert await ringnic.ringnic_init_module() == 0
    ndev = dev_get_by_name("eth0")
    mark("probe")
    out["probe_rc"] = 0 if ndev is not None else -ENOMEM
    if ndev is not None:
        adapter = netdev_priv(ndev)
        out["open_rc"] = await dev_open(ndev)
        out["rx_dma_after_failed_open"] = out["open_rc"] != 0 and nic.rx_dma_live()
        if out["open_rc"]:
            fault_inject_off()                       # recovery: the next `ip link set up` works
            out["reopen_rc"] = await dev_open(ndev)
        mark("open")
        out["filled_at_open"] = sum(bi.skb is not None for bi in adapter.rx_ring.buffer_info)
        for i in range(XMIT_FRAMES):
            skb = skb_from_bytes(ndev, bytes([i]) * 300, frag_sizes=(100,) if i % 2 else ())
            await ringnic_xmit_frame(skb, ndev)
        out["tx_queued"] = adapter.tx_ring.next_to_use
        out["tx_dropped_xmit"] = adapter.tx_dropped
        mark("xmit")
        await refill_pass(adapter)
        out["filled_after_refill"] = sum(bi.skb is not None for bi in adapter.rx_ring.buffer_info)
        out["alloc_rx_buff_failed"] = adapter.alloc_rx_buff_failed
        await refill_pass(adapter, retry=True)
        out["filled_after_retry"] = sum(bi.skb is not None for bi in adapter.rx_ring.buffer_info)
        mark("refill")
        await dev_close(ndev)
        out["tx_dropped"] = adapter.tx_dropped
    await ringnic.ringnic_exit_module()
    out["leaks"] = [f"{a.kind} {a.size} at {a.site}" for a in mm_allocations() if a.seq > base]
    out["dma_reports"] = [str(r) for r in host.dma_debug_reports()]
    out["injected"] = [(n, s) for n in ATTRS for s in fault_attr(n).failed]
    out["dmesg"] = dmesg()
    return out


async def refill_pass(adapter, retry: bool = False) -> None:
    """What clean_rx_irq does after a poll took frames: give back 16 buffers (or, on `retry`,
    whatever is missing) through alloc_rx_buffers."""
    ring = adapter.rx_ring
    if not retry:
        from pydriver.kernel.dma import DMA_FROM_DEVICE, dma_unmap_single
        from pydriver.kernel.skbuff import dev_kfree_skb_any
        for _ in range(16):                              # as if 16 frames were delivered
            bi = ring.buffer_info[ring.next_to_clean]
            if bi.skb is None:
                break
            dma_unmap_single(adapter.pdev.dev, bi.dma, adapter.rx_buffer_len, DMA_FROM_DEVICE)
            dev_kfree_skb_any(bi.skb)
            bi.skb, bi.dma = None, 0
            ring.next_to_clean = (ring.next_to_clean + 1) % ring.count
    await alloc_rx_buffers(adapter, ring.unused())


def _sites():
    record = {}
    clean = asyncio.run(lifecycle(record))
    return clean, record


CLEAN, RECORD = _sites()


def _cases():
    """(phase, attr, site, nth) failing the first and the last call of each site in each phase;
    nth counts from boot, so a site an earlier phase reached too (the RX refill) is offset."""
    out, before = [], {}
    for phase in PHASES:
        for (attr, site), calls in sorted(RECORD[phase].items()):
            out += [(phase, attr, site, before.get((attr, site), 0) + k) for k in sorted({1, calls})]
        for key, calls in RECORD[phase].items():
            before[key] = before.get(key, 0) + calls
    return out


CASES = _cases()


HANDLED = {"driver_fault_sites": len({k for p in RECORD.values() for k in p}), "driver_faults_injected": 0,
           "driver_faults_handled": 0, "driver_leaks": 0}


@pytest.fixture(scope="module", autouse=True)
def report():
    """The sweep's counts for `make fuzz`'s report (tb/harness/fuzz.py merges build/fuzz/parts/)."""
    yield
    fuzz.record("test_fault_sweep_every_driver_site", "python", 0, {**HANDLED, "failures": len(CASES) - HANDLED[
        "driver_faults_handled"]})


def test_fault_sweep_clean_run_baseline():
    assert CLEAN["probe_rc"] == 0 and CLEAN["open_rc"] == 0
    assert CLEAN["leaks"] == [] and CLEAN["dma_reports"] == []
    assert CLEAN["tx_queued"] > 0 and CLEAN["tx_dropped_xmit"] == 0 and CLEAN["alloc_rx_buff_failed"] == 0
    assert CLEAN["filled_after_refill"] == CLEAN["filled_at_open"] == 255
    # every path named in the issue reaches at least one site of each kind it uses
    kinds = {p: {a for a, _ in RECORD[p]} for p in PHASES}
    assert {"failslab"} <= kinds["probe"]
    assert {"failslab", "fail_page_alloc", "fail_dma_map"} <= kinds["open"]
    assert {"fail_dma_map"} <= kinds["xmit"] and {"failslab", "fail_dma_map"} <= kinds["refill"]


def test_fault_open_request_irq_failure_stops_rx_dma():
    """Regression: open allocates and arms the RX ring (RCTL.EN, RDBAL) before request_irq; when
    request_irq failed, open freed the ring and its buffers but left the engine running on them
    (the next frame from the wire would be written into freed memory). e1000_open's error path
    resets the NIC (e1000_reset); so must ours."""
    site = next(s for a, s in RECORD["open"] if a == "failslab" and "ringnic_open" in s)
    out = asyncio.run(lifecycle(fail=("failslab", site, 1)))
    assert out["open_rc"] == -ENOMEM and out["reopen_rc"] == 0
    assert not out["rx_dma_after_failed_open"], "open failed but left the RX engine on freed memory"


@pytest.mark.parametrize("phase,attr,site,nth", CASES, ids=[f"{p}-{a}-{s.split(' in ')[0].split('/')[-1]}-{n}"
                                                               for p, a, s, n in CASES])
def test_fault_sweep_every_driver_site(phase, attr, site, nth):
    out = asyncio.run(lifecycle(fail=(attr, site, nth)))
    HANDLED["driver_faults_injected"] += len(out["injected"])
    HANDLED["driver_leaks"] += len(out["leaks"])
    assert out["injected"] == [(attr, site)], "the armed site did not fail exactly once"
    assert out["leaks"] == [], f"leaked at rmmod: {out['leaks']}"
    assert out["dma_reports"] == [], out["dma_reports"]
    assert not any("BUG" in line for line in out["dmesg"])
    if phase == "probe":
        assert out["probe_rc"] == -ENOMEM
        assert any("probe with driver ringnic failed with error -12" in line for line in out["dmesg"])
        HANDLED["driver_faults_handled"] += 1
        return
    assert out["probe_rc"] == 0
    if phase == "open" and out["open_rc"]:
        assert out["open_rc"] == -ENOMEM and out["reopen_rc"] == 0
        assert not out["rx_dma_after_failed_open"], "open failed but left the RX engine on freed memory"
    elif phase in ("open", "refill") and "alloc_rx_buffers" in site:
        assert out["alloc_rx_buff_failed"] == 1 and out["filled_after_retry"] == 255
    elif phase == "xmit":
        assert out["tx_dropped_xmit"] == 1 and out["tx_queued"] < CLEAN["tx_queued"]
    else:
        pytest.fail(f"{phase}: a failure at {site} had no visible effect")
    HANDLED["driver_faults_handled"] += 1
