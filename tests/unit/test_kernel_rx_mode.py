"""RX mode in the kernel layer: dev_addr_lists (uc/mc lists, reference counts, global and
exclusive users), dev_set_promiscuity / dev_set_allmulti counters and flags, and when
ndo_set_rx_mode runs (only while IFF_UP; dev_open runs it once)."""

import asyncio

import pytest

from pydriver.kernel import KernelBug, boot
from pydriver.kernel import dev_addr_lists as dal
from pydriver.kernel import netdevice as nd
from pydriver.kernel.errno import EEXIST, ENOENT, EOVERFLOW
from pydriver.kernel.etherdevice import alloc_etherdev, eth_hw_addr_set
from pydriver.kernel.printk import dmesg

MAC = bytes.fromhex("020a35000001")
MC1, MC2 = bytes.fromhex("01005e000001"), bytes.fromhex("333300000001")
UC1, UC2 = bytes.fromhex("020000000010"), bytes.fromhex("020000000011")


@pytest.fixture
def k():
    return boot()


def run(coro):
    return asyncio.run(coro)


def device(up: bool = True, unicast_flt: bool = True):
    """A registered eth0 whose ndo_set_rx_mode records the lists it sees; (ndev, calls)."""
    calls = []

    async def set_rx_mode(dev):
        calls.append((dev.flags & (nd.IFF_PROMISC | nd.IFF_ALLMULTI),
                      [ha.addr for ha in dal.netdev_for_each_uc_addr(dev)],
                      [ha.addr for ha in dal.netdev_for_each_mc_addr(dev)]))

    ndev = alloc_etherdev()
    eth_hw_addr_set(ndev, MAC)
    ndev.netdev_ops = nd.NetDeviceOps(ndo_set_rx_mode=set_rx_mode)
    if unicast_flt:
        ndev.priv_flags |= nd.IFF_UNICAST_FLT
    assert run(nd.register_netdev(ndev)) == 0
    if up:
        assert run(nd.dev_open(ndev)) == 0
    return ndev, calls


def lines(text: str) -> list[str]:
    return [line for line in dmesg() if text in line]


# --- the address lists -------------------------------------------------------------

def test_mc_duplicates_are_reference_counted(k):
    ndev, calls = device()
    assert calls == [(0, [], [])]                       # dev_open's
    assert run(dal.dev_mc_add(ndev, MC1)) == 0
    assert run(dal.dev_mc_add(ndev, MC2)) == 0
    assert run(dal.dev_mc_add(ndev, MC1)) == 0          # a second user of MC1: still one entry
    assert dal.netdev_mc_count(ndev) == 2 and [ha.refcount for ha in ndev.mc.list] == [2, 1]
    assert calls[-1] == (0, [], [MC1, MC2]) and len(calls) == 4   # in the order added
    assert run(dal.dev_mc_del(ndev, MC1)) == 0 and dal.netdev_mc_count(ndev) == 2
    assert run(dal.dev_mc_del(ndev, MC1)) == 0 and calls[-1] == (0, [], [MC2])
    assert run(dal.dev_mc_del(ndev, MC1)) == -ENOENT and len(calls) == 6   # no change, no call
    assert dal.netdev_uc_count(ndev) == 0 and dal.netdev_uc_empty(ndev)


def test_uc_list_is_separate_from_mc(k):
    ndev, calls = device()
    assert run(dal.dev_uc_add(ndev, UC1)) == 0 and run(dal.dev_uc_add(ndev, UC2)) == 0
    assert run(dal.dev_mc_del(ndev, UC1)) == -ENOENT     # not in the multicast list
    assert (dal.netdev_uc_count(ndev), dal.netdev_mc_count(ndev)) == (2, 0)
    assert calls[-1] == (0, [UC1, UC2], [])
    assert run(dal.dev_uc_del(ndev, UC1)) == 0 and calls[-1] == (0, [UC2], [])
    assert not ndev.flags & nd.IFF_PROMISC               # the driver filters unicast itself


def test_global_and_exclusive_users(k):
    ndev, calls = device()
    assert run(dal.dev_mc_add_global(ndev, MC1)) == 0
    assert run(dal.dev_mc_add_global(ndev, MC1)) == 0    # the global user counts once
    assert ndev.mc.list[0].refcount == 1
    assert run(dal.dev_mc_add(ndev, MC1)) == 0 and ndev.mc.list[0].refcount == 2
    assert run(dal.dev_mc_del_global(ndev, MC1)) == 0
    assert run(dal.dev_mc_del_global(ndev, MC1)) == -ENOENT   # no global user left
    assert run(dal.dev_mc_del(ndev, MC1)) == 0 and dal.netdev_mc_empty(ndev)
    n = len(calls)
    assert run(dal.dev_mc_add_excl(ndev, MC2)) == 0
    assert run(dal.dev_mc_add_excl(ndev, MC2)) == -EEXIST and len(calls) == n + 1
    assert run(dal.dev_uc_add_excl(ndev, UC1)) == 0
    assert run(dal.dev_uc_add_excl(ndev, UC1)) == -EEXIST


