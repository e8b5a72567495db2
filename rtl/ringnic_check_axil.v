`default_nettype none
`timescale 1ns/1ps
/* verilator coverage_off */  // a monitor, not the design: left out of make coverage

// ringnic_check_axil: AXI4-Lite protocol rules at a slave port (s_axil_*), from the AMBA AXI
// spec (ARM IHI 0022, A3.2 handshakes, A3.3 dependencies, B1 AXI4-Lite). Observes only.
//
// Rules (err_rules bit, name; M = the master's obligation, S = the slave's):
//   0 AXIL_AW_HOLD    M  AWVALID stays high with AWADDR/AWPROT stable until AWREADY
//   1 AXIL_W_HOLD     M  WVALID stays high with WDATA/WSTRB stable until WREADY
//   2 AXIL_AR_HOLD    M  ARVALID stays high with ARADDR/ARPROT stable until ARREADY
//   3 AXIL_B_HOLD     S  BVALID stays high with BRESP stable until BREADY
//   4 AXIL_R_HOLD     S  RVALID stays high with RDATA/RRESP stable until RREADY
//   5 AXIL_B_NO_REQ   S  BVALID only after both an AW and a W handshake not yet answered
//   6 AXIL_R_NO_REQ   S  RVALID only after an AR handshake not yet answered
//   7 AXIL_B_RESP     S  BRESP is OKAY, SLVERR or DECERR (no EXOKAY in AXI4-Lite)
//   8 AXIL_R_RESP     S  RRESP likewise
//   9 AXIL_B_TIMEOUT  S  a write with both halves in answers within MAX_WAIT cycles
//  10 AXIL_R_TIMEOUT  S  a read answers within MAX_WAIT cycles
//  11 AXIL_AW_STALL   S  AWREADY within MAX_WAIT cycles of AWVALID (*)
//  12 AXIL_W_STALL    S  WREADY within MAX_WAIT cycles of WVALID (*)
//  13 AXIL_AR_STALL   S  ARREADY within MAX_WAIT cycles of ARVALID (*)
//  14 AXIL_X          M  no X/Z on a VALID or READY line out of reset (simulation only)
// (*) cycles count only while the master holds no response back (BVALID/RVALID without READY)
//     and, for AW/W, while the other half of the write is not missing: a slave may wait for it.
// All rules hold outside reset (rst high, synchronous): valid lines are only checked from the
// first cycle after it.

module ringnic_check_axil #(
    parameter integer ADDR_WIDTH = 17,  // AWADDR/ARADDR width, bits (>= 1)
    parameter integer MAX_WAIT   = 32,  // bound of the *_TIMEOUT and *_STALL rules, cycles (>= 1)
    parameter integer DUT_SLAVE  = 1,   // formal: 1 asserts the S rules and assumes the M rules; 0 the reverse
    parameter integer FATAL      = 1    // simulation: 1 ends the simulation on a violation; 0 only sets err_rules
) (
    input  wire                  clk,
    input  wire                  rst,              // synchronous, active high
    input  wire [ADDR_WIDTH-1:0] awaddr,
    input  wire [2:0]            awprot,
    input  wire                  awvalid,
    input  wire                  awready,
    input  wire [31:0]           wdata,
    input  wire [3:0]            wstrb,
    input  wire                  wvalid,
    input  wire                  wready,
    input  wire [1:0]            bresp,
    input  wire                  bvalid,
    input  wire                  bready,
    input  wire [ADDR_WIDTH-1:0] araddr,
    input  wire [2:0]            arprot,
    input  wire                  arvalid,
    input  wire                  arready,
    input  wire [31:0]           rdata,
    input  wire [1:0]            rresp,
    input  wire                  rvalid,
    input  wire                  rready,
    output wire [14:0]           err_rules         // sticky: bit n = rule n was violated
);

`include "ringnic_check.vh"

    localparam integer M = (DUT_SLAVE != 0) ? 0 : 1;   // M rules are the DUT's when it is the master
    localparam integer S = (DUT_SLAVE != 0) ? 1 : 0;
    localparam integer CW = 8;                           // request counters, modulo 256

    initial begin
        if (ADDR_WIDTH < 1 || MAX_WAIT < 1) begin
            $display("ringnic_check_axil: ADDR_WIDTH and MAX_WAIT must be >= 1");
            $finish;
        end
    end

    reg  [14:0] err_q;
    assign err_rules = err_q;

`ifdef FORMAL
    // Formal: every trace starts in reset.
    reg f_started = 1'b0;
    always @(posedge clk) f_started <= 1'b1;
    always @* if (!f_started) assume(rst);
