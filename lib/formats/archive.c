/*
 * archive.c - walk files, folders and archives, and hand each file's bytes
 * to a handler (lib/import/import.c), reading everything in memory.
 *
 * What it is for: a runner gives `pliant import` a folder, a .fit.gz, a
 * Strava export (a zip of .fit.gz and activities.csv) or a Garmin export
 * (zips inside a zip). The walker finds every file in them, in a
 * deterministic order, and streams each one out of its container through
 * libarchive without writing anything to disk. It decides what is a
 * container by the first bytes (gzip, zip, tar), never by the name alone.
 *
 * What it is not: it does not know what an activity is (the handler does)
 * and it never writes a file, so a name inside an archive ("../../x") is
 * only a name.
 *
 * Archives are hostile input twice over: their bytes, and what the bytes
 * expand to. Every entry's expansion is capped in size and in ratio to its
 * compressed bytes, all expansion in one walk is capped, and so are the
 * entries per archive and the nesting depth (lib/base/pl_limits.h,
 * docs/internals/import.md). Zip files are read in libarchive's streaming
 * mode, entry by entry from the local headers, so that memory does not
 * grow with the number of entries (the seekable mode loads the whole
 * central directory first).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/walk.h"

/* Bytes asked of a source in one read by pl__src_read_all. */
#define CHUNK_BYTES (256 * 1024)
/* Bytes handed to libarchive per read callback. Small, because the ratio
 * check of an entry cannot see what libarchive read ahead before the entry
 * began (up to about a block), and must allow for it: the smaller the
 * block, the sooner a zip bomb is caught. 32 KiB is still few calls. */
#define ARCH_BLOCK_BYTES (32 * 1024)

void pl__walk_limits_init(struct pl__walk_limits *l)
{
    l->entry_bytes_max = PL_IMPORT_ENTRY_BYTES_MAX;
    l->total_bytes_max = PL_IMPORT_TOTAL_BYTES_MAX;
    l->ratio_max = PL_IMPORT_RATIO_MAX;
    l->ratio_grace_bytes = PL_IMPORT_RATIO_GRACE_BYTES;
    l->entries_max = PL_IMPORT_ENTRIES_MAX;
    l->total_entries_max = PL_IMPORT_TOTAL_ENTRIES_MAX;
    l->depth_max = PL_IMPORT_NESTING_MAX;
    l->dir_depth_max = PL_IMPORT_DIR_DEPTH_MAX;
}

struct pl__walk {
    struct pl__walk_handler h;
    struct pl__walk_limits lim;
    uint64_t expanded;        /* bytes out of every archive entry, all levels */
    uint64_t entries;         /* entries of every archive */
    uint64_t disk_bytes;      /* bytes read from files */
    /* Inflating a gzip member whole (gzip_whole): libdeflate's state, made
     * at the first .gz, and two buffers reused from member to member. */
    struct libdeflate_decompressor *inflater;
    uint8_t *gz_in, *gz_out;
    size_t gz_in_cap, gz_out_cap;
};

/* An open archive: libarchive's handle reading from a parent source. */
struct arch {
    struct archive *a;
    struct pl__src *parent;
    uint8_t *buf;             /* ARCH_BLOCK_BYTES, for the read callback */
    int parent_err;           /* the parent failed: its diag is here */
    struct pl_diag parent_diag;
    bool stop;                /* hostile: read nothing more from it */
    bool fatal;               /* libarchive can read nothing more */
};

/* SRC_CHAIN: the bytes in mem, then the rest of src next (a gzip that
 * was read into memory to be inflated whole, then handed to libarchive
 * after all). */
enum src_kind { SRC_FD, SRC_MEM, SRC_ENTRY, SRC_CHAIN };

struct pl__src {
    int kind;
    struct pl__walk *w;
    int fd;                   /* SRC_FD */
    const uint8_t *mem;       /* SRC_MEM */
    size_t mem_n, mem_at;
    struct arch *ar;          /* SRC_ENTRY */
    struct pl__src *next;     /* SRC_CHAIN */
    uint64_t in0;             /* archive bytes read when the entry began */
    uint64_t out;             /* bytes this source has made */
    uint8_t peek[PL__PEEK_BYTES];
    size_t npeek, peek_at;
    bool eof;
    int err;                  /* sticky */
    struct pl_diag err_diag;
};

/* "64 MiB" for whole MiB, else "4000 bytes". */
static const char *size_text(uint64_t n, char *buf, size_t cap)
{
    if (n >= (1u << 20) && n % (1u << 20) == 0)
        snprintf(buf, cap, "%llu MiB", (unsigned long long)(n >> 20));
    else
        snprintf(buf, cap, "%llu bytes", (unsigned long long)n);
    return buf;
}

static void src_init(struct pl__src *s, int kind, struct pl__walk *w)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->w = w;
    s->fd = -1;
}

