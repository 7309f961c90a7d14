/* Regular-expression search: patterns are parsed into a syntax tree, compiled to a small
 * instruction set (char, any, class, split, jump, anchors, match) and run by a
 * breadth-first NFA simulation (Thompson's construction: every position is visited once,
 * no backtracking), over lines of a generated server log. Supported: literals, `.`,
 * classes `[a-z0-9_]` and `[^...]`, `*` `+` `?`, `|`, groups, `^` `$`, `\` escapes.
 *
 * Usage: regex LINES. Prints, for each pattern, how many lines contain a match. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const PATTERNS[] = {
    "ERROR|WARN",
    "GET /api/v[0-9]+/items/[0-9]*7 ",
    "^[0-9]+-[0-9]+-[0-9]+ [0-9:]+ \\[(INFO|DEBUG)\\] user[0-9]*(12|34)",
    "[a-z]+\\.[a-z]+@[a-z]+\\.(com|org)",
    " (4|5)[0-9][0-9] [0-9]+ms$",
    "(a|b|c|d)+e?[^ ]*z",
};
enum { N_PATTERNS = sizeof PATTERNS / sizeof PATTERNS[0] };

/* ---- parsing: pattern text -> syntax tree ----------------------------------------------- */

enum node_kind { N_CHAR, N_ANY, N_CLASS, N_BOL, N_EOL, N_CAT, N_ALT, N_STAR, N_PLUS, N_QUEST };

typedef struct {
    enum node_kind kind;
    int a, b;  /* children (CAT, ALT: two; repetitions: a), the char, or the class index */
} node;

enum { MAX_NODES = 512, MAX_CLASSES = 32, MAX_INSTS = 1024 };

static node nodes[MAX_NODES];
static int n_nodes;
static uint8_t classes[MAX_CLASSES][256];  /* membership of each byte */
static int n_classes;
static const char *pat;  /* the parser's position */

static void fail(const char *what) {
    fprintf(stderr, "regex: %s at \"%s\"\n", what, pat);
    exit(2);
}

static int new_node(enum node_kind kind, int a, int b) {
    if (n_nodes == MAX_NODES) fail("pattern too large");
    nodes[n_nodes] = (node){kind, a, b};
    return n_nodes++;
}

static int parse_alt(void);

static int parse_class(void) {  /* after '[' */
    if (n_classes == MAX_CLASSES) fail("too many classes");
    uint8_t *set = classes[n_classes];
    memset(set, 0, 256);
    int negate = *pat == '^';
    if (negate) pat++;
    while (*pat && *pat != ']') {
        unsigned lo = (unsigned char)*pat++, hi = lo;
        if (*pat == '-' && pat[1] && pat[1] != ']') {
            hi = (unsigned char)pat[1];
            pat += 2;
        }
        for (unsigned c = lo; c <= hi; c++) set[c] = 1;
    }
    if (*pat != ']') fail("unclosed class");
    pat++;
    if (negate)
        for (int c = 0; c < 256; c++) set[c] = !set[c];
    return new_node(N_CLASS, n_classes++, 0);
}

static int parse_atom(void) {
    char c = *pat++;
    switch (c) {
    case '.': return new_node(N_ANY, 0, 0);
    case '^': return new_node(N_BOL, 0, 0);
    case '$': return new_node(N_EOL, 0, 0);
    case '[': return parse_class();
    case '(': {
        int inner = parse_alt();
        if (*pat++ != ')') fail("missing )");
        return inner;
    }
    case '\\':
        if (!*pat) fail("trailing backslash");
        return new_node(N_CHAR, (unsigned char)*pat++, 0);
    default: return new_node(N_CHAR, (unsigned char)c, 0);
    }
}

static int parse_repeat(void) {
    int n = parse_atom();
    for (;;) {
        if (*pat == '*') n = new_node(N_STAR, n, 0);
        else if (*pat == '+') n = new_node(N_PLUS, n, 0);
        else if (*pat == '?') n = new_node(N_QUEST, n, 0);
        else return n;
        pat++;
    }
}

