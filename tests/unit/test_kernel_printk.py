"""printk/dmesg with a fake clock, dev_* prefixes, console forwarding, errno and KernelBug."""

import errno as host_errno
import logging

import pytest

from pydriver.kernel import KernelBug, boot, current
from pydriver.kernel import errno as E
from pydriver.kernel import printk as P
from pydriver.kernel.core import Device
from pydriver.kernel.platform import PlatformDevice


def test_dmesg_timestamps_come_from_the_clock(clock):
    P.pr_info("at zero")
    clock.ns = 123_456
    P.pr_err("at 123 us")
    clock.ns = 1_500_000_000
    P.pr_warn("at 1.5 s\n")                     # trailing newline dropped
    clock.ns = 12_345_000_001_999
    P.printk(P.KERN_NOTICE, "value %d, hex %#x", 7, 255)
    assert P.dmesg() == [
        "[    0.000000] at zero",
        "[    0.000123] at 123 us",
        "[    1.500000] at 1.5 s",
        "[12345.000001] value 7, hex 0xff",
    ]


def test_default_clock_is_zero():
    boot()
    P.pr_info("x")
    assert P.dmesg() == ["[    0.000000] x"]


def test_dmesg_level_filter_and_clear(clock):
    P.pr_debug("dbg")
    P.pr_info("info")
    P.pr_err("err")
    assert [line[15:] for line in P.dmesg()] == ["dbg", "info", "err"]   # default: all levels
    assert [line[15:] for line in P.dmesg(P.KERN_INFO)] == ["info", "err"]
    assert [line[15:] for line in P.dmesg(P.KERN_ERR, clear=True)] == ["err"]
    assert P.dmesg() == []
    P.pr_info("again")
    P.dmesg_clear()
    assert P.dmesg() == []
    current().dmesg_loglevel = P.KERN_WARNING
    P.pr_info("hidden")
    assert P.dmesg() == [] and P.dmesg(P.KERN_DEBUG) == ["[    0.000000] hidden"]


def test_console_loglevel_gates_python_logging(clock, caplog):
    caplog.set_level(logging.DEBUG, logger="kernel")
    clock.ns = 2_000
    P.pr_err("to console")
    P.pr_debug("buffer only")
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("kernel", logging.ERROR, "[    0.000002] to console")]
    current().console_loglevel = 8
    P.pr_debug("now visible")
    assert caplog.records[-1].getMessage() == "[    0.000002] now visible"


def test_dev_printk_prefixes(clock):
    pdev = PlatformDevice("43c00000.ethernet")
    P.dev_info(pdev.dev, "unbound")
    pdev.dev.driver = type("Drv", (), {"name": "ringnic"})()
    P.dev_err(pdev.dev, "bound %s", "yes")
    P.dev_dbg(pdev.dev, "debug")
    P.dev_warn(Device("busless"), "no bus")
    P.dev_err(None, "null")
    assert [line.split("] ", 1)[1] for line in P.dmesg()] == [
        "platform 43c00000.ethernet: unbound",
        "ringnic 43c00000.ethernet: bound yes",
        "ringnic 43c00000.ethernet: debug",
        "busless: no bus",
        "(NULL device *): null",
    ]
    assert current().log_buf[2].level == P.KERN_DEBUG


def test_dev_printk_wants_the_struct_device(clock):
    with pytest.raises(TypeError, match=r"dev_err: expected a struct device \(pass pdev.dev"):
        P.dev_err(PlatformDevice("x"), "oops")


def test_dev_err_probe(clock):
    dev = PlatformDevice("43c00000.ethernet").dev
    assert P.dev_err_probe(dev, -E.ENXIO, "IRQ index %u not found", 0) == -E.ENXIO
    assert P.dev_err_probe(dev, -E.ENOMEM, "quiet") == -E.ENOMEM
    assert P.dev_err_probe(dev, -E.EPROBE_DEFER, "later") == -E.EPROBE_DEFER
    assert [line.split("] ", 1)[1] for line in P.dmesg()] == [
        "platform 43c00000.ethernet: error -ENXIO: IRQ index 0 not found",
        "platform 43c00000.ethernet: error -EPROBE_DEFER: later",
    ]
    assert current().log_buf[-1].level == P.KERN_DEBUG


def test_errno_values_match_linux():
    for name in ("EPERM", "ENOENT", "EIO", "ENXIO", "ENOMEM", "EBUSY", "EEXIST", "ENODEV",
                 "EINVAL", "ENOSPC", "EADDRNOTAVAIL", "ETIMEDOUT", "EOPNOTSUPP", "ENODATA",
                 "EOVERFLOW", "EILSEQ", "EAGAIN", "ENOBUFS"):
        assert getattr(E, name) == getattr(host_errno, name), name
    assert (E.EPROBE_DEFER, E.ENOTSUPP, E.ERESTARTSYS) == (517, 524, 512)
    assert E.errname(-19) == "ENODEV" and E.errname(517) == "EPROBE_DEFER"
    assert E.errname(-4000) is None
    assert (E.err_str(-E.ENODEV), E.err_str(-4000)) == ("-ENODEV", "-4000")


def test_err_ptr_helpers():
    assert E.IS_ERR(-E.EBUSY) and not E.IS_ERR(0) and not E.IS_ERR(object()) and not E.IS_ERR(-5000)
    assert E.IS_ERR_OR_NULL(None) and E.PTR_ERR(-E.EBUSY) == -E.EBUSY and E.PTR_ERR("obj") == 0


def test_kernel_bug_names_the_rule(clock):
    bug = P.kernel_bug("free_netdev", "device eth0 is still registered (call unregister_netdev first)")
    assert isinstance(bug, KernelBug) and isinstance(bug, Exception)
    assert str(bug) == "free_netdev: device eth0 is still registered (call unregister_netdev first)"
    assert (bug.rule, current().bugs) == ("free_netdev", [bug])
    assert P.dmesg() == ["[    0.000000] kernel BUG: " + str(bug)]


def test_boot_gives_a_clean_kernel(clock):
    P.pr_info("old")
    k1 = current()
    k2 = boot()
    assert k2 is current() and k2 is not k1 and P.dmesg() == []
    assert [d.name for d in k2.netdevs] == ["lo"] and k2.ifindex == 1
