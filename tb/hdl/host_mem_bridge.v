`default_nettype none
`timescale 1ns/1ps

// host_mem_bridge: an AXI4 slave whose memory is on the Python side, one transaction at a time.
//
// The fast path to host memory (tb/harness/hostmem_bridge.py): the NIC's bursts are served here at full
// beat rate, and Python wakes once per burst, reads one word and answers with one write.
// A read burst raises rd_req with its request packed in rd_cmd; Python fences it, reads host
// DRAM and writes rd_resp = {ack toggle, err, beats} (beat k in bits 64k+63:64k); the beats then
// go out back to back. A write burst's beats are collected into wr_cmd (request, beats and
// strobes in one word); at WLAST wr_req rises, Python applies them and writes wr_resp = {ack
// toggle, err}; then the B response goes out. err turns the response into SLVERR (a fenced
// access under the abort policy). One read and one write may be in flight together; each channel
// takes its next burst after the last one completed. Bursts longer than MAX_BEATS are answered
// SLVERR and dropped.
//
// Request word (rd_cmd, and the low CMD_W bits of wr_cmd): [31:0] address, [39:32] AxLEN,
// [42:40] AxSIZE, [44:43] AxBURST, [45+ID_WIDTH-1:45] AxID. wr_cmd continues with 72 bits per
// beat, {strobes, data}. wr_head is wr_cmd cut after HEAD_BEATS beats: a simulator reads a
// vector in time proportional to its width, so Python reads wr_head for short bursts
// (descriptor write-backs) and wr_cmd only for long ones.

