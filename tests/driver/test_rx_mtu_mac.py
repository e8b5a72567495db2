"""NAPI RX, MTU and station address, end to end: ndo_change_mtu (e1000_change_mtu) and
ndo_set_mac_address (e1000_set_mac) on a running interface, checked by the frames the NIC then
keeps, drops (ROC) or filters, every one accounted for in TPR = GPRC + the drops.

With RCTL.LPE the NIC takes frames up to 16384 bytes (FCS included), as the 8254x does: the
MTU itself is the driver's business (buffer size), not a hardware limit.
"""

from pydriver.kernel.errno import EADDRNOTAVAIL, EINVAL
from pydriver.kernel.etherdevice import ETH_FCS_LEN, ETH_HLEN, mac_pton, mac_str
from pydriver.kernel.netdev_queue import dev_get_stats
from pydriver.kernel.netdevice import NET_ADDR_SET, dev_set_mac_address, dev_set_mtu
from pydriver.kernel.printk import dmesg
from pydriver.ringnic import regs, rx
from tb.harness.board import checked_test
from tb.harness.traffic import offer, rx_frame, until, up

LPE_MAX = 16384  # ringnic_rx MAX_FRAME: the longest frame with RCTL.LPE, FCS included
BSIZE_MASK = regs.RCTL_BSIZE | regs.RCTL_BSEX


async def set_mtu(ndev, mtu: int) -> None:
    """`ip link set eth0 mtu N` on a running interface: 0, then the link back after the reinit."""
    ups = ndev.carrier_up_count
    assert await dev_set_mtu(ndev, mtu) == 0 and ndev.mtu == mtu
    await until(lambda: ndev.carrier_up_count > ups, f"the link back after the change to MTU {mtu}")


def frame_of(i: int, on_wire: int) -> bytes:
    """A frame that is `on_wire` bytes long with its FCS."""
    return rx_frame(i, size=on_wire - ETH_FCS_LEN)


@checked_test()
async def test_rx_mtu_jumbo(dut):
    """MTU 9000 while up: RCTL.LPE, 4 KiB buffers; a 9000-byte-payload frame (9018 bytes) arrives
    intact over three descriptors; one longer than 16384 bytes is dropped and counted (ROC)."""
    b, ndev, adapter = await up(dut)
    await set_mtu(ndev, 9000)
    assert adapter.rx_buffer_len == 4096
    r = await b.tb.read32(regs.RCTL)
    assert r & regs.RCTL_LPE and r & regs.RCTL_EN and r & BSIZE_MASK == rx.rctl_bsize(4096)
    assert any(line.endswith("eth0: changing MTU from 1500 to 9000") for line in dmesg())
    jumbo = frame_of(1, 9000 + ETH_HLEN + ETH_FCS_LEN)
    ring, rdh0 = adapter.rx_ring, await b.tb.read32(regs.RDH)
    ntc0 = ring.next_to_clean
    d = await offer(b, ndev, [jumbo, frame_of(2, LPE_MAX + 1)], [jumbo])
    assert d["ROC"] == 1 and d["TPR"] == d["GPRC"] + d["ROC"]
    descs = -(-(len(jumbo) + ETH_FCS_LEN) // 4096) + 1  # three for the jumbo, one for the closing frame
    await until(lambda: (ring.next_to_clean - ntc0) % ring.count == descs, f"{descs} descriptors cleaned")
    assert (await b.tb.read32(regs.RDH) - rdh0) % ring.count == descs
    st = dev_get_stats(ndev)
    assert (st.rx_length_errors, st.rx_errors, st.rx_dropped) == (1, 1, 0)


@checked_test()
async def test_rx_mtu_range_and_back(dut):
    """An MTU outside [min_mtu, max_mtu] is -EINVAL and changes nothing; at 9000 a 1600-byte
    frame is delivered, back at 1500 it is over-long (ROC) while a 1518-byte one still arrives."""
    b, ndev, adapter = await up(dut)
    rctl0, downs = await b.tb.read32(regs.RCTL), ndev.carrier_down_count
    for bad in (ndev.min_mtu - 1, ndev.max_mtu + 1):
        assert await dev_set_mtu(ndev, bad) == -EINVAL
    assert (ndev.mtu, adapter.rx_buffer_len, ndev.carrier_down_count) == (1500, 2048, downs)
    assert await b.tb.read32(regs.RCTL) == rctl0
    f1600, f1518 = frame_of(1, 1600), frame_of(2, 1518)
    await set_mtu(ndev, 9000)
    await offer(b, ndev, [f1600], [f1600])
    await set_mtu(ndev, 1500)
    r = await b.tb.read32(regs.RCTL)
    assert not r & regs.RCTL_LPE and r & BSIZE_MASK == rx.rctl_bsize(2048) and adapter.rx_buffer_len == 2048
    d = await offer(b, ndev, [f1600, f1518], [f1518])
    assert d["ROC"] == 1 and d["TPR"] == d["GPRC"] + d["ROC"]
    st = dev_get_stats(ndev)
    assert (st.rx_length_errors, st.rx_errors) == (1, 1)


@checked_test()
async def test_rx_mac_address_change(dut):
    """dev_set_mac_address while up: RAR0 reprogrammed without a reset, frames to the new address
    in and to the old one filtered (also after a reinit); a multicast, zero or broadcast address
    is -EADDRNOTAVAIL and changes nothing."""
    b, ndev, adapter = await up(dut)
    old, new = ndev.dev_addr, mac_pton("02:0a:35:00:00:42")
    downs = ndev.carrier_down_count
    assert await dev_set_mac_address(ndev, new) == 0
    assert ndev.dev_addr == new and ndev.addr_assign_type == NET_ADDR_SET
    ral, rah = int.from_bytes(new[:4], "little"), int.from_bytes(new[4:], "little") | regs.RAH0_AV
    assert (await b.tb.read32(regs.RAL0), await b.tb.read32(regs.RAH0)) == (ral, rah)
    assert ndev.carrier_down_count == downs, "the address change reset the NIC"
    to_new, to_old = rx_frame(1, dst=mac_str(new)), rx_frame(2, dst=mac_str(old))
    await offer(b, ndev, [to_old, to_new], [to_new])
    for bad in ("01:00:5e:00:00:01", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        assert await dev_set_mac_address(ndev, mac_pton(bad)) == -EADDRNOTAVAIL, bad
    assert ndev.dev_addr == new
    assert (await b.tb.read32(regs.RAL0), await b.tb.read32(regs.RAH0)) == (ral, rah)
    await set_mtu(ndev, 1400)  # down (CTRL.RST reloads RAR0 from the NIC's default) and up
    d = await offer(b, ndev, [to_old, to_new], [to_new])
    assert d["TPR"] - d["GPRC"] == 1  # the frame to the old address, filtered
    st = dev_get_stats(ndev)
    assert (st.rx_errors, st.rx_dropped) == (0, 0)
