/* test_jsonw_alert.c -- the JSON writer and the alert object.
 *
 * The alert JSON is a public contract (docs/redis-schema.md): these tests
 * pin the escaping, the number formatting, the key order and the
 * alert_id derivation, and parse a full alert back with jsmn to check that
 * every field says what the struct said. */
#define _POSIX_C_SOURCE 200809L   /* gmtime_r */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSMN_STATIC
#include <jsmn.h>

#include "alert.h"
#include "record.h"
#include "jsonw.h"
#include "yw_test.h"

/* ---- jsonw --------------------------------------------------------------- */

static char *one_string(const char *s, size_t len)
{
    yw_jsonw_t w;
    yw_jsonw_init(&w);
    yw_jsonw_strn(&w, s, len);
    return yw_jsonw_finish(&w, NULL);
}

TEST(test_escaping)
{
    const char in[] = "a\"b\\c\nd\te\r\b\f\x01\x1f/";
    char *out = one_string(in, sizeof in - 1);
    CHECK_EQ_STR(out, "\"a\\\"b\\\\c\\nd\\te\\r\\b\\f\\u0001\\u001f/\"");
    free(out);

    /* Valid UTF-8 (3- and 4-byte) passes through unchanged. */
    const char cjk[] = "\xe5\xb0\x8f\xe5\x8c\xba\xe5\x81\x9c\xe6\xb0\xb4 \xf0\x9f\x98\x80";
    out = one_string(cjk, sizeof cjk - 1);
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", cjk);
    CHECK_EQ_STR(out, want);
    free(out);

    /* Invalid bytes become U+FFFD: overlong, lone continuation, surrogate,
     * truncated sequence. */
    const char bad[] = "x\xc0\xafy\x80z\xed\xa0\x80w\xe5\xb0";
    out = one_string(bad, sizeof bad - 1);
    CHECK_EQ_STR(out, "\"x\xef\xbf\xbd\xef\xbf\xbdy\xef\xbf\xbdz"
                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdw"
                      "\xef\xbf\xbd\xef\xbf\xbd\"");
    free(out);

    /* Embedded NUL is a control character like any other. */
    out = one_string("a\0b", 3);
    CHECK_EQ_STR(out, "\"a\\u0000b\"");
    free(out);
}

TEST(test_structure_and_numbers)
{
    yw_jsonw_t w;
    yw_jsonw_init(&w);
    yw_jsonw_obj_begin(&w);
    yw_jsonw_key(&w, "a");
    yw_jsonw_arr_begin(&w);
    yw_jsonw_int(&w, 1);
    yw_jsonw_int(&w, INT64_MIN);
    yw_jsonw_int(&w, INT64_MAX);
    yw_jsonw_obj_begin(&w);
    yw_jsonw_obj_end(&w);
    yw_jsonw_arr_begin(&w);
    yw_jsonw_arr_end(&w);
    yw_jsonw_arr_end(&w);
    yw_jsonw_kv_double(&w, "s", 72.5, 2);
    yw_jsonw_kv_double(&w, "t", 12.0, 2);
    yw_jsonw_kv_double(&w, "u", 0.125, 2);      /* rounds to even-ish 0.12/0.13 */
    yw_jsonw_kv_double(&w, "v", -0.001, 2);     /* -0.00 -> 0 */
    yw_jsonw_kv_double(&w, "x", 0.1, YW_JSONW_SHORTEST);
    yw_jsonw_kv_double(&w, "y", NAN, 2);
    yw_jsonw_kv_double(&w, "z", INFINITY, YW_JSONW_SHORTEST);
    yw_jsonw_key(&w, "b");
    yw_jsonw_bool(&w, true);
    yw_jsonw_kv_str(&w, "n", NULL);
    yw_jsonw_obj_end(&w);
    size_t len = 0;
    char *out = yw_jsonw_finish(&w, &len);
    REQUIRE(out != NULL);
    CHECK_EQ_INT(len, strlen(out));
    const char *u = strstr(out, "\"u\":");
    REQUIRE(u != NULL);
    CHECK(strncmp(u, "\"u\":0.12,", 9) == 0 || strncmp(u, "\"u\":0.13,", 9) == 0);
    char *p = strstr(out, ",\"u\":");
    /* Cut the platform-rounded value out and compare the rest exactly. */
    const char *rest = strstr(p + 1, ",");
    char buf[512];
    snprintf(buf, sizeof buf, "%.*s%s", (int)(p - out), out, rest);
    CHECK_EQ_STR(buf, "{\"a\":[1,-9223372036854775808,9223372036854775807,{},[]],"
                      "\"s\":72.5,\"t\":12,\"v\":0,\"x\":0.1,\"y\":null,"
                      "\"z\":null,\"b\":true,\"n\":null}");
    free(out);
}

