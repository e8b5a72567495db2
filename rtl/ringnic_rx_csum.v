`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_csum: RX checksum offload of the 8254x (Intel 8254x SDM 3.2.3, receive descriptor
// status and errors; RXCSUM in chapter 13; Linux e1000e's e1000_rx_checksum reads the result).
//
// It watches the MAC-side receive stream (8-byte beats, first byte on the wire in bits 7:0, tkeep
// contiguous from lane 0, the FCS included) and, with the frame's tlast beat, gives the bits the
// frame's last RX descriptor carries:
//   IPCS  the IPv4 header checksum was calculated (RXCSUM.IPOFLD); IPE when it is wrong
//   TCPCS the TCP or UDP checksum (pseudo-header included) was calculated (RXCSUM.TUOFLD);
//         TCPE when it is wrong
//   (IXSM, set by ringnic_rx, when neither was calculated: offload off, not IPv4, not TCP/UDP, ...)
// Frames considered: Ethernet II, untagged or with one 802.1Q tag (TPID 0x8100), EtherType
// 0x0800, version 4, IHL >= 5 (options are summed with the header), total length >= the header
// and within the frame before its FCS. Bytes past the total length (the padding of a short
// frame) are not summed. The L4 checksum is calculated for protocol 6 (TCP) and 17 (UDP), not for
// a fragment (MF or a fragment offset) nor for a UDP datagram whose checksum field is 0 (no
// checksum, RFC 768), nor when the segment is shorter than 8 bytes.
//
// Datapath (area: docs/hardware.md): two ones'-complement sums, the IP header's and the L4
// segment's with its pseudo-header, each a ringnic_rx_csum_add taking a beat's four 16-bit words
// under byte enables into a 16-bit accumulator and a deferred carry (acc + carry is congruent to
// the sum modulo 0xFFFF). The header's and the segment's words are at even frame offsets, so a
// beat's words are theirs; the words are summed in the stream's byte order (a byte-swapped
// ones'-complement sum is the swap of the sum, RFC 1071). The enables come from a 4-bit beat
// count: counting 16-bit words from the frame's start, the IP header's first is word 7 (9 with a
// tag), its fields and the addresses are at fixed places up to beat 4, and the segment starts at
// word e = 7 + 2 * IHL (9 + ...): beat e[5:2], lane 1 or 3. The pseudo-header is taken from the
// stream, no field is stored: the total length word and the protocol byte enter the L4 sum as
// they pass, the addresses enter both sums, and -4 * IHL is the verdict's: the L4 sum without it
// must be 4 * IHL. The end of the datagram is a down count of its bytes (`left`, loaded from the
// total length) that masks the last beat's bytes and, at tlast, checks that the datagram and the
// FCS fit in the frame. Frames too short to reach beat 3 are runts the MAC drops.

module ringnic_rx_csum #(
    parameter integer MAX_FRAME = 16384   // longest frame, bytes incl. FCS (64..65535): sizes `left`
) (
    input  wire        clk,
    input  wire        rst,          // synchronous, active high
    input  wire [1:0]  offload,      // RXCSUM {TUOFLD, IPOFLD}, used at the frame's tlast beat
    input  wire        beat,         // a beat is taken on the stream (tvalid && tready)
    input  wire [63:0] tdata,
    input  wire [7:0]  tkeep,
    input  wire        tlast,
    output wire [3:0]  csum          // {IPE, TCPE, IPCS, TCPCS}, valid with the tlast beat
);

    // `left` is signed and holds up to the longest datagram's bytes (< MAX_FRAME).
    localparam integer LW = $clog2(MAX_FRAME) + 1;

    // ================================================================ frame state
    reg  [3:0]    bidx;      // beat index in the frame (saturates at 15)
    reg           vlan_q;    // 802.1Q tag: the IP header starts at byte 18, else 14
    reg           ip_q;      // IPv4, IHL >= 5, total length >= the header (and not too long)
    reg           l4_q;      // TCP or UDP, not a fragment, segment >= 8 bytes, UDP checksum not 0
    reg           udp_q;     // protocol 17
    reg  [3:0]    ihl_q;     // IP header length, 32-bit words
    reg  [LW-1:0] left;      // datagram bytes from the start of this beat (signed; beats >= 3)
    reg  [15:0]   acc_ip;    // IP header sum modulo 0xFFFF, its carry deferred to c_ip
    reg           c_ip;
    reg  [15:0]   acc_l4;    // L4 segment and pseudo-header sum (without -4 * IHL), likewise
    reg           c_l4;

    wire [15:0] w0 = tdata[15:0];
    wire [15:0] w2 = tdata[47:32];
    localparam [LW-1:0] SIX = 6, EIGHT = 8, TEN = 10;

    // ================================================================ fields
    // Beat 1 (bytes 8..15): EtherType or TPID at lanes 4..5, an untagged IP header from lane 6.
    // A tagged frame's EtherType and IP header follow in beat 2 (lanes 0..1 and 2..).
    wire        vlan_now = (w2 == 16'h0081);
    wire        at2      = (bidx == 4'd2);
    wire [7:0]  vihl     = at2 ? tdata[23:16] : tdata[55:48];           // version and IHL byte
    wire        et_ip    = (at2 ? w0 : w2) == 16'h0008;                 // EtherType 0x0800
    wire        v4       = et_ip && (vihl[7:4] == 4'd4) && (vihl[3:0] >= 4'd5);
    // Beat 2: the total length at IP bytes 2..3 (lane 0, or lane 4 tagged); IHL from beat 1 or,
    // tagged, this beat.
    wire [3:0]  ihl_2    = vlan_q ? tdata[19:16] : ihl_q;
    wire [15:0] tlen     = vlan_q ? {tdata[39:32], tdata[47:40]} : {tdata[7:0], tdata[15:8]};
    // total length >= 4 * IHL (the header), >= 4 * IHL + 8 (a segment of 8 bytes or more).
    wire        t_big    = (tlen[15:7] != 9'd0);
    wire [6:0]  hl_2     = {1'b0, ihl_2, 2'b00};
    wire        tlen_ok  = (t_big || (tlen[6:0] >= hl_2)) && ({1'b0, tlen} <= MAX_FRAME[16:0]);
    wire        len8_ok  = t_big || (tlen[6:0] >= hl_2 + 7'd8);
    wire [LW-1:0] left_2 = tlen[LW-1:0] - (vlan_q ? SIX : TEN);          // `left` at beat 3
    // IP bytes 6..9 (flags, fragment offset, TTL, protocol): beat 2 lanes 4..7, tagged beat 3
    // lanes 0..3.
    wire [5:0]  fo_hi    = vlan_q ? tdata[5:0]  : tdata[37:32];        // MF, fragment offset 12:8
    wire [7:0]  fo_lo    = vlan_q ? tdata[15:8] : tdata[47:40];        // fragment offset 7:0
    wire        frag     = (fo_hi != 6'd0) || (fo_lo != 8'd0);         // MF or an offset
    wire [7:0]  proto    = vlan_q ? tdata[31:24] : tdata[63:56];
    wire        tcp_udp  = (proto == 8'd6) || (proto == 8'd17);
    wire        fp_beat  = (at2 && !vlan_q) || ((bidx == 4'd3) && vlan_q);

    // ================================================================ word enables
    // 16-bit words counted from the frame's start: the IP header's first is word 7 (tagged 9),
    // the L4 segment's first word e = 7 + 2 * IHL (9 + ...): beat e[5:2], lane 1 or 3 (e is odd).
    // Up to beat 4 the words are at fixed places; from beat 3 on IHL is registered.
    wire [4:0]  e_h      = (vlan_q ? 5'd4 : 5'd3) + {1'b0, ihl_q};      // e >> 1 (e is odd)
    wire [3:0]  eb       = e_h[4:1];
    wire        e1       = e_h[0];                                      // e[1]: lane 3, else 1
    wire        late     = (bidx >= 4'd3);
    wire        pre_e    = late && (bidx < eb);
    wire        at_e     = late && (bidx == eb);
    wire        post_e   = late && (bidx > eb);
    // IP header.
    wire [3:0]  h_en     = (bidx == 4'd1) ? (vlan_now ? 4'b0000 : 4'b1000) :
                           at2            ? (vlan_q ? 4'b1110 : 4'b1111) :
                           pre_e          ? 4'b1111 :
                           at_e           ? (e1 ? 4'b0111 : 4'b0001) : 4'b0000;
    // L4: whole words (the total length, the addresses), the protocol's byte (its word's high
    // half: {protocol, TTL} in stream order) and the segment's words, each byte within the
    // datagram. -4 * IHL, the pseudo-header's rest, is the verdict's.
    wire [3:0]  l_word   = at2                      ? (vlan_q ? 4'b0100 : 4'b0001) :
                           (bidx == 4'd3)           ? (vlan_q ? 4'b1000 : 4'b1110) :
                           (bidx == 4'd4)           ? (vlan_q ? 4'b0111 : 4'b0001) : 4'b0000;
    wire [3:0]  l_proto  = (at2 && !vlan_q) ? 4'b1000 : ((bidx == 4'd3) && vlan_q) ? 4'b0010 : 4'b0000;
    wire [3:0]  l_seg    = post_e ? 4'b1111 : at_e ? (e1 ? 4'b1000 : 4'b1110) : 4'b0000;
    // Datagram bytes of this beat: lane k < left.
    wire        l_neg    = left[LW-1] || (left == {LW{1'b0}});
    wire        l_all    = !left[LW-1] && (left[LW-2:3] != {(LW-4){1'b0}});
    wire [7:0]  in_dg    = l_neg ? 8'h00 : l_all ? 8'hFF : ~(8'hFF << left[2:0]);
    // The UDP checksum (L4 word 3, e + 3): beat eb + 1, lane 0 or 2; 0 means none.
    wire [15:0] uz_w     = e1 ? w2 : w0;
    wire        uz_hit   = late && (bidx == eb + 4'd1) && (uz_w == 16'd0);

    // Byte enables of the two sums.
    wire [7:0]  ip_en, l4_en;
    genvar      g;
    generate
        for (g = 0; g < 4; g = g + 1) begin : g_en
            assign ip_en[2*g]     = h_en[g];
            assign ip_en[2*g + 1] = h_en[g];
            assign l4_en[2*g]     = l_word[g] || (l_seg[g] && in_dg[2*g]);
            assign l4_en[2*g + 1] = l_word[g] || l_proto[g] || (l_seg[g] && in_dg[2*g + 1]);
        end
    endgenerate

    wire [16:0] ip_next, l4_next;
    ringnic_rx_csum_add u_ip (.acc(acc_ip), .cin(c_ip), .d(tdata), .en(ip_en), .sum(ip_next));
    ringnic_rx_csum_add u_l4 (.acc(acc_l4), .cin(c_l4), .d(tdata), .en(l4_en), .sum(l4_next));

    // acc + carry is in 0..0x10000, 0 only when every word was 0. The header is good when it
    // is 0xFFFF (the ones'-complement sum 0xFFFF, RFC 1071); the L4 sum without -4 * IHL when
    // it is 4 * IHL (byte-swapped: {4 * IHL, 0x00}), and then the full sum is 0xFFFF.
    wire        ip_good = (ip_next == 17'h0FFFF) || (ip_next == 17'h1FFFE);
    wire [7:0]  hl4     = {2'b00, ihl_q, 2'b00};
    wire        l4_good = (l4_next == {1'b0, hl4, 8'h00}) || (l4_next == {1'b1, hl4 - 8'd1, 8'hFF});

    // ================================================================ verdict at tlast
    // The datagram and an FCS fit in the frame: left + 4 <= the bytes of this, the last, beat.
    // left <= -4: before this beat; -3..4: byte left + 3 of this beat; more: beyond the frame.
    wire        l_small  = (left[LW-2:3] == (left[LW-1] ? {(LW-4){1'b1}} : {(LW-4){1'b0}}));
    wire        l_in     = l_small && (left[LW-1] ? (left[2:0] >= 3'd5) : (left[2:0] <= 3'd4));
    wire [2:0]  l_at     = left[2:0] + 3'd3;
    wire        fits     = late && ((left[LW-1] && !l_in) || (l_in && tkeep[l_at]));
    wire        calc_ip  = offload[0] && ip_q && fits;
    wire        calc_l4  = offload[1] && ip_q && l4_q && !(udp_q && uz_hit) && fits;
    assign csum = {calc_ip && !ip_good, calc_l4 && !l4_good,
                   calc_ip, calc_l4};

    always @(posedge clk) begin
        if (rst) begin
            bidx   <= 4'd0;
            vlan_q <= 1'b0;
            ip_q   <= 1'b0;
            l4_q   <= 1'b0;
            udp_q  <= 1'b0;
            ihl_q  <= 4'd0;
            left   <= {LW{1'b0}};
            {c_ip, acc_ip} <= 17'd0;
            {c_l4, acc_l4} <= 17'd0;
        end else if (beat && tlast) begin
            bidx   <= 4'd0;
            {c_ip, acc_ip} <= 17'd0;
            {c_l4, acc_l4} <= 17'd0;
        end else if (beat) begin
            bidx   <= (bidx == 4'd15) ? bidx : bidx + 4'd1;
            {c_ip, acc_ip} <= ip_next;
            {c_l4, acc_l4} <= l4_next;
            // Down by a beat; held once far below 0 (the FCS is behind: `fits` holds).
            if (!(left[LW-1] && !left[LW-2]))
                left <= left - EIGHT;
            if (bidx == 4'd1) begin
                vlan_q <= vlan_now;
                ip_q   <= !vlan_now && v4;
                ihl_q  <= tdata[51:48];
            end
            if (bidx == 4'd2) begin
                // Bytes left at beat 3: IP offset + total length - 24.
                left   <= left_2;
                ip_q   <= (vlan_q ? v4 : ip_q) && tlen_ok;
                l4_q   <= len8_ok;
                if (vlan_q)
                    ihl_q <= tdata[19:16];
            end
            if (fp_beat) begin
                l4_q  <= (at2 ? len8_ok : l4_q) && !frag && tcp_udp;
                udp_q <= (proto == 8'd17);
            end
            if (udp_q && uz_hit)
                l4_q  <= 1'b0;
        end
    end

    // Parameter check (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (MAX_FRAME < 64 || MAX_FRAME > 65535) begin
            $display("ringnic_rx_csum: MAX_FRAME must be 64..65535");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
