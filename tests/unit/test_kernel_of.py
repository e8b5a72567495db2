"""Device tree: real dtc + libfdt unflattening, property helpers, addresses, IRQs, MAC, DMA."""

from pathlib import Path

import pytest

from pydriver.kernel import boot
from pydriver.kernel import of, of_net
from pydriver.kernel.errno import EILSEQ, EINVAL, ENODATA, ENODEV, EOVERFLOW
from pydriver.kernel.etherdevice import alloc_etherdev

DTS = Path(__file__).resolve().parents[2] / "sim" / "ringnic.dts"
NIC = "ringnic,ringnic-1.0"


@pytest.fixture
def k():
    return boot()


def tree(tmp_path=None, overlay: str = ""):
    """Unflattened sim/ringnic.dts, plus a dtc overlay appended after /include/."""
    if not overlay:
        return of.unflatten_device_tree(of.dtc_compile(DTS))
    src = tmp_path / "variant.dts"
    src.write_text(f'/include/ "{DTS}"\n{overlay}\n')
    return of.unflatten_device_tree(of.dtc_compile(src))


def nic(root):
    return of.of_find_compatible_node(None, None, NIC, root=root)


# --- dtc ---------------------------------------------------------------------------

def test_dtc_compiles_board_tree_to_dtb_bytes():
    dtb = of.dtc_compile(DTS)
    assert isinstance(dtb, bytes) and dtb[:4] == bytes.fromhex("d00dfeed")


def test_dtc_compile_to_path(tmp_path):
    out = of.dtc_compile(DTS, tmp_path / "ringnic.dtb")
    assert out == tmp_path / "ringnic.dtb" and out.read_bytes()[:4] == bytes.fromhex("d00dfeed")


def test_board_tree_is_warning_free(tmp_path):
    import subprocess
    proc = subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", str(tmp_path / "x.dtb"), str(DTS)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""


def test_dtc_failure_carries_stderr(tmp_path):
    bad = tmp_path / "bad.dts"
    bad.write_text("/dts-v1/;\n/ { broken = ; };\n")
    with pytest.raises(of.DtcError, match="(?i)syntax error"):
        of.dtc_compile(bad)


