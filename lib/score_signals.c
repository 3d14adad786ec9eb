/* score_signals.c -- what a cluster's state says at an event time: the
 * decayed sums and baselines the signals read, ywsc_compute() (every
 * signal's value and points and the 0-100 score, numbers only: the hot
 * path formats nothing), and the cluster part of an alert, each signal
 * with its detail in Chinese.  docs/scoring.md "Decayed sums" and
 * "Signals" give the formulas.  score.c calls in from observe(),
 * evaluate() and the summary. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "score_impl.h"

static const char *const signal_names[YW_SIG_COUNT] = {
    "volume", "burst", "growth", "people", "repeat", "sources",
    "escalation", "emotion", "domain", "spread", "concentration",
    "outcome", "deflection", "selfharm", "trend", "campaign"
};

const char *yw_score_signal_name(int sig)
{
    return sig >= 0 && sig < YW_SIG_COUNT ? signal_names[sig] : "?";
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* ---- decayed sums ------------------------------------------------------- */

static double decay_factor(const yw_scorer_t *s, int64_t from, int64_t to)
{
    if (from == NONE_T || to <= from)
        return 1.0;
    return exp2(-(double)(to - from) / s->hl_ms);
}

/* Add v[] observed at time t.  The sums live at the latest time seen; an
 * older (late) observation enters already decayed to that time. */
void ywsc_dec_add(const yw_scorer_t *s, cluster_t *c, int64_t t,
                  const double v[D_COUNT])
{
    if (c->dec_t == NONE_T || t > c->dec_t) {
        double f = decay_factor(s, c->dec_t, t);
        for (int i = 0; i < D_COUNT; i++)
            c->dec[i] = c->dec[i] * f + v[i];
        c->dec_t = t;
    } else {
        double f = decay_factor(s, t, c->dec_t);
        for (int i = 0; i < D_COUNT; i++)
            c->dec[i] += v[i] * f;
    }
}

static double dec_at(const yw_scorer_t *s, const cluster_t *c, int i, int64_t t)
{
    return c->dec[i] * decay_factor(s, c->dec_t, t);
}

/* ---- baselines ---------------------------------------------------------- */

static void ewma_step(double *mean, double *var, double alpha, double x)
{
    double diff = x - *mean, incr = alpha * diff;
    *mean += incr;
    *var = (1 - alpha) * (*var + diff * incr);
}

/* Fold the cluster's completed days before day `d` into its baseline. */
static void own_fold(const yw_scorer_t *s, cluster_t *c, int64_t lt)
{
    int64_t d = yw_window_bucket(lt, YW_DAY_MS);
    if (c->base_day == NONE_T || c->base_day >= d - 1)
        return;
    int64_t from = c->base_day + 1;
    if (d - from > 4 * YW_WIN_DAYS)    /* a long silence: baseline ~0 */
        from = d - 4 * YW_WIN_DAYS;
    for (int64_t day = from; day < d; day++) {
        double x = (double)yw_window_days(&c->win, lt, (int)(d - day),
                                          (int)(d - day), NULL);
        ewma_step(&c->ewma, &c->ewmvar, s->conf.burst_alpha_own, x);
    }
    c->base_day = d - 1;
}

void ywsc_global_roll(yw_scorer_t *s, int64_t day)
{
    if (s->g_day != NONE_T && day > s->g_day && s->g_n > 0) {
        double mean = s->g_sum / s->g_n;
        double var = s->g_sumsq / s->g_n - mean * mean;
        double a = s->conf.burst_alpha_global;
        s->g_mean += a * (mean - s->g_mean);
        s->g_var += a * ((var > 0 ? var : 0) - s->g_var);
    }
    if (s->g_day == NONE_T || day > s->g_day) {
        s->g_day = day;
        s->g_sum = s->g_sumsq = s->g_n = 0;
    }
}

/* P(X >= x) for X ~ Poisson(lambda); only asked when x is above lambda. */
static double poisson_tail(double lambda, int64_t x)
{
    if (x <= 0)
        return 1;
    if (lambda <= 0)
        return 0;
    if ((double)x <= lambda)
        return 1;
    double term = exp(-lambda + (double)x * log(lambda) - lgamma((double)x + 1));
    double sum = term;
    for (int64_t k = x + 1; k < x + 2000 && term > sum * 1e-12; k++) {
        term *= lambda / (double)k;
        sum += term;
    }
    return sum > 1 ? 1 : sum;
}

/* ---- the signals -------------------------------------------------------- */

