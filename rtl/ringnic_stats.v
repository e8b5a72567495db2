`default_nettype none
`timescale 1ns/1ps

// ringnic_stats: the 8254x statistics counters (SDM 13.7) as one small RAM, not a bank of flops.
//
// The counts live in a 64-bit wide LUT RAM, one word per counter: N32 read-to-clear 32-bit
// counters (one increment pulse each) and N64 64-bit pairs (up to 16 bits of octets a cycle).
// Each counter has a small pending accumulator; every cycle one word is read, its pending count
// folded in (saturating) and written back, round robin. A register read of a counter takes that
// cycle's slot for its own word, so the value it returns, RAM plus pending, is exact. The cost
// is one adder for all counters instead of one per counter.
//
// Semantics (kept from the flop version, QEMU e1000 for the clears):
//  * 32-bit: a read returns the count and clears it; saturates at all ones.
//  * 64-bit pair: a low read returns the low half and latches the whole count; the high read
//    returns the latched high half (the live one when nothing is latched) and takes exactly the
//    latched count off. Saturates at all ones.
//  * An increment in the cycle of a clearing read counts toward the next read.
//
// Pending bound: reads come at most every other cycle (one AXI-Lite read in flight), so a word
// is visited at least every 2*(N32+N64) cycles: 6 bits cover the pulses, 22 bits 2*19*65535 octets.

module ringnic_stats #(
    parameter integer N32 = 15,  // 32-bit counters, index 0..N32-1
    parameter integer N64 = 4    // 64-bit pairs, index N32..N32+N64-1 (N32+N64 <= 19: pending widths)
) (
    input  wire                 clk,
    input  wire                 rst,        // synchronous, active high: every count to 0
    input  wire [N32-1:0]       inc,        // one increment per 32-bit counter this cycle
    input  wire [16*N64-1:0]    add,        // octets per pair this cycle, pair j in bits 16j+15:16j
    input  wire                 rd,         // a clearing register read of counter rd_idx this cycle
    input  wire [4:0]           rd_idx,     // counter the read address decodes to
    input  wire                 rd_hi,      // the high half of a pair (else the low half / a 32-bit counter)
    output wire [31:0]          rd_data     // its value, combinational from rd_idx / rd_hi
);

    localparam integer N   = N32 + N64;
    localparam integer P32 = 6;   // pending pulses, bits
    localparam integer P64 = 22;  // pending octets, bits

    // ================================================================ parameter checks
    generate
        if (N32 < 1 || N64 < 1 || N64 > 4 || N > 19) begin : g_bad_params
            initial begin
                $display("ringnic_stats: need 1 <= N64 <= 4, N32 >= 1, N32 + N64 <= 19 (pending widths)");
                $finish;
            end
        end
    endgenerate

    // ================================================================ storage
    reg  [63:0]        mem [0:31];   // no reset: vld says which words hold a count since reset
    reg  [N-1:0]       vld;
    reg  [P32*N32-1:0] pend32;
    reg  [P64*N64-1:0] pend64;
    reg  [63:0]        snap [0:N64-1];
    reg  [N64-1:0]     snapped;
    reg  [4:0]         seq;          // the word the round robin folds when no read takes the slot

    // ================================================================ the one read-modify-write
    wire [4:0]  a     = rd ? rd_idx : seq;
    wire        is64  = (a >= N32[4:0]);
    wire [4:0]  j5    = a - N32[4:0];
    wire [1:0]  j     = j5[1:0];                 // pair index (N64 <= 4)
    wire [63:0] old   = vld[a] ? mem[a] : 64'd0;
    wire [21:0] p     = is64 ? pend64[P64*j +: P64] : {{(P64-P32){1'b0}}, pend32[P32*a +: P32]};
    wire [64:0] sum   = {1'b0, old} + {43'd0, p};
    // 32-bit words never hold more than 2^32-1, so bit 32 of the sum is their overflow.
    wire        sat   = is64 ? sum[64] : sum[32];
    wire [63:0] val   = sat ? (is64 ? {64{1'b1}} : {32'd0, {32{1'b1}}}) : sum[63:0];
    wire [63:0] seen  = snapped[j] ? snap[j] : val;

    // The value a read returns, and the word written back.
    assign rd_data = !is64 ? val[31:0] : rd_hi ? seen[63:32] : val[31:0];
    wire [63:0] wval = (rd && !is64) ? 64'd0 : (rd && rd_hi) ? (val - seen) : val;

    always @(posedge clk) begin
        mem[a] <= wval;
    end

    integer k;
    always @(posedge clk) begin
        if (rst) begin
            vld     <= {N{1'b0}};
            pend32  <= {(P32*N32){1'b0}};
            pend64  <= {(P64*N64){1'b0}};
            snapped <= {N64{1'b0}};
            seq     <= 5'd0;
        end else begin
            vld[a] <= 1'b1;
            // This cycle's input: folded into the next visit; the visited word's pending restarts.
            for (k = 0; k < N32; k = k + 1)
                pend32[P32*k +: P32] <= ((!is64 && {27'd0, a} == k) ? {P32{1'b0}} : pend32[P32*k +: P32])
                                      + {{(P32-1){1'b0}}, inc[k]};
            for (k = 0; k < N64; k = k + 1)
                pend64[P64*k +: P64] <= ((is64 && {30'd0, j} == k) ? {P64{1'b0}} : pend64[P64*k +: P64])
                                      + {{(P64-16){1'b0}}, add[16*k +: 16]};
            if (rd && is64) snapped[j] <= !rd_hi;
            if (!rd) seq <= (seq == N[4:0] - 5'd1) ? 5'd0 : seq + 5'd1;
        end
    end

    always @(posedge clk) begin
        if (rd && is64 && !rd_hi) snap[j] <= val;
    end

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, j5[4:2]};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