static int src_fail(struct pl__src *s, struct pl_diag *d)
{
    s->err = d->code;
    s->err_diag = *d;
    return s->err;
}

/* One read from what is under the source, bypassing the peek buffer. */
static int src_raw_read(struct pl__src *s, uint8_t *buf, size_t n, size_t *got)
{
    struct pl_diag d;
    *got = 0;
    if (s->err)
        return s->err;
    if (s->eof || n == 0)
        return 0;
    switch (s->kind) {
    case SRC_FD: {
        ssize_t r;
        do
            r = read(s->fd, buf, n);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            pl__diag(&d, PL_EIO, s->out, "cannot read: %s", strerror(errno));
            return src_fail(s, &d);
        }
        if (r == 0) {
            s->eof = true;
            return 0;
        }
        s->out += (uint64_t)r;
        s->w->disk_bytes += (uint64_t)r;
        if (s->w->h.on_bytes)
            s->w->h.on_bytes(s->w->h.ctx, s->w->disk_bytes);
        *got = (size_t)r;
        return 0;
    }
    case SRC_MEM:
    case SRC_CHAIN: {
        size_t left = s->mem_n - s->mem_at;
        if (left == 0 && s->kind == SRC_CHAIN) {
            int rc = pl__src_read(s->next, buf, n, got, &d);
            if (rc)
                return src_fail(s, &d);
            if (*got == 0)
                s->eof = true;
            s->out += *got;
            return 0;
        }
        if (left == 0) {
            s->eof = true;
            return 0;
        }
        if (n > left)
            n = left;
        memcpy(buf, s->mem + s->mem_at, n);
        s->mem_at += n;
        s->out += n;
        *got = n;
        return 0;
    }
    default: {
        struct arch *ar = s->ar;
        struct pl__walk *w = s->w;
        if (ar->stop) {
            pl__diag(&d, PL_ELIMIT, UINT64_MAX, "the archive was stopped at a limit");
            return src_fail(s, &d);
        }
        la_ssize_t r = archive_read_data(ar->a, buf, n);
        if (r < 0) {
            if (r <= ARCHIVE_FATAL)
                ar->fatal = true;
            if (ar->parent_err)
                d = ar->parent_diag;
            else
                pl__diag(&d, PL_EFORMAT, (uint64_t)archive_filter_bytes(ar->a, -1),
                         "damaged archive: %s%s",
                         archive_error_string(ar->a) ? archive_error_string(ar->a)
                                                     : "unreadable entry",
                         ar->fatal ? "; nothing after it can be read" : "");
            return src_fail(s, &d);
        }
        if (r == 0) {
            s->eof = true;
            return 0;
        }
        s->out += (uint64_t)r;
        w->expanded += (uint64_t)r;
        *got = (size_t)r;
        const struct pl__walk_limits *l = &w->lim;
        /* Ratio of what the entry made to what the archive read meanwhile.
         * libarchive reads ahead, so an entry may make bytes while the
         * count of bytes read stands still: two blocks of slack keep a
         * real file from ever tripping it, and let zeros (1032:1) run to
         * about 16 MB before they are stopped. */
        uint64_t in = (uint64_t)archive_filter_bytes(ar->a, -1) - s->in0 + 2 * ARCH_BLOCK_BYTES;
        if (s->out > l->ratio_grace_bytes && s->out / l->ratio_max > in) {
            ar->stop = true;
            pl__diag(&d, PL_ELIMIT, (uint64_t)archive_filter_bytes(ar->a, -1),
                     "expands more than %llu times its compressed size "
                     "(a zip bomb?); the rest of the archive is not read",
                     (unsigned long long)l->ratio_max);
            return src_fail(s, &d);
        }
        if (s->out > l->entry_bytes_max) {
            char sz[32];
            pl__diag(&d, PL_ELIMIT, UINT64_MAX, "expands to more than %s",
                     size_text(l->entry_bytes_max, sz, sizeof sz));
            return src_fail(s, &d);
        }
        if (w->expanded > l->total_bytes_max) {
            char sz[32];
            ar->stop = true;
            pl__diag(&d, PL_ELIMIT, UINT64_MAX,
                     "archives expand to more than %s in all; no more are read",
                     size_text(l->total_bytes_max, sz, sizeof sz));
            return src_fail(s, &d);
        }
        return 0;
    }
    }
}

/* Fill the peek buffer with the first bytes (fewer only at the end). */
static int src_peek(struct pl__src *s)
{
    while (s->npeek < sizeof s->peek && !s->eof) {
        size_t got;
        int rc = src_raw_read(s, s->peek + s->npeek, sizeof s->peek - s->npeek, &got);
        if (rc)
            return rc;
        s->npeek += got;
    }
    return 0;
}

