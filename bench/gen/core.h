/* core.h -- the record generator's machinery, shared by ywgen.c and
 * ywscenario.c: the PRNG, output buffers, calendar, the fictional city and
 * its people, template expansion, issue contexts, text assembly, the
 * per-source fields, background records, JSON output, the time of day,
 * and a generator's life (create, destroy, writing the records out).
 *
 * Everything is static (one copy per program); a program that does not use
 * a helper must not be warned about it, hence the pragma below.  Moving code
 * here changed nothing in ywgen's output (same bytes for the same seed).
 *
 * Included by the bench generators only, after nothing else of theirs but
 * GEN_PROG, the program's name for xrealloc's message. */
#ifndef YWGEN_CORE_H
#define YWGEN_CORE_H

#ifndef GEN_PROG
#error "define GEN_PROG (the program's name) before including gen/core.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

#include "vocab.h"

enum { SRC_HOTLINE = 0, SRC_GRID = 1, SRC_ONLINE = 2, SRC_POLICE = 3, NSRC = 4 };
static const char *const src_names[NSRC] = { "hotline", "grid", "online", "police" };
static const char *const src_prefix[NSRC] = { "HL", "WG", "WB", "JQ" };

#define TEXT_MIN 60      /* characters (code points) */
#define TEXT_MAX 300
#define DAY_MS 86400000LL
#define TZ_MS (8 * 3600 * 1000LL)

/* ---- PRNG: splitmix64 for seeding, xoshiro256** for the streams ---------- */

typedef struct { uint64_t s[4]; } rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return res;
}

/* Uniform in [0, n); n <= 2^32.  The multiply-shift bias is < 2^-32. */
static uint32_t rng_below(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int rng_range(rng_t *r, int lo, int hi) /* inclusive */
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static double rng_unit(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static int rng_chance(rng_t *r, double p) { return rng_unit(r) < p; }

static const char *pick(rng_t *r, list_t l) { return l.v[rng_below(r, (uint32_t)l.n)]; }

static int pick_weighted(rng_t *r, const double *w, int n)
{
    double sum = 0, x;
    for (int i = 0; i < n; i++)
        sum += w[i];
    x = rng_unit(r) * sum;
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---- output buffer -------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        fprintf(stderr, "ywgen: out of memory\n");
        exit(1);
    }
    b->p = p;
    b->cap = cap;
}

/* realloc or exit: a generator has nothing to fall back on. */
static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, GEN_PROG ": out of memory\n");
        exit(1);
    }
    return q;
}

/* noinline: GCC -O3 otherwise propagates an unreachable n into memcpy
 * at some call sites and warns (-Wstringop-overflow, a false positive). */
__attribute__((noinline)) static void buf_put(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }
static void buf_putc(buf_t *b, char c) { buf_put(b, &c, 1); }

static void buf_int(buf_t *b, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    buf_reserve(b, (size_t)n);
    while (n)
        b->p[b->len++] = tmp[--n];
    b->p[b->len] = '\0';
}

/* Zero-padded to width digits. */
static void buf_int0(buf_t *b, int64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    buf_reserve(b, (size_t)n);
    while (n)
        b->p[b->len++] = tmp[--n];
    b->p[b->len] = '\0';
}

static void buf_digits(buf_t *b, rng_t *r, int n)
{
    for (int i = 0; i < n; i++)
        buf_putc(b, (char)('0' + rng_below(r, 10)));
}

/* Code points in a UTF-8 string we produced ourselves (valid by construction). */
static int u8len(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* ---- calendar ------------------------------------------------------------- */

/* Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int yoe = (int)(y - era * 400);
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = (int)(z - era * 146097);
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* ---- the city ------------------------------------------------------------- */

#define NDIST NEL(district_defs)
#define NSTREET_PER 6
#define NCOMM_PER 5
#define NSTREETS (NDIST * NSTREET_PER)
#define NCOMMS (NSTREETS * NCOMM_PER)
#define NESTATES 420

typedef struct {
    char name[32];
    char code[13];
    int street;             /* global street index */
} community_t;

typedef struct {
    char name[40];
    int comm;               /* global community index */
} estate_t;

typedef struct {
    char full[72];
    char shortn[32];
} company_t;

typedef struct {
    community_t comm[NCOMMS];
    char stem[NSTREETS][16];     /* street name without 街道/镇/乡 */
    char station[NSTREETS][32];
    estate_t estate[NESTATES];
    int nestates;
    int street_estates[NSTREETS][24];
    int street_nest[NSTREETS];
    char roads[NDIST][10][24];
    int nroads[NDIST];
    company_t *company[CK_COUNT];
    int ncompany[CK_COUNT];
} city_t;

static const company_biz_t *biz_table(int kind, int *n)
{
    switch (kind) {
    case CK_PROPERTY:  *n = NEL(biz_property);  return biz_property;
    case CK_DEVELOPER: *n = NEL(biz_developer); return biz_developer;
    case CK_LABOUR:    *n = NEL(biz_labour);    return biz_labour;
    case CK_FACTORY:   *n = NEL(biz_factory);   return biz_factory;
    case CK_SERVICE:   *n = NEL(biz_service);   return biz_service;
    case CK_FINANCE:   *n = NEL(biz_finance);   return biz_finance;
    default:           *n = NEL(biz_env);       return biz_env;
    }
}

/* dst = a + b, truncated to cap (no snprintf: this runs per record). */
static void cpy(char *dst, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    if (la > cap - 1)
        la = cap - 1;
    if (lb > cap - 1 - la)
        lb = cap - 1 - la;
    memcpy(dst, a, la);
    if (lb)
        memcpy(dst + la, b, lb);
    dst[la + lb] = '\0';
}

static int district_of_street(int street) { return street / NSTREET_PER; }

static int is_planted_name(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strstr(name, plant_defs[i].estate) || strstr(plant_defs[i].estate, name))
            return 1;
    return 0;
}

