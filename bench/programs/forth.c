/* A small Forth: an outer interpreter that compiles the source text below (colon
 * definitions, variables, if/else/then, begin/while/repeat, do/loop/+loop) into bytecode,
 * and an inner interpreter that runs it with a `switch` over the opcode in a loop, with a
 * data stack and a return stack in memory. This is the shape of many embedded language VMs
 * (Lua's, Forths, the JVM's interpreter loop).
 *
 * The program mixes recursive calls (fib), a sieve over a byte array, a pseudo-random
 * generator and Euclid's algorithm. Usage: forth ROUNDS. Prints the result of `ROUNDS main`
 * and the number of instructions executed.
 *
 * Differences from standard Forth, to keep it small: `do` skips the loop when the start is
 * not below the limit (like `?do`), `+loop` takes positive steps only, and `@`/`!` address
 * a separate array of cells, `c@`/`c!` an array of bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SOURCE =
    "variable seed  variable count\n"
    ": rand ( -- r ) seed @ 1103515245 * 12345 + dup seed ! 16 rshift 32767 and ;\n"
    ": fib ( n -- f ) dup 2 < if exit then dup 1- fib swap 2 - fib + ;\n"
    ": gcd ( a b -- g ) begin dup while tuck mod repeat drop ;\n"
    ": gcdsum ( n -- s ) 0 swap 1 do i rand 1+ gcd + loop ;\n"
    ": sieve ( n -- primes )\n"
    "  dup 0 do 1 i c! loop  0 count !\n"
    "  dup 2 do i c@ if  1 count +!  dup i dup * do 0 i c! j +loop  then loop\n"
    "  drop count @ ;\n"
    ": main ( rounds -- x )\n"
    "  1 seed !  0 swap 0 do\n"
    "    i 3 and 20 + fib +  30000 sieve +  3000 gcdsum xor\n"
    "  loop ;\n";

enum op {
    OP_LIT, OP_CALL, OP_EXIT, OP_BRANCH, OP_BRANCH0, OP_DO, OP_LOOP, OP_PLUSLOOP, OP_I, OP_J,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_AND, OP_OR, OP_XOR, OP_LSHIFT, OP_RSHIFT,
    OP_LT, OP_GT, OP_EQ, OP_ZEQ, OP_INC, OP_DEC, OP_DUP, OP_DROP, OP_SWAP, OP_OVER, OP_ROT,
    OP_TUCK, OP_FETCH, OP_STORE, OP_PLUSSTORE, OP_CFETCH, OP_CSTORE, OP_TOR, OP_FROMR,
};

static const struct { const char *name; enum op op; } PRIMITIVES[] = {
    {"exit", OP_EXIT}, {"i", OP_I}, {"j", OP_J}, {"+", OP_ADD}, {"-", OP_SUB},
    {"*", OP_MUL}, {"/", OP_DIV}, {"mod", OP_MOD}, {"and", OP_AND}, {"or", OP_OR},
    {"xor", OP_XOR}, {"lshift", OP_LSHIFT}, {"rshift", OP_RSHIFT}, {"<", OP_LT},
    {">", OP_GT}, {"=", OP_EQ}, {"0=", OP_ZEQ}, {"1+", OP_INC}, {"1-", OP_DEC},
    {"dup", OP_DUP}, {"drop", OP_DROP}, {"swap", OP_SWAP}, {"over", OP_OVER},
    {"rot", OP_ROT}, {"tuck", OP_TUCK}, {"@", OP_FETCH}, {"!", OP_STORE},
    {"+!", OP_PLUSSTORE}, {"c@", OP_CFETCH}, {"c!", OP_CSTORE}, {">r", OP_TOR},
    {"r>", OP_FROMR},
};

/* ---- the compiler ------------------------------------------------------------------- */

enum { CODE_SIZE = 4096, MAX_WORDS = 64, CTRL_DEPTH = 32 };

static int32_t code[CODE_SIZE];
static int here;
static struct { char name[32]; int addr; int is_variable; } words[MAX_WORDS];
static int n_words, n_variables;

static void die(const char *message, const char *token) {
    fprintf(stderr, "forth: %s: %s\n", message, token);
    exit(2);
}

static void emit(int32_t cell) {
    if (here == CODE_SIZE) die("out of code space", "");
    code[here++] = cell;
}

static int find_word(const char *name) {
    for (int i = n_words - 1; i >= 0; i--)
        if (strcmp(words[i].name, name) == 0) return i;
    return -1;
}

