/* kafka_broker.c -- see kafka_broker.h. */
#include "kafka_broker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "yw_test.h"

const char *yw_test_broker_dir(void)
{
    const char *dir = getenv("YW_TEST_KAFKA_DIR");
    return dir && *dir ? dir : NULL;
}

int yw_test_broker_ctl(const char *cmd, const char *log_path)
{
    const char *dir = yw_test_broker_dir();
    if (!dir)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        setenv("YW_KAFKA_DIR", dir, 1);
        execl("/bin/bash", "bash", YW_SOURCE_DIR "/scripts/kafka-broker.sh", cmd, (char *)NULL);
        fprintf(stderr, "exec bash: %s\n", strerror(errno));
        _exit(127);
    }
    /* the script's own limits: 90 s to start, 60 s to stop */
    return yw_test_wait(pid, yw_test_deadline_ms(150000));
}

pid_t yw_test_broker_pid(void)
{
    const char *dir = yw_test_broker_dir();
    if (!dir)
        return -1;
    char path[600];
    snprintf(path, sizeof path, "%s/pid", dir);
    char *s = yw_test_read_file(path, NULL);
    pid_t pid = s ? (pid_t)atol(s) : -1;
    free(s);
    return pid > 0 ? pid : -1;
}

bool yw_test_pid_running(pid_t pid)
{
    if (pid <= 0)
        return false;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    char *s = yw_test_read_file(path, NULL);
    bool alive = s && *s;
    free(s);
    return alive;
}

bool yw_test_pid_wait_gone(pid_t pid, int64_t ms)
{
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(ms);
    while (yw_test_pid_running(pid) && yw_test_now_ms() < deadline) {
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
    return !yw_test_pid_running(pid);
}
