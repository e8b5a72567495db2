`default_nettype none
`timescale 1ns/1ps

// ringnic_regs: the AXI4-Lite slave and the 8254x (e1000) style register file.
//
// Every offset, reset value and bit mask comes from rtl/ringnic_regmap.vh, generated from
// rtl/ringnic_regs.rdl; no offset or mask is written out here. (Not in the header, so given
// here: the MTA length, the export port widths, the RAL/RAH byte order of the MAC address.) Semantics follow QEMU's
// hw/net/e1000.c and the Intel 8254x SDM chapter 13 (register descriptions, statistics).
//
// The AXI4-Lite handshakes, OKAY/SLVERR and the protocol monitor are ringnic_axil_port's; here
// the RDL's words (is_reg), their storage, side effects and read values. Unstrobed bytes are not
// written; for W1C/W1S/W1-pulse registers they count as 0. Writes to read-only registers and reads
// of write-only registers answer OKAY (ignored / 0).

module ringnic_regs #(
    parameter [47:0]  MAC_ADDR        = 48'h02_0A_35_00_00_01, // reset MAC address, transmission order: first octet in bits 47:40
    parameter integer AXIL_ADDR_WIDTH = 17,  // AXI4-Lite address width, bits; >= 17 (the 128 KiB window), higher bits must be 0
    parameter integer AXI_ADDR_WIDTH  = 32,  // DMA master address width, bits (RNCAPS.ADDR_W)
    parameter integer AXI_DATA_WIDTH  = 64,  // DMA master data width, bits (RNCAPS.DMA_LOG2 = log2 of its bytes)
    parameter integer AXIS_DATA_WIDTH = 64,  // MAC-side stream width, bits (RNCAPS.AXIS_LOG2 = log2 of its bytes)
    parameter integer RING_LOG2       = 12,  // log2 of the largest ring, descriptors (RNCAPS.RING_LOG2)
    parameter integer TX_PRESENT      = 1,   // 1 when a TX descriptor engine is built, flag (RNCAPS.TX)
    parameter integer RX_PRESENT      = 1    // 1 when an RX descriptor engine is built, flag (RNCAPS.RX)
) (
    input  wire                       clk,
    input  wire                       rst,             // synchronous, active high
    input  wire                       itr_tick,        // one-clock pulse every 256 ns (ringnic_tick): ITR's unit

    // ------------------------------------------------------------ AXI4-Lite slave
    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_awaddr,
    input  wire [2:0]                 s_axil_awprot,
    input  wire                       s_axil_awvalid,
    output wire                       s_axil_awready,
    input  wire [31:0]                s_axil_wdata,
    input  wire [3:0]                 s_axil_wstrb,
    input  wire                       s_axil_wvalid,
    output wire                       s_axil_wready,
    output wire [1:0]                 s_axil_bresp,
    output wire                       s_axil_bvalid,
    input  wire                       s_axil_bready,
    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_araddr,
    input  wire [2:0]                 s_axil_arprot,
    input  wire                       s_axil_arvalid,
    output wire                       s_axil_arready,
    output wire [31:0]                s_axil_rdata,
    output wire [1:0]                 s_axil_rresp,
    output wire                       s_axil_rvalid,
    input  wire                       s_axil_rready,

    // ------------------------------------------------------------ hardware side (engines)
    input  wire [31:0]                intr_set,        // cause bits to set in ICR, one-cycle pulses; beat any clear
    input  wire                       tdh_we,          // TX engine advances TDH; wins over a software write
    input  wire [15:0]                tdh_in,
    input  wire                       rdh_we,          // RX engine advances RDH; wins over a software write
    input  wire [15:0]                rdh_in,
    // One increment per cycle per 32-bit statistics counter. Bit order:
    //   0 CRCERRS, 1 MPC, 2 GPRC, 3 BPRC, 4 MPRC, 5 GPTC, 6 RNBC, 7 RUC, 8 ROC,
    //   9 TPR, 10 TPT, 11 MPTC, 12 BPTC, 13 RXERRC, 14 ECOL.
    input  wire [14:0]                stat_inc,
    input  wire [15:0]                stat_gorc_add,   // octets to add to GORC (64-bit pair) this cycle
    input  wire [15:0]                stat_gotc_add,   // octets to add to GOTC
    input  wire [15:0]                stat_tor_add,    // octets to add to TOR
    input  wire [15:0]                stat_tot_add,    // octets to add to TOT
    input  wire [31:0]                txerr,           // RNTXERR as the TX engine holds it ({IDX, CODE})
    input  wire [31:0]                rxerr,           // RNRXERR as the RX engine holds it
    input  wire [15:0]                rxoff_add,       // frames to add to RNRXOFF this cycle (receiver off)
    input  wire [15:0]                txrst_add,       // frames to add to RNTXRST this cycle (dropped by CTRL.RST)
    input  wire [11:0]                mta_bit,         // multicast hash: MTA word [11:5], bit [4:0]
    input  wire                       dma_busy,        // an engine's DMA is active (STATUS.GIO_MASTER_EN)
    input  wire                       phy_link,        // the PHY's link status, asynchronous (synchronised here)
    output reg                        mta_hit,         // that MTA bit, one cycle later

    output reg                        sw_rst,          // one-cycle pulse: CTRL.RST was written 1
    output wire                       irq,             // level: |(ICR & IMS), registered, ITR-throttled
    output wire                       link_up,         // STATUS.LU: phy_link && CTRL.SLU
    output wire [47:0]                mac_addr,        // RAL0/RAH0, transmission order (first octet 47:40)
    output wire                       mac_valid,       // RAH0.AV
    output wire [31:0]                ip4_addr,        // IP4AT0 (first octet in bits 7:0)
    output wire                       ip4_valid,       // IPAV.V40

    output reg  [31:0]                tdba,            // TDBAL: TX ring base, bytes (bits 3:0 are 0)
    output reg  [19:0]                tdlen,           // TDLEN: TX ring length, bytes (multiple of 128)
    output reg  [15:0]                tdh,             // TDH: TX head index
    output reg  [15:0]                tdt,             // TDT: TX tail index (the doorbell)
    output reg                        tdt_wr,          // one-cycle pulse after a software write to TDT
    output reg                        tring_wr,        // one-cycle pulse after a software write to TDBAL, TDLEN or TDH
    output reg  [31:0]                tctl,            // TCTL
    output reg                        tctl_wr,         // one-cycle pulse after a software write to TCTL
    output reg  [31:0]                tipg,            // TIPG
    output reg  [15:0]                tidv,            // TIDV: TX interrupt delay, 1.024 us units
    output reg  [15:0]                tadv,            // TADV: TX absolute interrupt delay, 1.024 us units

    output reg  [31:0]                rdba,            // RDBAL: RX ring base, bytes (bits 3:0 are 0)
    output reg  [19:0]                rdlen,           // RDLEN: RX ring length, bytes (multiple of 128)
    output reg  [15:0]                rdh,             // RDH: RX head index
    output reg  [15:0]                rdt,             // RDT: RX tail index
    output reg                        rdt_wr,          // one-cycle pulse after a software write to RDT
    output reg  [31:0]                rctl,            // RCTL
    output reg                        rctl_wr,         // one-cycle pulse after a software write to RCTL
    output wire [1:0]                 rxcsum_en,       // RXCSUM {TUOFLD, IPOFLD}
    output reg  [15:0]                rdtr,            // RDTR.DELAY: RX delay timer, 1.024 us units
    output reg                        rdtr_fpd,        // one-cycle pulse: RDTR.FPD (flush partial block) written 1
    output reg  [15:0]                radv,            // RADV: RX absolute interrupt delay, 1.024 us units
    output reg  [15:0]                itr              // ITR: min inter-interrupt interval, 256 ns units
);

