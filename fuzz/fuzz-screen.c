/*
 * fuzz-screen.c - libFuzzer target for self-screen answers files
 * (lib/recovery/screen.c, pl_screen_answers_parse) against the default protocol's
 * screening, and for what follows a successful parse: the evaluation and
 * the record.
 *
 * An error must have a message, a known code and a place inside the input
 * (or none); answers that parse must be answers (every red flag given),
 * and the result must hold what the header promises: a stopped screen has
 * no program, a program has two sessions a day of routines that exist.
 * The record gives its answers back (pl_screen_record_answers), also when
 * the stored text is the raw input; and the therapist's summary of the
 * result is made as text and HTML without scripts.
 * A crash, a sanitizer report or an abort() is a bug.
 */
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

static struct pl_protocol *proto;
static struct pl_screening scr;
static struct pl_screen_result res;
static struct pl_screen_record rec, raw;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pl_diag d;
    if (!proto) {
        if (pl_protocol_builtin(NULL, &proto, &d) != PL_OK ||
            pl_screening_read(proto, &scr, NULL, NULL, &d) != PL_OK)
            abort();
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xA8 ||
                 data[i] == 0xA9;
    struct pl_screen_answers a;
    pl_screen_answers_init(&a);
    /* The input as a stored answers text. */
    memset(&raw, 0, sizeof raw);
    memcpy(raw.answers, data, size < sizeof raw.answers - 1 ? size : sizeof raw.answers - 1);
    if (pl_screen_record_answers(&scr, &raw, &a) > sizeof raw.answers)
        abort();
    pl_screen_answers_init(&a);
    int rc = pl_screen_answers_parse(&scr, data, size, &a, &d);
    if (rc != PL_OK) {
        if (!d.msg[0] || (rc != PL_EFORMAT && rc != PL_ELIMIT && rc != PL_ENOMEM) ||
            d.line > lines)
            abort();
        return 0;
    }
    for (size_t i = 0; i < scr.n; i++) {
        if (a.a[i] == PL_ANSWER_NONE || a.a[i] > PL_ANSWER_UNSURE)
            abort();
    }
    pl_screen_evaluate(&scr, &a, &res);
    if (res.stopped && (res.nsessions || res.then))
        abort();
    if (res.nsessions && res.nsessions != 2u * scr.days)
        abort();
    for (size_t i = 0; i < res.nsessions; i++)
        for (size_t k = 0; k < res.sessions[i].nroutines; k++)
            if (!pl_protocol_routine_find(proto, res.sessions[i].routines[k]->id))
                abort();
    pl_screen_record_fill(&scr, &a, &res, "hamstrings", 0, &rec);
    if (strlen(rec.answers) >= sizeof rec.answers)
        abort();
    struct pl_screen_answers back;
    pl_screen_answers_init(&back);
    if (pl_screen_record_answers(&scr, &rec, &back) != 0 || memcmp(back.a, a.a, scr.n) != 0)
        abort();
    struct pl_screen_summary sum;
    memset(&sum, 0, sizeof sum);
    sum.protocol = proto;
    sum.screening = &scr;
    sum.record = &rec;
    sum.answers = &a;
    sum.result = &res;
    sum.previous = &rec;
    char *out;
    size_t n;
    if (pl_screen_summary_text(&sum, &out, &n, &d) == PL_OK)
        pl_free(out);
    if (pl_screen_summary_html(&sum, &out, &n, &d) == PL_OK) {
        if (strstr(out, "<script"))
            abort();
        pl_free(out);
    }
    return 0;
}
