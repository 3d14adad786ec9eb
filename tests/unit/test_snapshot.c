/* test_snapshot.c -- the snapshot file format and the shard's state in it.
 *
 * Format: every encoding helper round-trips and refuses to read past the
 * end; a written file is found again; a truncated file, a flipped byte, a
 * wrong version and a bad magic are each detected, logged with the file
 * name and what is wrong, and the previous snapshot is used instead; only
 * the newest `keep` files stay.
 *
 * State: a shard that ran part of a stream, saved and loaded into a fresh
 * shard, continues exactly like the original: the same alerts (whole JSON,
 * ids included) and the same cluster summaries for the rest of the stream.
 * Corrupt section payloads with valid checksums (a hostile file) are
 * refused without reading out of bounds (run under ASan). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert.h"
#include "config.h"
#include "gen_records.h"
#include "log.h"
#include "record.h"
#include "snapshot.h"
#include "stage.h"
#include "yw_test.h"

/* ---- helpers ------------------------------------------------------------------ */

/* Run fn with stderr captured; returns what it wrote (caller frees). */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
    char path[] = "/tmp/yw-test-stderr-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *text = yw_test_read_file(path, NULL);
    unlink(path);
    return text;
}

static int write_simple(const char *dir, uint64_t seq, const char *payload, int keep)
{
    char err[256];
    yw_snap_writer_t *w = yw_snap_writer_begin(dir, seq, err, sizeof err);
    if (!w)
        return -1;
    yw_snap_put_str(yw_snap_writer_buf(w), payload);
    yw_snap_writer_section(w, YW_SNAP_SEC_META);
    return yw_snap_writer_commit(w, keep, err, sizeof err);
}

static char accepted[512];

static int accept_meta(void *opaque, const yw_snap_t *s, char *errbuf, size_t errlen)
{
    yw_snap_rd_t r;
    if (yw_snap_section(s, YW_SNAP_SEC_META, &r) != 0) {
        snprintf(errbuf, errlen, "no meta");
        return -1;
    }
    yw_snap_get_str(&r, accepted, sizeof accepted);
    return r.err ? -1 : 0;
}

typedef struct {
    const char *dir;
    int64_t got;
} load_arg_t;

static void do_load(void *p)
{
    load_arg_t *a = p;
    accepted[0] = '\0';
    a->got = yw_snap_load_latest(a->dir, accept_meta, NULL);
}

static char *snap_path(const char *dir, uint64_t seq)
{
    static char path[700];
    snprintf(path, sizeof path, "%s/snapshot.%012llu", dir, (unsigned long long)seq);
    return path;
}

/* Remove the snapshots 1..upto that are in dir, and dir; free dir. */
static void remove_snaps(char *dir, uint64_t upto)
{
    for (uint64_t seq = 1; seq <= upto; seq++)
        unlink(snap_path(dir, seq));
    rmdir(dir);
    free(dir);
}

/* ---- the encoding ---------------------------------------------------------------- */

