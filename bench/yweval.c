/* yweval.c -- scores early warning against a scenario's ground truth.
 *
 *   yweval --truth T.jsonl --assignments A.jsonl --alerts ALERTS.jsonl
 *          [--truth T2.jsonl --assignments A2.jsonl --alerts ALERTS2.jsonl ...]
 *          [--share 0.3] [--json]
 *
 * Reads the truth written by ywscenario (one line per planted escalation:
 * issue, shape, petition_day, record_ids; one summary line with the number
 * of background records and days), the assignments of `ywctl backtest`
 * (record id -> final cluster) and its alerts (docs/redis-schema.md), and
 * prints: the share of planted escalations alerted orange or red before
 * their petition day (all and per shape), the lead times, false orange+
 * alerts per week per 100k background records a week, orange+ alerts per
 * detected issue, and person-alert hits.  The definitions are in
 * bench/README.md ("evaluation"); they are repeated next to the code that
 * computes them.  Given several runs (the k-th --truth, --assignments and
 * --alerts are run k), it prints a line per run, then the same figures
 * over all runs' issues and alerts together, with a bootstrap interval of
 * the pooled median lead (bench/README.md "Several runs").  It is a
 * measuring tool: it exits 0 whatever the figures (2 on bad arguments, 1
 * when an input cannot be read).
 *
 * Times: petition days are local days at +08:00 (the generator's zone);
 * alert event times are RFC 3339 with their own offset. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/jsonl.h"

enum { LV_NONE, LV_BLUE, LV_YELLOW, LV_ORANGE, LV_RED };
static const char *const shapes[] = { "slow", "burst", "online", "person" };
#define NSHAPES 4
#define SHAPE_PERSON 3     /* shapes[3]: one angry complainant */

static int level_of(const doc_t *d, int i)
{
    static const char *const names[] = { "none", "blue", "yellow", "orange", "red" };
    for (int l = 0; l < 5; l++)
        if (tok_is(d, i, names[l]))
            return l;
    return -1;
}

/* ---- state ------------------------------------------------------------------------ */

typedef struct {
    char *name;
    int shape;                   /* index into shapes[], -1 unknown */
    char petition[11];
    int64_t petition_ms;         /* local midnight of the petition day */
    int nrec, assigned;          /* records in the truth; of which assigned */
    int *rec_cluster;            /* per truth record: cluster index or -1 */
    /* results */
    int64_t first_orange_ms;     /* first orange+ alert (cluster or person), any time (INT64_MAX: none) */
    int64_t first_any_ms;        /* first cluster alert of any level */
    int orange_alerts, all_alerts;
    int person_hit;              /* a person alert before the petition day */
    int person_alerts;
    int person_orange;           /* orange+ person alerts (also in orange_alerts) */
    int nclusters;               /* clusters attributed to it */
    int main_cluster_share;      /* percent of its records in its largest cluster */
} issue_t;

typedef struct {
    issue_t *iss;
    int niss, cap_iss;
    int64_t background, days;
    int have_summary;
    map_t rec2idx;               /* truth record id -> issue * 2^20 + record index */
    map_t clusters;              /* cluster id -> index */
    int *ctot;                   /* records per cluster */
    int *owner;                  /* issue owning the cluster, -1 none */
    size_t cap_c;
    /* alerts */
    long alerts, downgrades, bad_lines, by_samples, unknown_cluster;
    long false_orange, false_orange_person, person_false, person_on_planted;
    int nfalse_show;
    char false_show[5][160];
    double share;
} eval_t;

static int cluster_index(eval_t *e, const char *s, size_t n)
{
    int v = map_put(&e->clusters, s, n, (int)e->clusters.n);
    if ((size_t)v >= e->cap_c) {
        size_t nc = e->cap_c ? 2 * e->cap_c : 4096;
        e->ctot = xrealloc(e->ctot, nc * sizeof(int));
        e->owner = xrealloc(e->owner, nc * sizeof(int));
        memset(e->ctot + e->cap_c, 0, (nc - e->cap_c) * sizeof(int));
        e->cap_c = nc;
    }
    return v;
}

typedef int (*line_fn)(eval_t *e, doc_t *d, long lineno, const char *path);

static int read_lines(eval_t *e, const char *path, line_fn fn)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "yweval: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    doc_t d = { 0 };
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        if (doc_parse(&d, line, (size_t)n) != 0) {
            fprintf(stderr, "yweval: %s:%ld: not a JSON object, skipped\n", path, lineno);
            e->bad_lines++;
            continue;
        }
        if ((rc = fn(e, &d, lineno, path)) != 0)
            break;
    }
    free(d.t);
    free(line);
    fclose(f);
    return rc;
}