static void city_build(city_t *c)
{
    rng_t r;
    rng_seed(&r, 0x6a69616e676c696eULL);   /* fixed: the city never changes */

    int nstem = NEL(community_stems), perm[NEL(community_stems)];
    for (int i = 0; i < nstem; i++)
        perm[i] = i;
    for (int i = nstem - 1; i > 0; i--) {
        int j = (int)rng_below(&r, (uint32_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }

    for (int d = 0; d < NDIST; d++) {
        const district_def_t *dd = &district_defs[d];
        for (int s = 0; s < NSTREET_PER; s++) {
            int gs = d * NSTREET_PER + s;
            const char *sn = dd->streets[s];
            size_t sl = strlen(sn);
            int xiang = 0;
            if (sl > 6 && strcmp(sn + sl - 6, "街道") == 0)
                sl -= 6;
            else {
                xiang = strcmp(sn + sl - 3, "乡") == 0;
                sl -= 3;
            }
            memcpy(c->stem[gs], sn, sl);
            c->stem[gs][sl] = '\0';
            cpy(c->station[gs], sizeof c->station[gs], c->stem[gs], "派出所");
            int street_code = dd->county ? (xiang ? 200 : 100) + s + 1 : s + 1;
            for (int k = 0; k < NCOMM_PER; k++) {
                community_t *cm = &c->comm[gs * NCOMM_PER + k];
                const char *stem = community_stems[perm[(gs * NCOMM_PER + k) % nstem]];
                int village = dd->county && k > 0;
                cpy(cm->name, sizeof cm->name, stem, village ? "村" : "社区");
                snprintf(cm->code, sizeof cm->code, "%s%s%03d%03d", CITY_CODE, dd->code,
                         street_code, village ? 200 + k : k + 1);
                cm->street = gs;
            }
        }
        /* Roads: one per street stem plus a few city-wide names. */
        c->nroads[d] = 0;
        for (int s = 0; s < NSTREET_PER; s++) {
            const char *suf = road_suffixes[rng_below(&r, NEL(road_suffixes))];
            cpy(c->roads[d][c->nroads[d]++], 24, c->stem[d * NSTREET_PER + s], suf);
        }
        for (int k = 0; k < 4; k++)
            cpy(c->roads[d][c->nroads[d]++], 24, road_common[(d * 4 + k) % NEL(road_common)], NULL);
    }

    /* Estates: unique prefix+suffix names (and old work-unit compounds),
     * mostly in urban districts; in a county only the seat's 社区 has them. */
    int n = 0, tries = 0;
    for (int i = 0; i < NEL(estate_old) && n < NESTATES; i++) {
        cpy(c->estate[n].name, sizeof c->estate[n].name, estate_old[i], NULL);
        n++;
    }
    while (n < NESTATES && tries++ < 100000) {
        char name[40];
        const char *pre = estate_prefixes[rng_below(&r, NEL(estate_prefixes))];
        const char *suf = estate_suffixes[rng_below(&r, NEL(estate_suffixes))];
        cpy(name, sizeof name, pre, suf);
        int dup = is_planted_name(name);
        for (int j = 0; j < n && !dup; j++)
            dup = strcmp(c->estate[j].name, name) == 0;
        if (!dup)
            memcpy(c->estate[n++].name, name, sizeof name);
    }
    c->nestates = n;
    memset(c->street_nest, 0, sizeof c->street_nest);
    for (int i = 0; i < n; i++) {
        int cm;
        for (;;) {
            cm = (int)rng_below(&r, NCOMMS);
            int d = district_of_street(c->comm[cm].street);
            if (district_defs[d].county) {
                if (rng_chance(&r, 0.6))
                    continue;                 /* fewer estates in the counties */
                cm -= cm % NCOMM_PER;          /* the county seat's 社区 */
            }
            if (c->street_nest[c->comm[cm].street] < 24)
                break;
        }
        c->estate[i].comm = cm;
        int s = c->comm[cm].street;
        c->street_estates[s][c->street_nest[s]++] = i;
    }

    for (int k = 0; k < CK_COUNT; k++) {
        int nb;
        const company_biz_t *bz = biz_table(k, &nb);
        c->ncompany[k] = NEL(company_stems) * nb;
        c->company[k] = calloc((size_t)c->ncompany[k], sizeof(company_t));
        if (!c->company[k]) {
            fprintf(stderr, "ywgen: out of memory\n");
            exit(1);
        }
        for (int i = 0; i < NEL(company_stems); i++)
            for (int b = 0; b < nb; b++) {
                company_t *co = &c->company[k][i * nb + b];
                const char *pre = rng_chance(&r, 0.5) ? "江临市" : (rng_chance(&r, 0.5) ? "江临" : "");
                snprintf(co->full, sizeof co->full, "%s%s%s", pre, company_stems[i], bz[b].full);
                snprintf(co->shortn, sizeof co->shortn, "%s%s", company_stems[i], bz[b].shortn);
            }
    }
}

static void city_free(city_t *c)
{
    for (int k = 0; k < CK_COUNT; k++)
        free(c->company[k]);
}

/* ---- people --------------------------------------------------------------- */

static const char *const phone_prefix[] = {
    "138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182",
    "187", "188", "130", "131", "132", "155", "156", "186", "133", "153", "180",
    "181", "189", "177", "173", "199", "157", "183", "176",
};

typedef struct {
    int used;
    int domain;
    uint64_t issue;          /* seed of the issue this person complains about */
    int calls;               /* records so far (all sources) */
    int hl_calls;            /* hotline calls so far */
    int prior;               /* hotline calls before the generated window */
    char phone[12];
    char account[40];
    const char *sur, *hon;
} person_t;

static void make_phone(rng_t *r, char out[12])
{
    buf_t b = { 0 };
    buf_puts(&b, phone_prefix[rng_below(r, NEL(phone_prefix))]);
    buf_digits(&b, r, 8);
    memcpy(out, b.p, 12);
    free(b.p);
}

static void make_account(rng_t *r, char *out, size_t cap)
{
    buf_t b = { 0 };
    uint32_t style = rng_below(r, 10);
    if (style < 2) {
        buf_puts(&b, "用户");
        buf_digits(&b, r, 10);
    } else if (style < 3) {
        buf_puts(&b, "UU");
        buf_digits(&b, r, 7);
    } else {
        buf_puts(&b, account_places[rng_below(r, NEL(account_places))]);
        buf_puts(&b, account_nouns[rng_below(r, NEL(account_nouns))]);
        buf_int(&b, rng_below(r, 3) ? rng_below(r, 9999) : 1950 + rng_below(r, 60));
    }
    cpy(out, cap, b.p, NULL);
    free(b.p);
}

static void person_init(person_t *p, rng_t *r)
{
    p->used = 1;
    p->calls = p->hl_calls = 0;
    p->prior = rng_chance(r, 0.2) ? rng_range(r, 1, 3) : 0;
    make_phone(r, p->phone);
    make_account(r, p->account, sizeof p->account);
    p->sur = surnames[rng_below(r, NEL(surnames))];
    p->hon = honorifics[rng_below(r, NEL(honorifics))];
}

/* One more record from pp: its repeat_count (hotline calls before the
 * window and in it; 1 on the other sources). */
static int person_call(person_t *pp, int src)
{
    pp->calls++;
    return src == SRC_HOTLINE ? pp->prior + ++pp->hl_calls : 1;
}

/* ---- a record being built ------------------------------------------------- */

typedef struct {
    int src;
    int64_t ts_ms;
    int day;                 /* local day number (days since 1970-01-01, +08:00) */
    int plant;               /* 0 background, 1..3 planted issue */
    double progress;         /* planted: 0 at its first day, 1 at the last */
    int stage;               /* planted: 0 early, 1 growing, 2 escalating */
    int ephemeral;           /* malformed line: touch no shared state */
    uint32_t idx;            /* creation order: tie-break for equal ts */
    int ts_fmt;              /* 0 RFC 3339, 1 naive local, 2 epoch int, 3 epoch string */
} slot_t;

typedef struct {
    /* where and who: stable for an issue */
    int district, street, comm, estate;
    const char *E, *R, *R2, *O, *OS, *RN_fixed, *MON, *BUS, *HC, *HH;
    char proj[64], shop[48], school[48], hosp[64];
    int road_no, amt, since_day, due_day;
    int bld[4], bld_style;
    list_t dept;
    /* per record */
    int src, day;
    const char *sur, *hon;
    const char *phone;
} ctx_t;

typedef struct {
    int src;
    char id[40];
    int64_t ts_ms;
    int ts_fmt;              /* 0 RFC 3339, 1 naive local, 2 epoch int, 3 epoch string */
    int with_source;
    buf_t title, text, reply;
    const char *person;      /* NULL or person_buf */
    char person_buf[48];
    int with_place, with_comm;
    int district, street, comm;
    const char *category, *outcome, *event_type, *status, *platform, *incident_type;
    char grid_code[24], url[96];
    int repeat_count;        /* -1: absent */
    int64_t reposts, comments, likes;   /* -1: absent */
} rec_t;

typedef struct {
    city_t city;
    rng_t main_rng, bad_rng;
    rng_t *r;                /* the stream in use */
    int64_t start_ms;        /* local midnight of --start, as epoch ms */
    int start_day, days;
    /* background complainants */
    person_t *pool;
    double *zipf_cdf;
    int npool, person_cap;
    uint64_t ring[64];
    int ring_dom[64], ring_n;
    /* planted complainants */
    person_t *ppool[3];
    int npp[3], cap_pp[3];
    /* ids: per source, per local day */
    int id_day[NSRC];
    uint32_t id_seq[NSRC];
    uint32_t bad_seq;
    int always_source;       /* --always-source: never leave "source" out */
    rec_t rec;
    buf_t scratch, ask;
    const double *dom_mult;  /* NULL, or a weight factor per domain (ywscenario's seasons) */
} gen_t;

/* ---- template expansion --------------------------------------------------- */

static const char *const cn_digit[] = { "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十" };

static void put_days(gen_t *g, buf_t *b, int n)
{
    rng_t *r = g->r;
    if (n <= 1) buf_puts(b, "一天");
    else if (n == 7 && rng_chance(r, 0.5)) buf_puts(b, "一个星期");
    else if (n <= 10) {
        if (rng_chance(r, 0.5)) buf_puts(b, cn_digit[n]); else buf_int(b, n);
        buf_puts(b, "天");
    } else if (n < 20) buf_puts(b, rng_chance(r, 0.5) ? "十多天" : "半个月");
    else if (n < 30) buf_puts(b, "二十多天");
    else if (n < 45) buf_puts(b, "一个多月");
    else if (n < 75) buf_puts(b, "两个多月");
    else buf_puts(b, "好几个月");
}

static void put_amount(gen_t *g, buf_t *b, int v)
{
    if (v < 10000) {
        buf_int(b, (v + 50) / 100 * 100);
        buf_puts(b, "元");
        return;
    }
    int w = v / 10000;
    uint32_t style = rng_below(g->r, 4);
    if (style == 0 && v % 10000 >= 1000 && w < 10) {
        buf_int(b, w);
        buf_putc(b, '.');
        buf_int(b, v % 10000 / 1000);
        buf_puts(b, "万元");
    } else {
        buf_int(b, w);
        buf_puts(b, style == 1 ? "万多元" : style == 2 ? "万余元" : "万元");
    }
}

static void put_date(buf_t *b, int day, int with_year)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    if (with_year) {
        buf_int(b, y);
        buf_puts(b, "年");
    }
    buf_int(b, m);
    buf_puts(b, "月");
    buf_int(b, d);
    buf_puts(b, "日");
}

/* Mainland ID card number: region, birth date, sequence, ISO 7064 check. */
static void put_idcard(gen_t *g, buf_t *b, const ctx_t *c)
{
    static const int wt[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    static const char chk[] = "10X98765432";
    char id[19];
    int y, m, d;
    civil_from_days(days_from_civil(1950, 1, 1) + rng_below(g->r, 50 * 365), &y, &m, &d);
    snprintf(id, sizeof id, "%s%s%04d%02d%02d%03u", CITY_CODE,
             district_defs[c->district].code, y, m, d, rng_below(g->r, 1000));
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * wt[i];
    buf_put(b, id, 17);
    buf_putc(b, chk[sum % 11]);
}

/* Bank card: 6222 + 14 digits + Luhn check digit. */
static void put_bankcard(gen_t *g, buf_t *b)
{
    char d[20];
    memcpy(d, "6222", 4);
    for (int i = 4; i < 18; i++)
        d[i] = (char)('0' + rng_below(g->r, 10));
    int sum = 0;
    for (int i = 17, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int v = d[i] - '0';
        if (dbl && (v *= 2) > 9)
            v -= 9;
        sum += v;
    }
    d[18] = (char)('0' + (10 - sum % 10) % 10);
    buf_put(b, d, 19);
}

static void expand(gen_t *g, const ctx_t *c, buf_t *b, const char *t, size_t n);

static void expand_str(gen_t *g, const ctx_t *c, buf_t *b, const char *t)
{
    expand(g, c, b, t, strlen(t));
}

#define SLOT(a, b) (((unsigned)(a) << 8) | (unsigned)(b))

static void put_slot(gen_t *g, const ctx_t *c, buf_t *b, const char *k, size_t kn)
{
    const city_t *city = &g->city;
    unsigned key = SLOT(k[0], kn > 1 ? k[1] : 0);
    switch (kn) {
    case 1:
        switch (k[0]) {
        case 'D': buf_puts(b, district_defs[c->district].name); return;
        case 'S': buf_puts(b, district_defs[c->district].streets[c->street % NSTREET_PER]); return;
        case 'C': buf_puts(b, city->comm[c->comm].name); return;
        case 'E': buf_puts(b, c->E); return;
        case 'R': buf_puts(b, c->R); return;
        case 'O': buf_puts(b, c->O); return;
        case 'I': buf_puts(b, t_i[c->src][rng_below(g->r, 3)]); return;
        case 'n': buf_int(b, rng_range(g->r, 2, 9)); return;
        case 'B': {
            static const char *const fmt_parts[5][4] = {
                { "栋", "单元", NULL, NULL }, { "栋", NULL, NULL, NULL },
                { "号楼", NULL, NULL, NULL }, { "栋", "单元", "0", "室" },
                { "号楼", "单元", NULL, NULL },
            };
            for (int i = 0; i < 4 && fmt_parts[c->bld_style][i]; i++) {
                buf_int(b, c->bld[i]);
                buf_puts(b, fmt_parts[c->bld_style][i]);
            }
            return;
        }
        }
        break;
    case 2:
        switch (key) {
        case SLOT('O', 'S'): buf_puts(b, c->OS); return;
        case SLOT('R', 'N'):
            if (c->RN_fixed)
                buf_puts(b, c->RN_fixed);
            else {
                buf_puts(b, c->R);
                buf_int(b, c->road_no);
                buf_puts(b, "号");
            }
            return;
        case SLOT('R', '2'): buf_puts(b, c->R2); return;
        case SLOT('M', 'Y'): buf_puts(b, t_my[c->src]); return;
        case SLOT('P', 'H'):
            if (c->phone)
                buf_puts(b, c->phone);
            else {
                char ph[12];
                make_phone(g->r, ph);
                buf_put(b, ph, 11);
            }
            return;
        case SLOT('I', 'D'): put_idcard(g, b, c); return;
        case SLOT('H', 'C'):
            if (c->HC)
                buf_puts(b, c->HC);
            else {
                static const char *const hc[] = { "二十多人", "几十个人", "上百人", "三十多人", "十几个人", "四五十人" };
                buf_puts(b, hc[rng_below(g->r, NEL(hc))]);
            }
            return;
        case SLOT('H', 'H'):
            if (c->HH)
                buf_puts(b, c->HH);
            else {
                static const char *const hh[] = { "几十户", "上百户", "三十多户", "二十多户" };
                buf_puts(b, hh[rng_below(g->r, NEL(hh))]);
            }
            return;
        }
        break;
    default:
        if (kn == 3 && memcmp(k, "AMT", 3) == 0) { put_amount(g, b, c->amt); return; }
        if (kn == 3 && memcmp(k, "MON", 3) == 0) { buf_puts(b, c->MON); return; }
        if (kn == 3 && memcmp(k, "DUE", 3) == 0) { put_date(b, c->due_day, 1); return; }
        if (kn == 3 && memcmp(k, "SCH", 3) == 0) { buf_puts(b, c->school); return; }
        if (kn == 3 && memcmp(k, "HOS", 3) == 0) { buf_puts(b, c->hosp); return; }
        if (kn == 3 && memcmp(k, "BUS", 3) == 0) { buf_puts(b, c->BUS); return; }
        if (kn == 4 && memcmp(k, "DAYS", 4) == 0) { put_days(g, b, c->day - c->since_day); return; }
        if (kn == 4 && memcmp(k, "PROJ", 4) == 0) { buf_puts(b, c->proj); return; }
        if (kn == 4 && memcmp(k, "SHOP", 4) == 0) { buf_puts(b, c->shop); return; }
        if (kn == 4 && memcmp(k, "NAME", 4) == 0) { buf_puts(b, c->sur); buf_puts(b, c->hon); return; }
        if (kn == 4 && memcmp(k, "DEPT", 4) == 0) { expand_str(g, c, b, pick(g->r, c->dept)); return; }
        if (kn == 4 && memcmp(k, "BANK", 4) == 0) { put_bankcard(g, b); return; }
        if (kn == 5 && memcmp(k, "SINCE", 5) == 0) { put_date(b, c->since_day, 0); return; }
        if (kn == 5 && memcmp(k, "NIGHT", 5) == 0) { buf_puts(b, t_night[rng_below(g->r, NEL(t_night))]); return; }
        break;
    }
    fprintf(stderr, "ywgen: unknown template slot {%.*s}\n", (int)kn, k);
    exit(3);
}

/* Expand t[0..n): {SLOT} and [a|b|c] (nested). */
static void expand(gen_t *g, const ctx_t *c, buf_t *b, const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && t[j] != '{' && t[j] != '[')
            j++;
        if (j > i)
            buf_put(b, t + i, j - i);
        if (j >= n)
            break;
        if (t[j] == '{') {
            size_t e = j + 1;
            while (e < n && t[e] != '}')
                e++;
            put_slot(g, c, b, t + j + 1, e - j - 1);
            i = e + 1;
            continue;
        }
        /* [alt|alt|...]: find the matching ']' and the top-level bars */
        size_t bars[16], nb = 0, e = j + 1;
        int depth = 0;
        for (; e < n; e++) {
            if (t[e] == '[')
                depth++;
            else if (t[e] == ']') {
                if (depth-- == 0)
                    break;
            } else if (t[e] == '|' && depth == 0 && nb < 16)
                bars[nb++] = e;
        }
        uint32_t k = rng_below(g->r, (uint32_t)nb + 1);
        size_t from = k == 0 ? j + 1 : bars[k - 1] + 1;
        size_t to = k == nb ? e : bars[k];
        expand(g, c, b, t + from, to - from);
        i = e + 1;
    }
}

