/* test_score.c -- signals, levels, hysteresis, cooldown, person alerts.
 *
 * Records and features are built by hand (kind weights set directly), so
 * these tests depend on no other stage.  Expected values are computed here
 * from the formulas in docs/scoring.md, not read back from the scorer.
 * Most tests use times on one instant or an almost infinite half-life, so
 * that decay does not blur the arithmetic; the decay test checks it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "record.h"
#include "score.h"
#include "window.h"
#include "yw_test.h"

/* 2024-03-01 00:00:00+08:00 */
#define T0 (1709222400000LL)
#define H YW_HOUR_MS
#define D YW_DAY_MS
#define MIN (60000LL)

/* ---- building inputs ----------------------------------------------------- */

typedef struct {
    yw_record_t rec;
    yw_features_t feat;
} input_t;

static yw_str_t str(const char *s)
{
    yw_str_t v = { s, (uint32_t)strlen(s) };
    return v;
}

static input_t *in_new(int64_t ts, yw_source_t src)
{
    static input_t in;
    memset(&in, 0, sizeof in);
    in.rec.source = src;
    in.rec.ts_ms = ts;
    in.rec.id = str("r");
    in.rec.text = in.rec.title = in.rec.district = in.rec.street =
        in.rec.community = in.rec.reply = str("");
    in.rec.repeat_count = -1;
    in.rec.reposts = in.rec.comments = in.rec.likes = -1;
    return &in;
}

static void in_person(input_t *in, int who)
{
    in->rec.has_person = true;
    for (int i = 0; i < 32; i++)
        in->rec.person_hmac[i] = (uint8_t)(who * 37 + i * 11 + 1);
}

/* ---- collecting alerts --------------------------------------------------- */

typedef struct {
    yw_alert_t *a;
    int n, cap;
} sink_t;

static void collect(void *opaque, const yw_alert_t *a)
{
    sink_t *s = opaque;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->a = realloc(s->a, (size_t)s->cap * sizeof *s->a);
    }
    s->a[s->n++] = *a;
}

static void sink_free(sink_t *s)
{
    free(s->a);
    memset(s, 0, sizeof *s);
}

static int observe(yw_scorer_t *sc, const char *cl, input_t *in, sink_t *out)
{
    return yw_score_observe(sc, cl, &in->rec, &in->feat, NULL, collect, out);
}

static const yw_signal_t *find_sig(const yw_alert_t *a, const char *name)
{
    for (int i = 0; i < a->nsignals; i++)
        if (strcmp(a->signals[i].name, name) == 0)
            return &a->signals[i];
    return NULL;
}

static int near(double a, double b, double eps)
{
    return fabs(a - b) <= eps;
}

#define CHECK_NEAR(a, b, eps) do {                                          \
    double _a = (a), _b = (b);                                              \
    if (!near(_a, _b, eps)) {                                               \
        fprintf(stderr, "%s:%d: CHECK failed: %s ~ %s (%g vs %g)\n",        \
                __FILE__, __LINE__, #a, #b, _a, _b);                        \
        yw_test_failed_checks++;                                            \
    } } while (0)

/* A conf where only the given signal scores, without decay and without the
 * warm-up, so a test can drive the score precisely from the first record. */
static void conf_only(yw_score_conf_t *c, int sig, double weight, double sat)
{
    yw_score_conf_defaults(c);
    c->warmup_days = 0;
    for (int i = 0; i < YW_SIG_COUNT; i++)
        c->weight[i] = 0;
    c->weight[sig] = weight;
    c->sat[sig] = sat;
    c->half_life_h = 1e9;
}

static yw_alert_t summary(yw_scorer_t *sc, const char *cl)
{
    yw_alert_t a;
    memset(&a, 0, sizeof a);
    int rc = yw_score_summary(sc, cl, &a);
    CHECK_EQ_INT(rc, 0);
    return a;
}

/* ---- conf and lifecycle -------------------------------------------------- */

TEST(test_conf)
{
    yw_score_conf_t c;
    char err[256];
    yw_score_conf_defaults(&c);
    CHECK_EQ_INT(yw_score_conf_check(&c, err, sizeof err), 0);
    c.thresholds[YW_LEVEL_ORANGE] = 40;   /* below yellow */
    CHECK_EQ_INT(yw_score_conf_check(&c, err, sizeof err), -1);
    CHECK(strstr(err, "increasing") != NULL);
    CHECK(yw_scorer_create(&c, err, sizeof err) == NULL);
    yw_scorer_destroy(NULL);
    yw_scorer_t *sc = yw_scorer_create(NULL, err, sizeof err);
    REQUIRE(sc);
    CHECK_EQ_INT(yw_score_summary(sc, "nope", &(yw_alert_t){0}), YW_SCORE_ENOENT);
    CHECK_EQ_INT(yw_score_forget(sc, "nope"), YW_SCORE_ENOENT);
    CHECK_EQ_STR(yw_score_signal_name(YW_SIG_SELFHARM), "selfharm");
    yw_scorer_destroy(sc);
}

TEST(test_singleton_is_cheap)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    yw_score_stats_t st0, st1, st;
    yw_score_stats(sc, &st0);
    input_t *in = in_new(T0, YW_SRC_HOTLINE);
    in_person(in, 1);
    observe(sc, "c1", in, &out);
    yw_score_stats(sc, &st1);
    CHECK_EQ_INT(st1.clusters, 1);
    CHECK_EQ_INT(st1.clusters_with_rings, 0);
    /* A second singleton costs no allocation: it lives in the table. */
    input_t *in2 = in_new(T0, YW_SRC_GRID);
    in_person(in2, 2);
    observe(sc, "c2", in2, &out);
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.mem_bytes, st1.mem_bytes);
    CHECK(st1.mem_bytes > st0.mem_bytes);   /* the table's first block */
    CHECK_EQ_INT(out.n, 0);
    for (int i = 1; i < 3; i++)
        observe(sc, "c1", in_new(T0 + i * MIN, YW_SRC_HOTLINE), &out);
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.clusters_with_rings, 0);        /* 3 records: inline */
    CHECK(st.mem_bytes > st1.mem_bytes);            /* people/places only */
    CHECK(st.mem_bytes < st1.mem_bytes + 1024);
    observe(sc, "c1", in_new(T0 + 3 * MIN, YW_SRC_HOTLINE), &out);
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.clusters_with_rings, 1);        /* the 4th allocates */
    CHECK(st.mem_bytes > st1.mem_bytes + yw_window_rings_size());
    yw_alert_t a = summary(sc, "c1");
    CHECK_EQ_INT(a.records, 4);
    CHECK_EQ_INT(a.people, 1);
    CHECK_EQ_INT(a.level, YW_LEVEL_NONE);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

/* ---- each signal ---------------------------------------------------------- */

