/* gen_records.h -- a deterministic stream of contract-v1 records for
 * state and restart tests: several concrete issues (wages owed by one
 * company, no water at one estate, a demolition dispute, an unfinished
 * building, a noisy plant) that grow, some with escalation language,
 * repeat callers, unresolved outcomes and online spread, mixed with
 * one-off complaints, over `days` days from 2026-03-01 (+08:00), in
 * event-time order.  The same (n, days, seed) always gives the same lines. */
#ifndef YW_TEST_GEN_RECORDS_H
#define YW_TEST_GEN_RECORDS_H

/* n JSON lines (no newline) into *out; free with yw_test_gen_free.
 * Returns n, or -1 on ENOMEM. */
int yw_test_gen_records(int n, int days, unsigned seed, char ***out);
void yw_test_gen_free(char **lines, int n);

#endif