static void add_word(const char *name, int addr, int is_variable) {
    if (n_words == MAX_WORDS || strlen(name) >= sizeof words[0].name) die("bad word", name);
    strcpy(words[n_words].name, name);
    words[n_words].addr = addr;
    words[n_words++].is_variable = is_variable;
}

/* Compiles every definition of `src`; words are looked up at compile time, so a word can
 * call itself (recursion) and those defined before it. */
static void compile(const char *src) {
    int ctrl[CTRL_DEPTH], depth = 0;  /* addresses of branches to patch and loop starts */
#define PUSH_CTRL(addr) \
    (depth < CTRL_DEPTH ? (void)(ctrl[depth++] = (addr)) : die("nested too deep", tok))
#define POP_CTRL() (depth > 0 ? ctrl[--depth] : (die("unbalanced control structure", tok), 0))
    char tok[32];
    int defining = 0;
    while (*src) {
        while (*src == ' ' || *src == '\n') src++;
        if (!*src) break;
        size_t len = strcspn(src, " \n");
        if (len >= sizeof tok) die("token too long", src);
        memcpy(tok, src, len);
        tok[len] = 0;
        src += len;
        if (strcmp(tok, "(") == 0) {  /* comment */
            src = strchr(src, ')');
            if (!src) die("unclosed comment", tok);
            src++;
            continue;
        }
        if (!defining) {
            if (strcmp(tok, ":") == 0 || strcmp(tok, "variable") == 0) {
                int colon = tok[0] == ':';
                src += strspn(src, " \n");  /* the name that follows */
                len = strcspn(src, " \n");
                if (len == 0 || len >= sizeof tok) die("bad name after", tok);
                memcpy(tok, src, len);
                tok[len] = 0;
                src += len;
                add_word(tok, colon ? here : n_variables++, !colon);
                defining = colon;
            } else {
                die("only definitions are allowed outside a definition", tok);
            }
            continue;
        }
        if (strcmp(tok, ";") == 0) {
            if (depth) die("unbalanced control structure in definition", words[n_words - 1].name);
            emit(OP_EXIT);
            defining = 0;
        } else if (strcmp(tok, "if") == 0 || strcmp(tok, "while") == 0) {
            emit(OP_BRANCH0);
            PUSH_CTRL(here);
            emit(0);
        } else if (strcmp(tok, "else") == 0) {
            emit(OP_BRANCH);
            emit(0);
            code[POP_CTRL()] = here;  /* the if's branch skips to after the else */
            PUSH_CTRL(here - 1);
        } else if (strcmp(tok, "then") == 0) {
            code[POP_CTRL()] = here;
        } else if (strcmp(tok, "begin") == 0) {
            PUSH_CTRL(here);
        } else if (strcmp(tok, "repeat") == 0) {  /* begin ... while ... repeat */
            int exit_patch = POP_CTRL();
            int start = POP_CTRL();
            emit(OP_BRANCH);
            emit(start);
            code[exit_patch] = here;
        } else if (strcmp(tok, "do") == 0) {
            emit(OP_DO);  /* DO exit-address: skips the loop if start >= limit */
            PUSH_CTRL(here);
            emit(0);
        } else if (strcmp(tok, "loop") == 0 || strcmp(tok, "+loop") == 0) {
            int patch = POP_CTRL();
            emit(tok[0] == '+' ? OP_PLUSLOOP : OP_LOOP);
            emit(patch + 1);  /* the loop body starts after DO's operand */
            code[patch] = here;
        } else {
            int w = find_word(tok);
            if (w >= 0) {
                if (words[w].is_variable) {
                    emit(OP_LIT);
                    emit(words[w].addr);
                } else {
                    emit(OP_CALL);
                    emit(words[w].addr);
                }
                continue;
            }
            size_t p = 0;
            for (; p < sizeof PRIMITIVES / sizeof PRIMITIVES[0]; p++)
                if (strcmp(PRIMITIVES[p].name, tok) == 0) break;
            if (p < sizeof PRIMITIVES / sizeof PRIMITIVES[0]) {
                emit(PRIMITIVES[p].op);
                continue;
            }
            char *end;
            long n = strtol(tok, &end, 10);
            if (*end) die("unknown word", tok);
            emit(OP_LIT);
            emit((int32_t)n);
        }
    }
    if (defining) die("unfinished definition", words[n_words - 1].name);
}

/* ---- the inner interpreter ------------------------------------------------------------ */

static int32_t cells[256];
static uint8_t bytes[65536];
static uint64_t executed;

