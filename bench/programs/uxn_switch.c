/* A Uxn interpreter in the classic style: one `switch` over the opcode in a loop, the VM
 * state in local variables. The opcode bodies are generated (uxn_ops.h, see
 * src/wasmc/bench/uxn.py); shared parts are in uxn_common.h. */
#include "uxn_common.h"

static void uxn_run(uint8_t *ram, uint16_t pc) {
    uint8_t *wst = uxn_wst, *rst = uxn_rst;
    uint8_t wp = 0, rp = 0;
    for (;;) {
        uint8_t opcode = ram[pc];
        pc = (uint16_t)(pc + 1);
        switch (opcode) {
#define UXN_HALT return
#define UXN_OP(code, name, ...) \
    case code: {                \
        __VA_ARGS__             \
    } break;
#include "uxn_ops.h"
        }
    }
}
