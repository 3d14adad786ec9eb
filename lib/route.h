/* route.h -- which source a raw contract-v1 line belongs to, without a
 * full decode.
 *
 * Used where no topic tells the source: `ywctl replay` (to pick the topic)
 * and `ywctl backtest` (files mix all four sources).  The rule: the
 * `source` field when present and valid; else the source its fields imply
 * (platform -> online, incident_type/station -> police,
 * grid_code/event_type -> grid, repeat_count/outcome -> hotline); else the
 * caller's default.  Also returns
 * the district, the Kafka key (DESIGN.md: input co-partitioned by
 * district). */
#ifndef YW_ROUTE_H
#define YW_ROUTE_H

#include <stddef.h>

#include "record.h"

/* key and keylen point into line (the raw JSON string body of "district",
 * escapes not decoded), or NULL/0. Lines that are not a JSON object get
 * dflt. */
yw_source_t yw_route_source(const char *line, size_t len, yw_source_t dflt,
                            const char **key, size_t *keylen);

#endif
