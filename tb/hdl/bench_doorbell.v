`default_nettype none
`timescale 1ns/1ps

// bench_doorbell: keeps one NIC's rings full with no CPU, for the benchmark's no-Python limit.
//
// An AXI4-Lite master that, while `start` is high, loops:
//   read TDH, write TDT = (TDH - 1) mod RING_N   (when tx_en, and only when TDT changes)
//   read RDH, write RDT = (RDH - 1) mod RING_N   (when rx_en, likewise)
// so the hardware always owns every descriptor but one. That is enough to recycle the rings:
// legacy descriptors keep their buffer address after write-back, and the benchmark's TX
// descriptors never change. `start` falling ends the loop at its next step; `busy` stays high
// until the last access has its response, so the register port can then go back to another
// master. `err` is sticky: a response other than OKAY.
//
// Register offsets are parameters (the bench top passes those of rtl/ringnic_regmap.vh); the
// tails this master last wrote are assumed to start at 0, TDT and RDT's reset value.

module bench_doorbell #(
    parameter integer RING_N  = 256,       // descriptors per ring, TX and RX (TDLEN = RDLEN = 16 * RING_N)
    parameter [16:0]  TDH_OFF = 17'h03810, // TDH's register offset (RN_TDH)
    parameter [16:0]  TDT_OFF = 17'h03818, // TDT's register offset (RN_TDT)
    parameter [16:0]  RDH_OFF = 17'h02810, // RDH's register offset (RN_RDH)
    parameter [16:0]  RDT_OFF = 17'h02818  // RDT's register offset (RN_RDT)
) (
    input  wire        clk,
    input  wire        rst,             // synchronous, active high
    input  wire        start,           // level: loop while high
    input  wire        tx_en,           // recycle the TX ring (held stable while busy)
    input  wire        rx_en,           // recycle the RX ring (held stable while busy)
    output wire        busy,            // an access is in progress, or the loop runs
    output reg         err,             // sticky: SLVERR/DECERR on an access

    output reg  [16:0] m_axil_awaddr,
    output wire [2:0]  m_axil_awprot,
    output reg         m_axil_awvalid,
    input  wire        m_axil_awready,
    output reg  [31:0] m_axil_wdata,
    output wire [3:0]  m_axil_wstrb,
    output reg         m_axil_wvalid,
    input  wire        m_axil_wready,
    input  wire [1:0]  m_axil_bresp,
    input  wire        m_axil_bvalid,
    output reg         m_axil_bready,
    output reg  [16:0] m_axil_araddr,
    output wire [2:0]  m_axil_arprot,
    output reg         m_axil_arvalid,
    input  wire        m_axil_arready,
    input  wire [31:0] m_axil_rdata,
    input  wire [1:0]  m_axil_rresp,
    input  wire        m_axil_rvalid,
    output reg         m_axil_rready
);

    localparam [2:0] S_IDLE = 3'd0,  // waiting for start
                     S_AR   = 3'd1,  // head read address out
                     S_R    = 3'd2,  // waiting for the head
                     S_W    = 3'd3,  // tail write address and data out
                     S_B    = 3'd4,  // waiting for the write response
                     S_NEXT = 3'd5;  // the other ring, or the next loop

    localparam integer LAST_I = RING_N - 1;
    localparam [15:0]  LAST   = LAST_I[15:0];  // the tail when the head is 0

    reg [2:0]  state;
    reg        rx_phase;            // 0: the TX ring's step, 1: the RX ring's
    reg [15:0] tdt, rdt;            // the tails as last written

    assign busy          = state != S_IDLE;
    assign m_axil_awprot = 3'b000;
    assign m_axil_arprot = 3'b000;
    assign m_axil_wstrb  = 4'b1111;

    wire [15:0] head     = m_axil_rdata[15:0];
    wire [15:0] new_tail = (head == 16'd0) ? LAST : head - 16'd1;
    wire [15:0] old_tail = rx_phase ? rdt : tdt;
    wire        aw_done  = !m_axil_awvalid || m_axil_awready;
    wire        w_done   = !m_axil_wvalid || m_axil_wready;

    always @(posedge clk) begin
        if (rst) begin
            state          <= S_IDLE;
            rx_phase       <= 1'b0;
            tdt            <= 16'd0;
            rdt            <= 16'd0;
            err            <= 1'b0;
            m_axil_awaddr  <= 17'd0;
            m_axil_awvalid <= 1'b0;
            m_axil_wdata   <= 32'd0;
            m_axil_wvalid  <= 1'b0;
            m_axil_bready  <= 1'b0;
            m_axil_araddr  <= 17'd0;
            m_axil_arvalid <= 1'b0;
            m_axil_rready  <= 1'b0;
        end else begin
            case (state)
            S_IDLE:
                if (start && (tx_en || rx_en)) begin
                    rx_phase       <= !tx_en;
                    m_axil_araddr  <= tx_en ? TDH_OFF : RDH_OFF;
                    m_axil_arvalid <= 1'b1;
                    state          <= S_AR;
                end
            S_AR:
                if (m_axil_arready) begin
                    m_axil_arvalid <= 1'b0;
                    m_axil_rready  <= 1'b1;
                    state          <= S_R;
                end
            S_R:
                if (m_axil_rvalid) begin
                    m_axil_rready <= 1'b0;
                    if (m_axil_rresp != 2'b00)
                        err <= 1'b1;
                    if (new_tail != old_tail) begin
                        m_axil_awaddr  <= rx_phase ? RDT_OFF : TDT_OFF;
                        m_axil_wdata   <= {16'd0, new_tail};
                        m_axil_awvalid <= 1'b1;
                        m_axil_wvalid  <= 1'b1;
                        if (rx_phase)
                            rdt <= new_tail;
                        else
                            tdt <= new_tail;
                        state <= S_W;
                    end else begin
                        state <= S_NEXT;
                    end
                end
            S_W: begin
                if (m_axil_awready)
                    m_axil_awvalid <= 1'b0;
                if (m_axil_wready)
                    m_axil_wvalid <= 1'b0;
                if (aw_done && w_done) begin
                    m_axil_bready <= 1'b1;
                    state         <= S_B;
                end
            end
            S_B:
                if (m_axil_bvalid) begin
                    m_axil_bready <= 1'b0;
                    if (m_axil_bresp != 2'b00)
                        err <= 1'b1;
                    state <= S_NEXT;
                end
            S_NEXT:
                if (!rx_phase && rx_en) begin
                    rx_phase       <= 1'b1;
                    m_axil_araddr  <= RDH_OFF;
                    m_axil_arvalid <= 1'b1;
                    state          <= S_AR;
                end else begin
                    state <= S_IDLE;  // which starts the next loop at once while `start` is high
                end
            default:
                state <= S_IDLE;
            endcase
        end
    end

    // Heads are 16 bits (RN_TDH_IDX_W, RN_RDH_IDX_W).
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, m_axil_rdata[31:16]};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
