/* test_stage_view.c -- what a cluster summary says about where its records
 * are (lib/stage.c fill_view): the places list holds the place fields and
 * the names found in the texts, each once, and `related` names the other
 * clusters about the same estate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cluster.h"
#include "config.h"
#include "record.h"
#include "stage.h"
#include "yw_test.h"

typedef struct {
    yw_alert_t last;       /* the newest summary */
    int n;
    yw_alert_t by[8];      /* the newest summary of each of the first 8 clusters */
    char ids[8][sizeof(((yw_alert_t *)0)->cluster)];
    int nids;
} seen_t;

static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t dlen)
{
    (void)detail;
    (void)dlen;
    seen_t *s = opaque;
    s->last = *a;
    s->n++;
    int i = 0;
    while (i < s->nids && strcmp(s->ids[i], a->cluster) != 0)
        i++;
    if (i == s->nids && s->nids < 8)
        snprintf(s->ids[s->nids++], sizeof s->ids[0], "%s", a->cluster);
    if (i < 8)
        s->by[i] = *a;
}

static const yw_alert_t *summary_of(const seen_t *s, const char *cluster)
{
    for (int i = 0; i < s->nids; i++)
        if (strcmp(s->ids[i], cluster) == 0)
            return &s->by[i];
    return NULL;
}

static bool lists(const yw_alert_t *a, const char *cluster)
{
    for (int i = 0; i < a->nrelated; i++)
        if (strcmp(a->related[i], cluster) == 0)
            return true;
    return false;
}

/* A shard on the default config with the repository's rules, a decoder,
 * and the summaries it writes collected in seen. */
typedef struct {
    yw_config_t *cfg;
    yw_decoder_t *dec;
    yw_shard_t *sh;
    yw_record_t rec;
    seen_t seen;
    yw_stage_out_t out;
} fixture_t;

static int fixture_start(fixture_t *fx)
{
    memset(fx, 0, sizeof *fx);
    yw_record_init(&fx->rec);
    fx->out = (yw_stage_out_t){ NULL, on_summary, NULL, &fx->seen };
    char err[512];
    yw_decoder_conf_t dconf = { .max_message_bytes = 1 << 20, .tz_offset_minutes = 480,
                                .hmac_key = (const uint8_t *)"k", .hmac_key_len = 1 };
    fx->cfg = yw_test_config_repo_rules();
    fx->dec = fx->cfg ? yw_decoder_create(&dconf, err, sizeof err) : NULL;
    fx->sh = fx->dec ? yw_shard_create(fx->cfg, err, sizeof err) : NULL;
    return fx->sh ? 0 : -1;
}

static void fixture_end(fixture_t *fx)
{
    yw_shard_destroy(fx->sh);
    yw_record_free(&fx->rec);
    yw_decoder_destroy(fx->dec);
    yw_config_destroy(fx->cfg);
}

/* Feed one record; the cluster it joined into id (24 bytes). */
static int feed(fixture_t *fx, const char *line, char *id)
{
    char reason[256];
    if (yw_record_decode(fx->dec, line, strlen(line), YW_SRC_HOTLINE, &fx->rec, reason,
                         sizeof reason) != YW_REC_OK) {
        fprintf(stderr, "decode: %s\n", reason);
        return -1;
    }
    yw_cluster_assign_t as;
    if (yw_shard_apply(fx->sh, &fx->rec, &fx->out, &as) != 0)
        return -1;
    yw_cluster_id_format(as.cluster, id, 24);
    return 0;
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
    fixture_t fx;
    REQUIRE(fixture_start(&fx) == 0);
    char first[24] = "";
    for (int i = 0; i < 5; i++) {
        char line[1024];
        snprintf(line, sizeof line,
                 "{\"id\":\"HL-%d\",\"source\":\"hotline\",\"ts\":\"2026-03-0%dT10:00:00+08:00\","
                 "\"person\":\"1390000000%d\",\"district\":\"望湖区\",\"street\":\"长岭街道\","
                 "\"text\":\"御景湾花园二期业主反映逾期交房一年，开发商至今没有答复，"
                 "业主们说要去长岭街道办事处讨说法，第%d次来电。\"}",
                 i, i + 1, i, i + 1);
        char cid[24];
        REQUIRE(feed(&fx, line, cid) == 0);
        if (!first[0])
            memcpy(first, cid, sizeof cid);
        CHECK_EQ_STR(cid, first);      /* one cluster: the summary below is all of them */
    }
    yw_shard_flush(fx.sh, &fx.out);
    REQUIRE(fx.seen.n >= 1);
    const yw_alert_t *a = &fx.seen.last;
    CHECK_EQ_INT(count_place(a, "长岭街道"), 1);
    CHECK_EQ_INT(count_place(a, "望湖区"), 1);
    CHECK_EQ_INT(count_place(a, "御景湾花园"), 1);
    for (int i = 0; i < a->nplaces; i++)
        CHECK_EQ_INT(count_place(a, a->places[i]), 1);

    fixture_end(&fx);
}

