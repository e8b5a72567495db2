`default_nettype none
`timescale 1ns/1ps

// ringnic_tx_pack: TX payload packer. Takes the payload R beats of the descriptor engine
// (address-aligned, any first byte lane), packs them into frame-aligned 64-bit words (frame
// byte 8k+i in word k, lane i), writes them into the frame buffer one word per cycle, and
// commits each complete frame with its checksum-insert value.
//
// Checksum (IC): the ones'-complement sum of frame bytes [CSS, end) goes big-endian to
// offset CSO. CSS and CSO come from the EOP descriptor, which may be processed after the
// payload of earlier descriptors already went by. So the packer keeps the running sum T
// of the whole frame (byte parity counted from frame offset 0) and, for the first 32 words
// (CSS <= 255), each word and the sum before it. At the end: P = sum of bytes [0, CSS) from
// that store, and sum[CSS, end) == T - P modulo 0xFFFF (ones'-complement arithmetic), byte
// swapped when CSS is odd (x * 256 mod 0xFFFF is a byte swap). The store is banked by frame
// so the next frame can start in the cycle after a frame's last word.
//
// Errors: a beat with RRESP SLVERR/DECERR is reported once (err_valid, err_idx) and the
// packer drops every beat until clr; the frame it belonged to is never committed.

