/* test_cluster.c -- invariants of the incremental clusterer (lib/cluster.h).
 *
 * Features are made by hand here (normalise + tokens from text.h), not by
 * the featurizer, so these tests pin the clusterer alone: every record
 * joins exactly one live cluster; identical and near-identical texts join
 * the same cluster (and are counted as repeats); unrelated texts do not;
 * merges keep counts and resolve ids; expiry and eviction free clusters
 * and keep memory bounded. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "cluster_impl.h"
#include "text.h"
#include "yw_test.h"

#define HOUR_MS (3600LL * 1000)
#define T0 1551448350000LL           /* 2019-03-01 */

typedef struct {
    yw_features_t f;
    char buf[4096];
} feat_t;

/* Features of one text: tokens only, no rules or entities. */
static void feat(feat_t *x, const char *text)
{
    memset(&x->f, 0, sizeof(x->f));
    size_t n = yw_text_normalize(text, strlen(text), x->buf, sizeof(x->buf));
    x->f.norm = x->buf;
    x->f.norm_len = n;
    x->f.vec.n = 0;
    yw_text_tokens(x->buf, n, &x->f.vec);
    yw_text_fvec_finish(&x->f.vec);
}

static void feat_free(feat_t *x) { yw_text_fvec_free(&x->f.vec); }

static uint64_t add(yw_clusterer_t *cl, const char *text, int64_t ts,
                    yw_cluster_assign_t *a)
{
    feat_t x;
    yw_cluster_assign_t tmp;
    if (!a) a = &tmp;
    feat(&x, text);
    int rc = yw_cluster_add(cl, &x.f, NULL, ts, a);
    feat_free(&x);
    return rc == 0 ? a->cluster : 0;
}

static yw_clusterer_t *make(yw_cluster_conf_t *c)
{
    char err[256];
    yw_clusterer_t *cl = yw_clusterer_create(c, err, sizeof(err));
    if (!cl) fprintf(stderr, "create: %s\n", err);
    return cl;
}

/* A text of n words drawn from a topic's vocabulary (rng: LCG). */
static void topic_text(char *out, size_t cap, int topic, int n, uint32_t *rng)
{
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        *rng = *rng * 1664525u + 1013904223u;
        int w = (int)((*rng >> 16) % 12);
        at += (size_t)snprintf(out + at, cap - at, "t%dw%c%c ", topic,
                               'a' + w, 'a' + (w * 7) % 26);
    }
}

static const char *ZH_A = "阳光花园小区停水一周了，几百户居民没有水用，物业说是管道坏了没人管";
static const char *ZH_B = "某建筑公司拖欠农民工工资三个月，工人多次讨薪无果，准备去市政府上访";

