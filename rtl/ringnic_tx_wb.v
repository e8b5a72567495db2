`default_nettype none
`timescale 1ns/1ps

// ringnic_tx_wb: the TX engine's write-back. Keeps the upper dword, RS and IDE of every
// descriptor the processor takes, by ring index, and, once a frame is wholly in the frame
// buffer (commit), walks its descriptors: each RS (or RPS) one gets DD (one single-beat AW/W:
// the upper dword, EC/LC/TU cleared, CSS/special kept). Completions are taken in issue order
// (one ID): TXDW per OKAY write (with the descriptor's IDE), and after the frame's last write
// (or at once when it has no RS descriptor) TDH may move past the frame.

module ringnic_tx_wb #(
    parameter integer RING_LOG2 = 12,  // log2 of the largest ring, descriptors (3..15)
    parameter integer WBF_LOG2  = 4,   // log2 of the frames awaiting write-back (>= 1)
    parameter integer ORD_LOG2  = 3    // log2 of the writes and TDH moves in flight (>= 1)
) (
    input  wire         clk,
    input  wire         rst,          // synchronous, active high
    input  wire         clr,          // the engine stopped: frames not yet walked are forgotten
    input  wire         stop,         // no new write-back (an error or a soft reset's drain)
    input  wire         mute,         // completions have no effect (a soft reset's leftovers)
    input  wire         tdh_hold,     // a write-back failed: TDH stays

    input  wire [31:0]  ring_base,    // bytes
    input  wire [RING_LOG2:0] ring_size,  // descriptors

    // ------------------------------------------------------------ descriptors taken, frames
    input  wire         take,         // the processor took descriptor take_idx
    input  wire [15:0]  take_idx,
    input  wire [15:0]  take_next,    // the index after take_idx
    input  wire [31:0]  take_upper,   // its bytes 12..15
    input  wire         take_rs,      // CMD.RS or CMD.RPS
    input  wire         take_ide,     // CMD.IDE
    input  wire         take_eop,     // it ends a frame that started at take_first
    input  wire [15:0]  take_first,
    output wire         frames_full,  // no room for another frame: take no first descriptor
    input  wire         commit,       // a frame is wholly in the frame buffer (frames end in order)
    output wire         frames_owed,  // committed frames not yet walked
    output wire         busy,         // walking, or a write on the bus or unanswered

    // ------------------------------------------------------------ AXI4 write channels
    output wire [31:0]  m_axi_awaddr,
    output wire         m_axi_awvalid,
    input  wire         m_axi_awready,
    output wire [63:0]  m_axi_wdata,
    output wire [7:0]   m_axi_wstrb,
    output wire         m_axi_wvalid,
    input  wire         m_axi_wready,
    input  wire [1:0]   m_axi_bresp,
    input  wire         m_axi_bvalid,
    output wire         m_axi_bready,

    // ------------------------------------------------------------ completions
    output wire         txdw,         // a write-back answered OKAY
    output wire         txdw_ide,     // with txdw: that descriptor had CMD.IDE
    output wire         err,          // a write-back answered SLVERR/DECERR
    output wire [15:0]  err_idx,      // with err: its descriptor
    output wire         adv,          // TDH may move to adv_next (past a frame)
    output wire [15:0]  adv_next
);

