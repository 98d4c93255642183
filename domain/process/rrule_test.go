package process_test

import (
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
)

func TestRRule_occurrences(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	thu := time.Date(2025, 1, 9, 16, 30, 0, 0, berlin) // a Thursday
	cases := []struct {
		name, rule string
		start      time.Time
		want       []string
	}{
		{"community_of_practice_every_four_weeks_on_thursdays", "FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;COUNT=4", thu,
			[]string{"2025-01-09 16:30", "2025-02-06 16:30", "2025-03-06 16:30", "2025-04-03 16:30"}},
		{"keeps_local_time_across_summer_time", "FREQ=WEEKLY;INTERVAL=4;COUNT=3", time.Date(2025, 3, 13, 16, 30, 0, 0, berlin),
			[]string{"2025-03-13 16:30", "2025-04-10 16:30", "2025-05-08 16:30"}},
		{"two_days_a_week_until_a_date", "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20250121", thu,
			[]string{"2025-01-09 16:30", "2025-01-14 16:30", "2025-01-16 16:30", "2025-01-21 16:30"}},
		{"daily_every_second_day", "FREQ=DAILY;INTERVAL=2;COUNT=3", thu, []string{"2025-01-09 16:30", "2025-01-11 16:30", "2025-01-13 16:30"}},
		{"monthly_on_the_last_friday", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", thu, []string{"2025-01-31 16:30", "2025-02-28 16:30", "2025-03-28 16:30"}},
		{"monthly_on_the_first_thursday", "FREQ=MONTHLY;BYDAY=1TH;COUNT=2", thu, []string{"2025-02-06 16:30", "2025-03-06 16:30"}},
		{"monthly_on_the_31st_skips_short_months", "FREQ=MONTHLY;COUNT=3", time.Date(2025, 1, 31, 9, 0, 0, 0, berlin),
			[]string{"2025-01-31 09:00", "2025-03-31 09:00", "2025-05-31 09:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := process.ParseRRule(c.rule)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range r.Occurrences(c.start, 100) {
				got = append(got, o.In(berlin).Format("2006-01-02 15:04"))
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("got %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestRRule_rejects_what_it_does_not_support_naming_the_part(t *testing.T) {
	cases := map[string]string{
		"no_end":               "FREQ=WEEKLY;BYDAY=TH",
		"count_and_until":      "FREQ=DAILY;COUNT=2;UNTIL=20250101",
		"yearly":               "FREQ=YEARLY;COUNT=2",
		"unknown_part":         "FREQ=DAILY;COUNT=2;BYHOUR=9",
		"bad_weekday":          "FREQ=WEEKLY;BYDAY=DO;COUNT=2",
		"ordinal_weekly":       "FREQ=WEEKLY;BYDAY=1TH;COUNT=2",
		"interval_zero":        "FREQ=DAILY;INTERVAL=0;COUNT=2",
		"too_many":             "FREQ=DAILY;COUNT=100000",
		"not_name_value":       "FREQ",
		"freq_given_twice":     "FREQ=DAILY;FREQ=WEEKLY;COUNT=2",
		"until_not_a_date":     "FREQ=DAILY;UNTIL=morgen",
		"ordinal_out_of_range": "FREQ=MONTHLY;BYDAY=9TH;COUNT=2",
	}
	for name, rule := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := process.ParseRRule(rule); err == nil {
				t.Fatalf("%s accepted", rule)
			}
		})
	}
}
