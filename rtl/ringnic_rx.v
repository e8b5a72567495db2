`default_nettype none
`timescale 1ns/1ps

// ringnic_rx: the receive side of the NIC: MAC checks and filter, packet buffer, and the RX
// descriptor engine of the 8254x legacy model (Intel 8254x SDM 3.2, receive; RX registers in
// chapter 13; QEMU e1000_receive_iov is the golden model).
//
//   s_axis_rx --> ringnic_rx_mac --> ringnic_rx_fifo --> ringnic_rx_dma ----------> AW/W (payload, write-back)
//            |    (FCS, length,      (packet buffer:     (frame engine, AW stage,     |
//            |     filter, stats)     store and forward)  W jobs, B tags) <-----------+ B
//            +--> ringnic_rx_csum          buffer addresses ^     | B tags, write-back requests
//                 (checksum bits)           (prefetch, cache)     v
//                                  AR/R --> ringnic_desc_fetch  ringnic_rx_wb (write-backs; commit:
//                                                               RDH, RXT0 (ringnic_intr_delay), stats)
// ringnic_rx itself: ring ownership and allocation (a frame's descriptors, or its drop), the
// run/stop/error control, RXDMT0, MPC/RNBC/RNRXOFF, and the AXI fields that are constant.
//
// Ring: hardware owns [RDH, RDT); a descriptor is given back once its write-back is issued
// (the driver may see DD and move RDT before the B response moves RDH). Descriptors are
// prefetched in bursts of up to DESC_BURST (never past the ring end, RDT or a 4 KiB boundary)
// into a cache of 2*DESC_BURST entries. A frame at the head of the packet buffer takes
// ceil(length / buffer size) descriptors at once or, if fewer are owned, is dropped in the
// adapter (MPC, RNBC, ICR.RXO), as QEMU's e1000_has_rxbufs: host memory is not touched.
//
// Payload: each buffer is written with INCR bursts of at most MAX_BURST_BEATS that never cross
// 4 KiB; any byte alignment (the packet buffer's beats are shifted into place, WSTRB marks the
// partial first and last beats) and never a byte outside [buffer, buffer + size).
// Length: the frame with its FCS, or without it with RCTL.SECRC.
//
// Write-back: the upper 8 bytes of each descriptor in one beat (length, csum 0, status DD|IXSM
// and EOP on the last, errors CE/RXE on the last, special 0), issued only once every payload
// burst of the frame has its OKAY, in ring order; RDH advances when the last write-back is
// OKAY. Later frames' payload is written meanwhile (one AXI ID: responses return in order).
//
// Errors (RNRXERR, ICR.RXE once): RDLEN zero, not a multiple of 128 or too large (BAD_RING; also
// RDH outside the ring at start, IDX = RDH), RDT outside the ring (BAD_TAIL, IDX = RDT),
// BSEX with BSIZE 0 (BAD_BSIZE), SLVERR/DECERR on a descriptor read (DESC_READ), a payload
// write (DATA_WRITE) or a write-back (WB_WRITE), IDX = that descriptor. The ring then stops:
// no new burst is started, every burst on the bus is completed, write-backs not yet issued are
// abandoned (RDH stays at the last frame fully written back). Frames cut off that way, frames
// arriving meanwhile and frames still buffered are counted in MPC, so every frame received is
// either delivered, counted as bad or filtered, or missed. RNRXERR is held until CTRL.RST or an
// RCTL write with EN=1, which clears it and restarts the ring at RDH (rereading descriptors);
// an RCTL write while the ring runs changes nothing but the fields. Clearing RCTL.EN stops the
// ring the same way without an error. CTRL.RST (sw_rst) completes the bursts on the bus, then
// empties everything; nothing is reported (RDH update, cause, 8254x count) from the pulse on.
// Receiver off: the 8254x counts nothing while receives are disabled (SDM 13.7: MPC, TPR ...
// "only increment if receives are enabled"), so this NIC counts those frames in RNRXOFF, which
// CTRL.RST does not clear: frames arriving while RCTL.EN is clear or a reset runs, the frame a
// reset cuts off, frames still in the packet buffer once the ring is off with EN clear, and at
// CTRL.RST every frame the reset discards (buffered, handed to the write side, MPC still owed).

