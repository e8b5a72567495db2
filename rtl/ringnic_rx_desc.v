`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_desc: descriptor prefetch and cache of the RX engine (ringnic_rx).
//
// Reads descriptors of a ring of 16-byte legacy descriptors in INCR bursts of two 64-bit beats
// per descriptor, up to DESC_BURST descriptors a burst and never past the ring end, the
// descriptors it may read (avail) or a 4 KiB boundary; one burst at a time, started only when
// the cache has room for all of it. Each descriptor's buffer address (the low dword of its
// first beat) enters a cache of 2^CACHE_LOG2 entries, oldest first, once both beats are OKAY
// and keep is set; a beat with SLVERR/DECERR is reported (err, err_idx) and its descriptor
// dropped. The consumer takes the oldest entry with desc_pop while desc_valid.
//
// The ring's owner decides what may be read: avail counts the descriptors from fetch_idx on
// that it owns and are not read yet; start empties the cache and moves fetch_idx (a burst on
// the bus then still completes: keep low drops its descriptors). R beats are taken every cycle
// (the master's RREADY is 1).

module ringnic_rx_desc #(
    parameter integer RING_LOG2  = 12,  // log2 of the largest ring, descriptors (3..15)
    parameter integer DESC_BURST = 8,   // descriptors per read burst, at most (1..128)
    parameter integer CACHE_LOG2 = 4    // log2 of the cache entries (1..15, 2^CACHE_LOG2 >= DESC_BURST)
) (
    input  wire                 clk,
    input  wire                 rst,          // synchronous, active high

    // ------------------------------------------------------------ ring
    input  wire [31:0]          base,         // ring base, bytes (16-byte aligned)
    input  wire [RING_LOG2:0]   ring_n,       // ring size, descriptors (only read while go)
    input  wire                 start,        // pulse: empty the cache; read from start_idx on
    input  wire [RING_LOG2:0]   start_idx,
    input  wire                 go,           // a burst may start this cycle
    input  wire                 keep,         // descriptors completing now enter the cache
    input  wire [RING_LOG2:0]   avail,        // descriptors from fetch_idx on that may be read
    output reg  [RING_LOG2:0]   fetch_idx,    // next descriptor to read
    output reg                  busy,         // a burst is on the bus (AR or R)

    // ------------------------------------------------------------ read requests and responses
    output reg                  ar_valid,
    input  wire                 ar_ready,
    output reg  [31:0]          ar_addr,
    output reg  [7:0]           ar_len,       // beats - 1: two per descriptor
    input  wire                 r_valid,
    input  wire [31:0]          r_addr,       // the beat's buffer-address dword (first beat of a descriptor)
    input  wire                 r_err,        // the beat's RRESP is SLVERR or DECERR
    input  wire                 r_last,
    output wire                 err,          // pulse: a descriptor read failed
    output wire [RING_LOG2:0]   err_idx,      // that descriptor (with err)

    // ------------------------------------------------------------ cache: oldest descriptor first
    output wire                 desc_valid,
    output wire [31:0]          desc_addr,    // its buffer address
    input  wire                 desc_pop
);

    localparam integer RW     = RING_LOG2 + 1;
    localparam integer CN     = 1 << CACHE_LOG2;
    localparam [15:0]  CN16   = CN[15:0];
    localparam [15:0]  DBURST = DESC_BURST[15:0];

`include "ringnic_rx_ring.vh"

    reg  [31:0]         cache [0:CN-1];
    reg  [CACHE_LOG2:0] c_wr, c_rd;
    wire [CACHE_LOG2:0] c_count = c_wr - c_rd;
    wire [15:0]         c_space = CN16 - {{(15-CACHE_LOG2){1'b0}}, c_count};

    reg  [RW-1:0] rd_idx;          // descriptor the next R beat belongs to
    reg           rd_odd;          // next R beat is a descriptor's upper half
    reg           rd_lo_ok;        // the lower half (buffer address) was OKAY

    wire [15:0] f_n_max  = zx16(avail);
    wire [31:0] f_addr   = base + {12'd0, zx16(fetch_idx), 4'd0};
    wire [15:0] f_to_4k  = 16'd256 - {8'd0, f_addr[11:4]};
    wire [15:0] f_to_end = zx16(ring_n) - zx16(fetch_idx);
    wire [15:0] f_n      = min16(min16(DBURST, f_n_max), min16(f_to_end, f_to_4k));
    wire        fetch_go = go && !busy && (f_n != 16'd0) && (c_space >= f_n);
    wire [15:0] f_next   = ring_add(zx16(fetch_idx), f_n, zx16(ring_n));
    wire [15:0] rd_next  = ring_add(zx16(rd_idx), 16'd1, zx16(ring_n));

    assign err        = r_valid && r_err;
    assign err_idx    = rd_idx;
    assign desc_valid = (c_count != {(CACHE_LOG2+1){1'b0}});
    assign desc_addr  = cache[c_rd[CACHE_LOG2-1:0]];

    always @(posedge clk) begin
        if (rst) begin
            ar_valid <= 1'b0;
            busy     <= 1'b0;
            rd_odd   <= 1'b0;
            rd_lo_ok <= 1'b0;
            c_wr     <= {(CACHE_LOG2+1){1'b0}};
            rd_idx   <= {RW{1'b0}};
        end else begin
            if (ar_valid && ar_ready)
                ar_valid <= 1'b0;
            if (fetch_go) begin
                ar_valid <= 1'b1;
                ar_addr  <= f_addr;
                ar_len   <= {f_n[6:0] - 7'd1, 1'b1};  // 2 beats per descriptor, minus 1
                busy     <= 1'b1;
                rd_idx   <= fetch_idx;
                rd_odd   <= 1'b0;
            end
            if (r_valid) begin
                if (!rd_odd) begin
                    cache[c_wr[CACHE_LOG2-1:0]] <= r_addr;
                    rd_lo_ok <= !r_err;
                end else begin
                    // Both halves OKAY and still wanted: the descriptor is usable.
                    if (rd_lo_ok && !r_err && keep)
                        c_wr <= c_wr + 1'b1;
                    rd_idx <= rd_next[RW-1:0];
                end
                rd_odd <= !rd_odd;
                if (r_last)
                    busy <= 1'b0;
            end
            if (start)
                c_wr <= {(CACHE_LOG2+1){1'b0}};
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            c_rd      <= {(CACHE_LOG2+1){1'b0}};
            fetch_idx <= {RW{1'b0}};
        end else begin
            if (desc_pop)
                c_rd <= c_rd + 1'b1;
            if (fetch_go)
                fetch_idx <= f_next[RW-1:0];
            if (start) begin
                c_rd      <= {(CACHE_LOG2+1){1'b0}};
                fetch_idx <= start_idx;
            end
        end
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_rx_desc: RING_LOG2 must be 3..15");
            $finish;
        end
        if (DESC_BURST < 1 || DESC_BURST > 128) begin
            $display("ringnic_rx_desc: DESC_BURST must be 1..128");
            $finish;
        end
        if (CACHE_LOG2 < 1 || CACHE_LOG2 > 15 || (1 << CACHE_LOG2) < DESC_BURST) begin
            $display("ringnic_rx_desc: CACHE_LOG2 must be 1..15 and hold DESC_BURST");
            $finish;
        end
    end
    /* verilator coverage_on */

    // ring_add's result has no bits above RW.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, f_next, rd_next};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