TEST(test_volume_and_sources)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    yw_source_t srcs[] = { YW_SRC_HOTLINE, YW_SRC_ONLINE, YW_SRC_GRID };
    for (int i = 0; i < 10; i++)
        observe(sc, "v", in_new(T0 + 8 * H, srcs[i % 3]), &out);
    yw_alert_t a = summary(sc, "v");
    const yw_signal_t *v = find_sig(&a, "volume");
    REQUIRE(v);
    CHECK_NEAR(v->value, 10, 1e-9);
    CHECK_NEAR(v->contribution, floor(12 * log2(11) / log2(51) * 10 + 0.5) / 10, 1e-9);
    const yw_signal_t *s = find_sig(&a, "sources");
    REQUIRE(s);
    CHECK_NEAR(s->value, 3, 1e-9);
    CHECK_NEAR(s->contribution, floor(8.0 * 2 / 3 * 10 + 0.5) / 10, 1e-9);
    CHECK_EQ_INT(a.sources[YW_SRC_HOTLINE], 4);
    CHECK_EQ_INT(a.sources[YW_SRC_ONLINE], 3);
    CHECK_EQ_INT(a.sources[YW_SRC_GRID], 3);
    /* A single-source cluster has no corroboration signal. */
    observe(sc, "one", in_new(T0 + 8 * H, YW_SRC_GRID), &out);
    a = summary(sc, "one");
    CHECK(find_sig(&a, "sources") == NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_burst)
{
    /* New cluster: global prior mean 1, sd 1, beta 1.
     * 10 in an hour: z = (10 - 1) / (1 + 1) = 4.5; points = 12 * 2.5 / 6. */
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    for (int i = 0; i < 10; i++)
        observe(sc, "b", in_new(T0 + 3 * H + i * MIN, YW_SRC_HOTLINE), &out);
    yw_alert_t a = summary(sc, "b");
    const yw_signal_t *b = find_sig(&a, "burst");
    REQUIRE(b);
    CHECK_NEAR(b->value, 4.5, 1e-9);
    CHECK_NEAR(b->contribution, 5.0, 1e-9);
    CHECK(strstr(b->detail, "z=4.5") != NULL);
    /* 2 records: z = 0.5, no burst. */
    for (int i = 0; i < 2; i++)
        observe(sc, "q", in_new(T0 + 3 * H + i * MIN, YW_SRC_HOTLINE), &out);
    a = summary(sc, "q");
    CHECK(find_sig(&a, "burst") == NULL);
    yw_scorer_destroy(sc);

    /* The Poisson gate: with a tiny bias and spread, 3 records against a
     * mean of 1 give z = (3 - 1) / 0.2 = 10, but P(X >= 3 | 1) = 0.080 >
     * 0.01, so no points; 6 records (P = 0.0006) pass. */
    yw_score_conf_t c;
    yw_score_conf_defaults(&c);
    c.burst_beta = 0.1;
    c.global_prior_sd = 0.1;
    sc = yw_scorer_create(&c, NULL, 0);
    for (int i = 0; i < 3; i++)
        observe(sc, "g", in_new(T0 + 3 * H + i * MIN, YW_SRC_HOTLINE), &out);
    a = summary(sc, "g");
    CHECK(find_sig(&a, "burst") == NULL);
    for (int i = 0; i < 6; i++)
        observe(sc, "g6", in_new(T0 + 3 * H + i * MIN, YW_SRC_HOTLINE), &out);
    a = summary(sc, "g6");
    b = find_sig(&a, "burst");
    REQUIRE(b);
    CHECK_NEAR(b->value, (6 - 1) / 0.2, 1e-6);
    CHECK_NEAR(b->contribution, 12, 1e-9);   /* z 25 > saturation 8 */
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_burst_own_baseline)
{
    /* A cluster that always gets 10 a day is not bursting at 10, though 10
     * is far above the global mean: its own baseline gates it. */
    yw_score_conf_t c;
    conf_only(&c, YW_SIG_BURST, 12, 8);
    yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
    sink_t out = {0};
    for (int d = 0; d < 12; d++)
        for (int i = 0; i < 10; i++)
            observe(sc, "steady", in_new(T0 + d * D + 2 * H + i * H, YW_SRC_HOTLINE), &out);
    yw_alert_t a = summary(sc, "steady");
    CHECK(find_sig(&a, "burst") == NULL);
    /* The own baseline is an EWMA of its daily counts: 10 per day, with the
     * first (partial) day folded in too, so close to 10. */
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_growth)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    /* previous 3 days (days 0..2): 2 records; last 3 days (3..5): 6. */
    observe(sc, "g", in_new(T0 + 0 * D + 10 * H, YW_SRC_HOTLINE), &out);
    observe(sc, "g", in_new(T0 + 2 * D + 10 * H, YW_SRC_HOTLINE), &out);
    for (int i = 0; i < 6; i++)
        observe(sc, "g", in_new(T0 + (3 + i / 2) * D + (10 + i) * H, YW_SRC_HOTLINE), &out);
    yw_alert_t a = summary(sc, "g");
    const yw_signal_t *g = find_sig(&a, "growth");
    REQUIRE(g);
    /* prior 3 on both sides: (6 + 3) / (2 + 3); saturation 4 = 2 doublings */
    double ratio = (6.0 + 3) / (2.0 + 3);
    CHECK_NEAR(g->value, floor(ratio * 1000 + 0.5) / 1000, 1e-9);
    CHECK_NEAR(g->contribution, floor(10 * log2(ratio) / 2 * 10 + 0.5) / 10, 1e-9);
    /* A new cluster (first record inside the last 3 days) has nothing to
     * grow from: 0 -> 8 records is no growth, however many. */
    for (int i = 0; i < 8; i++)
        observe(sc, "new", in_new(T0 + 4 * D + i * H, YW_SRC_HOTLINE), &out);
    a = summary(sc, "new");
    CHECK(find_sig(&a, "growth") == NULL);
    /* Fewer than 5 recent records: no growth either ((4+3)/(0+3) > 1). */
    observe(sc, "few", in_new(T0 + 10 * H, YW_SRC_HOTLINE), &out);
    for (int i = 0; i < 4; i++)
        observe(sc, "few", in_new(T0 + 4 * D + i * H, YW_SRC_HOTLINE), &out);
    a = summary(sc, "few");
    CHECK(find_sig(&a, "growth") == NULL);
    /* flat: 3 and 3 -> no growth */
    for (int i = 0; i < 3; i++)
        observe(sc, "f", in_new(T0 + i * D + 10 * H, YW_SRC_HOTLINE), &out);
    for (int i = 0; i < 3; i++)
        observe(sc, "f", in_new(T0 + (3 + i) * D + 10 * H, YW_SRC_HOTLINE), &out);
    a = summary(sc, "f");
    CHECK(find_sig(&a, "growth") == NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

/* n records of cluster cl on day `day`, an hour apart from 08:00. */
static void on_day(yw_scorer_t *sc, const char *cl, int day, int n, sink_t *out)
{
    for (int i = 0; i < n; i++)
        observe(sc, cl, in_new(T0 + day * D + (8 + i % 12) * H + i * MIN, YW_SRC_HOTLINE), out);
}

TEST(test_trend)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    /* Three weeks rising: 4 (day 3), 7 (day 10), 12 (day 17).  On day 17
     * the weeks ending today hold 12, 7 and 4: each >= 1.4x the one
     * before, 12 >= 10 recent, 7 >= 3 before, the cluster 17 days old. */
    on_day(sc, "t", 3, 4, &out);
    on_day(sc, "t", 10, 7, &out);
    on_day(sc, "t", 17, 12, &out);
    yw_alert_t a = summary(sc, "t");
    const yw_signal_t *g = find_sig(&a, "trend");
    REQUIRE(g);
    double r = (12.0 + 3) / (4.0 + 3);          /* growth_prior 3 on both ends */
    CHECK_NEAR(g->value, floor(r * 1000 + 0.5) / 1000, 1e-9);
    /* points from trend_min_ratio 1.5 to saturation 4, log scale, weight 10 */
    CHECK_NEAR(g->contribution, floor(10 * log2(r / 1.5) / log2(4 / 1.5) * 10 + 0.5) / 10, 1e-9);
    CHECK(strstr(g->detail, "4→7→12") != NULL);

    /* A jump then a plateau (4, 12, 16: 16 < 1.4 x 12) is no trend. */
    on_day(sc, "p", 3, 4, &out);
    on_day(sc, "p", 10, 12, &out);
    on_day(sc, "p", 17, 16, &out);
    a = summary(sc, "p");
    CHECK(find_sig(&a, "trend") == NULL);

    /* The same rise in a cluster less than two weeks old: no trend. */
    on_day(sc, "y", 5, 4, &out);
    on_day(sc, "y", 10, 7, &out);
    on_day(sc, "y", 17, 12, &out);
    a = summary(sc, "y");
    CHECK(find_sig(&a, "trend") == NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);

    /* Trend alone at full weight scores 100 but lifts to orange, not red. */
    yw_score_conf_t c;
    conf_only(&c, YW_SIG_TREND, 100, 2);
    sc = yw_scorer_create(&c, NULL, 0);
    on_day(sc, "t", 3, 4, &out);
    on_day(sc, "t", 10, 7, &out);
    on_day(sc, "t", 17, 12, &out);
    a = summary(sc, "t");
    CHECK_NEAR(a.score, 100, 1e-9);
    CHECK_EQ_INT(a.level, YW_LEVEL_ORANGE);
    REQUIRE(out.n > 0);
    CHECK_EQ_INT(out.a[out.n - 1].level, YW_LEVEL_ORANGE);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

static void post_wide(yw_scorer_t *sc, const char *cl, int64_t t, int64_t reposts, sink_t *out)
{
    input_t *in = in_new(t, YW_SRC_ONLINE);
    in->rec.reposts = reposts;
    observe(sc, cl, in, out);
}

TEST(test_campaign)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    /* Three posts, each shared 100 times or more: a campaign of 3 (the
     * minimum), points 24 * log2(1 + 3) / log2(1 + 6). */
    for (int i = 0; i < 3; i++)
        post_wide(sc, "c", T0 + H, 100 + i, &out);
    yw_alert_t a = summary(sc, "c");
    const yw_signal_t *g = find_sig(&a, "campaign");
    REQUIRE(g);
    CHECK_NEAR(g->value, 3.0, 1e-9);
    CHECK_NEAR(g->contribution, floor(24 * 2 / log2(7) * 10 + 0.5) / 10, 1e-9);
    CHECK(strstr(g->detail, "3.0条") != NULL);

    /* One viral post among ordinary ones is spread, not a campaign; and a
     * post just under 100 interactions is not widely shared. */
    post_wide(sc, "v", T0 + H, 100000, &out);
    post_wide(sc, "v", T0 + H, 99, &out);
    post_wide(sc, "v", T0 + H, 2, &out);
    a = summary(sc, "v");
    CHECK(find_sig(&a, "campaign") == NULL);
    CHECK(find_sig(&a, "spread") != NULL);

    /* Three widely shared posts in a cluster of 11 records: 3 < 0.3 x 11,
     * the posts are a small part of it. */
    for (int i = 0; i < 3; i++)
        post_wide(sc, "m", T0 + H, 500, &out);
    for (int i = 0; i < 8; i++)
        observe(sc, "m", in_new(T0 + H, YW_SRC_HOTLINE), &out);
    a = summary(sc, "m");
    CHECK(find_sig(&a, "campaign") == NULL);
    /* A fourth makes 4 >= 0.3 x 12. */
    post_wide(sc, "m", T0 + H, 500, &out);
    a = summary(sc, "m");
    CHECK(find_sig(&a, "campaign") != NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);

    /* Like trend, a campaign alone lifts a cluster to orange, not red. */
    yw_score_conf_t c;
    conf_only(&c, YW_SIG_CAMPAIGN, 100, 1);
    sc = yw_scorer_create(&c, NULL, 0);
    for (int i = 0; i < 3; i++)
        post_wide(sc, "c", T0 + H, 1000, &out);
    a = summary(sc, "c");

    CHECK_NEAR(a.score, 100, 1e-9);
    CHECK_EQ_INT(a.level, YW_LEVEL_ORANGE);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_people_and_repeat)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    for (int p = 0; p < 5; p++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        in_person(in, p);
        observe(sc, "many", in, &out);
    }
    yw_alert_t a = summary(sc, "many");
    CHECK_EQ_INT(a.people, 5);
    CHECK_EQ_INT(a.repeat_contacts, 0);
    const yw_signal_t *pp = find_sig(&a, "people");
    REQUIRE(pp);
    CHECK_NEAR(pp->value, 5, 1e-9);
    CHECK_NEAR(pp->contribution, floor(14 * log2(5) / log2(20) * 10 + 0.5) / 10, 1e-9);
    CHECK(find_sig(&a, "repeat") == NULL);

    /* one person five times: no people signal, 4 repeats */
    for (int i = 0; i < 5; i++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        in_person(in, 9);
        observe(sc, "same", in, &out);
    }
    a = summary(sc, "same");
    CHECK_EQ_INT(a.people, 1);
    CHECK_EQ_INT(a.repeat_contacts, 4);
    CHECK(find_sig(&a, "people") == NULL);
    const yw_signal_t *r = find_sig(&a, "repeat");
    REQUIRE(r);
    CHECK_NEAR(r->value, 4, 1e-9);
    CHECK_NEAR(r->contribution, floor(6 * log2(5) / log2(11) * 10 + 0.5) / 10, 1e-9);

    /* repeat_count: a caller on their 4th call is 3 repeats, and their
     * next record (5th call) one more, not 4 more. */
    input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
    in_person(in, 3);
    in->rec.repeat_count = 4;
    observe(sc, "rc", in, &out);
    a = summary(sc, "rc");
    CHECK_EQ_INT(a.repeat_contacts, 3);
    in = in_new(T0 + H, YW_SRC_HOTLINE);
    in_person(in, 3);
    in->rec.repeat_count = 5;
    observe(sc, "rc", in, &out);
    a = summary(sc, "rc");
    CHECK_EQ_INT(a.repeat_contacts, 4);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_people_sketch)
{
    /* Beyond the exact set the count is a linear-counting estimate. */
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    for (int p = 0; p < 300; p++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        in_person(in, p);
        in->rec.person_hmac[5] = (uint8_t)(p >> 8);
        in->rec.person_hmac[6] = (uint8_t)p;
        observe(sc, "big", in, &out);
    }
    yw_alert_t a = summary(sc, "big");
    CHECK(a.people > 270 && a.people < 330);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_rule_kinds_and_outcomes)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    for (int i = 0; i < 2; i++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        in->feat.kind_weight[YW_RULE_ESCALATION] = 1;
        in->feat.kind_weight[YW_RULE_EMOTION] = 1;
        in->feat.kind_weight[YW_RULE_DOMAIN] = 0.5f;
        in->feat.kind_weight[YW_RULE_DEFLECTION] = 1;
        in->rec.outcome = i ? YW_OUTCOME_DISSATISFIED : YW_OUTCOME_UNRESOLVED;
        observe(sc, "k", in, &out);
    }
    observe(sc, "k", in_new(T0 + H, YW_SRC_HOTLINE), &out);   /* plain */
    yw_alert_t a = summary(sc, "k");
    struct { const char *name; double value, pts; } want[] = {
        { "escalation", 2, 12.0 * 2 / 3 },
        { "emotion", 2, 6.0 * 2 / 4 },
        { "domain", 1, 6.0 * 1 / 2 },
        { "deflection", 2, 4.0 * 2 / 2 },
        { "outcome", 2, 5.0 * 2 / 3 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const yw_signal_t *s = find_sig(&a, want[i].name);
        CHECK(s != NULL);
        if (!s)
            continue;
        CHECK_NEAR(s->value, want[i].value, 1e-9);
        CHECK_NEAR(s->contribution, floor(want[i].pts * 10 + 0.5) / 10, 1e-9);
    }
    /* Resolved and pending outcomes and no rule hits: none of those. */
    input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
    in->rec.outcome = YW_OUTCOME_RESOLVED;
    observe(sc, "calm", in, &out);
    in = in_new(T0 + H, YW_SRC_HOTLINE);
    in->rec.outcome = YW_OUTCOME_PENDING;
    observe(sc, "calm", in, &out);
    a = summary(sc, "calm");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK(find_sig(&a, want[i].name) == NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_decay)
{
    /* Half-life 72 h: escalation weight 2 seen 72 h ago counts 1 now. */
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    input_t *in = in_new(T0, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 2;
    observe(sc, "d", in, &out);
    observe(sc, "d", in_new(T0 + 72 * H, YW_SRC_HOTLINE), &out);
    yw_alert_t a = summary(sc, "d");
    const yw_signal_t *s = find_sig(&a, "escalation");
    REQUIRE(s);
    CHECK_NEAR(s->value, 1.0, 1e-9);
    CHECK_NEAR(s->contribution, 4.0, 1e-9);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_spread_and_concentration)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    input_t *in = in_new(T0 + H, YW_SRC_ONLINE);
    in->rec.reposts = 60;
    in->rec.comments = 29;
    in->rec.likes = 100;          /* counts a tenth: 60 + 29 + 10 = 99 */
    observe(sc, "s", in, &out);
    yw_alert_t a = summary(sc, "s");
    const yw_signal_t *s = find_sig(&a, "spread");
    REQUIRE(s);
    CHECK_NEAR(s->value, 2.0, 1e-9);               /* log10(1 + 99) */
    CHECK_NEAR(s->contribution, 3.0, 1e-9);        /* 6 * 2 / 4 */

    /* 4 records in one community: share 1, activity 4/5. */
    for (int i = 0; i < 4; i++) {
        in = in_new(T0 + H, YW_SRC_HOTLINE);
        in->rec.district = str("雨花区");
        in->rec.street = str("洞井街道");
        in->rec.community = str("鑫天山水洲城社区");
        observe(sc, "place", in, &out);
    }
    a = summary(sc, "place");
    s = find_sig(&a, "concentration");
    REQUIRE(s);
    CHECK_NEAR(s->value, 1.0, 1e-9);
    CHECK_NEAR(s->contribution, 3.2, 1e-9);        /* 4 * 1 * 4/5 */
    /* 4 records in 4 streets: share 0.25 < 0.5, nothing. */
    const char *streets[] = { "a街道", "b街道", "c街道", "d街道" };
    for (int i = 0; i < 4; i++) {
        in = in_new(T0 + H, YW_SRC_HOTLINE);
        in->rec.street = str(streets[i]);
        observe(sc, "spread-out", in, &out);
    }
    a = summary(sc, "spread-out");
    CHECK(find_sig(&a, "concentration") == NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_selfharm_escalates_at_once)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_SELFHARM] = 1;
    observe(sc, "sh", in, &out);
    REQUIRE(out.n == 1);
    CHECK_EQ_INT(out.a[0].level, YW_LEVEL_ORANGE);
    CHECK_EQ_INT(out.a[0].prev_level, YW_LEVEL_NONE);
    CHECK(find_sig(&out.a[0], "selfharm") != NULL);
    CHECK(out.a[0].score < 25);      /* the floor, not the points, did it */
    sink_free(&out);
    yw_scorer_destroy(sc);
}

