`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_fifo: the RX packet buffer, store and forward between the MAC and the RX engine.
//
// Data: a circular RAM of 64-bit beats. The MAC writes a frame's beats speculatively and ends the
// frame with commit (good: its beats become readable, its metadata entry is pushed) or abort
// (dropped: the write pointer rewinds to the last commit). The reader sees committed beats only,
// through a first-word-fall-through port built on a registered RAM read (block RAM style). A
// frame dropped in the adapter is discarded in one cycle (rd_skip), not popped beat by beat, so
// the adapter drops faster than the line delivers.
//
// Metadata: one entry per committed frame. Every committed frame holds at least 8 beats (64
// bytes) of the data RAM until the reader pops them, and the reader pops its entry before its
// beats, so 2^(DEPTH_LOG2-3) entries can never overflow: there is no metadata-full signal.

module ringnic_rx_fifo #(
    parameter integer DEPTH_LOG2 = 12,  // log2 of the data RAM depth, 64-bit beats (>= 4)
    parameter integer META_W     = 20   // width of one frame's metadata entry, bits
) (
    input  wire              clk,
    input  wire              rst,         // synchronous, active high: empties the buffer

    // ------------------------------------------------------------ write side (MAC)
    input  wire              wr_en,       // store wr_data at the write pointer (not yet readable)
    input  wire [63:0]       wr_data,
    input  wire              wr_commit,   // frame end, kept: publish its beats (this cycle's wr_en included), push wr_meta
    input  wire              wr_abort,    // frame end, dropped: forget every beat since the last commit
    input  wire [META_W-1:0] wr_meta,
    output wire              wr_full,     // no free beat: wr_en must stay low

    // ------------------------------------------------------------ read side (RX engine)
    output wire              rd_valid,    // rd_data is the next committed beat
    output wire [63:0]       rd_data,
    input  wire              rd_pop,      // consume rd_data (only while rd_valid)
    input  wire              rd_skip,     // discard the next rd_skip_n beats at once (all committed; not with rd_pop)
    input  wire [DEPTH_LOG2:0] rd_skip_n,
    output wire              meta_valid,  // meta_data is the oldest committed frame's entry
    output wire [META_W-1:0] meta_data,
    input  wire              meta_pop     // consume meta_data (only while meta_valid)
);

    localparam integer AW   = DEPTH_LOG2;          // RAM address width
    localparam integer MAW  = DEPTH_LOG2 - 3;      // metadata address width
    localparam [AW:0]  SIZE = {1'b1, {AW{1'b0}}};  // beats in the RAM

    // ================================================================ data RAM
    reg  [63:0] mem [0:(1<<AW)-1];
    reg  [AW:0] wptr;   // next beat to write (speculative)
    reg  [AW:0] cptr;   // end of the last committed frame
    reg  [AW:0] rptr;   // next beat the reader pops (frees space)
    reg  [AW:0] iptr;   // next beat read out of the RAM into the output buffer

    wire [AW:0] used = wptr - rptr;
    assign wr_full = (used == SIZE);

    always @(posedge clk) begin
        if (wr_en)
            mem[wptr[AW-1:0]] <= wr_data;
    end

    always @(posedge clk) begin
        if (rst) begin
            wptr <= {(AW+1){1'b0}};
            cptr <= {(AW+1){1'b0}};
        end else if (wr_abort) begin
            wptr <= cptr;
        end else begin
            if (wr_en)
                wptr <= wptr + 1'b1;
            if (wr_commit)
                cptr <= wptr + {{AW{1'b0}}, wr_en};
        end
    end

    // ================================================================ first-word fall-through
    // The RAM answers one cycle after a read is issued; a 2-entry output buffer hides that, so
    // the reader can pop every cycle. A read is issued when the buffer (plus the read in flight)
    // will still have room after this cycle's pop.
    reg  [63:0] ram_q;
    reg         rd_pend;           // ram_q holds a beat issued last cycle
    reg  [63:0] ob0, ob1;          // output buffer, ob0 is the head
    reg  [1:0]  ob_cnt;

    wire        pop     = rd_pop && (ob_cnt != 2'd0);
    wire [2:0]  occ     = {1'b0, ob_cnt} + {2'b00, rd_pend} - {2'b00, pop};
    wire        issue   = (iptr != cptr) && (occ <= 3'd1) && !rd_skip;

    always @(posedge clk) begin
        ram_q <= mem[iptr[AW-1:0]];
    end

    always @(posedge clk) begin
        if (rst) begin
            iptr    <= {(AW+1){1'b0}};
            rptr    <= {(AW+1){1'b0}};
            rd_pend <= 1'b0;
            ob_cnt  <= 2'd0;
        end else begin
            rd_pend <= issue;
            if (issue)
                iptr <= iptr + 1'b1;
            if (pop)
                rptr <= rptr + 1'b1;
            if (rd_skip) begin
                // iptr == rptr + ob_cnt + rd_pend: empty the output side, read on from rptr + n.
                rptr   <= rptr + rd_skip_n;
                iptr   <= rptr + rd_skip_n;
                ob_cnt <= 2'd0;
            end else case ({pop, rd_pend})
                2'b01: begin
                    if (ob_cnt == 2'd0) ob0 <= ram_q;
                    else                ob1 <= ram_q;
                    ob_cnt <= ob_cnt + 2'd1;
                end
                2'b10: begin
                    ob0    <= ob1;
                    ob_cnt <= ob_cnt - 2'd1;
                end
                2'b11: begin
                    if (ob_cnt == 2'd1) begin
                        ob0 <= ram_q;
                    end else begin
                        ob0 <= ob1;
                        ob1 <= ram_q;
                    end
                end
                default: ;
            endcase
        end
    end

    assign rd_valid = (ob_cnt != 2'd0);
    assign rd_data  = ob0;

    // ================================================================ metadata
    reg  [META_W-1:0] meta_mem [0:(1<<MAW)-1];
    reg  [MAW:0]      mwptr;
    reg  [MAW:0]      mrptr;

    always @(posedge clk) begin
        if (wr_commit && !wr_abort)
            meta_mem[mwptr[MAW-1:0]] <= wr_meta;
    end

    always @(posedge clk) begin
        if (rst) begin
            mwptr <= {(MAW+1){1'b0}};
            mrptr <= {(MAW+1){1'b0}};
        end else begin
            if (wr_commit && !wr_abort)
                mwptr <= mwptr + 1'b1;
            if (meta_pop && meta_valid)
                mrptr <= mrptr + 1'b1;
        end
    end

    assign meta_valid = (mwptr != mrptr);
    assign meta_data  = meta_mem[mrptr[MAW-1:0]];

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (DEPTH_LOG2 < 4) begin
            $display("ringnic_rx_fifo: DEPTH_LOG2 must be >= 4");
            $finish;
        end
        if (META_W < 1) begin
            $display("ringnic_rx_fifo: META_W must be >= 1");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