/* ---- issues: a stable place/company/amount for one concrete problem ------- */

/* An issue of domain dom (villages: 拆迁征地-like, placed in villages and old
 * communities); the issue's seed fixes everything about it. */
static void ctx_issue_dom(gen_t *g, ctx_t *c, const domain_t *dom, int villages, uint64_t issue_seed)
{
    const city_t *city = &g->city;
    rng_t ir;
    rng_seed(&ir, issue_seed);
    memset(c, 0, sizeof *c);

    if (villages) {
        c->comm = (int)rng_below(&ir, NCOMMS);
        int s = city->comm[c->comm].street;
        c->estate = city->street_nest[s] ? city->street_estates[s][rng_below(&ir, (uint32_t)city->street_nest[s])]
                                         : (int)rng_below(&ir, (uint32_t)city->nestates);
    } else {
        c->estate = (int)rng_below(&ir, (uint32_t)city->nestates);
        c->comm = city->estate[c->estate].comm;
    }
    c->street = city->comm[c->comm].street;
    c->district = district_of_street(c->street);
    c->E = city->estate[c->estate].name;
    int nr = city->nroads[c->district];
    int r1 = (int)rng_below(&ir, (uint32_t)nr), r2 = (r1 + 1 + (int)rng_below(&ir, (uint32_t)nr - 1)) % nr;
    c->R = city->roads[c->district][r1];
    c->R2 = city->roads[c->district][r2];
    c->road_no = rng_range(&ir, 1, 399);
    const company_t *co = &city->company[dom->company_kind][rng_below(&ir, (uint32_t)city->ncompany[dom->company_kind])];
    c->O = co->full;
    c->OS = co->shortn;
    static const char *const proj_mid[] = { "华庭", "新城", "公馆", "府", "雅苑", "花园" };
    static const char *const proj_suf[] = { "项目工地", "二期工地", "安置房项目工地", "三期项目工地" };
    /* One draw per statement: the order in which a call's arguments are
     * evaluated is unspecified, and gcc and clang differ. */
    char pre[40];
    const char *a = estate_prefixes[rng_below(&ir, NEL(estate_prefixes))];
    const char *b = proj_mid[rng_below(&ir, NEL(proj_mid))];
    cpy(pre, sizeof pre, a, b);
    cpy(c->proj, sizeof c->proj, pre, proj_suf[rng_below(&ir, NEL(proj_suf))]);
    a = shop_prefixes[rng_below(&ir, NEL(shop_prefixes))];
    b = shop_types[rng_below(&ir, NEL(shop_types))];
    cpy(c->shop, sizeof c->shop, a, b);
    static const char *const sch_suf[] = { "小学", "中学", "实验小学", "第二小学", "中心小学", "初级中学" };
    cpy(c->school, sizeof c->school, city->stem[c->street], sch_suf[rng_below(&ir, NEL(sch_suf))]);
    static const char *const hosp[] = {
        "江临市第一人民医院", "江临市第二人民医院", "江临市中心医院", "江临市中医院",
        "江临市妇幼保健院", NULL, NULL,
    };
    const char *h = hosp[rng_below(&ir, NEL(hosp))];
    if (h)
        cpy(c->hosp, sizeof c->hosp, h, NULL);
    else if (rng_chance(&ir, 0.5))
        cpy(c->hosp, sizeof c->hosp, district_defs[c->district].name, "人民医院");
    else
        cpy(c->hosp, sizeof c->hosp, city->stem[c->street], "社区卫生服务中心");
    double lo = log(dom->amt_lo), hi = log(dom->amt_hi);
    int v = (int)exp(lo + (hi - lo) * rng_unit(&ir));
    c->amt = v >= 10000 ? v / 1000 * 1000 : v;
    c->since_day = g->start_day - (int)rng_below(&ir, 21) - 1;
    c->due_day = g->start_day - rng_range(&ir, 20, 400);
    c->MON = t_months[rng_below(&ir, NEL(t_months))];
    c->BUS = t_bus[rng_below(&ir, NEL(t_bus))];
    c->bld_style = (int)rng_below(&ir, 5);
    c->bld[0] = rng_range(&ir, 1, 28);
    c->bld[1] = rng_range(&ir, 1, 4);
    c->bld[2] = rng_range(&ir, 2, 32);
    c->bld[3] = rng_range(&ir, 1, 6);
    c->dept = dom->dept;
}