TEST(encoding_round_trip_and_bounds)
{
    yw_snap_buf_t b;
    yw_snap_buf_init(&b);
    yw_snap_put_u8(&b, 0xAB);
    yw_snap_put_u16(&b, 0xBEEF);
    yw_snap_put_u32(&b, 0xDEADBEEF);
    yw_snap_put_u64(&b, 0x0123456789ABCDEFULL);
    yw_snap_put_i32(&b, -5);
    yw_snap_put_i64(&b, INT64_MIN);
    yw_snap_put_f32(&b, -0.1f);
    yw_snap_put_f64(&b, 1.0 / 3);
    yw_snap_put_str(&b, "丽发新城");
    yw_snap_put_u64(&b, 3);            /* a count of 3 u32 items */
    for (uint32_t i = 0; i < 3; i++)
        yw_snap_put_u32(&b, i);
    REQUIRE(b.err == 0);
    /* little-endian, whatever the host */
    CHECK(b.p[1] == 0xEF && b.p[2] == 0xBE);

    yw_snap_rd_t r;
    yw_snap_rd_init(&r, b.p, b.len);
    CHECK_EQ_INT(yw_snap_get_u8(&r), 0xAB);
    CHECK_EQ_INT(yw_snap_get_u16(&r), 0xBEEF);
    CHECK(yw_snap_get_u32(&r) == 0xDEADBEEFu);
    CHECK(yw_snap_get_u64(&r) == 0x0123456789ABCDEFULL);
    CHECK_EQ_INT(yw_snap_get_i32(&r), -5);
    CHECK(yw_snap_get_i64(&r) == INT64_MIN);
    CHECK(yw_snap_get_f32(&r) == -0.1f);
    CHECK(yw_snap_get_f64(&r) == 1.0 / 3);
    char s[32];
    yw_snap_get_str(&r, s, sizeof s);
    CHECK_EQ_STR(s, "丽发新城");
    CHECK_EQ_INT(yw_snap_get_count(&r, 10, 4), 3);
    for (uint32_t i = 0; i < 3; i++)
        CHECK_EQ_INT(yw_snap_get_u32(&r), i);
    yw_snap_expect_end(&r);
    CHECK(r.err == NULL);
    /* past the end: zero and a sticky error, never a read out of bounds */
    CHECK_EQ_INT(yw_snap_get_u64(&r), 0);
    CHECK(r.err != NULL);

    /* a string longer than the destination */
    yw_snap_rd_init(&r, b.p, b.len);
    r.pos = 1 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
    char tiny[4];
    yw_snap_get_str(&r, tiny, sizeof tiny);
    CHECK(r.err != NULL && tiny[0] == '\0');

    /* a count larger than the bytes left could hold */
    yw_snap_buf_t c;
    yw_snap_buf_init(&c);
    yw_snap_put_u64(&c, 1000000);
    yw_snap_put_u32(&c, 1);
    yw_snap_rd_init(&r, c.p, c.len);
    CHECK_EQ_INT(yw_snap_get_count(&r, UINT32_MAX, 4), 0);
    CHECK(r.err != NULL);
    /* a huge string length */
    yw_snap_rd_init(&r, c.p, c.len);
    char big[64];
    yw_snap_get_str(&r, big, sizeof big);
    CHECK(r.err != NULL);
    yw_snap_buf_free(&c);
    yw_snap_buf_free(&b);

    /* CRC32C check value ("123456789" -> 0xE3069283) */
    CHECK(yw_snap_crc32c(0, "123456789", 9) == 0xE3069283u);
    CHECK(yw_snap_crc32c(yw_snap_crc32c(0, "1234", 4), "56789", 5) == 0xE3069283u);
}

/* ---- the file ------------------------------------------------------------------ */

typedef enum { TRUNCATE, FLIP, VERSION, MAGIC } damage_t;

static void damage(const char *path, damage_t how)
{
    size_t len = 0;
    char *d = yw_test_read_file(path, &len);
    if (!d)
        return;
    switch (how) {
    case TRUNCATE:
        len -= 7;
        break;
    case FLIP:
        d[len / 2 + 3] ^= 0x10;
        break;
    case VERSION: {
        d[8] = 9;                       /* version 9, header CRC made valid */
        uint32_t crc = yw_snap_crc32c(0, d, 32);
        for (int i = 0; i < 4; i++)
            d[32 + i] = (char)(crc >> (8 * i));
        break;
    }
    case MAGIC:
        memcpy(d, "PK\3\4", 4);
        break;
    }
    FILE *f = fopen(path, "wb");
    fwrite(d, 1, len, f);
    fclose(f);
    free(d);
}