module ringnic_tx_pack #(
    parameter integer FB_AW = 11   // frame buffer address width, 64-bit words (>= 5)
) (
    input  wire             clk,
    input  wire             rst,        // synchronous, active high
    input  wire             clr,        // drop the frame being assembled (engine stopped, R quiet)
    input  wire             discard,    // drop every beat and every commit (soft reset draining)
    input  wire             psp,        // TCTL.PSP, recorded with each committed frame

    // ------------------------------------------------------------ payload beats
    input  wire             in_valid,
    output wire             in_ready,
    input  wire [63:0]      in_data,    // the R beat as read (address-aligned word)
    input  wire [2:0]       in_lane,    // lane of the first payload byte in this beat
    input  wire [3:0]       in_cnt,     // payload bytes in this beat, 1..8, from in_lane up
    input  wire             in_eof,     // last beat of the frame
    input  wire             in_err,     // RRESP was SLVERR or DECERR
    input  wire [15:0]      in_idx,     // descriptor index the beat was read for
    input  wire             in_ic,      // EOP descriptor CMD.IC, valid with in_eof
    input  wire             in_ifcs,    // EOP descriptor CMD.IFCS, valid with in_eof
    input  wire [7:0]       in_cso,     // EOP descriptor CSO, valid with in_eof
    input  wire [7:0]       in_css,     // EOP descriptor CSS, valid with in_eof

    // ------------------------------------------------------------ frame buffer write port
    output reg              fb_we,
    output reg  [FB_AW-1:0] fb_waddr,
    output reg  [63:0]      fb_wdata,
    output wire [FB_AW:0]   fs_ptr_o,   // word pointer (with wrap bit) where the next frame starts

    // ------------------------------------------------------------ committed frames
    output wire             meta_push,  // one cycle per complete, good frame
    output wire [FB_AW-1:0] meta_start, // first word in the frame buffer
    output wire [15:0]      meta_len,   // bytes, before padding and FCS
    output wire             meta_ins,   // insert meta_csum at meta_cso (IC and CSO+1 inside the frame)
    output wire [7:0]       meta_cso,
    output wire [15:0]      meta_csum,  // the value to store, big-endian, never 0
    output wire             meta_ifcs,  // append the FCS
    output wire             meta_psp,   // pad to 60 bytes

    output reg              err_valid,  // one-cycle pulse: a payload read failed
    output reg  [15:0]      err_idx,    // its descriptor
    output wire             busy        // a word or a commit is still pending
);

    // ================================================================ helpers
    // Bytes 0..n-1 of a word (n = 1..8; 0 only from a slave sending beats nobody asked for).
    function [63:0] cnt_mask;
        input [3:0] n;
        begin
            case (n)
                4'd0:    cnt_mask = 64'h0000_0000_0000_0000;
                4'd1:    cnt_mask = 64'h0000_0000_0000_00FF;
                4'd2:    cnt_mask = 64'h0000_0000_0000_FFFF;
                4'd3:    cnt_mask = 64'h0000_0000_00FF_FFFF;
                4'd4:    cnt_mask = 64'h0000_0000_FFFF_FFFF;
                4'd5:    cnt_mask = 64'h0000_00FF_FFFF_FFFF;
                4'd6:    cnt_mask = 64'h0000_FFFF_FFFF_FFFF;
                4'd7:    cnt_mask = 64'h00FF_FFFF_FFFF_FFFF;
                default: cnt_mask = 64'hFFFF_FFFF_FFFF_FFFF;   // 8
            endcase
        end
    endfunction

    // Bytes below lane m (m = 0..7).
    function [63:0] below_mask;
        input [2:0] m;
        begin
            case (m)
                3'd0:    below_mask = 64'h0000_0000_0000_0000;
                3'd1:    below_mask = 64'h0000_0000_0000_00FF;
                3'd2:    below_mask = 64'h0000_0000_0000_FFFF;
                3'd3:    below_mask = 64'h0000_0000_00FF_FFFF;
                3'd4:    below_mask = 64'h0000_0000_FFFF_FFFF;
                3'd5:    below_mask = 64'h0000_00FF_FFFF_FFFF;
                3'd6:    below_mask = 64'h0000_FFFF_FFFF_FFFF;
                default: below_mask = 64'h00FF_FFFF_FFFF_FFFF;
            endcase
        end
    endfunction

    // Sum of the four big-endian 16-bit words of a frame-aligned word (lane 0 = high byte).
    function [17:0] word_sum;
        input [63:0] d;
        begin
            word_sum = {2'b00, d[7:0],   d[15:8]}  + {2'b00, d[23:16], d[31:24]}
                     + {2'b00, d[39:32], d[47:40]} + {2'b00, d[55:48], d[63:56]};
        end
    endfunction

    // Ones'-complement fold of a 32-bit sum to 16 bits (congruent modulo 0xFFFF).
    function [15:0] fold32;
        input [31:0] x;
        reg   [16:0] s;
        begin
            s      = {1'b0, x[15:0]} + {1'b0, x[31:16]};
            fold32 = s[15:0] + {15'd0, s[16]};
        end
    endfunction

    // ================================================================ state
    reg  [63:0]    res;          // packed bytes not yet written: the low `fill` bytes
    reg  [2:0]     fill;
    reg  [15:0]    flen;         // frame bytes accepted so far
    reg  [FB_AW:0] wr_ptr;       // next word to write
    reg  [FB_AW:0] fs_ptr;       // first word of the frame being assembled
    reg  [31:0]    tsum;         // running sum T of the frame's words so far
    reg            bank;         // head store bank of the frame being assembled
    reg            dead;         // a payload read failed: drop until clr
    reg            flush_pend;   // the frame's last word is in `res`: write it this cycle
    reg            f_ic, f_ifcs; // EOP descriptor fields, kept for the flush cycle
    reg  [7:0]     f_cso, f_css;

    // Head store: the first 32 words of a frame and the sum before each, two banks.
    reg  [63:0]    head_d [0:63];
    reg  [23:0]    head_t [0:63];

    // Finalize stage: the cycle after a frame's last word.
    reg             fin_valid;
    reg  [31:0]     fin_t;
    reg  [15:0]     fin_len;
    reg  [FB_AW-1:0] fin_start;
    reg             fin_bank;
    reg             fin_ic, fin_ifcs, fin_psp;
    reg  [7:0]      fin_cso, fin_css;

    // ================================================================ packing
    assign in_ready = !flush_pend;

    wire         take  = in_valid && in_ready && !dead && !discard;
    wire         bad   = take && in_err;
    wire         good  = take && !in_err;

    wire [63:0]  shifted  = in_data >> {in_lane, 3'b000};
    wire [63:0]  masked   = shifted & cnt_mask(in_cnt);
    wire [127:0] win      = {64'd0, res} | ({64'd0, masked} << {fill, 3'b000});
    wire [3:0]   tot      = {1'b0, fill} + in_cnt;         // 1..15
    wire         full_wd  = tot[3];                        // a whole word is ready
    wire         spill    = full_wd && (tot[2:0] != 3'd0); // bytes left over for the next word
    wire [15:0]  len_now  = flen + {12'd0, in_cnt};

    // One word per cycle: the flush of a frame's tail, else the word this beat completes.
    wire         wr_now   = flush_pend || (good && (full_wd || in_eof));
    wire [63:0]  wr_word  = flush_pend ? res : win[63:0];
    wire         wr_final = flush_pend || (good && in_eof && !spill);
    wire [17:0]  wr_sum   = word_sum(wr_word);
    wire [FB_AW:0] widx   = wr_ptr - fs_ptr;               // word index within the frame
    wire         in_head  = (widx[FB_AW:5] == {(FB_AW-4){1'b0}});
    wire [5:0]   head_w   = {bank, widx[4:0]};

    always @(posedge clk) begin
        if (rst) begin
            res        <= 64'd0;
            fill       <= 3'd0;
            flen       <= 16'd0;
            wr_ptr     <= {(FB_AW+1){1'b0}};
            fs_ptr     <= {(FB_AW+1){1'b0}};
            tsum       <= 32'd0;
            bank       <= 1'b0;
            dead       <= 1'b0;
            flush_pend <= 1'b0;
            f_ic       <= 1'b0;
            f_ifcs     <= 1'b0;
            f_cso      <= 8'd0;
            f_css      <= 8'd0;
            fb_we      <= 1'b0;
            fb_waddr   <= {FB_AW{1'b0}};
            fb_wdata   <= 64'd0;
            err_valid  <= 1'b0;
            err_idx    <= 16'd0;
            fin_valid  <= 1'b0;
            fin_t      <= 32'd0;
            fin_len    <= 16'd0;
            fin_start  <= {FB_AW{1'b0}};
            fin_bank   <= 1'b0;
            fin_ic     <= 1'b0;
            fin_ifcs   <= 1'b0;
            fin_psp    <= 1'b0;
            fin_cso    <= 8'd0;
            fin_css    <= 8'd0;
        end else if (clr) begin
            // Back to the last commit: the partial frame's words are simply overwritten later.
            res        <= 64'd0;
            fill       <= 3'd0;
            flen       <= 16'd0;
            wr_ptr     <= fs_ptr;
            tsum       <= 32'd0;
            dead       <= 1'b0;
            flush_pend <= 1'b0;
            fb_we      <= 1'b0;
            err_valid  <= 1'b0;
            fin_valid  <= 1'b0;
        end else begin
            fb_we     <= wr_now;
            fb_waddr  <= wr_ptr[FB_AW-1:0];
            fb_wdata  <= wr_word;
            err_valid <= bad;
            if (bad) begin
                err_idx <= in_idx;
                dead    <= 1'b1;
            end

            // Packing state.
            if (flush_pend) begin
                flush_pend <= 1'b0;
                res        <= 64'd0;
                fill       <= 3'd0;
            end else if (good) begin
                if (in_eof) begin
                    f_ic   <= in_ic;
                    f_ifcs <= in_ifcs;
                    f_cso  <= in_cso;
                    f_css  <= in_css;
                end
                if (in_eof && !spill) begin
                    res  <= 64'd0;
                    fill <= 3'd0;
                end else begin
                    res        <= full_wd ? win[127:64] : win[63:0];
                    fill       <= tot[2:0];
                    flen       <= len_now;
                    flush_pend <= in_eof;   // the tail goes out next cycle (input held)
                end
            end

            // Word write: sum, head store, commit.
            if (wr_now) begin
                wr_ptr <= wr_ptr + 1'b1;
                tsum   <= wr_final ? 32'd0 : tsum + {14'd0, wr_sum};
                if (in_head) begin
                    head_d[head_w] <= wr_word;
                    head_t[head_w] <= tsum[23:0];
                end
            end
            fin_valid <= wr_now && wr_final;
            if (wr_now && wr_final) begin
                fin_t     <= tsum + {14'd0, wr_sum};
                fin_len   <= flush_pend ? flen : len_now;
                fin_start <= fs_ptr[FB_AW-1:0];
                fin_bank  <= bank;
                fin_ic    <= flush_pend ? f_ic   : in_ic;
                fin_ifcs  <= flush_pend ? f_ifcs : in_ifcs;
                fin_cso   <= flush_pend ? f_cso  : in_cso;
                fin_css   <= flush_pend ? f_css  : in_css;
                fin_psp   <= psp;
                fs_ptr    <= wr_ptr + 1'b1;
                bank      <= ~bank;
                flen      <= 16'd0;
            end
        end
    end

    // ================================================================ finalize (checksum)
    wire [5:0]  head_r  = {fin_bank, fin_css[7:3]};
    wire [63:0] head_rd = head_d[head_r];
    wire [23:0] head_rt = head_t[head_r];
    wire        css_in  = ({8'd0, fin_css} < fin_len);
    wire [17:0] part    = word_sum(head_rd & below_mask(fin_css[2:0]));
    // P = sum of bytes [0, CSS); CSS at or past the end leaves nothing to sum (P = T).
    wire [31:0] psum    = css_in ? ({8'd0, head_rt} + {14'd0, part}) : fin_t;
    wire [15:0] ft      = fold32(fin_t);
    wire [15:0] fp      = fold32(psum);
    wire [16:0] dsum    = {1'b0, ft} + {1'b0, ~fp};
    wire [15:0] d16     = dsum[15:0] + {15'd0, dsum[16]};
    wire [15:0] dswap   = fin_css[0] ? {d16[7:0], d16[15:8]} : d16;
    wire [15:0] cs      = ~dswap;

    assign meta_push  = fin_valid && !discard;
    assign meta_start = fin_start;
    assign meta_len   = fin_len;
    // Like QEMU's putsum: only when both checksum bytes lie inside the frame.
    assign meta_ins   = fin_ic && (({8'd0, fin_cso} + 16'd2) <= fin_len);
    assign meta_cso   = fin_cso;
    assign meta_csum  = (cs == 16'd0) ? 16'hFFFF : cs;   // net_checksum_finish_nozero
    assign meta_ifcs  = fin_ifcs;
    assign meta_psp   = fin_psp;

    assign fs_ptr_o = fs_ptr;
    assign busy     = flush_pend || fin_valid || fb_we;

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (FB_AW < 5) begin
            $display("ringnic_tx_pack: FB_AW must be >= 5");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
