/*
 * test-activity.c - the activity readers: FIT (written here with the FIT
 * encoder and the simulator), GPX and TCX (small documents written here),
 * the extension spellings real files use, skip reasons, hostile XML, the
 * summaries computed when a file gives none, and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pliant.h"

/* ------------------------------------------------------------------ */
/* Collecting what a reader delivers                                    */

#define KEEP_MAX 8

struct got {
    struct pl_activity a[KEEP_MAX];
    size_t n;
    unsigned warnings;
    char last_warning[256];
    int stop_after;              /* non-zero: cancel on that activity */
};

static int keep(void *ctx, struct pl_activity *a)
{
    struct got *g = ctx;
    if (g->n < KEEP_MAX) {
        g->a[g->n] = *a;         /* move it out */
        pl_activity_init(a);
    }
    g->n++;
    return g->stop_after && (int)g->n >= g->stop_after;
}

static void warned(void *ctx, const struct pl_diag *w)
{
    struct got *g = ctx;
    g->warnings++;
    snprintf(g->last_warning, sizeof g->last_warning, "%s", w->msg);
}

static void got_release(struct got *g)
{
    for (size_t i = 0; i < g->n && i < KEEP_MAX; i++)
        pl_activity_release(&g->a[i]);
    g->n = 0;
}

static int read_buf(const void *buf, size_t n, struct got *g, struct pl_diag *d)
{
    memset(g, 0, sizeof *g);
    struct pl_reader_handler h = { g, keep, warned };
    pl_diag_clear(d);
    return pl_read_activities(buf, n, &h, 0, d);
}

static int read_str(const char *s, struct got *g, struct pl_diag *d)
{
    return read_buf(s, strlen(s), g, d);
}

/* ------------------------------------------------------------------ */
/* GPX                                                                  */

#define GPX11_HEAD                                                                      \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                      \
    "<gpx version=\"1.1\" creator=\"test\" xmlns=\"http://www.topografix.com/GPX/1/1\"" \
    " xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">\n"

static const char gpx_run[] =
    GPX11_HEAD
    "<metadata><name>meta name</name><time>2020-01-01T00:00:00Z</time></metadata>\n"
    "<trk><name>Morning Run</name><type>running</type><trkseg>\n"
    "<trkpt lat=\"46.0\" lon=\"14.0\"><ele>300</ele><time>2021-06-01T06:00:00Z</time>"
    "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr>"
    "<gpxtpx:cad>80</gpxtpx:cad><gpxtpx:atemp>18.5</gpxtpx:atemp>"
    "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
    "<trkpt lat=\"46.001\" lon=\"14.0\"><ele>305</ele><time>2021-06-01T06:00:30Z</time>"
    "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr>"
    "<gpxtpx:cad>90</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
    "<trkpt lat=\"46.002\" lon=\"14.0\"><ele>296</ele><time>2021-06-01T06:01:00Z</time>"
    "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>160</gpxtpx:hr>"
    "<gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
    "</trkseg></trk></gpx>\n";

static void gpx_track_becomes_one_activity_with_its_streams(void **state)
{
    (void)state;
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(gpx_run, &g, &d), PL_OK);
    assert_int_equal(g.n, 1);
    struct pl_activity *a = &g.a[0];
    assert_int_equal(a->source_kind, PL_SRC_GPX);
    assert_int_equal(a->sport, 1);
    assert_string_equal(a->name, "Morning Run");
    assert_int_equal(a->start_s, 1622527200); /* 2021-06-01T06:00:00Z */
    assert_false(a->utc_offset_known);
    assert_int_equal(a->n, 3);
    assert_true(a->t_s[0] == 0 && a->t_s[1] == 30 && a->t_s[2] == 60);
    assert_true(a->hr_bpm[2] == 160);
    assert_true(a->temp_c[0] == 18.5 && isnan(a->temp_c[1]));
    /* Running cadence: strides per minute in the file, steps here. */
    assert_true(a->cadence_spm[0] == 160 && a->cadence_spm[1] == 180);
    assert_true(fabs(a->cadence_avg_spm - 170) < 1e-9);
    assert_true(fabs(a->hr_avg_bpm - 140) < 1e-9 && a->hr_max_bpm == 160);
    /* 0.002 degrees of latitude: 2 * 111.195 km / 1000 (R = 6371008.8 m). */
    assert_true(fabs(a->dist_m - 222.39) < 0.1);
    assert_non_null(a->dist_m_s);
    assert_true(a->duration_s == 60);
    /* 300 -> 305 is a climb of 5 m (over the 3 m threshold), then 9 m down. */
    assert_true(a->ascent_m == 5 && a->descent_m == 9);
    /* 111 m in 30 s is moving. */
    assert_true(a->moving_s == 60);
    assert_null(a->power_w);
    got_release(&g);
}

/* The extension spellings of the corpus and of common exporters, each
 * under a prefix that is not declared (which namespace-aware parsers
 * refuse, and real files do). */
