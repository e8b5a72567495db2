"""Ethernet frame helpers every bench and test shares: the FCS as the wire carries it and the
8254x's multicast table index."""

from __future__ import annotations

import zlib


def mac_bytes(mac: str) -> bytes:
    """"02:0a:35:00:00:01" -> the six octets, first on the wire first."""
    return bytes.fromhex(mac.replace(":", ""))


def fcs(f: bytes) -> bytes:
    """IEEE 802.3 CRC-32 of the frame, least significant byte first (as transmitted)."""
    return zlib.crc32(f).to_bytes(4, "little")


def with_fcs(f: bytes) -> bytes:
    return f + fcs(f)


def mta_hash(dst: str, mo: int = 0) -> int:
    """The MTA bit index for RCTL.MO = `mo` (8254x SDM, MTA; QEMU e1000x_rx_group_filter):
    ((dest[5] << 8 | dest[4]) >> {4, 3, 2, 0}[MO]) & 0xFFF."""
    d = mac_bytes(dst)
    return (((d[5] << 8) | d[4]) >> (4, 3, 2, 0)[mo]) & 0xFFF
