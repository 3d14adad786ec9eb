/* test_rules.c -- rule loading (good and bad files), matching, negation,
 * fields, prefilter confirmation, reload. */
#include <hs/hs.h>
#include <stdarg.h>
#include <string.h>

#include "rules.h"
#include "text.h"
#include "yw_test.h"

static char *bad_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "%s/rules_bad/%s", YW_TEST_DATA, name);
    return buf;
}

/* Load one bad file; expect failure and return the joined messages. */
static char *load_bad(const char *name, size_t *count)
{
    yw_rules_errors_t errs = {0};
    const char *p = bad_path(name);
    yw_rules_t *r = yw_rules_load(&p, 1, &errs);
    CHECK(r == NULL);
    yw_rules_destroy(r);
    static char all[4096];
    all[0] = '\0';
    for (size_t i = 0; i < errs.count; i++) {
        strncat(all, errs.msgs[i], sizeof(all) - strlen(all) - 2);
        strcat(all, "\n");
    }
    *count = errs.count;
    yw_rules_errors_free(&errs);
    return all;
}

/* Loading one bad file fails with n messages, which read as want_fmt
 * prints them (the caller passes the file's path for each %s). */
__attribute__((format(printf, 3, 4)))
static void check_bad(const char *name, size_t n, const char *want_fmt, ...)
{
    size_t got;
    char *m = load_bad(name, &got);
    CHECK_EQ_INT(got, n);
    char want[2048];
    va_list ap;
    va_start(ap, want_fmt);
    vsnprintf(want, sizeof(want), want_fmt, ap);
    va_end(ap);
    CHECK_EQ_STR(m, want);
}

TEST(test_load_starter_set)
{
    yw_rules_errors_t errs = {0};
    const char *p = YW_SOURCE_DIR "/rules";
    yw_rules_t *r = yw_rules_load(&p, 1, &errs);
    yw_rules_errors_print(&errs, stderr);
    REQUIRE(r != NULL);
    CHECK_EQ_INT(errs.count, 0);
    CHECK(yw_rules_pattern_count(r) >= 60);
    CHECK(yw_rules_count(r) >= 15);
    int kinds[YW_RULE_KIND_COUNT] = {0};
    for (uint32_t i = 0; i < yw_rules_count(r); i++) kinds[yw_rules_kind(r, i)]++;
    for (int k = 0; k < YW_RULE_KIND_COUNT; k++) CHECK(kinds[k] > 0);
    CHECK_EQ_INT(yw_rules_check(&p, 1, stderr), 0);
    yw_rules_destroy(r);
    yw_rules_errors_free(&errs);
}

TEST(test_bad_regex_caret)
{
    /* PCRE2 reports offset 13 = the end of "拖欠(工资" (3+3+1+3+3 bytes);
     * the caret sits under display column 2+2+1+2+2 = 9 after the indent */
    check_bad("bad_regex.yaml", 1,
              "%s:8: rule wage_arrears: PCRE2 error at offset 13: missing closing "
              "parenthesis\n    拖欠(工资\n             ^\n",
              bad_path("bad_regex.yaml"));
}

TEST(test_bad_kind)
{
    check_bad("bad_kind.yaml", 1,
              "%s:13:11: rules[3].kind: 'domian' is not one of domain, escalation, "
              "emotion, deflection, selfharm\n", bad_path("bad_kind.yaml"));
}

TEST(test_unknown_key)
{
    /* the unknown key, and then patterns is missing */
    check_bad("unknown_key.yaml", 2,
              "%s:5:5: rules[0].paterns: unknown key; did you mean 'patterns'?\n"
              "%s:3:5: rules[0]: missing required key 'patterns'\n",
              bad_path("unknown_key.yaml"), bad_path("unknown_key.yaml"));
}

TEST(test_missing_name_and_kind)
{
    check_bad("missing_name.yaml", 2,
              "%s:3:5: rules[0]: missing required key 'name'\n"
              "%s:3:5: rules[0]: missing required key 'kind'\n",
              bad_path("missing_name.yaml"), bad_path("missing_name.yaml"));
}

