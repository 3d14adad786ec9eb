/* cluster.h -- incremental single-pass clustering by concrete issue.
 *
 * Owns: every cluster of a shard (centroids, counts, readable labels), the
 * inverted index term -> clusters that yields candidates, the streaming
 * document frequencies behind the TF-IDF weights (one array of hashed
 * counters, see df.h), near-duplicate
 * signatures, merges, expiry and the id allocator.  No globals: one
 * yw_clusterer_t per shard, used by one thread.
 *
 * Per record (yw_cluster_add), in event-time order:
 *   1. weight: w = (1 + ln tf) * max(idf, idf_min) * kind weight, keep the
 *      record_terms strongest terms, L2-normalise;
 *   2. candidates: the clusters listed under the record's query_terms
 *      strongest terms in the index (each posting list holds at most
 *      posting_cap clusters; when full the smallest cluster is dropped) --
 *      never a scan over all clusters; the max_candidates with the most
 *      shared weight are scored exactly;
 *   3. similarity = cosine(record, centroid) * exp(-gap / time_scale),
 *      gap = how long the cluster has been quiet, so issues that do not
 *      overlap in time do not share a cluster;
 *   4. join the best candidate at or above threshold, else start a new
 *      cluster.  A record whose bottom-k signature matches one kept by the
 *      cluster (estimated Jaccard >= dup_jaccard) is a near-duplicate
 *      (copy-paste, signature campaigns): it is counted as a repeat and
 *      does not move the centroid;
 *   5. centroid: decayed (half-life in event time) sum of the members'
 *      unit vectors, truncated to its top_k terms; the cluster's
 *      index_terms strongest terms are (re)indexed as it grows;
 *   6. merge: when another candidate was also above threshold and the two
 *      centroids' cosine reaches merge_threshold, the smaller cluster is
 *      absorbed by the larger (reported in the assignment, and resolvable
 *      with yw_cluster_resolve);
 *   7. expiry: clusters quiet for expiry_hours (singleton_expiry_hours for
 *      one-record clusters) expire against the largest event time seen;
 *      beyond max_clusters the least recently updated one is evicted.
 * Memory is therefore bounded by max_clusters (see yw_cluster_stats).
 *
 * Cluster ids are 64-bit, allocated in order from 1 and never reused; their
 * text form is "c-000123" (yw_cluster_id_format). */
#ifndef YW_CLUSTER_H
#define YW_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "featurize.h"
#include "record.h"

typedef struct {
    double threshold;             /* join at similarity >= this */
    double merge_threshold;       /* centroid cosine to merge two clusters */
    double dup_jaccard;           /* estimated Jaccard for near-duplicates */
    uint32_t top_k;               /* centroid terms kept */
    uint32_t record_terms;        /* strongest record terms compared */
    uint32_t index_terms;         /* strongest centroid terms indexed */
    uint32_t query_terms;         /* strongest record terms looked up */
    uint32_t posting_cap;         /* clusters per posting list */
    uint32_t max_candidates;      /* candidates scored exactly */
    uint32_t max_clusters;        /* live clusters; LRU eviction beyond */
    double expiry_hours;          /* quiet clusters expire */
    double singleton_expiry_hours;/* quiet one-record clusters expire */
    double half_life_hours;       /* centroid decay in event time (0 = none) */
    double time_scale_hours;      /* similarity damping by quiet gap (0 = none) */
    double idf_min;               /* floor under the idf */
    float kind_weight[8];         /* by yw_term_kind_t (index 0 unused) */
    uint32_t df_width_log2;       /* df counters: 4 << this (18: 4 MiB) */
    uint32_t df_n_floor;          /* document-count floor under the idf's N */
    uint32_t merge_memory;        /* merges remembered for yw_cluster_resolve */
} yw_cluster_conf_t;

/* Fill c with the defaults (documented in bench/README.md, "clustering"). */
void yw_cluster_conf_default(yw_cluster_conf_t *c);

/* Set one key from text, e.g. ("threshold", "0.3") or ("w_entity", "3")
 * -- how `ywctl backtest --set cluster.KEY=VALUE` tunes a run until the
 * config file's cluster: section is wired.  Keys are the field names above;
 * kind weights are w_bigram, w_word, w_number, w_rule, w_entity, w_place.
 * Returns 0, or -1 with a message (unknown key, bad number, out of range). */
int yw_cluster_conf_set(yw_cluster_conf_t *c, const char *key,
                        const char *value, char *errbuf, size_t errlen);
/* Check ranges; 0 or -1 with a message. */
int yw_cluster_conf_check(const yw_cluster_conf_t *c, char *errbuf,
                          size_t errlen);
/* One "key = value" line per key (for --help and logs). */
void yw_cluster_conf_print(const yw_cluster_conf_t *c, FILE *out);

typedef struct yw_clusterer yw_clusterer_t;

#define YW_CLUSTER_MAX_MERGES 4   /* merges reported per add */