static int parse_cat(void) {
    int n = -1;
    while (*pat && *pat != '|' && *pat != ')') {
        int next = parse_repeat();
        n = n < 0 ? next : new_node(N_CAT, n, next);
    }
    if (n < 0) fail("empty alternative");
    return n;
}

static int parse_alt(void) {
    int n = parse_cat();
    while (*pat == '|') {
        pat++;
        n = new_node(N_ALT, n, parse_cat());
    }
    return n;
}

/* ---- compiling: syntax tree -> instructions ------------------------------------------- */

enum op { I_CHAR, I_ANY, I_CLASS, I_BOL, I_EOL, I_SPLIT, I_JMP, I_MATCH };

typedef struct {
    enum op op;
    int x, y;  /* the char or class; jump targets */
} inst;

typedef struct {
    inst code[MAX_INSTS];
    int len;
} program;

static int emit(program *p, enum op op, int x, int y) {
    if (p->len == MAX_INSTS) fail("program too large");
    p->code[p->len] = (inst){op, x, y};
    return p->len++;
}

static void compile_node(program *p, int n) {
    node *nd = &nodes[n];
    int split, jmp;
    switch (nd->kind) {
    case N_CHAR: emit(p, I_CHAR, nd->a, 0); break;
    case N_ANY: emit(p, I_ANY, 0, 0); break;
    case N_CLASS: emit(p, I_CLASS, nd->a, 0); break;
    case N_BOL: emit(p, I_BOL, 0, 0); break;
    case N_EOL: emit(p, I_EOL, 0, 0); break;
    case N_CAT:
        compile_node(p, nd->a);
        compile_node(p, nd->b);
        break;
    case N_ALT:  /* split L1, L2; L1: a; jmp L3; L2: b; L3: */
        split = emit(p, I_SPLIT, 0, 0);
        p->code[split].x = p->len;
        compile_node(p, nd->a);
        jmp = emit(p, I_JMP, 0, 0);
        p->code[split].y = p->len;
        compile_node(p, nd->b);
        p->code[jmp].x = p->len;
        break;
    case N_STAR:  /* L1: split L2, L3; L2: a; jmp L1; L3: */
        split = emit(p, I_SPLIT, 0, 0);
        p->code[split].x = p->len;
        compile_node(p, nd->a);
        emit(p, I_JMP, split, 0);
        p->code[split].y = p->len;
        break;
    case N_PLUS:  /* L1: a; split L1, L2; L2: */
        jmp = p->len;
        compile_node(p, nd->a);
        emit(p, I_SPLIT, jmp, p->len + 1);
        break;
    case N_QUEST:  /* split L1, L2; L1: a; L2: */
        split = emit(p, I_SPLIT, 0, 0);
        p->code[split].x = p->len;
        compile_node(p, nd->a);
        p->code[split].y = p->len;
        break;
    }
}

static void compile(program *p, const char *pattern) {
    pat = pattern;
    p->len = 0;
    int root = parse_alt();
    if (*pat) fail("unbalanced )");
    compile_node(p, root);
    emit(p, I_MATCH, 0, 0);
}

/* ---- matching: breadth-first simulation ------------------------------------------------ */

typedef struct {
    int pcs[MAX_INSTS];
    int n;
} thread_list;

static unsigned mark[MAX_INSTS];  /* generation in which an instruction was added */
static unsigned generation;

/* Adds the thread at `pc` and everything reachable without consuming a character, at
 * position `i` of a line of length `len`. Returns 1 if MATCH is reachable. */