TEST(test_yaml_syntax)
{
    size_t n;
    char *m = load_bad("yaml_syntax.yaml", &n);
    CHECK_EQ_INT(n, 1);
    char prefix[1024];
    snprintf(prefix, sizeof(prefix), "%s:6:1: YAML: ", bad_path("yaml_syntax.yaml"));
    CHECK(strncmp(m, prefix, strlen(prefix)) == 0);
    if (strncmp(m, prefix, strlen(prefix)) != 0) fprintf(stderr, "got: %s", m);
}

TEST(test_duplicates)
{
    size_t n;
    char *m = load_bad("duplicate.yaml", &n);
    CHECK_EQ_INT(n, 2);
    CHECK(strstr(m, ":5:5: rules[0].kind: duplicate key (first at line 4)") != NULL);
    CHECK(strstr(m, ":7:11: rules[1].name: duplicate rule name 'noise' (first defined at ") != NULL);
}

TEST(test_all_errors_reported_and_check)
{
    /* a directory of bad files: every file's errors, in name order */
    const char *p = YW_TEST_DATA "/rules_bad";
    FILE *out = tmpfile();
    REQUIRE(out);
    int n = yw_rules_check(&p, 1, out);
    CHECK_EQ_INT(n, 9);
    rewind(out);
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof(line), out)) lines++;
    CHECK(lines >= 11);          /* the regex error spans 3 lines */
    fclose(out);
    const char *missing = "/nonexistent/rules.yaml";
    CHECK_EQ_INT(yw_rules_check(&missing, 1, stderr), 1);
}

static const char *rules_yaml =
    "rules:\n"
    "  - name: wage\n"
    "    kind: domain\n"
    "    weight: 3\n"
    "    patterns: ['欠薪', '拖欠.{0,8}工资']\n"
    "    negate: ['不是欠薪', '(已|已经)(解决|结清)']\n"
    "  - name: p2p\n"
    "    kind: domain\n"
    "    patterns: ['(?<![a-z0-9])p2p']\n"
    "  - name: petition\n"
    "    kind: escalation\n"
    "    weight: 4\n"
    "    fields: [text]\n"
    "    patterns: ['上访', '拉横幅']\n"
    "  - name: deflect\n"
    "    kind: deflection\n"
    "    patterns: ['不归我办']\n";

/* The starter set (yaml NULL) or an inline one; NULL if it does not load. */
static yw_rules_t *load_set(const char *yaml)
{
    if (!yaml) {
        const char *p = YW_SOURCE_DIR "/rules";
        return yw_rules_load(&p, 1, NULL);
    }
    return yw_rules_load_string("inline.yaml", yaml, strlen(yaml), NULL);
}

static int match(const yw_rules_t *r, yw_rules_scratch_t *s, yw_field_t f,
                 const char *raw, yw_rule_hit_t *hits, size_t *nhits)
{
    char norm[1024];
    size_t n = yw_text_normalize(raw, strlen(raw), norm, sizeof(norm));
    return yw_rules_match(r, s, f, norm, n, hits, nhits, 16);
}

static int hit(const yw_rules_t *r, const yw_rule_hit_t *hits, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(yw_rules_name(r, hits[i].rule), name)) return 1;
    return 0;
}

/* The patterns as loaded, for tools (bench_rules): in file order, each
 * with its rule, exact ones with Hyperscan's UTF-8 flags, a lookbehind
 * one as a prefilter. */
TEST(test_pattern_accessor)
{
    yw_rules_errors_t errs = {0};
    yw_rules_t *r = yw_rules_load_string("inline.yaml", rules_yaml, strlen(rules_yaml), &errs);
    yw_rules_errors_print(&errs, stderr);
    REQUIRE(r);
    CHECK_EQ_INT((int)yw_rules_pattern_count(r), 6);
    uint32_t rule = 99;
    unsigned flags = 0;
    CHECK_EQ_STR(yw_rules_pattern(r, 1, &rule, &flags), "拖欠.{0,8}工资");
    CHECK_EQ_STR(yw_rules_name(r, rule), "wage");
    CHECK((flags & HS_FLAG_UTF8) && (flags & HS_FLAG_UCP) && !(flags & HS_FLAG_PREFILTER));
    CHECK_EQ_STR(yw_rules_pattern(r, 2, &rule, &flags), "(?<![a-z0-9])p2p");
    CHECK_EQ_STR(yw_rules_name(r, rule), "p2p");
    CHECK(flags & HS_FLAG_PREFILTER);
    CHECK_EQ_STR(yw_rules_pattern(r, 5, &rule, NULL), "不归我办");
    CHECK_EQ_STR(yw_rules_name(r, rule), "deflect");
    yw_rules_destroy(r);
}