typedef struct {
    uint64_t cluster;             /* the cluster the record joined (alive) */
    bool is_new;                  /* it started that cluster */
    bool near_dup;                /* near-duplicate of a kept member */
    float similarity;             /* damped similarity to it (1 when new) */
    uint32_t candidates;          /* candidates scored exactly */
    uint32_t size;                /* records in the cluster after the add */
    uint32_t nmerges;             /* merges this add caused */
    struct {
        uint64_t absorbed, into;  /* absorbed is gone; its records are in `into` */
    } merges[YW_CLUSTER_MAX_MERGES];
    uint32_t nexpired;            /* clusters expired or evicted by this add */
} yw_cluster_assign_t;

typedef struct {
    uint64_t live;                /* clusters alive */
    uint64_t created, merged, expired, evicted;
    uint64_t records, near_dups;
    uint64_t index_terms;         /* terms in the inverted index */
    uint64_t memory_bytes;        /* every byte the clusterer holds */
    uint64_t df_bytes;            /* of which the document-frequency counters */
} yw_cluster_stats_t;

yw_clusterer_t *yw_clusterer_create(const yw_cluster_conf_t *conf,
                                    char *errbuf, size_t errlen);
void yw_clusterer_destroy(yw_clusterer_t *cl);

/* Cluster one record.  f: its features (f->vec sorted, unique, raw
 * counts; f->ents and f->norm are used for readable labels).  rec may be
 * NULL; when given, its district/street/community strings label the
 * cluster's places.  ts_ms: its event time.  Returns 0, or -1 on ENOMEM
 * (the clusterer stays consistent; the record is not counted). */
int yw_cluster_add(yw_clusterer_t *cl, const yw_features_t *f,
                   const yw_record_t *rec, int64_t ts_ms,
                   yw_cluster_assign_t *out);

/* Expire clusters quiet since before watermark_ms minus their expiry.
 * yw_cluster_add already does this against the largest event time seen;
 * call it when time moves without records.  Returns how many expired. */
size_t yw_cluster_expire(yw_clusterer_t *cl, int64_t watermark_ms);

/* Follow merges from id to the cluster that holds its records now (id
 * itself when it was never absorbed).  Remembers the last merge_memory
 * merges; older absorbed ids resolve to themselves. */
uint64_t yw_cluster_resolve(const yw_clusterer_t *cl, uint64_t id);

/* "c-000123" into buf (at least 24 bytes); returns buf. */
char *yw_cluster_id_format(uint64_t id, char *buf, size_t len);

/* ---- per-cluster accessors (id must be alive; else -1 / false) ------- */
typedef struct {
    uint64_t id;
    uint32_t records;             /* records, near-duplicates included */
    uint32_t near_dups;
    uint32_t merged;              /* clusters absorbed */
    int64_t first_ts, last_ts;
} yw_cluster_info_t;

bool yw_cluster_alive(const yw_clusterer_t *cl, uint64_t id);
int yw_cluster_info(const yw_clusterer_t *cl, uint64_t id,
                    yw_cluster_info_t *out);

/* Readable labels, most frequent first.  kind: 'e' entity strings
 * ("丽发新城"), 'p' place values ("A2区"), 't' phrases made of the
 * strongest terms as they appear in members' text ("物业管理").  Returns
 * how many were written to out[0..cap) (pointers valid until the next
 * add or expire). */
size_t yw_cluster_labels(const yw_clusterer_t *cl, uint64_t id, char kind,
                         const char **out, size_t cap);
/* Other live clusters whose leading name (the most frequent entity
 * label, given by at least two and 30% of the members, as an estate or a
 * company) is this cluster's, in a place (district, street, community)
 * they share when both have one: the same estate's other
 * issues, or one issue split by source (110 records written to their own
 * template).  Found through the term index, so only clusters that hold
 * the name among their strongest terms; most records first.  Returns how
 * many ids were written to out[0..cap). */
size_t yw_cluster_related(const yw_clusterer_t *cl, uint64_t id, uint64_t *out, size_t cap);
/* A title from the strongest terms and place, e.g.
 * "A2区 景蓉华苑: 物业管理 停车费"; writes at most len bytes (UTF-8 safe,
 * NUL-terminated) and returns the length. */
size_t yw_cluster_title(const yw_clusterer_t *cl, uint64_t id, char *buf,
                        size_t len);

void yw_cluster_stats(const yw_clusterer_t *cl, yw_cluster_stats_t *out);

/* Snapshots (snapshot.h): every cluster (centroid, counts, labels,
 * signatures, index terms), the LRU lists, the posting lists, the id
 * allocator, the merge memory and the document frequencies.  load fills a
 * clusterer fresh from yw_clusterer_create() whose config has the same
 * top_k, index_terms, posting_cap, max_clusters, merge_memory and
 * df_width_log2 as the saved one (other keys may change).  0, or -1 with
 * the reason in r->err: the clusterer is then only fit for destroy. */
struct yw_snap_buf;
struct yw_snap_rd;
void yw_clusterer_save(const yw_clusterer_t *cl, struct yw_snap_buf *b);
int yw_clusterer_load(yw_clusterer_t *cl, struct yw_snap_rd *r);

#endif
