/* A small interpreter — the "real program of some size" of the WASI tests. The language:
 *   let x = expr;   x = expr;   a[i] = expr;   print expr, ...;
 *   if (c) { ... } else { ... }   while (c) { ... }   fn name(a, b) { ... return e; }
 * expressions: integers, strings, arrays [a, b] and array(n), calls, + - * / % < <= > >=
 * == != && || !, indexing, len(x), str(x). Values are integers, strings and arrays.
 * Usage: interp SCRIPT [ARGS...] (ARGS are in the array `args`); a runtime error prints a
 * message to stderr and exits with status 2. Reads the script through WASI path_open. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ---- */
typedef enum { T_INT, T_STR, T_ARR, T_NIL } vtype;
typedef struct value value;
typedef struct array { int len, cap; value *items; } array;
struct value { vtype t; union { long long i; char *s; array *a; } u; };

static value nil(void) { value v = {T_NIL, {0}}; return v; }
static value mkint(long long i) { value v = {T_INT, {.i = i}}; return v; }
static value mkstr(const char *s) { value v = {T_STR, {.s = strdup(s)}}; return v; }
static value mkarr(int n) {
    array *a = calloc(1, sizeof *a);
    a->cap = n > 4 ? n : 4;
    a->len = n;
    a->items = calloc((size_t)a->cap, sizeof(value));
    for (int k = 0; k < n; k++) a->items[k] = mkint(0);
    value v = {T_ARR, {.a = a}};
    return v;
}
static void push(array *a, value v) {
    if (a->len == a->cap) { a->cap *= 2; a->items = realloc(a->items, (size_t)a->cap * sizeof(value)); }
    a->items[a->len++] = v;
}

static int line_no = 1;
__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "error (line %d): ", line_no);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* ---- lexer ---- */
typedef enum { K_EOF, K_NUM, K_STR, K_ID, K_OP } kind;
typedef struct { kind k; char text[64]; long long num; int line; } token;
static token *toks;
static int ntoks, pos;

static void lex(const char *src) {
    int cap = 256, line = 1;
    toks = malloc(sizeof(token) * (size_t)cap);
    const char *p = src;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '#') {
            if (*p == '#') while (*p && *p != '\n') p++;
            else if (*p++ == '\n') line++;
        }
        if (ntoks == cap) { cap *= 2; toks = realloc(toks, sizeof(token) * (size_t)cap); }
        token *t = &toks[ntoks++];
        memset(t, 0, sizeof *t);
        t->line = line;
        if (!*p) { t->k = K_EOF; return; }
        if (*p >= '0' && *p <= '9') {
            t->k = K_NUM;
            while (*p >= '0' && *p <= '9') t->num = t->num * 10 + (*p++ - '0');
        } else if (*p == '"') {
            t->k = K_STR;
            int n = 0;
            p++;
            while (*p && *p != '"' && n < 63) {
                if (*p == '\\' && p[1] == 'n') { t->text[n++] = '\n'; p += 2; }
                else t->text[n++] = *p++;
            }
            if (*p == '"') p++;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_') {
            t->k = K_ID;
            int n = 0;
            while (((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                    (*p >= '0' && *p <= '9')) && n < 63)
                t->text[n++] = *p++;
        } else {
            t->k = K_OP;
            static const char *two[] = {"<=", ">=", "==", "!=", "&&", "||"};
            for (int k = 0; k < 6; k++)
                if (strncmp(p, two[k], 2) == 0) { strcpy(t->text, two[k]); p += 2; goto next; }
            t->text[0] = *p++;
        }
    next:;
    }
}

/* ---- AST ---- */
typedef enum {
    N_NUM, N_STR, N_VAR, N_BIN, N_NOT, N_NEG, N_CALL, N_INDEX, N_ARRLIT,
    N_LET, N_ASSIGN, N_SETINDEX, N_PRINT, N_IF, N_WHILE, N_RETURN, N_BLOCK, N_EXPR, N_FN
} ntype;
typedef struct node node;
struct node {
    ntype t;
    int line;
    char op[3];
    char name[64];
    long long num;
    node *a, *b, *c;
    node **kids;
    int nkids;
};
static node *mk(ntype t) { node *n = calloc(1, sizeof *n); n->t = t; n->line = toks[pos].line; return n; }
static void add(node *n, node *k) {
    n->kids = realloc(n->kids, sizeof(node *) * (size_t)(n->nkids + 1));
    n->kids[n->nkids++] = k;
}
static int is_op(const char *s) { return toks[pos].k == K_OP && strcmp(toks[pos].text, s) == 0; }
static int is_kw(const char *s) { return toks[pos].k == K_ID && strcmp(toks[pos].text, s) == 0; }
static void expect(const char *s) {
    line_no = toks[pos].line;
    if (!is_op(s)) die("expected '%s', got '%s'", s, toks[pos].text);
    pos++;
}

