"""ethtool_ops in the kernel model (pydriver/kernel/ethtool.py) and the `ethtool` front end
(tb/harness/ethtool.py) on a netdev whose ops are plain functions: argument checks of the core,
netdev_update_features' rules, the tool's output formats and errors."""

import asyncio

import pytest

from pydriver.kernel import boot
from pydriver.kernel import ethtool as core
from pydriver.kernel import netdevice as nd
from pydriver.kernel.errno import EINVAL, EOPNOTSUPP
from pydriver.kernel.etherdevice import alloc_etherdev, eth_hw_addr_set
from tb.harness.ethtool import RINGNIC_REGS_V1, EthtoolError, ethtool


def run(coro):
    return asyncio.run(coro)


class Fake:
    """A driver's state: rings, coalescing, message level, counters."""

    def __init__(self):
        self.ring = dict(rx_pending=256, tx_pending=256)
        self.usecs = 0
        self.msg = 0x7


def fake_ops(f: Fake):
    def get_ringparam(dev, r):
        r.rx_max_pending = r.tx_max_pending = 4096
        r.rx_pending, r.tx_pending = f.ring["rx_pending"], f.ring["tx_pending"]

    def set_ringparam(dev, r):
        f.ring = dict(rx_pending=r.rx_pending, tx_pending=r.tx_pending)
        return 0

    def get_coalesce(dev, ec):
        ec.rx_coalesce_usecs = f.usecs
        return 0

    def set_coalesce(dev, ec):
        f.usecs = ec.rx_coalesce_usecs
        return 0

    return core.EthtoolOps(
        supported_coalesce_params=core.ETHTOOL_COALESCE_RX_USECS,
        get_drvinfo=lambda dev, info: setattr(info, "driver", "fake") or setattr(info, "version", "1.0"),
        get_link=core.ethtool_op_get_link, get_ringparam=get_ringparam, set_ringparam=set_ringparam,
        get_coalesce=get_coalesce, set_coalesce=set_coalesce,
        get_msglevel=lambda dev: f.msg, set_msglevel=lambda dev, v: setattr(f, "msg", v),
        get_sset_count=lambda dev, sset: 2 if sset == core.ETH_SS_STATS else -EINVAL,
        get_strings=lambda dev, sset, data: data.extend(["rx_packets", "tx_packets"]),
        get_ethtool_stats=lambda dev, st, data: data.__setitem__(slice(None), [5, 7]))


@pytest.fixture
def dev():
    boot()
    f = Fake()
    ndev = alloc_etherdev()
    eth_hw_addr_set(ndev, bytes.fromhex("020a35000001"))
    ndev.ethtool_ops = fake_ops(f)
    ndev.hw_features = ndev.features = nd.NETIF_F_HW_CSUM | nd.NETIF_F_SG
    assert run(nd.register_netdev(ndev)) == 0
    ndev.fake = f
    return ndev


def test_ethtool_ops_unknown_member_refused():
    with pytest.raises(TypeError):
        core.EthtoolOps(get_stats=lambda d: 0)
    assert core.EthtoolOps().get_regs is None and core.EthtoolOps().supported_coalesce_params == 0


def test_ethtool_core_checks_ring_maximum_and_coalesce_support(dev):
    assert run(core.ethtool_set_ringparam(dev, rx_pending=8192)) == -EINVAL
    assert run(core.ethtool_set_ringparam(dev, rx_pending=512)) == 0 and dev.fake.ring["rx_pending"] == 512
    assert run(core.ethtool_set_coalesce(dev, tx_coalesce_usecs=8)) == -EOPNOTSUPP, "not in supported_coalesce_params"
    assert run(core.ethtool_set_coalesce(dev, rx_coalesce_usecs=50)) == 0 and dev.fake.usecs == 50
    assert run(core.ethtool_get_regs(dev))[0] == -EOPNOTSUPP and run(core.ethtool_nway_reset(dev)) == -EOPNOTSUPP


def test_ethtool_features_sg_needs_a_checksum(dev):
    """netdev_fix_features: dropping the only TX checksum feature drops SG too; a fixed bit is refused."""
    assert run(core.ethtool_set_features(dev, off=nd.NETIF_F_HW_CSUM)) == 0
    assert dev.features & (nd.NETIF_F_HW_CSUM | nd.NETIF_F_SG) == 0
    assert run(core.ethtool_set_features(dev, on=nd.NETIF_F_HW_CSUM)) == 0
    assert dev.features & nd.NETIF_F_SG, "SG comes back with its checksum (still wanted)"
    assert run(core.ethtool_set_features(dev, on=core.NETIF_F_RXCSUM)) == -EINVAL


def test_ethtool_frontend_formats(dev):
    name = dev.name
    assert run(ethtool(f"-i {name}")).splitlines()[:2] == ["driver: fake", "version: 1.0"]
    assert run(ethtool(f"-S {name}")) == "NIC statistics:\n     rx_packets: 5\n     tx_packets: 7"
    g = run(ethtool(f"-g {name}")).splitlines()
    assert g[0] == f"Ring parameters for {name}:" and g[2] == "RX:\t\t4096" and g[3] == "RX Mini:\tn/a"
    assert run(ethtool(f"-G {name} rx 1024 tx 128")) == "" and dev.fake.ring == dict(rx_pending=1024, tx_pending=128)
    c = run(ethtool(f"-c {name}"))
    assert "rx-usecs:\t0" in c and "tx-usecs:\tn/a" in c
    k = run(ethtool(f"-k {name}")).splitlines()
    assert k[1:3] == ["rx-checksumming: off [fixed]", "tx-checksumming: on"]
    assert "\ttx-checksum-ip-generic: on" in k and "scatter-gather: on" in k
    out = run(ethtool(f"-K {name} tx off"))
    assert out.splitlines()[0] == "Actual changes:" and "scatter-gather: off" in out
    nd.netif_carrier_off(dev)
    plain = run(ethtool(name))
    assert plain.endswith("\tLink detected: no") and "\tCurrent message level: 0x00000007 (7)" in plain
    assert run(ethtool(f"-s {name} msglvl 0x3")) == "" and dev.fake.msg == 3
    assert run(ethtool(f"-s {name} msglvl link on probe off")) == "" and dev.fake.msg == 0b101


def test_ethtool_frontend_errors(dev):
    with pytest.raises(EthtoolError, match="Cannot set device ring parameters: Invalid argument"):
        run(ethtool(f"-G {dev.name} rx 9999"))
    with pytest.raises(EthtoolError, match="Cannot set device coalesce parameters: Operation not supported") as e:
        run(ethtool(f"-C {dev.name} tx-usecs 8"))
    assert e.value.errno == EOPNOTSUPP
    with pytest.raises(EthtoolError, match="Cannot get register dump"):
        run(ethtool(f"-d {dev.name}"))
    with pytest.raises(EthtoolError):
        run(ethtool("-i nosuchdev"))


def test_ethtool_regs_layout_matches_the_driver():
    """The front end's decoder (ethtool's side) and the driver's dump agree on the layout."""
    from pydriver.ringnic.ethtool import REGS_DUMP, REGS_DUMP_VERSION
    assert (RINGNIC_REGS_V1, 1) == (REGS_DUMP, REGS_DUMP_VERSION)


