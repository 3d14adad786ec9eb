/* test_record.c -- the contract-v1 decoder (lib/record.c, utf8.c, evtime.c).
 *
 * Expected values are written out by hand (event times were computed
 * independently, e.g. 2019-03-01T22:12:30+08:00 = 1551449550000), and the
 * person hash is checked against OpenSSL's one-shot HMAC(), not against
 * the decoder's own code path. */
#include "record.h"
#include "yw_test.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char KEY[] = "test-secret";

static yw_decoder_t *new_decoder(size_t max_bytes, int tz)
{
    yw_decoder_conf_t conf = { max_bytes, tz, (const uint8_t *)KEY,
                               sizeof KEY - 1 };
    char err[128];
    yw_decoder_t *dec = yw_decoder_create(&conf, err, sizeof err);
    if (dec == NULL)
        fprintf(stderr, "decoder: %s\n", err);
    return dec;
}

static char *read_data(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", YW_TEST_DATA, name);
    char *buf = yw_test_read_file(path, len);
    if (buf == NULL)
        fprintf(stderr, "cannot read %s\n", path);
    return buf;
}

/* Decode a NUL-terminated message; reason lands in the caller's buffer. */
static int dec_str(yw_decoder_t *dec, const char *json, yw_source_t topic,
                   yw_record_t *rec, char *reason, size_t rlen)
{
    return yw_record_decode(dec, json, strlen(json), topic, rec, reason, rlen);
}

static void hmac_ref(const char *key, const char *msg, size_t len,
                     uint8_t out[32])
{
    unsigned int outl = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, len,
         out, &outl);
}

static bool arena_contains(const yw_record_t *rec, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= rec->arena_len; i++)
        if (memcmp(rec->arena + i, needle, n) == 0)
            return true;
    return false;
}

/* ---- one example per source ------------------------------------------------ */

TEST(test_hotline_example)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    size_t len;
    char *json = read_data("record_hotline.json", &len);
    REQUIRE(json != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];

    int rc = yw_record_decode(dec, json, len, YW_SRC_UNKNOWN, &rec, reason,
                              sizeof reason);
    CHECK_EQ_INT(rc, YW_REC_OK);
    CHECK_EQ_STR(reason, "");
    CHECK_EQ_INT(rec.source, YW_SRC_HOTLINE);
    CHECK_EQ_INT(rec.ts_ms, 1551449550000LL);
    CHECK_EQ_STR(rec.id.s, "HL-20190301-004512");
    CHECK_EQ_INT(rec.id.len, 18);
    CHECK_EQ_STR(rec.title.s, "幸福里小区连续停水一周无人处理");
    CHECK(strncmp(rec.text.s, "来电人反映：锦江区幸福里小区3栋", 45) == 0);
    CHECK(strstr(rec.text.s, "仍未修复。\n家中有老人小孩") != NULL);  /* \n unescaped */
    CHECK_EQ_INT(rec.text.len, strlen(rec.text.s));
    CHECK_EQ_STR(rec.district.s, "锦江区");
    CHECK_EQ_STR(rec.street.s, "春熙路街道");
    CHECK_EQ_STR(rec.community.s, "幸福里社区");
    CHECK_EQ_STR(rec.region_code.s, "510104020001");
    CHECK_EQ_STR(rec.category.s, "城乡建设/供水");
    CHECK_EQ_INT(rec.repeat_count, 3);
    CHECK_EQ_INT(rec.outcome, YW_OUTCOME_DISSATISFIED);
    CHECK_EQ_STR(rec.outcome_raw.s, "dissatisfied");
    CHECK_EQ_STR(rec.reply.s, "已转交市自来水公司处理，该事项不归我办，请联系物业。");
    CHECK(rec.has_person);
    uint8_t want[32];
    hmac_ref(KEY, "13800138000", 11, want);
    CHECK(memcmp(rec.person_hmac, want, 32) == 0);
    CHECK(!arena_contains(&rec, "13800138000"));
    /* fields of other sources stay empty / -1 */
    CHECK_EQ_STR(rec.platform.s, "");
    CHECK_EQ_INT(rec.platform.len, 0);
    CHECK_EQ_STR(rec.grid_code.s, "");
    CHECK_EQ_INT(rec.reposts, -1);
    CHECK_EQ_INT(rec.comments, -1);
    CHECK_EQ_INT(rec.likes, -1);

    free(json);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

TEST(test_grid_example)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    size_t len;
    char *json = read_data("record_grid.json", &len);
    REQUIRE(json != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];

    CHECK_EQ_INT(yw_record_decode(dec, json, len, YW_SRC_UNKNOWN, &rec, reason,
                                  sizeof reason), YW_REC_OK);
    CHECK_EQ_INT(rec.source, YW_SRC_GRID);
    /* "2019-03-02 09:40:00" in +08:00 = 2019-03-02T01:40:00Z */
    CHECK_EQ_INT(rec.ts_ms, 1551490800000LL);
    CHECK_EQ_STR(rec.id.s, "GR-510107-2019-000871");
    CHECK(strstr(rec.text.s, "拖欠2018年下半年工资") != NULL);
    CHECK_EQ_STR(rec.district.s, "武侯区");
    CHECK_EQ_STR(rec.street.s, "簇桥街道");
    CHECK_EQ_STR(rec.community.s, "锦城社区");
    CHECK_EQ_STR(rec.region_code.s, "510107015003");
    CHECK_EQ_STR(rec.category.s, "劳动保障");
    CHECK_EQ_STR(rec.event_type.s, "欠薪");
    CHECK_EQ_STR(rec.grid_code.s, "WH-CQ-07-03");
    CHECK_EQ_STR(rec.status.s, "已上报");
    CHECK_EQ_STR(rec.title.s, "");
    CHECK_EQ_INT(rec.repeat_count, -1);
    CHECK_EQ_INT(rec.outcome, YW_OUTCOME_NONE);
    CHECK(rec.has_person);
    uint8_t want[32];
    hmac_ref(KEY, "wx:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", 31, want);
    CHECK(memcmp(rec.person_hmac, want, 32) == 0);

    /* the same local time read in another configured zone */
    yw_decoder_t *utc = new_decoder(0, 0);
    REQUIRE(utc != NULL);
    CHECK_EQ_INT(yw_record_decode(utc, json, len, YW_SRC_UNKNOWN, &rec, NULL, 0),
                 YW_REC_OK);
    CHECK_EQ_INT(rec.ts_ms, 1551490800000LL + 8 * 3600 * 1000LL);

    free(json);
    yw_record_free(&rec);
    yw_decoder_destroy(utc);
    yw_decoder_destroy(dec);
}

