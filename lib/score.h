/* score.h -- explainable risk score, four-colour levels and alerts per cluster.
 *
 * Owns: per-cluster scoring state (event-time windows, distinct
 * complainants, places, decayed rule-kind sums, baselines, level), the
 * watermark, the schedule of re-evaluations, and person-level escalation
 * state.  Everything lives in one yw_scorer_t (no globals); a shard owns
 * one.  It does not cluster: the caller says which cluster a record joined.
 *
 * Signals (docs/scoring.md gives every formula and default):
 *   volume, burst, growth, people, repeat, sources, escalation, emotion,
 *   domain, spread, concentration, outcome, deflection, selfharm.
 * Each is computed as a raw value and the points it adds; the score is
 * their sum capped at 100.  An alert lists every signal that added points,
 * with a short readable detail that carries no personal data.
 *
 * Levels blue/yellow/orange/red: rise when the score reaches a level's
 * threshold; fall only when it drops below (threshold - hysteresis).  No
 * second rise within `cooldown` of event time after a rise unless the
 * level jumps by 2 or self-harm language forces it.  Self-harm language
 * puts a floor under the level while it is recent.
 *
 * Time is event time only.  The watermark is max(event time seen) minus
 * the allowed lateness; records older than it are late (see window.h for
 * what a late record counts in).  A cluster is evaluated when a record
 * joins it and when the watermark passes its next-evaluation time (kept in
 * a min-heap, so a quiet cluster decays and is downgraded without any scan
 * over all clusters).  observe() advances the watermark and so may emit
 * alerts for other clusters; tick() advances it without a record (idle
 * stream, end of a replay).
 *
 * Deterministic: the same records in the same order, with the same calls
 * to tick(), yield the same alerts with the same alert ids. */
#ifndef YW_SCORE_H
#define YW_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alert.h"
#include "featurize.h"
#include "record.h"

typedef enum {
    YW_SIG_VOLUME = 0,      /* records in the last volume_days */
    YW_SIG_BURST,           /* 24 h count vs own and global baseline */
    YW_SIG_GROWTH,          /* last growth_days vs the growth_days before */
    YW_SIG_PEOPLE,          /* distinct complainants, recent (decayed) */
    YW_SIG_REPEAT,          /* repeat contacts by the same person (decayed) */
    YW_SIG_SOURCES,         /* corroboration: sources seen in volume_days */
    YW_SIG_ESCALATION,      /* rule kind escalation (decayed weight) */
    YW_SIG_EMOTION,         /* rule kind emotion */
    YW_SIG_DOMAIN,          /* rule kind domain */
    YW_SIG_SPREAD,          /* online reposts/comments/likes, log10 */
    YW_SIG_CONCENTRATION,   /* share of records in the top street/community */
    YW_SIG_OUTCOME,         /* unresolved / dissatisfied outcomes */
    YW_SIG_DEFLECTION,      /* rule kind deflection (replies) */
    YW_SIG_SELFHARM,        /* rule kind selfharm: also a level floor */
    YW_SIG_TREND,           /* weekly counts rising week after week */
    YW_SIG_CAMPAIGN,        /* several widely shared posts: an online campaign */
    YW_SIG_COUNT
} yw_signal_id_t;

/* "volume", "burst", ... (the name in alerts and in the config). */
const char *yw_score_signal_name(int sig);

/* Weights and thresholds.  A plain struct: fill it with
 * yw_score_conf_defaults() and override fields (the config's `score:`
 * section maps onto it key by key). */
