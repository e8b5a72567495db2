`default_nettype none
`timescale 1ns/1ps

// formal_tx: ringnic_tx for `make formal` (tb/tools/formal.py; read by yosys only). The engine's own
// AXI monitor (bound in the RTL) asserts the AXI4 master rules on m_axi_ and assumes the
// slave's (the memory answers per AXI: handshakes held, B and R only for requests, RLAST on the
// burst's last beat). Here: the register side is free except for what ringnic_regs guarantees
// on the signals it drives, and nothing else is assumed: any value software can write reaches
// the engine, at any time, with or without its write pulse (a superset of what the register
// block produces), and the MAC side (TREADY) is free. Inputs a later RTL change adds and this
// wrapper does not connect are free too (tb/tools/formal.py: setundef -undriven -anyseq).
//
// Environment assumptions, each with the rtl/ringnic_regs.v line that guarantees it:
//  A1 tdba[3:0] == 0: TDBAL keeps only its stored bits, ST_TDBAL = RN_TDBAL_WMASK &
//     RN_TDBAL_RMASK = 32'hFFFFFFF0 (`if (wr_tdbal) `RN_RW(tdba, 32, ST_TDBAL);`), and resets
//     to RN_TDBAL_RSTVAL = 0 (rtl/ringnic_regs.rdl base_lo_r: the field is ADDR[31:4]; the
//     8254x's TDBAL likewise holds a 16-byte aligned base).
// Not assumed (the engine must cope; software can write them): TDLEN any 20-bit value (ST_TDLEN
// keeps all 20 bits), TDH/TDT any 16-bit value, TCTL any value, CTRL.RST (sw_rst) at any time.

module formal_tx #(
    parameter integer REACH = 0   // 1: also assert that no write-back is ever answered: a reachability check, must FAIL
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        sw_rst,
    input  wire [31:0] tdba,
    input  wire [19:0] tdlen,
    input  wire [15:0] tdh,
    input  wire [15:0] tdt,
    input  wire        tdt_wr,
    input  wire [31:0] tctl,
    input  wire        tctl_wr,
    input  wire        tring_wr,
    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire [3:0]  m_axi_bid,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,
    input  wire        m_axi_arready,
    input  wire [3:0]  m_axi_rid,
    input  wire [63:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    input  wire        m_axis_tx_tready
);

    // A1 (see the header).
    always @* assume(tdba[3:0] == 4'd0);

    // Reachability (REACH = 1, the job tx-reach): a B handshake is a descriptor write-back
    // answered, after its frame's descriptors were fetched (AR, R), its payload read (AR, R) and
    // the write-back issued (AW, W): every channel used. Asserting it never happens must fail;
    // the depth of the failure is the first cycle it can, so the proof's depth can be read
    // against it, and the assumptions are shown not to forbid it.
    wire bready;
    always @(posedge clk) if (REACH != 0 && !rst) assert(!(m_axi_bvalid && bready));  // "REACH_TX_B"

    // Outputs stay unconnected: the properties are the engine's monitor's.
    /* verilator lint_off PINCONNECTEMPTY */
    ringnic_tx u_tx (
        .clk(clk), .rst(rst), .sw_rst(sw_rst),
        .tdba(tdba), .tdlen(tdlen), .tdh(tdh), .tdt(tdt), .tdt_wr(tdt_wr), .tctl(tctl), .tctl_wr(tctl_wr),
        .tring_wr(tring_wr),
        .tdh_we(), .tdh_in(), .intr_set(), .txdw_ide(), .stat_inc_gptc(), .stat_inc_tpt(), .stat_inc_mptc(), .stat_inc_bptc(),
        .stat_inc_ecol(), .stat_gotc_add(), .stat_tot_add(), .txerr(),
        .m_axi_awid(), .m_axi_awaddr(), .m_axi_awlen(), .m_axi_awsize(), .m_axi_awburst(), .m_axi_awlock(),
        .m_axi_awcache(), .m_axi_awprot(), .m_axi_awvalid(), .m_axi_awready(m_axi_awready),
        .m_axi_wdata(), .m_axi_wstrb(), .m_axi_wlast(), .m_axi_wvalid(), .m_axi_wready(m_axi_wready),
        .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid), .m_axi_bready(bready),
        .m_axi_arid(), .m_axi_araddr(), .m_axi_arlen(), .m_axi_arsize(), .m_axi_arburst(), .m_axi_arlock(),
        .m_axi_arcache(), .m_axi_arprot(), .m_axi_arvalid(), .m_axi_arready(m_axi_arready),
        .m_axi_rid(m_axi_rid), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast),
        .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(),
        .m_axis_tx_tdata(), .m_axis_tx_tkeep(), .m_axis_tx_tvalid(), .m_axis_tx_tready(m_axis_tx_tready),
        .m_axis_tx_tlast(), .m_axis_tx_tuser(), .dma_busy()
    );
    /* verilator lint_on PINCONNECTEMPTY */

endmodule

`default_nettype wire