void ywsc_compute(yw_scorer_t *s, cluster_t *c, int64_t t, eval_t *e)
{
    const yw_score_conf_t *cf = &s->conf;
    int64_t lt = t + s->tz_ms;
    memset(e, 0, sizeof *e);

    e->n7 = yw_window_days(&c->win, lt, 0, cf->volume_days - 1, e->by7);
    for (int i = 0; i < YW_SRC_COUNT; i++)
        e->nsrc += e->by7[i] > 0;
    e->val[YW_SIG_VOLUME] = (double)e->n7;
    e->pts[YW_SIG_VOLUME] = cf->weight[YW_SIG_VOLUME] *
        clamp01(log2(1.0 + (double)e->n7) / log2(1.0 + cf->sat[YW_SIG_VOLUME]));

    /* burst: SigniTrend z = (x - max(mean, beta)) / (sd + beta) */
    own_fold(s, c, lt);
    e->x24 = yw_window_hours(&c->win, lt, 0, 23, NULL);
    double beta = cf->burst_beta, x = (double)e->x24;
    e->base_glob = s->g_mean;
    e->z_glob = (x - fmax(s->g_mean, beta)) / (sqrt(fmax(s->g_var, 0)) + beta);
    double z = e->z_glob, lambda = s->g_mean;
    int64_t hist = yw_window_bucket(lt, YW_DAY_MS) -
                   yw_window_bucket(c->first_seen + s->tz_ms, YW_DAY_MS);
    e->base_own = c->ewma;
    if (hist >= cf->burst_min_history_days) {
        e->own_used = true;
        e->z_own = (x - fmax(c->ewma, beta)) / (sqrt(fmax(c->ewmvar, 0)) + beta);
        z = fmin(z, e->z_own);
        lambda = fmax(lambda, c->ewma);
    }
    e->val[YW_SIG_BURST] = z;
    e->p = 1;
    if (z >= cf->burst_z_min) {
        e->p = poisson_tail(fmax(lambda, 0.05), e->x24);
        if (e->p <= cf->burst_p_max)
            e->pts[YW_SIG_BURST] = cf->weight[YW_SIG_BURST] *
                clamp01((z - cf->burst_z_min) / (cf->sat[YW_SIG_BURST] - cf->burst_z_min));
    }

    /* growth: last N days against the N before */
    int g = cf->growth_days;
    e->recent = yw_window_days(&c->win, lt, 0, g - 1, NULL);
    e->prev = yw_window_days(&c->win, lt, g, 2 * g - 1, NULL);
    double k = cf->growth_prior;
    double ratio = ((double)e->recent + k) / ((double)e->prev + k);
    e->val[YW_SIG_GROWTH] = ratio;
    /* A rise needs something to rise from: the cluster's first record must
     * be older than the recent window (a new cluster's first records are
     * not growth; burst covers a sudden start). */
    e->growth_young = hist < g;
    if (!e->growth_young && (double)e->recent >= cf->growth_min_recent && ratio > 1)
        e->pts[YW_SIG_GROWTH] = cf->weight[YW_SIG_GROWTH] *
            clamp01(log2(ratio) / log2(cf->sat[YW_SIG_GROWTH]));

    /* trend: a rise sustained week after week -- how slow builds and
     * online-first issues look in their first weeks, while a burst has not
     * happened yet and growth (3 days against 3) barely moves.  Weeks ending
     * today, yesterday and the day before are tried and the best kept, so
     * the signal does not drop at midnight when a busy day leaves the week. */
    for (int back = 0; back < 3 && hist - back >= 14; back++) {
        /* (the cluster must be older than the two weeks before the view's
         * last week, or the oldest week is empty by birth) */
        int64_t w[3];
        for (int i = 0; i < 3; i++)
            w[i] = yw_window_days(&c->win, lt, back + 7 * i, back + 7 * i + 6, NULL);
        if ((double)w[0] < cf->trend_min_recent || (double)w[1] < cf->trend_min_prev ||
            (double)w[0] < cf->trend_step * (double)w[1] ||
            (double)w[1] < cf->trend_step * (double)w[2])
            continue;
        double r = ((double)w[0] + k) / ((double)w[2] + k);
        if (r > e->val[YW_SIG_TREND]) {
            e->val[YW_SIG_TREND] = r;
            memcpy(e->week, w, sizeof w);
            e->trend_back = back;
        }
    }
    double r0 = cf->trend_min_ratio;
    if (e->val[YW_SIG_TREND] > r0)
        e->pts[YW_SIG_TREND] = cf->weight[YW_SIG_TREND] *
            clamp01(log2(e->val[YW_SIG_TREND] / r0) / log2(cf->sat[YW_SIG_TREND] / r0));

    /* people: new complainants, decayed; the first one is no signal */
    double np = dec_at(s, c, D_PEOPLE, t);
    e->val[YW_SIG_PEOPLE] = np;
    e->pts[YW_SIG_PEOPLE] = cf->weight[YW_SIG_PEOPLE] *
        clamp01(log2(fmax(np, 1)) / log2(cf->sat[YW_SIG_PEOPLE]));

    double rp = dec_at(s, c, D_REPEAT, t);
    e->val[YW_SIG_REPEAT] = rp;
    e->pts[YW_SIG_REPEAT] = cf->weight[YW_SIG_REPEAT] *
        clamp01(log2(1 + rp) / log2(1 + cf->sat[YW_SIG_REPEAT]));

    e->val[YW_SIG_SOURCES] = e->nsrc;
    if (e->nsrc > 1)
        e->pts[YW_SIG_SOURCES] = cf->weight[YW_SIG_SOURCES] *
            clamp01((e->nsrc - 1) / (cf->sat[YW_SIG_SOURCES] - 1));

    static const struct { int sig, d; } linear[] = {
        { YW_SIG_ESCALATION, D_ESC }, { YW_SIG_EMOTION, D_EMO },
        { YW_SIG_DOMAIN, D_DOMAIN }, { YW_SIG_OUTCOME, D_OUTCOME },
        { YW_SIG_DEFLECTION, D_DEFL }, { YW_SIG_SELFHARM, D_SELFHARM },
    };
    double nrec = dec_at(s, c, D_REC, t);
    for (size_t i = 0; i < sizeof linear / sizeof linear[0]; i++) {
        int sig = linear[i].sig;
        double v = dec_at(s, c, linear[i].d, t);
        e->val[sig] = v;
        e->pts[sig] = cf->weight[sig] * clamp01(v / cf->sat[sig]);
        /* language and outcomes count as a share of the recent records */
        if (sig == YW_SIG_ESCALATION || sig == YW_SIG_EMOTION ||
            sig == YW_SIG_OUTCOME || sig == YW_SIG_DEFLECTION) {
            e->rate[sig] = nrec > 0 ? v / nrec : 0;
            e->pts[sig] *= clamp01(e->rate[sig] / cf->rate_sat);
        }
    }

    double sp = log10(1 + dec_at(s, c, D_SPREAD, t));
    e->val[YW_SIG_SPREAD] = sp;
    e->pts[YW_SIG_SPREAD] = cf->weight[YW_SIG_SPREAD] *
        clamp01(sp / cf->sat[YW_SIG_SPREAD]);

    /* campaign: several posts each shared widely, a large part of the
     * cluster -- not one viral post (background posts are heavy-tailed) */
    double wide = dec_at(s, c, D_WIDE, t);
    e->val[YW_SIG_CAMPAIGN] = wide;
    if (wide >= cf->campaign_min_posts && wide >= cf->campaign_min_share * nrec)
        e->pts[YW_SIG_CAMPAIGN] = cf->weight[YW_SIG_CAMPAIGN] *
            clamp01(log2(1 + wide) / log2(1 + cf->sat[YW_SIG_CAMPAIGN]));

    e->place_records = c->place_records;
    if (c->place_records > 0) {
        double share = (double)ywsc_places_top(c) / c->place_records;
        e->val[YW_SIG_CONCENTRATION] = share;
        if (c->place_records >= cf->concentration_min && share >= 0.5)
            e->pts[YW_SIG_CONCENTRATION] = cf->weight[YW_SIG_CONCENTRATION] *
                clamp01(share / cf->sat[YW_SIG_CONCENTRATION]) *
                clamp01(dec_at(s, c, D_REC, t) / cf->concentration_active);
    }

    /* focus: size signals count fully only for an issue in one place */
    e->focus = 1;
    if (c->place_records >= cf->concentration_min) {
        double share = (double)ywsc_places_top(c) / c->place_records;
        e->focus = cf->focus_floor + (1 - cf->focus_floor) *
            clamp01((share - cf->focus_lo) / (cf->focus_hi - cf->focus_lo));
        static const int size_sigs[] = { YW_SIG_VOLUME, YW_SIG_BURST, YW_SIG_GROWTH,
                                         YW_SIG_PEOPLE, YW_SIG_REPEAT, YW_SIG_SOURCES,
                                         YW_SIG_TREND };
        for (size_t i = 0; i < sizeof size_sigs / sizeof size_sigs[0]; i++)
            e->pts[size_sigs[i]] *= e->focus;
    }

    if (dec_at(s, c, D_SHFLOOR, t) >= cf->selfharm_floor_min)
        e->floor = cf->selfharm_level;

    double sum = 0;
    for (int i = 0; i < YW_SIG_COUNT; i++)
        sum += e->pts[i];
    if (sum > 100)
        sum = 100;
    /* One decimal: what the alert shows is what the thresholds saw. */
    e->score = floor(sum * 10 + 0.5) / 10;
}

