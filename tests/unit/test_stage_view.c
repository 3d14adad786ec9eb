/* test_stage_view.c -- what a cluster summary says about where its records
 * are: the places list of the summaries the shard writes (lib/stage.c
 * fill_view) holds the place fields and the names found in the texts,
 * each once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "config.h"
#include "record.h"
#include "stage.h"
#include "yw_test.h"

typedef struct {
    yw_alert_t last;       /* the newest summary */
    int n;
} seen_t;

static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t dlen)
{
    (void)detail;
    (void)dlen;
    seen_t *s = opaque;
    s->last = *a;
    s->n++;
}

static int count_place(const yw_alert_t *a, const char *name)
{
    int k = 0;
    for (int i = 0; i < a->nplaces; i++)
        k += strcmp(a->places[i], name) == 0;
    return k;
}

/* Five calls from one estate whose street field is also the road the texts
 * name: the street is listed once, next to the estate. */
TEST(places_listed_once)
{
    yw_config_t *cfg = yw_config_defaults();
    REQUIRE(cfg);
    for (size_t i = 0; i < cfg->rules_path_count; i++)
        free(cfg->rules_paths[i]);
    cfg->rules_paths[0] = strdup(YW_SOURCE_DIR "/rules");
    cfg->rules_path_count = 1;
    char err[512];
    yw_decoder_conf_t dconf = { .max_message_bytes = 1 << 20, .tz_offset_minutes = 480,
                                .hmac_key = (const uint8_t *)"k", .hmac_key_len = 1 };
    yw_decoder_t *dec = yw_decoder_create(&dconf, err, sizeof err);
    REQUIRE(dec);
    yw_shard_t *sh = yw_shard_create(cfg, err, sizeof err);
    REQUIRE(sh);
    yw_record_t rec;
    yw_record_init(&rec);
    seen_t seen = { 0 };
    yw_stage_out_t out = { NULL, on_summary, NULL, &seen };
    for (int i = 0; i < 5; i++) {
        char line[1024];
        snprintf(line, sizeof line,
                 "{\"id\":\"HL-%d\",\"source\":\"hotline\",\"ts\":\"2026-03-0%dT10:00:00+08:00\","
                 "\"person\":\"1390000000%d\",\"district\":\"望湖区\",\"street\":\"长岭街道\","
                 "\"text\":\"御景湾花园二期业主反映逾期交房一年，开发商至今没有答复，"
                 "业主们说要去长岭街道办事处讨说法，第%d次来电。\"}",
                 i, i + 1, i, i + 1);
        char reason[256];
        REQUIRE(yw_record_decode(dec, line, strlen(line), YW_SRC_HOTLINE, &rec, reason,
                                 sizeof reason) == YW_REC_OK);
        yw_cluster_assign_t as;
        REQUIRE(yw_shard_apply(sh, &rec, &out, &as) == 0);
        if (i > 0)
            CHECK(!as.is_new);        /* one cluster: the summary below is all of them */
    }
    yw_shard_flush(sh, &out);
    REQUIRE(seen.n >= 1);
    const yw_alert_t *a = &seen.last;
    CHECK_EQ_INT(count_place(a, "长岭街道"), 1);
    CHECK_EQ_INT(count_place(a, "望湖区"), 1);
    CHECK_EQ_INT(count_place(a, "御景湾花园"), 1);
    for (int i = 0; i < a->nplaces; i++)
        CHECK_EQ_INT(count_place(a, a->places[i]), 1);

    yw_shard_destroy(sh);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
    yw_config_destroy(cfg);
}

int main(void)
{
    RUN(places_listed_once);
    return yw_test_done();
}
