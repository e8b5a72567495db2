"""struct sk_buff with the kernel's geometry (include/linux/skbuff.h, net/core/skbuff.c).

The data lives in host DRAM (kmalloc'd head, pages for fragments) and is touched through the CPU
view like any other memory, so a NIC's DMA sees exactly what the CPU made visible. Pointers are
CPU virtual addresses:

    head <= data <= tail <= end        headroom = data - head, tailroom = end - tail
    len = (tail - data) + data_len     data_len = bytes in the paged fragments
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errno import ENOMEM
from .if_ether import ETH_HLEN, ETH_P_802_3_MIN, ETH_ZLEN
from .mm import PAGE_SIZE, alloc_pages, cpu_read, cpu_write, page_address, __free_pages
from .printk import kernel_bug
from .slab import kfree, kmalloc

NET_SKB_PAD = 64  # max(32, L1_CACHE_BYTES) rounded: headroom every netdev_alloc_skb leaves
NET_IP_ALIGN = 2  # so the IP header after the 14-byte Ethernet header is 4-byte aligned
MAX_SKB_FRAGS = 17
SKB_SHINFO_SIZE = 320  # sizeof(struct skb_shared_info), rounded, as on 32-bit ARM

CHECKSUM_NONE, CHECKSUM_UNNECESSARY, CHECKSUM_COMPLETE, CHECKSUM_PARTIAL = 0, 1, 2, 3
PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST = 0, 1, 2, 3


def SKB_DATA_ALIGN(n: int) -> int:  # noqa: N802 - the kernel's name
    return (n + 31) & ~31


@dataclass
class SkbFrag:
    """skb_frag_t: `size` bytes at `offset` into `page`."""

    page: object
    offset: int
    size: int


@dataclass
class SkbSharedInfo:
    frags: list = field(default_factory=list)

    @property
    def nr_frags(self) -> int:
        return len(self.frags)


class SkBuff:
    def __init__(self, head: int, size: int):
        self.head = self.data = self.tail = head
        self.end = head + size
        self.len = 0
        self.data_len = 0
        self.truesize = SKB_DATA_ALIGN(size) + SKB_SHINFO_SIZE
        self.shinfo = SkbSharedInfo()
        self.dev = None
        self.protocol = 0
        self.pkt_type = PACKET_HOST
        self.ip_summed = CHECKSUM_NONE
        self.csum_start = 0  # from head, as the kernel's u16
        self.csum_offset = 0  # from csum_start
        self.queue_mapping = 0
        self.mac_header = self.network_header = 0
        self.freed = False

    def __repr__(self):
        return (f"<sk_buff len {self.len} headroom {skb_headroom(self)} tailroom {skb_tailroom(self)}"
                f" frags {self.shinfo.nr_frags}>")


# ------------------------------------------------------------------ allocation
def alloc_skb(size: int, gfp: int = 0) -> SkBuff | None:
    head = kmalloc(SKB_DATA_ALIGN(size) + SKB_SHINFO_SIZE, gfp) if size >= 0 else 0
    return SkBuff(head, SKB_DATA_ALIGN(size)) if head else None


def netdev_alloc_skb(dev, length: int) -> SkBuff | None:
    skb = alloc_skb(length + NET_SKB_PAD)
    if skb is None:
        return None
    skb_reserve(skb, NET_SKB_PAD)
    skb.dev = dev
    return skb


def netdev_alloc_skb_ip_align(dev, length: int) -> SkBuff | None:
    skb = netdev_alloc_skb(dev, length + NET_IP_ALIGN)
    if skb is not None:
        skb_reserve(skb, NET_IP_ALIGN)
    return skb


def _check_live(skb: SkBuff, what: str) -> None:
    if skb.freed:
        raise kernel_bug(what, f"{what} on a freed sk_buff (use after free)")


def kfree_skb(skb: SkBuff | None) -> None:
    """Free the head and every fragment page; freeing twice is a BUG (double free)."""
    if skb is None:
        return
    _check_live(skb, "kfree_skb")
    for frag in skb.shinfo.frags:
        __free_pages(frag.page, 0)
    kfree(skb.head)
    skb.freed = True


consume_skb = dev_kfree_skb = dev_kfree_skb_any = dev_consume_skb_any = kfree_skb


# ------------------------------------------------------------------ geometry
def skb_headroom(skb: SkBuff) -> int:
    return skb.data - skb.head


def skb_tailroom(skb: SkBuff) -> int:
    return 0 if skb.data_len else skb.end - skb.tail


def skb_headlen(skb: SkBuff) -> int:
    return skb.len - skb.data_len


def skb_is_nonlinear(skb: SkBuff) -> bool:
    return skb.data_len != 0


def _panic(kind: str, skb: SkBuff, n: int) -> Exception:
    dev = skb.dev.name if skb.dev is not None else "<NULL>"
    return kernel_bug(kind, f"skbuff: len:{skb.len} put:{n} head:{skb.head:#x} data:{skb.data:#x} "
                            f"tail:{skb.tail - skb.head:#x} end:{skb.end - skb.head:#x} dev:{dev}")


def skb_reserve(skb: SkBuff, n: int) -> None:
    """Make headroom on an empty buffer."""
    if skb.len:
        raise kernel_bug("skb_reserve", "skb_reserve on a buffer that already holds data")
    skb.data += n
    skb.tail += n
    if skb.tail > skb.end:
        raise _panic("skb_over_panic", skb, n)


def skb_put(skb: SkBuff, n: int) -> int:
    """Extend the data at the tail; returns where the new bytes go."""
    _check_live(skb, "skb_put")
    if skb_is_nonlinear(skb):
        raise kernel_bug("skb_put", "skb_put on a nonlinear sk_buff (SKB_LINEAR_ASSERT)")
    start = skb.tail
    skb.tail += n
    skb.len += n
    if skb.tail > skb.end:
        raise _panic("skb_over_panic", skb, n)
    return start


def skb_put_data(skb: SkBuff, data: bytes) -> int:
    start = skb_put(skb, len(data))
    cpu_write(start, data)
    return start


def skb_put_zero(skb: SkBuff, n: int) -> int:
    return skb_put_data(skb, bytes(n))


def skb_push(skb: SkBuff, n: int) -> int:
    skb.data -= n
    skb.len += n
    if skb.data < skb.head:
        raise _panic("skb_under_panic", skb, n)
    return skb.data


def skb_pull(skb: SkBuff, n: int) -> int | None:
    """Remove `n` bytes from the start; None (NULL) if the linear part is shorter."""
    if n > skb_headlen(skb):
        return None
    skb.data += n
    skb.len -= n
    return skb.data


def skb_put_padto(skb: SkBuff, length: int) -> int:
    """Zero-pad to `length`; on failure the skb is freed and -ENOMEM returned (as the kernel)."""
    if skb.len >= length:
        return 0
    pad = length - skb.len
    if skb_tailroom(skb) < pad:
        kfree_skb(skb)
        return -ENOMEM
    skb_put_zero(skb, pad)
    return 0


def eth_skb_pad(skb: SkBuff) -> int:
    return skb_put_padto(skb, ETH_ZLEN)


# ------------------------------------------------------------------ fragments
def skb_fill_page_desc(skb: SkBuff, i: int, page, offset: int, size: int) -> None:
    if i != skb.shinfo.nr_frags or i >= MAX_SKB_FRAGS:
        raise kernel_bug("skb_fill_page_desc", f"fragment {i} of {skb.shinfo.nr_frags} (max {MAX_SKB_FRAGS})")
    skb.shinfo.frags.append(SkbFrag(page, offset, size))


def skb_add_rx_frag(skb: SkBuff, i: int, page, offset: int, size: int, truesize: int) -> None:
    skb_fill_page_desc(skb, i, page, offset, size)
    skb.len += size
    skb.data_len += size
    skb.truesize += truesize


def skb_frag_address(frag: SkbFrag) -> int:
    return page_address(frag.page) + frag.offset


def skb_frag_size(frag: SkbFrag) -> int:
    return frag.size


# ------------------------------------------------------------------ contents
def skb_linear_bytes(skb: SkBuff) -> bytes:
    return cpu_read(skb.data, skb_headlen(skb))


def skb_bytes(skb: SkBuff) -> bytes:
    """The whole packet as the CPU sees it (linear part, then the fragments)."""
    _check_live(skb, "skb_bytes")
    out = bytearray(skb_linear_bytes(skb))
    for frag in skb.shinfo.frags:
        out += cpu_read(skb_frag_address(frag), frag.size)
    return bytes(out)


def skb_from_bytes(dev, frame: bytes, frag_sizes: tuple = (), headroom: int = NET_SKB_PAD) -> SkBuff:
    """A TX skb as the stack hands it over: `frame` split into a linear part and page fragments
    of `frag_sizes` bytes (the last ones), each fragment in a page of its own at an odd offset."""
    linear = len(frame) - sum(frag_sizes)
    if linear < 0:
        raise ValueError("fragments longer than the frame")
    skb = alloc_skb(linear + headroom)
    if skb is None:
        raise MemoryError("alloc_skb failed")
    skb.dev = dev
    skb_reserve(skb, headroom)
    skb_put_data(skb, frame[:linear])
    pos = linear
    for i, size in enumerate(frag_sizes):
        page = alloc_pages(0, 0)
        if page is None or size > PAGE_SIZE - 8:
            raise MemoryError("fragment page")
        offset = 8 + i % 4  # unaligned on purpose: the NIC must cope with any byte offset
        cpu_write(page_address(page) + offset, frame[pos:pos + size])
        skb_add_rx_frag(skb, i, page, offset, size, PAGE_SIZE)
        pos += size
    return skb


def skb_from_scapy(dev, pkt, frag_sizes: tuple = ()) -> SkBuff:
    """An skb holding a scapy packet's bytes (no FCS: the NIC appends it)."""
    return skb_from_bytes(dev, bytes(pkt), frag_sizes)


