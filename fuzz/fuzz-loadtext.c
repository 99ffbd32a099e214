/*
 * fuzz-loadtext.c - libFuzzer target for the small text parsers of the load
 * model: dates (pl_day_parse), event times and kinds (pl_event_parse_when,
 * pl_event_kind_parse), sport names (pl_sport_parse), and profile
 * assignments "KEY=VALUE" (pl_profile_set, into a fresh in-memory store).
 *
 * The input is split at newlines; each line goes to every parser. A line
 * must never crash, read out of bounds or overflow; pl_profile_set must
 * either accept all its assignments or change nothing, and a refused set
 * must say why.
 */
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

#define LINES_MAX 16
#define LINE_BYTES_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char lines[LINES_MAX][LINE_BYTES_MAX];
    const char *argv[LINES_MAX];
    size_t n = 0, at = 0;
    while (at < size && n < LINES_MAX) {
        size_t len = 0;
        while (at + len < size && data[at + len] != '\n' && len < LINE_BYTES_MAX - 1)
            len++;
        memcpy(lines[n], data + at, len);
        lines[n][len] = '\0';
        argv[n] = lines[n];
        n++;
        at += len + 1;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t day, minute;
        (void)pl_day_parse(lines[i], &day);
        (void)pl_event_parse_when(lines[i], &day, &minute);
        (void)pl_event_kind_parse(lines[i]);
        (void)pl_sport_parse(lines[i]);
    }
    struct pl_store *s = NULL;
    struct pl_diag d;
    if (pl_store_open(&s, ":memory:", &d) != 0)
        return 0;
    int rc = pl_profile_set(s, argv, n, &d);
    if (rc != 0 && d.msg[0] == '\0')
        abort(); /* a refusal must say why */
    pl_store_close(s);
    return 0;
}