static void gpx_extension_spellings_are_all_read(void **state)
{
    (void)state;
    static const char doc[] =
        "<gpx version=\"1.1\"><trk><type>Run</type><trkseg>\n"
        /* TrackPointExtension v2: hr, cad, speed */
        "<trkpt lat=\"1\" lon=\"2\"><time>2021-06-01T06:00:00Z</time><extensions>"
        "<ns3:TrackPointExtension><ns3:hr>100</ns3:hr><ns3:cad>81</ns3:cad>"
        "<ns3:speed>3.5</ns3:speed></ns3:TrackPointExtension></extensions></trkpt>\n"
        /* Strava's <power>, gpxdata's hr/cadence/temp */
        "<trkpt lat=\"1\" lon=\"2.0001\"><time>2021-06-01T06:00:01Z</time><extensions>"
        "<power>250</power><gpxdata:hr>101</gpxdata:hr><gpxdata:cadence>82</gpxdata:cadence>"
        "<gpxdata:temp>21</gpxdata:temp></extensions></trkpt>\n"
        /* Garmin PowerExtension, no prefix at all */
        "<trkpt lat=\"1\" lon=\"2.0002\"><time>2021-06-01T06:00:02Z</time><extensions>"
        "<pwr:PowerExtension><pwr:PowerInWatts>260</pwr:PowerInWatts></pwr:PowerExtension>"
        "<heartrate>102</heartrate><cadence>83</cadence><atemp>22</atemp>"
        "</extensions></trkpt>\n"
        "</trkseg></trk></gpx>";
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_OK);
    assert_int_equal(g.n, 1);
    struct pl_activity *a = &g.a[0];
    assert_int_equal(a->sport, 1);
    assert_int_equal(a->n, 3);
    assert_true(a->hr_bpm[0] == 100 && a->hr_bpm[1] == 101 && a->hr_bpm[2] == 102);
    assert_true(a->cadence_spm[0] == 162 && a->cadence_spm[1] == 164 && a->cadence_spm[2] == 166);
    assert_true(a->speed_mps[0] == 3.5 && isnan(a->speed_mps[1]));
    assert_true(isnan(a->power_w[0]) && a->power_w[1] == 250 && a->power_w[2] == 260);
    assert_true(a->temp_c[1] == 21 && a->temp_c[2] == 22);
    assert_true(fabs(a->power_avg_w - 255) < 1e-9);
    got_release(&g);
}

static void gpx_1_0_speed_and_offset_times_are_read(void **state)
{
    (void)state;
    static const char doc[] =
        "<gpx version=\"1.0\" xmlns=\"http://www.topografix.com/GPX/1/0\"><name>file</name>"
        "<trk><trkseg>"
        "<trkpt lat=\"57.0\" lon=\"9.99\"><time>2015-12-11T15:43:13.250+01:00</time>"
        "<speed>1.2</speed></trkpt>"
        "<trkpt lat=\"57.0\" lon=\"9.99\"><time>2015-12-11T15:43:14.250+01:00</time>"
        "<speed>0.2</speed></trkpt>"
        "</trkseg></trk></gpx>";
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_OK);
    struct pl_activity *a = &g.a[0];
    assert_string_equal(a->name, "file");
    assert_int_equal(a->sport, 0);
    assert_true(a->utc_offset_known);
    assert_int_equal(a->utc_offset_s, 3600);
    assert_int_equal(a->start_s, 1449844993); /* 14:43:13 UTC, whole second */
    assert_true(fabs(a->t_s[0] - 0.25) < 1e-6);
    assert_true(a->speed_mps[0] == 1.2);
    /* Standing (0.2 m/s) is not moving. */
    assert_true(a->moving_s == 0);
    assert_true(a->dist_m == 0);
    got_release(&g);
}

static void gpx_points_without_time_are_left_out_with_a_warning(void **state)
{
    (void)state;
    static const char doc[] =
        "<gpx><trk><trkseg>"
        "<trkpt lat=\"1\" lon=\"1\"><time>2021-06-01T06:00:00Z</time></trkpt>"
        "<trkpt lat=\"1\" lon=\"1\"></trkpt>"
        "<trkpt lat=\"1\" lon=\"1\"><time>2021-06-01T06:00:02Z</time></trkpt>"
        "</trkseg></trk></gpx>";
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_OK);
    assert_int_equal(g.a[0].n, 2);
    assert_int_equal(g.warnings, 1);
    assert_non_null(strstr(g.last_warning, "1 of 3 track points"));
    got_release(&g);
}

static void gpx_without_a_recording_is_skipped_with_the_reason(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *reason;
    } cases[] = {
        { "<gpx><rte><rtept lat=\"1\" lon=\"2\"/></rte></gpx>", "routes only" },
        { "<gpx><wpt lat=\"1\" lon=\"2\"><time>2021-06-01T06:00:00Z</time></wpt></gpx>",
          "waypoints only" },
        { "<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"/></trkseg></trk></gpx>",
          "without times" },
        { "<gpx><metadata><time>2021-06-01T06:00:00Z</time></metadata></gpx>",
          "no track points" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct got g;
        struct pl_diag d;
        assert_int_equal(read_str(cases[i].doc, &g, &d), PL_ESKIPPED);
        assert_int_equal(g.n, 0);
        if (!strstr(d.msg, cases[i].reason))
            fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, cases[i].reason);
    }
}

