/*
 * test-fitprofile.c - the generated FIT profile tables and their look-ups.
 *
 * Two kinds of tests: invariants the decoder relies on (sorted tables, so
 * binary search is valid; component targets and sub-field references that
 * exist), and facts from the FIT profile (Profile.xlsx as published in the
 * FIT SDK 21.217.0, messages record, event, file_id and type sport).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "formats/fitprofile.h"

static uint16_t type_id(const char *name)
{
    for (size_t i = 0; i < pl__fit_ntypes; i++)
        if (strcmp(pl__fit_types[i].name, name) == 0)
            return (uint16_t)i;
    fail_msg("profile type %s missing", name);
    return PL_FIT_TYPE_NONE;
}

static const struct pl_fit_field_info *field(uint16_t msg, uint8_t num)
{
    const struct pl_fit_field_info *f =
        pl__fit_field_info(pl__fit_msg_info(msg), num);

    assert_non_null(f);
    return f;
}

static const struct pl_fit_subfield *subfield(
    const struct pl_fit_field_info *f, const char *name)
{
    for (unsigned i = 0; i < f->nsubfields; i++)
        if (strcmp(f->subfields[i].pub.name, name) == 0)
            return &f->subfields[i];
    fail_msg("sub-field %s of %s missing", name, f->pub.name);
    return NULL;
}

/* Names are snake_case: lowercase letters, digits and underscores. */
static bool is_snake(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static void check_pub(const struct pl_fit_field *p)
{
    assert_true(is_snake(p->name));
    assert_non_null(p->units);
    assert_true(p->show <= PL_FIT_SHOW_STRING);
    assert_true(p->base < PL_FIT_BASE_COUNT_);
    assert_true(p->type == PL_FIT_TYPE_NONE || p->type < pl__fit_ntypes);
    if (p->show == PL_FIT_SHOW_NUMBER || p->show == PL_FIT_SHOW_STRING)
        assert_int_equal(p->type, PL_FIT_TYPE_NONE);
    assert_int_equal(p->dev_index, 0);
    assert_int_equal(p->flags & ~(PL_FIT_F_ARRAY | PL_FIT_F_SUBFIELD), 0);
}

static void check_components(const struct pl_fit_msg_info *m,
                             const struct pl_fit_component *c, unsigned n)
{
    assert_true(n == 0 || c != NULL);
    for (unsigned i = 0; i < n; i++) {
        const struct pl_fit_field_info *t = pl__fit_field_info(m, c[i].target);

        if (!t)
            fail_msg("%s: component target %u missing", m->name, c[i].target);
        assert_int_equal(c[i].accumulate, t->accumulated);
        assert_true(c[i].bits > 0 && c[i].bits <= 64);
        assert_true(c[i].scale != 0);
    }
}

static void messages_are_sorted_by_number(void **state)
{
    (void)state;
    assert_true(pl__fit_nmsgs > 100);
    for (size_t i = 1; i < pl__fit_nmsgs; i++)
        assert_true(pl__fit_msgs[i - 1].num < pl__fit_msgs[i].num);
}

static void fields_are_sorted_by_number(void **state)
{
    (void)state;
    for (size_t i = 0; i < pl__fit_nmsgs; i++) {
        const struct pl_fit_msg_info *m = &pl__fit_msgs[i];

        assert_true(m->nfields == 0 || m->fields != NULL);
        for (unsigned j = 1; j < m->nfields; j++)
            assert_true(m->fields[j - 1].pub.num < m->fields[j].pub.num);
    }
}

static void types_are_sorted_by_name_and_values_by_value(void **state)
{
    (void)state;
    assert_true(pl__fit_ntypes > 100);
    for (size_t i = 0; i < pl__fit_ntypes; i++) {
        const struct pl_fit_type *t = &pl__fit_types[i];

        assert_true(is_snake(t->name));
        if (i > 0)
            assert_true(strcmp(pl__fit_types[i - 1].name, t->name) < 0);
        assert_true(t->base < PL_FIT_BASE_COUNT_ || t->base == PL_FIT_BASE_NONE);
        assert_true(t->nvalues == 0 || t->values != NULL);
        for (unsigned j = 0; j < t->nvalues; j++) {
            assert_true(is_snake(t->values[j].name));
            if (j > 0)
                assert_true(t->values[j - 1].value < t->values[j].value);
        }
    }
}

static void every_message_and_field_is_found_by_binary_search(void **state)
{
    (void)state;
    for (size_t i = 0; i < pl__fit_nmsgs; i++) {
        const struct pl_fit_msg_info *m = &pl__fit_msgs[i];

        assert_ptr_equal(pl__fit_msg_info(m->num), m);
        assert_string_equal(pl_fit_msg_name(m->num), m->name);
        assert_int_equal(pl_fit_msg_num(m->name), m->num);
        for (unsigned j = 0; j < m->nfields; j++)
            assert_ptr_equal(pl__fit_field_info(m, (uint8_t)m->fields[j].pub.num),
                             &m->fields[j]);
    }
    for (size_t i = 0; i < pl__fit_ntypes; i++)
        for (unsigned j = 0; j < pl__fit_types[i].nvalues; j++)
            assert_ptr_equal(pl_fit_enum_name((uint16_t)i, pl__fit_types[i].values[j].value),
                             pl__fit_types[i].values[j].name);
}

static void every_field_description_is_well_formed(void **state)
{
    (void)state;
    for (size_t i = 0; i < pl__fit_nmsgs; i++) {
        const struct pl_fit_msg_info *m = &pl__fit_msgs[i];

        assert_true(is_snake(m->name));
        for (unsigned j = 0; j < m->nfields; j++) {
            const struct pl_fit_field_info *f = &m->fields[j];

            check_pub(&f->pub);
            assert_int_equal(f->pub.flags & PL_FIT_F_SUBFIELD, 0);
            assert_true(f->scale != 0);
            /* several scales belong to components only */
            assert_true(f->single_scale || f->ncomponents > 1);
            assert_true(f->nsubfields == 0 || f->subfields != NULL);
            for (unsigned k = 0; k < f->nsubfields; k++) {
                assert_int_equal(f->subfields[k].pub.num, f->pub.num);
                assert_true(f->subfields[k].pub.flags & PL_FIT_F_SUBFIELD);
                check_pub(&f->subfields[k].pub);
            }
        }
    }
}

static void every_component_target_exists_in_its_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < pl__fit_nmsgs; i++) {
        const struct pl_fit_msg_info *m = &pl__fit_msgs[i];

        for (unsigned j = 0; j < m->nfields; j++) {
            const struct pl_fit_field_info *f = &m->fields[j];

            check_components(m, f->components, f->ncomponents);
            for (unsigned k = 0; k < f->nsubfields; k++)
                check_components(m, f->subfields[k].components,
                                 f->subfields[k].ncomponents);
        }
    }
}

