"""A small IPv4 host made of scapy: what answers and originates traffic where no real stack is.

`NetHost` is an address (MAC, IPv4) with an ARP cache. `receive(frame)` takes an Ethernet frame
addressed to it and returns the frames it answers with (ARP replies, ICMP echo replies) after
recording what it got (echo replies for `ping`, UDP datagrams for the sink). Where it sits
decides the topology:
  * on a NIC's wire (topology 1): frames the NIC transmits go to `receive`, the answers back
    into the NIC's receive stream (tb/harness/topology.WirePeer);
  * on a netdev's stack side (topology 2): frames the driver delivers go to `receive`, the
    answers into ndo_start_xmit (tb/harness/topology.StackHost).
The transport (`send`) is given by the topology; times are simulated nanoseconds.
"""

from __future__ import annotations

from collections import defaultdict

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import ARP, Ether

BROADCAST = "ff:ff:ff:ff:ff:ff"


class NetHost:
    def __init__(self, mac: str, ip: str, now_ns):
        self.mac, self.ip, self.now_ns = mac.lower(), ip, now_ns
        self.arp = {}                        # ip -> mac
        self.echo_replies = {}               # (ident, seq) -> time received (ns)
        self.udp = defaultdict(list)         # dport -> payloads, in arrival order
        self.counts = defaultdict(int)       # what it received, by kind

    # ---- receiving
    def receive(self, frame: bytes) -> list[bytes]:
        pkt = Ether(frame)
        if pkt.dst.lower() not in (self.mac, BROADCAST):
            self.counts["not_for_me"] += 1
            return []
        if ARP in pkt:
            return self._arp(pkt[ARP])
        if IP not in pkt or pkt[IP].dst != self.ip:
            self.counts["other"] += 1
            return []
        self.arp.setdefault(pkt[IP].src, pkt.src.lower())
        if ICMP in pkt and pkt[ICMP].type == 8:
            self.counts["echo_request"] += 1
            icmp = pkt[ICMP]
            reply = IP(src=self.ip, dst=pkt[IP].src) / ICMP(type=0, id=icmp.id, seq=icmp.seq) / bytes(icmp.payload)
            return [bytes(Ether(src=self.mac, dst=pkt.src) / reply)]
        if ICMP in pkt and pkt[ICMP].type == 0:
            self.counts["echo_reply"] += 1
            self.echo_replies[(pkt[ICMP].id, pkt[ICMP].seq)] = self.now_ns()
            return []
        if UDP in pkt:
            self.counts["udp"] += 1
            udp = pkt[UDP]  # the datagram is udp.len long: the rest is Ethernet padding
            self.udp[udp.dport].append(bytes(udp.payload)[:udp.len - 8])
            return []
        self.counts["other"] += 1
        return []

    def _arp(self, arp) -> list[bytes]:
        self.arp[arp.psrc] = arp.hwsrc.lower()
        if arp.op == 1 and arp.pdst == self.ip:      # who-has us
            self.counts["arp_request"] += 1
            return [bytes(Ether(src=self.mac, dst=arp.hwsrc) /
                          ARP(op=2, hwsrc=self.mac, psrc=self.ip, hwdst=arp.hwsrc, pdst=arp.psrc))]
        self.counts["arp_reply" if arp.op == 2 else "arp_other"] += 1
        return []

    # ---- originating
    def arp_request(self, ip: str) -> bytes:
        return bytes(Ether(src=self.mac, dst=BROADCAST) / ARP(op=1, hwsrc=self.mac, psrc=self.ip, pdst=ip))

    def echo_request(self, ip: str, ident: int, seq: int, payload: bytes = bytes(range(56))) -> bytes:
        return bytes(Ether(src=self.mac, dst=self.arp[ip]) / IP(src=self.ip, dst=ip)
                     / ICMP(type=8, id=ident, seq=seq) / payload)

    def udp_datagram(self, ip: str, sport: int, dport: int, payload: bytes) -> bytes:
        return bytes(Ether(src=self.mac, dst=self.arp[ip]) / IP(src=self.ip, dst=ip)
                     / UDP(sport=sport, dport=dport) / payload)
