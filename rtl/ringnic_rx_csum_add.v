`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_csum_add: one beat of a ones'-complement sum for ringnic_rx_csum (RFC 1071): the
// accumulator plus the beat's four 16-bit words, each byte gated by its enable, modulo 0xFFFF.
// A carry out of bit 15 weighs 1 modulo 0xFFFF, so a carry-save adder's carries rotate left
// (end-around): three 3:2 stages take the four words and the accumulator to two 16-bit vectors,
// one adder ends the sum, and its carry out is deferred to the next beat's carry-in. The result
// is acc + carry in 0..0x10000, congruent to the sum of every word so far and 0 only when all
// were 0. (A module of its own: kept apart, the adders are mapped as adders.)

module ringnic_rx_csum_add (
    input  wire [15:0] acc,     // the sum so far, low 16 bits
    input  wire        cin,     // and its deferred carry
    input  wire [63:0] d,       // the beat: word k is d[16k +: 16]
    input  wire [7:0]  en,      // byte enables
    output wire [16:0] sum      // {carry, low 16}
);

    function [31:0] csa;                // {sum, carries rotated}
        input [15:0] a, b, c;
        reg   [15:0] m;
        begin
            m   = (a & b) | (a & c) | (b & c);
            csa = {a ^ b ^ c, m[14:0], m[15]};
        end
    endfunction

    reg  [63:0] g;
    integer     k;
    always @* begin
        for (k = 0; k < 8; k = k + 1)
            g[8*k +: 8] = en[k] ? d[8*k +: 8] : 8'h00;
    end

    wire [31:0] x = csa(g[15:0], g[31:16], g[47:32]);
    wire [31:0] y = csa(x[31:16], x[15:0], g[63:48]);
    wire [31:0] z = csa(y[31:16], y[15:0], acc);
    assign sum = {1'b0, z[31:16]} + {1'b0, z[15:0]} + {16'd0, cin};

endmodule

`default_nettype wire