static void every_subfield_reference_exists_in_its_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < pl__fit_nmsgs; i++) {
        const struct pl_fit_msg_info *m = &pl__fit_msgs[i];

        for (unsigned j = 0; j < m->nfields; j++) {
            const struct pl_fit_field_info *f = &m->fields[j];

            for (unsigned k = 0; k < f->nsubfields; k++) {
                const struct pl_fit_subfield *s = &f->subfields[k];

                assert_true(s->nrefs > 0 && s->refs != NULL);
                for (unsigned r = 0; r < s->nrefs; r++)
                    if (!pl__fit_field_info(m, s->refs[r].ref_field))
                        fail_msg("%s.%s: reference field %u missing", m->name,
                                 s->pub.name, s->refs[r].ref_field);
            }
        }
    }
}

static void well_known_messages_have_their_numbers(void **state)
{
    (void)state;
    assert_string_equal(pl_fit_msg_name(0), "file_id");
    assert_string_equal(pl_fit_msg_name(18), "session");
    assert_string_equal(pl_fit_msg_name(19), "lap");
    assert_string_equal(pl_fit_msg_name(20), "record");
    assert_string_equal(pl_fit_msg_name(21), "event");
    assert_int_equal(pl_fit_msg_num("record"), 20);
    assert_int_equal(pl_fit_msg_num("file_id"), 0);
}