def test_dtc_missing_is_named(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(of.DtcError, match="dtc not found: install device-tree-compiler"):
        of.dtc_compile(DTS)


# --- unflatten -------------------------------------------------------------------

def test_unflatten_builds_linux_shaped_nodes(k):
    root = tree()
    assert k.of_root is root and root.path == "/" and root.parent is None
    assert of.of_property_read_string_array(root, "compatible") == ["digilent,zynq-zybo", "xlnx,zynq-7000"]
    assert [c.full_name for c in root.children] == ["chosen", "memory@0", "interrupt-controller@f8f01000", "axi"]
    np = nic(root)
    assert (np.name, np.full_name, np.path) == ("ethernet", "ethernet@43c00000", "/axi/ethernet@43c00000")
    assert np.parent.full_name == "axi" and np in np.parent.children
    assert np.properties["reg"] == bytes.fromhex("43c00000 00020000".replace(" ", ""))
    intc = of.of_find_node_by_path("/interrupt-controller@f8f01000")
    assert intc.phandle != 0 and np.phandle == 0
    assert of.of_find_node_by_phandle(intc.phandle) is intc
    assert of.of_find_node_by_path("/memory@0").type == "memory"


def test_find_node_by_path_and_alias(tmp_path, k):
    root = tree(tmp_path, '/ { aliases { ethernet0 = &ringnic0; }; };')
    np = nic(root)
    assert of.of_find_node_by_path("/axi/ethernet@43c00000") is np
    assert of.of_find_node_by_path("/axi/ethernet") is np          # name without unit address
    assert of.of_find_node_by_path("ethernet0") is np
    assert of.of_find_node_by_path("/axi/nothing") is None


def test_compatible_lookup_and_match_table(k):
    root = tree()
    np = nic(root)
    assert of.of_device_is_compatible(np, NIC) and not of.of_device_is_compatible(np, "simple-bus")
    assert of.of_find_compatible_node(np, None, NIC) is None          # search continues after np
    assert of.of_find_compatible_node(None, "memory", NIC) is None    # device_type filter
    assert list(of.for_each_compatible_node(None, "simple-bus")) == [np.parent]
    table = [{"compatible": "acme,other"}, {"compatible": NIC, "data": 7}]
    assert of.of_match_node(table, np)["data"] == 7
    assert of.of_match_node([{"compatible": "acme,other"}], np) is None
    # the most specific compatible wins over table order
    zybo = [{"compatible": "xlnx,zynq-7000", "data": "soc"}, {"compatible": "digilent,zynq-zybo", "data": "board"}]
    assert of.of_match_node(zybo, root)["data"] == "board"


# --- properties ------------------------------------------------------------------

def test_property_helpers(tmp_path, k):
    root = tree(tmp_path, '&ringnic0 { ringnic,ring-size = <256>; label = "nic0"; raw = [41 42]; '
                          'empty; wide = /bits/ 64 <0x123456789>; names = "a", "b", "c"; };')
    np = nic(root)
    assert of.of_property_read_u32(np, "ringnic,ring-size") == 256
    assert of.of_property_read_u32(np, "absent") == -EINVAL
    assert of.of_property_read_u32(np, "empty") == -ENODATA
    assert of.of_property_read_u32(np, "raw") == -EOVERFLOW
    assert of.of_property_read_u32_index(np, "reg", 1) == 0x20000
    assert of.of_property_read_u32_array(np, "interrupts", 3) == [0, 29, 4]
    assert of.of_property_read_u32_array(np, "interrupts", 4) == -EOVERFLOW
    assert of.of_property_count_u32_elems(np, "interrupts") == 3
    assert of.of_property_read_u64(np, "wide") == 0x123456789
    assert of.of_property_read_string(np, "label") == "nic0"
    assert of.of_property_read_string(np, "compatible") == NIC
    assert of.of_property_read_string(np, "absent") == -EINVAL
    assert of.of_property_read_string(np, "raw") == -EILSEQ
    assert of.of_property_count_strings(np, "names") == 3
    assert of.of_property_match_string(np, "names", "b") == 1
    assert of.of_property_match_string(np, "names", "z") == -ENODATA
    assert of.of_property_read_bool(np, "empty") and not of.of_property_read_bool(np, "absent")
    assert of.of_get_property(np, "raw") == b"AB" and of.of_get_property(np, "absent") is None
    axi = np.parent
    assert of.of_property_read_bool(axi, "ranges") and of.of_get_property(axi, "ranges") == b""


# --- addresses -------------------------------------------------------------------

BUS64 = """/ {
    bus64 {
        compatible = "simple-bus";
        #address-cells = <2>;
        #size-cells = <1>;
        ranges = <0x0 0x0 0x80000000 0x100000>;
        thing@1000 {
            compatible = "acme,thing";
            reg = <0x0 0x1000 0x100>, <0x0 0x2000 0x10>;
            reg-names = "ctrl", "buf";
        };
        outside@200000 {
            compatible = "acme,thing";
            reg = <0x0 0x200000 0x10>;
        };
    };
};"""


def test_reg_with_address_cells_and_ranges(tmp_path, k):
    root = tree(tmp_path, BUS64)
    thing = of.of_find_node_by_path("/bus64/thing@1000")
    assert (of.of_n_addr_cells(thing), of.of_n_size_cells(thing)) == (2, 1)
    assert of.of_address_count(thing) == 2
    r0, r1 = of.of_address_to_resource(thing, 0), of.of_address_to_resource(thing, 1)
    assert (r0.start, r0.end, r0.name) == (0x80001000, 0x800010FF, "ctrl")
    assert (r1.start, r1.end, r1.name) == (0x80002000, 0x8000200F, "buf")
    assert of.of_address_to_resource(thing, 2) == -EINVAL
    # not covered by the bus's ranges: untranslatable
    assert of.of_address_to_resource(of.of_find_node_by_path("/bus64/outside@200000"), 0) == -EINVAL
    # the NIC sits on an identity-mapped (empty ranges) bus with 1+1 cells
    res = of.of_address_to_resource(nic(root), 0)
    assert (res.start, res.end, res.name, str(res)) == (0x43C00000, 0x43C1FFFF, "ethernet@43c00000",
                                                        "[mem 0x43c00000-0x43c1ffff]")


def test_early_init_dt_scan_memory_claims_system_ram(k):
    from pydriver.kernel.devres import iomem_show, request_mem_region
    tree()
    assert of.early_init_dt_scan_memory() == [(0, 512 << 20)]
    assert iomem_show() == "00000000-1fffffff : System RAM\n"
    assert request_mem_region(0x1000, 0x1000, "not-mmio") is None


# --- interrupts ------------------------------------------------------------------

def test_irq_gic_spi_maps_to_hwirq_plus_32(k):
    root = tree()
    np = nic(root)
    intc = of.of_find_node_by_path("/interrupt-controller@f8f01000")
    assert of.of_irq_find_parent(np) is intc          # inherited from amba's interrupt-parent
    assert of.of_irq_parse_one(np, 0) == (intc, [0, 29, 4])
    virq = of.irq_of_parse_and_map(np, 0)
    assert virq == 16                                  # first virq after the legacy range
    desc = of.irq_get_irq_data(virq)
    assert (desc.hwirq, desc.domain, desc.trigger_type) == (61, intc, of.IRQ_TYPE_LEVEL_HIGH)
    assert of.irq_of_parse_and_map(np, 0) == virq      # mapping is reused
    assert of.irq_find_mapping(intc, 61) == virq
    assert of.of_irq_count(np) == 1
    assert of.irq_of_parse_and_map(np, 1) == 0         # Linux: 0 on failure
    assert of.of_irq_get(np, 1) == -EINVAL
    assert of.irq_of_parse_and_map(of.of_find_node_by_path("/memory@0"), 0) == 0
    of.irq_dispose_mapping(virq)
    assert of.irq_get_irq_data(virq) is None


def test_irq_interrupt_parent_phandle_ppi_and_extended(tmp_path, k):
    root = tree(tmp_path, """
        / { timer { compatible = "arm,cortex-a9-twd-timer"; interrupt-parent = <&intc>;
                    interrupts = <1 13 0x301>; }; };
        &ringnic0 { /delete-property/ interrupts; interrupts-extended = <&intc 0 30 1>, <&intc 0 31 4>; };
    """)
    timer = of.of_find_node_by_path("/timer")
    virq_t = of.irq_of_parse_and_map(timer, 0)
    assert of.irq_get_irq_data(virq_t).hwirq == 29    # PPI 13 + 16
    np = nic(root)
    v0, v1 = of.irq_of_parse_and_map(np, 0), of.irq_of_parse_and_map(np, 1)
    assert (of.irq_get_irq_data(v0).hwirq, of.irq_get_trigger_type(v0)) == (62, of.IRQ_TYPE_EDGE_RISING)
    assert of.irq_get_irq_data(v1).hwirq == 63 and of.of_irq_count(np) == 2
    assert len({virq_t, v0, v1}) == 3


# --- MAC and DMA -----------------------------------------------------------------

def test_of_get_mac_address_absent(k):
    assert of_net.of_get_mac_address(nic(tree())) is None


def test_of_get_mac_address_local(tmp_path, k):
    np = nic(tree(tmp_path, "&ringnic0 { local-mac-address = [02 0a 35 00 00 01]; };"))
    assert of_net.of_get_mac_address(np) == bytes.fromhex("020a35000001")
    ndev = alloc_etherdev()
    assert of_net.of_get_ethdev_address(np, ndev) == 0 and ndev.dev_addr == bytes.fromhex("020a35000001")


def test_of_get_mac_address_order_and_validity(tmp_path, k):
    # mac-address (the one in use) wins over local-mac-address, as net/core/of_net.c
    np = nic(tree(tmp_path, "&ringnic0 { local-mac-address = [02 0a 35 00 00 01]; "
                            "mac-address = [02 0a 35 00 00 02]; };"))
    assert of_net.of_get_mac_address(np) == bytes.fromhex("020a35000002")
    # invalid entries are skipped: multicast, zero, wrong length
    np = nic(tree(tmp_path, "&ringnic0 { mac-address = [01 00 5e 00 00 01]; "
                            "local-mac-address = [00 00 00 00 00 00]; address = [02 0a 35 00 01]; };"))
    assert of_net.of_get_mac_address(np) is None
    assert of_net.of_get_ethdev_address(np, alloc_etherdev()) == -ENODEV


def test_dma_coherent_on_node_or_inherited(tmp_path, k):
    assert of.of_dma_is_coherent(nic(tree())) is False             # ARM default: non-coherent
    assert of.of_dma_is_coherent(nic(tree(tmp_path, "&ringnic0 { dma-coherent; };"))) is True
    assert of.of_dma_is_coherent(nic(tree(tmp_path, "&amba { dma-coherent; };"))) is True
    np = nic(tree(tmp_path, "&amba { dma-coherent; }; &ringnic0 { dma-noncoherent; };"))
    assert of.of_dma_is_coherent(np) is False
