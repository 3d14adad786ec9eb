/* test_features.c -- entities from sample sentences, and the one-call
 * record -> features pipeline (masking, terms, hits, places, reuse). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "featurize.h"
#include "text.h"
#include "yw_test.h"

static size_t ents(const char *raw, yw_entity_t *out)
{
    char norm[2048];
    size_t n = 0, l = yw_text_normalize(raw, strlen(raw), norm, sizeof(norm));
    yw_entity_extract(norm, l, out, &n, YW_ENTITY_MAX);
    return n;
}

static const char *ent(const yw_entity_t *e, size_t n, yw_entity_kind_t kind, int which)
{
    for (size_t i = 0; i < n; i++)
        if (e[i].kind == kind && which-- == 0) return e[i].text;
    return "(none)";
}

TEST(test_entities_estates)
{
    yw_entity_t e[YW_ENTITY_MAX];
    size_t n = ents("我住在丽发新城小区，物业不管。", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "丽发新城");
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 1), "(none)");      /* no "丽发新城小区" */
    n = ents("A2区景蓉华苑出现乱象，该小区的物业公司要退出", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "景蓉华苑");
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 1), "(none)");      /* 该小区: generic */
    CHECK_EQ_STR(ent(e, n, YW_ENT_COMPANY, 0), "(none)");     /* 物业公司: generic */
    n = ents("阳光小区和金色家园都停水了", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "阳光小区");
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 1), "金色家园");
    n = ents("市政府门口，县城里", e);
    CHECK_EQ_INT(n, 0);
}

TEST(test_entities_companies_roads)
{
    yw_entity_t e[YW_ENTITY_MAX];
    size_t n = ents("被湖南美顺物业有限公司拖欠工资", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_COMPANY, 0), "湖南美顺物业有限公司");
    n = ents("投资58车贷跑路了", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_COMPANY, 0), "58车贷");
    n = ents("在解放西路堵路，还有人去了芙蓉中路", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ROAD, 0), "解放西路");
    CHECK_EQ_STR(ent(e, n, YW_ENT_ROAD, 1), "芙蓉中路");
    n = ents("位于桂花坪街道，道路拥堵", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ROAD, 0), "桂花坪街道");
    CHECK_EQ_STR(ent(e, n, YW_ENT_ROAD, 1), "(none)");        /* 道路 */
}

/* A name walked back over the words in front of it starts after them:
 * verbs (解决, 要求, 冻结), nouns (楼盘), and 路/城 in words that are not
 * names (跑路, 众志成城).  Each sentence below gave a wrong name before
 * the lead words (found in the shared citizen messages and in ywgen's
 * templates). */
TEST(test_entities_lead_words)
{
    yw_entity_t e[YW_ENTITY_MAX];
    size_t n = ents("由政府牵头成立专班解决御景湾花园二期停工问题", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "御景湾花园");   /* was 立专班解决御景湾花园 */
    n = ents("问题楼盘邦安华城至今没有交房", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "邦安华城");
    n = ents("业主要求小区物业公开账目", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "(none)");      /* 要求小区: no name left */
    n = ents("法院已冻结公司账户", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_COMPANY, 0), "(none)");
    n = ents("恒瑞置业卷款跑路，大家众志成城", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ROAD, 0), "(none)");
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "(none)");
    n = ents("业主们说要堵望湖大道", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ROAD, 0), "望湖大道");
    /* a word that only looks like one stays in the name it is part of */
    n = ents("被江临恒通教育咨询有限公司骗了学费", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_COMPANY, 0), "江临恒通教育咨询有限公司");
    n = ents("去年万家丽路就开始修了", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ROAD, 0), "万家丽路");
    n = ents("华汇房地产开发有限公司拖欠工程款", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_COMPANY, 0), "华汇房地产开发有限公司");
}

/* 号院 names an estate (北辰壹号院, 愿景壹号院) when the name has a Han
 * character: 12号院 and 3号院 are addresses, and so is a house number in
 * front of a name. */