static void unknown_lookups_give_null_or_minus_one(void **state)
{
    (void)state;
    assert_null(pl__fit_msg_info(0xFFFF));
    assert_null(pl_fit_msg_name(0xFFFF));
    assert_null(pl_fit_msg_name(11));    /* a gap in the message numbers */
    assert_int_equal(pl_fit_msg_num("no_such_message"), -1);
    assert_int_equal(pl_fit_msg_num("Record"), -1);
    assert_int_equal(pl_fit_msg_num(""), -1);
    assert_int_equal(pl_fit_msg_num(NULL), -1);
    assert_null(pl__fit_field_info(pl__fit_msg_info(20), 200));
    assert_null(pl__fit_field_info(NULL, 0));
    assert_null(pl_fit_enum_name(PL_FIT_TYPE_NONE, 0));
    assert_null(pl_fit_enum_name((uint16_t)pl__fit_ntypes, 0));
    assert_null(pl_fit_enum_name(type_id("sport"), 200));
}

static void profile_version_is_the_pinned_sdk(void **state)
{
    (void)state;
    assert_string_equal(pl_fit_profile_version(), "21.217.0");
    assert_string_equal(pl__fit_profile_version, "21.217.0");
}

static void sport_1_is_running(void **state)
{
    uint16_t sport = type_id("sport");

    (void)state;
    assert_string_equal(pl_fit_enum_name(sport, 0), "generic");
    assert_string_equal(pl_fit_enum_name(sport, 1), "running");
    assert_string_equal(pl_fit_enum_name(sport, 2), "cycling");
    assert_int_equal(pl__fit_types[sport].base, PL_FIT_ENUM);
    assert_string_equal(pl_fit_enum_name(type_id("file"), 4), "activity");
    assert_string_equal(pl_fit_enum_name(type_id("manufacturer"), 1), "garmin");
}

static void file_id_type_names_its_values(void **state)
{
    const struct pl_fit_field_info *f = field(0, 0);

    (void)state;
    assert_string_equal(f->pub.name, "type");
    assert_int_equal(f->pub.show, PL_FIT_SHOW_ENUM);
    assert_int_equal(f->pub.type, type_id("file"));
    assert_int_equal(f->pub.base, PL_FIT_ENUM);
}

static void record_timestamp_is_a_date_time(void **state)
{
    const struct pl_fit_field_info *f = field(20, 253);

    (void)state;
    assert_string_equal(f->pub.name, "timestamp");
    assert_int_equal(f->pub.show, PL_FIT_SHOW_DATE_TIME);
    assert_int_equal(f->pub.base, PL_FIT_UINT32);
    assert_string_equal(f->pub.units, "s");
}

static void record_speed_is_scaled_and_expands_to_enhanced_speed(void **state)
{
    const struct pl_fit_field_info *f = field(20, 6);

    (void)state;
    assert_string_equal(f->pub.name, "speed");
    assert_string_equal(f->pub.units, "m/s");
    assert_int_equal(f->pub.show, PL_FIT_SHOW_NUMBER);
    assert_int_equal(f->pub.base, PL_FIT_UINT16);
    assert_true(f->single_scale);
    assert_true(f->scale == 1000.0 && f->offset == 0.0);
    assert_int_equal(f->ncomponents, 1);
    assert_int_equal(f->components[0].target, 73);
    assert_int_equal(f->components[0].bits, 16);
    assert_true(f->components[0].scale == 1000.0);
    assert_false(f->components[0].accumulate);
    assert_string_equal(field(20, 73)->pub.name, "enhanced_speed");
}

