"""ringnic driver: module init/exit, the platform driver, probe and remove (e1000_main.c's role).

probe follows the seed driver (a Zynq platform NIC) step by step, with e1000's checks:
resources from the device tree, claim and map the register window, identify the device,
set the DMA mask, allocate the netdev, reset the NIC, pick a MAC, register. Every failure
unwinds what was done, in reverse, and returns a negative errno.
"""

from __future__ import annotations

from pydriver.kernel.dma import DMA_BIT_MASK, dma_set_mask_and_coherent
from pydriver.kernel.errno import EBUSY, ENODEV, ENOENT, ENOMEM
from pydriver.kernel.if_ether import ETH_FCS_LEN, ETH_HLEN, ETH_ZLEN
from pydriver.kernel.etherdevice import (alloc_etherdev, eth_hw_addr_random, eth_hw_addr_set, eth_validate_addr,
                                         is_valid_ether_addr)
from pydriver.kernel.netdevice import (
    NETIF_MSG_DRV,
    NETIF_MSG_LINK,
    NETIF_MSG_PROBE,
    SET_NETDEV_DEV,
    free_netdev,
    netdev_priv,
    netif_carrier_off,
    netif_msg_init,
    register_netdev,
    unregister_netdev,
)
from pydriver.kernel.of_net import of_get_mac_address
from pydriver.kernel.platform import (
    IORESOURCE_MEM,
    PlatformDriver,
    devm_ioremap,
    devm_request_mem_region,
    platform_driver_register,
    platform_driver_unregister,
    platform_get_drvdata,
    platform_get_irq,
    platform_get_resource,
    platform_set_drvdata,
    resource_size,
)
from pydriver.kernel.printk import dev_err, dev_warn, netif_dbg, netif_info, pr_info, pr_warn
from pydriver.kernel.napi import netif_napi_add_weight, netif_napi_del
from pydriver.kernel.netdevice import IFF_UNICAST_FLT, NETIF_F_HW_CSUM, NETIF_F_RXCSUM, NETIF_F_SG, NetDeviceOps
from pydriver.kernel.spinlock import spin_lock_init
from pydriver.kernel.timer import WorkStruct
from pydriver.ringnic import bugdemo, param
from pydriver.ringnic import netdev as netdev_ops
from pydriver.ringnic import regs, rx, tx
from pydriver.ringnic.ethtool import RINGNIC_ETHTOOL_OPS, ringnic_fix_features, ringnic_set_features
from pydriver.ringnic.watchdog import watchdog_init
from pydriver.ringnic.hw import RNID_VALUE, RNVER_MAJOR, RingnicHw

DRV_NAME, DRV_VERSION = param.DRV_NAME, param.DRV_VERSION
DRV_SUMMARY = "ringnic AXI ring-buffer NIC driver"
COMPATIBLE = "ringnic,ringnic-1.0"
DEFAULT_MSG_ENABLE = NETIF_MSG_DRV | NETIF_MSG_PROBE | NETIF_MSG_LINK  # as e1000
HZ = 1000
MAX_JUMBO_FRAME_SIZE = 0x3F00  # e1000's limit; ETH_HLEN + FCS come off it for max_mtu


class RingnicAdapter:
    """struct ringnic_adapter: netdev_priv() of a ringnic netdev."""

    def __init__(self):
        self.netdev = None
        self.pdev = None
        self.hw: RingnicHw | None = None
        self.msg_enable = 0
        self.irq = 0
        self.irq_requested = False
        self.down = True
        self.napi = None
        self.tx_ring = tx.TxRing(tx.TX_RING_DEFAULT)
        self.rx_ring = rx.RxRing(rx.RX_RING_DEFAULT)
        self.rx_buffer_len = 2048
        self.tctl = self.rctl = self.txd_cmd = 0
        self.tx_int_delay, self.tx_abs_int_delay = 8, 32  # e1000 defaults, 1.024 us units
        self.rx_int_delay, self.rx_abs_int_delay = 0, 8
        self.itr = self.itr_usecs = 0  # ITR (256 ns units) and the rx-usecs it came from
        self.ipv4_addr = 0  # IP4AT0, network byte order in bits 7:0 first (the seed's PADR0)
        self.watchdog_task, self.reset_task = WorkStruct(), WorkStruct()
        self.bugs = ()  # bug demo: no variant, the real driver
        self.hw_stats = {}
        self.engine_error_log = []  # (register, cause, descriptor) the reset task found
        self.stats_lock = spin_lock_init("stats_lock")
        for name in ("tx_packets", "tx_bytes", "tx_dropped", "restart_queue", "tdt_writes", "hw_csum_tx",
                     "tx_timeout_count", "rx_packets", "rx_bytes", "rx_dropped", "rx_errors", "rx_crc_errors",
                     "rx_frame_errors", "rx_over_errors", "rx_multicast", "alloc_rx_buff_failed", "hw_csum_good", "hw_csum_err",
                     "engine_errors", "tx_engine_errors", "link_changes", "interrupts", "polls"):
            setattr(self, name, 0)


    @property
    def bugs(self) -> bugdemo.Bugs:
        """Deliberately wrong variants switched on (pydriver/ringnic/bugdemo.py); empty is the real
        driver. Assigning names checks them: an unknown one raises ValueError naming the known."""
        return self._bugs

    @bugs.setter
    def bugs(self, names) -> None:
        self._bugs = bugdemo.Bugs(names)