TEST(test_matching)
{
    yw_rules_errors_t errs = {0};
    yw_rules_t *r = yw_rules_load_string("inline.yaml", rules_yaml, strlen(rules_yaml), &errs);
    yw_rules_errors_print(&errs, stderr);
    REQUIRE(r);
    char err[128];
    yw_rules_scratch_t *s = yw_rules_scratch_create(r, err, sizeof(err));
    REQUIRE(s);
    yw_rule_hit_t hits[16];
    size_t n;

    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TEXT, "公司拖欠我们三个月的工资，我们要去上访！", hits, &n), 2);
    CHECK(hit(r, hits, n, "wage") && hit(r, hits, n, "petition"));
    for (size_t i = 0; i < n; i++)
        if (!strcmp(yw_rules_name(r, hits[i].rule), "wage")) {
            CHECK_EQ_INT(hits[i].kind, YW_RULE_DOMAIN);
            CHECK(hits[i].weight == 3.0f);
            CHECK_EQ_INT(hits[i].field, YW_FIELD_TEXT);
        }

    /* negation context in a window around the match */
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TEXT, "这不是欠薪的问题，是合同纠纷", hits, &n), 0);
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TEXT, "欠薪问题已经解决了", hits, &n), 0);
    /* ...but a second, un-negated match still counts */
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TEXT,
                       "这不是欠薪的问题。另外，隔壁工地老板跑了，一百多个工人又被欠薪", hits, &n), 1);

    /* fields: petition only in text; deflection only in reply */
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TITLE, "要去上访", hits, &n), 0);
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TEXT, "他说不归我办", hits, &n), 0);
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_REPLY, "此事不归我办，请向区里反映", hits, &n), 1);
    CHECK(hit(r, hits, n, "deflect"));
    CHECK_EQ_INT(hits[0].kind, YW_RULE_DEFLECTION);

    /* a rule hits once per record across fields */
    n = 0;
    match(r, s, YW_FIELD_TITLE, "欠薪", hits, &n);
    match(r, s, YW_FIELD_TEXT, "欠薪欠薪", hits, &n);
    CHECK_EQ_INT(n, 1);

    /* lookbehind: Hyperscan prefilter + PCRE2 confirmation */
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TEXT, "P2P平台跑路", hits, &n), 1);
    n = 0;
    CHECK_EQ_INT(match(r, s, YW_FIELD_TEXT, "xp2p平台", hits, &n), 0);

    /* hot reload: a new rule set, the same scratch fitted to it */
    const char *y2 = "rules:\n  - name: noise\n    kind: domain\n    patterns: ['噪音']\n";
    yw_rules_t *r2 = yw_rules_load_string("r2.yaml", y2, strlen(y2), NULL);
    REQUIRE(r2);
    CHECK_EQ_INT(yw_rules_scratch_fit(s, r2, err, sizeof(err)), 0);
    yw_rules_destroy(r);
    n = 0;
    CHECK_EQ_INT(match(r2, s, YW_FIELD_TEXT, "工地噪音扰民，欠薪", hits, &n), 1);
    CHECK_EQ_STR(yw_rules_name(r2, hits[0].rule), "noise");
    /* each field is scanned with its own rules only: no rule of r2 reads
     * the reply (its scan is skipped), the title shares the text's */
    n = 0;
    CHECK_EQ_INT(match(r2, s, YW_FIELD_REPLY, "噪音", hits, &n), 0);
    n = 0;
    CHECK_EQ_INT(match(r2, s, YW_FIELD_TITLE, "噪音", hits, &n), 1);
    CHECK_EQ_INT(YW_TERM_KIND(yw_rules_term(r2, 0)), YW_TERM_RULE);
    CHECK(yw_rules_term(r2, 0) == yw_text_term(YW_TERM_RULE, "rule:noise", 10));

    yw_rules_scratch_destroy(s);
    yw_rules_destroy(r2);
    yw_rules_destroy(NULL);
    yw_rules_scratch_destroy(NULL);
}

