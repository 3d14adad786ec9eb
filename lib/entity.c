/* entity.c -- estate, company and road names, amounts and headcounts,
 * found by suffix anchors in normalised text (see entity.h).
 *
 * Why not regex: a pattern that starts with a run of Han characters
 * (\p{Han}{2,8}小区) is tried at every position of every text and costs
 * microseconds in any engine.  Here the anchor test is one switch on the
 * code point of each Han character, and only at an anchor do we walk
 * back a few characters.  The walk-back is a heuristic: it stops at
 * punctuation, at function words and at administrative suffixes, and
 * generic names (物业公司, 附近小区) are dropped. */
#include "entity.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* ---- character tables ------------------------------------------------- */

#define HAN_LO 0x4E00
#define HAN_HI 0x9FFF

static uint8_t stop_bits[(HAN_HI - HAN_LO + 1) / 8 + 1];
/* Characters where an anchor or a quantity may start: everything else is
 * skipped with one bit test. */
static uint8_t start_bits[(HAN_HI - HAN_LO + 1) / 8 + 1];
/* The anchors' first characters alone (a subset of start_bits). */
static uint8_t anchor_bits[(HAN_HI - HAN_LO + 1) / 8 + 1];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Characters a name never contains, so the walk-back stops there: function
 * words, pronouns, administrative suffixes (the district is a place field
 * of its own; 景蓉华苑, not A2区景蓉华苑) and the last characters of verbs
 * that typically precede a name (反映, 投诉, 位于, 居住, 购买, 入住, 要堵).
 * Two-character words in front of a name are lead_words (below). */
static const char stop_chars[] =
    "的在我是了和与该这那此本其他她它们个从到对给被把为及或于住由让将等各每"
    "请找跟同市区县镇乡省映诉报买购租入近边旁面至自离往称说问处进都也就还"
    "又很更最已因所以而且但并堵";

static void put_bit(uint8_t *bits, uint32_t cp)
{
    if (cp >= HAN_LO && cp <= HAN_HI)
        bits[(cp - HAN_LO) >> 3] |= (uint8_t)(1u << ((cp - HAN_LO) & 7));
}

static inline bool get_bit(const uint8_t *bits, uint32_t cp)
{
    return cp >= HAN_LO && cp <= HAN_HI && (bits[(cp - HAN_LO) >> 3] >> ((cp - HAN_LO) & 7) & 1);
}

/* anchor first characters, then quantity starters */
static const char anchor_chars[] = "小花家新公集车大街苑城府路号";
static const char qty_chars[] = "零一二两三四五六七八九十百千几数上近";

static inline uint32_t dec3(const unsigned char *p)
{
    return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
}

static void words_init(void);

static void tables_init(void)
{
    const unsigned char *p = (const unsigned char *)stop_chars;
    while (*p) {
        put_bit(stop_bits, dec3(p));
        p += 3;
    }
    for (p = (const unsigned char *)anchor_chars; *p; p += 3) {
        put_bit(start_bits, dec3(p));
        put_bit(anchor_bits, dec3(p));
    }
    for (p = (const unsigned char *)qty_chars; *p; p += 3) put_bit(start_bits, dec3(p));
    put_bit(start_bits, 0x3007);    /* 〇 is outside the Han block: harmless */
    words_init();
}

static inline bool is_stop(uint32_t cp) { return get_bit(stop_bits, cp); }

static inline bool is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

/* Code point of the 3-byte character at p, or 0 if it is not one. */
static inline uint32_t cp3(const unsigned char *p, const unsigned char *end)
{
    if (end - p < 3 || (p[0] & 0xF0) != 0xE0) return 0;
    return dec3(p);
}

/* ---- anchors ---------------------------------------------------------- */

typedef struct {
    yw_entity_kind_t kind;
    size_t len;            /* bytes of the anchor */
    bool keep;             /* the anchor is part of the entity text */
    bool is_xiaoqu;        /* 小区: dropped after another estate suffix */
    bool han_name;         /* the name needs a Han character (12号院 is an address) */
} anchor_t;