static int truth_line(eval_t *e, doc_t *d, long lineno, const char *path)
{
    int sm = obj_get(d, 0, "summary");
    if (sm >= 0 && d->t[sm].type == JSMN_OBJECT) {
        int b = obj_get(d, sm, "background_records"), dy = obj_get(d, sm, "days");
        if (b < 0 || dy < 0) {
            fprintf(stderr, "yweval: %s:%ld: summary without background_records/days\n", path, lineno);
            return -1;
        }
        e->background = strtoll(d->s + d->t[b].start, NULL, 10);
        e->days = strtoll(d->s + d->t[dy].start, NULL, 10);
        e->have_summary = 1;
        return 0;
    }
    int is = obj_get(d, 0, "issue"), sh = obj_get(d, 0, "shape"), pd = obj_get(d, 0, "petition_day"),
        ids = obj_get(d, 0, "record_ids");
    if (is < 0 || pd < 0 || ids < 0 || d->t[ids].type != JSMN_ARRAY) {
        fprintf(stderr, "yweval: %s:%ld: want issue, petition_day, record_ids\n", path, lineno);
        return -1;
    }
    if (e->niss == e->cap_iss) {
        e->cap_iss = e->cap_iss ? 2 * e->cap_iss : 32;
        e->iss = xrealloc(e->iss, (size_t)e->cap_iss * sizeof(issue_t));
    }
    issue_t *x = &e->iss[e->niss];
    memset(x, 0, sizeof *x);
    size_t nl = (size_t)(d->t[is].end - d->t[is].start);
    x->name = xcalloc(nl + 1, 1);
    memcpy(x->name, d->s + d->t[is].start, nl);
    x->shape = -1;
    for (int s = 0; s < NSHAPES; s++)
        if (tok_is(d, sh, shapes[s]))
            x->shape = s;
    size_t pl = (size_t)(d->t[pd].end - d->t[pd].start);
    x->petition_ms = day_start_ms(d->s + d->t[pd].start, pl);
    if (x->petition_ms < 0) {
        fprintf(stderr, "yweval: %s:%ld: bad petition_day\n", path, lineno);
        return -1;
    }
    memcpy(x->petition, d->s + d->t[pd].start, 10);
    x->nrec = d->t[ids].size;
    if (x->nrec >= (1 << 20)) {
        fprintf(stderr, "yweval: %s:%ld: too many record ids\n", path, lineno);
        return -1;
    }
    x->rec_cluster = xcalloc((size_t)x->nrec, sizeof(int));
    for (int k = 0, i = ids + 1; k < x->nrec; k++, i = tok_skip(d, i)) {
        x->rec_cluster[k] = -1;
        int v = e->niss * (1 << 20) + k;
        if (map_put(&e->rec2idx, d->s + d->t[i].start, (size_t)(d->t[i].end - d->t[i].start), v) != v)
            fprintf(stderr, "yweval: %s:%ld: record %.*s listed twice, first kept\n", path, lineno,
                    d->t[i].end - d->t[i].start, d->s + d->t[i].start);
    }
    x->first_orange_ms = x->first_any_ms = INT64_MAX;
    e->niss++;
    return 0;
}

static int assign_line(eval_t *e, doc_t *d, long lineno, const char *path)
{
    int id = obj_get(d, 0, "id"), cl = obj_get(d, 0, "cluster");
    if (id < 0 || cl < 0 || d->t[cl].type != JSMN_STRING) {
        e->bad_lines++;
        return 0;                /* a record without a cluster (dead-lettered): not counted */
    }
    int c = cluster_index(e, d->s + d->t[cl].start, (size_t)(d->t[cl].end - d->t[cl].start));
    e->ctot[c]++;
    int v = map_get(&e->rec2idx, d->s + d->t[id].start, (size_t)(d->t[id].end - d->t[id].start));
    if (v >= 0) {
        issue_t *x = &e->iss[v >> 20];
        x->rec_cluster[v & ((1 << 20) - 1)] = c;
        x->assigned++;
    }
    (void)lineno;
    (void)path;
    return 0;
}

/* Who owns each cluster: the issue whose records are the majority of it, or
 * one that put at least --share of its (assigned) records in it. */
