/* test_agg.c - summary.json written piece by piece (agg_write_document)
 * is byte for byte the document built whole and printed by cJSON
 * (cJSON_Print(agg_document(&run, 1))), on runs shaped like mtasim's and
 * on the edge cases of cJSON's layout: empty objects and arrays, arrays
 * whose elements have no name (copied whole, not taken apart), strings
 * with newlines and quotes, no figure section, no "engine", a run that
 * already carries "figures" and "replications". */
#include "report/agg.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const runs[] = {
    /* mtasim's shape: sections, queues and daily rows named, engine */
    "{\"seed\":1,\"totals\":{\"injected\":5,\"delivered\":4.5},"
    "\"latency_s\":{\"p50\":0.25,\"p95\":null},"
    "\"queues\":[{\"queue\":\"a.com/v1\",\"delivered\":1,"
    "\"latency_s\":{\"p50\":0.5,\"hist\":[1,2,3]},\"mode\":\"normal\"},"
    "{\"queue\":\"b.com/v1\",\"delivered\":2,\"latency_s\":{\"p50\":null,"
    "\"hist\":[]},\"mode\":\"backoff\"}],"
    "\"providers\":[{\"provider\":\"gmail\",\"replies\":{\"250 ok\":3}}],"
    "\"daily\":[{\"row\":\"day 1\",\"sent\":3},{\"row\":\"day 2\",\"sent\":0}],"
    "\"engine\":{\"events\":12,\"wall_s\":0.125},\"version\":\"x\"}",
    /* an array whose elements are not all named: copied, not expanded */
    "{\"queues\":[{\"delivered\":1},{\"queue\":\"b\",\"delivered\":2}],"
    "\"engine\":{}}",
    /* no figure section and no engine: figures come last, empty */
    "{\"seed\":7,\"version\":\"v\"}",
    /* old figures and replications are replaced */
    "{\"figures\":{\"x\":1},\"totals\":{\"a\":1},\"replications\":3,"
    "\"engine\":{\"e\":1}}",
    /* strings that need escapes; empty containers at every depth */
    "{\"totals\":{\"note\":\"a\\nb \\\"q\\\" \\u00e9\\t\",\"o\":{},\"a\":[]},"
    "\"queues\":[],\"streams\":[{\"stream\":\"s\\n1\",\"x\":[{},[],"
    "{\"k\":[{\"z\":1}]}]}],\"engine\":{\"w\":1.5}}",
    /* numbers cJSON prints in its two precisions */
    "{\"totals\":{\"a\":1e300,\"b\":-0.0,\"c\":1234567.125,\"d\":0.1,"
    "\"e\":3}}",
};

static void check_same(const char *json, size_t k)
{
    cJSON *run = cJSON_Parse(json);
    CHECK(run != NULL, "case %zu does not parse", k);
    if (run == NULL)
        return;
    cJSON *doc = agg_document(&run, 1);
    char *want = cJSON_Print(doc);
    char *got = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&got, &len);
    CHECK_INT(agg_write_document(fp, run), 0);
    fclose(fp);
    CHECK(strcmp(got, want) == 0, "case %zu:\n--- streamed\n%s\n--- whole\n%s",
          k, got, want);
    free(got);
    cJSON_free(want);
    cJSON_Delete(doc);
    cJSON_Delete(run);
}

int main(void)
{
    for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++)
        check_same(runs[k], k);
    return test_done();
}
