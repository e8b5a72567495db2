"""`ethtool` as a user types it, against the kernel model: ``await ethtool("-S sn0")`` returns the
text the real tool prints (its formats for plain, -i, -g/-G, -s msglvl, -S, -d, -k/-K, -c/-C,
-r), going only through the netdev's ethtool_ops via the core (pydriver/kernel/ethtool.py), as
the ioctl does. A failure raises EthtoolError with the tool's message and the errno.

`stats(ndev)` is `ethtool -S` as a dict (it folds the NIC's counters, as e1000's
get_ethtool_stats does): what the harness uses instead of calling into the driver.
"""

from __future__ import annotations

import os
import shlex

from pydriver.kernel import ethtool as core
from pydriver.kernel.errno import EINVAL, ENODEV, EOPNOTSUPP
from pydriver.kernel.netdevice import NETIF_F_HW_CSUM, NETIF_F_IP_CSUM, NETIF_F_IPV6_CSUM, NETIF_F_SG, dev_get_by_name
from pydriver.ringnic import regs as rmap

STRERROR = {EINVAL: "Invalid argument", EOPNOTSUPP: "Operation not supported", ENODEV: "No such device"}
# The ringnic register dump's layout (ethtool's own decoder per driver, as its e1000.c): version 1.
RINGNIC_REGS_V1 = ("CTRL", "STATUS", "IMS", "ITR", "RCTL", "RDBAL", "RDLEN", "RDH", "RDT", "RDTR", "RADV",
                   "TCTL", "TIPG", "TDBAL", "TDLEN", "TDH", "TDT", "TIDV", "TADV", "RAL0", "RAH0",
                   "RNID", "RNVER", "RNCAPS", "RNTXERR", "RNRXERR")
MSG_NAMES = ("drv", "probe", "link", "timer", "ifdown", "ifup", "rx_err", "tx_err", "tx_queued", "intr",
             "tx_done", "rx_status", "pktdata", "hw", "wol")
COALESCE = (("rx-usecs", "rx_coalesce_usecs"), ("rx-frames", "rx_max_coalesced_frames"),
            ("rx-usecs-irq", "rx_coalesce_usecs_irq"), ("rx-frames-irq", "rx_max_coalesced_frames_irq"),
            ("tx-usecs", "tx_coalesce_usecs"), ("tx-frames", "tx_max_coalesced_frames"),
            ("tx-usecs-irq", "tx_coalesce_usecs_irq"), ("tx-frames-irq", "tx_max_coalesced_frames_irq"),
            ("rx-usecs-low", "rx_coalesce_usecs_low"), ("rx-frame-low", "rx_max_coalesced_frames_low"),
            ("tx-usecs-low", "tx_coalesce_usecs_low"), ("tx-frame-low", "tx_max_coalesced_frames_low"),
            ("rx-usecs-high", "rx_coalesce_usecs_high"), ("rx-frame-high", "rx_max_coalesced_frames_high"),
            ("tx-usecs-high", "tx_coalesce_usecs_high"), ("tx-frame-high", "tx_max_coalesced_frames_high"))
# (ethtool -k name, feature bit, -K short name); children indented under their parent
FEATURES = (("rx-checksumming", core.NETIF_F_RXCSUM, "rx", 0),
            ("tx-checksumming", NETIF_F_IP_CSUM | NETIF_F_HW_CSUM | NETIF_F_IPV6_CSUM, "tx", 0),
            ("tx-checksum-ipv4", NETIF_F_IP_CSUM, None, 1), ("tx-checksum-ip-generic", NETIF_F_HW_CSUM, None, 1),
            ("tx-checksum-ipv6", NETIF_F_IPV6_CSUM, None, 1),
            ("scatter-gather", NETIF_F_SG, "sg", 0), ("tx-scatter-gather", NETIF_F_SG, None, 1))


class EthtoolError(Exception):
    def __init__(self, message: str, err: int):
        super().__init__(message)
        self.errno = -err if err < 0 else err


def _fail(what: str, err: int):
    raise EthtoolError(f"{what}: {STRERROR.get(abs(err)) or os.strerror(abs(err))}", err)


def _dev(name: str):
    dev = dev_get_by_name(name)
    if dev is None:
        raise EthtoolError(f"Cannot get control socket: no device {name}", -ENODEV)
    return dev


async def stats(ndev) -> dict:
    """`ethtool -S` as {name: value}."""
    err, pairs = await core.ethtool_get_stats(ndev)
    if err:
        _fail("Cannot get stats information", err)
    return dict(pairs)


async def ethtool(cmdline: str) -> str:
    """Run `ethtool <cmdline>`; returns what it prints (no trailing newline)."""
    argv = shlex.split(cmdline)
    if len(argv) == 1 and not argv[0].startswith("-"):
        return await _settings(_dev(argv[0]))
    if len(argv) < 2:
        raise EthtoolError("ethtool: bad command line argument(s)", -EINVAL)
    opt, dev, rest = argv[0], _dev(argv[1]), argv[2:]
    handlers = {"-i": _drvinfo, "-g": _ring, "-G": _set_ring, "-S": _stats, "-d": _regs, "-k": _features,
                "-K": _set_features, "-c": _coalesce, "-C": _set_coalesce, "-r": _nway, "-s": _set}
    if opt not in handlers:
        raise EthtoolError(f"ethtool: unsupported option {opt}", -EINVAL)
    return await handlers[opt](dev, rest)