static void ctx_issue(gen_t *g, ctx_t *c, int dom_i, uint64_t issue_seed)
{
    ctx_issue_dom(g, c, &domains[dom_i], dom_i == 4, issue_seed);   /* 4: 拆迁征地 */
}

/* The record's source and day and who it is from.  An issue has begun
 * before any record of it: the contexts date since_day before the window
 * or the issue's first record, and this keeps it so. */
static void ctx_record(ctx_t *c, const slot_t *sl, const person_t *pp)
{
    c->src = sl->src;
    c->day = sl->day;
    if (c->since_day >= c->day)
        c->since_day = c->day - 1;
    c->sur = pp->sur;
    c->hon = pp->hon;
    c->phone = pp->phone;
}

/* ---- text ----------------------------------------------------------------- */

typedef struct {
    list_t open, more, emotion, escalate, pii, close, ask_pre, ask_end;
} voice_t;

static const char *const ask_end_plain[] = { "。" };
static const char *const no_close[] = { "" };

static const voice_t voices[NSRC] = {
    { LIST(hl_open), LIST(hl_more), LIST(hl_emotion), LIST(hl_escalate), LIST(hl_pii),
      LIST(no_close), LIST(hl_ask), LIST(ask_end_plain) },
    { LIST(gr_open), LIST(no_close), LIST(gr_emotion), LIST(gr_escalate), LIST(gr_pii),
      LIST(gr_close), LIST(no_close), LIST(no_close) },
    { LIST(ol_open), LIST(ol_more), LIST(ol_emotion), LIST(ol_escalate), LIST(ol_pii),
      LIST(no_close), LIST(ol_ask), LIST(ol_end) },
    { LIST(po_open), LIST(no_close), LIST(po_emotion), LIST(po_escalate), LIST(po_pii),
      LIST(po_close), LIST(no_close), LIST(no_close) },
};