int pl__src_read(struct pl__src *s, void *buf, size_t n, size_t *got,
                 struct pl_diag *diag)
{
    *got = 0;
    if (s->peek_at < s->npeek) {
        size_t k = s->npeek - s->peek_at;
        if (k > n)
            k = n;
        memcpy(buf, s->peek + s->peek_at, k);
        s->peek_at += k;
        *got = k;
        return 0;
    }
    int rc = src_raw_read(s, buf, n, got);
    if (rc && diag)
        *diag = s->err_diag;
    return rc;
}

int pl__src_read_all(struct pl__src *s, uint8_t **buf, size_t *cap, size_t *n,
                     size_t max, struct pl_diag *diag)
{
    *n = 0;
    for (;;) {
        if (*cap - *n < 4096 || *cap == 0) {
            if (*cap > max) {
                return pl__diag(diag, PL_ELIMIT, *n, "larger than %zu MiB, the most "
                                "pliant reads of one file", max >> 20);
            }
            size_t ncap = *cap ? *cap * 2 : 64 * 1024;
            if (ncap > max + 1)
                ncap = max + 1;   /* one byte more tells "too large" */
            if (ncap <= *cap)
                return pl__diag(diag, PL_ELIMIT, *n, "larger than %zu MiB, the most "
                                "pliant reads of one file", max >> 20);
            uint8_t *nb = pl__realloc(*buf, ncap);
            if (!nb)
                return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            *buf = nb;
            *cap = ncap;
        }
        size_t want = *cap - *n, got;
        if (want > CHUNK_BYTES)
            want = CHUNK_BYTES;
        int rc = pl__src_read(s, *buf + *n, want, &got, diag);
        if (rc)
            return rc;
        if (got == 0)
            return 0;
        *n += got;
        if (*n > max)
            return pl__diag(diag, PL_ELIMIT, *n, "larger than %zu MiB, the most "
                            "pliant reads of one file", max >> 20);
    }
}

bool pl__src_whole(struct pl__src *s, const uint8_t **p, size_t *n, size_t max)
{
    if (s->kind != SRC_MEM || s->err || s->peek_at != 0 || s->mem_at != s->npeek ||
        s->mem_n > max)
        return false;
    *p = s->mem;
    *n = s->mem_n;
    s->out += s->mem_n - s->mem_at;
    s->mem_at = s->mem_n;
    s->peek_at = s->npeek;
    s->eof = true;
    return true;
}

/* ------------------------------------------------------------------ */
/* What a file is                                                       */
/* ------------------------------------------------------------------ */

enum { K_LEAF, K_GZIP, K_ZIP, K_TAR };

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* By magic number: gzip (RFC 1952, 2.3.1: ID1 31, ID2 139), zip (PKWARE
 * APPNOTE 6.3.10, 4.3.7 local file header "PK\3\4"; "PK\5\6" alone is an
 * empty archive's end record), POSIX tar ("ustar" at byte 257, POSIX.1
 * pax "ustar Interchange Format"). An old tar without the magic is known
 * by its name only. */
static int sniff(const uint8_t *p, size_t n, const char *name)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return K_GZIP;
    if (n >= 4 && p[0] == 'P' && p[1] == 'K' &&
        ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6)))
        return K_ZIP;
    if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
        return K_TAR;
    if (n == PL__PEEK_BYTES && name && ends_with(name, ".tar"))
        return K_TAR;
    return K_LEAF;
}

/* ------------------------------------------------------------------ */
/* Paths                                                                */
/* ------------------------------------------------------------------ */

/* a + sep + b, cut to PL_IMPORT_PATH_BYTES_MAX - 1 bytes (at a UTF-8
 * character boundary, ending in "...") when longer. NULL when out of
 * memory. */
