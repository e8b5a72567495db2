"""Link state and the periodic watchdog with one NIC and the scapy peer on its wire (driver path:
link). The peer's PHY drops and regains the link; the watchdog (e1000's 2 s e1000_watchdog,
shortened here with the `watchdog_period` module parameter so no test simulates seconds) folds
the NIC's read-to-clear counters into `ip -s link` on its own, and a TXE is in tx_errors.
"""

import cocotb
from cocotb.triggers import Timer

from pydriver.kernel.netdev_queue import dev_get_stats, netdev_get_tx_queue
from pydriver.kernel.netdevice import ip_link_show, netdev_priv, netif_carrier_ok
from pydriver.kernel.printk import dmesg
from pydriver.kernel.timer import jiffies, timer_pending
from pydriver.ringnic import regs
from tb.harness.board import checked_test
from tb.harness.topology import PEER_IP, SN0_IP, single
from tb.harness.traffic import rx_frame, until, wire, wire_idle


@checked_test()
async def test_link_wire_peer_drops_link(dut):
    """The peer's link goes: carrier off, "NIC Link is Down", NO-CARRIER, both sides hold what they
    send; it comes back: "NIC Link is Up", every held datagram arrives, in order; the watchdog
    re-arms every 2 s (e1000's period) meanwhile."""
    b, eth0, host, peer = await single(dut)
    adapter = netdev_priv(eth0)
    assert adapter.watchdog_period == 2000 and timer_pending(adapter.watchdog_timer)
    assert 1900 < adapter.watchdog_timer.expires - jiffies() <= 2000
    await host.resolve(PEER_IP)
    seen = len(dmesg())
    peer.set_link(False)
    await until(lambda: not netif_carrier_ok(eth0), "carrier off", 50_000)
    assert any("eth0: NIC Link is Down" in m for m in dmesg()[seen:])
    assert "NO-CARRIER" in ip_link_show(eth0) and "state DOWN" in ip_link_show(eth0)
    out = [bytes([i]) * 30 for i in range(3)]
    back = [bytes([0x40 + i]) * 30 for i in range(2)]
    await host.send([host.udp_datagram(PEER_IP, 4000, 9, p) for p in out])
    assert len(netdev_get_tx_queue(eth0).qdisc) == 3, "held in the qdisc while the queue is stopped"
    sender = cocotb.start_soon(peer.send([peer.udp_datagram(SN0_IP, 9, 4001, p) for p in back]))
    await Timer(20, "us")
    assert peer.udp[9] == [] and host.udp[4001] == [], "a datagram crossed a link that is down"
    seen = len(dmesg())
    peer.set_link(True)
    await until(lambda: netif_carrier_ok(eth0), "carrier on", 50_000)
    assert any("eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None" in m for m in dmesg()[seen:])
    await until(lambda: peer.udp[9] == out and host.udp[4001] == back, "the held datagrams, both ways", 200_000)
    await sender
    assert peer.bad_fcs == 0 and adapter.link_changes == 3


@checked_test()
async def test_link_watchdog_folds_counters(dut):
    """With a 1-jiffy period the watchdog folds CRCERRS into rx_crc_errors with no one asking, and
    an engine stop (TXE, set here through ICS) is counted in tx_errors."""
    b, eth0, host, peer = await single(dut, watchdog_period=1)
    adapter = netdev_priv(eth0)
    assert adapter.watchdog_period == 1
    await wire(b, [rx_frame(1)], bad_fcs=True)
    await wire_idle(b)
    assert dev_get_stats(eth0).rx_crc_errors == 0, "folded before any watchdog ran"
    t0 = jiffies()
    await until(lambda: dev_get_stats(eth0).rx_crc_errors == 1, "the watchdog's fold", 3_000_000, 20_000)
    assert jiffies() - t0 <= 2
    await b.tb.write32(regs.ICS, regs.ICS_TXE)
    await until(lambda: dev_get_stats(eth0).tx_errors == 1, "TXE in tx_errors", 100_000)
    await until(lambda: netif_carrier_ok(eth0) and not adapter.down, "the reset's way back up", 200_000)
    assert None not in await host.ping(PEER_IP, count=2)