TEST(corrupt_files_fall_back_to_the_previous)
{
    static const struct {
        damage_t how;
        const char *expect;
    } cases[] = {
        { TRUNCATE, "truncated" },
        { FLIP, "checksum mismatch" },
        { VERSION, "wrong version 9" },
        { MAGIC, "bad magic" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *dir = yw_test_tmpdir();
        REQUIRE(dir);
        char payload[300];
        memset(payload, 'x', sizeof payload - 1);
        payload[sizeof payload - 1] = '\0';
        memcpy(payload, "first", 5);
        REQUIRE(write_simple(dir, 1, payload, 2) == 0);
        memcpy(payload, "secnd", 5);
        REQUIRE(write_simple(dir, 2, payload, 2) == 0);

        load_arg_t a = { dir, 0 };
        char *log = capture_stderr(do_load, &a);
        CHECK_EQ_INT(a.got, 2);
        CHECK(strncmp(accepted, "secnd", 5) == 0);
        free(log);

        damage(snap_path(dir, 2), cases[k].how);
        log = capture_stderr(do_load, &a);
        CHECK_EQ_INT(a.got, 1);
        CHECK(strncmp(accepted, "first", 5) == 0);
        REQUIRE(log);
        /* one clear line: component, file, what is wrong, what happens */
        CHECK(strstr(log, "[snapshot]") != NULL);
        CHECK(strstr(log, "snapshot.000000000002") != NULL);
        CHECK(strstr(log, cases[k].expect) != NULL);
        CHECK(strstr(log, "falling back to the previous snapshot") != NULL);
        if (yw_test_failed_checks)
            fprintf(stderr, "case %zu log: %s\n", k, log);
        free(log);

        /* both bad: nothing loaded, said so */
        damage(snap_path(dir, 1), TRUNCATE);
        log = capture_stderr(do_load, &a);
        CHECK_EQ_INT(a.got, 0);
        CHECK(log && strstr(log, "starting with empty state") != NULL);
        free(log);

        remove_snaps(dir, 2);
    }
}

TEST(keeps_the_newest_and_no_tmp)
{
    char *dir = yw_test_tmpdir();
    REQUIRE(dir);
    for (uint64_t seq = 1; seq <= 5; seq++)
        REQUIRE(write_simple(dir, seq, "s", 2) == 0);
    uint64_t *seqs = NULL;
    int n = yw_snap_list(dir, &seqs);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK_EQ_INT(seqs[0], 4);
        CHECK_EQ_INT(seqs[1], 5);
    }
    free(seqs);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s/snapshot.tmp", dir);
    CHECK(access(tmp, F_OK) != 0);
    /* an empty directory: nothing to load, not an error */
    char *empty = yw_test_tmpdir();
    CHECK_EQ_INT(yw_snap_load_latest(empty, accept_meta, NULL), 0);
    rmdir(empty);
    free(empty);
    remove_snaps(dir, 5);           /* 1 to 3 are gone already */
}

/* Snapshots hold person hashes and sample texts: owner-only, whatever the
 * umask, and also when a crash left a snapshot.tmp with a wider mode. */