`endif

    // The previous cycle, for the hold rules.
    reg                  p_ok;                           // last cycle was out of reset
    reg                  p_awvalid, p_awready, p_wvalid, p_wready, p_arvalid, p_arready;
    reg                  p_bvalid, p_bready, p_rvalid, p_rready;
    reg [ADDR_WIDTH-1:0] p_awaddr, p_araddr;
    reg [2:0]            p_awprot, p_arprot;
    reg [31:0]           p_wdata, p_rdata;
    reg [3:0]            p_wstrb;
    reg [1:0]            p_bresp, p_rresp;

    // Handshakes so far (modulo 2**CW): their differences are the requests in flight.
    reg [CW-1:0] n_aw, n_w, n_b, n_ar, n_r;
    reg [CW-1:0] t_b, t_r, t_aw, t_w, t_ar;             // wait counters

    wire [CW-1:0] wr_open  = (n_aw - n_b);
    wire [CW-1:0] wd_open  = (n_w - n_b);
    wire [CW-1:0] rd_open  = (n_ar - n_r);
    wire          held     = (bvalid && !bready) || (rvalid && !rready);  // the master holds a response
    wire          wr_wait  = (wr_open != 0) && (wd_open != 0) && !bvalid; // both halves in, no answer yet
    wire          rd_wait  = (rd_open != 0) && !rvalid;
    wire          aw_wait  = awvalid && !awready && !held && (n_aw == n_w);
    wire          w_wait   = wvalid && !wready && !held && (n_aw == n_w);
    wire          ar_wait  = arvalid && !arready && !held;
    localparam [CW-1:0] LIMIT = MAX_WAIT[CW-1:0];

    always @(posedge clk) begin
        if (rst) begin
            p_ok <= 1'b0;
            {n_aw, n_w, n_b, n_ar, n_r} <= {(5*CW){1'b0}};
            {t_b, t_r, t_aw, t_w, t_ar} <= {(5*CW){1'b0}};
        end else begin
            p_ok <= 1'b1;
            n_aw <= n_aw + {{(CW-1){1'b0}}, awvalid && awready};
            n_w  <= n_w  + {{(CW-1){1'b0}}, wvalid && wready};
            n_b  <= n_b  + {{(CW-1){1'b0}}, bvalid && bready};
            n_ar <= n_ar + {{(CW-1){1'b0}}, arvalid && arready};
            n_r  <= n_r  + {{(CW-1){1'b0}}, rvalid && rready};
            t_b  <= wr_wait ? t_b  + 1'b1 : {CW{1'b0}};
            t_r  <= rd_wait ? t_r  + 1'b1 : {CW{1'b0}};
            t_aw <= aw_wait ? t_aw + 1'b1 : {CW{1'b0}};
            t_w  <= w_wait  ? t_w  + 1'b1 : {CW{1'b0}};
            t_ar <= ar_wait ? t_ar + 1'b1 : {CW{1'b0}};
        end
        {p_awvalid, p_awready, p_wvalid, p_wready, p_arvalid, p_arready} <=
            {awvalid, awready, wvalid, wready, arvalid, arready};
        {p_bvalid, p_bready, p_rvalid, p_rready} <= {bvalid, bready, rvalid, rready};
        {p_awaddr, p_awprot, p_wdata, p_wstrb, p_araddr, p_arprot} <= {awaddr, awprot, wdata, wstrb, araddr, arprot};
        {p_bresp, p_rdata, p_rresp} <= {bresp, rdata, rresp};
    end

    // A hold rule applies when this cycle and the last were out of reset.
    wire live = !rst && p_ok;

    always @(posedge clk) begin
        if (rst) begin
            err_q <= 15'd0;
        end else begin
            `RN_RULE(M, !(live && p_awvalid && !p_awready) || (awvalid && awaddr == p_awaddr && awprot == p_awprot), 0, "AXIL_AW_HOLD")
            `RN_RULE(M, !(live && p_wvalid && !p_wready) || (wvalid && wdata == p_wdata && wstrb == p_wstrb), 1, "AXIL_W_HOLD")
            `RN_RULE(M, !(live && p_arvalid && !p_arready) || (arvalid && araddr == p_araddr && arprot == p_arprot), 2, "AXIL_AR_HOLD")
            `RN_RULE(S, !(live && p_bvalid && !p_bready) || (bvalid && bresp == p_bresp), 3, "AXIL_B_HOLD")
            `RN_RULE(S, !(live && p_rvalid && !p_rready) || (rvalid && rdata == p_rdata && rresp == p_rresp), 4, "AXIL_R_HOLD")
            `RN_RULE(S, !bvalid || (wr_open != 0 && wd_open != 0), 5, "AXIL_B_NO_REQ")
            `RN_RULE(S, !rvalid || rd_open != 0, 6, "AXIL_R_NO_REQ")
            `RN_RULE(S, !bvalid || bresp != 2'b01, 7, "AXIL_B_RESP")
            `RN_RULE(S, !rvalid || rresp != 2'b01, 8, "AXIL_R_RESP")
            `RN_RULE(S, t_b  < LIMIT, 9, "AXIL_B_TIMEOUT")
            `RN_RULE(S, t_r  < LIMIT, 10, "AXIL_R_TIMEOUT")
            `RN_RULE(S, t_aw < LIMIT, 11, "AXIL_AW_STALL")
            `RN_RULE(S, t_w  < LIMIT, 12, "AXIL_W_STALL")
            `RN_RULE(S, t_ar < LIMIT, 13, "AXIL_AR_STALL")
`ifndef FORMAL
            `RN_RULE(M, ^{awvalid, wvalid, arvalid, bready, rready, awready, wready, arready, bvalid, rvalid} !== 1'bx,
                     14, "AXIL_X")
`endif
        end
    end

endmodule

`default_nettype wire