/* ------------------------------------------------------------------ */
/* TCX                                                                  */

#define TCX_HEAD                                                                              \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                            \
    "<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\"" \
    " xmlns:ns3=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">\n"

#define TCX_POINT(time, lat, dist, hr, ext)                                                 \
    "<Trackpoint><Time>" time "</Time><Position><LatitudeDegrees>" lat                     \
    "</LatitudeDegrees><LongitudeDegrees>14.0</LongitudeDegrees></Position>"               \
    "<AltitudeMeters>100</AltitudeMeters><DistanceMeters>" dist "</DistanceMeters>"        \
    "<HeartRateBpm><Value>" hr "</Value></HeartRateBpm>" ext "</Trackpoint>\n"

static const char tcx_run[] =
    TCX_HEAD
    "<Activities><Activity Sport=\"Running\"><Id>2021-06-01T06:00:00.000Z</Id>\n"
    "<Lap StartTime=\"2021-06-01T06:00:00.000Z\"><TotalTimeSeconds>60</TotalTimeSeconds>"
    "<DistanceMeters>200.5</DistanceMeters>"
    "<AverageHeartRateBpm><Value>130</Value></AverageHeartRateBpm>"
    "<MaximumHeartRateBpm><Value>150</Value></MaximumHeartRateBpm><Track>\n"
    TCX_POINT("2021-06-01T06:00:00Z", "46.0", "0", "120",
              "<Extensions><ns3:TPX><ns3:Speed>3.2</ns3:Speed><ns3:RunCadence>88</ns3:RunCadence>"
              "</ns3:TPX></Extensions>")
    TCX_POINT("2021-06-01T06:01:00Z", "46.001", "100", "140",
              "<Extensions><TPX><Speed>3.4</Speed><RunCadence>90</RunCadence><Watts>300</Watts>"
              "</TPX></Extensions>")
    "</Track></Lap>\n"
    "<Lap StartTime=\"2021-06-01T06:02:00Z\"><TotalTimeSeconds>30</TotalTimeSeconds>"
    "<DistanceMeters>99.5</DistanceMeters><Track>\n"
    TCX_POINT("2021-06-01T06:02:00Z", "46.002", "200", "160", "<Cadence>91</Cadence>")
    TCX_POINT("2021-06-01T06:02:30Z", "46.003", "300", "255", "")
    "</Track></Lap>\n"
    "<Notes>easy</Notes><Creator><Name>Forerunner 945</Name></Creator>"
    "</Activity></Activities></TrainingCenterDatabase>\n";

static void tcx_activity_gives_laps_streams_and_totals(void **state)
{
    (void)state;
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(tcx_run, &g, &d), PL_OK);
    assert_int_equal(g.n, 1);
    struct pl_activity *a = &g.a[0];
    assert_int_equal(a->source_kind, PL_SRC_TCX);
    assert_int_equal(a->sport, 1);
    assert_int_equal(a->start_s, 1622527200);
    assert_string_equal(a->device, "Forerunner 945");
    assert_string_equal(a->description, "easy");
    assert_int_equal(a->n, 4);
    assert_int_equal(a->nlaps, 2);
    /* Laps' timer times and distances are the totals. */
    assert_true(a->moving_s == 90);
    assert_true(a->dist_m == 300);
    assert_true(a->duration_s == 150);
    assert_true(a->laps[0].hr_avg_bpm == 130 && a->laps[0].hr_max_bpm == 150);
    assert_true(a->laps[1].start_s == 1622527320 && a->laps[1].moving_s == 30);
    /* Lap 2 has no HR summary: computed from its samples (255 is no
     * reading). */
    assert_true(a->laps[1].hr_avg_bpm == 160);
    assert_true(a->speed_mps[0] == 3.2 && a->speed_mps[1] == 3.4 && isnan(a->speed_mps[2]));
    assert_true(a->cadence_spm[0] == 176 && a->cadence_spm[2] == 182);
    assert_true(isnan(a->power_w[0]) && a->power_w[1] == 300);
    assert_true(isnan(a->hr_bpm[3]));
    assert_true(a->hr_avg_bpm == 140 && a->hr_max_bpm == 160);
    assert_true(a->dist_m_s[3] == 300);
    got_release(&g);
}

static void tcx_several_activities_and_multisport_give_several(void **state)
{
    (void)state;
    static const char doc[] =
        TCX_HEAD "<Activities>"
        "<Activity Sport=\"Biking\"><Id>2021-06-01T06:00:00Z</Id><Lap StartTime=\"2021-06-01T06:00:00Z\">"
        "<TotalTimeSeconds>10</TotalTimeSeconds><DistanceMeters>50</DistanceMeters></Lap></Activity>"
        "<MultiSportSession><Id>2021-06-02T06:00:00Z</Id><FirstSport>"
        "<Activity Sport=\"Running\"><Id>2021-06-02T06:00:00Z</Id><Lap StartTime=\"2021-06-02T06:00:00Z\"><Track>"
        TCX_POINT("2021-06-02T06:00:00Z", "1", "0", "100", "")
        TCX_POINT("2021-06-02T06:00:01Z", "1.00001", "1", "100", "")
        "</Track></Lap></Activity></FirstSport><NextSport>"
        "<Activity Sport=\"Other\"><Id>2021-06-02T07:00:00Z</Id></Activity>"
        "</NextSport></MultiSportSession>"
        "</Activities></TrainingCenterDatabase>";
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_OK);
    /* The empty third activity is left out with a warning. */
    assert_int_equal(g.n, 2);
    assert_int_equal(g.warnings, 1);
    assert_int_equal(g.a[0].sport, 2);
    assert_int_equal(g.a[0].n, 0);
    assert_true(g.a[0].dist_m == 50 && g.a[0].duration_s == 10);
    assert_int_equal(g.a[1].sport, 1);
    assert_int_equal(g.a[1].n, 2);
    got_release(&g);
}