static void attribute_clusters(eval_t *e)
{
    size_t nc = e->clusters.n;
    for (size_t c = 0; c < nc; c++)
        e->owner[c] = -1;
    int *cnt = xcalloc(nc, sizeof(int));
    int *best = xcalloc(nc, sizeof(int));
    for (int i = 0; i < e->niss; i++) {
        issue_t *x = &e->iss[i];
        for (int k = 0; k < x->nrec; k++)
            if (x->rec_cluster[k] >= 0)
                cnt[x->rec_cluster[k]]++;
        int top = 0;
        for (int k = 0; k < x->nrec; k++) {
            int c = x->rec_cluster[k];
            if (c < 0 || cnt[c] == 0)
                continue;
            if (cnt[c] > top)
                top = cnt[c];
            int major = 2 * cnt[c] > e->ctot[c];
            int big = x->assigned && (double)cnt[c] >= e->share * x->assigned;
            if ((major || big) && cnt[c] > best[c]) {
                best[c] = cnt[c];
                e->owner[c] = i;
            }
            cnt[c] = 0;          /* each cluster once per issue */
        }
        x->main_cluster_share = x->assigned ? (int)lround(100.0 * top / x->assigned) : 0;
    }
    for (size_t c = 0; c < nc; c++)
        if (e->owner[c] >= 0)
            e->iss[e->owner[c]].nclusters++;
    free(cnt);
    free(best);
}

static int alert_line(eval_t *e, doc_t *d, long lineno, const char *path)
{
    int kind = obj_get(d, 0, "kind"), cl = obj_get(d, 0, "cluster"), lv = obj_get(d, 0, "level"),
        pv = obj_get(d, 0, "prev_level"), et = obj_get(d, 0, "event_time"), sm = obj_get(d, 0, "sample_ids");
    int level = level_of(d, lv), prev = level_of(d, pv);
    int64_t ms = et >= 0 ? rfc3339_ms(d->s + d->t[et].start, (size_t)(d->t[et].end - d->t[et].start)) : INT64_MIN;
    int is_person = tok_is(d, kind, "person");
    if (cl < 0 || level < 0 || prev < 0 || ms == INT64_MIN || (!is_person && !tok_is(d, kind, "cluster"))) {
        fprintf(stderr, "yweval: %s:%ld: not an alert (kind, cluster, level, prev_level, event_time), skipped\n",
                path, lineno);
        e->bad_lines++;
        return 0;
    }
    e->alerts++;
    if (level <= prev) {
        e->downgrades++;         /* downgrade events are not alerts anyone acts on */
        return 0;
    }
    /* the cluster as it ended up; for a cluster merged away since, the sample ids */
    int owner = -1;
    int c = map_get(&e->clusters, d->s + d->t[cl].start, (size_t)(d->t[cl].end - d->t[cl].start));
    if (c >= 0)
        owner = e->owner[c];
    else {
        e->unknown_cluster++;
        if (sm >= 0 && d->t[sm].type == JSMN_ARRAY && d->t[sm].size > 0) {
            int votes[64] = { 0 }, who[64], nw = 0, total = d->t[sm].size;
            for (int k = 0, i = sm + 1; k < total; k++, i = tok_skip(d, i)) {
                int v = map_get(&e->rec2idx, d->s + d->t[i].start, (size_t)(d->t[i].end - d->t[i].start));
                if (v < 0)
                    continue;
                int is = v >> 20, j = 0;
                while (j < nw && who[j] != is)
                    j++;
                if (j == nw && nw < 64)
                    who[nw++] = is;
                if (j < nw)
                    votes[j]++;
            }
            int top = -1;
            for (int j = 0; j < nw; j++)
                if (top < 0 || votes[j] > votes[top])
                    top = j;
            if (top >= 0 && 2 * votes[top] >= total)       /* at least half the samples */
                owner = who[top];
            if (owner >= 0)
                e->by_samples++;
        }
    }
    if (is_person) {
        /* An orange+ person alert is an orange+ alert like a cluster's: it
         * detects the issue it is attributed to, counts in its alerts, and
         * is a false alarm when attributed to none. */
        if (owner < 0) {
            e->person_false++;
            if (level >= LV_ORANGE) {
                e->false_orange++;
                e->false_orange_person++;
            }
            return 0;
        }
        issue_t *x = &e->iss[owner];
        x->person_alerts++;
        if (level >= LV_ORANGE) {
            x->orange_alerts++;
            x->person_orange++;
            if (ms < x->first_orange_ms)
                x->first_orange_ms = ms;
        }
        if (x->shape == SHAPE_PERSON) {
            if (ms < x->petition_ms)
                x->person_hit = 1;
        } else
            e->person_on_planted++;
        return 0;
    }
    if (owner < 0) {
        if (level >= LV_ORANGE) {
            e->false_orange++;
            if (e->nfalse_show < 5) {
                int ti = obj_get(d, 0, "title");
                snprintf(e->false_show[e->nfalse_show++], sizeof e->false_show[0], "%.*s %.*s %.*s %.*s",
                         d->t[et].end - d->t[et].start, d->s + d->t[et].start,
                         d->t[cl].end - d->t[cl].start, d->s + d->t[cl].start,
                         d->t[lv].end - d->t[lv].start, d->s + d->t[lv].start,
                         ti >= 0 ? d->t[ti].end - d->t[ti].start : 0, ti >= 0 ? d->s + d->t[ti].start : "");
            }
        }
        return 0;
    }
    issue_t *x = &e->iss[owner];
    x->all_alerts++;
    if (ms < x->first_any_ms)
        x->first_any_ms = ms;
    if (level >= LV_ORANGE) {
        x->orange_alerts++;
        if (ms < x->first_orange_ms)
            x->first_orange_ms = ms;
    }
    return 0;
}

