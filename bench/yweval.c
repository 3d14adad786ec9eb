/* yweval.c -- scores early warning against a scenario's ground truth.
 *
 *   yweval --truth T.jsonl --assignments A.jsonl --alerts ALERTS.jsonl
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
 * computes them.  It is a measuring tool: it exits 0 whatever the figures
 * (2 on bad arguments, 1 when an input cannot be read).
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
        if (x->shape == 3) {
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

/* ---- figures ---------------------------------------------------------------------------- */

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

static void report(const eval_t *e, int json)
{
    int ndet = 0, nshape[NSHAPES] = { 0 }, dshape[NSHAPES] = { 0 }, nperson = 0, person_hits = 0;
    long orange_on_detected = 0, person_orange_on_detected = 0, all_alerts = 0;
    double *lead = xcalloc((size_t)(e->niss ? e->niss : 1), sizeof(double));
    for (int i = 0; i < e->niss; i++) {
        const issue_t *x = &e->iss[i];
        all_alerts += x->all_alerts;
        if (x->shape >= 0)
            nshape[x->shape]++;
        if (x->shape == 3) {
            nperson++;
            person_hits += x->person_hit;
        }
        if (!detected(x))
            continue;
        lead[ndet++] = (double)(x->petition_ms - x->first_orange_ms) / DAY_MS;
        orange_on_detected += x->orange_alerts;
        person_orange_on_detected += x->person_orange;
        if (x->shape >= 0)
            dshape[x->shape]++;
    }
    qsort(lead, (size_t)ndet, sizeof *lead, dbl_cmp);
    double rate = e->niss ? 100.0 * ndet / e->niss : NAN;
    double weeks = (double)e->days / 7.0;
    double per_week = weeks > 0 ? e->false_orange / weeks : NAN;
    /* per week per 100k background records a week = false * 100000 / background */
    double fa_norm = e->background > 0 ? (double)e->false_orange * 1e5 / (double)e->background : NAN;
    double per_issue = ndet ? (double)orange_on_detected / ndet : NAN;
    double lmin = ndet ? lead[0] : NAN, lmed = quantile(lead, ndet, 0.5), lp75 = quantile(lead, ndet, 0.75),
           lmax = ndet ? lead[ndet - 1] : NAN;

    if (json) {
        FILE *f = stdout;
        fprintf(f, "{\"issues\":%d,\"detected\":%d,\"detection_rate\":", e->niss, ndet);
        put_num(f, rate);
        fputs(",\"by_shape\":{", f);
        for (int s = 0, first = 1; s < NSHAPES; s++) {
            if (!nshape[s])
                continue;
            fprintf(f, "%s\"%s\":{\"issues\":%d,\"detected\":%d}", first ? "" : ",", shapes[s], nshape[s], dshape[s]);
            first = 0;
        }
        fputs("},\"lead_days\":{\"min\":", f);
        put_num(f, lmin);
        fputs(",\"median\":", f);
        put_num(f, lmed);
        fputs(",\"p75\":", f);
        put_num(f, lp75);
        fputs(",\"max\":", f);
        put_num(f, lmax);
        fprintf(f, "},\"background_records\":%lld,\"days\":%lld,\"false_orange\":%ld,\"false_orange_person\":%ld,"
                   "\"false_orange_per_week\":",
                (long long)e->background, (long long)e->days, e->false_orange, e->false_orange_person);
        put_num(f, per_week);
        fputs(",\"false_orange_per_week_per_100k\":", f);
        put_num(f, fa_norm);
        fprintf(f, ",\"orange_alerts_on_detected\":%ld,\"person_orange_alerts_on_detected\":%ld,"
                   "\"alerts_per_detected_issue\":", orange_on_detected, person_orange_on_detected);
        put_num(f, per_issue);
        fprintf(f, ",\"alerts_on_planted\":%ld", all_alerts);
        fprintf(f, ",\"person_issues\":%d,\"person_hits\":%d,\"person_false\":%ld,\"person_on_other_planted\":%ld",
                nperson, person_hits, e->person_false, e->person_on_planted);
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
            put_num(f, detected(x) ? (double)(x->petition_ms - x->first_orange_ms) / DAY_MS : NAN);
            fprintf(f, ",\"orange_alerts\":%d,\"alerts\":%d,\"person_alerts\":%d,\"person_hit\":%s}",
                    x->orange_alerts, x->all_alerts, x->person_alerts, x->person_hit ? "true" : "false");
        }
        fputs("]}\n", f);
        free(lead);
        return;
    }

    printf("planted escalations: %d; background records: %lld over %lld days (%.1f weeks)\n",
           e->niss, (long long)e->background, (long long)e->days, weeks);
    printf("detected orange+ before petition day: %d/%d (%.1f%%)   [target >= 90%%]\n", ndet, e->niss,
           isnan(rate) ? 0.0 : rate);
    for (int s = 0; s < NSHAPES; s++)
        if (nshape[s])
            printf("  %-7s %d/%d\n", shapes[s], dshape[s], nshape[s]);
    if (ndet)
        printf("lead time, days: min %.1f  median %.1f  p75 %.1f  max %.1f   [target median >= 14]\n",
               lmin, lmed, lp75, lmax);
    else
        printf("lead time, days: none detected\n");
    printf("false orange+ alerts: %ld (%.2f a week); per week per 100k background records a week: %.2f"
           "   [target <= 1]\n", e->false_orange, isnan(per_week) ? 0.0 : per_week, isnan(fa_norm) ? 0.0 : fa_norm);
    printf("  of which person alerts: %ld\n", e->false_orange_person);
    for (int i = 0; i < e->nfalse_show; i++)
        printf("  e.g. %s\n", e->false_show[i]);
    if (ndet)
        printf("orange+ alerts per detected issue: %.2f (%ld alerts on %d issues, %ld of them person alerts)"
               "   [target <= 1.5]\n", per_issue, orange_on_detected, ndet, person_orange_on_detected);
    else
        printf("orange+ alerts per detected issue: n/a\n");
    printf("cluster alerts of any level on planted issues: %ld (%.2f an issue)\n", all_alerts,
           e->niss ? (double)all_alerts / e->niss : 0.0);
    printf("person alerts: %d/%d angry-person issues alerted before the petition day; "
           "%ld person alerts on no planted issue, %ld on other planted issues\n",
           person_hits, nperson, e->person_false, e->person_on_planted);
    printf("alerts read: %ld (%ld downgrades ignored, %ld attributed by sample_ids, %ld on clusters not in the"
           " assignments)\n", e->alerts, e->downgrades, e->by_samples, e->unknown_cluster);
    printf("\n%-36s %-6s %-10s %5s %5s %4s %5s %7s %6s %6s\n", "issue", "shape", "petition", "recs", "clus",
           "top%", "det", "lead_d", "orange", "person");
    for (int i = 0; i < e->niss; i++) {
        const issue_t *x = &e->iss[i];
        char ld[16] = "-";
        if (detected(x))
            snprintf(ld, sizeof ld, "%.1f", (double)(x->petition_ms - x->first_orange_ms) / DAY_MS);
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
               x->shape == 3 ? (x->person_hit ? "hit" : "miss") : "");
    }
    free(lead);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: yweval --truth T.jsonl --assignments A.jsonl --alerts ALERTS.jsonl\n"
        "              [--share F] [--json]\n"
        "\n"
        "Scores `ywctl backtest` output against a ywscenario ground truth: planted\n"
        "escalations alerted orange+ before their petition day, lead times, false\n"
        "orange+ alerts per week per 100k background records a week, orange+ alerts\n"
        "per detected issue, person-alert hits.  Exits 0 whatever the figures.\n"
        "\n"
        "  --share F   a cluster belongs to an issue holding the majority of its\n"
        "              records, or holding at least F of the issue's records\n"
        "              (default 0.3)\n"
        "  --json      one JSON object instead of the text report\n");
}

