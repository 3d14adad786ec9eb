/* proc.c -- see proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "yw_test.h"

pid_t yw_test_spawn(const char *prog, char *const argv[], const char *log_path)
{
    const char *bdir = getenv("YW_BUILD_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", bdir ? bdir : YW_BUILD_DIR, prog);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (log_path) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, STDERR_FILENO);
                close(fd);
            }
        }
        execv(path, argv);
        fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    return pid;
}

int yw_test_wait(pid_t pid, int64_t deadline_ms)
{
    int64_t end = yw_test_now_ms() + deadline_ms;
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
            return -1;
        }
        if (r < 0 || yw_test_now_ms() > end)
            return -1;
        struct timespec ts = { 0, 20 * 1000000 };
        nanosleep(&ts, NULL);
    }
}

/* A process that did not stop in time: print where each of its threads
 * waits, if gdb is on the machine (the log says what it did, not where it
 * hangs). */
static void dump_stacks(pid_t pid)
{
    if (access("/usr/bin/gdb", X_OK) != 0)
        return;
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/gdb -p %d -batch -nx -ex 'thread apply all bt' 1>&2 2>/dev/null",
             (int)pid);
    fprintf(stderr, "---- process %d did not stop in time; its threads: ----\n", (int)pid);
    fflush(stderr);
    if (system(cmd) != 0)
        fprintf(stderr, "(gdb could not attach)\n");
}

int yw_test_stop(pid_t pid, int sig, int64_t deadline_ms)
{
    kill(pid, sig);
    int rc = yw_test_wait(pid, deadline_ms);
    if (rc == -1) {
        dump_stacks(pid);
        kill(pid, SIGKILL);
        yw_test_wait(pid, 5000);
    }
    return rc;
}

double yw_test_metric(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    size_t n = strlen(name);
    double v = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ' ') {
            v = atof(line + n + 1);
            break;
        }
    fclose(f);
    return v;
}

bool yw_test_wait_metric(const char *path, const char *name, double value,
                         int64_t deadline_ms)
{
    int64_t end = yw_test_now_ms() + deadline_ms;
    while (yw_test_now_ms() < end) {
        if (yw_test_metric(path, name) >= value)
            return true;
        struct timespec ts = { 0, 50 * 1000000 };
        nanosleep(&ts, NULL);
    }
    return false;
}

bool yw_test_wait_metric_at_most(const char *path, const char *name, double value,
                                 int64_t deadline_ms)
{
    int64_t end = yw_test_now_ms() + deadline_ms;
    while (yw_test_now_ms() < end) {
        double v = yw_test_metric(path, name);
        if (v >= 0 && v <= value)
            return true;
        struct timespec ts = { 0, 50 * 1000000 };
        nanosleep(&ts, NULL);
    }
    return false;
}

bool yw_test_wait_file_contains(const char *path, const char *needle, int64_t deadline_ms)
{
    int64_t end = yw_test_now_ms() + deadline_ms;
    while (yw_test_now_ms() < end) {
        char *text = yw_test_read_file(path, NULL);
        bool found = text && strstr(text, needle) != NULL;
        free(text);
        if (found)
            return true;
        struct timespec ts = { 0, 50 * 1000000 };
        nanosleep(&ts, NULL);
    }
    return false;
}

int yw_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}
