/* snapshot.h -- the shard's state on disk: a versioned, checksummed,
 * sectioned binary file, written atomically, and the little-endian
 * encoding helpers every module uses to put its state into it.
 *
 * File layout (all integers little-endian, fixed width):
 *
 *   header   magic "YWSNAP\r\n" (8 bytes)
 *            u32 format version (YW_SNAP_VERSION)   u32 flags (0)
 *            u64 sequence number                    i64 written at (epoch ms)
 *            u32 CRC32C of the 32 bytes above
 *   section  u32 id   u32 CRC32C of the payload   u64 payload length
 *            payload (the module's own encoding, see yw_snap_put_*)
 *   ...
 *   end      u32 YW_SNAP_SEC_END   u32 CRC32C of every byte before this
 *            record   u64 number of sections
 *
 * A file is valid only when every checksum matches and the end record is
 * the last thing in it, so a truncated file (a crash mid-write), a flipped
 * byte or a file from another format version is detected before any module
 * reads a byte of it.  The header layout never changes between versions.
 *
 * Writing is atomic: <dir>/snapshot.tmp is written, fsync'ed, renamed to
 * <dir>/snapshot.<seq> (seq zero-padded to 12 digits) and the directory
 * fsync'ed; then all but the newest `keep` snapshots are deleted.  Loading
 * takes the newest valid one and falls back to the one before, with one
 * "[snapshot]" error line per bad file saying what is wrong with it.
 *
 * Readers are bounds-checked: a corrupt or hostile length never reads past
 * the payload.  Errors are sticky (r->err): read everything, check once. */
#ifndef YW_SNAPSHOT_H
#define YW_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YW_SNAP_VERSION 1

/* Section ids. */
enum {
    YW_SNAP_SEC_META = 1,       /* writer version, records applied */
    YW_SNAP_SEC_OFFSETS = 2,    /* Kafka: next offset to read per partition */
    YW_SNAP_SEC_SHARD = 3,      /* stage.c: per-cluster samples, counters */
    YW_SNAP_SEC_CLUSTER = 4,    /* cluster_snap.c (+ df.c's document frequencies) */
    YW_SNAP_SEC_SCORE = 5,      /* score_snap.c (+ window.c's rings) */
    YW_SNAP_SEC_END = 0x21444e45 /* "END!" */
};

uint32_t yw_snap_crc32c(uint32_t crc, const void *data, size_t len);

/* ---- encoding ------------------------------------------------------------ */

typedef struct yw_snap_buf {
    uint8_t *p;
    size_t len, cap;
    int err;                    /* ENOMEM seen: the buffer is incomplete */
} yw_snap_buf_t;

void yw_snap_buf_init(yw_snap_buf_t *b);
void yw_snap_buf_free(yw_snap_buf_t *b);
void yw_snap_put_bytes(yw_snap_buf_t *b, const void *p, size_t n);
void yw_snap_put_u8(yw_snap_buf_t *b, uint8_t v);
void yw_snap_put_u16(yw_snap_buf_t *b, uint16_t v);
void yw_snap_put_u32(yw_snap_buf_t *b, uint32_t v);
void yw_snap_put_u64(yw_snap_buf_t *b, uint64_t v);
void yw_snap_put_i32(yw_snap_buf_t *b, int32_t v);
void yw_snap_put_i64(yw_snap_buf_t *b, int64_t v);
void yw_snap_put_f32(yw_snap_buf_t *b, float v);     /* exact bits */
void yw_snap_put_f64(yw_snap_buf_t *b, double v);    /* exact bits */
/* u32 length + bytes (no NUL). */
void yw_snap_put_str(yw_snap_buf_t *b, const char *s);

/* ---- decoding ------------------------------------------------------------ */

typedef struct yw_snap_rd {
    const uint8_t *p;
    size_t len, pos;
    const char *err;            /* first problem, NULL while all is well */
} yw_snap_rd_t;