/* ---- levels -------------------------------------------------------------- */

TEST(test_hysteresis_no_flap)
{
    /* Only escalation scores, 1 point per unit; half-life 1 h.  The score
     * is pushed to 26 (blue at 25), decays to 23.2 ten minutes later, is
     * pushed back to 26, and so on: it hovers across the threshold. */
    for (int variant = 0; variant < 2; variant++) {
        yw_score_conf_t c;
        conf_only(&c, YW_SIG_ESCALATION, 100, 100);
        c.half_life_h = 1;
        c.cooldown_ms = 0;
        c.fall_hold_ms = 0;     /* hysteresis alone (the hold has its own test) */
        if (variant == 1)
            c.hysteresis = 0;   /* control: without the margin it flaps */
        yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
        sink_t out = {0};
        double e = 0;
        int64_t t = T0;
        for (int k = 0; k < 12; k++) {
            input_t *in = in_new(t, YW_SRC_HOTLINE);
            in->feat.kind_weight[YW_RULE_ESCALATION] = (float)(26 - e);
            e = e + (double)in->feat.kind_weight[YW_RULE_ESCALATION];
            observe(sc, "h", in, &out);
            t += 10 * MIN;
            e *= exp2(-10.0 / 60);
            observe(sc, "h", in_new(t, YW_SRC_HOTLINE), &out);  /* dip ~23.2 */
            t += 10 * MIN;
            e *= exp2(-10.0 / 60);
        }
        if (variant == 0) {
            CHECK_EQ_INT(out.n, 1);
            CHECK_EQ_INT(out.a[0].level, YW_LEVEL_BLUE);
        } else {
            CHECK(out.n >= 20);
        }
        sink_free(&out);
        yw_scorer_destroy(sc);
    }
}

