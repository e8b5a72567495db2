`default_nettype none
`timescale 1ns/1ps

// bench_axi_ram: host memory for the benchmark, in HDL so that no Python serves a DMA beat.
//
// An AXI4 slave RAM: 64-bit data, INCR bursts of full-width beats, byte strobes, IDs echoed,
// OKAY on every response. One read burst and one write burst are served at a time, each at
// one beat per cycle with no bubble between bursts (the next AR/AW is taken in the cycle of
// the current burst's last beat). Addresses wrap at the memory size.
//
// `mem` is a plain array so the harness preloads rings and frames through simulator handles
// (Verilator builds with --public-flat-rw). A burst that is not INCR of 8-byte beats is served
// as if it were, and sets `proto_err` for the harness to check.
//
// The wr_mon_* outputs show every accepted W beat (byte address, data, strobes) so that a
// testbench can count what the DMA master writes (e.g. descriptor write-backs).

module bench_axi_ram #(
    parameter integer ADDR_WIDTH = 32,  // AXI address width, bits (> DEPTH_LOG2 + 3)
    parameter integer ID_WIDTH   = 4,   // AXI ID width, bits
    parameter integer DEPTH_LOG2 = 17   // memory size: 2**DEPTH_LOG2 64-bit words (17: 1 MiB)
) (
    input  wire                  clk,
    input  wire                  rst,             // synchronous, active high

    input  wire [ID_WIDTH-1:0]   s_axi_awid,
    input  wire [ADDR_WIDTH-1:0] s_axi_awaddr,
    input  wire [7:0]            s_axi_awlen,
    input  wire [2:0]            s_axi_awsize,
    input  wire [1:0]            s_axi_awburst,
    input  wire                  s_axi_awvalid,
    output wire                  s_axi_awready,
    input  wire [63:0]           s_axi_wdata,
    input  wire [7:0]            s_axi_wstrb,
    input  wire                  s_axi_wlast,
    input  wire                  s_axi_wvalid,
    output wire                  s_axi_wready,
    output reg  [ID_WIDTH-1:0]   s_axi_bid,
    output wire [1:0]            s_axi_bresp,
    output reg                   s_axi_bvalid,
    input  wire                  s_axi_bready,
    input  wire [ID_WIDTH-1:0]   s_axi_arid,
    input  wire [ADDR_WIDTH-1:0] s_axi_araddr,
    input  wire [7:0]            s_axi_arlen,
    input  wire [2:0]            s_axi_arsize,
    input  wire [1:0]            s_axi_arburst,
    input  wire                  s_axi_arvalid,
    output wire                  s_axi_arready,
    output reg  [ID_WIDTH-1:0]   s_axi_rid,
    output reg  [63:0]           s_axi_rdata,
    output wire [1:0]            s_axi_rresp,
    output reg                   s_axi_rlast,
    output reg                   s_axi_rvalid,
    input  wire                  s_axi_rready,

    output wire                  wr_mon_valid,    // a W beat is written this cycle
    output wire [ADDR_WIDTH-1:0] wr_mon_addr,     // its byte address (8-byte aligned)
    output wire [63:0]           wr_mon_data,
    output wire [7:0]            wr_mon_strb,
    output reg                   proto_err        // sticky: a burst was not INCR of 8-byte beats
);

    localparam integer DEPTH = 1 << DEPTH_LOG2;
    localparam [1:0]   INCR  = 2'b01;

    reg [63:0] mem [0:DEPTH-1];

    assign s_axi_bresp = 2'b00;
    assign s_axi_rresp = 2'b00;

    // ------------------------------------------------------------ read: one burst at a time
    reg [DEPTH_LOG2-1:0] rd_word;   // next word to read
    reg [7:0]            rd_left;   // beats after the one on R
    wire r_fire  = s_axi_rvalid && s_axi_rready;
    // Free, or handing over its last beat now: the next burst starts without a bubble.
    assign s_axi_arready = !s_axi_rvalid || (s_axi_rready && s_axi_rlast);
    wire ar_fire = s_axi_arvalid && s_axi_arready;
    wire [DEPTH_LOG2-1:0] ar_word = s_axi_araddr[DEPTH_LOG2+2:3];

    always @(posedge clk) begin
        if (rst) begin
            s_axi_rvalid <= 1'b0;
            s_axi_rlast  <= 1'b0;
            s_axi_rid    <= {ID_WIDTH{1'b0}};
            s_axi_rdata  <= 64'd0;
            rd_word      <= {DEPTH_LOG2{1'b0}};
            rd_left      <= 8'd0;
        end else if (ar_fire) begin
            s_axi_rvalid <= 1'b1;
            s_axi_rid    <= s_axi_arid;
            s_axi_rdata  <= mem[ar_word];
            s_axi_rlast  <= s_axi_arlen == 8'd0;
            rd_word      <= ar_word + 1'b1;
            rd_left      <= s_axi_arlen;
        end else if (r_fire) begin
            if (s_axi_rlast) begin
                s_axi_rvalid <= 1'b0;
                s_axi_rlast  <= 1'b0;
            end else begin
                s_axi_rdata <= mem[rd_word];
                s_axi_rlast <= rd_left == 8'd1;
                rd_word     <= rd_word + 1'b1;
                rd_left     <= rd_left - 1'b1;
            end
        end
    end

    // ------------------------------------------------------------ write: one burst at a time
    reg                  wr_busy;   // an AW was taken; its W beats are being written
    reg [DEPTH_LOG2-1:0] wr_word;
    reg [ID_WIDTH-1:0]   wr_id;
    wire b_free  = !s_axi_bvalid || s_axi_bready;  // room for this burst's response
    assign s_axi_wready = wr_busy && b_free;
    wire w_fire  = s_axi_wvalid && s_axi_wready;
    wire w_end   = w_fire && s_axi_wlast;
    assign s_axi_awready = !wr_busy || w_end;
    wire aw_fire = s_axi_awvalid && s_axi_awready;

    wire [63:0] strb_mask;
    genvar g;
    generate
        for (g = 0; g < 8; g = g + 1) begin : g_mask
            assign strb_mask[8*g +: 8] = {8{s_axi_wstrb[g]}};
        end
    endgenerate

    always @(posedge clk) begin
        if (w_fire)
            mem[wr_word] <= (mem[wr_word] & ~strb_mask) | (s_axi_wdata & strb_mask);
    end

    always @(posedge clk) begin
        if (rst) begin
            wr_busy      <= 1'b0;
            wr_word      <= {DEPTH_LOG2{1'b0}};
            wr_id        <= {ID_WIDTH{1'b0}};
            s_axi_bvalid <= 1'b0;
            s_axi_bid    <= {ID_WIDTH{1'b0}};
        end else begin
            if (s_axi_bvalid && s_axi_bready)
                s_axi_bvalid <= 1'b0;
            if (w_end) begin
                s_axi_bvalid <= 1'b1;
                s_axi_bid    <= wr_id;
            end
            if (aw_fire) begin
                wr_busy <= 1'b1;
                wr_word <= s_axi_awaddr[DEPTH_LOG2+2:3];
                wr_id   <= s_axi_awid;
            end else if (w_end) begin
                wr_busy <= 1'b0;
            end else if (w_fire) begin
                wr_word <= wr_word + 1'b1;
            end
        end
    end

    // ------------------------------------------------------------ checks, monitor
    always @(posedge clk) begin
        if (rst)
            proto_err <= 1'b0;
        else if ((ar_fire && (s_axi_arburst != INCR || s_axi_arsize != 3'd3))
              || (aw_fire && (s_axi_awburst != INCR || s_axi_awsize != 3'd3)))
            proto_err <= 1'b1;
    end

    assign wr_mon_valid = w_fire;
    assign wr_mon_addr  = {{(ADDR_WIDTH-DEPTH_LOG2-3){1'b0}}, wr_word, 3'b000};
    assign wr_mon_data  = s_axi_wdata;
    assign wr_mon_strb  = s_axi_wstrb;

    // Address bits above the memory (it wraps) and AWLEN (WLAST ends a burst) are not needed.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, s_axi_awaddr, s_axi_araddr, s_axi_awlen};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
