/* test_text.c -- normalisation, tokens, quantities, fvec helpers, term sets. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"
#include "text.h"
#include "yw_test.h"

static const char *norm(const char *in)
{
    static char buf[1024];
    yw_text_normalize(in, strlen(in), buf, sizeof(buf));
    return buf;
}

TEST(test_normalize_fullwidth_and_case)
{
    CHECK_EQ_STR(norm("ＡＢＣ１２３"), "abc123");
    CHECK_EQ_STR(norm("Hello　World"), "hello world");        /* 全角空格 */
    CHECK_EQ_STR(norm("ＨｅＬＬｏ"), "hello");
    CHECK_EQ_STR(norm("丽发新城Ａ栋"), "丽发新城a栋");
}

TEST(test_normalize_punctuation_runs)
{
    CHECK_EQ_STR(norm("你好！！！  世界。。"), "你好 世界");
    CHECK_EQ_STR(norm("  ，，开头和结尾……  "), "开头和结尾");
    CHECK_EQ_STR(norm("a,b;c"), "a b c");
    CHECK_EQ_STR(norm("【紧急】《通知》"), "紧急 通知");
    CHECK_EQ_STR(norm("tab\tand\nnewline"), "tab and newline");
    /* inside numbers: decimal point kept, thousands separator dropped */
    CHECK_EQ_STR(norm("水4.23一吨"), "水4.23一吨");
    CHECK_EQ_STR(norm("欠10,000元。"), "欠10000元");
    /* the same with full-width commas (，has a fast path of its own) */
    CHECK_EQ_STR(norm("欠10，000元，共3，5户"), "欠10000元 共35户");
    CHECK_EQ_STR(norm("，1，a，"), "1 a");
    CHECK_EQ_STR(norm("１，２"), "12");
    CHECK_EQ_STR(norm("1，，2"), "1 2");
    CHECK_EQ_STR(norm("1 ，2"), "1 2");
    CHECK_EQ_STR(norm("1，。2"), "1 2");
    CHECK_EQ_STR(norm("１．５万元"), "1.5万元");
    CHECK_EQ_STR(norm("结束。1"), "结束 1");
}

TEST(test_normalize_url_to_host)
{
    CHECK_EQ_STR(norm("见https://WWW.Example.com/a/b?c=1看看"), "见 www.example.com 看看");
    CHECK_EQ_STR(norm("http://weibo.com/123"), "weibo.com");
    CHECK_EQ_STR(norm("链接：www.baidu.com/s?wd=x，谢谢"), "链接 www.baidu.com 谢谢");
    /* URLs are recognised in ASCII form only (full-width ones are rare) */
    /* not a URL: a word that merely contains "http" */
    CHECK_EQ_STR(norm("xhttp://a"), "xhttp a");
}

TEST(test_normalize_never_grows_and_truncates)
{
    const char *in = "ＡＢＣ，，，丽发新城";
    char out[8];
    size_t n = yw_text_normalize(in, strlen(in), out, sizeof(out));
    CHECK(n < sizeof(out));
    CHECK_EQ_STR(out, "abc 丽");                 /* cut at a character boundary */
    char big[64];
    CHECK(yw_text_normalize(in, strlen(in), big, sizeof(big)) <= strlen(in));
}

/* Does vec contain term with weight w? */
static int has(const yw_fvec_t *v, uint64_t term, float w)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->t[i].term == term) return fabsf(v->t[i].w - w) < 1e-6f;
    return 0;
}

static uint64_t T(yw_term_kind_t k, const char *s) { return yw_text_term(k, s, strlen(s)); }

static void tokens(const char *s, yw_fvec_t *v)
{
    v->n = 0;
    const char *n = norm(s);
    REQUIRE(yw_text_tokens(n, strlen(n), v) == 0);
    yw_text_fvec_finish(v);
}