`include "ringnic_desc.vh"

    localparam integer RING_AW = RING_LOG2;
    localparam integer RW      = RING_LOG2 + 1;   // ring indices (rtl/ringnic_ring.vh)
    // Descriptor bytes 8..15 (the write-back beat) sit at bit DQ_LO of rtl/ringnic_desc.vh's
    // 128-bit layout.
    localparam integer DQ_LO = 64;
    // Write-back: STA.DD set, EC/LC/TU cleared, the rest of bytes 12..15 kept.
    localparam [127:0] WB_SET = 128'd1 << RN_TXD_STAT_DD;
    localparam [127:0] WB_CLR = (128'd1 << RN_TXD_STAT_EC) | (128'd1 << RN_TXD_STAT_LC) | (128'd1 << RN_TXD_STAT_TU);
    localparam [7:0]   WB_STRB = 8'h0F << ((RN_TXD_UPPER - DQ_LO) / 8);  // the upper dword's bytes

    localparam [1:0] W_IDLE = 2'd0;
    localparam [1:0] W_EVAL = 2'd1;    // wb_rdata holds the descriptor at w_cur

`include "ringnic_ring.vh"

    // Frames awaiting write-back: {first, last (EOP), next} descriptor indices.
    localparam integer WBF_W = 48;
    wire [WBF_W-1:0] wbf_rdata;
    wire             wbf_empty;
    wire [WBF_LOG2:0] wbf_count;
    wire             wbf_pop;

    // Write-back completions in order: {IDE, write?, frame end?, descriptor, next index}.
    localparam integer ORD_W = 1 + 1 + 1 + 16 + 16;
    wire [ORD_W-1:0] ord_rdata;
    wire             ord_empty, ord_full;
    wire [ORD_LOG2:0] ord_count;
    wire             ord_push;
    wire [ORD_W-1:0] ord_wdata;
    wire             ord_pop;

    ringnic_fifo #(.WIDTH(WBF_W), .DEPTH_LOG2(WBF_LOG2)) u_wbf (
        .clk(clk), .rst(rst), .clr(clr), .wr_en(take && take_eop),
        .wr_data({take_first, take_idx, take_next}),
        .rd_en(wbf_pop), .rd_data(wbf_rdata), .count(wbf_count), .full(frames_full), .empty(wbf_empty));

    ringnic_fifo #(.WIDTH(ORD_W), .DEPTH_LOG2(ORD_LOG2)) u_ord (
        .clk(clk), .rst(rst), .clr(1'b0), .wr_en(ord_push), .wr_data(ord_wdata),
        .rd_en(ord_pop), .rd_data(ord_rdata), .count(ord_count), .full(ord_full), .empty(ord_empty));

    // Upper dword, RS and IDE of every descriptor taken, by ring index: a frame's RS
    // descriptors are written back only once the whole frame is in, however many it has.
    reg  [33:0] wb_mem [0:(1<<RING_AW)-1];
    reg  [33:0] wb_rdata;
    reg  [1:0]  w_state;
    reg  [15:0] w_cur, w_last, w_next;
    reg  [WBF_LOG2:0] frames_done; // committed, not yet taken by the walker
    reg         aw_valid_q, w_valid_q;
    reg  [31:0] aw_addr_q;
    reg  [63:0] w_data_q;

    wire        w_load   = (w_state == W_IDLE) && !stop && (frames_done != {(WBF_LOG2+1){1'b0}}) && !wbf_empty;
    wire        w_eval   = (w_state == W_EVAL) && !stop;
    wire        w_rs     = wb_rdata[32];
    wire        w_end    = (w_cur == w_last);
    wire        aw_free  = (!aw_valid_q || m_axi_awready) && (!w_valid_q || m_axi_wready);
    wire        w_issue  = w_eval && w_rs && aw_free && !ord_full;
    wire        w_mark   = w_eval && !w_rs && w_end && !ord_full;
    wire        w_skip   = w_eval && !w_rs && !w_end;
    wire        w_adv    = w_issue || w_mark || w_skip;
    wire [15:0] w_cur_nx = ring_next(w_cur, zx16(ring_size));
    wire        w_rd     = w_load || (w_adv && !w_end);
    wire [15:0] w_raddr  = w_load ? wbf_rdata[47:32] : w_cur_nx;

    assign wbf_pop   = w_load;
    assign ord_push  = w_issue || w_mark;
    assign ord_wdata = {wb_rdata[33], w_issue, w_end, w_cur, w_next};

    always @(posedge clk) begin
        if (take)
            wb_mem[take_idx[RING_AW-1:0]] <= {take_ide, take_rs, take_upper};
        if (w_rd)
            wb_rdata <= wb_mem[w_raddr[RING_AW-1:0]];
    end

    always @(posedge clk) begin
        if (rst || clr)
            frames_done <= {(WBF_LOG2+1){1'b0}};
        else
            frames_done <= frames_done + {{WBF_LOG2{1'b0}}, commit} - {{WBF_LOG2{1'b0}}, w_load};
    end

    always @(posedge clk) begin
        if (rst) begin
            w_state    <= W_IDLE;
            w_cur      <= 16'd0;
            w_last     <= 16'd0;
            w_next     <= 16'd0;
            aw_valid_q <= 1'b0;
            w_valid_q  <= 1'b0;
            aw_addr_q  <= 32'd0;
            w_data_q   <= 64'd0;
        end else begin
            if (w_load) begin
                w_state <= W_EVAL;
                w_cur   <= wbf_rdata[47:32];
                w_last  <= wbf_rdata[31:16];
                w_next  <= wbf_rdata[15:0];
            end else if ((w_state == W_EVAL) && (stop || clr)) begin
                w_state <= W_IDLE;
            end else if (w_adv) begin
                if (w_end) w_state <= W_IDLE;
                else       w_cur   <= w_cur_nx;
            end
            // AW and W leave together; each valid drops on its own handshake.
            if (w_issue) begin
                aw_valid_q <= 1'b1;
                aw_addr_q  <= ring_base + {12'd0, w_cur, 4'd0} + DQ_LO / 8;
                w_valid_q  <= 1'b1;
                w_data_q   <= (({32'd0, wb_rdata[31:0]} << (RN_TXD_UPPER - DQ_LO)) & ~WB_CLR[DQ_LO +: 64])
                              | WB_SET[DQ_LO +: 64];
            end else begin
                if (m_axi_awready) aw_valid_q <= 1'b0;
                if (m_axi_wready)  w_valid_q  <= 1'b0;
            end
        end
    end

    assign frames_owed   = (frames_done != {(WBF_LOG2+1){1'b0}});
    assign busy          = aw_valid_q || w_valid_q || !ord_empty || (w_state != W_IDLE);
    assign m_axi_awaddr  = aw_addr_q;
    assign m_axi_awvalid = aw_valid_q;
    assign m_axi_wdata   = w_data_q;
    assign m_axi_wstrb   = WB_STRB;
    assign m_axi_wvalid  = w_valid_q;

    // Completions, in issue order (one ID).
    wire        o_ide   = ord_rdata[34];
    wire        o_w     = ord_rdata[33];
    wire        o_end   = ord_rdata[32];
    wire        o_mark  = !ord_empty && !o_w;
    assign m_axi_bready = !ord_empty && o_w;
    wire        b_fire  = m_axi_bvalid && m_axi_bready;
    wire        b_ok    = !m_axi_bresp[1];
    assign ord_pop  = b_fire || o_mark;
    assign txdw     = b_fire && b_ok && !mute;
    assign txdw_ide = o_ide;
    assign err      = b_fire && !b_ok && !mute;
    assign err_idx  = ord_rdata[31:16];
    assign adv      = ((b_fire && b_ok && o_end) || o_mark) && !mute && !tdh_hold;
    assign adv_next = ord_rdata[15:0];

    // The queues' spare status outputs; STA's four low bits (DD, EC, LC, TU) are written as
    // constants; w_raddr above the ring index.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, m_axi_bresp[0], wbf_count, ord_count, wb_rdata[3:0], w_raddr};
    /* verilator lint_on UNUSEDSIGNAL */

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_tx_wb: RING_LOG2 must be 3..15");
            $finish;
        end
        if (WBF_LOG2 < 1 || ORD_LOG2 < 1) begin
            $display("ringnic_tx_wb: WBF_LOG2 and ORD_LOG2 must be >= 1");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
