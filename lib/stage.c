/* stage.c -- the foundation's deliberately simple middle stage.
 *
 * A "cluster" here is (district, category): the category is the first
 * stage.categories regex that matches the record's title+text.  Each
 * cluster counts its records in hourly event-time buckets over
 * stage.window_hours, and its level is the highest threshold the windowed
 * count reaches.  It exists so data flows end to end behind the yw_shard_t
 * interface; concrete-issue clustering and explainable scoring replace it.
 *
 * Records that match no category are counted as applied and otherwise
 * ignored. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "stage.h"

#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_PEOPLE 1024          /* distinct complainants tracked exactly */
#define HOUR_MS (3600LL * 1000)

typedef struct {
    char *name;
    pcre2_code *re;
} category_t;

typedef struct {
    uint64_t hash;
    char *district, *category;
    char id[48];
    int64_t *buckets;            /* window_hours counts, ring by hour */
    int64_t (*src_buckets)[YW_SRC_COUNT];
    int64_t head_hour;           /* hour of the newest bucket */
    int64_t total;
    int64_t first_seen;
    uint64_t people[MAX_PEOPLE]; /* first 8 bytes of each person HMAC */
    int npeople;
    int64_t repeat_contacts;
    char places[YW_ALERT_MAX_PLACES][96];
    int nplaces;
    char samples[YW_ALERT_MAX_SAMPLES][64];
    int nsamples, next_sample;
    yw_level_t level;
} bucket_t;

struct yw_shard {
    category_t *cats;
    size_t ncats;
    pcre2_match_data *md;
    int64_t window_hours;
    int64_t thr[4];
    int64_t watermark;
    bucket_t **slots;            /* open addressing by hash */
    size_t nslots, nused;
    yw_shard_stats_t st;
    char *textbuf;
    size_t textcap;
};

static uint64_t fnv1a(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h ? h : 1;
}

yw_shard_t *yw_shard_create(const yw_config_t *cfg, char *errbuf, size_t errlen)
{
    yw_shard_t *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    s->window_hours = cfg->stage_window_hours > 0 ? cfg->stage_window_hours : 24;
    memcpy(s->thr, cfg->stage_threshold, sizeof s->thr);
    s->watermark = INT64_MIN;
    s->nslots = 1024;
    if (!(s->slots = calloc(s->nslots, sizeof *s->slots)))
        goto nomem;
    if (!(s->md = pcre2_match_data_create(4, NULL)))
        goto nomem;
    if (cfg->stage_category_count &&
        !(s->cats = calloc(cfg->stage_category_count, sizeof *s->cats)))
        goto nomem;
    for (size_t i = 0; i < cfg->stage_category_count; i++) {
        const yw_stage_category_t *c = &cfg->stage_categories[i];
        int rc;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_UCP, &rc, &off, NULL);
        if (!re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            snprintf(errbuf, errlen, "stage.categories[%zu] (%s): %s at offset %zu",
                     i, c->name, (char *)msg, (size_t)off);
            goto fail;
        }
        if ((rc = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE)) != 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            snprintf(errbuf, errlen, "PCRE2 JIT unavailable (%s): refusing to run "
                     "8-20x slower", (char *)msg);
            pcre2_code_free(re);
            goto fail;
        }
        s->cats[i].re = re;
        if (!(s->cats[i].name = strdup(c->name)))
            goto nomem;
        s->ncats++;
    }
    return s;
nomem:
    snprintf(errbuf, errlen, "out of memory");
fail:
    yw_shard_destroy(s);
    return NULL;
}

static void bucket_free(bucket_t *b)
{
    if (!b)
        return;
    free(b->district);
    free(b->category);
    free(b->buckets);
    free(b->src_buckets);
    free(b);
}

void yw_shard_destroy(yw_shard_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nslots; i++)
        bucket_free(s->slots[i]);
    free(s->slots);
    for (size_t i = 0; i < s->ncats; i++) {
        pcre2_code_free(s->cats[i].re);
        free(s->cats[i].name);
    }
    free(s->cats);
    pcre2_match_data_free(s->md);
    free(s->textbuf);
    free(s);
}