TEST(test_bigrams_exact)
{
    yw_fvec_t v = {0};
    tokens("欠薪问题", &v);
    /* expected, written out by hand: 欠薪 薪问 问题 */
    CHECK_EQ_INT(v.n, 3);
    CHECK(has(&v, T(YW_TERM_BIGRAM, "欠薪"), 1));
    CHECK(has(&v, T(YW_TERM_BIGRAM, "薪问"), 1));
    CHECK(has(&v, T(YW_TERM_BIGRAM, "问题"), 1));
    for (uint32_t i = 0; i < v.n; i++) CHECK(YW_TERM_KIND(v.t[i].term) == YW_TERM_BIGRAM);

    /* repeated bigram counted; punctuation breaks runs; single char kept */
    tokens("欠薪欠薪，好！ABC def2 2019年", &v);
    CHECK(has(&v, T(YW_TERM_BIGRAM, "欠薪"), 2));
    CHECK(has(&v, T(YW_TERM_BIGRAM, "薪欠"), 1));
    CHECK(has(&v, T(YW_TERM_BIGRAM, "好"), 1));
    CHECK(!has(&v, T(YW_TERM_BIGRAM, "薪好"), 1));
    CHECK(has(&v, T(YW_TERM_WORD, "abc"), 1));
    CHECK(has(&v, T(YW_TERM_WORD, "def2"), 1));
    CHECK(!has(&v, T(YW_TERM_WORD, "2019"), 1));          /* pure digits: no word */
    CHECK(has(&v, T(YW_TERM_BIGRAM, "年"), 1));
    CHECK_EQ_INT(v.n, 6);   /* 欠薪 薪欠 好 abc def2 年, nothing else */

    /* Han outside U+4E00..U+9FFF inside a run (the run loop hands these
     * back to the general one): extension A U+4DB5 and B U+20000 pair up;
     * U+4DC0 (a Yijing symbol) is not Han and splits the run */
    tokens("欠\xE4\xB6\xB5薪", &v);
    CHECK_EQ_INT(v.n, 2);
    CHECK(has(&v, T(YW_TERM_BIGRAM, "欠\xE4\xB6\xB5"), 1));
    CHECK(has(&v, T(YW_TERM_BIGRAM, "\xE4\xB6\xB5薪"), 1));
    tokens("欠\xF0\xA0\x80\x80薪资", &v);
    CHECK_EQ_INT(v.n, 3);
    CHECK(has(&v, T(YW_TERM_BIGRAM, "欠\xF0\xA0\x80\x80"), 1));
    CHECK(has(&v, T(YW_TERM_BIGRAM, "\xF0\xA0\x80\x80薪"), 1));
    tokens("欠薪\xE4\xB7\x80薪", &v);
    CHECK_EQ_INT(v.n, 2);
    CHECK(has(&v, T(YW_TERM_BIGRAM, "欠薪"), 1));
    CHECK(has(&v, T(YW_TERM_BIGRAM, "薪"), 1));

    /* sorted and unique */
    for (uint32_t i = 1; i < v.n; i++) CHECK(v.t[i - 1].term < v.t[i].term);

    /* hosts stay whole */
    tokens("看 https://weibo.com/x", &v);
    CHECK(has(&v, T(YW_TERM_WORD, "weibo.com"), 1));
    yw_text_fvec_free(&v);
}

TEST(test_number_classes)
{
    yw_fvec_t v = {0};
    tokens("拖欠3万元工资", &v);
    CHECK(has(&v, T(YW_TERM_NUMBER, "amount:10k-100k"), 1));
    tokens("几十户业主", &v);
    CHECK(has(&v, T(YW_TERM_NUMBER, "headcount:10-100"), 1));
    tokens("上百人聚集", &v);
    CHECK(has(&v, T(YW_TERM_NUMBER, "headcount:10-100"), 1));
    tokens("欠薪20多万", &v);
    CHECK(has(&v, T(YW_TERM_NUMBER, "amount:100k-1m"), 1));
    CHECK_EQ_INT(YW_TERM_KIND(v.t[0].term) == YW_TERM_NUMBER ||
                 YW_TERM_KIND(v.t[v.n - 1].term) == YW_TERM_NUMBER, 1);
    tokens("2019年4月", &v);
    for (uint32_t i = 0; i < v.n; i++) CHECK(YW_TERM_KIND(v.t[i].term) != YW_TERM_NUMBER);
    yw_text_fvec_free(&v);

    yw_qty_t q;
    const char *s = "共1.5亿元";
    CHECK(yw_text_quantity_at(s, strlen(s), 3, &q));
    CHECK_EQ_INT(q.kind, YW_QTY_AMOUNT);
    CHECK(fabs(q.value - 1.5e8) < 1);
    CHECK_EQ_STR(yw_text_quantity_class(&q), "amount:100m+");
    CHECK_EQ_INT(q.len, strlen("1.5亿元"));
    s = "三十多名工人";
    CHECK(yw_text_quantity_at(s, strlen(s), 0, &q));
    CHECK_EQ_INT(q.kind, YW_QTY_HEADCOUNT);
    CHECK(fabs(q.value - 30) < 1e-9);
    s = "数百名";
    CHECK(yw_text_quantity_at(s, strlen(s), 0, &q));
    CHECK_EQ_STR(yw_text_quantity_class(&q), "headcount:100-1000");
    s = "一直";
    CHECK(!yw_text_quantity_at(s, strlen(s), 0, &q));
    s = "数据";
    CHECK(!yw_text_quantity_at(s, strlen(s), 0, &q));
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s ^ (*s >> 29);
}

