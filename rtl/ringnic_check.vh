// ringnic_check.vh: one protocol rule, two readings (included inside ringnic_check_axil/axi).
//
// `RN_RULE(dut, ok, bit, name)` is one rule of the AXI property list: `ok` must hold on this
// clock edge; `dut` is 1 when the design under check drives the signals the rule constrains.
//  * Simulation: a violation sets bit `bit` of the sticky err_rules output, prints the rule's
//    name, the time and the instance path, and (FATAL != 0) ends the simulation with $fatal,
//    which cocotb reports as a failure of the running test.
//  * Formal (yosys read_verilog -formal defines FORMAL): assert(ok) when `dut`, else assume(ok):
//    the rules of the other side of the bus are the environment's obligations.
// Each rule sits in an `always @(posedge clk)` block of the checker.

`ifdef FORMAL
`define RN_RULE(dut, ok, bit, name) \
    if ((dut) != 0) begin assert(ok); end else begin assume(ok); end
`else
`define RN_RULE(dut, ok, bit, name) \
    if (!(ok)) begin \
        err_q[bit] <= 1'b1; \
        if ((dut) != 0) \
            $display("ringnic_check: %m: AXI protocol violation %s at time %0t (the design's rule)", name, $time); \
        else \
            $display("ringnic_check: %m: AXI protocol violation %s at time %0t (its environment's rule)", name, $time); \
        if (FATAL != 0) $fatal(1, "ringnic_check: %s", name); \
    end
`endif