TEST(test_fall_hold)
{
    /* Only escalation scores, 1 point per unit, half-life 10 h: one record
     * worth 70 raises the cluster to orange; the score falls below orange's
     * fall line (58) about 3 h later.  With fall_hold_ms 72 h the cluster
     * stays orange until it has been below that line for 72 h; a second
     * record 48 h later lifts it back above 66 -- no new alert, and the
     * clock starts again. */
    yw_score_conf_t c;
    conf_only(&c, YW_SIG_ESCALATION, 100, 100);
    c.half_life_h = 10;
    c.cooldown_ms = 0;
    c.fall_hold_ms = 72 * H;
    yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
    sink_t out = {0};
    input_t *in = in_new(T0, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 70;
    observe(sc, "f", in, &out);
    REQUIRE(out.n == 1);
    CHECK_EQ_INT(out.a[0].level, YW_LEVEL_ORANGE);
    yw_score_tick(sc, T0 + 48 * H, collect, &out);
    CHECK_EQ_INT(out.n, 1);                         /* held, though ~2.6 points */
    in = in_new(T0 + 48 * H, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 66;
    observe(sc, "f", in, &out);
    CHECK_EQ_INT(out.n, 1);                         /* still orange: no re-alert */
    /* below 58 from ~T0+50.3h: not down at T0+120h (< 72 h), down by 123 h */
    yw_score_tick(sc, T0 + 120 * H, collect, &out);
    CHECK_EQ_INT(out.n, 1);
    yw_score_tick(sc, T0 + 124 * H, collect, &out);
    REQUIRE(out.n == 2);
    CHECK_EQ_INT(out.a[1].prev_level, YW_LEVEL_ORANGE);
    CHECK_EQ_INT(out.a[1].level, YW_LEVEL_NONE);
    CHECK(out.a[1].event_time >= T0 + 50 * H + 72 * H);
    CHECK(out.a[1].event_time <= T0 + 124 * H);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_cooldown)
{
    yw_score_conf_t c;
    conf_only(&c, YW_SIG_ESCALATION, 100, 100);
    yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
    sink_t out = {0};
    input_t *in = in_new(T0, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 30;
    observe(sc, "c", in, &out);
    REQUIRE(out.n == 1);
    CHECK_EQ_INT(out.a[0].level, YW_LEVEL_BLUE);
    /* +1 h: 50 -> yellow, but within the 6 h cooldown: held. */
    in = in_new(T0 + H, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 20;
    observe(sc, "c", in, &out);
    CHECK_EQ_INT(out.n, 1);
    /* The summary says why it is still blue at a yellow score. */
    yw_alert_t sum;
    REQUIRE(yw_score_summary(sc, "c", &sum) == 0);
    CHECK_EQ_INT(sum.level, YW_LEVEL_BLUE);
    int held = -1;
    for (int i = 0; i < sum.nsignals; i++)
        if (strcmp(sum.signals[i].name, "held") == 0)
            held = i;
    REQUIRE(held >= 0);
    CHECK(sum.signals[held].contribution == 0);
    CHECK_EQ_INT((int)sum.signals[held].value, YW_LEVEL_YELLOW);
    CHECK(strstr(sum.signals[held].detail, "冷却") != NULL);
    /* The watermark passing T0 + 6 h releases it, at that event time. */
    yw_score_tick(sc, T0 + 5 * H, collect, &out);
    CHECK_EQ_INT(out.n, 1);
    yw_score_tick(sc, T0 + 7 * H, collect, &out);
    REQUIRE(out.n == 2);
    CHECK_EQ_INT(out.a[1].level, YW_LEVEL_YELLOW);
    CHECK_EQ_INT(out.a[1].prev_level, YW_LEVEL_BLUE);
    CHECK_EQ_INT(out.a[1].event_time, T0 + 6 * H);
    /* Released: nothing held any more. */
    REQUIRE(yw_score_summary(sc, "c", &sum) == 0);
    for (int i = 0; i < sum.nsignals; i++)
        CHECK(strcmp(sum.signals[i].name, "held") != 0);
    /* A jump by two levels goes through the cooldown at once. */
    in = in_new(T0 + 7 * H, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 45;       /* 95: red (90) */
    observe(sc, "c", in, &out);
    REQUIRE(out.n == 3);
    CHECK_EQ_INT(out.a[2].level, YW_LEVEL_RED);
    CHECK_EQ_INT(out.a[2].prev_level, YW_LEVEL_YELLOW);
    yw_score_stats_t st;
    yw_score_stats(sc, &st);
    CHECK(st.cooldown_blocked >= 1);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_warmup)
{
    /* Self-harm-free escalation worth 95 points on day 0 of the stream: the
     * warm-up (7 days) holds it at yellow; the same on day 7 is red. */
    yw_score_conf_t c;
    conf_only(&c, YW_SIG_ESCALATION, 100, 100);
    c.warmup_days = 7;
    yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
    sink_t out = {0};
    input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 95;
    observe(sc, "early", in, &out);
    REQUIRE(out.n == 1);
    CHECK_EQ_INT(out.a[0].level, YW_LEVEL_YELLOW);
    CHECK_NEAR(out.a[0].score, 95, 1e-9);
    /* The alert itself says the warm-up holds it at yellow, worth 0 points. */
    const yw_signal_t *hs = NULL;
    for (int i = 0; i < out.a[0].nsignals; i++)
        if (strcmp(out.a[0].signals[i].name, "held") == 0)
            hs = &out.a[0].signals[i];
    REQUIRE(hs != NULL);
    CHECK(hs->contribution == 0);
    CHECK_EQ_INT((int)hs->value, YW_LEVEL_RED);
    CHECK(strstr(hs->detail, "预热") != NULL);
    in = in_new(T0 + 7 * D + H, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_ESCALATION] = 95;
    observe(sc, "late", in, &out);
    int red = 0;
    for (int i = 0; i < out.n; i++)
        red += strcmp(out.a[i].cluster, "late") == 0 && out.a[i].level == YW_LEVEL_RED;
    CHECK_EQ_INT(red, 1);
    /* Self-harm is not held by the warm-up. */
    sink_free(&out);
    yw_scorer_destroy(sc);
    sc = yw_scorer_create(NULL, NULL, 0);
    in = in_new(T0 + H, YW_SRC_HOTLINE);
    in->feat.kind_weight[YW_RULE_SELFHARM] = 1;
    observe(sc, "sh", in, &out);
    REQUIRE(out.n == 1);
    CHECK_EQ_INT(out.a[0].level, YW_LEVEL_ORANGE);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_focus_and_rates)
{
    /* Size signals are discounted when records spread over streets; the
     * language signals count as a share of the records. */
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    /* 10 records, one person each, 5 streets x 2: share 0.2 <= focus_lo
     * 0.4, so volume and people are multiplied by focus_floor 0.3. */
    const char *streets[] = { "a街道", "b街道", "c街道", "d街道", "e街道" };
    for (int i = 0; i < 10; i++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        in_person(in, 500 + i);
        in->rec.street = str(streets[i % 5]);
        observe(sc, "wide", in, &out);
    }
    yw_alert_t a = summary(sc, "wide");
    const yw_signal_t *v = find_sig(&a, "volume");
    REQUIRE(v);
    CHECK_NEAR(v->contribution, floor(0.3 * 12 * log2(11) / log2(51) * 10 + 0.5) / 10, 1e-9);
    const yw_signal_t *p = find_sig(&a, "people");
    REQUIRE(p);
    CHECK_NEAR(p->contribution, floor(0.3 * 14 * log2(10) / log2(20) * 10 + 0.5) / 10, 1e-9);
    /* A street-only record agrees with street + community: 6 records, 3
     * name the community too, all one street: share 1, no discount; 4 of
     * 6 streets the same would be share 0.667: focus 0.3 + 0.7 * 0.667. */
    for (int i = 0; i < 6; i++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        in->rec.district = str("雨花区");
        in->rec.street = str("洞井街道");
        if (i % 2)
            in->rec.community = str("鑫天山水洲城社区");
        observe(sc, "one", in, &out);
    }
    a = summary(sc, "one");
    v = find_sig(&a, "volume");
    REQUIRE(v);
    CHECK_NEAR(v->contribution, floor(12 * log2(7) / log2(51) * 10 + 0.5) / 10, 1e-9);
    for (int i = 0; i < 6; i++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        in->rec.street = str(i < 4 ? "a街道" : streets[i - 3]);
        observe(sc, "most", in, &out);
    }
    a = summary(sc, "most");
    v = find_sig(&a, "volume");
    REQUIRE(v);
    double f = 0.3 + 0.7 * ((4.0 / 6 - 0.4) / 0.4);
    CHECK_NEAR(v->contribution, floor(f * 12 * log2(7) / log2(51) * 10 + 0.5) / 10, 1e-9);

    /* Escalation weight 3 in one record of 20: sum 3 saturates (sat 3) but
     * the rate is 3/20 = 0.15 of rate_sat 0.3: half the points. */
    for (int i = 0; i < 20; i++) {
        input_t *in = in_new(T0 + H, YW_SRC_HOTLINE);
        if (i == 0)
            in->feat.kind_weight[YW_RULE_ESCALATION] = 3;
        observe(sc, "diluted", in, &out);
    }
    a = summary(sc, "diluted");
    const yw_signal_t *e = find_sig(&a, "escalation");
    REQUIRE(e);
    CHECK_NEAR(e->value, 3, 1e-9);
    CHECK_NEAR(e->contribution, 12 * 0.5, 1e-9);
    CHECK(strstr(e->detail, "每条0.15") != NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

/* ---- the planted escalation ---------------------------------------------- */

/* Day d: 2^(d+1) records, more people, more sources, rising emotion and,
 * from day 2, escalation language; 30 unrelated singletons a day around
 * it, all in event-time order.  Then 14 quiet days. */
static void plant(yw_scorer_t *sc, sink_t *out)
{
    int person = 1000;
    char bg[32];
    int nbg = 0;
    for (int d = 0; d < 5; d++) {
        int n = 2 << d, ib = 0;
        for (int i = 0; i <= n; i++) {
            int64_t t = T0 + d * D + 8 * H + (int64_t)i * (14 * H / n);
            /* background singletons up to this time (all the rest at the end) */
            for (; ib < 30; ib++) {
                int64_t tb = T0 + d * D + (int64_t)ib * (24 * H / 30) + 7 * MIN;
                if (i < n && tb > t)
                    break;
                snprintf(bg, sizeof bg, "bg-%d", nbg++);
                input_t *in = in_new(tb, (yw_source_t)(ib % 4));
                in_person(in, 100000 + nbg);
                yw_score_observe(sc, bg, &in->rec, &in->feat, NULL, collect, out);
            }
            if (i == n)
                break;
            int nsrc = d < 2 ? 1 : d;                /* 1,1,2,3,4 */
            input_t *in = in_new(t, (yw_source_t)(i % nsrc));
            /* two in three records are new people, the rest repeats */
            in_person(in, (i % 3 == 2) ? person - 1 : person++);
            in->feat.kind_weight[YW_RULE_DOMAIN] = 1;
            in->feat.kind_weight[YW_RULE_EMOTION] = (float)(d * 0.25);
            if (d >= 2 && i % 4 == 0)
                in->feat.kind_weight[YW_RULE_ESCALATION] = 1;
            if (d >= 1 && i % 2 == 0)
                in->rec.outcome = YW_OUTCOME_UNRESOLVED;
            in->rec.district = str("雨花区");
            in->rec.street = str("洞井街道");
            in->rec.community = str("鑫天山水洲城社区");
            if (in->rec.source == YW_SRC_ONLINE)
                in->rec.reposts = 20 * (d + 1);
            yw_alert_t view;
            memset(&view, 0, sizeof view);
            snprintf(view.title, sizeof view.title, "鑫天山水洲城 欠薪");
            view.nsamples = 1;
            snprintf(view.sample_ids[0], sizeof view.sample_ids[0], "hl-%d-%d", d, i);
            yw_score_observe(sc, "planted", &in->rec, &in->feat, &view, collect, out);
        }
    }
    /* quiet: only the watermark moves, a day at a time (each level is
     * held 72 h below its fall line: fall_hold_ms) */
    for (int d = 5; d < 30; d++)
        yw_score_tick(sc, T0 + d * D, collect, out);
}

TEST(test_planted_escalation)
{
    /* Defaults, but this stream starts with the issue: no warm-up (the
     * warm-up has its own test). */
    yw_score_conf_t c;
    yw_score_conf_defaults(&c);
    c.warmup_days = 0;
    yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
    sink_t out = {0};
    plant(sc, &out);
    int rises[8], nr = 0, downs = 0, last_level = 0;
    int64_t last_t = 0;
    for (int i = 0; i < out.n; i++) {
        const yw_alert_t *a = &out.a[i];
        if (getenv("YW_TEST_VERBOSE"))
            fprintf(stderr, "%s %s %s->%s score %.1f t+%.1fh\n", a->cluster,
                    a->kind == YW_ALERT_PERSON ? "person" : "cluster",
                    yw_level_name(a->prev_level), yw_level_name(a->level),
                    a->score, (double)(a->event_time - T0) / H);
        if (getenv("YW_TEST_VERBOSE"))
            for (int k = 0; k < a->nsignals; k++)
                fprintf(stderr, "    %-13s value %-8g +%-5g %s\n",
                        a->signals[k].name, a->signals[k].value,
                        a->signals[k].contribution, a->signals[k].detail);
        if (a->kind != YW_ALERT_CLUSTER)
            continue;
        CHECK_EQ_STR(a->cluster, "planted");   /* no background alerts */
        CHECK(a->event_time >= last_t);
        last_t = a->event_time;
        CHECK_EQ_INT(a->prev_level, last_level);
        last_level = a->level;
        if (a->level > a->prev_level) {
            CHECK(downs == 0);
            if (nr < 8)
                rises[nr++] = a->level;
            CHECK_EQ_STR(a->title, "鑫天山水洲城 欠薪");
            CHECK_EQ_INT(a->nsamples, 1);
        } else {
            downs++;
        }
        for (int k = 0; k < a->nsignals; k++) {
            CHECK(yw_utf8_valid(a->signals[k].detail, strlen(a->signals[k].detail)));
            CHECK(strlen(a->signals[k].detail) < sizeof a->signals[k].detail - 1);
            CHECK(a->signals[k].contribution > 0);
        }
    }
    /* Blue, yellow, orange, one level at a time.  Red (90) is for more
     * than this five-day toy shows: no red. */
    CHECK_EQ_INT(nr, 3);
    if (nr == 3) {
        CHECK_EQ_INT(rises[0], YW_LEVEL_BLUE);
        CHECK_EQ_INT(rises[1], YW_LEVEL_YELLOW);
        CHECK_EQ_INT(rises[2], YW_LEVEL_ORANGE);
    }
    CHECK(downs >= 1);
    CHECK_EQ_INT(last_level, YW_LEVEL_NONE);
    yw_alert_t a = summary(sc, "planted");
    CHECK_EQ_INT(a.level, YW_LEVEL_NONE);
    CHECK_EQ_INT(a.records, 2 + 4 + 8 + 16 + 32);
    yw_score_stats_t st;
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.late, 0);
    CHECK(st.tick_evaluations > 0);
    /* Only the planted cluster ever had a level, so only it is re-evaluated
     * by the watermark: at most once an hour for the 20 days. */
    CHECK(st.tick_evaluations <= 20 * 24);
    CHECK_EQ_INT(st.clusters, 151);
    CHECK_EQ_INT(st.clusters_with_rings, 1);     /* background stayed inline */
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_deterministic_ids)
{
    sink_t a = {0}, b = {0};
    yw_scorer_t *s1 = yw_scorer_create(NULL, NULL, 0);
    yw_scorer_t *s2 = yw_scorer_create(NULL, NULL, 0);
    plant(s1, &a);
    plant(s2, &b);
    REQUIRE(a.n == b.n && a.n > 0);
    for (int i = 0; i < a.n; i++) {
        CHECK_EQ_STR(a.a[i].alert_id, b.a[i].alert_id);
        CHECK_EQ_INT(a.a[i].level, b.a[i].level);
        CHECK_EQ_INT(a.a[i].event_time, b.a[i].event_time);
        CHECK(a.a[i].score == b.a[i].score);
        CHECK_EQ_INT(strlen(a.a[i].alert_id), 32);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(a.a[i].alert_id, a.a[j].alert_id) != 0);
    }
    sink_free(&a);
    sink_free(&b);
    yw_scorer_destroy(s1);
    yw_scorer_destroy(s2);
}

/* ---- person-level escalation ---------------------------------------------- */

/* A 12345 contact by person `who`: answered either way -- by a reply that
 * hits a deflection rule (deflected), or closed as resolved. */
static void contact(yw_scorer_t *sc, const char *cl, int who, int64_t t,
                    float emo, bool deflected, sink_t *out)
{
    input_t *in = in_new(t, YW_SRC_HOTLINE);
    in_person(in, who);
    in->feat.kind_weight[YW_RULE_EMOTION] = emo;
    if (deflected)
        in->feat.kind_weight[YW_RULE_DEFLECTION] = 1;
    else
        in->rec.outcome = YW_OUTCOME_RESOLVED;
    observe(sc, cl, in, out);
}

/* The same person by another channel without an answer (a post, a 110
 * call): a contact, but nothing to be deflected by. */
static void post(yw_scorer_t *sc, const char *cl, int who, int64_t t, float emo,
                 sink_t *out)
{
    input_t *in = in_new(t, YW_SRC_ONLINE);
    in_person(in, who);
    in->feat.kind_weight[YW_RULE_EMOTION] = emo;
    observe(sc, cl, in, out);
}

static int count_person(const sink_t *s)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += s->a[i].kind == YW_ALERT_PERSON;
    return n;
}

TEST(test_person_alert)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    /* yellow: >= 4 contacts, >= 3 deflected, latest emotion above the
     * first.  Three contacts are not enough yet. */
    contact(sc, "p", 7, T0, 0, true, &out);
    contact(sc, "p", 7, T0 + D, 1, true, &out);
    contact(sc, "p", 7, T0 + 2 * D, 1.5f, true, &out);
    CHECK_EQ_INT(count_person(&out), 0);
    contact(sc, "p", 7, T0 + 3 * D, 2, true, &out);
    CHECK_EQ_INT(count_person(&out), 1);
    const yw_alert_t *a = NULL;
    for (int i = 0; i < out.n; i++)
        if (out.a[i].kind == YW_ALERT_PERSON)
            a = &out.a[i];
    REQUIRE(a);
    CHECK_EQ_INT(a->level, YW_LEVEL_YELLOW);
    CHECK_EQ_STR(a->cluster, "p");
    /* "p:" + the first 8 bytes of the HMAC in hex */
    char want[19] = "p:";
    for (int i = 0; i < 8; i++)
        snprintf(want + 2 + 2 * i, 3, "%02x", (unsigned)(7 * 37 + i * 11 + 1) & 0xff);
    CHECK_EQ_STR(a->person, want);
    CHECK_EQ_INT(a->records, 4);
    CHECK_EQ_INT(a->event_time, T0 + 3 * D);
    CHECK(find_sig(a, "deflections") != NULL);
    CHECK(find_sig(a, "emotion_rise") != NULL);
    /* orange: >= 5 deflected and >= 70% of the contacts deflected: the
     * fifth contact, deflected again, is 5 of 5. */
    contact(sc, "p", 7, T0 + 4 * D, 2, true, &out);
    CHECK_EQ_INT(count_person(&out), 2);
    a = &out.a[out.n - 1];
    CHECK_EQ_INT(a->kind, YW_ALERT_PERSON);
    CHECK_EQ_INT(a->level, YW_LEVEL_ORANGE);
    CHECK_EQ_INT(a->prev_level, YW_LEVEL_YELLOW);
    CHECK_EQ_INT(a->records, 5);
    /* The person's state follows them to another cluster: a sixth contact
     * in "p2" raises nothing new.  A seventh carries self-harm language:
     * the person is at orange already (their person alert said so), so it
     * does not floor "p2" to orange as well -- one angry caller split over
     * two clusters is one issue and one orange alert.  The self-harm
     * points still count in p2's score. */
    contact(sc, "p2", 7, T0 + 5 * D, 2, true, &out);
    CHECK_EQ_INT(count_person(&out), 2);
    int before = out.n;
    {
        input_t *in = in_new(T0 + 6 * D, YW_SRC_HOTLINE);
        in_person(in, 7);
        in->feat.kind_weight[YW_RULE_SELFHARM] = 1;
        observe(sc, "p2", in, &out);
    }
    CHECK_EQ_INT(out.n, before);
    yw_alert_t sum;
    REQUIRE(yw_score_summary(sc, "p2", &sum) == 0);
    CHECK(sum.level < YW_LEVEL_ORANGE);
    CHECK(find_sig(&sum, "selfharm") != NULL);

    /* Self-harm language from someone not yet alerted floors their cluster
     * at orange at once (a new caller, first contact). */
    {
        input_t *in = in_new(T0 + 6 * D + H, YW_SRC_HOTLINE);
        in_person(in, 15);
        in->feat.kind_weight[YW_RULE_SELFHARM] = 1;
        observe(sc, "p3", in, &out);
    }
    REQUIRE(out.n == before + 1);
    a = &out.a[out.n - 1];
    CHECK_EQ_INT(a->kind, YW_ALERT_CLUSTER);
    CHECK_EQ_STR(a->cluster, "p3");
    CHECK_EQ_INT(a->level, YW_LEVEL_ORANGE);
    CHECK_EQ_INT(a->event_time, T0 + 6 * D + H);

    /* A person rising to a level their cluster already holds gets no alert:
     * a fresh caller's first two contacts carry self-harm language; the
     * first raises cluster "sh" to orange (floor), the second makes the
     * person tracked at orange -- held by the cluster, so nothing. */
    before = count_person(&out);
    for (int k = 0; k < 2; k++) {
        input_t *in = in_new(T0 + 6 * D + (k + 1) * H, YW_SRC_HOTLINE);
        in_person(in, 12);
        in->feat.kind_weight[YW_RULE_SELFHARM] = 1;
        observe(sc, "sh", in, &out);
    }
    CHECK_EQ_INT(count_person(&out), before);

    /* Deflected 5 times of 8 (62.5% < 70%): yellow, not orange.  Emotion
     * rises 0..7; contacts 1-3 answered, 4-8 deflected: yellow at the 6th
     * (3 deflected), still yellow at the 8th (5 deflected). */
    for (int k = 0; k < 8; k++)
        contact(sc, "mixed", 11, T0 + 7 * D + k * H, (float)k, k >= 3, &out);
    CHECK_EQ_INT(count_person(&out), 3);
    for (int i = 0; i < out.n; i++)
        if (out.a[i].kind == YW_ALERT_PERSON)
            a = &out.a[i];
    CHECK_EQ_STR(a->cluster, "mixed");
    CHECK_EQ_INT(a->level, YW_LEVEL_YELLOW);

    /* Control: deflected four times but calm -> no person alert. */
    for (int k = 0; k < 4; k++)
        contact(sc, "calm", 8, T0 + 8 * D + k * H, 1, true, &out);
    CHECK_EQ_INT(count_person(&out), 3);
    /* Rising emotion but never deflected -> none either. */
    for (int k = 0; k < 4; k++)
        contact(sc, "heard", 9, T0 + 8 * D + k * H, (float)k, false, &out);
    CHECK_EQ_INT(count_person(&out), 3);
    /* Rising emotion, four contacts, but only two deflected -> none. */
    for (int k = 0; k < 4; k++)
        contact(sc, "twice", 10, T0 + 9 * D + k * H, (float)k, k < 2, &out);
    CHECK_EQ_INT(count_person(&out), 3);

    /* Unanswered contacts do not dilute the deflected share: 5 deflected
     * calls with 4 posts between them (5 of 9 contacts, but 5 of 5
     * answered) -> yellow at the third call, orange at the fifth. */
    for (int k = 0; k < 5; k++) {
        contact(sc, "posts", 13, T0 + 10 * D + 2 * k * H, (float)k, true, &out);
        if (k < 4)
            post(sc, "posts", 13, T0 + 10 * D + (2 * k + 1) * H, (float)k, &out);
    }
    CHECK_EQ_INT(count_person(&out), 5);
    a = &out.a[out.n - 1];
    CHECK_EQ_INT(a->kind, YW_ALERT_PERSON);
    CHECK_EQ_STR(a->cluster, "posts");
    CHECK_EQ_INT(a->level, YW_LEVEL_ORANGE);
    CHECK_EQ_INT(a->records, 9);

    /* Unresolved six times, angrier each time, but never refused by a
     * reply (no deflection rule hit: the case is merely open) -> yellow,
     * not orange (person_orange_refusals = 3). */
    for (int k = 0; k < 6; k++) {
        input_t *in = in_new(T0 + 11 * D + k * H, YW_SRC_HOTLINE);
        in_person(in, 14);
        in->feat.kind_weight[YW_RULE_EMOTION] = (float)k;
        in->rec.outcome = YW_OUTCOME_UNRESOLVED;
        observe(sc, "open", in, &out);
    }
    CHECK_EQ_INT(count_person(&out), 6);
    a = &out.a[out.n - 1];
    CHECK_EQ_STR(a->cluster, "open");
    CHECK_EQ_INT(a->level, YW_LEVEL_YELLOW);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_person_refused_without_rise)
{
    /* Angry from the first call (emotion 2 every time): their emotion
     * cannot rise, so four refusals raise nothing.  The fifth refusal
     * (person_refusals_alone = 5) stands in for the rise: 5 contacts, all
     * deflected and refused -> orange at once. */
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    for (int k = 0; k < 4; k++)
        contact(sc, "angry", 21, T0 + k * D, 2, true, &out);
    CHECK_EQ_INT(count_person(&out), 0);
    contact(sc, "angry", 21, T0 + 4 * D, 2, true, &out);
    REQUIRE(count_person(&out) == 1);
    const yw_alert_t *a = &out.a[out.n - 1];
    CHECK_EQ_INT(a->kind, YW_ALERT_PERSON);
    CHECK_EQ_INT(a->level, YW_LEVEL_ORANGE);
    CHECK_EQ_INT(a->records, 5);
    CHECK(find_sig(a, "emotion_rise") == NULL);
    sink_free(&out);
    yw_scorer_destroy(sc);

    /* The same calls with person_refusals_alone 6: still nothing. */
    yw_score_conf_t c;
    yw_score_conf_defaults(&c);
    c.person_refusals_alone = 6;
    sc = yw_scorer_create(&c, NULL, 0);
    for (int k = 0; k < 5; k++)
        contact(sc, "angry", 21, T0 + k * D, 2, true, &out);
    CHECK_EQ_INT(count_person(&out), 0);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_person_alert_names_home_cluster)
{
    /* Five refused 12345 calls, calm (no rise yet), in cluster "home";
     * then an angry 110 call that the clusterer put in "street": that
     * call completes the pattern, and the alert names "home", the cluster
     * of the latest answered contact, where the grievance is on record.
     * (Refusals alone would raise the fifth call: not what is tested.) */
    yw_score_conf_t c;
    yw_score_conf_defaults(&c);
    c.person_refusals_alone = 100;
    yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
    sink_t out = {0};
    for (int k = 0; k < 5; k++)
        contact(sc, "home", 21, T0 + k * D, 1, true, &out);
    CHECK_EQ_INT(count_person(&out), 0);
    input_t *in = in_new(T0 + 5 * D, YW_SRC_POLICE);
    in_person(in, 21);
    in->feat.kind_weight[YW_RULE_EMOTION] = 3;
    observe(sc, "street", in, &out);
    REQUIRE(count_person(&out) == 1);
    const yw_alert_t *a = &out.a[out.n - 1];
    CHECK_EQ_INT(a->kind, YW_ALERT_PERSON);
    CHECK_EQ_INT(a->level, YW_LEVEL_ORANGE);
    CHECK_EQ_STR(a->cluster, "home");
    CHECK_EQ_INT(a->event_time, T0 + 5 * D);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_person_state_bounded)
{
    yw_score_conf_t c;
    yw_score_conf_defaults(&c);
    c.person_cap = 4;
    yw_scorer_t *sc = yw_scorer_create(&c, NULL, 0);
    sink_t out = {0};
    yw_score_stats_t st;
    /* 50 people contact once each: nobody tracked. */
    for (int p = 0; p < 50; p++)
        contact(sc, "x", p, T0 + p * MIN, 0, false, &out);
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.persons_tracked, 0);
    /* 10 people twice: at most person_cap pairs kept (LRU). */
    for (int p = 0; p < 10; p++)
        contact(sc, "x", p, T0 + H + p * MIN, 0, false, &out);
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.persons_tracked, 4);
    /* Forgetting the cluster keeps its persons (detached): a caller's
     * one-record cluster expires long before their grievance does. */
    CHECK_EQ_INT(yw_score_forget(sc, "x"), 0);
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.persons_tracked, 4);
    CHECK_EQ_INT(st.clusters, 0);
    /* One of them (person 9, tracked with 2 calm, answered contacts)
     * comes back in another cluster, refused three times and angrier:
     * the state followed them, so this is 5 contacts, 3 deflected. */
    for (int k = 0; k < 3; k++)
        contact(sc, "y", 9, T0 + 2 * H + k * MIN, (float)(k + 1), true, &out);
    CHECK_EQ_INT(count_person(&out), 1);          /* 5 contacts, 3 deflected: yellow */
    CHECK_EQ_STR(out.a[out.n - 1].cluster, "y");
    CHECK_EQ_INT(out.a[out.n - 1].records, 5);
    /* Quiet for longer than person_ttl_ms: the next new person pushes the
     * quiet ones out. */
    contact(sc, "z", 77, T0 + 40 * D, 0, false, &out);
    contact(sc, "z", 77, T0 + 40 * D + MIN, 0, false, &out);
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.persons_tracked, 1);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