/* Two issues at one estate (its water, its parking fees) are two clusters
 * that name each other as related; an issue at another estate is in
 * neither list, nor is one at an estate of the same name in another
 * district. */
TEST(related_clusters_share_the_estate)
{
    fixture_t fx;
    REQUIRE(fixture_start(&fx) == 0);
    static const char *const texts[4] = {
        "御景湾花园已经连续停水三天，家里老人孩子没水喝，自来水公司一直说在抢修，"
        "二次供水泵房故障，水压不够，高层住户提着水桶上下楼，洗澡做饭都成问题，"
        "供水热线打了好几遍也没有人上门",
        "御景湾花园的物业今年把停车费从每月一百五涨到三百元，业主都不同意，物业说不交就不让车进，"
        "业委会没有开会表决，收费标准也没有公示，道闸换成了新系统，临时停车按小时计费，"
        "外卖快递进出都要登记",
        "阳光小区门口的垃圾站臭气熏天，夏天苍蝇蚊子特别多，环卫一直没来清理",
        "御景湾花园楼下的烧烤摊每天营业到凌晨三点，油烟和喧哗让人睡不着觉，"
        "城管来过两次，走了以后照旧摆摊，孩子第二天上学没精神，老人心脏不好",
    };
    static const char *const districts[4] = { "望湖区", "望湖区", "望湖区", "北城区" };
    char id[4][24] = { "", "", "", "" };
    for (int i = 0; i < 20; i++) {
        int t = i % 4;
        char text[1024], line[2048], cid[24];
        snprintf(text, sizeof text, "%s，第%d次。", texts[t], i / 4 + 1);
        snprintf(line, sizeof line,
                 "{\"id\":\"HL-%d\",\"source\":\"hotline\",\"ts\":\"2026-03-0%dT1%d:00:00+08:00\","
                 "\"person\":\"139000000%02d\",\"district\":\"%s\",\"text\":\"%s\"}",
                 i, i / 4 + 1, t, i, districts[t], text);
        REQUIRE(feed(&fx, line, cid) == 0);
        if (!id[t][0])
            memcpy(id[t], cid, sizeof cid);
        CHECK_EQ_STR(cid, id[t]);            /* each issue its own cluster */
    }
    for (int x = 0; x < 4; x++)
        for (int y = x + 1; y < 4; y++)
            CHECK(strcmp(id[x], id[y]) != 0);
    yw_shard_flush(fx.sh, &fx.out);
    const yw_alert_t *water = summary_of(&fx.seen, id[0]), *fees = summary_of(&fx.seen, id[1]),
                     *rubbish = summary_of(&fx.seen, id[2]), *north = summary_of(&fx.seen, id[3]);
    REQUIRE(water && fees && rubbish && north);
    CHECK(!lists(water, id[3]) && !lists(fees, id[3]));
    CHECK_EQ_INT(north->nrelated, 0);
    CHECK(lists(water, id[1]));
    CHECK(lists(fees, id[0]));
    CHECK(!lists(water, id[2]) && !lists(fees, id[2]));
    CHECK_EQ_INT(rubbish->nrelated, 0);
    CHECK(!lists(water, id[0]));             /* never itself */

    fixture_end(&fx);
}

int main(void)
{
    RUN(places_listed_once);
    RUN(related_clusters_share_the_estate);
    return yw_test_done();
}
