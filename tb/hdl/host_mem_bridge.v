`default_nettype none
`timescale 1ns/1ps

// host_mem_bridge: an AXI4 slave whose memory is on the Python side, one transaction at a time.
//
// The fast path to host memory (tb/hostmem_bridge.py): the NIC's bursts are served here at full
// beat rate, and Python does work once per burst instead of once per beat. A read burst raises
// rd_req with its address fields; Python fences it, reads host DRAM and answers by putting every
// beat in rd_data (beat k in bits 64k+63:64k) and toggling rd_ack; the beats then go out back
// to back. A write burst's beats are collected into wr_data/wr_strb; at WLAST wr_req rises,
// Python applies them and toggles wr_ack; then the B response goes out. rd_err / wr_err turn
// the response into SLVERR (a fenced access under the abort policy). One read and one write
// may be in flight together; each channel takes its next burst after the last one completed.
// Bursts longer than MAX_BEATS are answered SLVERR and dropped (the NIC never makes them).

module host_mem_bridge #(
    parameter integer ID_WIDTH  = 4,   // AXI ID width, bits
    parameter integer MAX_BEATS = 16   // longest burst served, beats (the NIC's 16-beat cap)
) (
    input  wire                      clk,
    input  wire                      rst,           // synchronous, active high

    // ------------------------------------------------------------ AXI4 slave (64-bit)
    input  wire [ID_WIDTH-1:0]       s_axi_awid,
    input  wire [31:0]               s_axi_awaddr,
    input  wire [7:0]                s_axi_awlen,
    input  wire [2:0]                s_axi_awsize,
    input  wire [1:0]                s_axi_awburst,
    input  wire                      s_axi_awvalid,
    output wire                      s_axi_awready,
    input  wire [63:0]               s_axi_wdata,
    input  wire [7:0]                s_axi_wstrb,
    input  wire                      s_axi_wlast,
    input  wire                      s_axi_wvalid,
    output wire                      s_axi_wready,
    output reg  [ID_WIDTH-1:0]       s_axi_bid,
    output reg  [1:0]                s_axi_bresp,
    output reg                       s_axi_bvalid,
    input  wire                      s_axi_bready,
    input  wire [ID_WIDTH-1:0]       s_axi_arid,
    input  wire [31:0]               s_axi_araddr,
    input  wire [7:0]                s_axi_arlen,
    input  wire [2:0]                s_axi_arsize,
    input  wire [1:0]                s_axi_arburst,
    input  wire                      s_axi_arvalid,
    output wire                      s_axi_arready,
    output reg  [ID_WIDTH-1:0]       s_axi_rid,
    output wire [63:0]               s_axi_rdata,
    output reg  [1:0]                s_axi_rresp,
    output reg                       s_axi_rlast,
    output reg                       s_axi_rvalid,
    input  wire                      s_axi_rready,

    // ------------------------------------------------------------ the Python side
    output reg                       rd_req,        // a read burst waits for its data
    output reg  [31:0]               rd_addr,
    output reg  [7:0]                rd_len,        // beats - 1
    output reg  [2:0]                rd_size,
    output reg  [1:0]                rd_burst,
    input  wire [64*MAX_BEATS-1:0]   rd_data,
    input  wire                      rd_err,
    input  wire                      rd_ack,        // toggled by Python: rd_data/rd_err are valid
    output reg                       wr_req,        // a write burst's beats are in wr_data/wr_strb
    output reg  [31:0]               wr_addr,
    output reg  [7:0]                wr_len,
    output reg  [2:0]                wr_size,
    output reg  [1:0]                wr_burst,
    output reg  [64*MAX_BEATS-1:0]   wr_data,
    output reg  [8*MAX_BEATS-1:0]    wr_strb,
    input  wire                      wr_err,
    input  wire                      wr_ack         // toggled by Python: the beats are written
);

    localparam [1:0] OKAY = 2'b00, SLVERR = 2'b10;
    localparam [8:0] MAXB = MAX_BEATS[8:0];

    // ================================================================ read channel
    localparam [1:0] R_IDLE = 2'd0, R_WAIT = 2'd1, R_SEND = 2'd2;
    reg  [1:0]              r_state;
    reg                     rd_ack_q;
    reg  [64*MAX_BEATS-1:0] r_buf;
    reg  [7:0]              r_beat;
    reg                     r_toolong;

    assign s_axi_arready = (r_state == R_IDLE);
    assign s_axi_rdata   = r_buf[63:0];

    always @(posedge clk) begin
        if (rst) begin
            r_state <= R_IDLE; rd_req <= 1'b0; rd_ack_q <= rd_ack;
            s_axi_rvalid <= 1'b0; s_axi_rlast <= 1'b0; s_axi_rresp <= OKAY; s_axi_rid <= {ID_WIDTH{1'b0}};
            rd_addr <= 32'd0; rd_len <= 8'd0; rd_size <= 3'd0; rd_burst <= 2'd0;
            r_buf <= {64*MAX_BEATS{1'b0}}; r_beat <= 8'd0; r_toolong <= 1'b0;
        end else begin
            case (r_state)
                R_IDLE: if (s_axi_arvalid) begin
                    s_axi_rid <= s_axi_arid;
                    rd_addr <= s_axi_araddr; rd_len <= s_axi_arlen; rd_size <= s_axi_arsize; rd_burst <= s_axi_arburst;
                    r_toolong <= ({1'b0, s_axi_arlen} >= MAXB);
                    rd_req <= ({1'b0, s_axi_arlen} < MAXB);
                    r_state <= R_WAIT;
                end
                R_WAIT: if (r_toolong || rd_ack != rd_ack_q) begin
                    rd_ack_q <= rd_ack;
                    rd_req <= 1'b0;
                    r_buf <= rd_data;
                    s_axi_rresp <= (r_toolong || rd_err) ? SLVERR : OKAY;
                    s_axi_rvalid <= 1'b1;
                    s_axi_rlast <= (rd_len == 8'd0);
                    r_beat <= 8'd0;
                    r_state <= R_SEND;
                end
                default: if (s_axi_rready) begin   // R_SEND: one beat per handshake
                    if (s_axi_rlast) begin
                        s_axi_rvalid <= 1'b0; s_axi_rlast <= 1'b0;
                        r_state <= R_IDLE;
                    end else begin
                        r_buf <= r_buf >> 64;
                        r_beat <= r_beat + 8'd1;
                        s_axi_rlast <= (r_beat + 8'd1 == rd_len);
                    end
                end
            endcase
        end
    end

    // ================================================================ write channel
    localparam [1:0] W_IDLE = 2'd0, W_DATA = 2'd1, W_WAIT = 2'd2, W_RESP = 2'd3;
    reg  [1:0] w_state;
    reg        wr_ack_q;
    reg  [7:0] w_beat;
    reg        w_toolong;

    assign s_axi_awready = (w_state == W_IDLE);
    assign s_axi_wready  = (w_state == W_DATA);

    always @(posedge clk) begin
        if (rst) begin
            w_state <= W_IDLE; wr_req <= 1'b0; wr_ack_q <= wr_ack;
            s_axi_bvalid <= 1'b0; s_axi_bresp <= OKAY; s_axi_bid <= {ID_WIDTH{1'b0}};
            wr_addr <= 32'd0; wr_len <= 8'd0; wr_size <= 3'd0; wr_burst <= 2'd0;
            wr_data <= {64*MAX_BEATS{1'b0}}; wr_strb <= {8*MAX_BEATS{1'b0}}; w_beat <= 8'd0; w_toolong <= 1'b0;
        end else begin
            case (w_state)
                W_IDLE: if (s_axi_awvalid) begin
                    s_axi_bid <= s_axi_awid;
                    wr_addr <= s_axi_awaddr; wr_len <= s_axi_awlen; wr_size <= s_axi_awsize; wr_burst <= s_axi_awburst;
                    w_toolong <= ({1'b0, s_axi_awlen} >= MAXB);
                    wr_strb <= {8*MAX_BEATS{1'b0}};
                    w_beat <= 8'd0;
                    w_state <= W_DATA;
                end
                W_DATA: if (s_axi_wvalid) begin
                    if (!w_toolong) begin
                        wr_data[w_beat*64 +: 64] <= s_axi_wdata;
                        wr_strb[w_beat*8 +: 8]   <= s_axi_wstrb;
                    end
                    w_beat <= w_beat + 8'd1;
                    if (s_axi_wlast) begin
                        wr_req <= !w_toolong;
                        w_state <= W_WAIT;
                    end
                end
                W_WAIT: if (w_toolong || wr_ack != wr_ack_q) begin
                    wr_ack_q <= wr_ack;
                    wr_req <= 1'b0;
                    s_axi_bresp <= (w_toolong || wr_err) ? SLVERR : OKAY;
                    s_axi_bvalid <= 1'b1;
                    w_state <= W_RESP;
                end
                default: if (s_axi_bready) begin   // W_RESP
                    s_axi_bvalid <= 1'b0;
                    w_state <= W_IDLE;
                end
            endcase
        end
    end

endmodule

`default_nettype wire