/* ---- alerts ------------------------------------------------------------- */

static const char *const src_cn[YW_SRC_COUNT] = { "热线", "网格", "网络", "110警情" };

static void signal_detail_base(const yw_scorer_t *s, const eval_t *e, int sig,
                               double v, char *out, size_t len);

static void signal_detail(const yw_scorer_t *s, const eval_t *e, int sig,
                          char *out, size_t len)
{
    const yw_score_conf_t *cf = &s->conf;
    double v = e->val[sig];
    bool sized = sig == YW_SIG_VOLUME || sig == YW_SIG_BURST || sig == YW_SIG_GROWTH ||
                 sig == YW_SIG_PEOPLE || sig == YW_SIG_REPEAT || sig == YW_SIG_SOURCES ||
                 sig == YW_SIG_TREND;
    bool rated = sig == YW_SIG_ESCALATION || sig == YW_SIG_EMOTION ||
                 sig == YW_SIG_OUTCOME || sig == YW_SIG_DEFLECTION;
    signal_detail_base(s, e, sig, v, out, len);
    /* The discount, appended only when it fits whole (no cut UTF-8). */
    char tail[64] = "";
    if (sized && e->focus < 1)
        snprintf(tail, sizeof tail, "（地点分散，×%.2f）", e->focus);
    else if (rated && e->rate[sig] < cf->rate_sat)
        snprintf(tail, sizeof tail, "（每条%.2f，×%.2f）", e->rate[sig],
                 e->rate[sig] / cf->rate_sat);
    else if (rated)
        snprintf(tail, sizeof tail, "（每条%.2f）", e->rate[sig]);
    size_t n = strlen(out), m = strlen(tail);
    if (m && n + m < len)
        memcpy(out + n, tail, m + 1);
}