/* The writer's own digit paths against snprintf, which they replace. */
TEST(test_numbers_match_printf)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    char want[64];
    yw_jsonw_t w;
    yw_jsonw_init(&w);
    int64_t ints[] = { 0, 1, -1, 9, 10, -10, INT64_MAX, INT64_MIN, 1234567890123LL };
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t v = i < 9 ? ints[i] : (int64_t)x >> (x % 60);
        yw_jsonw_reset(&w);
        yw_jsonw_int(&w, v);
        snprintf(want, sizeof want, "%lld", (long long)v);
        CHECK_EQ_STR(w.buf, want);
    }
    double fixed[] = { 0, -0.0, 0.05, 0.15, 0.25, 1.005, 2.675, -0.04, 99.95, 72.5, 1e9, -1e-7, 0.125 };
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v = i < 13 ? fixed[i]
                 : ((double)(x >> 11) / 9007199254740992.0 - 0.5) * pow(10, (double)(x % 13) - 3);
        int d = (int)((x >> 5) % 8);
        if (i < 13 * 8)
            v = fixed[i % 13], d = i / 13;
        /* what yw_jsonw_double promises: printf's digits, trailing zeros
         * and a lone "-0" trimmed */
        int n = snprintf(want, sizeof want, "%.*f", d, v);
        if (memchr(want, '.', (size_t)n)) {
            while (want[n - 1] == '0')
                n--;
            if (want[n - 1] == '.')
                n--;
            want[n] = '\0';
        }
        if (strcmp(want, "-0") == 0)
            strcpy(want, "0");
        yw_jsonw_reset(&w);
        yw_jsonw_double(&w, v, d);
        CHECK_EQ_STR(w.buf, want);
    }
    yw_jsonw_free(&w);

    /* yw_time_format's fast path against the same fields by snprintf */
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t ms = (int64_t)(x % 253402300800000ULL) - 62135596800000LL;  /* years 1..9999 */
        if (i % 3 == 0)
            ms -= ms % 1000;
        int tz = (int)(x >> 40) % (24 * 60 + 1) * ((x >> 39) & 1 ? -1 : 1);
        char got[40];
        yw_time_format(ms, tz, got, sizeof got);
        int64_t local = ms + (int64_t)tz * 60000;
        time_t secs = (time_t)(local >= 0 ? local / 1000 : (local - 999) / 1000);
        int milli = (int)(local - (int64_t)secs * 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        int off = tz < 0 ? -tz : tz;
        char frac[8] = "";
        if (milli)
            snprintf(frac, sizeof frac, ".%03d", milli);
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, frac, tz < 0 ? '-' : '+', off / 60, off % 60);
        CHECK_EQ_STR(got, want);
    }
}

