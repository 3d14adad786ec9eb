/* record_json.c -- the JSON layer under the contract-v1 decoder (record.c):
 * the structural pre-scan that bounds nesting and sizes jsmn's token array,
 * unescaping and validation of JSON string bodies, and the walk over jsmn's
 * tokens that checks the real JSON grammar (jsmn, even strict, accepts
 * `{"a" "b"}`, `[1,]`, `tru`, raw control characters and trailing bytes)
 * and finds the contract's fields at the top level.  Everything here is
 * about whether a message is JSON (bad_json); what its fields mean is
 * record.c's business. */
#include "record_impl.h"

#include <stdint.h>
#include <string.h>

/* ---- structural pre-scan ------------------------------------------------------ */

/* Characters a JSON literal (number, true, false, null) can contain. */
static bool is_literal_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '+' || c == '-' || c == '.';
}

/* Lexes the message the way jsmn will, to (a) refuse nesting deeper than
 * YW_REC_MAX_DEPTH before jsmn spends O(depth) per bracket on it, and (b)
 * count the tokens jsmn will need, so the token array is sized in one go.
 * String bodies are skipped with memchr: most of a record is text. */
int ywrec_prescan(const char *js, size_t len, size_t *ntok, size_t *errpos,
                  const char **err)
{
    size_t i = 0, n = 0;
    int depth = 0;

    while (i < len) {
        char c = js[i];
        if (c == '"') {
            size_t from = i + 1;
            for (;;) {
                const char *q = memchr(js + from, '"', len - from);
                if (q == NULL) {
                    *errpos = i;
                    *err = "unterminated string";
                    return -1;
                }
                size_t k = (size_t)(q - js), bs = 0;
                while (k - bs > i + 1 && js[k - bs - 1] == '\\')
                    bs++;
                from = k + 1;
                if (bs % 2 == 0)
                    break;          /* not escaped: end of the string */
            }
            n++;
            i = from;
            continue;
        }
        if (c == '{' || c == '[') {
            n++;
            if (++depth > YW_REC_MAX_DEPTH) {
                *errpos = i;
                *err = "nesting too deep";
                return -1;
            }
        } else if (c == '}' || c == ']') {
            if (--depth < 0) {
                *errpos = i;
                *err = "unbalanced bracket";
                return -1;
            }
        } else if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' ||
                   c == 'n') {
            size_t start = i;
            while (i < len && is_literal_char(js[i]))
                i++;
            /* jsmn ends a literal only at whitespace , ] } -- anything else
             * would be swallowed into it. */
            if (i < len && !is_ws(js[i]) && js[i] != ',' && js[i] != ']' &&
                js[i] != '}') {
                *errpos = start;
                *err = "malformed literal";
                return -1;
            }
            n++;
            continue;
        } else if (!is_ws(c) && c != ',' && c != ':') {
            *errpos = i;
            *err = "unexpected character";
            return -1;
        }
        i++;
    }
    *ntok = n;
    return 0;
}

/* ---- strings ---------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static long hex4(const char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Byte position of the first '\\' or control character (< 0x20) in s, or n.
 * Eight bytes at a time: most strings have neither. */
static size_t find_special(const char *s, size_t n)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    const uint64_t highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, sizeof w);
        uint64_t bs = w ^ (ones * '\\');
        /* A zero byte in bs is a backslash; a byte < 0x20 in w is a control
         * character.  Both tests only have false positives for bytes with
         * the high bit set, which the ~w mask removes. */
        uint64_t hit = ((bs - ones) & ~bs) | ((w - ones * 0x20) & ~w);
        if (hit & highs)
            break;
    }
    for (; i < n; i++)
        if (s[i] == '\\' || (unsigned char)s[i] < 0x20)
            return i;
    return n;
}

