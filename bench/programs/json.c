/* JSON: a generated document (objects, arrays, strings with escapes, integers, decimals,
 * true/false/null) is parsed by a recursive-descent parser into a tree of malloc'ed nodes,
 * the tree is walked (sums and counts), written back out as compact JSON, and freed.
 * The output of one round is the input of the next check: parsing the written text again
 * must give the same summary.
 *
 * Usage: json ROUNDS [RECORDS]. Prints the summary of the tree and the size of the text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jkind;

typedef struct jnode jnode;
struct jnode {
    jkind kind;
    double number;
    char *string;  /* a string's value, or an object member's key */
    size_t length;
    jnode *child;  /* first element or member */
    jnode *next;   /* next sibling */
};

/* ---- a growable text buffer ---------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static void put(buffer *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) exit(3);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}
static void puts_(buffer *b, const char *s) { put(b, s, strlen(s)); }

/* ---- the generated input ------------------------------------------------------------ */

static uint32_t seed = 7;
static uint32_t rnd(uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
}

static void gen_string(buffer *b) {
    static const char *const PARTS[] = {"alpha", "beta", " ", "\\n", "\\\"q\\\"", "\\u00e9",
                                        "gamma", "\\\\", "delta-", "x"};
    puts_(b, "\"");
    for (uint32_t i = 0, n = 1 + rnd(6); i < n; i++) puts_(b, PARTS[rnd(10)]);
    puts_(b, "\"");
}

static void gen_record(buffer *b, uint32_t id) {
    char tmp[64];
    snprintf(tmp, sizeof tmp, "{\"id\": %u, \"name\": ", id);
    puts_(b, tmp);
    gen_string(b);
    int whole = (int)rnd(200000) - 100000;
    unsigned frac = rnd(1000);
    snprintf(tmp, sizeof tmp, ", \"score\": %d.%03u, \"tags\": [", whole, frac);
    puts_(b, tmp);
    for (uint32_t i = 0, n = rnd(5); i < n; i++) {
        if (i) puts_(b, ", ");
        gen_string(b);
    }
    puts_(b, "], \"active\": ");
    puts_(b, rnd(2) ? "true" : "false");
    puts_(b, ", \"parent\": ");
    if (rnd(3) == 0) {
        puts_(b, "null");
    } else {
        unsigned parent = rnd(id + 1);
        int exp = (int)rnd(5);
        snprintf(tmp, sizeof tmp, "{\"ref\": %u, \"weight\": %u.5e%d}", parent, rnd(100), exp);
        puts_(b, tmp);
    }
    puts_(b, ", \"matrix\": [[1, 2, 3], [4, 5, 6], [7, 8, -9.25]]}");
}

/* ---- the parser ---------------------------------------------------------------------- */

typedef struct {
    const char *p;
    const char *end;
} parser;

static void parse_error(const parser *ps, const char *what) {
    fprintf(stderr, "json: %s at byte %ld\n", what, (long)(ps->end - ps->p));
    exit(2);
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' ||
                               *ps->p == '\r'))
        ps->p++;
}

static jnode *new_node(jkind kind) {
    jnode *n = calloc(1, sizeof *n);
    if (!n) exit(3);
    n->kind = kind;
    return n;
}

static int hex_digit(parser *ps, char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    parse_error(ps, "bad \\u escape");
    return 0;
}

