/* fuzz_record.c -- libFuzzer target for the contract-v1 decoder.
 *
 * Feeds arbitrary bytes to yw_record_decode() and, besides what ASan/UBSan
 * catch, checks the decoder's promises: a decoded record's strings are
 * NUL-terminated valid UTF-8 of the stated length inside its arena, failures
 * come with a known error class and a reason, and a deep copy compares
 * equal.  The same bytes also go through yw_time_parse(), whose results
 * must survive a format/parse round trip.
 *
 * Build and run: see tests/fuzz/CMakeLists.txt. */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static yw_decoder_t *dec;
static yw_record_t rec;

static void check_str(const yw_record_t *r, const yw_str_t *s)
{
    if (s->s == NULL || strlen(s->s) != s->len || !yw_utf8_valid(s->s, s->len))
        abort();
    if (s->len > 0 &&
        (s->s < r->arena || s->s + s->len >= r->arena + r->arena_len))
        abort();
}

static void check_record(const yw_record_t *r)
{
    const yw_str_t *strs[] = {
        &r->id, &r->text, &r->title, &r->district, &r->street, &r->community,
        &r->region_code, &r->category, &r->outcome_raw, &r->reply,
        &r->event_type, &r->grid_code, &r->status, &r->platform, &r->url,
        &r->incident_type, &r->station,
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        check_str(r, strs[i]);
    if (r->id.len == 0 || r->text.len == 0)
        abort();
    if (r->source < 0 || r->source >= YW_SRC_COUNT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dec == NULL) {
        static const uint8_t key[] = "fuzz-key";
        yw_decoder_conf_t conf = { 64 * 1024, 480, key, sizeof key - 1 };
        char err[128];
        dec = yw_decoder_create(&conf, err, sizeof err);
        if (dec == NULL)
            abort();
        yw_record_init(&rec);
    }

    /* The decoder must not read past len: give it an exact-size copy. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);

    char reason[256];
    int rc = yw_record_decode(dec, buf, size, YW_SRC_HOTLINE, &rec, reason,
                              sizeof reason);
    if (rc == YW_REC_OK) {
        check_record(&rec);
        yw_record_t copy;
        if (yw_record_copy(&copy, &rec) == 0) {
            check_record(&copy);
            if (strcmp(copy.text.s, rec.text.s) != 0 ||
                copy.ts_ms != rec.ts_ms ||
                memcmp(copy.person_hmac, rec.person_hmac, 32) != 0)
                abort();
            yw_record_free(&copy);
        }
    } else {
        if (strcmp(yw_rec_err_name(rc), "unknown") == 0 || reason[0] == '\0')
            abort();
        if (rec.id.len != 0 || rec.source != YW_SRC_UNKNOWN)
            abort();
    }

    int64_t ms;
    if (yw_time_parse(buf, size, 480, &ms) == 0) {
        char out[64];
        int64_t back;
        yw_time_format(ms, 480, out, sizeof out);
        if (yw_time_parse(out, strlen(out), 0, &back) != 0 || back != ms)
            abort();
    }
    free(buf);
    return 0;
}
