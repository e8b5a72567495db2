`default_nettype none
`timescale 1ns/1ps

// ringnic_tx_mac: TX MAC framing. Holds the frame buffer and the queue of complete frames
// the packer committed, and streams each frame out on AXI-Stream: the checksum patched in,
// zero padding to 60 bytes under TCTL.PSP, the FCS appended under IFCS, then per-frame
// statistics (QEMU's e1000_send_packet: octets are the frame plus 4, with or without IFCS).
//
// Pipeline, one beat per cycle:
//   G  beat generator: frame from the queue, RAM read address, per-lane masks and patch
//   R  RAM data in: keep/pad/patch applied, beat pushed into a 4-entry FIFO (G issues only
//      with a free slot, so G and R never stall)
//   F  output register: running CRC, FCS merged into the last beat; when more than 4 bytes of
//      the last beat are data, the FCS spills into one extra beat (F takes nothing that cycle)
// The frame's words are freed (fb_free) once G has issued its last read.
//
// Soft reset (sw_rst): the frames still queued are dropped; a frame G has started is finished
// (a stream beat once valid is never withdrawn) and counted when it completes, as any frame on
// the wire (its GPTC pulse comes after the reset cleared the statistics, so the driver folds it
// later; until 2026-12-06 it was not counted, so a frame the link held in the output stage across
// an ifdown reached the wire counted nowhere). The frames sw_rst drops are reported once, in the
// cycle after it (stat_rst_drop: RNTXRST); those a previous sw_rst is still dropping were
// reported then.

