`default_nettype none
`timescale 1ns/1ps

// ringnic_rx: the receive side of the NIC: MAC checks and filter, packet buffer, and the RX
// descriptor engine of the 8254x legacy model (Intel 8254x SDM 3.2, receive; RX registers in
// chapter 13; QEMU e1000_receive_iov
// is the golden model).
//
//   s_axis_rx --> ringnic_rx_mac --> ringnic_rx_fifo --> frame engine --> AW/W (payload, write-back)
//                 (FCS, length,      (store and          ^   descriptor cache <-- AR/R (prefetch)
//                  filter, stats)     forward)           B tags --> commit: RDH, RXT0 (ringnic_intr_delay), RXDMT0, stats
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
    output reg                         rdh_we,         // pulse: RDH <= rdh_in
    output wire [15:0]                 rdh_in,         // = hw_head (read with rdh_we)
    output reg  [31:0]                 intr_set,       // pulses at ICR bits RXT0, RXDMT0, RXO, RXE
    output wire                        stat_inc_crcerrs,
    output wire                        stat_inc_rxerrc,
    output reg                         stat_inc_mpc,
    output reg                         stat_inc_rnbc,
    output reg                         stat_inc_gprc,
    output reg                         stat_inc_bprc,
    output reg                         stat_inc_mprc,
    output wire                        stat_inc_ruc,
    output wire                        stat_inc_roc,
    output wire                        stat_inc_tpr,
    output reg  [15:0]                 stat_off_add,   // frames dropped with the receiver off (RNRXOFF)
    output reg  [15:0]                 stat_gorc_add,  // octets incl. FCS of each good frame written back
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
    // Descriptor cache: two prefetch bursts.
    localparam integer DC_LOG2     = $clog2(2 * DESC_BURST);
    localparam integer DC_N        = 1 << DC_LOG2;
    localparam [15:0]  DC_N16      = DC_N[15:0];
    // Frames between allocation and commit; W jobs queued behind AW; bursts awaiting B.
    localparam integer FF_LOG2     = 4;
    localparam integer WJ_LOG2     = 2;
    localparam integer BT_LOG2     = 3;

    localparam [20:0]  MAX_RDLEN   = 21'd16 << RING_LOG2;
    localparam [15:0]  DBURST      = DESC_BURST[15:0];
    localparam [15:0]  MAXB        = MAX_BURST_BEATS[15:0];

    localparam [1:0]   AXI_INCR    = 2'b01;
    localparam [2:0]   AXI_SIZE8   = 3'd3;

    // Legacy RX descriptor bits (e1000 RXD_STAT_*, RXD_ERR_*).
    // The write-back beat is descriptor bytes 8..15: bit WB_LO of rtl/ringnic_desc.vh's layout.
    localparam integer WB_LO       = 64;
    localparam [127:0] WB_DONE     = 128'd1 << RN_RXD_STAT_DD;
    localparam [127:0] WB_IXSM     = 128'd1 << RN_RXD_STAT_IXSM;
    localparam [127:0] WB_TCPCS    = 128'd1 << RN_RXD_STAT_TCPCS;
    localparam [127:0] WB_IPCS     = 128'd1 << RN_RXD_STAT_IPCS;
    localparam [127:0] WB_TCPE     = 128'd1 << RN_RXD_ERR_TCPE;
    localparam [127:0] WB_IPE      = 128'd1 << RN_RXD_ERR_IPE;
    localparam [127:0] WB_EOP      = 128'd1 << RN_RXD_STAT_EOP;
    localparam [127:0] WB_CE       = 128'd1 << RN_RXD_ERR_CE;
    localparam [127:0] WB_RXE      = 128'd1 << RN_RXD_ERR_RXE;

    // Engine states.
    localparam [1:0]   E_OFF   = 2'd0;   // not running: RCTL.EN clear, or stopped on an error
    localparam [1:0]   E_RUN   = 2'd1;   // owns the ring
    localparam [1:0]   E_DRAIN = 2'd2;   // stopping: completing the bursts on the bus

    // Frame engine states.
    localparam [1:0]   FE_IDLE  = 2'd0;  // wait for a frame at the head of the packet buffer
    localparam [1:0]   FE_SEG   = 2'd1;  // take the next descriptor of the frame
    localparam [1:0]   FE_BURST = 2'd2;  // hand payload bursts of this buffer to the AW stage
    localparam [1:0]   FE_SKIP  = 2'd3;  // hand "discard n packet-buffer beats" to the W side

    // W job kinds.
    localparam [1:0]   J_DATA = 2'd0;
    localparam [1:0]   J_WB   = 2'd1;
    localparam [1:0]   J_SKIP = 2'd2;

    // ================================================================ helpers
    // Ring index arithmetic modulo the ring size n (i < n, k <= n), on RING_LOG2 + 1 bits: the
    // largest ring RDLEN allows has 2^RING_LOG2 descriptors, so every index, count and n fits and
    // the result is exact (a third of the LUTs of 16-bit arithmetic). With RDLEN or RDT out of
    // range the ring stops (BAD_RING, BAD_TAIL); the RDH of write-backs still completing then
    // and RXDMT0 follow the truncated values.
    localparam integer RW = RING_LOG2 + 1;
    /* verilator lint_off UNUSEDSIGNAL */  // the bits above RW of the 16-bit operands
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

    // RDH at a start (then below the ring's size, or BAD_RING): every ring index register has
    // its upper bits 0, and synthesis drops them.
    localparam [16:0] RW_ONE = 17'd1 << RW;
    wire [15:0] rdh_rw     = rdh & (RW_ONE[15:0] - 16'd1);

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
    reg         rdh_settle;     // an RDH update is on its way into the register file
    wire        err_none   = (rxerr_q[RN_RNRXERR_CODE +: RN_RNRXERR_CODE_W] == RN_RNRXERR_CODE_NONE);

    reg  [15:0] hw_head;        // next descriptor to complete its write-back (RDH)
    assign rdh_in = hw_head;    // RDH's new value with rdh_we: hw_head moved with the commit
    reg  [15:0] iss_head;       // next descriptor to issue a write-back for: ownership ends there
    reg  [15:0] alloc_idx;      // next descriptor to give a frame
    reg  [15:0] fetch_idx;      // next descriptor to prefetch

    assign rxerr = rxerr_q;

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
    wire        flush_now;      // end of a soft reset: empty the packet buffer and the queues
    wire        stat_off_mac;   // a frame the MAC did not take: receiver off, or cut by CTRL.RST

    ringnic_rx_mac #(
        .MAX_FRAME (MAX_FRAME)
    ) u_mac (
        .clk           (clk),
        .rst           (rst),
        .enable        (rx_en && !resetting && !sw_rst),
        .drop_frame    (sw_rst),
        .rctl          (rctl),
        .mac_addr      (mac_addr),
        .mac_valid     (mac_valid),
        .mta_bit       (mta_bit),
        .mta_hit       (mta_hit),
        .s_axis_tdata  (s_axis_rx_tdata),
        .s_axis_tkeep  (s_axis_rx_tkeep),
        .s_axis_tvalid (s_axis_rx_tvalid),
        .s_axis_tready (s_axis_rx_tready),
        .s_axis_tlast  (s_axis_rx_tlast),
        .s_axis_tuser  (s_axis_rx_tuser),
        .fifo_wr_en    (pb_wr_en),
        .fifo_wr_data  (pb_wr_data),
        .fifo_commit   (pb_commit),
        .fifo_abort    (pb_abort),
        .fifo_meta     (mac_meta),
        .fifo_full     (pb_full),
        .stat_tpr      (stat_inc_tpr),
        .stat_tor_add  (stat_tor_add),
        .stat_crcerrs  (stat_inc_crcerrs),
        .stat_rxerrc   (stat_inc_rxerrc),
        .stat_ruc      (stat_inc_ruc),
        .stat_roc      (stat_inc_roc),
        .stat_off      (stat_off_mac)
    );

    // RX checksum offload: {IPE, TCPE, IPCS, TCPCS} with the tlast beat (IXSM when neither was
    // calculated); none on a frame with CE or RXE (the FCS or PHY error decides, not the checksums).
    wire [3:0]  csum_bits;
    ringnic_rx_csum #(.MAX_FRAME(LONGEST)) u_csum (.clk(clk), .rst(rst), .offload(rxcsum), .beat(s_axis_rx_tvalid && s_axis_rx_tready),
        .tdata(s_axis_rx_tdata), .tkeep(s_axis_rx_tkeep), .tlast(s_axis_rx_tlast), .csum(csum_bits));
    assign pb_wr_meta = {(mac_meta[3] || mac_meta[2]) ? 4'b0000 : csum_bits, mac_meta};

    ringnic_rx_fifo #(
        .DEPTH_LOG2 (PB_LOG2),
        .META_W     (24)
    ) u_fifo (
        .clk        (clk),
        .rst        (rst || flush_now),
        .wr_en      (pb_wr_en),
        .wr_data    (pb_wr_data),
        .wr_commit  (pb_commit),
        .wr_abort   (pb_abort),
        .wr_meta    (pb_wr_meta),
        .wr_full    (pb_full),
        .rd_valid   (pb_rd_valid),
        .rd_data    (pb_rd_data),
        .rd_pop     (pb_pop),
        .rd_skip    (pb_skip),
        .rd_skip_n  (pb_skip_n),
        .meta_valid (pb_meta_valid),
        .meta_data  (pb_meta),
        .meta_pop   (pb_meta_pop)
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

    // ================================================================ descriptor cache and prefetch
    reg  [31:0]       dcache [0:DC_N-1];   // buffer addresses of [alloc order], oldest first
    reg  [DC_LOG2:0]  dc_wr, dc_rd;
    wire [DC_LOG2:0]  dc_count = dc_wr - dc_rd;
    wire [15:0]       dc_space = DC_N16 - {{(15-DC_LOG2){1'b0}}, dc_count};

    reg         ar_v;              // AR presented
    reg  [31:0] ar_addr_q;
    reg  [7:0]  ar_len_q;
    reg         rd_busy;           // a descriptor burst is on the bus (AR or R)
    reg  [15:0] rd_idx;            // descriptor the next R beat belongs to
    reg         rd_odd;            // next R beat is a descriptor's upper half
    reg         rd_lo_ok;          // the lower half (buffer address) was OKAY

    // Descriptors owned by hardware: [iss_head, RDT). A descriptor stops being ours once its
    // write-back is issued: the driver may see DD and hand the slot back (RDT) before the B
    // response moves RDH. Everything ahead is measured from there, so a tail that moves
    // backwards only makes the engine fetch and take less, never beyond what it owns.
    wire [15:0] own_n     = ring_dist(iss_head, rdt, ring_n);
    wire [15:0] ahead_f   = ring_dist(iss_head, fetch_idx, ring_n);
    wire [15:0] unfetched = (own_n > ahead_f) ? (own_n - ahead_f) : 16'd0;
    wire [31:0] f_addr    = rdba + {12'd0, fetch_idx, 4'd0};
    wire [15:0] f_to_4k   = 16'd256 - {8'd0, f_addr[11:4]};
    wire [15:0] f_to_end  = ring_n - fetch_idx;
    wire [15:0] f_n       = min16(min16(DBURST, unfetched), min16(f_to_end, f_to_4k));

    wire        run_ok;            // E_RUN and nothing stops it this cycle
    wire        fetch_go  = run_ok && !rd_busy && (f_n != 16'd0) && (dc_space >= f_n);

    wire        ar_hs     = ar_v && m_axi_arready;
    wire        r_hs      = m_axi_rvalid;            // rready is always 1
    wire        r_err     = r_hs && m_axi_rresp[1];  // SLVERR or DECERR

    // ================================================================ frame engine
    reg  [1:0]  fe_st;
    reg  [15:0] fe_rem;            // bytes of the frame still to place in buffers
    reg  [3:0]  fe_blog2;          // buffer size of this frame
    reg  [15:0] fe_pb_left;        // packet-buffer beats of the frame not yet handed to a W job
    reg  [15:0] fe_idx;            // descriptor of the current buffer
    reg  [31:0] fe_addr;           // next burst address (the buffer address for the first)
    reg  [15:0] fe_out_left;       // W beats of this buffer not yet in a burst
    reg  [15:0] fe_seg_pb;         // packet-buffer beats of this buffer not yet in a burst
    reg  [15:0] fe_seg_len;        // bytes in this buffer
    reg  [2:0]  fe_shift;          // buffer address mod 8
    reg         fe_seg_new;        // next burst is the buffer's first
    reg         fe_seg_eop;        // this buffer ends the frame
    reg  [15:0] fe_skip_n;         // beats to discard (FE_SKIP)

    wire [15:0] fe_bsize   = 16'd1 << fe_blog2;
    wire [15:0] fe_to_4k   = 16'd512 - {7'd0, fe_addr[11:3]};
    wire [15:0] fe_n       = min16(min16(fe_out_left, MAXB), fe_to_4k);
    wire [15:0] fe_n_pb    = min16(fe_n, fe_seg_pb);       // packet-buffer beats those W beats consume

    // Frames handed to the write side, awaiting write-back (ring order).
    reg  [RW-1:0] ff_first [0:(1<<FF_LOG2)-1]; // first descriptor (a ring index: RW bits)
    reg  [15:0] ff_wlen  [0:(1<<FF_LOG2)-1];   // bytes written (SECRC applied)
    reg  [3:0]  ff_blog2 [0:(1<<FF_LOG2)-1];
    reg  [15:0] ff_flen  [0:(1<<FF_LOG2)-1];   // frame length incl. FCS (statistics)
    reg  [7:0]  ff_flags [0:(1<<FF_LOG2)-1];   // {IPE, TCPE, IPCS, TCPCS, CE, RXE, broadcast, multicast}
    reg  [FF_LOG2:0] ff_wr;   // next entry the frame engine fills
    reg  [FF_LOG2:0] ff_pl;   // frames before it have all payload OKAY
    reg  [FF_LOG2:0] ff_wb;   // frame whose write-backs are being issued
    reg  [FF_LOG2:0] ff_rd;   // oldest frame not yet committed
    wire        ff_full = ((ff_wr - ff_rd) == {1'b1, {FF_LOG2{1'b0}}});

    // Available descriptors for the head frame (owned, not yet given to a frame).
    wire [15:0] ahead_a   = ring_dist(iss_head, alloc_idx, ring_n);
    wire [15:0] avail     = (own_n > ahead_a) ? (own_n - ahead_a) : 16'd0;

    wire        fe_take   = (fe_st == FE_IDLE) && pb_meta_valid && run_ok && (m_need <= avail) && !ff_full;
    wire        fe_nobuf  = (fe_st == FE_IDLE) && pb_meta_valid && run_ok && (m_need > avail);
    wire        fe_off    = (fe_st == FE_IDLE) && pb_meta_valid && (eng_st == E_OFF) && !resetting && !sw_rst;
    wire        seg_go    = (fe_st == FE_SEG) && run_ok && (dc_count != {(DC_LOG2+1){1'b0}});
    assign pb_meta_pop    = fe_take || fe_nobuf || fe_off;

    // Committed frames in the packet buffer (RNRXOFF counts them when CTRL.RST empties it).
    reg  [PB_LOG2:0] pb_frames;
    always @(posedge clk) begin
        if (rst || flush_now) pb_frames <= {(PB_LOG2+1){1'b0}};
        else                  pb_frames <= pb_frames + {{PB_LOG2{1'b0}}, pb_commit}
                                                     - {{PB_LOG2{1'b0}}, pb_meta_pop};
    end

    // ================================================================ AW stage
    reg         aw_v;
    reg  [31:0] aw_addr_q;
    reg  [7:0]  aw_len_q;
    reg  [1:0]  aw_j_kind;         // the W job pushed at the AW handshake
    reg  [15:0] aw_j_n;
    reg         aw_j_new;
    reg  [2:0]  aw_j_shift;
    reg  [15:0] aw_j_len;
    reg  [63:0] aw_j_data;
    reg         aw_t_last;         // the B tag pushed at the AW handshake
    reg  [RW-1:0] aw_t_idx;

    wire        aw_hs   = aw_v && m_axi_awready;
    wire        aw_free = !aw_v || aw_hs;

    // W jobs (in AW order) and B tags (in AW order).
    reg  [1:0]  wj_kind  [0:(1<<WJ_LOG2)-1];
    reg  [15:0] wj_n     [0:(1<<WJ_LOG2)-1];   // W beats, or beats to discard
    reg         wj_new   [0:(1<<WJ_LOG2)-1];   // first burst of a buffer
    reg  [2:0]  wj_shift [0:(1<<WJ_LOG2)-1];   // buffer address mod 8
    reg  [15:0] wj_len   [0:(1<<WJ_LOG2)-1];   // buffer bytes
    reg  [63:0] wj_data  [0:(1<<WJ_LOG2)-1];   // write-back beat
    reg  [WJ_LOG2:0] wj_wr, wj_rd;
    wire [WJ_LOG2:0] wj_count = wj_wr - wj_rd;

    reg         bt_wb    [0:(1<<BT_LOG2)-1];
    reg         bt_last  [0:(1<<BT_LOG2)-1];   // last payload burst / last write-back of a frame
    reg  [RW-1:0] bt_idx [0:(1<<BT_LOG2)-1];
    reg  [BT_LOG2:0] bt_wr, bt_rd;
    wire [BT_LOG2:0] bt_count = bt_wr - bt_rd;

    wire        room_axi = ({{(16-WJ_LOG2-1){1'b0}}, wj_count} + {15'd0, aw_v} < (16'd1 << WJ_LOG2))
                        && ({{(16-BT_LOG2-1){1'b0}}, bt_count} + {15'd0, aw_v} < (16'd1 << BT_LOG2));

    // Write-back generator: descriptors of frame ff_wb, one per request.
    reg         wb_started;        // some write-backs of frame ff_wb are issued
    reg  [15:0] wb_idx_q, wb_rem_q;
    wire [FF_LOG2-1:0] ffw  = ff_wb[FF_LOG2-1:0];
    wire [15:0] wb_idx   = wb_started ? wb_idx_q : zx16(ff_first[ffw]);
    wire [15:0] wb_rem   = wb_started ? wb_rem_q : ff_wlen[ffw];
    wire [15:0] wb_bsize = 16'd1 << ff_blog2[ffw];
    wire        wb_eop   = (wb_rem <= wb_bsize);
    wire [15:0] wb_len   = wb_eop ? wb_rem : wb_bsize;
    // Length; DD; EOP, CE, RXE and the checksum bits on the frame's last descriptor, IXSM on the
    // others; csum and special 0.
    wire [3:0]  wf4      = wb_eop ? ff_flags[ffw][7:4] : 4'b0000;
    wire [4:0]  wf       = {wf4, !(wf4[1] || wf4[0])};                       // {.., IXSM}
    wire [63:0] wb_beat  = ({48'd0, wb_len} << (RN_RXD_LENGTH - WB_LO)) | WB_DONE[WB_LO +: 64]
                         | (wb_eop ? WB_EOP[WB_LO +: 64] : 64'd0)
                         | (wf[0] ? WB_IXSM[WB_LO +: 64] : 64'd0) | (wf[1] ? WB_TCPCS[WB_LO +: 64] : 64'd0)
                         | (wf[2] ? WB_IPCS[WB_LO +: 64] : 64'd0) | (wf[3] ? WB_TCPE[WB_LO +: 64] : 64'd0)
                         | (wf[4] ? WB_IPE[WB_LO +: 64] : 64'd0)
                         | ((wb_eop && ff_flags[ffw][3]) ? WB_CE[WB_LO +: 64] : 64'd0)
                         | ((wb_eop && ff_flags[ffw][2]) ? WB_RXE[WB_LO +: 64] : 64'd0);
    wire [31:0] wb_addr  = rdba + {12'd0, wb_idx, 4'd0} + WB_LO / 8;

    wire        wb_req   = run_ok && (ff_wb != ff_pl);
    wire        pl_req   = (fe_st == FE_BURST) && run_ok;
    wire        sk_req   = (fe_st == FE_SKIP);
    wire        grant_wb = aw_free && room_axi && wb_req;
    wire        grant_pl = aw_free && room_axi && pl_req && !wb_req;
    // A discard job enters the W job queue at once, a burst's job only at its AW handshake. The
    // room check of a burst counts the AW register but cannot see a discard pushed in the same
    // cycle, so a discard never shares its cycle with a grant: the two together could overfill
    // the queue and overwrite the job at its head (a burst's WLAST then comes at a wrong beat).
    wire        grant_sk = !aw_v && sk_req && !grant_wb && (wj_count != {1'b1, {WJ_LOG2{1'b0}}}) && !flush_now;

    // ================================================================ W streamer
    wire [WJ_LOG2-1:0] wjh = wj_rd[WJ_LOG2-1:0];
    wire        wj_valid = (wj_count != 0);
    wire [1:0]  j_kind   = wj_kind[wjh];
    wire [15:0] j_n      = wj_n[wjh];
    wire [2:0]  j_shift  = wj_shift[wjh];
    wire [15:0] j_len    = wj_len[wjh];

    reg  [7:0]  ws_beat;           // beat within the job (a burst: <= MAX_BURST_BEATS <= 256)
    reg  [15:0] ws_j;              // W beat within the buffer
    reg  [63:8] ws_prev;           // previous packet-buffer beat of this buffer (byte 0 is never shifted in)

    wire [15:0] ws_jj    = (wj_new[wjh] && (ws_beat == 8'd0)) ? 16'd0 : ws_j;
    wire [15:0] ws_npb   = (j_len + 16'd7) >> 3;                       // packet-buffer beats of the buffer
    wire [15:0] ws_endb  = {13'd0, j_shift} + j_len - 16'd1;           // last byte's offset from the aligned start
    wire        ws_need  = (ws_jj < ws_npb);                           // this W beat takes a new packet-buffer beat
    wire        ws_first = (ws_jj == 16'd0);
    wire        ws_lastb = (ws_jj == (ws_endb >> 3));
    wire [7:0]  ws_lo    = ws_first ? (8'hFF << j_shift) : 8'hFF;
    wire [7:0]  ws_hi    = ws_lastb ? (8'hFF >> (3'd7 - ws_endb[2:0])) : 8'hFF;
    wire [63:0] ws_cur   = ws_need ? pb_rd_data : 64'd0;
    // The buffer's bytes shifted up by j_shift: {this beat, the previous one's top bytes}; one
    // shifter of the pair (a shift of each and their OR took about twice the LUTs).
    wire [119:0] ws_pair = {ws_cur, ws_prev} << {j_shift, 3'b000};
    wire [63:0] ws_data  = ws_pair[119:56];
    wire        ws_last  = ({8'd0, ws_beat} == j_n - 16'd1);

    wire        w_data   = wj_valid && (j_kind == J_DATA);
    wire        w_wb     = wj_valid && (j_kind == J_WB);
    wire        w_skip   = wj_valid && (j_kind == J_SKIP);

    assign m_axi_wvalid = w_wb || (w_data && (!ws_need || pb_rd_valid));
    assign m_axi_wdata  = w_wb ? wj_data[wjh] : ws_data;
    assign m_axi_wstrb  = w_wb ? 8'hFF : (ws_lo & ws_hi);
    assign m_axi_wlast  = w_wb || ws_last;
    wire        w_hs     = m_axi_wvalid && m_axi_wready;
    // A discard job covers committed beats only (its frame's metadata is popped): the packet
    // buffer drops them all in one cycle.
    wire        sk_pop   = w_skip;
    assign pb_skip   = sk_pop;
    assign pb_skip_n = j_n[PB_LOG2:0];
    assign pb_pop = w_hs && w_data && ws_need;
    wire        wj_pop   = (w_hs && m_axi_wlast) || sk_pop;

    // ================================================================ B responses and commit
    wire [BT_LOG2-1:0] bth = bt_rd[BT_LOG2-1:0];
    wire        b_hs     = m_axi_bvalid;             // bready is always 1
    wire        b_err    = b_hs && m_axi_bresp[1];
    wire        b_wb     = bt_wb[bth];
    wire        b_last   = bt_last[bth];
    wire [15:0] b_idx    = zx16(bt_idx[bth]);
    reg         wb_bad;            // a write-back of the frame being committed failed

    wire [FF_LOG2-1:0] ffr = ff_rd[FF_LOG2-1:0];
    // Nothing is reported from the CTRL.RST cycle on: the register file would apply it after its reset.
    wire        mute     = resetting || sw_rst;
    wire        commit   = b_hs && b_wb && b_last && !b_err && !wb_bad && !mute;
    wire        lost_wb  = b_hs && b_wb && b_last && (b_err || wb_bad) && !mute;
    wire [15:0] new_head = ring_add(b_idx, 16'd1, ring_n);
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
                err_ev = 1'b1; err_code = RN_RNRXERR_CODE_BAD_RING;  err_idx = start_try ? rdh : hw_head;
            end else if (bad_bsize) begin
                err_ev = 1'b1; err_code = RN_RNRXERR_CODE_BAD_BSIZE; err_idx = start_try ? rdh : hw_head;
            end else if (bad_tail) begin
                err_ev = 1'b1; err_code = RN_RNRXERR_CODE_BAD_TAIL;  err_idx = rdt;
            end
        end
        if (r_err) begin
            err_ev = 1'b1; err_code = RN_RNRXERR_CODE_DESC_READ; err_idx = rd_idx;
        end
        if (b_err) begin
            err_ev   = 1'b1;
            err_code = b_wb ? RN_RNRXERR_CODE_WB_WRITE : RN_RNRXERR_CODE_DATA_WRITE;
            err_idx  = b_idx;
        end
    end

    wire        err_take = err_ev && err_none && !resetting && !sw_rst;
    wire        stop_req = sw_rst || !rx_en || err_ev;
    assign run_ok = (eng_st == E_RUN) && !stop_req;

    // Nothing of ours on the bus (no B outstanding also means no W job of a burst left, only
    // discards); for a stop also no discard left and the frame engine between frames.
    wire        quiet_bus = !rd_busy && !aw_v && (bt_count == {(BT_LOG2+1){1'b0}});
    wire        quiet     = quiet_bus && !wj_valid && (fe_st == FE_IDLE);
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

    // ================================================================ descriptor prefetch
    always @(posedge clk) begin
        if (rst) begin
            ar_v     <= 1'b0;
            rd_busy  <= 1'b0;
            rd_odd   <= 1'b0;
            rd_lo_ok <= 1'b0;
            dc_wr    <= {(DC_LOG2+1){1'b0}};
            rd_idx   <= 16'd0;
        end else begin
            if (ar_hs)
                ar_v <= 1'b0;
            if (fetch_go) begin
                ar_v      <= 1'b1;
                ar_addr_q <= f_addr;
                ar_len_q  <= {f_n[6:0] - 7'd1, 1'b1};  // 2 beats per descriptor, minus 1
                rd_busy   <= 1'b1;
                rd_idx    <= fetch_idx;
                rd_odd    <= 1'b0;
            end
            if (r_hs) begin
                if (!rd_odd) begin
                    dcache[dc_wr[DC_LOG2-1:0]] <= m_axi_rdata[RN_RXD_BUFFER_ADDR +: 32];
                    rd_lo_ok <= !m_axi_rresp[1];
                end else begin
                    // Both halves OKAY and still running: the descriptor is usable.
                    if (rd_lo_ok && !m_axi_rresp[1] && (eng_st == E_RUN))
                        dc_wr <= dc_wr + 1'b1;
                    rd_idx <= ring_add(rd_idx, 16'd1, ring_n);
                end
                rd_odd <= !rd_odd;
                if (m_axi_rlast)
                    rd_busy <= 1'b0;
            end
            if (start_try && !err_ev)
                dc_wr <= {(DC_LOG2+1){1'b0}};
        end
    end

    assign m_axi_arid    = AXI_ID[AXI_ID_WIDTH-1:0];
    assign m_axi_araddr  = {{(AXI_ADDR_WIDTH-32){1'b0}}, ar_addr_q};
    assign m_axi_arlen   = ar_len_q;
    assign m_axi_arsize  = AXI_SIZE8;
    assign m_axi_arburst = AXI_INCR;
    assign m_axi_arlock  = 1'b0;
    assign m_axi_arcache = 4'b0011;      // normal, non-cacheable, bufferable
    assign m_axi_arprot  = 3'b010;      // unprivileged, non-secure, data (as TX)
    assign m_axi_arvalid = ar_v;
    assign m_axi_rready  = 1'b1;

    // ================================================================ ring pointers
    always @(posedge clk) begin
        if (rst) begin
            hw_head    <= 16'd0;
            iss_head   <= 16'd0;
            alloc_idx  <= 16'd0;
            fetch_idx  <= 16'd0;
            rdh_we     <= 1'b0;
            rdh_settle <= 1'b0;
        end else begin
            rdh_we     <= commit;
            rdh_settle <= commit || rdh_we;
            if (commit) begin
                hw_head <= new_head;
            end
            if (grant_wb && wb_eop)
                iss_head <= ring_add(wb_idx, 16'd1, ring_n);
            if (fetch_go)
                fetch_idx <= ring_add(fetch_idx, f_n, ring_n);
            if (fe_take)
                alloc_idx <= ring_add(alloc_idx, m_need, ring_n);
            if (start_try && !err_ev) begin
                hw_head   <= rdh_rw;
                iss_head  <= rdh_rw;
                alloc_idx <= rdh_rw;
                fetch_idx <= rdh_rw;
            end
        end
    end

    // ================================================================ frame engine
    always @(posedge clk) begin
        if (rst) begin
            fe_st       <= FE_IDLE;
            dc_rd       <= {(DC_LOG2+1){1'b0}};
            ff_wr       <= {(FF_LOG2+1){1'b0}};
        end else begin
            case (fe_st)
                FE_IDLE: begin
                    if (fe_take) begin
                        // Descriptors [alloc_idx, alloc_idx + m_need) are this frame's.
                        ff_first[ff_wr[FF_LOG2-1:0]] <= alloc_idx[RW-1:0];
                        ff_wlen [ff_wr[FF_LOG2-1:0]] <= m_wlen;
                        ff_blog2[ff_wr[FF_LOG2-1:0]] <= cfg_blog2;
                        ff_flen [ff_wr[FF_LOG2-1:0]] <= m_len;
                        ff_flags[ff_wr[FF_LOG2-1:0]] <= {pb_meta[23:20], m_ce, m_rxe, m_bcast, m_mcast};
                        ff_wr      <= ff_wr + 1'b1;
                        fe_rem     <= m_wlen;
                        fe_blog2   <= cfg_blog2;
                        fe_pb_left <= m_beats;
                        fe_idx     <= alloc_idx;
                        fe_st      <= FE_SEG;
                    end else if (fe_nobuf || fe_off) begin
                        // Dropped in the adapter: discard its beats.
                        fe_skip_n  <= m_beats;
                        fe_st      <= FE_SKIP;
                    end
                end
                FE_SEG: begin
                    if (!run_ok) begin
                        // Abandon the frame: discard what no W job will take.
                        fe_skip_n <= fe_pb_left;
                        fe_st     <= (fe_pb_left != 16'd0) ? FE_SKIP : FE_IDLE;
                    end else if (seg_go) begin
                        fe_addr     <= dcache[dc_rd[DC_LOG2-1:0]];
                        fe_shift    <= dcache[dc_rd[DC_LOG2-1:0]][2:0];
                        fe_seg_len  <= min16(fe_rem, fe_bsize);
                        fe_seg_eop  <= (fe_rem <= fe_bsize);
                        fe_out_left <= ({13'd0, dcache[dc_rd[DC_LOG2-1:0]][2:0]} + min16(fe_rem, fe_bsize) + 16'd7) >> 3;
                        fe_seg_pb   <= (min16(fe_rem, fe_bsize) + 16'd7) >> 3;
                        fe_rem      <= fe_rem - min16(fe_rem, fe_bsize);
                        fe_seg_new  <= 1'b1;
                        dc_rd       <= dc_rd + 1'b1;
                        fe_st       <= FE_BURST;
                    end
                end
                FE_BURST: begin
                    if (grant_pl) begin
                        fe_addr     <= {fe_addr[31:3], 3'b000} + {13'd0, fe_n, 3'b000};
                        fe_out_left <= fe_out_left - fe_n;
                        fe_seg_pb   <= fe_seg_pb - fe_n_pb;
                        fe_pb_left  <= fe_pb_left - fe_n_pb;
                        fe_seg_new  <= 1'b0;
                        if (fe_out_left == fe_n) begin
                            if (fe_seg_eop) begin
                                // SECRC can leave a beat holding only FCS bytes.
                                fe_skip_n <= fe_pb_left - fe_n_pb;
                                fe_st     <= (fe_pb_left != fe_n_pb) ? FE_SKIP : FE_IDLE;
                            end else begin
                                fe_idx <= ring_add(fe_idx, 16'd1, ring_n);
                                fe_st  <= FE_SEG;
                            end
                        end
                    end else if (!run_ok) begin
                        fe_skip_n <= fe_pb_left;
                        fe_st     <= (fe_pb_left != 16'd0) ? FE_SKIP : FE_IDLE;
                    end
                end
                FE_SKIP: begin
                    if (grant_sk)
                        fe_st <= FE_IDLE;
                end
                /* verilator coverage_off */  // unreachable: every state is decoded above
                default: fe_st <= FE_IDLE;
                /* verilator coverage_on */
            endcase
            if (flush_now)
                fe_st <= FE_IDLE;
            if (start_try && !err_ev) begin
                dc_rd <= {(DC_LOG2+1){1'b0}};
                ff_wr <= {(FF_LOG2+1){1'b0}};
            end
        end
    end

    // ================================================================ AW stage
    always @(posedge clk) begin
        if (rst) begin
            aw_v       <= 1'b0;
            wb_started <= 1'b0;
            ff_wb      <= {(FF_LOG2+1){1'b0}};
        end else begin
            if (aw_hs)
                aw_v <= 1'b0;
            if (grant_wb) begin
                aw_v       <= 1'b1;
                aw_addr_q  <= wb_addr;
                aw_len_q   <= 8'd0;
                aw_j_kind  <= J_WB;
                aw_j_n     <= 16'd1;
                aw_j_new   <= 1'b0;
                aw_j_shift <= 3'd0;
                aw_j_len   <= 16'd0;
                aw_j_data  <= wb_beat;
                aw_t_last  <= wb_eop;
                aw_t_idx   <= wb_idx[RW-1:0];
                if (wb_eop) begin
                    wb_started <= 1'b0;
                    ff_wb      <= ff_wb + 1'b1;
                end else begin
                    wb_started <= 1'b1;
                    wb_idx_q   <= ring_add(wb_idx, 16'd1, ring_n);
                    wb_rem_q   <= wb_rem - wb_bsize;
                end
            end else if (grant_pl) begin
                aw_v       <= 1'b1;
                aw_addr_q  <= fe_addr;
                aw_len_q   <= fe_n[7:0] - 8'd1;
                aw_j_kind  <= J_DATA;
                aw_j_n     <= fe_n;
                aw_j_new   <= fe_seg_new;
                aw_j_shift <= fe_shift;
                aw_j_len   <= fe_seg_len;
                aw_j_data  <= 64'd0;
                aw_t_last  <= fe_seg_eop && (fe_out_left == fe_n);
                aw_t_idx   <= fe_idx[RW-1:0];
            end
            if (start_try && !err_ev) begin
                wb_started <= 1'b0;
                ff_wb      <= {(FF_LOG2+1){1'b0}};
            end
        end
    end

    assign m_axi_awid    = AXI_ID[AXI_ID_WIDTH-1:0];
    assign m_axi_awaddr  = {{(AXI_ADDR_WIDTH-32){1'b0}}, aw_addr_q};
    assign m_axi_awlen   = aw_len_q;
    assign m_axi_awsize  = AXI_SIZE8;
    assign m_axi_awburst = AXI_INCR;
    assign m_axi_awlock  = 1'b0;
    assign m_axi_awcache = 4'b0011;      // normal, non-cacheable, bufferable
    assign m_axi_awprot  = 3'b010;
    assign m_axi_awvalid = aw_v;

    // ================================================================ W job and B tag queues
    always @(posedge clk) begin
        if (rst) begin
            wj_wr <= {(WJ_LOG2+1){1'b0}};
            bt_wr <= {(BT_LOG2+1){1'b0}};
        end else if (flush_now) begin
            wj_wr <= wj_rd;                  // only discards are left: drop them with the buffer
        end else begin
            if (aw_hs) begin
                wj_kind [wj_wr[WJ_LOG2-1:0]] <= aw_j_kind;
                wj_n    [wj_wr[WJ_LOG2-1:0]] <= aw_j_n;
                wj_new  [wj_wr[WJ_LOG2-1:0]] <= aw_j_new;
                wj_shift[wj_wr[WJ_LOG2-1:0]] <= aw_j_shift;
                wj_len  [wj_wr[WJ_LOG2-1:0]] <= aw_j_len;
                wj_data [wj_wr[WJ_LOG2-1:0]] <= aw_j_data;
                wj_wr <= wj_wr + 1'b1;
                bt_wb  [bt_wr[BT_LOG2-1:0]] <= (aw_j_kind == J_WB);
                bt_last[bt_wr[BT_LOG2-1:0]] <= aw_t_last;
                bt_idx [bt_wr[BT_LOG2-1:0]] <= aw_t_idx;
                bt_wr <= bt_wr + 1'b1;
            end else if (grant_sk) begin
                wj_kind [wj_wr[WJ_LOG2-1:0]] <= J_SKIP;
                wj_n    [wj_wr[WJ_LOG2-1:0]] <= fe_skip_n;
                wj_new  [wj_wr[WJ_LOG2-1:0]] <= 1'b0;
                wj_shift[wj_wr[WJ_LOG2-1:0]] <= 3'd0;
                wj_len  [wj_wr[WJ_LOG2-1:0]] <= 16'd0;
                wj_data [wj_wr[WJ_LOG2-1:0]] <= 64'd0;
                wj_wr <= wj_wr + 1'b1;
            end
        end
    end

    // ================================================================ W streamer
    always @(posedge clk) begin
        if (rst) begin
            wj_rd   <= {(WJ_LOG2+1){1'b0}};
            ws_beat <= 8'd0;
            ws_j    <= 16'd0;
            ws_prev <= 56'd0;
        end else begin
            if (w_hs && w_data) begin
                ws_j <= ws_jj + 16'd1;
                if (ws_need)
                    ws_prev <= pb_rd_data[63:8];
            end
            if (w_hs && w_data)
                ws_beat <= ws_last ? 8'd0 : (ws_beat + 8'd1);
            if (wj_pop)
                wj_rd <= wj_rd + 1'b1;
            if (flush_now) begin
                wj_rd   <= wj_rd;
                ws_beat <= 8'd0;
            end
        end
    end

    // ================================================================ B responses
    always @(posedge clk) begin
        if (rst) begin
            bt_rd  <= {(BT_LOG2+1){1'b0}};
            ff_pl  <= {(FF_LOG2+1){1'b0}};
            ff_rd  <= {(FF_LOG2+1){1'b0}};
            wb_bad <= 1'b0;
        end else begin
            if (b_hs && (bt_count != 0)) begin
                bt_rd <= bt_rd + 1'b1;
                if (!b_wb && b_last && !b_err)
                    ff_pl <= ff_pl + 1'b1;
                if (b_wb) begin
                    if (b_last) begin
                        ff_rd  <= ff_rd + 1'b1;
                        wb_bad <= 1'b0;
                    end else if (b_err) begin
                        wb_bad <= 1'b1;
                    end
                end
            end
            if (start_try && !err_ev) begin
                ff_pl  <= {(FF_LOG2+1){1'b0}};
                ff_rd  <= {(FF_LOG2+1){1'b0}};
                wb_bad <= 1'b0;
            end
        end
    end

    assign m_axi_bready = 1'b1;

    // ================================================================ interrupts and statistics
    wire rxt0;
    ringnic_intr_delay u_intr (
        .clk        (clk),
        .rst        (rst || sw_rst),
        .tick       (intr_tick),
        .ev         (commit),
        .now        (1'b0),
        .pkt_dly    (rdtr),
        .abs_dly    (radv),
        .flush      (rdtr_fpd),
        .fire       (rxt0)
    );

    wire [3:0] cf = ff_flags[ffr][3:0];           // flags of the frame being committed
    wire       cgood = !cf[3] && !cf[2];

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
                      + (drain_done ? {1'b0, ff_wr - ff_rd} : {(FF_LOG2+2){1'b0}})
                      + {{(FF_LOG2+1){1'b0}}, lost_wb}
                      - {{(FF_LOG2+1){1'b0}}, (!mpc_now && (mpc_debt != {(FF_LOG2+2){1'b0}}))};
    end

    always @(posedge clk) begin
        if (rst) begin
            intr_set      <= 32'd0;
            stat_inc_mpc  <= 1'b0;
            stat_inc_rnbc <= 1'b0;
            stat_off_add  <= 16'd0;
            stat_inc_gprc <= 1'b0;
            stat_inc_bprc <= 1'b0;
            stat_inc_mprc <= 1'b0;
            stat_gorc_add <= 16'd0;
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
                                        + ((eng_st != E_OFF) ? {{(15-FF_LOG2){1'b0}}, ff_wr - ff_rd} : 16'd0)
                                        + {{(14-FF_LOG2){1'b0}}, mpc_debt}) : 16'd0);
            stat_inc_gprc <= commit && cgood;
            stat_inc_bprc <= commit && cgood && cf[1];
            stat_inc_mprc <= commit && cgood && cf[0];
            stat_gorc_add <= (commit && cgood) ? ff_flen[ffr] : 16'd0;
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

    // IDs: this master issues one ID, responses are ordered. Upper descriptor halves and the
    // upper 32 bits of buffer addresses are not used (32-bit DMA). rdt_wr: RDT is read as a level.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, m_axi_bid, m_axi_rid, m_axi_rdata[63:32], rdt_wr, m_axi_rresp[0],
                       m_axi_bresp[0], m_need_w[16], ws_pair[55:0]};
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
