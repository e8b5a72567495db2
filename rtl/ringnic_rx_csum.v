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
//   IXSM  neither was calculated (offload off, not IPv4, not TCP/UDP, ...)
// Frames considered: Ethernet II, untagged or with one 802.1Q tag (TPID 0x8100), EtherType
// 0x0800, version 4, IHL >= 5 (options are summed with the header), total length >= the header
// and within the frame before its FCS. Bytes past the total length (the padding of a short
// frame) are not summed. The L4 checksum is calculated for protocol 6 (TCP) and 17 (UDP), not for
// a fragment (MF or a fragment offset) nor for a UDP datagram whose checksum field is 0 (no
// checksum, RFC 768), nor when the segment is shorter than 8 bytes.
//
// Datapath: two 16-bit ones'-complement accumulators (IP header; L4 segment and pseudo-header),
// each adding the four 16-bit words of a beat with a per-byte mask. Every region starts at an
// even frame offset, so a beat's words are the region's words; the words are summed in the
// stream's byte order (a byte-swapped ones'-complement sum is the swap of the sum, RFC 1071), and
// a good sum is 0xFFFF either way. Fields are captured in beats 1..3, the masks of later beats
// use them; the pseudo-header's protocol and length enter the L4 sum at beat 5. Frames too short
// to reach beat 5 are runts the MAC drops.

