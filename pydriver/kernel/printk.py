"""printk and the dev_/netdev_/netif_ message helpers.

Every message goes to the current kernel's ring buffer with a timestamp from
its clock (simulated time under cocotb).  Messages with level below
``current().console_loglevel`` (default 7: everything but KERN_DEBUG) are
also sent to the Python logger "kernel", as the console would print them.

``dmesg()`` returns the buffer as Linux prints it, ``[    0.000123] text``.
Its default threshold is ``current().dmesg_loglevel`` = KERN_DEBUG, i.e. it
shows every record, debug ones included, like ``dmesg`` does.

Messages are plain strings; extra positional args are %-formatted into the
message (``dev_err(dev, "IRQ index %u not found", 1)``).  A trailing newline
is dropped, so Linux-style "...\\n" messages read the same.
"""

import logging

from .core import Device, LogRecord, current, dev_driver_string, dev_name
from .errno import EPROBE_DEFER, ENOMEM, KernelBug, err_str

KERN_EMERG = 0
KERN_ALERT = 1
KERN_CRIT = 2
KERN_ERR = 3
KERN_WARNING = 4
KERN_NOTICE = 5
KERN_INFO = 6
KERN_DEBUG = 7
KERN_DEFAULT = KERN_WARNING   # MESSAGE_LOGLEVEL_DEFAULT

logger = logging.getLogger("kernel")

_PY_LEVEL = {
    KERN_EMERG: logging.CRITICAL, KERN_ALERT: logging.CRITICAL,
    KERN_CRIT: logging.CRITICAL, KERN_ERR: logging.ERROR,
    KERN_WARNING: logging.WARNING, KERN_NOTICE: logging.INFO,
    KERN_INFO: logging.INFO, KERN_DEBUG: logging.DEBUG,
}


def _fmt(msg, args) -> str:
    msg = str(msg)
    if args:
        msg = msg % args
    return msg[:-1] if msg.endswith("\n") else msg


def _stamp(ts_nsec: int) -> str:
    sec, nsec = divmod(ts_nsec, 1_000_000_000)
    return f"[{sec:5d}.{nsec // 1000:06d}]"


def printk(level: int, msg, *args) -> None:
    """Log ``msg`` at ``level`` (KERN_EMERG=0 .. KERN_DEBUG=7)."""
    k = current()
    text = _fmt(msg, args)
    rec = LogRecord(k.now_ns(), level, text)
    k.log_buf.append(rec)
    if level < k.console_loglevel:
        logger.log(_PY_LEVEL.get(level, logging.INFO), "%s %s", _stamp(rec.ts_nsec), text)


def dmesg(level=None, clear: bool = False) -> list:
    """Buffer lines with level <= ``level`` (default current().dmesg_loglevel).

    ``clear=True`` empties the buffer afterwards, like ``dmesg -c``.
    """
    k = current()
    limit = k.dmesg_loglevel if level is None else level
    lines = [f"{_stamp(r.ts_nsec)} {r.text}" for r in k.log_buf if r.level <= limit]
    if clear:
        k.log_buf.clear()
    return lines


def dmesg_clear() -> None:
    """dmesg -C"""
    current().log_buf.clear()


def _pr(level: int, fn: str):
    def pr(msg, *args):
        printk(level, msg, *args)
    pr.__name__ = pr.__qualname__ = fn
    return pr


pr_emerg = _pr(KERN_EMERG, "pr_emerg")
pr_alert = _pr(KERN_ALERT, "pr_alert")
pr_crit = _pr(KERN_CRIT, "pr_crit")
pr_err = _pr(KERN_ERR, "pr_err")
pr_warn = _pr(KERN_WARNING, "pr_warn")
pr_notice = _pr(KERN_NOTICE, "pr_notice")
pr_info = _pr(KERN_INFO, "pr_info")
pr_debug = _pr(KERN_DEBUG, "pr_debug")
pr_warning = pr_warn


def kernel_bug(rule: str, message: str) -> KernelBug:
    """Log a BUG line and return the exception for the caller to raise.

    The bug is also kept in current().bugs so a harness sees it even when
    driver code swallows the exception.
    """
    bug = KernelBug(rule, message)
    current().bugs.append(bug)
    printk(KERN_EMERG, "kernel BUG: %s", str(bug))
    return bug


# --- struct device messages ------------------------------------------------

def _check_dev(fn: str, dev) -> None:
    if dev is not None and not isinstance(dev, Device):
        # C would not compile this; name the fix.
        raise TypeError(f"{fn}: expected a struct device (pass pdev.dev, not the "
                        f"{type(dev).__name__})")