/* Words in which a one-character anchor is not a name suffix. */
static bool excluded(uint32_t cp, uint32_t prev, uint32_t next)
{
    switch (cp) {
    case 0x57CE:   /* 城: 城市 城管 城区 城乡 城镇 城中(村) 城建 城投 城关; 县城 进城 ... 众志成城 */
        if (next == 0x5E02 || next == 0x7BA1 || next == 0x533A || next == 0x4E61 ||
            next == 0x9547 || next == 0x4E2D || next == 0x5EFA || next == 0x6295 ||
            next == 0x5173 || next == 0x5899)
            return true;
        return prev == 0x53BF || prev == 0x8FDB || prev == 0x7701 || prev == 0x4EAC ||
               prev == 0x4E3B || prev == 0x8001 || prev == 0x53E4 || prev == 0x5168 ||
               prev == 0x6EE1 || prev == 0x51FA || prev == 0x957F || prev == 0x6210;
    case 0x5E9C:   /* 府: 政府 首府 官府 */
        return prev == 0x653F || prev == 0x9996 || prev == 0x5B98;
    case 0x8DEF:   /* 路: 道路 马路 公路 线路 网路 电路 铁路 出路 思路 走路 一路 修路 堵路 拦路 带路 过路 上路 半路 跑路 好路 */
        return prev == 0x9053 || prev == 0x9A6C || prev == 0x516C || prev == 0x7EBF ||
               prev == 0x7F51 || prev == 0x7535 || prev == 0x94C1 || prev == 0x51FA ||
               prev == 0x601D || prev == 0x8D70 || prev == 0x4E00 || prev == 0x4FEE ||
               prev == 0x5835 || prev == 0x62E6 || prev == 0x5E26 || prev == 0x8FC7 ||
               prev == 0x4E0A || prev == 0x534A || prev == 0x8DD1 || prev == 0x597D ||
               next == 0x7EBF || next == 0x8D39 ||
               next == 0x706F || next == 0x51B5 || next == 0x7531;   /* 路线 路费 路灯 路况 路由 */
    case 0x8857:   /* 街: 上街 逛街 街头 街坊 */
        return prev == 0x4E0A || prev == 0x901B || next == 0x5934 || next == 0x574A;
    default:
        return false;
    }
}

/* Code point of the 3-byte character before p, or 0. */
static inline uint32_t prev_cp(const unsigned char *start, const unsigned char *p,
                               const unsigned char *end)
{
    return p - start >= 3 ? cp3(p - 3, end) : 0;
}