/* A string after its opening quote; the result is UTF-8 (\u escapes of the BMP). */
static char *parse_string(parser *ps, size_t *length) {
    buffer out = {0};
    put(&out, "", 0);
    for (;;) {
        if (ps->p >= ps->end) parse_error(ps, "unterminated string");
        const char *start = ps->p;
        while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\') ps->p++;
        put(&out, start, (size_t)(ps->p - start));
        if (ps->p >= ps->end) continue;
        if (*ps->p++ == '"') break;
        char c = *ps->p++, ch;
        switch (c) {
        case 'n': ch = '\n'; break;
        case 't': ch = '\t'; break;
        case 'r': ch = '\r'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case '"': case '\\': case '/': ch = c; break;
        case 'u': {
            if (ps->end - ps->p < 4) parse_error(ps, "short \\u escape");
            unsigned cp = 0;
            for (int i = 0; i < 4; i++) cp = cp << 4 | (unsigned)hex_digit(ps, *ps->p++);
            char utf8[3];
            size_t n;
            if (cp < 0x80) {
                utf8[0] = (char)cp, n = 1;
            } else if (cp < 0x800) {
                utf8[0] = (char)(0xC0 | cp >> 6), utf8[1] = (char)(0x80 | (cp & 63)), n = 2;
            } else {
                utf8[0] = (char)(0xE0 | cp >> 12), utf8[1] = (char)(0x80 | (cp >> 6 & 63));
                utf8[2] = (char)(0x80 | (cp & 63)), n = 3;
            }
            put(&out, utf8, n);
            continue;
        }
        default: parse_error(ps, "bad escape");
        }
        put(&out, &ch, 1);
    }
    *length = out.len;
    return out.data;
}

/* Numbers by hand (strtod's rounding could differ between C libraries): the digits as an
 * integer, then scaled by a power of ten. */
static double parse_number(parser *ps) {
    int negative = 0, exp = 0, exp_sign = 1;
    double mantissa = 0;
    if (*ps->p == '-') negative = 1, ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') parse_error(ps, "bad number");
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
        mantissa = mantissa * 10 + (*ps->p++ - '0');
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            mantissa = mantissa * 10 + (*ps->p++ - '0'), exp--;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (*ps->p == '-' || *ps->p == '+') exp_sign = *ps->p++ == '-' ? -1 : 1;
        int e = 0;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') e = e * 10 + (*ps->p++ - '0');
        exp += exp_sign * e;
    }
    double scale = 1;
    for (int i = 0; i < (exp < 0 ? -exp : exp); i++) scale *= 10;
    double value = exp < 0 ? mantissa / scale : mantissa * scale;
    return negative ? -value : value;
}

static jnode *parse_value(parser *ps);

static jnode *parse_container(parser *ps, jkind kind, char close) {
    jnode *node = new_node(kind), **tail = &node->child;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return node;
    }
    for (;;) {
        char *key = NULL;
        size_t key_len = 0;
        if (kind == J_OBJECT) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p++ != '"') parse_error(ps, "expected a key");
            key = parse_string(ps, &key_len);
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p++ != ':') parse_error(ps, "expected ':'");
        }
        jnode *value = parse_value(ps);
        if (key) {
            jnode *member = new_node(J_NULL);  /* a member: key + the value as its child */
            member->string = key;
            member->length = key_len;
            member->child = value;
            value = member;
        }
        *tail = value;
        tail = &value->next;
        skip_ws(ps);
        if (ps->p >= ps->end) parse_error(ps, "unterminated container");
        char c = *ps->p++;
        if (c == close) return node;
        if (c != ',') parse_error(ps, "expected ',' or the end of a container");
    }
}

static jnode *parse_value(parser *ps) {
    skip_ws(ps);
    if (ps->p >= ps->end) parse_error(ps, "unexpected end");
    char c = *ps->p;
    if (c == '{') return ps->p++, parse_container(ps, J_OBJECT, '}');
    if (c == '[') return ps->p++, parse_container(ps, J_ARRAY, ']');
    if (c == '"') {
        ps->p++;
        jnode *n = new_node(J_STRING);
        n->string = parse_string(ps, &n->length);
        return n;
    }
    static const struct { const char *word; jkind kind; } WORDS[] = {
        {"true", J_TRUE}, {"false", J_FALSE}, {"null", J_NULL}};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(WORDS[i].word);
        if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, WORDS[i].word, n) == 0) {
            ps->p += n;
            return new_node(WORDS[i].kind);
        }
    }
    jnode *n = new_node(J_NUMBER);
    n->number = parse_number(ps);
    return n;
}

/* ---- using the tree ------------------------------------------------------------------- */

typedef struct {
    double number_sum;
    uint32_t string_hash;
    long nodes, trues, nulls;
} summary;

