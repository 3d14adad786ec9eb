/* proc.h -- run the project's programs as child processes in tests, and
 * read what they report (the Prometheus metrics file). */
#ifndef YW_TEST_PROC_H
#define YW_TEST_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Start $YW_BUILD_DIR/<prog> with argv (NULL-terminated, argv[0] ignored),
 * stderr appended to log_path (NULL = inherit).  Returns the pid or -1. */
pid_t yw_test_spawn(const char *prog, char *const argv[], const char *log_path);
/* Wait for the child to exit within deadline_ms; returns its exit status
 * (0-255), 128+signal if killed by one, -1 on timeout. */
int yw_test_wait(pid_t pid, int64_t deadline_ms);
/* Signal and wait (as above). */
int yw_test_stop(pid_t pid, int sig, int64_t deadline_ms);

/* Value of an unlabelled metric in a Prometheus text file; -1 if absent. */
double yw_test_metric(const char *path, const char *name);
/* Wait until metric >= value; true if reached before the deadline. */
bool yw_test_wait_metric(const char *path, const char *name, double value,
                         int64_t deadline_ms);

/* Wait until metric is present and <= value; true if before the deadline. */
bool yw_test_wait_metric_at_most(const char *path, const char *name, double value,
                                 int64_t deadline_ms);
/* Wait until the file contains needle; true if before the deadline. */
bool yw_test_wait_file_contains(const char *path, const char *needle, int64_t deadline_ms);

/* Write a file (the whole string).  0 or -1. */
int yw_test_write_file(const char *path, const char *text);

#endif