typedef struct {
    const char *core;            /* the problem statement */
    const char *more[4];         /* optional details, in order */
    int nmore;
    int emotion, escalate, pii;  /* include (if it fits) */
    const char *esc_tpl;         /* escalation sentence; NULL: the voice's own */
    const char *ask;             /* request (hotline/online) */
    int newline;                 /* online: break lines between sentences */
} text_plan_t;

/* Append sentence t to text if the result (plus reserve) fits TEXT_MAX;
 * *chars is the text's length in characters, kept up to date. */
static int try_add(gen_t *g, const ctx_t *c, buf_t *text, int *chars, const char *t,
                   int reserve, int sep)
{
    buf_t *s = &g->scratch;
    s->len = 0;
    expand_str(g, c, s, t);
    if (s->len == 0)
        return 1;
    int n = u8len(s->p, s->len) + (sep ? 1 : 0);
    if (*chars + n + reserve > TEXT_MAX)
        return 0;
    if (sep)
        buf_putc(text, '\n');
    buf_put(text, s->p, s->len);
    *chars += n;
    return 1;
}

static void build_text(gen_t *g, const ctx_t *c, const text_plan_t *tp, buf_t *text)
{
    rng_t *r = g->r;
    const voice_t *v = &voices[c->src];
    int target = 80 + (int)(220.0 * pow(rng_unit(r), 1.3));
    text->len = 0;

    /* The request and the closing sentence go last: expand them first so the
     * body knows how much room is left. */
    buf_t *ask = &g->ask;
    ask->len = 0;
    if (tp->ask) {
        expand_str(g, c, ask, pick(r, v->ask_pre));
        expand_str(g, c, ask, tp->ask);
        expand_str(g, c, ask, pick(r, v->ask_end));
    } else {
        expand_str(g, c, ask, pick(r, v->close));
    }
    int reserve = u8len(ask->p, ask->len);

    const char *open = pick(r, v->open);
    if (strncmp(tp->core, "接", 3) != 0)
        expand_str(g, c, text, open);
    expand_str(g, c, text, tp->core);
    int chars = u8len(text->p, text->len);
    int used[4] = { 0 };
    for (int i = 0; i < tp->nmore; i++)
        if (chars + reserve < target)
            used[i] = try_add(g, c, text, &chars, tp->more[i], reserve, tp->newline);
    if (tp->emotion)
        try_add(g, c, text, &chars, pick(r, v->emotion), reserve, tp->newline);
    if (tp->escalate)
        try_add(g, c, text, &chars, tp->esc_tpl ? tp->esc_tpl : pick(r, v->escalate), reserve,
                tp->newline);
    /* Never shorter than TEXT_MIN: pad with the optional details. */
    for (int i = 0; i < tp->nmore && chars + reserve < TEXT_MIN; i++)
        if (!used[i])
            used[i] = try_add(g, c, text, &chars, tp->more[i], reserve, 0);
    if (chars + reserve < TEXT_MIN)
        try_add(g, c, text, &chars, "请相关部门尽快核实处理，给群众一个明确的答复。", reserve, 0);
    if (ask->len && tp->newline && c->src == SRC_ONLINE) {
        buf_putc(text, '\n');
        chars++;
    }
    buf_put(text, ask->p, ask->len);
    chars += reserve;
    if (tp->pii)
        try_add(g, c, text, &chars, pick(r, v->pii), 0, 0);
    if (c->src == SRC_ONLINE && rng_chance(r, 0.15)) {
        static const char *const tags[] = { " #江临# #民生#", " #江临身边事#", " #维权#", " @江临发布" };
        try_add(g, c, text, &chars, tags[rng_below(r, NEL(tags))], 0, 0);
    }
}