module ringnic_rx #(
    parameter integer AXI_ADDR_WIDTH  = 32,    // DMA address width, bits (>= 32; descriptors carry 32-bit addresses)
    parameter integer AXI_DATA_WIDTH  = 64,    // DMA data width, bits (64 only)
    parameter integer AXI_ID_WIDTH    = 4,     // AXI ID width, bits
    parameter integer AXI_ID          = 1,     // ID driven on AR and AW (responses are assumed to carry it)
    parameter integer AXIS_DATA_WIDTH = 64,    // MAC-side stream width, bits (64 only)
    parameter integer RING_LOG2       = 12,    // log2 of the largest ring, descriptors (<= 15)
    parameter integer DESC_BURST      = 8,     // descriptors per prefetch burst, at most (1..128)
    parameter integer MAX_FRAME       = 16384, // largest frame accepted with RCTL.LPE, bytes incl. FCS (1522..65535; sizes the packet buffer)
    parameter integer MAX_BURST_BEATS = 16     // longest payload burst, beats (1..256)
) (
    input  wire                        clk,
    input  wire                        rst,            // synchronous, active high
    input  wire                        sw_rst,         // pulse: CTRL.RST
    input  wire                        intr_tick,      // one-clock pulse every 1.024 us (ringnic_tick): RDTR/RADV's unit

    // ------------------------------------------------------------ register side (ringnic_regs)
    input  wire [31:0]                 rdba,           // RX ring base, bytes (16-byte aligned)
    input  wire [19:0]                 rdlen,          // RX ring length, bytes
    input  wire [15:0]                 rdh,            // RX head, as software last wrote it or we set it
    input  wire [15:0]                 rdt,            // RX tail
    input  wire                        rdt_wr,         // pulse: software wrote RDT (the new value is on rdt)
    input  wire [31:0]                 rctl,           // RCTL
    input  wire [1:0]                  rxcsum,         // RXCSUM {TUOFLD, IPOFLD}: ringnic_rx_csum
    input  wire                        rctl_wr,        // pulse: software wrote RCTL (the new value is on rctl)
    input  wire [15:0]                 rdtr,           // RDTR.DELAY, 1.024 us units
    input  wire                        rdtr_fpd,       // pulse: RDTR.FPD written 1
    input  wire [15:0]                 radv,           // RADV.DELAY, 1.024 us units
    input  wire [47:0]                 mac_addr,       // RAL0/RAH0, first octet in 47:40
    input  wire                        mac_valid,      // RAH0.AV
    output wire [11:0]                 mta_bit,        // MTA bit to look up: word [11:5], bit [4:0]
    input  wire                        mta_hit,        // that bit, one cycle later
    output wire                        rdh_we,         // pulse: RDH <= rdh_in
    output wire [15:0]                 rdh_in,         // = hw_head (read with rdh_we)
    output reg  [31:0]                 intr_set,       // pulses at ICR bits RXT0, RXDMT0, RXO, RXE
    output wire                        stat_inc_crcerrs,
    output wire                        stat_inc_rxerrc,
    output reg                         stat_inc_mpc,
    output reg                         stat_inc_rnbc,
    output wire                        stat_inc_gprc,
    output wire                        stat_inc_bprc,
    output wire                        stat_inc_mprc,
    output wire                        stat_inc_ruc,
    output wire                        stat_inc_roc,
    output wire                        stat_inc_tpr,
    output reg  [15:0]                 stat_off_add,   // frames dropped with the receiver off (RNRXOFF)
    output wire [15:0]                 stat_gorc_add,  // octets incl. FCS of each good frame written back
    output wire [15:0]                 stat_tor_add,   // octets incl. FCS of each frame received
    output wire [31:0]                 rxerr,          // RNRXERR: IDX 31:16, CODE 3:0

    // ------------------------------------------------------------ AXI4 master: descriptors and buffers
    output wire [AXI_ID_WIDTH-1:0]     m_axi_awid,
    output wire [AXI_ADDR_WIDTH-1:0]   m_axi_awaddr,
    output wire [7:0]                  m_axi_awlen,
    output wire [2:0]                  m_axi_awsize,
    output wire [1:0]                  m_axi_awburst,
    output wire                        m_axi_awlock,
    output wire [3:0]                  m_axi_awcache,
    output wire [2:0]                  m_axi_awprot,
    output wire                        m_axi_awvalid,
    input  wire                        m_axi_awready,
    output wire [AXI_DATA_WIDTH-1:0]   m_axi_wdata,
    output wire [AXI_DATA_WIDTH/8-1:0] m_axi_wstrb,
    output wire                        m_axi_wlast,
    output wire                        m_axi_wvalid,
    input  wire                        m_axi_wready,
    input  wire [AXI_ID_WIDTH-1:0]     m_axi_bid,
    input  wire [1:0]                  m_axi_bresp,
    input  wire                        m_axi_bvalid,
    output wire                        m_axi_bready,
    output wire [AXI_ID_WIDTH-1:0]     m_axi_arid,
    output wire [AXI_ADDR_WIDTH-1:0]   m_axi_araddr,
    output wire [7:0]                  m_axi_arlen,
    output wire [2:0]                  m_axi_arsize,
    output wire [1:0]                  m_axi_arburst,
    output wire                        m_axi_arlock,
    output wire [3:0]                  m_axi_arcache,
    output wire [2:0]                  m_axi_arprot,
    output wire                        m_axi_arvalid,
    input  wire                        m_axi_arready,
    input  wire [AXI_ID_WIDTH-1:0]     m_axi_rid,
    input  wire [AXI_DATA_WIDTH-1:0]   m_axi_rdata,
    input  wire [1:0]                  m_axi_rresp,
    input  wire                        m_axi_rlast,
    input  wire                        m_axi_rvalid,
    output wire                        m_axi_rready,

    // ------------------------------------------------------------ AXI4-Stream: frames from the MAC/PHY
    input  wire [AXIS_DATA_WIDTH-1:0]  s_axis_rx_tdata,
    input  wire [AXIS_DATA_WIDTH/8-1:0] s_axis_rx_tkeep,
    input  wire                        s_axis_rx_tvalid,
    output wire                        s_axis_rx_tready,
    input  wire                        s_axis_rx_tlast,
    input  wire                        s_axis_rx_tuser, // the PHY flagged this frame, sampled with tlast
    output wire                        dma_busy         // running, draining or a burst on the bus
);

