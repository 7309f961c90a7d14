// cpu.v: "w16", a small 16-bit multi-cycle RISC CPU, written for wasmc's tests:
// tests/test_yosys.py synthesizes it with YoWASP's yosys (`synth_ice40 -top cpu`) under wasmc
// and under Wasmtime and compares the netlists. Plain Verilog-2005.
//
// Eight 16-bit registers (r0 reads as zero, r7 is the link register), status flags Z N C V,
// a 16-bit word-addressed external bus with wait states (mem_ready), an I/O port, and one
// interrupt line. A control FSM takes 3 to 5 cycles per instruction (fetch, decode, execute,
// memory, write-back); MUL and MULHU take 16 more in a shift-and-add unit.
//
// Instruction formats (16 bits, op in [15:12]):
//   R: rd [11:9]  rs1 [8:6]  rs2 [5:3]  fn [2:0]
//   I: rd [11:9]  rs1 [8:6]  imm6 [5:0] (sign-extended)
//   S: rs2 [11:9] rs1 [8:6]  imm6 [5:0] (stores: mem[rs1 + imm6] = rs2)
//   U: rd [11:9]  imm9 [8:0]
//   B: cond [11:8] off8 [7:0] (sign-extended, in words, relative to the next instruction)
//   J: off12 [11:0]

`define OP_ALU    4'h0  // R: fn = ADD SUB AND OR XOR SLT SLTU NOR
`define OP_SHIFT  4'h1  // R: fn = SLL SRL SRA ROL ROR, by rs2[3:0]
`define OP_ADDI   4'h2  // I
`define OP_ANDI   4'h3  // I
`define OP_XORI   4'h4  // I
`define OP_SHIFTI 4'h5  // I: imm6[5:4] = SLL SRL SRA ROL, imm6[3:0] = amount
`define OP_LUI    4'h6  // U: rd = imm9 << 7
`define OP_LW     4'h7  // I: rd = mem[rs1 + imm6]
`define OP_SW     4'h8  // S
`define OP_BR     4'h9  // B
`define OP_JAL    4'hA  // J: r7 = pc + 1, pc = pc + 1 + off12
`define OP_JALR   4'hB  // R: rd = pc + 1, pc = rs1
`define OP_MUL    4'hC  // R: fn[0] = 0: low half of rs1 * rs2, 1: high half (unsigned)
`define OP_IO     4'hD  // R: fn = IN (rd = io_in), OUT (io_out = rs1)
`define OP_SPECIAL 4'hE // R: fn = RDCYC RDINS RDFLG WRFLG RDEPC
`define OP_SYS    4'hF  // R: fn = HALT RETI EI DI

`define ALU_ADD  4'd0
`define ALU_SUB  4'd1
`define ALU_AND  4'd2
`define ALU_OR   4'd3
`define ALU_XOR  4'd4
`define ALU_SLT  4'd5
`define ALU_SLTU 4'd6
`define ALU_NOR  4'd7
`define ALU_SLL  4'd8
`define ALU_SRL  4'd9
`define ALU_SRA  4'd10
`define ALU_ROL  4'd11
`define ALU_ROR  4'd12
`define ALU_PASS 4'd13  // result = b

