`default_nettype none
`timescale 1ns/1ps

// ringnic_tx: the TX descriptor engine and TX MAC framing (Intel 8254x legacy TX, QEMU's
// hw/net/e1000.c start_xmit as the golden model).
//
// Pipeline (each stage runs ahead of the next, all on the one AXI4 master, one ID):
//   fetcher    (ringnic_desc_fetch, shared with RX) reads up to DESC_BURST descriptors per AR
//              burst from [TDH, TDT) into a queue (never past the ring end, TDT or a 4 KiB
//              boundary; queue space reserved first)
//   processor  (ringnic_tx_proc) pops descriptors, checks them, splits each buffer into INCR
//              reads of at most MAX_BURST_BEATS beats that never cross 4 KiB, after reserving
//              frame buffer space
//   R demux    (ringnic_tx_rd, with the AR arbitration between fetcher and processor) a queue
//              of the bursts in flight tells each R beat where it goes
//   packer     (ringnic_tx_pack) realigns the payload into the frame buffer, checksum
//   MAC        (ringnic_tx_mac) streams complete frames: checksum, padding, FCS, statistics
//   write-back (ringnic_tx_wb) walks each complete frame's descriptors; RS (or RPS, as QEMU)
//              ones get DD (upper dword written, EC/LC/TU cleared, CSS/special kept); after
//              their BRESPs TDH moves past the frame
// The fetcher and the processor share the AR channel; the write-back has AW, W and B.
// Frames are store-and-forward: a frame reaches the stream only once all its payload is in.
//
// Decisions (the RDL and the brief leave them open):
//  * CSO, CSS, IC and IFCS come from the EOP descriptor (the 8254x uses the last one's).
//  * TDH advances per frame, after the frame's write-backs completed with OKAY. On an error it
//    is left at the first descriptor of the frame that failed (for a one-descriptor frame, the
//    offending descriptor); RNTXERR.IDX names the offending descriptor itself. Frames before
//    it complete normally, so a resume from TDH re-sends exactly the failed frame onwards.
//  * TXE is raised once the engine has stopped: every burst finished, the earlier frames
//    written back, TDH final. The first error in ring order wins (a write-back error before a
//    payload error before a descriptor error).
//  * Restart after an error: a TCTL write with EN=1 (a 0->1 change or EN rewritten as 1), or
//    CTRL.RST. Both clear RNTXERR; the engine resumes at TDH.
//  * BAD_RING also covers a TDH at or past the ring end (IDX = TDH); BAD_TAIL's IDX is TDT.
//  * The ring is checked when the engine starts (EN set and TDH != TDT) and TDT on every TDT
//    write while running; TDBA/TDLEN are latched at the start.
//  * Clearing EN lets the frame whose descriptors are being issued finish; the descriptors
//    prefetched after it are dropped and fetched again after EN is set.
//  * Re-arm (Linux e1000_configure_tx on a disabled ring): a TDBAL, TDLEN or TDH write while EN
//    is clear abandons what the engine still holds of the old ring, as CTRL.RST does for TX:
//    bursts started finish, frames not yet wholly read are dropped (each counted in ECOL, the
//    8254x's count of frames the MAC gave up, Linux e1000's tx_aborted_errors), nothing more is
//    written back and TDH is left as software wrote it; the next start latches the new ring.
//    Frames already wholly read are still sent. With EN set these writes have no effect on the
//    engine until it next starts (software writes them with EN clear).
//  * DEXT is not checked (no error code for it): every descriptor is read as legacy.
//  * Buffer and ring addresses are 32 bits (the high dword of the buffer address is ignored).