`include "ringnic_regmap.vh"
`include "ringnic_desc.vh"

    // ================================================================ constants
    // Packet buffer: two of the longest frames the MAC takes (1522 bytes without LPE), in
    // 64-bit beats, rounded up to a power of two.
    localparam integer LONGEST     = (MAX_FRAME > 1522) ? MAX_FRAME : 1522;
    localparam integer FRAME_BEATS = (LONGEST + 7) / 8;
    localparam integer PB_LOG2     = $clog2(2 * FRAME_BEATS);
    // Frames between allocation and commit; W jobs queued behind AW; bursts awaiting B.
    localparam integer FF_LOG2     = 4;
    localparam integer WJ_LOG2     = 2;
    localparam integer BT_LOG2     = 3;

    localparam [20:0]  MAX_RDLEN   = 21'd16 << RING_LOG2;

    localparam [1:0]   AXI_INCR    = 2'b01;
    localparam [2:0]   AXI_SIZE8   = 3'd3;

    // Engine states.
    localparam [1:0]   E_OFF   = 2'd0;   // not running: RCTL.EN clear, or stopped on an error
    localparam [1:0]   E_RUN   = 2'd1;   // owns the ring
    localparam [1:0]   E_DRAIN = 2'd2;   // stopping: completing the bursts on the bus

    // Ring indices and counts: RW bits (rtl/ringnic_ring.vh).
    localparam integer RW = RING_LOG2 + 1;