static void signal_detail_base(const yw_scorer_t *s, const eval_t *e, int sig,
                               double v, char *out, size_t len)
{
    const yw_score_conf_t *cf = &s->conf;
    switch (sig) {
    case YW_SIG_VOLUME:
        snprintf(out, len, "近%d天%lld条", cf->volume_days, (long long)e->n7);
        break;
    case YW_SIG_BURST:
        if (e->own_used)
            snprintf(out, len, "24小时%lld条，自身基线%.1f，全局基线%.1f，z=%.1f，p=%.2g",
                     (long long)e->x24, e->base_own, e->base_glob, v, e->p);
        else
            snprintf(out, len, "24小时%lld条，全局基线%.1f，z=%.1f，p=%.2g",
                     (long long)e->x24, e->base_glob, v, e->p);
        break;
    case YW_SIG_GROWTH:
        snprintf(out, len, "近%d天%lld条，此前%d天%lld条", cf->growth_days,
                 (long long)e->recent, cf->growth_days, (long long)e->prev);
        break;
    case YW_SIG_PEOPLE:
        snprintf(out, len, "累计%lld人，近期新增约%.1f人", (long long)e->people, v);
        break;
    case YW_SIG_REPEAT:
        snprintf(out, len, "同一人重复反映，近期约%.1f次", v);
        break;
    case YW_SIG_SOURCES: {
        int n = snprintf(out, len, "近%d天%d个来源：", cf->volume_days, e->nsrc);
        const char *sep = "";
        for (int i = 0; i < YW_SRC_COUNT && n > 0 && (size_t)n < len; i++)
            if (e->by7[i] > 0) {
                n += snprintf(out + n, len - (size_t)n, "%s%s%lld条", sep,
                              src_cn[i], (long long)e->by7[i]);
                sep = "、";
            }
        break;
    }
    case YW_SIG_ESCALATION:
        snprintf(out, len, "升级言辞（联名/上访/堵路等）加权%.1f", v);
        break;
    case YW_SIG_EMOTION:
        snprintf(out, len, "情绪言辞加权%.1f", v);
        break;
    case YW_SIG_DOMAIN:
        snprintf(out, len, "敏感领域加权%.1f", v);
        break;
    case YW_SIG_SPREAD:
        snprintf(out, len, "网络转评赞约%.0f", pow(10, v) - 1);
        break;
    case YW_SIG_CONCENTRATION:
        snprintf(out, len, "%.0f%%集中于同一街道/社区（%u条有地点）", v * 100,
                 e->place_records);
        break;
    case YW_SIG_OUTCOME:
        snprintf(out, len, "未解决/不满意加权%.1f", v);
        break;
    case YW_SIG_DEFLECTION:
        snprintf(out, len, "推诿答复（不归我办等）加权%.1f", v);
        break;
    case YW_SIG_CAMPAIGN:
        snprintf(out, len, "网络集中传播：近期约%.1f条帖文各获转评赞%.0f以上", v,
                 s->conf.campaign_min_interactions);
        break;
    case YW_SIG_TREND:
        snprintf(out, len, "逐周上升：%lld→%lld→%lld条（截至%s）", (long long)e->week[2],
                 (long long)e->week[1], (long long)e->week[0],
                 e->trend_back == 0 ? "今天" : e->trend_back == 1 ? "昨天" : "前天");
        break;
    case YW_SIG_SELFHARM:
        snprintf(out, len, "自伤言辞加权%.1f，等级不低于%s", v,
                 yw_level_name((yw_level_t)cf->selfharm_level));
        break;
    default:
        out[0] = '\0';
    }
}

