/* alert.c -- level names, deterministic alert ids and the alert's JSON.
 *
 * This is the one place that spells the alert object's keys and their
 * order (docs/redis-schema.md documents them).  The same bytes go to the
 * Redis stream, the pub/sub channel and `ywctl backtest --alerts`, so the
 * output must be a pure function of the struct: fixed key order, fixed
 * number formatting, no wall-clock time. */
#include "alert.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "jsonw.h"

static const char *const level_names[] = {
    "none", "blue", "yellow", "orange", "red"
};

/* Literal source names (same as yw_source_name) so the alert's key set does
 * not silently change if the record module's names ever do. */
static const char *const source_keys[YW_SRC_COUNT] = {
    "hotline", "grid", "online", "police"
};

const char *yw_level_name(yw_level_t level)
{
    if ((int)level < 0 || (int)level > YW_LEVEL_RED)
        return "none";
    return level_names[level];
}

int yw_level_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i <= YW_LEVEL_RED; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

static const char *kind_name(yw_alert_kind_t k)
{
    return k == YW_ALERT_PERSON ? "person" : "cluster";
}

void yw_alert_make_id(yw_alert_t *a)
{
    /* The identity of an alert is "this cluster (or person) moved from
     * prev_level to level at this event time".  Replaying the same input
     * reproduces exactly these fields, hence the same id, which is what the
     * sink's de-duplication marker keys on.  Names rather than enum values
     * so that renumbering the enum cannot change ids. */
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%s|%s|%s|%s|%s|%lld",
                     kind_name(a->kind), a->cluster,
                     a->kind == YW_ALERT_PERSON ? a->person : "",
                     yw_level_name(a->level), yw_level_name(a->prev_level),
                     (long long)a->event_time);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";
    if (EVP_Digest(buf, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        mdlen < 16) {
        /* Cannot happen with a working libcrypto; keep the id well-formed. */
        memset(md, 0, 16);
    }
    for (int i = 0; i < 16; i++) {
        a->alert_id[2 * i] = hex[md[i] >> 4];
        a->alert_id[2 * i + 1] = hex[md[i] & 15];
    }
    a->alert_id[32] = '\0';
}

static void kv_time(yw_jsonw_t *w, const char *key, int64_t ms, int tz)
{
    char buf[64];
    buf[0] = '\0';
    yw_time_format(ms, tz, buf, sizeof buf);
    yw_jsonw_kv_str(w, key, buf);
}

/* Bounded string fields are copied by callers into fixed arrays; never read
 * past the array even if a caller forgot the terminator. */
#define KV_FIXED(w, key, arr) \
    do { yw_jsonw_key((w), (key)); \
         yw_jsonw_strn((w), (arr), strnlen((arr), sizeof(arr))); } while (0)

char *yw_alert_to_json(const yw_alert_t *a, int tz_offset_minutes, size_t *len)
{
    yw_jsonw_t w;
    yw_jsonw_init(&w);

    yw_jsonw_obj_begin(&w);
    yw_jsonw_kv_int(&w, "schema_version",
                    a->schema_version ? a->schema_version : YW_SCHEMA_VERSION);
    KV_FIXED(&w, "alert_id", a->alert_id);
    yw_jsonw_kv_str(&w, "kind", kind_name(a->kind));
    KV_FIXED(&w, "cluster", a->cluster);
    if (a->kind == YW_ALERT_PERSON)
        KV_FIXED(&w, "person", a->person);
    yw_jsonw_kv_str(&w, "level", yw_level_name(a->level));
    yw_jsonw_kv_str(&w, "prev_level", yw_level_name(a->prev_level));
    yw_jsonw_kv_double(&w, "score", a->score, 2);
    kv_time(&w, "event_time", a->event_time, tz_offset_minutes);
    KV_FIXED(&w, "title", a->title);

    yw_jsonw_key(&w, "places");
    yw_jsonw_arr_begin(&w);
    for (int i = 0; i < a->nplaces && i < YW_ALERT_MAX_PLACES; i++)
        yw_jsonw_strn(&w, a->places[i], strnlen(a->places[i], sizeof a->places[i]));
    yw_jsonw_arr_end(&w);

    yw_jsonw_key(&w, "sources");
    yw_jsonw_obj_begin(&w);
    for (int i = 0; i < YW_SRC_COUNT; i++)
        yw_jsonw_kv_int(&w, source_keys[i], a->sources[i]);
    yw_jsonw_obj_end(&w);

    yw_jsonw_kv_int(&w, "records", a->records);
    yw_jsonw_kv_int(&w, "people", a->people);
    yw_jsonw_kv_int(&w, "repeat_contacts", a->repeat_contacts);
    kv_time(&w, "first_seen", a->first_seen, tz_offset_minutes);

    yw_jsonw_key(&w, "signals");
    yw_jsonw_arr_begin(&w);
    for (int i = 0; i < a->nsignals && i < YW_ALERT_MAX_SIGNALS; i++) {
        const yw_signal_t *s = &a->signals[i];
        yw_jsonw_obj_begin(&w);
        KV_FIXED(&w, "name", s->name);
        yw_jsonw_kv_double(&w, "value", s->value, 3);
        yw_jsonw_kv_double(&w, "contribution", s->contribution, 2);
        KV_FIXED(&w, "detail", s->detail);
        yw_jsonw_obj_end(&w);
    }
    yw_jsonw_arr_end(&w);

    yw_jsonw_key(&w, "sample_ids");
    yw_jsonw_arr_begin(&w);
    for (int i = 0; i < a->nsamples && i < YW_ALERT_MAX_SAMPLES; i++)
        yw_jsonw_strn(&w, a->sample_ids[i],
                      strnlen(a->sample_ids[i], sizeof a->sample_ids[i]));
    yw_jsonw_arr_end(&w);

    /* (added within v1: appended, docs/redis-schema.md "Versioning") */
    yw_jsonw_key(&w, "related");
    yw_jsonw_arr_begin(&w);
    for (int i = 0; i < a->nrelated && i < YW_ALERT_MAX_RELATED; i++)
        yw_jsonw_strn(&w, a->related[i], strnlen(a->related[i], sizeof a->related[i]));
    yw_jsonw_arr_end(&w);
    yw_jsonw_obj_end(&w);

    return yw_jsonw_finish(&w, len);
}