TEST(test_online_example)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    size_t len;
    char *json = read_data("record_online.json", &len);
    REQUIRE(json != NULL);
    yw_record_t rec;
    yw_record_init(&rec);

    CHECK_EQ_INT(yw_record_decode(dec, json, len, YW_SRC_UNKNOWN, &rec, NULL, 0),
                 YW_REC_OK);
    CHECK_EQ_INT(rec.source, YW_SRC_ONLINE);
    CHECK_EQ_INT(rec.ts_ms, 1551538800000LL);   /* JSON integer, epoch ms */
    CHECK_EQ_STR(rec.id.s, "ON-weibo-4345678901234567");
    CHECK_EQ_STR(rec.title.s, "#锦江区幸福里停水# 一周了还没人管？");
    /* \u2757 (HEAVY EXCLAMATION MARK) -> E2 9D 97 */
    size_t tl = rec.text.len;
    CHECK(tl >= 3 && memcmp(rec.text.s + tl - 3, "\xE2\x9D\x97", 3) == 0);
    CHECK(strstr(rec.text.s, "踢皮球，真的寒心") != NULL);
    CHECK_EQ_STR(rec.platform.s, "weibo");
    CHECK_EQ_STR(rec.url.s, "https://weibo.com/5623109876/Ho1a2B3c4");  /* \/ */
    CHECK_EQ_INT(rec.reposts, 1287);
    CHECK_EQ_INT(rec.comments, 342);
    CHECK_EQ_INT(rec.likes, 2051);              /* given as the string "2051" */
    CHECK_EQ_STR(rec.reply.s, "@锦江发布：已关注，正在协调自来水公司处理。");
    CHECK_EQ_STR(rec.district.s, "锦江区");
    uint8_t want[32];
    hmac_ref(KEY, "weibo:5623109876", 16, want);
    CHECK(rec.has_person && memcmp(rec.person_hmac, want, 32) == 0);

    free(json);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

TEST(test_police_example)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    size_t len;
    char *json = read_data("record_police.json", &len);
    REQUIRE(json != NULL);
    yw_record_t rec;
    yw_record_init(&rec);

    CHECK_EQ_INT(yw_record_decode(dec, json, len, YW_SRC_UNKNOWN, &rec, NULL, 0),
                 YW_REC_OK);
    CHECK_EQ_INT(rec.source, YW_SRC_POLICE);
    /* 2019-03-03T01:15:42.250+08:00 = 2019-03-02T17:15:42.250Z */
    CHECK_EQ_INT(rec.ts_ms, 1551546942250LL);
    CHECK_EQ_STR(rec.id.s, "110-20190303-0192");
    CHECK(strstr(rec.text.s, "堵住了小区外道路") != NULL);
    CHECK_EQ_STR(rec.incident_type.s, "聚集堵路");
    CHECK_EQ_STR(rec.station.s, "春熙路派出所");
    CHECK_EQ_STR(rec.category.s, "群体性事件");
    CHECK_EQ_STR(rec.community.s, "幸福里社区");
    CHECK(rec.has_person);
    CHECK(!arena_contains(&rec, "13912345678"));

    free(json);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- source ----------------------------------------------------------------- */

TEST(test_source_resolution)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];

    const char *nosrc = "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1551449550000\"}";
    CHECK_EQ_INT(dec_str(dec, nosrc, YW_SRC_GRID, &rec, reason, sizeof reason),
                 YW_REC_OK);
    CHECK_EQ_INT(rec.source, YW_SRC_GRID);

    /* the record's own field wins over the topic */
    const char *withsrc =
        "{\"id\":\"a\",\"source\":\"police\",\"text\":\"t\",\"ts\":\"1\"}";
    CHECK_EQ_INT(dec_str(dec, withsrc, YW_SRC_GRID, &rec, reason, sizeof reason),
                 YW_REC_OK);
    CHECK_EQ_INT(rec.source, YW_SRC_POLICE);

    /* null source is absent */
    const char *nullsrc =
        "{\"id\":\"a\",\"source\":null,\"text\":\"t\",\"ts\":\"1\"}";
    CHECK_EQ_INT(dec_str(dec, nullsrc, YW_SRC_ONLINE, &rec, reason, sizeof reason),
                 YW_REC_OK);
    CHECK_EQ_INT(rec.source, YW_SRC_ONLINE);

    const char *badsrc =
        "{\"id\":\"a\",\"source\":\"weibo\",\"text\":\"t\",\"ts\":\"1\"}";
    CHECK_EQ_INT(dec_str(dec, badsrc, YW_SRC_HOTLINE, &rec, reason, sizeof reason),
                 YW_REC_ESOURCE);
    CHECK(strstr(reason, "source") != NULL);
    CHECK_EQ_STR(yw_rec_err_name(YW_REC_ESOURCE), "bad_source");
    CHECK_EQ_INT(rec.source, YW_SRC_UNKNOWN);     /* reset after a failure */
    CHECK_EQ_STR(rec.id.s, "");

    CHECK_EQ_INT(dec_str(dec, nosrc, YW_SRC_UNKNOWN, &rec, reason, sizeof reason),
                 YW_REC_ESOURCE);
    CHECK(strstr(reason, "source") != NULL);

    const char *numsrc = "{\"id\":\"a\",\"source\":1,\"text\":\"t\",\"ts\":\"1\"}";
    CHECK_EQ_INT(dec_str(dec, numsrc, YW_SRC_HOTLINE, &rec, reason, sizeof reason),
                 YW_REC_ETYPE);
    CHECK(strstr(reason, "source") != NULL);

    for (int s = 0; s < YW_SRC_COUNT; s++) {
        const char *name = yw_source_name((yw_source_t)s);
        CHECK_EQ_INT(yw_source_parse(name, strlen(name)), s);
    }
    CHECK_EQ_STR(yw_source_name(YW_SRC_HOTLINE), "hotline");
    CHECK_EQ_STR(yw_source_name(YW_SRC_POLICE), "police");
    CHECK_EQ_INT(yw_source_parse("Hotline", 7), YW_SRC_UNKNOWN);
    CHECK_EQ_INT(yw_source_parse("hotlin", 6), YW_SRC_UNKNOWN);
    CHECK_EQ_INT(yw_source_parse(NULL, 0), YW_SRC_UNKNOWN);

    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- required fields and types ------------------------------------------------ */

struct bad_case {
    const char *json;
    int rc;
    const char *in_reason;   /* must appear in the reason */
};

static void run_cases(yw_decoder_t *dec, const struct bad_case *c, size_t n)
{
    yw_record_t rec;
    yw_record_init(&rec);
    for (size_t i = 0; i < n; i++) {
        char reason[256] = "unset";
        int rc = dec_str(dec, c[i].json, YW_SRC_HOTLINE, &rec, reason,
                         sizeof reason);
        if (rc != c[i].rc || strstr(reason, c[i].in_reason) == NULL) {
            fprintf(stderr, "  case %zu: %s\n    got %d (%s) \"%s\", want %d \"%s\"\n",
                    i, c[i].json, rc, yw_rec_err_name(rc), reason, c[i].rc,
                    c[i].in_reason);
            yw_test_failed_checks++;
        }
        if (rc != YW_REC_OK) {
            CHECK_EQ_STR(rec.id.s, "");
            CHECK_EQ_INT(rec.source, YW_SRC_UNKNOWN);
        }
    }
    yw_record_free(&rec);
}

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