/* Reads one run's three files into e (with e->share set); 0, or 1 when an
 * input cannot be read.  The record and cluster maps are released at the
 * end: the figures need only the issues, and pooled runs are many. */
static int run_read(eval_t *e, const char *truth, const char *assign, const char *alerts)
{
    int rc = 0;
    if (read_lines(e, truth, truth_line) != 0)
        rc = 1;
    else if (!e->have_summary) {
        fprintf(stderr, "yweval: %s: no summary line (background_records, days)\n", truth);
        rc = 1;
    } else if (read_lines(e, assign, assign_line) != 0)
        rc = 1;
    else {
        attribute_clusters(e);
        if (read_lines(e, alerts, alert_line) != 0)
            rc = 1;
    }
    free(e->ctot);
    free(e->owner);
    map_free(&e->rec2idx);
    map_free(&e->clusters);
    e->ctot = e->owner = NULL;
    e->cap_c = 0;
    memset(&e->rec2idx, 0, sizeof e->rec2idx);
    memset(&e->clusters, 0, sizeof e->clusters);
    return rc;
}

static void eval_free(eval_t *e)
{
    for (int i = 0; i < e->niss; i++) {
        free(e->iss[i].name);
        free(e->iss[i].rec_cluster);
    }
    free(e->iss);
}

/* ---- figures: of one run, or of several pooled --------------------------------------- */

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile q of sorted v[0..n) by linear interpolation between order
 * statistics (position q*(n-1)), as numpy's default. */
static double quantile(const double *v, int n, double q)
{
    if (n <= 0)
        return NAN;
    double pos = q * (n - 1);
    int lo = (int)floor(pos);
    if (lo >= n - 1)
        return v[n - 1];
    return v[lo] + (pos - lo) * (v[lo + 1] - v[lo]);
}

static int detected(const issue_t *x) { return x->first_orange_ms < x->petition_ms; }

/* Petition day 00:00 minus the first orange+ alert, in days; NAN if not detected. */
static double lead_days(const issue_t *x)
{
    return detected(x) ? (double)(x->petition_ms - x->first_orange_ms) / DAY_MS : NAN;
}

/* The counts the figures come from, summed over the runs added to it: a
 * run's own tally gives its report, the tally of all runs the pooled one,
 * through the same figures_of(). */
typedef struct {
    int issues, ndet, nshape[NSHAPES], dshape[NSHAPES], nperson, person_hits;
    long orange_on_detected, person_orange_on_detected, all_alerts;
    long false_orange, false_orange_person, person_false, person_on_planted;
    int64_t background, days;
    double *lead;                /* per issue, in input order: lead_days() */
} tally_t;

typedef struct {
    double rate, weeks, per_week, fa_norm, per_issue;
    double lmin, lmed, lp75, lmax;   /* over the detected issues; NAN if none */
} figures_t;

static void tally_add(tally_t *t, const eval_t *e)
{
    t->lead = xrealloc(t->lead, (size_t)(t->issues + e->niss) * sizeof(double));
    for (int i = 0; i < e->niss; i++) {
        const issue_t *x = &e->iss[i];
        t->lead[t->issues++] = lead_days(x);
        t->all_alerts += x->all_alerts;
        if (x->shape >= 0)
            t->nshape[x->shape]++;
        if (x->shape == SHAPE_PERSON) {
            t->nperson++;
            t->person_hits += x->person_hit;
        }
        if (!detected(x))
            continue;
        t->ndet++;
        t->orange_on_detected += x->orange_alerts;
        t->person_orange_on_detected += x->person_orange;
        if (x->shape >= 0)
            t->dshape[x->shape]++;
    }
    t->false_orange += e->false_orange;
    t->false_orange_person += e->false_orange_person;
    t->person_false += e->person_false;
    t->person_on_planted += e->person_on_planted;
    t->background += e->background;
    t->days += e->days;
}