/* Runs the word at `addr` with `arg` on the data stack; returns the top of stack. */
static int32_t execute(int addr, int32_t arg) {
    int32_t ds[256], rs[512];
    int32_t *sp = ds, *rp = rs;  /* both point at their top element */
    uint64_t n = 0;
    *++sp = arg;
    *++rp = -1;  /* returning to -1 stops */
    int pc = addr;
    for (;;) {
        n++;
        int32_t a, b;
        switch ((enum op)code[pc++]) {
        case OP_LIT: *++sp = code[pc++]; break;
        case OP_CALL: *++rp = pc + 1; pc = code[pc]; break;
        case OP_EXIT:
            pc = *rp--;
            if (pc < 0) {
                executed += n;
                return *sp;
            }
            break;
        case OP_BRANCH: pc = code[pc]; break;
        case OP_BRANCH0: pc = *sp-- ? pc + 1 : code[pc]; break;
        case OP_DO:  /* ( limit start -- ) R: ( -- limit index ) */
            a = *sp--, b = *sp--;
            if (a >= b) {
                pc = code[pc];
            } else {
                *++rp = b;
                *++rp = a;
                pc++;
            }
            break;
        case OP_LOOP:
        case OP_PLUSLOOP:
            a = code[pc - 1] == OP_LOOP ? 1 : *sp--;
            *rp += a;
            if (*rp < rp[-1]) {
                pc = code[pc];
            } else {
                rp -= 2;
                pc++;
            }
            break;
        case OP_I: *++sp = *rp; break;
        case OP_J: *++sp = rp[-2]; break;
        case OP_ADD: a = *sp--; *sp = (int32_t)((uint32_t)*sp + (uint32_t)a); break;
        case OP_SUB: a = *sp--; *sp = (int32_t)((uint32_t)*sp - (uint32_t)a); break;
        case OP_MUL: a = *sp--; *sp = (int32_t)((uint32_t)*sp * (uint32_t)a); break;
        case OP_DIV: a = *sp--; *sp = a ? *sp / a : 0; break;
        case OP_MOD: a = *sp--; *sp = a ? *sp % a : 0; break;
        case OP_AND: a = *sp--; *sp &= a; break;
        case OP_OR: a = *sp--; *sp |= a; break;
        case OP_XOR: a = *sp--; *sp ^= a; break;
        case OP_LSHIFT: a = *sp--; *sp = (int32_t)((uint32_t)*sp << (a & 31)); break;
        case OP_RSHIFT: a = *sp--; *sp = (int32_t)((uint32_t)*sp >> (a & 31)); break;
        case OP_LT: a = *sp--; *sp = *sp < a ? -1 : 0; break;
        case OP_GT: a = *sp--; *sp = *sp > a ? -1 : 0; break;
        case OP_EQ: a = *sp--; *sp = *sp == a ? -1 : 0; break;
        case OP_ZEQ: *sp = *sp == 0 ? -1 : 0; break;
        case OP_INC: *sp = (int32_t)((uint32_t)*sp + 1); break;
        case OP_DEC: *sp = (int32_t)((uint32_t)*sp - 1); break;
        case OP_DUP: sp[1] = *sp; sp++; break;
        case OP_DROP: sp--; break;
        case OP_SWAP: a = *sp; *sp = sp[-1]; sp[-1] = a; break;
        case OP_OVER: sp[1] = sp[-1]; sp++; break;
        case OP_ROT: a = sp[-2]; sp[-2] = sp[-1]; sp[-1] = *sp; *sp = a; break;
        case OP_TUCK: a = *sp; *sp = sp[-1]; sp[-1] = a; *++sp = a; break;
        case OP_FETCH: *sp = cells[*sp & 255]; break;
        case OP_STORE: cells[*sp & 255] = sp[-1]; sp -= 2; break;
        case OP_PLUSSTORE: cells[*sp & 255] += sp[-1]; sp -= 2; break;
        case OP_CFETCH: *sp = bytes[*sp & 0xFFFF]; break;
        case OP_CSTORE: bytes[*sp & 0xFFFF] = (uint8_t)sp[-1]; sp -= 2; break;
        case OP_TOR: *++rp = *sp--; break;
        case OP_FROMR: *++sp = *rp--; break;
        default:
            fprintf(stderr, "forth: bad opcode %d at %d\n", code[pc - 1], pc - 1);
            exit(2);
        }
    }
}

int main(int argc, char **argv) {
    int32_t rounds = argc > 1 ? atoi(argv[1]) : 1;
    compile(SOURCE);
    int main_word = find_word("main");
    if (main_word < 0) die("no main", "");
    int32_t result = execute(words[main_word].addr, rounds);
    printf("%d (%llu instructions)\n", result, (unsigned long long)executed);
    return 0;
}