TEST(test_missing_fields)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    static const struct bad_case cases[] = {
        { "{\"text\":\"t\",\"ts\":\"1\"}", YW_REC_EMISSING, "missing field: id" },
        { "{\"id\":\"a\",\"ts\":\"1\"}", YW_REC_EMISSING, "missing field: text" },
        { "{\"id\":\"a\",\"text\":\"t\"}", YW_REC_EMISSING, "missing field: ts" },
        { "{\"id\":\"\",\"text\":\"t\",\"ts\":\"1\"}", YW_REC_EMISSING,
          "missing field: id" },
        { "{\"id\":\"a\",\"text\":\"\",\"ts\":\"1\"}", YW_REC_EMISSING,
          "missing field: text" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"\"}", YW_REC_EMISSING,
          "missing field: ts" },
        { "{\"id\":\"a\",\"text\":null,\"ts\":\"1\"}", YW_REC_EMISSING,
          "missing field: text" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":null}", YW_REC_EMISSING,
          "missing field: ts" },
        { "{}", YW_REC_EMISSING, "missing field: id" },
        /* a key that only differs in case is not the field */
        { "{\"ID\":\"a\",\"text\":\"t\",\"ts\":\"1\"}", YW_REC_EMISSING,
          "missing field: id" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"}", YW_REC_OK, "" },
    };
    run_cases(dec, cases, NCASES(cases));
    CHECK_EQ_STR(yw_rec_err_name(YW_REC_EMISSING), "missing_field");
    yw_decoder_destroy(dec);
}

TEST(test_wrong_types)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
#define R(extra) "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"," extra "}"
    static const struct bad_case cases[] = {
        { "{\"id\":\"a\",\"text\":42,\"ts\":\"1\"}", YW_REC_ETYPE,
          "field text: expected string" },
        { "{\"id\":{\"x\":1},\"text\":\"t\",\"ts\":\"1\"}", YW_REC_ETYPE,
          "field id: expected string" },
        { "{\"id\":\"a\",\"text\":[\"t\"],\"ts\":\"1\"}", YW_REC_ETYPE, "field text" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":true}", YW_REC_ETYPE, "field ts" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":[1]}", YW_REC_ETYPE, "field ts" },
        { R("\"reposts\":\"many\""), YW_REC_ETYPE, "field reposts: expected integer" },
        { R("\"reposts\":1.5"), YW_REC_ETYPE, "field reposts: expected integer" },
        { R("\"reposts\":1e3"), YW_REC_ETYPE, "field reposts" },
        { R("\"reposts\":-3"), YW_REC_ETYPE, "field reposts" },
        { R("\"likes\":\" 12\""), YW_REC_ETYPE, "field likes" },
        { R("\"comments\":false"), YW_REC_ETYPE, "field comments" },
        { R("\"comments\":{}"), YW_REC_ETYPE, "field comments" },
        { R("\"likes\":12345678901234567890"), YW_REC_ETYPE, "field likes" },
        { R("\"repeat_count\":true"), YW_REC_ETYPE, "field repeat_count" },
        { R("\"repeat_count\":2147483648"), YW_REC_ETYPE, "field repeat_count" },
        { R("\"title\":[]"), YW_REC_ETYPE, "field title: expected string" },
        { R("\"person\":13800138000"), YW_REC_ETYPE, "field person" },
        { R("\"outcome\":1"), YW_REC_ETYPE, "field outcome" },
        { R("\"region_code\":510104020001"), YW_REC_ETYPE, "field region_code" },
        { R("\"station\":true"), YW_REC_ETYPE, "field station" },
        /* accepted: integer strings, null and "" for optional integers */
        { R("\"reposts\":\"42\""), YW_REC_OK, "" },
        { R("\"reposts\":null,\"likes\":\"\""), YW_REC_OK, "" },
        { R("\"repeat_count\":2147483647"), YW_REC_OK, "" },
        { R("\"title\":null"), YW_REC_OK, "" },
    };
#undef R
    run_cases(dec, cases, NCASES(cases));

    yw_record_t rec;
    yw_record_init(&rec);
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\","
                         "\"reposts\":\"42\",\"comments\":0,\"likes\":null,"
                         "\"repeat_count\":2147483647}",
                         YW_SRC_ONLINE, &rec, NULL, 0), YW_REC_OK);
    CHECK_EQ_INT(rec.reposts, 42);
    CHECK_EQ_INT(rec.comments, 0);
    CHECK_EQ_INT(rec.likes, -1);
    CHECK_EQ_INT(rec.repeat_count, 2147483647);
    CHECK_EQ_STR(yw_rec_err_name(YW_REC_ETYPE), "bad_type");
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- JSON structure ------------------------------------------------------------ */