/* ---- time, merge ----------------------------------------------------------- */

TEST(test_late_records)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    observe(sc, "L", in_new(T0 + 10 * H, YW_SRC_HOTLINE), &out);
    CHECK_EQ_INT(yw_score_watermark(sc), T0 + 8 * H);       /* lateness 2 h */
    observe(sc, "L", in_new(T0 + 9 * H, YW_SRC_HOTLINE), &out);   /* in time */
    observe(sc, "L", in_new(T0 + 5 * H, YW_SRC_HOTLINE), &out);   /* late */
    yw_score_stats_t st;
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.late, 1);
    yw_alert_t a = summary(sc, "L");
    CHECK_EQ_INT(a.records, 3);
    const yw_signal_t *v = find_sig(&a, "volume");
    REQUIRE(v);
    CHECK_NEAR(v->value, 3, 1e-9);       /* the daily bucket took it */
    /* The watermark never moves back. */
    observe(sc, "L", in_new(T0, YW_SRC_HOTLINE), &out);
    CHECK_EQ_INT(yw_score_watermark(sc), T0 + 8 * H);
    /* Alert times never go backwards for a cluster: evaluation of a late
     * record happens at the cluster's latest evaluation time. */
    CHECK_EQ_INT(summary(sc, "L").event_time, T0 + 10 * H);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

