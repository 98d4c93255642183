package calendar_test

import (
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/workflows/calendar"
)

func open(t *testing.T, code string) period.Calendar {
	t.Helper()
	c, err := period.Open(calendar.Germany{}, code, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func berlin(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Berlin")
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestEnd_follows_sections_187_to_193_BGB(t *testing.T) {
	for _, tc := range []struct {
		name, code, event string
		length            period.Length
		extra             int
		want              string // the end instant in Berlin time
	}{
		{"thirty_days_not_counting_the_day_of_the_event", "DE-SN", "2026-12-16 09:00", period.Length{Count: 30}, 0, "2027-01-16 00:00"},
		{"an_event_late_in_the_evening_counts_from_its_local_day", "DE-SN", "2026-12-16 23:59", period.Length{Count: 30}, 0, "2027-01-16 00:00"},
		{"last_day_on_german_unity_day_moves_to_the_next_working_day", "DE-NW", "2028-09-03 10:00", period.Length{Count: 30}, 0, "2028-10-05 00:00"},
		{"last_day_on_a_sunday_moves_to_monday", "DE-NW", "2027-01-01 10:00", period.Length{Count: 30}, 0, "2027-02-02 00:00"},
		{"reformation_day_is_a_holiday_in_saxony", "DE-SN", "2029-10-01 10:00", period.Length{Count: 30}, 0, "2029-11-02 00:00"},
		{"reformation_day_is_a_working_day_in_north_rhine_westphalia", "DE-NW", "2029-10-01 10:00", period.Length{Count: 30}, 0, "2029-11-01 00:00"},
		{"day_of_repentance_is_a_holiday_only_in_saxony", "DE-SN", "2027-10-18 10:00", period.Length{Count: 30}, 0, "2027-11-19 00:00"},
		{"day_of_repentance_is_a_working_day_in_bavaria", "DE-BY", "2027-10-18 10:00", period.Length{Count: 30}, 0, "2027-11-18 00:00"},
		{"a_period_ending_on_new_years_eve_ends_at_midnight_into_the_new_year", "DE-SN", "2026-12-01 10:00", period.Length{Count: 30}, 0, "2027-01-01 00:00"},
		{"christmas_and_the_weekend_after_it_move_the_end_to_monday", "DE-SN", "2026-11-25 10:00", period.Length{Count: 30}, 0, "2026-12-29 00:00"},
		{"a_month_from_the_31st_ends_on_the_last_day_of_february_moved_off_sunday", "DE-NW", "2027-01-31 10:00", period.Length{Count: 1, Unit: period.Months}, 0, "2027-03-02 00:00"},
		{"a_month_in_a_leap_year_ends_on_29_february", "DE-NW", "2028-01-31 10:00", period.Length{Count: 1, Unit: period.Months}, 0, "2028-03-01 00:00"},
		{"a_week_ends_on_the_weekday_of_the_event", "DE-NW", "2027-03-02 10:00", period.Length{Count: 1, Unit: period.Weeks}, 0, "2027-03-10 00:00"},
		{"working_days_skip_christmas_and_the_weekend", "DE-NW", "2027-12-24 10:00", period.Length{Count: 3, Unit: period.WorkingDays}, 0, "2027-12-30 00:00"},
		{"easter_sunday_on_the_day_summer_time_begins_and_easter_monday_move_the_end_to_tuesday", "DE-NW", "2027-02-26 10:00", period.Length{Count: 30}, 0, "2027-03-31 00:00"},
		{"an_extension_adds_calendar_days_before_the_weekend_rule", "DE-NW", "2026-12-16 09:00", period.Length{Count: 30}, 1, "2027-01-19 00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, tc.code)
			got := c.End(berlin(t, tc.event), tc.length, tc.extra)
			if want := berlin(t, tc.want); !got.Equal(want) {
				t.Errorf("end = %s, want %s", got.In(c.Location), want)
			}
		})
	}
}

func TestFormatEnd_names_the_last_day_at_24_00(t *testing.T) {
	c := open(t, "DE-SN")
	end := c.End(berlin(t, "2026-12-16 09:00"), period.Length{Count: 30}, 0)
	for lang, want := range map[string]string{"de": "endet am 15.01.2027, 24:00 Uhr", "en": "ends on 15 Jan 2027, 24:00"} {
		if got := period.FormatEnd(end, c.Location, lang); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

func TestCalendar_working_days(t *testing.T) {
	sn, nw := open(t, "DE-SN"), open(t, "DE-NW")
	for _, tc := range []struct {
		name string
		cal  period.Calendar
		day  string
		want bool
	}{
		{"german_unity_day_is_free_everywhere", nw, "2028-10-03 12:00", false},
		{"a_saturday_is_free", nw, "2027-01-02 12:00", false},
		{"corpus_christi_is_free_in_north_rhine_westphalia", nw, "2027-05-27 12:00", false},
		{"corpus_christi_is_a_working_day_in_most_of_saxony", sn, "2027-05-27 12:00", true},
		{"christmas_eve_is_a_working_day", sn, "2027-12-24 12:00", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.IsWorkingDay(berlin(t, tc.day)); got != tc.want {
				t.Errorf("IsWorkingDay(%s) = %v", tc.day, got)
			}
		})
	}
	t.Run("adding_working_days_keeps_the_time_of_day", func(t *testing.T) {
		got := nw.AddWorkingDays(berlin(t, "2028-09-29 16:30"), 2)
		if want := berlin(t, "2028-10-04 16:30"); !got.Equal(want) {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("every_calendar_code_has_holidays", func(t *testing.T) {
		for _, code := range period.Codes {
			if _, ok := open(t, code).Holiday(period.Day{Year: 2027, Month: time.October, Day: 3}); !ok {
				t.Errorf("%s: 3 October is not a holiday", code)
			}
		}
	})
	t.Run("an_unknown_zone_or_code_is_refused", func(t *testing.T) {
		if _, err := period.Open(calendar.Germany{}, "DE-SN", "Europe/Berlinn"); err == nil {
			t.Error("zone Europe/Berlinn accepted")
		}
		if _, err := period.Open(calendar.Germany{}, "DE-XX", ""); err == nil {
			t.Error("code DE-XX accepted")
		}
	})
}