TEST(test_starter_set_matches)
{
    yw_rules_t *r = load_set(NULL);
    REQUIRE(r);
    char err[128];
    yw_rules_scratch_t *s = yw_rules_scratch_create(r, err, sizeof(err));
    REQUIRE(s);
    yw_rule_hit_t hits[16];
    size_t n = 0;
    match(r, s, YW_FIELD_TEXT,
          "丽发新城延期交房两年，几十户业主联名去北京上访，拉横幅，没人管，真的寒心，不想活了", hits, &n);
    CHECK(hit(r, hits, n, "unfinished_housing"));
    CHECK(hit(r, hits, n, "joint_petition"));
    CHECK(hit(r, hits, n, "petition_upward"));
    CHECK(hit(r, hits, n, "street_action"));
    CHECK(hit(r, hits, n, "nobody_cares"));
    CHECK(hit(r, hits, n, "despair"));
    CHECK(hit(r, hits, n, "selfharm_threat"));
    n = 0;
    match(r, s, YW_FIELD_REPLY, "经核实，该事项不属于我单位职责范围，建议您向区住建局反映。", hits, &n);
    CHECK(hit(r, hits, n, "not_our_remit"));
    CHECK(hit(r, hits, n, "redirect_elsewhere"));
    n = 0;
    match(r, s, YW_FIELD_TEXT, "我们不会去上访，也不会自杀，只想要个说法", hits, &n);
    CHECK(!hit(r, hits, n, "petition_upward"));
    CHECK(!hit(r, hits, n, "selfharm_threat"));
    yw_rules_scratch_destroy(s);
    yw_rules_destroy(r);
}

/* yw_rules_match_title_text gives exactly the hits, in the order, of
 * yw_rules_match on the title and then on the text: with rule sets that
 * allow one joint scan (the starter set; an inline set with negation,
 * a prefilter pattern and a gap that would reach across the joint) and
 * with sets that do not (a text-only rule; an anchored pattern), on
 * random titles and texts built from words the rules look for.  Covers a
 * match that would span the joint ("拖欠" | "工资"), a pattern reported
 * in the title and negated there but not in the text (the text is then
 * scanned alone), empty fields. */
static int lcg_pick(uint64_t *s, int n)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((*s >> 33) % (uint64_t)n);
}

/* Rules of the inline sets below. */
#define WAGE_RULE                                                           \
    "  - name: wage\n    kind: domain\n    weight: 3\n"                     \
    "    patterns: ['欠薪', '拖欠.{0,8}工资']\n"                             \
    "    negate: ['不是欠薪', '(已|已经)(解决|结清)']\n"
#define PETITION_RULE "  - name: petition\n    kind: escalation\n    patterns: ['上访', '联名']\n"

/* The hits b (nb, `added` by the call under test) are a's, in order. */
static void same_hits(const yw_rule_hit_t *a, size_t na, const yw_rule_hit_t *b, size_t nb,
                      int added)
{
    CHECK_EQ_INT(added, (int)nb);
    CHECK_EQ_INT(nb, na);
    for (size_t i = 0; i < na && i < nb; i++) {
        CHECK_EQ_INT(b[i].rule, a[i].rule);
        CHECK_EQ_INT(b[i].field, a[i].field);
        CHECK_EQ_INT(b[i].kind, a[i].kind);
        CHECK(b[i].weight == a[i].weight);
    }
}

static void same_joint_hits(const yw_rules_t *r, yw_rules_scratch_t *s, const char *title_raw,
                            const char *text_raw)
{
    char t[1024], x[1024];
    size_t tl = yw_text_normalize(title_raw, strlen(title_raw), t, sizeof(t));
    size_t xl = yw_text_normalize(text_raw, strlen(text_raw), x, sizeof(x));
    yw_rule_hit_t a[32], b[32];
    size_t na = 0, nb = 0;
    REQUIRE(yw_rules_match(r, s, YW_FIELD_TITLE, t, tl, a, &na, 32) >= 0);
    REQUIRE(yw_rules_match(r, s, YW_FIELD_TEXT, x, xl, a, &na, 32) >= 0);
    int added = yw_rules_match_title_text(r, s, t, tl, x, xl, b, &nb, 32);
    same_hits(a, na, b, nb, added);
}