static char *path_join(const char *a, const char *sep, const char *b)
{
    size_t na = strlen(a), ns = strlen(sep), nb = strlen(b);
    size_t n = na + ns + nb;
    size_t max = PL_IMPORT_PATH_BYTES_MAX - 1;
    char *p = pl__malloc((n < max ? n : max) + 1);
    if (!p)
        return NULL;
    if (n <= max) {
        memcpy(p, a, na);
        memcpy(p + na, sep, ns);
        memcpy(p + na + ns, b, nb + 1);
        return p;
    }
    char *tmp = pl__malloc(n + 1);
    if (!tmp) {
        pl__free(p);
        return NULL;
    }
    memcpy(tmp, a, na);
    memcpy(tmp + na, sep, ns);
    memcpy(tmp + na + ns, b, nb + 1);
    size_t cut = max - 3;
    while (cut > 0 && ((unsigned char)tmp[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(p, tmp, cut);
    memcpy(p + cut, "...", 4);
    pl__free(tmp);
    return p;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* ------------------------------------------------------------------ */
/* Walking                                                              */
/* ------------------------------------------------------------------ */

static int walk_src(struct pl__walk *w, struct pl__src *src, const char *path,
                    const char *name, unsigned depth, struct pl_diag *diag);

static int report(struct pl__walk *w, const char *path, const struct pl_diag *d)
{
    return w->h.on_error ? w->h.on_error(w->h.ctx, path, d) : 0;
}

static la_ssize_t arch_read_cb(struct archive *a, void *ctx, const void **buf)
{
    struct arch *ar = ctx;
    size_t got;
    *buf = ar->buf;
    if (ar->parent_err) {
        archive_set_error(a, EIO, "%s", ar->parent_diag.msg);
        return -1;
    }
    int rc = pl__src_read(ar->parent, ar->buf, ARCH_BLOCK_BYTES, &got, &ar->parent_diag);
    if (rc) {
        ar->parent_err = rc;
        archive_set_error(a, EIO, "%s", ar->parent_diag.msg);
        return -1;
    }
    return (la_ssize_t)got;
}

static int arch_open(struct arch *ar, int kind)
{
    struct archive *a = ar->a;
    /* Only the formats and the one filter pliant means to read: fewer
     * parsers facing hostile bytes, and no surprise (libarchive's "raw"
     * and "mtree" readers would take almost any file). The gzip filter
     * must be built in: ARCHIVE_WARN means libarchive would run an
     * external gzip program, which pliant does not want. */
    if (kind == K_GZIP) {
        if (archive_read_support_filter_gzip(a) != ARCHIVE_OK)
            return -1;
        archive_read_support_format_raw(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_zip_streamable(a);
        archive_read_support_format_empty(a);
    } else if (kind == K_ZIP) {
        archive_read_support_format_zip_streamable(a);
    } else {
        archive_read_support_format_tar(a);
    }
    return archive_read_open(a, ar, NULL, arch_read_cb, NULL) == ARCHIVE_OK ? 0 : -1;
}

/* The message for a libarchive failure on archive ar. */
static void arch_diag(struct arch *ar, struct pl_diag *d, const char *what)
{
    if (ar->parent_err) {
        *d = ar->parent_diag;
        return;
    }
    const char *msg = archive_error_string(ar->a);
    pl__diag(d, PL_EFORMAT, (uint64_t)archive_filter_bytes(ar->a, -1), "%s: %s", what,
             msg ? msg : "unreadable");
}

static int walk_archive(struct pl__walk *w, struct pl__src *src, const char *path,
                        unsigned depth, int kind, struct pl_diag *diag)
{
    struct pl_diag d;
    struct arch ar;
    memset(&ar, 0, sizeof ar);
    ar.parent = src;
    ar.buf = pl__malloc(ARCH_BLOCK_BYTES);
    ar.a = archive_read_new();
    int rc = 0;
    if (!ar.buf || !ar.a) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        goto out;
    }
    if (arch_open(&ar, kind) != 0) {
        arch_diag(&ar, &d, kind == K_GZIP ? "cannot read this gzip file"
                                          : "cannot read this archive");
        rc = report(w, path, &d);
        goto out;
    }
    /* libarchive unwraps a gzip inside a gzip by itself, one filter per
     * level (archive_filter_count counts them and the client's reader):
     * each is a level of nesting too. */
    int filters = archive_filter_count(ar.a);
    if (filters > 2 && depth + (unsigned)(filters - 2) > w->lim.depth_max) {
        pl__diag(&d, PL_ELIMIT, 0, "archives nested more than %u deep", w->lim.depth_max);
        rc = report(w, path, &d);
        goto out;
    }
    uint64_t entries = 0;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(ar.a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN || ar.stop) {
            /* A limit, or damage met while reading an entry, was reported
             * with that entry, saying that nothing after it is read. */
            if (ar.stop || ar.fatal)
                break;
            arch_diag(&ar, &d, "damaged archive");
            rc = report(w, path, &d);
            break;
        }
        entries++;
        w->entries++;
        if (entries > w->lim.entries_max || w->entries > w->lim.total_entries_max) {
            pl__diag(&d, PL_ELIMIT, (uint64_t)archive_filter_bytes(ar.a, -1),
                     entries > w->lim.entries_max
                         ? "more than %llu entries; the rest of the archive is not read"
                         : "more than %llu archive entries in all; the rest is not read",
                     (unsigned long long)(entries > w->lim.entries_max
                                              ? w->lim.entries_max
                                              : w->lim.total_entries_max));
            rc = report(w, path, &d);
            break;
        }
        /* Folders, links and devices hold no activity; a hard link's data
         * is its target's, read where the target is. */
        if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
            continue;
        bool raw = archive_format(ar.a) == ARCHIVE_FORMAT_RAW;
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
        if (!name || !*name)
            name = "(no name)";
        char *child = raw ? path_join(path, "", "") : path_join(path, "!", name);
        if (!child) {
            rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            break;
        }
        struct pl__src es;
        src_init(&es, SRC_ENTRY, w);
        es.ar = &ar;
        es.in0 = (uint64_t)archive_filter_bytes(ar.a, -1);
        /* A .gz keeps its own name: it is one file, compressed. */
        rc = walk_src(w, &es, child, raw ? base_name(path) : name, depth, diag);
        pl__free(child);
        if (rc)
            break;
    }
    /* An archive with nothing in it (an empty zip; a .gz of nothing, or of
     * zeros, which libarchive rightly reads as an empty tar) is shown as
     * an empty file rather than not at all. */
    if (rc == 0 && entries == 0 && w->h.on_peek) {
        bool want = false;
        rc = w->h.on_peek(w->h.ctx, path, src->peek, 0, &want);
    }
out:
    if (ar.a)
        archive_read_free(ar.a);
    pl__free(ar.buf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* A gzip inflated whole                                                */
/* ------------------------------------------------------------------ */

/* Might libarchive's tar reader take this block for a tar header? It does
 * when the block is all zeros (an end-of-archive record) or when its
 * checksum field (bytes 148-155, octal) equals the sum of the block's
 * bytes with that field counted as spaces, unsigned, or signed as old
 * tars summed (POSIX.1-2017, pax, "ustar Interchange Format": chksum). A
 * base-256 field (high bit set) counts as a yes: this errs towards yes. */
static bool tar_header_maybe(const uint8_t *p, size_t n)
{
    if (n < 512)
        return false;
    bool zero = true;
    uint64_t sum_u = 0;
    int64_t sum_s = 0;
    for (size_t i = 0; i < 512; i++) {
        uint8_t c = i >= 148 && i < 156 ? ' ' : p[i];
        zero = zero && p[i] == 0;
        sum_u += c;
        sum_s += (int8_t)c;
    }
    if (zero || (p[148] & 0x80))
        return true;
    size_t i = 148;
    while (i < 156 && (p[i] == ' ' || p[i] == '\t'))
        i++;
    int64_t v = 0;
    for (; i < 156 && p[i] >= '0' && p[i] <= '7'; i++)
        v = v * 8 + (p[i] - '0');
    return (uint64_t)v == sum_u || v == sum_s;
}

/* Inflate gz_in[0..cn), one gzip member or several (RFC 1952, 2.2), into
 * gz_out, making at most out_max bytes; false when libdeflate cannot
 * (damage, bytes after the last member, more than out_max, no memory).
 * The first guess of the size is the last member's ISIZE (RFC 1952,
 * 2.3.1: its size mod 2^32): a hint only, never trusted; the buffer grows
 * by doubling when it is short, up to out_max. */
static bool inflate_whole(struct pl__walk *w, size_t cn, size_t out_max, size_t *n)
{
    if (cn < 18)   /* a 10-byte header and the 8-byte trailer at least */
        return false;
    if (!w->inflater && !(w->inflater = libdeflate_alloc_decompressor()))
        return false;
    const uint8_t *t = w->gz_in + cn - 4;
    size_t hint = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
    size_t in_at = 0, out_at = 0, cap_want = hint < 4096 ? 4096 : hint;
    while (in_at < cn) {
        size_t cap = cap_want > out_max - out_at ? out_max : out_at + cap_want;
        if (w->gz_out_cap < cap) {
            uint8_t *nb = pl__realloc(w->gz_out, cap);
            if (!nb)
                return false;
            w->gz_out = nb;
            w->gz_out_cap = cap;
        }
        /* The buffer may be larger than this gzip may make (an earlier one
         * grew it): the room is what out_max leaves, never more. */
        size_t room = cap - out_at, used = 0, made = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(
            w->inflater, w->gz_in + in_at, cn - in_at, w->gz_out + out_at, room, &used, &made);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE && cap < out_max) {
            cap_want = room ? 2 * room : 4096;
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS || used == 0)
            return false;
        in_at += used;
        out_at += made;
    }
    *n = out_at;
    return true;
}

/* A gzip (depth: its level) is read into memory and, when it can be,
 * inflated whole by libdeflate, about twice zlib's speed, and its content
 * walked as a file in memory. That is only a faster road to the same
 * place, taken when libarchive's would give the same bytes and the same
 * verdict: when the gzip holds one plain file (not a tar, a zip, another
 * gzip, nothing, or zeros, which libarchive reads as an empty tar), and
 * no limit can be met on the way. The size it may make is capped so that
 * the streaming ratio check cannot trip (it allows two read blocks of
 * slack, so nothing under ratio_max of them trips it), and by the limits
 * of one entry and of the walk. Anything else (larger, damaged, an
 * archive) goes to libarchive, over the bytes already read and then the
 * rest of the source (SRC_CHAIN), and is reported as it always was. */
static int walk_gzip(struct pl__walk *w, struct pl__src *src, const char *path,
                     unsigned depth, struct pl_diag *diag)
{
    const char *name = base_name(path);
    const struct pl__walk_limits *l = &w->lim;
    uint64_t out_max = PL_IMPORT_GZIP_WHOLE_BYTES_MAX;
    uint64_t quiet = l->ratio_max * 2 * ARCH_BLOCK_BYTES;
    if (quiet < l->ratio_grace_bytes)
        quiet = l->ratio_grace_bytes;
    if (out_max > quiet)
        out_max = quiet;
    if (out_max > l->entry_bytes_max)
        out_max = l->entry_bytes_max;
    uint64_t left = w->expanded < l->total_bytes_max ? l->total_bytes_max - w->expanded : 0;
    if (out_max > left)
        out_max = left;

    size_t cn = 0;
    bool eof = false;
    while (!eof) {
        if (cn == w->gz_in_cap) {
            size_t ncap = cn ? 2 * cn : 64 * 1024;
            if (ncap > PL_IMPORT_GZIP_WHOLE_BYTES_MAX)
                break;
            uint8_t *nb = pl__realloc(w->gz_in, ncap);
            if (!nb)
                break;
            w->gz_in = nb;
            w->gz_in_cap = ncap;
        }
        size_t got;
        if (pl__src_read(src, w->gz_in + cn, w->gz_in_cap - cn, &got, NULL) != 0)
            break;   /* libarchive meets the same error at the same byte */
        eof = got == 0;
        cn += got;
    }
    size_t n = 0;
    if (eof && l->entries_max >= 1 && w->entries < l->total_entries_max &&
        inflate_whole(w, cn, (size_t)out_max, &n) && n > 0 &&
        sniff(w->gz_out, n < PL__PEEK_BYTES ? n : PL__PEEK_BYTES, name) == K_LEAF &&
        !(n >= 2 && w->gz_out[0] == 'P' && w->gz_out[1] == 'K') &&
        !tar_header_maybe(w->gz_out, n)) {
        /* As libarchive's raw format gives it: one entry, the .gz's own
         * path and name; what is read of it counts as expanded. */
        w->entries++;
        char *child = path_join(path, "", "");
        if (!child)
            return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        struct pl__src ms;
        src_init(&ms, SRC_MEM, w);
        ms.mem = w->gz_out;
        ms.mem_n = n;
        int rc = walk_src(w, &ms, child, name, depth, diag);
        w->expanded += ms.out;
        pl__free(child);
        return rc;
    }
    /* The bytes read are the chain's: a gzip inside (a .tar.gz of .gz
     * files) fills buffers of its own. */
    struct pl__src chain;
    src_init(&chain, SRC_CHAIN, w);
    uint8_t *head = w->gz_in;
    w->gz_in = NULL;
    w->gz_in_cap = 0;
    chain.mem = head;
    chain.mem_n = cn;
    chain.next = src;
    int rc = walk_archive(w, &chain, path, depth, K_GZIP, diag);
    pl__free(head);
    return rc;
}

static int walk_src(struct pl__walk *w, struct pl__src *src, const char *path,
                    const char *name, unsigned depth, struct pl_diag *diag)
{
    if (src_peek(src))
        return report(w, path, &src->err_diag);
    int kind = sniff(src->peek, src->npeek, name);
    if (kind != K_LEAF) {
        if (depth >= w->lim.depth_max) {
            struct pl_diag d;
            pl__diag(&d, PL_ELIMIT, 0, "archives nested more than %u deep",
                     w->lim.depth_max);
            return report(w, path, &d);
        }
        if (kind == K_GZIP)
            return walk_gzip(w, src, path, depth + 1, diag);
        return walk_archive(w, src, path, depth + 1, kind, diag);
    }
    bool want = false;
    int rc = w->h.on_peek ? w->h.on_peek(w->h.ctx, path, src->peek, src->npeek, &want) : 0;
    if (rc == 0 && want && w->h.on_file)
        rc = w->h.on_file(w->h.ctx, path, src);
    return rc;
}

static int walk_fd_file(struct pl__walk *w, const char *path, int fd, struct pl_diag *diag)
{
    struct pl__src s;
    src_init(&s, SRC_FD, w);
    s.fd = fd;
    return walk_src(w, &s, path, base_name(path), 0, diag);
}

static int walk_file(struct pl__walk *w, const char *path, struct pl_diag *diag)
{
    struct pl_diag d;
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        pl__diag(&d, PL_EIO, UINT64_MAX, "cannot open: %s", strerror(errno));
        return report(w, path, &d);
    }
    int rc = walk_fd_file(w, path, fd, diag);
    close(fd);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted byte-wise, without those starting with
 * '.'; NULL with *n = 0 and errno when it cannot be read; *nomem on
 * allocation failure. */
static char **list_dir(const char *path, size_t max, size_t *n, bool *nomem)
{
    *n = 0;
    *nomem = false;
    DIR *dir = opendir(path);
    if (!dir)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (*n == max)
            break;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nv = pl__malloc_array(ncap, sizeof *nv);
            if (!nv)
                goto nomem;
            if (v)
                memcpy(nv, v, *n * sizeof *v);
            pl__free(v);
            v = nv;
            cap = ncap;
        }
        if (!(v[*n] = pl__strdup(de->d_name)))
            goto nomem;
        (*n)++;
    }
    closedir(dir);
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_names);
    if (!v)
        v = pl__malloc(sizeof *v);   /* an empty folder is not an error */
    if (!v)
        *nomem = true;
    return v;
nomem:
    closedir(dir);
    for (size_t i = 0; i < *n; i++)
        pl__free(v[i]);
    pl__free(v);
    *n = 0;
    *nomem = true;
    return NULL;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pl__free(v[i]);
    pl__free(v);
}

static int walk_dir(struct pl__walk *w, const char *path, unsigned depth, struct pl_diag *diag)
{
    struct pl_diag d;
    size_t n;
    bool nomem;
    char **names = list_dir(path, w->lim.total_entries_max, &n, &nomem);
    if (nomem)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    if (!names) {
        pl__diag(&d, PL_EIO, UINT64_MAX, "cannot read the folder: %s", strerror(errno));
        return report(w, path, &d);
    }
    size_t len = strlen(path);
    const char *sep = len && path[len - 1] == '/' ? "" : "/";
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *child = path_join(path, sep, names[i]);
        if (!child) {
            rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            break;
        }
        struct stat st;
        /* A link to a folder is not followed: it could make a loop, or
         * read the same files twice. Links to files are read. */
        if (lstat(child, &st) == 0 && S_ISLNK(st.st_mode) && stat(child, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            /* left out */
        } else if (stat(child, &st) != 0) {
            pl__diag(&d, PL_EIO, UINT64_MAX, "cannot open: %s", strerror(errno));
            rc = report(w, child, &d);
        } else if (S_ISDIR(st.st_mode)) {
            if (depth + 1 > w->lim.dir_depth_max) {
                pl__diag(&d, PL_ELIMIT, UINT64_MAX, "folders nested more than %u deep",
                         w->lim.dir_depth_max);
                rc = report(w, child, &d);
            } else {
                rc = walk_dir(w, child, depth + 1, diag);
            }
        } else if (S_ISREG(st.st_mode)) {
            rc = walk_file(w, child, diag);
        }
        /* Sockets, pipes and devices inside a folder are left out. */
        pl__free(child);
    }
    free_list(names, n);
    return rc;
}

struct pl__walk *pl__walk_new(const struct pl__walk_handler *h,
                              const struct pl__walk_limits *lim)
{
    struct pl__walk *w = pl__calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->h = *h;
    if (lim)
        w->lim = *lim;
    else
        pl__walk_limits_init(&w->lim);
    return w;
}

void pl__walk_free(struct pl__walk *w)
{
    if (!w)
        return;
    if (w->inflater)
        libdeflate_free_decompressor(w->inflater);
    pl__free(w->gz_in);
    pl__free(w->gz_out);
    pl__free(w);
}

int pl__walk_path(struct pl__walk *w, const char *path, struct pl_diag *diag)
{
    struct pl_diag d;
    if (strcmp(path, "-") == 0)
        return walk_fd_file(w, path, STDIN_FILENO, diag);
    struct stat st;
    if (stat(path, &st) != 0) {
        pl__diag(&d, PL_EIO, UINT64_MAX, "cannot open: %s", strerror(errno));
        return report(w, path, &d);
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, 0, diag);
    /* A pipe or a device named on the command line is read as a file
     * (`pliant import <(curl ...)`). */
    return walk_file(w, path, diag);
}

int pl__walk_mem(struct pl__walk *w, const char *name, const void *p, size_t n,
                 struct pl_diag *diag)
{
    struct pl__src s;
    src_init(&s, SRC_MEM, w);
    s.mem = p;
    s.mem_n = n;
    return walk_src(w, &s, name, base_name(name), 0, diag);
}

/* ------------------------------------------------------------------ */
/* Counting, for progress                                               */
/* ------------------------------------------------------------------ */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static bool pread_all(int fd, void *buf, size_t n, uint64_t at)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
        at += (uint64_t)r;
    }
    return true;
}

