/* test_pii.c -- masking leaves no personal number; HMAC matches an
 * independent computation. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "pii.h"
#include "text.h"
#include "yw_test.h"

static const char *mask(const char *in)
{
    static char buf[2048];
    yw_pii_mask(in, strlen(in), buf, sizeof(buf));
    return buf;
}

/* Longest run of digits (ASCII or full-width) in s. */
static size_t longest_digit_run(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t best = 0, run = 0;
    while (*p) {
        if (*p >= '0' && *p <= '9') {
            run++;
            p++;
        } else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            run++;
            p += 3;
        } else {
            run = 0;
            p++;
        }
        if (run > best) best = run;
    }
    return best;
}

TEST(test_mask_examples)
{
    CHECK_EQ_STR(mask("电话13812341234"), "电话138****1234");
    CHECK_EQ_STR(mask("身份证号11010519491231002X。"), "身份证号110***********002X。");
    CHECK_EQ_STR(mask("身份证110105194912310021"), "身份证110***********0021");
    CHECK_EQ_STR(mask("卡号6222021234567890123"), "卡号622************0123");
    CHECK_EQ_STR(mask("卡号6222 0212 3456 7890"), "卡号622* **** **** 7890");
    CHECK_EQ_STR(mask("手机138 1234 5678"), "手机138 **** 5678");
    CHECK_EQ_STR(mask("座机0731-88885678转"), "座机0731-****5678转");
    CHECK_EQ_STR(mask("车牌京A12345违停"), "车牌京A****5违停");
    CHECK_EQ_STR(mask("粤B·D12345"), "粤B·*****5");
    CHECK_EQ_STR(mask("手机１３８１２３４５６７８"), "手机１３８****５６７８");
}

TEST(test_mask_leaves_ordinary_numbers)
{
    const char *keep[] = {
        "2019-04-25 09:32:09",
        "拖欠3万元，共58户",
        "编号12345678",
        "A2区景蓉华苑，水4.23一吨",
        "iPhone13 京东 沪上",
        "京A1 太短",
        "",
    };
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        CHECK_EQ_STR(mask(keep[i]), keep[i]);
}

TEST(test_no_long_digit_run_survives)
{
    const char *in =
        "我叫张三，电话13912345678，另一个号码是 159-8765-4321，"
        "身份证430102198001011234，妻子身份证43010219800202567x，"
        "银行卡6217003810000123456，信用卡 4392 2500 1234 5678，"
        "座机（0731）88886666，全角１５８７６５４３２１０，"
        "车牌湘A8B888，订单20190425093209123。";
    const char *out = mask(in);
    CHECK(longest_digit_run(out) < 11);
    CHECK(strstr(out, "13912345678") == NULL);
    CHECK(strstr(out, "8765-4321") == NULL);
    CHECK(strstr(out, "湘A8B888") == NULL);
    CHECK(strlen(out) <= strlen(in));
    unsigned n = 0;
    char buf[1024];
    yw_pii_mask_n(in, strlen(in), buf, sizeof(buf), &n);
    CHECK(n >= 8);
}

/* Normalisation drops ',' and '，' between digits ("1,000" -> "1000"):
 * groups joined that way are masked as one number, so normalising the
 * masked text cannot glue a number back together in clear (fuzz_features
 * found "622，021234567" coming out of it as twelve digits). */