TEST(test_hash)
{
    /* different lengths and contents give different hashes */
    CHECK(yw_text_hash("a", 1) != yw_text_hash("b", 1));
    CHECK(yw_text_hash("ab", 2) != yw_text_hash("ab\0", 3));
    CHECK(yw_text_hash("", 0) != yw_text_hash("\0", 1));
    char a[40] = "0123456789abcdefghijklmnopqrstuvwxyzAB", b[40];
    memcpy(b, a, sizeof(a));
    b[20] ^= 1;
    CHECK(yw_text_hash(a, 38) != yw_text_hash(b, 38));
    CHECK(yw_text_hash(a, 38) == yw_text_hash(a, 38));
    uint64_t t = T(YW_TERM_ENTITY, "estate:丽发新城");
    CHECK_EQ_INT(YW_TERM_KIND(t), YW_TERM_ENTITY);
    /* the bigram shortcut is the same function for 6 bytes */
    uint64_t seed = 7;
    for (int i = 0; i < 10000; i++) {
        unsigned char six[6];
        for (int k = 0; k < 6; k++) six[k] = (unsigned char)(lcg(&seed) >> 11);
        CHECK(yw_text_hash6(six) == yw_text_hash(six, 6));
    }
    CHECK(yw_text_hash6("欠薪") == yw_text_hash("欠薪", 6));
}

