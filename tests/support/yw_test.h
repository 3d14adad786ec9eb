/* yw_test.h -- the smallest test harness that does the job.
 *
 * Each test program is a list of TEST() functions run by main() through
 * RUN().  A failed CHECK prints file:line and the expression and marks the
 * current test failed; the program exits non-zero if any test failed and
 * prints the closing line "N passed, N failed" (ctest reads the exit code).
 *
 * Deadlines in tests go through yw_test_deadline_ms(), which multiplies by
 * $YW_TEST_TIMEOUT_SCALE so sanitizer builds get more time. */
#ifndef YW_TEST_H
#define YW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "config.h"

extern int yw_test_failed_checks;
extern int yw_test_passed, yw_test_failed, yw_test_skipped;
extern int yw_test_skip_flag;

#define TEST(name) static void name(void)

#define CHECK(cond) do {                                                    \
    if (!(cond)) {                                                          \
        fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,    \
                #cond);                                                     \
        yw_test_failed_checks++;                                            \
    } } while (0)

#define REQUIRE(cond) do {                                                  \
    if (!(cond)) {                                                          \
        fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__,  \
                #cond);                                                     \
        yw_test_failed_checks++;                                            \
        return;                                                             \
    } } while (0)

#define CHECK_EQ_INT(a, b) do {                                             \
    long long _a = (long long)(a), _b = (long long)(b);                     \
    if (_a != _b) {                                                         \
        fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n",   \
                __FILE__, __LINE__, #a, #b, _a, _b);                        \
        yw_test_failed_checks++;                                            \
    } } while (0)

#define CHECK_EQ_STR(a, b) do {                                             \
    const char *_a = (a), *_b = (b);                                        \
    if (!_a || !_b || strcmp(_a, _b) != 0) {                                \
        fprintf(stderr, "%s:%d: CHECK failed: %s == %s\n  got:      %s\n"   \
                "  expected: %s\n", __FILE__, __LINE__, #a, #b,             \
                _a ? _a : "(null)", _b ? _b : "(null)");                    \
        yw_test_failed_checks++;                                            \
    } } while (0)

/* Mark the running test skipped, with a reason on stderr, and return. */
#define SKIP(...) do {                                                      \
    fprintf(stderr, "SKIP: " __VA_ARGS__); fputc('\n', stderr);             \
    yw_test_skip_flag = 1; return; } while (0)

#define RUN(fn) yw_test_run(#fn, fn)

void yw_test_run(const char *name, void (*fn)(void));
/* The exit code of a program whose tests were all skipped (ctest's
 * SKIP_RETURN_CODE, tests/CMakeLists.txt; the automake convention). */
#define YW_TEST_SKIP_EXIT 77

/* Prints the closing line and returns the process exit code: 1 if a test
 * failed, YW_TEST_SKIP_EXIT if every test was skipped, else 0. */
int yw_test_done(void);
/* ms * $YW_TEST_TIMEOUT_SCALE (default 1). */
int64_t yw_test_deadline_ms(int64_t ms);
/* Monotonic clock in ms. */
int64_t yw_test_now_ms(void);
/* A fresh temporary directory (mkdtemp under $TMPDIR or /tmp). Caller frees. */
char *yw_test_tmpdir(void);
/* Read a whole file; NUL-terminated; *len set if non-NULL. Caller frees. */
char *yw_test_read_file(const char *path, size_t *len);
/* How many times needle occurs in the file at path (0 if unreadable). */
int yw_test_count_in_file(const char *path, const char *needle);
/* Sleep ms milliseconds (not scaled). */
void yw_test_sleep_ms(long ms);
/* The default config with the repository's rules/ as its only rule path
 * (free with yw_config_destroy); NULL on ENOMEM. */
yw_config_t *yw_test_config_repo_rules(void);

#endif