static figures_t figures_of(const tally_t *t)
{
    figures_t f;
    double *lead = xcalloc((size_t)t->issues, sizeof(double));
    int n = 0;
    for (int i = 0; i < t->issues; i++)
        if (!isnan(t->lead[i]))
            lead[n++] = t->lead[i];
    qsort(lead, (size_t)n, sizeof *lead, dbl_cmp);
    f.rate = t->issues ? 100.0 * t->ndet / t->issues : NAN;
    f.weeks = (double)t->days / 7.0;
    f.per_week = f.weeks > 0 ? t->false_orange / f.weeks : NAN;
    /* per week per 100k background records a week = false * 100000 / background;
     * pooled, both sums run over all runs */
    f.fa_norm = t->background > 0 ? (double)t->false_orange * 1e5 / (double)t->background : NAN;
    f.per_issue = t->ndet ? (double)t->orange_on_detected / t->ndet : NAN;
    f.lmin = n ? lead[0] : NAN;
    f.lmed = quantile(lead, n, 0.5);
    f.lp75 = quantile(lead, n, 0.75);
    f.lmax = n ? lead[n - 1] : NAN;
    free(lead);
    return f;
}

/* ---- the pooled median's bootstrap interval ----------------------------------------- */

#define BOOT_RESAMPLES 2000
#define BOOT_SEED 0x7977657661ULL    /* "yweva": fixed, so the interval is the same every time */

/* splitmix64 (Steele, Lea, Flood 2014): small, and plenty for drawing issues. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct {
    double lo, hi;
    int kept;                    /* resamples with a median */
} interval_t;

/* 95% percentile-bootstrap interval of the median lead.  BOOT_RESAMPLES
 * times, draw t->issues issues with replacement from all of them, the
 * undetected included (so the number of detected draws varies as it would
 * between cities), and take the median of the detected draws' leads; the
 * interval is the 2.5% and 97.5% quantiles of those medians (quantile()
 * above).  A resample without a detected draw has no median and is left
 * out; kept counts the others. */
static interval_t median_interval(const tally_t *t)
{
    interval_t ci = { NAN, NAN, 0 };
    if (!t->ndet)
        return ci;
    double *draw = xcalloc((size_t)t->issues, sizeof(double));
    double *med = xcalloc(BOOT_RESAMPLES, sizeof(double));
    uint64_t s = BOOT_SEED;
    for (int r = 0; r < BOOT_RESAMPLES; r++) {
        int nd = 0;
        for (int k = 0; k < t->issues; k++) {
            /* the modulo's bias is issues / 2^64: none worth a loop */
            double v = t->lead[splitmix64(&s) % (uint64_t)t->issues];
            if (!isnan(v))
                draw[nd++] = v;
        }
        if (!nd)
            continue;
        qsort(draw, (size_t)nd, sizeof *draw, dbl_cmp);
        med[ci.kept++] = quantile(draw, nd, 0.5);
    }
    qsort(med, (size_t)ci.kept, sizeof *med, dbl_cmp);
    ci.lo = quantile(med, ci.kept, 0.025);
    ci.hi = quantile(med, ci.kept, 0.975);
    free(med);
    free(draw);
    return ci;
}

/* ---- reports ------------------------------------------------------------------------------ */

typedef struct {
    const char *truth;           /* the file name, to show */
    eval_t e;
    tally_t t;                   /* of this run alone */
    figures_t f;
} run_t;

/* What a pooled report adds to the figures: the spread between runs. */
typedef struct {
    int nruns;
    int lead14;                  /* runs whose own median lead is >= 14 days */
    int worst;                   /* run (0-based) with the largest false rate; -1 none */
    double worst_fa;             /* its false rate, NAN if none */
    interval_t ci;
} pool_t;

static void put_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void put_num(FILE *f, double v)
{
    if (isnan(v))
        fputs("null", f);
    else
        fprintf(f, "%.2f", v);
}