static int add_thread(const program *p, thread_list *list, int pc, size_t i, size_t len) {
    if (mark[pc] == generation) return 0;
    mark[pc] = generation;
    const inst *in = &p->code[pc];
    switch (in->op) {
    case I_JMP: return add_thread(p, list, in->x, i, len);
    case I_SPLIT:
        return add_thread(p, list, in->x, i, len) | add_thread(p, list, in->y, i, len);
    case I_BOL: return i == 0 ? add_thread(p, list, pc + 1, i, len) : 0;
    case I_EOL: return i == len ? add_thread(p, list, pc + 1, i, len) : 0;
    case I_MATCH: return 1;
    default: list->pcs[list->n++] = pc; return 0;
    }
}

/* Does the line contain a match of `p`? */
static int search(const program *p, const unsigned char *line, size_t len) {
    static thread_list lists[2];
    thread_list *cur = &lists[0], *next = &lists[1];
    cur->n = 0;
    generation++;
    if (add_thread(p, cur, 0, 0, len)) return 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = line[i];
        next->n = 0;
        generation++;
        for (int t = 0; t < cur->n; t++) {
            const inst *in = &p->code[cur->pcs[t]];
            int ok = in->op == I_ANY || (in->op == I_CHAR && in->x == c) ||
                     (in->op == I_CLASS && classes[in->x][c]);
            if (ok && add_thread(p, next, cur->pcs[t] + 1, i + 1, len)) return 1;
        }
        /* Unanchored search: a match may also start at the next position. */
        if (add_thread(p, next, 0, i + 1, len)) return 1;
        thread_list *tmp = cur;
        cur = next;
        next = tmp;
    }
    return 0;
}

/* ---- the input: a generated server log ---------------------------------------------------- */

static uint32_t seed = 42;
static uint32_t rnd(uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
}

static const char *const LEVELS[] = {"INFO", "DEBUG", "WARN", "ERROR", "INFO", "INFO"};
static const char *const NAMES[] = {"ada", "bob", "carol", "dave", "eve", "zed"};
static const char *const HOSTS[] = {"example", "mail", "corp", "uni"};
static const char *const TLDS[] = {"com", "org", "net", "io"};

/* One line; the random fields are drawn in order (not as arguments of one call, whose
 * evaluation order C leaves open). */
static size_t make_line(char *buf, size_t size) {
    unsigned month = rnd(12) + 1, day = rnd(28) + 1, hour = rnd(24), min = rnd(60);
    unsigned sec = rnd(60);
    const char *level = LEVELS[rnd(6)];
    unsigned user = rnd(100000);
    int n = snprintf(buf, size, "2026-%02u-%02u %02u:%02u:%02u [%s] user%u ", month, day, hour,
                     min, sec, level, user);
    if (rnd(4) == 0) {
        const char *first = NAMES[rnd(6)], *last = NAMES[rnd(6)];
        const char *host = HOSTS[rnd(4)], *tld = TLDS[rnd(4)];
        n += snprintf(buf + n, size - (size_t)n, "mail %s.%s@%s.%s ", first, last, host, tld);
    }
    static const char *const STATUS[] = {"200", "200", "200", "304", "404", "500", "201"};
    unsigned version = rnd(3) + 1, item = rnd(20000);
    const char *status = STATUS[rnd(7)];
    unsigned ms = rnd(5000);
    n += snprintf(buf + n, size - (size_t)n, "GET /api/v%u/items/%u %s %ums", version, item,
                  status, ms);
    return (size_t)n;
}

int main(int argc, char **argv) {
    long lines = argc > 1 ? atol(argv[1]) : 1000;
    static program programs[N_PATTERNS];
    for (int k = 0; k < N_PATTERNS; k++) compile(&programs[k], PATTERNS[k]);
    long counts[N_PATTERNS] = {0};
    char line[256];
    for (long l = 0; l < lines; l++) {
        size_t len = make_line(line, sizeof line);
        for (int k = 0; k < N_PATTERNS; k++)
            counts[k] += search(&programs[k], (const unsigned char *)line, len);
    }
    for (int k = 0; k < N_PATTERNS; k++) printf("%6ld  %s\n", counts[k], PATTERNS[k]);
    return 0;
}
