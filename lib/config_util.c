/* config_util.c -- see config_util.h.  Also the public error-list functions
 * of config.h (print, free), since they only touch yw_config_errors_t. */
#include "config_util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <librdkafka/rdkafka.h>

/* ---- errors and files --------------------------------------------------------------- */

__attribute__((format(printf, 1, 0)))
static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

int yw_cfgu_error_add(yw_config_errors_t *errs, int line, int col,
                      const char *key, const char *fmt, ...)
{
    if (errs->count == errs->cap) {
        size_t cap = errs->cap ? errs->cap * 2 : 8;
        yw_config_error_t *items = realloc(errs->items, cap * sizeof *items);
        if (!items)
            return -1;
        errs->items = items;
        errs->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    char *k = key ? strdup(key) : NULL;
    if (!msg || (key && !k)) {
        free(msg);
        free(k);
        return -1;
    }
    yw_config_error_t *e = &errs->items[errs->count++];
    e->line = line;
    e->col = col;
    e->key = k;
    e->msg = msg;
    e->verbatim = false;
    return 0;
}

static int pos_before(const yw_config_error_t *a, const yw_config_error_t *b)
{
    long la = a->line > 0 ? a->line : LONG_MAX;
    long lb = b->line > 0 ? b->line : LONG_MAX;
    if (la != lb)
        return la < lb;
    return a->col < b->col;
}

void yw_cfgu_errors_sort(yw_config_errors_t *errs, size_t from)
{
    /* Insertion sort: stable, and a config has a handful of errors. */
    for (size_t i = from + 1; i < errs->count; i++) {
        yw_config_error_t e = errs->items[i];
        size_t j = i;
        while (j > from && pos_before(&e, &errs->items[j - 1])) {
            errs->items[j] = errs->items[j - 1];
            j--;
        }
        errs->items[j] = e;
    }
}

void yw_config_errors_print(const yw_config_errors_t *errs, const char *path,
                            FILE *out)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->count; i++) {
        const yw_config_error_t *e = &errs->items[i];
        if (e->verbatim) {
            fprintf(out, "%s\n", e->msg);
            continue;
        }
        if (e->line > 0)
            fprintf(out, "%s:%d:%d: ", path, e->line, e->col);
        else
            fprintf(out, "%s: ", path);
        if (e->key)
            fprintf(out, "%s: ", e->key);
        fprintf(out, "%s\n", e->msg);
    }
}

void yw_config_errors_free(yw_config_errors_t *errs)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->count; i++) {
        free(errs->items[i].key);
        free(errs->items[i].msg);
    }
    free(errs->items);
    errs->items = NULL;
    errs->count = errs->cap = 0;
}

/* ---- ${VAR} substitution -------------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
} sbuf_t;

static int sb_put(sbuf_t *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return -1;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

static bool name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

int yw_cfgu_env_expand(const char *in, size_t len, char **out,
                       bool *substituted, char *why, size_t whylen)
{
    sbuf_t b = { 0 };
    *out = NULL;
    *substituted = false;
    if (sb_put(&b, "", 0) < 0)
        return -2;
    size_t i = 0;
    while (i < len) {
        if (in[i] != '$') {
            size_t j = i;
            while (j < len && in[j] != '$')
                j++;
            if (sb_put(&b, in + i, j - i) < 0)
                goto oom;
            i = j;
            continue;
        }
        if (i + 2 < len && in[i + 1] == '$' && in[i + 2] == '{') {
            /* "$${" -> literal "${": emit one '$', let '{' pass as text. */
            if (sb_put(&b, "$", 1) < 0)
                goto oom;
            i += 2;
            continue;
        }
        if (i + 1 >= len || in[i + 1] != '{') {
            if (sb_put(&b, "$", 1) < 0)
                goto oom;
            i++;
            continue;
        }
        const char *close = memchr(in + i + 2, '}', len - i - 2);
        if (!close) {
            snprintf(why, whylen, "unterminated '${'; close it with '}' "
                     "or write '$${' for a literal '${'");
            goto bad;
        }
        const char *name = in + i + 2;
        size_t nlen = 0;
        while (name + nlen < close && name_char(name[nlen]))
            nlen++;
        const char *rest = name + nlen;
        bool has_default = false;
        if (nlen == 0 || !name_start(name[0]) || nlen > 127 ||
            (rest < close && !(close - rest >= 2 && rest[0] == ':' &&
                               rest[1] == '-'))) {
            snprintf(why, whylen, "'%.*s' is not a valid variable reference; "
                     "write ${NAME} or ${NAME:-default}",
                     (int)(close - in - i + 1), in + i);
            goto bad;
        }
        if (rest < close)
            has_default = true;
        char var[128];
        memcpy(var, name, nlen);
        var[nlen] = '\0';
        const char *val = getenv(var);
        if (has_default && (!val || !*val)) {
            if (sb_put(&b, rest + 2, (size_t)(close - rest - 2)) < 0)
                goto oom;
        } else if (val) {
            if (sb_put(&b, val, strlen(val)) < 0)
                goto oom;
        } else {
            snprintf(why, whylen, "environment variable %s is not set; "
                     "export it, or write ${%s:-default}", var, var);
            goto bad;
        }
        *substituted = true;
        i = (size_t)(close - in) + 1;
    }
    *out = b.s;
    return 0;