/* ---- records -------------------------------------------------------------- */

static void rec_reset(rec_t *rc)
{
    buf_t t = rc->title, x = rc->text, y = rc->reply;
    memset(rc, 0, sizeof *rc);
    rc->title = t; rc->text = x; rc->reply = y;
    rc->title.len = rc->text.len = rc->reply.len = 0;
    if (rc->title.p) rc->title.p[0] = '\0';
    if (rc->text.p) rc->text.p[0] = '\0';
    if (rc->reply.p) rc->reply.p[0] = '\0';
    rc->repeat_count = -1;
    rc->reposts = rc->comments = rc->likes = -1;
}

static int64_t pareto(rng_t *r, double xm, double alpha, int64_t cap)
{
    double u = 1.0 - rng_unit(r);           /* (0, 1] */
    double v = xm * pow(u, -1.0 / alpha) - xm;
    return v > (double)cap ? cap : (int64_t)v;
}

static void make_id(gen_t *g, rec_t *rc, int day, int ephemeral)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    uint32_t seq;
    if (ephemeral)
        seq = 9000000u + ++g->bad_seq;
    else {
        if (g->id_day[rc->src] != day) {
            g->id_day[rc->src] = day;
            g->id_seq[rc->src] = 0;
        }
        seq = ++g->id_seq[rc->src];
    }
    snprintf(rc->id, sizeof rc->id, "%s%04d%02d%02d%06u", src_prefix[rc->src], y, m, d, seq);
}

static const double ts_fmt_w[NSRC][3] = {
    { 25, 60, 15 }, { 60, 30, 10 }, { 30, 10, 60 }, { 20, 50, 30 },
};

static void fill_common(gen_t *g, rec_t *rc, const slot_t *sl, const ctx_t *c)
{
    rng_t *r = g->r;
    rc->src = sl->src;
    rc->ts_ms = sl->ts_ms;
    rc->ts_fmt = sl->ts_fmt;
    rc->with_source = rng_chance(r, 0.9) || g->always_source;
    rc->district = c->district;
    rc->street = c->street;
    rc->comm = c->comm;
    make_id(g, rc, sl->day, sl->ephemeral);
}

static void set_person(rec_t *rc, const char *who)
{
    snprintf(rc->person_buf, sizeof rc->person_buf, "%s", who);
    rc->person = rc->person_buf;
}

static void fill_source_fields(gen_t *g, rec_t *rc, const ctx_t *c, const domain_t *dom,
                               int planted, double progress, const char *title,
                               int repeat_count, const person_t *pp)
{
    rng_t *r = g->r;
    switch (rc->src) {
    case SRC_HOTLINE: {
        expand_str(g, c, &rc->title, title);
        set_person(rc, pp->phone);
        rc->with_place = rng_chance(r, 0.85);
        rc->with_comm = rng_chance(r, 0.7);
        rc->category = dom->category;
        rc->repeat_count = repeat_count;
        static const double bg_w[4] = { 40, 20, 15, 25 };     /* resolved unresolved dissatisfied pending */
        static const double pl_w[4] = { 5, 40, 25, 30 };
        static const char *const oc[4] = { "resolved", "unresolved", "dissatisfied", "pending" };
        int o = pick_weighted(r, planted ? pl_w : bg_w, 4);
        rc->outcome = oc[o];
        double deflect = planted ? 0.5 : (o == 1 ? 0.25 : o == 2 ? 0.3 : 0.0);
        const char *rp = NULL;
        if (o == 3)
            rp = rng_chance(r, 0.5) ? pick(r, (list_t)LIST(rp_pending)) : NULL;
        else if (rng_chance(r, deflect))
            rp = pick(r, (list_t)LIST(rp_deflect));
        else if (o == 0)
            rp = pick(r, (list_t)LIST(rp_resolved));
        else if (o == 1)
            rp = pick(r, (list_t)LIST(rp_unresolved));
        else
            rp = pick(r, (list_t)LIST(rp_dissatisfied));
        if (rp)
            expand_str(g, c, &rc->reply, rp);
        break;
    }
    case SRC_GRID: {
        if (rng_chance(r, 0.3))
            set_person(rc, pp->phone);
        rc->with_place = rc->with_comm = 1;
        rc->event_type = planted && progress > 0.3 && rng_chance(r, 0.5) ? "信访苗头" : dom->event_type;
        rc->status = grid_status[rng_below(r, NEL(grid_status))];
        snprintf(rc->grid_code, sizeof rc->grid_code, "%s%02u", g->city.comm[c->comm].code,
                 1 + rng_below(r, 12));
        break;
    }
    case SRC_ONLINE: {
        static const double pw[4] = { 40, 25, 20, 15 };
        static const char *const plat[4] = { "微博", "抖音", "本地论坛", "人民网留言板" };
        int p = pick_weighted(r, pw, 4);
        rc->platform = plat[p];
        set_person(rc, pp->account);
        buf_t u = { 0 };
        switch (p) {
        case 0: {
            static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            buf_puts(&u, "https://weibo.com/");
            buf_putc(&u, (char)('1' + rng_below(r, 7)));
            buf_digits(&u, r, 9);
            buf_putc(&u, '/');
            for (int i = 0; i < 9; i++)
                buf_putc(&u, b62[rng_below(r, 62)]);
            break;
        }
        case 1:
            buf_puts(&u, "https://www.douyin.com/video/7");
            buf_digits(&u, r, 18);
            break;
        case 2:
            buf_puts(&u, "https://bbs.jianglin.example/thread-");
            buf_digits(&u, r, 7);
            buf_puts(&u, "-1-1.html");
            break;
        default:
            buf_puts(&u, "https://liuyan.people.com.cn/threads/content?tid=");
            buf_int(&u, rng_range(r, 10000000, 29999999));
            break;
        }
        snprintf(rc->url, sizeof rc->url, "%s", u.p);
        free(u.p);
        if (p >= 2)
            expand_str(g, c, &rc->title, title);
        if (p == 3) {
            rc->with_place = rng_chance(r, 0.6);
            if (rng_chance(r, 0.5))
                expand_str(g, c, &rc->reply, pick(r, (list_t)LIST(ol_reply)));
        }
        /* Heavy tails; a planted issue spreads more as it escalates. */
        double boost = planted ? 1.0 + 30.0 * progress * progress : 1.0;
        int64_t cap = 2000000;
        rc->reposts = (int64_t)((double)(pareto(r, 1.0, 1.1, cap) + 1) * boost) - 1;
        rc->comments = (int64_t)((double)(pareto(r, 1.5, 1.2, cap) + 1) * boost) - 1;
        rc->likes = (int64_t)((double)(pareto(r, 4.0, 1.0, cap) + 1) * boost) - 1;
        break;
    }
    default: {
        if (rng_chance(r, 0.85))
            set_person(rc, pp->phone);
        rc->with_place = 1;
        rc->with_comm = 0;
        rc->incident_type = planted && progress > 0.5 && rng_chance(r, 0.6) ? "群体性事件/聚集" : dom->incident_type;
        break;
    }
    }
}