/* The figures as JSON members (no braces), the same for a run and pooled. */
static void json_figures(FILE *f, const tally_t *t, const figures_t *g)
{
    fprintf(f, "\"issues\":%d,\"detected\":%d,\"detection_rate\":", t->issues, t->ndet);
    put_num(f, g->rate);
    fputs(",\"by_shape\":{", f);
    for (int s = 0, first = 1; s < NSHAPES; s++) {
        if (!t->nshape[s])
            continue;
        fprintf(f, "%s\"%s\":{\"issues\":%d,\"detected\":%d}", first ? "" : ",", shapes[s], t->nshape[s],
                t->dshape[s]);
        first = 0;
    }
    fputs("},\"lead_days\":{\"min\":", f);
    put_num(f, g->lmin);
    fputs(",\"median\":", f);
    put_num(f, g->lmed);
    fputs(",\"p75\":", f);
    put_num(f, g->lp75);
    fputs(",\"max\":", f);
    put_num(f, g->lmax);
    fprintf(f, "},\"background_records\":%lld,\"days\":%lld,\"false_orange\":%ld,\"false_orange_person\":%ld,"
               "\"false_orange_per_week\":",
            (long long)t->background, (long long)t->days, t->false_orange, t->false_orange_person);
    put_num(f, g->per_week);
    fputs(",\"false_orange_per_week_per_100k\":", f);
    put_num(f, g->fa_norm);
    fprintf(f, ",\"orange_alerts_on_detected\":%ld,\"person_orange_alerts_on_detected\":%ld,"
               "\"alerts_per_detected_issue\":", t->orange_on_detected, t->person_orange_on_detected);
    put_num(f, g->per_issue);
    fprintf(f, ",\"alerts_on_planted\":%ld", t->all_alerts);
    fprintf(f, ",\"person_issues\":%d,\"person_hits\":%d,\"person_false\":%ld,\"person_on_other_planted\":%ld",
            t->nperson, t->person_hits, t->person_false, t->person_on_planted);
}

static void json_run(FILE *f, const run_t *r)
{
    const eval_t *e = &r->e;
    fputc('{', f);
    json_figures(f, &r->t, &r->f);
    fprintf(f, ",\"alerts_read\":%ld,\"downgrades\":%ld,\"alerts_by_sample_ids\":%ld,\"bad_lines\":%ld",
            e->alerts, e->downgrades, e->by_samples, e->bad_lines);
    fputs(",\"per_issue\":[", f);
    for (int i = 0; i < e->niss; i++) {
        const issue_t *x = &e->iss[i];
        fprintf(f, "%s{\"issue\":", i ? "," : "");
        put_json_str(f, x->name);
        fprintf(f, ",\"shape\":\"%s\",\"petition_day\":\"%s\",\"records\":%d,\"assigned\":%d,"
                   "\"clusters\":%d,\"main_cluster_pct\":%d,\"detected\":%s,\"lead_days\":",
                x->shape >= 0 ? shapes[x->shape] : "?", x->petition, x->nrec, x->assigned,
                x->nclusters, x->main_cluster_share, detected(x) ? "true" : "false");
        put_num(f, lead_days(x));
        fprintf(f, ",\"orange_alerts\":%d,\"alerts\":%d,\"person_alerts\":%d,\"person_hit\":%s}",
                x->orange_alerts, x->all_alerts, x->person_alerts, x->person_hit ? "true" : "false");
    }
    fputs("]}", f);
}

/* The figures in text, the same for a run and pooled: e adds a run's
 * examples of false alerts, p the pooled report's interval and spread. */
static void text_figures(const tally_t *t, const figures_t *g, const eval_t *e, const pool_t *p)
{
    printf("planted escalations: %d; background records: %lld over %lld days (%.1f weeks)\n",
           t->issues, (long long)t->background, (long long)t->days, g->weeks);
    printf("detected orange+ before petition day: %d/%d (%.1f%%)   [target >= 90%%]\n", t->ndet, t->issues,
           isnan(g->rate) ? 0.0 : g->rate);
    for (int s = 0; s < NSHAPES; s++)
        if (t->nshape[s])
            printf("  %-7s %d/%d\n", shapes[s], t->dshape[s], t->nshape[s]);
    if (t->ndet)
        printf("lead time, days: min %.1f  median %.1f  p75 %.1f  max %.1f   [target median >= 14]\n",
               g->lmin, g->lmed, g->lp75, g->lmax);
    else
        printf("lead time, days: none detected\n");
    if (p && p->ci.kept)
        printf("  median, 95%% bootstrap interval: %.1f .. %.1f (%d resamples of the %d issues)\n",
               p->ci.lo, p->ci.hi, p->ci.kept, t->issues);
    if (p)
        printf("  runs with a median lead >= 14 days: %d/%d\n", p->lead14, p->nruns);
    printf("false orange+ alerts: %ld (%.2f a week); per week per 100k background records a week: %.2f"
           "   [target <= 1]\n", t->false_orange, isnan(g->per_week) ? 0.0 : g->per_week,
           isnan(g->fa_norm) ? 0.0 : g->fa_norm);
    printf("  of which person alerts: %ld\n", t->false_orange_person);
    for (int i = 0; e && i < e->nfalse_show; i++)
        printf("  e.g. %s\n", e->false_show[i]);
    if (p && p->worst >= 0)
        printf("  largest in one run: %.2f per week per 100k (run %d)\n", p->worst_fa, p->worst + 1);
    if (t->ndet)
        printf("orange+ alerts per detected issue: %.2f (%ld alerts on %d issues, %ld of them person alerts)"
               "   [target <= 1.5]\n", g->per_issue, t->orange_on_detected, t->ndet, t->person_orange_on_detected);
    else
        printf("orange+ alerts per detected issue: n/a\n");
    printf("cluster alerts of any level on planted issues: %ld (%.2f an issue)\n", t->all_alerts,
           t->issues ? (double)t->all_alerts / t->issues : 0.0);
    printf("person alerts: %d/%d angry-person issues alerted before the petition day; "
           "%ld person alerts on no planted issue, %ld on other planted issues\n",
           t->person_hits, t->nperson, t->person_false, t->person_on_planted);
}