RINGNIC_NETDEV_OPS = NetDeviceOps(
    ndo_open=netdev_ops.ringnic_open,
    ndo_stop=netdev_ops.ringnic_close,
    ndo_start_xmit=tx.ringnic_xmit_frame,
    ndo_tx_timeout=netdev_ops.ringnic_tx_timeout,
    ndo_get_stats64=netdev_ops.ringnic_get_stats64,
    ndo_validate_addr=eth_validate_addr,
    ndo_set_rx_mode=netdev_ops.ringnic_set_rx_mode,
    ndo_change_mtu=netdev_ops.ringnic_change_mtu,
    ndo_set_mac_address=netdev_ops.ringnic_set_mac,
    ndo_fix_features=ringnic_fix_features,
    ndo_set_features=ringnic_set_features,
)


async def ringnic_probe(pdev) -> int:
    dev = pdev.dev
    res = platform_get_resource(pdev, IORESOURCE_MEM, 0)
    if res is None:
        dev_err(dev, "no register window (reg) in the device tree")
        return -ENODEV
    irq = platform_get_irq(pdev, 0)
    if irq < 0:
        return irq  # platform_get_irq already said why
    if devm_request_mem_region(dev, res.start, resource_size(res), DRV_NAME) is None:
        dev_err(dev, f"cannot claim register window [mem {res.start:#010x}-{res.end:#010x}]")
        return -EBUSY
    hw_addr = devm_ioremap(dev, res.start, resource_size(res))
    if hw_addr is None:
        dev_err(dev, "ioremap failed")
        return -ENOMEM

    hw = RingnicHw(hw_addr)
    rnid, version, caps = await hw.identify()
    if rnid != RNID_VALUE:
        dev_err(dev, f"unknown device: ID {rnid:#010x} (expected {RNID_VALUE:#010x})")
        return -ENODEV
    if version[0] != RNVER_MAJOR:
        dev_err(dev, "unsupported register interface %d.%d.%d (driver speaks %d.x)" % (*version, RNVER_MAJOR))
        return -ENODEV

    addr_bits = hw.cap(regs.RNCAPS_ADDR_W)
    if dma_set_mask_and_coherent(dev, DMA_BIT_MASK(addr_bits)):
        dev_err(dev, "No usable DMA configuration, aborting")
        return -ENODEV

    netdev = alloc_etherdev(RingnicAdapter)
    if netdev is None:
        return -ENOMEM
    SET_NETDEV_DEV(netdev, dev)
    adapter = netdev_priv(netdev)
    adapter.netdev, adapter.pdev, adapter.hw, adapter.irq = netdev, pdev, hw, irq
    adapter.msg_enable = netif_msg_init(param.debug, DEFAULT_MSG_ENABLE)
    netdev.irq, netdev.base_addr = irq, res.start
    netdev.netdev_ops = RINGNIC_NETDEV_OPS
    netdev.ethtool_ops = RINGNIC_ETHTOOL_OPS
    # TX checksum (legacy IC/CSO/CSS), scatter-gather (a descriptor per fragment) and RX checksum
    # offload (RXCSUM; e1000_probe's NETIF_F_RXCSUM), all switchable with `ethtool -K`
    netdev.features = netdev.hw_features = NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_RXCSUM
    netdev.watchdog_timeo = 5 * HZ
    netdev.priv_flags |= IFF_UNICAST_FLT  # as e1000: set_rx_mode handles dev->uc itself
    if param.params["napi"]:  # else the pre-NAPI driver: no instance at all (e1000 without CONFIG_E1000_NAPI)
        adapter.napi = netif_napi_add_weight(netdev, None, netdev_ops.ringnic_poll, param.params["napi_weight"])
    adapter.rx_int_delay, adapter.rx_abs_int_delay = param.params["RxIntDelay"], param.params["RxAbsIntDelay"]
    adapter.tx_int_delay, adapter.tx_abs_int_delay = param.params["TxIntDelay"], param.params["TxAbsIntDelay"]
    netdev_ops.init_work(adapter)
    watchdog_init(adapter, param.params["watchdog_period"])
    adapter.ipv4_addr = param.ipaddr
    netdev.min_mtu = ETH_ZLEN - ETH_HLEN
    netdev.max_mtu = MAX_JUMBO_FRAME_SIZE - (ETH_HLEN + ETH_FCS_LEN)
    platform_set_drvdata(pdev, netdev)

    err = await _probe_hw(adapter)
    if not err:
        err = await register_netdev(netdev)
        if err:
            dev_err(dev, f"register_netdev failed: {err}")
    if err:
        if adapter.napi:
            netif_napi_del(adapter.napi)
        platform_set_drvdata(pdev, None)
        free_netdev(netdev)
        return err
    # "carrier off reporting is important to ethtool even BEFORE open" (e1000_probe)
    netif_carrier_off(netdev)

    netif_info(adapter, "probe", netdev,
               f"(AXI4:{8 << hw.cap(regs.RNCAPS_DMA_LOG2)}-bit) {_mac(netdev.dev_addr)}")
    netif_info(adapter, "probe", netdev,
               "ringnic %d.%d.%d at %#010x, irq %d, DMA mask %s" % (*version, res.start, irq, f"{addr_bits}-bit"))
    return 0