static void tcx_without_activities_is_skipped(void **state)
{
    (void)state;
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(TCX_HEAD "<Courses><Course><Name>x</Name></Course></Courses>"
                              "</TrainingCenterDatabase>", &g, &d), PL_ESKIPPED);
    assert_non_null(strstr(d.msg, "courses only"));
    assert_int_equal(read_str(TCX_HEAD "</TrainingCenterDatabase>", &g, &d), PL_ESKIPPED);
    assert_non_null(strstr(d.msg, "no activities"));
}

/* A callback that returns non-zero stops the reader. */
static void a_callback_can_stop_the_reader(void **state)
{
    (void)state;
    static const char doc[] =
        TCX_HEAD "<Activities>"
        "<Activity Sport=\"Biking\"><Id>2021-06-01T06:00:00Z</Id><Lap StartTime=\"2021-06-01T06:00:00Z\">"
        "<TotalTimeSeconds>10</TotalTimeSeconds></Lap></Activity>"
        "<Activity Sport=\"Biking\"><Id>2021-06-02T06:00:00Z</Id><Lap StartTime=\"2021-06-02T06:00:00Z\">"
        "<TotalTimeSeconds>10</TotalTimeSeconds></Lap></Activity>"
        "</Activities></TrainingCenterDatabase>";
    struct got g;
    memset(&g, 0, sizeof g);
    g.stop_after = 1;
    struct pl_reader_handler h = { &g, keep, warned };
    struct pl_diag d;
    assert_int_equal(pl_read_activities(doc, strlen(doc), &h, 0, &d), PL_ECANCELED);
    assert_int_equal(g.n, 1);
    got_release(&g);
}

/* ------------------------------------------------------------------ */
/* Hostile and broken XML                                               */

static void deep_nesting_is_refused_with_line_and_column(void **state)
{
    (void)state;
    size_t depth = 10000;
    char *doc = malloc(depth * 7 + 64);
    assert_non_null(doc);
    char *p = doc + sprintf(doc, "<gpx>\n");
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, "<a>");
    *p = '\0';
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_ELIMIT);
    assert_non_null(strstr(d.msg, "nested deeper"));
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 1 + 63 * 3);   /* the 64th <a> is the 65th level */
    free(doc);
}

static void huge_text_is_refused(void **state)
{
    (void)state;
    size_t n = 200 * 1024;
    char *doc = malloc(n + 128);
    assert_non_null(doc);
    int k = sprintf(doc, "<gpx><trk><name>");
    memset(doc + k, 'x', n);
    strcpy(doc + k + n, "</name></trk></gpx>");
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_ELIMIT);
    assert_non_null(strstr(d.msg, "text longer"));
    assert_int_equal(d.line, 1);
    assert_true(d.col > 16);
    free(doc);
}

static void huge_tag_is_refused(void **state)
{
    (void)state;
    size_t n = 3 * 1024 * 1024;
    char *doc = malloc(n + 128);
    assert_non_null(doc);
    int k = sprintf(doc, "<gpx><trk a=\"");
    memset(doc + k, 'x', n);
    strcpy(doc + k + n, "\"/></gpx>");
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_ELIMIT);
    assert_non_null(strstr(d.msg, "token longer"));
    free(doc);
}

static void doctype_and_entities_are_refused(void **state)
{
    (void)state;
    static const char laughs[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE gpx [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        "]>\n"
        "<gpx><trk><name>&lol3;</name></trk></gpx>\n";
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(laughs, &g, &d), PL_EUNSUPPORTED);
    assert_non_null(strstr(d.msg, "DOCTYPE"));
    assert_int_equal(d.line, 2);
    static const char external[] =
        "<!DOCTYPE gpx SYSTEM \"file:///etc/passwd\"><gpx>&x;</gpx>";
    assert_int_equal(read_str(external, &g, &d), PL_EUNSUPPORTED);
    assert_int_equal(d.line, 1);
}

static void malformed_xml_says_where(void **state)
{
    (void)state;
    static const char doc[] = "<gpx>\n<trk>\n  <name>x</nam>\n</trk></gpx>";
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str(doc, &g, &d), PL_EFORMAT);
    assert_int_equal(d.line, 3);
    assert_int_equal(d.col, 12);   /* the name in "</nam>" */
    assert_non_null(strstr(d.msg, "mismatched tag"));
    /* Leading blanks (which XML forbids before the declaration, and some
     * exporters write) are skipped, and the position still counts them. */
    static const char blanks[] = "\n   <?xml version=\"1.0\"?><gpx><trk></trkx></gpx>";
    assert_int_equal(read_str(blanks, &g, &d), PL_EFORMAT);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 37);   /* expat points at the name in "</trkx>" */
}