TEST(test_mask_then_normalise_leaves_no_number)
{
    CHECK_EQ_STR(mask("卡号622，021234567"), "卡号622，*****4567");
    CHECK_EQ_STR(mask("卡号6222,0212,3456,7890"), "卡号622*,****,****,7890");
    CHECK_EQ_STR(mask("欠款1,234,567元"), "欠款1,234,567元");   /* an amount stays */
    /* a landline with an extension keeps the extension; a number glued
     * after it is no extension */
    CHECK_EQ_STR(mask("座机0731-88885678-123"), "座机0731-****5678-123");
    CHECK(longest_digit_run(mask("座机0731-8456783-178678906222021234")) < 11);
    CHECK_EQ_STR(mask("车牌京A12345，违停"), "车牌京A****5，违停");
    const char *in[] = {
        "卡号622，021234567",
        "卡号６２２，０２１２３４５６７结束",
        "号码12,345678901",
        "1,2,3,4,5,6,7,8,9,0,1,2",
        "手机138,1234,5678和159，8765，4321",
        "金额12,345,678,901元",
        "座机0731-8456783-17867890６２２２０２１２dddd",
        "车牌京A12345，6789012345",      /* a plate's last character */
        "车牌京A·D1234,６７８９０１２３４５",
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        char norm[512];
        const char *m = mask(in[i]);
        yw_text_normalize(m, strlen(m), norm, sizeof norm);
        size_t run = longest_digit_run(norm);
        if (run >= 11)
            fprintf(stderr, "  %s -> %s -> %s\n", in[i], m, norm);
        CHECK(run < 11);
    }
}

/* The same promise over random strings of the pieces the masker and the
 * normaliser treat specially: digits of both widths, the separators that
 * join number groups or are dropped between digits, a plate's province,
 * letter and dot, an ID card's X, URLs.  A deterministic generator, so a
 * failure is the same failure every run; 300k strings take ~0.3 s. */
TEST(test_mask_then_normalise_random_pieces)
{
    static const char *const pieces[] = {
        "1", "3", "0", "8", "１", "０", ",", "，", "-", " ", ".", "．", "X", "x",
        "京", "A", "B", "·", "中", "a", "、", "\xe2\x80\x8b", "www.", "http://", "/",
        "12345", "67890", "1234567890", "13812345678", "0731-", "６２２２", "京A",
    };
    const size_t np = sizeof(pieces) / sizeof(pieces[0]);
    uint64_t x = 0x9E3779B97F4A7C15u;
    char in[512], m[512], norm[1100];
    int bad = 0;
    for (int it = 0; it < 300000 && bad < 5; it++) {
        size_t o = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int n = 1 + (int)(x % 24);
        for (int k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            o += (size_t)snprintf(in + o, sizeof in - o, "%s", pieces[x % np]);
        }
        size_t ml = yw_pii_mask(in, o, m, sizeof m);
        yw_text_normalize(m, ml, norm, sizeof norm);
        if (longest_digit_run(m) >= 11 || longest_digit_run(norm) >= 11) {
            fprintf(stderr, "  %s -> %s -> %s\n", in, m, norm);
            bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(test_mask_truncation)
{
    const char *in = "电话13812341234结束";
    char small[12];
    size_t n = yw_pii_mask(in, strlen(in), small, sizeof(small));
    CHECK(n < sizeof(small));
    CHECK(longest_digit_run(small) < 5);   /* never a partial clear number */
    CHECK_EQ_STR(small, "电话");
}

/* HMAC-SHA256 built by hand from SHA-256 (RFC 2104), so the test does not
 * share code with yw_pii_hmac (which uses OpenSSL's HMAC). */
static void ref_hmac(const uint8_t *key, size_t klen, const void *data, size_t len,
                     uint8_t out[32])
{
    uint8_t k[64] = {0}, ipad[64], opad[64], inner[32];
    unsigned olen;
    if (klen > 64) EVP_Digest(key, klen, k, &olen, EVP_sha256(), NULL);
    else memcpy(k, key, klen);
    for (int i = 0; i < 64; i++) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, ipad, 64);
    EVP_DigestUpdate(c, data, len);
    EVP_DigestFinal_ex(c, inner, &olen);
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, opad, 64);
    EVP_DigestUpdate(c, inner, 32);
    EVP_DigestFinal_ex(c, out, &olen);
    EVP_MD_CTX_free(c);
}

TEST(test_hmac)
{
    uint8_t got[32], want[32];
    /* RFC 4231 test case 2 */
    static const uint8_t tc2[32] = {
        0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
        0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
    };
    REQUIRE(yw_pii_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, got) == 0);
    CHECK(memcmp(got, tc2, 32) == 0);

    const char *key = "yuanwang-test-secret", *person = "13812341234";
    REQUIRE(yw_pii_hmac((const uint8_t *)key, strlen(key), person, strlen(person), got) == 0);
    ref_hmac((const uint8_t *)key, strlen(key), person, strlen(person), want);
    CHECK(memcmp(got, want, 32) == 0);

    uint8_t longkey[100];
    for (int i = 0; i < 100; i++) longkey[i] = (uint8_t)i;
    REQUIRE(yw_pii_hmac(longkey, sizeof(longkey), "x", 1, got) == 0);
    ref_hmac(longkey, sizeof(longkey), "x", 1, want);
    CHECK(memcmp(got, want, 32) == 0);

    char k[YW_PII_KEY_LEN + 1];
    REQUIRE(yw_pii_key((const uint8_t *)key, strlen(key), person, strlen(person), k) == 0);
    CHECK_EQ_INT(strlen(k), 18);
    CHECK(k[0] == 'p' && k[1] == ':');
    ref_hmac((const uint8_t *)key, strlen(key), person, strlen(person), want);
    char hex[17];
    for (int i = 0; i < 8; i++) snprintf(hex + 2 * i, 3, "%02x", want[i]);
    CHECK_EQ_STR(k + 2, hex);
}

