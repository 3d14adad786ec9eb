/* cluster_state.h -- what an uninterrupted run leaves in Redis for the
 * cluster hashes and the ranking, computed in this process by the same
 * shard code the daemon runs (lib/stage.h), and the comparison with what
 * a daemon that was killed, cut off or restarted left there.
 *
 * Summaries are written once per batch, so a hash's score, signals and
 * event time reflect where a batch ended; what the records make of a
 * cluster does not depend on batching and is compared: title, level
 * (every change is written), records, people, sources, places, first
 * seen.  A cluster that is gone (merged or expired) keeps the hash of the
 * last batch that flushed it before the forget: only its absence from the
 * ranking is compared. */
#ifndef YW_TEST_CLUSTER_STATE_H
#define YW_TEST_CLUSTER_STATE_H

#include <hiredis.h>

typedef struct yw_test_clusters yw_test_clusters_t;

/* Decode and apply lines[0..n) in that order through one shard with the
 * config at cfg_path, flushing after each record (lines without a source
 * field count as hotline).  NULL on failure (reason on stderr). */
yw_test_clusters_t *yw_test_clusters_expected(const char *cfg_path, char **lines, int n);
void yw_test_clusters_free(yw_test_clusters_t *w);

typedef struct {
    int live;        /* clusters compared field by field */
    int gone;        /* merged or expired: only their absence from the ranking */
    int ranked;      /* in the Redis ranking */
    int differ;      /* differences found (the first six printed) */
} yw_test_clusters_diff_t;

/* Compare with Redis: the fields above of every live cluster's hash,
 * whether each cluster is in the ranking (yw:v1:clusters:by_score), and
 * that the ranking holds no other.  0, or -1 when Redis did not answer. */
int yw_test_clusters_compare(const yw_test_clusters_t *w, redisContext *c,
                             yw_test_clusters_diff_t *out);

#endif