typedef struct {
    int tz_offset_minutes;          /* daily buckets start at local midnight (480) */
    int64_t lateness_ms;            /* allowed lateness behind max event time (2 h) */

    double weight[YW_SIG_COUNT];    /* points at saturation */
    double sat[YW_SIG_COUNT];       /* value at which a signal saturates */

    double thresholds[5];           /* [YW_LEVEL_BLUE..RED]: 25 45 65 90 ([0] unused) */
    double hysteresis;              /* fall below threshold - this (8) */
    int64_t cooldown_ms;            /* no second rise within this (6 h) ... */
    int64_t fall_hold_ms;           /* fall only after this long below the fall line (72 h) */
    int64_t eval_step_ms;           /* re-evaluate clusters with a level this often (1 h) */

    double half_life_h;             /* decayed sums (72 h) */
    int volume_days;                /* volume and sources window (7) */
    int growth_days;                /* growth: last N days vs the N before (3) */
    double growth_min_recent;       /* growth needs this many recent records (5) */
    double growth_prior;            /* pseudo-count added to both windows (3) */
    /* trend: w0, w1, w2 = records in the last 7 days, the 7 before, the 7
     * before those; counts when w0 >= trend_min_recent, w1 >= trend_min_prev,
     * each week >= trend_step x the one before and the cluster is older
     * than two weeks; value r = (w0 + growth_prior) / (w2 + growth_prior),
     * points w * clamp(log(r / trend_min_ratio) / log(sat / trend_min_ratio)). */
    double trend_step;              /* (1.4) */
    double trend_min_ratio;         /* (1.5) */
    double trend_min_recent;        /* (10) */
    double trend_min_prev;          /* (3) */
    /* campaign: n = decayed count of posts with >= campaign_min_interactions
     * (reposts + comments + likes/10); counts when n >= campaign_min_posts
     * and n >= campaign_min_share x the decayed records; points
     * w * clamp(log2(1 + n) / log2(1 + sat)).  Like trend, it may lift a
     * cluster to orange, never into red. */
    double campaign_min_interactions; /* (100) */
    double campaign_min_posts;      /* (3) */
    double campaign_min_share;      /* (0.3) */

    double burst_beta;              /* SigniTrend bias term, in records (1) */
    double burst_z_min;             /* z below this adds nothing (2) */
    double burst_alpha_own;         /* EWMA weight of a day, own baseline (0.2) */
    double burst_alpha_global;      /* EWMA weight of a day, global baseline (0.1) */
    double burst_p_max;             /* Poisson tail must be below this (0.01) */
    int burst_min_history_days;     /* own baseline used after this many days (3) */
    double global_prior_mean;       /* global baseline before the first day (1) */
    double global_prior_sd;         /* (1) */

    double concentration_min;       /* records with a place before it counts (3) */
    double concentration_active;    /* decayed records for full weight (5) */

    /* Focus: a collective petition is about one place.  With at least
     * concentration_min records naming a street, the size signals (volume,
     * burst, growth, people, repeat, sources) are multiplied by
     * focus_floor + (1 - focus_floor) * clamp((share - focus_lo) /
     * (focus_hi - focus_lo)), share = top street's share. */
    double focus_lo;                /* (0.4) */
    double focus_hi;                /* (0.8) */
    double focus_floor;             /* (0.3) */

    /* Language rates: escalation, emotion, outcome and deflection points
     * are multiplied by clamp(rate / rate_sat), rate = the signal's decayed
     * sum per decayed record, so a big cluster with a few angry records
     * among many plain ones does not saturate them. */
    double rate_sat;                /* (0.3) */

    int warmup_days;                /* no level above yellow (bar self-harm)
                                       until the stream is this many days old (7) */

    int selfharm_level;             /* level floor while self-harm is recent (orange) */
    double selfharm_floor_min;      /* decayed self-harm weight that holds the floor (0.25) */

    /* person-level escalation */
    int person_cap;                 /* tracked persons (65536) */
    int64_t person_ttl_ms;          /* forget a person quiet for this long (30 d) */
    int person_min_contacts;        /* (4) */
    int person_min_deflections;     /* deflected or unresolved contacts (3) */
    int person_orange_deflections;  /* orange: at least this many deflected (5) ... */
    double person_orange_share;     /* ... and this share of the answered contacts (0.7) ... */
    int person_orange_refusals;     /* ... and this many replies hit a deflection rule (3) */
    int person_refusals_alone;      /* this many refusals stand in for a rise in emotion (5) */
} yw_score_conf_t;

void yw_score_conf_defaults(yw_score_conf_t *conf);
/* Returns 0, or -1 with a reason in errbuf (e.g. thresholds not rising). */
int yw_score_conf_check(const yw_score_conf_t *conf, char *errbuf, size_t errlen);

typedef struct yw_scorer yw_scorer_t;

/* A level change: a rise is an alert, a fall a downgrade event (level <
 * prev_level).  The alert is only valid during the call. */
typedef void (*yw_score_emit_fn)(void *opaque, const yw_alert_t *alert);
/* Fill title, places and sample_ids of a cluster the scorer evaluates
 * without a cluster_view at hand (tick, or another cluster's record
 * advancing the watermark).  Optional. */
typedef void (*yw_score_view_fn)(void *opaque, const char *cluster_id,
                                 yw_alert_t *alert);

#define YW_SCORE_ENOMEM (-1)
#define YW_SCORE_ENOENT (-2)