/* Background: pick a complainant (Zipf-ish reuse of a pool), their issue,
 * and write the record. */
static void gen_background(gen_t *g, const slot_t *sl)
{
    rng_t *r = g->r;
    rec_t *rc = &g->rec;
    person_t one, *pp = NULL;
    int dom_i;
    uint64_t issue;

    if (!sl->ephemeral && rng_chance(r, 0.35)) {
        double x = rng_unit(r);
        int lo = 0, hi = g->npool - 1;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (g->zipf_cdf[mid] < x) lo = mid + 1; else hi = mid;
        }
        pp = &g->pool[lo];
        if (pp->used && pp->calls >= g->person_cap)
            pp = NULL;               /* worn out: a new face instead */
        else if (!pp->used) {
            double w[NDOMAINS];
            for (int i = 0; i < NDOMAINS; i++)
                w[i] = domains[i].weight[sl->src] * (g->dom_mult ? g->dom_mult[i] : 1.0);
            person_init(pp, r);
            pp->domain = pick_weighted(r, w, NDOMAINS);
            pp->issue = rng_next(r);
        }
    }
    if (pp) {
        dom_i = pp->domain;
        issue = pp->issue;
    } else {
        person_init(&one, r);
        pp = &one;
        if (!sl->ephemeral && g->ring_n && rng_chance(r, 0.08)) {
            int k = (int)rng_below(r, (uint32_t)(g->ring_n < 64 ? g->ring_n : 64));
            issue = g->ring[k];
            dom_i = g->ring_dom[k];                 /* a neighbour with the same problem */
        } else {
            double w[NDOMAINS];
            for (int i = 0; i < NDOMAINS; i++)
                w[i] = domains[i].weight[sl->src] * (g->dom_mult ? g->dom_mult[i] : 1.0);
            dom_i = pick_weighted(r, w, NDOMAINS);
            issue = rng_next(r);
        }
    }
    if (!sl->ephemeral) {
        g->ring[g->ring_n % 64] = issue;
        g->ring_dom[g->ring_n % 64] = dom_i;
        g->ring_n++;
        pp->calls++;
    }
    const domain_t *dom = &domains[dom_i];
    int repeat = 1;
    if (sl->src == SRC_HOTLINE) {
        if (pp == &one)
            repeat = rng_chance(r, 0.85) ? 1 : rng_range(r, 2, 4);
        else
            repeat = pp->prior + ++pp->hl_calls;
    }

    ctx_t c;
    ctx_issue(g, &c, dom_i, issue);
    ctx_record(&c, sl, pp);

    rec_reset(rc);
    fill_common(g, rc, sl, &c);

    text_plan_t tp = { 0 };
    int emo_p[NSRC] = { 10, 5, 15, 8 }, esc_p[NSRC] = { 3, 3, 4, 2 };
    int k = (int)rng_below(r, (uint32_t)dom->core.n);
    if (sl->src == SRC_POLICE)
        tp.core = pick(r, dom->police);
    else
        tp.core = dom->core.v[k];
    /* up to three distinct details, in a rotating order */
    int m0 = (int)rng_below(r, (uint32_t)dom->more.n), step = rng_chance(r, 0.5) ? 1 : dom->more.n - 1;
    for (int i = 0; i < 3 && i < dom->more.n; i++)
        tp.more[tp.nmore++] = dom->more.v[(m0 + i * step) % dom->more.n];
    if (sl->src == SRC_HOTLINE || sl->src == SRC_ONLINE)
        tp.more[tp.nmore++] = pick(r, voices[sl->src].more);
    tp.emotion = (int)rng_below(r, 100) < emo_p[sl->src] + (repeat > 3 ? 15 : 0);
    tp.escalate = (int)rng_below(r, 100) < esc_p[sl->src];
    tp.pii = rng_chance(r, 0.15);
    if (sl->src == SRC_HOTLINE || sl->src == SRC_ONLINE)
        tp.ask = dom->ask.v[k];
    tp.newline = sl->src == SRC_ONLINE && rng_chance(r, 0.06);
    build_text(g, &c, &tp, &rc->text);
    fill_source_fields(g, rc, &c, dom, 0, 0.0, dom->title.v[k], repeat, pp);
}

/* ---- JSON ----------------------------------------------------------------- */

static void j_str(buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, n * 2 + 2);
    buf_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '"' && s[j] != '\\')
            j++;
        buf_put(b, s + i, j - i);
        if (j >= n)
            break;
        unsigned char ch = (unsigned char)s[j];
        switch (ch) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default: {
            char u[7] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0 };
            buf_puts(b, u);
        }
        }
        i = j + 1;
    }
    buf_putc(b, '"');
}

static void j_key(buf_t *b, int *first, const char *k)
{
    if (!*first)
        buf_putc(b, ',');
    *first = 0;
    buf_putc(b, '"');
    buf_puts(b, k);
    buf_puts(b, "\":");
}

static void j_kv(buf_t *b, int *first, const char *k, const char *v)
{
    if (!v)
        return;
    j_key(b, first, k);
    j_str(b, v, strlen(v));
}

static void put_ts(buf_t *b, int64_t ms, int fmt)
{
    if (fmt >= 2) {
        if (fmt == 3) buf_putc(b, '"');
        buf_int(b, ms);
        if (fmt == 3) buf_putc(b, '"');
        return;
    }
    int64_t local = ms + TZ_MS;
    int64_t day = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
    int64_t sec = (local - day * DAY_MS) / 1000;
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    buf_putc(b, '"');
    buf_int0(b, y, 4); buf_putc(b, '-'); buf_int0(b, m, 2); buf_putc(b, '-'); buf_int0(b, d, 2);
    buf_putc(b, fmt == 0 ? 'T' : ' ');
    buf_int0(b, sec / 3600, 2); buf_putc(b, ':');
    buf_int0(b, sec / 60 % 60, 2); buf_putc(b, ':');
    buf_int0(b, sec % 60, 2);
    if (fmt == 0)
        buf_puts(b, "+08:00");
    buf_putc(b, '"');
}

/* What a malformed line does to the record (all zero: a good record). */
typedef struct {
    int omit_id, omit_ts, omit_text;
    const char *raw_id, *raw_ts, *raw_text;   /* replace the JSON value verbatim */
    const char *raw_extra_key, *raw_extra;    /* wrong-typed optional field */
} mutation_t;

