/* gen_records.c -- see gen_records.h. */
#include "gen_records.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *district, *street, *community;
    const char *subject[3];      /* who or where */
    const char *body[4];         /* what is wrong */
    double weight0, weight1;     /* share of the stream at the start / end */
} issue_t;

static const issue_t issues[] = {
    { "江北区", "观音桥街道", "建新社区",
      { "华建劳务公司", "华建劳务公司的包工头", "华建劳务" },
      { "拖欠我们三个月工资一直不给", "欠薪六十多万元工人讨不到钱", "老板跑路了工资没着落",
        "工地停工了工钱还欠着" }, 0.5, 4.0 },
    { "锦江区", "春熙路街道", "幸福里社区",
      { "幸福里小区", "幸福里小区3栋", "幸福里小区的住户" },
      { "停水已经好几天了没人管", "自来水一直不来生活没法过", "停水一周物业说不归他们管",
        "水压太低楼上根本没水" }, 1.0, 2.5 },
    { "武侯区", "簇桥街道", "锦城社区",
      { "锦城村拆迁", "锦城村的拆迁户", "锦城村征地" },
      { "补偿款迟迟不到位", "强拆没有任何手续", "安置房三年了还没交付", "征地补偿标准太低" },
      0.3, 1.5 },
    { "青羊区", "草市街道", "金沙社区",
      { "金沙名苑", "金沙名苑业主", "金沙名苑开发商" },
      { "烂尾两年了交不了房", "开发商资金链断了楼盘停工", "业主月供照还房子烂尾",
        "交房日期一拖再拖" }, 0.6, 0.6 },
    { "成华区", "双桥子街道", "万科社区",
      { "东郊化工厂", "化工厂", "东郊那家工厂" },
      { "晚上噪音太大睡不着", "排放的气味刺鼻", "夜里机器轰鸣扰民", "污水直接排进河里" },
      0.8, 0.4 },
};
#define NISSUES (sizeof issues / sizeof issues[0])

static const char *const oneoff[] = {
    "路灯坏了好久没人修", "小区门口的井盖松动", "公交站台的广告牌歪了", "菜市场占道经营",
    "邻居装修超时施工", "共享单车堆满人行道", "楼道里堆放杂物", "公园健身器材损坏",
    "学校门口早高峰拥堵", "医院挂号排队太久", "宠物狗半夜乱叫", "快递柜收费不合理",
};
static const char *const districts[] = { "金牛区", "高新区", "双流区", "郫都区", "温江区" };
static const char *const sources[] = { "hotline", "grid", "online", "police" };
static const char *const escal[] = { "大家准备联名上访", "明天去市政府拉横幅", "再不解决就去堵路",
                                     "已经联系记者曝光" };
static const char *const emo[] = { "真的寒心", "根本没人管", "踢皮球", "实在没办法了" };
static const char *const outcomes[] = { "resolved", "unresolved", "dissatisfied", "pending" };

static uint32_t rnd(uint64_t *st)
{
    *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*st >> 33);
}

static double rndf(uint64_t *st)
{
    return rnd(st) / 2147483648.0;
}

int yw_test_gen_records(int n, int days, unsigned seed, char ***out)
{
    char **lines = calloc((size_t)(n > 0 ? n : 1), sizeof *lines);
    if (!lines)
        return -1;
    uint64_t st = 0x9E3779B97F4A7C15ULL ^ seed;
    /* 2026-03-01T00:00:00+08:00 */
    const int64_t start = 1772294400000LL;
    const int64_t span = (int64_t)days * 86400000LL;
    for (int i = 0; i < n; i++) {
        double progress = n > 1 ? (double)i / (n - 1) : 0;
        int64_t step = n > 1 ? span / (n - 1) : 0;
        int64_t ts = start + (int64_t)((double)span * progress) +
                     (step > 2 ? (int64_t)(rnd(&st) % (uint32_t)(step / 2 < 60000 ? step / 2 : 60000)) : 0);
        double total = 1.2;            /* one-off weight */
        double w[NISSUES];
        for (size_t k = 0; k < NISSUES; k++) {
            w[k] = issues[k].weight0 + (issues[k].weight1 - issues[k].weight0) * progress * progress;
            total += w[k];
        }
        double pick = rndf(&st) * total;
        int which = -1;
        for (size_t k = 0; k < NISSUES; k++) {
            if (pick < w[k]) {
                which = (int)k;
                break;
            }
            pick -= w[k];
        }
        const char *src = sources[rnd(&st) % 4];
        char text[600], extra[256] = "", person[48];
        const char *district, *street = "", *community = "";
        if (which < 0) {
            district = districts[rnd(&st) % 5];
            snprintf(text, sizeof text, "%s，希望尽快处理。编号%u", oneoff[rnd(&st) % 12],
                     rnd(&st) % 1000);
            snprintf(person, sizeof person, "p-%u", rnd(&st) % 5000);
        } else {
            const issue_t *is = &issues[which];
            district = is->district;
            if (rnd(&st) % 3)
                street = is->street;
            if (rnd(&st) % 2)
                community = is->community;
            size_t at = (size_t)snprintf(text, sizeof text, "%s%s",
                                         is->subject[rnd(&st) % 3], is->body[rnd(&st) % 4]);
            /* language sharpens as the issue grows */
            if (rndf(&st) < 0.15 + 0.5 * progress && at < sizeof text)
                at += (size_t)snprintf(text + at, sizeof text - at, "，%s", emo[rnd(&st) % 4]);
            if (which < 3 && rndf(&st) < 0.6 * progress * progress && at < sizeof text)
                at += (size_t)snprintf(text + at, sizeof text - at, "，%s", escal[rnd(&st) % 4]);
            if (at < sizeof text)
                snprintf(text + at, sizeof text - at, "。联系电话1381234%04u", rnd(&st) % 10000);
            /* a few people call again and again */
            snprintf(person, sizeof person, "p-%d-%u", which,
                     rnd(&st) % (rndf(&st) < 0.3 ? 4u : 400u));
        }
        if (!strcmp(src, "hotline"))
            snprintf(extra, sizeof extra, ",\"outcome\":\"%s\",\"repeat_count\":%u",
                     outcomes[rnd(&st) % 4], 1 + rnd(&st) % 3);
        else if (!strcmp(src, "online"))
            snprintf(extra, sizeof extra, ",\"platform\":\"weibo\",\"reposts\":%u,\"comments\":%u",
                     rnd(&st) % 500, rnd(&st) % 200);
        else if (!strcmp(src, "police"))
            snprintf(extra, sizeof extra, ",\"incident_type\":\"纠纷\",\"station\":\"%s派出所\"",
                     district);
        else
            snprintf(extra, sizeof extra, ",\"grid_code\":\"G-%u\",\"event_type\":\"巡查\"",
                     rnd(&st) % 90);
        char json[1400];
        int len = snprintf(json, sizeof json,
                           "{\"id\":\"GEN-%05d\",\"source\":\"%s\",\"ts\":%lld,\"text\":\"%s\","
                           "\"person\":\"%s\",\"district\":\"%s\",\"street\":\"%s\","
                           "\"community\":\"%s\"%s}",
                           i, src, (long long)ts, text, person, district, street, community,
                           extra);
        if (len < 0 || (size_t)len >= sizeof json || !(lines[i] = strdup(json))) {
            yw_test_gen_free(lines, i);
            return -1;
        }
    }
    *out = lines;
    return n;
}

void yw_test_gen_free(char **lines, int n)
{
    if (!lines)
        return;
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}