/* Is there an anchor starting at p (code point cp)? */
static bool anchor_at(const unsigned char *start, const unsigned char *p,
                      const unsigned char *end, uint32_t cp, anchor_t *a)
{
    uint32_t next = cp3(p + 3, end);
    /* (the character before is decoded only where an exclusion needs
     * it: 政府, 道路, 县城 ...) */
    memset(a, 0, sizeof(*a));
    a->keep = true;
    switch (cp) {
    case 0x5C0F:                                   /* 小区 */
        if (next != 0x533A) return false;
        a->kind = YW_ENT_ESTATE;
        a->len = 6;
        a->is_xiaoqu = true;
        return true;
    case 0x82B1:                                   /* 花园 */
    case 0x5BB6:                                   /* 家园 */
        if (next != 0x56ED) return false;
        a->kind = YW_ENT_ESTATE;
        a->len = 6;
        return true;
    case 0x65B0:                                   /* 新城 */
        if (next != 0x57CE) return false;
        a->kind = YW_ENT_ESTATE;
        a->len = 6;
        return true;
    case 0x516C:                                   /* 公寓 公司 */
        if (next == 0x5BD3) a->kind = YW_ENT_ESTATE;
        else if (next == 0x53F8) a->kind = YW_ENT_COMPANY;
        else return false;
        a->len = 6;
        return true;
    case 0x96C6:                                   /* 集团 */
        if (next != 0x56E2) return false;
        a->kind = YW_ENT_COMPANY;
        a->len = 6;
        return true;
    case 0x8F66:                                   /* 车贷 (P2P platforms) */
        if (next != 0x8D37) return false;
        a->kind = YW_ENT_COMPANY;
        a->len = 6;
        return true;
    case 0x5927:                                   /* 大道 */
        if (next != 0x9053) return false;
        a->kind = YW_ENT_ROAD;
        a->len = 6;
        return true;
    case 0x8857:                                   /* 街道, 街 */
        a->kind = YW_ENT_ROAD;
        a->len = next == 0x9053 ? 6 : 3;
        return a->len == 6 || !excluded(cp, prev_cp(start, p, end), next);
    case 0x53F7:                                   /* 号院 (北辰壹号院, not 12号院) */
        if (next != 0x9662) return false;
        a->kind = YW_ENT_ESTATE;
        a->len = 6;
        a->han_name = true;
        return true;
    case 0x82D1:                                   /* 苑 城 府 */
    case 0x57CE:
    case 0x5E9C:
        a->kind = YW_ENT_ESTATE;
        a->len = 3;
        return !excluded(cp, prev_cp(start, p, end), next);
    case 0x8DEF:                                   /* 路 */
        a->kind = YW_ENT_ROAD;
        a->len = 3;
        return !excluded(cp, prev_cp(start, p, end), next);
    default:
        return false;
    }
}

/* Estate suffixes that make a following 小区 redundant (丽发新城小区). */
static bool ends_with_estate_suffix(const unsigned char *start, const unsigned char *p)
{
    if (p - start < 3) return false;
    uint32_t c1 = dec3(p - 3);
    if (c1 == 0x82D1 || c1 == 0x57CE || c1 == 0x5E9C) return true;   /* 苑 城 府 */
    if (p - start < 6) return false;
    uint32_t c0 = dec3(p - 6);
    return (c1 == 0x56ED && (c0 == 0x82B1 || c0 == 0x5BB6)) ||       /* 花园 家园 */
           (c1 == 0x5BD3 && c0 == 0x516C);                           /* 公寓 */
}

/* Legal-form words between a company's name and 公司; walked over without
 * counting toward the name length. */
static const unsigned char *skip_legal_form(const unsigned char *start,
                                            const unsigned char *p)
{
    static const char *const forms[] = {"有限责任", "股份有限", "有限"};
    for (size_t i = 0; i < 3; i++) {
        size_t l = strlen(forms[i]);
        if ((size_t)(p - start) >= l && !memcmp(p - l, forms[i], l)) return p - l;
    }
    return p;
}

/* Walk back from p over name characters; returns the name start, and the
 * number of characters walked in *nchars. */
static const unsigned char *walk_back(const unsigned char *start, const unsigned char *p,
                                      size_t *nchars)
{
    size_t n = 0;
    bool ascii = false;          /* walked an ASCII run: a prefix like "58" */
    while (p > start && n < YW_ENTITY_MAX_CHARS) {
        unsigned c = p[-1];
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                p--;
                n++;
                ascii = true;
                continue;
            }
            break;
        }
        /* Han before an ASCII run belongs to the sentence, not the name:
         * 投资58车贷 -> 58车贷 */
        if (ascii) break;
        const unsigned char *q = p - 1;
        while (q > start && (*q & 0xC0) == 0x80) q--;
        if (p - q != 3) break;
        uint32_t cp = dec3(q);
        if (!is_han(cp) || is_stop(cp)) break;
        p = q;
        n++;
    }
    *nchars = n;
    return p;
}

