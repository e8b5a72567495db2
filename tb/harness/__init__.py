"""The harness: what a cocotb test builds around the NIC (clock, AXI-Lite master, host memory, the
interrupt line, board and kernel, topologies, traffic, captures, fault injection, the fuzz and soak
campaigns' plumbing). Tests and the applications import from here; see tb/README.md."""