static void rec_json(gen_t *g, const rec_t *rc, const mutation_t *mu, buf_t *b)
{
    static const mutation_t none = { 0 };
    const city_t *city = &g->city;
    int first = 1;
    if (!mu)
        mu = &none;
    buf_putc(b, '{');
    if (!mu->omit_id) {
        j_key(b, &first, "id");
        if (mu->raw_id) buf_puts(b, mu->raw_id); else j_str(b, rc->id, strlen(rc->id));
    }
    if (rc->with_source)
        j_kv(b, &first, "source", src_names[rc->src]);
    if (!mu->omit_ts) {
        j_key(b, &first, "ts");
        if (mu->raw_ts) buf_puts(b, mu->raw_ts); else put_ts(b, rc->ts_ms, rc->ts_fmt);
    }
    if (rc->title.len)
        j_kv(b, &first, "title", rc->title.p);
    if (!mu->omit_text) {
        j_key(b, &first, "text");
        if (mu->raw_text) buf_puts(b, mu->raw_text); else j_str(b, rc->text.p, rc->text.len);
    }
    j_kv(b, &first, "person", rc->person);
    if (rc->with_place) {
        j_kv(b, &first, "district", district_defs[rc->district].name);
        if (rc->src != SRC_ONLINE)
            j_kv(b, &first, "street", district_defs[rc->district].streets[rc->street % NSTREET_PER]);
        if (rc->with_comm) {
            j_kv(b, &first, "community", city->comm[rc->comm].name);
            j_kv(b, &first, "region_code", city->comm[rc->comm].code);
        }
    }
    j_kv(b, &first, "category", rc->category);
    if (rc->repeat_count >= 0) {
        j_key(b, &first, "repeat_count");
        buf_int(b, rc->repeat_count);
    }
    j_kv(b, &first, "outcome", rc->outcome);
    j_kv(b, &first, "event_type", rc->event_type);
    if (rc->grid_code[0])
        j_kv(b, &first, "grid_code", rc->grid_code);
    j_kv(b, &first, "status", rc->status);
    j_kv(b, &first, "platform", rc->platform);
    if (rc->url[0])
        j_kv(b, &first, "url", rc->url);
    if (rc->reposts >= 0) {
        j_key(b, &first, "reposts"); buf_int(b, rc->reposts);
        j_key(b, &first, "comments"); buf_int(b, rc->comments);
        j_key(b, &first, "likes"); buf_int(b, rc->likes);
    }
    if (rc->reply.len)
        j_kv(b, &first, "reply", rc->reply.p);
    j_kv(b, &first, "incident_type", rc->incident_type);
    if (rc->src == SRC_POLICE)
        j_kv(b, &first, "station", city->station[rc->street]);
    if (mu->raw_extra_key) {
        j_key(b, &first, mu->raw_extra_key);
        buf_puts(b, mu->raw_extra);
    }
    buf_puts(b, "}\n");
}

/* ---- schedule: when each record happens ----------------------------------- */

/* Relative activity by hour of day, per source (local time). */
static const double hour_w[NSRC][24] = {
    { 1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 7, 10, 10, 9, 7, 7, 9, 9, 8, 7, 6, 6, 5, 4, 3, 2 },
    { 0, 0, 0, 0, 0, 0, 0.2, 1, 6, 10, 10, 9, 4, 5, 9, 10, 9, 6, 2, 1, 0.5, 0.2, 0, 0 },
    { 3, 2, 1, 0.5, 0.3, 0.3, 0.8, 2, 4, 5, 6, 7, 8, 6, 6, 6, 6, 7, 8, 9, 10, 10, 9, 6 },
    { 4, 4, 3, 2, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 9, 8, 6 },
};

/* Event time and its format.  String formats carry whole seconds, so their
 * milliseconds are zeroed *before* sorting: the output stays sorted as
 * written, not only as generated. */
static void draw_time(gen_t *g, slot_t *sl, int planted)
{
    rng_t *r = g->r;
    int h = pick_weighted(r, hour_w[planted ? 0 : sl->src], 24);
    sl->ts_fmt = pick_weighted(r, ts_fmt_w[sl->src], 3);
    if (sl->ts_fmt == 2 && rng_chance(r, 0.03))
        sl->ts_fmt = 3;
    int64_t ms = ((int64_t)h * 3600 + rng_below(r, 3600)) * 1000;
    if (sl->ts_fmt >= 2)
        ms += rng_below(r, 1000);
    sl->ts_ms = (int64_t)(sl->day - g->start_day) * DAY_MS + g->start_ms + ms;
}

static int slot_cmp(const void *a, const void *b)
{
    const slot_t *x = a, *y = b;
    if (x->ts_ms != y->ts_ms)
        return x->ts_ms < y->ts_ms ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;   /* qsort is not stable */
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* A YYYY-MM-DD date (years 1971..2200) as a local day number in *day;
 * -1 if s is not one. */
static int parse_day(const char *s, int *day)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1971 || y > 2200 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *day = (int)days_from_civil(y, m, d);
    return 0;
}

/* ---- a generator's life and its output ------------------------------------ */

static void gen_destroy(gen_t *g)
{
    if (!g)
        return;
    for (int p = 0; p < 3; p++)
        free(g->ppool[p]);
    free(g->pool);
    free(g->zipf_cdf);
    free(g->rec.title.p);
    free(g->rec.text.p);
    free(g->rec.reply.p);
    free(g->scratch.p);
    free(g->ask.p);
    city_free(&g->city);
    free(g);
}

/* A generator of days days from local day start_day, drawing from seed
 * (malformed lines from a stream of their own), with background
 * complainants for about `records` records: a pool ranked Zipf-ish, where
 * a person stops after person_cap records.  NULL when out of memory. */
static gen_t *gen_create(uint64_t seed, int start_day, int days, uint64_t records, int person_cap)
{
    gen_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    city_build(&g->city);
    rng_seed(&g->main_rng, seed);
    rng_seed(&g->bad_rng, seed ^ 0x6d616c666f726d64ULL);
    g->r = &g->main_rng;
    g->start_day = start_day;
    g->start_ms = (int64_t)start_day * DAY_MS - TZ_MS;
    g->days = days;
    for (int s = 0; s < NSRC; s++)
        g->id_day[s] = -1;

    g->npool = (int)(records / 10 < 32 ? 32 : records / 10 > 2000000 ? 2000000 : records / 10);
    g->person_cap = person_cap;
    g->pool = calloc((size_t)g->npool, sizeof(person_t));
    g->zipf_cdf = malloc((size_t)g->npool * sizeof(double));
    if (!g->pool || !g->zipf_cdf) {
        gen_destroy(g);
        return NULL;
    }
    double acc = 0;
    for (int i = 0; i < g->npool; i++)
        g->zipf_cdf[i] = acc += pow(i + 1, -1.05);
    for (int i = 0; i < g->npool; i++)
        g->zipf_cdf[i] /= acc;
    return g;
}

/* Writes the records in ob to out once it holds nearly 1 MiB (with all:
 * whatever it holds) and empties it.  -1 on a write error, ob as it was. */
static int out_flush(buf_t *ob, FILE *out, int all)
{
    size_t at_least = all ? 1 : (1 << 20) - 8192;
    if (ob->len < at_least)
        return 0;
    if (fwrite(ob->p, 1, ob->len, out) != ob->len)
        return -1;
    ob->len = 0;
    return 0;
}

#pragma GCC diagnostic pop

#endif