static void record_altitude_has_scale_5_offset_500(void **state)
{
    const struct pl_fit_field_info *f = field(20, 2);

    (void)state;
    assert_string_equal(f->pub.name, "altitude");
    assert_true(f->scale == 5.0 && f->offset == 500.0);
    assert_int_equal(f->ncomponents, 1);
    assert_int_equal(f->components[0].target, 78);
    assert_true(f->components[0].scale == 5.0 && f->components[0].offset == 500.0);
    assert_string_equal(field(20, 78)->pub.name, "enhanced_altitude");
}

static void compressed_speed_distance_splits_into_speed_and_distance(void **state)
{
    const struct pl_fit_field_info *f = field(20, 8);
    const struct pl_fit_component *c = f->components;

    (void)state;
    assert_string_equal(f->pub.name, "compressed_speed_distance");
    assert_int_equal(f->pub.base, PL_FIT_BYTE);
    assert_false(f->single_scale);   /* two scales: the field stays raw */
    assert_int_equal(f->ncomponents, 2);
    assert_int_equal(c[0].target, 6);         /* speed */
    assert_int_equal(c[0].bits, 12);
    assert_true(c[0].scale == 100.0);
    assert_false(c[0].accumulate);
    assert_int_equal(c[1].target, 5);         /* distance */
    assert_int_equal(c[1].bits, 12);
    assert_true(c[1].scale == 16.0);
    assert_true(c[1].accumulate);
    assert_true(field(20, 5)->accumulated);
}

static void event_data_subfields_are_chosen_by_event(void **state)
{
    const struct pl_fit_field_info *f = field(21, 3);
    const struct pl_fit_subfield *s;

    (void)state;
    assert_string_equal(f->pub.name, "data");
    assert_true(f->nsubfields > 10);
    s = subfield(f, "timer_trigger");
    assert_int_equal(s->pub.num, 3);
    assert_int_equal(s->pub.show, PL_FIT_SHOW_ENUM);
    assert_int_equal(s->pub.type, type_id("timer_trigger"));
    assert_int_equal(s->nrefs, 1);
    assert_int_equal(s->refs[0].ref_field, 0);   /* event */
    assert_string_equal(field(21, 0)->pub.name, "event");
    assert_string_equal(pl_fit_enum_name(type_id("event"), s->refs[0].ref_value),
                        "timer");
    s = subfield(f, "battery_level");
    assert_true(s->single_scale && s->scale == 1000.0);
    assert_string_equal(s->pub.units, "V");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_are_sorted_by_number),
        cmocka_unit_test(fields_are_sorted_by_number),
        cmocka_unit_test(types_are_sorted_by_name_and_values_by_value),
        cmocka_unit_test(every_message_and_field_is_found_by_binary_search),
        cmocka_unit_test(every_field_description_is_well_formed),
        cmocka_unit_test(every_component_target_exists_in_its_message),
        cmocka_unit_test(every_subfield_reference_exists_in_its_message),
        cmocka_unit_test(well_known_messages_have_their_numbers),
        cmocka_unit_test(unknown_lookups_give_null_or_minus_one),
        cmocka_unit_test(profile_version_is_the_pinned_sdk),
        cmocka_unit_test(sport_1_is_running),
        cmocka_unit_test(file_id_type_names_its_values),
        cmocka_unit_test(record_timestamp_is_a_date_time),
        cmocka_unit_test(record_speed_is_scaled_and_expands_to_enhanced_speed),
        cmocka_unit_test(record_altitude_has_scale_5_offset_500),
        cmocka_unit_test(compressed_speed_distance_splits_into_speed_and_distance),
        cmocka_unit_test(event_data_subfields_are_chosen_by_event),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
