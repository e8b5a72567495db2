"""MAC addresses from the device tree (net/core/of_net.c): above of.py and etherdevice.py,
whose helpers it combines."""

from .errno import ENODEV
from .etherdevice import eth_hw_addr_set, is_valid_ether_addr
from .of import of_get_property


def of_get_mac_address(np):
    """6-byte MAC from "mac-address", then "local-mac-address", then "address"
    (net/core/of_net.c order); only a 6-byte, valid unicast value counts. Else None."""
    for prop in ("mac-address", "local-mac-address", "address"):
        v = of_get_property(np, prop)
        if v is not None and len(v) == 6 and is_valid_ether_addr(v):
            return bytes(v)
    return None


def of_get_ethdev_address(np, ndev) -> int:
    """Set ndev's MAC from the tree: 0, or -ENODEV when there is none."""
    addr = of_get_mac_address(np)
    if addr is None:
        return -ENODEV
    eth_hw_addr_set(ndev, addr)
    return 0
