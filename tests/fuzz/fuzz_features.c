/* fuzz_features.c -- libFuzzer target for the features stage and the
 * clusterer behind it: what every decoded record goes through.
 *
 * The input is up to six fields separated by '\n': text, title, reply,
 * district, street, community.  They are made into a contract-v1 record
 * (JSON-escaped, event time advancing 7 minutes a run so that clusters
 * age, expire and are evicted) and decoded as the daemon decodes; a
 * record the decoder refuses (invalid UTF-8, empty text) is skipped.
 * The record goes through yw_features_extract with the starter rules
 * (rules/, loaded once) and into one clusterer kept across runs (small
 * max_clusters, so eviction is exercised).
 *
 * Checked besides ASan/UBSan -- the stage's promises:
 *   - extraction and clustering succeed on any valid record;
 *   - the term vector is sorted, unique, with positive counts; rule hits
 *     and entities within their caps;
 *   - the masked and normalised strings are valid UTF-8 of their stated
 *     length, and none holds a run of 11 or more ASCII digits (a phone,
 *     ID-card or bank-card number in clear: lib/pii.h masks them before
 *     anything is stored, and normalisation must not join digit runs
 *     back together);
 *   - the record's cluster is alive; its title and labels are valid
 *     UTF-8 with no such digit run (titles go to Redis);
 *   - live clusters never exceed max_clusters.
 *
 * Seeds: tests/data/fuzz_features/ (texts with numbers at character
 * boundaries, full-width digits, URLs, mixed scripts).
 * Build and run: see tests/fuzz/CMakeLists.txt. */
#include "cluster.h"
#include "featurize.h"
#include "record.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CLUSTERS 64
#define NFIELDS 6

static yw_decoder_t *dec;
static yw_record_t rec;
static yw_rules_t *rules;
static yw_featurizer_t *fz;
static yw_features_t feat;
static yw_clusterer_t *cl;
static char *json;
static size_t json_cap;
static long runs;

static void setup(void)
{
    static const uint8_t key[] = "fuzz-features-key";
    yw_decoder_conf_t dconf = { 1 << 20, 480, key, sizeof key - 1 };
    char err[256];
    dec = yw_decoder_create(&dconf, err, sizeof err);
    if (dec == NULL)
        abort();
    yw_record_init(&rec);

    const char *dir = YW_SOURCE_DIR "/rules";
    yw_rules_errors_t errs = { 0 };
    rules = yw_rules_load(&dir, 1, &errs);
    if (rules == NULL) {
        yw_rules_errors_print(&errs, stderr);
        abort();
    }
    fz = yw_featurizer_create(rules, err, sizeof err);
    if (fz == NULL)
        abort();
    yw_features_init(&feat);

    yw_cluster_conf_t cc;
    yw_cluster_conf_default(&cc);
    cc.max_clusters = MAX_CLUSTERS;
    cc.df_width_log2 = 12;        /* small: many terms share a counter */
    cl = yw_clusterer_create(&cc, err, sizeof err);
    if (cl == NULL)
        abort();
}

/* Append s[0..n) to json as the body of a JSON string. */
static size_t put_escaped(size_t at, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\')
            at += (size_t)sprintf(json + at, "\\%c", c);
        else if (c < 0x20)
            at += (size_t)sprintf(json + at, "\\u%04x", c);
        else
            json[at++] = (char)c;
    }
    return at;
}

/* A contract-v1 record from the input's fields; its length. */
static size_t make_json(const uint8_t *data, size_t size)
{
    static const char *const names[NFIELDS] = {
        "text", "title", "reply", "district", "street", "community",
    };
    size_t need = size * 6 + 512;
    if (need > json_cap) {
        free(json);
        json = malloc(need);
        if (json == NULL)
            abort();
        json_cap = need;
    }
    /* 7 minutes of event time a run, from 2026-03-01 */
    long m = runs * 7;
    size_t at = (size_t)sprintf(json, "{\"id\":\"FZ-%ld\",\"source\":\"hotline\","
                                "\"ts\":\"2026-%02ld-%02ld %02ld:%02ld:00\"",
                                runs, 3 + m / (60 * 24 * 28) % 9, 1 + m / (60 * 24) % 28,
                                m / 60 % 24, m % 60);
    size_t start = 0;
    for (int f = 0; f < NFIELDS && start <= size; f++) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size;
        at += (size_t)sprintf(json + at, ",\"%s\":\"", names[f]);
        at = put_escaped(at, data + start, end - start);
        json[at++] = '"';
        start = end + 1;
    }
    json[at++] = '}';
    return at;
}