TEST(test_misuse_fails)
{
    yw_jsonw_t w;
    yw_jsonw_init(&w);
    yw_jsonw_obj_begin(&w);
    yw_jsonw_key(&w, "a");
    CHECK(yw_jsonw_finish(&w, NULL) == NULL);     /* open object, dangling key */

    yw_jsonw_init(&w);
    yw_jsonw_arr_end(&w);                         /* close without open */
    CHECK(yw_jsonw_finish(&w, NULL) == NULL);

    yw_jsonw_init(&w);
    yw_jsonw_arr_begin(&w);
    yw_jsonw_key(&w, "k");                        /* key inside an array */
    yw_jsonw_arr_end(&w);
    CHECK(yw_jsonw_finish(&w, NULL) == NULL);

    yw_jsonw_init(&w);
    yw_jsonw_obj_begin(&w);
    yw_jsonw_int(&w, 1);                          /* value without a key */
    yw_jsonw_obj_end(&w);
    CHECK(yw_jsonw_finish(&w, NULL) == NULL);

    yw_jsonw_init(&w);
    yw_jsonw_key(&w, "k");                        /* key at top level */
    CHECK(yw_jsonw_finish(&w, NULL) == NULL);

    yw_jsonw_init(&w);
    yw_jsonw_int(&w, 1);                          /* two top-level values */
    yw_jsonw_int(&w, 2);
    char *two = yw_jsonw_finish(&w, NULL);
    CHECK(two == NULL);
    free(two);

    yw_jsonw_init(&w);                            /* empty document is "" */
    char *out = yw_jsonw_finish(&w, NULL);
    CHECK_EQ_STR(out, "");
    free(out);
}

/* ---- alert --------------------------------------------------------------- */

static void sample_alert(yw_alert_t *a)
{
    memset(a, 0, sizeof *a);
    a->schema_version = YW_SCHEMA_VERSION;
    a->kind = YW_ALERT_CLUSTER;
    snprintf(a->cluster, sizeof a->cluster, "c-42");
    a->level = YW_LEVEL_ORANGE;
    a->prev_level = YW_LEVEL_YELLOW;
    a->score = 71.456;
    a->event_time = 1551449550000LL;          /* 2019-03-01T14:12:30Z */
    snprintf(a->title, sizeof a->title, "\xe9\x98\xb3\xe5\x85\x89\xe8\x8a\xb1\xe5\x9b\xad"
             " \"no water\" 7 days");         /* 阳光花园 "no water" 7 days */
    snprintf(a->places[0], sizeof a->places[0], "\xe6\x9c\x9d\xe9\x98\xb3\xe5\x8c\xba"); /* 朝阳区 */
    snprintf(a->places[1], sizeof a->places[1], "Sunshine Garden");
    a->nplaces = 2;
    a->sources[YW_SRC_HOTLINE] = 30;
    a->sources[YW_SRC_GRID] = 4;
    a->sources[YW_SRC_ONLINE] = 9;
    a->sources[YW_SRC_POLICE] = 1;
    a->records = 44;
    a->people = 27;
    a->repeat_contacts = 6;
    a->first_seen = 1551398400000LL;          /* 2019-03-01T00:00:00Z */
    snprintf(a->signals[0].name, sizeof a->signals[0].name, "burst");
    a->signals[0].value = 5.25;
    a->signals[0].contribution = 22.5;
    snprintf(a->signals[0].detail, sizeof a->signals[0].detail, "44 records in 6h vs 3/day");
    snprintf(a->signals[1].name, sizeof a->signals[1].name, "escalation");
    a->signals[1].value = 3;
    a->signals[1].contribution = 18.956;
    snprintf(a->signals[1].detail, sizeof a->signals[1].detail, "\xe8\x81\x94\xe5\x90\x8d\tx3");
    a->nsignals = 2;
    snprintf(a->sample_ids[0], sizeof a->sample_ids[0], "hl-2019-0001");
    snprintf(a->sample_ids[1], sizeof a->sample_ids[1], "on-77");
    snprintf(a->sample_ids[2], sizeof a->sample_ids[2], "gr-\"q\"");
    a->nsamples = 3;
    snprintf(a->related[0], sizeof a->related[0], "c-000405");
    a->nrelated = 1;
    yw_alert_make_id(a);
}

typedef struct {
    const char *js;
    jsmntok_t *t;
    int n;
} doc_t;

/* Index just past the subtree rooted at token i. */
static int tok_skip(const doc_t *d, int i)
{
    int end = i + 1;
    if (d->t[i].type == JSMN_OBJECT) {
        for (int k = 0; k < d->t[i].size; k++)
            end = tok_skip(d, tok_skip(d, end));
    } else if (d->t[i].type == JSMN_ARRAY) {
        for (int k = 0; k < d->t[i].size; k++)
            end = tok_skip(d, end);
    }
    return end;
}