/* First category whose pattern matches title + text. */
static const category_t *classify(yw_shard_t *s, const yw_record_t *rec)
{
    size_t need = rec->title.len + rec->text.len + 2;
    if (need > s->textcap) {
        char *nb = realloc(s->textbuf, need);
        if (!nb)
            return NULL;
        s->textbuf = nb;
        s->textcap = need;
    }
    memcpy(s->textbuf, rec->title.s, rec->title.len);
    s->textbuf[rec->title.len] = '\n';
    memcpy(s->textbuf + rec->title.len + 1, rec->text.s, rec->text.len);
    size_t len = rec->title.len + 1 + rec->text.len;
    for (size_t i = 0; i < s->ncats; i++) {
        /* The decoder validated UTF-8 once; no second check here. */
        int rc = pcre2_jit_match(s->cats[i].re, (PCRE2_SPTR)s->textbuf, len, 0,
                                 PCRE2_NO_UTF_CHECK, s->md, NULL);
        if (rc >= 0)
            return &s->cats[i];
    }
    return NULL;
}

static int grow(yw_shard_t *s)
{
    size_t nn = s->nslots * 2;
    bucket_t **ns = calloc(nn, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < s->nslots; i++) {
        bucket_t *b = s->slots[i];
        if (!b)
            continue;
        size_t j = b->hash & (nn - 1);
        while (ns[j])
            j = (j + 1) & (nn - 1);
        ns[j] = b;
    }
    free(s->slots);
    s->slots = ns;
    s->nslots = nn;
    return 0;
}

static bucket_t *lookup(yw_shard_t *s, const char *district, const char *category)
{
    uint64_t h = fnv1a(district, category);
    size_t j = h & (s->nslots - 1);
    for (bucket_t *b; (b = s->slots[j]); j = (j + 1) & (s->nslots - 1))
        if (b->hash == h && strcmp(b->district, district) == 0 &&
            strcmp(b->category, category) == 0)
            return b;
    if ((s->nused + 1) * 2 > s->nslots) {
        if (grow(s) != 0)
            return NULL;
        return lookup(s, district, category);
    }
    bucket_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->hash = h;
    b->district = strdup(district);
    b->category = strdup(category);
    b->buckets = calloc((size_t)s->window_hours, sizeof *b->buckets);
    b->src_buckets = calloc((size_t)s->window_hours, sizeof *b->src_buckets);
    if (!b->district || !b->category || !b->buckets || !b->src_buckets) {
        bucket_free(b);
        return NULL;
    }
    snprintf(b->id, sizeof b->id, "dc-%016llx", (unsigned long long)h);
    b->head_hour = INT64_MIN;
    s->slots[j] = b;
    s->nused++;
    s->st.clusters_live++;
    return b;
}

/* Move the ring so its newest bucket is hour `hour`, zeroing what falls out. */
static void advance(yw_shard_t *s, bucket_t *b, int64_t hour)
{
    if (b->head_hour == INT64_MIN || hour - b->head_hour >= s->window_hours) {
        memset(b->buckets, 0, (size_t)s->window_hours * sizeof *b->buckets);
        memset(b->src_buckets, 0, (size_t)s->window_hours * sizeof *b->src_buckets);
    } else {
        for (int64_t h = b->head_hour + 1; h <= hour; h++) {
            size_t i = (size_t)(h % s->window_hours);
            b->buckets[i] = 0;
            memset(b->src_buckets[i], 0, sizeof b->src_buckets[i]);
        }
    }
    b->head_hour = hour;
}

static void add_place(bucket_t *b, const yw_str_t *p)
{
    if (!p->len || p->len >= sizeof b->places[0])
        return;
    for (int i = 0; i < b->nplaces; i++)
        if (strcmp(b->places[i], p->s) == 0)
            return;
    if (b->nplaces < YW_ALERT_MAX_PLACES)
        memcpy(b->places[b->nplaces++], p->s, p->len + 1);
}

static bool add_person(bucket_t *b, const uint8_t *hmac)
{
    uint64_t k;
    memcpy(&k, hmac, sizeof k);
    for (int i = 0; i < b->npeople; i++)
        if (b->people[i] == k)
            return false;
    if (b->npeople < MAX_PEOPLE)
        b->people[b->npeople++] = k;
    return true;
}

static yw_level_t level_for(const yw_shard_t *s, int64_t count)
{
    yw_level_t l = YW_LEVEL_NONE;
    for (int i = 0; i < 4; i++)
        if (count >= s->thr[i])
            l = (yw_level_t)(i + 1);
    return l;
}