/* Unescapes the JSON string body src[0..n) into out (room for n bytes; the
 * output is never longer than the input), or only validates it when out is
 * NULL.  Returns the output length, or -1 with *e filled.  *has_nul is set
 * when the value contains U+0000 (later stages treat strings as C strings).
 * The input is already valid UTF-8, and escapes only produce scalar values,
 * so the output is valid UTF-8 too. */
long ywrec_unescape(const char *src, size_t n, char *out, str_err_t *e,
                    bool *has_nul)
{
    size_t i = 0, o = 0;
    while (i < n) {
        size_t k = find_special(src + i, n - i);
        if (out != NULL)
            memcpy(out + o, src + i, k);
        i += k;
        o += k;
        if (i == n)
            break;
        if (src[i] != '\\') {
            e->at = i;
            e->what = "unescaped control character";
            return -1;
        }
        if (i + 1 >= n) {
            e->at = i;
            e->what = "bad escape";
            return -1;
        }
        char c = src[i + 1], r;
        switch (c) {
        case '"':  r = '"'; break;
        case '\\': r = '\\'; break;
        case '/':  r = '/'; break;
        case 'b':  r = '\b'; break;
        case 'f':  r = '\f'; break;
        case 'n':  r = '\n'; break;
        case 'r':  r = '\r'; break;
        case 't':  r = '\t'; break;
        case 'u':  r = 0; break;
        default:
            e->at = i;
            e->what = "bad escape";
            return -1;
        }
        if (c != 'u') {
            if (out != NULL)
                out[o] = r;
            o++;
            i += 2;
            continue;
        }

        long cp = i + 6 <= n ? hex4(src + i + 2) : -1;
        if (cp < 0) {
            e->at = i;
            e->what = "bad \\u escape";
            return -1;
        }
        size_t used = 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            e->at = i;
            e->what = "lone low surrogate in \\u escape";
            return -1;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            long lo = (i + 12 <= n && src[i + 6] == '\\' && src[i + 7] == 'u')
                      ? hex4(src + i + 8) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                e->at = i;
                e->what = "lone high surrogate in \\u escape";
                return -1;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
        }
        if (cp == 0)
            *has_nul = true;

        char u[4];
        size_t ul;
        if (cp < 0x80) {
            u[0] = (char)cp;
            ul = 1;
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3F));
            ul = 2;
        } else if (cp < 0x10000) {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            ul = 3;
        } else {
            u[0] = (char)(0xF0 | (cp >> 18));
            u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[3] = (char)(0x80 | (cp & 0x3F));
            ul = 4;
        }
        if (out != NULL)
            memcpy(out + o, u, ul);
        o += ul;
        i += used;
    }
    return (long)o;
}

/* ---- grammar walk over jsmn's tokens ----------------------------------------- */

static int walk_fail(walk_t *w, size_t pos, const char *what)
{
    w->errpos = pos;
    w->err = what;
    return -1;
}