TEST(test_entities_hao_yuan)
{
    yw_entity_t e[YW_ENTITY_MAX];
    size_t n = ents("在新桥路66号北辰壹号院项目工地门口聚集讨薪", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "北辰壹号院");
    n = ents("住在胜利路12号院的居民反映停水", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "(none)");
    n = ents("3号院的楼道灯坏了", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "(none)");
    n = ents("市第一医院门口", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "(none)");
    /* a house number in front is the address, not the name */
    n = ents("业主聚集在望湖大道188号御景湾花园售楼部", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_ESTATE, 0), "御景湾花园");
}

TEST(test_entities_amounts_headcounts)
{
    yw_entity_t e[YW_ENTITY_MAX];
    size_t n = ents("拖欠3万元工资，几十户业主，还有上百人", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_AMOUNT, 0), "3万元");
    CHECK_EQ_STR(ent(e, n, YW_ENT_HEADCOUNT, 0), "几十户");
    CHECK_EQ_STR(ent(e, n, YW_ENT_HEADCOUNT, 1), "上百人");
    n = ents("共计1.5亿元，涉及200余户，30多名工人", e);
    CHECK_EQ_STR(ent(e, n, YW_ENT_AMOUNT, 0), "1.5亿元");
    CHECK_EQ_STR(ent(e, n, YW_ENT_HEADCOUNT, 0), "200余户");
    CHECK_EQ_STR(ent(e, n, YW_ENT_HEADCOUNT, 1), "30多名");   /* cap 2 per kind */
    n = ents("2019年4月，一直没有解决", e);
    CHECK_EQ_INT(n, 0);
    /* terms: "<kind>:<text>" */
    n = ents("丽发新城", e);
    REQUIRE(n == 1);
    CHECK(e[0].term == yw_text_term(YW_TERM_ENTITY, "estate:丽发新城", strlen("estate:丽发新城")));
}

static yw_str_t S(const char *s) { yw_str_t v = {s, (uint32_t)strlen(s)}; return v; }

static int has_term(const yw_fvec_t *v, uint64_t t)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->t[i].term == t) return 1;
    return 0;
}

/* Longest run of ASCII digits. */
static size_t digit_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = (*s >= '0' && *s <= '9') ? run + 1 : 0;
        if (run > best) best = run;
    }
    return best;
}