static void fill(const yw_shard_t *s, const bucket_t *b, int64_t count,
                 const int64_t *src, int64_t event_time, yw_alert_t *a)
{
    memset(a, 0, sizeof *a);
    a->schema_version = YW_SCHEMA_VERSION;
    a->kind = YW_ALERT_CLUSTER;
    snprintf(a->cluster, sizeof a->cluster, "%s", b->id);
    a->level = b->level;
    a->event_time = event_time;
    snprintf(a->title, sizeof a->title, "%s · %s", b->district, b->category);
    for (int i = 0; i < b->nplaces; i++)
        memcpy(a->places[i], b->places[i], sizeof a->places[i]);
    a->nplaces = b->nplaces;
    memcpy(a->sources, src, sizeof a->sources);
    a->records = count;
    a->people = b->npeople;
    a->repeat_contacts = b->repeat_contacts;
    a->first_seen = b->first_seen;
    double red = (double)s->thr[3];
    a->score = fmin(100.0, 100.0 * (double)count / red);
    yw_signal_t *sig = &a->signals[a->nsignals++];
    snprintf(sig->name, sizeof sig->name, "volume");
    sig->value = (double)count;
    sig->contribution = a->score;
    snprintf(sig->detail, sizeof sig->detail, "%lld records about %s in %s within %lld h",
             (long long)count, b->category, b->district, (long long)s->window_hours);
    int n = b->nsamples;
    for (int i = 0; i < n; i++) {
        int k = (b->next_sample - n + i + YW_ALERT_MAX_SAMPLES) % YW_ALERT_MAX_SAMPLES;
        memcpy(a->sample_ids[i], b->samples[k], sizeof a->sample_ids[i]);
    }
    a->nsamples = n;
}

int yw_shard_apply(yw_shard_t *s, const yw_record_t *rec, const yw_stage_out_t *out)
{
    s->st.records++;
    if (rec->ts_ms > s->watermark)
        s->watermark = rec->ts_ms;
    int64_t hour = rec->ts_ms / HOUR_MS;
    const category_t *cat = classify(s, rec);
    if (!cat)
        return 0;
    const char *district = rec->district.len ? rec->district.s : "(未知区)";
    bucket_t *b = lookup(s, district, cat->name);
    if (!b) {
        yw_log_error("stage", "out of memory for a new cluster");
        return -1;
    }
    /* Each cluster's window ends at its own newest record: the four
     * topics' partitions are consumed at different paces, so a global
     * "newest event time" would make whole topics look late. */
    if (b->head_hour == INT64_MIN || hour > b->head_hour)
        advance(s, b, hour);
    if (b->head_hour - hour >= s->window_hours) {
        s->st.late++;               /* older than this cluster's whole window */
        return 0;
    }
    if (b->total == 0 || rec->ts_ms < b->first_seen)
        b->first_seen = rec->ts_ms;
    size_t i = (size_t)(hour % s->window_hours);
    b->buckets[i]++;
    b->src_buckets[i][rec->source]++;
    b->total++;
    if (rec->has_person && !add_person(b, rec->person_hmac))
        b->repeat_contacts++;
    else if (rec->repeat_count > 1)
        b->repeat_contacts++;
    add_place(b, &rec->street);
    add_place(b, &rec->community);
    if (rec->id.len < sizeof b->samples[0]) {
        memcpy(b->samples[b->next_sample], rec->id.s, rec->id.len + 1);
        b->next_sample = (b->next_sample + 1) % YW_ALERT_MAX_SAMPLES;
        if (b->nsamples < YW_ALERT_MAX_SAMPLES)
            b->nsamples++;
    }

    int64_t count = 0, src[YW_SRC_COUNT] = { 0 };
    for (int64_t h = 0; h < s->window_hours; h++) {
        count += b->buckets[h];
        for (int k = 0; k < YW_SRC_COUNT; k++)
            src[k] += b->src_buckets[h][k];
    }

    /* Rise at once; fall only below 80% of the current level's threshold,
     * so a count hovering at a threshold does not flap. */
    yw_level_t want = level_for(s, count);
    yw_level_t prev = b->level;
    bool change = false;
    if (want > prev)
        change = true;
    else if (want < prev && (double)count < 0.8 * (double)s->thr[prev - 1])
        change = true;
    yw_alert_t a;
    if (change) {
        b->level = want;
        fill(s, b, count, src, rec->ts_ms, &a);
        a.prev_level = prev;
        yw_alert_make_id(&a);
        s->st.alerts++;
        if (out && out->emit)
            out->emit(out->opaque, &a);
    }
    if (out && out->summary) {
        fill(s, b, count, src, rec->ts_ms, &a);
        a.prev_level = prev;
        out->summary(out->opaque, &a);
    }
    return 0;
}

void yw_shard_stats(const yw_shard_t *s, yw_shard_stats_t *st)
{
    *st = s->st;
}
