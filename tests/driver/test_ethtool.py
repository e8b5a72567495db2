"""`ethtool` against the driver (driver path: ethtool), through tb/harness/ethtool.py and ethtool_ops only,
the way a user types it: -i, the link settings, -S, -g/-G (a resize while up: down, new rings,
up, traffic again), -c/-C onto ITR/RDTR/RADV/TIDV/TADV (read back with -d), -k/-K, -s msglvl, -r.
"""

import pytest

from pydriver.kernel.errno import EINVAL, EOPNOTSUPP
from pydriver.kernel.netdevice import NETIF_F_HW_CSUM, NETIF_F_SG, netif_carrier_ok
from pydriver.kernel.printk import dmesg
from tb.harness.board import checked_test
from tb.harness.ethtool import EthtoolError, ethtool, stats
from tb.harness.traffic import delivered, on_wire, rx_frame, tx_frame, until, up, wire


def dump(text: str) -> dict:
    """`ethtool -d` lines "0x00000: CTRL     0x00000041" as {name: value}."""
    out = {}
    for ln in text.splitlines()[2:]:
        _, name, val = ln.split()
        out[name] = int(val, 16)
    return out


@checked_test()
async def test_ethtool_info_link_and_stats(dut):
    """-i names the driver, its version, the register interface and the platform device; plain
    ethtool reports 1000/Full and the link; -S counts what was sent and received."""
    b, eth0, adapter = await up(dut)
    info = (await ethtool("-i eth0")).splitlines()
    assert info[:5] == ["driver: ringnic", "version: 0.1.0", "firmware-version: 1.0.0", "expansion-rom-version: ",
                        "bus-info: 43c00000.ethernet"]
    assert "supports-statistics: yes" in info and "supports-register-dump: yes" in info
    plain = await ethtool("eth0")
    for line in ("\tSpeed: 1000Mb/s", "\tDuplex: Full", "\tLink detected: yes",
                 "\tCurrent message level: 0x00000007 (7)", "\t\t\t       drv probe link"):
        assert line in plain.splitlines(), (line, plain)
    await b.send(eth0, [tx_frame(i) for i in range(3)])
    assert len(await b.wire_frames(3)) == 3
    await wire(b, [rx_frame(i) for i in range(2)])
    await delivered(b, 2)
    await until(lambda: adapter.tx_ring.next_to_clean == adapter.tx_ring.next_to_use, "TX reclaim")
    s = await stats(eth0)
    assert (s["tx_packets"], s["rx_packets"], s["rx_errors"], s["tx_errors"]) == (3, 2, 0, 0)
    text = await ethtool("-S eth0")
    assert text.splitlines()[0] == "NIC statistics:" and "     tx_packets: 3" in text.splitlines()


@checked_test()
async def test_ethtool_ring_resize_while_up(dut):
    """-G while up: new TDLEN/RDLEN in the NIC, e1000's clamps (48, multiples of 8, the
    maximum from RNCAPS), refusals; traffic both ways afterwards."""
    b, eth0, adapter = await up(dut)
    g = (await ethtool("-g eth0")).splitlines()
    assert g[2] == "RX:\t\t4096" and g[5] == "TX:\t\t4096" and g[7] == "RX:\t\t256" and g[10] == "TX:\t\t256"
    assert await ethtool("-G eth0 rx 500 tx 20") == ""
    g = (await ethtool("-g eth0")).splitlines()
    assert (g[7], g[10]) == ("RX:\t\t504", "TX:\t\t48")
    await until(lambda: netif_carrier_ok(eth0), "link after the resize", 100_000)
    d = dump(await ethtool("-d eth0"))
    assert (d["RDLEN"], d["TDLEN"]) == (504 * 16, 48 * 16)
    for bad, err in (("rx 5000", EINVAL), ("rx-mini 8", EINVAL)):
        with pytest.raises(EthtoolError) as e:
            await ethtool(f"-G eth0 {bad}")
        assert e.value.errno == err and "Cannot set device ring parameters" in str(e.value)
    frames = [tx_frame(i) for i in range(60)]  # more than the new TX ring holds at once
    await b.send(eth0, frames)
    assert await b.wire_frames(60) == [on_wire(f) for f in frames]
    rx = [rx_frame(i) for i in range(5)]
    await wire(b, rx)
    assert await delivered(b, 5) == rx