TEST(test_extract_record)
{
    static const char *rules_yaml =
        "rules:\n"
        "  - {name: unfinished_housing, kind: domain, weight: 3, patterns: ['延期交房']}\n"
        "  - {name: joint_petition, kind: escalation, weight: 4, patterns: ['联名']}\n"
        "  - {name: deflect, kind: deflection, patterns: ['不属于我单位职责']}\n";
    yw_rules_t *rules = yw_rules_load_string("t.yaml", rules_yaml, strlen(rules_yaml), NULL);
    REQUIRE(rules);
    char err[128];
    yw_featurizer_t *fz = yw_featurizer_create(rules, err, sizeof(err));
    REQUIRE(fz);

    yw_record_t rec;
    memset(&rec, 0, sizeof(rec));
    rec.id = S("r1");
    rec.title = S("丽发新城小区延期交房");
    rec.text = S("我们是丽发新城小区业主，开发商延期交房两年，几十户业主准备联名。"
                 "联系人电话13812341234，身份证43010219800101123X。");
    rec.reply = S("经核实，该事项不属于我单位职责，请联系18800001111。");
    rec.district = S("A2区");

    yw_features_t f;
    yw_features_init(&f);
    REQUIRE(yw_features_extract(fz, &rec, &f) == 0);

    /* masking: no clear number anywhere we keep */
    CHECK(digit_run(f.masked) < 11);
    CHECK(digit_run(f.norm) < 11);
    CHECK(digit_run(f.norm_reply) < 11);
    CHECK(strstr(f.masked, "138****1234") != NULL);
    CHECK_EQ_INT(f.pii_masked, 2);

    /* rule hits: title/text domain + escalation, reply deflection */
    CHECK_EQ_INT(f.nhits, 3);
    CHECK(f.kind_weight[YW_RULE_DOMAIN] == 3.0f);
    CHECK(f.kind_weight[YW_RULE_ESCALATION] == 4.0f);
    CHECK(f.kind_weight[YW_RULE_DEFLECTION] == 1.0f);

    /* entities, title first */
    REQUIRE(f.nents >= 2);
    CHECK_EQ_STR(f.ents[0].text, "丽发新城");
    int headcount = 0;
    for (size_t i = 0; i < f.nents; i++)
        if (f.ents[i].kind == YW_ENT_HEADCOUNT) headcount = !strcmp(f.ents[i].text, "几十户");
    CHECK(headcount);

    /* the vector: sorted, unique, with every kind of term */
    for (uint32_t i = 1; i < f.vec.n; i++) CHECK(f.vec.t[i - 1].term < f.vec.t[i].term);
    CHECK(has_term(&f.vec, yw_text_term(YW_TERM_BIGRAM, "交房", 6)));
    CHECK(has_term(&f.vec, yw_text_term(YW_TERM_NUMBER, "headcount:10-100", 16)));
    CHECK(has_term(&f.vec, yw_rules_term(rules, 0)));
    CHECK(has_term(&f.vec, yw_text_term(YW_TERM_ENTITY, "estate:丽发新城",
                                        strlen("estate:丽发新城"))));
    CHECK(has_term(&f.vec, yw_text_term(YW_TERM_PLACE, "district:a2区", strlen("district:a2区"))));
    /* reply words are not terms */
    CHECK(!has_term(&f.vec, yw_text_term(YW_TERM_BIGRAM, "核实", 6)));
    for (uint32_t i = 0; i < f.vec.n; i++)
        if (f.vec.t[i].term == yw_text_term(YW_TERM_BIGRAM, "交房", 6))
            CHECK(f.vec.t[i].w == 2.0f);                    /* title + text */

    /* steady state: the same record again reuses every buffer */
    void *p1 = f.vec.t, *p2 = f.masked, *p3 = f.norm, *p4 = f.norm_reply;
    uint32_t n1 = f.vec.n;
    REQUIRE(yw_features_extract(fz, &rec, &f) == 0);
    CHECK(p1 == (void *)f.vec.t && p2 == (void *)f.masked && p3 == (void *)f.norm &&
          p4 == (void *)f.norm_reply);
    CHECK_EQ_INT(f.vec.n, n1);

    /* reload: swap rules, the old ones can go */
    const char *y2 = "rules:\n  - {name: noise, kind: domain, patterns: ['噪音']}\n";
    yw_rules_t *r2 = yw_rules_load_string("r2.yaml", y2, strlen(y2), NULL);
    REQUIRE(r2);
    REQUIRE(yw_featurizer_set_rules(fz, r2, err, sizeof(err)) == 0);
    yw_rules_destroy(rules);
    rec.text = S("工地噪音");
    REQUIRE(yw_features_extract(fz, &rec, &f) == 0);
    CHECK_EQ_INT(f.nhits, 1);

    /* no rules at all */
    REQUIRE(yw_featurizer_set_rules(fz, NULL, err, sizeof(err)) == 0);
    REQUIRE(yw_features_extract(fz, &rec, &f) == 0);
    CHECK_EQ_INT(f.nhits, 0);

    /* empty record strings */
    yw_record_t empty;
    memset(&empty, 0, sizeof(empty));
    REQUIRE(yw_features_extract(fz, &empty, &f) == 0);
    CHECK_EQ_INT(f.vec.n, 0);

    yw_features_free(&f);
    yw_featurizer_destroy(fz);
    yw_featurizer_destroy(NULL);
    yw_rules_destroy(r2);
}

/* yw_entity_extract_marks (positions noted by the tokenizer) must find
 * exactly what yw_entity_extract's own scan finds: anchors and numbers at
 * the very start and end of a field, numbers running into anchors, a
 * numeral right after another, ASCII digits after '-' (URL hosts), a
 * title and a text in a row, and a text with more positions than the
 * marks hold (overflow: the extractor scans itself). */