TEST(files_are_owner_only)
{
    char *dir = yw_test_tmpdir();
    REQUIRE(dir);
    mode_t old = umask(022);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s/snapshot.tmp", dir);
    int fd = open(tmp, O_WRONLY | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    CHECK(write_simple(dir, 1, "s", 2) == 0);
    umask(old);
    struct stat st;
    char *path = snap_path(dir, 1);
    CHECK(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    remove_snaps(dir, 1);
}

/* ---- the shard's state ------------------------------------------------------------- */

typedef struct {
    char **items;
    int n, cap;
} strs_t;

static void strs_add(strs_t *s, const char *text, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->items = realloc(s->items, (size_t)s->cap * sizeof *s->items);
    }
    char *c = malloc(len + 1);
    memcpy(c, text, len);
    c[len] = '\0';
    s->items[s->n++] = c;
}

static void strs_free(strs_t *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

typedef struct {
    strs_t alerts, summaries;
} out_t;

static void on_emit(void *opaque, const yw_alert_t *a)
{
    out_t *o = opaque;
    size_t len = 0;
    char *json = yw_alert_to_json(a, 480, &len);
    if (json)
        strs_add(&o->alerts, json, len);
    free(json);
}

static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t dlen)
{
    out_t *o = opaque;
    size_t len = 0;
    char *json = yw_alert_to_json(a, 480, &len);
    if (json)
        strs_add(&o->summaries, json, len);
    free(json);
    if (detail)
        strs_add(&o->summaries, detail, dlen);
}

static void on_forget(void *opaque, const char *cluster)
{
    out_t *o = opaque;
    strs_add(&o->summaries, cluster, strlen(cluster));
}

typedef struct {
    yw_decoder_t *dec;
    yw_record_t rec;
} feed_t;

/* A feeder's decoder (times at +08:00, complainant key "k") and record.
 * 0, or -1 with err set. */
static int feed_start(feed_t *f, char *err, size_t errlen)
{
    yw_decoder_conf_t dconf = { .max_message_bytes = 1 << 20, .tz_offset_minutes = 480,
                                .hmac_key = (const uint8_t *)"k", .hmac_key_len = 1 };
    memset(f, 0, sizeof *f);
    if (!(f->dec = yw_decoder_create(&dconf, err, errlen)))
        return -1;
    yw_record_init(&f->rec);
    return 0;
}

static void feed_end(feed_t *f)
{
    yw_record_free(&f->rec);
    yw_decoder_destroy(f->dec);
}

static int feed(feed_t *f, yw_shard_t *sh, char **lines, int from, int to, out_t *o)
{
    yw_stage_out_t out = { on_emit, on_summary, on_forget, o };
    for (int i = from; i < to; i++) {
        char reason[256];
        if (yw_record_decode(f->dec, lines[i], strlen(lines[i]), YW_SRC_HOTLINE, &f->rec,
                             reason, sizeof reason) != YW_REC_OK) {
            fprintf(stderr, "record %d: %s\n", i, reason);
            return -1;
        }
        if (yw_shard_apply(sh, &f->rec, &out, NULL) != 0)
            return -1;
        /* summaries once per few records, as the daemon per batch */
        if (i % 7 == 6)
            yw_shard_flush(sh, &out);
    }
    return 0;
}

static int save_shard(yw_shard_t *sh, const char *dir, uint64_t seq)
{
    char err[256];
    yw_snap_writer_t *w = yw_snap_writer_begin(dir, seq, err, sizeof err);
    if (!w)
        return -1;
    if (yw_shard_save(sh, w) != 0) {
        yw_snap_writer_abort(w);
        return -1;
    }
    return yw_snap_writer_commit(w, 2, err, sizeof err);
}

static bool same(const strs_t *a, const strs_t *b, const char *what)
{
    bool ok = a->n == b->n;
    if (!ok)
        fprintf(stderr, "%s: %d vs %d\n", what, a->n, b->n);
    for (int i = 0; i < a->n && i < b->n; i++)
        if (strcmp(a->items[i], b->items[i]) != 0) {
            fprintf(stderr, "%s #%d differs:\n  %s\n  %s\n", what, i, a->items[i], b->items[i]);
            return false;
        }
    return ok;
}

#define NREC 2400
#define SPLIT 1500

TEST(shard_continues_exactly_after_load)
{
    yw_config_t *cfg = yw_test_config_repo_rules();
    REQUIRE(cfg);
    char err[512];
    feed_t f;
    REQUIRE(feed_start(&f, err, sizeof err) == 0);
    char **lines = NULL;
    REQUIRE(yw_test_gen_records(NREC, 28, 7, &lines) == NREC);

    yw_shard_t *a = yw_shard_create(cfg, err, sizeof err);
    REQUIRE(a);
    out_t oa = { 0 }, ob = { 0 }, before = { 0 };
    REQUIRE(feed(&f, a, lines, 0, SPLIT, &before) == 0);

    char *dir = yw_test_tmpdir();
    REQUIRE(dir);
    REQUIRE(save_shard(a, dir, 1) == 0);
    yw_snap_t *snap = yw_snap_read_file(snap_path(dir, 1), err, sizeof err);
    REQUIRE(snap);
    yw_shard_t *b = yw_shard_create(cfg, err, sizeof err);
    REQUIRE(b);
    CHECK(yw_shard_load(b, snap, err, sizeof err) == 0);
    if (yw_test_failed_checks)
        fprintf(stderr, "load: %s\n", err);

    yw_shard_stats_t sa, sb;
    yw_shard_stats(a, &sa);
    yw_shard_stats(b, &sb);
    CHECK_EQ_INT(sa.records, sb.records);
    CHECK_EQ_INT(sa.clusters_live, sb.clusters_live);
    CHECK_EQ_INT(sa.merges, sb.merges);

    /* Saved again, the loaded shard writes the very same sections. */
    char *dir2 = yw_test_tmpdir();
    REQUIRE(save_shard(b, dir2, 1) == 0);
    yw_snap_t *snap2 = yw_snap_read_file(snap_path(dir2, 1), err, sizeof err);
    REQUIRE(snap2);
    uint32_t ids[] = { YW_SNAP_SEC_CLUSTER, YW_SNAP_SEC_SCORE, YW_SNAP_SEC_SHARD };
    for (size_t i = 0; i < 3; i++) {
        yw_snap_rd_t r1, r2;
        REQUIRE(yw_snap_section(snap, ids[i], &r1) == 0 && yw_snap_section(snap2, ids[i], &r2) == 0);
        CHECK(r1.len == r2.len && memcmp(r1.p, r2.p, r1.len) == 0);
    }
    yw_snap_free(snap2);
    remove_snaps(dir2, 1);

    REQUIRE(feed(&f, a, lines, SPLIT, NREC, &oa) == 0);
    REQUIRE(feed(&f, b, lines, SPLIT, NREC, &ob) == 0);
    fprintf(stderr, "alerts: %d before the split, %d after; %llu clusters live, %llu merges\n",
            before.alerts.n, oa.alerts.n, (unsigned long long)sa.clusters_live,
            (unsigned long long)sa.merges);
    /* The stream must exercise the state: alerts on both sides of the split. */
    CHECK(before.alerts.n >= 3);
    CHECK(oa.alerts.n >= 3);
    CHECK(same(&oa.alerts, &ob.alerts, "alerts"));
    CHECK(same(&oa.summaries, &ob.summaries, "summaries"));
    yw_shard_stats(a, &sa);
    yw_shard_stats(b, &sb);
    CHECK_EQ_INT(sa.records, sb.records);
    CHECK_EQ_INT(sa.clusters_live, sb.clusters_live);
    CHECK_EQ_INT(sa.alerts, sb.alerts);

    /* A config whose shape differs is refused with the reason. */
    yw_config_t *other = yw_test_config_repo_rules();
    other->cluster.top_k = 32;
    yw_shard_t *c = yw_shard_create(other, err, sizeof err);
    REQUIRE(c);
    CHECK(yw_shard_load(c, snap, err, sizeof err) != 0);
    CHECK(strstr(err, "cluster.top_k changed") != NULL);
    yw_shard_destroy(c);
    yw_config_destroy(other);

    strs_free(&oa.alerts);
    strs_free(&oa.summaries);
    strs_free(&ob.alerts);
    strs_free(&ob.summaries);
    strs_free(&before.alerts);
    strs_free(&before.summaries);
    yw_snap_free(snap);
    yw_shard_destroy(a);
    yw_shard_destroy(b);
    remove_snaps(dir, 1);
    yw_test_gen_free(lines, NREC);
    feed_end(&f);
    yw_config_destroy(cfg);
}

/* Rewrite a snapshot file's checksums after its payload was changed, so
 * the module loaders see the damage (a hostile file, not an accident). */
static void fix_checksums(uint8_t *d, size_t len)
{
    size_t pos = 36;
    while (pos + 16 <= len) {
        uint32_t id = (uint32_t)d[pos] | (uint32_t)d[pos + 1] << 8 |
                      (uint32_t)d[pos + 2] << 16 | (uint32_t)d[pos + 3] << 24;
        uint64_t n = 0;
        for (int i = 7; i >= 0; i--)
            n = n << 8 | d[pos + 8 + i];
        uint32_t crc = id == YW_SNAP_SEC_END ? yw_snap_crc32c(0, d, pos)
                                             : yw_snap_crc32c(0, d + pos + 16, (size_t)n);
        for (int i = 0; i < 4; i++)
            d[pos + 4 + i] = (uint8_t)(crc >> (8 * i));
        if (id == YW_SNAP_SEC_END)
            return;
        pos += 16 + (size_t)n;
    }
}

TEST(hostile_payloads_are_refused_safely)
{
    yw_config_t *cfg = yw_test_config_repo_rules();
    REQUIRE(cfg);
    cfg->cluster.df_width_log2 = 10;       /* small sketch: fast mutations */
    char err[512];
    feed_t f;
    REQUIRE(feed_start(&f, err, sizeof err) == 0);
    char **lines = NULL;
    REQUIRE(yw_test_gen_records(300, 10, 3, &lines) == 300);
    yw_shard_t *a = yw_shard_create(cfg, err, sizeof err);
    REQUIRE(a);
    out_t o = { 0 };
    REQUIRE(feed(&f, a, lines, 0, 300, &o) == 0);
    char *dir = yw_test_tmpdir();
    REQUIRE(save_shard(a, dir, 1) == 0);
    size_t len = 0;
    uint8_t *orig = (uint8_t *)yw_test_read_file(snap_path(dir, 1), &len);
    REQUIRE(orig && len > 1000);
    uint8_t *d = malloc(len);
    uint64_t st = 12345;
    int refused = 0, loaded = 0;
    for (int iter = 0; iter < 40; iter++) {
        memcpy(d, orig, len);
        int flips = 1 + iter % 4;
        for (int k = 0; k < flips; k++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t at = 36 + 16 + (size_t)((st >> 33) % (len - 36 - 32));
            d[at] = (uint8_t)(iter % 3 == 0 ? 0xff : d[at] ^ (1u << (st >> 60 & 7)));
        }
        fix_checksums(d, len);
        FILE *fp = fopen(snap_path(dir, 2), "wb");
        fwrite(d, 1, len, fp);
        fclose(fp);
        yw_snap_t *s = yw_snap_read_file(snap_path(dir, 2), err, sizeof err);
        if (!s) {
            refused++;
            continue;
        }
        yw_shard_t *b = yw_shard_create(cfg, err, sizeof err);
        REQUIRE(b);
        if (yw_shard_load(b, s, err, sizeof err) != 0) {
            refused++;
        } else {
            /* A mutation the loader cannot tell from real state must still
             * leave a shard that runs. */
            out_t ob = { 0 };
            feed(&f, b, lines, 200, 300, &ob);
            strs_free(&ob.alerts);
            strs_free(&ob.summaries);
            loaded++;
        }
        yw_shard_destroy(b);
        yw_snap_free(s);
    }
    fprintf(stderr, "hostile payloads: %d refused, %d loaded\n", refused, loaded);
    CHECK(refused > 0);
    free(d);
    free(orig);
    strs_free(&o.alerts);
    strs_free(&o.summaries);
    yw_shard_destroy(a);
    remove_snaps(dir, 2);
    yw_test_gen_free(lines, 300);
    feed_end(&f);
    yw_config_destroy(cfg);
}

int main(void)
{
    yw_log_set_level(YW_LOG_WARN);
    RUN(encoding_round_trip_and_bounds);
    RUN(corrupt_files_fall_back_to_the_previous);
    RUN(keeps_the_newest_and_no_tmp);
    RUN(files_are_owner_only);
    RUN(shard_continues_exactly_after_load);
    RUN(hostile_payloads_are_refused_safely);
    return yw_test_done();
}