static void text_run(const run_t *r)
{
    const eval_t *e = &r->e;
    text_figures(&r->t, &r->f, e, NULL);
    printf("alerts read: %ld (%ld downgrades ignored, %ld attributed by sample_ids, %ld on clusters not in the"
           " assignments)\n", e->alerts, e->downgrades, e->by_samples, e->unknown_cluster);
    printf("\n%-36s %-6s %-10s %5s %5s %4s %5s %7s %6s %6s\n", "issue", "shape", "petition", "recs", "clus",
           "top%", "det", "lead_d", "orange", "person");
    for (int i = 0; i < e->niss; i++) {
        const issue_t *x = &e->iss[i];
        char ld[16] = "-";
        if (detected(x))
            snprintf(ld, sizeof ld, "%.1f", lead_days(x));
        else if (x->first_orange_ms != INT64_MAX)
            snprintf(ld, sizeof ld, "late");
        /* pad by display width: CJK characters are 3 bytes and 2 columns */
        int cols = 0;
        for (const unsigned char *p = (const unsigned char *)x->name; *p; p++)
            if ((*p & 0xC0) != 0x80)
                cols += *p >= 0xE0 ? 2 : 1;
        printf("%s%*s %-6s %-10s %5d %5d %4d %5s %7s %6d %6s\n", x->name, cols < 36 ? 36 - cols : 0, "",
               x->shape >= 0 ? shapes[x->shape] : "?", x->petition, x->nrec, x->nclusters,
               x->main_cluster_share, detected(x) ? "yes" : "no", ld, x->orange_alerts,
               x->shape == SHAPE_PERSON ? (x->person_hit ? "hit" : "miss") : "");
    }
}

/* "%.<prec>f" of v, or "-" when v is NAN. */
static const char *num_or_dash(char *buf, size_t n, double v, int prec)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.*f", prec, v);
    return buf;
}