static void same_entities(const char *title_raw, const char *text_raw)
{
    static char tn[70000], xn[70000];
    size_t tl = yw_text_normalize(title_raw, strlen(title_raw), tn, sizeof(tn));
    size_t xl = yw_text_normalize(text_raw, strlen(text_raw), xn, sizeof(xn));
    yw_entity_t a[YW_ENTITY_MAX], b[YW_ENTITY_MAX];
    size_t na = 0, nb = 0;
    yw_entity_extract(tn, tl, a, &na, YW_ENTITY_MAX);
    yw_entity_extract(xn, xl, a, &na, YW_ENTITY_MAX);

    static yw_text_marks_t mt, mx;
    yw_text_marks_init(&mt, yw_entity_start_bits());
    yw_text_marks_init(&mx, yw_entity_start_bits());
    yw_termset_t *ts = yw_termset_create();
    yw_fvec_t v = {0};
    REQUIRE(ts && yw_termset_begin(ts, &v, tl + xl) == 0);
    REQUIRE(yw_text_tokens_set(tn, tl, ts, &mt) == 0);
    REQUIRE(yw_text_tokens_set(xn, xl, ts, &mx) == 0);
    REQUIRE(yw_termset_finish(ts) == 0);
    yw_entity_extract_marks(tn, tl, &mt, b, &nb, YW_ENTITY_MAX);
    yw_entity_extract_marks(xn, xl, &mx, b, &nb, YW_ENTITY_MAX);
    CHECK_EQ_INT(nb, na);
    for (size_t i = 0; i < na && i < nb; i++) {
        CHECK_EQ_INT(b[i].kind, a[i].kind);
        CHECK_EQ_INT(b[i].off, a[i].off);
        CHECK_EQ_INT(b[i].len, a[i].len);
        CHECK_EQ_STR(b[i].text, a[i].text);
        CHECK(b[i].term == a[i].term);
    }
    yw_text_fvec_free(&v);
    yw_termset_destroy(ts);
}

TEST(test_entities_from_marks)
{
    same_entities("", "");
    same_entities("丽发新城", "小区");
    same_entities("三万元", "五十户");
    same_entities("锦绣花园业主", "欠薪3万元，几十户，上百人，一二三四五万元，20多万");
    same_entities("恒瑞置业有限公司", "江临市宏建建筑劳务有限公司拖欠工资，涉及一百多名工人");
    same_entities("新城新城城", "城市 县城 新城区 进城 政府 市政府 道路 马路 上街 街头");
    same_entities("12-34万元", "见 www.a-1.com 1-2万 3_4万 x9万元 .5万元 1.5亿元");
    same_entities("望湖大道188号", "望湖大道188号御景湾花园二期，58车贷，投资58车贷，一一一");
    same_entities("万元", "十几户人家，数百人，近千人，上万元，亿元，多人");
    /* more positions than the marks hold */
    static char big[60000];
    size_t o = 0;
    while (o + 64 < sizeof(big)) o += (size_t)snprintf(big + o, 64, "一二三四 %zu万元 城 路", o);
    same_entities("标题", big);
}

/* Place terms: a featurizer that has seen a value before (its cache of
 * place terms, featurize.c) gives the terms a new one gives, for values
 * of every length around the cached 8..31 bytes, values that share
 * their first and last 8 bytes, that normalise to nothing, and enough
 * of them that cache slots are taken over.  Each value is in its own
 * allocation of its length (a sanitizer build sees a read past it). */
/* Normalisation may lengthen a text ("中www.a中" -> "中 www.a 中"): the
 * normalised text must still be whole.  A 1023-byte text of such URLs
 * normalises to ~1280 bytes; the buffer used to be grown to the input's
 * length (1024 here) only, and the last host was cut. */
TEST(test_normalised_text_not_cut)
{
    char text[1100];
    size_t n = 0;
    for (int i = 0; i < 126; i++, n += 8)
        memcpy(text + n, "中www.a", 8);
    memcpy(text + n, "中中www.zzzzz", 15);       /* 1023 bytes, ends in a host */
    n += 15;
    text[n] = '\0';
    char err[128];
    yw_featurizer_t *fz = yw_featurizer_create(NULL, err, sizeof(err));
    REQUIRE(fz);
    yw_record_t rec;
    memset(&rec, 0, sizeof(rec));
    rec.id = S("r1");
    rec.text = S(text);
    yw_features_t f;
    yw_features_init(&f);
    REQUIRE(yw_features_extract(fz, &rec, &f) == 0);
    CHECK(f.norm_len > n);                        /* longer than the input */
    CHECK(f.norm_len >= strlen(" www.zzzzz") &&
          strcmp(f.norm + f.norm_len - strlen(" www.zzzzz"), " www.zzzzz") == 0);
    yw_features_free(&f);
    yw_featurizer_destroy(fz);
}

