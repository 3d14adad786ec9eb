/* log.c -- see log.h.  Lines are formatted into one buffer and written with
 * a single write(2) so lines from several threads (librdkafka's callbacks)
 * never interleave. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static yw_log_level_t log_level = YW_LOG_INFO;
static yw_log_format_t log_format = YW_LOG_TEXT;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void yw_log_set_level(yw_log_level_t level) { log_level = level; }
void yw_log_set_format(yw_log_format_t format) { log_format = format; }
yw_log_level_t yw_log_get_level(void) { return log_level; }

int yw_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

/* Append s to buf as the inside of a JSON string. */
static size_t json_escape(char *buf, size_t cap, size_t n, const char *s)
{
    for (; *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", c);
        } else {
            buf[n++] = (char)c;
        }
    }
    return n;
}

void yw_logv(yw_log_level_t level, const char *component, const char *fmt,
             va_list ap)
{
    if (level > log_level)
        return;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40];
    size_t w = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + w, sizeof when - w, ".%03ldZ", ts.tv_nsec / 1000000);

    char line[4096];
    size_t n;
    if (log_format == YW_LOG_JSON) {
        n = (size_t)snprintf(line, sizeof line,
                             "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"%s\",\"msg\":\"",
                             when, level_names[level], component);
        n = json_escape(line, sizeof line, n, msg);
        n += (size_t)snprintf(line + n, sizeof line - n, "\"}\n");
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s %-5s [%s] %s\n", when,
                             level_names[level], component, msg);
    }
    if (n >= sizeof line) {
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    ssize_t r = write(STDERR_FILENO, line, n);
    (void)r;
}

void yw_log(yw_log_level_t level, const char *component, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yw_logv(level, component, fmt, ap);
    va_end(ap);
}

bool yw_log_limit_pass(yw_log_limit_t *l, int64_t now_ms, uint64_t *suppressed)
{
    if (l->last_ms && now_ms - l->last_ms < l->interval_ms) {
        l->held++;
        return false;
    }
    *suppressed = l->held;
    l->held = 0;
    l->last_ms = now_ms ? now_ms : 1;
    return true;
}

void yw_log_limit_reset(yw_log_limit_t *l)
{
    l->last_ms = 0;
    l->held = 0;
}
