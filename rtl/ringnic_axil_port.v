`default_nettype none
`timescale 1ns/1ps

// ringnic_axil_port: the AXI4-Lite slave handshakes of the register file (ringnic_regs), and
// its protocol monitor. It decides OKAY or SLVERR; the register file decides what a word is
// (wr_known/rd_known, from the RDL) and what it holds (rd_val).
//
// Bus rules:
//  * AW and W are captured independently (either may come first); one write and one read are in
//    flight at a time. Every ready is a function of registered state only.
//  * A word that is not a register answers SLVERR (read data 0) with no side effect.
//    A read with araddr[1:0] != 0 is SLVERR (the register file reports such an offset unknown):
//    AXI4-Lite reads carry no size, and a sub-word read of a read-to-clear register would clear
//    bits it does not return. A write may carry a byte address (AXI masters put the address of
//    the first strobed byte on AWADDR); it is SLVERR only when WSTRB enables a byte lane below
//    awaddr[1:0], which no legal transfer does.
//  * Address bits above the 128 KiB window must be zero (no aliasing).
//  * hold (CTRL.RST's pulse) commits no write and accepts no read in that cycle: the register
//    file's reset would overwrite the one and the other would read stale values.

module ringnic_axil_port #(
    parameter integer ADDR_WIDTH = 17   // AXI4-Lite address width, bits; >= 17 (the 128 KiB window)
) (
    input  wire                  clk,
    input  wire                  rst,          // synchronous, active high
    input  wire                  hold,         // no write commit, no read accept this cycle

    input  wire [ADDR_WIDTH-1:0] s_axil_awaddr,
    input  wire [2:0]            s_axil_awprot,
    input  wire                  s_axil_awvalid,
    output wire                  s_axil_awready,
    input  wire [31:0]           s_axil_wdata,
    input  wire [3:0]            s_axil_wstrb,
    input  wire                  s_axil_wvalid,
    output wire                  s_axil_wready,
    output wire [1:0]            s_axil_bresp,
    output wire                  s_axil_bvalid,
    input  wire                  s_axil_bready,
    input  wire [ADDR_WIDTH-1:0] s_axil_araddr,
    input  wire [2:0]            s_axil_arprot,
    input  wire                  s_axil_arvalid,
    output wire                  s_axil_arready,
    output wire [31:0]           s_axil_rdata,
    output wire [1:0]            s_axil_rresp,
    output wire                  s_axil_rvalid,
    input  wire                  s_axil_rready,

    // ------------------------------------------------------------ register file side
    output wire [16:0]           wr_off,       // word offset of the pending write
    input  wire                  wr_known,     // wr_off is a register
    output wire                  wr_en,        // one cycle: the write commits (OKAY)
    output wire [31:0]           wr_data,      // its data, unstrobed bytes 0
    output wire [3:0]            wr_strb,      // its strobes
    output wire [31:0]           wr_mask,      // the strobes as a bit mask (each strobe for its byte)
    output wire [16:0]           rd_off,       // offset of the read on AR (valid with arvalid)
    input  wire                  rd_known,     // rd_off is a register (and word aligned)
    output wire                  rd_en,        // one cycle: the read is accepted (OKAY); side effects now
    input  wire [31:0]           rd_val        // the register's value at rd_off, this cycle
);

    localparam [1:0] RESP_OKAY   = 2'b00;
    localparam [1:0] RESP_SLVERR = 2'b10;

    // ---------------------------------------------------------------- write channel
    reg                  aw_full;     // AW captured, waiting for W / the commit
    reg [ADDR_WIDTH-1:0] aw_addr_q;
    reg                  w_full;      // W captured
    reg [31:0]           w_data_q;
    reg [3:0]            w_strb_q;
    reg                  bvalid_q;
    reg [1:0]            bresp_q;

    assign s_axil_awready = !aw_full;
    assign s_axil_wready  = !w_full;
    assign s_axil_bvalid  = bvalid_q;
    assign s_axil_bresp   = bresp_q;

    // Commit once both halves are here and the previous response is gone.
    wire       wr_go    = aw_full && w_full && !bvalid_q && !hold;
    wire       wr_hi_ok;
    // Lanes below the byte address: a strobe there means the transfer contradicts its address.
    wire [3:0] wr_below = (aw_addr_q[1:0] == 2'd0) ? 4'b0000 :
                          (aw_addr_q[1:0] == 2'd1) ? 4'b0001 :
                          (aw_addr_q[1:0] == 2'd2) ? 4'b0011 : 4'b0111;
    wire       wr_ok    = wr_hi_ok && wr_known && ((w_strb_q & wr_below) == 4'b0000);

    assign wr_off  = {aw_addr_q[16:2], 2'b00};
    assign wr_en   = wr_go && wr_ok;
    assign wr_strb = w_strb_q;
    assign wr_mask = {{8{w_strb_q[3]}}, {8{w_strb_q[2]}}, {8{w_strb_q[1]}}, {8{w_strb_q[0]}}};
    assign wr_data = w_data_q & wr_mask;

    always @(posedge clk) begin
        if (rst) begin
            aw_full   <= 1'b0;
            aw_addr_q <= {ADDR_WIDTH{1'b0}};
            w_full    <= 1'b0;
            w_data_q  <= 32'd0;
            w_strb_q  <= 4'd0;
            bvalid_q  <= 1'b0;
            bresp_q   <= RESP_OKAY;
        end else begin
            if (s_axil_awvalid && !aw_full) begin
                aw_full   <= 1'b1;
                aw_addr_q <= s_axil_awaddr;
            end
            if (s_axil_wvalid && !w_full) begin
                w_full   <= 1'b1;
                w_data_q <= s_axil_wdata;
                w_strb_q <= s_axil_wstrb;
            end
            if (wr_go) begin
                aw_full  <= 1'b0;
                w_full   <= 1'b0;
                bvalid_q <= 1'b1;
                bresp_q  <= wr_ok ? RESP_OKAY : RESP_SLVERR;
            end else if (bvalid_q && s_axil_bready) begin
                bvalid_q <= 1'b0;
            end
        end
    end

    // ---------------------------------------------------------------- read channel
    reg        rvalid_q;
    reg [31:0] rdata_q;
    reg [1:0]  rresp_q;

    assign s_axil_arready = !rvalid_q && !hold;
    assign s_axil_rvalid  = rvalid_q;
    assign s_axil_rdata   = rdata_q;
    assign s_axil_rresp   = rresp_q;

    wire rd_go = s_axil_arvalid && s_axil_arready;
    wire rd_hi_ok;
    wire rd_ok = rd_hi_ok && rd_known;
    assign rd_off = s_axil_araddr[16:0];
    assign rd_en  = rd_go && rd_ok;

    always @(posedge clk) begin
        if (rst) begin
            rvalid_q <= 1'b0;
            rdata_q  <= 32'd0;
            rresp_q  <= RESP_OKAY;
        end else if (rd_go) begin
            rvalid_q <= 1'b1;
            rdata_q  <= rd_ok ? rd_val : 32'd0;
            rresp_q  <= rd_ok ? RESP_OKAY : RESP_SLVERR;
        end else if (rvalid_q && s_axil_rready) begin
            rvalid_q <= 1'b0;
        end
    end

    generate
        if (ADDR_WIDTH > 17) begin : g_addr_hi
            assign wr_hi_ok = ~|aw_addr_q[ADDR_WIDTH-1:17];
            assign rd_hi_ok = ~|s_axil_araddr[ADDR_WIDTH-1:17];
        end else begin : g_addr_window
            assign wr_hi_ok = 1'b1;
            assign rd_hi_ok = 1'b1;
        end
    endgenerate

`ifndef SYNTHESIS
    // AXI4-Lite protocol monitor (simulation only; formal binds the same rules in tb/formal/).
    /* verilator lint_off PINCONNECTEMPTY */
    ringnic_check_axil #(.ADDR_WIDTH(ADDR_WIDTH)) u_check_axil (
        .clk(clk), .rst(rst),
        .awaddr(s_axil_awaddr), .awprot(s_axil_awprot), .awvalid(s_axil_awvalid), .awready(s_axil_awready),
        .wdata(s_axil_wdata), .wstrb(s_axil_wstrb), .wvalid(s_axil_wvalid), .wready(s_axil_wready),
        .bresp(s_axil_bresp), .bvalid(s_axil_bvalid), .bready(s_axil_bready),
        .araddr(s_axil_araddr), .arprot(s_axil_arprot), .arvalid(s_axil_arvalid), .arready(s_axil_arready),
        .rdata(s_axil_rdata), .rresp(s_axil_rresp), .rvalid(s_axil_rvalid), .rready(s_axil_rready),
        .err_rules());
    /* verilator lint_on PINCONNECTEMPTY */
`endif

    // AxPROT carries no meaning for this slave (no secure/privileged split).
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, s_axil_awprot, s_axil_arprot};
    /* verilator lint_on UNUSEDSIGNAL */

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (ADDR_WIDTH < 17) begin
            $display("ringnic_axil_port: ADDR_WIDTH must be >= 17 (the 128 KiB register window)");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
