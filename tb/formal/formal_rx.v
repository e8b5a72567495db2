`default_nettype none
`timescale 1ns/1ps

// formal_rx: ringnic_rx for `make formal` (tb/tools/formal.py; read by yosys only). The engine's own
// AXI monitor (bound in the RTL) asserts the AXI4 master rules on m_axi_ and assumes the
// slave's (the memory answers per AXI: handshakes held, B and R only for requests, RLAST on the
// burst's last beat). Here: the register side is free except for what ringnic_regs guarantees
// on the signals it drives, and nothing else is assumed: any value software can write reaches
// the engine, at any time, with or without its write pulse (a superset of what the register
// block produces); the received stream (s_axis_rx_*, any frames, any TKEEP) and the MTA lookup
// are free. Inputs a later RTL change adds and this wrapper does not connect are free too
// (tb/tools/formal.py: setundef -undriven -anyseq).
//
// Environment assumptions, each with the rtl/ringnic_regs.v line that guarantees it:
//  A1 rdba[3:0] == 0: RDBAL keeps only its stored bits, ST_RDBAL = RN_RDBAL_WMASK &
//     RN_RDBAL_RMASK = 32'hFFFFFFF0 (`if (wr_rdbal) `RN_RW(rdba, 32, ST_RDBAL);`), and resets
//     to RN_RDBAL_RSTVAL = 0 (rtl/ringnic_regs.rdl base_lo_r: the field is ADDR[31:4]).
// Not assumed (the engine must cope; software can write them): RDLEN any 20-bit value (ST_RDLEN
// keeps all 20 bits), RDH/RDT any 16-bit value, RCTL any value (BSIZE/BSEX included), RDBAL
// changed while the ring runs, CTRL.RST (sw_rst) at any time.

module formal_rx #(
    parameter integer REACH = 0   // 1: also assert that no write is ever answered: a reachability check, must FAIL
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        sw_rst,
    input  wire        intr_tick,
    input  wire [31:0] rdba,
    input  wire [19:0] rdlen,
    input  wire [15:0] rdh,
    input  wire [15:0] rdt,
    input  wire        rdt_wr,
    input  wire [31:0] rctl,
    input  wire [1:0]  rxcsum,
    input  wire        rctl_wr,
    input  wire [15:0] rdtr,
    input  wire        rdtr_fpd,
    input  wire [15:0] radv,
    input  wire [47:0] mac_addr,
    input  wire        mac_valid,
    input  wire        mta_hit,
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
    input  wire [63:0] s_axis_rx_tdata,
    input  wire [7:0]  s_axis_rx_tkeep,
    input  wire        s_axis_rx_tvalid,
    input  wire        s_axis_rx_tlast,
    input  wire        s_axis_rx_tuser
);

    // A1 (see the header).
    always @* assume(rdba[3:0] == 4'd0);

    // Reachability (REACH = 1, the job rx-reach): a B handshake is a payload burst answered,
    // after a frame was received, its descriptors fetched (AR, R) and the burst written (AW, W):
    // every channel used. Asserting it never happens must fail; the depth of the failure is the
    // first cycle it can, so the proof's depth can be read against it, and the assumptions are
    // shown not to forbid it. (A frame's write-back comes after all its payload is answered:
    // RDH first moves later still, past cycle 26: an RDH target was still unreached at depth
    // 26 after 300 s of bmc3.)
    wire bready;
    always @(posedge clk) if (REACH != 0 && !rst) assert(!(m_axi_bvalid && bready));  // "REACH_RX_B"

    // Outputs stay unconnected: the properties are the engine's monitor's.
    /* verilator lint_off PINCONNECTEMPTY */
    ringnic_rx u_rx (
        .clk(clk), .rst(rst), .sw_rst(sw_rst), .intr_tick(intr_tick),
        .rdba(rdba), .rdlen(rdlen), .rdh(rdh), .rdt(rdt), .rdt_wr(rdt_wr), .rctl(rctl), .rxcsum(rxcsum), .rctl_wr(rctl_wr),
        .rdtr(rdtr), .rdtr_fpd(rdtr_fpd), .radv(radv), .mac_addr(mac_addr), .mac_valid(mac_valid),
        .mta_bit(), .mta_hit(mta_hit), .rdh_we(), .rdh_in(), .intr_set(),
        .stat_inc_crcerrs(), .stat_inc_rxerrc(), .stat_inc_mpc(), .stat_inc_rnbc(), .stat_inc_gprc(),
        .stat_inc_bprc(), .stat_inc_mprc(), .stat_inc_ruc(), .stat_inc_roc(), .stat_inc_tpr(),
        .stat_gorc_add(), .stat_tor_add(), .rxerr(),
        .m_axi_awid(), .m_axi_awaddr(), .m_axi_awlen(), .m_axi_awsize(), .m_axi_awburst(), .m_axi_awlock(),
        .m_axi_awcache(), .m_axi_awprot(), .m_axi_awvalid(), .m_axi_awready(m_axi_awready),
        .m_axi_wdata(), .m_axi_wstrb(), .m_axi_wlast(), .m_axi_wvalid(), .m_axi_wready(m_axi_wready),
        .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid), .m_axi_bready(bready),
        .m_axi_arid(), .m_axi_araddr(), .m_axi_arlen(), .m_axi_arsize(), .m_axi_arburst(), .m_axi_arlock(),
        .m_axi_arcache(), .m_axi_arprot(), .m_axi_arvalid(), .m_axi_arready(m_axi_arready),
        .m_axi_rid(m_axi_rid), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast),
        .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(),
        .s_axis_rx_tdata(s_axis_rx_tdata), .s_axis_rx_tkeep(s_axis_rx_tkeep), .s_axis_rx_tvalid(s_axis_rx_tvalid),
        .s_axis_rx_tready(), .s_axis_rx_tlast(s_axis_rx_tlast), .s_axis_rx_tuser(s_axis_rx_tuser), .dma_busy()
    );
    /* verilator lint_on PINCONNECTEMPTY */

endmodule

`default_nettype wire
