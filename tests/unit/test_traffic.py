"""tb/harness/traffic.py's fast frame builder gives the bytes scapy builds, checksums included."""

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from tb.harness.traffic import NIC_MAC, PEER_MAC, PORT_DST, PORT_SRC, rx_frame, tx_frame, udp_frame_scapy


@pytest.mark.parametrize("i,size", [(0, 60), (1, 60), (77, 128), (255, 1514), (0x7FFF, 9018), (40000, 42)])
def test_frames_match_scapy(i, size):
    assert rx_frame(i, size) == udp_frame_scapy(i, size, NIC_MAC, PEER_MAC, "10.0.0.2", "10.0.0.1", PORT_DST)
    assert tx_frame(i, size) == udp_frame_scapy(i, size, PEER_MAC, NIC_MAC, "10.0.0.1", "10.0.0.2", PORT_SRC)


def test_checksums_verify():
    pkt = Ether(rx_frame(12345, 300))
    udp_sum, ip_sum = pkt[UDP].chksum, pkt[IP].chksum
    del pkt[UDP].chksum, pkt[IP].chksum
    rebuilt = Ether(bytes(pkt))
    assert (rebuilt[UDP].chksum, rebuilt[IP].chksum) == (udp_sum, ip_sum)