static void unknown_formats_are_unsupported(void **state)
{
    (void)state;
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_str("<kml></kml>", &g, &d), PL_EUNSUPPORTED);
    assert_non_null(strstr(d.msg, "neither GPX nor TCX"));
    assert_int_equal(read_str("hello, world", &g, &d), PL_EUNSUPPORTED);
    assert_int_equal(read_str("", &g, &d), PL_EUNSUPPORTED);
    assert_int_equal(read_str("  \n ", &g, &d), PL_EUNSUPPORTED);
    static const unsigned char gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0 };
    assert_int_equal(read_buf(gz, sizeof gz, &g, &d), PL_EUNSUPPORTED);
    assert_non_null(strstr(d.msg, "gzip"));
}

/* ------------------------------------------------------------------ */
/* FIT                                                                  */

#define FIT_T0 1000000000.0   /* FIT epoch seconds: 2021-09-08T01:46:40Z */
#define UNIX_T0 ((int64_t)FIT_T0 + PL_FIT_EPOCH_S)

static const struct pl_fit_wfield fid_fields[] = {
    { 0, PL_FIT_ENUM, 1, 1, 0 },       /* type */
    { 1, PL_FIT_UINT16, 2, 1, 0 },     /* manufacturer */
    { 2, PL_FIT_UINT16, 2, 1, 0 },     /* product */
    { 4, PL_FIT_UINT32, 4, 1, 0 },     /* time_created */
};
static const struct pl_fit_wfield rec_fields[] = {
    { 253, PL_FIT_UINT32, 4, 1, 0 },   /* timestamp */
    { 0, PL_FIT_SINT32, 4, 1, 0 },     /* position_lat */
    { 1, PL_FIT_SINT32, 4, 1, 0 },     /* position_long */
    { 5, PL_FIT_UINT32, 4, 100, 0 },   /* distance */
    { 3, PL_FIT_UINT8, 1, 1, 0 },      /* heart_rate */
    { 4, PL_FIT_UINT8, 1, 1, 0 },      /* cadence */
    { 53, PL_FIT_UINT8, 1, 128, 0 },   /* fractional_cadence */
};
static const struct pl_fit_wfield sess_fields[] = {
    { 253, PL_FIT_UINT32, 4, 1, 0 },   /* timestamp */
    { 2, PL_FIT_UINT32, 4, 1, 0 },     /* start_time */
    { 5, PL_FIT_ENUM, 1, 1, 0 },       /* sport */
    { 7, PL_FIT_UINT32, 4, 1000, 0 },  /* total_elapsed_time */
    { 8, PL_FIT_UINT32, 4, 1000, 0 },  /* total_timer_time */
    { 9, PL_FIT_UINT32, 4, 100, 0 },   /* total_distance */
    { 18, PL_FIT_UINT8, 1, 1, 0 },     /* avg_cadence */
    { 92, PL_FIT_UINT8, 1, 128, 0 },   /* avg_fractional_cadence */
};
static const struct pl_fit_wfield lap_fields[] = {
    { 253, PL_FIT_UINT32, 4, 1, 0 },   /* timestamp */
    { 2, PL_FIT_UINT32, 4, 1, 0 },     /* start_time */
    { 7, PL_FIT_UINT32, 4, 1000, 0 },  /* total_elapsed_time */
};
static const struct pl_fit_wfield act_fields[] = {
    { 253, PL_FIT_UINT32, 4, 1, 0 },   /* timestamp */
    { 5, PL_FIT_UINT32, 4, 1, 0 },     /* local_timestamp */
};

/* A FIT file: file_id of `type`; for an activity, 20 records at 1 Hz and
 * `nsess` sessions splitting them (running, then cycling), a lap per
 * session and an activity message saying UTC+2. */
