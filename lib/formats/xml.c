/*
 * xml.c - a small streaming XML reader over expat, for GPX and TCX.
 *
 * It turns expat's callbacks into the few events the format readers need
 * (element start with attributes, element end with its text when asked
 * for), and puts a limit on everything a hostile document could make
 * grow: nesting depth, one run of text, one unfinished token (expat keeps a
 * whole start tag or comment in its buffer until it ends). DOCTYPE is
 * refused outright: GPX and TCX never need one, and without a DTD no
 * entity can be declared, so the "billion laughs" expansion and external
 * entities cannot happen whatever expat's own defences are.
 *
 * Names are compared without their namespace prefix. Real files bind the
 * same namespace to many prefixes (gpxtpx:, ns3:, tp1:, none), and GPX
 * extensions are often written with prefixes they never declare, which a
 * namespace-aware parser would reject; matching local names accepts them
 * all at the cost of not telling two vocabularies that reuse a name apart,
 * which the readers do by context (the parent element) where it matters.
 *
 * It is not a general XML API: no DOM, no namespaces, no validation.
 */
#include <expat.h>
#include <stdarg.h>
#include <string.h>

#include "formats/xml.h"

/* Input is handed to expat in pieces of at most this many bytes, so that
 * the token limit is checked often. */
#define XML_PIECE_BYTES (64 * 1024)

struct pl__xml {
    XML_Parser p;
    struct pl__xml_format *fmt;
    struct pl__xml_format *(*choose)(void *ctx, const char *root, int *rc);
    void *choose_ctx;
    uint32_t line0, col0;

    unsigned depth;
    unsigned collect_depth;   /* depth of the element whose text is kept */
    char *text;               /* its text so far, NUL-terminated */
    size_t text_n, text_cap;
    size_t run_n;             /* bytes of the current run of text */
    size_t since_event;       /* bytes fed since the last expat callback */

    int err;                  /* first error, sticky */
    struct pl_diag diag;
};

static void *mm_malloc(size_t n) { return pl__malloc(n); }
static void *mm_realloc(void *p, size_t n) { return pl__realloc(p, n); }
static void mm_free(void *p) { pl__free(p); }

