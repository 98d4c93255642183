package programme_test

import (
	"errors"
	"testing"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
	"github.com/civicflow/civicflow/domain/template"
)

func TestProgramme_shared_indicators_recorded_by_partners(t *testing.T) {
	p := ews(t, 10)
	if err := join(p, "menden"); err != nil {
		t.Fatal(err)
	}
	ind := template.Indicator{Key: "strategien", Name: template.Text{De: "Beschlossene Strategien", En: "strategies adopted"}, Unit: "Standorte",
		Direction: "increase", Baseline: template.Measurement{Value: 0, Date: day}, Target: template.Measurement{Value: 10, Date: day.AddDate(1, 0, 0)}}
	if err := p.DeclareIndicator(meta("l", "menden", "lead"), ind); !errors.Is(err, process.ErrForbidden) {
		t.Fatalf("a site declares: %v", err)
	}
	if err := p.DeclareIndicator(meta("kora", "ews", "coordinator"), ind); err != nil {
		t.Fatal(err)
	}
	if got := p.Latest("strategien"); got.Value != 0 {
		t.Fatalf("latest before any value %+v, want the baseline", got)
	}
	t.Run("a_member_site_records_a_value_with_its_tenant", func(t *testing.T) {
		if err := p.RecordIndicatorValue(meta("ben", "menden", "member"), programme.IndicatorValueRecorded{Indicator: "strategien", Value: 1, Date: day, Source: "Ratsbeschluss"}); err != nil {
			t.Fatal(err)
		}
		if v := p.Values["strategien"][0]; v.Tenant != "menden" || v.By != "ben" || p.Latest("strategien").Value != 1 {
			t.Fatalf("value %+v", v)
		}
	})
	t.Run("outsiders_and_readers_may_not", func(t *testing.T) {
		v := programme.IndicatorValueRecorded{Indicator: "strategien", Value: 2, Date: day, Source: "x"}
		if err := p.RecordIndicatorValue(meta("x", "hagen", "lead"), v); !errors.Is(err, process.ErrNotFound) {
			t.Fatalf("outsider: %v", err)
		}
		if err := p.RecordIndicatorValue(meta("x", "menden", "viewer"), v); !errors.Is(err, process.ErrForbidden) {
			t.Fatalf("viewer: %v", err)
		}
	})
	t.Run("bad_values_name_the_field", func(t *testing.T) {
		for field, v := range map[string]programme.IndicatorValueRecorded{
			"indicator": {Indicator: "nope", Value: 1, Date: day, Source: "x"},
			"date":      {Indicator: "strategien", Value: 1, Date: day.AddDate(0, 1, 0), Source: "x"},
			"source":    {Indicator: "strategien", Value: 1, Date: day},
		} {
			var inv *process.InvalidError
			if err := p.RecordIndicatorValue(meta("kora", "ews", "coordinator"), v); !errors.As(err, &inv) || inv.Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
	})
}