static uint8_t *make_fit(int type, int nsess, size_t *n)
{
    struct pl_fit_writer *w = pl_fit_writer_new(1 << 20);
    assert_non_null(w);
    struct pl_fit_wvalue v[8];
    memset(v, 0, sizeof v);
    pl_fit_writer_define(w, 0, 0, fid_fields, 4, NULL);
    v[0].num = type;
    v[1].num = 1;        /* garmin */
    v[2].num = 2697;     /* fenix5 */
    v[3].num = FIT_T0;
    pl_fit_writer_write(w, 0, v, NULL);
    if (type == 4) {
        pl_fit_writer_define(w, 1, 20, rec_fields, 7, NULL);
        for (int i = 0; i < 20; i++) {
            v[0].num = FIT_T0 + i;
            v[1].num = round(46.0 / (180.0 / 2147483648.0));
            v[2].num = round((14.0 + i * 0.0001) / (180.0 / 2147483648.0));
            v[3].num = i * 7.7;
            v[4].num = 100 + i;
            v[5].num = 80;
            v[6].num = 0.5;
            pl_fit_writer_write(w, 1, v, NULL);
        }
        pl_fit_writer_define(w, 2, 19, lap_fields, 3, NULL);
        pl_fit_writer_define(w, 3, 18, sess_fields, 8, NULL);
        int per = 20 / nsess;
        for (int s = 0; s < nsess; s++) {
            v[0].num = FIT_T0 + (s + 1) * per - 1;
            v[1].num = FIT_T0 + s * per;
            v[2].num = per - 1;
            pl_fit_writer_write(w, 2, v, NULL);
        }
        for (int s = 0; s < nsess; s++) {
            v[0].num = FIT_T0 + (s + 1) * per - 1;
            v[1].num = FIT_T0 + s * per;
            v[2].num = s == 0 ? 1 : 2;      /* running, cycling */
            v[3].num = per - 1;
            v[4].num = per - 2;
            v[5].num = (per - 1) * 7.7;
            v[6].num = 80;
            v[7].num = 0.5;
            pl_fit_writer_write(w, 3, v, NULL);
        }
        pl_fit_writer_define(w, 4, 34, act_fields, 2, NULL);
        v[0].num = FIT_T0 + 20;
        v[1].num = FIT_T0 + 20 + 7200;
        pl_fit_writer_write(w, 4, v, NULL);
    }
    struct pl_diag d;
    if (pl_fit_writer_finish(w, &d) != PL_OK)
        fail_msg("fit: %s", d.msg);
    const uint8_t *b = pl_fit_writer_bytes(w, n);
    uint8_t *copy = malloc(*n);
    assert_non_null(copy);
    memcpy(copy, b, *n);
    pl_fit_writer_free(w);
    return copy;
}

static void fit_session_gives_the_totals_and_records_the_streams(void **state)
{
    (void)state;
    size_t n;
    uint8_t *fit = make_fit(4, 1, &n);
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_buf(fit, n, &g, &d), PL_OK);
    assert_int_equal(g.n, 1);
    struct pl_activity *a = &g.a[0];
    assert_int_equal(a->source_kind, PL_SRC_FIT);
    assert_int_equal(a->sport, 1);
    assert_int_equal(a->start_s, UNIX_T0);
    assert_true(a->utc_offset_known);
    assert_int_equal(a->utc_offset_s, 7200);
    assert_string_equal(a->device, "garmin fenix5");
    assert_true(a->duration_s == 19 && a->moving_s == 18);
    assert_true(fabs(a->dist_m - 146.3) < 1e-6);
    /* 80.5 strides a minute are 161 steps. */
    assert_true(fabs(a->cadence_avg_spm - 161) < 1e-9);
    assert_int_equal(a->n, 20);
    assert_true(a->t_s[0] == 0 && a->t_s[19] == 19);
    assert_true(fabs(a->lat_deg[0] - 46.0) < 1e-6 && fabs(a->lon_deg[19] - 14.0019) < 1e-6);
    assert_true(a->hr_bpm[19] == 119);
    assert_true(fabs(a->cadence_spm[3] - 161) < 1e-9);
    assert_true(a->hr_max_bpm == 119);
    assert_int_equal(a->nlaps, 1);
    free(fit);
    got_release(&g);
}

static void fit_multisport_gives_one_activity_per_session(void **state)
{
    (void)state;
    size_t n;
    uint8_t *fit = make_fit(4, 2, &n);
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_buf(fit, n, &g, &d), PL_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.a[0].sport, 1);
    assert_int_equal(g.a[1].sport, 2);
    assert_int_equal(g.a[0].n, 10);
    assert_int_equal(g.a[1].n, 10);
    assert_int_equal(g.a[1].start_s, UNIX_T0 + 10);
    assert_true(g.a[1].t_s[0] == 0);
    assert_int_equal(g.a[0].nlaps, 1);
    assert_int_equal(g.a[1].nlaps, 1);
    /* Cycling cadence stays in rpm. */
    assert_true(fabs(g.a[1].cadence_avg_spm - 80.5) < 1e-9);
    assert_true(fabs(g.a[1].cadence_spm[0] - 80.5) < 1e-9);
    assert_true(g.a[0].utc_offset_known && g.a[1].utc_offset_s == 7200);
    free(fit);
    got_release(&g);
}

