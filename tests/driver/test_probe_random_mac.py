"""Driver path 1, probe, on a NIC whose MAC_ADDR parameter is blank (an unprogrammed EEPROM)."""


from pydriver.kernel.etherdevice import is_local_ether_addr, is_valid_ether_addr
from pydriver.kernel.netdevice import NET_ADDR_RANDOM, dev_get_by_name
from pydriver.kernel.printk import dmesg
from pydriver.ringnic import regs
from tb.harness.board import Board, checked_test
from tb.harness.ringnic_tb import RingnicTB

HDL_PARAMETERS = {"MAC_ADDR": 0}  # RAL0/RAH0 reset to 0 with Address Valid clear


@checked_test()
async def test_probe_invalid_mac_gets_random(dut):
    """No valid MAC in RAL0/RAH0: eth_hw_addr_random, written back and read back from the RTL."""
    tb = await RingnicTB.create(dut)
    assert await tb.read32(regs.RAH0) & regs.RAH0_AV == 0
    b = Board(tb)
    await b.boot()
    assert await b.modprobe() == 0
    ndev = dev_get_by_name("eth0")
    mac = ndev.dev_addr
    assert is_valid_ether_addr(mac) and is_local_ether_addr(mac)
    assert ndev.addr_assign_type == NET_ADDR_RANDOM
    ral, rah = await tb.read32(regs.RAL0), await tb.read32(regs.RAH0)
    assert rah & regs.RAH0_AV
    assert ral.to_bytes(4, "little") + (rah & 0xFFFF).to_bytes(2, "little") == mac
    assert any("Invalid MAC address (none), using random " + ":".join(f"{x:02x}" for x in mac) in line
               for line in dmesg())
