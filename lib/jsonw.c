/* jsonw.c -- the JSON writer declared in jsonw.h.
 *
 * Deliberately tiny: one growable buffer, a depth stack of "has members"
 * flags for comma placement, and a string escaper that also repairs invalid
 * UTF-8 (the alert text is masked upstream, but a writer that can emit
 * invalid JSON would turn one bad byte into an unreadable stream entry). */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void yw_jsonw_init(yw_jsonw_t *w)
{
    memset(w, 0, sizeof *w);
}

void yw_jsonw_reset(yw_jsonw_t *w)
{
    char *buf = w->buf;
    size_t cap = w->cap;
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
    if (buf)
        buf[0] = '\0';
}

void yw_jsonw_free(yw_jsonw_t *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

/* Make room for n more bytes plus the terminating NUL. */
static bool jw_reserve(yw_jsonw_t *w, size_t n)
{
    if (w->failed)
        return false;
    if (w->len + n + 1 <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + n + 1) {
        if (cap > SIZE_MAX / 2) {
            w->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *nb = realloc(w->buf, cap);
    if (!nb) {
        w->failed = true;
        return false;
    }
    w->buf = nb;
    w->cap = cap;
    return true;
}

static void jw_put(yw_jsonw_t *w, const char *s, size_t n)
{
    if (!jw_reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void jw_putc(yw_jsonw_t *w, char c)
{
    jw_put(w, &c, 1);
}

/* A member separator inside the current container. */
static void jw_comma(yw_jsonw_t *w)
{
    if (w->nonempty[w->depth - 1])
        jw_putc(w, ',');
    w->nonempty[w->depth - 1] = true;
}

/* Called before every value: a value in an object must follow its key, a
 * value in an array follows a comma; misuse makes the writer fail rather
 * than emit invalid JSON. */
static void jw_sep(yw_jsonw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->is_obj[w->depth - 1])
            w->failed = true;
        else
            jw_comma(w);
    } else if (w->len > 0) {
        w->failed = true;           /* a second top-level value */
    }
}

static void jw_open(yw_jsonw_t *w, char c)
{
    jw_sep(w);
    if (w->depth >= YW_JSONW_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->is_obj[w->depth] = c == '{';
    w->nonempty[w->depth++] = false;
    jw_putc(w, c);
}

static void jw_close(yw_jsonw_t *w, char c)
{
    if (w->depth <= 0 || w->after_key) {
        w->failed = true;
        return;
    }
    w->depth--;
    jw_putc(w, c);
}

void yw_jsonw_obj_begin(yw_jsonw_t *w) { jw_open(w, '{'); }
void yw_jsonw_obj_end(yw_jsonw_t *w)   { jw_close(w, '}'); }
void yw_jsonw_arr_begin(yw_jsonw_t *w) { jw_open(w, '['); }
void yw_jsonw_arr_end(yw_jsonw_t *w)   { jw_close(w, ']'); }

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid:
 * rejects overlongs, surrogates and code points past U+10FFFF. */
static size_t jw_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0;                       /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0;                       /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;                       /* overlong */
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;                       /* > U+10FFFF */
        return 4;
    }
    return 0;
}

static void jw_string(yw_jsonw_t *w, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;   /* run: start of bytes copied verbatim */

    jw_putc(w, '"');
    while (i < len) {
        unsigned char c = s[i];
        const char *esc = NULL;
        char ubuf[7];
        size_t seq = 1;

        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            seq = jw_utf8_seq(s + i, len - i);
            if (seq) {
                i += seq;
                continue;
            }
            esc = "\xEF\xBF\xBD";           /* U+FFFD for one bad byte */
        } else if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c == '\t') {
            esc = "\\t";
        } else if (c == '\b') {
            esc = "\\b";
        } else if (c == '\f') {
            esc = "\\f";
        } else {
            ubuf[0] = '\\'; ubuf[1] = 'u'; ubuf[2] = '0'; ubuf[3] = '0';
            ubuf[4] = hex[c >> 4]; ubuf[5] = hex[c & 15]; ubuf[6] = '\0';
            esc = ubuf;
        }
        jw_put(w, str + run, i - run);
        jw_put(w, esc, strlen(esc));
        i++;
        run = i;
    }
    jw_put(w, str + run, i - run);
    jw_putc(w, '"');
}

void yw_jsonw_key(yw_jsonw_t *w, const char *key)
{
    if (w->depth <= 0 || w->after_key || !w->is_obj[w->depth - 1]) {
        w->failed = true;
        return;
    }
    jw_comma(w);
    jw_string(w, key, strlen(key));
    jw_putc(w, ':');
    w->after_key = true;
}

void yw_jsonw_strn(yw_jsonw_t *w, const char *s, size_t len)
{
    jw_sep(w);
    jw_string(w, s, len);
}