def eth_type_trans(skb: SkBuff, dev) -> int:
    """Set pkt_type from the destination, pull the Ethernet header, return the protocol (host order)."""
    hdr = cpu_read(skb.data, ETH_HLEN)
    dest = hdr[:6]
    skb.dev = dev
    skb.mac_header = skb.data - skb.head
    if dest[0] & 1:
        skb.pkt_type = PACKET_BROADCAST if dest == b"\xff" * 6 else PACKET_MULTICAST
    elif dest != bytes(dev.dev_addr):
        skb.pkt_type = PACKET_OTHERHOST
    skb_pull(skb, ETH_HLEN)
    skb.network_header = skb.data - skb.head
    proto = int.from_bytes(hdr[12:14], "big")
    skb.protocol = proto if proto >= ETH_P_802_3_MIN else 0x0004  # ETH_P_802_2
    return skb.protocol


# ------------------------------------------------------------------ checksums
def skb_checksum_none_assert(skb: SkBuff) -> None:
    """skbuff.h: a driver about to set ip_summed from its RX descriptor finds CHECKSUM_NONE."""
    if skb.ip_summed != CHECKSUM_NONE:
        raise kernel_bug("skb_checksum_none_assert", f"skb_checksum_none_assert: ip_summed {skb.ip_summed}, "
                                                     "not CHECKSUM_NONE")


