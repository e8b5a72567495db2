`default_nettype none
`timescale 1ns/1ps

// ringnic_desc_fetch: descriptor prefetch of both ring engines (ringnic_tx, ringnic_rx).
//
// Reads the ring's 16-byte legacy descriptors (rtl/ringnic_desc.vh) in INCR bursts of two
// 64-bit beats per descriptor: up to DESC_BURST a burst, never past the ring end, the
// descriptors the engine lets it read (avail, counted from fetch_idx) or a 4 KiB boundary,
// and only once the queue has room for the whole burst, so R beats are never refused. The
// queue holds two bursts and hands descriptors out in ring order.
//
// The engine owns the AR channel: this block asks (req, with the burst's address and AXI
// length; its first index is fetch_idx) and the engine answers grant in the cycle it takes the
// burst (TX arbitrates with its payload reads; RX registers it, one burst at a time by
// allowing only while !busy). The engine routes the R beats of these bursts to beat_*.
//
// A failed beat (SLVERR/DECERR) is reported at once (err, err_idx), and the descriptor is
// either queued with its poison bit (DROP_BAD = 0: TX, which reports it when the descriptor is
// processed, in ring order) or not queued (DROP_BAD = 1: RX, which stops on err). Descriptors
// that complete while keep is low are not queued (RX drops what arrives after it stopped).
// clr empties the queue; bursts still on the bus arrive and are counted (busy) as before.

module ringnic_desc_fetch #(
    parameter integer RING_LOG2  = 12,  // log2 of the largest ring, descriptors (3..15)
    parameter integer DESC_BURST = 8,   // descriptors per AR burst, at most (1..128)
    parameter integer KEEP_HI    = 1,   // 1: queue bytes 8..15 too (TX); 0: the buffer address only (RX)
    parameter integer DROP_BAD   = 0    // 1: a descriptor whose read failed is not queued (RX)
) (
    input  wire                 clk,
    input  wire                 rst,         // synchronous, active high
    input  wire                 clr,         // empty the queue

    // ------------------------------------------------------------ ring
    input  wire [31:0]          ring_base,   // bytes, 16-byte aligned
    input  wire [RING_LOG2:0]   ring_size,   // descriptors (1..2^RING_LOG2)
    input  wire                 start,       // pulse: the next descriptor to fetch is start_idx
    input  wire [RING_LOG2-1:0] start_idx,
    input  wire [RING_LOG2:0]   avail,       // descriptors from fetch_idx on that may be read
    output reg  [RING_LOG2-1:0] fetch_idx,   // next descriptor to fetch (the next burst's first)
    output wire                 busy,        // a burst granted and not wholly received
    output wire                 idle,        // !busy and nothing queued

    // ------------------------------------------------------------ AR requests
    input  wire                 allow,       // the engine may take a burst this cycle
    output wire                 req,
    output wire [31:0]          req_addr,
    output wire [7:0]           req_len,     // AXI ARLEN: two beats per descriptor
    input  wire                 grant,       // the engine took the request (only while req)

    // ------------------------------------------------------------ R beats of fetch bursts
    input  wire                 beat_valid,
    input  wire [63:0]          beat_data,
    input  wire                 beat_err,    // RRESP was SLVERR or DECERR
    input  wire                 keep,        // a descriptor completing now is still wanted
    output wire                 err,         // pulse: a beat failed
    output reg  [RING_LOG2-1:0] err_idx,     // the descriptor of the beat (valid with err)

    // ------------------------------------------------------------ descriptors, in ring order
    output wire                 q_valid,
    output wire [96:0]          q_data,      // {read failed, buffer address low dword, bytes 8..15 (or 0)}
    input  wire                 q_pop
);

