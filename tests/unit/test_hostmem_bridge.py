"""tb/harness/hostmem_bridge.py's strobed write: exactly the strobed bytes land, in as few DRAM writes as
contiguous runs allow."""

import random

from tb.harness.hostmem_bridge import BridgePort


class Dram:
    def __init__(self):
        self.mem, self.writes = bytearray(256), 0

    def _dev_write(self, addr, data):
        self.mem[addr:addr + len(data)] = data
        self.writes += 1


def apply(raw: bytes, strb: int) -> Dram:
    port = BridgePort.__new__(BridgePort)  # no simulator: only the strobe logic is under test
    port.hostmem = Dram()
    port._apply(0, raw, strb)
    return port.hostmem


def test_random_strobes_write_exactly_the_strobed_bytes():
    rng = random.Random(7)
    for _ in range(500):
        beats = rng.randint(1, 16)
        raw = bytes(rng.randrange(256) for _ in range(8 * beats))
        strb = rng.getrandbits(8 * beats)
        want = bytearray(256)
        for i in range(8 * beats):
            if strb >> i & 1:
                want[i] = raw[i]
        assert apply(raw, strb).mem == want


def test_rx_payload_at_offset_two_is_one_write():
    """An RX buffer written from NET_IP_ALIGN: first beat from lane 2, then whole beats."""
    raw = bytes(range(128))
    dram = apply(raw, ((1 << 128) - 1) & ~0b11)
    assert dram.writes == 1 and dram.mem[:2] == b"\0\0" and dram.mem[2:128] == raw[2:]


def test_request_word_layout():
    """host_mem_bridge.v packs {AxID, AxBURST, AxSIZE, AxLEN, AxADDR} low to high into one word."""
    from tb.harness.hostmem_bridge import decode

    word = (0x5 << 45) | (1 << 43) | (3 << 40) | (255 << 32) | 0x1234_5002
    addr, beats, burst, span = decode(word)
    assert (addr, beats, burst) == (0x1234_5002, 256, 1)
    assert span == (0x1234_5002, 256 * 8 - 2)   # INCR from an unaligned start: to the end of the last beat
