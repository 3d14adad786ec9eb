/* fuzz_stage.c -- libFuzzer target for the whole middle of the pipeline,
 * and for what it hands to Redis.
 *
 * Each input becomes one record (fuzz_input.h), decoded as the daemon
 * decodes and applied to one shard kept across runs (yw_shard_apply:
 * features, clustering, scoring; the starter rules; max_clusters 64),
 * then flushed (yw_shard_flush) as the daemon does after each batch.
 * Every alert and downgrade is serialised with yw_alert_to_json and every
 * cluster summary with its drill-down detail: the very bytes the sink
 * writes to Redis.  Checked besides ASan/UBSan:
 *   - applying a valid record succeeds;
 *   - every payload is valid UTF-8 and holds no run of 11 or more digits
 *     in clear (a phone, ID-card or bank-card number; DESIGN.md: masked
 *     before anything is written to Redis) -- the hex digests (alert_id,
 *     person keys) aside;
 *   - a forgotten cluster id is non-empty.
 *
 * Seeds: tests/data/fuzz_features/.  Build and run: see
 * tests/fuzz/CMakeLists.txt. */
#include "alert.h"
#include "config.h"
#include "fuzz_input.h"
#include "record.h"
#include "stage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static yw_config_t *cfg;
static yw_decoder_t *dec;
static yw_record_t rec;
static yw_shard_t *shard;
static fuzz_input_t in;

static void setup(void)
{
    static const char yaml[] =
        "privacy:\n"
        "  hmac_secret: \"fuzz-stage-secret-0123456789\"\n"
        "rules:\n"
        "  paths: [\"" YW_SOURCE_DIR "/rules\"]\n"
        "cluster:\n"
        "  max_clusters: 64\n";
    yw_config_errors_t errs = { 0 };
    cfg = yw_config_load_string("fuzz_stage.yaml", yaml, sizeof yaml - 1, &errs);
    if (cfg == NULL) {
        yw_config_errors_print(&errs, "fuzz_stage.yaml", stderr);
        abort();
    }
    char err[256];
    dec = yw_config_decoder(cfg, err, sizeof err);
    if (dec == NULL)
        abort();
    yw_record_init(&rec);
    shard = yw_shard_create(cfg, err, sizeof err);
    if (shard == NULL) {
        fprintf(stderr, "fuzz_stage: %s\n", err);
        abort();
    }
}

/* Hex digests may hold eleven decimal digits in a row by chance
 * ("c03865126419f6..."): overwrite the values of the keys that carry one
 * (alert_id; person, "p:" + 16 hex of an HMAC) before the digit check. */
static void blank_hex_values(char *json, const char *key)
{
    size_t kl = strlen(key);
    for (char *p = strstr(json, key); p; p = strstr(p + kl, key))
        for (char *v = p + kl; (*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'f'); v++)
            *v = 'x';
}

/* "\u0011" is how the writer escapes a control character: its four hex
 * digits are not text ("\u00112389002" holds seven digits of the
 * record, not eleven).  Blank them, minding escaped backslashes. */
static void blank_unicode_escapes(char *json)
{
    for (char *p = json; *p; p++) {
        if (*p != '\\' || p[1] == '\0')
            continue;
        if (p[1] == 'u')
            for (int k = 2; k < 6 && p[k]; k++)
                p[k] = 'x';
        p++;                      /* past the escaped character */
    }
}

static void check_alert(const char *what, const yw_alert_t *a)
{
    size_t len = 0;
    char *json = yw_alert_to_json(a, 480, &len);
    if (json == NULL)
        fuzz_fail("yw_alert_to_json failed", NULL, 0);
    blank_hex_values(json, "\"alert_id\":\"");
    blank_hex_values(json, "\"person\":\"p:");
    blank_unicode_escapes(json);
    fuzz_check_shown(what, json, len);
    free(json);
}

static void on_emit(void *opaque, const yw_alert_t *alert)
{
    (void)opaque;
    check_alert("an alert", alert);
}

static void on_summary(void *opaque, const yw_alert_t *summary, const char *detail,
                       size_t detail_len)
{
    (void)opaque;
    check_alert("a cluster summary", summary);
    /* the detail is not NUL-terminated by contract: check a copy */
    char *d = malloc(detail_len + 1);
    if (d == NULL)
        abort();
    memcpy(d, detail, detail_len);
    d[detail_len] = '\0';
    blank_unicode_escapes(d);
    fuzz_check_shown("a cluster detail", d, detail_len);
    free(d);
}

static void on_forget(void *opaque, const char *cluster)
{
    (void)opaque;
    if (cluster == NULL || cluster[0] == '\0')
        fuzz_fail("forget() without a cluster id", NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (shard == NULL)
        setup();
    size_t len = fuzz_make_json(&in, data, size);
    char reason[256];
    if (yw_record_decode(dec, in.json, len, YW_SRC_HOTLINE, &rec, reason, sizeof reason) !=
        YW_REC_OK)
        return 0;     /* the dead-letter path */
    yw_stage_out_t out = { on_emit, on_summary, on_forget, NULL };
    if (yw_shard_apply(shard, &rec, &out, NULL) != 0)
        fuzz_fail("yw_shard_apply failed", NULL, 0);
    yw_shard_flush(shard, &out);
    return 0;
}