TEST(test_merge_and_forget)
{
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    for (int i = 0; i < 3; i++) {
        input_t *in = in_new(T0 + i * H, YW_SRC_HOTLINE);
        in_person(in, i);
        observe(sc, "A", in, &out);
    }
    for (int i = 0; i < 3; i++) {
        input_t *in = in_new(T0 + i * H, YW_SRC_GRID);
        in_person(in, i + 2);                /* person 2 is in both */
        observe(sc, "B", in, &out);
    }
    CHECK_EQ_INT(yw_score_merge(sc, "B", "A"), 0);
    yw_alert_t a = summary(sc, "A");
    CHECK_EQ_INT(a.records, 6);
    CHECK_EQ_INT(a.people, 5);
    CHECK_EQ_INT(a.repeat_contacts, 1);      /* person 2 twice */
    CHECK_EQ_INT(a.sources[YW_SRC_HOTLINE], 3);
    CHECK_EQ_INT(a.sources[YW_SRC_GRID], 3);
    const yw_signal_t *s = find_sig(&a, "sources");
    CHECK(s && s->value == 2);
    CHECK_EQ_INT(yw_score_summary(sc, "B", &a), YW_SCORE_ENOENT);
    CHECK_EQ_INT(yw_score_merge(sc, "B", "A"), YW_SCORE_ENOENT);
    /* merge into a new id renames */
    CHECK_EQ_INT(yw_score_merge(sc, "A", "C"), 0);
    CHECK_EQ_INT(summary(sc, "C").records, 6);
    CHECK_EQ_INT(yw_score_forget(sc, "C"), 0);
    yw_score_stats_t st;
    yw_score_stats(sc, &st);
    CHECK_EQ_INT(st.clusters, 0);
    CHECK_EQ_INT(st.clusters_with_rings, 0);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

/* ---- speed ------------------------------------------------------------------ */

TEST(test_observe_rate)
{
    /* Existing clusters, event time moving forward, a few rule hits: the
     * steady state of the daemon.  The rate is printed for information
     * only (performance is measured in bench/, never asserted in a test);
     * what is asserted is that a million observes over existing clusters
     * create no new state. */
    yw_scorer_t *sc = yw_scorer_create(NULL, NULL, 0);
    sink_t out = {0};
    enum { NCL = 5000, N = 1000000 };
    char ids[NCL][16];
    for (int i = 0; i < NCL; i++)
        snprintf(ids[i], sizeof ids[i], "c%06d", i);
    input_t *in = in_new(T0, YW_SRC_HOTLINE);
    in_person(in, 1);
    for (int i = 0; i < NCL * 4; i++) {
        in->rec.ts_ms = T0 + i;
        observe(sc, ids[i % NCL], in, &out);
    }
    int64_t t0 = yw_test_now_ms();
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        in->rec.ts_ms = T0 + D + (int64_t)i * 200;      /* 200 ms apart */
        in->rec.source = (yw_source_t)(x >> 30);
        in->rec.person_hmac[0] = (uint8_t)(x >> 8);
        in->feat.kind_weight[YW_RULE_EMOTION] = (x >> 20) & 1;
        yw_score_observe(sc, ids[(x >> 4) % NCL], &in->rec, &in->feat, NULL,
                         NULL, NULL);
    }
    int64_t ms = yw_test_now_ms() - t0;
    double rate = ms > 0 ? N * 1000.0 / (double)ms : 1e9;
    yw_score_stats_t st;
    yw_score_stats(sc, &st);
    fprintf(stderr, "observe: %d in %lld ms = %.0f/s; %llu clusters, %.1f MiB\n",
            N, (long long)ms, rate, (unsigned long long)st.clusters,
            (double)st.mem_bytes / (1 << 20));
    CHECK_EQ_INT(st.clusters, NCL);
    sink_free(&out);
    yw_scorer_destroy(sc);
}

int main(void)
{
    RUN(test_conf);
    RUN(test_singleton_is_cheap);
    RUN(test_volume_and_sources);
    RUN(test_burst);
    RUN(test_burst_own_baseline);
    RUN(test_growth);
    RUN(test_trend);
    RUN(test_campaign);
    RUN(test_warmup);
    RUN(test_focus_and_rates);
    RUN(test_people_and_repeat);
    RUN(test_people_sketch);
    RUN(test_rule_kinds_and_outcomes);
    RUN(test_decay);
    RUN(test_spread_and_concentration);
    RUN(test_selfharm_escalates_at_once);
    RUN(test_hysteresis_no_flap);
    RUN(test_fall_hold);
    RUN(test_cooldown);
    RUN(test_planted_escalation);
    RUN(test_deterministic_ids);
    RUN(test_person_alert);
    RUN(test_person_refused_without_rise);
    RUN(test_person_alert_names_home_cluster);
    RUN(test_person_state_bounded);
    RUN(test_late_records);
    RUN(test_merge_and_forget);
    RUN(test_observe_rate);
    return yw_test_done();
}