/* Two-or-more-character "names" that are really common words. */
static const char *const generic_names[] = {
    "物业", "开发", "房地产", "开发商", "建筑", "劳务", "施工", "保险", "快递",
    "电力", "燃气", "自来水", "供水", "供电", "网络", "科技", "管理", "物流",
    "担保", "投资", "经营", "运输", "公交", "客运", "周边", "附近", "隔壁",
    "对面", "整个", "所有", "很多", "其他", "这个", "那个", "一个", "业主",
    "居民", "一些", "部分", "原来", "以前", "现在", "目前", "老旧", "新建",
    "商品房", "安置", "保障", "有关", "相关", "涉事", "涉案", "同一", "一家",
    "多家", "几家", "整体", "全部", "大型", "小型", "私人", "民营", "国有",
};

#define N_GENERIC (sizeof(generic_names) / sizeof(generic_names[0]))

/* Words that end the phrase in front of a name rather than begin the name:
 * verbs and adverbs whose last character is not a stop character (需要,
 * 没有, 占用, 解决 ...; "成立专班解决御景湾花园" names 御景湾花园), and nouns
 * that stand before one (楼盘, 售房: "问题楼盘邦安华城").  A name walked back
 * over one starts after the last one it holds.  Found wrong in the shared
 * citizen messages and the generator's templates (bench/README.md
 * "Names read whole"). */
static const char *const lead_words[] = {
    "解决", "要求", "需要", "没有", "什么", "占用", "侵犯", "违反", "违规",
    "满足", "代表", "逼迫", "维护", "关心", "关注", "罢免", "扬言", "退出",
    "隐瞒", "责怪", "担心", "盼望", "打造", "修建", "利用", "开设", "考虑",
    "保护", "保卫", "疏通", "回复", "处理", "整治", "导致", "靠近", "经过",
    "通过", "前往", "成立", "专班", "牵头", "督促", "冻结", "起诉", "拖欠",
    "讨要", "恢复", "公开", "查清", "调查", "修复", "停止", "阻止", "杜绝",
    "取缔", "关停", "拆除", "强制", "征收", "指导", "监督", "无视", "损害",
    "占据", "实现", "决定", "涉嫌", "当成", "借口", "未经", "不上", "包括",
    "以及", "还有", "比如", "例如", "其中", "另外", "特别", "尤其", "一下",
    "一段", "楼盘", "售房", "事实", "现任", "随意", "长期", "随着", "必定",
    "目前", "分流", "帮助", "作为", "联系", "找到", "来自", "涉及", "针对",
    "卷款", "发商", "之前", "之后", "以前", "现在", "去年", "要去",
    "前去", "回去", "建议", "严重", "影响", "根据", "政府", "部门", "打击",
    "多次", "领导", "重视", "批准", "协调", "上访", "明知", "规划", "优化",
    "前期", "一家", "一条", "多走", "必经", "毁坏",
};

#define N_LEAD (sizeof(lead_words) / sizeof(lead_words[0]))

/* Each list as a small hash set: is_generic runs for every name found,
 * and comparing against each entry in turn cost more than the walk-back.
 * A word is keyed by its length and first 9 bytes (every word listed is
 * 2-3 Han characters, at most 9 bytes; longer names are never in one). */
#define WORD_KEY_MAX 9
#define WORD_BITS 9
#define WORD_SLOTS (1 << WORD_BITS)     /* >= 2x the words: short probes */
_Static_assert(2 * N_GENERIC <= WORD_SLOTS && 2 * N_LEAD <= WORD_SLOTS,
               "a word set at most half full");

typedef struct {
    uint64_t head;       /* bytes 0..7, zero-padded */
    uint32_t tail;       /* length << 8 | byte 8; 0 = empty slot */
} word_key_t;

static word_key_t generic_set[WORD_SLOTS], lead_set[WORD_SLOTS];

static inline word_key_t word_key(const unsigned char *s, size_t len)
{
    word_key_t k = {0, (uint32_t)len << 8};
    memcpy(&k.head, s, len < 8 ? len : 8);
    if (len > 8) k.tail |= s[8];
    return k;
}

static inline size_t word_slot(word_key_t k)
{
    return (size_t)(((k.head ^ k.tail) * 0x9E3779B97F4A7C15ull) >> (64 - WORD_BITS));
}

