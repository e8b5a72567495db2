// ringnic_ring.vh: ring index arithmetic of both engines (included inside ringnic_rx,
// ringnic_rx_dma, ringnic_rx_wb, ringnic_tx, ringnic_tx_proc, ringnic_tx_wb and
// ringnic_desc_fetch; the includer defines `localparam integer RW = RING_LOG2 + 1`).
//
// Indices modulo the ring size n (i < n, k <= n), on RW bits: the largest ring TDLEN/RDLEN
// allows has 2^RING_LOG2 descriptors, so every index, count and n fits and the result is exact
// (a third of the LUTs of 16-bit arithmetic). With RDLEN or RDT out of range the RX ring stops
// (BAD_RING, BAD_TAIL); the RDH of write-backs still completing then and RXDMT0 follow the
// truncated values. TX checks TDLEN, TDH and TDT before it uses them.
// Where the NIC is instantiated twice (tb/hdl/ringnic_pair.v) the Verilator lint reports each
// stage's copy of these functions as hiding its parent's of the same name: every module's copy
// is its own, so VARHIDDEN is waived here.
/* verilator lint_off VARHIDDEN */
/* verilator lint_off UNUSEDSIGNAL */  // the bits above RW of the 16-bit operands
function [15:0] ring_next;         // the index after i
    input [15:0] i;
    input [15:0] n;
    reg   [RW-1:0] s;
    begin
        s = i[RW-1:0] + 1'b1;
        ring_next = 16'd0;
        ring_next[RW-1:0] = (s == n[RW-1:0]) ? {RW{1'b0}} : s;
    end
endfunction

function [15:0] ring_add;
    input [15:0] i;
    input [15:0] k;
    input [15:0] n;
    reg   [RW:0] s;
    begin
        s = {1'b0, i[RW-1:0]} + {1'b0, k[RW-1:0]};
        ring_add = 16'd0;
        ring_add[RW-1:0] = (s >= {1'b0, n[RW-1:0]}) ? (s[RW-1:0] - n[RW-1:0]) : s[RW-1:0];
    end
endfunction

function [15:0] ring_dist;          // descriptors from `from` up to `to`
    input [15:0] from;
    input [15:0] to;
    input [15:0] n;
    reg   [RW-1:0] d;
    begin
        d = (to[RW-1:0] >= from[RW-1:0]) ? (to[RW-1:0] - from[RW-1:0]) : (to[RW-1:0] + n[RW-1:0] - from[RW-1:0]);
        ring_dist = 16'd0;
        ring_dist[RW-1:0] = d;
    end
endfunction
/* verilator lint_on UNUSEDSIGNAL */

function [15:0] zx16;               // a ring index, zero-extended
    input [RW-1:0] x;
    begin
        zx16 = 16'd0;
        zx16[RW-1:0] = x;
    end
endfunction

function [15:0] min16;
    input [15:0] a;
    input [15:0] b;
    begin
        min16 = (a < b) ? a : b;
    end
endfunction
/* verilator lint_on VARHIDDEN */