TEST(test_title_text_joint_scan)
{
    static const char *const sets[] = {
        NULL,                                            /* the starter set */
        "rules:\n"
        WAGE_RULE
        "  - name: p2p\n    kind: domain\n    patterns: ['(?<![a-z0-9])p2p']\n"
        PETITION_RULE,
        NULL,                                            /* rules_yaml: text-only rule */
        "rules:\n"
        "  - name: wage\n    kind: domain\n    patterns: ['欠薪', '^工资']\n"
        "  - name: petition\n    kind: escalation\n    patterns: ['上访']\n",
    };
    static const char *const words[] = {
        "欠薪", "不是欠薪", "拖欠", "工资", "p2p", "xp2p", "上访", "已经解决", "的", "，",
        "联名", "几十户业主", "寒心", "没人管", "拆迁", "不是拆迁", "烂尾", "电梯坏了", "x",
    };
    const int nw = (int)(sizeof(words) / sizeof(words[0]));
    for (size_t si = 0; si < sizeof(sets) / sizeof(sets[0]); si++) {
        yw_rules_t *r = load_set(si == 2 ? rules_yaml : sets[si]);
        REQUIRE(r);
        char err[128];
        yw_rules_scratch_t *s = yw_rules_scratch_create(r, err, sizeof(err));
        REQUIRE(s);
        same_joint_hits(r, s, "", "");
        same_joint_hits(r, s, "欠薪", "");
        same_joint_hits(r, s, "", "欠薪");
        same_joint_hits(r, s, "拖欠", "工资");             /* not across the joint */
        same_joint_hits(r, s, "不是欠薪", "欠薪了");       /* negated in the title only */
        same_joint_hits(r, s, "欠薪", "工资没发");
        uint64_t seed = 11 + si;
        for (int round = 0; round < 400; round++) {
            char t[512] = "", x[512] = "";
            int nt = lcg_pick(&seed, 5), nx = lcg_pick(&seed, 9);
            for (int k = 0; k < nt; k++) strcat(t, words[lcg_pick(&seed, nw)]);
            for (int k = 0; k < nx; k++) strcat(x, words[lcg_pick(&seed, nw)]);
            same_joint_hits(r, s, t, x);
        }
        yw_rules_scratch_destroy(s);
        yw_rules_destroy(r);
    }
}

/* yw_rules_match_fields gives exactly the hits, in the order, of
 * yw_rules_match_title_text and then yw_rules_match on the reply, with
 * hit caps of 32 and 3.  Sets: the starter set; one whose reply rules
 * also read the text, look for words the title and text rules look for
 * too, have negation (confirmed with PCRE2) and a gap; one with two
 * reply rules that end at the same byte ("推诿" and "诿": their order is
 * then not set by the scan, and the record takes separate scans); one
 * whose reply pattern is anchored (no joint scan at all).  Covers a reply
 * pattern that matches in the title or text before the reply, a title
 * pattern that matches only in the reply, a title report that fails its
 * confirmation, empty fields. */
static void same_fields_hits(const yw_rules_t *r, yw_rules_scratch_t *s, const char *title_raw,
                             const char *text_raw, const char *reply_raw)
{
    char t[1024], x[1024], y[1024];
    size_t tl = yw_text_normalize(title_raw, strlen(title_raw), t, sizeof(t));
    size_t xl = yw_text_normalize(text_raw, strlen(text_raw), x, sizeof(x));
    size_t yl = yw_text_normalize(reply_raw, strlen(reply_raw), y, sizeof(y));
    for (size_t cap = 3; cap <= 32; cap += 29) {
        yw_rule_hit_t a[32], b[32];
        size_t na = 0, nb = 0;
        REQUIRE(yw_rules_match_title_text(r, s, t, tl, x, xl, a, &na, cap) >= 0);
        REQUIRE(yw_rules_match(r, s, YW_FIELD_REPLY, y, yl, a, &na, cap) >= 0);
        int added = yw_rules_match_fields(r, s, t, tl, x, xl, y, yl, b, &nb, cap);
        same_hits(a, na, b, nb, added);
    }
}