static bool in_set(const word_key_t *set, const unsigned char *s, size_t len)
{
    if (len < 6 || len > WORD_KEY_MAX) return false;   /* 2-3 Han characters */
    word_key_t k = word_key(s, len);
    for (size_t i = word_slot(k);; i = (i + 1) % WORD_SLOTS) {
        if (set[i].tail == 0) return false;
        if (set[i].tail == k.tail && set[i].head == k.head) return true;
    }
}

static bool is_generic(const unsigned char *s, size_t len)
{
    return in_set(generic_set, s, len);
}

static void set_fill(word_key_t *set, const char *const *words, size_t n)
{
    for (size_t g = 0; g < n; g++) {
        size_t len = strlen(words[g]);
        /* (the lookup's length test assumes this) */
        if (len < 6 || len > WORD_KEY_MAX) abort();
        word_key_t k = word_key((const unsigned char *)words[g], len);
        size_t i = word_slot(k);
        while (set[i].tail) i = (i + 1) % WORD_SLOTS;
        set[i] = k;
    }
}

static void words_init(void)
{
    set_fill(generic_set, generic_names, N_GENERIC);
    set_fill(lead_set, lead_words, N_LEAD);
}

/* A house number in front of a name is the address, not the name:
 * "望湖大道188号御景湾花园" names 御景湾花园.  (ASCII is only ever at a
 * walked name's front.)  *nchars loses the characters skipped. */
static const unsigned char *skip_house_number(const unsigned char *ns,
                                              const unsigned char *end, size_t *nchars)
{
    const unsigned char *q = ns;
    while (q < end && *q >= '0' && *q <= '9') q++;
    if (q == ns || end - q < 3 || memcmp(q, "\xE5\x8F\xB7", 3) != 0)   /* 号 */
        return ns;
    *nchars -= (size_t)(q - ns) + 1;
    return q + 3;
}

/* The name walked back to ns, ending at end, without the phrase in front
 * of it: it starts after the last lead word it holds (looked for among
 * its Han characters, from the end; an ASCII prefix is only ever at the
 * front).  *nchars becomes the characters left when one is found. */
static const unsigned char *trim_lead(const unsigned char *ns, const unsigned char *end,
                                      size_t *nchars)
{
    size_t k = 0;
    for (const unsigned char *q = end;
         q - ns >= 6 && (q[-3] & 0xF0) == 0xE0 && (q[-6] & 0xF0) == 0xE0; q -= 3, k++) {
        if (in_set(lead_set, q - 6, 6)) {
            *nchars = k;
            return q;
        }
    }
    return ns;
}

/* ---- output ----------------------------------------------------------- */

static const char *const kind_names[YW_ENT_KIND_COUNT] = {
    "estate", "company", "road", "amount", "headcount",
};

const char *yw_entity_kind_name(yw_entity_kind_t kind)
{
    return (unsigned)kind < YW_ENT_KIND_COUNT ? kind_names[kind] : "?";
}

typedef struct {
    yw_entity_t *out;
    size_t *n, cap;
    unsigned per_kind[YW_ENT_KIND_COUNT];
    size_t added;
} sink_t;

uint64_t yw_entity_term(yw_entity_kind_t kind, const char *text, size_t len)
{
    /* term text is "<kind>:<text>" */
    char buf[16 + YW_ENTITY_TEXT_MAX];
    const char *kn = yw_entity_kind_name(kind);
    size_t kl = strlen(kn);
    if (len > YW_ENTITY_TEXT_MAX - 1) len = YW_ENTITY_TEXT_MAX - 1;
    memcpy(buf, kn, kl);
    buf[kl] = ':';
    memcpy(buf + kl + 1, text, len);
    return yw_text_term(YW_TERM_ENTITY, buf, kl + 1 + len);
}

static bool kind_full(const sink_t *k, yw_entity_kind_t kind)
{
    return k->per_kind[kind] >= YW_ENTITY_PER_KIND || *k->n >= k->cap;
}