// ---------------------------------------------------------------------------------------
// The ALU: combinational, with flags.
module alu (
    input  wire [3:0]  op,
    input  wire [15:0] a,
    input  wire [15:0] b,
    output reg  [15:0] result,
    output wire        zero,
    output wire        negative,
    output reg         carry,
    output reg         overflow
);
    wire [16:0] sum  = {1'b0, a} + {1'b0, b};
    wire [16:0] diff = {1'b0, a} - {1'b0, b};
    wire [3:0]  amount = b[3:0];
    wire [31:0] doubled = {a, a};
    wire signed [15:0] a_signed = a;

    always @* begin
        carry = 1'b0;
        overflow = 1'b0;
        case (op)
            `ALU_ADD: begin
                result = sum[15:0];
                carry = sum[16];
                overflow = (a[15] == b[15]) && (result[15] != a[15]);
            end
            `ALU_SUB: begin
                result = diff[15:0];
                carry = ~diff[16];  // no borrow
                overflow = (a[15] != b[15]) && (result[15] != a[15]);
            end
            `ALU_AND:  result = a & b;
            `ALU_OR:   result = a | b;
            `ALU_XOR:  result = a ^ b;
            `ALU_SLT:  result = {15'd0, (a[15] != b[15]) ? a[15] : diff[15]};
            `ALU_SLTU: result = {15'd0, diff[16]};
            `ALU_NOR:  result = ~(a | b);
            `ALU_SLL: begin
                result = a << amount;
                carry = (amount != 4'd0) && a[16 - amount];
            end
            `ALU_SRL: begin
                result = a >> amount;
                carry = (amount != 4'd0) && a[amount - 1];
            end
            `ALU_SRA:  result = a_signed >>> amount;
            `ALU_ROL:  result = doubled[31 - amount -: 16];
            `ALU_ROR:  result = doubled[amount +: 16];
            `ALU_PASS: result = b;
            default:   result = 16'hxxxx;
        endcase
    end

    assign zero = result == 16'd0;
    assign negative = result[15];
endmodule

// ---------------------------------------------------------------------------------------
// The register file: two read ports, one write port; r0 is always zero.
module regfile (
    input  wire        clk,
    input  wire [2:0]  read_a,
    input  wire [2:0]  read_b,
    output wire [15:0] data_a,
    output wire [15:0] data_b,
    input  wire        write_enable,
    input  wire [2:0]  write_index,
    input  wire [15:0] write_data
);
    reg [15:0] registers [1:7];

    assign data_a = read_a == 3'd0 ? 16'd0 : registers[read_a];
    assign data_b = read_b == 3'd0 ? 16'd0 : registers[read_b];

    always @(posedge clk)
        if (write_enable && write_index != 3'd0)
            registers[write_index] <= write_data;
endmodule

// ---------------------------------------------------------------------------------------
// The decoder: fields, the immediate, the ALU operation and what the instruction does.
module decoder (
    input  wire [15:0] instr,
    output wire [3:0]  opcode,
    output wire [2:0]  rd,
    output wire [2:0]  rs1,
    output wire [2:0]  rs2,
    output wire [2:0]  fn,
    output reg  [15:0] imm,
    output reg  [3:0]  alu_op,
    output reg         alu_uses_imm,
    output reg         writes_rd,
    output reg         sets_flags,
    output wire        is_load,
    output wire        is_store,
    output wire        is_branch,
    output wire        is_jal,
    output wire        is_jalr,
    output wire        is_mul,
    output reg         illegal
);
    assign opcode = instr[15:12];
    assign rd  = instr[11:9];
    assign rs1 = instr[8:6];
    assign rs2 = opcode == `OP_SW ? instr[11:9] : instr[5:3];
    assign fn  = instr[2:0];
    assign is_load   = opcode == `OP_LW;
    assign is_store  = opcode == `OP_SW;
    assign is_branch = opcode == `OP_BR;
    assign is_jal    = opcode == `OP_JAL;
    assign is_jalr   = opcode == `OP_JALR;
    assign is_mul    = opcode == `OP_MUL;

    always @* begin
        imm = {{10{instr[5]}}, instr[5:0]};
        alu_op = `ALU_ADD;
        alu_uses_imm = 1'b0;
        writes_rd = 1'b0;
        sets_flags = 1'b0;
        illegal = 1'b0;
        case (opcode)
            `OP_ALU: begin
                alu_op = {1'b0, fn};
                writes_rd = 1'b1;
                sets_flags = 1'b1;
            end
            `OP_SHIFT: begin
                alu_op = fn == 3'd0 ? `ALU_SLL : fn == 3'd1 ? `ALU_SRL : fn == 3'd2 ? `ALU_SRA
                       : fn == 3'd3 ? `ALU_ROL : `ALU_ROR;
                illegal = fn > 3'd4;
                writes_rd = 1'b1;
                sets_flags = 1'b1;
            end
            `OP_ADDI, `OP_ANDI, `OP_XORI: begin
                alu_op = opcode == `OP_ADDI ? `ALU_ADD : opcode == `OP_ANDI ? `ALU_AND : `ALU_XOR;
                alu_uses_imm = 1'b1;
                writes_rd = 1'b1;
                sets_flags = 1'b1;
            end
            `OP_SHIFTI: begin
                alu_op = `ALU_SLL + {2'b00, instr[5:4]};
                imm = {12'd0, instr[3:0]};
                alu_uses_imm = 1'b1;
                writes_rd = 1'b1;
                sets_flags = 1'b1;
            end
            `OP_LUI: begin
                alu_op = `ALU_PASS;
                imm = {instr[8:0], 7'd0};
                alu_uses_imm = 1'b1;
                writes_rd = 1'b1;
            end
            `OP_LW: begin
                alu_uses_imm = 1'b1;
                writes_rd = 1'b1;
            end
            `OP_SW: alu_uses_imm = 1'b1;
            `OP_BR: imm = {{8{instr[7]}}, instr[7:0]};
            `OP_JAL: begin
                imm = {{4{instr[11]}}, instr[11:0]};
                writes_rd = 1'b1;  // r7
            end
            `OP_JALR: writes_rd = 1'b1;
            `OP_MUL: begin
                writes_rd = 1'b1;
                illegal = fn[2:1] != 2'd0;
            end
            `OP_IO: begin
                writes_rd = fn == 3'd0;
                illegal = fn > 3'd1;
            end
            `OP_SPECIAL: begin
                writes_rd = fn != 3'd3;
                illegal = fn > 3'd4;
            end
            `OP_SYS: illegal = fn > 3'd3;
            default: illegal = 1'b1;
        endcase
    end
endmodule

// ---------------------------------------------------------------------------------------
// A shift-and-add multiplier: 16 cycles, a 32-bit product.
module multiplier (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,
    input  wire [15:0] a,
    input  wire [15:0] b,
    output reg  [31:0] product,
    output wire        busy
);
    reg [4:0]  remaining;
    reg [31:0] addend;
    reg [15:0] multiplier_bits;

    assign busy = remaining != 5'd0;

    always @(posedge clk) begin
        if (rst) begin
            remaining <= 5'd0;
            product <= 32'd0;
        end else if (start) begin
            remaining <= 5'd16;
            product <= 32'd0;
            addend <= {16'd0, a};
            multiplier_bits <= b;
        end else if (busy) begin
            if (multiplier_bits[0])
                product <= product + addend;
            addend <= addend << 1;
            multiplier_bits <= multiplier_bits >> 1;
            remaining <= remaining - 5'd1;
        end
    end
endmodule

// ---------------------------------------------------------------------------------------
// Branch conditions on the flags.
module branch_unit (
    input  wire [3:0] cond,
    input  wire       z,
    input  wire       n,
    input  wire       c,
    input  wire       v,
    output reg        taken
);
    always @*
        case (cond)
            4'h0: taken = 1'b1;      // always
            4'h1: taken = z;         // equal
            4'h2: taken = !z;        // not equal
            4'h3: taken = n != v;    // less than (signed)
            4'h4: taken = n == v;    // greater or equal (signed)
            4'h5: taken = !z && n == v;  // greater than (signed)
            4'h6: taken = z || n != v;   // less or equal (signed)
            4'h7: taken = !c;        // below (unsigned)
            4'h8: taken = c;         // above or equal (unsigned)
            4'h9: taken = c && !z;   // above (unsigned)
            4'hA: taken = !c || z;   // below or equal (unsigned)
            4'hB: taken = n;         // negative
            4'hC: taken = !n;        // positive or zero
            4'hD: taken = v;         // overflow
            4'hE: taken = !v;        // no overflow
            default: taken = 1'b0;   // never
        endcase
endmodule

// ---------------------------------------------------------------------------------------
// The CPU: datapath and the control FSM.
module cpu (
    input  wire        clk,
    input  wire        rst,
    output reg  [15:0] mem_addr,
    output reg  [15:0] mem_wdata,
    input  wire [15:0] mem_rdata,
    output reg         mem_req,
    output reg         mem_we,
    input  wire        mem_ready,
    input  wire [15:0] io_in,
    output reg  [15:0] io_out,
    output reg         io_out_valid,
    input  wire        irq,
    output wire        halted,
    output wire        trapped
);
    localparam FETCH = 3'd0, DECODE = 3'd1, EXECUTE = 3'd2, MEMORY = 3'd3,
               MULTIPLY = 3'd4, WRITEBACK = 3'd5, HALT = 3'd6, TRAP = 3'd7;
    localparam IRQ_VECTOR = 16'h0004, TRAP_VECTOR = 16'h0008;

    reg [2:0]  state;
    reg [15:0] pc, instr, epc, result, alu_latched;
    reg        flag_z, flag_n, flag_c, flag_v, interrupts_enabled, in_trap;
    reg [31:0] cycles, retired;

    wire [3:0]  opcode;
    wire [2:0]  rd, rs1, rs2, fn;
    wire [15:0] imm;
    wire [3:0]  alu_op;
    wire        alu_uses_imm, writes_rd, sets_flags, illegal;
    wire        is_load, is_store, is_branch, is_jal, is_jalr, is_mul;
    decoder dec (
        .instr(instr), .opcode(opcode), .rd(rd), .rs1(rs1), .rs2(rs2), .fn(fn), .imm(imm),
        .alu_op(alu_op), .alu_uses_imm(alu_uses_imm), .writes_rd(writes_rd),
        .sets_flags(sets_flags), .is_load(is_load), .is_store(is_store),
        .is_branch(is_branch), .is_jal(is_jal), .is_jalr(is_jalr), .is_mul(is_mul),
        .illegal(illegal));

    wire [15:0] rs1_value, rs2_value;
    reg         rf_write;
    regfile registers (
        .clk(clk), .read_a(rs1), .read_b(rs2), .data_a(rs1_value), .data_b(rs2_value),
        .write_enable(rf_write), .write_index(is_jal ? 3'd7 : rd), .write_data(result));

    wire [15:0] alu_result;
    wire        alu_z, alu_n, alu_c, alu_v;
    alu arithmetic (
        .op(alu_op), .a(rs1_value), .b(alu_uses_imm ? imm : rs2_value), .result(alu_result),
        .zero(alu_z), .negative(alu_n), .carry(alu_c), .overflow(alu_v));

    wire        branch_taken;
    branch_unit branches (
        .cond(instr[11:8]), .z(flag_z), .n(flag_n), .c(flag_c), .v(flag_v),
        .taken(branch_taken));

    wire [31:0] product;
    wire        multiplying;
    reg         mul_start;
    multiplier mul (
        .clk(clk), .rst(rst), .start(mul_start), .a(rs1_value), .b(rs2_value),
        .product(product), .busy(multiplying));

    wire [15:0] next_pc = pc + 16'd1;
    assign halted = state == HALT;
    assign trapped = in_trap;

    // What the special registers read as.
    reg [15:0] special_value;
    always @*
        case (fn)
            3'd0: special_value = cycles[15:0];
            3'd1: special_value = retired[15:0];
            3'd2: special_value = {11'd0, interrupts_enabled, flag_z, flag_n, flag_c, flag_v};
            default: special_value = epc;
        endcase

    always @(posedge clk) begin
        if (rst) begin
            state <= FETCH;
            pc <= 16'd0;
            instr <= 16'd0;
            epc <= 16'd0;
            result <= 16'd0;
            alu_latched <= 16'd0;
            {flag_z, flag_n, flag_c, flag_v} <= 4'b0;
            interrupts_enabled <= 1'b0;
            in_trap <= 1'b0;
            cycles <= 32'd0;
            retired <= 32'd0;
            mem_addr <= 16'd0;
            mem_wdata <= 16'd0;
            mem_req <= 1'b0;
            mem_we <= 1'b0;
            io_out <= 16'd0;
            io_out_valid <= 1'b0;
            rf_write <= 1'b0;
            mul_start <= 1'b0;
        end else begin
            cycles <= cycles + 32'd1;
            rf_write <= 1'b0;
            mul_start <= 1'b0;
            io_out_valid <= 1'b0;
            case (state)
                FETCH:
                    if (irq && interrupts_enabled && !mem_req) begin
                        epc <= pc;
                        pc <= IRQ_VECTOR;
                        interrupts_enabled <= 1'b0;
                    end else if (!mem_req) begin
                        mem_addr <= pc;
                        mem_req <= 1'b1;
                        mem_we <= 1'b0;
                    end else if (mem_ready) begin
                        instr <= mem_rdata;
                        mem_req <= 1'b0;
                        state <= DECODE;
                    end
                DECODE:
                    if (illegal) begin
                        epc <= pc;
                        in_trap <= 1'b1;
                        state <= TRAP;
                    end else begin
                        state <= EXECUTE;
                    end
                EXECUTE: begin
                    alu_latched <= alu_result;
                    result <= alu_result;
                    pc <= next_pc;
                    if (sets_flags)
                        {flag_z, flag_n, flag_c, flag_v} <= {alu_z, alu_n, alu_c, alu_v};
                    state <= WRITEBACK;
                    if (is_load || is_store) begin
                        mem_addr <= alu_result;
                        mem_wdata <= rs2_value;
                        mem_req <= 1'b1;
                        mem_we <= is_store;
                        state <= MEMORY;
                    end else if (is_branch) begin
                        if (branch_taken)
                            pc <= next_pc + imm;
                    end else if (is_jal) begin
                        result <= next_pc;
                        pc <= next_pc + imm;
                    end else if (is_jalr) begin
                        result <= next_pc;
                        pc <= rs1_value;
                    end else if (is_mul) begin
                        mul_start <= 1'b1;
                        state <= MULTIPLY;
                    end else case (opcode)
                        `OP_IO:
                            if (fn == 3'd0) begin
                                result <= io_in;
                            end else begin
                                io_out <= rs1_value;
                                io_out_valid <= 1'b1;
                            end
                        `OP_SPECIAL:
                            if (fn == 3'd3)
                                {interrupts_enabled, flag_z, flag_n, flag_c, flag_v}
                                    <= rs1_value[4:0];
                            else
                                result <= special_value;
                        `OP_SYS:
                            case (fn)
                                3'd0: state <= HALT;
                                3'd1: begin
                                    pc <= epc;
                                    interrupts_enabled <= 1'b1;
                                    in_trap <= 1'b0;
                                end
                                3'd2: interrupts_enabled <= 1'b1;
                                default: interrupts_enabled <= 1'b0;
                            endcase
                        default: ;
                    endcase
                end
                MEMORY:
                    if (mem_ready) begin
                        mem_req <= 1'b0;
                        mem_we <= 1'b0;
                        if (is_load)
                            result <= mem_rdata;
                        state <= WRITEBACK;
                    end
                MULTIPLY:
                    if (!mul_start && !multiplying) begin
                        result <= fn[0] ? product[31:16] : product[15:0];
                        state <= WRITEBACK;
                    end
                WRITEBACK: begin
                    rf_write <= writes_rd;
                    retired <= retired + 32'd1;
                    state <= FETCH;
                end
                HALT:
                    if (irq && interrupts_enabled) begin
                        epc <= pc;
                        pc <= IRQ_VECTOR;
                        interrupts_enabled <= 1'b0;
                        state <= FETCH;
                    end
                TRAP: begin
                    pc <= TRAP_VECTOR;
                    interrupts_enabled <= 1'b0;
                    state <= FETCH;
                end
            endcase
        end
    end
endmodule