module ringnic_tx_mac #(
    parameter integer FB_AW     = 11,  // frame buffer address width, 64-bit words
    parameter integer META_LOG2 = 4    // log2 of the frame queue depth, frames
) (
    input  wire                   clk,
    input  wire                   rst,        // synchronous, active high
    input  wire                   sw_rst,     // CTRL.RST pulse

    // ------------------------------------------------------------ frame buffer write port
    input  wire                   fb_we,
    input  wire [FB_AW-1:0]       fb_waddr,
    input  wire [63:0]            fb_wdata,

    // ------------------------------------------------------------ committed frames
    input  wire                   meta_push,
    input  wire [FB_AW-1:0]       meta_start,  // first word
    input  wire [15:0]            meta_len,    // bytes before padding and FCS, >= 1
    input  wire                   meta_ins,    // store meta_csum big-endian at meta_cso
    input  wire [7:0]             meta_cso,
    input  wire [15:0]            meta_csum,
    input  wire                   meta_ifcs,   // append the FCS
    input  wire                   meta_psp,    // pad to 60 bytes
    output wire [META_LOG2:0]     meta_count,  // frames queued (not yet started)
    output reg  [FB_AW:0]         fb_free,     // words freed so far (pointer with wrap bit)

    // ------------------------------------------------------------ AXI4-Stream to the MAC
    output wire [63:0]            m_axis_tx_tdata,
    output wire [7:0]             m_axis_tx_tkeep,
    output wire                   m_axis_tx_tvalid,
    input  wire                   m_axis_tx_tready,
    output wire                   m_axis_tx_tlast,
    output wire [0:0]             m_axis_tx_tuser,

    // ------------------------------------------------------------ statistics, one-cycle pulses
    output reg                    stat_inc_gptc,
    output reg                    stat_inc_tpt,
    output reg                    stat_inc_mptc,
    output reg                    stat_inc_bptc,
    output reg  [15:0]            stat_gotc_add,
    output reg  [15:0]            stat_tot_add,
    output reg  [META_LOG2:0]     stat_rst_drop  // frames sw_rst drops from the queue (new ones only), one cycle
);

    localparam [15:0] MIN_LEN   = 16'd60;  // ETH_ZLEN: PSP pads up to it (64 with the FCS)
    localparam integer OUT_LOG2 = 2;       // beat FIFO between R and F: 4 entries
    localparam integer OUT_W    = 64 + 8 + 1 + 1 + 1 + 16;

    // ================================================================ frame buffer
    reg  [63:0] fb_mem [0:(1<<FB_AW)-1];
    reg  [63:0] fb_rdata;
    wire        fb_re;
    wire [FB_AW-1:0] fb_raddr;

    always @(posedge clk) begin
        if (fb_we)
            fb_mem[fb_waddr] <= fb_wdata;
        if (fb_re)
            fb_rdata <= fb_mem[fb_raddr];
    end

    // ================================================================ frame queue
    localparam integer META_W = FB_AW + 16 + 1 + 8 + 16 + 1 + 1;

    wire [META_W-1:0] mq_rdata;
    wire              mq_empty;
    wire              mq_pop;
    wire              mq_full_unused;

    ringnic_fifo #(.WIDTH(META_W), .DEPTH_LOG2(META_LOG2)) u_meta (
        .clk     (clk),
        .rst     (rst),
        .clr     (1'b0),
        .wr_en   (meta_push),
        .wr_data ({meta_start, meta_len, meta_ins, meta_cso, meta_csum, meta_ifcs, meta_psp}),
        .rd_en   (mq_pop),
        .rd_data (mq_rdata),
        .count   (meta_count),
        .full    (mq_full_unused),
        .empty   (mq_empty)
    );

    wire [FB_AW-1:0] h_start;
    wire [15:0]      h_len;
    wire             h_ins;
    wire [7:0]       h_cso;
    wire [15:0]      h_csum;
    wire             h_ifcs;
    wire             h_psp;
    assign {h_start, h_len, h_ins, h_cso, h_csum, h_ifcs, h_psp} = mq_rdata;

    wire [15:0] h_lp    = (h_psp && (h_len < MIN_LEN)) ? MIN_LEN : h_len;  // padded length
    wire [15:0] h_words = (h_len + 16'd7) >> 3;                         // words in the buffer
    wire [15:0] h_beats = (h_lp + 16'd7) >> 3;                          // beats before the FCS

    // ================================================================ G: beat generator
    reg              g_act;
    reg  [FB_AW-1:0] g_start;
    reg  [15:0]      g_len, g_lp, g_beats, g_words, g_b;
    reg              g_ins, g_ifcs;
    reg  [7:0]       g_cso;
    reg  [15:0]      g_csum;
    reg  [META_LOG2:0] drop_cnt;      // queued frames still to drop after sw_rst

    reg              r_valid;          // stage R holds a beat (RAM data arrives this cycle)
    wire [OUT_LOG2:0] oq_count;

    wire g_issue = g_act && (({{(16-OUT_LOG2-1){1'b0}}, oq_count} + {15'd0, r_valid}) < (16'd1 << OUT_LOG2));
    wire g_last  = (g_b == g_beats - 16'd1);
    wire g_done  = g_issue && g_last;
    wire g_free  = !g_act || g_done;   // G can take the next frame this cycle
    wire q_take  = g_free && !mq_empty && (drop_cnt == {(META_LOG2+1){1'b0}});
    wire q_drop  = g_free && !mq_empty && (drop_cnt != {(META_LOG2+1){1'b0}});
    assign mq_pop = q_take || q_drop;

    assign fb_re    = g_issue;
    assign fb_raddr = g_start + g_b[FB_AW-1:0];

    // Per-lane masks of beat g_b: data (< len), keep (< padded len), checksum bytes.
    wire [15:0] g_base = {g_b[12:0], 3'b000};
    wire [15:0] g_cso1 = {8'd0, g_cso} + 16'd1;
    wire [7:0]  g_dmask, g_keep, g_hi, g_lo;
    genvar gi;
    generate
        for (gi = 0; gi < 8; gi = gi + 1) begin : g_lane
            localparam [15:0] LANE = gi;
            wire [15:0] off = g_base + LANE;
            assign g_dmask[gi] = (off < g_len);
            assign g_keep[gi]  = (off < g_lp);
            assign g_hi[gi]    = g_ins && (off == {8'd0, g_cso});
            assign g_lo[gi]    = g_ins && (off == g_cso1);
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            g_act    <= 1'b0;
            g_start  <= {FB_AW{1'b0}};
            g_len    <= 16'd0;
            g_lp     <= 16'd0;
            g_beats  <= 16'd0;
            g_words  <= 16'd0;
            g_b      <= 16'd0;
            g_ins    <= 1'b0;
            g_ifcs   <= 1'b0;
            g_cso    <= 8'd0;
            g_csum   <= 16'd0;
            drop_cnt <= {(META_LOG2+1){1'b0}};
            stat_rst_drop <= {(META_LOG2+1){1'b0}};
            fb_free  <= {(FB_AW+1){1'b0}};
        end else begin
            if (g_issue)
                g_b <= g_b + 16'd1;
            if (q_take) begin
                g_act   <= 1'b1;
                g_start <= h_start;
                g_len   <= h_len;
                g_lp    <= h_lp;
                g_beats <= h_beats;
                g_words <= h_words;
                g_b     <= 16'd0;
                g_ins   <= h_ins;
                g_ifcs  <= h_ifcs;
                g_cso   <= h_cso;
                g_csum  <= h_csum;
            end else if (g_done) begin
                g_act <= 1'b0;
            end
            // Free the finished frame's words and those of a dropped one (both may happen).
            fb_free <= fb_free + (g_done ? g_words[FB_AW:0] : {(FB_AW+1){1'b0}})
                               + (q_drop ? h_words[FB_AW:0] : {(FB_AW+1){1'b0}});
            stat_rst_drop <= sw_rst ? (meta_count - {{META_LOG2{1'b0}}, mq_pop})
                                      - (drop_cnt - {{META_LOG2{1'b0}}, q_drop})
                                    : {(META_LOG2+1){1'b0}};
            if (sw_rst) begin
                drop_cnt <= meta_count - {{META_LOG2{1'b0}}, mq_pop};
            end else if (q_drop) begin
                drop_cnt <= drop_cnt - 1'b1;
            end
        end
    end

    // ================================================================ R: data in, patch
    reg  [7:0]  r_dmask, r_keep, r_hi, r_lo;
    reg  [15:0] r_csum, r_octets;
    reg         r_last, r_first, r_ifcs;

    always @(posedge clk) begin
        if (rst) begin
            r_valid  <= 1'b0;
            r_dmask  <= 8'd0;
            r_keep   <= 8'd0;
            r_hi     <= 8'd0;
            r_lo     <= 8'd0;
            r_csum   <= 16'd0;
            r_octets <= 16'd0;
            r_last   <= 1'b0;
            r_first  <= 1'b0;
            r_ifcs   <= 1'b0;
        end else begin
            r_valid <= g_issue;
            if (g_issue) begin
                r_dmask  <= g_dmask;
                r_keep   <= g_keep;
                r_hi     <= g_hi;
                r_lo     <= g_lo;
                r_csum   <= g_csum;
                r_octets <= g_lp + 16'd4;
                r_last   <= g_last;
                r_first  <= (g_b == 16'd0);
                r_ifcs   <= g_ifcs;
            end
        end
    end

    reg [63:0] r_data;
    integer    ri;
    always @* begin
        for (ri = 0; ri < 8; ri = ri + 1) begin
            if (r_hi[ri])
                r_data[8*ri +: 8] = r_csum[15:8];
            else if (r_lo[ri])
                r_data[8*ri +: 8] = r_csum[7:0];
            else if (r_dmask[ri])
                r_data[8*ri +: 8] = fb_rdata[8*ri +: 8];
            else
                r_data[8*ri +: 8] = 8'h00;   // padding, and nothing past the padded end
        end
    end

    // ================================================================ beat FIFO
    wire [OUT_W-1:0] oq_rdata;
    wire             oq_empty;
    wire             oq_pop;
    wire             oq_full_unused;

    ringnic_fifo #(.WIDTH(OUT_W), .DEPTH_LOG2(OUT_LOG2)) u_out (
        .clk     (clk),
        .rst     (rst),
        .clr     (1'b0),
        .wr_en   (r_valid),
        .wr_data ({r_data, r_keep, r_last, r_first, r_ifcs, r_octets}),
        .rd_en   (oq_pop),
        .rd_data (oq_rdata),
        .count   (oq_count),
        .full    (oq_full_unused),
        .empty   (oq_empty)
    );

    wire [63:0] b_data;
    wire [7:0]  b_keep;
    wire        b_last, b_first, b_ifcs;
    wire [15:0] b_octets;
    assign {b_data, b_keep, b_last, b_first, b_ifcs, b_octets} = oq_rdata;

    // ================================================================ F: FCS and output
    reg         o_valid;
    reg  [63:0] o_data;
    reg  [7:0]  o_keep;
    reg         o_last;
    reg  [15:0] o_octets;
    reg         x_pend;            // the FCS spills into one more beat
    reg  [31:0] x_data;
    reg  [3:0]  x_keep;
    reg  [31:0] crc_q;
    reg         f_mc, f_bc;        // destination class of the frame in F

    wire        o_free = !o_valid || m_axis_tx_tready;
    assign      oq_pop = o_free && !x_pend && !oq_empty;

    wire [31:0] crc_in = b_first ? 32'hFFFF_FFFF : crc_q;
    wire [31:0] crc_out;

    ringnic_crc32 u_crc (
        .crc_in  (crc_in),
        .data    (b_data),
        .keep    (b_keep),
        .crc_out (crc_out)
    );

    wire [31:0] fcs = ~crc_out;   // sent least significant byte first

    // Last beat with n data bytes (keep is contiguous from lane 0): data then the 4 FCS bytes.
    reg  [3:0]  b_n;
    reg  [95:0] b_win;
    always @* begin
        case (b_keep)
            8'h01:   b_n = 4'd1;
            8'h03:   b_n = 4'd2;
            8'h07:   b_n = 4'd3;
            8'h0F:   b_n = 4'd4;
            8'h1F:   b_n = 4'd5;
            8'h3F:   b_n = 4'd6;
            8'h7F:   b_n = 4'd7;
            default: b_n = 4'd8;
        endcase
        b_win = {32'd0, b_data} | ({64'd0, fcs} << {b_n, 3'b000});
    end

    wire [11:0] keep12 = (12'h00F << b_n);        // the FCS lanes
    wire [11:0] all12  = keep12 | {4'h0, b_keep};

    always @(posedge clk) begin
        if (rst) begin
            o_valid  <= 1'b0;
            o_data   <= 64'd0;
            o_keep   <= 8'd0;
            o_last   <= 1'b0;
            o_octets <= 16'd0;
            x_pend   <= 1'b0;
            x_data   <= 32'd0;
            x_keep   <= 4'd0;
            crc_q    <= 32'hFFFF_FFFF;
            f_mc     <= 1'b0;
            f_bc     <= 1'b0;
        end else if (o_free) begin
            if (x_pend) begin
                o_valid <= 1'b1;
                o_data  <= {32'd0, x_data};
                o_keep  <= {4'h0, x_keep};
                o_last  <= 1'b1;
                x_pend  <= 1'b0;
            end else if (!oq_empty) begin
                o_valid  <= 1'b1;
                o_octets <= b_octets;
                crc_q    <= crc_out;
                if (b_first) begin
                    // Broadcast: all-ones destination; multicast: I/G bit of the first octet.
                    f_bc <= (b_keep[5:0] == 6'h3F) && (b_data[47:0] == 48'hFFFF_FFFF_FFFF);
                    f_mc <= b_keep[0] && b_data[0];
                end
                if (b_last && b_ifcs) begin
                    o_data <= b_win[63:0];
                    o_keep <= all12[7:0];
                    o_last <= (all12[11:8] == 4'h0);
                    x_pend <= (all12[11:8] != 4'h0);
                    x_data <= b_win[95:64];
                    x_keep <= all12[11:8];
                end else begin
                    o_data <= b_data;
                    o_keep <= b_keep;
                    o_last <= b_last;
                end
            end else begin
                o_valid <= 1'b0;
            end
        end
    end

    assign m_axis_tx_tdata  = o_data;
    assign m_axis_tx_tkeep  = o_keep;
    assign m_axis_tx_tvalid = o_valid;
    assign m_axis_tx_tlast  = o_last;
    assign m_axis_tx_tuser  = 1'b0;

    // ================================================================ statistics
    // Broadcast counts as BPTC only, multicast as MPTC (QEMU: is_broadcast, else is_multicast).
    wire sent = o_valid && m_axis_tx_tready && o_last;

    always @(posedge clk) begin
        if (rst) begin
            stat_inc_gptc <= 1'b0;
            stat_inc_tpt  <= 1'b0;
            stat_inc_mptc <= 1'b0;
            stat_inc_bptc <= 1'b0;
            stat_gotc_add <= 16'd0;
            stat_tot_add  <= 16'd0;
        end else begin
            stat_inc_gptc <= sent;
            stat_inc_tpt  <= sent;
            stat_inc_mptc <= sent && f_mc && !f_bc;
            stat_inc_bptc <= sent && f_bc;
            stat_gotc_add <= sent ? o_octets : 16'd0;
            stat_tot_add  <= sent ? o_octets : 16'd0;
        end
    end

    // Frames are at most 2^FB_AW words: the high bits of the word count are always 0.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, g_words, mq_full_unused, oq_full_unused};
    /* verilator lint_on UNUSEDSIGNAL */

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (FB_AW < 5) begin
            $display("ringnic_tx_mac: FB_AW must be >= 5");
            $finish;
        end
        if (META_LOG2 < 1) begin
            $display("ringnic_tx_mac: META_LOG2 must be >= 1");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
