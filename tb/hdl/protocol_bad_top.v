`default_nettype none
`timescale 1ns/1ps

// protocol_bad_top: both AXI checkers on a scripted bus, for tests/test_protocol_check.py. Out
// of reset, one short legal script plays on an AXI4-Lite and an AXI4 bus (both sides driven
// here); `mode` (held through the run) breaks it in one place, so that one named rule must fire.
//   0 legal                  6 AXI_B_NO_REQ: a B with no write
//   1 AXIL_AW_HOLD: AWVALID dropped before AWREADY
//   2 AXIL_R_NO_REQ: RVALID with no read   7 AXI_AR_HOLD: ARVALID dropped before ARREADY
//   3 AXIL_B_TIMEOUT: a write never answered 8 AXI_W_NO_AW: a W beat before any AW
//   4 AXI_AW_4K: a burst across 4 KiB       9 AXI_RLAST: RLAST on the first of two beats
//   5 AXI_WLAST: WLAST on the first beat   10 AXI_RD_MAX_OUT: a second read over MAX_RD_OUT = 1

module protocol_bad_top #(
    parameter integer FATAL = 0          // 0: the checkers only flag (err_*); 1: they end the simulation
) (
    input  wire        clk,
    input  wire        rst,              // synchronous, active high
    input  wire [3:0]  mode,             // which rule to break (0: none)
    output wire [14:0] err_axil,         // ringnic_check_axil's err_rules
    output wire [16:0] err_axi           // ringnic_check_axi's err_rules
);

    reg [5:0] t;                         // cycles since reset, saturating
    always @(posedge clk) begin
        if (rst)
            t <= 6'd0;
        else if (t != 6'd63)
            t <= t + 1'b1;
    end
    wire [3:0] m = mode;

    // ---------------------------------------------------------------- AXI4-Lite: AW+W, B, AR, R
    wire l_awvalid = (t == 6'd2) || (t == 6'd3 && m != 4'd1);
    wire l_awready = (t == 6'd3);
    wire l_wvalid  = (t == 6'd3);
    wire l_wready  = 1'b1;
    wire l_bvalid  = (t == 6'd5) && m != 4'd3;
    wire l_arvalid = (t == 6'd6);
    wire l_arready = 1'b1;
    wire l_rvalid  = (t == 6'd8) || (t == 6'd1 && m == 4'd2);

    ringnic_check_axil #(.ADDR_WIDTH(8), .MAX_WAIT(8), .FATAL(FATAL)) u_axil (
        .clk(clk), .rst(rst),
        .awaddr(8'h10), .awprot(3'd0), .awvalid(l_awvalid), .awready(l_awready),
        .wdata(32'h1234_5678), .wstrb(4'hF), .wvalid(l_wvalid), .wready(l_wready),
        .bresp(2'b00), .bvalid(l_bvalid), .bready(1'b1),
        .araddr(8'h20), .arprot(3'd0), .arvalid(l_arvalid), .arready(l_arready),
        .rdata(32'h0), .rresp(2'b00), .rvalid(l_rvalid), .rready(1'b1),
        .err_rules(err_axil));

    // ---------------------------------------------------------------- AXI4: AW, 2 W beats, B, AR, 2 R beats
    wire        a_awvalid = (t == 6'd2);
    wire [31:0] a_awaddr  = (m == 4'd4) ? 32'h0000_0FF8 : 32'h0000_1000;
    wire        a_wvalid  = (t == 6'd3) || (t == 6'd4) || (t == 6'd1 && m == 4'd8);
    wire        a_wlast   = (t == 6'd4) || (t == 6'd3 && m == 4'd5);
    wire        a_bvalid  = (t == 6'd6) || (t == 6'd1 && m == 4'd6);
    wire        a_arvalid = (t == 6'd7) || (t == 6'd8 && m != 4'd7) || (t == 6'd9 && m == 4'd10);
    wire        a_arready = (t == 6'd8) || (t == 6'd9);
    wire        a_rvalid  = (t == 6'd10) || (t == 6'd11);
    wire        a_rlast   = (t == 6'd11) || (t == 6'd10 && m == 4'd9);

    ringnic_check_axi #(.ADDR_WIDTH(32), .DATA_WIDTH(64), .ID_WIDTH(4), .MAX_BEATS(16),
                        .MAX_WR_OUT(2), .MAX_RD_OUT(1), .RD_SLOTS_LOG2(1), .FATAL(FATAL)) u_axi (
        .clk(clk), .rst(rst),
        .awid(4'd3), .awaddr(a_awaddr), .awlen(8'd1), .awsize(3'd3), .awburst(2'b01),
        .awvalid(a_awvalid), .awready(1'b1),
        .wdata({58'd0, t}), .wstrb(8'hFF), .wlast(a_wlast), .wvalid(a_wvalid), .wready(1'b1),
        .bid(4'd3), .bresp(2'b00), .bvalid(a_bvalid), .bready(1'b1),
        .arid(4'd5), .araddr(32'h0000_2000), .arlen(8'd1), .arsize(3'd3), .arburst(2'b01),
        .arvalid(a_arvalid), .arready(a_arready),
        .rid(4'd5), .rdata(64'd0), .rresp(2'b00), .rlast(a_rlast), .rvalid(a_rvalid), .rready(1'b1),
        .err_rules(err_axi));

endmodule

`default_nettype wire
