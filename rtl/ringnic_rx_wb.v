`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_wb: write-back and commit of the RX engine (ringnic_rx).
//
// Holds the frames the engine handed to the write side, in ring order, with four pointers:
// pushed (fe), payload all OKAY (pl), write-backs being issued (wb), committed (rd). Once every
// payload burst of a frame has its OKAY it asks ringnic_rx_dma to write back the frame's
// descriptors, one beat each (bytes 8..15: length, csum 0, status DD and IXSM, EOP and the
// checksum bits on the last, errors CE/RXE on the last, special 0). A descriptor stops being
// hardware's once its write-back is issued (iss_head). When the frame's last write-back is
// OKAY the frame commits: RDH (hw_head) moves past it, RXT0's delay timer (ringnic_intr_delay)
// sees it, the good-frame statistics count it. A frame with a failed write-back is lost (lost)
// and RDH stays. Nothing is committed or counted while mute (a CTRL.RST is under way).

module ringnic_rx_wb #(
    parameter integer RING_LOG2 = 12,   // log2 of the largest ring, descriptors (3..15)
    parameter integer FF_LOG2   = 4     // log2 of the frames between allocation and commit (>= 1)
) (
    input  wire                 clk,
    input  wire                 rst,           // synchronous, active high
    input  wire                 sw_rst,        // pulse: CTRL.RST (clears the RXT0 timer)
    input  wire                 intr_tick,     // one-clock pulse every 1.024 us
    input  wire [15:0]          rdtr,          // RDTR.DELAY, 1.024 us units
    input  wire                 rdtr_fpd,      // pulse: RDTR.FPD written 1
    input  wire [15:0]          radv,          // RADV.DELAY, 1.024 us units

    input  wire [31:0]          rdba,          // ring base, bytes
    input  wire [RING_LOG2:0]   ring_n,        // ring size, descriptors
    input  wire                 start,         // pulse: the ring (re)starts at start_idx, empty
    input  wire [RING_LOG2:0]   start_idx,
    input  wire                 run_ok,        // the ring runs: write-backs may be issued
    input  wire                 mute,          // CTRL.RST under way: nothing committed or counted

    // ------------------------------------------------------------ frames handed to the write side
    input  wire                 push,
    input  wire [RING_LOG2:0]   push_first,    // its first descriptor
    input  wire [15:0]          push_wlen,     // bytes written (SECRC applied)
    input  wire [3:0]           push_blog2,    // log2 of the buffer size
    input  wire [15:0]          push_flen,     // frame length incl. FCS (statistics)
    input  wire [7:0]           push_flags,    // {IPE, TCPE, IPCS, TCPCS, CE, RXE, broadcast, multicast}
    output wire                 full,
    output wire [FF_LOG2:0]     held,          // frames pushed and not committed

    // ------------------------------------------------------------ write-backs (ringnic_rx_dma)
    output wire                 wb_req,
    output wire [31:0]          wb_addr,
    output wire [63:0]          wb_beat,
    output wire                 wb_last,       // the frame's last descriptor
    output wire [RING_LOG2:0]   wb_idx,
    input  wire                 wb_grant,

    // ------------------------------------------------------------ B responses, with their tags
    input  wire                 b_valid,
    input  wire                 b_err,         // SLVERR or DECERR
    input  wire                 b_tag_valid,
    input  wire                 b_tag_wb,
    input  wire                 b_tag_last,
    input  wire [RING_LOG2:0]   b_tag_idx,

    // ------------------------------------------------------------ commit
    output wire                 commit,        // a frame is written back: RDH <= hw_head next cycle
    output wire                 lost,          // a frame's write-back failed (not committed)
    output reg  [RING_LOG2:0]   hw_head,       // next descriptor to complete its write-back (RDH)
    output reg  [RING_LOG2:0]   iss_head,      // next descriptor to issue a write-back for
    output reg                  rdh_we,        // pulse: RDH <= hw_head
    output reg                  rdh_settle,    // an RDH update is on its way into the register file
    output wire                 rxt0,          // RXT0 fires (RDTR/RADV elapsed)
    output reg                  stat_inc_gprc,
    output reg                  stat_inc_bprc,
    output reg                  stat_inc_mprc,
    output reg  [15:0]          stat_gorc_add  // octets incl. FCS of each good frame committed
);

`include "ringnic_desc.vh"

    localparam integer RW = RING_LOG2 + 1;

    // Legacy RX descriptor bits (e1000 RXD_STAT_*, RXD_ERR_*).
    // The write-back beat is descriptor bytes 8..15: bit WB_LO of rtl/ringnic_desc.vh's layout.
    localparam integer WB_LO       = 64;
    localparam [127:0] WB_DONE     = 128'd1 << RN_RXD_STAT_DD;
    localparam [127:0] WB_IXSM     = 128'd1 << RN_RXD_STAT_IXSM;
    localparam [127:0] WB_TCPCS    = 128'd1 << RN_RXD_STAT_TCPCS;
    localparam [127:0] WB_IPCS     = 128'd1 << RN_RXD_STAT_IPCS;
    localparam [127:0] WB_TCPE     = 128'd1 << RN_RXD_ERR_TCPE;
    localparam [127:0] WB_IPE      = 128'd1 << RN_RXD_ERR_IPE;
    localparam [127:0] WB_EOP      = 128'd1 << RN_RXD_STAT_EOP;
    localparam [127:0] WB_CE       = 128'd1 << RN_RXD_ERR_CE;
    localparam [127:0] WB_RXE      = 128'd1 << RN_RXD_ERR_RXE;

