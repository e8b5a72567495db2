"""Block bench for `ringnic_regs` (tests/rtl/test_regs.py, tests/rtl/test_regs_top.py, the register fuzz): a model
of every register from the elaborated RDL, raw AXI-Lite accesses (any address, strobe and AW/W
order), and the register block's hardware-side inputs driven as the engines drive them.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import FallingEdge, RisingEdge
from cocotbext.axi import AxiResp

from pydriver.ringnic import regs
from pydriver.ringnic.regmap import Register, load
from tb.harness.ringnic_tb import RingnicTB

RTL_MAC = bytes.fromhex("020a35000001")  # MAC_ADDR default (ringnic and ringnic_regs)
WINDOW = 0x20000  # 128 KiB AXI-Lite window (AXIL_ADDR_WIDTH = 17)
ALL = 0xFFFFFFFF
PATTERN = 0x5AA5C33C

# Write-1 registers that act on another register (the RDL names no target).
ACTS_ON = {"ICS": ("ICR", "set"), "IMC": ("IMS", "clear")}
# Single-pulse fields a generic walk must not write (CTRL.RST resets the NIC; own test).
UNSAFE = {("CTRL", "RST")}
# stat_inc bit order (rtl/ringnic_regs.v); the 64-bit pairs have their own adders.
STAT_ORDER = ["CRCERRS", "MPC", "GPRC", "BPRC", "MPRC", "GPTC", "RNBC", "RUC", "ROC",
              "TPR", "TPT", "MPTC", "BPTC", "RXERRC"]
STAT_PAIRS = {"GORC": "stat_gorc_add", "GOTC": "stat_gotc_add", "TOR": "stat_tor_add", "TOT": "stat_tot_add"}


# ------------------------------------------------------------------------------- the RDL side
def words() -> list[tuple[str, int, Register]]:
    """(name, offset, register) of every register word, MTA elements expanded."""
    out = []
    for r in load().values():
        for i, off in enumerate(r.offsets()):
            out.append((r.name if r.count == 1 else f"{r.name}[{i}]", off, r))
    return out


def reset_value(r: Register) -> int:
    """What a read returns after reset: the RDL reset (RAL0/RAH0's is the default MAC_ADDR's)."""
    return r.reset & r.read_mask


# The RDL's RAL0/RAH0 reset values document the default build: they must be MAC_ADDR's.
assert regs.RAL0_RESET == int.from_bytes(RTL_MAC[:4], "little")
assert regs.RAH0_RESET == int.from_bytes(RTL_MAC[4:], "little") | regs.RAH0_AV


def unsafe_mask(r: Register) -> int:
    return sum(f.mask for f in r.fields if (r.name, f.name) in UNSAFE)


def kind(r: Register) -> str:
    """How software sees the register; fails for a register this test has no semantics for."""
    fs = r.fields
    if r.write_mask == 0:
        return "ro"  # STATUS, *BAH, statistics, ID block
    if any(f.rclr for f in fs) and all(f.rclr and f.woclr for f in fs):
        return "icr"
    if all(f.woset for f in fs):
        return "ims"
    if r.read_mask == 0 and all(f.singlepulse and not f.readable for f in fs):
        assert r.name in ACTS_ON, f"{r.name}: write-only register with no known target"
        return "wo"
    special = [f.name for f in fs if f.rclr or f.woclr or f.woset or f.counter]
    assert not special, f"{r.name}: fields {special} have no semantics in this test"
    return "rw"


def gaps() -> list[tuple[int, int]]:
    """(first, last) word of every unmapped run in the window, including the one at the top."""
    offs = sorted(off for _, off, _ in words())
    out = []
    for a, b in zip(offs, offs[1:]):
        assert b > a, f"registers overlap at 0x{a:05x}"
        if b - a > 4:
            out.append((a + 4, b - 4))
    if offs[-1] + 4 < WINDOW:
        out.append((offs[-1] + 4, WINDOW - 4))
    assert offs[0] == 0, "a gap below the first register is not sampled"
    return out


def distinct(off: int, salt: int = 0) -> int:
    """A value that differs between registers, to catch aliased decodes."""
    return ((off * 0x9E3779B1 + 0x7F4A7C15) ^ salt) & ALL


class Model:
    """Expected read value of every register word, updated as the test writes."""

    def __init__(self):
        self.exp = {off: reset_value(r) for _, off, r in words()}
        self.reg = {off: r for _, off, r in words()}

    def write_rw(self, off: int, value: int, strb: int = 0xF) -> None:
        r = self.reg[off]
        bm = sum(0xFF << (8 * k) for k in range(4) if strb >> k & 1)
        keep = r.write_mask & r.read_mask & bm
        self.exp[off] = (self.exp[off] & ~keep) | (value & keep)
        if r.name == "CTRL":  # STATUS.LU follows CTRL.SLU (the PHY link is up); a change sets ICR.LSC
            lu = regs.STATUS_LU if self.exp[off] & regs.CTRL_SLU else 0
            if lu != self.exp[regs.STATUS] & regs.STATUS_LU:
                self.exp[regs.ICR] |= regs.ICR_LSC
            self.exp[regs.STATUS] = (self.exp[regs.STATUS] & ~regs.STATUS_LU) | lu

    async def check(self, tb, what: str) -> None:
        for name, off, r in words():
            got = await tb.read32(off)
            assert got == self.exp[off], \
                f"{what}: {name} @0x{off:05x} reads 0x{got:08x}, expected 0x{self.exp[off]:08x}"
            if r.read_clears:
                self.exp[off] = 0
            if r.pair_high:  # the high half of a 64-bit counter clears the low half too
                self.exp[off - 4] = 0


# ------------------------------------------------------------------------------- bus helpers
async def raw_read(tb, addr: int) -> tuple[int, AxiResp]:
    """One AR beat at exactly `addr`; returns the whole RDATA word and RRESP."""
    rd = tb.axil.read_if
    ar = rd.ar_channel._transaction_obj()
    ar.araddr, ar.arprot = addr, 0
    await rd.ar_channel.send(ar)
    r = await rd.r_channel.recv()
    return int(r.rdata), AxiResp(int(r.rresp))


async def raw_write(tb, addr: int, data: int, strb: int, w_first: bool = False, gap: int = 0) -> AxiResp:
    """One AW + W beat exactly as given (any address/strobe pairing); `gap` cycles between them."""
    wr = tb.axil.write_if
    aw = wr.aw_channel._transaction_obj()
    aw.awaddr, aw.awprot = addr, 0
    w = wr.w_channel._transaction_obj()
    w.wdata, w.wstrb = data, strb
    first, second = ((wr.w_channel, w), (wr.aw_channel, aw)) if w_first else ((wr.aw_channel, aw), (wr.w_channel, w))
    await first[0].send(first[1])
    if gap:
        await first[0].wait()
        await tb.cycles(gap)
        assert int(tb.dut.s_axil_bvalid.value) == 0, "a response before both AW and W arrived"
    await second[0].send(second[1])
    b = await wr.b_channel.recv()
    return AxiResp(int(b.bresp))


async def write_bytes(tb, off: int, data: bytes) -> None:
    rv = await tb.axil.write(off, data)
    assert rv.resp == AxiResp.OKAY, f"byte write at 0x{off:05x}: {rv.resp!r}"


async def expect_slverr_read(tb, addr: int) -> None:
    data, resp = await raw_read(tb, addr)
    assert resp == AxiResp.SLVERR, f"read 0x{addr:05x}: {resp.name}, expected SLVERR"
    assert data == 0, f"read 0x{addr:05x}: SLVERR with rdata 0x{data:08x}, expected 0"


async def expect_slverr_write(tb, addr: int, data: int = ALL, strb: int = 0xF) -> None:
    resp = await raw_write(tb, addr, data, strb)
    assert resp == AxiResp.SLVERR, f"write 0x{addr:05x} strb {strb:04b}: {resp.name}, expected SLVERR"


# ------------------------------------------------------------------------------- hardware side
# The register block's inputs from the (future) engines: idle at 0 unless a test drives them.
HW_INPUTS = ("intr_set", "tdh_we", "tdh_in", "rdh_we", "rdh_in", "stat_inc", "txerr", "rxerr", "stat_gorc_add",
             "stat_gotc_add", "stat_tor_add", "stat_tot_add", "mta_bit", "dma_busy", "rxoff_add", "txrst_add", "itr_tick")


async def make_tb(dut) -> RingnicTB:
    """The harness's bench (clock, reset, AXI-Lite master) with the hardware inputs idle."""
    for name in HW_INPUTS:
        getattr(dut, name).value = 0
    dut.phy_link.value = 1  # the PHY reports link unless a test pulls it
    return await RingnicTB.create(dut)