module ringnic_tx #(
    parameter integer AXI_ADDR_WIDTH  = 32,    // DMA address width, bits (>= 32; addresses are 32-bit)
    parameter integer AXI_DATA_WIDTH  = 64,    // DMA data width, bits; only 64 is supported
    parameter integer AXI_ID_WIDTH    = 4,     // DMA ID width, bits
    parameter integer AXI_ID          = 0,     // the ID driven on AR and AW (one ID: responses in order)
    parameter integer AXIS_DATA_WIDTH = 64,    // MAC-side stream width, bits; only 64 is supported
    parameter integer RING_LOG2       = 12,    // log2 of the largest ring, descriptors (TDLEN <= 16 << RING_LOG2)
    parameter integer DESC_BURST      = 8,     // descriptors per fetch burst, at most (1..128)
    parameter integer MAX_FRAME       = 16384, // bytes a frame may have over its descriptors, before FCS (< 65536); sizes the frame buffer
    parameter integer MAX_BURST_BEATS = 16     // payload read burst length cap, beats (1..256)
) (
    input  wire                         clk,
    input  wire                         rst,            // synchronous, active high
    input  wire                         sw_rst,         // CTRL.RST pulse: back to idle, errors cleared

    // ------------------------------------------------------------ register side
    input  wire [31:0]                  tdba,           // TDBAL: ring base, bytes (16-byte aligned)
    input  wire [19:0]                  tdlen,          // TDLEN: ring length, bytes
    input  wire [15:0]                  tdh,            // TDH as the register block holds it
    input  wire [15:0]                  tdt,            // TDT: one past the last descriptor queued
    input  wire                         tdt_wr,         // pulse: software wrote TDT (doorbell)
    input  wire [31:0]                  tctl,           // TCTL (EN, PSP used)
    input  wire                         tctl_wr,        // pulse: software wrote TCTL
    input  wire                         tring_wr,       // pulse: software wrote TDBAL, TDLEN or TDH
    output reg                          tdh_we,         // pulse: TDH <= tdh_in
    output reg  [15:0]                  tdh_in,
    output reg  [31:0]                  intr_set,       // one-cycle cause pulses at ICR positions (TXDW, TXQE, TXE)
    output reg                          txdw_ide,       // with intr_set's TXDW: the descriptor had CMD.IDE (delay it)
    output wire                         stat_inc_gptc,  // one-cycle pulses, one per frame sent
    output wire                         stat_inc_tpt,
    output wire                         stat_inc_mptc,
    output wire                         stat_inc_bptc,
    output reg                          stat_inc_ecol,  // one pulse per frame abandoned by a ring re-program
    output wire [15:0]                  stat_rst_add,   // frames CTRL.RST dropped from the MAC queue (RNTXRST)
    output wire [15:0]                  stat_gotc_add,  // octets of the frame sent, FCS included (QEMU: size + 4)
    output wire [15:0]                  stat_tot_add,
    output reg  [31:0]                  txerr,          // RNTXERR: {IDX, CODE}, held until cleared

    // ------------------------------------------------------------ AXI4 master: host memory
    output wire [AXI_ID_WIDTH-1:0]      m_axi_awid,
    output wire [AXI_ADDR_WIDTH-1:0]    m_axi_awaddr,
    output wire [7:0]                   m_axi_awlen,
    output wire [2:0]                   m_axi_awsize,
    output wire [1:0]                   m_axi_awburst,
    output wire                         m_axi_awlock,
    output wire [3:0]                   m_axi_awcache,
    output wire [2:0]                   m_axi_awprot,
    output wire                         m_axi_awvalid,
    input  wire                         m_axi_awready,
    output wire [AXI_DATA_WIDTH-1:0]    m_axi_wdata,
    output wire [AXI_DATA_WIDTH/8-1:0]  m_axi_wstrb,
    output wire                         m_axi_wlast,
    output wire                         m_axi_wvalid,
    input  wire                         m_axi_wready,
    input  wire [AXI_ID_WIDTH-1:0]      m_axi_bid,
    input  wire [1:0]                   m_axi_bresp,
    input  wire                         m_axi_bvalid,
    output wire                         m_axi_bready,
    output wire [AXI_ID_WIDTH-1:0]      m_axi_arid,
    output wire [AXI_ADDR_WIDTH-1:0]    m_axi_araddr,
    output wire [7:0]                   m_axi_arlen,
    output wire [2:0]                   m_axi_arsize,
    output wire [1:0]                   m_axi_arburst,
    output wire                         m_axi_arlock,
    output wire [3:0]                   m_axi_arcache,
    output wire [2:0]                   m_axi_arprot,
    output wire                         m_axi_arvalid,
    input  wire                         m_axi_arready,
    input  wire [AXI_ID_WIDTH-1:0]      m_axi_rid,
    input  wire [AXI_DATA_WIDTH-1:0]    m_axi_rdata,
    input  wire [1:0]                   m_axi_rresp,
    input  wire                         m_axi_rlast,
    input  wire                         m_axi_rvalid,
    output wire                         m_axi_rready,

    // ------------------------------------------------------------ AXI4-Stream: frames to the MAC
    output wire [AXIS_DATA_WIDTH-1:0]   m_axis_tx_tdata,
    output wire [AXIS_DATA_WIDTH/8-1:0] m_axis_tx_tkeep,
    output wire                         m_axis_tx_tvalid,
    input  wire                         m_axis_tx_tready,
    output wire                         m_axis_tx_tlast,
    output wire [0:0]                   m_axis_tx_tuser,
    output wire                         dma_busy        // running, draining or a burst on the bus
);