static void summarize(const jnode *n, summary *s) {
    for (; n; n = n->next) {
        s->nodes++;
        if (n->string)  /* strings and member keys */
            for (size_t i = 0; i < n->length; i++)
                s->string_hash = (s->string_hash ^ (uint8_t)n->string[i]) * 16777619u;
        if (n->kind == J_NUMBER) s->number_sum += n->number;
        if (n->kind == J_TRUE) s->trues++;
        if (n->kind == J_NULL && !n->child) s->nulls++;
        summarize(n->child, s);
    }
}

static void write_string(buffer *b, const char *s, size_t n) {
    puts_(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(b, esc, 2);
        } else if (c == '\n') {
            puts_(b, "\\n");
        } else {
            put(b, (const char *)&c, 1);
        }
    }
    puts_(b, "\"");
}

/* Compact JSON; numbers as integers with three decimals where they are not whole. */
static void write_value(buffer *b, const jnode *n) {
    char tmp[64];
    switch (n->kind) {
    case J_NULL: puts_(b, "null"); break;
    case J_FALSE: puts_(b, "false"); break;
    case J_TRUE: puts_(b, "true"); break;
    case J_STRING: write_string(b, n->string, n->length); break;
    case J_NUMBER: {
        double v = n->number;
        long long milli = (long long)(v * 1000 + (v < 0 ? -0.5 : 0.5));
        unsigned long long a = (unsigned long long)(milli < 0 ? -milli : milli);
        snprintf(tmp, sizeof tmp, "%s%llu.%03llu", milli < 0 ? "-" : "", a / 1000, a % 1000);
        puts_(b, tmp);
        break;
    }
    case J_ARRAY:
    case J_OBJECT:
        puts_(b, n->kind == J_ARRAY ? "[" : "{");
        for (const jnode *c = n->child; c; c = c->next) {
            if (c != n->child) puts_(b, ",");
            if (n->kind == J_OBJECT) {
                write_string(b, c->string, c->length);
                puts_(b, ":");
                write_value(b, c->child);
            } else {
                write_value(b, c);
            }
        }
        puts_(b, n->kind == J_ARRAY ? "]" : "}");
        break;
    }
}

static void free_tree(jnode *n) {
    while (n) {
        jnode *next = n->next;
        free_tree(n->child);
        free(n->string);
        free(n);
        n = next;
    }
}

static jnode *parse(const buffer *text) {
    parser ps = {text->data, text->data + text->len};
    jnode *root = parse_value(&ps);
    skip_ws(&ps);
    if (ps.p != ps.end) parse_error(&ps, "trailing characters");
    return root;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    uint32_t records = argc > 2 ? (uint32_t)atoi(argv[2]) : 4000;
    buffer text = {0};
    puts_(&text, "{\"version\": 1, \"records\": [\n");
    for (uint32_t i = 0; i < records; i++) {
        if (i) puts_(&text, ",\n");
        gen_record(&text, i);
    }
    puts_(&text, "\n]}\n");

    summary total = {0};
    size_t written = 0;
    for (int r = 0; r < rounds; r++) {
        jnode *root = parse(&text);
        summary s = {0};
        summarize(root, &s);
        buffer out = {0};
        write_value(&out, root);
        free_tree(root);
        /* The written text parses to the same summary. */
        jnode *again = parse(&out);
        summary s2 = {0};
        summarize(again, &s2);
        free_tree(again);
        if (s2.nodes != s.nodes || s2.string_hash != s.string_hash ||
            s2.number_sum != s.number_sum) {
            fprintf(stderr, "json: the written text does not parse back to the same tree\n");
            return 1;
        }
        written += out.len;
        free(out.data);
        total.number_sum += s.number_sum;
        total.string_hash = total.string_hash * 31 + s.string_hash;
        total.nodes += s.nodes, total.trues += s.trues, total.nulls += s.nulls;
    }
    printf("%ld nodes, %ld true, %ld null, numbers %.3f, strings %08x; %zu bytes in, %zu out\n",
           total.nodes, total.trues, total.nulls, total.number_sum, total.string_hash,
           text.len, written);
    free(text.data);
    return 0;
}
