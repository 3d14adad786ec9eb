/* test_df.c -- document frequencies: idf by the formula in df.h, the
 * document floor, and the snapshot round trip. */
#include <math.h>
#include <string.h>

#include "df.h"
#include "snapshot.h"
#include "text.h"
#include "yw_test.h"

static uint64_t T(const char *s)
{
    return yw_text_term(YW_TERM_BIGRAM, s, strlen(s));
}

/* idf of each term of a one- or two-term document, observed once. */
static void doc(yw_df_t *df, uint64_t a, uint64_t b, float idf[2])
{
    yw_fvec_t v = {0};
    yw_text_fvec_add(&v, a, 1);
    if (b)
        yw_text_fvec_add(&v, b, 1);
    yw_text_fvec_finish(&v);
    float out[2] = {0, 0};
    yw_df_observe_idf(df, &v, out);
    /* report in the caller's order (the vector is sorted by term) */
    idf[0] = v.t[0].term == a ? out[0] : out[1];
    idf[1] = b ? (v.t[0].term == b ? out[0] : out[1]) : 0;
    yw_text_fvec_free(&v);
}

TEST(test_idf)
{
    yw_df_t df;
    REQUIRE(yw_df_init(&df, 12, 100) == 0);
    uint64_t common = T("问题"), rare = T("烂尾");
    float idf[2];
    /* the first document: N' = max(1, 100), the term counted with it */
    doc(&df, common, 0, idf);
    CHECK(fabsf(idf[0] - (float)(log(101.0) + 1 - log(2.0))) < 1e-5f);
    for (int i = 1; i < 1000; i++)
        doc(&df, common, i % 100 == 0 ? rare : 0, idf);
    /* document 1001 holds both: common in all 1001, rare in 10 (i = 100..900, and this one) */
    doc(&df, common, rare, idf);
    CHECK(fabs(df.docs - 1001) < 1e-9);
    CHECK(fabsf(idf[0] - (float)(log(1002.0) + 1 - log(1002.0))) < 1e-4f);   /* = 1 */
    CHECK(fabsf(idf[1] - (float)(log(1002.0) + 1 - log(11.0))) < 1e-4f);
    CHECK(idf[1] > idf[0] + 3);
    yw_df_free(&df);
}

TEST(test_floor)
{
    /* Early records: with the floor N' = 1000, a term's second sighting
     * weighs ln(1001) + 1 - ln 3, not ln 3 + 1 - ln 3. */
    yw_df_t df;
    REQUIRE(yw_df_init(&df, 10, 1000) == 0);
    float idf[2];
    doc(&df, T("欠薪"), 0, idf);
    doc(&df, T("欠薪"), 0, idf);
    CHECK(fabsf(idf[0] - (float)(log(1001.0) + 1 - log(3.0))) < 1e-5f);
    yw_df_free(&df);
}

TEST(test_snapshot_round_trip)
{
    yw_df_t a, b, small;
    REQUIRE(yw_df_init(&a, 10, 50) == 0);
    REQUIRE(yw_df_init(&b, 10, 50) == 0);
    REQUIRE(yw_df_init(&small, 9, 50) == 0);
    float idf[2];
    for (int i = 0; i < 300; i++)
        doc(&a, T("物业"), i % 7 ? T("停水") : 0, idf);
    yw_snap_buf_t buf;
    yw_snap_buf_init(&buf);
    yw_df_save(&a, &buf);
    REQUIRE(!buf.err);
    yw_snap_rd_t r;
    yw_snap_rd_init(&r, buf.p, buf.len);
    CHECK_EQ_INT(yw_df_load(&b, &r), 0);
    CHECK(r.err == NULL && r.pos == buf.len);
    CHECK(b.docs == a.docs);
    CHECK(memcmp(a.cells, b.cells, a.ncells * sizeof(uint32_t)) == 0);
    /* the same next document gives the same idf in both */
    float ia[2], ib[2];
    doc(&a, T("物业"), T("停水"), ia);
    doc(&b, T("物业"), T("停水"), ib);
    CHECK(ia[0] == ib[0] && ia[1] == ib[1]);
    /* another size is refused with a reason; so is a truncated section */
    yw_snap_rd_init(&r, buf.p, buf.len);
    CHECK_EQ_INT(yw_df_load(&small, &r), -1);
    CHECK(r.err && strstr(r.err, "other size"));
    yw_snap_rd_init(&r, buf.p, buf.len / 2);
    CHECK_EQ_INT(yw_df_load(&b, &r), -1);
    CHECK(r.err != NULL);
    yw_snap_buf_free(&buf);
    yw_df_free(&a);
    yw_df_free(&b);
    yw_df_free(&small);
}

int main(void)
{
    RUN(test_idf);
    RUN(test_floor);
    RUN(test_snapshot_round_trip);
    return yw_test_done();
}