static bool tok_eq(const doc_t *d, int i, const char *s)
{
    int len = d->t[i].end - d->t[i].start;
    return (int)strlen(s) == len && memcmp(d->js + d->t[i].start, s, (size_t)len) == 0;
}

/* Value token of key in the object at token obj, -1 if absent. */
static int obj_get(const doc_t *d, int obj, const char *key)
{
    int i = obj + 1;
    for (int k = 0; k < d->t[obj].size; k++) {
        if (d->t[i].type == JSMN_STRING && tok_eq(d, i, key))
            return i + 1;
        i = tok_skip(d, i + 1);
    }
    return -1;
}

/* The i-th key name of the object at obj, copied into buf. */
static const char *obj_key_at(const doc_t *d, int obj, int idx, char *buf, size_t len)
{
    int i = obj + 1;
    for (int k = 0; k < idx; k++)
        i = tok_skip(d, i + 1);
    snprintf(buf, len, "%.*s", d->t[i].end - d->t[i].start, d->js + d->t[i].start);
    return buf;
}

static char *tok_str(const doc_t *d, int i)
{
    static char buf[512];
    if (i < 0)
        return strcpy(buf, "(absent)");
    snprintf(buf, sizeof buf, "%.*s", d->t[i].end - d->t[i].start, d->js + d->t[i].start);
    return buf;
}

static double tok_num(const doc_t *d, int i)
{
    if (i < 0 || d->t[i].type != JSMN_PRIMITIVE)
        return NAN;
    return strtod(tok_str(d, i), NULL);
}

