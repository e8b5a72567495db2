"""The receive side of the stack a driver sees: netif_receive_skb and napi_gro_receive.

The stack consumes the skb: the frame it carried (from the MAC header, as eth_type_trans left
it) goes to the device's RX sink -- what the harness put on the "stack side": a list, a scapy
host, a TAP -- and the skb is freed.
"""

from __future__ import annotations

from .napi import napi_count_rx
from .skbuff import kfree_skb, skb_bytes, skb_push
from .softirq import softnet_data

NET_RX_SUCCESS, NET_RX_DROP = 0, 1


def register_rx_sink(dev, sink) -> None:
    """`sink(dev, frame: bytes, skb)` receives every frame the stack gets from `dev`."""
    dev.rx_sink = sink


def netif_receive_skb(skb) -> int:
    dev = skb.dev
    softnet_data().processed += 1
    skb_push(skb, (skb.data - skb.head) - skb.mac_header)  # back to the MAC header
    frame = skb_bytes(skb)
    sink = getattr(dev, "rx_sink", None)
    if sink is None:
        dev.rx_nohandler = getattr(dev, "rx_nohandler", 0) + 1  # no protocol took it
        kfree_skb(skb)
        return NET_RX_DROP
    sink(dev, frame, skb)
    kfree_skb(skb)
    return NET_RX_SUCCESS


def napi_gro_receive(napi, skb) -> int:
    """No GRO here: one skb, one delivery, counted against the poll's budget."""
    napi_count_rx(napi)
    return netif_receive_skb(skb)