static inline bool at(walk_t *w, char c)
{
    return w->p < w->len && w->js[w->p] == c;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? | true | false | null */
static bool valid_literal(const char *s, size_t n)
{
    if ((n == 4 && memcmp(s, "true", 4) == 0) ||
        (n == 5 && memcmp(s, "false", 5) == 0) ||
        (n == 4 && memcmp(s, "null", 4) == 0))
        return true;
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

/* A string token at w->p; check_body says whether to validate its escapes
 * and control characters now (known fields are checked when unescaped). */
static int walk_string(walk_t *w, bool check_body)
{
    const jsmntok_t *t = &w->t[w->ti];
    if (t->type != JSMN_STRING || !at(w, '"') || (size_t)t->start != w->p + 1 ||
        (size_t)t->end >= w->len || w->js[t->end] != '"')
        return walk_fail(w, w->p, "expected a string");
    if (check_body) {
        str_err_t e;
        bool nul = false;
        if (ywrec_unescape(w->js + t->start, (size_t)(t->end - t->start), NULL,
                           &e, &nul) < 0)
            return walk_fail(w, (size_t)t->start + e.at, e.what);
    }
    w->p = (size_t)t->end + 1;
    w->ti++;
    return 0;
}

static int walk_value(walk_t *w, int depth, bool check_body);

/* An object or array at w->p.  At the root (depth 0) the keys are matched
 * against the contract and the value token of each known field recorded. */
int ywrec_walk_container(walk_t *w, int depth)
{
    const jsmntok_t *t = &w->t[w->ti];
    bool obj = t->type == JSMN_OBJECT;
    char close = obj ? '}' : ']';

    if (depth >= YW_REC_MAX_DEPTH)
        return walk_fail(w, w->p, "nesting too deep");
    if ((size_t)t->start != w->p || !at(w, obj ? '{' : '['))
        return walk_fail(w, w->p, "malformed JSON");
    size_t end = (size_t)t->end;
    w->p++;
    w->ti++;
    skip_ws(w);
    if (at(w, close)) {
        w->p++;
        goto done;
    }
    for (;;) {
        int slot = -1;
        if (obj) {
            skip_ws(w);
            if (w->ti >= w->n || w->t[w->ti].type != JSMN_STRING)
                return walk_fail(w, w->p, "expected a key");
            const jsmntok_t *k = &w->t[w->ti];
            if (walk_string(w, true) < 0)
                return -1;
            if (depth == 0) {
                size_t klen = (size_t)(k->end - k->start);
                const char *kp = w->js + k->start;
                char kbuf[MAX_FIELD_NAME];
                if (memchr(kp, '\\', klen) != NULL && klen <= sizeof kbuf) {
                    /* An escaped key ("\u0069d") still names its field. */
                    str_err_t e;
                    bool nul = false;
                    long kl = ywrec_unescape(kp, klen, kbuf, &e, &nul);
                    klen = kl < 0 ? 0 : (size_t)kl;
                    kp = kbuf;
                }
                slot = ywrec_field_lookup(kp, klen);
            }
            skip_ws(w);
            if (!at(w, ':'))
                return walk_fail(w, w->p, "expected ':'");
            w->p++;
        }
        skip_ws(w);
        if (slot >= 0) {
            /* Duplicate keys: the last one wins, but the one it shadows
             * must still be well-formed JSON. */
            int old = w->val[slot];
            if (old >= 0 && w->t[old].type == JSMN_STRING) {
                str_err_t e;
                bool nul = false;
                const jsmntok_t *o = &w->t[old];
                if (ywrec_unescape(w->js + o->start, (size_t)(o->end - o->start),
                                   NULL, &e, &nul) < 0)
                    return walk_fail(w, (size_t)o->start + e.at, e.what);
            }
            w->val[slot] = w->ti;
        }
        if (walk_value(w, depth + 1, slot < 0) < 0)
            return -1;
        skip_ws(w);
        if (at(w, ',')) {
            w->p++;
            continue;
        }
        if (at(w, close)) {
            w->p++;
            break;
        }
        return walk_fail(w, w->p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
done:
    if (w->p != end)
        return walk_fail(w, w->p, "malformed JSON");
    return 0;
}

static int walk_value(walk_t *w, int depth, bool check_body)
{
    skip_ws(w);
    if (w->ti >= w->n)
        return walk_fail(w, w->p, "expected a value");
    const jsmntok_t *t = &w->t[w->ti];
    switch (t->type) {
    case JSMN_STRING:
        return walk_string(w, check_body);
    case JSMN_PRIMITIVE:
        if ((size_t)t->start != w->p || t->end <= t->start ||
            !valid_literal(w->js + t->start, (size_t)(t->end - t->start)))
            return walk_fail(w, w->p, "malformed literal");
        w->p = (size_t)t->end;
        w->ti++;
        return 0;
    case JSMN_OBJECT:
    case JSMN_ARRAY:
        return ywrec_walk_container(w, depth);
    default:
        return walk_fail(w, w->p, "malformed JSON");
    }
}