TEST(test_alert_json_full)
{
    yw_alert_t a;
    sample_alert(&a);
    size_t len = 0;
    char *js = yw_alert_to_json(&a, 480, &len);
    REQUIRE(js != NULL);
    CHECK_EQ_INT(len, strlen(js));
    CHECK(strchr(js, '\n') == NULL);

    jsmn_parser p;
    jsmntok_t toks[256];
    jsmn_init(&p);
    int n = jsmn_parse(&p, js, len, toks, 256);
    REQUIRE(n > 0);
    doc_t d = { js, toks, n };
    REQUIRE(toks[0].type == JSMN_OBJECT);
    CHECK_EQ_INT(tok_skip(&d, 0), n);          /* one object, nothing after */

    static const char *const order[] = {
        "schema_version", "alert_id", "kind", "cluster", "level", "prev_level",
        "score", "event_time", "title", "places", "sources", "records",
        "people", "repeat_contacts", "first_seen", "signals", "sample_ids", "related"
    };
    const int nkeys = (int)(sizeof order / sizeof order[0]);
    CHECK_EQ_INT(toks[0].size, nkeys);
    char kb[64];
    for (int i = 0; i < nkeys && i < toks[0].size; i++)
        CHECK_EQ_STR(obj_key_at(&d, 0, i, kb, sizeof kb), order[i]);

    CHECK_EQ_INT(tok_num(&d, obj_get(&d, 0, "schema_version")), 1);
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "alert_id")), a.alert_id);
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "kind")), "cluster");
    CHECK(obj_get(&d, 0, "person") < 0);
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "cluster")), "c-42");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "level")), "orange");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "prev_level")), "yellow");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "score")), "71.46");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "event_time")), "2019-03-01T22:12:30+08:00");
    /* jsmn gives the raw (escaped) text of strings. */
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "title")),
                 "\xe9\x98\xb3\xe5\x85\x89\xe8\x8a\xb1\xe5\x9b\xad \\\"no water\\\" 7 days");

    int places = obj_get(&d, 0, "places");
    REQUIRE(places > 0 && toks[places].type == JSMN_ARRAY);
    CHECK_EQ_INT(toks[places].size, 2);
    CHECK_EQ_STR(tok_str(&d, places + 1), "\xe6\x9c\x9d\xe9\x98\xb3\xe5\x8c\xba");
    CHECK_EQ_STR(tok_str(&d, places + 2), "Sunshine Garden");

    int src = obj_get(&d, 0, "sources");
    REQUIRE(src > 0 && toks[src].type == JSMN_OBJECT);
    CHECK_EQ_INT(toks[src].size, 4);
    CHECK_EQ_STR(obj_key_at(&d, src, 0, kb, sizeof kb), "hotline");
    CHECK_EQ_STR(obj_key_at(&d, src, 3, kb, sizeof kb), "police");
    CHECK_EQ_INT(tok_num(&d, obj_get(&d, src, "hotline")), 30);
    CHECK_EQ_INT(tok_num(&d, obj_get(&d, src, "grid")), 4);
    CHECK_EQ_INT(tok_num(&d, obj_get(&d, src, "online")), 9);
    CHECK_EQ_INT(tok_num(&d, obj_get(&d, src, "police")), 1);

    CHECK_EQ_INT(tok_num(&d, obj_get(&d, 0, "records")), 44);
    CHECK_EQ_INT(tok_num(&d, obj_get(&d, 0, "people")), 27);
    CHECK_EQ_INT(tok_num(&d, obj_get(&d, 0, "repeat_contacts")), 6);
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, 0, "first_seen")), "2019-03-01T08:00:00+08:00");

    int sig = obj_get(&d, 0, "signals");
    REQUIRE(sig > 0 && toks[sig].type == JSMN_ARRAY);
    CHECK_EQ_INT(toks[sig].size, 2);
    int s0 = sig + 1, s1 = tok_skip(&d, s0);
    REQUIRE(toks[s0].type == JSMN_OBJECT && toks[s1].type == JSMN_OBJECT);
    CHECK_EQ_INT(toks[s0].size, 4);
    CHECK_EQ_STR(obj_key_at(&d, s0, 0, kb, sizeof kb), "name");
    CHECK_EQ_STR(obj_key_at(&d, s0, 1, kb, sizeof kb), "value");
    CHECK_EQ_STR(obj_key_at(&d, s0, 2, kb, sizeof kb), "contribution");
    CHECK_EQ_STR(obj_key_at(&d, s0, 3, kb, sizeof kb), "detail");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s0, "name")), "burst");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s0, "value")), "5.25");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s0, "contribution")), "22.5");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s0, "detail")), "44 records in 6h vs 3/day");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s1, "name")), "escalation");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s1, "value")), "3");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s1, "contribution")), "18.96");
    CHECK_EQ_STR(tok_str(&d, obj_get(&d, s1, "detail")), "\xe8\x81\x94\xe5\x90\x8d\\tx3");

    int sam = obj_get(&d, 0, "sample_ids");
    REQUIRE(sam > 0 && toks[sam].type == JSMN_ARRAY);
    CHECK_EQ_INT(toks[sam].size, 3);
    CHECK_EQ_STR(tok_str(&d, sam + 1), "hl-2019-0001");
    CHECK_EQ_STR(tok_str(&d, sam + 2), "on-77");
    CHECK_EQ_STR(tok_str(&d, sam + 3), "gr-\\\"q\\\"");
    int rel = obj_get(&d, 0, "related");
    REQUIRE(rel > 0 && toks[rel].type == JSMN_ARRAY);
    CHECK_EQ_INT(toks[rel].size, 1);
    CHECK_EQ_STR(tok_str(&d, rel + 1), "c-000405");

    /* A pure function of the struct: serialising again gives the same bytes. */
    char *js2 = yw_alert_to_json(&a, 480, NULL);
    CHECK_EQ_STR(js2, js);
    free(js2);
    free(js);
}