bad:
    free(b.s);
    return -1;
oom:
    free(b.s);
    return -2;
}

/* ---- scalars ----------------------------------------------------------- */

int yw_cfgu_parse_int(const char *s, int64_t *v)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    if (!*s)
        return -1;
    uint64_t acc = 0;
    bool over = false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (acc > (UINT64_MAX - d) / 10)
            over = true;
        else
            acc = acc * 10 + d;
    }
    if (over || acc > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return -2;
    *v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return 0;
}

int yw_cfgu_parse_double(const char *s, double *v)
{
    /* -?DIGITS(.DIGITS)?([eE][+-]?DIGITS)? -- so no "nan", "inf", hex
     * floats, ".5" or "5." (strtod alone would take all of them). */
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return -1;
    errno = 0;
    double x = strtod(s, NULL);
    if (!isfinite(x) || (errno == ERANGE && fabs(x) > 1.0))
        return -2;          /* 1e999: overflow (underflow to ~0 is fine) */
    *v = x;
    return 0;
}

int yw_cfgu_parse_tz(const char *s, int *minutes)
{
    if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return -1;
    for (int i = 1; i < 6; i++)
        if (i != 3 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[1] - '0') * 10 + (s[2] - '0');
    int m = (s[4] - '0') * 10 + (s[5] - '0');
    /* Real zones run from -12:00 to +14:00. */
    if (h > 14 || m > 59 || (h == 14 && m > 0))
        return -1;
    *minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
    return 0;
}

/* ---- suggestions ----------------------------------------------------------- */