static void emit(sink_t *k, yw_entity_kind_t kind, const unsigned char *base,
                 const unsigned char *s, size_t len)
{
    if (kind_full(k, kind)) return;
    if (len >= YW_ENTITY_TEXT_MAX) {
        len = YW_ENTITY_TEXT_MAX - 1;
        while (len > 0 && (s[len] & 0xC0) == 0x80) len--;   /* whole chars */
    }
    for (size_t i = 0; i < *k->n; i++)
        if (k->out[i].kind == kind && strlen(k->out[i].text) == len &&
            !memcmp(k->out[i].text, s, len))
            return;
    yw_entity_t *e = &k->out[(*k->n)++];
    e->kind = kind;
    e->off = (uint32_t)(s - base);
    e->len = (uint32_t)len;
    memcpy(e->text, s, len);
    e->text[len] = '\0';
    e->term = yw_entity_term(kind, (const char *)s, len);
    k->per_kind[kind]++;
    k->added++;
}

/* Could a quantity start at p?  Only at the start of a digit run or of a
 * run of Chinese numerals (or 上/近 before one). */
static bool qty_start(const unsigned char *start, const unsigned char *p,
                      const unsigned char *end, uint32_t cp)
{
    if (cp < 0x80) {
        if (!(cp >= '0' && cp <= '9')) return false;
        if (p > start) {
            unsigned c = p[-1];
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.') return false;
        }
        return true;
    }
    switch (cp) {
    case 0x96F6: case 0x3007: case 0x4E00: case 0x4E8C: case 0x4E24: case 0x4E09:
    case 0x56DB: case 0x4E94: case 0x516D: case 0x4E03: case 0x516B: case 0x4E5D:
    case 0x5341: case 0x767E: case 0x5343: case 0x51E0: case 0x6570:
    case 0x4E0A: case 0x8FD1:
        break;
    default:
        return false;
    }
    if (p > start && p[-1] >= '0' && p[-1] <= '9') return false;   /* 20万: read at 2 */
    return true;
}

/* The scan: every character is visited in order, except those inside an
 * entity or anchor just read (skipped, as a regex engine would).  Only a
 * few characters can start anything -- an anchor's first character, a
 * numeral, an ASCII digit -- so the work is split: visit() does it at one
 * such position, and either scan_all() finds the positions itself or the
 * tokenizer has noted them already (yw_entity_extract_marks).  A position
 * visit() is handed needlessly does nothing. */
typedef struct {
    const unsigned char *start, *end;
    const char *str;
    size_t len;
    sink_t k;
    const yw_text_marks_t *marks;  /* when visiting marks: the tokenizer's
                                      quantities at them */
    size_t mi;                     /* the mark being visited */
    const unsigned char *next;     /* positions before it were skipped */
    const unsigned char *num_end;  /* just after a numeral that started
                                      nothing: a quantity cannot start here */
} scan_t;

static void scan_init(scan_t *sc, const char *str, size_t len, yw_entity_t *out, size_t *n,
                      size_t cap)
{
    pthread_once(&tables_once, tables_init);
    sc->start = (const unsigned char *)str;
    sc->end = sc->start + len;
    sc->str = str;
    sc->len = len;
    sc->k = (sink_t){out, n, cap, {0}, 0};
    for (size_t i = 0; i < *n; i++)
        if ((unsigned)out[i].kind < YW_ENT_KIND_COUNT) sc->k.per_kind[out[i].kind]++;
    sc->marks = NULL;
    sc->mi = 0;
    sc->next = sc->start;
    sc->num_end = NULL;
}

/* A quantity at p?  At a mark, the tokenizer may have read it already. */
static bool quantity_at(const scan_t *sc, const unsigned char *p, yw_qty_t *q)
{
    if (sc->marks && sc->start + sc->marks->pos[sc->mi] == p)
        return yw_text_marks_quantity(sc->marks, sc->mi, sc->str, sc->len, q);
    return yw_text_quantity_at(sc->str, sc->len, (size_t)(p - sc->start), q);
}

