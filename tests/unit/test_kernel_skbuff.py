"""sk_buff geometry and helpers, on host DRAM through the CPU view."""

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from pydriver.kernel import KernelBug, boot
from pydriver.kernel.mm import mm_allocations
from pydriver.kernel.skbuff import (NET_IP_ALIGN, NET_SKB_PAD, PACKET_BROADCAST, PACKET_HOST, PACKET_OTHERHOST,
                                    alloc_skb, eth_skb_pad, eth_type_trans, kfree_skb, netdev_alloc_skb_ip_align,
                                    skb_bytes, skb_from_scapy, skb_headlen, skb_headroom, skb_pull, skb_push,
                                    skb_put, skb_put_data, skb_reserve, skb_tailroom)
from tb.harness.hostmem import HostMemory, install


class Dev:
    name = "eth0"
    dev_addr = bytes.fromhex("020a35000001")


@pytest.fixture(autouse=True)
def host():
    k = boot()
    return install(k, HostMemory())


def test_skb_geometry_reserve_put_push_pull():
    skb = alloc_skb(256)
    assert skb.head == skb.data == skb.tail and skb.end - skb.head == 256
    skb_reserve(skb, 32)
    assert skb_headroom(skb) == 32 and skb_tailroom(skb) == 224 and skb.len == 0
    start = skb_put_data(skb, b"payload!")
    assert start == skb.head + 32 and skb.len == 8 and skb.tail == start + 8
    hdr = skb_push(skb, 14)
    assert hdr == skb.data == skb.head + 18 and skb.len == 22
    assert skb_pull(skb, 14) == skb.head + 32 and skb.len == 8
    assert skb_pull(skb, 9) is None and skb.len == 8  # longer than the data: NULL, nothing moves
    assert skb_bytes(skb) == b"payload!"
    kfree_skb(skb)


def test_skb_over_and_under_panic_name_the_rule():
    skb = alloc_skb(64)
    with pytest.raises(KernelBug, match="skb_over_panic: skbuff: len:65 put:65"):
        skb_put(skb, 65)
    skb = alloc_skb(64)
    with pytest.raises(KernelBug, match="skb_under_panic"):
        skb_push(skb, 1)


def test_netdev_alloc_skb_ip_align_aligns_the_ip_header():
    skb = netdev_alloc_skb_ip_align(Dev(), 1522)
    assert skb_headroom(skb) == NET_SKB_PAD + NET_IP_ALIGN and skb.dev.name == "eth0"
    assert (skb.data + 14) % 4 == 0  # the IP header after the Ethernet header is word aligned


def test_eth_skb_pad_pads_to_eth_zlen_with_zeros():
    skb = alloc_skb(128)
    skb_put_data(skb, b"\x01" * 42)
    assert eth_skb_pad(skb) == 0 and skb.len == 60 and skb_bytes(skb) == b"\x01" * 42 + bytes(18)


def test_eth_skb_pad_failure_frees_the_skb():
    skb = alloc_skb(32)
    skb_put_data(skb, b"\x01" * 32)
    live = len(mm_allocations("kmalloc"))
    assert eth_skb_pad(skb) < 0 and skb.freed and len(mm_allocations("kmalloc")) == live - 1


def test_skb_from_scapy_with_fragments_round_trips():
    pkt = Ether(dst="ff:ff:ff:ff:ff:ff") / IP(dst="10.0.0.2") / UDP() / (b"x" * 300)
    skb = skb_from_scapy(Dev(), pkt, frag_sizes=(100, 50))
    assert skb.shinfo.nr_frags == 2 and skb.data_len == 150 and skb_headlen(skb) == len(pkt) - 150
    assert skb_bytes(skb) == bytes(pkt)
    with pytest.raises(KernelBug, match="nonlinear"):
        skb_put(skb, 1)
    kfree_skb(skb)
    with pytest.raises(KernelBug, match="use after free"):
        skb_bytes(skb)


def test_eth_type_trans_sets_pkt_type_and_pulls_the_header():
    for dst, want in (("ff:ff:ff:ff:ff:ff", PACKET_BROADCAST), ("02:0a:35:00:00:01", PACKET_HOST),
                      ("02:00:00:00:00:99", PACKET_OTHERHOST)):
        skb = skb_from_scapy(None, Ether(dst=dst) / IP() / UDP())
        assert eth_type_trans(skb, Dev()) == 0x0800 and skb.pkt_type == want
        assert skb.len == 28 and skb.dev.name == "eth0"


def test_double_free_is_a_bug():
    skb = alloc_skb(64)
    kfree_skb(skb)
    with pytest.raises(KernelBug, match="use after free"):
        kfree_skb(skb)