static const char *local_name(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

const char *pl__xml_attr(const char **attrs, const char *name)
{
    for (size_t i = 0; attrs && attrs[i]; i += 2)
        if (strcmp(local_name(attrs[i]), name) == 0)
            return attrs[i + 1];
    return NULL;
}

void pl__xml_where(const struct pl__xml *x, uint32_t *line, uint32_t *col)
{
    uint64_t l = XML_GetCurrentLineNumber(x->p);
    uint64_t c = XML_GetCurrentColumnNumber(x->p) + 1;  /* expat's is 0-based */
    if (l <= 1) {
        l = 1;
        c += x->col0 - 1;
    }
    l += x->line0 - 1;
    *line = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
    *col = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static void vfail(struct pl__xml *x, int code, const char *fmt, va_list ap)
{
    if (x->err)
        return;
    x->err = code;
    pl_diag_clear(&x->diag);
    x->diag.code = code;
    pl__xml_where(x, &x->diag.line, &x->diag.col);
    vsnprintf(x->diag.msg, sizeof x->diag.msg, fmt, ap);
    XML_StopParser(x->p, XML_FALSE);
}

void pl__xml_fail(struct pl__xml *x, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(x, code, fmt, ap);
    va_end(ap);
}

void pl__xml_warn(struct pl__xml *x, struct pl__emit *e, const char *fmt, ...)
{
    struct pl_diag w;
    pl_diag_clear(&w);
    w.code = PL_EFORMAT;
    pl__xml_where(x, &w.line, &w.col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w.msg, sizeof w.msg, fmt, ap);
    va_end(ap);
    pl__emit_warning(e, &w);
}

void pl__xml_collect(struct pl__xml *x)
{
    x->collect_depth = x->depth;
    x->text_n = 0;
    if (x->text)
        x->text[0] = '\0';
}

unsigned pl__xml_depth(const struct pl__xml *x) { return x->depth; }

struct pl__xml_format *pl__xml_format(struct pl__xml *x) { return x->fmt; }

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct pl__xml *x = ud;
    if (x->err)
        return;
    x->since_event = 0;
    x->run_n = 0;
    if (x->depth >= PL_XML_DEPTH_MAX) {
        pl__xml_fail(x, PL_ELIMIT, "elements nested deeper than %d", PL_XML_DEPTH_MAX);
        return;
    }
    x->depth++;
    const char *local = local_name(name);
    if (x->depth == 1) {
        int rc = 0;
        x->fmt = x->choose(x->choose_ctx, local, &rc);
        if (!x->fmt) {
            if (rc == PL_ENOMEM)
                pl__xml_fail(x, PL_ENOMEM, "out of memory");
            else
                pl__xml_fail(x, rc ? rc : PL_EUNSUPPORTED,
                             "root element <%.60s> is neither GPX nor TCX", name);
            return;
        }
    }
    if (x->fmt && x->fmt->on_start)
        x->fmt->on_start(x->fmt->ctx, x, local, (const char **)atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct pl__xml *x = ud;
    if (x->err)
        return;
    x->since_event = 0;
    x->run_n = 0;
    const char *text = NULL;
    size_t n = 0;
    if (x->collect_depth == x->depth && x->collect_depth) {
        text = x->text ? x->text : "";
        n = x->text_n;
        x->collect_depth = 0;
    }
    if (x->fmt && x->fmt->on_end)
        x->fmt->on_end(x->fmt->ctx, x, local_name(name), text, n);
    x->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct pl__xml *x = ud;
    if (x->err || len <= 0)
        return;
    x->since_event = 0;
    size_t n = (size_t)len;
    if (n > PL_XML_TEXT_BYTES_MAX - x->run_n) {
        pl__xml_fail(x, PL_ELIMIT, "text longer than %d bytes", PL_XML_TEXT_BYTES_MAX);
        return;
    }
    x->run_n += n;
    if (x->collect_depth != x->depth || !x->collect_depth)
        return;
    if (x->text_n + n + 1 > x->text_cap) {
        /* text_n <= PL_XML_TEXT_BYTES_MAX: the run limit above bounds it. */
        size_t cap = x->text_cap ? x->text_cap : 64;
        while (cap < x->text_n + n + 1)
            cap *= 2;
        char *t = pl__realloc(x->text, cap);
        if (!t) {
            pl__xml_fail(x, PL_ENOMEM, "out of memory");
            return;
        }
        x->text = t;
        x->text_cap = cap;
    }
    memcpy(x->text + x->text_n, s, n);
    x->text_n += n;
    x->text[x->text_n] = '\0';
}

static void XMLCALL on_comment(void *ud, const XML_Char *data)
{
    (void)data;
    struct pl__xml *x = ud;
    x->since_event = 0;
}

static void XMLCALL on_pi(void *ud, const XML_Char *target, const XML_Char *data)
{
    (void)target;
    (void)data;
    struct pl__xml *x = ud;
    x->since_event = 0;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    pl__xml_fail(ud, PL_EUNSUPPORTED, "DOCTYPE declarations are not accepted in GPX or TCX");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_length,
                                   const XML_Char *base, const XML_Char *sysid,
                                   const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_length;
    (void)base, (void)sysid, (void)pubid, (void)notation;
    pl__xml_fail(ud, PL_EUNSUPPORTED, "entity declarations are not accepted");
}

struct pl__xml *pl__xml_new(struct pl__xml_format *(*choose)(void *ctx, const char *root,
                                                            int *rc),
                            void *choose_ctx, uint32_t line0, uint32_t col0)
{
    static const XML_Memory_Handling_Suite mm = { mm_malloc, mm_realloc, mm_free };
    struct pl__xml *x = pl__calloc(1, sizeof *x);
    if (!x)
        return NULL;
    /* No namespace processing (see the top of this file); the encoding
     * comes from the document's declaration or BOM, UTF-8 by default. */
    x->p = XML_ParserCreate_MM(NULL, &mm, NULL);
    if (!x->p) {
        pl__free(x);
        return NULL;
    }
    x->choose = choose;
    x->choose_ctx = choose_ctx;
    x->line0 = line0 ? line0 : 1;
    x->col0 = col0 ? col0 : 1;
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetCommentHandler(x->p, on_comment);
    XML_SetProcessingInstructionHandler(x->p, on_pi);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity_decl);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    return x;
}

static int expat_error(struct pl__xml *x, struct pl_diag *diag)
{
    enum XML_Error e = XML_GetErrorCode(x->p);
    int code = e == XML_ERROR_NO_MEMORY ? PL_ENOMEM : PL_EFORMAT;
    x->err = code;
    pl_diag_clear(&x->diag);
    x->diag.code = code;
    pl__xml_where(x, &x->diag.line, &x->diag.col);
    snprintf(x->diag.msg, sizeof x->diag.msg, "XML: %s", XML_ErrorString(e));
    if (diag)
        *diag = x->diag;
    return code;
}

int pl__xml_feed(struct pl__xml *x, const void *buf, size_t n, bool last,
                 struct pl_diag *diag)
{
    const char *p = buf;
    if (x->err)
        goto failed;
    do {
        size_t k = n > XML_PIECE_BYTES ? XML_PIECE_BYTES : n;
        bool final = last && k == n;
        x->since_event += k;
        if (XML_Parse(x->p, p, (int)k, final) != XML_STATUS_OK) {
            if (x->err)
                goto failed;
            return expat_error(x, diag);
        }
        if (x->err)
            goto failed;
        if (x->since_event > PL_XML_TOKEN_BYTES_MAX) {
            pl__xml_fail(x, PL_ELIMIT, "an XML token longer than %d bytes",
                         PL_XML_TOKEN_BYTES_MAX);
            goto failed;
        }
        if (k == 0)
            break;
        p += k;
        n -= k;
    } while (n > 0);
    return 0;
failed:
    if (diag)
        *diag = x->diag;
    return x->err;
}

void pl__xml_free(struct pl__xml *x)
{
    if (!x)
        return;
    if (x->fmt && x->fmt->free)
        x->fmt->free(x->fmt->ctx);
    XML_ParserFree(x->p);
    pl__free(x->text);
    pl__free(x);
}