`include "ringnic_regmap.vh"

    // ================================================================ constants
    // Frame buffer: MAX_FRAME bytes rounded up to a power of two of 64-bit words (>= 32 words).
    localparam integer FB_AW_MIN = $clog2((MAX_FRAME + 7) / 8);
    localparam integer FB_AW     = (FB_AW_MIN < 5) ? 5 : FB_AW_MIN;

    localparam integer TRK_LOG2  = 3;                          // read bursts in flight
    localparam integer WBF_LOG2  = 4;                          // frames awaiting write-back
    localparam integer ORD_LOG2  = 3;                          // writes and TDH moves in order
    localparam integer META_LOG2 = 4;                          // complete frames queued for the MAC
    localparam integer NB_W_MIN  = $clog2(MAX_BURST_BEATS * 8 + 1);
    localparam integer NB_W      = (NB_W_MIN < 5) ? 5 : NB_W_MIN;  // bytes of one payload burst
    localparam [16:0]  RING_MAX  = 17'd1 << RING_LOG2;
    localparam integer RW        = RING_LOG2 + 1;             // ring indices (rtl/ringnic_ring.vh)

    localparam [1:0] C_IDLE  = 2'd0;   // nothing to do; (re)checks the ring on start
    localparam [1:0] C_RUN   = 2'd1;
    localparam [1:0] C_DRAIN = 2'd2;   // error or soft reset: finishing every burst started
    localparam [1:0] C_ERR   = 2'd3;   // stopped, RNTXERR held

    // Error classes, later in the pipeline = earlier in ring order = wins.
    localparam [1:0] EC_PROC = 2'd0;   // descriptor checks, descriptor fetch, tail
    localparam [1:0] EC_DATA = 2'd1;   // payload read
    localparam [1:0] EC_WB   = 2'd2;   // write-back

    function [31:0] err_word;
        input [3:0]  code;
        input [15:0] idx;
        begin
            err_word = ({16'd0, idx} << RN_RNTXERR_IDX) | ({28'd0, code} << RN_RNTXERR_CODE);
        end
    endfunction

    // ================================================================ ring state
    reg  [1:0]  c_state;
    reg         parked;        // EN clear mid-frame with nothing on the bus: no new request (see dma_busy)
    reg         flush_q;       // the drain is a soft reset's: no error at its end
    reg  [31:0] ring_base;
    reg  [16:0] ring_size;     // descriptors

    wire        en   = tctl[RN_TCTL_EN];
    wire        psp  = tctl[RN_TCTL_PSP];
    wire [16:0] size_now = {1'b0, tdlen[19:4]};
    wire        ring_ok  = (tdlen != 20'd0) && (tdlen[6:0] == 7'd0) && (size_now <= RING_MAX);

    // Pending error (reported when the engine has stopped).
    reg         err_q;
    reg  [1:0]  err_class_q;
    reg  [3:0]  err_code_q;
    reg  [15:0] err_idx_q;

    wire        run_ok = (c_state == C_RUN) && !err_q;

    wire        clr_all;       // stopped: everything prefetched or half issued is forgotten

    // ================================================================ packer and MAC
    wire             pk_in_valid, pk_in_ready;
    wire [2:0]       pk_lane;
    wire [3:0]       pk_cnt;
    wire             pk_eof;
    wire             pk_fb_we;
    wire [FB_AW-1:0] pk_fb_waddr;
    wire [63:0]      pk_fb_wdata;
    wire [FB_AW:0]   pk_fs_ptr;
    wire             pk_commit;
    wire [FB_AW-1:0] pk_start;
    wire [15:0]      pk_len;
    wire             pk_ins, pk_ifcs, pk_psp;
    wire [7:0]       pk_cso;
    wire [15:0]      pk_csum;
    wire             pk_err;
    wire [15:0]      pk_err_idx;
    wire             pk_busy;
    wire [META_LOG2:0] meta_count;
    wire [FB_AW:0]   fb_free;
    wire [META_LOG2:0] mac_rst_drop;
    assign stat_rst_add = {{(15-META_LOG2){1'b0}}, mac_rst_drop};

    wire             trk_full;
    wire [15:0]      h_idx;
    wire             h_ic, h_ifcs;
    wire [7:0]       h_cso, h_css;

    ringnic_tx_pack #(.FB_AW(FB_AW)) u_pack (
        .clk(clk), .rst(rst), .clr(clr_all), .discard(flush_q || sw_rst), .psp(psp), .in_valid(pk_in_valid),
        .in_ready(pk_in_ready), .in_data(m_axi_rdata), .in_lane(pk_lane), .in_cnt(pk_cnt), .in_eof(pk_eof),
        .in_err(m_axi_rresp[1]), .in_idx(h_idx), .in_ic(h_ic), .in_ifcs(h_ifcs), .in_cso(h_cso),
        .in_css(h_css), .fb_we(pk_fb_we), .fb_waddr(pk_fb_waddr), .fb_wdata(pk_fb_wdata),
        .fs_ptr_o(pk_fs_ptr), .meta_push(pk_commit), .meta_start(pk_start), .meta_len(pk_len),
        .meta_ins(pk_ins), .meta_cso(pk_cso), .meta_csum(pk_csum), .meta_ifcs(pk_ifcs), .meta_psp(pk_psp),
        .err_valid(pk_err), .err_idx(pk_err_idx), .busy(pk_busy));

    ringnic_tx_mac #(.FB_AW(FB_AW), .META_LOG2(META_LOG2)) u_mac (
        .clk(clk), .rst(rst), .sw_rst(sw_rst), .fb_we(pk_fb_we), .fb_waddr(pk_fb_waddr),
        .fb_wdata(pk_fb_wdata), .meta_push(pk_commit), .meta_start(pk_start), .meta_len(pk_len),
        .meta_ins(pk_ins), .meta_cso(pk_cso), .meta_csum(pk_csum), .meta_ifcs(pk_ifcs), .meta_psp(pk_psp),
        .meta_count(meta_count), .fb_free(fb_free), .m_axis_tx_tdata(m_axis_tx_tdata),
        .m_axis_tx_tkeep(m_axis_tx_tkeep), .m_axis_tx_tvalid(m_axis_tx_tvalid),
        .m_axis_tx_tready(m_axis_tx_tready), .m_axis_tx_tlast(m_axis_tx_tlast),
        .m_axis_tx_tuser(m_axis_tx_tuser), .stat_inc_gptc(stat_inc_gptc), .stat_inc_tpt(stat_inc_tpt),
        .stat_inc_mptc(stat_inc_mptc), .stat_inc_bptc(stat_inc_bptc), .stat_gotc_add(stat_gotc_add),
        .stat_tot_add(stat_tot_add), .stat_rst_drop(mac_rst_drop));

    // ================================================================ fetcher
    wire        tdt_ok = ({1'b0, tdt} < ring_size);  // TDT inside the ring
    wire        f_req, f_grant, f_done, f_idle;
    wire        f_busy, f_err;             // unused: TX reports a failed read at its descriptor
    wire [RING_LOG2-1:0] f_err_at;
    wire [31:0] f_addr;
    wire [7:0]  f_len;
    wire [RING_LOG2-1:0] f_at;                      // next descriptor to fetch
    wire [15:0] f_idx = {{(16-RING_LOG2){1'b0}}, f_at};
    wire        dq_valid;      // descriptor queue head: {fetch error, buffer address, bytes 8..15}
    wire [96:0] dq_rdata;
    wire        p_pop, p_mid, p_busy, p_req, p_grant, b_space;
    wire [15:0] pidx, pidx_nx; // descriptor at the queue head, the one after it
    wire        r_desc_beat;
    wire        start_try;

`include "ringnic_ring.vh"

    // The fetcher may read [f_at, TDT) (nothing while TDT is outside the ring).
    wire [15:0]          f_dist  = ring_dist(zx16({1'b0, f_at}), zx16(tdt[RW-1:0]), zx16(ring_size[RW-1:0]));
    wire [RING_LOG2:0]   f_avail = tdt_ok ? f_dist[RW-1:0] : {RW{1'b0}};
    assign f_done = (f_idx == tdt) && f_idle;

    // Keep fetching while EN is set, or to finish the frame in progress. A failed read is
    // queued with its poison bit and reported when the processor reaches it, in ring order.
    ringnic_desc_fetch #(.RING_LOG2(RING_LOG2), .DESC_BURST(DESC_BURST), .KEEP_HI(1), .DROP_BAD(0)) u_fetch (
        .clk(clk), .rst(rst), .clr(clr_all),
        .ring_base(ring_base), .ring_size(ring_size[RING_LOG2:0]),
        .start(start_try), .start_idx(tdh[RING_LOG2-1:0]), .avail(f_avail), .fetch_idx(f_at),
        .busy(f_busy), .idle(f_idle),
        .allow(run_ok && (en || p_mid) && !trk_full && !parked),
        .req(f_req), .req_addr(f_addr), .req_len(f_len), .grant(f_grant),
        .beat_valid(r_desc_beat), .beat_data(m_axi_rdata), .beat_err(m_axi_rresp[1]), .keep(1'b1),
        .err(f_err), .err_idx(f_err_at),
        .q_valid(dq_valid), .q_data(dq_rdata), .q_pop(p_pop));

    // ================================================================ processor
    wire        p_e_desc, p_e_zero, p_e_long;
    wire [15:0] p_first;
    wire [31:0] p_upper, p_addr;
    wire        p_rs, p_ide, p_eop;
    wire [7:0]  p_len;
    wire [38+NB_W-1:0] p_tag;
    wire        wb_frames_full;
    wire [META_LOG2+1:0] frames_inflight;  // started, not yet committed by the packer

    ringnic_tx_proc #(.RING_LOG2(RING_LOG2), .FB_AW(FB_AW), .META_LOG2(META_LOG2), .MAX_FRAME(MAX_FRAME),
                      .MAX_BURST_BEATS(MAX_BURST_BEATS), .NB_W(NB_W)) u_proc (
        .clk(clk), .rst(rst), .clr(clr_all), .run(run_ok), .en(en), .issue_ok(!trk_full && !parked),
        .start(start_try), .start_idx(tdh), .ring_size(ring_size[RING_LOG2:0]),
        .q_valid(dq_valid), .q_data(dq_rdata), .q_pop(p_pop), .head_idx(pidx), .head_next(pidx_nx),
        .err_desc(p_e_desc), .err_zero(p_e_zero), .err_long(p_e_long),
        .take_first(p_first), .take_upper(p_upper), .take_rs(p_rs), .take_ide(p_ide), .take_eop(p_eop),
        .meta_count(meta_count), .wb_full(wb_frames_full), .fb_free(fb_free), .fs_ptr(pk_fs_ptr),
        .commit(pk_commit),
        .req(p_req), .req_addr(p_addr), .req_len(p_len), .req_tag(p_tag), .grant(p_grant),
        .mid(p_mid), .busy(p_busy), .space(b_space), .frames_inflight(frames_inflight));

    // ================================================================ AR channel, R demux
    wire        rd_busy;
    wire [31:0] ar_addr;

    ringnic_tx_rd #(.NB_W(NB_W), .TRK_LOG2(TRK_LOG2)) u_rd (
        .clk(clk), .rst(rst), .clr(clr_all),
        .f_req(f_req), .f_addr(f_addr), .f_len(f_len), .f_idx(f_idx), .f_grant(f_grant),
        .p_req(p_req), .p_addr(p_addr), .p_len(p_len), .p_tag(p_tag), .p_grant(p_grant),
        .full(trk_full), .busy(rd_busy),
        .m_axi_araddr(ar_addr), .m_axi_arlen(m_axi_arlen), .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready), .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid),
        .m_axi_rready(m_axi_rready),
        .desc_beat(r_desc_beat), .pk_valid(pk_in_valid), .pk_ready(pk_in_ready), .pk_lane(pk_lane),
        .pk_cnt(pk_cnt), .pk_eof(pk_eof), .pk_idx(h_idx), .pk_ic(h_ic), .pk_ifcs(h_ifcs),
        .pk_cso(h_cso), .pk_css(h_css));

    // ================================================================ write-back
    reg         wb_err_q;      // a write-back failed: no more write-backs, TDH stays
    wire        wb_stop = wb_err_q || flush_q;
    wire        mute    = flush_q || sw_rst;     // a soft reset's leftovers have no effect
    wire        wb_owed, wb_busy;
    wire [31:0] aw_addr;
    wire        b_txdw, o_ide, b_err, f_adv;
    wire [15:0] o_idx, o_next;

    ringnic_tx_wb #(.RING_LOG2(RING_LOG2), .WBF_LOG2(WBF_LOG2), .ORD_LOG2(ORD_LOG2)) u_wb (
        .clk(clk), .rst(rst), .clr(clr_all), .stop(wb_stop), .mute(mute), .tdh_hold(wb_err_q),
        .ring_base(ring_base), .ring_size(ring_size[RING_LOG2:0]),
        .take(p_pop), .take_idx(pidx), .take_next(pidx_nx), .take_upper(p_upper),
        .take_rs(p_rs), .take_ide(p_ide), .take_eop(p_eop), .take_first(p_first),
        .frames_full(wb_frames_full), .commit(pk_commit), .frames_owed(wb_owed), .busy(wb_busy),
        .m_axi_awaddr(aw_addr), .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready),
        .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb), .m_axi_wvalid(m_axi_wvalid),
        .m_axi_wready(m_axi_wready), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
        .m_axi_bready(m_axi_bready),
        .txdw(b_txdw), .txdw_ide(o_ide), .err(b_err), .err_idx(o_idx), .adv(f_adv), .adv_next(o_next));

    // ================================================================ errors
    wire        e_tail  = (c_state == C_RUN) && tdt_wr && !tdt_ok;
    wire        e_proc  = p_e_desc || p_e_zero || p_e_long || e_tail;
    wire [3:0]  e_pcode = p_e_desc ? RN_RNTXERR_CODE_DESC_READ
                        : p_e_zero ? RN_RNTXERR_CODE_ZERO_LEN
                        : p_e_long ? RN_RNTXERR_CODE_TOO_LONG
                        :            RN_RNTXERR_CODE_BAD_TAIL;
    wire [15:0] e_pidx  = (p_e_desc || p_e_zero || p_e_long) ? pidx : tdt;
    wire        e_take  = ((c_state == C_RUN) || (c_state == C_DRAIN)) && !flush_q && !sw_rst;
    wire        e_new   = e_take && (b_err || pk_err || e_proc);
    wire [1:0]  e_class = b_err ? EC_WB : pk_err ? EC_DATA : EC_PROC;
    wire [3:0]  e_code  = b_err ? RN_RNTXERR_CODE_WB_WRITE
                        : pk_err ? RN_RNTXERR_CODE_DATA_READ : e_pcode;
    wire [15:0] e_idx   = b_err ? o_idx : pk_err ? pk_err_idx : e_pidx;
    wire        e_win   = e_new && (!err_q || (e_class > err_class_q));

    // ================================================================ control
    wire bus_quiet = !rd_busy && !pk_busy && !wb_busy;
    wire run_done  = bus_quiet && !wb_owed
                  && (frames_inflight == {(META_LOG2+2){1'b0}}) && !p_mid && !p_busy
                  && (!en || f_done);
    wire drain_done = bus_quiet && (wb_stop || !wb_owed);
    // STATUS.GIO_MASTER_EN means bus-master requests outstanding or still to be issued (e1000e's
    // e1000e_disable_pcie_master polls it), not frames waiting for the MAC. Once TCTL.EN is clear
    // the ring ends (C_IDLE); if the frame being issued must wait for frame-buffer space (the MAC
    // cannot send: no link, the wire stalled) with nothing of ours on the bus and no write-back
    // owed, the engine parks: it issues nothing more, so GIO_MASTER_EN falls, and keeps its state
    // until TCTL.EN is set again (it resumes) or CTRL.RST (which discards the frame).
    wire park_now   = (c_state == C_RUN) && !en && bus_quiet && p_busy && !b_space && !wb_owed;
    always @(posedge clk) begin
        if (rst || sw_rst || en || (c_state != C_RUN)) parked <= 1'b0;
        else if (park_now)                              parked <= 1'b1;
    end
    assign dma_busy = ((c_state == C_RUN) && !parked) || (c_state == C_DRAIN) || !bus_quiet;
    assign start_try = (c_state == C_IDLE) && en && (tdh != tdt) && !tdh_we;

    // Re-arm of a disabled ring that still holds part of the old one (see the header).
    wire abandon    = (c_state == C_RUN) && !en && tring_wr && !e_new;
    reg  [META_LOG2+1:0] ecol_left;   // abandoned frames still to count

    assign clr_all = ((c_state == C_RUN) && !e_new && !abandon && run_done)
                  || ((c_state == C_DRAIN) && drain_done);

    always @(posedge clk) begin
        if (rst) begin
            c_state     <= C_IDLE;
            flush_q     <= 1'b0;
            ring_base   <= 32'd0;
            ring_size   <= 17'd0;
            err_q       <= 1'b0;
            err_class_q <= EC_PROC;
            err_code_q  <= RN_RNTXERR_CODE_NONE;
            err_idx_q   <= 16'd0;
            txerr       <= 32'd0;
            intr_set    <= 32'd0;
            txdw_ide    <= 1'b0;
            tdh_we      <= 1'b0;
            tdh_in      <= 16'd0;
            wb_err_q    <= 1'b0;
            ecol_left   <= {(META_LOG2+2){1'b0}};
            stat_inc_ecol <= 1'b0;
        end else begin
            // One ECOL pulse per abandoned frame: every frame started and not committed (none
            // starts with EN clear; a commit in this very cycle reaches the MAC and is sent).
            stat_inc_ecol <= (ecol_left != {(META_LOG2+2){1'b0}}) && !sw_rst;
            if (abandon)
                ecol_left <= frames_inflight - {{(META_LOG2+1){1'b0}}, pk_commit};
            else if (sw_rst)
                ecol_left <= {(META_LOG2+2){1'b0}};
            else if (ecol_left != {(META_LOG2+2){1'b0}})
                ecol_left <= ecol_left - 1'b1;

            intr_set <= 32'd0;
            txdw_ide <= b_txdw && o_ide;
            tdh_we   <= f_adv;
            if (f_adv)
                tdh_in <= o_next;
            if (b_txdw)
                intr_set[RN_ICR_TXDW] <= 1'b1;
            if (f_adv && (o_next == tdt))
                intr_set[RN_ICR_TXQE] <= 1'b1;
            if (b_err && e_take)
                wb_err_q <= 1'b1;

            if (e_win) begin
                err_q       <= 1'b1;
                err_class_q <= e_class;
                err_code_q  <= e_code;
                err_idx_q   <= e_idx;
            end

            case (c_state)
                C_IDLE: begin
                    if (start_try) begin
                        if (!ring_ok || ({1'b0, tdh} >= size_now)) begin
                            c_state <= C_ERR;
                            txerr   <= err_word(RN_RNTXERR_CODE_BAD_RING, tdh);
                            intr_set[RN_ICR_TXE] <= 1'b1;
                        end else if ({1'b0, tdt} >= size_now) begin
                            c_state <= C_ERR;
                            txerr   <= err_word(RN_RNTXERR_CODE_BAD_TAIL, tdt);
                            intr_set[RN_ICR_TXE] <= 1'b1;
                        end else begin
                            c_state   <= C_RUN;
                            ring_base <= tdba;
                            ring_size <= size_now;
                        end
                    end
                end
                C_RUN: begin
                    if (e_new) begin
                        c_state <= C_DRAIN;
                    end else if (abandon) begin
                        c_state <= C_DRAIN;       // as a soft reset's drain: no write-back, TDH kept
                        flush_q <= 1'b1;
                    end else if (run_done) begin
                        c_state <= C_IDLE;
                    end
                end
                C_DRAIN: begin
                    if (drain_done) begin
                        flush_q     <= 1'b0;
                        err_q       <= 1'b0;
                        err_class_q <= EC_PROC;
                        wb_err_q    <= 1'b0;
                        if (flush_q) begin
                            c_state <= C_IDLE;
                        end else begin
                            c_state <= C_ERR;
                            txerr   <= err_word(err_code_q, err_idx_q);  // nothing new: bus quiet
                            intr_set[RN_ICR_TXE] <= 1'b1;
                        end
                    end
                end
                default: begin  // C_ERR
                    if (tctl_wr && en) begin
                        c_state <= C_IDLE;
                        txerr   <= 32'd0;
                    end
                end
            endcase

            if (sw_rst) begin
                c_state     <= C_DRAIN;
                flush_q     <= 1'b1;
                err_q       <= 1'b0;
                err_class_q <= EC_PROC;
                txerr       <= 32'd0;
                intr_set    <= 32'd0;
                tdh_we      <= 1'b0;
            end
        end
    end

    // ================================================================ AXI outputs
    generate
        if (AXI_ADDR_WIDTH > 32) begin : g_addr_wide
            assign m_axi_araddr = {{(AXI_ADDR_WIDTH-32){1'b0}}, ar_addr};
            assign m_axi_awaddr = {{(AXI_ADDR_WIDTH-32){1'b0}}, aw_addr};
        end else begin : g_addr
            assign m_axi_araddr = ar_addr[AXI_ADDR_WIDTH-1:0];
            assign m_axi_awaddr = aw_addr[AXI_ADDR_WIDTH-1:0];
        end
    endgenerate

    localparam [AXI_ID_WIDTH-1:0] ID = AXI_ID[AXI_ID_WIDTH-1:0];

    assign m_axi_arid    = ID;
    assign m_axi_arsize  = 3'd3;       // 8 bytes per beat
    assign m_axi_arburst = 2'b01;      // INCR
    assign m_axi_arlock  = 1'b0;
    assign m_axi_arcache = 4'b0011;    // normal, non-cacheable, bufferable
    assign m_axi_arprot  = 3'b010;     // unprivileged, non-secure, data

    assign m_axi_awid    = ID;
    assign m_axi_awlen   = 8'd0;       // write-backs are single beats
    assign m_axi_awsize  = 3'd3;
    assign m_axi_awburst = 2'b01;
    assign m_axi_awlock  = 1'b0;
    assign m_axi_awcache = 4'b0011;
    assign m_axi_awprot  = 3'b010;
    assign m_axi_wlast   = 1'b1;

    // One ID, so responses come back in order and their IDs carry nothing; TCTL fields other
    // than EN/PSP have no meaning on this MAC; the queues' spare status outputs.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, m_axi_bid, m_axi_rid, m_axi_rresp[0], tctl, f_busy, f_err, f_err_at, f_dist};
    /* verilator lint_on UNUSEDSIGNAL */

`ifndef SYNTHESIS
    // AXI4 protocol monitor on the DMA master port (simulation only; formal: tb/formal/).
    /* verilator lint_off PINCONNECTEMPTY */
    ringnic_check_axi #(.ADDR_WIDTH(AXI_ADDR_WIDTH), .DATA_WIDTH(AXI_DATA_WIDTH), .ID_WIDTH(AXI_ID_WIDTH),
        .MAX_BEATS((MAX_BURST_BEATS > 2 * DESC_BURST) ? MAX_BURST_BEATS : 2 * DESC_BURST),
        .MAX_WR_OUT(1 << ORD_LOG2), .MAX_RD_OUT(1 << TRK_LOG2), .RD_SLOTS_LOG2(TRK_LOG2)) u_check_axi (
        .clk(clk), .rst(rst),
        .awid(m_axi_awid), .awaddr(m_axi_awaddr), .awlen(m_axi_awlen), .awsize(m_axi_awsize), .awburst(m_axi_awburst),
        .awvalid(m_axi_awvalid), .awready(m_axi_awready),
        .wdata(m_axi_wdata), .wstrb(m_axi_wstrb), .wlast(m_axi_wlast), .wvalid(m_axi_wvalid), .wready(m_axi_wready),
        .bid(m_axi_bid), .bresp(m_axi_bresp), .bvalid(m_axi_bvalid), .bready(m_axi_bready),
        .arid(m_axi_arid), .araddr(m_axi_araddr), .arlen(m_axi_arlen), .arsize(m_axi_arsize), .arburst(m_axi_arburst),
        .arvalid(m_axi_arvalid), .arready(m_axi_arready),
        .rid(m_axi_rid), .rdata(m_axi_rdata), .rresp(m_axi_rresp), .rlast(m_axi_rlast), .rvalid(m_axi_rvalid), .rready(m_axi_rready),
        .err_rules());
    /* verilator lint_on PINCONNECTEMPTY */
`endif

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (AXI_DATA_WIDTH != 64 || AXIS_DATA_WIDTH != 64 || AXI_ADDR_WIDTH < 32) begin
            $display("ringnic_tx: only 64-bit data paths and >= 32-bit addresses are supported");
            $finish;
        end
        if (AXI_ID < 0 || AXI_ID >= (1 << AXI_ID_WIDTH)) begin
            $display("ringnic_tx: AXI_ID must fit AXI_ID_WIDTH");
            $finish;
        end
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_tx: RING_LOG2 must be 3..15");
            $finish;
        end
        if (DESC_BURST < 1 || DESC_BURST > 128) begin
            $display("ringnic_tx: DESC_BURST must be 1..128");
            $finish;
        end
        if (MAX_FRAME < 1514 || MAX_FRAME > 65535) begin
            $display("ringnic_tx: MAX_FRAME must be 1514..65535");
            $finish;
        end
        if (MAX_BURST_BEATS < 1 || MAX_BURST_BEATS > 256) begin
            $display("ringnic_tx: MAX_BURST_BEATS must be 1..256 (AXI4)");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
