`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_dma: the write side of the RX engine (ringnic_rx): places each frame of the packet
// buffer in its descriptors' buffers and issues the write-backs ringnic_rx_wb asks for.
//
//   frame engine  per frame the engine hands over (fr_take: its first descriptor, bytes, buffer
//                 size) takes one cached buffer address per descriptor (ringnic_desc_fetch) and
//                 splits each buffer into INCR bursts of at most MAX_BURST_BEATS beats that
//                 never cross 4 KiB; a frame the engine drops (fr_drop), or the rest of one cut
//                 off by a stop, becomes a discard of its packet-buffer beats
//   AW stage      one AW register for payload bursts and write-backs (a write-back first); at
//                 its handshake the burst's W job and B tag are queued (one AXI ID: B in order)
//   W streamer    per job: the packet buffer's beats shifted to the buffer's byte offset, WSTRB
//                 marking the partial first and last beats; or the write-back beat; or a
//                 discard, dropped from the packet buffer in one cycle
//   B tags        tell each B response's kind, frame end and descriptor (b_tag_*)
//
// Writes only bytes of [buffer, buffer + size). flush (the end of a CTRL.RST) drops the
// discards still queued with the packet buffer.

module ringnic_rx_dma #(
    parameter integer RING_LOG2       = 12,  // log2 of the largest ring, descriptors (3..15)
    parameter integer MAX_BURST_BEATS = 16,  // longest payload burst, beats (1..256)
    parameter integer PB_LOG2         = 12,  // log2 of the packet buffer, 64-bit beats (1..15)
    parameter integer WJ_LOG2         = 2,   // log2 of the W jobs queued behind AW (>= 1)
    parameter integer BT_LOG2         = 3    // log2 of the bursts awaiting B (>= 1)
) (
    input  wire                 clk,
    input  wire                 rst,           // synchronous, active high
    input  wire [RING_LOG2:0]   ring_n,        // ring size, descriptors
    input  wire                 run_ok,        // the ring runs: new bursts may start
    input  wire                 flush,         // end of a soft reset: empty the job queue

    // ------------------------------------------------------------ frames from the engine
    output wire                 fr_idle,       // between frames: fr_take/fr_drop are looked at
    input  wire                 fr_take,       // the head frame goes to descriptors fr_first on
    input  wire                 fr_drop,       // the head frame is discarded
    input  wire [RING_LOG2:0]   fr_first,
    input  wire [15:0]          fr_wlen,       // bytes to write (SECRC applied)
    input  wire [3:0]           fr_blog2,      // log2 of the buffer size
    input  wire [15:0]          fr_beats,      // its packet-buffer beats

    // ------------------------------------------------------------ buffer addresses (ringnic_desc_fetch)
    input  wire                 desc_valid,
    input  wire [31:0]          desc_addr,
    output wire                 desc_pop,

    // ------------------------------------------------------------ write-backs (ringnic_rx_wb)
    input  wire                 wb_req,
    input  wire [31:0]          wb_addr,
    input  wire [63:0]          wb_beat,
    input  wire                 wb_last,       // the frame's last write-back
    input  wire [RING_LOG2:0]   wb_idx,
    output wire                 wb_grant,

    // ------------------------------------------------------------ packet buffer read side
    input  wire                 pb_valid,
    input  wire [63:0]          pb_data,
    output wire                 pb_pop,
    output wire                 pb_skip,       // drop pb_skip_n committed beats
    output wire [PB_LOG2:0]     pb_skip_n,

    // ------------------------------------------------------------ AW, W, B (the rest of AXI: ringnic_rx)
    output reg                  aw_valid,
    input  wire                 aw_ready,
    output reg  [31:0]          aw_addr,
    output reg  [7:0]           aw_len,
    output wire                 w_valid,
    input  wire                 w_ready,
    output wire [63:0]          w_data,
    output wire [7:0]           w_strb,
    output wire                 w_last,
    input  wire                 b_valid,       // BREADY is 1
    output wire                 b_tag_valid,   // a burst awaits B: the tag below is its
    output wire                 b_tag_wb,      // a write-back (else payload)
    output wire                 b_tag_last,    // the frame's last payload burst / write-back
    output wire [RING_LOG2:0]   b_tag_idx,     // its descriptor

    output wire                 bus_quiet,     // no AW pending, no B awaited
    output wire                 jobs_idle      // no W job queued, the frame engine between frames
);

    localparam integer RW   = RING_LOG2 + 1;
    localparam [15:0]  MAXB = MAX_BURST_BEATS[15:0];

    // Frame engine states.
    localparam [1:0]   FE_IDLE  = 2'd0;  // wait for a frame at the head of the packet buffer
    localparam [1:0]   FE_SEG   = 2'd1;  // take the next descriptor of the frame
    localparam [1:0]   FE_BURST = 2'd2;  // hand payload bursts of this buffer to the AW stage
    localparam [1:0]   FE_SKIP  = 2'd3;  // hand "discard n packet-buffer beats" to the W side

    // W job kinds.
    localparam [1:0]   J_DATA = 2'd0;
    localparam [1:0]   J_WB   = 2'd1;
    localparam [1:0]   J_SKIP = 2'd2;

`include "ringnic_ring.vh"

    // ================================================================ frame engine
    reg  [1:0]  fe_st;
    reg  [15:0] fe_rem;            // bytes of the frame still to place in buffers
    reg  [3:0]  fe_blog2;          // buffer size of this frame
    reg  [15:0] fe_pb_left;        // packet-buffer beats of the frame not yet handed to a W job
    reg  [15:0] fe_idx;            // descriptor of the current buffer
    reg  [31:0] fe_addr;           // next burst address (the buffer address for the first)
    reg  [15:0] fe_out_left;       // W beats of this buffer not yet in a burst
    reg  [15:0] fe_seg_pb;         // packet-buffer beats of this buffer not yet in a burst
    reg  [15:0] fe_seg_len;        // bytes in this buffer
    reg  [2:0]  fe_shift;          // buffer address mod 8
    reg         fe_seg_new;        // next burst is the buffer's first
    reg         fe_seg_eop;        // this buffer ends the frame
    reg  [15:0] fe_skip_n;         // beats to discard (FE_SKIP)

    wire [15:0] fe_bsize   = 16'd1 << fe_blog2;
    wire [15:0] fe_to_4k   = 16'd512 - {7'd0, fe_addr[11:3]};
    wire [15:0] fe_n       = min16(min16(fe_out_left, MAXB), fe_to_4k);
    wire [15:0] fe_n_pb    = min16(fe_n, fe_seg_pb);       // packet-buffer beats those W beats consume

    wire        seg_go     = (fe_st == FE_SEG) && run_ok && desc_valid;
    assign desc_pop = seg_go;
    assign fr_idle  = (fe_st == FE_IDLE);

    // ================================================================ AW stage and queues
    reg  [1:0]  aw_j_kind;         // the W job pushed at the AW handshake
    reg  [15:0] aw_j_n;
    reg         aw_j_new;
    reg  [2:0]  aw_j_shift;
    reg  [15:0] aw_j_len;
    reg  [63:0] aw_j_data;
    reg         aw_t_last;         // the B tag pushed at the AW handshake
    reg  [RW-1:0] aw_t_idx;

    wire        aw_hs   = aw_valid && aw_ready;
    wire        aw_free = !aw_valid || aw_hs;

    // W jobs (in AW order): {kind, beats (W beats, or beats to discard), first burst of a
    // buffer, buffer address mod 8, buffer bytes, write-back beat}; B tags (in AW order).
    localparam integer WJ_W = 2 + 16 + 1 + 3 + 16 + 64;
    localparam integer BT_W = 1 + 1 + RW;
    wire [WJ_LOG2:0]   wj_count;
    wire [WJ_W-1:0]    wj_head;
    wire               wj_empty, wj_full;
    wire               wj_push, wj_pop;
    wire [WJ_W-1:0]    wj_in;
    wire [BT_LOG2:0]   bt_count;
    wire [BT_W-1:0]    bt_head;
    wire               bt_empty, bt_full;

    ringnic_fifo #(.WIDTH(WJ_W), .DEPTH_LOG2(WJ_LOG2)) u_wj (
        .clk(clk), .rst(rst), .clr(flush), .wr_en(wj_push), .wr_data(wj_in),
        .rd_en(wj_pop), .rd_data(wj_head), .count(wj_count), .full(wj_full), .empty(wj_empty));

    ringnic_fifo #(.WIDTH(BT_W), .DEPTH_LOG2(BT_LOG2)) u_bt (
        .clk(clk), .rst(rst), .clr(1'b0), .wr_en(aw_hs), .wr_data({aw_j_kind == J_WB, aw_t_last, aw_t_idx}),
        .rd_en(b_valid), .rd_data(bt_head), .count(bt_count), .full(bt_full), .empty(bt_empty));

    wire        room_axi = ({{(16-WJ_LOG2-1){1'b0}}, wj_count} + {15'd0, aw_valid} < (16'd1 << WJ_LOG2))
                        && ({{(16-BT_LOG2-1){1'b0}}, bt_count} + {15'd0, aw_valid} < (16'd1 << BT_LOG2));

    wire        pl_req   = (fe_st == FE_BURST) && run_ok;
    wire        sk_req   = (fe_st == FE_SKIP);
    wire        grant_wb = aw_free && room_axi && wb_req;
    wire        grant_pl = aw_free && room_axi && pl_req && !wb_req;
    // A discard job enters the W job queue at once, a burst's job only at its AW handshake. The
    // room check of a burst counts the AW register but cannot see a discard pushed in the same
    // cycle, so a discard never shares its cycle with a grant: the two together could overfill
    // the queue and overwrite the job at its head (a burst's WLAST then comes at a wrong beat).
    wire        grant_sk = !aw_valid && sk_req && !grant_wb && !wj_full && !flush;
    assign wb_grant = grant_wb;

    // A burst's job at its AW handshake, a discard at its grant (never in the same cycle).
    assign wj_push = aw_hs || grant_sk;
    assign wj_in   = aw_hs ? {aw_j_kind, aw_j_n, aw_j_new, aw_j_shift, aw_j_len, aw_j_data}
                           : {J_SKIP, fe_skip_n, 1'b0, 3'd0, 16'd0, 64'd0};

    assign {b_tag_wb, b_tag_last, b_tag_idx} = bt_head;
    assign b_tag_valid = !bt_empty;

    // ================================================================ W streamer
    wire        wj_valid = !wj_empty;
    wire [1:0]  j_kind;
    wire [15:0] j_n;
    wire        j_new;
    wire [2:0]  j_shift;
    wire [15:0] j_len;
    wire [63:0] j_data;
    assign {j_kind, j_n, j_new, j_shift, j_len, j_data} = wj_head;

    reg  [7:0]  ws_beat;           // beat within the job (a burst: <= MAX_BURST_BEATS <= 256)
    reg  [15:0] ws_j;              // W beat within the buffer
    reg  [63:8] ws_prev;           // previous packet-buffer beat of this buffer (byte 0 is never shifted in)

    wire [15:0] ws_jj    = (j_new && (ws_beat == 8'd0)) ? 16'd0 : ws_j;
    wire [15:0] ws_npb   = (j_len + 16'd7) >> 3;                       // packet-buffer beats of the buffer
    wire [15:0] ws_endb  = {13'd0, j_shift} + j_len - 16'd1;           // last byte's offset from the aligned start
    wire        ws_need  = (ws_jj < ws_npb);                           // this W beat takes a new packet-buffer beat
    wire        ws_first = (ws_jj == 16'd0);
    wire        ws_lastb = (ws_jj == (ws_endb >> 3));
    wire [7:0]  ws_lo    = ws_first ? (8'hFF << j_shift) : 8'hFF;
    wire [7:0]  ws_hi    = ws_lastb ? (8'hFF >> (3'd7 - ws_endb[2:0])) : 8'hFF;
    wire [63:0] ws_cur   = ws_need ? pb_data : 64'd0;
    // The buffer's bytes shifted up by j_shift: {this beat, the previous one's top bytes}; one
    // shifter of the pair (a shift of each and their OR took about twice the LUTs).
    wire [119:0] ws_pair = {ws_cur, ws_prev} << {j_shift, 3'b000};
    wire [63:0] ws_data  = ws_pair[119:56];
    wire        ws_last  = ({8'd0, ws_beat} == j_n - 16'd1);

    wire        w_is_data = wj_valid && (j_kind == J_DATA);
    wire        w_is_wb   = wj_valid && (j_kind == J_WB);
    wire        w_is_skip = wj_valid && (j_kind == J_SKIP);

    assign w_valid = w_is_wb || (w_is_data && (!ws_need || pb_valid));
    assign w_data  = w_is_wb ? j_data : ws_data;
    assign w_strb  = w_is_wb ? 8'hFF : (ws_lo & ws_hi);
    assign w_last  = w_is_wb || ws_last;
    wire        w_hs     = w_valid && w_ready;
    // A discard job covers committed beats only (its frame's metadata is popped): the packet
    // buffer drops them all in one cycle.
    assign pb_skip   = w_is_skip;
    assign pb_skip_n = j_n[PB_LOG2:0];
    assign pb_pop    = w_hs && w_is_data && ws_need;
    assign wj_pop    = (w_hs && w_last) || w_is_skip;

    assign bus_quiet = !aw_valid && (bt_count == {(BT_LOG2+1){1'b0}});
    assign jobs_idle = !wj_valid && (fe_st == FE_IDLE);

    // ================================================================ frame engine
    always @(posedge clk) begin
        if (rst) begin
            fe_st <= FE_IDLE;
        end else begin
            case (fe_st)
                FE_IDLE: begin
                    if (fr_take) begin
                        // Descriptors [fr_first, fr_first + needed) are this frame's.
                        fe_rem     <= fr_wlen;
                        fe_blog2   <= fr_blog2;
                        fe_pb_left <= fr_beats;
                        fe_idx     <= zx16(fr_first);
                        fe_st      <= FE_SEG;
                    end else if (fr_drop) begin
                        // Dropped in the adapter: discard its beats.
                        fe_skip_n  <= fr_beats;
                        fe_st      <= FE_SKIP;
                    end
                end
                FE_SEG: begin
                    if (!run_ok) begin
                        // Abandon the frame: discard what no W job will take.
                        fe_skip_n <= fe_pb_left;
                        fe_st     <= (fe_pb_left != 16'd0) ? FE_SKIP : FE_IDLE;
                    end else if (seg_go) begin
                        fe_addr     <= desc_addr;
                        fe_shift    <= desc_addr[2:0];
                        fe_seg_len  <= min16(fe_rem, fe_bsize);
                        fe_seg_eop  <= (fe_rem <= fe_bsize);
                        fe_out_left <= ({13'd0, desc_addr[2:0]} + min16(fe_rem, fe_bsize) + 16'd7) >> 3;
                        fe_seg_pb   <= (min16(fe_rem, fe_bsize) + 16'd7) >> 3;
                        fe_rem      <= fe_rem - min16(fe_rem, fe_bsize);
                        fe_seg_new  <= 1'b1;
                        fe_st       <= FE_BURST;
                    end
                end
                FE_BURST: begin
                    if (grant_pl) begin
                        fe_addr     <= {fe_addr[31:3], 3'b000} + {13'd0, fe_n, 3'b000};
                        fe_out_left <= fe_out_left - fe_n;
                        fe_seg_pb   <= fe_seg_pb - fe_n_pb;
                        fe_pb_left  <= fe_pb_left - fe_n_pb;
                        fe_seg_new  <= 1'b0;
                        if (fe_out_left == fe_n) begin
                            if (fe_seg_eop) begin
                                // SECRC can leave a beat holding only FCS bytes.
                                fe_skip_n <= fe_pb_left - fe_n_pb;
                                fe_st     <= (fe_pb_left != fe_n_pb) ? FE_SKIP : FE_IDLE;
                            end else begin
                                fe_idx <= ring_next(fe_idx, zx16(ring_n));
                                fe_st  <= FE_SEG;
                            end
                        end
                    end else if (!run_ok) begin
                        fe_skip_n <= fe_pb_left;
                        fe_st     <= (fe_pb_left != 16'd0) ? FE_SKIP : FE_IDLE;
                    end
                end
                FE_SKIP: begin
                    if (grant_sk)
                        fe_st <= FE_IDLE;
                end
                /* verilator coverage_off */  // unreachable: every state is decoded above
                default: fe_st <= FE_IDLE;
                /* verilator coverage_on */
            endcase
            if (flush)
                fe_st <= FE_IDLE;
        end
    end

    // ================================================================ AW stage
    always @(posedge clk) begin
        if (rst) begin
            aw_valid <= 1'b0;
        end else begin
            if (aw_hs)
                aw_valid <= 1'b0;
            if (grant_wb) begin
                aw_valid   <= 1'b1;
                aw_addr    <= wb_addr;
                aw_len     <= 8'd0;
                aw_j_kind  <= J_WB;
                aw_j_n     <= 16'd1;
                aw_j_new   <= 1'b0;
                aw_j_shift <= 3'd0;
                aw_j_len   <= 16'd0;
                aw_j_data  <= wb_beat;
                aw_t_last  <= wb_last;
                aw_t_idx   <= wb_idx;
            end else if (grant_pl) begin
                aw_valid   <= 1'b1;
                aw_addr    <= fe_addr;
                aw_len     <= fe_n[7:0] - 8'd1;
                aw_j_kind  <= J_DATA;
                aw_j_n     <= fe_n;
                aw_j_new   <= fe_seg_new;
                aw_j_shift <= fe_shift;
                aw_j_len   <= fe_seg_len;
                aw_j_data  <= 64'd0;
                aw_t_last  <= fe_seg_eop && (fe_out_left == fe_n);
                aw_t_idx   <= fe_idx[RW-1:0];
            end
        end
    end

    // ================================================================ W streamer
    always @(posedge clk) begin
        if (rst) begin
            ws_beat <= 8'd0;
            ws_j    <= 16'd0;
            ws_prev <= 56'd0;
        end else begin
            if (w_hs && w_is_data) begin
                ws_j <= ws_jj + 16'd1;
                if (ws_need)
                    ws_prev <= pb_data[63:8];
                ws_beat <= ws_last ? 8'd0 : (ws_beat + 8'd1);
            end
            if (flush)
                ws_beat <= 8'd0;
        end
    end

    // ================================================================ parameter checks, unused
    /* verilator coverage_off */
    initial begin
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_rx_dma: RING_LOG2 must be 3..15");
            $finish;
        end
        if (MAX_BURST_BEATS < 1 || MAX_BURST_BEATS > 256) begin
            $display("ringnic_rx_dma: MAX_BURST_BEATS must be 1..256 (AXI4)");
            $finish;
        end
        if (PB_LOG2 < 1 || PB_LOG2 > 15) begin
            $display("ringnic_rx_dma: PB_LOG2 must be 1..15");
            $finish;
        end
        if (WJ_LOG2 < 1 || BT_LOG2 < 1 || WJ_LOG2 > 14 || BT_LOG2 > 14) begin
            $display("ringnic_rx_dma: WJ_LOG2 and BT_LOG2 must be 1..14");
            $finish;
        end
    end
    /* verilator coverage_on */

    // The pair's low bytes are the previous beat's, shifted out. The queues' full flags: the
    // room checks above reserve space before a push.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, ws_pair[55:0], bt_full};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