/* UTF-8 of cp into out; its length. */
static size_t enc(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* text.h's Han: the ranges of text_impl.h's is_han, written out again */
static int ref_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

/* The bigram terms of the code points cps[0..n), the slow way: split into
 * Han runs, a run of one gives that character, longer runs every
 * adjacent pair.  Appended to v (not sorted). */
static void ref_bigrams(const uint32_t *cps, size_t n, yw_fvec_t *v)
{
    size_t i = 0;
    while (i < n) {
        if (!ref_han(cps[i])) { i++; continue; }
        size_t j = i;
        while (j < n && ref_han(cps[j])) j++;
        unsigned char buf[8];
        if (j - i == 1) {
            yw_text_fvec_add(v, YW_TERM_MAKE(YW_TERM_BIGRAM, yw_text_hash(buf, enc(cps[i], buf))),
                             1);
        } else {
            for (size_t k = i; k + 1 < j; k++) {
                size_t l = enc(cps[k], buf);
                l += enc(cps[k + 1], buf + l);
                yw_text_fvec_add(v, YW_TERM_MAKE(YW_TERM_BIGRAM, yw_text_hash(buf, l)), 1);
            }
        }
        i = j;
    }
}

/* The tokenizer's Han run loop decides with one range test whether the
 * bytes at p are a character in U+4E00..U+9FFF (see text.c): every code
 * point X, in the middle of a run, at its end, at the end of the text and
 * before 1 or 2 trailing bytes, must give the bigrams of the slow split. */
TEST(test_bigrams_every_code_point)
{
    static const uint32_t shapes[][8] = {
        /* 0 stands for X, 0x110000 ends the shape */
        { 0x6B20, 0x85AA, 0, 0x95EE, 0x9898, 0x110000 },   /* 欠薪X问题 */
        { 0x6B20, 0x85AA, 0, 0x110000 },                   /* 欠薪X */
        { 0x6B20, 0x85AA, 0, 'a', 0x110000 },              /* 欠薪Xa */
        { 0x6B20, 0x85AA, 0, 'a', 'b', 0x110000 },         /* 欠薪Xab */
        { 0, 0x6B20, 0, 0, 0x85AA, 0x110000 },             /* X欠XX薪 */
    };
    yw_fvec_t got = {0}, want = {0};
    size_t bad = 0;
    for (uint32_t x = 1; x <= 0x10FFFF; x += x < 0x10000 ? 1 : 97) {
        if (x >= 0xD800 && x <= 0xDFFF) continue;
        if (x < 0x80 && !(x >= 'a' && x <= 'z')) continue;    /* (normalised text) */
        for (size_t sh = 0; sh < sizeof(shapes) / sizeof(shapes[0]); sh++) {
            uint32_t cps[8];
            unsigned char text[64];
            size_t n = 0, len = 0;
            for (size_t k = 0; shapes[sh][k] != 0x110000; k++) {
                cps[n] = shapes[sh][k] ? shapes[sh][k] : x;
                len += enc(cps[n], text + len);
                n++;
            }
            got.n = 0;
            want.n = 0;
            REQUIRE(yw_text_tokens((const char *)text, len, &got) == 0);
            ref_bigrams(cps, n, &want);
            yw_text_fvec_finish(&got);
            yw_text_fvec_finish(&want);
            /* only the bigrams: X may also be a numeral or a word */
            uint32_t m = 0;
            for (uint32_t k = 0; k < got.n; k++)
                if (YW_TERM_KIND(got.t[k].term) == YW_TERM_BIGRAM) got.t[m++] = got.t[k];
            got.n = m;
            int same = got.n == want.n;
            for (uint32_t k = 0; same && k < got.n; k++)
                same = got.t[k].term == want.t[k].term && got.t[k].w == want.t[k].w;
            if (!same && bad++ < 5) fprintf(stderr, "  U+%04X shape %zu differs\n", x, sh);
        }
    }
    CHECK_EQ_INT(bad, 0);
    yw_text_fvec_free(&got);
    yw_text_fvec_free(&want);
}

TEST(test_width)
{
    CHECK_EQ_INT(yw_text_width("abc", 3), 3);
    CHECK_EQ_INT(yw_text_width("欠薪a", strlen("欠薪a")), 5);
    CHECK_EQ_INT(yw_text_width("（", strlen("（")), 2);
}

/* A term set must give exactly what appending + yw_text_fvec_finish
 * gives: same terms, same order, same summed weights. */
static void check_same(const yw_fvec_t *a, const yw_fvec_t *b)
{
    CHECK_EQ_INT(a->n, b->n);
    for (uint32_t i = 0; i < a->n && i < b->n; i++) {
        CHECK(a->t[i].term == b->t[i].term);
        CHECK(a->t[i].w == b->t[i].w);
    }
}


TEST(test_termset_matches_sort)
{
    yw_termset_t *ts = yw_termset_create();
    REQUIRE(ts);
    yw_fvec_t ref = {0}, got = {0};
    uint64_t seed = 42;
    /* record sizes from empty to far past the table (spills), terms drawn
     * from a small pool (many repeats, long probe runs) or a large one;
     * every kind; runs that crowd the end of the table (kind 6, top bits
     * all set); hundreds of terms of the kinds with small regions, in a
     * table sized for a long text (runs cross into the next region) */
    const size_t sizes[] = {0, 1, 2, 50, 300, 1000, 5000, 40000};
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        for (int pool = 0; pool < 4; pool++) {
            size_t nterms = sizes[si];
            ref.n = 0;
            /* sized for 300 bytes, or 5000 */
            REQUIRE(yw_termset_begin(ts, &got, pool == 3 ? 5000 : 300) == 0);
            for (size_t k = 0; k < nterms; k++) {
                uint64_t r = lcg(&seed), term;
                if (pool == 0) term = YW_TERM_MAKE(1 + r % 6, r >> 8);
                else if (pool == 1) term = YW_TERM_MAKE(1 + r % 2, (r >> 8) % 37);
                else if (pool == 2) term = YW_TERM_MAKE(6, ~0ull - (r >> 8) % 64);   /* top */
                else term = YW_TERM_MAKE(3 + r % 4, r >> 8);
                float w = (float)(1 + r % 3);
                REQUIRE(yw_text_fvec_add(&ref, term, w) == 0);
                REQUIRE(yw_termset_add(ts, term, w) == 0);
            }
            yw_text_fvec_finish(&ref);
            REQUIRE(yw_termset_finish(ts) == 0);
            check_same(&ref, &got);
            if (nterms >= 5000 && pool == 0) CHECK(yw_termset_spilled(ts));
            if (nterms <= 50 || (pool == 3 && nterms <= 1000)) CHECK(!yw_termset_spilled(ts));
        }
    }
    /* a record that did not finish (error half-way) leaves nothing behind */
    REQUIRE(yw_termset_begin(ts, &got, 300) == 0);
    REQUIRE(yw_termset_add(ts, YW_TERM_MAKE(1, 12345), 1) == 0);
    REQUIRE(yw_termset_begin(ts, &got, 300) == 0);
    REQUIRE(yw_termset_add(ts, YW_TERM_MAKE(2, 777), 1) == 0);
    REQUIRE(yw_termset_finish(ts) == 0);
    CHECK_EQ_INT(got.n, 1);
    CHECK(got.t[0].term == YW_TERM_MAKE(2, 777));
    /* a kind with no slots of its own (0, 7..15) spills, still exact */
    ref.n = 0;
    REQUIRE(yw_termset_begin(ts, &got, 10) == 0);
    const uint64_t odd[] = {YW_TERM_MAKE(3, 5), YW_TERM_MAKE(0, 9), YW_TERM_MAKE(15, 1),
                            YW_TERM_MAKE(3, 5), YW_TERM_MAKE(1, 2)};
    for (size_t k = 0; k < 5; k++) {
        REQUIRE(yw_text_fvec_add(&ref, odd[k], 1) == 0);
        REQUIRE(yw_termset_add(ts, odd[k], 1) == 0);
    }
    yw_text_fvec_finish(&ref);
    REQUIRE(yw_termset_finish(ts) == 0);
    CHECK(yw_termset_spilled(ts));
    check_same(&ref, &got);
    yw_text_fvec_free(&ref);
    yw_text_fvec_free(&got);
    yw_termset_destroy(ts);
    yw_termset_destroy(NULL);
}