int main(int argc, char **argv)
{
    const char *truth = NULL, *assign = NULL, *alerts = NULL;
    int json = 0;
    eval_t e = { 0 };
    e.share = 0.3;
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
        case 't': truth = optarg; break;
        case 'a': assign = optarg; break;
        case 'l': alerts = optarg; break;
        case 's': {
            char *end;
            e.share = strtod(optarg, &end);
            if (*end || !(e.share > 0 && e.share <= 1)) {
                fprintf(stderr, "yweval: bad --share '%s' (want 0 < F <= 1)\n", optarg);
                return 2;
            }
            break;
        }
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !truth || !assign || !alerts) {
        fprintf(stderr, "yweval: --truth, --assignments and --alerts are required\n");
        usage(stderr);
        return 2;
    }
    int rc = 0;
    if (read_lines(&e, truth, truth_line) != 0)
        rc = 1;
    else if (!e.have_summary) {
        fprintf(stderr, "yweval: %s: no summary line (background_records, days)\n", truth);
        rc = 1;
    } else if (read_lines(&e, assign, assign_line) != 0)
        rc = 1;
    else {
        attribute_clusters(&e);
        if (read_lines(&e, alerts, alert_line) != 0)
            rc = 1;
        else
            report(&e, json);
    }
    for (int i = 0; i < e.niss; i++) {
        free(e.iss[i].name);
        free(e.iss[i].rec_cluster);
    }
    free(e.iss);
    free(e.ctot);
    free(e.owner);
    map_free(&e.rec2idx);
    map_free(&e.clusters);
    return rc;
}