def _pairs(rest: list) -> list:
    if len(rest) % 2:
        raise EthtoolError(f"ethtool: missing value for {rest[-1]}", -EINVAL)
    return [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]


def _msglevel_lines(level: int) -> list:
    names = " ".join(n for i, n in enumerate(MSG_NAMES) if level >> i & 1)
    return [f"\tCurrent message level: 0x{level:08x} ({level})", f"\t\t\t       {names}"]


async def _settings(dev) -> str:
    out = [f"Settings for {dev.name}:"]
    err, ks = await core.ethtool_get_link_ksettings(dev)
    if not err:
        modes = " ".join(sorted(m for m in ks.supported if "/" in m)) or "Not reported"
        adv = " ".join(sorted(m for m in ks.advertising if "/" in m)) or "Not reported"
        an = "Yes" if "Autoneg" in ks.supported else "No"
        speed = f"{ks.speed}Mb/s" if ks.speed > 0 else "Unknown!"
        duplex = {core.DUPLEX_FULL: "Full", core.DUPLEX_HALF: "Half"}.get(ks.duplex, f"Unknown! ({ks.duplex})")
        out += [f"\tSupported ports: [ {'TP' if 'TP' in ks.supported else ''} ]",
                f"\tSupported link modes:   {modes}", "\tSupported pause frame use: No",
                f"\tSupports auto-negotiation: {an}", "\tSupported FEC modes: Not reported",
                f"\tAdvertised link modes:  {adv}", "\tAdvertised pause frame use: No",
                f"\tAdvertised auto-negotiation: {an}", "\tAdvertised FEC modes: Not reported",
                f"\tSpeed: {speed}", f"\tDuplex: {duplex}",
                f"\tAuto-negotiation: {'on' if ks.autoneg else 'off'}",
                f"\tPort: {'Twisted Pair' if ks.port == core.PORT_TP else 'Other'}", f"\tPHYAD: {ks.phy_address}",
                "\tTransceiver: internal", "\tMDI-X: Unknown"]
    level = await core.ethtool_get_msglevel(dev)
    if level >= 0:
        out += _msglevel_lines(level)
    link = await core.ethtool_get_link(dev)
    if link >= 0:
        out.append(f"\tLink detected: {'yes' if link else 'no'}")
    return "\n".join(out)


async def _drvinfo(dev, rest) -> str:
    info = await core.ethtool_get_drvinfo(dev)
    yn = lambda b: "yes" if b else "no"  # noqa: E731
    return "\n".join([f"driver: {info.driver}", f"version: {info.version}", f"firmware-version: {info.fw_version}",
                      f"expansion-rom-version: {info.erom_version}", f"bus-info: {info.bus_info}",
                      f"supports-statistics: {yn(info.n_stats)}", f"supports-test: {yn(info.testinfo_len)}",
                      f"supports-eeprom-access: {yn(info.eedump_len)}",
                      f"supports-register-dump: {yn(info.regdump_len)}", f"supports-priv-flags: {yn(info.n_priv_flags)}"])


async def _ring(dev, rest) -> str:
    err, r = await core.ethtool_get_ringparam(dev)
    if err:
        _fail("Cannot get device ring settings", err)
    na = lambda v: str(v) if v else "n/a"  # noqa: E731
    block = lambda rx, mini, jumbo, tx: [f"RX:\t\t{na(rx)}", f"RX Mini:\t{na(mini)}", f"RX Jumbo:\t{na(jumbo)}",  # noqa: E731
                                         f"TX:\t\t{na(tx)}"]
    return "\n".join([f"Ring parameters for {dev.name}:", "Pre-set maximums:",
                      *block(r.rx_max_pending, r.rx_mini_max_pending, r.rx_jumbo_max_pending, r.tx_max_pending),
                      "Current hardware settings:",
                      *block(r.rx_pending, r.rx_mini_pending, r.rx_jumbo_pending, r.tx_pending)])


async def _set_ring(dev, rest) -> str:
    names = {"rx": "rx_pending", "rx-mini": "rx_mini_pending", "rx-jumbo": "rx_jumbo_pending", "tx": "tx_pending"}
    changes = {}
    for k, v in _pairs(rest):
        if k not in names:
            raise EthtoolError(f"ethtool: bad ring parameter {k}", -EINVAL)
        changes[names[k]] = int(v, 0)
    err = await core.ethtool_set_ringparam(dev, **changes)
    if err:
        _fail("Cannot set device ring parameters", err)
    return ""


async def _stats(dev, rest) -> str:
    return "\n".join(["NIC statistics:", *[f"     {k}: {v}" for k, v in (await stats(dev)).items()]])