/* yw_text_tokens_set == yw_text_tokens + finish, on texts with every
 * token type, including texts too long for the table's first guess. */
TEST(test_tokens_set_matches_tokens)
{
    static const char *const texts[] = {
        "",
        "欠薪",
        "好",
        "欠薪欠薪，好！ABC def2 2019年 weibo.com 3万元 几十户 上百人 20多万 x",
        "业主反映小区物业公司拖欠工资三个月，涉及五十多户，金额约1.5亿元。联系电话138****5678",
    };
    yw_termset_t *ts = yw_termset_create();
    REQUIRE(ts);
    yw_fvec_t ref = {0}, got = {0};
    char big[20000];
    size_t bl = 0;
    for (unsigned k = 0; bl + 40 < sizeof(big); k++) {      /* many distinct bigrams */
        uint32_t cp = 0x4E00 + (k * 7919u) % 20000u;
        big[bl++] = (char)(0xE0 | (cp >> 12));
        big[bl++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        big[bl++] = (char)(0x80 | (cp & 0x3F));
        if (k % 50 == 49) bl += (size_t)snprintf(big + bl, 16, " w%u ", k);
    }
    big[bl] = '\0';
    for (size_t i = 0; i <= sizeof(texts) / sizeof(texts[0]); i++) {
        const char *t = i < sizeof(texts) / sizeof(texts[0]) ? norm(texts[i]) : big;
        size_t len = strlen(t);
        ref.n = 0;
        REQUIRE(yw_text_tokens(t, len, &ref) == 0);
        yw_text_fvec_finish(&ref);
        /* sized for the text, and deliberately for much less */
        for (int small = 0; small < 2; small++) {
            REQUIRE(yw_termset_begin(ts, &got, small ? 8 : len) == 0);
            REQUIRE(yw_text_tokens_set(t, len, ts, NULL) == 0);
            REQUIRE(yw_termset_finish(ts) == 0);
            check_same(&ref, &got);
        }
    }
    yw_text_fvec_free(&ref);
    yw_text_fvec_free(&got);
    yw_termset_destroy(ts);
}

/* The tokenizer reads a quantity where the straightforward rule says it
 * should, found here by decoding every character: at a Han numeral (零
 * 一 .. 亿 几 数 多 余) or 上/近 in U+4E00..U+9FFF that does not follow a
 * numeral and does not follow an ASCII digit, and at the start of an
 * all-digit ASCII run.  Its own test is a class byte per character; this
 * compares the NUMBER terms of both on random mixes of numerals, units,
 * digits, other Han (also outside U+4E00..U+9FFF) and separators. */
static int ref_numeral(uint32_t cp)
{
    static const uint32_t nums[] = {
        0x96F6, 0x4E00, 0x4E8C, 0x4E24, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B,
        0x4E5D, 0x5341, 0x767E, 0x5343, 0x4E07, 0x4EBF, 0x51E0, 0x6570, 0x591A, 0x4F59,
    };
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        if (nums[i] == cp) return 1;
    return 0;
}

static void ref_number_terms(const char *s, size_t len, yw_fvec_t *out)
{
    const unsigned char *b = (const unsigned char *)s;
    int prev_num = 0;
    size_t i = 0;
    while (i < len) {
        yw_qty_t q;
        int start = 0;
        if (b[i] >= '0' && b[i] <= '9') {
            /* (the test texts join digits to nothing but digits) */
            start = i == 0 || !(b[i - 1] >= '0' && b[i - 1] <= '9');
            prev_num = 0;
            if (start && yw_text_quantity_at(s, len, i, &q)) {
                const char *c = yw_text_quantity_class(&q);
                yw_text_fvec_add(out, yw_text_term(YW_TERM_NUMBER, c, strlen(c)), 1);
            }
            i++;
            continue;
        }
        size_t n = b[i] < 0x80 ? 1 : b[i] < 0xE0 ? 2 : b[i] < 0xF0 ? 3 : 4;
        uint32_t cp = 0;
        if (n == 3) cp = (b[i] & 0x0Fu) << 12 | (b[i + 1] & 0x3Fu) << 6 | (b[i + 2] & 0x3Fu);
        int num = ref_numeral(cp);
        if ((num || cp == 0x4E0A || cp == 0x8FD1) && !prev_num &&
            !(i > 0 && b[i - 1] >= '0' && b[i - 1] <= '9') && yw_text_quantity_at(s, len, i, &q)) {
            const char *c = yw_text_quantity_class(&q);
            yw_text_fvec_add(out, yw_text_term(YW_TERM_NUMBER, c, strlen(c)), 1);
        }
        prev_num = num;
        i += n;
    }
}

TEST(test_number_terms_match_reference)
{
    static const char *const alphabet[] = {
        "零", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "百",
        "千", "万", "亿", "几", "数", "多", "余", "上", "近", "元", "块", "人", "户",
        "名", "位", "的", "城", "欠", "1", "2", "0", " ", "，", "\xE4\xB6\xB5",
        "\xE4\xB7\x80", "\xF0\xA0\x80\x80", "〇", "é",
    };
    const size_t na = sizeof(alphabet) / sizeof(alphabet[0]);
    uint64_t seed = 7;
    yw_fvec_t all = {0}, ref = {0}, got = {0};
    char t[400];
    for (int round = 0; round < 3000; round++) {
        size_t len = 0, parts = 1 + lcg(&seed) % 24;
        for (size_t k = 0; k < parts; k++) {
            const char *a = alphabet[lcg(&seed) % na];
            memcpy(t + len, a, strlen(a));
            len += strlen(a);
        }
        t[len] = '\0';
        all.n = ref.n = got.n = 0;
        REQUIRE(yw_text_tokens(t, len, &all) == 0);
        for (uint32_t k = 0; k < all.n; k++)
            if (YW_TERM_KIND(all.t[k].term) == YW_TERM_NUMBER)
                yw_text_fvec_add(&got, all.t[k].term, all.t[k].w);
        ref_number_terms(t, len, &ref);
        yw_text_fvec_finish(&got);
        yw_text_fvec_finish(&ref);
        CHECK_EQ_INT(got.n, ref.n);
        for (uint32_t k = 0; k < got.n && k < ref.n; k++) {
            CHECK(got.t[k].term == ref.t[k].term);
            CHECK(got.t[k].w == ref.t[k].w);
        }
    }
    yw_text_fvec_free(&all);
    yw_text_fvec_free(&ref);
    yw_text_fvec_free(&got);
}

/* Long Han runs are copied 15 bytes at a time: with every output size the
 * result must be what copying one character at a time gives -- a prefix
 * of the full result, cut at a character boundary, no shorter than the
 * per-character test (room for a space, the character and the NUL)
 * allows. */
/* A Han run is copied up to 15 bytes at a time, the step ending where the
 * first byte that is not part of a U+4000..U+DFFF character is: runs of
 * every length, starting at every offset (after a prefix of ASCII words)
 * and ending in every way (punctuation, a letter, a 2- or 4-byte
 * character, the end of the text) come out as written by hand. */
TEST(test_normalize_han_run_ends)
{
    static const struct { const char *in, *out; } ends[] = {
        {"，", " "}, {"、", " "}, {"！", " "}, {"a", "a"}, {"7", "7"}, {"é", "é"},
        {"\xF0\xA0\x80\x80", "\xF0\xA0\x80\x80"}, {"\xE4\xB7\x80", "\xE4\xB7\x80"},
        {"\xE3\x80\x80", " "}, {"", ""},
    };
    static const char *const hans[] = {"丽", "欠", "\xE4\xB6\xB5", "\xED\x9F\xBB", "薪"};
    char in[256], want[256], out[256];
    for (size_t pre = 0; pre < 4; pre++) {
        for (size_t r = 1; r <= 20; r++) {
            for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]); e++) {
                for (size_t after = 0; after <= 2; after++) {
                    size_t il = 0, wl = 0;
                    for (size_t k = 0; k < pre; k++) {      /* "x " shifts the run */
                        il += (size_t)snprintf(in + il, sizeof(in) - il, "x ");
                        wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "x ");
                    }
                    for (size_t k = 0; k < r + after; k++) {
                        const char *h = hans[(k * 3 + r) % 5];
                        if (k == r) {
                            il += (size_t)snprintf(in + il, sizeof(in) - il, "%s", ends[e].in);
                            wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%s",
                                                   ends[e].out);
                        }
                        il += (size_t)snprintf(in + il, sizeof(in) - il, "%s", h);
                        wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%s", h);
                    }
                    if (after == 0) {
                        il += (size_t)snprintf(in + il, sizeof(in) - il, "%s", ends[e].in);
                        /* (a trailing separator is dropped) */
                        if (strcmp(ends[e].out, " "))
                            wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%s",
                                                   ends[e].out);
                    }
                    size_t n = yw_text_normalize(in, il, out, sizeof(out));
                    CHECK_EQ_INT(n, wl);
                    CHECK(memcmp(out, want, wl) == 0);
                }
            }
        }
    }
}

