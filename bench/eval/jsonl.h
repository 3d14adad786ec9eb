/* jsonl.h -- yweval's reading machinery: a string -> int map, JSON lines
 * parsed with jsmn, and the two time formats of its inputs (a local day at
 * +08:00, RFC 3339 with an offset).  Moved out of yweval.c unchanged when
 * pooling several runs made that file too long.
 *
 * Everything is static (one copy per program); included by bench/yweval.c
 * only, which uses all of it. */
#ifndef YWEVAL_JSONL_H
#define YWEVAL_JSONL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#include <jsmn.h>

#define DAY_MS 86400000LL
#define ZONE_MS (8 * 3600 * 1000LL)

/* ---- a string -> int map (open addressing) ----------------------------------- */

typedef struct {
    char **keys;
    int *vals;
    size_t cap, n;
} map_t;

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) {
        fprintf(stderr, "yweval: out of memory\n");
        exit(1);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "yweval: out of memory\n");
        exit(1);
    }
    return q;
}

static size_t map_slot(const map_t *m, const char *k, size_t n)
{
    size_t i = (size_t)fnv(k, n) & (m->cap - 1);
    while (m->keys[i] && (strlen(m->keys[i]) != n || memcmp(m->keys[i], k, n) != 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int map_get(const map_t *m, const char *k, size_t n)
{
    if (!m->cap)
        return -1;
    size_t i = map_slot(m, k, n);
    return m->keys[i] ? m->vals[i] : -1;
}

/* Insert k with value v unless present; returns the value stored. */
static int map_put(map_t *m, const char *k, size_t n, int v)
{
    if (2 * (m->n + 1) > m->cap) {
        map_t o = *m;
        m->cap = o.cap ? 2 * o.cap : 1024;
        m->keys = xcalloc(m->cap, sizeof(char *));
        m->vals = xcalloc(m->cap, sizeof(int));
        for (size_t i = 0; i < o.cap; i++)
            if (o.keys[i]) {
                size_t j = map_slot(m, o.keys[i], strlen(o.keys[i]));
                m->keys[j] = o.keys[i];
                m->vals[j] = o.vals[i];
            }
        free(o.keys);
        free(o.vals);
    }
    size_t i = map_slot(m, k, n);
    if (m->keys[i])
        return m->vals[i];
    m->keys[i] = xcalloc(n + 1, 1);
    memcpy(m->keys[i], k, n);
    m->vals[i] = v;
    m->n++;
    return v;
}

static void map_free(map_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
}

/* ---- JSON lines ------------------------------------------------------------------ */

typedef struct {
    jsmntok_t *t;
    unsigned cap;
    int n;
    const char *s;
} doc_t;

static int doc_parse(doc_t *d, const char *s, size_t len)
{
    if (!d->t) {                 /* with no tokens jsmn only counts them */
        d->cap = 256;
        d->t = xrealloc(NULL, d->cap * sizeof(jsmntok_t));
    }
    for (;;) {
        jsmn_parser p;
        jsmn_init(&p);
        d->n = jsmn_parse(&p, s, len, d->t, d->cap);
        if (d->n != JSMN_ERROR_NOMEM)
            break;
        d->cap *= 2;
        d->t = xrealloc(d->t, d->cap * sizeof(jsmntok_t));
    }
    d->s = s;
    return d->n > 0 && d->t[0].type == JSMN_OBJECT ? 0 : -1;
}

/* Index of the token after token i and everything inside it. */
static int tok_skip(const doc_t *d, int i)
{
    int end = d->t[i].end;
    i++;
    while (i < d->n && d->t[i].start < end)
        i++;
    return i;
}

/* Value token of key k in the object at token o, or -1. */
static int obj_get(const doc_t *d, int o, const char *k)
{
    size_t kn = strlen(k);
    int i = o + 1;
    for (int f = 0; f < d->t[o].size && i < d->n; f++) {
        const jsmntok_t *key = &d->t[i];
        int v = i + 1;
        if (key->type == JSMN_STRING && (size_t)(key->end - key->start) == kn &&
            memcmp(d->s + key->start, k, kn) == 0)
            return v;
        i = tok_skip(d, v);
    }
    return -1;
}

static int tok_is(const doc_t *d, int i, const char *v)
{
    size_t n = strlen(v);
    return i >= 0 && (size_t)(d->t[i].end - d->t[i].start) == n && memcmp(d->s + d->t[i].start, v, n) == 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD" at +08:00 -> epoch ms of its local midnight; -1 if bad. */
static int64_t day_start_ms(const char *s, size_t n)
{
    int y, m, d;
    if (n != 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    return days_from_civil(y, m, d) * DAY_MS - ZONE_MS;
}

/* RFC 3339 with offset (fraction optional) -> epoch ms; INT64_MIN if bad. */
static int64_t rfc3339_ms(const char *s, size_t n)
{
    char b[64];
    if (n < 20 || n >= sizeof b)
        return INT64_MIN;
    memcpy(b, s, n);
    b[n] = '\0';
    int y, mo, d, h, mi, sec, used = 0;
    if (sscanf(b, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 || used != 19)
        return INT64_MIN;
    const char *p = b + 19;
    int64_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (digits++ < 3)
                frac = frac * 10 + (*p - '0');
        while (digits++ < 3)
            frac *= 10;
    }
    int64_t off = 0;
    if (*p == 'Z')
        p++;
    else if ((*p == '+' || *p == '-') && p[3] == ':') {
        int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = (p[4] - '0') * 10 + (p[5] - '0');
        off = (*p == '-' ? -1 : 1) * ((int64_t)oh * 3600 + om * 60) * 1000;
        p += 6;
    } else
        return INT64_MIN;
    if (*p)
        return INT64_MIN;
    return days_from_civil(y, mo, d) * DAY_MS + (((int64_t)h * 60 + mi) * 60 + sec) * 1000 + frac - off;
}

#endif
