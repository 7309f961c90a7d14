// exnparse: a recursive-descent parser and evaluator of generated arithmetic expressions
// that reports errors by throwing, the native C++ build of the benchmark whose Wasm builds
// are written in WAT (exnparse.wat with exnparse_exnref.wat or exnparse_legacy.wat; the
// ziglang clang cannot link C++ exceptions for wasm32-wasi). Both do the same work, step by
// step, and print the same line.
//
// Each expression is generated from a linear congruential generator and nests 4 to 27
// levels deep along one "spine" of parentheses. Evaluating it while parsing goes
// expr -> term -> factor -> group -> expr ..., three or four frames per level; a factor is
// parsed by a function chosen from a table by its first character, and a binary operator is
// applied through a table of functions (call_indirect in Wasm). Errors are exceptions:
// a division or remainder by zero throws DivZero, a bad character SyntaxError, both with the
// byte position. A group "( )" restores the nesting depth on the way out (a destructor: a
// cleanup that catches everything and throws again), a guard "[ ]" catches DivZero inside
// it and yields 0, and the top level catches both kinds for each expression.
//
// usage: exnparse [COUNT]   (expressions; default 1000)
#include <cstdint>
#include <cstdio>
#include <cstdlib>

struct DivZero {
    uint32_t pos;
};
struct SyntaxError {
    uint32_t pos;
};

// A number below n (n <= 65536) from the top 16 bits, scaled by a multiplication (no
// division: the generator should cost little next to the parsing).
static uint32_t seed = 42;
static uint32_t rnd(uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return ((seed >> 16) * n) >> 16;
}

// ---- the generator ----

static unsigned char text[1 << 16];
static uint32_t len;

static void put(unsigned char c) { text[len++] = c; }

static void gen_expr(uint32_t depth);

static void gen_factor(uint32_t depth, bool spine) {
    if (spine && depth > 0) {
        bool guard = rnd(4) == 0;
        put(guard ? '[' : '(');
        gen_expr(depth - 1);
        put(guard ? ']' : ')');
    } else if (rnd(64) == 0) {
        put('?');
    } else {
        put((unsigned char)('0' + rnd(10)));
    }
}

static void gen_term(uint32_t depth, bool spine) {
    uint32_t factors = 1 + rnd(3), on_spine = rnd(factors);
    for (uint32_t f = 0; f < factors; f++) {
        if (f > 0) put((unsigned char)"**/%"[rnd(4)]);
        gen_factor(depth, spine && f == on_spine);
    }
}

static void gen_expr(uint32_t depth) {
    uint32_t terms = 1 + rnd(3), on_spine = rnd(terms);
    for (uint32_t t = 0; t < terms; t++) {
        if (t > 0) put(rnd(2) ? '-' : '+');
        gen_term(depth, t == on_spine);
    }
}

// ---- the parser and evaluator ----

static uint32_t pos, depth, max_depth, guarded;

typedef uint32_t (*BinOp)(uint32_t a, uint32_t b, uint32_t at);
static uint32_t op_add(uint32_t a, uint32_t b, uint32_t) { return a + b; }
static uint32_t op_sub(uint32_t a, uint32_t b, uint32_t) { return a - b; }
static uint32_t op_mul(uint32_t a, uint32_t b, uint32_t) { return a * b; }
static uint32_t op_div(uint32_t a, uint32_t b, uint32_t at) {
    if (b == 0) throw DivZero{at};
    return a / b;
}
static uint32_t op_rem(uint32_t a, uint32_t b, uint32_t at) {
    if (b == 0) throw DivZero{at};
    return a % b;
}
static const BinOp binops[5] = {op_add, op_sub, op_mul, op_div, op_rem};

static uint32_t op_index(unsigned char c) {  // 5: not an operator
    switch (c) {
    case '+': return 0;
    case '-': return 1;
    case '*': return 2;
    case '/': return 3;
    case '%': return 4;
    default: return 5;
    }
}

static uint32_t parse_expr();

static void expect(unsigned char c) {
    if (text[pos] != c) throw SyntaxError{pos};
    pos++;
}

static uint32_t parse_bad() { throw SyntaxError{pos}; }

static uint32_t parse_number() { return (uint32_t)(text[pos++] - '0'); }

struct DepthGuard {
    DepthGuard() {
        if (++depth > max_depth) max_depth = depth;
    }
    ~DepthGuard() { depth--; }
};

static uint32_t parse_group() {
    DepthGuard nested;
    pos++;
    uint32_t v = parse_expr();
    expect(')');
    return v;
}

// After a DivZero inside a guard: the position of the guard's closing ']'.
static uint32_t closing_bracket(uint32_t from) {
    uint32_t open = 0;
    for (uint32_t i = from;; i++) {
        unsigned char c = text[i];
        if (c == '(' || c == '[') {
            open++;
        } else if (c == ')' || c == ']') {
            if (open == 0) return i;
            open--;
        }
    }
}

static uint32_t parse_guard() {
    uint32_t start = ++pos, v;
    try {
        v = parse_expr();
    } catch (const DivZero &) {
        guarded++;
        pos = closing_bracket(start);
        v = 0;
    }
    expect(']');
    return v;
}

typedef uint32_t (*FactorParser)();
static const FactorParser factor_parsers[4] = {parse_bad, parse_number, parse_group,
                                               parse_guard};
static unsigned char char_class[256];  // index into factor_parsers

static uint32_t parse_factor() { return factor_parsers[char_class[text[pos]]](); }

static uint32_t parse_term() {
    uint32_t v = parse_factor();
    for (;;) {
        uint32_t op = op_index(text[pos]);
        if (op < 2 || op > 4) return v;
        uint32_t at = pos++;
        uint32_t r = parse_factor();
        v = binops[op](v, r, at);
    }
}

static uint32_t parse_expr() {
    uint32_t v = parse_term();
    for (;;) {
        uint32_t op = op_index(text[pos]);
        if (op > 1) return v;
        uint32_t at = pos++;
        uint32_t r = parse_term();
        v = binops[op](v, r, at);
    }
}

int main(int argc, char **argv) {
    uint32_t count = argc > 1 ? (uint32_t)strtoul(argv[1], nullptr, 10) : 1000;
    for (int c = '0'; c <= '9'; c++) char_class[c] = 1;
    char_class['('] = 2;
    char_class['['] = 3;

    uint32_t ok = 0, div_zero = 0, syntax = 0, checksum = 0;
    for (uint32_t i = 0; i < count; i++) {
        len = 0;
        gen_expr(4 + rnd(24));
        put(0);
        pos = 0;
        try {
            uint32_t v = parse_expr();
            if (text[pos] != 0) throw SyntaxError{pos};
            ok++;
            checksum = checksum * 31 + v;
        } catch (const DivZero &e) {
            div_zero++;
            checksum = checksum * 31 + e.pos;
        } catch (const SyntaxError &e) {
            syntax++;
            checksum = checksum * 31 + e.pos + 7;
        }
        if (depth != 0) {
            printf("exnparse: depth %u after expression %u\n", depth, i);
            return 1;
        }
    }
    printf("exnparse: %u expressions: %u ok, %u division by zero, %u syntax error; "
           "%u guarded, max depth %u, checksum %u\n",
           count, ok, div_zero, syntax, guarded, max_depth, checksum);
    return 0;
}
