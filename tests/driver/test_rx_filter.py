"""NAPI RX, the address filter, end to end: ndo_set_rx_mode (e1000_set_rx_mode) programs RCTL
and the MTA from the kernel's flags and address lists, and the NIC keeps exactly the frames the
filter admits.

Every frame on the wire is accounted for: the NIC counts each in TPR and the accepted ones in
GPRC; an accepted frame reaches the stack intact and in order, a filtered one vanishes without
an error count. A frame to our own address closes each batch, so "not delivered" is decided
without waiting on a timeout: the NIC handles frames in order.
"""

from pydriver.kernel.dev_addr_lists import dev_mc_add, dev_mc_del, dev_uc_add, dev_uc_del
from pydriver.kernel.etherdevice import mac_str
from pydriver.kernel.netdev_queue import dev_get_stats
from pydriver.kernel.netdevice import dev_set_allmulti, dev_set_mtu, dev_set_promiscuity, netif_carrier_ok
from pydriver.kernel.printk import dmesg
from pydriver.ringnic import regs
from tb.harness.board import checked_test
from tb.harness.ethframe import mta_hash
from tb.harness.traffic import PEER_MAC, offer, rx_frame, until, up

OTHER_MAC = "02:00:00:00:00:99"  # a third station on the segment
BCAST = "ff:ff:ff:ff:ff:ff"


def no_errors(ndev) -> None:
    st = dev_get_stats(ndev)
    assert (st.rx_errors, st.rx_dropped, st.rx_missed_errors) == (0, 0, 0), "a filtered frame counted as an error"


async def rctl(b) -> int:
    return await b.tb.read32(regs.RCTL)


@checked_test()
async def test_rx_filter_unicast_broadcast(dut):
    """Default filter: our unicast and broadcast (BAM) in; another station's unicast and an
    unlisted multicast filtered out, without an error."""
    b, ndev, _ = await up(dut)
    r = await rctl(b)
    assert r & regs.RCTL_BAM and not r & (regs.RCTL_UPE | regs.RCTL_MPE)
    ours, bcast = rx_frame(1), rx_frame(2, dst=BCAST)
    other, mcast = rx_frame(3, dst=OTHER_MAC), rx_frame(4, dst="01:00:5e:00:00:01")
    d = await offer(b, ndev, [ours, other, bcast, mcast], [ours, bcast])
    assert (d["BPRC"], d["MPRC"]) == (1, 0)
    no_errors(ndev)


@checked_test()
async def test_rx_filter_promiscuous(dut):
    """dev_set_promiscuity(+1): RCTL.UPE|MPE, another station's unicast and any multicast
    delivered; the last user leaving turns the filter back on."""
    b, ndev, _ = await up(dut)
    other, mcast = rx_frame(1, dst=OTHER_MAC), rx_frame(2, dst="01:00:5e:7f:00:09")
    assert await dev_set_promiscuity(ndev, 1) == 0
    assert await dev_set_promiscuity(ndev, 1) == 0  # a second user (tcpdump and a bridge)
    assert await rctl(b) & (regs.RCTL_UPE | regs.RCTL_MPE) == regs.RCTL_UPE | regs.RCTL_MPE
    await offer(b, ndev, [other, mcast], [other, mcast])
    assert await dev_set_promiscuity(ndev, -1) == 0
    await offer(b, ndev, [other], [other])  # one user left: still promiscuous
    assert await dev_set_promiscuity(ndev, -1) == 0
    r = await rctl(b)
    assert not r & (regs.RCTL_UPE | regs.RCTL_MPE) and r & regs.RCTL_EN
    await offer(b, ndev, [other, mcast], [])
    assert [line.split("] ", 1)[1] for line in dmesg() if "promiscuous" in line] == [
        "device eth0 entered promiscuous mode", "device eth0 left promiscuous mode"]
    no_errors(ndev)


@checked_test()
async def test_rx_filter_allmulti(dut):
    """dev_set_allmulti(+1): RCTL.MPE only: every multicast in, other stations' unicast still out."""
    b, ndev, _ = await up(dut)
    mc1, mc2 = rx_frame(1, dst="01:00:5e:00:00:fb"), rx_frame(2, dst="33:33:00:00:00:01")
    other = rx_frame(3, dst=OTHER_MAC)
    assert await dev_set_allmulti(ndev, 1) == 0
    assert await rctl(b) & (regs.RCTL_UPE | regs.RCTL_MPE) == regs.RCTL_MPE
    d = await offer(b, ndev, [mc1, other, mc2], [mc1, mc2])
    assert d["MPRC"] == 2 and dev_get_stats(ndev).multicast == 2
    assert await dev_set_allmulti(ndev, -1) == 0
    await offer(b, ndev, [mc1, mc2], [])
    no_errors(ndev)


@checked_test()
async def test_rx_filter_multicast_list(dut):
    """dev_mc_add: the address hashed into the MTA is delivered, one that hashes elsewhere is
    not; the filter survives a reinit (MTU change: down, reset, up); dev_mc_del empties it."""
    b, ndev, _ = await up(dut)
    mc_a = "01:00:5e:00:00:fb"  # mDNS
    h_a = mta_hash(mc_a)
    mc_b = next(a for a in (f"01:00:5e:00:{n:02x}:{m:02x}" for n in range(256) for m in (0x11, 0x22))
                if mta_hash(a) >> 5 != h_a >> 5)  # not even the same MTA word
    h_b = mta_hash(mc_b)
    fa, fb = rx_frame(1, dst=mc_a), rx_frame(2, dst=mc_b)
    assert await dev_mc_add(ndev, bytes.fromhex(mc_a.replace(":", ""))) == 0
    assert await b.tb.read32(regs.MTA + 4 * (h_a >> 5)) == 1 << (h_a & 31)
    assert await b.tb.read32(regs.MTA + 4 * (h_b >> 5)) == 0
    assert not await rctl(b) & regs.RCTL_MPE
    d = await offer(b, ndev, [fa, fb], [fa])
    assert d["MPRC"] == 1
    ups = ndev.carrier_up_count
    assert await dev_set_mtu(ndev, 1400) == 0  # down (CTRL.RST clears the MTA) and up
    await until(lambda: netif_carrier_ok(ndev) and ndev.carrier_up_count > ups, "the link back after the MTU change")
    await offer(b, ndev, [fb, fa], [fa])
    assert await dev_mc_del(ndev, bytes.fromhex(mc_a.replace(":", ""))) == 0
    assert await b.tb.read32(regs.MTA + 4 * (h_a >> 5)) == 0
    await offer(b, ndev, [fa, fb], [])
    no_errors(ndev)


@checked_test()
async def test_rx_filter_secondary_unicast(dut):
    """dev_uc_add: RAR0 holds the station address and there is no other, so the driver goes
    unicast-promiscuous (RCTL.UPE, not MPE), as e1000 does out of RAR entries; dev_uc_del ends it."""
    b, ndev, _ = await up(dut)
    extra = bytes.fromhex("020000000077")
    to_extra, other = rx_frame(1, dst=mac_str(extra)), rx_frame(2, dst=OTHER_MAC)
    assert await dev_uc_add(ndev, extra) == 0
    assert await rctl(b) & (regs.RCTL_UPE | regs.RCTL_MPE) == regs.RCTL_UPE
    await offer(b, ndev, [to_extra, other], [to_extra, other])
    assert await dev_uc_del(ndev, extra) == 0
    assert not await rctl(b) & regs.RCTL_UPE
    await offer(b, ndev, [to_extra, other, rx_frame(3, dst=PEER_MAC)], [])
    no_errors(ndev)