void ywsc_copy_view(yw_alert_t *a, const yw_alert_t *view)
{
    memcpy(a->title, view->title, sizeof a->title);
    a->title[sizeof a->title - 1] = '\0';
    a->nplaces = view->nplaces < 0 ? 0 :
        view->nplaces > YW_ALERT_MAX_PLACES ? YW_ALERT_MAX_PLACES : view->nplaces;
    memcpy(a->places, view->places, sizeof a->places);
    a->nsamples = view->nsamples < 0 ? 0 :
        view->nsamples > YW_ALERT_MAX_SAMPLES ? YW_ALERT_MAX_SAMPLES : view->nsamples;
    memcpy(a->sample_ids, view->sample_ids, sizeof a->sample_ids);
    a->nrelated = view->nrelated < 0 ? 0 :
        view->nrelated > YW_ALERT_MAX_RELATED ? YW_ALERT_MAX_RELATED : view->nrelated;
    memcpy(a->related, view->related, sizeof a->related);
}

/* The cluster part common to alerts, downgrades and summaries. */
void ywsc_fill_cluster(yw_scorer_t *s, const cluster_t *c, eval_t *e,
                       int64_t t, const yw_alert_t *view, yw_alert_t *a)
{
    e->people = ywsc_people_count(c);     /* the sketch's estimate costs a scan */
    memset(a, 0, sizeof *a);
    a->schema_version = YW_SCHEMA_VERSION;
    a->kind = YW_ALERT_CLUSTER;
    memcpy(a->cluster, c->id, sizeof a->cluster);
    a->score = e->score;
    a->event_time = t;
    if (view)
        ywsc_copy_view(a, view);
    else if (s->view)
        s->view(s->view_opaque, c->id, a);
    for (int i = 0; i < YW_SRC_COUNT; i++)
        a->sources[i] = c->win.total[i];
    a->records = yw_window_total(&c->win);
    a->people = e->people;
    a->repeat_contacts = c->repeat_total;
    a->first_seen = c->first_seen;

    /* Signals that added points, largest first (ties in enum order). */
    int order[YW_SIG_COUNT], n = 0;
    for (int i = 0; i < YW_SIG_COUNT; i++)
        if (e->pts[i] > 0)
            order[n++] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && e->pts[order[j]] > e->pts[order[j - 1]]; j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    if (n == 0)
        order[n++] = YW_SIG_VOLUME;
    for (int k = 0; k < n && k < YW_ALERT_MAX_SIGNALS; k++) {
        yw_signal_t *sg = &a->signals[a->nsignals++];
        int i = order[k];
        snprintf(sg->name, sizeof sg->name, "%s", signal_names[i]);
        sg->value = floor(e->val[i] * 1000 + 0.5) / 1000;
        sg->contribution = floor(e->pts[i] * 10 + 0.5) / 10;
        signal_detail(s, e, i, sg->detail, sizeof sg->detail);
    }
}