async def _probe_hw(adapter) -> int:
    """Reset the NIC into a known state and settle the station address."""
    hw, netdev, dev = adapter.hw, adapter.netdev, adapter.pdev.dev
    err = await hw.reset_hw()
    if err:
        dev_err(dev, "NIC reset did not complete (CTRL.RST stuck)")
        return err
    # "Explicitly disable IRQ since the NIC can be in any state" (e1000_sw_init)
    await hw.irq_disable()

    dt_mac = of_get_mac_address(dev.of_node)
    nic_mac = await hw.read_mac_addr()
    netif_dbg(adapter, "probe", netdev,
              f"MAC: device tree {_mac(dt_mac) if dt_mac else 'none'}, RAL0/RAH0 {_mac(nic_mac) if nic_mac else 'not valid'}")
    if dt_mac and is_valid_ether_addr(dt_mac):
        eth_hw_addr_set(netdev, dt_mac)  # the board's choice wins, as of_get_ethdev_address
        await hw.rar_set(dt_mac)
    elif nic_mac and is_valid_ether_addr(nic_mac):
        eth_hw_addr_set(netdev, nic_mac)
        hw.mac_addr = nic_mac
    else:
        eth_hw_addr_random(netdev)
        dev_warn(dev, f"Invalid MAC address {_mac(nic_mac) if nic_mac else '(none)'}, using random {_mac(netdev.dev_addr)}")
        await hw.rar_set(netdev.dev_addr)
    return 0


async def ringnic_remove(pdev) -> None:
    netdev = platform_get_drvdata(pdev)
    adapter = netdev_priv(netdev)
    await unregister_netdev(netdev)  # closes it first if it is up
    await adapter.hw.irq_disable()
    if adapter.napi:
        netif_napi_del(adapter.napi)
    platform_set_drvdata(pdev, None)
    free_netdev(netdev)
    # devres releases the register window and the mapping after this returns


ringnic_driver = PlatformDriver(
    name=DRV_NAME,
    of_match_table=[{"compatible": COMPATIBLE}],
    probe=ringnic_probe,
    remove=ringnic_remove,
)

async def ringnic_init_module(debug: int = -1, ipaddr: str = "", **params) -> int:
    """module_init: `modprobe ringnic [debug=N] [ipaddr=A.B.C.D] [napi=0] [napi_weight=N]
    [RxIntDelay=N] [RxAbsIntDelay=N] [TxIntDelay=N] [TxAbsIntDelay=N] [watchdog_period=N]` (param.py)."""
    unknown = param.parse(debug, ipaddr, **params)
    if unknown:  # load_module's parse_args: the module does not load
        pr_warn(f"{DRV_NAME}: Unknown parameter `{unknown[0]}'")
        return -ENOENT
    pr_info(f"{DRV_NAME}: {DRV_SUMMARY} - version {DRV_VERSION}")
    return await platform_driver_register(ringnic_driver)


async def ringnic_exit_module() -> None:
    """module_exit: `rmmod ringnic`."""
    await platform_driver_unregister(ringnic_driver)


def _mac(addr: bytes) -> str:
    return ":".join(f"{b:02x}" for b in addr)