@checked_test()
async def test_ethtool_coalesce_registers(dut):
    """-C writes ITR (e1000's rule: 1e9 / (1e6/usecs * 256)), RDTR, RADV, TIDV, TADV (1.024 us
    units) live; -c reads them back; out-of-range and unsupported fields are refused."""
    b, eth0, adapter = await up(dut, RxIntDelay=0, RxAbsIntDelay=8)
    c = (await ethtool("-c eth0")).splitlines()
    assert "rx-usecs:\t0" in c and "rx-usecs-high:\t8" in c and "rx-frames:\tn/a" in c
    assert await ethtool("-C eth0 rx-usecs 100 rx-usecs-irq 4 rx-usecs-high 16 tx-usecs 8 tx-usecs-high 64") == ""
    d = dump(await ethtool("-d eth0"))
    assert (d["ITR"], d["RDTR"], d["RADV"], d["TIDV"], d["TADV"]) == (390, 4, 16, 8, 63)
    c = (await ethtool("-c eth0")).splitlines()
    for line in ("rx-usecs:\t100", "rx-usecs-irq:\t4", "rx-usecs-high:\t16", "tx-usecs:\t8", "tx-usecs-high:\t65"):
        assert line in c, (line, c)
    for bad, err in (("rx-usecs 5", EINVAL), ("rx-usecs 20000", EINVAL), ("tx-usecs 70000", EINVAL),
                     ("rx-frames 4", EOPNOTSUPP)):
        with pytest.raises(EthtoolError) as e:
            await ethtool(f"-C eth0 {bad}")
        assert e.value.errno == err, bad
    await ethtool("-r eth0")  # the values survive a reinit (configure writes them again)
    await until(lambda: netif_carrier_ok(eth0), "link after -r", 100_000)
    d = dump(await ethtool("-d eth0"))
    assert (d["ITR"], d["RDTR"], d["TIDV"]) == (390, 4, 8)


@checked_test()
async def test_ethtool_features_msglvl_and_nway_reset(dut):
    """-k/-K: rx-checksumming is on (tests/driver/test_rx_csum_driver.py switches it), `tx off`
    takes scatter-gather with it (the core's rule) and `tx on` brings both back, a fixed feature
    is refused; msglvl 0 silences the link messages of `-r`."""
    b, eth0, adapter = await up(dut)
    k = (await ethtool("-k eth0")).splitlines()
    assert k[:3] == ["Features for eth0:", "rx-checksumming: on", "tx-checksumming: on"]
    out = await ethtool("-K eth0 tx off")
    assert out.splitlines()[0] == "Actual changes:" and "scatter-gather: off" in out.splitlines()
    assert eth0.features & (NETIF_F_HW_CSUM | NETIF_F_SG) == 0
    await ethtool("-K eth0 tx on")
    assert eth0.features & (NETIF_F_HW_CSUM | NETIF_F_SG) == NETIF_F_HW_CSUM | NETIF_F_SG
    with pytest.raises(EthtoolError):
        await ethtool("-K eth0 tx-checksum-ipv4 on")
    up_msg = "eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None"
    seen = len(dmesg())
    await ethtool("-r eth0")
    await until(lambda: any(up_msg in m for m in dmesg()[seen:]), "the link message after -r", 100_000)
    await ethtool("-s eth0 msglvl 0")
    assert "\tCurrent message level: 0x00000000 (0)" in (await ethtool("eth0")).splitlines()
    seen, runs = len(dmesg()), adapter.link_changes
    await ethtool("-r eth0")
    await until(lambda: adapter.link_changes > runs, "the link back after -r", 100_000)
    assert not any(up_msg in m for m in dmesg()[seen:]), "msglvl 0 still printed the link message"