def test_lists_kept_while_down_and_programmed_at_open(k):
    ndev, calls = device(up=False)
    assert run(dal.dev_mc_add(ndev, MC1)) == 0 and calls == []   # not IFF_UP: no ndo call
    assert run(nd.dev_open(ndev)) == 0
    assert calls == [(0, [], [MC1])]
    run(nd.dev_close(ndev))
    assert run(dal.dev_mc_del(ndev, MC1)) == 0 and len(calls) == 1 and dal.netdev_mc_empty(ndev)


def test_address_of_wrong_length_is_a_bug(k):
    ndev, _ = device()
    with pytest.raises(KernelBug) as e:
        run(dal.dev_mc_add(ndev, MC1[:4]))
    assert e.value.rule == "dev_mc_add" and "dev->addr_len is 6" in str(e.value)
    assert len(k.bugs) == 1


# --- promiscuity and allmulti ----------------------------------------------------------

def test_promiscuity_counts_users_and_logs_the_change(k):
    ndev, calls = device()
    assert run(nd.dev_set_promiscuity(ndev, 1)) == 0
    assert ndev.flags & nd.IFF_PROMISC and ndev.promiscuity == 1
    assert calls[-1][0] == nd.IFF_PROMISC
    assert run(nd.dev_set_promiscuity(ndev, 1)) == 0 and ndev.promiscuity == 2
    assert run(nd.dev_set_promiscuity(ndev, -1)) == 0 and ndev.flags & nd.IFF_PROMISC
    assert len(calls) == 2                               # the flag did not change: no reprogramming
    assert run(nd.dev_set_promiscuity(ndev, -1)) == 0 and not ndev.flags & nd.IFF_PROMISC
    assert calls[-1][0] == 0 and len(calls) == 3
    assert [line.split("] ", 1)[1] for line in lines("promiscuous")] == [
        "device eth0 entered promiscuous mode", "device eth0 left promiscuous mode"]


def test_promiscuity_unbalanced_is_a_bug_and_overflow_an_error(k):
    ndev, _ = device()
    with pytest.raises(KernelBug) as e:
        run(nd.dev_set_promiscuity(ndev, -1))
    assert e.value.rule == "dev_set_promiscuity" and ndev.promiscuity == 0
    k.bugs.clear()
    ndev.promiscuity = nd.UINT_MAX
    assert run(nd.dev_set_promiscuity(ndev, 1)) == -EOVERFLOW and ndev.promiscuity == nd.UINT_MAX
    assert lines("promiscuity touches roof, set promiscuity failed")


def test_allmulti_counts_users(k):
    ndev, calls = device()
    assert run(nd.dev_set_allmulti(ndev, 1)) == 0 and run(nd.dev_set_allmulti(ndev, 1)) == 0
    assert ndev.flags & nd.IFF_ALLMULTI and ndev.allmulti == 2 and len(calls) == 2
    assert run(nd.dev_set_allmulti(ndev, -2)) == 0 and not ndev.flags & nd.IFF_ALLMULTI
    assert calls[-1][0] == 0 and len(calls) == 3
    with pytest.raises(KernelBug) as e:
        run(nd.dev_set_allmulti(ndev, -1))
    assert e.value.rule == "dev_set_allmulti"
    k.bugs.clear()


def test_promiscuity_kept_while_down(k):
    ndev, calls = device(up=False)
    assert run(nd.dev_set_promiscuity(ndev, 1)) == 0 and calls == []
    assert run(nd.dev_open(ndev)) == 0 and calls == [(nd.IFF_PROMISC, [], [])]


def test_no_unicast_filter_makes_the_core_go_promiscuous(k):
    ndev, calls = device(unicast_flt=False)
    assert run(dal.dev_uc_add(ndev, UC1)) == 0
    assert ndev.uc_promisc and ndev.flags & nd.IFF_PROMISC and ndev.promiscuity == 1
    assert calls[-1] == (nd.IFF_PROMISC, [UC1], [])
    assert run(dal.dev_uc_del(ndev, UC1)) == 0
    assert not ndev.uc_promisc and not ndev.flags & nd.IFF_PROMISC and calls[-1] == (0, [], [])
    assert len(lines("promiscuous mode")) == 2


def test_change_rx_flags_is_told_which_flag_changed(k):
    ndev, _ = device()
    seen = []
    ndev.netdev_ops.ndo_change_rx_flags = lambda dev, flags: seen.append(flags)
    run(nd.dev_set_promiscuity(ndev, 1))
    run(nd.dev_set_allmulti(ndev, 1))
    run(nd.dev_set_allmulti(ndev, 1))
    assert seen == [nd.IFF_PROMISC, nd.IFF_ALLMULTI]
