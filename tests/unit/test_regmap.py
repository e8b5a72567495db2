"""The register map: one RDL, generated artefacts in step with it, 8254x offsets and bits kept."""

import pytest

from pydriver.ringnic import desc, regmap, regs

# Offsets and bits as Linux's e1000_hw.h / QEMU's e1000x_regs.h define them.
E1000_OFFSETS = {
    "CTRL": 0x00000, "STATUS": 0x00008, "ICR": 0x000C0, "ITR": 0x000C4, "ICS": 0x000C8,
    "IMS": 0x000D0, "IMC": 0x000D8, "RCTL": 0x00100, "TCTL": 0x00400, "TIPG": 0x00410,
    "RDBAL": 0x02800, "RDBAH": 0x02804, "RDLEN": 0x02808, "RDH": 0x02810, "RDT": 0x02818,
    "RDTR": 0x02820, "RADV": 0x0282C, "TDBAL": 0x03800, "TDBAH": 0x03804, "TDLEN": 0x03808,
    "TDH": 0x03810, "TDT": 0x03818, "TIDV": 0x03820, "TADV": 0x0382C, "CRCERRS": 0x04000,
    "MPC": 0x04010, "GPRC": 0x04074, "BPRC": 0x04078, "MPRC": 0x0407C, "GPTC": 0x04080,
    "GORCL": 0x04088, "GORCH": 0x0408C, "GOTCL": 0x04090, "GOTCH": 0x04094, "RNBC": 0x040A0,
    "RUC": 0x040A4, "ROC": 0x040AC, "TORL": 0x040C0, "TORH": 0x040C4, "TOTL": 0x040C8,
    "TOTH": 0x040CC, "TPR": 0x040D0, "TPT": 0x040D4, "MPTC": 0x040F0, "BPTC": 0x040F4,
    "MTA": 0x05200, "RAL0": 0x05400, "RAH0": 0x05404, "IPAV": 0x05838, "IP4AT0": 0x05840,
}
E1000_BITS = {
    "CTRL_FD": 0x1, "CTRL_SLU": 0x40, "CTRL_RST": 0x04000000, "STATUS_FD": 0x1, "STATUS_LU": 0x2,
    "ICR_TXDW": 0x1, "ICR_TXQE": 0x2, "ICR_LSC": 0x4, "ICR_RXSEQ": 0x8, "ICR_RXDMT0": 0x10,
    "ICR_RXO": 0x40, "ICR_RXT0": 0x80, "IMS_RXT0": 0x80, "IMC_RXT0": 0x80, "ICS_LSC": 0x4,
    "RCTL_EN": 0x2, "RCTL_SBP": 0x4, "RCTL_UPE": 0x8, "RCTL_MPE": 0x10, "RCTL_LPE": 0x20,
    "RCTL_RDMTS": 0x300, "RCTL_MO": 0x3000, "RCTL_BAM": 0x8000, "RCTL_BSIZE": 0x30000,
    "RCTL_BSEX": 0x02000000, "RCTL_SECRC": 0x04000000, "TCTL_EN": 0x2, "TCTL_PSP": 0x8,
    "TCTL_CT": 0x0FF0, "TCTL_COLD": 0x003FF000, "TCTL_RTLC": 0x01000000, "RAH0_AV": 0x80000000,
    "RDTR_FPD": 0x80000000,
}


def test_generated_files_are_up_to_date():
    stale = [str(p) for p in regmap.stale()]
    assert not stale, f"run `make regs`: stale {stale}"


@pytest.mark.parametrize("name,offset", E1000_OFFSETS.items())
def test_8254x_offsets_kept(name, offset):
    assert regmap.load()[name].offset == offset
    assert getattr(regs, name) == offset


@pytest.mark.parametrize("name,mask", E1000_BITS.items())
def test_8254x_bits_kept(name, mask):
    assert getattr(regs, name) == mask


def test_registers_fit_the_window_and_never_overlap():
    taken = {}
    for r in regmap.load().values():
        for off in r.offsets():
            assert off % 4 == 0 and off < 1 << regmap.ADDR_BITS, r.name
            assert off not in taken, f"{r.name} overlaps {taken.get(off)}"
            taken[off] = r.name