static node *expr(void);
static node *primary(void) {
    token *t = &toks[pos];
    line_no = t->line;
    node *n;
    if (t->k == K_NUM) { n = mk(N_NUM); n->num = t->num; pos++; }
    else if (t->k == K_STR) { n = mk(N_STR); strcpy(n->name, t->text); pos++; }
    else if (t->k == K_ID) {
        pos++;
        if (is_op("(")) {
            n = mk(N_CALL);
            strcpy(n->name, t->text);
            pos++;
            if (!is_op(")")) { add(n, expr()); while (is_op(",")) { pos++; add(n, expr()); } }
            expect(")");
        } else { n = mk(N_VAR); strcpy(n->name, t->text); }
    } else if (is_op("(")) { pos++; n = expr(); expect(")"); }
    else if (is_op("[")) {
        pos++;
        n = mk(N_ARRLIT);
        if (!is_op("]")) { add(n, expr()); while (is_op(",")) { pos++; add(n, expr()); } }
        expect("]");
    } else if (is_op("!")) { pos++; n = mk(N_NOT); n->a = primary(); }
    else if (is_op("-")) { pos++; n = mk(N_NEG); n->a = primary(); }
    else die("unexpected '%s'", t->text);
    while (is_op("[")) {
        pos++;
        node *ix = mk(N_INDEX);
        ix->a = n;
        ix->b = expr();
        expect("]");
        n = ix;
    }
    return n;
}
static int prec(const char *op) {
    static const char *ops[] = {"||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"};
    static const int p[] = {1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6};
    for (int k = 0; k < 13; k++) if (strcmp(op, ops[k]) == 0) return p[k];
    return 0;
}
static node *binary(int min) {
    node *l = primary();
    while (toks[pos].k == K_OP && prec(toks[pos].text) >= min && prec(toks[pos].text) > 0) {
        node *n = mk(N_BIN);
        strcpy(n->op, toks[pos].text);
        int p = prec(n->op);
        pos++;
        n->a = l;
        n->b = binary(p + 1);
        l = n;
    }
    return l;
}
static node *expr(void) { return binary(1); }

static node *statement(void);
static node *block(void) {
    expect("{");
    node *b = mk(N_BLOCK);
    while (!is_op("}")) {
        if (toks[pos].k == K_EOF) die("unterminated block");
        add(b, statement());
    }
    pos++;
    return b;
}
static node *statement(void) {
    line_no = toks[pos].line;
    node *n;
    if (is_kw("let")) {
        pos++;
        n = mk(N_LET);
        strcpy(n->name, toks[pos++].text);
        expect("=");
        n->a = expr();
        expect(";");
    } else if (is_kw("print")) {
        pos++;
        n = mk(N_PRINT);
        add(n, expr());
        while (is_op(",")) { pos++; add(n, expr()); }
        expect(";");
    } else if (is_kw("if")) {
        pos++;
        n = mk(N_IF);
        expect("(");
        n->a = expr();
        expect(")");
        n->b = block();
        if (is_kw("else")) { pos++; n->c = is_kw("if") ? statement() : block(); }
    } else if (is_kw("while")) {
        pos++;
        n = mk(N_WHILE);
        expect("(");
        n->a = expr();
        expect(")");
        n->b = block();
    } else if (is_kw("return")) {
        pos++;
        n = mk(N_RETURN);
        n->a = is_op(";") ? NULL : expr();
        expect(";");
    } else if (is_kw("fn")) {
        pos++;
        n = mk(N_FN);
        strcpy(n->name, toks[pos++].text);
        expect("(");
        while (!is_op(")")) {
            node *p = mk(N_VAR);
            strcpy(p->name, toks[pos++].text);
            add(n, p);
            if (is_op(",")) pos++;
        }
        pos++;
        n->b = block();
    } else {
        node *e = expr();
        if (is_op("=")) {
            pos++;
            if (e->t == N_VAR) { n = mk(N_ASSIGN); strcpy(n->name, e->name); }
            else if (e->t == N_INDEX) { n = mk(N_SETINDEX); n->b = e->a; n->c = e->b; }
            else die("cannot assign");
            n->a = expr();
        } else { n = mk(N_EXPR); n->a = e; }
        expect(";");
    }
    return n;
}