static bool has_digit_run(const char *s, size_t len)
{
    int run = 0;
    for (size_t i = 0; i < len; i++) {
        run = s[i] >= '0' && s[i] <= '9' ? run + 1 : 0;
        if (run >= 11)
            return true;
    }
    return false;
}

/* Say which promise broke (libFuzzer then keeps the input), and stop. */
static void fail(const char *what, const char *s, size_t len)
{
    fprintf(stderr, "fuzz_features: %s", what);
    if (s)
        fprintf(stderr, ": \"%.*s\"", (int)(len < 400 ? len : 400), s);
    fputc('\n', stderr);
    abort();
}

/* A string that may be stored or shown: valid UTF-8 of its length, no
 * number in clear. */
static void check_shown(const char *what, const char *s, size_t len)
{
    if (s == NULL)
        fail(what, NULL, 0);
    if (strlen(s) != len)
        fail("length differs from strlen", s, strlen(s));
    if (!yw_utf8_valid(s, len))
        fail("invalid UTF-8", s, len);
    if (has_digit_run(s, len)) {
        fprintf(stderr, "fuzz_features: in %s:\n", what);
        fail("a run of 11+ digits in clear", s, len);
    }
}

static void check_features(const yw_features_t *f)
{
    for (size_t k = 0; k < f->vec.n; k++)
        if (f->vec.t[k].w <= 0 || (k > 0 && f->vec.t[k - 1].term >= f->vec.t[k].term))
            fail("term vector not sorted, unique and positive", NULL, 0);
    if (f->nhits > YW_FEATURES_MAX_HITS || f->nents > YW_ENTITY_MAX)
        fail("rule hits or entities past their caps", NULL, 0);
    check_shown("masked text", f->masked, f->masked_len);
    check_shown("masked title", f->masked_title, f->masked_title_len);
    check_shown("normalised text", f->norm, f->norm_len);
    check_shown("normalised title", f->norm_title, f->norm_title_len);
    check_shown("normalised reply", f->norm_reply, f->norm_reply_len);
}

static void check_cluster(uint64_t id)
{
    if (!yw_cluster_alive(cl, id))
        fail("the record's cluster is not alive", NULL, 0);
    char title[512];
    size_t n = yw_cluster_title(cl, id, title, sizeof title);
    check_shown("cluster title", title, n);
    static const char kinds[] = { 'e', 'p', 't' };
    for (size_t k = 0; k < sizeof kinds; k++) {
        const char *lab[16];
        size_t nl = yw_cluster_labels(cl, id, kinds[k], lab, 16);
        for (size_t i = 0; i < nl; i++)
            check_shown("cluster label", lab[i], strlen(lab[i]));
    }
    yw_cluster_stats_t st;
    yw_cluster_stats(cl, &st);
    if (st.live > MAX_CLUSTERS)
        fail("more live clusters than max_clusters", NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dec == NULL)
        setup();
    size_t len = make_json(data, size);
    runs++;
    char reason[256];
    if (yw_record_decode(dec, json, len, YW_SRC_HOTLINE, &rec, reason, sizeof reason) !=
        YW_REC_OK)
        return 0;     /* invalid UTF-8, empty text: the dead-letter path */
    if (yw_features_extract(fz, &rec, &feat) != 0)
        fail("yw_features_extract failed", rec.text.s, rec.text.len);
    check_features(&feat);
    yw_cluster_assign_t as;
    if (yw_cluster_add(cl, &feat, &rec, rec.ts_ms, &as) != 0)
        fail("yw_cluster_add failed", NULL, 0);
    check_cluster(as.cluster);
    return 0;
}
