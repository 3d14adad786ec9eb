/* snapshot.c -- see snapshot.h for the file format and its guarantees.
 *
 * The writer streams sections to the temporary file as they are encoded
 * (one buffer, reused), keeping a running CRC32C for the end record; the
 * reader takes the whole file into memory and validates it completely
 * before anyone may look at a section. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const COMP = "snapshot";
static const uint8_t MAGIC[8] = { 'Y', 'W', 'S', 'N', 'A', 'P', '\r', '\n' };
#define HEADER_LEN 36           /* magic .. header crc */
#define SECHDR_LEN 16           /* id, crc, length */
#define TMP_NAME "snapshot.tmp"

/* ---- CRC32C (Castagnoli), table-driven --------------------------------- */

static uint32_t crc_table[8][256];
static int crc_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
                              crc_table[0][crc_table[t - 1][i] & 0xff];
    crc_ready = 1;
}

uint32_t yw_snap_crc32c(uint32_t crc, const void *data, size_t len)
{
    if (!crc_ready)
        crc_init();
    const uint8_t *p = data;
    crc = ~crc;
    /* slicing-by-8: the df sketch alone is megabytes */
    while (len >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                             (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
              crc_table[3][p[4]] ^ crc_table[2][p[5]] ^
              crc_table[1][p[6]] ^ crc_table[0][p[7]];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

/* ---- encoding ------------------------------------------------------------ */

void yw_snap_buf_init(yw_snap_buf_t *b)
{
    memset(b, 0, sizeof *b);
}

void yw_snap_buf_free(yw_snap_buf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void yw_snap_put_bytes(yw_snap_buf_t *b, const void *p, size_t n)
{
    if (b->err || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (!np) {
            b->err = ENOMEM;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_le(yw_snap_buf_t *b, uint64_t v, int n)
{
    uint8_t x[8];
    for (int i = 0; i < n; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    yw_snap_put_bytes(b, x, (size_t)n);
}

void yw_snap_put_u8(yw_snap_buf_t *b, uint8_t v) { put_le(b, v, 1); }
void yw_snap_put_u16(yw_snap_buf_t *b, uint16_t v) { put_le(b, v, 2); }
void yw_snap_put_u32(yw_snap_buf_t *b, uint32_t v) { put_le(b, v, 4); }
void yw_snap_put_u64(yw_snap_buf_t *b, uint64_t v) { put_le(b, v, 8); }
void yw_snap_put_i32(yw_snap_buf_t *b, int32_t v) { put_le(b, (uint32_t)v, 4); }
void yw_snap_put_i64(yw_snap_buf_t *b, int64_t v) { put_le(b, (uint64_t)v, 8); }

void yw_snap_put_f32(yw_snap_buf_t *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    put_le(b, u, 4);
}

void yw_snap_put_f64(yw_snap_buf_t *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    put_le(b, u, 8);
}

void yw_snap_put_str(yw_snap_buf_t *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    yw_snap_put_u32(b, (uint32_t)n);
    yw_snap_put_bytes(b, s, n);
}

/* ---- decoding ------------------------------------------------------------ */

void yw_snap_rd_init(yw_snap_rd_t *r, const void *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
    r->err = NULL;
}

void yw_snap_fail(yw_snap_rd_t *r, const char *why)
{
    if (!r->err)
        r->err = why;
}

bool yw_snap_get_bytes(yw_snap_rd_t *r, void *dst, size_t n)
{
    if (r->err || n > r->len - r->pos) {
        yw_snap_fail(r, "section ends early");
        memset(dst, 0, n);
        return false;
    }
    memcpy(dst, r->p + r->pos, n);
    r->pos += n;
    return true;
}

static uint64_t get_le(yw_snap_rd_t *r, int n)
{
    uint8_t x[8];
    if (!yw_snap_get_bytes(r, x, (size_t)n))
        return 0;
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | x[i];
    return v;
}

uint8_t yw_snap_get_u8(yw_snap_rd_t *r) { return (uint8_t)get_le(r, 1); }
uint16_t yw_snap_get_u16(yw_snap_rd_t *r) { return (uint16_t)get_le(r, 2); }
uint32_t yw_snap_get_u32(yw_snap_rd_t *r) { return (uint32_t)get_le(r, 4); }
uint64_t yw_snap_get_u64(yw_snap_rd_t *r) { return get_le(r, 8); }
int32_t yw_snap_get_i32(yw_snap_rd_t *r) { return (int32_t)(uint32_t)get_le(r, 4); }
int64_t yw_snap_get_i64(yw_snap_rd_t *r) { return (int64_t)get_le(r, 8); }

float yw_snap_get_f32(yw_snap_rd_t *r)
{
    uint32_t u = (uint32_t)get_le(r, 4);
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

double yw_snap_get_f64(yw_snap_rd_t *r)
{
    uint64_t u = get_le(r, 8);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

int64_t yw_snap_get_time(yw_snap_rd_t *r)
{
    int64_t t = yw_snap_get_i64(r);
    const int64_t lim = (int64_t)1 << 50;
    if (t == INT64_MIN || t == INT64_MAX || (t >= -lim && t <= lim))
        return t;
    yw_snap_fail(r, "time out of range");
    return 0;
}

size_t yw_snap_get_str(yw_snap_rd_t *r, char *buf, size_t cap)
{
    uint32_t n = yw_snap_get_u32(r);
    if (cap == 0 || n >= cap) {
        yw_snap_fail(r, "string too long");
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    if (!yw_snap_get_bytes(r, buf, n))
        n = 0;
    buf[n] = '\0';
    return n;
}

uint64_t yw_snap_get_count(yw_snap_rd_t *r, uint64_t max, size_t item_min)
{
    uint64_t n = yw_snap_get_u64(r);
    if (r->err)
        return 0;
    size_t left = r->len - r->pos;
    if (n > max || (item_min && n > left / item_min)) {
        yw_snap_fail(r, "count out of range");
        return 0;
    }
    return n;
}

void yw_snap_expect_end(yw_snap_rd_t *r)
{
    if (!r->err && r->pos != r->len)
        yw_snap_fail(r, "unread bytes at the end of a section");
}

/* ---- writer ---------------------------------------------------------------- */

struct yw_snap_writer {
    char *dir;
    char *tmp;
    uint64_t seq;
    FILE *f;
    uint32_t crc;               /* over every byte written so far */
    uint64_t nsections;
    int err;                    /* errno of the first failure */
    yw_snap_buf_t buf;
};

static void w_write(yw_snap_writer_t *w, const void *p, size_t n)
{
    if (w->err)
        return;
    if (fwrite(p, 1, n, w->f) != n) {
        w->err = errno ? errno : EIO;
        return;
    }
    w->crc = yw_snap_crc32c(w->crc, p, n);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

yw_snap_writer_t *yw_snap_writer_begin(const char *dir, uint64_t seq,
                                       char *errbuf, size_t errlen)
{
    yw_snap_writer_t *w = calloc(1, sizeof *w);
    if (!w || !(w->dir = strdup(dir)) || !(w->tmp = path_join(dir, TMP_NAME))) {
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    w->seq = seq;
    /* 0600: a snapshot holds person hashes and sample texts.  fchmod too,
     * for a snapshot.tmp left behind (with its old mode) by a crash. */
    int fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0 || !(w->f = fdopen(fd, "wb"))) {
        snprintf(errbuf, errlen, "%s: %s", w->tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto fail;
    }
    yw_snap_buf_init(&w->buf);
    yw_snap_buf_t h;
    yw_snap_buf_init(&h);
    yw_snap_put_bytes(&h, MAGIC, sizeof MAGIC);
    yw_snap_put_u32(&h, YW_SNAP_VERSION);
    yw_snap_put_u32(&h, 0);
    yw_snap_put_u64(&h, seq);
    yw_snap_put_i64(&h, wall_ms());
    yw_snap_put_u32(&h, h.err ? 0 : yw_snap_crc32c(0, h.p, h.len));
    if (h.err)
        w->err = ENOMEM;
    else
        w_write(w, h.p, h.len);
    yw_snap_buf_free(&h);
    return w;
fail:
    if (w) {
        free(w->dir);
        free(w->tmp);
        free(w);
    }
    return NULL;
}

yw_snap_buf_t *yw_snap_writer_buf(yw_snap_writer_t *w)
{
    return &w->buf;
}

int yw_snap_writer_section(yw_snap_writer_t *w, uint32_t id)
{
    yw_snap_buf_t *b = &w->buf;
    if (b->err && !w->err)
        w->err = b->err;
    if (!w->err) {
        uint8_t h[SECHDR_LEN];
        uint32_t crc = yw_snap_crc32c(0, b->p, b->len);
        uint64_t len = b->len;
        for (int i = 0; i < 4; i++) {
            h[i] = (uint8_t)(id >> (8 * i));
            h[4 + i] = (uint8_t)(crc >> (8 * i));
        }
        for (int i = 0; i < 8; i++)
            h[8 + i] = (uint8_t)(len >> (8 * i));
        w_write(w, h, sizeof h);
        w_write(w, b->p, b->len);
        w->nsections++;
    }
    b->len = 0;
    b->err = 0;
    return w->err ? -1 : 0;
}

static void writer_free(yw_snap_writer_t *w)
{
    if (w->f)
        fclose(w->f);
    yw_snap_buf_free(&w->buf);
    free(w->dir);
    free(w->tmp);
    free(w);
}

void yw_snap_writer_abort(yw_snap_writer_t *w)
{
    if (!w)
        return;
    if (w->f) {
        fclose(w->f);
        w->f = NULL;
    }
    unlink(w->tmp);
    writer_free(w);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static void snap_name(char *buf, size_t len, uint64_t seq)
{
    snprintf(buf, len, "snapshot.%012" PRIu64, seq);
}

/* Delete all but the newest `keep` snapshots (and never the one just
 * written). */
static void prune(const char *dir, uint64_t current, int keep)
{
    uint64_t *seqs = NULL;
    int n = yw_snap_list(dir, &seqs);
    for (int i = 0; i < n - keep; i++) {
        if (seqs[i] == current)
            continue;
        char name[64];
        snap_name(name, sizeof name, seqs[i]);
        char *p = path_join(dir, name);
        if (p && unlink(p) != 0 && errno != ENOENT)
            yw_log_warn(COMP, "cannot remove old %s: %s", p, strerror(errno));
        free(p);
    }
    free(seqs);
}

int yw_snap_writer_commit(yw_snap_writer_t *w, int keep, char *errbuf, size_t errlen)
{
    uint8_t end[SECHDR_LEN];
    uint32_t id = YW_SNAP_SEC_END, crc = w->crc;
    for (int i = 0; i < 4; i++) {
        end[i] = (uint8_t)(id >> (8 * i));
        end[4 + i] = (uint8_t)(crc >> (8 * i));
    }
    for (int i = 0; i < 8; i++)
        end[8 + i] = (uint8_t)(w->nsections >> (8 * i));
    w_write(w, end, sizeof end);
    const char *step = "write";
    if (!w->err && fflush(w->f) != 0) {
        w->err = errno;
        step = "flush";
    }
    if (!w->err && fsync(fileno(w->f)) != 0) {
        w->err = errno;
        step = "fsync";
    }
    if (fclose(w->f) != 0 && !w->err) {
        w->err = errno;
        step = "close";
    }
    w->f = NULL;
    char name[64];
    snap_name(name, sizeof name, w->seq);
    char *final = path_join(w->dir, name);
    if (!w->err && !final) {
        w->err = ENOMEM;
        step = "name";
    }
    if (!w->err && rename(w->tmp, final) != 0) {
        w->err = errno;
        step = "rename";
    }
    if (w->err) {
        snprintf(errbuf, errlen, "%s: %s failed: %s", w->tmp, step, strerror(w->err));
        free(final);
        yw_snap_writer_abort(w);
        return -1;
    }
    /* The rename is durable only once the directory is. */
    if (fsync_dir(w->dir) != 0)
        yw_log_warn(COMP, "fsync of directory %s: %s", w->dir, strerror(errno));
    free(final);
    prune(w->dir, w->seq, keep < 1 ? 1 : keep);
    writer_free(w);
    return 0;
}

/* ---- reader ---------------------------------------------------------------- */

typedef struct {
    uint32_t id;
    size_t off, len;
} sec_t;

struct yw_snap {
    char *path;
    uint64_t seq;
    uint8_t *data;
    size_t len;
    sec_t *secs;
    size_t nsecs;
};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

void yw_snap_free(yw_snap_t *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->data);
    free(s->secs);
    free(s);
}

/* Validate s->data; NULL when fine, else what is wrong (in errbuf). */
static const char *validate(yw_snap_t *s, char *errbuf, size_t errlen)
{
    const uint8_t *d = s->data;
    size_t n = s->len;
    if (n < sizeof MAGIC || memcmp(d, MAGIC, sizeof MAGIC) != 0) {
        if (n < sizeof MAGIC && memcmp(d, MAGIC, n) == 0)
            snprintf(errbuf, errlen, "truncated (%zu bytes, shorter than the header)", n);
        else
            snprintf(errbuf, errlen, "bad magic (not a yuanwang snapshot)");
        return errbuf;
    }
    if (n < HEADER_LEN) {
        snprintf(errbuf, errlen, "truncated (%zu bytes, shorter than the header)", n);
        return errbuf;
    }
    if (yw_snap_crc32c(0, d, HEADER_LEN - 4) != rd32(d + HEADER_LEN - 4)) {
        snprintf(errbuf, errlen, "checksum mismatch in the header");
        return errbuf;
    }
    uint32_t version = rd32(d + 8);
    if (version != YW_SNAP_VERSION) {
        snprintf(errbuf, errlen, "wrong version %u (this build reads version %u)",
                 version, YW_SNAP_VERSION);
        return errbuf;
    }
    s->seq = rd64(d + 16);
    size_t pos = HEADER_LEN, cap = 0;
    for (;;) {
        if (n - pos < SECHDR_LEN) {
            snprintf(errbuf, errlen, "truncated (ends at byte %zu without the end record)", n);
            return errbuf;
        }
        uint32_t id = rd32(d + pos), crc = rd32(d + pos + 4);
        uint64_t len = rd64(d + pos + 8);
        if (id == YW_SNAP_SEC_END) {
            if (crc != yw_snap_crc32c(0, d, pos)) {
                snprintf(errbuf, errlen, "checksum mismatch over the whole file (end record)");
                return errbuf;
            }
            if (len != s->nsecs) {
                snprintf(errbuf, errlen, "end record counts %llu sections, found %zu",
                         (unsigned long long)len, s->nsecs);
                return errbuf;
            }
            if (pos + SECHDR_LEN != n) {
                snprintf(errbuf, errlen, "%zu unexpected bytes after the end record",
                         n - pos - SECHDR_LEN);
                return errbuf;
            }
            return NULL;
        }
        pos += SECHDR_LEN;
        if (len > n - pos) {
            snprintf(errbuf, errlen, "truncated (section %u says %llu bytes, %zu left)",
                     id, (unsigned long long)len, n - pos);
            return errbuf;
        }
        if (yw_snap_crc32c(0, d + pos, (size_t)len) != crc) {
            snprintf(errbuf, errlen, "checksum mismatch in section %u (%llu bytes at offset %zu)",
                     id, (unsigned long long)len, pos);
            return errbuf;
        }
        if (s->nsecs == cap) {
            cap = cap ? cap * 2 : 8;
            sec_t *ns = realloc(s->secs, cap * sizeof *ns);
            if (!ns) {
                snprintf(errbuf, errlen, "out of memory");
                return errbuf;
            }
            s->secs = ns;
        }
        s->secs[s->nsecs++] = (sec_t){ id, pos, (size_t)len };
        pos += (size_t)len;
    }
}

yw_snap_t *yw_snap_read_file(const char *path, char *errbuf, size_t errlen)
{
    yw_snap_t *s = calloc(1, sizeof *s);
    FILE *f = NULL;
    if (!s || !(s->path = strdup(path))) {
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    if (!(f = fopen(path, "rb"))) {
        snprintf(errbuf, errlen, "cannot open: %s", strerror(errno));
        goto fail;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        snprintf(errbuf, errlen, "cannot stat: %s", strerror(errno));
        goto fail;
    }
    s->len = (size_t)st.st_size;
    if (!(s->data = malloc(s->len ? s->len : 1))) {
        snprintf(errbuf, errlen, "out of memory (%zu bytes)", s->len);
        goto fail;
    }
    if (fread(s->data, 1, s->len, f) != s->len) {
        snprintf(errbuf, errlen, "read error: %s", ferror(f) ? strerror(errno) : "short read");
        goto fail;
    }
    fclose(f);
    f = NULL;
    if (validate(s, errbuf, errlen))
        goto fail;
    return s;
fail:
    if (f)
        fclose(f);
    yw_snap_free(s);
    return NULL;
}

uint64_t yw_snap_seq(const yw_snap_t *s) { return s->seq; }
const char *yw_snap_path(const yw_snap_t *s) { return s->path; }

int yw_snap_section(const yw_snap_t *s, uint32_t id, yw_snap_rd_t *r)
{
    for (size_t i = 0; i < s->nsecs; i++)
        if (s->secs[i].id == id) {
            yw_snap_rd_init(r, s->data + s->secs[i].off, s->secs[i].len);
            return 0;
        }
    yw_snap_rd_init(r, NULL, 0);
    yw_snap_fail(r, "section missing");
    return -1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int yw_snap_list(const char *dir, uint64_t **seqs)
{
    *seqs = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strncmp(name, "snapshot.", 9) != 0)
            continue;
        const char *q = name + 9;
        if (!*q || strspn(q, "0123456789") != strlen(q) || strlen(q) > 19)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            uint64_t *ns = realloc(*seqs, cap * sizeof *ns);
            if (!ns)
                break;
            *seqs = ns;
        }
        (*seqs)[n++] = strtoull(q, NULL, 10);
    }
    closedir(d);
    if (n)
        qsort(*seqs, n, sizeof **seqs, cmp_u64);
    return (int)n;
}

int64_t yw_snap_load_latest(const char *dir, yw_snap_accept_fn accept, void *opaque)
{
    uint64_t *seqs = NULL;
    int n = yw_snap_list(dir, &seqs);
    if (n < 0) {
        yw_log_error(COMP, "cannot read snapshot directory %s: %s", dir, strerror(errno));
        return -1;
    }
    int64_t got = 0;
    for (int i = n - 1; i >= 0 && !got; i--) {
        char name[64], why[512];
        snap_name(name, sizeof name, seqs[i]);
        char *path = path_join(dir, name);
        if (!path)
            break;
        yw_snap_t *s = yw_snap_read_file(path, why, sizeof why);
        if (s && yw_snap_seq(s) != seqs[i]) {
            snprintf(why, sizeof why, "its header says sequence %llu, its name %llu",
                     (unsigned long long)yw_snap_seq(s), (unsigned long long)seqs[i]);
            yw_snap_free(s);
            s = NULL;
        }
        if (s)
            snprintf(why, sizeof why, "refused");
        if (s && accept(opaque, s, why, sizeof why) == 0) {
            got = (int64_t)seqs[i];
            yw_log_info(COMP, "loaded %s", path);
        } else {
            const char *fallback = i > 0 ? "falling back to the previous snapshot"
                                         : "no older snapshot left: starting with empty state";
            yw_log_error(COMP, "%s: %s%s; %s", path, s ? "cannot load: " : "", why, fallback);
        }
        yw_snap_free(s);
        free(path);
    }
    free(seqs);
    return got;
}