def dev_printk(level: int, dev, msg, *args) -> None:
    """"<driver or bus> <dev_name>: msg", as __dev_printk formats it."""
    _check_dev("dev_printk", dev)
    text = _fmt(msg, args)
    if dev is None:
        printk(level, "(NULL device *): %s", text)
        return
    prefix = dev_driver_string(dev)
    head = f"{prefix} {dev_name(dev)}" if prefix else dev_name(dev)
    printk(level, "%s: %s", head, text)


def _dev(level: int, fn: str):
    def dev_level(dev, msg, *args):
        _check_dev(fn, dev)
        dev_printk(level, dev, msg, *args)
    dev_level.__name__ = dev_level.__qualname__ = fn
    return dev_level


dev_emerg = _dev(KERN_EMERG, "dev_emerg")
dev_alert = _dev(KERN_ALERT, "dev_alert")
dev_crit = _dev(KERN_CRIT, "dev_crit")
dev_err = _dev(KERN_ERR, "dev_err")
dev_warn = _dev(KERN_WARNING, "dev_warn")
dev_notice = _dev(KERN_NOTICE, "dev_notice")
dev_info = _dev(KERN_INFO, "dev_info")
dev_dbg = _dev(KERN_DEBUG, "dev_dbg")


def dev_err_probe(dev, err: int, msg, *args) -> int:
    """Log "error -ENXIO: msg" (dbg for -EPROBE_DEFER, silent for -ENOMEM); return err."""
    _check_dev("dev_err_probe", dev)
    text = _fmt(msg, args)
    if err == -EPROBE_DEFER:
        dev_printk(KERN_DEBUG, dev, "error %s: %s", err_str(err), text)
    elif err not in (0, -ENOMEM):
        dev_printk(KERN_ERR, dev, "error %s: %s", err_str(err), text)
    return err


# --- struct net_device messages --------------------------------------------

# What these need of struct net_device, registered by netdevice.py (a layer up) at import:
# the name netdev_printk shows (netdev_name + netdev_reg_state) and netif_msg_mask.
_netdev_hooks: dict = {}


def register_netdev_printk(describe, msg_mask) -> None:
    _netdev_hooks.update(describe=describe, msg_mask=msg_mask)


def netdev_printk(level: int, ndev, msg, *args) -> None:
    """"<driver> <dev_name> <ifname>: msg" when the netdev has a parent device."""
    text = _fmt(msg, args)
    if ndev is None:
        printk(level, "(NULL net_device): %s", text)
        return
    who = _netdev_hooks["describe"](ndev)
    parent = ndev.dev.parent
    if parent is not None:
        printk(level, "%s %s %s: %s", dev_driver_string(parent), dev_name(parent), who, text)
    else:
        printk(level, "%s: %s", who, text)


def _netdev(level: int, fn: str):
    def netdev_level(ndev, msg, *args):
        netdev_printk(level, ndev, msg, *args)
    netdev_level.__name__ = netdev_level.__qualname__ = fn
    return netdev_level


netdev_emerg = _netdev(KERN_EMERG, "netdev_emerg")
netdev_alert = _netdev(KERN_ALERT, "netdev_alert")
netdev_crit = _netdev(KERN_CRIT, "netdev_crit")
netdev_err = _netdev(KERN_ERR, "netdev_err")
netdev_warn = _netdev(KERN_WARNING, "netdev_warn")
netdev_notice = _netdev(KERN_NOTICE, "netdev_notice")
netdev_info = _netdev(KERN_INFO, "netdev_info")
netdev_dbg = _netdev(KERN_DEBUG, "netdev_dbg")


def _netif_printk(level: int, priv, type_, ndev, msg, args) -> None:
    if priv.msg_enable & _netdev_hooks["msg_mask"](type_):
        netdev_printk(level, ndev, msg, *args)


def _netif(level: int, fn: str):
    # netif_err(priv, "rx_err", ndev, msg): printed only if priv.msg_enable has
    # NETIF_MSG_RX_ERR; type_ may also be the bit itself.
    def netif_level(priv, type_, ndev, msg, *args):
        _netif_printk(level, priv, type_, ndev, msg, args)
    netif_level.__name__ = netif_level.__qualname__ = fn
    return netif_level


netif_emerg = _netif(KERN_EMERG, "netif_emerg")
netif_alert = _netif(KERN_ALERT, "netif_alert")
netif_crit = _netif(KERN_CRIT, "netif_crit")
netif_err = _netif(KERN_ERR, "netif_err")
netif_warn = _netif(KERN_WARNING, "netif_warn")
netif_notice = _netif(KERN_NOTICE, "netif_notice")
netif_info = _netif(KERN_INFO, "netif_info")
netif_dbg = _netif(KERN_DEBUG, "netif_dbg")
