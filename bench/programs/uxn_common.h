/* Shared parts of the two Uxn interpreters (uxn_switch.c, uxn_tail.c): the console device,
 * the ROM loader and main().
 *
 * Usage: uxn_* ROM PARAM -- runs the embedded ROM named ROM (see uxn_roms.h, generated from
 * bench/uxn/ROM.tal) with the 16-bit PARAM stored big-endian at zero-page address 0x00.
 * The ROM writes its result to the console (device port 0x18 = stdout). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uxn_roms.h"

static uint8_t uxn_ram[0x10000];
static uint8_t uxn_wst[0x100];
static uint8_t uxn_rst[0x100];
static uint8_t uxn_dev[0x100];

#if defined(__GNUC__)
#define UXN_NOINLINE __attribute__((noinline))
#else
#define UXN_NOINLINE
#endif

/* The console: port 0x18 writes to stdout, 0x19 to stderr. Out of line: it is the slow
 * path of DEO and keeps the interpreter's hot code small. */
static UXN_NOINLINE void uxn_deo(uint8_t port, uint8_t value) {
    uxn_dev[port] = value;
    if (port == 0x18)
        putchar(value);
    else if (port == 0x19)
        fputc(value, stderr);
}

static void uxn_run(uint8_t *ram, uint16_t pc);

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ROM PARAM\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof uxn_roms / sizeof uxn_roms[0]; i++) {
        if (strcmp(uxn_roms[i].name, argv[1]) == 0) {
            unsigned param = (unsigned)strtoul(argv[2], NULL, 10);
            memcpy(uxn_ram + 0x100, uxn_roms[i].data, uxn_roms[i].size);
            uxn_ram[0] = (uint8_t)(param >> 8);
            uxn_ram[1] = (uint8_t)param;
            uxn_run(uxn_ram, 0x100);
            fflush(stdout);
            return 0;
        }
    }
    fprintf(stderr, "unknown ROM %s\n", argv[1]);
    return 2;
}