/* Several runs: a line per run, then the figures over all of them. */
static void report_pooled(const run_t *runs, int nruns, const tally_t *all, int json)
{
    figures_t g = figures_of(all);
    pool_t p = { .nruns = nruns, .worst = -1, .worst_fa = NAN, .ci = median_interval(all) };
    for (int k = 0; k < nruns; k++) {
        double fa = runs[k].f.fa_norm;
        if (runs[k].f.lmed >= 14)        /* NAN compares false */
            p.lead14++;
        if (!isnan(fa) && (p.worst < 0 || fa > p.worst_fa)) {
            p.worst = k;
            p.worst_fa = fa;
        }
    }

    if (json) {
        FILE *f = stdout;
        fputs("{\"runs\":[", f);
        for (int k = 0; k < nruns; k++) {
            if (k)
                fputc(',', f);
            json_run(f, &runs[k]);
        }
        fprintf(f, "],\"pooled\":{\"run_count\":%d,", nruns);
        json_figures(f, all, &g);
        fputs(",\"lead_median_ci95\":{\"low\":", f);
        put_num(f, p.ci.lo);
        fputs(",\"high\":", f);
        put_num(f, p.ci.hi);
        fprintf(f, ",\"resamples\":%d,\"kept\":%d},\"runs_median_lead_ge_14\":%d", BOOT_RESAMPLES, p.ci.kept,
                p.lead14);
        fputs(",\"max_run_false_orange_per_week_per_100k\":", f);
        put_num(f, p.worst_fa);
        fprintf(f, ",\"max_false_rate_run\":%d}}\n", p.worst + 1);
        return;
    }

    printf("%3s  %8s  %11s  %5s  %8s  %9s  %s\n", "run", "detected", "median lead", "false", "per 100k",
           "per issue", "truth");
    for (int k = 0; k < nruns; k++) {
        const run_t *r = &runs[k];
        char det[24], med[16], fa[16], per[16];
        snprintf(det, sizeof det, "%d/%d", r->t.ndet, r->t.issues);
        printf("%3d  %8s  %11s  %5ld  %8s  %9s  %s\n", k + 1, det, num_or_dash(med, sizeof med, r->f.lmed, 1),
               r->t.false_orange, num_or_dash(fa, sizeof fa, r->f.fa_norm, 2),
               num_or_dash(per, sizeof per, r->f.per_issue, 2), r->truth);
    }
    printf("(false: false orange+ alerts; per 100k: of them, per week per 100k background records a week;\n"
           " per issue: orange+ alerts per detected issue)\n");
    printf("\npooled over %d runs:\n", nruns);
    text_figures(all, &g, NULL, &p);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: yweval --truth T.jsonl --assignments A.jsonl --alerts ALERTS.jsonl\n"
        "              [--truth T2.jsonl --assignments A2.jsonl --alerts ALERTS2.jsonl ...]\n"
        "              [--share F] [--json]\n"
        "\n"
        "Scores `ywctl backtest` output against a ywscenario ground truth: planted\n"
        "escalations alerted orange+ before their petition day, lead times, false\n"
        "orange+ alerts per week per 100k background records a week, orange+ alerts\n"
        "per detected issue, person-alert hits.  Exits 0 whatever the figures.\n"
        "Several runs (the k-th --truth, --assignments and --alerts make run k):\n"
        "a line per run, then the figures pooled over all runs, with a 95%%\n"
        "bootstrap interval of the pooled median lead.\n"
        "\n"
        "  --share F   a cluster belongs to an issue holding the majority of its\n"
        "              records, or holding at least F of the issue's records\n"
        "              (default 0.3)\n"
        "  --json      one JSON object instead of the text report (several runs:\n"
        "              {\"runs\":[...],\"pooled\":{...}})\n");
}

int main(int argc, char **argv)
{
    /* run k is the k-th of each of --truth, --assignments, --alerts */
    const char **truth = xcalloc((size_t)argc, sizeof *truth), **assign = xcalloc((size_t)argc, sizeof *assign),
               **alerts = xcalloc((size_t)argc, sizeof *alerts);
    int nt = 0, na = 0, nl = 0, json = 0, nruns = 0, rc = 0;
    double share = 0.3;
    run_t *runs = NULL;
    tally_t all = { 0 };
    static const struct option opts[] = {
        { "truth", required_argument, NULL, 't' },
        { "assignments", required_argument, NULL, 'a' },
        { "alerts", required_argument, NULL, 'l' },
        { "share", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': truth[nt++] = optarg; break;
        case 'a': assign[na++] = optarg; break;
        case 'l': alerts[nl++] = optarg; break;
        case 's': {
            char *end;
            share = strtod(optarg, &end);
            if (*end || !(share > 0 && share <= 1)) {
                fprintf(stderr, "yweval: bad --share '%s' (want 0 < F <= 1)\n", optarg);
                rc = 2;
                goto done;
            }
            break;
        }
        case 'j': json = 1; break;
        case 'h': usage(stdout); goto done;
        default: usage(stderr); rc = 2; goto done;
        }
    }
    if (optind < argc || !nt || !na || !nl) {
        fprintf(stderr, "yweval: --truth, --assignments and --alerts are required\n");
        usage(stderr);
        rc = 2;
        goto done;
    }
    if (nt != na || na != nl) {
        fprintf(stderr, "yweval: %d --truth, %d --assignments, %d --alerts: want as many of each"
                        " (the k-th of each is run k)\n", nt, na, nl);
        rc = 2;
        goto done;
    }
    nruns = nt;
    runs = xcalloc((size_t)nruns, sizeof *runs);
    for (int k = 0; k < nruns; k++) {
        run_t *r = &runs[k];
        r->truth = truth[k];
        r->e.share = share;
        if (run_read(&r->e, truth[k], assign[k], alerts[k]) != 0) {
            rc = 1;
            goto done;
        }
        tally_add(&r->t, &r->e);
        r->f = figures_of(&r->t);
        tally_add(&all, &r->e);
    }
    if (nruns > 1)
        report_pooled(runs, nruns, &all, json);
    else if (json) {
        json_run(stdout, &runs[0]);
        putchar('\n');
    } else
        text_run(&runs[0]);
done:
    for (int k = 0; k < nruns; k++) {
        eval_free(&runs[k].e);
        free(runs[k].t.lead);
    }
    free(runs);
    free(all.lead);
    free(truth);
    free(assign);
    free(alerts);
    return rc;
}
