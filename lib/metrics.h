/* metrics.h -- Prometheus text exposition, written to a file.
 *
 * The daemon gathers its counters into a yw_metrics_t every
 * metrics.interval_ms and writes them atomically (temp file + rename) to
 * metrics.file, where node_exporter's textfile collector (or a human with
 * cat) picks them up.  Names follow yw_<what>_total for counters. */
#ifndef YW_METRICS_H
#define YW_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct yw_metrics yw_metrics_t;

yw_metrics_t *yw_metrics_create(void);
void yw_metrics_destroy(yw_metrics_t *m);
void yw_metrics_reset(yw_metrics_t *m);

/* labels: NULL or a Prometheus label set without braces, e.g. reason="bad_json". */
void yw_metrics_counter(yw_metrics_t *m, const char *name, const char *help,
                        const char *labels, double value);
void yw_metrics_gauge(yw_metrics_t *m, const char *name, const char *help,
                      const char *labels, double value);

void yw_metrics_render(const yw_metrics_t *m, FILE *out);
/* Atomic write to path. 0 or -1 (errno set). */
int yw_metrics_write_file(const yw_metrics_t *m, const char *path);

#endif