void yw_snap_rd_init(yw_snap_rd_t *r, const void *p, size_t len);
/* Mark r failed (the first reason wins); later reads return zeros. */
void yw_snap_fail(yw_snap_rd_t *r, const char *why);
bool yw_snap_get_bytes(yw_snap_rd_t *r, void *dst, size_t n);
uint8_t yw_snap_get_u8(yw_snap_rd_t *r);
uint16_t yw_snap_get_u16(yw_snap_rd_t *r);
uint32_t yw_snap_get_u32(yw_snap_rd_t *r);
uint64_t yw_snap_get_u64(yw_snap_rd_t *r);
int32_t yw_snap_get_i32(yw_snap_rd_t *r);
int64_t yw_snap_get_i64(yw_snap_rd_t *r);
float yw_snap_get_f32(yw_snap_rd_t *r);
double yw_snap_get_f64(yw_snap_rd_t *r);
/* A time or time-like count (ms, bucket number): INT64_MIN and INT64_MAX
 * (the modules' "none" and "never") or within +-2^50, so that arithmetic
 * on a loaded value cannot overflow; anything else fails r. */
int64_t yw_snap_get_time(yw_snap_rd_t *r);
/* A string into buf[cap] (NUL-terminated); fails when it does not fit. */
size_t yw_snap_get_str(yw_snap_rd_t *r, char *buf, size_t cap);
/* A count of items that each take at least item_min bytes: fails (and
 * returns 0) when it exceeds max or the bytes left, so a corrupt count
 * never drives a huge allocation. */
uint64_t yw_snap_get_count(yw_snap_rd_t *r, uint64_t max, size_t item_min);
/* Fails r unless every byte was read. */
void yw_snap_expect_end(yw_snap_rd_t *r);

/* ---- writing a snapshot file --------------------------------------------- */

typedef struct yw_snap_writer yw_snap_writer_t;

/* Start <dir>/snapshot.tmp for sequence number seq.  NULL with a reason. */
yw_snap_writer_t *yw_snap_writer_begin(const char *dir, uint64_t seq,
                                       char *errbuf, size_t errlen);
/* The buffer the next section is encoded into (empty). */
yw_snap_buf_t *yw_snap_writer_buf(yw_snap_writer_t *w);
/* Write the buffer as section id and empty it.  0 or -1 (sticky; commit
 * then fails). */
int yw_snap_writer_section(yw_snap_writer_t *w, uint32_t id);
/* End record, fsync, rename to snapshot.<seq>, fsync the directory, keep
 * the newest `keep` snapshots.  Frees w.  0, or -1 with a reason (the
 * temporary file is removed; the previous snapshots are untouched). */
int yw_snap_writer_commit(yw_snap_writer_t *w, int keep, char *errbuf,
                          size_t errlen);
/* Remove the temporary file and free w.  NULL is a no-op. */
void yw_snap_writer_abort(yw_snap_writer_t *w);

/* ---- reading ------------------------------------------------------------- */

typedef struct yw_snap yw_snap_t;

/* Read and validate one file.  NULL with what is wrong in errbuf
 * ("truncated ...", "checksum mismatch ...", "wrong version ...", "bad
 * magic ..."). */
yw_snap_t *yw_snap_read_file(const char *path, char *errbuf, size_t errlen);
void yw_snap_free(yw_snap_t *s);
uint64_t yw_snap_seq(const yw_snap_t *s);
const char *yw_snap_path(const yw_snap_t *s);
/* A reader over section id's payload.  0, or -1 when absent. */
int yw_snap_section(const yw_snap_t *s, uint32_t id, yw_snap_rd_t *r);

/* The sequence numbers of <dir>/snapshot.<seq> files, ascending (caller
 * frees).  Returns how many, or -1 when dir cannot be read. */
int yw_snap_list(const char *dir, uint64_t **seqs);

/* Accepts a valid snapshot (loads it into the caller's state).  0, or -1
 * with a reason (the caller must leave its state as it was before). */
typedef int (*yw_snap_accept_fn)(void *opaque, const yw_snap_t *s,
                                 char *errbuf, size_t errlen);

/* Newest first, the first file that is valid and accepted: returns its
 * sequence number (>= 1).  Each bad or refused file is logged at error
 * with its path and what is wrong, and the previous one is tried.  0 when
 * the directory holds no snapshot (or none valid: logged), -1 when the
 * directory cannot be read. */
int64_t yw_snap_load_latest(const char *dir, yw_snap_accept_fn accept,
                            void *opaque);

#endif