static void emit_qty(scan_t *sc, const unsigned char *p, const yw_qty_t *q)
{
    yw_entity_kind_t kind = q->kind == YW_QTY_AMOUNT ? YW_ENT_AMOUNT : YW_ENT_HEADCOUNT;
    emit(&sc->k, kind, sc->start, p, q->len);
    sc->next = p + q->len;
}

/* The character at p (a character boundary) may start an entity. */
static void visit(scan_t *sc, const unsigned char *p)
{
    const unsigned char *start = sc->start, *end = sc->end;
    yw_qty_t q;

    if (p < sc->next || *sc->k.n >= sc->k.cap) return;
    /* a numeral right before p that started nothing: then p continues it */
    bool prev_num = sc->num_end == p;
    sc->num_end = NULL;
    unsigned c = *p;
    if (c < 0x80) {
        if (c >= '0' && c <= '9' && qty_start(start, p, end, c) && quantity_at(sc, p, &q))
            emit_qty(sc, p, &q);
        return;
    }
    if ((c & 0xF0) != 0xE0 || end - p < 3) return;
    uint32_t cp = dec3(p);
    if (!get_bit(start_bits, cp)) return;
    anchor_t a;
    /* (the bit test spares the numerals anchor_at's set-up) */
    if (get_bit(anchor_bits, cp) && anchor_at(start, p, end, cp, &a)) {
        if (!kind_full(&sc->k, a.kind)) {
            const unsigned char *name_end = p;
            if (a.kind == YW_ENT_COMPANY) name_end = skip_legal_form(start, p);
            size_t nch;
            const unsigned char *ns = walk_back(start, name_end, &nch);
            ns = skip_house_number(ns, name_end, &nch);
            ns = trim_lead(ns, name_end, &nch);
            bool redundant = a.is_xiaoqu && ends_with_estate_suffix(start, p);
            /* (a name's ASCII is only ever at its front: it ends in ASCII
             * when it is all ASCII) */
            bool address = a.han_name && nch > 0 && name_end[-1] < 0x80;
            if (nch >= 2 && !redundant && !address && !is_generic(ns, (size_t)(name_end - ns)))
                emit(&sc->k, a.kind, start, ns, (size_t)(p - ns) + (a.keep ? a.len : 0));
        }
        sc->next = p + a.len;
        return;
    }
    if (qty_start(start, p, end, cp)) {
        if (!prev_num && quantity_at(sc, p, &q))
            emit_qty(sc, p, &q);
        else
            sc->num_end = p + 3;
    }
}

/* Find the positions visit() needs by looking at every character. */
static void scan_all(scan_t *sc)
{
    const unsigned char *p = sc->start, *end = sc->end;
    while (p < end && *sc->k.n < sc->k.cap) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c >= '0' && c <= '9') visit(sc, p);
            p++;
        } else if ((c & 0xF0) != 0xE0) {      /* 2- and 4-byte characters */
            p += c >= 0xF0 ? 4 : 2;
        } else {
            if (get_bit(start_bits, dec3(p))) visit(sc, p);
            p += 3;
        }
    }
}

size_t yw_entity_extract(const char *str, size_t len, yw_entity_t *out, size_t *n,
                         size_t cap)
{
    scan_t sc;
    scan_init(&sc, str, len, out, n, cap);
    scan_all(&sc);
    return sc.k.added;
}

size_t yw_entity_extract_marks(const char *str, size_t len, const yw_text_marks_t *marks,
                               yw_entity_t *out, size_t *n, size_t cap)
{
    scan_t sc;
    scan_init(&sc, str, len, out, n, cap);
    if (marks->overflow) {
        scan_all(&sc);
    } else {
        sc.marks = marks;
        for (sc.mi = 0; sc.mi < marks->n; sc.mi++) visit(&sc, sc.start + marks->pos[sc.mi]);
    }
    return sc.k.added;
}

const uint8_t *yw_entity_start_bits(void)
{
    pthread_once(&tables_once, tables_init);
    return start_bits;
}