TEST(test_conf)
{
    yw_cluster_conf_t c;
    char err[512];
    yw_cluster_conf_default(&c);
    CHECK_EQ_INT(yw_cluster_conf_check(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(yw_cluster_conf_set(&c, "threshold", "0.25", err, sizeof(err)), 0);
    CHECK(c.threshold == 0.25);
    CHECK_EQ_INT(yw_cluster_conf_set(&c, "w_entity", "4", err, sizeof(err)), 0);
    CHECK(c.kind_weight[YW_TERM_ENTITY] == 4.0f);
    CHECK_EQ_INT(yw_cluster_conf_set(&c, "treshold", "0.25", err, sizeof(err)), -1);
    CHECK(strstr(err, "threshold") != NULL);
    CHECK_EQ_INT(yw_cluster_conf_set(&c, "threshold", "2", err, sizeof(err)), -1);
    CHECK_EQ_INT(yw_cluster_conf_set(&c, "top_k", "4.5", err, sizeof(err)), -1);
    CHECK_EQ_INT(yw_cluster_conf_set(&c, "top_k", "abc", err, sizeof(err)), -1);
    c.index_terms = c.top_k + 1;
    CHECK(yw_clusterer_create(&c, err, sizeof(err)) == NULL);
    yw_clusterer_destroy(NULL);
    char id[24];
    CHECK_EQ_STR(yw_cluster_id_format(123, id, sizeof(id)), "c-000123");
}

TEST(test_identical_and_unrelated)
{
    yw_clusterer_t *cl = make(NULL);
    REQUIRE(cl);
    yw_cluster_assign_t a;
    uint64_t c1 = add(cl, ZH_A, T0, &a);
    CHECK(c1 != 0);
    CHECK(a.is_new);
    uint64_t c2 = add(cl, ZH_A, T0 + 1000, &a);
    CHECK_EQ_INT(c2, c1);
    CHECK(!a.is_new);
    CHECK(a.near_dup);                 /* a copy is a repeat */
    CHECK(a.similarity > 0.99f);
    CHECK_EQ_INT(a.size, 2);
    uint64_t c3 = add(cl, ZH_B, T0 + 2000, &a);
    CHECK(c3 != c1);
    CHECK(a.is_new);
    /* a near-copy (one clause changed) is recognised too */
    uint64_t c4 = add(cl, "阳光花园小区停水一周了，几百户居民没有水用，物业说是管道坏了没人管!!请求处理",
                      T0 + 3000, &a);
    CHECK_EQ_INT(c4, c1);
    CHECK(a.near_dup);
    /* the same issue in other words joins without being a copy */
    uint64_t c5 = add(cl, "阳光花园小区还是停水，居民没有水用，物业不管", T0 + 4000, &a);
    CHECK_EQ_INT(c5, c1);
    CHECK(!a.near_dup);
    yw_cluster_info_t info;
    CHECK_EQ_INT(yw_cluster_info(cl, c1, &info), 0);
    CHECK_EQ_INT(info.records, 4);
    CHECK_EQ_INT(info.near_dups, 2);
    char title[128];
    yw_cluster_title(cl, c1, title, sizeof(title));
    /* the title is made of the members' own words */
    CHECK(strstr(title, "阳光花园") != NULL);
    if (!strstr(title, "阳光花园")) fprintf(stderr, "title: %s\n", title);
    yw_clusterer_destroy(cl);
}

/* Features of a record with a title: the title's tokens join the text's,
 * as in the featurizer; the masked title is the title as given. */
static uint64_t add_titled(yw_clusterer_t *cl, const char *title, const char *text,
                           int64_t ts)
{
    feat_t x;
    char tbuf[512];
    feat(&x, text);
    size_t tn = yw_text_normalize(title, strlen(title), tbuf, sizeof(tbuf));
    x.f.norm_title = tbuf;
    x.f.norm_title_len = tn;
    x.f.masked_title = (char *)title;
    x.f.masked_title_len = strlen(title);
    yw_text_tokens(tbuf, tn, &x.f.vec);
    yw_text_fvec_finish(&x.f.vec);
    yw_cluster_assign_t a;
    int rc = yw_cluster_add(cl, &x.f, NULL, ts, &a);
    feat_free(&x);
    return rc == 0 ? a.cluster : 0;
}

TEST(test_representative_title)
{
    yw_clusterer_t *cl = make(NULL);
    REQUIRE(cl);
    /* The first member's title holds the cluster's strongest terms: it is
     * the title.  A second member whose title holds none of them ("请尽快处理")
     * does not replace it. */
    uint64_t c1 = add_titled(cl, "阳光花园小区停水一周", ZH_A, T0);
    REQUIRE(c1);
    uint64_t c2 = add_titled(cl, "请尽快处理", ZH_A, T0 + 1000);
    CHECK_EQ_INT(c2, c1);
    char title[256];
    yw_cluster_title(cl, c1, title, sizeof(title));
    CHECK_EQ_STR(title, "阳光花园小区停水一周");

    /* A title is kept on one line, trimmed. */
    uint64_t c3 = add_titled(cl, "  拖欠农民工工资\n三个月 ", ZH_B, T0 + 2000);
    REQUIRE(c3 && c3 != c1);
    yw_cluster_title(cl, c3, title, sizeof(title));
    CHECK_EQ_STR(title, "拖欠农民工工资 三个月");

    /* Without titles, the title is the clause of a member's text that
     * holds the most of the cluster's strongest terms (from the second
     * member on: a new cluster reads its title only). */
    const char *zc = "华润置地项目烂尾三年，购房业主无法收房，开发商失联";
    uint64_t c4 = add(cl, zc, T0 + 3000, NULL);
    REQUIRE(c4 && c4 != c1 && c4 != c3);
    CHECK_EQ_INT(add(cl, zc, T0 + 4000, NULL), c4);
    yw_cluster_title(cl, c4, title, sizeof(title));
    CHECK(strcmp(title, "华润置地项目烂尾三年") == 0 || strcmp(title, "购房业主无法收房") == 0 ||
          strcmp(title, "开发商失联") == 0);
    if (!strstr(zc, title) || !title[0]) fprintf(stderr, "title: %s\n", title);
    /* A member title replaces a clause (offered at size 4: labels are
     * refreshed at sizes 1, 2, 4, 8, ...), and a clause never replaces a
     * title (size 8). */
    CHECK_EQ_INT(add(cl, zc, T0 + 5000, NULL), c4);
    CHECK_EQ_INT(add_titled(cl, "华润置地烂尾", zc, T0 + 6000), c4);
    yw_cluster_title(cl, c4, title, sizeof(title));
    CHECK_EQ_STR(title, "华润置地烂尾");
    for (int k = 0; k < 4; k++)
        CHECK_EQ_INT(add(cl, zc, T0 + 7000 + k, NULL), c4);
    yw_cluster_title(cl, c4, title, sizeof(title));
    CHECK_EQ_STR(title, "华润置地烂尾");
    yw_clusterer_destroy(cl);
}

/* Phrases are the runs of a member's text made of the cluster's strongest
 * terms, found by hashing the text again as the tokenizer did: a run
 * crosses characters of every width the tokenizer pairs (业 主 不 are
 * U+4E00..U+4FFF, which the scan takes without decoding, 𠀀 is four
 * bytes) and stops at one it does not (䷀, U+4DC0, is not Han), and a
 * word ("wifi") is a phrase of its own.  The text has 11 terms, fewer
 * than the 12 phrases are made of, so all of them count. */
TEST(test_phrases)
{
    yw_clusterer_t *cl = make(NULL);
    REQUIRE(cl);
    const char *text = "𠀀物业管理不好䷀业主不满，wifi断网";
    uint64_t c = add(cl, text, T0, NULL);
    /* a new cluster's phrases come from its title alone (none here); the
     * second member's text is scanned */
    const char *ph[8];
    CHECK_EQ_INT(yw_cluster_labels(cl, c, 't', ph, 8), 0);
    CHECK_EQ_INT(add(cl, text, T0 + 1000, NULL), c);
    size_t n = yw_cluster_labels(cl, c, 't', ph, 8);
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_EQ_STR(ph[0], "𠀀物业管理不好");    /* six terms */
        CHECK_EQ_STR(ph[1], "业主不满");          /* three */
        CHECK((!strcmp(ph[2], "wifi") && !strcmp(ph[3], "断网")) ||
              (!strcmp(ph[2], "断网") && !strcmp(ph[3], "wifi")));
    }
    for (size_t k = 0; k < n; k++)
        if (!strstr(text, ph[k])) fprintf(stderr, "phrase: %s\n", ph[k]);
    /* without titles, the clause holding the most of those terms (and at
     * least 4 Han characters: not "wifi断网") is the title */
    char title[128];
    yw_cluster_title(cl, c, title, sizeof(title));
    CHECK_EQ_STR(title, "𠀀物业管理不好䷀业主不满");
    yw_clusterer_destroy(cl);
}

TEST(test_time_gap_separates)
{
    yw_cluster_conf_t c;
    yw_cluster_conf_default(&c);
    c.expiry_hours = c.singleton_expiry_hours = 24 * 365;
    yw_clusterer_t *cl = make(&c);
    REQUIRE(cl);
    uint64_t c1 = add(cl, ZH_B, T0, NULL);
    uint64_t c2 = add(cl, "某建筑公司拖欠农民工工资，工人讨薪无果", T0 + 60 * 24 * HOUR_MS, NULL);
    CHECK(c1 != 0 && c2 != 0 && c1 != c2);
    yw_clusterer_destroy(cl);
}

/* Each record joins exactly one live cluster: the sizes of the live
 * clusters add up to the records, whatever merged. */
/* Terms that share one slot of the clusterer's record hash (the home
 * slot is the top RH_BITS bits of term * 0x9E3779B97F4A7C15, as rh_home
 * in lib/cluster.c computes it): all but one of them go to its overflow
 * list, and a lookup must still find every one.  A copy of such a
 * record is as similar to the first as a copy is. */
TEST(test_record_hash_overflow)
{
    enum { N = 12 };
    yw_fterm_t t[N];
    uint32_t found = 0;
    for (uint64_t x = 1; found < N; x++) {
        uint64_t term = YW_TERM_MAKE(YW_TERM_WORD, x * 0x2545F4914F6CDD1Dull);
        if ((term * 0x9E3779B97F4A7C15ull) >> (64 - RH_BITS) == 0x2A5) t[found++] = (yw_fterm_t){ term, 1 };
    }
    /* the vector is sorted by term, as the featurizer leaves it */
    for (int i = 1; i < N; i++)
        for (int j = i; j > 0 && t[j - 1].term > t[j].term; j--) {
            yw_fterm_t x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    yw_clusterer_t *cl = make(NULL);
    REQUIRE(cl);
    yw_features_t f;
    memset(&f, 0, sizeof f);
    f.vec.t = t;
    f.vec.n = f.vec.cap = N;
    yw_cluster_assign_t a, b;
    REQUIRE(yw_cluster_add(cl, &f, NULL, T0, &a) == 0);
    CHECK(a.is_new);
    for (int i = 0; i < N; i++) t[i].w = 1;     /* the clusterer leaves counts alone */
    REQUIRE(yw_cluster_add(cl, &f, NULL, T0 + 1000, &b) == 0);
    CHECK_EQ_INT(b.cluster, a.cluster);
    CHECK(b.similarity > 0.99f);
    yw_clusterer_destroy(cl);
}

/* The record signature's two implementations agree: the sorted bottom
 * 8 of the bigram and word terms' hashes, padded, and their count --
 * on vectors of every length up to 100 with other kinds mixed in, and
 * on repeated values.  Without AVX2 only the scalar one runs (and is
 * checked against a plain sort). */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

TEST(test_signature_ways_agree)
{
    uint64_t rng = 12345;
    yw_fterm_t v[100];
    for (int round = 0; round < 2000; round++) {
        uint32_t n = (uint32_t)(round % 101);
        uint32_t want[100], nw = 0;
        for (uint32_t k = 0; k < n; k++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            unsigned kind = 1 + (unsigned)((rng >> 59) % 6);
            /* every 7th round draws from few values: equal hashes */
            uint64_t h = round % 7 == 0 ? (rng >> 20) % 5 : rng >> 8;
            v[k] = (yw_fterm_t){ YW_TERM_MAKE(kind, h), 1 };
            if (kind == YW_TERM_BIGRAM || kind == YW_TERM_WORD) want[nw++] = mix32(v[k].term);
        }
        qsort(want, nw, sizeof want[0], cmp_u32);
        uint32_t a[SIG_K], b[SIG_K];
        uint32_t na = ywcl_bottom_k_scalar(v, n, a);
        CHECK_EQ_INT(na, nw < SIG_K ? nw : SIG_K);
        for (uint32_t p = 0; p < SIG_K; p++) CHECK_EQ_INT(a[p], p < nw ? want[p] : UINT32_MAX);
#ifdef YWCL_HAVE_AVX2
        if (__builtin_cpu_supports("avx2")) {
            uint32_t nb = ywcl_bottom_k_avx2(v, n, b);
            CHECK_EQ_INT(nb, na);
            CHECK(memcmp(a, b, sizeof a) == 0);
        }
#else
        (void)b;
#endif
#ifdef YWCL_HAVE_AVX512
        if (ywcl_have_avx512()) {
            uint32_t nb = ywcl_bottom_k_avx512(v, n, b);
            CHECK_EQ_INT(nb, na);
            CHECK(memcmp(a, b, sizeof a) == 0);
        }
#endif
    }
}

static int cmp_w_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* select_top keeps the k largest weights, each a distinct element of the
 * input, in the order they stood, and the AVX-512 and scalar ways keep
 * the same terms (so output does not depend on the CPU); arrays of
 * 1..600 terms, every third drawn from four weights (many ties), half
 * of the rounds keeping at most 16. */
TEST(test_select_ways_agree)
{
    enum { MAXN = 600 };
    static yw_fterm_t in[MAXN], a[MAXN], b[MAXN], out[MAXN];
    static uint64_t key[2 * MAXN], tmp[MAXN];
    static float ws[MAXN];
    uint64_t rng = 777;
    for (int round = 0; round < 3000; round++) {
        uint32_t n = 1 + (uint32_t)(round % MAXN);
        for (uint32_t i = 0; i < n; i++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            float w = round % 3 == 0 ? (float)(1 + (rng >> 62)) : (float)(rng >> 40) / 1024.0f;
            in[i] = (yw_fterm_t){ (rng >> 14) | ((uint64_t)i << 50), w };
            ws[i] = w;
        }
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        /* every other round a few of many, as most callers want */
        uint32_t k = (uint32_t)(rng >> 33) % ((round % 2 && n > 17 ? 17 : n) + 1);
        memcpy(a, in, n * sizeof *a);
        uint64_t salt = in[0].term ^ in[n - 1].term;
        ywcl_select_top_scalar(a, n, k, salt, key, tmp, out);
        qsort(ws, n, sizeof ws[0], cmp_w_desc);
        float kept[MAXN];
        for (uint32_t i = 0; i < k; i++) kept[i] = a[i].w;
        qsort(kept, k, sizeof kept[0], cmp_w_desc);
        for (uint32_t i = 0; i < k; i++) CHECK(kept[i] == ws[i]);
        for (uint32_t i = 0; i < k; i++) {
            /* the term names its input index (bits 50..): the element is
             * the input's, and no index is kept twice */
            uint32_t at = (uint32_t)(a[i].term >> 50);
            CHECK(at < n && in[at].term == a[i].term && in[at].w == a[i].w);
            for (uint32_t j = 0; j < i; j++) CHECK(a[j].term != a[i].term);
            /* kept in the order they stood */
            if (i > 0) CHECK((a[i - 1].term >> 50) < at);
        }
#ifdef YWCL_HAVE_AVX512
        if (ywcl_have_avx512()) {
            memcpy(b, in, n * sizeof *b);
            ywcl_select_top_avx512(b, n, k, salt, key, tmp, out);
            CHECK(memcmp(a, b, k * sizeof *a) == 0);
        }
#else
        (void)b;
#endif
    }
}

/* Equal weights are not kept by term order: among 100 equally weighted
 * terms in ascending order (as a record's terms come), the 10 kept are
 * the 10 lowest in almost no array.  (Kept by term order, every record of
 * templated text kept the same template terms: 8983911.) */
TEST(test_select_ties_not_by_term)
{
    yw_clusterer_t *cl = make(NULL);
    REQUIRE(cl);
    yw_fterm_t v[100];
    uint64_t rng = 99;
    int lowest = 0, tenth_kept = 0;
    for (int round = 0; round < 200; round++) {
        uint64_t t = 0;
        for (int i = 0; i < 100; i++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            t += 1 + (rng >> 40);
            v[i] = (yw_fterm_t){ t, 1.0f };
        }
        uint64_t bound = v[9].term;
        select_top(cl, v, 100, 10);
        int all_low = 1;
        for (int i = 0; i < 10; i++) all_low &= v[i].term <= bound;
        lowest += all_low;
        for (int i = 0; i < 10; i++) tenth_kept += v[i].term == bound;
    }
    CHECK(lowest <= 2);
    /* and the 10th-lowest term is kept about a tenth of the time */
    CHECK(tenth_kept > 5 && tenth_kept < 60);
    yw_clusterer_destroy(cl);
}

/* The record's weighing (tf x idf x kind weight, terms of a zero kind
 * weight or count left out): the scalar way equal to the formula written
 * out, and the AVX-512 way to the scalar one in count, terms and weight
 * bits, on 3,000 vectors of 0-100 terms with
 * every kind (three weighing 0), counts whole and not (some above 15.5,
 * some 0) and idfs below the floor. */
TEST(test_weigh_ways_agree)
{
    float kwt[16] = { 0, 1, 1, 0.5f, 1, 2.5f, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
    float tft[16];
    for (int i = 0; i < 16; i++) tft[i] = i <= 1 ? 1.0f : 1.0f + logf((float)i);
    static yw_fterm_t v[100], a[100];
    static float idf[100];
    uint64_t rng = 2024;
    uint32_t kept = 0, odd = 0;
    for (int round = 0; round < 3000; round++) {
        uint32_t n = (uint32_t)(round % 101);
        for (uint32_t k = 0; k < n; k++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            unsigned kind = (unsigned)(rng >> 60);
            uint32_t r = (uint32_t)(rng >> 20);
            float cnt = r % 11 == 0 ? 0.0f : r % 7 == 0 ? 0.25f * (float)(r % 90) : (float)(1 + r % 20);
            odd += cnt != (float)(uint32_t)cnt || cnt > 15.5f;
            v[k] = (yw_fterm_t){ YW_TERM_MAKE(kind, rng >> 8), cnt };
            idf[k] = (float)(r % 1000) / 100.0f;
        }
        uint32_t na = ywcl_weigh_scalar(v, n, idf, kwt, tft, 1.0f, a);
        kept += na;
        /* the scalar way against the formula written out */
        uint32_t nr = 0;
        for (uint32_t k = 0; k < n; k++) {
            float kw = kwt[YW_TERM_KIND(v[k].term)], cnt = v[k].w;
            if (kw <= 0 || cnt <= 0) continue;
            int whole = cnt == (float)(uint32_t)cnt && cnt < 16;
            float tf = whole ? tft[(uint32_t)cnt] : 1.0f + logf(cnt);
            float w = tf * (idf[k] < 1.0f ? 1.0f : idf[k]) * kw;
            CHECK(nr < na && a[nr].term == v[k].term && memcmp(&a[nr].w, &w, sizeof w) == 0);
            nr++;
        }
        CHECK_EQ_INT(nr, na);
#ifdef YWCL_HAVE_AVX512
        if (ywcl_have_avx512()) {
            static yw_fterm_t b[100];
            memset(b, 0xAB, sizeof b);
            uint32_t nb = ywcl_weigh_avx512(v, n, idf, kwt, tft, 1.0f, b);
            CHECK_EQ_INT(nb, na);
            for (uint32_t k = 0; k < na && k < nb; k++)
                CHECK(a[k].term == b[k].term && memcmp(&a[k].w, &b[k].w, sizeof a[k].w) == 0);
        }
#endif
    }
    CHECK(kept > 50000 && odd > 5000);  /* both kinds of count, most kept */
}

/* The record's signature (taken from its features before the weighing,
 * while the df counters are fetched) is the signature of its weighed
 * terms: with the default kind weights, and with words weighing 0
 * (dropped by the weighing: the signature is then taken again). */
TEST(test_signature_of_weighed_terms)
{
    const char *texts[] = { ZH_A, "Sunshine Garden water cut for a week, 物业没人管 hotline 12345",
                            "wage arrears at the Hengrui site, 工人讨薪 again and again" };
    for (int words_off = 0; words_off < 2; words_off++) {
        yw_cluster_conf_t c;
        yw_cluster_conf_default(&c);
        if (words_off) c.kind_weight[YW_TERM_WORD] = 0;
        yw_clusterer_t *cl = make(&c);
        REQUIRE(cl);
        for (int i = 0; i < 3; i++) {
            yw_cluster_assign_t a;
            REQUIRE(add(cl, texts[i], T0 + i * 1000, &a) != 0);
            REQUIRE(cl->rn < c.record_terms);     /* rv holds every weighed term */
            uint32_t want[SIG_K];
            uint32_t nw = ywcl_bottom_k_scalar(cl->rv, cl->rn, want);
            CHECK_EQ_INT(cl->nsig, nw);
            CHECK(memcmp(cl->sig, want, sizeof want) == 0);
        }
        yw_clusterer_destroy(cl);
    }
}

/* The reference: merge the two ascending arrays, SIG_K values of their
 * union, counting those found in both. */
static double jaccard_by_merge(const uint32_t *a, const uint32_t *b)
{
    uint32_t i = 0, j = 0, uni = 0, both = 0;
    while (uni < SIG_K) {
        uint32_t x = i < SIG_K ? a[i] : UINT32_MAX, y = j < SIG_K ? b[j] : UINT32_MAX;
        if (x == UINT32_MAX && y == UINT32_MAX) break;
        uni++;
        if (x == y) {
            both++;
            i++;
            j++;
        } else if (x < y) {
            i++;
        } else {
            j++;
        }
    }
    return uni ? (double)both / uni : 0;
}

static void random_sig(uint32_t *s, uint64_t *rng, uint32_t live, uint32_t range)
{
    uint32_t n = 0;
    while (n < live) {
        *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t v = (uint32_t)(*rng >> 33) % range, p = n;
        int dup = 0;
        for (uint32_t k = 0; k < n; k++) dup |= s[k] == v;
        if (dup) continue;
        while (p > 0 && s[p - 1] > v) {
            s[p] = s[p - 1];
            p--;
        }
        s[p] = v;
        n++;
    }
    for (; n < SIG_K; n++) s[n] = UINT32_MAX;
}

/* The near-duplicate test's Jaccard counts ranks instead of merging
 * (cluster.c): equal to the merge on 20,000 pairs of signatures of 0-8
 * distinct values, drawn from small ranges so that they share many (a
 * quarter of them near-copies), the estimates spread over [0, 1]. */
TEST(test_sig_jaccard_matches_merge)
{
    uint64_t rng = 7;
    uint32_t a[SIG_K], b[SIG_K], seen[5] = { 0 };
    for (int round = 0; round < 20000; round++) {
        uint32_t range = 8 + (uint32_t)(round % 24);
        uint32_t na = (uint32_t)(round % (SIG_K + 1)), nb = (uint32_t)((round / 9) % (SIG_K + 1));
        if (round % 4 == 0) {      /* near-copies: most values shared */
            range = 9 + (uint32_t)(round / 4) % 3;
            na = SIG_K - (uint32_t)(round / 4) % 2;
            nb = SIG_K;
        }
        random_sig(a, &rng, na, range);
        random_sig(b, &rng, nb, range);
        double want = jaccard_by_merge(a, b), got = ywcl_sig_jaccard(a, b);
        if (got != want) {
            fprintf(stderr, "round %d: %g, merge %g\n", round, got, want);
            CHECK(got == want);
            return;
        }
        seen[(int)(want * 4)]++;
    }
    for (int q = 0; q < 5; q++) CHECK(seen[q] > 100);
}

static int cmp_term(const void *a, const void *b)
{
    uint64_t x = ((const yw_fterm_t *)a)->term, y = ((const yw_fterm_t *)b)->term;
    return (x > y) - (x < y);
}

/* A centroid's dot product with the loaded record (and a join's
 * centroid half, ywcl_join_*: the same lookups): eight lanes, lane j
 * summing terms j, j + 8, ... in order, the lanes added in a fixed order
 * (cluster.c) -- the scalar way equal to that sum of the record's own
 * weights, and the AVX-512 way equal to the scalar one bit for bit.
 * Records of 1-150 terms, every fifth with six terms in one home slot
 * (the overflow list); centroids of 1-64 terms, half of them the
 * record's. */
TEST(test_dot_ways_agree)
{
    yw_clusterer_t *cl = make(NULL);
    REQUIRE(cl);
    static yw_fterm_t v[160];
    uint64_t rng = 4242;
    uint32_t overflowed = 0;
    /* the previous record's terms: left in the table by the previous
     * load, they must not be found in this one */
    static uint64_t prev[MAX_TERMS];
    uint32_t nprev = 0;
    for (int round = 0; round < 600; round++) {
        uint32_t n = 1 + (uint32_t)(round % 150), m = 0;
        if (round % 5 == 0) {
            for (uint64_t x = 1 + (uint64_t)round * 1000; m < 6 && m < n; x++) {
                uint64_t term = YW_TERM_MAKE(YW_TERM_WORD, x * 0x2545F4914F6CDD1Dull);
                if ((term * 0x9E3779B97F4A7C15ull) >> (64 - RH_BITS) == 0x1B3)
                    v[m++] = (yw_fterm_t){ term, 1 };
            }
        }
        for (; m < n; m++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            v[m] = (yw_fterm_t){ YW_TERM_MAKE(YW_TERM_BIGRAM, rng >> 12),
                                 (float)(1 + (rng >> 62)) };
        }
        qsort(v, n, sizeof v[0], cmp_term);
        yw_features_t f;
        memset(&f, 0, sizeof f);
        f.vec.t = v;
        f.vec.n = f.vec.cap = n;
        yw_cluster_assign_t a;
        REQUIRE(yw_cluster_add(cl, &f, NULL, T0 + round * 3600000LL, &a) == 0);
        overflowed += cl->novf != 0;
        /* yw_cluster_add leaves the record's weighted terms loaded */
        uint64_t ct[64];
        float cw[64], rws[64], lane[8] = { 0 };
        uint32_t cn = 1 + (uint32_t)(round % 64);
        for (uint32_t k = 0; k < cn; k++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            ct[k] = k % 2                  ? cl->rv[(rng >> 33) % cl->rn].term
                    : k % 4 == 2 && nprev ? prev[(rng >> 33) % nprev]
                                          : rng;
            cw[k] = (float)(rng >> 40) / (float)(1 << 24);
            float rw = 0;
            for (uint32_t r = 0; r < cl->rn; r++)
                if (cl->rv[r].term == ct[k]) rw = cl->rv[r].w;
            rws[k] = rw;
            float p = rw * cw[k];
            lane[k % 8] += p;
        }
        float want = ((lane[0] + lane[4]) + (lane[2] + lane[6])) +
                     ((lane[1] + lane[5]) + (lane[3] + lane[7]));
        float got = ywcl_dot_scalar(cl, ct, cw, cn);
        CHECK(memcmp(&got, &want, sizeof got) == 0);
#ifdef YWCL_HAVE_AVX512
        if (ywcl_have_avx512()) {
            float vec = ywcl_dot_avx512(cl, ct, cw, cn);
            CHECK(memcmp(&vec, &got, sizeof got) == 0);
        }
#endif
        /* a join's centroid half: each centroid weight decayed plus the
         * record's, the least of those, the record terms found marked */
        static yw_fterm_t js[64];
        static uint32_t us[MAX_TERMS + 1];
        memset(us, 0, sizeof us);
        float d = 0.5f + (float)(round % 7) / 8.0f, least = INFINITY;
        float ls = ywcl_join_scalar(cl, ct, cw, cn, d, us, js);
        for (uint32_t k = 0; k < cn; k++) {
            float u = cw[k] * d + rws[k];
            CHECK(js[k].term == ct[k] && memcmp(&js[k].w, &u, sizeof u) == 0);
            least = u < least ? u : least;
        }
        CHECK(ls == least);
        for (uint32_t r = 0; r < cl->rn; r++) {
            uint32_t found = 0;
            for (uint32_t k = 0; k < cn; k++) found |= ct[k] == cl->rv[r].term;
            CHECK_EQ_INT(us[r], found);
        }
#ifdef YWCL_HAVE_AVX512
        if (ywcl_have_avx512()) {
            static yw_fterm_t jv[64];
            static uint32_t uv[MAX_TERMS + 1];
            memset(uv, 0, sizeof uv);
            float lv = ywcl_join_avx512(cl, ct, cw, cn, d, uv, jv);
            CHECK(memcmp(&lv, &ls, sizeof lv) == 0);
            for (uint32_t k = 0; k < cn; k++)
                CHECK(jv[k].term == js[k].term && memcmp(&jv[k].w, &js[k].w, sizeof js[k].w) == 0);
            CHECK(memcmp(uv, us, cl->rn * sizeof us[0]) == 0);
        }
#endif
        /* and its record half: the unmarked record terms at or above the
         * least (every third round: all of them; every third: a floor equal
         * to a record term's weight), and the first and last unmarked */
        static yw_fterm_t rs[64 + MAX_TERMS];
        float floor_w = round % 3 == 0 ? 0.0f : round % 3 == 1 ? cl->rv[cl->rn / 2].w : ls;
        ywcl_join_ends_t es = { 0, 0, false };
        uint32_t want_n = 0;
        uint64_t want_first = 0, want_last = 0;
        bool want_any = false;
        for (uint32_t r = 0; r < cl->rn; r++) {
            if (us[r]) continue;
            if (!want_any) want_first = cl->rv[r].term;
            want_any = true;
            want_last = cl->rv[r].term;
            if (cl->rv[r].w >= floor_w) want_n++;
        }
        uint32_t ns = ywcl_join_rest_scalar(cl->rv, cl->rn, us, floor_w, rs, 0, &es);
        CHECK_EQ_INT(ns, want_n);
        CHECK(es.any == want_any && (!want_any || (es.first == want_first && es.last == want_last)));
#ifdef YWCL_HAVE_AVX512
        if (ywcl_have_avx512()) {
            static yw_fterm_t rvv[64 + MAX_TERMS];
            ywcl_join_ends_t ev = { 0, 0, false };
            uint32_t nv = ywcl_join_rest_avx512(cl->rv, cl->rn, us, floor_w, rvv, 0, &ev);
            CHECK_EQ_INT(nv, ns);
            CHECK(memcmp(rvv, rs, ns * sizeof rs[0]) == 0);
            CHECK(ev.any == es.any && ev.first == es.first && ev.last == es.last);
        }
#endif
        nprev = cl->rn;
        for (uint32_t r = 0; r < cl->rn; r++) prev[r] = cl->rv[r].term;
    }
    CHECK(overflowed >= 100);          /* the overflow list was exercised */
    yw_clusterer_destroy(cl);
}

/* The record hash's stamp wraps every 2^24 loads (the table is cleared
 * then): records compared across the wrap are found as before -- a copy
 * is as similar as a copy, an unrelated text is not. */
TEST(test_record_hash_stamp_wraps)
{
    yw_clusterer_t *cl = make(NULL);
    REQUIRE(cl);
    yw_cluster_assign_t a;
    uint64_t c1 = add(cl, ZH_A, T0, &a);
    CHECK(a.is_new);
    cl->stamp = (1u << 24) - 3;      /* a few loads before the wrap */
    for (int i = 1; i <= 6; i++) {
        uint64_t c = add(cl, ZH_A, T0 + i * 1000, &a);
        CHECK_EQ_INT(c, c1);
        CHECK(a.similarity > 0.99f);
        c = add(cl, ZH_B, T0 + i * 1000 + 500, &a);
        CHECK(c != c1);
    }
    CHECK(cl->stamp < 16);             /* it did wrap */
    yw_clusterer_destroy(cl);
}

TEST(test_each_record_one_cluster)
{
    yw_cluster_conf_t c;
    yw_cluster_conf_default(&c);
    c.threshold = 0.2;
    c.merge_threshold = 0.3;
    yw_clusterer_t *cl = make(&c);
    REQUIRE(cl);
    enum { N = 600 };
    static uint64_t ids[N];
    uint32_t rng = 7;
    char text[512];
    for (int i = 0; i < N; i++) {
        topic_text(text, sizeof(text), i % 5, 6 + i % 5, &rng);
        yw_cluster_assign_t a;
        ids[i] = add(cl, text, T0 + i * 1000, &a);
        CHECK(ids[i] != 0);
        CHECK(yw_cluster_alive(cl, a.cluster));
        for (uint32_t m = 0; m < a.nmerges; m++) {
            CHECK(!yw_cluster_alive(cl, a.merges[m].absorbed));
            CHECK(yw_cluster_alive(cl, yw_cluster_resolve(cl, a.merges[m].absorbed)));
        }
    }
    /* distinct live clusters after resolving, and their sizes */
    uint64_t total = 0;
    static uint64_t seen[N];
    int nseen = 0;
    for (int i = 0; i < N; i++) {
        uint64_t r = yw_cluster_resolve(cl, ids[i]);
        CHECK(yw_cluster_alive(cl, r));
        int dup = 0;
        for (int k = 0; k < nseen; k++) dup |= seen[k] == r;
        if (dup) continue;
        seen[nseen++] = r;
        yw_cluster_info_t info;
        REQUIRE(yw_cluster_info(cl, r, &info) == 0);
        total += info.records;
    }
    CHECK_EQ_INT(total, N);
    yw_cluster_stats_t st;
    yw_cluster_stats(cl, &st);
    CHECK_EQ_INT(st.live, (uint64_t)nseen);
    CHECK_EQ_INT(st.records, N);
    CHECK(nseen <= 40);                /* 5 topics, not hundreds of singletons */
    yw_clusterer_destroy(cl);
}

/* Two unrelated clusters and a record that bridges them: it joins one,
 * the other is absorbed, counts add up and the absorbed id resolves. */
TEST(test_merge_keeps_counts)
{
    yw_cluster_conf_t c;
    yw_cluster_conf_default(&c);
    c.threshold = 0.3;
    c.merge_threshold = 0.3;
    /* every word of the bridging record is looked up: its words weigh
     * alike, and which ten of them a query takes is the tie-break's call */
    c.query_terms = 24;
    yw_clusterer_t *cl = make(&c);
    REQUIRE(cl);
    const char *A = "alpha bravo charlie delta echo foxtrot golf hotel india juliet";
    const char *A2 = "alpha bravo charlie delta echo foxtrot golf hotel india kilo";
    const char *B = "lima mike november oscar papa quebec romeo sierra tango uniform";
    yw_cluster_assign_t a;
    uint64_t ca = add(cl, A, T0, NULL);
    add(cl, A2, T0 + 1000, &a);
    CHECK_EQ_INT(a.cluster, ca);
    uint64_t cb = add(cl, B, T0 + 2000, NULL);
    CHECK(ca != cb);
    uint64_t cc = add(cl, "alpha bravo charlie delta echo foxtrot golf hotel india juliet "
                          "lima mike november oscar papa quebec romeo sierra tango uniform",
                      T0 + 3000, &a);
    REQUIRE(a.nmerges == 1);
    CHECK_EQ_INT(a.merges[0].absorbed, cb);  /* the smaller one goes */
    CHECK_EQ_INT(a.merges[0].into, ca);
    CHECK_EQ_INT(cc, ca);
    CHECK(!yw_cluster_alive(cl, cb));
    CHECK_EQ_INT(yw_cluster_resolve(cl, cb), ca);
    CHECK_EQ_INT(yw_cluster_resolve(cl, ca), ca);
    yw_cluster_info_t info;
    REQUIRE(yw_cluster_info(cl, ca, &info) == 0);
    CHECK_EQ_INT(info.records, 4);
    CHECK_EQ_INT(info.merged, 1);
    yw_cluster_stats_t st;
    yw_cluster_stats(cl, &st);
    CHECK_EQ_INT(st.live, 1);
    CHECK_EQ_INT(st.merged, 1);
    yw_clusterer_destroy(cl);
}

TEST(test_expiry_frees)
{
    yw_cluster_conf_t c;
    yw_cluster_conf_default(&c);
    c.expiry_hours = 10;
    c.singleton_expiry_hours = 2;
    yw_clusterer_t *cl = make(&c);
    REQUIRE(cl);
    uint32_t rng = 1;
    char text[512];
    for (int i = 0; i < 50; i++) {
        topic_text(text, sizeof(text), 100 + i, 8, &rng);  /* 50 unrelated */
        add(cl, text, T0, NULL);
    }
    uint64_t big = add(cl, ZH_A, T0, NULL);
    add(cl, "阳光花园小区还是停水，居民没有水用，物业不管", T0 + 1000, NULL);
    yw_cluster_stats_t st0, st1, st2;
    yw_cluster_stats(cl, &st0);
    CHECK_EQ_INT(st0.live, 51);
    /* 3 hours on: the one-record clusters are gone, the two-record stays */
    CHECK_EQ_INT(yw_cluster_expire(cl, T0 + 3 * HOUR_MS), 50);
    yw_cluster_stats(cl, &st1);
    CHECK_EQ_INT(st1.live, 1);
    CHECK(yw_cluster_alive(cl, big));
    CHECK(st1.index_terms < st0.index_terms);
    /* past its expiry, a record arriving expires it on the way */
    yw_cluster_assign_t a;
    add(cl, ZH_B, T0 + 11 * HOUR_MS, &a);
    CHECK_EQ_INT(a.nexpired, 1);
    CHECK(!yw_cluster_alive(cl, big));
    yw_cluster_stats(cl, &st2);
    CHECK_EQ_INT(st2.live, 1);
    CHECK_EQ_INT(st2.expired, 51);
    /* freed slots are reused: the pool did not grow */
    CHECK(st2.memory_bytes <= st0.memory_bytes);
    yw_clusterer_destroy(cl);
}

/* A long stream of unrelated texts with max_clusters small: live clusters
 * never exceed the cap and memory stops growing. */
TEST(test_memory_bound)
{
    yw_cluster_conf_t c;
    yw_cluster_conf_default(&c);
    c.max_clusters = 64;
    c.expiry_hours = c.singleton_expiry_hours = 1e5;
    yw_clusterer_t *cl = make(&c);
    REQUIRE(cl);
    uint32_t rng = 3;
    char text[512];
    yw_cluster_stats_t st, mid;
    memset(&mid, 0, sizeof(mid));
    for (int i = 0; i < 6000; i++) {
        topic_text(text, sizeof(text), i, 10, &rng);
        REQUIRE(add(cl, text, T0 + i, NULL) != 0);
        yw_cluster_stats(cl, &st);
        CHECK(st.live <= 64);
        if (i == 1999) mid = st;
    }
    CHECK(st.evicted > 5000);
    CHECK(st.memory_bytes == mid.memory_bytes);
    CHECK(st.index_terms <= 64u * c.index_terms);
    yw_clusterer_destroy(cl);
}

int main(void)
{
    RUN(test_conf);
    RUN(test_identical_and_unrelated);
    RUN(test_representative_title);
    RUN(test_phrases);
    RUN(test_time_gap_separates);
    RUN(test_record_hash_overflow);
    RUN(test_signature_ways_agree);
    RUN(test_select_ways_agree);
    RUN(test_dot_ways_agree);
    RUN(test_sig_jaccard_matches_merge);
    RUN(test_weigh_ways_agree);
    RUN(test_signature_of_weighed_terms);
    RUN(test_select_ties_not_by_term);
    RUN(test_record_hash_stamp_wraps);
    RUN(test_each_record_one_cluster);
    RUN(test_merge_keeps_counts);
    RUN(test_expiry_frees);
    RUN(test_memory_bound);
    return yw_test_done();
}
