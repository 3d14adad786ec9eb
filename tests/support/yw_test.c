/* yw_test.c -- runner, deadlines and file helpers for yw_test.h. */
#include "yw_test.h"

#include <time.h>
#include <unistd.h>

int yw_test_failed_checks;
int yw_test_passed, yw_test_failed, yw_test_skipped;
int yw_test_skip_flag;

void yw_test_run(const char *name, void (*fn)(void))
{
    /* YW_TEST_ONLY=name runs that one test of the program (to repeat a
     * slow one: ctest -R PROGRAM --repeat until-fail:N). */
    const char *only = getenv("YW_TEST_ONLY");
    if (only && *only && strcmp(only, name) != 0)
        return;
    int before = yw_test_failed_checks;
    yw_test_skip_flag = 0;
    fprintf(stderr, "-- %s\n", name);
    fn();
    if (yw_test_failed_checks != before) {
        yw_test_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    } else if (yw_test_skip_flag) {
        yw_test_skipped++;
        fprintf(stderr, "skip %s\n", name);
    } else {
        yw_test_passed++;
        fprintf(stderr, "ok   %s\n", name);
    }
}

int yw_test_done(void)
{
    printf("%d passed, %d failed, %d skipped\n", yw_test_passed,
           yw_test_failed, yw_test_skipped);
    if (yw_test_failed)
        return 1;
    /* Everything skipped: ctest reports the program as skipped, not passed. */
    return yw_test_skipped && !yw_test_passed ? YW_TEST_SKIP_EXIT : 0;
}

int64_t yw_test_deadline_ms(int64_t ms)
{
    const char *s = getenv("YW_TEST_TIMEOUT_SCALE");
    double scale = s ? atof(s) : 1.0;
    if (scale < 1.0)
        scale = 1.0;
    return (int64_t)(ms * scale);
}

int64_t yw_test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *yw_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/ywtest.XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        return NULL;
    return strdup(tmpl);
}

char *yw_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

yw_config_t *yw_test_config_repo_rules(void)
{
    yw_config_t *cfg = yw_config_defaults();
    if (!cfg)
        return NULL;
    for (size_t i = 0; i < cfg->rules_path_count; i++)
        free(cfg->rules_paths[i]);
    cfg->rules_paths[0] = strdup(YW_SOURCE_DIR "/rules");
    cfg->rules_path_count = 1;
    if (!cfg->rules_paths[0]) {
        yw_config_destroy(cfg);
        return NULL;
    }
    return cfg;
}

int yw_test_count_in_file(const char *path, const char *needle)
{
    char *text = yw_test_read_file(path, NULL);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    free(text);
    return n;
}

void yw_test_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}
