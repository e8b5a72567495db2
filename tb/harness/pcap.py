"""Wire captures: every frame on a NIC's wire, both directions, written as a pcap next to the
test's waveform (build/waves/<sim>/<test>.pcap), with simulated time as the timestamp
(nanosecond pcap) so Wireshark's time column lines up with GTKWave's.

Frames are taken where the harness already handles them whole, so the capture costs Python per
frame, not per beat: the frames a wire peer queues on the NIC's receive stream (stamped with the
time their first beat went out) and the frames the NIC's transmit stream completes. Links that
no Python drives (two NICs wired in HDL) are recorded by an HDL tap (tb/hdl/axis_tap.v) that
Python reads once per frame.
The FCS is stripped, as a capture on a host NIC would show it; RINGNIC_PCAP=0 turns capture off.
"""

from __future__ import annotations

import os
from pathlib import Path

import cocotb
from cocotb.triggers import ReadOnly
from cocotb.utils import get_sim_time
from cocotbext.axi import AxiStreamFrame
from scapy.layers.l2 import Ether
from scapy.utils import PcapWriter, rdpcap

PS_PER_S = 10 ** 12


def enabled() -> bool:
    return os.environ.get("RINGNIC_PCAP", "1") != "0"


class WireCapture:
    """The frames on one wire; `write(path)` puts them in a pcap in the order they were seen."""

    def __init__(self, name: str):
        self.name = name
        self.frames = []  # AxiStreamFrame objects, stamped by cocotbext-axi (sim_time_start, ps)

    def tap_source(self, source) -> None:
        """Record every frame `source` (an AxiStreamSource) takes from its queue to send: it
        stamps the frame right after (send() queues a copy, so the caller's object is no use)."""
        get = source.queue.get_nowait

        def taken():
            frame = get()
            self.frames.append(frame)
            return frame
        source.queue.get_nowait = taken

    def tap_sink(self, sink) -> None:
        """Record every frame `sink` (an AxiStreamSink or Monitor) completes."""
        queue, put = sink.queue, sink.queue.put_nowait

        def recorded(frame):
            self.frames.append(frame)
            put(frame)
        queue.put_nowait = recorded

    def tap_hdl(self, tap, period_ns: float) -> None:
        """Read each frame an axis_tap (tb/hdl/axis_tap.v) recorded, once per frame."""
        cocotb.start_soon(self._read_tap(tap, period_ns))

    async def _read_tap(self, tap, period_ns: float) -> None:
        depth, mem = len(tap.mem) // 2, {}  # handles looked up once: a lookup costs as much as a read
        while True:
            await tap.frames.value_change
            await ReadOnly()  # the tap's other registers settle later in the step (Icarus shows it)
            if not tap.frames.value.is_resolvable or int(tap.frames.value) == 0:
                continue  # X -> 0 at reset (Icarus shows it): no frame yet
            bank, n = int(tap.last_bank.value), int(tap.last_len.value)
            words = []
            for i in range(bank * depth, bank * depth + min((n + 7) // 8, depth)):
                if i not in mem:
                    mem[i] = tap.mem[i]
                words.append(int(mem[i].value))
            frame = AxiStreamFrame(b"".join(w.to_bytes(8, "little") for w in words)[:n])
            age = int(tap.cycle.value) - int(tap.last_start.value)
            frame.sim_time_start = round((get_sim_time("ns") - age * period_ns) * 1000)  # ps, as cocotbext-axi
            self.frames.append(frame)

    def seen(self) -> list[tuple[int, bytes]]:
        """(time in ps, frame with FCS) of every frame that reached the wire, in time order."""
        out = [(f.sim_time_start, bytes(f.tdata)) for f in self.frames if f.sim_time_start is not None]
        return sorted(out, key=lambda x: x[0])

    def write(self, path: Path) -> Path | None:
        seen = self.seen()
        if not seen:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        with PcapWriter(str(path), nano=True, linktype=1, sync=False) as w:
            for t_ps, data in seen:
                pkt = Ether(data[:-4])
                pkt.time = t_ps / PS_PER_S
                w.write(pkt)
        return path


def read(path: Path) -> list[tuple[int, bytes]]:
    """(time in ns, frame) of each record of a pcap this module wrote."""
    return [(round(float(p.time) * 1e9), bytes(p)) for p in rdpcap(str(path))]