TEST(test_normalize_long_runs_every_cap)
{
    char in[600], full[600], out[600];
    size_t o = 0;
    for (int k = 0; k < 150; k++) {
        const char *piece = k % 23 == 22 ? "，" : k % 31 == 30 ? "Ab1" : "丽";
        o += (size_t)snprintf(in + o, sizeof(in) - o, "%s", piece);
    }
    size_t fl = yw_text_normalize(in, o, full, sizeof(full));
    CHECK(fl > 0 && fl <= o);
    for (size_t cap = 1; cap <= fl + 1; cap++) {
        size_t n = yw_text_normalize(in, o, out, cap);
        CHECK(n < cap);
        CHECK(n == strlen(out));
        CHECK(memcmp(out, full, n) == 0);
        CHECK(n == fl || (full[n] & 0xC0) != 0x80);     /* whole characters */
        if (n < fl) CHECK(n + 6 > cap);                 /* stopped only for room */
    }
}

/* yw_text_mask_normalize against its definition, the two passes
 * (yw_pii_mask_n, then yw_text_normalize of the masked text), at every
 * cap, on random strings of pieces chosen where the two could part:
 * numbers and plates next to Han runs and separators, numbers joined by
 * ',' or '，' (one group for the masker), full-width digits
 * and punctuation, '.' and ',' between digits, URLs whose host has a
 * number the masker changes, control characters that (c | 0x20) makes
 * look like digits, every UTF-8 length.  Each buffer is allocated to
 * its size, so a sanitizer build sees a read or write past it. */
