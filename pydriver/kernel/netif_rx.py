"""The receive side of the stack a driver sees: netif_receive_skb, napi_gro_receive, netif_rx.

The stack consumes the skb: the frame it carried (from the MAC header, as eth_type_trans left
it) goes to the device's RX sink -- what the harness put on the "stack side": a list, a scapy
host, a TAP -- and the skb is freed. Each delivery costs the CPU `net_hotdata().stack_rx_ns`
of simulated time, so a poll that delivers 64 frames takes as long as the stack would.

netif_rx is the pre-NAPI entry (a driver's hard-IRQ handler): the skb waits in the per-CPU
backlog (at most netdev_max_backlog, then dropped and counted in softnet_stat and the
device's rx_dropped) until NET_RX's backlog NAPI instance delivers it.
"""

from __future__ import annotations

from .interrupt import cpu_sleep
from .napi import napi_complete_done, napi_count_rx, napi_enable, napi_schedule, netif_napi_add_weight
from .skbuff import kfree_skb, skb_bytes, skb_push
from .softirq import net_hotdata, softnet_data

NET_RX_SUCCESS, NET_RX_DROP = 0, 1


def register_rx_sink(dev, sink) -> None:
    """`sink(dev, frame: bytes, skb)` receives every frame the stack gets from `dev`."""
    dev.rx_sink = sink


async def netif_receive_skb(skb) -> int:
    dev = skb.dev
    softnet_data().processed += 1
    skb_push(skb, (skb.data - skb.head) - skb.mac_header)  # back to the MAC header
    frame = skb_bytes(skb)
    await cpu_sleep(net_hotdata().stack_rx_ns)  # the CPU's time in the protocol layers
    sink = getattr(dev, "rx_sink", None)
    if sink is None:
        dev.rx_nohandler = getattr(dev, "rx_nohandler", 0) + 1  # no protocol took it
        kfree_skb(skb)
        return NET_RX_DROP
    sink(dev, frame, skb)
    kfree_skb(skb)
    return NET_RX_SUCCESS


async def napi_gro_receive(napi, skb) -> int:
    """No GRO here: one skb, one delivery, counted against the poll's budget."""
    napi_count_rx(napi)
    return await netif_receive_skb(skb)


# --- the backlog (enqueue_to_backlog / process_backlog) ----------------------------------

def netif_rx(skb) -> int:
    """Queue `skb` for NET_RX; NET_RX_DROP (skb freed, counted) when the backlog is full."""
    sd, hot = softnet_data(), net_hotdata()
    if len(sd.input_pkt_queue) >= hot.netdev_max_backlog:
        sd.dropped += 1
        skb.dev.core_rx_dropped = getattr(skb.dev, "core_rx_dropped", 0) + 1
        kfree_skb(skb)
        return NET_RX_DROP
    sd.input_pkt_queue.append(skb)
    if len(sd.input_pkt_queue) == 1:
        napi_schedule(_backlog(sd, hot))
    return NET_RX_SUCCESS


def _backlog(sd, hot):
    if sd.backlog is None:
        sd.backlog = netif_napi_add_weight(None, None, process_backlog, hot.dev_rx_weight)
        napi_enable(sd.backlog)
    return sd.backlog


async def process_backlog(napi, quota: int) -> int:
    sd, work = softnet_data(), 0
    while work < quota and sd.input_pkt_queue:
        await netif_receive_skb(sd.input_pkt_queue.pop(0))
        work += 1
    if not sd.input_pkt_queue and work < quota:
        napi_complete_done(napi, work)
    return work
