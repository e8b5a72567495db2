"""The PHY side of the link: what drives each NIC's `phy_link_up` pin (rtl/ringnic.v).

A `Cable` joins the two NICs of the pair top (tb/hdl/ringnic_pair.v): pulling it takes the link
down at both ends in the same cycle, as unplugging a patch cable does; plugging it back brings
both up. The single NIC's wire peer (tb/harness/topology.py's WirePeer) has a `PhyLink` of its own. The
NIC sees the level on STATUS.LU (with CTRL.SLU) and raises ICR.LSC on every change.
"""

from __future__ import annotations


class PhyLink:
    """One NIC's link pin, up until told otherwise (RingnicTB drives it to 1 at start)."""

    def __init__(self, pin):
        self.pin = pin
        self.changes = 0

    @property
    def up(self) -> bool:
        return bool(int(self.pin.value))

    def set(self, up: bool) -> None:
        if up != self.up:
            self.changes += 1
        self.pin.value = int(up)


class Cable:
    """The pair's cable: `pull()` and `plug()` set both ends' links together."""

    def __init__(self, *ends: PhyLink):
        self.ends = ends
        self.pulls = 0

    @classmethod
    def between(cls, *tbs) -> "Cable":
        return cls(*(PhyLink(tb.phy_link) for tb in tbs))

    @property
    def plugged(self) -> bool:
        return all(e.up for e in self.ends)

    def pull(self) -> None:
        self.pulls += self.plugged
        for e in self.ends:
            e.set(False)

    def plug(self) -> None:
        for e in self.ends:
            e.set(True)