TEST(test_bad_json)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    static const struct bad_case cases[] = {
        { "", YW_REC_EJSON, "empty" },
        { "   \n", YW_REC_EJSON, "empty" },
        { "[]", YW_REC_EJSON, "not a JSON object" },
        { "\"id\"", YW_REC_EJSON, "not a JSON object" },
        { "42", YW_REC_EJSON, "" },
        { "{", YW_REC_EJSON, "" },
        { "{\"id\":\"a\"", YW_REC_EJSON, "" },
        { "{\"id\":\"a", YW_REC_EJSON, "unterminated string" },
        { "{\"id\" \"a\"}", YW_REC_EJSON, "" },             /* no colon */
        { "{\"id\":\"a\",}", YW_REC_EJSON, "" },            /* trailing comma */
        { "{\"id\":\"a\" \"text\":\"t\"}", YW_REC_EJSON, "" }, /* no comma */
        { "{,}", YW_REC_EJSON, "" },
        { "{\"a\"}", YW_REC_EJSON, "" },
        { "{\"a\":}", YW_REC_EJSON, "" },
        { "{\"a\"::1}", YW_REC_EJSON, "" },
        { "{1:2}", YW_REC_EJSON, "" },
        { "{id:\"a\"}", YW_REC_EJSON, "" },
        { "{\"a\":tru}", YW_REC_EJSON, "" },
        { "{\"a\":nul}", YW_REC_EJSON, "" },
        { "{\"a\":01}", YW_REC_EJSON, "" },
        { "{\"a\":1.}", YW_REC_EJSON, "" },
        { "{\"a\":-}", YW_REC_EJSON, "" },
        { "{\"a\":1e}", YW_REC_EJSON, "" },
        { "{\"a\":+1}", YW_REC_EJSON, "" },
        { "{\"a\":1\"x\"}", YW_REC_EJSON, "" },
        { "{\"a\":[1,]}", YW_REC_EJSON, "" },
        { "{\"a\":[1 2]}", YW_REC_EJSON, "" },
        { "{\"a\":[1}", YW_REC_EJSON, "" },
        { "{\"a\":{\"b\":1]}", YW_REC_EJSON, "" },
        { "{\"a\":\"x\ty\"}", YW_REC_EJSON, "control character" },
        { "{\"a\":\"\\x\"}", YW_REC_EJSON, "" },
        { "{\"a\":\"\\u12G4\"}", YW_REC_EJSON, "" },
        { "{\"a\":'x'}", YW_REC_EJSON, "" },
        /* exactly one object spanning the message */
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"}{}", YW_REC_EJSON, "trailing" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"} x", YW_REC_EJSON, "" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"},", YW_REC_EJSON, "trailing" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"}]", YW_REC_EJSON, "" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"} 1", YW_REC_EJSON, "trailing" },
        { "\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"}", YW_REC_EJSON, "" },
        /* whitespace around the object is fine, and so are unknown fields of
         * any shape */
        { " \r\n\t{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"} \n", YW_REC_OK, "" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"extra\":{\"x\":[1,-2.5e+3,"
          "true,false,null,{},[],\"s\\n\"]},\"n\":0}", YW_REC_OK, "" },
    };
    run_cases(dec, cases, NCASES(cases));

    /* trailing NUL bytes (jsmn stops at the first NUL) */
    const char nul[] = "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"}\0\0";
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];
    CHECK_EQ_INT(yw_record_decode(dec, nul, sizeof nul - 1, YW_SRC_HOTLINE, &rec,
                                  reason, sizeof reason), YW_REC_EJSON);
    CHECK(strstr(reason, "byte 30") != NULL);
    const char nul_in[] = "{\"id\":\"a\0\",\"text\":\"t\",\"ts\":\"1\"}";
    CHECK_EQ_INT(yw_record_decode(dec, nul_in, sizeof nul_in - 1, YW_SRC_HOTLINE,
                                  &rec, reason, sizeof reason), YW_REC_EJSON);

    /* deep nesting is refused before jsmn sees it; shallow is fine */
    char deep[512];
    int o = snprintf(deep, sizeof deep, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"x\":");
    for (int i = 0; i < 100; i++)
        deep[o++] = '[';
    for (int i = 0; i < 100; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    CHECK_EQ_INT(yw_record_decode(dec, deep, (size_t)o, YW_SRC_HOTLINE, &rec,
                                  reason, sizeof reason), YW_REC_EJSON);
    CHECK(strstr(reason, "nesting") != NULL);
    o = snprintf(deep, sizeof deep, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"x\":");
    for (int i = 0; i < 20; i++)
        deep[o++] = '[';
    for (int i = 0; i < 20; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    CHECK_EQ_INT(yw_record_decode(dec, deep, (size_t)o, YW_SRC_HOTLINE, &rec,
                                  reason, sizeof reason), YW_REC_OK);
    /* brackets inside strings are text, not nesting */
    char str[512];
    o = snprintf(str, sizeof str, "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"");
    for (int i = 0; i < 100; i++)
        str[o++] = '[';
    o += snprintf(str + o, sizeof str - (size_t)o, "\\\"{\"}");
    CHECK_EQ_INT(yw_record_decode(dec, str, (size_t)o, YW_SRC_HOTLINE, &rec,
                                  reason, sizeof reason), YW_REC_OK);
    CHECK_EQ_INT(rec.text.len, 102);
    CHECK_EQ_STR(rec.text.s + 100, "\"{");

    /* a message of many tokens grows the token array (NOMEM path is not
     * needed: the pre-scan sizes it) */
    size_t cap = 200000;
    char *big = malloc(cap);
    REQUIRE(big != NULL);
    size_t bl = (size_t)snprintf(big, cap, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"arr\":[");
    for (int i = 0; i < 20000; i++)
        bl += (size_t)snprintf(big + bl, cap - bl, "%s%d", i ? "," : "", i % 10);
    bl += (size_t)snprintf(big + bl, cap - bl, "]}");
    CHECK_EQ_INT(yw_record_decode(dec, big, bl, YW_SRC_HOTLINE, &rec, reason,
                                  sizeof reason), YW_REC_OK);
    free(big);

    CHECK_EQ_STR(yw_rec_err_name(YW_REC_EJSON), "bad_json");
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

TEST(test_duplicate_keys)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];

    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"first\",\"text\":\"t\",\"ts\":\"1\","
                         "\"id\":\"second\",\"reposts\":1,\"reposts\":\"7\"}",
                         YW_SRC_ONLINE, &rec, reason, sizeof reason), YW_REC_OK);
    CHECK_EQ_STR(rec.id.s, "second");
    CHECK_EQ_INT(rec.reposts, 7);
    CHECK(!arena_contains(&rec, "first"));      /* shadowed values not copied */

    /* last wins even when the earlier one was good and the last one bad */
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"text\":7}",
                         YW_SRC_ONLINE, &rec, reason, sizeof reason), YW_REC_ETYPE);
    /* ... and a shadowed value must still be well-formed */
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"\\ud800\",\"ts\":\"1\","
                         "\"text\":\"ok\"}",
                         YW_SRC_ONLINE, &rec, reason, sizeof reason), YW_REC_EJSON);
    CHECK(strstr(reason, "surrogate") != NULL);

    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- strings ---------------------------------------------------------------------- */

TEST(test_escapes)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];

    int rc = dec_str(dec, "{\"id\":\"a\",\"ts\":\"1\",\"text\":"
                     "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u4e2d\\u6587 "
                     "\\uD83D\\uDE00 \\u00e9 \\u0041\"}",
                     YW_SRC_HOTLINE, &rec, reason, sizeof reason);
    CHECK_EQ_INT(rc, YW_REC_OK);
    const char want[] = "q\" b\\ s/ \b\f\n\r\t 中文 \xF0\x9F\x98\x80 \xC3\xA9 A";
    CHECK_EQ_STR(rec.text.s, want);
    CHECK_EQ_INT(rec.text.len, sizeof want - 1);
    CHECK(yw_utf8_valid(rec.text.s, rec.text.len));

    /* U+10FFFF = \uDBFF\uDFFF -> F4 8F BF BF; lower-case hex too */
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"\\udbff\\udfff\"}",
                         YW_SRC_HOTLINE, &rec, reason, sizeof reason), YW_REC_OK);
    CHECK_EQ_STR(rec.text.s, "\xF4\x8F\xBF\xBF");

    /* an escaped key still names its field */
    CHECK_EQ_INT(dec_str(dec, "{\"\\u0069d\":\"x1\",\"ts\":\"1\",\"te\\u0078t\":\"t\"}",
                         YW_SRC_HOTLINE, &rec, reason, sizeof reason), YW_REC_OK);
    CHECK_EQ_STR(rec.id.s, "x1");

    static const struct bad_case cases[] = {
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"x\\ud83d\"}", YW_REC_EJSON,
          "field text: lone high surrogate" },
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"x\\ud83dy\"}", YW_REC_EJSON,
          "field text: lone high surrogate" },
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"\\ud83d\\u0041\"}", YW_REC_EJSON,
          "field text: lone high surrogate" },
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"\\ud83d\\ud83d\"}", YW_REC_EJSON,
          "field text" },
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"\\ude00\"}", YW_REC_EJSON,
          "field text: lone low surrogate" },
        { "{\"id\":\"a\",\"ts\":\"1\",\"title\":\"\\u0000\",\"text\":\"t\"}",
          YW_REC_EJSON, "field title: \\u0000" },
        { "{\"id\":\"a\\u00\",\"ts\":\"1\",\"text\":\"t\"}", YW_REC_EJSON, "" },
        /* an unknown field's strings are checked too */
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"t\",\"x\":\"\\udc00\"}",
          YW_REC_EJSON, "surrogate" },
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"t\",\"x\\ud800\":1}",
          YW_REC_EJSON, "surrogate" },
        /* but \u0000 is fine where nothing reads it */
        { "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"t\",\"x\":\"\\u0000\"}", YW_REC_OK, "" },
    };
    run_cases(dec, cases, NCASES(cases));

    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