`include "ringnic_ring.vh"

    // Frames handed to the write side, awaiting write-back (ring order).
    reg  [RW-1:0] ff_first [0:(1<<FF_LOG2)-1]; // first descriptor
    reg  [15:0] ff_wlen  [0:(1<<FF_LOG2)-1];   // bytes written (SECRC applied)
    reg  [3:0]  ff_blog2 [0:(1<<FF_LOG2)-1];
    reg  [15:0] ff_flen  [0:(1<<FF_LOG2)-1];   // frame length incl. FCS (statistics)
    reg  [7:0]  ff_flags [0:(1<<FF_LOG2)-1];   // {IPE, TCPE, IPCS, TCPCS, CE, RXE, broadcast, multicast}
    reg  [FF_LOG2:0] ff_wr;   // next entry to fill
    reg  [FF_LOG2:0] ff_pl;   // frames before it have all payload OKAY
    reg  [FF_LOG2:0] ff_wb;   // frame whose write-backs are being issued
    reg  [FF_LOG2:0] ff_rd;   // oldest frame not yet committed
    assign full = ((ff_wr - ff_rd) == {1'b1, {FF_LOG2{1'b0}}});
    assign held = ff_wr - ff_rd;

    // Write-back generator: descriptors of frame ff_wb, one per request.
    reg         wb_started;        // some write-backs of frame ff_wb are issued
    reg  [15:0] wb_idx_q, wb_rem_q;
    wire [FF_LOG2-1:0] ffw  = ff_wb[FF_LOG2-1:0];
    wire [15:0] wb_i     = wb_started ? wb_idx_q : zx16(ff_first[ffw]);
    wire [15:0] wb_rem   = wb_started ? wb_rem_q : ff_wlen[ffw];
    wire [15:0] wb_bsize = 16'd1 << ff_blog2[ffw];
    wire        wb_eop   = (wb_rem <= wb_bsize);
    wire [15:0] wb_len   = wb_eop ? wb_rem : wb_bsize;
    // Length; DD; EOP, CE, RXE and the checksum bits on the frame's last descriptor, IXSM on the
    // others; csum and special 0.
    wire [3:0]  wf4      = wb_eop ? ff_flags[ffw][7:4] : 4'b0000;
    wire [4:0]  wf       = {wf4, !(wf4[1] || wf4[0])};                       // {.., IXSM}
    assign wb_beat  = ({48'd0, wb_len} << (RN_RXD_LENGTH - WB_LO)) | WB_DONE[WB_LO +: 64]
                    | (wb_eop ? WB_EOP[WB_LO +: 64] : 64'd0)
                    | (wf[0] ? WB_IXSM[WB_LO +: 64] : 64'd0) | (wf[1] ? WB_TCPCS[WB_LO +: 64] : 64'd0)
                    | (wf[2] ? WB_IPCS[WB_LO +: 64] : 64'd0) | (wf[3] ? WB_TCPE[WB_LO +: 64] : 64'd0)
                    | (wf[4] ? WB_IPE[WB_LO +: 64] : 64'd0)
                    | ((wb_eop && ff_flags[ffw][3]) ? WB_CE[WB_LO +: 64] : 64'd0)
                    | ((wb_eop && ff_flags[ffw][2]) ? WB_RXE[WB_LO +: 64] : 64'd0);
    assign wb_addr  = rdba + {12'd0, wb_i, 4'd0} + WB_LO / 8;
    assign wb_req   = run_ok && (ff_wb != ff_pl);
    assign wb_last  = wb_eop;
    assign wb_idx   = wb_i[RW-1:0];
    wire [15:0] wb_next  = ring_next(wb_i, zx16(ring_n));

    // B responses.
    wire [15:0] b_idx    = zx16(b_tag_idx);
    reg         wb_bad;            // a write-back of the frame being committed failed
    wire [FF_LOG2-1:0] ffr = ff_rd[FF_LOG2-1:0];
    assign commit = b_valid && b_tag_wb && b_tag_last && !b_err && !wb_bad && !mute;
    assign lost   = b_valid && b_tag_wb && b_tag_last && (b_err || wb_bad) && !mute;
    wire [15:0] new_head = ring_next(b_idx, zx16(ring_n));

    wire [3:0] cf = ff_flags[ffr][3:0];           // flags of the frame being committed
    wire       cgood = !cf[3] && !cf[2];

    always @(posedge clk) begin
        if (rst) begin
            ff_wr <= {(FF_LOG2+1){1'b0}};
        end else begin
            if (push) begin
                // Descriptors [push_first, push_first + needed) are this frame's.
                ff_first[ff_wr[FF_LOG2-1:0]] <= push_first;
                ff_wlen [ff_wr[FF_LOG2-1:0]] <= push_wlen;
                ff_blog2[ff_wr[FF_LOG2-1:0]] <= push_blog2;
                ff_flen [ff_wr[FF_LOG2-1:0]] <= push_flen;
                ff_flags[ff_wr[FF_LOG2-1:0]] <= push_flags;
                ff_wr <= ff_wr + 1'b1;
            end
            if (start)
                ff_wr <= {(FF_LOG2+1){1'b0}};
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            wb_started <= 1'b0;
            ff_wb      <= {(FF_LOG2+1){1'b0}};
        end else begin
            if (wb_grant) begin
                if (wb_eop) begin
                    wb_started <= 1'b0;
                    ff_wb      <= ff_wb + 1'b1;
                end else begin
                    wb_started <= 1'b1;
                    wb_idx_q   <= wb_next;
                    wb_rem_q   <= wb_rem - wb_bsize;
                end
            end
            if (start) begin
                wb_started <= 1'b0;
                ff_wb      <= {(FF_LOG2+1){1'b0}};
            end
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            ff_pl  <= {(FF_LOG2+1){1'b0}};
            ff_rd  <= {(FF_LOG2+1){1'b0}};
            wb_bad <= 1'b0;
        end else begin
            if (b_valid && b_tag_valid) begin
                if (!b_tag_wb && b_tag_last && !b_err)
                    ff_pl <= ff_pl + 1'b1;
                if (b_tag_wb) begin
                    if (b_tag_last) begin
                        ff_rd  <= ff_rd + 1'b1;
                        wb_bad <= 1'b0;
                    end else if (b_err) begin
                        wb_bad <= 1'b1;
                    end
                end
            end
            if (start) begin
                ff_pl  <= {(FF_LOG2+1){1'b0}};
                ff_rd  <= {(FF_LOG2+1){1'b0}};
                wb_bad <= 1'b0;
            end
        end
    end

    // Ring pointers of the write-back side.
    always @(posedge clk) begin
        if (rst) begin
            hw_head    <= {RW{1'b0}};
            iss_head   <= {RW{1'b0}};
            rdh_we     <= 1'b0;
            rdh_settle <= 1'b0;
        end else begin
            rdh_we     <= commit;
            rdh_settle <= commit || rdh_we;
            if (commit)
                hw_head <= new_head[RW-1:0];
            if (wb_grant && wb_eop)
                iss_head <= wb_next[RW-1:0];
            if (start) begin
                hw_head  <= start_idx;
                iss_head <= start_idx;
            end
        end
    end

    // RXT0: RDTR after the last frame committed, RADV after the first of a burst.
    ringnic_intr_delay u_intr (
        .clk        (clk),
        .rst        (rst || sw_rst),
        .tick       (intr_tick),
        .ev         (commit),
        .now        (1'b0),
        .pkt_dly    (rdtr),
        .abs_dly    (radv),
        .flush      (rdtr_fpd),
        .fire       (rxt0)
    );

    always @(posedge clk) begin
        if (rst) begin
            stat_inc_gprc <= 1'b0;
            stat_inc_bprc <= 1'b0;
            stat_inc_mprc <= 1'b0;
            stat_gorc_add <= 16'd0;
        end else begin
            stat_inc_gprc <= commit && cgood;
            stat_inc_bprc <= commit && cgood && cf[1];
            stat_inc_mprc <= commit && cgood && cf[0];
            stat_gorc_add <= (commit && cgood) ? ff_flen[ffr] : 16'd0;
        end
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_rx_wb: RING_LOG2 must be 3..15");
            $finish;
        end
        if (FF_LOG2 < 1 || FF_LOG2 > 14) begin
            $display("ringnic_rx_wb: FF_LOG2 must be 1..14");
            $finish;
        end
    end
    /* verilator coverage_on */

    // ring_add's result has no bits above RW.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, new_head};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