int yw_cfgu_edit_distance(const char *a, const char *b)
{
    /* Keys are short; anything longer is not worth suggesting for. */
    enum { MAXK = 64 };
    size_t n = strlen(a), m = strlen(b);
    if (n > MAXK || m > MAXK)
        return INT_MAX / 2;
    int d[MAXK + 1][MAXK + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            /* Adjacent swap ("levle"): the commonest typo, cost 1. */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

bool yw_cfgu_close_enough(size_t len, int d)
{
    /* One edit for short words, two for medium, a third of longer ones:
     * close enough that the suggestion is nearly always what was meant. */
    int limit = len <= 4 ? 1 : len <= 9 ? 2 : (int)(len / 3);
    return d <= limit;
}

/* ---- display width and the caret line ----------------------------------- */

/* Decode one UTF-8 sequence at s[*i]; invalid bytes decode as U+FFFD and
 * advance one byte, so this never stalls on bad input. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
          : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n == 0) {
        (*i)++;
        return c;
    }
    if (n < 0 || *i + (size_t)n >= len) {
        (*i)++;
        return 0xFFFD;
    }
    uint32_t cp = n == 1 ? (c & 0x1Fu) : n == 2 ? (c & 0x0Fu)
                : (c & 0x07u);
    for (int k = 1; k <= n; k++) {
        unsigned char cc = s[*i + (size_t)k];
        if ((cc & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    *i += (size_t)n + 1;
    return cp;
}

static int cp_width(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    /* East Asian Wide and Fullwidth blocks (Unicode EAW W/F), coarsely. */
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
        (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

size_t yw_cfgu_display_width(const char *s, size_t len)
{
    size_t w = 0, i = 0;
    while (i < len)
        w += (size_t)cp_width(utf8_next((const unsigned char *)s, len, &i));
    return w;
}

char *yw_cfgu_caret(const char *pat, size_t len, size_t off)
{
    static const char indent[] = "    ";
    if (off > len)
        off = len;
    /* A block-scalar pattern spans lines: show only the one with the error. */
    size_t start = off;
    while (start > 0 && pat[start - 1] != '\n')
        start--;
    size_t end = off;
    while (end < len && pat[end] != '\n')
        end++;
    size_t pad = yw_cfgu_display_width(pat + start, off - start);
    size_t cap = 2 * sizeof indent + (end - start) + pad + 8;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t n = 0;
    s[n++] = '\n';
    memcpy(s + n, indent, sizeof indent - 1);
    n += sizeof indent - 1;
    for (size_t i = start; i < end; i++) {
        /* Tabs and control bytes would misalign the caret: one column each. */
        unsigned char c = (unsigned char)pat[i];
        s[n++] = c == '\t' ? ' ' : c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    s[n++] = '\n';
    memcpy(s + n, indent, sizeof indent - 1);
    n += sizeof indent - 1;
    memset(s + n, ' ', pad);
    n += pad;
    s[n++] = '^';
    s[n] = '\0';
    return s;
}

/* ---- key paths ------------------------------------------------------------ */

void yw_cfgu_pathf(char *out, size_t len, const char *fmt, ...)
{
    /* vsnprintf: a cut path only shortens a message, and unlike snprintf
     * it keeps -Wformat-truncation quiet about that. */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}

void yw_cfgu_join(char *out, size_t len, const char *prefix, const char *name)
{
    if (*prefix)
        yw_cfgu_pathf(out, len, "%s.%s", prefix, name);
    else
        yw_cfgu_pathf(out, len, "%s", name);
}

/* ---- whole files ---------------------------------------------------------- */

char *yw_cfgu_read_file(const char *path, size_t *lenp, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    if (!f) {
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(text, cap);
            if (!p) {
                snprintf(why, whylen, "out of memory");
                goto fail;
            }
            text = p;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(why, whylen, "cannot read: %s", strerror(errno ? errno : EIO));
        goto fail;
    }
    fclose(f);
    *lenp = len;
    return text;
fail:
    free(text);
    fclose(f);
    return NULL;
}

/* ---- regexes ------------------------------------------------------------- */

int yw_cfgu_regex_check(const char *pat, size_t len, char *msg, size_t msglen,
                        size_t *off)
{
    int code;
    PCRE2_SIZE eoff = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_UCP,
                                   &code, &eoff, NULL);
    if (!re) {
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, msglen);
        *off = eoff;
        return 1;
    }
    /* The stage refuses to run without JIT (8-20x slower without). */
    code = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    pcre2_code_free(re);
    if (code < 0) {
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, msglen);
        return 2;
    }
    return 0;
}

/* ---- librdkafka properties ----------------------------------------------- */

/* Properties yuanwangd sets itself: a value here would silently fight it. */
const char *yw_cfgu_rdkafka_reserved(const char *name)
{
    if (!strcmp(name, "bootstrap.servers") || !strcmp(name, "metadata.broker.list"))
        return "set by kafka.brokers; move the value there";
    if (!strcmp(name, "group.id"))
        return "set by kafka.group_id; move the value there";
    if (!strcmp(name, "enable.auto.offset.store"))
        return "yuanwangd stores offsets itself once a batch is in Redis "
               "(at-least-once); remove this key";
    if (!strcmp(name, "enable.partition.eof"))
        return "yuanwangd needs partition ends to apply partitions in event-time "
               "order (kafka.align_idle_ms); remove this key";
    return NULL;
}

/* The librdkafka property closest to name, from librdkafka's own table
 * (rd_kafka_conf_properties_show is the only API that lists them all). */
bool yw_cfgu_rdkafka_suggest(const char *name, char *out, size_t outlen)
{
    char *text = NULL;
    size_t textlen = 0;
    FILE *f = open_memstream(&text, &textlen);
    if (!f)
        return false;
    rd_kafka_conf_properties_show(f);
    fclose(f);
    int bestd = 0;
    bool found = false;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *bar = strchr(line, '|');
        if (!bar || line[0] == ' ' || line[0] == '-')
            continue;
        char *end = line;
        while (end < bar && *end != ' ')
            end++;
        *end = '\0';
        if (!strcmp(line, "Property"))
            continue;
        int d = yw_cfgu_edit_distance(name, line);
        if (!found || d < bestd) {
            snprintf(out, outlen, "%s", line);
            bestd = d;
            found = true;
        }
    }
    free(text);
    return found && yw_cfgu_close_enough(strlen(name), bestd);
}

/* librdkafka quotes the value in some messages: never let a value that came
 * from the environment through. */
void yw_cfgu_redact(char *msg, size_t len, const char *secret, const char *raw)
{
    size_t slen = strlen(secret), rlen = strlen(raw), n = 0;
    if (!slen || !len)
        return;
    /* One pass into a copy, so a raw text that contains the secret cannot
     * make the replacement loop. */
    char *out = malloc(len);
    if (!out) {
        snprintf(msg, len, "(message withheld: it quotes a value from the environment)");
        return;
    }
    for (const char *p = msg; *p;) {
        if (!strncmp(p, secret, slen)) {
            if (n + rlen >= len)
                break;
            memcpy(out + n, raw, rlen);
            n += rlen;
            p += slen;
        } else {
            if (n + 1 >= len)
                break;
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    memcpy(msg, out, n + 1);
    free(out);
}