module ringnic_rx_csum (
    input  wire        clk,
    input  wire        rst,          // synchronous, active high
    input  wire [1:0]  offload,      // RXCSUM {TUOFLD, IPOFLD}, used at the frame's tlast beat
    input  wire        beat,         // a beat is taken on the stream (tvalid && tready)
    input  wire [63:0] tdata,
    input  wire [7:0]  tkeep,
    input  wire        tlast,
    output wire [4:0]  csum          // {IPE, TCPE, IPCS, TCPCS, IXSM}, valid with the tlast beat
);

    // ================================================================ frame state
    reg  [12:0] bidx;       // beat index in the frame (saturates)
    reg         vlan_q;     // 802.1Q tag: the IP header starts at byte 18, else 14
    reg         etype_q;    // EtherType 0x0800
    reg         ver_q;      // IP version 4
    reg  [3:0]  ihl_q;      // IP header length, 32-bit words
    reg  [15:0] tlen_q;     // IP total length
    reg  [7:0]  proto_q;    // IP protocol
    reg         frag_q;     // MF set or a fragment offset
    reg         uzero_q;    // the UDP checksum field was 0
    reg  [15:0] acc_ip;     // ones'-complement sums so far
    reg  [15:0] acc_l4;

    function [7:0] byte_at;
        input [63:0] d;
        input [2:0]  lane;
        begin
            byte_at = d[{lane, 3'd0} +: 8];
        end
    endfunction

    // Lanes of beat `bi` before frame byte `b`.
    function [7:0] lt_mask;
        input [12:0] bi;
        input [16:0] b;
        begin
            if ({1'b0, bi} < b[16:3])       lt_mask = 8'hFF;
            else if ({1'b0, bi} == b[16:3]) lt_mask = ~(8'hFF << b[2:0]);
            else                            lt_mask = 8'h00;
        end
    endfunction

    // Ones'-complement sum of acc, the four 16-bit words of d and x.
    function [15:0] oc_add;
        input [15:0] acc;
        input [63:0] d;
        input [15:0] x;
        reg   [18:0] s;
        reg   [16:0] t;
        begin
            s = {3'd0, acc} + {3'd0, d[15:0]} + {3'd0, d[31:16]} + {3'd0, d[47:32]} + {3'd0, d[63:48]}
              + {3'd0, x};
            t = {1'b0, s[15:0]} + {14'd0, s[18:16]};
            oc_add = t[15:0] + {15'd0, t[16]};
        end
    endfunction

    function [63:0] bytes_of;
        input [7:0] m;
        integer i;
        begin
            for (i = 0; i < 8; i = i + 1)
                bytes_of[8*i +: 8] = {8{m[i]}};
        end
    endfunction

    // ================================================================ fields
    wire        early    = (bidx < 13'd3);          // header fields not yet registered
    wire        vlan_now = (byte_at(tdata, 3'd4) == 8'h81) && (byte_at(tdata, 3'd5) == 8'h00);
    wire [16:0] ipoff    = vlan_q ? 17'd18 : 17'd14;
    wire [16:0] hdr_end  = ipoff + {11'd0, ihl_q, 2'b00};
    wire [16:0] ip_end   = ipoff + {1'b0, tlen_q};
    wire [15:0] l4len    = tlen_q - {10'd0, ihl_q, 2'b00};
    wire [15:0] uz_w     = hdr_end[16:1] + 16'd3;  // the UDP checksum field, in 16-bit words
    wire [15:0] uz_word  = tdata[{uz_w[1:0], 4'd0} +: 16];
    wire        uz_hit   = !early && ({1'b0, bidx} == uz_w[15:2]) && (uz_word == 16'd0);

    // Frame fragment flags and offset at IP bytes 6..7, protocol at byte 9.
    function is_frag;
        input [5:0] flags_hi;   // the flags byte without its reserved and DF bits
        input [7:0] off_lo;
        begin
            is_frag = flags_hi[5] || (flags_hi[4:0] != 5'd0) || (off_lo != 8'd0);
        end
    endfunction

    // ================================================================ byte masks
    // IP header: from ipoff (lanes of beats 1 and 2) to hdr_end; L4: hdr_end to ip_end, plus the
    // source and destination addresses (IP bytes 12..19) for the pseudo-header.
    wire [7:0]  pre_ip   = (bidx == 13'd1) ? (vlan_now ? 8'h00 : 8'hC0) :
                           (bidx == 13'd2) ? (vlan_q ? 8'hFC : 8'hFF) : 8'h00;
    wire [7:0]  lt_hdr   = lt_mask(bidx, hdr_end);
    wire [7:0]  addr_m   = (bidx == 13'd3) ? (vlan_q ? 8'hC0 : 8'hFC) :
                           (bidx == 13'd4) ? (vlan_q ? 8'h3F : 8'h03) : 8'h00;
    wire [7:0]  m_ip     = (early ? pre_ip : lt_hdr) & tkeep;
    wire [7:0]  m_l4     = (early ? 8'h00 : ((~lt_hdr & lt_mask(bidx, ip_end)) | addr_m)) & tkeep;

    wire [16:0] pseudo_s = {1'b0, proto_q, 8'h00} + {1'b0, l4len[7:0], l4len[15:8]};
    wire [15:0] pseudo   = pseudo_s[15:0] + {15'd0, pseudo_s[16]};

    wire [15:0] ip_next  = oc_add(acc_ip, tdata & bytes_of(m_ip), 16'd0);
    wire [15:0] l4_next  = oc_add(acc_l4, tdata & bytes_of(m_l4), (bidx == 13'd5) ? pseudo : 16'd0);

    // ================================================================ verdict at tlast
    // The datagram and an FCS fit in the frame: its last FCS byte (ip_end + 3) is in this, the
    // last, beat (tkeep is contiguous from lane 0) or in an earlier one.
    wire [16:0] fcs_last = ip_end + 17'd3;
    wire        fits     = ({1'b0, bidx} > fcs_last[16:3])
                        || (({1'b0, bidx} == fcs_last[16:3]) && tkeep[fcs_last[2:0]]);
    wire        ip_ok    = etype_q && ver_q && (ihl_q >= 4'd5) && (tlen_q >= {10'd0, ihl_q, 2'b00}) && fits;
    wire        l4_ok    = ip_ok && !frag_q && (l4len >= 16'd8)
                        && ((proto_q == 8'd6) || ((proto_q == 8'd17) && !uzero_q && !uz_hit));
    wire        calc_ip  = offload[0] && ip_ok;
    wire        calc_l4  = offload[1] && l4_ok;
    assign csum = {calc_ip && (ip_next != 16'hFFFF), calc_l4 && (l4_next != 16'hFFFF),
                   calc_ip, calc_l4, !(calc_ip || calc_l4)};

    always @(posedge clk) begin
        if (rst) begin
            bidx    <= 13'd0;
            vlan_q  <= 1'b0;
            etype_q <= 1'b0;
            ver_q   <= 1'b0;
            ihl_q   <= 4'd0;
            tlen_q  <= 16'd0;
            proto_q <= 8'd0;
            frag_q  <= 1'b0;
            uzero_q <= 1'b0;
            acc_ip  <= 16'd0;
            acc_l4  <= 16'd0;
        end else if (beat && tlast) begin
            bidx    <= 13'd0;
            etype_q <= 1'b0;
            uzero_q <= 1'b0;
            acc_ip  <= 16'd0;
            acc_l4  <= 16'd0;
        end else if (beat) begin
            bidx    <= (bidx == 13'h1FFF) ? bidx : bidx + 13'd1;
            acc_ip  <= ip_next;
            acc_l4  <= l4_next;
            if (uz_hit)
                uzero_q <= 1'b1;
            if (bidx == 13'd1) begin                    // bytes 8..15
                vlan_q  <= vlan_now;
                etype_q <= !vlan_now && (byte_at(tdata, 3'd4) == 8'h08) && (byte_at(tdata, 3'd5) == 8'h00);
                ver_q   <= (tdata[55:52] == 4'd4);
                ihl_q   <= tdata[51:48];
            end
            if (bidx == 13'd2 && vlan_q) begin          // bytes 16..23, tagged: IP from byte 18
                etype_q <= (byte_at(tdata, 3'd0) == 8'h08) && (byte_at(tdata, 3'd1) == 8'h00);
                ver_q   <= (tdata[23:20] == 4'd4);
                ihl_q   <= tdata[19:16];
                tlen_q  <= {byte_at(tdata, 3'd4), byte_at(tdata, 3'd5)};
            end
            if (bidx == 13'd2 && !vlan_q) begin         // untagged: IP bytes 2..9
                tlen_q  <= {byte_at(tdata, 3'd0), byte_at(tdata, 3'd1)};
                frag_q  <= is_frag(tdata[37:32], byte_at(tdata, 3'd5));
                proto_q <= byte_at(tdata, 3'd7);
            end
            if (bidx == 13'd3 && vlan_q) begin          // bytes 24..31, tagged: IP bytes 6..13
                frag_q  <= is_frag(tdata[5:0], byte_at(tdata, 3'd1));
                proto_q <= byte_at(tdata, 3'd3);
            end
        end
    end

endmodule

`default_nettype wire