/* ---- evaluation ---- */
typedef struct var { char name[64]; value v; struct var *next; } var;
typedef struct env { var *vars; struct env *parent; } env;
static node *fns[256];
static int nfns;
static env globals;

static var *lookup(env *e, const char *name) {
    for (; e; e = e->parent)
        for (var *v = e->vars; v; v = v->next) if (strcmp(v->name, name) == 0) return v;
    return NULL;
}
static void define(env *e, const char *name, value val) {
    var *v = calloc(1, sizeof *v);
    strcpy(v->name, name);
    v->v = val;
    v->next = e->vars;
    e->vars = v;
}
static int truthy(value v) {
    return v.t == T_INT ? v.u.i != 0 : v.t == T_STR ? v.u.s[0] != 0 : v.t == T_ARR ? v.u.a->len : 0;
}
static void show(FILE *f, value v) {
    if (v.t == T_INT) fprintf(f, "%lld", v.u.i);
    else if (v.t == T_STR) fputs(v.u.s, f);
    else if (v.t == T_NIL) fputs("nil", f);
    else {
        fputc('[', f);
        for (int k = 0; k < v.u.a->len; k++) { if (k) fputs(", ", f); show(f, v.u.a->items[k]); }
        fputc(']', f);
    }
}
static char *to_string(value v) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    show(f, v);
    fclose(f);
    return buf;
}

static int returning;
static value retval;
static int depth;
static value eval(node *n, env *e);
static void exec(node *n, env *e);

static value call(node *n, env *e) {
    value args[16];
    int na = n->nkids;
    if (na > 16) die("too many arguments");
    for (int k = 0; k < na; k++) args[k] = eval(n->kids[k], e);
    if (strcmp(n->name, "len") == 0 && na == 1) {
        if (args[0].t == T_STR) return mkint((long long)strlen(args[0].u.s));
        if (args[0].t == T_ARR) return mkint(args[0].u.a->len);
        die("len of a non-sequence");
    }
    if (strcmp(n->name, "str") == 0 && na == 1) {
        value v = {T_STR, {.s = to_string(args[0])}};
        return v;
    }
    if (strcmp(n->name, "array") == 0 && na == 1 && args[0].t == T_INT) return mkarr((int)args[0].u.i);
    if (strcmp(n->name, "push") == 0 && na == 2 && args[0].t == T_ARR) {
        push(args[0].u.a, args[1]);
        return args[0];
    }
    for (int k = 0; k < nfns; k++) {
        node *f = fns[k];
        if (strcmp(f->name, n->name) != 0) continue;
        if (f->nkids != na) die("%s takes %d arguments, %d given", f->name, f->nkids, na);
        if (++depth > 10000) die("recursion too deep");
        env local = {NULL, &globals};
        for (int j = 0; j < na; j++) define(&local, f->kids[j]->name, args[j]);
        exec(f->b, &local);
        depth--;
        value r = returning ? retval : nil();
        returning = 0;
        return r;
    }
    die("unknown function %s", n->name);
    return nil();
}