TEST(test_alert_json_person_and_empty)
{
    yw_alert_t a;
    memset(&a, 0, sizeof a);
    a.kind = YW_ALERT_PERSON;
    snprintf(a.cluster, sizeof a.cluster, "c-1");
    snprintf(a.person, sizeof a.person, "p:0123456789abcdef");
    a.level = YW_LEVEL_RED;
    a.event_time = 0;
    yw_alert_make_id(&a);
    char *js = yw_alert_to_json(&a, 0, NULL);
    REQUIRE(js != NULL);
    /* schema_version 0 in the struct is written as the current version;
     * empty arrays and zero counts are present, never omitted. */
    const char *want_head = "{\"schema_version\":1,\"alert_id\":\"";
    CHECK(strncmp(js, want_head, strlen(want_head)) == 0);
    CHECK(strstr(js, "\"kind\":\"person\",\"cluster\":\"c-1\","
                     "\"person\":\"p:0123456789abcdef\",\"level\":\"red\","
                     "\"prev_level\":\"none\",\"score\":0,"
                     "\"event_time\":\"1970-01-01T00:00:00Z\"") != NULL ||
          strstr(js, "\"kind\":\"person\",\"cluster\":\"c-1\","
                     "\"person\":\"p:0123456789abcdef\",\"level\":\"red\","
                     "\"prev_level\":\"none\",\"score\":0,"
                     "\"event_time\":\"1970-01-01T00:00:00+00:00\"") != NULL);
    CHECK(strstr(js, "\"places\":[],\"sources\":{\"hotline\":0,\"grid\":0,"
                     "\"online\":0,\"police\":0},\"records\":0") != NULL);
    CHECK(strstr(js, "\"signals\":[],\"sample_ids\":[],\"related\":[]}") != NULL);
    free(js);
}

TEST(test_alert_id)
{
    yw_alert_t a, b;
    sample_alert(&a);
    /* Pinned: sha256("cluster|c-42||orange|yellow|1551449550000")[0:16] hex.
     * Changing the derivation changes every id and breaks de-duplication
     * across an upgrade: it needs a schema version bump. */
    CHECK_EQ_STR(a.alert_id, "298daa6d6821d4d53aabf1b0731d9748");
    CHECK_EQ_INT(strlen(a.alert_id), 32);

    sample_alert(&b);
    CHECK_EQ_STR(b.alert_id, a.alert_id);

    /* Not part of the identity: score, title, counts, signals. */
    b.score = 99;
    b.records = 1000;
    snprintf(b.title, sizeof b.title, "other");
    b.nsignals = 0;
    yw_alert_make_id(&b);
    CHECK_EQ_STR(b.alert_id, a.alert_id);

    /* Part of it: level, prev_level, event_time, cluster, kind/person. */
    sample_alert(&b);
    b.level = YW_LEVEL_RED;
    yw_alert_make_id(&b);
    CHECK(strcmp(b.alert_id, a.alert_id) != 0);
    sample_alert(&b);
    b.prev_level = YW_LEVEL_BLUE;
    yw_alert_make_id(&b);
    CHECK(strcmp(b.alert_id, a.alert_id) != 0);
    sample_alert(&b);
    b.event_time++;
    yw_alert_make_id(&b);
    CHECK(strcmp(b.alert_id, a.alert_id) != 0);
    sample_alert(&b);
    b.cluster[0] = 'd';
    yw_alert_make_id(&b);
    CHECK(strcmp(b.alert_id, a.alert_id) != 0);

    sample_alert(&b);
    b.kind = YW_ALERT_PERSON;
    snprintf(b.person, sizeof b.person, "p:0123456789abcdef");
    b.level = YW_LEVEL_RED;
    b.prev_level = YW_LEVEL_NONE;
    yw_alert_make_id(&b);
    CHECK_EQ_STR(b.alert_id, "dcf1ae7f9a0436e4e00d1669b15daebc");
}

TEST(test_level_names)
{
    static const char *const names[] = { "none", "blue", "yellow", "orange", "red" };
    for (int i = 0; i <= YW_LEVEL_RED; i++) {
        CHECK_EQ_STR(yw_level_name((yw_level_t)i), names[i]);
        CHECK_EQ_INT(yw_level_parse(names[i]), i);
    }
    CHECK_EQ_INT(yw_level_parse("purple"), -1);
    CHECK_EQ_INT(yw_level_parse("Red"), -1);
    CHECK_EQ_INT(yw_level_parse(NULL), -1);
    CHECK_EQ_STR(yw_level_name((yw_level_t)17), "none");
}

int main(void)
{
    RUN(test_escaping);
    RUN(test_structure_and_numbers);
    RUN(test_numbers_match_printf);
    RUN(test_misuse_fails);
    RUN(test_alert_json_full);
    RUN(test_alert_json_person_and_empty);
    RUN(test_alert_id);
    RUN(test_level_names);
    return yw_test_done();
}
