/* fuzz_features.c -- libFuzzer target for the features stage and the
 * clusterer behind it: what every decoded record goes through.
 *
 * The input is up to six fields separated by '\n' (fuzz_input.h), made
 * into a contract-v1 record and decoded as the daemon decodes; a record
 * the decoder refuses (invalid UTF-8, empty text) is skipped.
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
 *   - the one-pass masking and normalisation equal the two passes
 *     (yw_pii_mask_n, then yw_text_normalize) on text and title;
 *   - the record's cluster is alive; its title and labels are valid
 *     UTF-8 with no such digit run (titles go to Redis);
 *   - live clusters never exceed max_clusters.
 *
 * Seeds: tests/data/fuzz_features/ (texts with numbers at character
 * boundaries, full-width digits, URLs, mixed scripts).
 * Build and run: see tests/fuzz/CMakeLists.txt. */
#include "cluster.h"
#include "featurize.h"
#include "fuzz_input.h"
#include "pii.h"
#include "text.h"
#include "record.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CLUSTERS 64

static yw_decoder_t *dec;
static yw_record_t rec;
static yw_rules_t *rules;
static yw_featurizer_t *fz;
static yw_features_t feat;
static yw_clusterer_t *cl;
static fuzz_input_t in;

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

static void check_features(const yw_features_t *f)
{
    for (size_t k = 0; k < f->vec.n; k++)
        if (f->vec.t[k].w <= 0 || (k > 0 && f->vec.t[k - 1].term >= f->vec.t[k].term))
            fuzz_fail("term vector not sorted, unique and positive", NULL, 0);
    if (f->nhits > YW_FEATURES_MAX_HITS || f->nents > YW_ENTITY_MAX)
        fuzz_fail("rule hits or entities past their caps", NULL, 0);
    fuzz_check_shown("masked text", f->masked, f->masked_len);
    fuzz_check_shown("masked title", f->masked_title, f->masked_title_len);
    fuzz_check_shown("normalised text", f->norm, f->norm_len);
    fuzz_check_shown("normalised title", f->norm_title, f->norm_title_len);
    fuzz_check_shown("normalised reply", f->norm_reply, f->norm_reply_len);
}

/* The stage masks and normalises in one pass (yw_text_mask_normalize);
 * it must give exactly what the two passes give. */
static void check_one_pass(const yw_str_t *v, const char *masked, size_t masked_len,
                           const char *norm, size_t norm_len)
{
    static char *m2, *n2;
    static size_t cap;
    size_t need = 2 * (size_t)v->len + 1;
    if (need > cap) {
        free(m2);
        free(n2);
        m2 = malloc(need);
        n2 = malloc(need);
        if (m2 == NULL || n2 == NULL)
            abort();
        cap = need;
    }
    size_t ml = yw_pii_mask_n(v->s ? v->s : "", v->len, m2, cap, NULL);
    size_t nl = yw_text_normalize(m2, ml, n2, cap);
    if (ml != masked_len || memcmp(m2, masked, ml) != 0)
        fuzz_fail("one-pass masking differs from yw_pii_mask_n", masked, masked_len);
    if (nl != norm_len || memcmp(n2, norm, nl) != 0)
        fuzz_fail("one-pass normalisation differs from the two passes", norm, norm_len);
}

static void check_cluster(uint64_t id)
{
    if (!yw_cluster_alive(cl, id))
        fuzz_fail("the record's cluster is not alive", NULL, 0);
    char title[512];
    size_t n = yw_cluster_title(cl, id, title, sizeof title);
    fuzz_check_shown("cluster title", title, n);
    static const char kinds[] = { 'e', 'p', 't' };
    for (size_t k = 0; k < sizeof kinds; k++) {
        const char *lab[16];
        size_t nl = yw_cluster_labels(cl, id, kinds[k], lab, 16);
        for (size_t i = 0; i < nl; i++)
            fuzz_check_shown("cluster label", lab[i], strlen(lab[i]));
    }
    yw_cluster_stats_t st;
    yw_cluster_stats(cl, &st);
    if (st.live > MAX_CLUSTERS)
        fuzz_fail("more live clusters than max_clusters", NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dec == NULL)
        setup();
    size_t len = fuzz_make_json(&in, data, size);
    char reason[256];
    if (yw_record_decode(dec, in.json, len, YW_SRC_HOTLINE, &rec, reason, sizeof reason) !=
        YW_REC_OK)
        return 0;     /* invalid UTF-8, empty text: the dead-letter path */
    if (yw_features_extract(fz, &rec, &feat) != 0)
        fuzz_fail("yw_features_extract failed", rec.text.s, rec.text.len);
    check_features(&feat);
    check_one_pass(&rec.text, feat.masked, feat.masked_len, feat.norm, feat.norm_len);
    check_one_pass(&rec.title, feat.masked_title, feat.masked_title_len, feat.norm_title,
                   feat.norm_title_len);
    yw_cluster_assign_t as;
    if (yw_cluster_add(cl, &feat, &rec, rec.ts_ms, &as) != 0)
        fuzz_fail("yw_cluster_add failed", NULL, 0);
    check_cluster(as.cluster);
    return 0;
}