def csum_fold(total: int) -> int:
    """Fold a 32-bit (or wider) ones'-complement sum to 16 bits and complement it."""
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def csum_partial(data: bytes, total: int = 0) -> int:
    """The ones'-complement sum of `data` as 16-bit big-endian words (not folded, not complemented)."""
    if len(data) & 1:
        data += b"\0"
    return total + sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))


def skb_partial_csum_set(skb: SkBuff, start: int, off: int) -> bool:
    """CHECKSUM_PARTIAL: the device (or skb_checksum_help) sums from `start` (from data) to the
    end and stores the result `off` bytes further; the field holds the pseudo-header sum."""
    if start + off + 2 > skb.len:
        return False
    skb.ip_summed = CHECKSUM_PARTIAL
    skb.csum_start = skb_headroom(skb) + start
    skb.csum_offset = off
    return True


def _write_at(skb: SkBuff, pos: int, data: bytes) -> None:
    """Write bytes at packet offset `pos` (linear part or a fragment)."""
    if pos < skb_headlen(skb):
        cpu_write(skb.data + pos, data)
        return
    pos -= skb_headlen(skb)
    for frag in skb.shinfo.frags:
        if pos < frag.size:
            cpu_write(skb_frag_address(frag) + pos, data)
            return
        pos -= frag.size
    raise kernel_bug("skb_checksum_help", "checksum offset beyond the packet")


def skb_checksum_help(skb: SkBuff) -> int:
    """Finish a CHECKSUM_PARTIAL skb in software: what the seed driver did for every packet."""
    if skb.ip_summed != CHECKSUM_PARTIAL:
        return 0
    start = skb.csum_start - skb_headroom(skb)
    payload = skb_bytes(skb)
    csum = csum_fold(csum_partial(payload[start:]))
    _write_at(skb, start + skb.csum_offset, csum.to_bytes(2, "big"))
    skb.ip_summed = CHECKSUM_NONE
    return 0
