`default_nettype none
`timescale 1ns/1ps

// ringnic_desc_fetch: descriptor prefetch for a ring engine. Reads the descriptors of
// [start_idx, tail) in AR bursts of up to DESC_BURST (never past the ring end, the tail or a
// 4 KiB boundary) into a queue of two bursts, and hands them out in ring order.
//
// The engine owns the AR channel (it shares it with its payload reads): this block asks (req,
// with the burst's address, AXI length and first index) and the engine answers with grant in
// the cycle it takes the burst. Queue space for the whole burst is reserved before it is asked
// for, so R beats are never refused. The engine routes the R beats of these bursts to beat_*;
// a descriptor is two 64-bit beats (16 bytes), the legacy layout of rtl/ringnic_desc.vh:
// buffer address, then bytes 8..15.

module ringnic_desc_fetch #(
    parameter integer DESC_BURST = 8   // descriptors per AR burst, at most (1..128)
) (
    input  wire         clk,
    input  wire         rst,         // synchronous, active high
    input  wire         clr,         // forget what was prefetched (the engine stopped, R quiet)

    // ------------------------------------------------------------ ring
    input  wire [31:0]  ring_base,   // bytes, 16-byte aligned
    input  wire [16:0]  ring_size,   // descriptors
    input  wire [15:0]  tail,        // one past the last descriptor to fetch
    output wire         tail_ok,     // tail inside the ring
    input  wire         start,       // pulse: the next descriptor to fetch is start_idx
    input  wire [15:0]  start_idx,
    output wire         caught_up,   // everything up to tail fetched and handed out

    // ------------------------------------------------------------ AR requests
    input  wire         allow,       // the engine may take a fetch burst this cycle
    output wire         req,
    output wire [31:0]  req_addr,
    output wire [7:0]   req_len,     // AXI ARLEN: two beats per descriptor
    output wire [15:0]  req_idx,     // ring index of the burst's first descriptor
    input  wire         grant,       // the engine took the request (only while req)

    // ------------------------------------------------------------ R beats of fetch bursts
    input  wire         beat_valid,
    input  wire [63:0]  beat_data,
    input  wire         beat_err,    // RRESP was SLVERR or DECERR

    // ------------------------------------------------------------ descriptors, in ring order
    output wire         q_valid,
    output wire [96:0]  q_data,      // {fetch error, buffer address low dword, bytes 8..15}
    input  wire         q_pop
);

    localparam integer Q_LOG2   = $clog2(2 * DESC_BURST);   // two bursts
    localparam [16:0]  Q_DEPTH  = 17'd1 << Q_LOG2;
    localparam [16:0]  DBURST   = DESC_BURST[16:0];
    localparam integer Q_W      = 1 + 32 + 64;

    reg  [15:0]     fptr;          // next descriptor to fetch
    reg  [Q_LOG2:0] rsv;           // queue entries held or in flight

    assign tail_ok = ({1'b0, tail} < ring_size);
    wire [16:0] f_avail  = (tail >= fptr) ? ({1'b0, tail} - {1'b0, fptr})
                                          : (ring_size - {1'b0, fptr} + {1'b0, tail});
    wire [16:0] f_to_end = ring_size - {1'b0, fptr};
    wire [31:0] f_addr   = ring_base + {12'd0, fptr, 4'd0};
    wire [16:0] f_to_4k  = 17'd256 - {9'd0, f_addr[11:4]};
    wire [16:0] f_n1     = (f_avail < DBURST) ? f_avail : DBURST;
    wire [16:0] f_n2     = (f_to_end < f_n1) ? f_to_end : f_n1;
    wire [16:0] f_n      = (f_to_4k < f_n2) ? f_to_4k : f_n2;
    wire [16:0] f_room   = Q_DEPTH - {{(16-Q_LOG2){1'b0}}, rsv};

    // Wait for room for a whole burst rather than trickle.
    assign req       = allow && tail_ok && (f_n != 17'd0) && (f_n <= f_room);
    assign req_addr  = f_addr;
    assign req_len   = {f_n[6:0], 1'b0} - 8'd1;
    assign req_idx   = fptr;
    assign caught_up = (fptr == tail) && (rsv == {(Q_LOG2+1){1'b0}});

    always @(posedge clk) begin
        if (rst) begin
            fptr <= 16'd0;
            rsv  <= {(Q_LOG2+1){1'b0}};
        end else if (clr) begin
            rsv  <= {(Q_LOG2+1){1'b0}};
        end else begin
            if (start)
                fptr <= start_idx;
            if (grant)
                fptr <= ({1'b0, fptr} + f_n == ring_size) ? 16'd0 : fptr + f_n[15:0];
            rsv <= rsv + (grant ? f_n[Q_LOG2:0] : {(Q_LOG2+1){1'b0}}) - {{Q_LOG2{1'b0}}, q_pop};
        end
    end

    // Two beats make a descriptor; either beat's error poisons it.
    reg             odd;           // the next beat is a descriptor's second
    reg  [31:0]     lo_addr;
    reg             lo_err;
    reg             q_push;
    reg  [Q_W-1:0]  q_wdata;

    always @(posedge clk) begin
        if (rst || clr) begin
            odd     <= 1'b0;
            lo_addr <= 32'd0;
            lo_err  <= 1'b0;
            q_push  <= 1'b0;
            q_wdata <= {Q_W{1'b0}};
        end else begin
            q_push <= beat_valid && odd;
            if (beat_valid) begin
                odd <= ~odd;
                if (!odd) begin
                    lo_addr <= beat_data[31:0];   // buffer address, low dword (TX and RX alike)
                    lo_err  <= beat_err;
                end else begin
                    q_wdata <= {lo_err || beat_err, lo_addr, beat_data};
                end
            end
        end
    end

    wire            q_empty, q_full;
    wire [Q_LOG2:0] q_count;
    assign q_valid = !q_empty;

    ringnic_fifo #(.WIDTH(Q_W), .DEPTH_LOG2(Q_LOG2)) u_q (
        .clk(clk), .rst(rst), .clr(clr), .wr_en(q_push), .wr_data(q_wdata),
        .rd_en(q_pop), .rd_data(q_data), .count(q_count), .full(q_full), .empty(q_empty));

    // The reservation keeps the queue from overflowing: its own count and full say nothing new.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, q_count, q_full};
    /* verilator lint_on UNUSEDSIGNAL */

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (DESC_BURST < 1 || DESC_BURST > 128) begin
            $display("ringnic_desc_fetch: DESC_BURST must be 1..128");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