async def _regs(dev, rest) -> str:
    err, dump = await core.ethtool_get_regs(dev)
    if err:
        _fail("Cannot get register dump", err)
    version, words = dump
    info = await core.ethtool_get_drvinfo(dev)
    if info.driver != "ringnic" or version != 1 or len(words) != len(RINGNIC_REGS_V1):
        out = ["Offset\t\tValues", "------\t\t------"]  # no decoder: ethtool's hex dump
        raw = b"".join(w.to_bytes(4, "little") for w in words)
        out += [f"0x{i:04x}:\t\t" + " ".join(f"{b:02x}" for b in raw[i:i + 16]) for i in range(0, len(raw), 16)]
        return "\n".join(out)
    # the decoder knows the register map, as ethtool's e1000.c knows e1000's
    return "\n".join(["MAC Registers", "-------------"]
                     + [f"0x{getattr(rmap, n):05X}: {n:<8} 0x{w:08X}" for n, w in zip(RINGNIC_REGS_V1, words)])


def _feature_lines(dev) -> list:
    out = []
    for name, bit, _, depth in FEATURES:
        on = "on" if dev.features & bit else "off"
        fixed = "" if dev.hw_features & bit else " [fixed]"
        out.append("\t" * depth + f"{name}: {on}{fixed}")
    return out


async def _features(dev, rest) -> str:
    return "\n".join([f"Features for {dev.name}:", *_feature_lines(dev)])


async def _set_features(dev, rest) -> str:
    on = off = 0
    by_name = {n: b for n, b, _, _ in FEATURES} | {s: b for _, b, s, _ in FEATURES if s}
    for k, v in _pairs(rest):
        if k not in by_name or v not in ("on", "off"):
            raise EthtoolError(f"ethtool: bad feature {k} {v}", -EINVAL)
        bit = by_name[k] & dev.hw_features
        if not bit:  # a fixed feature: the core leaves it (ETHTOOL_F_UNSUPPORTED)
            raise EthtoolError("Could not change any device features", -EOPNOTSUPP)
        if v == "on":
            on |= bit
        else:
            off |= bit
    before = _feature_lines(dev)
    err = await core.ethtool_set_features(dev, on=on, off=off)
    if err:
        _fail("Could not change any device features", err)
    after = _feature_lines(dev)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    # As the tool: list what changed when it is more (or other) than what was asked for.
    surprise = any(FEATURES[i][1] & ~(on | off) for i in changed) or (on & ~dev.features) or (off & dev.features)
    return "\n".join(["Actual changes:", *[after[i] for i in changed]]) if surprise else ""


async def _coalesce(dev, rest) -> str:
    err, ec = await core.ethtool_get_coalesce(dev)
    if err:
        _fail("Cannot get device coalesce settings", err)
    sup = (dev.ethtool_ops or core.EthtoolOps()).supported_coalesce_params
    bits = core._COALESCE_BITS

    def val(field: str) -> str:
        return str(getattr(ec, field)) if sup & bits.get(field, 0) else "n/a"

    out = [f"Coalesce parameters for {dev.name}:", "Adaptive RX: n/a  TX: n/a", "stats-block-usecs:\tn/a",
           "sample-interval:\tn/a", "pkt-rate-low:\t\tn/a", "pkt-rate-high:\t\tn/a"]
    for i, (name, field) in enumerate(COALESCE):
        if i % 4 == 0:
            out.append("")
        out.append(f"{name}:\t{val(field)}")
    return "\n".join(out + ["", "CQE mode RX: n/a  TX: n/a"])


async def _set_coalesce(dev, rest) -> str:
    names = dict(COALESCE)
    changes = {}
    for k, v in _pairs(rest):
        if k not in names:
            raise EthtoolError(f"ethtool: bad coalesce parameter {k}", -EINVAL)
        changes[names[k]] = int(v, 0)
    err = await core.ethtool_set_coalesce(dev, **changes)
    if err:
        _fail("Cannot set device coalesce parameters", err)
    return ""


async def _nway(dev, rest) -> str:
    err = await core.ethtool_nway_reset(dev)
    if err:
        _fail("Cannot restart autonegotiation", err)
    return ""


async def _set(dev, rest) -> str:
    if len(rest) < 2 or rest[0] != "msglvl":
        raise EthtoolError("ethtool: only -s DEV msglvl N|TYPE on|off ... is modelled", -EINVAL)
    level = await core.ethtool_get_msglevel(dev)
    if level < 0:
        _fail("Cannot get message level", level)
    if len(rest) == 2:
        level = int(rest[1], 0)
    else:  # msglvl TYPE on|off ...
        for name, v in _pairs(rest[1:]):
            if name not in MSG_NAMES or v not in ("on", "off"):
                raise EthtoolError(f"ethtool: bad message type {name} {v}", -EINVAL)
            bit = 1 << MSG_NAMES.index(name)
            level = level | bit if v == "on" else level & ~bit
    err = await core.ethtool_set_msglevel(dev, level)
    if err:
        _fail("Cannot set new msglvl", err)
    return ""
