"""Driver path 1, probe: `modprobe ringnic` binds the NIC described by the device tree.

The driver sees only MMIO and the device tree; these tests check what it made of them against
the RTL's own registers, and that every failure unwinds cleanly with the kernel's errno.
"""

import cocotb

from pydriver.kernel import platform
from pydriver.kernel.errno import EBUSY, ENODEV, ENXIO, KernelBug
from pydriver.kernel.netdevice import IFF_LOOPBACK, NET_ADDR_PERM, NETREG_REGISTERED, dev_get_by_name, for_each_netdev, netdev_priv
from pydriver.kernel.printk import dmesg
from pydriver.ringnic import regs
from pydriver.ringnic.main import ringnic_driver
from tb.harness.board import BRAM_BASE, Board, checked_test
from tb.harness.ringnic_tb import AxiError, RingnicTB

NIC_BASE, NIC_SIZE = 0x43C00000, 0x20000
RTL_MAC = bytes.fromhex("020a35000001")  # rtl/ringnic.v MAC_ADDR default


async def board(dut, overlay: str = "") -> Board:
    b = Board(await RingnicTB.create(dut))
    await b.boot(overlay)
    return b


async def rtl_mac(tb) -> bytes:
    ral, rah = await tb.read32(regs.RAL0), await tb.read32(regs.RAH0)
    assert rah & regs.RAH0_AV, "RAH0.AV clear"
    return ral.to_bytes(4, "little") + (rah & 0xFFFF).to_bytes(2, "little")


def region_free() -> bool:
    """True if nobody holds the NIC's register window (claims and releases it to check)."""
    res = platform.request_mem_region(NIC_BASE, NIC_SIZE, "probe-test")
    if res is None:
        return False
    platform.release_mem_region(NIC_BASE, NIC_SIZE)
    return True


def netdevs() -> list:
    """Registered netdevs other than the loopback device every kernel has."""
    return [d for d in for_each_netdev() if not d.flags & IFF_LOOPBACK]


@checked_test()
async def test_probe_binds_from_device_tree(dut):
    """modprobe: eth0 with the RTL's MAC, ether_setup defaults and the DT's window and IRQ."""
    b = await board(dut)
    assert await b.modprobe() == 0
    ndev = dev_get_by_name("eth0")
    assert ndev is not None and ndev.reg_state == NETREG_REGISTERED
    assert ndev.dev_addr == await rtl_mac(b.tb) == RTL_MAC
    assert ndev.addr_assign_type == NET_ADDR_PERM
    assert (ndev.mtu, ndev.tx_queue_len, ndev.addr_len) == (1500, 1000, 6)
    assert ndev.broadcast == b"\xff" * 6
    assert (ndev.min_mtu, ndev.max_mtu) == (46, 0x3F00 - 18)
    assert ndev.base_addr == NIC_BASE
    pdev = b.pdev()
    assert ndev.irq == platform.platform_get_irq(pdev, 0) > 0
    assert pdev.dev.driver is ringnic_driver and platform.platform_get_drvdata(pdev) is ndev
    assert pdev.dev.dma_mask == pdev.dev.coherent_dma_mask == (1 << 32) - 1
    assert not region_free(), "the register window is not claimed"
    # The NIC was reset and left with every interrupt masked.
    assert await b.tb.read32(regs.IMS) == 0 and b.tb.irq_level() == 0
    log = "\n".join(dmesg())
    assert "ringnic 43c00000.ethernet eth0: (AXI4:64-bit) 02:0a:35:00:00:01" in log


@checked_test()
async def test_probe_ignores_other_compatible(dut):
    """A node for another device is not ours: no bind, no netdev, not one AXI-Lite access."""
    b = await board(dut, '&ringnic0 { compatible = "acme,other-nic"; };')
    accesses = count_axil(b.tb)
    assert await b.modprobe() == 0
    assert netdevs() == [] and all(d.dev.driver is None for d in platform.platform_devices())
    assert accesses() == 0


@checked_test()
async def test_probe_rejects_wrong_id(dut):
    """reg pointing at another peripheral (an AXI BRAM): -ENODEV, dev_err, nothing left behind."""
    b = await board(dut, f"&ringnic0 {{ reg = <{BRAM_BASE:#x} 0x20000>; }};")
    assert await b.modprobe() == 0  # module loads; the device just does not bind
    assert netdevs() == []
    assert any("unknown device: ID 0x00000000 (expected 0x52494e43)" in line for line in dmesg())
    assert any(f"probe with driver ringnic rejects match -{ENODEV}" in line for line in dmesg())
    assert platform.request_mem_region(BRAM_BASE, 0x20000, "check") is not None  # devres released it


