/* test_cfg_spl.c - smtp-pattern-list rules: actions, their checks, and
 * first-match-wins, case-insensitive matching (UG5 §3.3.15). */
#include "config/cfg_spl.h"
#include "test.h"

#include <string.h>

struct rule_case {
    const char *text;
    int ok;
    const char *actions; /* canonical actions, or the error text */
};

static const struct rule_case rules[] = {
    { "/RP-001/ mode=backoff", 1, "mode=backoff" },
    { "/RP-001/ mode=backoff,backoff-to-normal-after=1h", 1,
      "mode=backoff,backoff-to-normal-after=1h" },
    { "/x/ mode=backoff, backoff-to-normal-after=never", 1,
      "mode=backoff,backoff-to-normal-after=never" },
    { "/x/ mode=normal", 1, "mode=normal" },
    { "/x/ skip-mx", 1, "skip-mx" },
    { "/x/ bounce-queue", 1, "bounce-queue" },
    { "/x/ bounce-rcpt", 1, "bounce-rcpt" },
    { "/x/ disable-source-ip,reenable-after=30m", 1,
      "disable-source-ip,reenable-after=30m" },
    { "/x/ defer-queue,mode=backoff", 1, "mode=backoff,defer-queue" },
    { "// bounce-queue", 1, "bounce-queue" },
    { "/a\\/b/ skip-mx", 1, "skip-mx" },
    { "/x/", 0, "rule has no action" },
    { "/x/ ", 0, "rule has no action" },
    { "x mode=backoff", 0, "expected '/REGEX/' after 'reply'" },
    { "/x mode=backoff", 0, "regular expression has no closing '/'" },
    { "/x/i mode=backoff", 0,
      "flags after the closing '/' are not PowerMTA "
      "syntax (matching is already case-insensitive)" },
    { "/x/ mode=fast", 0, "unknown action 'mode=fast'" },
    { "/x/ mode=backoff,mode=normal", 0,
      "'mode=backoff' and 'mode=normal' in one rule" },
    { "/x/ backoff-to-normal-after=1h", 0,
      "'backoff-to-normal-after=' needs 'mode=backoff' before it in the same "
      "rule" },
    { "/x/ reenable-after=1h", 0,
      "'reenable-after=' needs 'disable-source-ip' before it in the same "
      "rule" },
    { "/x/ skip-mx,bounce-queue", 0,
      "'skip-mx' cannot be combined with 'bounce-queue'" },
    { "/x/ recheck-after=1h", 0,
      "'recheck-after' is not a PowerMTA action; did you mean "
      "'reenable-after=' or 'backoff-to-normal-after='?" },
    { "/x/ mode=backoff,backoff-to-normal-after=1x", 0,
      "invalid interval '1x': unknown time unit 'x'" },
    { "/x/ mode=backoff,", 0, "empty action after ','" },
    { "/x/ mode=backoff skip-mx", 0, "expected ',' between actions" },
    { "/(unclosed/ skip-mx", 0,
      "invalid regular expression: missing closing "
      "parenthesis" },
};

static void test_rules(void)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        struct cfg_spl_rule r;
        struct cfgv_err e;
        int rc = cfg_spl_parse_rule(rules[i].text, &r, &e);
        CHECK(rc == (rules[i].ok ? 0 : -1), "'%s': rc %d", rules[i].text, rc);
        if (rc == 0) {
            char act[256];
            cfg_spl_format_actions(&r, act, sizeof(act));
            CHECK_STR(act, rules[i].actions);
            cfg_spl_rule_release(&r);
        } else {
            CHECK_STR(e.msg, rules[i].actions);
        }
    }
}

static void add(struct cfg_spl *l, const char *text)
{
    struct cfg_spl_rule r;
    struct cfgv_err e;
    int rc = cfg_spl_parse_rule(text, &r, &e);
    CHECK(rc == 0, "'%s': %s", text, e.msg);
    if (rc == 0)
        cfg_spl_add(l, &r);
}

static void test_match(void)
{
    struct cfg_spl l;
    memset(&l, 0, sizeof(l));
    add(&l, "/^421 .*RP-001/ mode=backoff,backoff-to-normal-after=1h");
    add(&l, "/(?-i)^421 .*TSS04/ mode=backoff");
    add(&l, "/^421/ defer-queue");
    add(&l, "/^5\\d\\d .*\\x23blocked/ bounce-queue");
    add(&l, "/^4/ skip-mx");
    const struct {
        const char *reply;
        int rule; /* index, -1 = none */
    } cases[] = {
        { "421 RP-001 (BAY004) Unfortunately, messages ...", 0 },
        { "421 rp-001 lower case matches: case-insensitive", 0 },
        { "421 4.7.0 [TSS04] Messages temporarily deferred", 1 },
        { "421 4.7.0 [tss04] (?-i) makes this one case-sensitive", 2 },
        { "421 4.3.2 Service not available", 2 },
        { "554 5.7.1 #blocked by policy", 3 },
        { "451 4.7.650 The mail server has been temporarily rate limited", 4 },
        { "250 2.0.0 OK", -1 },
        { "", -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct cfg_spl_rule *r = cfg_spl_match(&l, cases[i].reply);
        int got = r ? (int)(r - l.rules) : -1;
        CHECK(got == cases[i].rule, "'%s': rule %d, want %d", cases[i].reply,
              got, cases[i].rule);
    }
    CHECK(l.rules[0].backoff_to_normal_after_s == 3600, "btna %g",
          l.rules[0].backoff_to_normal_after_s);
    CHECK(l.rules[1].backoff_to_normal_after_s < 0, "unset btna %g",
          l.rules[1].backoff_to_normal_after_s);
    CHECK(cfg_spl_match(NULL, "421") == NULL, "NULL list matches nothing");
    cfg_spl_release(&l);
}

int main(void)
{
    test_rules();
    test_match();
    return test_done();
}