/* The copy loop jumps 16 plain bytes at a time: a number, a plate or a
 * full-width digit must be found at every offset within (and right after)
 * such a block, mid-character included. */
TEST(test_mask_at_every_offset)
{
    static const char *const items[][2] = {
        {"13812341234", "138****1234"},
        {"京A12345", "京A****5"},
        {"１３８１２３４１２３４", "１３８****１２３４"},
        {"0731-88885678", "0731-****5678"},
    };
    char in[512], want[512], got[512];
    for (size_t it = 0; it < sizeof(items) / sizeof(items[0]); it++) {
        for (int lead = 0; lead < 40; lead++) {
            size_t o = 0;
            for (int k = 0; k < lead; k++)
                o += (size_t)snprintf(in + o, 8, "%s",
                                      k % 7 == 6 ? "," : k % 5 == 4 ? "，" : "的");
            snprintf(in + o, sizeof(in) - o, "%s%s", items[it][0], "，谢谢谢谢谢谢谢谢谢谢");
            memcpy(want, in, o);
            snprintf(want + o, sizeof(want) - o, "%s%s", items[it][1], "，谢谢谢谢谢谢谢谢谢谢");
            unsigned n = 0;
            yw_pii_mask_n(in, strlen(in), got, sizeof(got), &n);
            CHECK_EQ_STR(got, want);
            CHECK_EQ_INT(n, 1);
            /* any smaller output: a prefix of the full one, whole
             * characters, a masked item never cut */
            for (size_t cap = 1; cap <= strlen(want); cap++) {
                char part[512];
                size_t pl = yw_pii_mask(in, strlen(in), part, cap);
                CHECK(pl < cap && memcmp(part, want, pl) == 0);
                CHECK((want[pl] & 0xC0) != 0x80);
                /* (a plate's province character stays outside the item) */
                size_t from = o + (it == 1 ? 3 : 0);
                CHECK(pl <= from || pl >= o + strlen(items[it][1]));
            }
        }
    }
}

int main(void)
{
    RUN(test_mask_examples);
    RUN(test_mask_at_every_offset);
    RUN(test_mask_leaves_ordinary_numbers);
    RUN(test_no_long_digit_run_survives);
    RUN(test_mask_then_normalise_leaves_no_number);
    RUN(test_mask_then_normalise_random_pieces);
    RUN(test_mask_truncation);
    RUN(test_hmac);
    return yw_test_done();
}