module host_mem_bridge #(
    parameter integer ID_WIDTH  = 4,   // AXI ID width, bits (1..8)
    parameter integer MAX_BEATS = 256, // longest burst served, beats (1..256; AXI4's INCR limit)
    parameter integer HEAD_BEATS = 16, // beats in wr_head (1..MAX_BEATS)
    parameter integer CMD_W     = 45 + ID_WIDTH  // request word width: derived, do not set
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
    output reg                            rd_req,   // a read burst waits for its data
    output reg  [CMD_W-1:0]               rd_cmd,
    input  wire [64*MAX_BEATS+1:0]        rd_resp,  // Python: {ack toggle, err, beats}
    output reg                            wr_req,   // a write burst's beats are in wr_cmd
    output reg  [CMD_W+72*MAX_BEATS-1:0]  wr_cmd,
    output wire [CMD_W+72*HEAD_BEATS-1:0] wr_head,  // the first HEAD_BEATS beats of wr_cmd
    input  wire [1:0]                     wr_resp   // Python: {ack toggle, err}
);

    localparam [1:0] OKAY = 2'b00, SLVERR = 2'b10;
    localparam [8:0] MAXB = MAX_BEATS[8:0];
    localparam integer DATA_W = 64 * MAX_BEATS;

    initial begin
        if (ID_WIDTH < 1 || ID_WIDTH > 8) begin $display("host_mem_bridge: ID_WIDTH %0d not in 1..8", ID_WIDTH); $finish; end
        if (MAX_BEATS < 1 || MAX_BEATS > 256) begin $display("host_mem_bridge: MAX_BEATS %0d not in 1..256", MAX_BEATS); $finish; end
        if (HEAD_BEATS < 1 || HEAD_BEATS > MAX_BEATS) begin $display("host_mem_bridge: HEAD_BEATS %0d not in 1..MAX_BEATS", HEAD_BEATS); $finish; end
        if (CMD_W != 45 + ID_WIDTH) begin $display("host_mem_bridge: CMD_W is derived, leave it"); $finish; end
    end

    wire rd_ack = rd_resp[DATA_W+1];
    wire rd_err = rd_resp[DATA_W];
    wire wr_ack = wr_resp[1];
    wire wr_err = wr_resp[0];

    // ================================================================ read channel
    // The beats are sent straight out of rd_resp: Python leaves it alone until the next rd_req.
    localparam [1:0] R_IDLE = 2'd0, R_WAIT = 2'd1, R_SEND = 2'd2;
    reg  [1:0] r_state;
    reg        rd_ack_q;
    reg  [7:0] r_beat;
    reg        r_toolong;
    reg        r_bad;

    assign s_axi_arready = (r_state == R_IDLE);
    assign s_axi_rdata   = r_bad ? 64'd0 : rd_resp[r_beat * 64 +: 64];

    always @(posedge clk) begin
        if (rst) begin
            r_state <= R_IDLE; rd_req <= 1'b0; rd_ack_q <= rd_ack; r_bad <= 1'b0;
            s_axi_rvalid <= 1'b0; s_axi_rlast <= 1'b0; s_axi_rresp <= OKAY; s_axi_rid <= {ID_WIDTH{1'b0}};
            rd_cmd <= {CMD_W{1'b0}}; r_beat <= 8'd0; r_toolong <= 1'b0;
        end else begin
            case (r_state)
                R_IDLE: if (s_axi_arvalid) begin
                    s_axi_rid <= s_axi_arid;
                    rd_cmd <= {s_axi_arid, s_axi_arburst, s_axi_arsize, s_axi_arlen, s_axi_araddr};
                    r_toolong <= ({1'b0, s_axi_arlen} >= MAXB);
                    rd_req <= ({1'b0, s_axi_arlen} < MAXB);
                    r_state <= R_WAIT;
                end
                R_WAIT: if (r_toolong || rd_ack != rd_ack_q) begin
                    rd_ack_q <= rd_ack;
                    rd_req <= 1'b0;
                    r_bad <= r_toolong;
                    s_axi_rresp <= (r_toolong || rd_err) ? SLVERR : OKAY;
                    s_axi_rvalid <= 1'b1;
                    s_axi_rlast <= (rd_cmd[39:32] == 8'd0);
                    r_beat <= 8'd0;
                    r_state <= R_SEND;
                end
                default: if (s_axi_rready) begin   // R_SEND: one beat per handshake
                    if (s_axi_rlast) begin
                        s_axi_rvalid <= 1'b0; s_axi_rlast <= 1'b0;
                        r_state <= R_IDLE;
                    end else begin
                        r_beat <= r_beat + 8'd1;
                        s_axi_rlast <= (r_beat + 8'd1 == rd_cmd[39:32]);
                    end
                end
            endcase
        end
    end

    // ================================================================ write channel
    localparam [2:0] W_IDLE = 3'd0, W_DATA = 3'd1, W_LAST = 3'd2, W_WAIT = 3'd3, W_RESP = 3'd4;
    reg  [2:0] w_state;
    reg        wr_ack_q;
    reg  [7:0] w_beat;
    reg        w_toolong;
    integer    i;

    assign wr_head = wr_cmd[CMD_W+72*HEAD_BEATS-1:0];
    assign s_axi_awready = (w_state == W_IDLE);
    assign s_axi_wready  = (w_state == W_DATA);

    always @(posedge clk) begin
        if (rst) begin
            w_state <= W_IDLE; wr_req <= 1'b0; wr_ack_q <= wr_ack;
            s_axi_bvalid <= 1'b0; s_axi_bresp <= OKAY; s_axi_bid <= {ID_WIDTH{1'b0}};
            wr_cmd[CMD_W-1:0] <= {CMD_W{1'b0}}; w_beat <= 8'd0; w_toolong <= 1'b0;
            for (i = 0; i < MAX_BEATS; i = i + 1)   // a word at a time: Python reads no X
                wr_cmd[CMD_W + i * 72 +: 72] <= 72'd0;
        end else begin
            case (w_state)
                W_IDLE: if (s_axi_awvalid) begin
                    s_axi_bid <= s_axi_awid;
                    wr_cmd[CMD_W-1:0] <= {s_axi_awid, s_axi_awburst, s_axi_awsize, s_axi_awlen, s_axi_awaddr};
                    w_toolong <= ({1'b0, s_axi_awlen} >= MAXB);
                    for (i = 0; i < MAX_BEATS; i = i + 1)   // no strobes until a beat comes
                        wr_cmd[CMD_W + i * 72 + 64 +: 8] <= 8'd0;
                    w_beat <= 8'd0;
                    w_state <= W_DATA;
                end
                W_DATA: if (s_axi_wvalid) begin
                    if (!w_toolong) begin
                        wr_cmd[CMD_W + w_beat * 72 +: 72] <= {s_axi_wstrb, s_axi_wdata};
                    end
                    w_beat <= w_beat + 8'd1;
                    if (s_axi_wlast)
                        w_state <= W_LAST;
                end
                // wr_req rises a cycle after the last beat: a simulator may call Python back on
                // wr_req before wr_head, a continuous assignment, has the beat (Icarus does).
                W_LAST: begin
                    wr_req <= !w_toolong;
                    w_state <= W_WAIT;
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