TEST(test_utf8)
{
    struct { const char *s; size_t len; bool ok; size_t bad_at; } v[] = {
        { "plain ascii", 11, true, 0 },
        { "中文", 6, true, 0 },
        { "\xF0\x9F\x98\x80", 4, true, 0 },          /* U+1F600 */
        { "\xF4\x8F\xBF\xBF", 4, true, 0 },          /* U+10FFFF */
        { "\xED\x9F\xBF", 3, true, 0 },              /* U+D7FF */
        { "\xEE\x80\x80", 3, true, 0 },              /* U+E000 */
        { "\xEF\xBF\xBF", 3, true, 0 },              /* U+FFFF */
        { "\xC2\x80", 2, true, 0 },                  /* U+0080 */
        { "\0", 1, true, 0 },                        /* NUL is valid UTF-8 */
        { "ab\xC0\x80", 4, false, 2 },               /* overlong NUL */
        { "\xC1\xBF", 2, false, 0 },                 /* overlong */
        { "\xE0\x80\xAF", 3, false, 0 },             /* overlong '/' */
        { "\xE0\x9F\xBF", 3, false, 0 },             /* overlong U+07FF */
        { "\xF0\x8F\xBF\xBF", 4, false, 0 },         /* overlong U+FFFF */
        { "x\xED\xA0\x80", 4, false, 1 },            /* surrogate U+D800 */
        { "\xED\xBF\xBF", 3, false, 0 },             /* surrogate U+DFFF */
        { "\xF4\x90\x80\x80", 4, false, 0 },         /* U+110000 */
        { "\xF5\x80\x80\x80", 4, false, 0 },
        { "\xFF", 1, false, 0 },
        { "abc\x80", 4, false, 3 },                  /* stray continuation */
        { "中\xE6\x96", 5, false, 3 },               /* truncated at the end */
        { "\xE4\xB8x", 3, false, 0 },                /* truncated in the middle */
        { "\xF0\x9F\x98", 3, false, 0 },
        { "0123456789abcdef\xC3", 17, false, 16 },   /* after the fast path */
        { "中文中\xED\xA0\x80", 12, false, 9 },        /* after a CJK run */
        { "中文\xE4\xB8", 8, false, 6 },
        { "中文\xE4\xB8x", 9, false, 6 },
        { "中文\xE4x\x80", 9, false, 6 },
        { "中文\xEC\xBF\xBF\xED\x9F\xBF!", 13, true, 0 },
    };
    for (size_t i = 0; i < NCASES(v); i++) {
        if (yw_utf8_valid(v[i].s, v[i].len) != v[i].ok) {
            fprintf(stderr, "  utf8 case %zu: want %d\n", i, v[i].ok);
            yw_test_failed_checks++;
        }
    }

    /* the decoder rejects the whole message and names the byte */
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    for (size_t i = 0; i < NCASES(v); i++) {
        if (v[i].ok)
            continue;
        char msg[128], reason[128], want[64];
        const char *pre = "{\"id\":\"a\",\"ts\":\"1\",\"text\":\"";
        size_t pl = strlen(pre);
        memcpy(msg, pre, pl);
        memcpy(msg + pl, v[i].s, v[i].len);
        memcpy(msg + pl + v[i].len, "\"}", 2);
        int rc = yw_record_decode(dec, msg, pl + v[i].len + 2, YW_SRC_HOTLINE,
                                  &rec, reason, sizeof reason);
        snprintf(want, sizeof want, "invalid UTF-8 at byte %zu", pl + v[i].bad_at);
        if (rc != YW_REC_EUTF8 || strcmp(reason, want) != 0) {
            fprintf(stderr, "  utf8 decode case %zu: %d \"%s\", want \"%s\"\n", i,
                    rc, reason, want);
            yw_test_failed_checks++;
        }
    }
    CHECK_EQ_STR(yw_rec_err_name(YW_REC_EUTF8), "bad_utf8");
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- time ----------------------------------------------------------------------------- */

TEST(test_time_parse)
{
    struct { const char *s; int tz; int64_t ms; } good[] = {
        { "2019-03-01T22:12:30+08:00", 480, 1551449550000LL },
        { "2019-03-01T14:12:30Z", 480, 1551449550000LL },
        { "2019-03-01T14:12:30.5Z", 480, 1551449550500LL },
        { "2019-03-01T14:12:30.123456789Z", 480, 1551449550123LL },  /* truncated */
        { "2019-03-01t14:12:30z", 480, 1551449550000LL },
        { "2019-03-01 22:12:30", 480, 1551449550000LL },       /* configured zone */
        { "2019-03-01 14:12:30", 0, 1551449550000LL },
        { "2019-03-01T22:12:30", 480, 1551449550000LL },
        { "2019-03-01 22:12:30+08:00", 0, 1551449550000LL },
        { "2019-03-01T08:42:30-05:30", 480, 1551449550000LL },
        { "2019-03-01T14:12:30-00:00", 480, 1551449550000LL },
        { "1551449550000", 480, 1551449550000LL },            /* epoch ms */
        { "0", 480, 0 },
        { "1970-01-01T00:00:00Z", 480, 0 },
        { "1969-12-31T23:59:59Z", 480, -1000 },
        { "2020-02-29T00:00:00Z", 480, 1582934400000LL },      /* leap day */
        { "2000-02-29T00:00:00Z", 480, 951782400000LL },       /* 400-year leap */
        { "2019-12-31T23:59:60Z", 480, 1577836800000LL },      /* leap second */
        { "2038-01-19T03:14:08Z", 480, 2147483648000LL },      /* past int32 */
        { "9999-12-31T23:59:59.999Z", 480, 253402300799999LL },
    };
    for (size_t i = 0; i < NCASES(good); i++) {
        int64_t ms = -42;
        int rc = yw_time_parse(good[i].s, strlen(good[i].s), good[i].tz, &ms);
        if (rc != 0 || ms != good[i].ms) {
            fprintf(stderr, "  time \"%s\": rc %d ms %lld want %lld\n", good[i].s,
                    rc, (long long)ms, (long long)good[i].ms);
            yw_test_failed_checks++;
        }
    }

    const char *bad[] = {
        "", "2019-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2019-04-31 00:00:00",
        "2019-13-01 00:00:00", "2019-00-01 00:00:00", "2019-01-00 00:00:00",
        "2019-01-32 00:00:00", "2019-03-01 24:00:00", "2019-03-01 23:60:00",
        "2019-03-01 23:59:61", "2019-03-01T22:12:30+08", "2019-03-01T22:12:30+0800",
        "2019-03-01T22:12:30+24:00", "2019-03-01T22:12:30+08:60",
        "2019-03-01T22:12:30.Z", "2019-03-01T22:12:30.1234567890Z",
        "2019-03-01T22:12:30Zjunk", " 2019-03-01T22:12:30Z", "2019-03-01T22:12:30Z ",
        "2019-3-1 22:12:30", "2019/03/01 22:12:30", "2019-03-01", "2019-03-01X22:12:30",
        "0000-01-01T00:00:00Z", "-1551449550000", "1551449550000.0", "1.5e12",
        "253402300800000", "1234567890123456789", "yesterday", "２０１９-03-01 22:12:30",
    };
    for (size_t i = 0; i < NCASES(bad); i++) {
        int64_t ms;
        if (yw_time_parse(bad[i], strlen(bad[i]), 480, &ms) == 0) {
            fprintf(stderr, "  time \"%s\" accepted as %lld\n", bad[i], (long long)ms);
            yw_test_failed_checks++;
        }
    }
    int64_t ms;
    CHECK_EQ_INT(yw_time_parse(NULL, 0, 480, &ms), -1);
}

TEST(test_time_peek)
{
    /* The "ts" value of an undecoded message, string or number, as
     * yw_time_parse reads it. */
    int64_t ms = 0, want = 0;
    REQUIRE(yw_time_parse("2019-03-01 22:12:30", 19, 480, &want) == 0);
    const char *a = "{\"id\":\"x\",\"ts\":\"2019-03-01 22:12:30\",\"text\":\"t\"}";
    CHECK_EQ_INT(yw_time_peek(a, strlen(a), 480, &ms), 0);
    CHECK_EQ_INT(ms, want);
    const char *b = "{ \"ts\" :\t1551449550000 , \"id\":\"x\"}";
    CHECK_EQ_INT(yw_time_peek(b, strlen(b), 480, &ms), 0);
    CHECK_EQ_INT(ms, 1551449550000LL);
    /* "ts" as a value, and inside a string (its quotes escaped), is not
     * the key. */
    const char *c = "{\"source\":\"ts\",\"text\":\"say \\\"ts\\\": 1\",\"ts\":\"1551449550000\"}";
    CHECK_EQ_INT(yw_time_peek(c, strlen(c), 480, &ms), 0);
    CHECK_EQ_INT(ms, 1551449550000LL);
    /* No ts, a bad one, a cut-off one. */
    const char *d = "{\"id\":\"x\"}";
    CHECK_EQ_INT(yw_time_peek(d, strlen(d), 480, &ms), -1);
    const char *e = "{\"ts\":\"yesterday\"}";
    CHECK_EQ_INT(yw_time_peek(e, strlen(e), 480, &ms), -1);
    const char *f = "{\"ts\":\"2019-03-01 22:1";
    CHECK_EQ_INT(yw_time_peek(f, strlen(f), 480, &ms), -1);
    CHECK_EQ_INT(yw_time_peek("\"ts", 3, 480, &ms), -1);
}

TEST(test_time_format)
{
    char buf[64];
    yw_time_format(1551449550000LL, 480, buf, sizeof buf);
    CHECK_EQ_STR(buf, "2019-03-01T22:12:30+08:00");
    yw_time_format(1551449550000LL, 0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "2019-03-01T14:12:30+00:00");
    yw_time_format(1551449550500LL, -330, buf, sizeof buf);
    CHECK_EQ_STR(buf, "2019-03-01T08:42:30.500-05:30");
    yw_time_format(0, 0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "1970-01-01T00:00:00+00:00");
    yw_time_format(-1, 0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "1969-12-31T23:59:59.999+00:00");
    yw_time_format(1582934400000LL, 0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "2020-02-29T00:00:00+00:00");
    yw_time_format(951868799000LL, 0, buf, sizeof buf);   /* 2000-02-29T23:59:59Z */
    CHECK_EQ_STR(buf, "2000-02-29T23:59:59+00:00");
    yw_time_format(978220800000LL, 0, buf, sizeof buf);   /* 2000-12-31 (leap) */
    CHECK_EQ_STR(buf, "2000-12-31T00:00:00+00:00");
    yw_time_format(253402300799999LL, 0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "9999-12-31T23:59:59.999+00:00");
    char small[11];
    yw_time_format(1551449550000LL, 480, small, sizeof small);
    CHECK_EQ_STR(small, "2019-03-01");                    /* truncated, terminated */

    /* round trip from 0001-01-02 to 9999 in odd steps and offsets */
    for (int64_t ms2 = -62135596800000LL + 86400000LL; ms2 < 253402300799999LL;
         ms2 += 86400000LL * 367 + 3600 * 1000 * 7 + 12345) {
        for (int tz = -720; tz <= 840; tz += 345) {
            int64_t back = -1;
            yw_time_format(ms2, tz, buf, sizeof buf);
            if (yw_time_parse(buf, strlen(buf), 0, &back) != 0 || back != ms2) {
                fprintf(stderr, "  round trip %lld tz %d: %s -> %lld\n",
                        (long long)ms2, tz, buf, (long long)back);
                yw_test_failed_checks++;
                return;
            }
        }
    }
}

TEST(test_time_in_records)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    static const struct bad_case cases[] = {
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"2019-02-29 10:00:00\"}", YW_REC_ETIME,
          "field ts: unparseable time \"2019-02-29 10:00:00\"" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"昨天下午\"}", YW_REC_ETIME,
          "field ts: unparseable time" },
        /* the excerpt is masked: the reason reaches the debug log */
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"tel 13812345678\"}", YW_REC_ETIME,
          "field ts: unparseable time \"tel 138****5678\"" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":1551449550000.0}", YW_REC_ETIME,
          "field ts" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":-5}", YW_REC_ETIME, "field ts" },
        { "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"2019-03-01T22:12:30+08:00\"}",
          YW_REC_OK, "" },
    };
    run_cases(dec, cases, NCASES(cases));

    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":1551449550000}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    CHECK_EQ_INT(rec.ts_ms, 1551449550000LL);
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"2020-02-29 08:00:00\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    CHECK_EQ_INT(rec.ts_ms, 1582934400000LL);
    /* an escaped ts is unescaped first */
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"2019-03-01T14:12:30\\u005a\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    CHECK_EQ_INT(rec.ts_ms, 1551449550000LL);
    CHECK_EQ_STR(yw_rec_err_name(YW_REC_ETIME), "bad_time");
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- person, outcome, size ------------------------------------------------------------ */

