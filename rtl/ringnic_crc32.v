// ringnic_crc32: the Ethernet FCS (IEEE 802.3 CRC-32), one 64-bit stream beat per call.
//
// Reflected CRC-32, polynomial 0x04C11DB7 (0xEDB88320 reflected). The running value starts at
// 32'hFFFFFFFF; after the last byte the FCS is ~crc_out, sent least significant byte first.
// Combinational: the TX and RX MACs register the running value once per beat.
// PARTIAL = 0 (the RX MAC) takes all eight bytes whatever keep says: one flat XOR network, a
// third smaller than the byte-by-byte one keep selects in; its caller zeroes the bytes keep
// clears and accounts for them (a zero byte's step is linear and invertible: ringnic_rx_mac
// checks the residue advanced by as many zero bytes).
`timescale 1ns / 1ps
`default_nettype none

module ringnic_crc32 #(
    parameter integer PARTIAL = 1   // 1: keep selects the bytes; 0: all eight bytes, keep unused
) (
    input  wire [31:0] crc_in,   // running CRC (32'hFFFFFFFF before a frame's first byte)
    input  wire [63:0] data,     // up to 8 bytes, the first on the wire in bits 7:0
    input  wire [7:0]  keep,     // which bytes count; contiguous from byte 0 (AXI-Stream tkeep)
    output wire [31:0] crc_out   // running CRC after the kept bytes
);

    function [31:0] crc_bytes;
        input [31:0] c_in;
        input [63:0] d;
        input [7:0]  k;
        integer      i, b;
        reg   [31:0] c;
        begin
            c = c_in;
            for (i = 0; i < 8; i = i + 1) begin
                if (k[i]) begin
                    c = c ^ {24'd0, d[8*i +: 8]};
                    for (b = 0; b < 8; b = b + 1)
                        c = c[0] ? ((c >> 1) ^ 32'hEDB88320) : (c >> 1);
                end
            end
            crc_bytes = c;
        end
    endfunction

    assign crc_out = crc_bytes(crc_in, data, (PARTIAL != 0) ? keep : 8'hFF);

    // Parameter check (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (PARTIAL != 0 && PARTIAL != 1) begin
            $display("ringnic_crc32: PARTIAL must be 0 or 1");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