@checked_test()
async def test_probe_rejects_unknown_version(dut):
    """Right ID, unknown interface major version: -ENODEV with the versions named."""
    b = await board(dut, f"&ringnic0 {{ reg = <{BRAM_BASE:#x} 0x20000>; }};")
    await b.bram.writel(regs.RNID_RESET, regs.RNID)
    await b.bram.writel(0x00020000, regs.RNVER)
    assert await b.modprobe() == 0 and netdevs() == []
    assert any("unsupported register interface 2.0.0 (driver speaks 1.x)" in line for line in dmesg())


@checked_test()
async def test_probe_busy_region(dut):
    """Someone already holds the window: -EBUSY, and their claim is untouched."""
    b = await board(dut)
    assert platform.request_mem_region(NIC_BASE, NIC_SIZE, "uio_pdrv_genirq") is not None
    assert await b.modprobe() == 0 and netdevs() == []
    assert any(f"failed with error -{EBUSY}" in line for line in dmesg())
    assert not region_free()


@checked_test()
async def test_probe_missing_irq(dut):
    """No `interrupts` in the node: platform_get_irq says so, probe returns -ENXIO."""
    b = await board(dut, "&ringnic0 { /delete-property/ interrupts; };")
    assert await b.modprobe() == 0 and netdevs() == []
    log = "\n".join(dmesg())
    assert "IRQ index 0 not found" in log and f"rejects match -{ENXIO}" in log
    assert region_free()


@checked_test()
async def test_probe_device_tree_mac_wins(dut):
    """local-mac-address in the DT is used and programmed into RAL0/RAH0."""
    b = await board(dut, "&ringnic0 { local-mac-address = [02 00 5e 10 20 30]; };")
    assert await b.modprobe() == 0
    mac = bytes.fromhex("02005e102030")
    assert dev_get_by_name("eth0").dev_addr == mac == await rtl_mac(b.tb)


@checked_test()
async def test_probe_remove_then_probe_again(dut):
    """rmmod unregisters and frees; modprobe again gets eth0 back with a new ifindex."""
    b = await board(dut)
    assert await b.modprobe() == 0
    first = dev_get_by_name("eth0")
    await b.rmmod()
    assert netdevs() == [] and region_free() and b.pdev().dev.driver is None
    assert await b.modprobe() == 0
    again = dev_get_by_name("eth0")
    assert again is not first and again.ifindex > first.ifindex
    assert again.dev_addr == RTL_MAC


@checked_test()
async def test_probe_second_remove_is_an_error(dut):
    """Unbinding an unbound device is refused with the rule named, never a crash."""
    b = await board(dut)
    assert await b.modprobe() == 0
    await platform.device_release_driver(b.pdev())
    try:
        await platform.device_release_driver(b.pdev())
    except KernelBug as exc:
        bug = exc
    else:
        raise AssertionError("second remove was accepted")
    assert "not bound" in str(bug)
    assert b.take_bugs() == [bug]  # recorded once, and consumed here
    assert netdevs() == []


@checked_test()
async def test_probe_msg_enable_levels(dut):
    """debug=0 silences the driver's netif messages; debug=16 adds its debug lines."""
    b = await board(dut)
    assert await b.modprobe(debug=0) == 0
    assert not [line for line in dmesg() if "eth0:" in line]
    assert netdev_priv(dev_get_by_name("eth0")).msg_enable == 0
    await b.rmmod()
    assert await b.modprobe(debug=16) == 0
    # Before register_netdev the name is not settled: Linux prints "(unnamed net_device)".
    assert any("(unnamed net_device) (uninitialized): MAC: device tree none, RAL0/RAH0 02:0a:35:00:00:01" in line
               for line in dmesg())


@checked_test()
async def test_probe_mmio_error_names_the_register(dut):
    """An AXI error response on a driver access raises, naming register and offset."""
    b = await board(dut)
    assert await b.modprobe() == 0
    hw = netdev_priv(dev_get_by_name("eth0")).hw
    try:
        await hw.er32(0x00004)
    except AxiError as exc:
        assert str(exc) == "read unmapped (0x00004): SLVERR"
    else:
        raise AssertionError("SLVERR was not reported")


def count_axil(tb):
    """Count AXI-Lite handshakes from now on (the harness may watch signals; the driver may not)."""
    from cocotb.triggers import RisingEdge

    n = [0]

    async def watch():
        while True:
            await RisingEdge(tb.dut.clk)
            d = tb.dut
            n[0] += int(d.s_axil_arvalid.value) & int(d.s_axil_arready.value)
            n[0] += int(d.s_axil_awvalid.value) & int(d.s_axil_awready.value)

    cocotb.start_soon(watch())
    return lambda: n[0]