/* A window over a zip's central directory, read in pieces. */
struct cd {
    int fd;
    uint8_t *buf;             /* CHUNK_BYTES */
    size_t have, off;         /* bytes in buf; where the next header is */
    uint64_t pos, end;        /* file offsets: next to read; directory end */
};

/* At least k (< CHUNK_BYTES) bytes from off on, or false. */
static bool cd_ensure(struct cd *c, size_t k)
{
    if (c->have - c->off >= k)
        return true;
    memmove(c->buf, c->buf + c->off, c->have - c->off);
    c->have -= c->off;
    c->off = 0;
    size_t want = CHUNK_BYTES - c->have;
    if (want > c->end - c->pos)
        want = (size_t)(c->end - c->pos);
    if (want && !pread_all(c->fd, c->buf + c->have, want, c->pos))
        return false;
    c->pos += want;
    c->have += want;
    return c->have >= k;
}

/* Files a zip's central directory lists, folders ("name/") left out; 0
 * when it cannot tell. Reads the end of central directory record and then
 * the directory itself in pieces (PKWARE APPNOTE 6.3.10, 4.3.12 central
 * directory header, 4.3.14-4.3.16 zip64 and end records). Untrusted: every
 * length is checked against the bytes read and the file's size. */
static uint64_t zip_count(int fd, uint64_t size, uint64_t max)
{
    enum { EOCD = 22, TAIL = 65535 + EOCD, CD_HDR = 46 };
    if (size < EOCD)
        return 0;
    size_t tail_n = size < TAIL ? (size_t)size : TAIL;
    uint8_t *tail = pl__malloc(tail_n);
    uint8_t *buf = NULL;
    uint64_t files = 0;
    if (!tail || !pread_all(fd, tail, tail_n, size - tail_n))
        goto out;
    size_t at = tail_n - EOCD + 1;
    bool found = false;
    while (at-- > 0) {
        if (memcmp(tail + at, "PK\5\6", 4) == 0) {
            found = true;
            break;
        }
    }
    if (!found)
        goto out;
    uint64_t cd_size = le32(tail + at + 12), cd_off = le32(tail + at + 16);
    uint64_t total = le16(tail + at + 10);
    if ((cd_off == 0xFFFFFFFF || total == 0xFFFF || cd_size == 0xFFFFFFFF) && at >= 20 &&
        memcmp(tail + at - 20, "PK\6\7", 4) == 0) {
        uint64_t z64 = le64(tail + at - 20 + 8);
        uint8_t rec[56];
        if (z64 > size - 56 || !pread_all(fd, rec, sizeof rec, z64) ||
            memcmp(rec, "PK\6\6", 4) != 0)
            goto out;
        total = le64(rec + 32);
        cd_size = le64(rec + 40);
        cd_off = le64(rec + 48);
    }
    if (cd_off > size || cd_size > size - cd_off)
        goto out;
    buf = pl__malloc(CHUNK_BYTES);
    if (!buf)
        goto out;
    /* Walk the headers; a header may straddle two reads. */
    struct cd cd = { fd, buf, 0, 0, cd_off, cd_off + cd_size };
    for (uint64_t i = 0; i < total && files < max; i++) {
        if (!cd_ensure(&cd, CD_HDR) || memcmp(buf + cd.off, "PK\1\2", 4) != 0)
            goto out;
        size_t name_n = le16(buf + cd.off + 28), extra = le16(buf + cd.off + 30),
               comment = le16(buf + cd.off + 32);
        if (!cd_ensure(&cd, CD_HDR + name_n))
            goto out;
        if (name_n == 0 || buf[cd.off + CD_HDR + name_n - 1] != '/')
            files++;
        size_t step = CD_HDR + name_n + extra + comment;
        if (step > cd.have - cd.off) {
            /* Skip what was not read yet. */
            uint64_t skip = step - (cd.have - cd.off);
            if (skip > cd.end - cd.pos)
                goto out;
            cd.pos += skip;
            cd.off = cd.have = 0;
        } else {
            cd.off += step;
        }
    }
out:
    pl__free(tail);
    pl__free(buf);
    return files;
}