def test_project_registers_sit_outside_the_8254x_space():
    # The 8254x uses offsets below 0x10000; ours are documented as project-specific.
    for name in ("RNID", "RNVER", "RNCAPS"):
        assert regmap.load()[name].offset >= 0x10000
    assert regs.ICR_TXE & 0xFFFF == 0 and regs.ICR_RXE & 0xFFFF == 0


def test_interrupt_registers_share_bit_positions():
    fields = {n: {(f.name, f.lsb) for f in regmap.load()[n].fields} for n in ("ICR", "ICS", "IMS", "IMC")}
    assert fields["ICR"] == fields["ICS"] == fields["IMS"] == fields["IMC"]


def test_register_names_for_messages():
    assert regs.register_name(0xC0) == "ICR"
    assert regs.register_name(0x5200 + 4 * 5) == "MTA[5]"
    assert regs.register_name(0x4) == "unmapped"


def test_access_semantics_described():
    m = regmap.load()
    assert m["ICR"].read_clears and all(f.woclr for f in m["ICR"].fields)
    assert all(f.woset for f in m["IMS"].fields)
    assert m["ICS"].read_mask == 0 and m["IMC"].read_mask == 0
    assert m["GORCH"].pair_high and not m["GORCL"].pair_high
    assert m["STATUS"].write_mask == 0 and m["CRCERRS"].write_mask == 0


# Descriptor bits as Linux's e1000_hw.h defines them (masks within their struct member).
E1000_DESC_BITS = {
    "TXD_CMD_EOP": 0x01000000, "TXD_CMD_IFCS": 0x02000000, "TXD_CMD_IC": 0x04000000, "TXD_CMD_RS": 0x08000000,
    "TXD_CMD_RPS": 0x10000000, "TXD_CMD_DEXT": 0x20000000, "TXD_CMD_VLE": 0x40000000, "TXD_CMD_IDE": 0x80000000,
    "TXD_STAT_DD": 0x1, "TXD_STAT_EC": 0x2, "TXD_STAT_LC": 0x4, "TXD_STAT_TU": 0x8,
    "RXD_STAT_DD": 0x01, "RXD_STAT_EOP": 0x02, "RXD_STAT_IXSM": 0x04, "RXD_STAT_VP": 0x08,
    "RXD_STAT_TCPCS": 0x20, "RXD_STAT_IPCS": 0x40, "RXD_STAT_PIF": 0x80, "RXD_ERR_CE": 0x01, "RXD_ERR_SE": 0x02,
    "RXD_ERR_SEQ": 0x04, "RXD_ERR_CXE": 0x10, "RXD_ERR_TCPE": 0x20, "RXD_ERR_IPE": 0x40, "RXD_ERR_RXE": 0x80,
}


@pytest.mark.parametrize("name,mask", E1000_DESC_BITS.items())
def test_descriptor_bits_kept(name, mask):
    assert getattr(desc, name) == mask


def test_descriptors_are_the_e1000_structs():
    # struct e1000_tx_desc / e1000_rx_desc: members at these byte offsets, 16 bytes in all
    assert desc.TXD_LAYOUT == (("buffer_addr", 0, 8), ("lower", 8, 4), ("upper", 12, 4))
    assert desc.RXD_LAYOUT == (("buffer_addr", 0, 8), ("length", 8, 2), ("csum", 10, 2), ("status", 12, 1),
                               ("errors", 13, 1), ("special", 14, 2))
    raw = desc.pack(desc.RXD_LAYOUT, buffer_addr=0x1234, length=60, status=desc.RXD_STAT_DD, errors=desc.RXD_ERR_CE)
    assert len(raw) == desc.DESC_SIZE and desc.unpack(desc.RXD_LAYOUT, raw)["errors"] == desc.RXD_ERR_CE
    assert desc.unpack(desc.RXD_LAYOUT, raw[8:], start=8) == {"length": 60, "csum": 0, "status": 1, "errors": 1,
                                                              "special": 0}
    with pytest.raises(TypeError, match="no member"):
        desc.pack(desc.TXD_LAYOUT, status=1)