/* conf is copied; NULL means the defaults. */
yw_scorer_t *yw_scorer_create(const yw_score_conf_t *conf, char *errbuf,
                              size_t errlen);
void yw_scorer_destroy(yw_scorer_t *s);
void yw_scorer_set_view(yw_scorer_t *s, yw_score_view_fn view, void *opaque);

/* Trace every evaluation to f (NULL: off, the default), one JSON object
 * per line -- {"cluster","t" (event ms),"score","level" (before this
 * evaluation's change),"age_h","weeks" (records in the last 7 days and
 * the three weeks before),"active_days_14","people","sources","focus",
 * "signals":{"volume":[value,points],...}} -- and every merge as
 * {"merge":FROM,"into":INTO}.  For tuning offline (`ywctl backtest
 * --score-trace`); costs nothing when off.  The caller owns f. */
void yw_scorer_set_trace(yw_scorer_t *s, FILE *f);

/* One record joined cluster_id (at most 47 bytes; longer ids are cut).
 * feat may be NULL (no rule features).  cluster_view, when non-NULL,
 * supplies title, places and sample_ids for alerts about this cluster.
 * emit may be NULL.  Returns 0, or YW_SCORE_ENOMEM (the record is then
 * not counted). */
int yw_score_observe(yw_scorer_t *s, const char *cluster_id,
                     const yw_record_t *rec, const yw_features_t *feat,
                     const yw_alert_t *cluster_view, yw_score_emit_fn emit,
                     void *opaque);

/* Advance the watermark to at least `watermark` (event-time ms) and
 * re-evaluate every cluster whose next evaluation is due, at its due time.
 * Returns the number of evaluations. */
int yw_score_tick(yw_scorer_t *s, int64_t watermark, yw_score_emit_fn emit,
                  void *opaque);
int64_t yw_score_watermark(const yw_scorer_t *s);   /* INT64_MIN before any record */

/* Clusters merged: from's counts, people, places and person state move
 * into `into` (created if absent); from is removed.  No alert is emitted;
 * into keeps the higher of the two levels.  0, ENOENT (no from), ENOMEM. */
int yw_score_merge(yw_scorer_t *s, const char *from_id, const char *into_id);
/* Drop a cluster (expired).  0 or ENOENT. */
int yw_score_forget(yw_scorer_t *s, const char *cluster_id);

/* The cluster's current state as an alert (kind cluster, level = current,
 * prev_level = level, signals as of its last evaluation time, event_time =
 * that time; title/places/samples from the view callback when set).
 * 0 or ENOENT. */
int yw_score_summary(yw_scorer_t *s, const char *cluster_id, yw_alert_t *out);

/* The cluster's score and level as of its last evaluation, and that time:
 * what yw_score_summary would say of them, without building the alert.
 * 0 or ENOENT. */
int yw_score_level(const yw_scorer_t *s, const char *cluster_id, double *score,
                   int *level, int64_t *at);

/* Daily record counts per source of a cluster: out[d] is the day d days
 * before the day containing `now` (event time; days of the configured
 * zone as the windows count them).  0 or ENOENT. */
int yw_score_timeline(const yw_scorer_t *s, const char *cluster_id, int64_t now,
                      int ndays, int64_t (*out)[YW_SRC_COUNT]);

typedef struct {
    uint64_t observed, late;
    uint64_t clusters, clusters_with_rings, persons_tracked;
    uint64_t evaluations, tick_evaluations;
    uint64_t alerts_cluster, alerts_person, downgrades, cooldown_blocked;
    uint64_t heap_entries;
    size_t mem_bytes;               /* heap bytes held by the scorer */
} yw_score_stats_t;
void yw_score_stats(const yw_scorer_t *s, yw_score_stats_t *st);

/* Snapshots (snapshot.h): everything that decides future alerts --
 * clusters (windows, decayed sums, baselines, people sets and sketches,
 * places, level and cooldown), the evaluation heap, the watermark, the
 * global baseline and person-level state.  load fills a scorer fresh from
 * yw_scorer_create() (the config is the caller's; records.timezone must
 * be unchanged).  0, or -1 with the reason in r->err: the scorer is then
 * only fit for yw_scorer_destroy(). */
struct yw_snap_buf;
struct yw_snap_rd;
void yw_scorer_save(const yw_scorer_t *s, struct yw_snap_buf *b);
int yw_scorer_load(yw_scorer_t *s, struct yw_snap_rd *r);

#endif