static void fit_non_activity_files_are_skipped_with_what_they_are(void **state)
{
    (void)state;
    static const struct {
        int type;
        const char *what;
    } cases[] = { { 2, "settings file" }, { 5, "workout file" }, { 9, "weight scale file" },
                  { 32, "monitoring file" }, { 6, "course file" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *fit = make_fit(cases[i].type, 1, &n);
        struct got g;
        struct pl_diag d;
        assert_int_equal(read_buf(fit, n, &g, &d), PL_ESKIPPED);
        if (!strstr(d.msg, cases[i].what))
            fail_msg("type %d: '%s'", cases[i].type, d.msg);
        free(fit);
    }
}

static void chained_fit_reads_every_segment(void **state)
{
    (void)state;
    size_t n1, n2, n3;
    uint8_t *a = make_fit(4, 1, &n1), *s = make_fit(2, 1, &n2), *b = make_fit(4, 2, &n3);
    uint8_t *all = malloc(n1 + n2 + n3);
    assert_non_null(all);
    memcpy(all, a, n1);
    memcpy(all + n1, s, n2);
    memcpy(all + n1 + n2, b, n3);
    struct got g;
    struct pl_diag d;
    assert_int_equal(read_buf(all, n1 + n2 + n3, &g, &d), PL_OK);
    assert_int_equal(g.n, 3);
    free(a);
    free(s);
    free(b);
    free(all);
    got_release(&g);
}

/* A file cut short still gives its complete records, then the error. */
static void truncated_fit_delivers_its_records_before_the_error(void **state)
{
    (void)state;
    size_t n;
    uint8_t *fit = make_fit(4, 1, &n);
    struct got g;
    struct pl_diag d;
    /* Cut inside the records: no lap, session or activity message left. */
    assert_int_equal(read_buf(fit, n / 2, &g, &d), PL_ETRUNCATED);
    assert_int_equal(g.n, 1);
    assert_true(g.a[0].n > 3 && g.a[0].n < 20);
    assert_int_equal(g.a[0].sport, 0);
    assert_int_equal(g.a[0].start_s, UNIX_T0);
    assert_false(g.a[0].utc_offset_known);
    free(fit);
    got_release(&g);
}

/* The simulator's runs: the reader's totals are what it rendered. */
static void simulated_runs_read_back_with_their_planted_totals(void **state)
{
    (void)state;
    struct pl_sim_options o;
    pl_sim_options_init(&o);
    o.weeks = 1;
    struct pl_sim *sim;
    assert_int_equal(pl_sim_plan(&o, &sim, NULL), PL_OK);
    for (size_t i = 0; i < pl_sim_count(sim) && i < 3; i++) {
        struct pl_fit_writer *w = pl_fit_writer_new(64 << 20);
        struct pl_diag d;
        assert_int_equal(pl_sim_render(sim, i, w, &d), PL_OK);
        assert_int_equal(pl_fit_writer_finish(w, &d), PL_OK);
        size_t n;
        const uint8_t *b = pl_fit_writer_bytes(w, &n);
        const struct pl_sim_activity *t = pl_sim_activity(sim, i);
        struct got g;
        assert_int_equal(read_buf(b, n, &g, &d), PL_OK);
        assert_int_equal(g.n, 1);
        struct pl_activity *a = &g.a[0];
        assert_int_equal(a->sport, 1);
        assert_int_equal(a->start_s, t->start_s);
        assert_true(a->utc_offset_known);
        assert_int_equal(a->utc_offset_s, t->utc_offset_s);
        assert_true(fabs(a->dist_m - t->dist_m) < 0.01);
        assert_true(fabs(a->duration_s - t->elapsed_s) < 0.01);
        assert_true(a->hr_max_bpm == t->hr_bpm_max);
        assert_true(a->n > 60 && a->hr_bpm && a->lat_deg && a->alt_m && a->cadence_spm);
        /* The GPS track's length is close to the device's distance. */
        double along = 0;
        for (size_t k = 1; k < a->n; k++)
            along += a->dist_m_s[k] >= a->dist_m_s[k - 1] ? a->dist_m_s[k] - a->dist_m_s[k - 1] : 0;
        assert_true(fabs(along - a->dist_m) < 0.02 * a->dist_m);
        got_release(&g);
        pl_fit_writer_free(w);
    }
    pl_sim_free(sim);
}

/* ------------------------------------------------------------------ */
/* The push API                                                         */

/* Fed a byte at a time, every format gives what it gives whole. */
static void feeding_byte_by_byte_gives_the_same(void **state)
{
    (void)state;
    size_t nfit;
    uint8_t *fit = make_fit(4, 2, &nfit);
    const struct {
        const void *p;
        size_t n;
    } docs[] = { { gpx_run, sizeof gpx_run - 1 }, { tcx_run, sizeof tcx_run - 1 }, { fit, nfit } };
    for (size_t k = 0; k < 3; k++) {
        struct got whole, bytes;
        struct pl_diag d;
        assert_int_equal(read_buf(docs[k].p, docs[k].n, &whole, &d), PL_OK);
        memset(&bytes, 0, sizeof bytes);
        struct pl_reader_handler h = { &bytes, keep, warned };
        struct pl_reader *r = pl_reader_new(&h, 0);
        assert_non_null(r);
        for (size_t i = 0; i < docs[k].n; i++)
            assert_int_equal(pl_reader_feed(r, (const uint8_t *)docs[k].p + i, 1, &d), PL_OK);
        assert_int_equal(pl_reader_finish(r, &d), PL_OK);
        pl_reader_free(r);
        assert_int_equal(whole.n, bytes.n);
        for (size_t i = 0; i < whole.n; i++) {
            assert_int_equal(whole.a[i].n, bytes.a[i].n);
            assert_int_equal(whole.a[i].start_s, bytes.a[i].start_s);
            assert_true(whole.a[i].dist_m == bytes.a[i].dist_m);
        }
        got_release(&whole);
        got_release(&bytes);
    }
    free(fit);
}

/* ------------------------------------------------------------------ */
/* Sports                                                               */

static void sports_parse_in_every_spelling(void **state)
{
    (void)state;
    assert_int_equal(pl_sport_parse("running"), 1);
    assert_int_equal(pl_sport_parse("Run"), 1);
    assert_int_equal(pl_sport_parse("TrailRun"), 1);
    assert_int_equal(pl_sport_parse("trail_running"), 1);
    assert_int_equal(pl_sport_parse("Biking"), 2);
    assert_int_equal(pl_sport_parse("VirtualRide"), 2);
    assert_int_equal(pl_sport_parse("Other"), 0);
    assert_int_equal(pl_sport_parse("cross_country_skiing"), 12);
    assert_int_equal(pl_sport_parse("Hike"), 17);
    assert_int_equal(pl_sport_parse("5"), 5);
    assert_int_equal(pl_sport_parse("quidditch"), -1);
    assert_int_equal(pl_sport_parse(""), -1);
    assert_int_equal(pl_sport_parse(NULL), -1);
    assert_string_equal(pl_sport_name(1), "running");
    assert_string_equal(pl_sport_name(2), "cycling");
    assert_string_equal(pl_sport_name(250), "generic");
}

/* ------------------------------------------------------------------ */
/* Allocation failures                                                  */

struct failing {
    long calls, fail_at;   /* fail the fail_at-th allocation (1-based) */
    long live;
};
static struct failing fa;

static void *f_malloc(void *ctx, size_t n)
{
    (void)ctx;
    if (++fa.calls == fa.fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        fa.live++;
    return p;
}

static void *f_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    if (++fa.calls == fa.fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        fa.live++;
    return q;
}

static void f_free(void *ctx, void *p)
{
    (void)ctx;
    if (p) {
        fa.live--;
        free(p);
    }
}

/* Fail each allocation in turn: every run ends in PL_OK or PL_ENOMEM and
 * leaves nothing allocated; the last run, which fails nothing, reads the
 * document as it would without the allocator. */
static void loop_over(const void *doc, size_t n, size_t want)
{
    struct pl_allocator al = { f_malloc, f_realloc, f_free, NULL };
    for (long at = 1;; at++) {
        fa = (struct failing){ 0, at, 0 };
        pl_set_allocator(&al);
        struct got g;
        struct pl_diag d;
        int rc = read_buf(doc, n, &g, &d);
        size_t got = g.n;
        got_release(&g);
        pl_set_allocator(NULL);
        if (fa.live != 0)
            fail_msg("failing allocation %ld: %ld blocks left", at, fa.live);
        if (rc != PL_OK && rc != PL_ENOMEM)
            fail_msg("failing allocation %ld: %s (%s)", at, pl_err_name(rc), d.msg);
        if (fa.calls < at) {
            assert_int_equal(rc, PL_OK);
            assert_int_equal(got, want);
            return;
        }
    }
}

static void allocation_failures_in_gpx_tcx_and_fit_are_clean(void **state)
{
    (void)state;
    loop_over(gpx_run, sizeof gpx_run - 1, 1);
    loop_over(tcx_run, sizeof tcx_run - 1, 1);
    size_t n;
    uint8_t *fit = make_fit(4, 2, &n);
    loop_over(fit, n, 2);
    free(fit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpx_track_becomes_one_activity_with_its_streams),
        cmocka_unit_test(gpx_extension_spellings_are_all_read),
        cmocka_unit_test(gpx_1_0_speed_and_offset_times_are_read),
        cmocka_unit_test(gpx_points_without_time_are_left_out_with_a_warning),
        cmocka_unit_test(gpx_without_a_recording_is_skipped_with_the_reason),
        cmocka_unit_test(tcx_activity_gives_laps_streams_and_totals),
        cmocka_unit_test(tcx_several_activities_and_multisport_give_several),
        cmocka_unit_test(tcx_without_activities_is_skipped),
        cmocka_unit_test(a_callback_can_stop_the_reader),
        cmocka_unit_test(deep_nesting_is_refused_with_line_and_column),
        cmocka_unit_test(huge_text_is_refused),
        cmocka_unit_test(huge_tag_is_refused),
        cmocka_unit_test(doctype_and_entities_are_refused),
        cmocka_unit_test(malformed_xml_says_where),
        cmocka_unit_test(unknown_formats_are_unsupported),
        cmocka_unit_test(fit_session_gives_the_totals_and_records_the_streams),
        cmocka_unit_test(fit_multisport_gives_one_activity_per_session),
        cmocka_unit_test(fit_non_activity_files_are_skipped_with_what_they_are),
        cmocka_unit_test(chained_fit_reads_every_segment),
        cmocka_unit_test(truncated_fit_delivers_its_records_before_the_error),
        cmocka_unit_test(simulated_runs_read_back_with_their_planted_totals),
        cmocka_unit_test(feeding_byte_by_byte_gives_the_same),
        cmocka_unit_test(sports_parse_in_every_spelling),
        cmocka_unit_test(allocation_failures_in_gpx_tcx_and_fit_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
