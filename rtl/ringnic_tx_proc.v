`default_nettype none
`timescale 1ns/1ps

// ringnic_tx_proc: the TX engine's descriptor processor. Pops descriptors from the fetcher's
// queue in ring order, checks them (fetch error, zero length, frame too long), and splits each
// buffer into INCR reads of at most MAX_BURST_BEATS beats that never cross 4 KiB. A burst is
// asked for only once the frame buffer has room for the frame's bytes up to its end, so the
// packer never waits for the MAC; a frame is started only if the MAC's queue and the
// write-back can take one more. The engine owns the AR channel: req/grant as the fetcher's.

module ringnic_tx_proc #(
    parameter integer RING_LOG2       = 12,    // log2 of the largest ring, descriptors (3..15)
    parameter integer FB_AW           = 11,    // frame buffer address width, 64-bit words (>= 5)
    parameter integer META_LOG2       = 4,     // log2 of the MAC's frame queue (>= 1)
    parameter integer MAX_FRAME       = 16384, // bytes a frame may have over its descriptors (1514..65535)
    parameter integer MAX_BURST_BEATS = 16,    // payload read burst length cap, beats (1..256)
    parameter integer NB_W            = 8      // width of a burst's byte count (holds MAX_BURST_BEATS * 8)
) (
    input  wire         clk,
    input  wire         rst,          // synchronous, active high
    input  wire         clr,          // stopped: forget the frame half issued (the packer rolls back too)
    input  wire         run,          // running, no error pending
    input  wire         en,           // TCTL.EN: a new frame may start
    input  wire         issue_ok,     // a burst may be asked for (tracking room, not parked)
    input  wire         start,        // pulse: the next descriptor is start_idx
    input  wire [15:0]  start_idx,
    input  wire [RING_LOG2:0] ring_size,  // descriptors

    // ------------------------------------------------------------ descriptors, in ring order
    input  wire         q_valid,
    input  wire [96:0]  q_data,       // {fetch error, buffer address low dword, bytes 8..15}
    output wire         q_pop,        // taken (good): the take_* outputs describe it
    output reg  [15:0]  head_idx,     // ring index of the queue head
    output wire [15:0]  head_next,    // the index after it
    output wire         err_desc,     // one-cycle: the head failed to fetch
    output wire         err_zero,     //            the head has length 0
    output wire         err_long,     //            the head makes its frame longer than MAX_FRAME

    // ------------------------------------------------------------ the descriptor taken
    output wire [15:0]  take_first,   // first descriptor of its frame
    output wire [31:0]  take_upper,   // bytes 12..15
    output wire         take_rs,      // CMD.RS or CMD.RPS
    output wire         take_ide,     // CMD.IDE
    output wire         take_eop,     // CMD.EOP

    // ------------------------------------------------------------ room downstream
    input  wire [META_LOG2:0] meta_count, // frames queued in the MAC
    input  wire         wb_full,      // the write-back takes no more frames
    input  wire [FB_AW:0] fb_free,    // frame buffer words the MAC freed (wrapping)
    input  wire [FB_AW:0] fs_ptr,     // the packer's next frame start, to roll back to on clr
    input  wire         commit,       // the packer committed a frame

    // ------------------------------------------------------------ payload read bursts
    output wire         req,
    output wire [31:0]  req_addr,
    output wire [7:0]   req_len,      // AXI ARLEN
    output wire [38+NB_W-1:0] req_tag, // {frame end, descriptor, first lane, bytes, IC, IFCS, CSO, CSS}
    input  wire         grant,

    output reg          mid,          // inside a frame
    output reg          busy,         // issuing the bursts of a descriptor
    output wire         space,        // the next burst fits the frame buffer
    output reg  [META_LOG2+1:0] frames_inflight  // started, not yet committed by the packer
);