static void check_mask_normalize(const char *text, size_t len)
{
    char *in = malloc(len ? len : 1), *rm = malloc(len + 1), *fm = malloc(len + 1);
    REQUIRE(in && rm && fm);
    memcpy(in, text, len);
    unsigned rn = 0, fn = 0;
    size_t rml = yw_pii_mask_n(in, len, rm, len + 1, &rn);
    for (size_t cap = 0; cap <= len + 3; cap++) {
        char *ro = malloc(cap ? cap : 1), *fo = malloc(cap ? cap : 1);
        REQUIRE(ro && fo);
        size_t rl = yw_text_normalize(rm, rml, ro, cap);
        size_t fml = (size_t)-1;
        size_t fl = yw_text_mask_normalize(in, len, fm, &fml, &fn, fo, cap);
        CHECK_EQ_INT(fml, rml);
        CHECK(fml == rml && memcmp(fm, rm, rml + 1) == 0);
        CHECK_EQ_INT(fn, rn);
        CHECK_EQ_INT(fl, rl);
        CHECK(fl != rl || cap == 0 || memcmp(fo, ro, rl + 1) == 0);
        if (fml != rml || fn != rn || fl != rl || (cap && memcmp(fo, ro, rl + 1)))
            fprintf(stderr, "  input \"%.*s\", cap %zu\n", (int)len, text, cap);
        free(ro);
        free(fo);
    }
    free(in);
    free(rm);
    free(fm);
}

