`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_mac: the receive MAC checks and the destination filter, in front of the packet buffer.
//
// Frames arrive whole, FCS included, on a packed 64-bit AXI4-Stream (tkeep all ones except on
// the tlast beat, first byte on the wire in bits 7:0). Each frame is written to the packet
// buffer as it arrives and, at tlast, committed or aborted: nothing downstream sees a frame
// before it is known good. Checks, as the 8254x / QEMU e1000 (Intel 8254x SDM 3.2 and
// RCTL in chapter 13; QEMU hw/net/e1000.c e1000_receive_iov):
//   * length (FCS included): < 64 bytes is a runt (RUC), > 1522 bytes (> MAX_FRAME with
//     RCTL.LPE) is over-long (ROC); both are dropped whatever else is wrong with them. Beats past
//     the limit are not stored.
//   * FCS: the running CRC-32 over the frame and its FCS must leave the residue 0xDEBB20E3.
//   * tuser on the tlast beat: the PHY flagged the frame (RX_ER).
//   * destination (classified at the frame's first beat, against RAL0/RAH0 as they are then):
//     RAL0/RAH0 exact match (when valid), broadcast with BAM, any unicast with
//     UPE, multicast with MPE or a hit in the MTA hash (RCTL.MO selects the bits as QEMU's
//     e1000x_rx_group_filter). Unlike QEMU, the hash is only applied to multicast addresses (the
//     8254x MTA is the multicast table); QEMU also hashes unicast and broadcast misses.
// A frame of legal length that passes the filter with a bad FCS counts in CRCERRS, with tuser in
// RXERRC (both when both); it is stored only with RCTL.SBP, carrying CE / RXE to the descriptor.
// TPR and TOR count every frame received while enabled; filtered-out frames vanish silently.
// A frame not taken (enable low at its first beat, or cut by drop_frame) pulses stat_off at its
// tlast, whatever its destination: the receiver was off, so no filter looked at it.
//
// Back-pressure: tready drops only while a beat must be stored and the packet buffer is full.
// The buffer holds two MAX_FRAME frames and the engine always drains committed frames (it
// writes or drops them), so a frame in progress always finds room eventually; a frame longer
// than the buffer cannot occur because beats past the length limit are never stored.

module ringnic_rx_mac #(
    parameter integer MAX_FRAME = 16384  // longest frame accepted with RCTL.LPE, bytes incl. FCS (1522..65535)
) (
    input  wire        clk,
    input  wire        rst,               // synchronous, active high
    input  wire        enable,            // receiver on (RCTL.EN, no soft reset running); sampled at a frame's first beat
    input  wire        drop_frame,        // pulse (CTRL.RST): the frame in progress is discarded up to its tlast

    // ------------------------------------------------------------ register side
    input  wire [31:0] rctl,              // RCTL: SBP, UPE, MPE, LPE, MO, BAM used here
    input  wire [47:0] mac_addr,          // RAL0/RAH0, transmission order: first octet in 47:40
    input  wire        mac_valid,         // RAH0.AV
    output wire [11:0] mta_bit,           // MTA bit the destination hashes to: word [11:5], bit [4:0]
    input  wire        mta_hit,           // that bit, one cycle after mta_bit

    // ------------------------------------------------------------ frames from the PHY side
    input  wire [63:0] s_axis_tdata,
    input  wire [7:0]  s_axis_tkeep,
    input  wire        s_axis_tvalid,
    output wire        s_axis_tready,
    input  wire        s_axis_tlast,
    input  wire        s_axis_tuser,      // PHY error, sampled with tlast

    // ------------------------------------------------------------ packet buffer write side
    output wire        fifo_wr_en,
    output wire [63:0] fifo_wr_data,
    output wire        fifo_commit,
    output wire        fifo_abort,
    output wire [19:0] fifo_meta,         // {length incl. FCS [19:4], CE, RXE, broadcast, multicast}
    input  wire        fifo_full,

    // ------------------------------------------------------------ statistics (one-cycle pulses)
    output reg         stat_tpr,
    output wire [15:0] stat_tor_add,      // octets incl. FCS of every frame received (with stat_tpr)
    output reg         stat_crcerrs,
    output reg         stat_rxerrc,
    output reg         stat_ruc,
    output reg         stat_roc,
    output reg         stat_off           // a frame not taken: receiver off at its first beat, or cut by drop_frame
);

`include "ringnic_regmap.vh"

    localparam [15:0] MIN_LEN  = 16'd64;
    localparam [15:0] STD_MAX  = 16'd1522;          // 802.3 maximum with a VLAN tag, FCS included
    localparam [15:0] LPE_MAX  = MAX_FRAME[15:0];
    localparam [31:0] RESIDUE  = 32'hDEBB20E3;      // CRC register after a good frame and its FCS

    // ================================================================ frame state
    reg         in_frame;     // a first beat was taken, its tlast not yet
    reg         fr_take;      // this frame is being received (enabled at its first beat)
    reg         fr_store;     // its beats still go to the buffer (within the length limit)
    reg  [15:0] fr_len;       // bytes so far, saturating
    reg  [31:0] fr_crc;       // running CRC
    reg  [15:0] fr_da_lo;     // destination address octets 4..5 (the MTA hash), transmission order
    reg         fr_bcast;     // the destination is broadcast, multicast, RAL0/RAH0's (at the first beat)
    reg         fr_mcast;
    reg         fr_ra;

    wire        beat  = s_axis_tvalid && s_axis_tready;
    wire        first = !in_frame;

    // A beat is stored when the frame is taken and within its limit; only then can it wait.
    wire        want_store = first ? enable : (fr_take && fr_store);
    assign s_axis_tready = !rst && !(want_store && fifo_full);

    // Bytes in this beat: tkeep is contiguous from lane 0.
    reg  [3:0]  nbytes;
    integer     k;
    always @* begin
        nbytes = 4'd0;
        for (k = 0; k < 8; k = k + 1)
            nbytes = nbytes + {3'd0, s_axis_tkeep[k]};
    end

    wire [16:0] len_sum  = {1'b0, (first ? 16'd0 : fr_len)} + {13'd0, nbytes};
    wire [15:0] len_next = len_sum[16] ? 16'hFFFF : len_sum[15:0];
    wire [15:0] len_max  = rctl[RN_RCTL_LPE] ? LPE_MAX : STD_MAX;
    wire        over     = (len_next > len_max);

    // The CRC takes all eight bytes, those tkeep clears as zeros (tkeep is all ones before
    // tlast). A zero byte advances the CRC register linearly and invertibly, so after the tlast
    // beat it holds the frame's CRC advanced by 8 - nbytes zero bytes: the residue check
    // compares with the residue advanced as far.
    wire [7:0]  tk   = s_axis_tkeep;
    wire [63:0] kept = s_axis_tdata & {{8{tk[7]}}, {8{tk[6]}}, {8{tk[5]}}, {8{tk[4]}},
                                       {8{tk[3]}}, {8{tk[2]}}, {8{tk[1]}}, {8{tk[0]}}};

    wire [31:0] crc_next;
    ringnic_crc32 #(
        .PARTIAL (0)
    ) u_crc (
        .crc_in  (first ? 32'hFFFFFFFF : fr_crc),
        .data    (kept),
        .keep    (8'hFF),
        .crc_out (crc_next)
    );

    function [31:0] zero_bytes;         // c advanced by n zero bytes: 8 * n steps of the LFSR
        input [31:0] c;
        input [3:0]  n;
        integer      s;
        begin
            zero_bytes = c;
            for (s = 0; s < 64; s = s + 1)
                if (s < 8 * n)
                    zero_bytes = {1'b0, zero_bytes[31:1]} ^ (zero_bytes[0] ? 32'hEDB88320 : 32'd0);
        end
    endfunction

    wire [31:0] residue = zero_bytes(RESIDUE, 4'd8 - nbytes);

    // ================================================================ destination filter
    // The destination's classes and its RAL0/RAH0 match are registered at the first beat (the
    // address register as it is then), mta_bit follows from fr_da_lo and mta_hit answers a cycle
    // later: valid from the third beat on, long before the tlast of any frame of legal length.
    wire [47:0] da_first = {s_axis_tdata[7:0], s_axis_tdata[15:8], s_axis_tdata[23:16],
                            s_axis_tdata[31:24], s_axis_tdata[39:32], s_axis_tdata[47:40]};

    wire [1:0]  mo   = rctl[RN_RCTL_MO +: RN_RCTL_MO_W];
    wire [15:0] hsrc = {fr_da_lo[7:0], fr_da_lo[15:8]};       // dest[5] << 8 | dest[4]
    assign mta_bit = (mo == 2'd0) ? hsrc[15:4] :
                     (mo == 2'd1) ? hsrc[14:3] :
                     (mo == 2'd2) ? hsrc[13:2] : hsrc[11:0];

    wire        da_bcast = (da_first == 48'hFFFF_FFFF_FFFF);
    wire        da_mcast = da_first[40] && !da_bcast;         // I/G bit of the first octet
    wire        da_ra    = mac_valid && (da_first == mac_addr);
    wire        is_bcast = fr_bcast;
    wire        is_mcast = fr_mcast;
    wire        ra_match = fr_ra;
    wire        pass     = is_bcast ? (rctl[RN_RCTL_BAM] || ra_match) :
                           is_mcast ? (rctl[RN_RCTL_MPE] || ra_match || mta_hit) :
                                      (rctl[RN_RCTL_UPE] || ra_match);

    // ================================================================ verdict at tlast
    wire        end_beat = beat && s_axis_tlast;
    wire        runt     = (len_next < MIN_LEN);
    wire        too_long = over || (!first && !fr_store);
    wire        len_ok   = !runt && !too_long;
    wire        crc_bad  = (crc_next != residue);
    wire        phy_err  = s_axis_tuser;
    wire        taken    = (first ? enable : fr_take) && !drop_frame;
    wire        keep_fr  = taken && len_ok && pass && ((!crc_bad && !phy_err) || rctl[RN_RCTL_SBP]);

    assign fifo_wr_en   = beat && want_store && !over;
    assign fifo_wr_data = s_axis_tdata;
    assign fifo_commit  = end_beat && keep_fr;
    assign fifo_abort   = end_beat && !keep_fr;
    assign fifo_meta    = {len_next, crc_bad, phy_err, is_bcast, is_mcast};

    always @(posedge clk) begin
        if (rst) begin
            in_frame <= 1'b0;
            fr_take  <= 1'b0;
            fr_store <= 1'b0;
            fr_len   <= 16'd0;
            fr_crc   <= 32'hFFFFFFFF;
            fr_da_lo <= 16'd0;
            fr_bcast <= 1'b0;
            fr_mcast <= 1'b0;
            fr_ra    <= 1'b0;
        end else begin
            if (beat) begin
                in_frame <= !s_axis_tlast;
                fr_len   <= len_next;
                fr_crc   <= crc_next;
                if (first) begin
                    fr_take  <= enable;
                    fr_store <= enable && !over;
                    fr_da_lo <= da_first[15:0];
                    fr_bcast <= da_bcast;
                    fr_mcast <= da_mcast;
                    fr_ra    <= da_ra;
                end else if (over) begin
                    fr_store <= 1'b0;
                end
            end
            // A soft reset forgets the frame in progress; its remaining beats are drained.
            if (drop_frame) begin
                fr_take  <= 1'b0;
                fr_store <= 1'b0;
            end
        end
    end

    // ================================================================ statistics
    // TOR's octets are the length register's value in the cycle after the tlast beat (a new
    // frame's first beat moves it only at the next edge).
    assign stat_tor_add = stat_tpr ? fr_len : 16'd0;

    always @(posedge clk) begin
        if (rst) begin
            stat_tpr     <= 1'b0;
            stat_crcerrs <= 1'b0;
            stat_rxerrc  <= 1'b0;
            stat_ruc     <= 1'b0;
            stat_roc     <= 1'b0;
            stat_off     <= 1'b0;
        end else begin
            stat_tpr     <= end_beat && taken;
            stat_ruc     <= end_beat && taken && runt;
            stat_roc     <= end_beat && taken && !runt && too_long;
            stat_crcerrs <= end_beat && taken && len_ok && pass && crc_bad;
            stat_rxerrc  <= end_beat && taken && len_ok && pass && phy_err;
            stat_off     <= end_beat && !taken;
        end
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (MAX_FRAME < 1522 || MAX_FRAME > 65535) begin
            $display("ringnic_rx_mac: MAX_FRAME must be 1522..65535");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