`include "ringnic_ring.vh"

    // RDH at a start (then below the ring's size, or BAD_RING): every ring index register has
    // its upper bits 0, and synthesis drops them.
    localparam [16:0] RW_ONE = 17'd1 << RW;
    wire [15:0] rdh_rw     = rdh & (RW_ONE[15:0] - 16'd1);

    // ================================================================ configuration
    wire [15:0] ring_n     = rdlen[19:4];
    wire        bad_ring   = (rdlen == 20'd0) || (rdlen[6:0] != 7'd0) || ({1'b0, rdlen} > MAX_RDLEN);
    wire        bad_bsize  = rctl[RN_RCTL_BSEX] && (rctl[RN_RCTL_BSIZE +: RN_RCTL_BSIZE_W] == 2'd0);
    wire        bad_tail   = (rdt >= ring_n);
    wire        bad_head   = (rdh >= ring_n);
    wire        rx_en      = rctl[RN_RCTL_EN];
    // Buffer size as a power of two: BSEX=0: 2048 >> BSIZE; BSEX=1: 32768 >> BSIZE.
    wire [3:0]  cfg_blog2  = (rctl[RN_RCTL_BSEX] ? 4'd15 : 4'd11) - {2'b00, rctl[RN_RCTL_BSIZE +: RN_RCTL_BSIZE_W]};
    wire [1:0]  rdmts      = rctl[RN_RCTL_RDMTS +: RN_RCTL_RDMTS_W];

    // ================================================================ engine state
    reg  [1:0]  eng_st;
    reg         resetting;      // CTRL.RST seen; draining, then everything is emptied
    reg  [31:0] rxerr_q;
    wire        err_none   = (rxerr_q[RN_RNRXERR_CODE +: RN_RNRXERR_CODE_W] == RN_RNRXERR_CODE_NONE);

    wire [RW-1:0] hw_head;      // next descriptor to complete its write-back (RDH): ringnic_rx_wb
    wire [RW-1:0] iss_head;     // next descriptor to issue a write-back for: ownership ends there
    wire [RW-1:0] fetch_idx;    // next descriptor to prefetch: ringnic_desc_fetch
    reg  [15:0] alloc_idx;      // next descriptor to give a frame
    wire        rdh_settle;     // an RDH update is on its way into the register file
    assign rdh_in = zx16(hw_head);  // RDH's new value with rdh_we: hw_head moved with the commit

    assign rxerr = rxerr_q;

    wire        run_ok;         // E_RUN and nothing stops it this cycle
    wire        start;          // the ring starts at RDH, empty
    wire        mute;           // CTRL.RST under way: nothing reported
    wire        flush_now;      // end of a soft reset: empty the packet buffer and the queues

    // ================================================================ MAC and packet buffer
    wire        pb_wr_en, pb_commit, pb_abort, pb_full;
    wire [63:0] pb_wr_data;
    wire [19:0] mac_meta;
    wire [23:0] pb_wr_meta;         // {checksum bits, ringnic_rx_mac's meta}
    wire        pb_rd_valid, pb_meta_valid;
    wire [63:0] pb_rd_data;
    wire [23:0] pb_meta;
    wire        pb_pop;
    wire        pb_skip;        // discard a dropped frame's beats in one cycle
    wire [PB_LOG2:0] pb_skip_n;
    wire        pb_meta_pop;
    wire        stat_off_mac;   // a frame the MAC did not take: receiver off, or cut by CTRL.RST

    ringnic_rx_mac #(.MAX_FRAME(MAX_FRAME)) u_mac (
        .clk(clk), .rst(rst), .enable(rx_en && !resetting && !sw_rst), .drop_frame(sw_rst), .rctl(rctl),
        .mac_addr(mac_addr), .mac_valid(mac_valid), .mta_bit(mta_bit), .mta_hit(mta_hit),
        .s_axis_tdata(s_axis_rx_tdata), .s_axis_tkeep(s_axis_rx_tkeep), .s_axis_tvalid(s_axis_rx_tvalid),
        .s_axis_tready(s_axis_rx_tready), .s_axis_tlast(s_axis_rx_tlast), .s_axis_tuser(s_axis_rx_tuser),
        .fifo_wr_en(pb_wr_en), .fifo_wr_data(pb_wr_data), .fifo_commit(pb_commit), .fifo_abort(pb_abort),
        .fifo_meta(mac_meta), .fifo_full(pb_full),
        .stat_tpr(stat_inc_tpr), .stat_tor_add(stat_tor_add), .stat_crcerrs(stat_inc_crcerrs), .stat_rxerrc(stat_inc_rxerrc),
        .stat_ruc(stat_inc_ruc), .stat_roc(stat_inc_roc), .stat_off(stat_off_mac)
    );

    // RX checksum offload: {IPE, TCPE, IPCS, TCPCS} with the tlast beat (IXSM when neither was
    // calculated); none on a frame with CE or RXE (the FCS or PHY error decides, not the checksums).
    wire [3:0]  csum_bits;
    ringnic_rx_csum #(.MAX_FRAME(LONGEST)) u_csum (.clk(clk), .rst(rst), .offload(rxcsum), .beat(s_axis_rx_tvalid && s_axis_rx_tready),
        .tdata(s_axis_rx_tdata), .tkeep(s_axis_rx_tkeep), .tlast(s_axis_rx_tlast), .csum(csum_bits));
    assign pb_wr_meta = {(mac_meta[3] || mac_meta[2]) ? 4'b0000 : csum_bits, mac_meta};

    ringnic_rx_fifo #(.DEPTH_LOG2(PB_LOG2), .META_W(24)) u_fifo (
        .clk(clk), .rst(rst || flush_now), .wr_en(pb_wr_en), .wr_data(pb_wr_data), .wr_commit(pb_commit),
        .wr_abort(pb_abort), .wr_meta(pb_wr_meta), .wr_full(pb_full),
        .rd_valid(pb_rd_valid), .rd_data(pb_rd_data), .rd_pop(pb_pop), .rd_skip(pb_skip), .rd_skip_n(pb_skip_n),
        .meta_valid(pb_meta_valid), .meta_data(pb_meta), .meta_pop(pb_meta_pop)
    );

    // Head frame of the packet buffer.
    wire [15:0] m_len    = pb_meta[19:4];     // bytes incl. FCS
    wire        m_ce     = pb_meta[3];
    wire        m_rxe    = pb_meta[2];
    wire        m_bcast  = pb_meta[1];
    wire        m_mcast  = pb_meta[0];
    wire [15:0] m_beats  = (m_len + 16'd7) >> 3;
    wire [15:0] m_wlen   = rctl[RN_RCTL_SECRC] ? (m_len - 16'd4) : m_len;
    wire [16:0] m_wlen_r = {1'b0, m_wlen} + ((17'd1 << cfg_blog2) - 17'd1);
    wire [16:0] m_need_w = m_wlen_r >> cfg_blog2;         // bit 16 is 0: cfg_blog2 >= 8
    wire [15:0] m_need   = m_need_w[15:0];                // descriptors the frame takes

    // ================================================================ ring ownership and allocation
    // Descriptors owned by hardware: [iss_head, RDT). A descriptor stops being ours once its
    // write-back is issued: the driver may see DD and hand the slot back (RDT) before the B
    // response moves RDH. Everything ahead is measured from there, so a tail that moves
    // backwards only makes the engine fetch and take less, never beyond what it owns.
    wire [15:0] own_n     = ring_dist(zx16(iss_head), rdt, ring_n);
    wire [15:0] ahead_f   = ring_dist(zx16(iss_head), zx16(fetch_idx), ring_n);
    wire [15:0] unfetched = (own_n > ahead_f) ? (own_n - ahead_f) : 16'd0;

    // Available descriptors for the head frame (owned, not yet given to a frame).
    wire [15:0] ahead_a   = ring_dist(zx16(iss_head), alloc_idx, ring_n);
    wire [15:0] avail     = (own_n > ahead_a) ? (own_n - ahead_a) : 16'd0;

    wire        fr_idle;            // ringnic_rx_dma between frames
    wire        ff_full;            // ringnic_rx_wb holds as many frames as it can
    wire        fe_take   = fr_idle && pb_meta_valid && run_ok && (m_need <= avail) && !ff_full;
    wire        fe_nobuf  = fr_idle && pb_meta_valid && run_ok && (m_need > avail);
    wire        fe_off    = fr_idle && pb_meta_valid && (eng_st == E_OFF) && !resetting && !sw_rst;
    assign pb_meta_pop    = fe_take || fe_nobuf || fe_off;

    // Committed frames in the packet buffer (RNRXOFF counts them when CTRL.RST empties it).
    reg  [PB_LOG2:0] pb_frames;
    always @(posedge clk) begin
        if (rst || flush_now) pb_frames <= {(PB_LOG2+1){1'b0}};
        else                  pb_frames <= pb_frames + {{PB_LOG2{1'b0}}, pb_commit}
                                                     - {{PB_LOG2{1'b0}}, pb_meta_pop};
    end

    // ================================================================ descriptor prefetch and cache
    // ringnic_desc_fetch (shared with TX): one burst at a time, the buffer addresses only; a
    // failed read stops the ring (r_err) and its descriptor is not cached.
    wire        rd_busy;            // a descriptor burst is on the bus (AR or R)
    wire        r_err;              // a descriptor read failed, at descriptor r_err_at
    wire [RING_LOG2-1:0] r_err_at, fetch_at;
    wire [RW-1:0] r_err_idx = {1'b0, r_err_at};
    wire        dc_valid, dc_pop, f_req, f_idle;
    wire [96:0] dc_q;               // {read failed, buffer address, 64'd0}
    wire [31:0] dc_addr = dc_q[95:64];
    wire [31:0] f_addr;
    wire [7:0]  f_len;
    reg         ar_valid;
    reg  [31:0] ar_addr;
    reg  [7:0]  ar_len;
    assign fetch_idx = {1'b0, fetch_at};

    ringnic_desc_fetch #(.RING_LOG2(RING_LOG2), .DESC_BURST(DESC_BURST), .KEEP_HI(0), .DROP_BAD(1)) u_desc (
        .clk(clk), .rst(rst), .clr(start), .ring_base(rdba), .ring_size(ring_n[RW-1:0]),
        .start(start), .start_idx(rdh_rw[RING_LOG2-1:0]), .avail(unfetched[RW-1:0]), .fetch_idx(fetch_at),
        .busy(rd_busy), .idle(f_idle), .allow(run_ok && !rd_busy), .req(f_req), .req_addr(f_addr),
        .req_len(f_len), .grant(f_req),
        .beat_valid(m_axi_rvalid), .beat_data(m_axi_rdata), .beat_err(m_axi_rresp[1]),
        .keep(eng_st == E_RUN), .err(r_err), .err_idx(r_err_at),
        .q_valid(dc_valid), .q_data(dc_q), .q_pop(dc_pop)
    );

    // The AR register: a request is granted at once (allowed only while !rd_busy: no AR waits).
    always @(posedge clk) begin
        ar_valid <= !rst && ((ar_valid && !m_axi_arready) || f_req);
        if (f_req) begin
            ar_addr <= f_addr;
            ar_len  <= f_len;
        end
    end

    assign m_axi_arvalid = ar_valid;
    assign m_axi_arlen   = ar_len;
    assign m_axi_arid    = AXI_ID[AXI_ID_WIDTH-1:0];
    assign m_axi_araddr  = {{(AXI_ADDR_WIDTH-32){1'b0}}, ar_addr};
    assign m_axi_arsize  = AXI_SIZE8;
    assign m_axi_arburst = AXI_INCR;
    assign m_axi_arlock  = 1'b0;
    assign m_axi_arcache = 4'b0011;      // normal, non-cacheable, bufferable
    assign m_axi_arprot  = 3'b010;      // unprivileged, non-secure, data (as TX)
    assign m_axi_rready  = 1'b1;

    // ================================================================ payload and write-back writes
    wire        wb_req, wb_last, wb_grant;
    wire [31:0] wb_addr;
    wire [63:0] wb_beat;
    wire [RW-1:0] wb_idx;
    wire        b_hs     = m_axi_bvalid;             // bready is always 1
    wire        b_err    = b_hs && m_axi_bresp[1];
    wire        b_tag_valid, b_wb, b_last;
    wire [RW-1:0] b_tag_idx;
    wire        bus_quiet_w, jobs_idle;
    wire [31:0] aw_addr;

    ringnic_rx_dma #(.RING_LOG2(RING_LOG2), .MAX_BURST_BEATS(MAX_BURST_BEATS), .PB_LOG2(PB_LOG2),
        .WJ_LOG2(WJ_LOG2), .BT_LOG2(BT_LOG2)) u_dma (
        .clk(clk), .rst(rst), .ring_n(ring_n[RW-1:0]), .run_ok(run_ok), .flush(flush_now),
        .fr_idle(fr_idle), .fr_take(fe_take), .fr_drop(fe_nobuf || fe_off), .fr_first(alloc_idx[RW-1:0]),
        .fr_wlen(m_wlen), .fr_blog2(cfg_blog2), .fr_beats(m_beats),
        .desc_valid(dc_valid), .desc_addr(dc_addr), .desc_pop(dc_pop),
        .wb_req(wb_req), .wb_addr(wb_addr), .wb_beat(wb_beat), .wb_last(wb_last), .wb_idx(wb_idx), .wb_grant(wb_grant),
        .pb_valid(pb_rd_valid), .pb_data(pb_rd_data), .pb_pop(pb_pop), .pb_skip(pb_skip), .pb_skip_n(pb_skip_n),
        .aw_valid(m_axi_awvalid), .aw_ready(m_axi_awready), .aw_addr(aw_addr), .aw_len(m_axi_awlen),
        .w_valid(m_axi_wvalid), .w_ready(m_axi_wready), .w_data(m_axi_wdata), .w_strb(m_axi_wstrb), .w_last(m_axi_wlast),
        .b_valid(b_hs), .b_tag_valid(b_tag_valid), .b_tag_wb(b_wb), .b_tag_last(b_last), .b_tag_idx(b_tag_idx),
        .bus_quiet(bus_quiet_w), .jobs_idle(jobs_idle)
    );

    assign m_axi_awid    = AXI_ID[AXI_ID_WIDTH-1:0];
    assign m_axi_awaddr  = {{(AXI_ADDR_WIDTH-32){1'b0}}, aw_addr};
    assign m_axi_awsize  = AXI_SIZE8;
    assign m_axi_awburst = AXI_INCR;
    assign m_axi_awlock  = 1'b0;
    assign m_axi_awcache = 4'b0011;      // normal, non-cacheable, bufferable
    assign m_axi_awprot  = 3'b010;
    assign m_axi_bready  = 1'b1;

    // ================================================================ write-back and commit
    wire        commit, lost_wb, rxt0;
    wire [FF_LOG2:0] ff_held;       // frames handed to the write side, not committed

    ringnic_rx_wb #(.RING_LOG2(RING_LOG2), .FF_LOG2(FF_LOG2)) u_wb (
        .clk(clk), .rst(rst), .sw_rst(sw_rst), .intr_tick(intr_tick), .rdtr(rdtr), .rdtr_fpd(rdtr_fpd), .radv(radv),
        .rdba(rdba), .ring_n(ring_n[RW-1:0]), .start(start), .start_idx(rdh_rw[RW-1:0]), .run_ok(run_ok), .mute(mute),
        .push(fe_take), .push_first(alloc_idx[RW-1:0]), .push_wlen(m_wlen), .push_blog2(cfg_blog2), .push_flen(m_len),
        .push_flags({pb_meta[23:20], m_ce, m_rxe, m_bcast, m_mcast}),
        .full(ff_full), .held(ff_held),
        .wb_req(wb_req), .wb_addr(wb_addr), .wb_beat(wb_beat), .wb_last(wb_last), .wb_idx(wb_idx), .wb_grant(wb_grant),
        .b_valid(b_hs), .b_err(b_err), .b_tag_valid(b_tag_valid), .b_tag_wb(b_wb),
        .b_tag_last(b_last), .b_tag_idx(b_tag_idx),
        .commit(commit), .lost(lost_wb), .hw_head(hw_head), .iss_head(iss_head),
        .rdh_we(rdh_we), .rdh_settle(rdh_settle), .rxt0(rxt0),
        .stat_inc_gprc(stat_inc_gprc), .stat_inc_bprc(stat_inc_bprc),
        .stat_inc_mprc(stat_inc_mprc), .stat_gorc_add(stat_gorc_add)
    );

    // RXDMT0 as QEMU: free descriptors * 16 <= RDLEN >> (RDMTS + 1), free = still owned.
    wire [19:0] dmt_thr  = rdlen >> ({2'b00, rdmts} + 4'd1);
    wire        dmt_hit  = ({own_n, 4'd0} <= dmt_thr);

    // ================================================================ errors
    reg         err_ev;
    reg  [3:0]  err_code;
    reg  [15:0] err_idx;
    wire        start_try = (eng_st == E_OFF) && !resetting && rx_en && err_none && !rdh_settle && !sw_rst;

    always @* begin
        err_ev   = 1'b0;
        err_code = RN_RNRXERR_CODE_NONE;
        err_idx  = 16'd0;
        if ((eng_st == E_RUN) || start_try) begin
            if (bad_ring || (start_try && bad_head)) begin
                err_ev = 1'b1; err_code = RN_RNRXERR_CODE_BAD_RING;  err_idx = start_try ? rdh : zx16(hw_head);
            end else if (bad_bsize) begin
                err_ev = 1'b1; err_code = RN_RNRXERR_CODE_BAD_BSIZE; err_idx = start_try ? rdh : zx16(hw_head);
            end else if (bad_tail) begin
                err_ev = 1'b1; err_code = RN_RNRXERR_CODE_BAD_TAIL;  err_idx = rdt;
            end
        end
        if (r_err) begin
            err_ev = 1'b1; err_code = RN_RNRXERR_CODE_DESC_READ; err_idx = zx16(r_err_idx);
        end
        if (b_err) begin
            err_ev   = 1'b1;
            err_code = b_wb ? RN_RNRXERR_CODE_WB_WRITE : RN_RNRXERR_CODE_DATA_WRITE;
            err_idx  = zx16(b_tag_idx);
        end
    end

    wire        err_take = err_ev && err_none && !resetting && !sw_rst;
    wire        stop_req = sw_rst || !rx_en || err_ev;
    assign run_ok = (eng_st == E_RUN) && !stop_req;
    assign start  = start_try && !err_ev;
    // Nothing is reported from the CTRL.RST cycle on: the register file would apply it after its reset.
    assign mute   = resetting || sw_rst;

    // Nothing of ours on the bus (no B outstanding also means no W job of a burst left, only
    // discards); for a stop also no discard left and the frame engine between frames.
    wire        quiet_bus = !rd_busy && bus_quiet_w;
    wire        quiet     = quiet_bus && jobs_idle;
    // CTRL.RST empties the packet buffer anyway: it only waits for the bus.
    assign flush_now = resetting && quiet_bus && (eng_st != E_RUN);
    // A stop completes: the frames handed to the write side and not committed are lost.
    wire        drain_done = (eng_st == E_DRAIN) && quiet && !resetting;
    // STATUS.GIO_MASTER_EN: once RCTL.EN is clear the ring stops (E_OFF) and starts nothing new.
    assign dma_busy = (eng_st != E_OFF) || resetting || !quiet_bus;

    // ================================================================ engine control
    always @(posedge clk) begin
        if (rst) begin
            eng_st     <= E_OFF;
            resetting  <= 1'b0;
            rxerr_q    <= 32'd0;
        end else begin
            if (sw_rst) begin
                resetting <= 1'b1;
                rxerr_q   <= 32'd0;
                if (eng_st == E_RUN)
                    eng_st <= E_DRAIN;
            end else begin
                if (err_take)
                    rxerr_q <= {err_idx, 12'd0, err_code};
                else if (rctl_wr && rx_en && (eng_st != E_RUN))
                    rxerr_q <= 32'd0;        // re-enable: clear and restart at RDH
                case (eng_st)
                    E_OFF: begin
                        if (start_try && !err_ev)
                            eng_st <= E_RUN;
                        if (flush_now)
                            resetting <= 1'b0;
                    end
                    E_RUN: begin
                        if (stop_req)
                            eng_st <= E_DRAIN;
                    end
                    E_DRAIN: begin
                        if (flush_now) begin
                            eng_st    <= E_OFF;
                            resetting <= 1'b0;
                        end else if (quiet) begin
                            eng_st    <= E_OFF;
                        end
                    end
                    /* verilator coverage_off */  // unreachable: every state is decoded above
                    default: eng_st <= E_OFF;
                    /* verilator coverage_on */
                endcase
            end
        end
    end

    // Allocation: the head frame takes descriptors [alloc_idx, alloc_idx + m_need).
    always @(posedge clk) begin
        if (rst)
            alloc_idx <= 16'd0;
        else if (start)
            alloc_idx <= rdh_rw;
        else if (fe_take)
            alloc_idx <= ring_add(alloc_idx, m_need, ring_n);
    end

    // ================================================================ interrupts and statistics
    // MPC counts every frame seen and not delivered for want of a descriptor or a running ring,
    // including frames a stop cut off. Losses found together are counted one per cycle.
    reg  [FF_LOG2+1:0] mpc_debt;
    wire       off_now = fe_off && !rx_en;       // RCTL.EN clear: RNRXOFF, not MPC (see the header)
    wire       mpc_now = fe_nobuf || (fe_off && rx_en);
    always @(posedge clk) begin
        if (rst || sw_rst || resetting)
            mpc_debt <= {(FF_LOG2+2){1'b0}};
        else
            mpc_debt <= mpc_debt
                      + (drain_done ? {1'b0, ff_held} : {(FF_LOG2+2){1'b0}})
                      + {{(FF_LOG2+1){1'b0}}, lost_wb}
                      - {{(FF_LOG2+1){1'b0}}, (!mpc_now && (mpc_debt != {(FF_LOG2+2){1'b0}}))};
    end

    always @(posedge clk) begin
        if (rst) begin
            intr_set      <= 32'd0;
            stat_inc_mpc  <= 1'b0;
            stat_inc_rnbc <= 1'b0;
            stat_off_add  <= 16'd0;
        end else begin
            intr_set <= 32'd0;
            intr_set[RN_ICR_RXT0]   <= rxt0 && !mute;
            intr_set[RN_ICR_RXDMT0] <= commit && dmt_hit;
            intr_set[RN_ICR_RXO]    <= fe_nobuf;
            intr_set[RN_ICR_RXE]    <= err_take;
            stat_inc_mpc  <= mpc_now || (mpc_debt != {(FF_LOG2+2){1'b0}});
            stat_inc_rnbc <= fe_nobuf;
            // At the CTRL.RST pulse: the committed frames still buffered, the frames handed to the
            // write side and not yet committed (unless a finished stop already owed them to MPC),
            // and the MPC still owed; none of them is reported after the pulse.
            stat_off_add  <= {15'd0, stat_off_mac} + {15'd0, off_now}
                           + ((sw_rst && !resetting) ? ({{(15-PB_LOG2){1'b0}}, pb_frames}
                                        + ((eng_st != E_OFF) ? {{(15-FF_LOG2){1'b0}}, ff_held} : 16'd0)
                                        + {{(14-FF_LOG2){1'b0}}, mpc_debt}) : 16'd0);
        end
    end

    // ================================================================ parameter checks, unused inputs
    /* verilator coverage_off */
    initial begin
        if (AXI_DATA_WIDTH != 64 || AXIS_DATA_WIDTH != 64 || AXI_ADDR_WIDTH < 32) begin
            $display("ringnic_rx: only 64-bit data paths and >= 32-bit addresses are supported");
            $finish;
        end
        if (AXI_ID < 0 || AXI_ID >= (1 << AXI_ID_WIDTH)) begin
            $display("ringnic_rx: AXI_ID must fit AXI_ID_WIDTH");
            $finish;
        end
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_rx: RING_LOG2 must be 3..15");
            $finish;
        end
        if (DESC_BURST < 1 || DESC_BURST > 128) begin
            $display("ringnic_rx: DESC_BURST must be 1..128");
            $finish;
        end
        if (MAX_FRAME < 1522 || MAX_FRAME > 65535) begin
            $display("ringnic_rx: MAX_FRAME must be 1522..65535");
            $finish;
        end
        if (MAX_BURST_BEATS < 1 || MAX_BURST_BEATS > 256) begin
            $display("ringnic_rx: MAX_BURST_BEATS must be 1..256 (AXI4)");
            $finish;
        end
    end
    /* verilator coverage_on */

    // IDs: this master issues one ID, responses are ordered; the fetcher counts beats, not
    // RLAST. Upper descriptor halves and the upper 32 bits of buffer addresses are not used
    // (32-bit DMA); a failed read is never cached. rdt_wr: RDT is read as a level.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, m_axi_bid, m_axi_rid, m_axi_rlast, rdt_wr, m_axi_rresp[0],
                       m_axi_bresp[0], m_need_w[16], unfetched, dc_q[96], dc_q[63:0], f_idle};
    /* verilator lint_on UNUSEDSIGNAL */

`ifndef SYNTHESIS
    // AXI4 protocol monitor on the DMA master port (simulation only; formal: tb/formal/).
    /* verilator lint_off PINCONNECTEMPTY */
    ringnic_check_axi #(.ADDR_WIDTH(AXI_ADDR_WIDTH), .DATA_WIDTH(AXI_DATA_WIDTH), .ID_WIDTH(AXI_ID_WIDTH),
        .MAX_BEATS((MAX_BURST_BEATS > 2 * DESC_BURST) ? MAX_BURST_BEATS : 2 * DESC_BURST),
        .MAX_WR_OUT(1 << BT_LOG2), .MAX_RD_OUT(1), .RD_SLOTS_LOG2(1)) u_check_axi (
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

endmodule

`default_nettype wire