`include "ringnic_desc.vh"

    localparam integer RW      = RING_LOG2 + 1;             // ring indices (rtl/ringnic_ring.vh)
`include "ringnic_ring.vh"

    localparam integer Q_LOG2  = $clog2(2 * DESC_BURST);   // two bursts
    localparam [16:0]  Q_DEPTH = 17'd1 << Q_LOG2;
    localparam [16:0]  DBURST  = DESC_BURST[16:0];
    localparam integer HI_W    = (KEEP_HI != 0) ? 64 : 1;   // 1: a constant 0 column (no zero-width vectors)
    localparam integer Q_W     = 1 + 32 + HI_W;

    // ------------------------------------------------------------ burst sizing
    // On 17 bits (any ring, count or queue fits); synthesis drops the constant upper bits.
    reg  [Q_LOG2:0] fly;           // descriptors granted, not yet received
    wire [Q_LOG2:0] q_count;

    wire [16:0] f_idx    = {{(17-RING_LOG2){1'b0}}, fetch_idx};
    wire [16:0] f_size   = {{(16-RING_LOG2){1'b0}}, ring_size};
    wire [16:0] f_avail  = {{(16-RING_LOG2){1'b0}}, avail};
    wire [31:0] f_addr   = ring_base + {{(28-RING_LOG2){1'b0}}, fetch_idx, 4'd0};
    wire [16:0] f_to_end = f_size - f_idx;
    wire [16:0] f_to_4k  = 17'd256 - {9'd0, f_addr[11:4]};
    wire [16:0] f_n1     = (f_avail < DBURST) ? f_avail : DBURST;
    wire [16:0] f_n2     = (f_to_end < f_n1) ? f_to_end : f_n1;
    wire [16:0] f_n      = (f_to_4k < f_n2) ? f_to_4k : f_n2;
    wire [16:0] f_room   = Q_DEPTH - {{(16-Q_LOG2){1'b0}}, fly} - {{(16-Q_LOG2){1'b0}}, q_count};
    wire [16:0] f_next   = f_idx + f_n;

    // Wait for room for a whole burst rather than trickle.
    assign req      = allow && (f_n != 17'd0) && (f_n <= f_room);
    assign req_addr = f_addr;
    assign req_len  = {f_n[6:0], 1'b0} - 8'd1;
    assign busy     = (fly != {(Q_LOG2+1){1'b0}});
    assign idle     = !busy && (q_count == {(Q_LOG2+1){1'b0}});

    // ------------------------------------------------------------ beats: two make a descriptor
    reg             odd;           // the next beat is a descriptor's second
    reg  [31:0]     lo_addr;
    reg             lo_err;
    wire            d_done = beat_valid && odd;
    wire            d_bad  = lo_err || beat_err;
    wire            q_push = d_done && keep && !((DROP_BAD != 0) && d_bad);
    wire [Q_W-1:0]  q_wdata;
    wire [15:0]     e_next = ring_next(zx16({1'b0, err_idx}), zx16(ring_size));

    assign err = beat_valid && beat_err;

    generate
        if (KEEP_HI != 0) begin : g_hi
            assign q_wdata = {d_bad, lo_addr, beat_data};
        end else begin : g_lo
            assign q_wdata = {d_bad, lo_addr, 1'b0};
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            fetch_idx <= {RING_LOG2{1'b0}};
            err_idx   <= {RING_LOG2{1'b0}};
            fly       <= {(Q_LOG2+1){1'b0}};
            odd       <= 1'b0;
            lo_addr   <= 32'd0;
            lo_err    <= 1'b0;
        end else begin
            if (grant) begin
                // A burst never passes the ring end: it wraps only by reaching it exactly.
                fetch_idx <= (f_next == f_size) ? {RING_LOG2{1'b0}} : f_next[RING_LOG2-1:0];
                if (!busy)
                    err_idx <= fetch_idx;  // the first beat of the burst belongs to it
            end
            if (start)
                fetch_idx <= start_idx;
            fly <= fly + (grant ? f_n[Q_LOG2:0] : {(Q_LOG2+1){1'b0}}) - {{Q_LOG2{1'b0}}, d_done};
            if (beat_valid) begin
                odd <= !odd;
                if (!odd) begin
                    lo_addr <= beat_data[RN_TXD_BUFFER_ADDR +: 32];  // TX and RX alike
                    lo_err  <= beat_err;
                end else begin
                    err_idx <= e_next[RING_LOG2-1:0];
                end
            end
        end
    end

    wire             q_empty, q_full;
    wire [Q_W-1:0]   q_rdata;
    assign q_valid = !q_empty;

    generate
        if (KEEP_HI != 0) begin : g_qhi
            assign q_data = q_rdata;
        end else begin : g_qlo
            assign q_data = {q_rdata[Q_W-1:1], 64'd0};
        end
    endgenerate

    ringnic_fifo #(.WIDTH(Q_W), .DEPTH_LOG2(Q_LOG2)) u_q (
        .clk(clk), .rst(rst), .clr(clr), .wr_en(q_push), .wr_data(q_wdata),
        .rd_en(q_pop), .rd_data(q_rdata), .count(q_count), .full(q_full), .empty(q_empty));

    // The room check keeps the queue from overflowing: its full flag says nothing new; f_next
    // and e_next have no bit above the ring's indices once wrapped.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, q_full, q_rdata[0], beat_data, f_next, e_next};
    /* verilator lint_on UNUSEDSIGNAL */

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_desc_fetch: RING_LOG2 must be 3..15");
            $finish;
        end
        if (DESC_BURST < 1 || DESC_BURST > 128) begin
            $display("ringnic_desc_fetch: DESC_BURST must be 1..128");
            $finish;
        end
        if (KEEP_HI != 0 && KEEP_HI != 1) begin
            $display("ringnic_desc_fetch: KEEP_HI must be 0 or 1");
            $finish;
        end
        if (DROP_BAD != 0 && DROP_BAD != 1) begin
            $display("ringnic_desc_fetch: DROP_BAD must be 0 or 1");
            $finish;
        end
        if (RN_TXD_BUFFER_ADDR != RN_RXD_BUFFER_ADDR) begin
            $display("ringnic_desc_fetch: TX and RX descriptors must start with the buffer address");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
