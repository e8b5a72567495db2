"""The driver's RX-mode hook against a recording register file: e1000_hash_mc_addr's four
RCTL.MO layouts, and what ringnic_set_rx_mode writes (RCTL's other bits kept, every MTA
register rewritten from the top)."""

import asyncio

import pytest

from pydriver.kernel import boot
from pydriver.kernel.dev_addr_lists import dev_mc_add, dev_uc_add
from pydriver.kernel.etherdevice import alloc_etherdev
from pydriver.kernel.netdevice import IFF_ALLMULTI, IFF_PROMISC, netdev_priv
from pydriver.ringnic import regs, rx
from pydriver.ringnic.hw import RingnicHw
from pydriver.ringnic.main import RingnicAdapter
from pydriver.ringnic.netdev import MTA_REG_COUNT, ringnic_set_rx_mode

KEEP = regs.RCTL_BAM | regs.RCTL_LPE | regs.RCTL_SECRC | rx.rctl_bsize(4096)


class RecordingHw(RingnicHw):
    def __init__(self):
        super().__init__(None)
        self.writes = []

    async def ew32(self, reg: int, value: int) -> None:
        self.writes.append((reg, value))

    async def er32(self, reg: int) -> int:
        return 0


@pytest.fixture
def ndev():
    boot()
    ndev = alloc_etherdev(RingnicAdapter)
    adapter = netdev_priv(ndev)
    adapter.netdev, adapter.hw, adapter.rctl, adapter.down = ndev, RecordingHw(), KEEP, False
    return ndev


def set_rx_mode(ndev) -> tuple[int, list[int]]:
    """(the RCTL value written, the MTA values by index) of one ringnic_set_rx_mode."""
    hw = netdev_priv(ndev).hw
    hw.writes.clear()
    asyncio.run(ringnic_set_rx_mode(ndev))
    (reg, rctl), *mta = hw.writes[:1 + MTA_REG_COUNT]
    assert reg == regs.RCTL
    assert [r for r, _ in mta] == [regs.MTA + 4 * i for i in reversed(range(MTA_REG_COUNT))]  # top down
    return rctl, [v for _, v in reversed(mta)]


def test_hash_mc_addr_all_filter_types():
    hw = RingnicHw(None)
    addr = bytes.fromhex("01aa00123456")  # e1000_hash_mc_addr's own example; its comment says
    # 0x5D8 for MO 2, but its code (and bits 45:34 of the address) give 0x58D: a typo there
    for mo, want in enumerate((0x563, 0xAC6, 0x58D, 0x634)):
        hw.mc_filter_type = mo
        assert hw.hash_mc_addr(addr) == want, mo


def test_multicast_list_hashed_rctl_kept(ndev):
    mc1, mc2 = bytes.fromhex("01005e0000fb"), bytes.fromhex("333300000001")
    asyncio.run(dev_mc_add(ndev, mc1))  # not IFF_UP: only the list changes
    asyncio.run(dev_mc_add(ndev, mc2))
    rctl, mta = set_rx_mode(ndev)
    assert rctl == KEEP | regs.RCTL_EN
    assert netdev_priv(ndev).rctl == KEEP  # the driver's copy never holds EN
    want = [0] * MTA_REG_COUNT
    want[0xFB0 >> 5] |= 1 << (0xFB0 & 31)  # 01:00:5e:00:00:fb -> bits 47:36 = 0xfb0
    want[0x010 >> 5] |= 1 << (0x010 & 31)  # 33:33:00:00:00:01 -> 0x010
    assert mta == want


def test_flags_and_unicast_list(ndev):
    ndev.flags |= IFF_PROMISC
    assert set_rx_mode(ndev)[0] == KEEP | regs.RCTL_EN | regs.RCTL_UPE | regs.RCTL_MPE
    ndev.flags ^= IFF_PROMISC | IFF_ALLMULTI
    assert set_rx_mode(ndev)[0] == KEEP | regs.RCTL_EN | regs.RCTL_MPE
    ndev.flags &= ~IFF_ALLMULTI
    asyncio.run(dev_uc_add(ndev, bytes.fromhex("020000000077")))  # no RAR left: unicast promiscuous
    assert set_rx_mode(ndev)[0] == KEEP | regs.RCTL_EN | regs.RCTL_UPE
    netdev_priv(ndev).down = True  # from configure(): RX stays off until configure_rx
    rctl, mta = set_rx_mode(ndev)
    assert rctl == KEEP | regs.RCTL_UPE and mta == [0] * MTA_REG_COUNT
