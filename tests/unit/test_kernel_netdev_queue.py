"""TX queue state, BQL, the qdisc's xmit_more batching and the TX watchdog."""

import asyncio

import pytest

from pydriver.kernel import KernelBug, current
from pydriver.kernel.etherdevice import alloc_etherdev
from pydriver.kernel.netdev_queue import (NETDEV_TX_BUSY, NETDEV_TX_OK, __netdev_sent_queue, bql_inflight,
                                          dev_queue_xmit, dev_queue_xmit_list, dev_watchdog,
                                          netdev_completed_queue, netdev_get_tx_queue, netdev_xmit_more,
                                          netif_start_queue, netif_stop_queue, netif_wake_queue)
from pydriver.kernel.netdevice import NetDeviceOps, dev_open, netif_carrier_on, register_netdev
from pydriver.kernel.printk import dmesg
from pydriver.kernel.skbuff import skb_from_bytes
from pydriver.kernel.timer import NSEC_PER_JIFFY
from tb.harness.hostmem import HostMemory, install

run = asyncio.run


@pytest.fixture
def clock(clock):
    """The shared clock fixture (tests/unit/conftest.py), with host memory installed."""
    install(current(), HostMemory())
    return clock


def up_device(xmit, **ops):
    ndev = alloc_etherdev()
    ndev.dev_addr = bytes.fromhex("020a35000001")

    async def ndo_open(dev):
        netif_start_queue(dev)
        return 0

    ndev.netdev_ops = NetDeviceOps(ndo_open=ndo_open, ndo_start_xmit=xmit, **ops)
    run(register_netdev(ndev))
    assert run(dev_open(ndev)) == 0
    netif_carrier_on(ndev)
    return ndev


def skbs(ndev, n):
    return [skb_from_bytes(ndev, bytes([i]) * 60) for i in range(n)]


def test_xmit_more_set_on_all_but_the_last_of_a_batch(clock):
    seen = []

    async def xmit(skb, dev):
        seen.append(netdev_xmit_more())
        return NETDEV_TX_OK

    ndev = up_device(xmit)
    run(dev_queue_xmit_list(skbs(ndev, 4)))
    assert seen == [True, True, True, False]
    run(dev_queue_xmit(skbs(ndev, 1)[0]))
    assert seen[-1] is False


def test_stopped_queue_holds_skbs_until_woken(clock):
    sent = []

    async def xmit(skb, dev):
        sent.append(skb)
        if len(sent) == 2:
            netif_stop_queue(dev)
        return NETDEV_TX_OK

    ndev = up_device(xmit)
    run(dev_queue_xmit_list(skbs(ndev, 5)))
    assert len(sent) == 2 and len(netdev_get_tx_queue(ndev).qdisc) == 3
    run(netif_wake_queue(ndev))
    assert len(sent) == 5


def test_tx_busy_requeues_the_skb(clock):
    calls = []

    async def xmit(skb, dev):
        calls.append(skb)
        if len(calls) == 1:
            netif_stop_queue(dev)
            return NETDEV_TX_BUSY
        return NETDEV_TX_OK

    ndev = up_device(xmit)
    batch = skbs(ndev, 2)
    run(dev_queue_xmit_list(batch))
    assert list(netdev_get_tx_queue(ndev).qdisc) == batch
    run(netif_wake_queue(ndev))
    assert calls == [batch[0], batch[0], batch[1]]


def test_bql_doorbell_and_completion_accounting(clock):
    async def xmit(skb, dev):
        return NETDEV_TX_OK

    ndev = up_device(xmit)
    assert __netdev_sent_queue(ndev, 100, xmit_more=True) is False
    assert __netdev_sent_queue(ndev, 60, xmit_more=False) is True
    assert bql_inflight(ndev) == 160
    run(netdev_completed_queue(ndev, 2, 160))
    assert bql_inflight(ndev) == 0
    with pytest.raises(KernelBug, match="completed 1 bytes but only 0 in flight"):
        run(netdev_completed_queue(ndev, 1, 1))


def test_watchdog_calls_ndo_tx_timeout_after_watchdog_timeo(clock):
    timeouts = []

    async def xmit(skb, dev):
        netif_stop_queue(dev)
        return NETDEV_TX_OK

    async def tx_timeout(dev, txqueue):
        timeouts.append(txqueue)

    ndev = up_device(xmit, ndo_tx_timeout=tx_timeout)
    ndev.watchdog_timeo = 5
    run(dev_queue_xmit(skbs(ndev, 1)[0]))
    clock.ns = 5 * NSEC_PER_JIFFY
    assert run(dev_watchdog(ndev)) is False and timeouts == []
    clock.ns = 6 * NSEC_PER_JIFFY
    assert run(dev_watchdog(ndev)) is True and timeouts == [0]
    assert netdev_get_tx_queue(ndev).trans_timeout == 1
    assert any("NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 6 ms" in line for line in dmesg())
