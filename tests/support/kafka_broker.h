/* kafka_broker.h -- take the real Kafka broker the e2e tests share down and
 * bring it back, for the tests that inject broker faults.
 *
 * The broker is one of `scripts/kafka-broker.sh start` (scripts/test-real-kafka.sh
 * starts a private one): its state directory, $YW_TEST_KAFKA_DIR (an
 * absolute path), holds its config, data and pid file; stop and start go
 * through the script, so a start reuses the same port, topics and
 * offsets.  Tests that use this restart the broker the other e2e tests
 * use: they are RUN_SERIAL (tests/CMakeLists.txt). */
#ifndef YW_TEST_KAFKA_BROKER_H
#define YW_TEST_KAFKA_BROKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* $YW_TEST_KAFKA_DIR, or NULL when unset or empty. */
const char *yw_test_broker_dir(void);

/* `kafka-broker.sh CMD` (start, stop, status) on that state directory, its
 * output appended to log_path.  Waits for the script (its own limits:
 * 90 s to start, 60 s to stop; scaled).  The script's exit status, or -1. */
int yw_test_broker_ctl(const char *cmd, const char *log_path);

/* The running broker's pid (the script's pid file), or -1. */
pid_t yw_test_broker_pid(void);

/* True while pid names a process that has not exited (a zombie has no
 * command line). */
bool yw_test_pid_running(pid_t pid);
/* Wait until pid has exited; false if it still runs after ms (scaled). */
bool yw_test_pid_wait_gone(pid_t pid, int64_t ms);

#endif