static void count_file(const char *path, uint64_t size, uint64_t max, uint64_t *files)
{
    if (ends_with(path, ".zip")) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
            uint64_t n = zip_count(fd, size, max);
            close(fd);
            if (n > 0) {
                *files += n;
                return;
            }
        }
    }
    (*files)++;
}

static void count_dir(const char *path, unsigned depth, uint64_t max, uint64_t *files,
                      uint64_t *bytes)
{
    size_t n;
    bool nomem;
    char **names = list_dir(path, max, &n, &nomem);
    if (!names)
        return;
    size_t len = strlen(path);
    const char *sep = len && path[len - 1] == '/' ? "" : "/";
    for (size_t i = 0; i < n && *files < max; i++) {
        char *child = path_join(path, sep, names[i]);
        struct stat st;
        if (!child)
            break;
        if (lstat(child, &st) == 0 && S_ISLNK(st.st_mode) && stat(child, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            /* not followed */
        } else if (stat(child, &st) != 0) {
            (*files)++;
        } else if (S_ISDIR(st.st_mode)) {
            if (depth + 1 <= PL_IMPORT_DIR_DEPTH_MAX)
                count_dir(child, depth + 1, max, files, bytes);
        } else if (S_ISREG(st.st_mode)) {
            *bytes += (uint64_t)st.st_size;
            count_file(child, (uint64_t)st.st_size, max, files);
        }
        pl__free(child);
    }
    free_list(names, n);
}

void pl__walk_count(const char *path, uint64_t entries_max, uint64_t *files,
                    uint64_t *bytes)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0) {
        (*files)++;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        count_dir(path, 0, entries_max, files, bytes);
    } else if (S_ISREG(st.st_mode)) {
        *bytes += (uint64_t)st.st_size;
        count_file(path, (uint64_t)st.st_size, entries_max, files);
    } else {
        (*files)++;
    }
}
