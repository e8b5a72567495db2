"""ringnic descriptors: the legacy TX and RX layouts (generated from rtl/ringnic_desc.rdl by `make regs`; do not edit).

As e1000_hw.h: <P>_<MEMBER> is a struct member's byte offset, <P>_<FIELD> a field's mask
within its member (TXD_CMD_EOP in lower.data, RXD_STAT_DD in status), _SHIFT a multi-bit
field's lsb there; pack/unpack convert between member values and the 16 bytes."""

# fmt: off
DESC_SIZE = 16

# Legacy Transmit Descriptor
TXD_BUFFER_ADDR = 0
TXD_LOWER = 8
TXD_LENGTH = 0x0000FFFF
TXD_LENGTH_SHIFT = 0
TXD_CSO = 0x00FF0000
TXD_CSO_SHIFT = 16
TXD_CMD_EOP = 0x01000000
TXD_CMD_IFCS = 0x02000000
TXD_CMD_IC = 0x04000000
TXD_CMD_RS = 0x08000000
TXD_CMD_RPS = 0x10000000
TXD_CMD_DEXT = 0x20000000
TXD_CMD_VLE = 0x40000000
TXD_CMD_IDE = 0x80000000
TXD_UPPER = 12
TXD_STAT_DD = 0x00000001
TXD_STAT_EC = 0x00000002
TXD_STAT_LC = 0x00000004
TXD_STAT_TU = 0x00000008
TXD_CSS = 0x0000FF00
TXD_CSS_SHIFT = 8
TXD_SPECIAL = 0xFFFF0000
TXD_SPECIAL_SHIFT = 16
TXD_LAYOUT = (('buffer_addr', 0, 8), ('lower', 8, 4), ('upper', 12, 4),)

# Receive Descriptor
RXD_BUFFER_ADDR = 0
RXD_LENGTH = 8
RXD_CSUM = 10
RXD_STATUS = 12
RXD_STAT_DD = 0x01
RXD_STAT_EOP = 0x02
RXD_STAT_IXSM = 0x04
RXD_STAT_VP = 0x08
RXD_STAT_TCPCS = 0x20
RXD_STAT_IPCS = 0x40
RXD_STAT_PIF = 0x80
RXD_ERRORS = 13
RXD_ERR_CE = 0x01
RXD_ERR_SE = 0x02
RXD_ERR_SEQ = 0x04
RXD_ERR_CXE = 0x10
RXD_ERR_TCPE = 0x20
RXD_ERR_IPE = 0x40
RXD_ERR_RXE = 0x80
RXD_SPECIAL = 14
RXD_LAYOUT = (('buffer_addr', 0, 8), ('length', 8, 2), ('csum', 10, 2), ('status', 12, 1), ('errors', 13, 1), ('special', 14, 2),)


def pack(layout, **members: int) -> bytes:
    """The 16 bytes of a descriptor from member values by name (TXD_LAYOUT's or RXD_LAYOUT's), 0 if absent."""
    out = bytearray(DESC_SIZE)
    for name, off, size in layout:
        out[off:off + size] = members.pop(name, 0).to_bytes(size, "little")
    if members:
        raise TypeError(f"no member {sorted(members)} in a descriptor of {[n for n, _, _ in layout]}")
    return bytes(out)


def unpack(layout, data: bytes, start: int = 0) -> dict[str, int]:
    """Member values by name from descriptor bytes `start`.. (e.g. 8 for a write-back beat)."""
    return {name: int.from_bytes(data[off - start:off - start + size], "little")
            for name, off, size in layout if off >= start and off - start + size <= len(data)}