TEST(test_place_terms_cached)
{
    static const char *const parts[] = {
        "云溪", "县", "茶山镇", "A", "b2", "，", "龙王庙", "社区", "Ｘ", "-", " ", "区",
    };
    const size_t np = sizeof(parts) / sizeof(parts[0]);
    char err[128];
    yw_featurizer_t *warm = yw_featurizer_create(NULL, err, sizeof(err));
    REQUIRE(warm);
    yw_features_t a, b;
    yw_features_init(&a);
    yw_features_init(&b);
    uint64_t x = 88172645463325252ull;
    for (int it = 0; it < 3000; it++) {
        char v[3][64];
        size_t vl[3];
        for (int f = 0; f < 3; f++) {
            vl[f] = 0;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            int k = (int)(x % 9);
            for (int e = 0; e < k; e++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                /* few values early (hits), more later (slots taken over) */
                const char *pc = parts[(x >> 9) % (it < 1000 ? 3 : np)];
                size_t pl = strlen(pc);
                if (vl[f] + pl > sizeof(v[f])) break;
                memcpy(v[f] + vl[f], pc, pl);
                vl[f] += pl;
            }
        }
        char *own[3];
        yw_record_t rec;
        memset(&rec, 0, sizeof(rec));
        rec.text = S("欠薪");
        yw_str_t *fields[3] = {&rec.district, &rec.street, &rec.community};
        for (int f = 0; f < 3; f++) {
            own[f] = malloc(vl[f] ? vl[f] : 1);
            REQUIRE(own[f]);
            memcpy(own[f], v[f], vl[f]);
            fields[f]->s = own[f];
            fields[f]->len = (uint32_t)vl[f];
        }
        yw_featurizer_t *fresh = yw_featurizer_create(NULL, err, sizeof(err));
        REQUIRE(fresh);
        REQUIRE(yw_features_extract(warm, &rec, &a) == 0);
        REQUIRE(yw_features_extract(fresh, &rec, &b) == 0);
        CHECK_EQ_INT(a.vec.n, b.vec.n);
        CHECK(a.vec.n == b.vec.n && memcmp(a.vec.t, b.vec.t, a.vec.n * sizeof(*a.vec.t)) == 0);
        yw_featurizer_destroy(fresh);
        for (int f = 0; f < 3; f++) free(own[f]);
    }
    /* values that differ in one byte only: the same length, and the same
     * first and last 8 bytes where the byte is in between, i.e. the same
     * cache slot */
    for (size_t len = 1; len <= 34; len++) {
        for (size_t pos = 0; pos < len; pos++) {
            char base[40], var[40];
            for (size_t k = 0; k < len; k++) base[k] = var[k] = (char)('a' + k % 26);
            var[pos] = '0';
            yw_record_t rec;
            memset(&rec, 0, sizeof(rec));
            char *own = malloc(len);
            REQUIRE(own);
            rec.street.s = own;
            rec.street.len = (uint32_t)len;
            memcpy(own, base, len);
            REQUIRE(yw_features_extract(warm, &rec, &a) == 0);
            memcpy(own, var, len);
            yw_featurizer_t *fresh = yw_featurizer_create(NULL, err, sizeof(err));
            REQUIRE(fresh);
            REQUIRE(yw_features_extract(warm, &rec, &a) == 0);
            REQUIRE(yw_features_extract(fresh, &rec, &b) == 0);
            CHECK(a.vec.n == b.vec.n && memcmp(a.vec.t, b.vec.t, a.vec.n * sizeof(*a.vec.t)) == 0);
            yw_featurizer_destroy(fresh);
            free(own);
        }
    }
    yw_features_free(&a);
    yw_features_free(&b);
    yw_featurizer_destroy(warm);
}

int main(void)
{
    RUN(test_entities_estates);
    RUN(test_entities_companies_roads);
    RUN(test_entities_lead_words);
    RUN(test_entities_hao_yuan);
    RUN(test_entities_amounts_headcounts);
    RUN(test_extract_record);
    RUN(test_entities_from_marks);
    RUN(test_normalised_text_not_cut);
    RUN(test_place_terms_cached);
    return yw_test_done();
}