TEST(test_title_text_reply_joint_scan)
{
    static const char *const sets[] = {
        NULL,                                            /* the starter set */
        "rules:\n"
        WAGE_RULE
        PETITION_RULE
        "  - name: remit\n    kind: deflection\n    weight: 2\n"
        "    patterns: ['不归我(办|们管)', '欠薪', '建议.{0,6}向.{0,8}(反映|投诉)']\n"
        "    negate: ['不是不归我']\n"
        "  - name: court\n    kind: deflection\n    fields: [text, title, reply]\n"
        "    patterns: ['起诉', '上访']\n",
        "rules:\n"
        "  - name: wage\n    kind: domain\n    patterns: ['欠薪']\n"
        "  - name: shirk\n    kind: deflection\n    patterns: ['推诿']\n"
        "  - name: shirk2\n    kind: deflection\n    weight: 2\n    patterns: ['诿', '起诉']\n",
        "rules:\n"
        "  - name: wage\n    kind: domain\n    patterns: ['欠薪']\n"
        "  - name: remit\n    kind: deflection\n    patterns: ['^不归我办', '起诉']\n",
    };
    static const char *const words[] = {
        "欠薪", "不是欠薪", "拖欠", "工资", "上访", "已经解决", "的", "，", "联名", "不归我办",
        "不是不归我办", "建议您向法院反映", "起诉", "推诿", "诿", "多次答复", "不属于我局职责",
        "通过司法途径", "x",
    };
    const int nw = (int)(sizeof(words) / sizeof(words[0]));
    for (size_t si = 0; si < sizeof(sets) / sizeof(sets[0]); si++) {
        yw_rules_t *r = load_set(sets[si]);
        REQUIRE(r);
        char err[128];
        yw_rules_scratch_t *s = yw_rules_scratch_create(r, err, sizeof(err));
        REQUIRE(s);
        same_fields_hits(r, s, "", "", "");
        same_fields_hits(r, s, "欠薪", "上访", "");
        same_fields_hits(r, s, "", "欠薪", "不归我办");
        same_fields_hits(r, s, "欠薪", "", "不归我办");
        same_fields_hits(r, s, "不归我办", "起诉", "不归我办起诉");   /* reported earlier */
        same_fields_hits(r, s, "工资", "拖欠", "欠薪上访");           /* only in the reply */
        same_fields_hits(r, s, "不是欠薪", "欠薪了", "不是不归我办");  /* negated */
        same_fields_hits(r, s, "x", "推诿", "推诿");                  /* a tie */
        uint64_t seed = 101 + si;
        for (int round = 0; round < 500; round++) {
            char t[512] = "", x[512] = "", y[512] = "";
            int nt = lcg_pick(&seed, 4), nx = lcg_pick(&seed, 8), ny = lcg_pick(&seed, 6);
            for (int k = 0; k < nt; k++) strcat(t, words[lcg_pick(&seed, nw)]);
            for (int k = 0; k < nx; k++) strcat(x, words[lcg_pick(&seed, nw)]);
            for (int k = 0; k < ny; k++) strcat(y, words[lcg_pick(&seed, nw)]);
            same_fields_hits(r, s, t, x, y);
        }
        yw_rules_scratch_destroy(s);
        yw_rules_destroy(r);
    }
}

int main(void)
{
    RUN(test_load_starter_set);
    RUN(test_bad_regex_caret);
    RUN(test_bad_kind);
    RUN(test_unknown_key);
    RUN(test_missing_name_and_kind);
    RUN(test_yaml_syntax);
    RUN(test_duplicates);
    RUN(test_all_errors_reported_and_check);
    RUN(test_pattern_accessor);
    RUN(test_matching);
    RUN(test_starter_set_matches);
    RUN(test_title_text_joint_scan);
    RUN(test_title_text_reply_joint_scan);
    return yw_test_done();
}
