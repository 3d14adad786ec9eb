/* log.h -- leveled, component-tagged logging to stderr.
 *
 * One line per event:  2026-11-28T18:03:01.123Z info  [kafka] assigned 4 partitions
 * or, with the json format, one JSON object per line.  Log state changes
 * (assign, revoke, pause, reconnect), never one line per record at info.
 * Personal data never goes into a log line: callers pass masked text. */
#ifndef YW_LOG_H
#define YW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    YW_LOG_ERROR = 0,
    YW_LOG_WARN  = 1,
    YW_LOG_INFO  = 2,
    YW_LOG_DEBUG = 3
} yw_log_level_t;

typedef enum { YW_LOG_TEXT = 0, YW_LOG_JSON = 1 } yw_log_format_t;

void yw_log_set_level(yw_log_level_t level);
void yw_log_set_format(yw_log_format_t format);
yw_log_level_t yw_log_get_level(void);
/* "error" | "warn" | "info" | "debug" -> level; -1 if unknown. */
int yw_log_level_parse(const char *s);

void yw_log(yw_log_level_t level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void yw_logv(yw_log_level_t level, const char *component, const char *fmt,
             va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Rate limit for a line that can repeat (a retry loop): the first event
 * passes, then at most one per interval_ms; *suppressed says how many were
 * held back since the last line that passed.  yw_log_limit_reset() after
 * the condition cleared, so the next episode's first event passes. */
typedef struct {
    int64_t interval_ms;
    int64_t last_ms;        /* when the last line passed; 0 = never */
    uint64_t held;          /* events held back since then */
} yw_log_limit_t;

bool yw_log_limit_pass(yw_log_limit_t *l, int64_t now_ms, uint64_t *suppressed);
void yw_log_limit_reset(yw_log_limit_t *l);

#define yw_log_error(comp, ...) yw_log(YW_LOG_ERROR, comp, __VA_ARGS__)
#define yw_log_warn(comp, ...)  yw_log(YW_LOG_WARN, comp, __VA_ARGS__)
#define yw_log_info(comp, ...)  yw_log(YW_LOG_INFO, comp, __VA_ARGS__)
#define yw_log_debug(comp, ...)                                             \
    do { if (yw_log_get_level() >= YW_LOG_DEBUG)                            \
             yw_log(YW_LOG_DEBUG, comp, __VA_ARGS__); } while (0)

#endif