TEST(test_mask_normalize_matches_two_passes)
{
    static const char *const pieces[] = {
        "丽", "欠薪", "\xE4\xB6\xB5", "\xED\x9F\xBB", "京", "粤", "湘", "沪",
        "京A12345", "粤B·D12345", "沪C-1234X", "a12345", "A1234", "B123456",
        "13812345678", "138 1234 5678", "138-1234-5678", "1381234567", "138",
        "１３８１２３４５６７８", "１", "０７３１", "11010519491231002X", "11010519491231002x",
        "0731-88885678", "010-12345678", "2019-04-25", "4.23", "10,000", "3", ".", ",",
        "5", "，", "．", "：", "！", "（", "～", "　", "、", "。", "「", "」",
        "https://WWW.Example.com/a?b=13812345678", "www.138-1234-5678.com", "http://", "www.",
        "HTTP://x.cn", "h", "w", "H", "W", "tel", "x", "X", "-", " ", "  ", "\t", "\n",
        "\x01", "\x11", "\x19", "\x7F", "é", "·", "\xF0\x9F\x98\x80", "\xF0\xA0\x80\x80",
        "\xEF\xBC\x80", "\xEF\xBD\x9F", "\xEF\xBD\x9E", "Ａ", "ｈ", "ｗｗｗ．", "￥", "\xE2\x80\x9C",
        "①", "\xE3\x80\x87", "号", "元", "622，021234567", "622,021234567", "1,234,567",
        "0731-8456783-17867890", "0731-8456783-12",
    };
    const size_t np = sizeof(pieces) / sizeof(pieces[0]);
    char buf[512];
    /* every piece alone and after every other */
    for (size_t i = 0; i < np; i++) {
        for (size_t j = 0; j <= np; j++) {
            int n = snprintf(buf, sizeof(buf), "%s%s", j < np ? pieces[j] : "", pieces[i]);
            check_mask_normalize(buf, (size_t)n);
        }
    }
    /* random strings of up to 14 pieces (long enough for the 16-byte
     * copies, and for the ends of a text to fall inside one) */
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int it = 0; it < 6000; it++) {
        size_t len = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int k = 1 + (int)(x % 14);
        for (int e = 0; e < k; e++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            const char *pc = x % 3 ? pieces[(x >> 8) % np] : "欠薪问题丽";
            size_t pl = strlen(pc);
            if (len + pl >= sizeof(buf)) break;
            memcpy(buf + len, pc, pl);
            len += pl;
        }
        check_mask_normalize(buf, len);
    }
}

int main(void)
{
    RUN(test_normalize_fullwidth_and_case);
    RUN(test_normalize_punctuation_runs);
    RUN(test_normalize_url_to_host);
    RUN(test_normalize_never_grows_and_truncates);
    RUN(test_normalize_long_runs_every_cap);
    RUN(test_normalize_han_run_ends);
    RUN(test_mask_normalize_matches_two_passes);
    RUN(test_bigrams_exact);
    RUN(test_number_classes);
    RUN(test_number_terms_match_reference);
    RUN(test_termset_matches_sort);
    RUN(test_tokens_set_matches_tokens);
    RUN(test_hash);
    RUN(test_bigrams_every_code_point);
    RUN(test_width);
    return yw_test_done();
}
