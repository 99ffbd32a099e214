/*
 * err.c - error names and messages, and filling a struct pl_diag.
 *
 * The names and messages come from the one list in pliant.h
 * (PL_ERRNO_MAP), so a new error cannot be added to one and not the other.
 */
#include <string.h>

#include "base/internal.h"

static const char *const err_names[] = {
#define X_(name, msg) "PL_E" #name,
    PL_ERRNO_MAP(X_)
#undef X_
};
static const char *const err_msgs[] = {
#define X_(name, msg) msg,
    PL_ERRNO_MAP(X_)
#undef X_
};
_Static_assert(PL_ARRAY_LEN(err_names) == PL_ERR_COUNT_, "error table");

const char *pl_err_name(int err)
{
    return err >= 0 && err < PL_ERR_COUNT_ ? err_names[err] : "PL_E?";
}

const char *pl_strerror(int err)
{
    return err >= 0 && err < PL_ERR_COUNT_ ? err_msgs[err] : "unknown error";
}

void pl_diag_clear(struct pl_diag *d)
{
    if (!d)
        return;
    memset(d, 0, sizeof *d);
    d->offset = UINT64_MAX;
}

static void vfill(struct pl_diag *d, int code, const char *fmt, va_list ap)
{
    d->code = code;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

int pl__diag(struct pl_diag *d, int code, uint64_t offset, const char *fmt, ...)
{
    if (!d)
        return code;
    pl_diag_clear(d);
    d->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vfill(d, code, fmt, ap);
    va_end(ap);
    return code;
}

int pl__diag_lc(struct pl_diag *d, int code, uint32_t line, uint32_t col,
                const char *fmt, ...)
{
    if (!d)
        return code;
    pl_diag_clear(d);
    d->line = line;
    d->col = col;
    va_list ap;
    va_start(ap, fmt);
    vfill(d, code, fmt, ap);
    va_end(ap);
    return code;
}
