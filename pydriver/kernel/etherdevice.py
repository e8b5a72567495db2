"""Ethernet devices: ether_setup, alloc_etherdev and MAC address helpers.

Addresses are ``bytes`` of length ETH_ALEN.  ``eth_random_addr`` draws from
``current().random`` (seeded by ``boot(seed=...)``) unless given an rng.
"""

import random as _random

from .core import Device, current
from .devres import devres_add
from .errno import EADDRNOTAVAIL, EBUSY
from .netdevice import (ARPHRD_ETHER, IFF_BROADCAST, IFF_LIVE_ADDR_CHANGE, IFF_MULTICAST,
                        IFF_TX_SKB_SHARING, NET_ADDR_RANDOM, NET_NAME_ENUM, NetDevice,
                        alloc_netdev_mqs, free_netdev, netif_running)

from .if_ether import (ETH_ALEN, ETH_DATA_LEN, ETH_FCS_LEN, ETH_FRAME_LEN, ETH_HLEN, ETH_MAX_MTU,  # noqa: F401
                       ETH_MIN_MTU, ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, ETH_TLEN, ETH_ZLEN)

DEFAULT_TX_QUEUE_LEN = 1000


def ether_setup(ndev: NetDevice) -> None:
    """Ethernet defaults, as net/ethernet/eth.c."""
    ndev.type = ARPHRD_ETHER
    ndev.hard_header_len = ETH_HLEN
    ndev.min_header_len = ETH_HLEN
    ndev.mtu = ETH_DATA_LEN
    ndev.min_mtu = ETH_MIN_MTU
    ndev.max_mtu = ETH_DATA_LEN
    ndev.addr_len = ETH_ALEN
    ndev.tx_queue_len = DEFAULT_TX_QUEUE_LEN
    ndev.flags = IFF_BROADCAST | IFF_MULTICAST
    ndev.priv_flags |= IFF_TX_SKB_SHARING
    ndev.broadcast = eth_broadcast_addr()


def alloc_etherdev_mqs(priv, txqs: int, rxqs: int):
    return alloc_netdev_mqs(priv, "eth%d", NET_NAME_ENUM, ether_setup, txqs, rxqs)


def alloc_etherdev(priv=None):
    """alloc_etherdev(RingnicAdapter): netdev_priv(ndev) is a new RingnicAdapter()."""
    return alloc_etherdev_mqs(priv, 1, 1)


def devm_alloc_etherdev_mqs(dev: Device, priv, txqs: int, rxqs: int):
    ndev = alloc_etherdev_mqs(priv, txqs, rxqs)
    if ndev is not None:
        devres_add(dev, free_netdev, ndev, name="devm_free_netdev")
    return ndev


def devm_alloc_etherdev(dev: Device, priv=None):
    """alloc_etherdev freed (free_netdev) when ``dev``'s driver unbinds."""
    return devm_alloc_etherdev_mqs(dev, priv, 1, 1)


# --- address predicates --------------------------------------------------------

def is_zero_ether_addr(addr) -> bool:
    return not any(addr[:ETH_ALEN])


def is_multicast_ether_addr(addr) -> bool:
    return bool(addr[0] & 0x01)


def is_local_ether_addr(addr) -> bool:
    return bool(addr[0] & 0x02)


def is_broadcast_ether_addr(addr) -> bool:
    return all(b == 0xFF for b in addr[:ETH_ALEN])


def is_unicast_ether_addr(addr) -> bool:
    return not is_multicast_ether_addr(addr)


def is_valid_ether_addr(addr) -> bool:
    """Neither multicast (broadcast included) nor 00:00:00:00:00:00."""
    return len(addr) >= ETH_ALEN and not is_multicast_ether_addr(addr) and \
        not is_zero_ether_addr(addr)


def ether_addr_equal(a, b) -> bool:
    return bytes(a[:ETH_ALEN]) == bytes(b[:ETH_ALEN])


def eth_broadcast_addr() -> bytes:
    return b"\xff" * ETH_ALEN


def eth_zero_addr() -> bytes:
    return bytes(ETH_ALEN)


def eth_random_addr(rng: _random.Random = None) -> bytes:
    """Random, locally administered, unicast."""
    if rng is None:
        rng = current().random
    addr = bytearray(rng.randbytes(ETH_ALEN))
    addr[0] &= 0xFE     # clear multicast bit
    addr[0] |= 0x02     # set local assignment bit (IEEE802)
    return bytes(addr)


def eth_hw_addr_set(ndev: NetDevice, addr) -> None:
    addr = bytes(addr)
    if len(addr) != ETH_ALEN:
        raise ValueError(f"eth_hw_addr_set: need {ETH_ALEN} bytes, got {len(addr)}")
    ndev.dev_addr = addr


def eth_hw_addr_random(ndev: NetDevice, rng: _random.Random = None) -> None:
    """Random MAC, and tell userspace it is random (NET_ADDR_RANDOM)."""
    ndev.addr_assign_type = NET_ADDR_RANDOM
    eth_hw_addr_set(ndev, eth_random_addr(rng))


def eth_validate_addr(ndev: NetDevice) -> int:
    """A ready-made ndo_validate_addr: 0, or -EADDRNOTAVAIL."""
    return 0 if is_valid_ether_addr(ndev.dev_addr) else -EADDRNOTAVAIL


def eth_mac_addr(ndev: NetDevice, sa) -> int:
    """A ready-made ndo_set_mac_address taking a SockAddr."""
    if not (ndev.priv_flags & IFF_LIVE_ADDR_CHANGE) and netif_running(ndev):
        return -EBUSY
    if not is_valid_ether_addr(sa.sa_data):
        return -EADDRNOTAVAIL
    eth_hw_addr_set(ndev, sa.sa_data[:ETH_ALEN])
    return 0


def mac_str(addr) -> str:
    """printk's %pM: "02:0a:35:00:00:01"."""
    return ":".join(f"{b:02x}" for b in addr)


def mac_pton(s: str):
    """"02:0a:35:00:00:01" -> bytes, or None if malformed."""
    parts = s.split(":")
    if len(parts) != ETH_ALEN or any(len(p) != 2 for p in parts):
        return None
    try:
        return bytes(int(p, 16) for p in parts)
    except ValueError:
        return None