`include "ringnic_desc.vh"

    localparam [17:0]  FB_WORDS   = 18'd1 << FB_AW;
    localparam [16:0]  MAX_LEN    = MAX_FRAME[16:0];
    localparam [META_LOG2+1:0] META_DEPTH = 1 << META_LOG2;
    localparam [17:0]  BURST_CAP  = MAX_BURST_BEATS[17:0];
    // Descriptor bytes 8..15 (the second fetch beat) sit at bit DQ_LO of rtl/ringnic_desc.vh's
    // 128-bit layout.
    localparam integer DQ_LO = 64;
    localparam integer RW    = RING_LOG2 + 1;   // ring indices (rtl/ringnic_ring.vh)

`include "ringnic_ring.vh"

    reg  [15:0] p_first;       // first descriptor of the frame
    reg  [15:0] p_idx;         // descriptor being issued
    reg  [31:0] p_addr;        // next byte to read
    reg  [15:0] p_left;        // bytes of the descriptor still to read
    reg  [16:0] p_flen;        // frame bytes over its descriptors so far
    reg  [16:0] p_fo;          // frame bytes issued so far
    reg         p_eop, p_ic, p_ifcs;
    reg  [7:0]  p_cso, p_css;
    reg  [FB_AW:0] rsv_start;  // frame buffer word where the frame being issued starts

    wire        d_poison = q_data[96];
    wire [31:0] d_addr   = q_data[95:64];
    wire [63:0] d_q      = q_data[63:0];
    wire [15:0] d_len    = d_q[RN_TXD_LENGTH-DQ_LO +: RN_TXD_LENGTH_W];
    wire [7:0]  d_cso    = d_q[RN_TXD_CSO-DQ_LO +: RN_TXD_CSO_W];
    wire [7:0]  d_css    = d_q[RN_TXD_CSS-DQ_LO +: RN_TXD_CSS_W];
    wire        d_eop    = d_q[RN_TXD_CMD_EOP-DQ_LO];
    wire        d_ifcs   = d_q[RN_TXD_CMD_IFCS-DQ_LO];
    wire        d_ic     = d_q[RN_TXD_CMD_IC-DQ_LO];

    assign head_next  = ring_next(head_idx, zx16(ring_size));
    assign take_first = mid ? p_first : head_idx;
    assign take_upper = d_q[RN_TXD_UPPER-DQ_LO +: RN_TXD_UPPER_W];
    // RPS (report packet sent): QEMU writes DD for it as for RS.
    assign take_rs    = d_q[RN_TXD_CMD_RS-DQ_LO] | d_q[RN_TXD_CMD_RPS-DQ_LO];
    assign take_ide   = d_q[RN_TXD_CMD_IDE-DQ_LO];
    assign take_eop   = d_eop;

    wire [16:0] flen_new = (mid ? p_flen : 17'd0) + {1'b0, d_len};
    wire        slot_ok  = (({1'b0, meta_count} + frames_inflight) < META_DEPTH) && !wb_full;
    wire        p_look   = run && !busy && q_valid && (mid || (en && slot_ok));
    assign      err_desc = p_look && d_poison;
    assign      err_zero = p_look && !d_poison && (d_len == 16'd0);
    assign      err_long = p_look && !d_poison && (d_len != 16'd0) && (flen_new > MAX_LEN);
    assign      q_pop    = p_look && !d_poison && (d_len != 16'd0) && (flen_new <= MAX_LEN);
    wire        p_start  = q_pop && !mid;

    // Next burst of the current descriptor.
    wire [2:0]  b_lane   = p_addr[2:0];
    wire [17:0] b_need   = ({15'd0, b_lane} + {2'd0, p_left} + 18'd7) >> 3;
    wire [17:0] b_to_4k  = 18'd512 - {9'd0, p_addr[11:3]};
    wire [17:0] b_n1     = (b_need < BURST_CAP) ? b_need : BURST_CAP;
    wire [17:0] b_beats  = (b_to_4k < b_n1) ? b_to_4k : b_n1;
    wire [17:0] b_room   = (b_beats << 3) - {15'd0, b_lane};   // b_beats <= 256: no bits lost
    wire [17:0] b_nb     = ({2'd0, p_left} < b_room) ? {2'd0, p_left} : b_room;
    wire        b_lastd  = (b_nb == {2'd0, p_left});
    wire [17:0] b_fo_end = {1'b0, p_fo} + b_nb;
    wire [17:0] b_words  = (b_fo_end + 18'd7) >> 3;
    wire [FB_AW:0] b_used0 = rsv_start - fb_free;
    assign      space    = ({{(17-FB_AW){1'b0}}, b_used0} + b_words) <= FB_WORDS;
    assign      req      = run && busy && space && issue_ok;
    assign      req_addr = {p_addr[31:3], 3'b000};
    assign      req_len  = b_beats[7:0] - 8'd1;
    assign      req_tag  = {b_lastd && p_eop, p_idx, b_lane, b_nb[NB_W-1:0], p_ic, p_ifcs, p_cso, p_css};

    always @(posedge clk) begin
        if (rst) begin
            mid             <= 1'b0;
            busy            <= 1'b0;
            head_idx        <= 16'd0;
            p_first         <= 16'd0;
            p_idx           <= 16'd0;
            p_addr          <= 32'd0;
            p_left          <= 16'd0;
            p_flen          <= 17'd0;
            p_fo            <= 17'd0;
            p_eop           <= 1'b0;
            p_ic            <= 1'b0;
            p_ifcs          <= 1'b0;
            p_cso           <= 8'd0;
            p_css           <= 8'd0;
            rsv_start       <= {(FB_AW+1){1'b0}};
            frames_inflight <= {(META_LOG2+2){1'b0}};
        end else if (clr) begin
            // Stopped: forget what was prefetched or half issued; the packer rolls back to
            // the same frame boundary.
            mid             <= 1'b0;
            busy            <= 1'b0;
            p_fo            <= 17'd0;
            p_flen          <= 17'd0;
            rsv_start       <= fs_ptr;
            frames_inflight <= {(META_LOG2+2){1'b0}};
        end else begin
            if (start)
                head_idx <= start_idx;

            // Take a descriptor.
            if (q_pop) begin
                if (!mid) begin
                    p_first <= head_idx;
                    p_fo    <= 17'd0;
                end
                mid      <= 1'b1;
                busy     <= 1'b1;
                p_flen   <= flen_new;
                p_idx    <= head_idx;
                p_addr   <= d_addr;
                p_left   <= d_len;
                p_eop    <= d_eop;
                p_ic     <= d_ic;
                p_ifcs   <= d_ifcs;
                p_cso    <= d_cso;
                p_css    <= d_css;
                head_idx <= head_next;
            end

            // One burst issued.
            if (grant) begin
                p_addr <= p_addr + {16'd0, b_nb[15:0]};
                p_left <= p_left - b_nb[15:0];
                p_fo   <= b_fo_end[16:0];
                if (b_lastd) begin
                    busy <= 1'b0;
                    if (p_eop) begin
                        mid       <= 1'b0;
                        p_fo      <= 17'd0;
                        rsv_start <= rsv_start + b_words[FB_AW:0];
                    end
                end
            end

            frames_inflight <= frames_inflight + {{(META_LOG2+1){1'b0}}, p_start}
                                               - {{(META_LOG2+1){1'b0}}, commit};
        end
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_tx_proc: RING_LOG2 must be 3..15");
            $finish;
        end
        if (FB_AW < 5 || META_LOG2 < 1) begin
            $display("ringnic_tx_proc: FB_AW must be >= 5 and META_LOG2 >= 1");
            $finish;
        end
        if (MAX_FRAME < 1514 || MAX_FRAME > 65535) begin
            $display("ringnic_tx_proc: MAX_FRAME must be 1514..65535");
            $finish;
        end
        if (MAX_BURST_BEATS < 1 || MAX_BURST_BEATS > 256) begin
            $display("ringnic_tx_proc: MAX_BURST_BEATS must be 1..256 (AXI4)");
            $finish;
        end
        if ((1 << NB_W) <= MAX_BURST_BEATS * 8) begin
            $display("ringnic_tx_proc: NB_W must hold MAX_BURST_BEATS * 8");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