TEST(test_person_hmac)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    uint8_t want[32];

    /* escaped in the message: the hash is over the unescaped value */
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\","
                         "\"person\":\"\\u0031\\u0033800138000\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    hmac_ref(KEY, "13800138000", 11, want);
    CHECK(rec.has_person);
    CHECK(memcmp(rec.person_hmac, want, 32) == 0);

    /* non-ASCII key */
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\","
                         "\"person\":\"张三-身份证尾号1234\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    hmac_ref(KEY, "张三-身份证尾号1234", strlen("张三-身份证尾号1234"), want);
    CHECK(memcmp(rec.person_hmac, want, 32) == 0);
    CHECK(!arena_contains(&rec, "张三"));

    /* absent, null, empty and blank keys name nobody */
    const char *none[] = {
        "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\"}",
        "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"person\":null}",
        "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"person\":\"\"}",
        "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"person\":\"  \"}",
    };
    for (size_t i = 0; i < NCASES(none); i++) {
        CHECK_EQ_INT(dec_str(dec, none[i], YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
        CHECK(!rec.has_person);
        static const uint8_t zero[32];
        CHECK(memcmp(rec.person_hmac, zero, 32) == 0);
    }

    /* another key, another hash; an empty key is allowed */
    yw_decoder_conf_t conf = { 0, 480, (const uint8_t *)"other", 5 };
    char err[128];
    yw_decoder_t *d2 = yw_decoder_create(&conf, err, sizeof err);
    REQUIRE(d2 != NULL);
    CHECK_EQ_INT(dec_str(d2, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"person\":\"p1\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    hmac_ref("other", "p1", 2, want);
    CHECK(memcmp(rec.person_hmac, want, 32) == 0);
    hmac_ref(KEY, "p1", 2, want);
    CHECK(memcmp(rec.person_hmac, want, 32) != 0);
    yw_decoder_destroy(d2);

    yw_decoder_conf_t empty = { 0, 480, NULL, 0 };
    d2 = yw_decoder_create(&empty, err, sizeof err);
    REQUIRE(d2 != NULL);
    CHECK_EQ_INT(dec_str(d2, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"person\":\"p1\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    hmac_ref("", "p1", 2, want);
    CHECK(rec.has_person && memcmp(rec.person_hmac, want, 32) == 0);
    yw_decoder_destroy(d2);

    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* Place fields are shown in alerts (labels, titles): a number typed into
 * one is masked at decode, as text is before it is stored.  Codes stay. */
TEST(test_place_fields_masked)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\","
                         "\"district\":\"江北区13812345678\","
                         "\"street\":\"\\u0031\\u0033\\u0039 8765 4321号\","
                         "\"community\":\"A2区景蓉华苑\","
                         "\"region_code\":\"369921104001\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    CHECK_EQ_STR(rec.district.s, "江北区138****5678");
    CHECK_EQ_INT((long)rec.district.len, (long)strlen("江北区138****5678"));
    CHECK_EQ_STR(rec.street.s, "139 **** 4321号");        /* escaped digits too */
    CHECK_EQ_STR(rec.community.s, "A2区景蓉华苑");         /* nothing to mask */
    CHECK_EQ_STR(rec.region_code.s, "369921104001");       /* a code, not a number to mask */
    CHECK(!arena_contains(&rec, "13812345678"));
    /* a copy keeps the masked values */
    yw_record_t copy;
    REQUIRE(yw_record_copy(&copy, &rec) == 0);
    CHECK_EQ_STR(copy.district.s, "江北区138****5678");
    yw_record_free(&copy);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

TEST(test_outcome)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    struct { const char *v; yw_outcome_t o; } c[] = {
        { "resolved", YW_OUTCOME_RESOLVED }, { "unresolved", YW_OUTCOME_UNRESOLVED },
        { "dissatisfied", YW_OUTCOME_DISSATISFIED }, { "pending", YW_OUTCOME_PENDING },
        { "已办结", YW_OUTCOME_NONE }, { "Resolved", YW_OUTCOME_NONE },
        { "", YW_OUTCOME_NONE },
    };
    for (size_t i = 0; i < NCASES(c); i++) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"1\",\"outcome\":\"%s\"}", c[i].v);
        CHECK_EQ_INT(dec_str(dec, msg, YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
        CHECK_EQ_INT(rec.outcome, c[i].o);
        CHECK_EQ_STR(rec.outcome_raw.s, c[i].v);
    }
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

TEST(test_oversize)
{
    yw_decoder_t *dec = new_decoder(64, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];
    char msg[128];
    int n = snprintf(msg, sizeof msg, "{\"id\":\"a\",\"text\":\"%s\",\"ts\":\"1\"}",
                     "01234567890123456789012345678901234");
    CHECK_EQ_INT(n, 64);
    CHECK_EQ_INT(yw_record_decode(dec, msg, (size_t)n, YW_SRC_HOTLINE, &rec, reason,
                                  sizeof reason), YW_REC_OK);
    msg[n - 1] = ' ';
    msg[n] = '}';      /* 65 bytes; the size check comes before anything else */
    CHECK_EQ_INT(yw_record_decode(dec, msg, (size_t)n + 1, YW_SRC_HOTLINE, &rec,
                                  reason, sizeof reason), YW_REC_EOVERSIZE);
    CHECK(strstr(reason, "65 bytes") != NULL);
    CHECK_EQ_INT(yw_record_decode(dec, "\xFF\xFF", 2, YW_SRC_HOTLINE, &rec,
                                  reason, sizeof reason), YW_REC_EUTF8);
    CHECK_EQ_STR(yw_rec_err_name(YW_REC_EOVERSIZE), "oversize");
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- memory ---------------------------------------------------------------------------- */

TEST(test_copy)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    size_t len;
    char *json = read_data("record_online.json", &len);
    REQUIRE(json != NULL);
    yw_record_t rec, copy;
    yw_record_init(&rec);
    REQUIRE(yw_record_decode(dec, json, len, YW_SRC_UNKNOWN, &rec, NULL, 0) == YW_REC_OK);
    rec.topic = "yw.online";
    rec.partition = 3;
    rec.offset = 12345;

    REQUIRE(yw_record_copy(&copy, &rec) == 0);
    CHECK(copy.arena != rec.arena);
    /* overwrite then free the original: the copy must not notice */
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"zz\",\"text\":\"other\",\"ts\":\"1\"}",
                         YW_SRC_HOTLINE, &rec, NULL, 0), YW_REC_OK);
    yw_record_free(&rec);
    free(json);

    CHECK_EQ_STR(copy.id.s, "ON-weibo-4345678901234567");
    CHECK_EQ_STR(copy.title.s, "#锦江区幸福里停水# 一周了还没人管？");
    CHECK(strstr(copy.text.s, "踢皮球") != NULL);
    CHECK_EQ_STR(copy.url.s, "https://weibo.com/5623109876/Ho1a2B3c4");
    CHECK_EQ_STR(copy.station.s, "");                 /* absent stays "" */
    CHECK_EQ_INT(copy.ts_ms, 1551538800000LL);
    CHECK_EQ_INT(copy.reposts, 1287);
    CHECK_EQ_INT(copy.source, YW_SRC_ONLINE);
    CHECK(copy.has_person);
    CHECK_EQ_STR(copy.topic, "yw.online");
    CHECK_EQ_INT(copy.partition, 3);
    CHECK_EQ_INT(copy.offset, 12345);
    /* every string lies inside the copy's own arena */
    const yw_str_t *strs[] = { &copy.id, &copy.text, &copy.title, &copy.district,
                               &copy.platform, &copy.url, &copy.reply };
    for (size_t i = 0; i < NCASES(strs); i++) {
        CHECK(strs[i]->s >= copy.arena && strs[i]->s < copy.arena + copy.arena_len);
        CHECK_EQ_INT(strlen(strs[i]->s), strs[i]->len);
    }

    /* copying a record that never decoded anything */
    yw_record_t empty, ecopy;
    yw_record_init(&empty);
    CHECK_EQ_INT(yw_record_copy(&ecopy, &empty), 0);
    CHECK_EQ_STR(ecopy.text.s, "");
    CHECK_EQ_INT(ecopy.repeat_count, -1);
    yw_record_free(&ecopy);

    yw_record_free(&copy);
    yw_record_free(&copy);      /* free twice is harmless (re-initialised) */
    yw_decoder_destroy(dec);
}

TEST(test_reuse_no_growth)
{
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    static const char *names[] = { "record_hotline.json", "record_grid.json",
                                   "record_online.json", "record_police.json" };
    char *msgs[4];
    size_t lens[4];
    for (int i = 0; i < 4; i++) {
        msgs[i] = read_data(names[i], &lens[i]);
        REQUIRE(msgs[i] != NULL);
    }
    yw_record_t rec;
    yw_record_init(&rec);
    char reason[256];

    /* warm-up: every shape once, failures included */
    for (int i = 0; i < 4; i++)
        CHECK_EQ_INT(yw_record_decode(dec, msgs[i], lens[i], YW_SRC_UNKNOWN, &rec,
                                      reason, sizeof reason), YW_REC_OK);
    char *arena = rec.arena;
    size_t cap = rec.arena_cap;
    CHECK(cap > 0);

    int ok = 0;
    for (int i = 0; i < 10000; i++) {
        int k = i % 5;
        int rc;
        if (k < 4)
            rc = yw_record_decode(dec, msgs[k], lens[k], YW_SRC_UNKNOWN, &rec,
                                  reason, sizeof reason);
        else
            rc = dec_str(dec, "{\"id\":\"a\",\"text\":7,\"ts\":\"1\"}", YW_SRC_HOTLINE,
                         &rec, reason, sizeof reason);
        ok += rc == YW_REC_OK;
        if (rec.arena != arena || rec.arena_cap != cap) {
            fprintf(stderr, "  arena moved or grew at iteration %d\n", i);
            yw_test_failed_checks++;
            break;
        }
    }
    CHECK_EQ_INT(ok, 8000);
    /* the last decoded record is intact */
    CHECK_EQ_INT(yw_record_decode(dec, msgs[3], lens[3], YW_SRC_UNKNOWN, &rec, NULL, 0),
                 YW_REC_OK);
    CHECK_EQ_STR(rec.station.s, "春熙路派出所");
    for (int i = 0; i < 4; i++)
        free(msgs[i]);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

/* ---- fixtures in tests/data/bad: the file name's prefix is the expected class --- */

TEST(test_bad_fixtures)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bad", YW_TEST_DATA);
    DIR *d = opendir(dir);
    REQUIRE(d != NULL);
    yw_decoder_t *dec = new_decoder(0, 480);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024], reason[256];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len;
        char *buf = yw_test_read_file(path, &len);
        if (buf == NULL)
            continue;
        int rc = yw_record_decode(dec, buf, len, YW_SRC_HOTLINE, &rec, reason,
                                  sizeof reason);
        const char *name = yw_rec_err_name(rc);
        size_t nl = strlen(name);
        if (strncmp(de->d_name, name, nl) != 0 || de->d_name[nl] != '-') {
            fprintf(stderr, "  %s: got %s (%s)\n", de->d_name, name, reason);
            yw_test_failed_checks++;
        }
        free(buf);
        n++;
    }
    closedir(d);
    CHECK(n >= 5);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

TEST(test_create_errors)
{
    char err[128] = "";
    yw_decoder_conf_t c1 = { 0, 15 * 60, NULL, 0 };
    CHECK(yw_decoder_create(&c1, err, sizeof err) == NULL);
    CHECK(strstr(err, "tz_offset_minutes") != NULL);
    yw_decoder_conf_t c2 = { (size_t)1 << 40, 480, NULL, 0 };
    CHECK(yw_decoder_create(&c2, err, sizeof err) == NULL);
    CHECK(strstr(err, "max_message_bytes") != NULL);
    yw_decoder_conf_t c3 = { 0, 480, NULL, 4 };
    CHECK(yw_decoder_create(&c3, err, sizeof err) == NULL);

    /* NULL conf: defaults (+08:00, 1 MiB, empty key) */
    yw_decoder_t *dec = yw_decoder_create(NULL, err, sizeof err);
    REQUIRE(dec != NULL);
    yw_record_t rec;
    yw_record_init(&rec);
    CHECK_EQ_INT(dec_str(dec, "{\"id\":\"a\",\"text\":\"t\",\"ts\":\"2019-03-01 22:12:30\"}",
                         YW_SRC_POLICE, &rec, NULL, 0), YW_REC_OK);
    CHECK_EQ_INT(rec.ts_ms, 1551449550000LL);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
    yw_decoder_destroy(NULL);
    yw_record_free(NULL);
    CHECK_EQ_STR(yw_rec_err_name(YW_REC_OK), "ok");
    CHECK_EQ_STR(yw_rec_err_name(12345), "unknown");
}

int main(void)
{
    RUN(test_hotline_example);
    RUN(test_grid_example);
    RUN(test_online_example);
    RUN(test_police_example);
    RUN(test_source_resolution);
    RUN(test_missing_fields);
    RUN(test_wrong_types);
    RUN(test_bad_json);
    RUN(test_duplicate_keys);
    RUN(test_escapes);
    RUN(test_utf8);
    RUN(test_time_parse);
    RUN(test_time_peek);
    RUN(test_time_format);
    RUN(test_time_in_records);
    RUN(test_person_hmac);
    RUN(test_place_fields_masked);
    RUN(test_outcome);
    RUN(test_oversize);
    RUN(test_copy);
    RUN(test_reuse_no_growth);
    RUN(test_bad_fixtures);
    RUN(test_create_errors);
    return yw_test_done();
}
