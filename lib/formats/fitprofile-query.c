/*
 * fitprofile-query.c - look-ups in the generated FIT profile tables.
 *
 * The tables (fitprofile.c) are generated and sorted: messages by number,
 * fields by number, type values by value; the generator guarantees it and
 * tests/unit/test-fitprofile.c checks it, which is what makes the binary
 * searches here valid. This file only reads the tables; it knows nothing of
 * decoding.
 */
#include <string.h>

#include "formats/fitprofile.h"

const struct pl_fit_msg_info *pl__fit_msg_info(uint16_t global)
{
    size_t lo = 0, hi = pl__fit_nmsgs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct pl_fit_msg_info *m = &pl__fit_msgs[mid];

        if (m->num == global)
            return m;
        if (m->num < global)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct pl_fit_field_info *pl__fit_field_info(
    const struct pl_fit_msg_info *m, uint8_t num)
{
    size_t lo = 0, hi;

    if (!m)
        return NULL;
    hi = m->nfields;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct pl_fit_field_info *f = &m->fields[mid];

        if (f->pub.num == num)
            return f;
        if (f->pub.num < num)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *pl_fit_profile_version(void)
{
    return pl__fit_profile_version;
}

const char *pl_fit_enum_name(uint16_t type, uint32_t v)
{
    const struct pl_fit_type *t;
    size_t lo = 0, hi;

    if (type >= pl__fit_ntypes)
        return NULL;
    t = &pl__fit_types[type];
    hi = t->nvalues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct pl_fit_enum_entry *e = &t->values[mid];

        if (e->value == v)
            return e->name;
        if (e->value < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *pl_fit_msg_name(uint16_t global)
{
    const struct pl_fit_msg_info *m = pl__fit_msg_info(global);

    return m ? m->name : NULL;
}

/* A linear scan: about a hundred names, and callers (command-line filters)
 * ask once, not per message. */
int pl_fit_msg_num(const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < pl__fit_nmsgs; i++)
        if (strcmp(pl__fit_msgs[i].name, name) == 0)
            return pl__fit_msgs[i].num;
    return -1;
}
