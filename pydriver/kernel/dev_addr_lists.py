"""The device's unicast and multicast address lists, as net/core/dev_addr_lists.c.

``dev->uc`` holds secondary unicast addresses, ``dev->mc`` multicast ones. An address added
twice is kept once with a reference count and leaves the list when its last user deletes it;
every successful change reprograms the filter (``__dev_set_rx_mode``: ndo_set_rx_mode while
IFF_UP). The *_global variants count one global user at most; *_excl refuse an address already
listed. Async because ndo_set_rx_mode does MMIO (see netdevice's docstring).
"""

from .errno import EEXIST, EINVAL, ENOENT
from .netdevice import (MAX_ADDR_LEN, NETDEV_HW_ADDR_T_MULTICAST, NETDEV_HW_ADDR_T_UNICAST, NetDevice,
                        NetdevHwAddr, NetdevHwAddrList, __dev_set_rx_mode, netdev_name)
from .printk import kernel_bug


# --- the general list functions ------------------------------------------------

def _find(list_: NetdevHwAddrList, addr: bytes, addr_type: int):
    return next((ha for ha in list_.list if ha.addr == addr and ha.type == addr_type), None)


def __hw_addr_add_ex(list_: NetdevHwAddrList, addr: bytes, addr_len: int, addr_type: int,
                     global_: bool = False, exclusive: bool = False) -> int:
    if addr_len > MAX_ADDR_LEN:
        return -EINVAL
    ha = _find(list_, addr, addr_type)
    if ha is not None:
        if exclusive:
            return -EEXIST
        if global_:
            if ha.global_use:
                return 0  # one global user at most
            ha.global_use = True
        ha.refcount += 1
        return 0
    list_.list.append(NetdevHwAddr(addr, addr_type, global_))
    return 0


def __hw_addr_del_ex(list_: NetdevHwAddrList, addr: bytes, addr_type: int, global_: bool = False) -> int:
    ha = _find(list_, addr, addr_type)
    if ha is None or (global_ and not ha.global_use):
        return -ENOENT
    if global_:
        ha.global_use = False
    ha.refcount -= 1
    if ha.refcount:
        return 0
    list_.list.remove(ha)
    return 0


def _addr(fn: str, dev: NetDevice, addr) -> bytes:
    # C reads dev->addr_len bytes from the pointer: anything shorter is a caller's bug.
    addr = bytes(addr)
    if len(addr) != dev.addr_len:
        raise kernel_bug(fn, f"device {netdev_name(dev)}: address of {len(addr)} bytes, "
                             f"dev->addr_len is {dev.addr_len}")
    return addr


async def _changed(dev: NetDevice, err: int) -> int:
    if not err:
        await __dev_set_rx_mode(dev)
    return err


def _walk(list_: NetdevHwAddrList):
    # Linux walks under netif_addr_lock_bh: a copy keeps the walk on one state of the list
    # even when ndo_set_rx_mode awaits MMIO in the middle of it.
    return iter(list(list_.list))


# --- unicast ---------------------------------------------------------------------

async def dev_uc_add(dev: NetDevice, addr) -> int:
    """Add a secondary unicast address, or one more user of it."""
    addr = _addr("dev_uc_add", dev, addr)
    return await _changed(dev, __hw_addr_add_ex(dev.uc, addr, dev.addr_len, NETDEV_HW_ADDR_T_UNICAST))


async def dev_uc_add_excl(dev: NetDevice, addr) -> int:
    """Add a unicast address only if it is not listed yet (-EEXIST)."""
    addr = _addr("dev_uc_add_excl", dev, addr)
    return await _changed(dev, __hw_addr_add_ex(dev.uc, addr, dev.addr_len, NETDEV_HW_ADDR_T_UNICAST,
                                                global_=True, exclusive=True))


async def dev_uc_del(dev: NetDevice, addr) -> int:
    """Drop a user of a secondary unicast address; -ENOENT if it is not listed."""
    addr = _addr("dev_uc_del", dev, addr)
    return await _changed(dev, __hw_addr_del_ex(dev.uc, addr, NETDEV_HW_ADDR_T_UNICAST))


def netdev_uc_count(dev: NetDevice) -> int:
    return dev.uc.count


def netdev_uc_empty(dev: NetDevice) -> bool:
    return dev.uc.count == 0


def netdev_for_each_uc_addr(dev: NetDevice):
    """``for ha in netdev_for_each_uc_addr(dev)``: each NetdevHwAddr, ha.addr the address."""
    return _walk(dev.uc)


# --- multicast -------------------------------------------------------------------

async def dev_mc_add(dev: NetDevice, addr) -> int:
    """Add a multicast address, or one more user of it."""
    addr = _addr("dev_mc_add", dev, addr)
    return await _changed(dev, __hw_addr_add_ex(dev.mc, addr, dev.addr_len, NETDEV_HW_ADDR_T_MULTICAST))


async def dev_mc_add_global(dev: NetDevice, addr) -> int:
    """Add a multicast address for the global user (counted once however often it is added)."""
    addr = _addr("dev_mc_add_global", dev, addr)
    return await _changed(dev, __hw_addr_add_ex(dev.mc, addr, dev.addr_len, NETDEV_HW_ADDR_T_MULTICAST,
                                                global_=True))


async def dev_mc_add_excl(dev: NetDevice, addr) -> int:
    """Add a multicast address only if it is not listed yet (-EEXIST)."""
    addr = _addr("dev_mc_add_excl", dev, addr)
    return await _changed(dev, __hw_addr_add_ex(dev.mc, addr, dev.addr_len, NETDEV_HW_ADDR_T_MULTICAST,
                                                global_=True, exclusive=True))


async def dev_mc_del(dev: NetDevice, addr) -> int:
    """Drop a user of a multicast address; -ENOENT if it is not listed."""
    addr = _addr("dev_mc_del", dev, addr)
    return await _changed(dev, __hw_addr_del_ex(dev.mc, addr, NETDEV_HW_ADDR_T_MULTICAST))


async def dev_mc_del_global(dev: NetDevice, addr) -> int:
    """Drop the global user of a multicast address; -ENOENT if it has none."""
    addr = _addr("dev_mc_del_global", dev, addr)
    return await _changed(dev, __hw_addr_del_ex(dev.mc, addr, NETDEV_HW_ADDR_T_MULTICAST, global_=True))


def netdev_mc_count(dev: NetDevice) -> int:
    return dev.mc.count


def netdev_mc_empty(dev: NetDevice) -> bool:
    return dev.mc.count == 0


def netdev_for_each_mc_addr(dev: NetDevice):
    """``for ha in netdev_for_each_mc_addr(dev)``: each NetdevHwAddr, ha.addr the address."""
    return _walk(dev.mc)