def hw(tb):
    return tb.dut


def preload(tb, name: str, count: int) -> None:
    """Set a counter's count (2^32 increments is not a test): its word in ringnic_stats's RAM,
    indexed by stat_inc's bit order, then the pairs. Only between reads: nothing pending."""
    idx = (STAT_ORDER + ["ECOL"] + list(STAT_PAIRS)).index(name)
    st = hw(tb).u_stats
    assert (int(st.vld.value) >> idx) & 1, f"{name}: its word was not written since reset"
    st.mem[idx].value = count


async def hw_pulse(tb, cycles: int = 1, **drive) -> None:
    """Drive hardware inputs for `cycles` clock edges, then back to 0."""
    for k, v in drive.items():
        getattr(hw(tb), k).value = v
    for _ in range(cycles):
        await RisingEdge(tb.dut.clk)
    for k in drive:
        getattr(hw(tb), k).value = 0


async def _in_cycle_of(tb, cond, drive: dict) -> None:
    """Drive hardware inputs for exactly the clock cycle in which `cond()` holds (seen mid-cycle)."""
    while True:
        await FallingEdge(tb.dut.clk)
        if cond():
            break
    for k, v in drive.items():
        getattr(hw(tb), k).value = v
    await RisingEdge(tb.dut.clk)
    for k in drive:
        getattr(hw(tb), k).value = 0


def during_read_handshake(tb, **drive):
    """Background: drive `drive` in the cycle the next AR handshake (and its read side effect) happens."""
    d = tb.dut
    return cocotb.start_soon(_in_cycle_of(
        tb, lambda: int(d.s_axil_arvalid.value) and int(d.s_axil_arready.value), drive))


def during_write_commit(tb, **drive):
    """Background: drive `drive` in the cycle the pending AXI-Lite write updates the registers."""
    return cocotb.start_soon(_in_cycle_of(tb, lambda: int(hw(tb).wr_en.value), drive))


async def irq_after(tb, cycles: int = 2) -> int:
    """irq once the registered level has had time to follow the last access."""
    await tb.cycles(cycles)
    return tb.irq_level()


async def irq_steady(tb, level: int, cycles: int = 8) -> None:
    for _ in range(cycles):
        await RisingEdge(tb.dut.clk)
        assert tb.irq_level() == level, f"irq changed to {tb.irq_level()} while expected steady {level}"


CAUSES = load()["ICR"].read_mask