void yw_jsonw_str(yw_jsonw_t *w, const char *s)
{
    if (!s) {
        yw_jsonw_null(w);
        return;
    }
    yw_jsonw_strn(w, s, strlen(s));
}

/* Decimal digits of u, right-aligned ending at end; returns the start.
 * (snprintf cost more than the rest of a cluster summary's JSON: the
 * daemon writes one per changed cluster per batch.) */
static char *u64_digits(uint64_t u, char *end)
{
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return end;
}

void yw_jsonw_int(yw_jsonw_t *w, int64_t v)
{
    char buf[24], *end = buf + sizeof buf;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = u64_digits(u, end);
    if (v < 0)
        *--p = '-';
    jw_sep(w);
    jw_put(w, p, (size_t)(end - p));
}

/* "%.*f" of v for 0 <= decimals <= 6 without snprintf, when that is exact:
 * |v| * 10^decimals below 1e9 (so the product is within ~1e-7 of the true
 * value) and its fraction not within 1e-6 of a half (where printf's
 * rounding of the exact binary value could go either way).  Returns the
 * length, or -1 to fall back to snprintf. */
static int fixed_fast(double v, int decimals, char *buf)
{
    static const double pow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
    if (decimals > 6)
        return -1;
    double a = fabs(v) * pow10[decimals];
    if (!(a < 1e9))
        return -1;
    double ip = floor(a), frac = a - ip;
    if (fabs(frac - 0.5) < 1e-6)
        return -1;
    uint64_t r = (uint64_t)ip + (frac > 0.5);
    char tmp[32], *end = tmp + sizeof tmp, *p = end;
    for (int i = 0; i < decimals; i++) {
        *--p = (char)('0' + r % 10);
        r /= 10;
    }
    if (decimals > 0)
        *--p = '.';
    p = u64_digits(r, p);
    if (v < 0 || (v == 0 && signbit(v)))
        *--p = '-';
    memcpy(buf, p, (size_t)(end - p));
    return (int)(end - p);
}

void yw_jsonw_double(yw_jsonw_t *w, double v, int decimals)
{
    char buf[64];
    int n;

    if (!isfinite(v)) {
        yw_jsonw_null(w);
        return;
    }
    if (decimals >= 0) {
        if (decimals > 17)
            decimals = 17;
        n = fixed_fast(v, decimals, buf);
        if (n < 0)
            n = snprintf(buf, sizeof buf, "%.*f", decimals, v);
        buf[n] = '\0';
        /* Trim "72.50" -> "72.5", "12.00" -> "12": the value is the same
         * number and the text stays short and stable. */
        if (memchr(buf, '.', (size_t)n)) {
            while (n > 0 && buf[n - 1] == '0')
                n--;
            if (n > 0 && buf[n - 1] == '.')
                n--;
            buf[n] = '\0';
        }
    } else {
        /* Shortest of %.15g..%.17g that reads back exactly. */
        int prec;
        for (prec = 15; prec < 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
        n = snprintf(buf, sizeof buf, "%.*g", prec, v);
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0')   /* "-0" after rounding */
        buf[0] = '0', buf[1] = '\0', n = 1;
    jw_sep(w);
    jw_put(w, buf, (size_t)n);
}

void yw_jsonw_bool(yw_jsonw_t *w, bool v)
{
    jw_sep(w);
    jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void yw_jsonw_null(yw_jsonw_t *w)
{
    jw_sep(w);
    jw_put(w, "null", 4);
}

void yw_jsonw_kv_str(yw_jsonw_t *w, const char *key, const char *v)
{
    yw_jsonw_key(w, key);
    yw_jsonw_str(w, v);
}

void yw_jsonw_kv_int(yw_jsonw_t *w, const char *key, int64_t v)
{
    yw_jsonw_key(w, key);
    yw_jsonw_int(w, v);
}

void yw_jsonw_kv_double(yw_jsonw_t *w, const char *key, double v, int decimals)
{
    yw_jsonw_key(w, key);
    yw_jsonw_double(w, v, decimals);
}

const char *yw_jsonw_peek(const yw_jsonw_t *w, size_t *len)
{
    if (w->failed)
        return NULL;
    if (len)
        *len = w->len;
    return w->buf ? w->buf : "";
}

char *yw_jsonw_finish(yw_jsonw_t *w, size_t *len)
{
    char *out = NULL;
    if (!w->failed && w->depth == 0 && !w->after_key && jw_reserve(w, 0)) {
        w->buf[w->len] = '\0';
        out = w->buf;
        if (len)
            *len = w->len;
        w->buf = NULL;
        w->cap = 0;
    }
    yw_jsonw_free(w);
    return out;
}