static value eval(node *n, env *e) {
    line_no = n->line;
    switch (n->t) {
    case N_NUM: return mkint(n->num);
    case N_STR: return mkstr(n->name);
    case N_VAR: {
        var *v = lookup(e, n->name);
        if (!v) die("undefined variable %s", n->name);
        return v->v;
    }
    case N_NOT: return mkint(!truthy(eval(n->a, e)));
    case N_NEG: {
        value v = eval(n->a, e);
        if (v.t != T_INT) die("negating a non-integer");
        return mkint(-v.u.i);
    }
    case N_CALL: return call(n, e);
    case N_ARRLIT: {
        value a = mkarr(0);
        for (int k = 0; k < n->nkids; k++) push(a.u.a, eval(n->kids[k], e));
        return a;
    }
    case N_INDEX: {
        value a = eval(n->a, e), i = eval(n->b, e);
        if (i.t != T_INT) die("index is not an integer");
        if (a.t == T_ARR) {
            if (i.u.i < 0 || i.u.i >= a.u.a->len) die("index %lld out of range", i.u.i);
            return a.u.a->items[i.u.i];
        }
        if (a.t == T_STR) {
            if (i.u.i < 0 || i.u.i >= (long long)strlen(a.u.s)) die("index %lld out of range", i.u.i);
            char s[2] = {a.u.s[i.u.i], 0};
            return mkstr(s);
        }
        die("indexing a non-sequence");
    }
    /* fallthrough */
    case N_BIN: {
        if (strcmp(n->op, "&&") == 0) return mkint(truthy(eval(n->a, e)) && truthy(eval(n->b, e)));
        if (strcmp(n->op, "||") == 0) return mkint(truthy(eval(n->a, e)) || truthy(eval(n->b, e)));
        value l = eval(n->a, e), r = eval(n->b, e);
        line_no = n->line;
        if (strcmp(n->op, "+") == 0 && (l.t == T_STR || r.t == T_STR)) {
            char *a = to_string(l), *b = to_string(r);
            char *s = malloc(strlen(a) + strlen(b) + 1);
            strcpy(s, a);
            strcat(s, b);
            free(a);
            free(b);
            value v = {T_STR, {.s = s}};
            return v;
        }
        if (strcmp(n->op, "==") == 0 || strcmp(n->op, "!=") == 0) {
            int eq = l.t == r.t && (l.t == T_INT ? l.u.i == r.u.i
                                    : l.t == T_STR ? strcmp(l.u.s, r.u.s) == 0
                                    : l.t == T_ARR ? l.u.a == r.u.a : 1);
            return mkint(n->op[0] == '=' ? eq : !eq);
        }
        if (l.t != T_INT || r.t != T_INT) die("operator %s needs integers", n->op);
        long long a = l.u.i, b = r.u.i;
        switch (n->op[0]) {
        case '+': return mkint((long long)((unsigned long long)a + (unsigned long long)b));
        case '-': return mkint((long long)((unsigned long long)a - (unsigned long long)b));
        case '*': return mkint((long long)((unsigned long long)a * (unsigned long long)b));
        case '/': if (!b) die("division by zero"); return mkint(a / b);
        case '%': if (!b) die("division by zero"); return mkint(a % b);
        case '<': return mkint(n->op[1] ? a <= b : a < b);
        case '>': return mkint(n->op[1] ? a >= b : a > b);
        }
        die("bad operator %s", n->op);
    }
    /* fallthrough */
    default: die("not an expression");
    }
    return nil();
}

static void exec(node *n, env *e) {
    if (returning) return;
    line_no = n->line;
    switch (n->t) {
    case N_LET: define(e, n->name, eval(n->a, e)); break;
    case N_ASSIGN: {
        var *v = lookup(e, n->name);
        if (!v) die("assignment to undefined variable %s", n->name);
        v->v = eval(n->a, e);
        break;
    }
    case N_SETINDEX: {
        value a = eval(n->b, e), i = eval(n->c, e), v = eval(n->a, e);
        if (a.t != T_ARR || i.t != T_INT) die("bad indexed assignment");
        if (i.u.i < 0 || i.u.i >= a.u.a->len) die("index %lld out of range", i.u.i);
        a.u.a->items[i.u.i] = v;
        break;
    }
    case N_PRINT:
        for (int k = 0; k < n->nkids; k++) { if (k) putchar(' '); show(stdout, eval(n->kids[k], e)); }
        putchar('\n');
        break;
    case N_IF:
        if (truthy(eval(n->a, e))) exec(n->b, e);
        else if (n->c) exec(n->c, e);
        break;
    case N_WHILE:
        while (!returning && truthy(eval(n->a, e))) exec(n->b, e);
        break;
    case N_RETURN:
        retval = n->a ? eval(n->a, e) : nil();
        returning = 1;
        break;
    case N_BLOCK: {
        env inner = {NULL, e};
        for (int k = 0; k < n->nkids && !returning; k++) exec(n->kids[k], &inner);
        break;
    }
    case N_FN:
        if (nfns == 256) die("too many functions");
        fns[nfns++] = n;
        break;
    case N_EXPR: eval(n->a, e); break;
    default: die("not a statement");
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: interp SCRIPT [ARGS...]\n"); return 64; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 66; }
    size_t cap = 4096, len = 0;
    char *src = malloc(cap);
    size_t n;
    while ((n = fread(src + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) src = realloc(src, cap *= 2);
    }
    src[len] = 0;
    fclose(f);
    lex(src);
    value args = mkarr(0);
    for (int k = 2; k < argc; k++) push(args.u.a, mkstr(argv[k]));
    define(&globals, "args", args);
    node *prog = mk(N_BLOCK);
    while (toks[pos].k != K_EOF) add(prog, statement());
    for (int k = 0; k < prog->nkids; k++) exec(prog->kids[k], &globals);
    return 0;
}
