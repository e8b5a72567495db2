"""Linux errno values (asm-generic), ERR_PTR helpers and KernelBug.

Kernel convention in this package: a failing call returns a *negative* errno
(``-ENODEV``), or ``None`` where Linux returns NULL.  Where Linux returns an
ERR_PTR, we return the negative int itself; ``IS_ERR()`` tells it apart from
an object.  Driver misuse that Linux would BUG()/WARN() on raises KernelBug.
"""

EPERM = 1
ENOENT = 2
ESRCH = 3
EINTR = 4
EIO = 5
ENXIO = 6
E2BIG = 7
EBADF = 9
EAGAIN = 11
ENOMEM = 12
EACCES = 13
EFAULT = 14
EBUSY = 16
EEXIST = 17
ENODEV = 19
ENOTDIR = 20
EINVAL = 22
ENFILE = 23
ENOTTY = 25
EFBIG = 27
ENOSPC = 28
ERANGE = 34
ENOSYS = 38
ENODATA = 61
ETIME = 62
EPROTO = 71
EOVERFLOW = 75
EILSEQ = 84
EMSGSIZE = 90
EOPNOTSUPP = 95
EADDRINUSE = 98
EADDRNOTAVAIL = 99
ENETDOWN = 100
ENOBUFS = 105
ETIMEDOUT = 110
EALREADY = 114
EINPROGRESS = 115
ECANCELED = 125
# Kernel-internal codes (include/linux/errno.h), never seen by userspace.
ERESTARTSYS = 512
ENOIOCTLCMD = 515
EPROBE_DEFER = 517
ENOTSUPP = 524

MAX_ERRNO = 4095

_NAMES = {v: k for k, v in sorted(globals().items())
          if k.startswith("E") and isinstance(v, int) and k != "MAX_ERRNO"}


def errname(err: int):
    """Symbolic name of an errno, sign ignored: errname(-19) -> "ENODEV".

    Returns None for an unknown number, like the kernel's errname().
    """
    return _NAMES.get(abs(err))


def err_str(err: int) -> str:
    """printk's %pe: "-ENODEV", or the decimal number when unknown."""
    name = errname(err)
    if name is None:
        return str(err)
    return ("-" if err < 0 else "") + name


def IS_ERR(x) -> bool:
    """True for a negative errno standing in for an ERR_PTR."""
    return isinstance(x, int) and not isinstance(x, bool) and -MAX_ERRNO <= x < 0


def IS_ERR_OR_NULL(x) -> bool:
    return x is None or IS_ERR(x)


def PTR_ERR(x) -> int:
    return x if IS_ERR(x) else 0


class KernelBug(Exception):
    """Driver misuse the kernel forbids (BUG_ON/WARN_ON territory).

    ``rule`` names the function whose contract was broken; str() reads like
    "free_netdev: device eth0 is still registered (call unregister_netdev first)".
    """

    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