`include "ringnic_regmap.vh"

    // ================================================================ constants
    // The generated header has no array length: MTA[128] in the RDL (test_regs_rdl_walk checks it).
    localparam integer  MTA_WORDS   = RN_MTA_COUNT;
    localparam integer  MTA_SPAN_I  = MTA_WORDS * 4;      // bytes the array covers
    localparam [16:0]   MTA_SPAN    = MTA_SPAN_I[16:0];

    // Bits a plain write stores: writable and readable. Write-only single-pulse bits (CTRL.RST,
    // RDTR.FPD) are WMASK & ~RMASK and never stored.
    localparam [31:0] ST_CTRL   = RN_CTRL_WMASK   & RN_CTRL_RMASK;
    localparam [31:0] ST_ITR    = RN_ITR_WMASK    & RN_ITR_RMASK;
    localparam [31:0] ST_RCTL   = RN_RCTL_WMASK   & RN_RCTL_RMASK;
    localparam [31:0] ST_TCTL   = RN_TCTL_WMASK   & RN_TCTL_RMASK;
    localparam [31:0] ST_TIPG   = RN_TIPG_WMASK   & RN_TIPG_RMASK;
    localparam [31:0] ST_RDBAL  = RN_RDBAL_WMASK  & RN_RDBAL_RMASK;
    localparam [31:0] ST_RDLEN  = RN_RDLEN_WMASK  & RN_RDLEN_RMASK;
    localparam [31:0] ST_RDH    = RN_RDH_WMASK    & RN_RDH_RMASK;
    localparam [31:0] ST_RDT    = RN_RDT_WMASK    & RN_RDT_RMASK;
    localparam [31:0] ST_RDTR   = RN_RDTR_WMASK   & RN_RDTR_RMASK;
    localparam [31:0] ST_RADV   = RN_RADV_WMASK   & RN_RADV_RMASK;
    localparam [31:0] ST_TDBAL  = RN_TDBAL_WMASK  & RN_TDBAL_RMASK;
    localparam [31:0] ST_TDLEN  = RN_TDLEN_WMASK  & RN_TDLEN_RMASK;
    localparam [31:0] ST_TDH    = RN_TDH_WMASK    & RN_TDH_RMASK;
    localparam [31:0] ST_TDT    = RN_TDT_WMASK    & RN_TDT_RMASK;
    localparam [31:0] ST_TIDV   = RN_TIDV_WMASK   & RN_TIDV_RMASK;
    localparam [31:0] ST_TADV   = RN_TADV_WMASK   & RN_TADV_RMASK;
    localparam [31:0] ST_MTA    = RN_MTA_WMASK    & RN_MTA_RMASK;
    localparam [31:0] ST_RAL0   = RN_RAL0_WMASK   & RN_RAL0_RMASK;
    localparam [31:0] ST_RAH0   = RN_RAH0_WMASK   & RN_RAH0_RMASK;
    localparam [31:0] ST_IPAV   = RN_IPAV_WMASK   & RN_IPAV_RMASK;
    localparam [31:0] ST_IP4AT0 = RN_IP4AT0_WMASK & RN_IP4AT0_RMASK;
    localparam [31:0] ST_RXCSUM = RN_RXCSUM_WMASK & RN_RXCSUM_RMASK;

    // ICR/ICS/IMS/IMC share the cause bits; only those in RN_ICR_RMASK exist.
    localparam [31:0] CAUSES = RN_ICR_RMASK;

    // RAL0/RAH0 reset from MAC_ADDR (the RDL's reset values are the default build's):
    // octet 0 in RAL0[7:0] ... octet 5 in RAH0[15:8], marked valid unless MAC_ADDR is 0 (no
    // address programmed, like a blank EEPROM: the driver then picks a random one).
    localparam [31:0] RAL0_RST = {MAC_ADDR[23:16], MAC_ADDR[31:24], MAC_ADDR[39:32], MAC_ADDR[47:40]};
    localparam [31:0] RAH0_RST = ({31'd0, MAC_ADDR != 48'd0} << RN_RAH0_AV)
                               | ({16'd0, MAC_ADDR[7:0], MAC_ADDR[15:8]} << RN_RAH0_RAH);

    // RNCAPS from the build parameters (each must fit its RDL field; masked to the register).
    localparam integer DMA_LOG2  = $clog2(AXI_DATA_WIDTH / 8);
    localparam integer AXIS_LOG2 = $clog2(AXIS_DATA_WIDTH / 8);
    localparam [31:0]  RNCAPS_VAL = RN_RNCAPS_RMASK & (
          (RING_LOG2       << RN_RNCAPS_RING_LOG2)
        | (DMA_LOG2        << RN_RNCAPS_DMA_LOG2)
        | (AXIS_LOG2       << RN_RNCAPS_AXIS_LOG2)
        | (AXI_ADDR_WIDTH  << RN_RNCAPS_ADDR_W)
        | (TX_PRESENT      << RN_RNCAPS_TX)
        | (RX_PRESENT      << RN_RNCAPS_RX));

    // Statistics counters: index = bit of stat_inc.
    localparam [4:0]   ST_CRCERRS = 5'd0;
    localparam [4:0]   ST_MPC     = 5'd1;
    localparam [4:0]   ST_GPRC    = 5'd2;
    localparam [4:0]   ST_BPRC    = 5'd3;
    localparam [4:0]   ST_MPRC    = 5'd4;
    localparam [4:0]   ST_GPTC    = 5'd5;
    localparam [4:0]   ST_RNBC    = 5'd6;
    localparam [4:0]   ST_RUC     = 5'd7;
    localparam [4:0]   ST_ROC     = 5'd8;
    localparam [4:0]   ST_TPR     = 5'd9;
    localparam [4:0]   ST_TPT     = 5'd10;
    localparam [4:0]   ST_MPTC    = 5'd11;
    localparam [4:0]   ST_BPTC    = 5'd12;
    localparam [4:0]   ST_RXERRC  = 5'd13;
    localparam [4:0]   ST_ECOL    = 5'd14;
    localparam [4:0]   ST_GORC    = 5'd15;   // the 64-bit pairs follow the 32-bit counters
    localparam [4:0]   ST_GOTC    = 5'd16;
    localparam [4:0]   ST_TOR     = 5'd17;
    localparam [4:0]   ST_TOT     = 5'd18;

    // ================================================================ helpers
    // Is this 17-bit, word-aligned offset a register of the RDL?
    function is_reg;
        input [16:0] f_off;
        reg   [16:0] f_rel;
        begin
            f_rel = f_off - RN_MTA;
            case (f_off)
                RN_CTRL, RN_STATUS, RN_ICR, RN_ITR, RN_ICS, RN_IMS, RN_IMC,
                RN_RCTL, RN_TCTL, RN_TIPG,
                RN_RDBAL, RN_RDBAH, RN_RDLEN, RN_RDH, RN_RDT, RN_RDTR, RN_RADV,
                RN_TDBAL, RN_TDBAH, RN_TDLEN, RN_TDH, RN_TDT, RN_TIDV, RN_TADV,
                RN_CRCERRS, RN_RXERRC, RN_MPC, RN_ECOL, RN_GPRC, RN_BPRC, RN_MPRC, RN_GPTC,
                RN_GORCL, RN_GORCH, RN_GOTCL, RN_GOTCH, RN_RNBC, RN_RUC, RN_ROC,
                RN_TORL, RN_TORH, RN_TOTL, RN_TOTH, RN_TPR, RN_TPT, RN_MPTC, RN_BPTC,
                RN_RAL0, RN_RAH0, RN_IPAV, RN_IP4AT0, RN_RXCSUM,
                RN_RNID, RN_RNVER, RN_RNCAPS, RN_RNTXERR, RN_RNRXERR, RN_RNRXOFF, RN_RNTXRST:
                    is_reg = 1'b1;
                default:
                    is_reg = (f_rel < MTA_SPAN) && (f_rel[1:0] == 2'b00);
            endcase
        end
    endfunction

    // ================================================================ AXI4-Lite port
    wire [16:0] wr_off, rd_off;
    wire        wr_en, rd_en;
    wire [31:0] wr_d;
    wire [3:0]  wr_strb;
    wire [31:0] wr_bm;              // byte-lane mask of the pending write
    reg  [31:0] rd_val;

    ringnic_axil_port #(.ADDR_WIDTH(AXIL_ADDR_WIDTH)) u_port (
        .clk(clk), .rst(rst), .hold(sw_rst),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awprot(s_axil_awprot), .s_axil_awvalid(s_axil_awvalid),
        .s_axil_awready(s_axil_awready), .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb),
        .s_axil_wvalid(s_axil_wvalid), .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp),
        .s_axil_bvalid(s_axil_bvalid), .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr),
        .s_axil_arprot(s_axil_arprot), .s_axil_arvalid(s_axil_arvalid), .s_axil_arready(s_axil_arready),
        .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp), .s_axil_rvalid(s_axil_rvalid),
        .s_axil_rready(s_axil_rready),
        .wr_off(wr_off), .wr_known(is_reg(wr_off)), .wr_en(wr_en), .wr_data(wr_d), .wr_strb(wr_strb),
        .wr_mask(wr_bm), .rd_off(rd_off), .rd_known(is_reg(rd_off)), .rd_en(rd_en), .rd_val(rd_val));

    // ================================================================ register storage
    reg  [31:0] ctrl;
    reg  [31:0] icr;
    reg  [31:0] ims;
    reg  [31:0] ral0;
    reg  [31:0] rah0;
    reg  [31:0] ipav;
    reg  [31:0] ip4at0;
    reg  [31:0] rxcsum;


    // MTA as a RAM plus one valid bit per word, so a (soft) reset clears it in one cycle.
    reg  [31:0]          mta [0:MTA_WORDS-1];
    reg  [MTA_WORDS-1:0] mta_vld;

    // ---------------------------------------------------------------- write decode
    wire wr_ctrl   = wr_en && (wr_off == RN_CTRL);
    wire wr_icr    = wr_en && (wr_off == RN_ICR);
    wire wr_itr    = wr_en && (wr_off == RN_ITR);
    wire wr_ics    = wr_en && (wr_off == RN_ICS);
    wire wr_ims    = wr_en && (wr_off == RN_IMS);
    wire wr_imc    = wr_en && (wr_off == RN_IMC);
    wire wr_rctl   = wr_en && (wr_off == RN_RCTL);
    wire wr_tctl   = wr_en && (wr_off == RN_TCTL);
    wire wr_tipg   = wr_en && (wr_off == RN_TIPG);
    wire wr_rdbal  = wr_en && (wr_off == RN_RDBAL);
    wire wr_rdlen  = wr_en && (wr_off == RN_RDLEN);
    wire wr_rdh    = wr_en && (wr_off == RN_RDH);
    wire wr_rdt    = wr_en && (wr_off == RN_RDT);
    wire wr_rdtr   = wr_en && (wr_off == RN_RDTR);
    wire wr_radv   = wr_en && (wr_off == RN_RADV);
    wire wr_tdbal  = wr_en && (wr_off == RN_TDBAL);
    wire wr_tdlen  = wr_en && (wr_off == RN_TDLEN);
    wire wr_tdh    = wr_en && (wr_off == RN_TDH);
    wire wr_tdt    = wr_en && (wr_off == RN_TDT);
    wire wr_tidv   = wr_en && (wr_off == RN_TIDV);
    wire wr_tadv   = wr_en && (wr_off == RN_TADV);
    wire wr_ral0   = wr_en && (wr_off == RN_RAL0);
    wire wr_rah0   = wr_en && (wr_off == RN_RAH0);
    wire wr_ipav   = wr_en && (wr_off == RN_IPAV);
    wire wr_ip4at0 = wr_en && (wr_off == RN_IP4AT0);
    wire wr_rxcsum = wr_en && (wr_off == RN_RXCSUM);

    wire [16:0] wr_mta_rel = wr_off - RN_MTA;
    wire        wr_mta     = wr_en && (wr_mta_rel < MTA_SPAN);
    wire [6:0]  wr_mta_idx = wr_mta_rel[8:2];
    // Byte lanes the write stores: the strobed ones; all four into a word not written since
    // reset, whose unstrobed bytes become 0 (wr_d is 0 there). No read port for the write.
    wire [3:0]  mta_we     = {4{wr_mta}} & (mta_vld[wr_mta_idx] ? wr_strb : 4'hF);

    // Write-1 registers: the strobed 1s.
    wire [31:0] icr_w1c = wr_icr ? (wr_d & RN_ICR_WMASK & CAUSES) : 32'd0;
    wire [31:0] ics_w1s = wr_ics ? (wr_d & RN_ICS_WMASK & CAUSES) : 32'd0;
    wire        rst_w1  = wr_ctrl && (wr_d[RN_CTRL_RST] & RN_CTRL_WMASK[RN_CTRL_RST]);
    wire        fpd_w1  = wr_rdtr && (wr_d[RN_RDTR_FPD] & RN_RDTR_WMASK[RN_RDTR_FPD]);

    // Byte-strobed write of a register held in its low W bits: unstrobed bytes and bits outside
    // the stored mask M keep their value.
`define RN_RW(q, W, M) q <= ((q) & ~(wr_bm[(W)-1:0] & M[(W)-1:0])) | (wr_d[(W)-1:0] & M[(W)-1:0])

    // ---------------------------------------------------------------- read decode (side effects)
    wire rd_icr   = rd_en && (rd_off == RN_ICR);

    // ---------------------------------------------------------------- control, rings, filters
    always @(posedge clk) begin
        if (rst || sw_rst) begin
            ctrl    <= RN_CTRL_RSTVAL & ST_CTRL;
            itr     <= RN_ITR_RSTVAL[15:0];
            rctl    <= RN_RCTL_RSTVAL;
            tctl    <= RN_TCTL_RSTVAL;
            tipg    <= RN_TIPG_RSTVAL;
            rdba    <= RN_RDBAL_RSTVAL;
            rdlen   <= RN_RDLEN_RSTVAL[19:0];
            rdh     <= RN_RDH_RSTVAL[15:0];
            rdt     <= RN_RDT_RSTVAL[15:0];
            rdtr    <= RN_RDTR_RSTVAL[15:0];
            radv    <= RN_RADV_RSTVAL[15:0];
            tdba    <= RN_TDBAL_RSTVAL;
            tdlen   <= RN_TDLEN_RSTVAL[19:0];
            tdh     <= RN_TDH_RSTVAL[15:0];
            tdt     <= RN_TDT_RSTVAL[15:0];
            tidv    <= RN_TIDV_RSTVAL[15:0];
            tadv    <= RN_TADV_RSTVAL[15:0];
            ral0    <= RAL0_RST;
            rah0    <= RAH0_RST;
            ipav    <= RN_IPAV_RSTVAL;
            ip4at0  <= RN_IP4AT0_RSTVAL;
            rxcsum  <= RN_RXCSUM_RSTVAL;
            mta_vld <= {MTA_WORDS{1'b0}};
            mta_hit <= 1'b0;
            tdt_wr  <= 1'b0;
            tring_wr <= 1'b0;
            rdt_wr  <= 1'b0;
            tctl_wr <= 1'b0;
            rctl_wr <= 1'b0;
            rdtr_fpd <= 1'b0;
        end else begin
            if (wr_ctrl)   `RN_RW(ctrl,   32, ST_CTRL);
            if (wr_itr)    `RN_RW(itr,    16, ST_ITR);
            if (wr_rctl)   `RN_RW(rctl,   32, ST_RCTL);
            if (wr_tctl)   `RN_RW(tctl,   32, ST_TCTL);
            if (wr_tipg)   `RN_RW(tipg,   32, ST_TIPG);
            if (wr_rdbal)  `RN_RW(rdba,   32, ST_RDBAL);
            if (wr_rdlen)  `RN_RW(rdlen,  20, ST_RDLEN);
            if (wr_rdt)    `RN_RW(rdt,    16, ST_RDT);
            if (wr_rdtr)   `RN_RW(rdtr,   16, ST_RDTR);
            if (wr_radv)   `RN_RW(radv,   16, ST_RADV);
            if (wr_tdbal)  `RN_RW(tdba,   32, ST_TDBAL);
            if (wr_tdlen)  `RN_RW(tdlen,  20, ST_TDLEN);
            if (wr_tdt)    `RN_RW(tdt,    16, ST_TDT);
            if (wr_tidv)   `RN_RW(tidv,   16, ST_TIDV);
            if (wr_tadv)   `RN_RW(tadv,   16, ST_TADV);
            if (wr_ral0)   `RN_RW(ral0,   32, ST_RAL0);
            if (wr_rah0)   `RN_RW(rah0,   32, ST_RAH0);
            if (wr_ipav)   `RN_RW(ipav,   32, ST_IPAV);
            if (wr_ip4at0) `RN_RW(ip4at0, 32, ST_IP4AT0);
            if (wr_rxcsum) `RN_RW(rxcsum, 32, ST_RXCSUM);

            // Heads belong to the engines: their update wins over a colliding software write.
            if (tdh_we)      tdh <= tdh_in & ST_TDH[15:0];
            else if (wr_tdh) `RN_RW(tdh, 16, ST_TDH);
            if (rdh_we)      rdh <= rdh_in & ST_RDH[15:0];
            else if (wr_rdh) `RN_RW(rdh, 16, ST_RDH);

            if (wr_mta) mta_vld[wr_mta_idx] <= 1'b1;
            mta_hit <= mta_vld[mta_bit[11:5]] & mta[mta_bit[11:5]][mta_bit[4:0]];

            // Doorbells and pulses for the engines, aligned with the new register value.
            tdt_wr   <= wr_tdt;
            tring_wr <= wr_tdbal || wr_tdlen || wr_tdh;
            rdt_wr   <= wr_rdt;
            tctl_wr  <= wr_tctl;
            rctl_wr  <= wr_rctl;
            rdtr_fpd <= fpd_w1;
        end
    end

    // MTA RAM write port, one enable per byte lane (no reset: mta_vld masks stale words).
    integer mb;
    always @(posedge clk) begin
        for (mb = 0; mb < 4; mb = mb + 1)
            if (mta_we[mb])
                mta[wr_mta_idx][8*mb +: 8] <= wr_d[8*mb +: 8] & ST_MTA[8*mb +: 8];
    end

`undef RN_RW

    // Soft reset: the cycle after the CTRL write with RST=1 (the write's BRESP is OKAY). It resets
    // the register file, not the bus logic; hardware inputs in that cycle are dropped (the engines
    // see the same pulse and reset too).
    always @(posedge clk) begin
        if (rst) sw_rst <= 1'b0;
        else     sw_rst <= rst_w1;
    end

    // ---------------------------------------------------------------- link (8254x 13.4.2, ICR.LSC)
    // STATUS.LU is the PHY's link while CTRL.SLU is set; each change of it, up or down, sets
    // ICR.LSC (QEMU e1000's set_link_status). lu_q tracks it from reset, so a reset raises none.
    // The PHY's pin is asynchronous to clk: two flops before anything looks at it, so the LU
    // compare and lu_q always see the same value (reset holds for more than two cycles).
    reg  [1:0] phy_sync;
    always @(posedge clk) phy_sync <= {phy_sync[0], phy_link};
    wire lu_now = phy_sync[1] && ctrl[RN_CTRL_SLU];
    reg  lu_q;
    always @(posedge clk) begin
        if (rst || sw_rst) lu_q <= phy_sync[1] && RN_CTRL_RSTVAL[RN_CTRL_SLU];
        else               lu_q <= lu_now;
    end
    wire [31:0] lsc_set = (lu_now != lu_q) ? (32'd1 << RN_ICR_LSC) : 32'd0;

    // ---------------------------------------------------------------- interrupts (QEMU e1000)
    // ICR: a read clears exactly the causes it returns; W1C clears; ICS and hardware set, and a
    // set beats a clear in the same cycle, so no cause is lost. IMS: W1S; IMC: W1C.
    always @(posedge clk) begin
        if (rst || sw_rst) begin
            icr <= RN_ICR_RSTVAL & CAUSES;
            ims <= RN_IMS_RSTVAL & CAUSES;
        end else begin
            icr <= (icr & ~(rd_icr ? icr : 32'd0) & ~icr_w1c) | ics_w1s | ((intr_set | lsc_set) & CAUSES);
            if (wr_ims) ims <= ims | (wr_d & RN_IMS_WMASK & CAUSES);
            if (wr_imc) ims <= ims & ~(wr_d & RN_IMC_WMASK & CAUSES);
        end
    end
    // The line: |(ICR & IMS) re-evaluated every cycle (a cause latched while masked fires on
    // unmask), registered and spaced by ITR in ringnic_itr.
    ringnic_itr u_itr (
        .clk(clk), .rst(rst || sw_rst), .tick(itr_tick), .pend(|(icr & ims)), .itr(itr), .irq(irq));

    // ---------------------------------------------------------------- statistics
    // The counters live in ringnic_stats (a RAM and one adder); here only which one a read
    // address names: index = bit of stat_inc, then the pairs GORC, GOTC, TOR, TOT.
    reg  [4:0]  st_idx;
    reg         st_hi;
    reg         st_sel;
    always @* begin
        st_sel = 1'b1;
        st_hi  = 1'b0;
        case (rd_off)
            RN_CRCERRS: st_idx = ST_CRCERRS;
            RN_MPC:     st_idx = ST_MPC;
            RN_GPRC:    st_idx = ST_GPRC;
            RN_BPRC:    st_idx = ST_BPRC;
            RN_MPRC:    st_idx = ST_MPRC;
            RN_GPTC:    st_idx = ST_GPTC;
            RN_RNBC:    st_idx = ST_RNBC;
            RN_RUC:     st_idx = ST_RUC;
            RN_ROC:     st_idx = ST_ROC;
            RN_TPR:     st_idx = ST_TPR;
            RN_TPT:     st_idx = ST_TPT;
            RN_MPTC:    st_idx = ST_MPTC;
            RN_BPTC:    st_idx = ST_BPTC;
            RN_RXERRC:  st_idx = ST_RXERRC;
            RN_ECOL:    st_idx = ST_ECOL;
            RN_GORCL:   st_idx = ST_GORC;
            RN_GORCH:   begin st_idx = ST_GORC; st_hi = 1'b1; end
            RN_GOTCL:   st_idx = ST_GOTC;
            RN_GOTCH:   begin st_idx = ST_GOTC; st_hi = 1'b1; end
            RN_TORL:    st_idx = ST_TOR;
            RN_TORH:    begin st_idx = ST_TOR;  st_hi = 1'b1; end
            RN_TOTL:    st_idx = ST_TOT;
            RN_TOTH:    begin st_idx = ST_TOT;  st_hi = 1'b1; end
            default:    begin st_idx = 5'd0;    st_sel = 1'b0; end
        endcase
    end

    wire [31:0] st_rdata;
    ringnic_stats #(.N32(15), .N64(4)) u_stats (
        .clk     (clk),
        .rst     (rst || sw_rst),
        .inc     (stat_inc),
        .add     ({stat_tot_add, stat_tor_add, stat_gotc_add, stat_gorc_add}),
        .rd      (rd_en && st_sel),
        .rd_idx  (st_idx),
        .rd_hi   (st_hi),
        .rd_data (st_rdata)
    );

    // RNRXOFF: frames dropped because the receiver was off (RCTL.EN clear, CTRL.RST); RNTXRST:
    // frames CTRL.RST took out of the TX packet buffer after their write-back. Not statistics
    // registers: CTRL.RST leaves them alone, so what the reset itself discards is counted after
    // the driver's last fold.
    wire [31:0] rxoff, txrst;
    ringnic_count_rc u_rxoff (.clk(clk), .rst(rst), .clr(rd_en && (rd_off == RN_RNRXOFF)), .add(rxoff_add), .count(rxoff));
    ringnic_count_rc u_txrst (.clk(clk), .rst(rst), .clr(rd_en && (rd_off == RN_RNTXRST)), .add(txrst_add), .count(txrst));

    // ================================================================ read mux
    // Word index into MTA (RN_MTA is word aligned, so the low bits subtract without a borrow).
    wire [6:0]  rd_mta_idx  = rd_off[8:2] - RN_MTA[8:2];
    wire [31:0] mta_rd_word = mta_vld[rd_mta_idx] ? mta[rd_mta_idx] : 32'd0;

    // STATUS: FD and SPEED are constants (the RDL reset), LU is the link (lu_now, above),
    // GIO_MASTER_EN the engines' DMA.
    wire [31:0] status_val = (RN_STATUS_RSTVAL & ~(32'd1 << RN_STATUS_LU) & ~(32'd1 << RN_STATUS_GIO_MASTER_EN))
                           | ({31'd0, lu_now} << RN_STATUS_LU)
                           | ({31'd0, dma_busy} << RN_STATUS_GIO_MASTER_EN);

    always @* begin
        case (rd_off)
            RN_CTRL:    rd_val = ctrl & RN_CTRL_RMASK;
            RN_STATUS:  rd_val = status_val & RN_STATUS_RMASK;
            RN_ICR:     rd_val = icr & RN_ICR_RMASK;
            RN_ITR:     rd_val = {16'd0, itr} & RN_ITR_RMASK;
            RN_ICS:     rd_val = 32'd0 & RN_ICS_RMASK;          // write-only
            RN_IMS:     rd_val = ims & RN_IMS_RMASK;
            RN_IMC:     rd_val = 32'd0 & RN_IMC_RMASK;          // write-only
            RN_RCTL:    rd_val = rctl & RN_RCTL_RMASK;
            RN_TCTL:    rd_val = tctl & RN_TCTL_RMASK;
            RN_TIPG:    rd_val = tipg & RN_TIPG_RMASK;
            RN_RDBAL:   rd_val = rdba & RN_RDBAL_RMASK;
            RN_RDBAH:   rd_val = RN_RDBAH_RSTVAL & RN_RDBAH_RMASK;  // 32-bit DMA: always 0
            RN_RDLEN:   rd_val = {12'd0, rdlen} & RN_RDLEN_RMASK;
            RN_RDH:     rd_val = {16'd0, rdh} & RN_RDH_RMASK;
            RN_RDT:     rd_val = {16'd0, rdt} & RN_RDT_RMASK;
            RN_RDTR:    rd_val = {16'd0, rdtr} & RN_RDTR_RMASK;
            RN_RADV:    rd_val = {16'd0, radv} & RN_RADV_RMASK;
            RN_TDBAL:   rd_val = tdba & RN_TDBAL_RMASK;
            RN_TDBAH:   rd_val = RN_TDBAH_RSTVAL & RN_TDBAH_RMASK;
            RN_TDLEN:   rd_val = {12'd0, tdlen} & RN_TDLEN_RMASK;
            RN_TDH:     rd_val = {16'd0, tdh} & RN_TDH_RMASK;
            RN_TDT:     rd_val = {16'd0, tdt} & RN_TDT_RMASK;
            RN_TIDV:    rd_val = {16'd0, tidv} & RN_TIDV_RMASK;
            RN_TADV:    rd_val = {16'd0, tadv} & RN_TADV_RMASK;
            RN_CRCERRS: rd_val = st_rdata & RN_CRCERRS_RMASK;
            RN_RXERRC:  rd_val = st_rdata & RN_RXERRC_RMASK;
            RN_MPC:     rd_val = st_rdata & RN_MPC_RMASK;
            RN_GPRC:    rd_val = st_rdata & RN_GPRC_RMASK;
            RN_BPRC:    rd_val = st_rdata & RN_BPRC_RMASK;
            RN_MPRC:    rd_val = st_rdata & RN_MPRC_RMASK;
            RN_GPTC:    rd_val = st_rdata & RN_GPTC_RMASK;
            RN_GORCL:   rd_val = st_rdata & RN_GORCL_RMASK;
            RN_GORCH:   rd_val = st_rdata & RN_GORCH_RMASK;
            RN_GOTCL:   rd_val = st_rdata & RN_GOTCL_RMASK;
            RN_GOTCH:   rd_val = st_rdata & RN_GOTCH_RMASK;
            RN_RNBC:    rd_val = st_rdata & RN_RNBC_RMASK;
            RN_RUC:     rd_val = st_rdata & RN_RUC_RMASK;
            RN_ROC:     rd_val = st_rdata & RN_ROC_RMASK;
            RN_TORL:    rd_val = st_rdata & RN_TORL_RMASK;
            RN_TORH:    rd_val = st_rdata & RN_TORH_RMASK;
            RN_TOTL:    rd_val = st_rdata & RN_TOTL_RMASK;
            RN_TOTH:    rd_val = st_rdata & RN_TOTH_RMASK;
            RN_TPR:     rd_val = st_rdata & RN_TPR_RMASK;
            RN_TPT:     rd_val = st_rdata & RN_TPT_RMASK;
            RN_MPTC:    rd_val = st_rdata & RN_MPTC_RMASK;
            RN_BPTC:    rd_val = st_rdata & RN_BPTC_RMASK;
            RN_ECOL:    rd_val = st_rdata & RN_ECOL_RMASK;
            RN_RAL0:    rd_val = ral0 & RN_RAL0_RMASK;
            RN_RAH0:    rd_val = rah0 & RN_RAH0_RMASK;
            RN_IPAV:    rd_val = ipav & RN_IPAV_RMASK;
            RN_IP4AT0:  rd_val = ip4at0 & RN_IP4AT0_RMASK;
            RN_RXCSUM:  rd_val = rxcsum & RN_RXCSUM_RMASK;
            RN_RNID:    rd_val = RN_RNID_RSTVAL & RN_RNID_RMASK;
            RN_RNVER:   rd_val = RN_RNVER_RSTVAL & RN_RNVER_RMASK;
            RN_RNCAPS:  rd_val = RNCAPS_VAL;
            RN_RNTXERR: rd_val = txerr & RN_RNTXERR_RMASK;
            RN_RNRXERR: rd_val = rxerr & RN_RNRXERR_RMASK;
            RN_RNRXOFF: rd_val = rxoff & RN_RNRXOFF_RMASK;
            RN_RNTXRST: rd_val = txrst & RN_RNTXRST_RMASK;
            default:    rd_val = mta_rd_word & RN_MTA_RMASK;     // only used when is_reg() says MTA
        endcase
    end

    // ================================================================ exports
    assign link_up   = lu_now;
    assign mac_addr  = {ral0[7:0], ral0[15:8], ral0[23:16], ral0[31:24], rah0[7:0], rah0[15:8]};
    assign mac_valid = rah0[RN_RAH0_AV];
    assign ip4_addr  = ip4at0;
    assign ip4_valid = ipav[RN_IPAV_V40];
    assign rxcsum_en = {rxcsum[RN_RXCSUM_TUOFLD], rxcsum[RN_RXCSUM_IPOFLD]};

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (AXIL_ADDR_WIDTH < 17) begin
            $display("ringnic_regs: AXIL_ADDR_WIDTH must be >= 17 (the 128 KiB register window)");
            $finish;
        end
        if (AXI_ADDR_WIDTH < 32 || AXI_ADDR_WIDTH > 64) begin
            $display("ringnic_regs: AXI_ADDR_WIDTH must be 32..64");
            $finish;
        end
        if (AXI_DATA_WIDTH < 8 || (AXI_DATA_WIDTH & (AXI_DATA_WIDTH - 1)) != 0) begin
            $display("ringnic_regs: AXI_DATA_WIDTH must be a power of two >= 8");
            $finish;
        end
        if (AXIS_DATA_WIDTH < 8 || (AXIS_DATA_WIDTH & (AXIS_DATA_WIDTH - 1)) != 0) begin
            $display("ringnic_regs: AXIS_DATA_WIDTH must be a power of two >= 8");
            $finish;
        end
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic_regs: RING_LOG2 must be 3..15");
            $finish;
        end
        if (TX_PRESENT > 1 || RX_PRESENT > 1 || TX_PRESENT < 0 || RX_PRESENT < 0) begin
            $display("ringnic_regs: TX_PRESENT and RX_PRESENT are flags (0 or 1)");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
