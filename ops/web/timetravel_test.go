package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/workflows/auditlog/auditlogtest"
	"github.com/civicflow/civicflow/workflows/report"
	"github.com/civicflow/civicflow/workflows/verify"
)

// auditorPages are the auditors' pages of a Leipzig process and the records they must leave.
func auditorPages(s *site) []auditedPage {
	id := s.leipzig.String()
	base := "/processes/" + id
	return []auditedPage{
		{"a past state by version", "GET /processes/{id}/past", base + "/past?version=2", base + "/past", "version=2", id},
		{"two instants compared", "GET /processes/{id}/compare", base + "/compare?version=1&version2=3", base + "/compare", "version=1&version2=3", id},
		{"the filtered history", "GET /processes/{id}/history", base + "/history?type=process.task_completed&actor=lead-leipzig", base + "/history", "type=process.task_completed", id},
		{"a verification", "GET /processes/{id}/verify", base + "/verify", base + "/verify", "", id},
		{"an audit report download", "GET /processes/{id}/report", base + "/report?format=json", base + "/report", "", id},
	}
}

// withVerifier configures the dashboard with a verifier on the site's store, as serve does.
func withVerifier(t *testing.T) func(*web.Config, map[string]string) {
	return func(c *web.Config, _ map[string]string) {
		v, err := verify.New(verify.Config{Store: c.Store})
		if err != nil {
			t.Fatal(err)
		}
		c.Verifier = v
	}
}

var (
	pastFacts = regexp.MustCompile(`data-version="(\d+)" data-stage="([a-z_]+)"`)
	pastTask  = regexp.MustCompile(`class="past-task[^"]*" data-key="define_subject" data-done="(true|false)"`)
)

func TestTimeTravel_shows_the_state_at_a_version_or_an_instant(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("auditor@leipzig")
	base := "/processes/" + s.leipzig.String()
	for _, tc := range []struct {
		name, query, version, done string
	}{
		{"version_1_before_the_first_task", "version=1", "1", "false"},
		{"version_2_after_the_first_task", "version=2", "2", "true"},
		{"an_instant_typed_in_a_datetime_field_is_utc", "at=" + now.Format("2006-01-02T15:04:05"), "7", "true"},
		{"an_instant_in_rfc_3339", "at=" + url.QueryEscape(now.Format("2006-01-02T15:04:05Z07:00")), "7", "true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.get(base + "/past?" + tc.query)
			if p.status != http.StatusOK {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
			m := pastFacts.FindStringSubmatch(p.body)
			if m == nil || m[1] != tc.version || m[2] != "tender" {
				t.Fatalf("facts %v, want version %s in tender", m, tc.version)
			}
			if d := pastTask.FindStringSubmatch(p.body); d == nil || d[1] != tc.done {
				t.Fatalf("define_subject done %v, want %s", d, tc.done)
			}
		})
	}
}

func TestTimeTravel_refuses_bad_input_next_to_its_field(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("auditor@leipzig")
	base := "/processes/" + s.leipzig.String()
	for _, tc := range []struct {
		name, query, field, text string
		status                   int
	}{
		{"an_instant_that_is_not_one", "at=gestern", "at", "Kein gültiger Zeitpunkt", 400},
		{"a_version_that_is_not_a_number", "version=zwei", "version", "Keine gültige Version", 400},
		{"both_an_instant_and_a_version", "at=2025-01-01T00:00:00&version=1", "at", "nicht beides", 400},
		{"a_version_the_process_has_not_reached", "version=99", "version", "noch nicht erreicht", 400},
		{"the_second_side_of_a_comparison", "version=1&version2=-4", "version2", "Keine gültige Version", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := base + "/past?" + tc.query
			if strings.Contains(tc.query, "version2") {
				path = base + "/compare?" + tc.query
			}
			p := b.get(path)
			if p.status != tc.status {
				t.Fatalf("%d, want %d", p.status, tc.status)
			}
			if !strings.Contains(p.body, `id="`+tc.field+`"`) || !strings.Contains(p.body, `id="`+tc.field+`-error"`) ||
				!regexp.MustCompile(`id="`+tc.field+`"[^>]*aria-describedby="[^"]*`+tc.field+`-error"[^>]*aria-invalid="true"`).MatchString(p.body) {
				t.Fatalf("the problem is not tied to the field %s:\n%s", tc.field, p.body)
			}
			if !strings.Contains(p.body, tc.text) {
				t.Fatalf("the page does not say %q", tc.text)
			}
		})
	}
	t.Run("an_instant_before_the_process_existed", func(t *testing.T) {
		p := b.get(base + "/past?at=2000-01-01T00:00:00&lang=en")
		if p.status != http.StatusOK || !strings.Contains(p.body, "did not exist yet at that instant") || pastFacts.MatchString(p.body) {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
	})
}

func TestTimeTravel_compares_two_states_and_marks_what_changed(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("auditor@leipzig")
	p := b.get("/processes/" + s.leipzig.String() + "/compare?version=1&version2=2&lang=en")
	if p.status != http.StatusOK {
		t.Fatalf("%d\n%s", p.status, p.body)
	}
	changed := regexp.MustCompile(`<tr class="changed"><th scope="row">([^<]+)</th><td>([^<]*)</td><td>([^<]*)</td>`).FindAllStringSubmatch(p.body, -1)
	want := map[string][2]string{"Process version": {"1", "2"}}
	var task bool
	for _, c := range changed {
		if w, ok := want[c[1]]; ok && (c[2] != w[0] || c[3] != w[1]) {
			t.Errorf("%s: %s → %s, want %s → %s", c[1], c[2], c[3], w[0], w[1])
		}
		if strings.HasPrefix(c[1], "Required task") && c[2] == "open" && c[3] == "done" {
			task = true
		}
	}
	if len(changed) != 2 || !task {
		t.Fatalf("changed rows %v, want the version and the first task", changed)
	}
	if !strings.Contains(p.body, `<th scope="row">Stage</th><td>`) || strings.Contains(p.body, `<tr class="changed"><th scope="row">Stage`) {
		t.Fatal("the stage is not shown as unchanged")
	}
}

func TestHistoryFilter_narrows_by_type_actor_and_time(t *testing.T) {
	s := newSite(t)
	base := "/processes/" + s.leipzig.String() + "/history"
	count := regexp.MustCompile(`(\d+) of (\d+) events`)
	for _, tc := range []struct {
		name, who, query string
		want             string
		status           int
	}{
		{"no_filter_shows_every_event", "auditor@leipzig", "", "7", 200},
		{"by_type", "auditor@leipzig", "type=process.measure_defined", "2", 200},
		{"by_actor", "auditor@leipzig", "actor=lead-leipzig", "7", 200},
		{"by_an_actor_who_did_nothing", "auditor@leipzig", "actor=anna", "0", 200},
		{"from_an_instant_after_every_event", "auditor@leipzig", "from_time=" + now.Add(1e9).Format("2006-01-02T15:04:05"), "0", 200},
		{"up_to_the_instant_of_the_events_inclusive", "auditor@leipzig", "to_time=" + now.Format("2006-01-02T15:04:05"), "7", 200},
		{"a_viewer_cannot_filter_by_user", "viewer@leipzig", "actor=anna", "7", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := s.browser()
			b.signIn(tc.who)
			p := b.get(base + "?lang=en&" + tc.query)
			m := count.FindStringSubmatch(p.body)
			if p.status != tc.status || m == nil || m[1] != tc.want || m[2] != "7" {
				t.Fatalf("%d %v, want %s of 7", p.status, m, tc.want)
			}
		})
	}
	t.Run("to_before_from_is_refused_next_to_to", func(t *testing.T) {
		b := s.browser()
		b.signIn("auditor@leipzig")
		p := b.get(base + "?lang=en&from_time=2025-09-02T00:00:00&to_time=2025-09-01T00:00:00")
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="to_time-error"`) {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
	})
}

func TestVerification_and_report_for_auditors_and_administrators(t *testing.T) {
	s := newSiteConfigured(t, nil, withVerifier(t))
	base := "/processes/" + s.leipzig.String()
	for _, who := range []string{"auditor@leipzig", "administrator@leipzig"} {
		t.Run(who+"_verifies_and_downloads", func(t *testing.T) {
			b := s.browser()
			b.signIn(who)
			p := b.get(base + "/verify?lang=en")
			if p.status != http.StatusOK || !strings.Contains(p.body, `data-ok="true"`) || !strings.Contains(p.body, "Every check passed") {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
			p = b.get(base + "/report?format=json")
			if p.status != http.StatusOK || !strings.Contains(p.header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("%d %v", p.status, p.header)
			}
			rep, err := report.ReadJSON(strings.NewReader(p.body))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Process.ID != s.leipzig.String() || len(rep.Evidence) < 7 || rep.Process.Title != "Spielplatz Lindenauer Markt" || !strings.HasPrefix(rep.RequestedBy, strings.Split(who, "@")[0]) {
				t.Fatalf("report of %s with %d events requested by %q", rep.Process.ID, len(rep.Evidence), rep.RequestedBy)
			}
			if p := b.get(base + "/report?format=html"); p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Fatalf("HTML report: %d %s", p.status, p.header.Get("Content-Type"))
			}
		})
	}
	for _, who := range []string{"lead@leipzig", "member@leipzig", "viewer@leipzig"} {
		t.Run(who+"_is_refused", func(t *testing.T) {
			b := s.browser()
			b.signIn(who)
			for _, path := range []string{base + "/verify", base + "/report?format=json"} {
				if p := b.get(path); p.status != http.StatusForbidden {
					t.Fatalf("GET %s: %d", path, p.status)
				}
			}
		})
	}
	t.Run("another_tenants_process_is_not_found_on_every_auditor_page", func(t *testing.T) {
		b := s.browser()
		b.signIn("auditor@menden")
		for _, pg := range auditorPages(s) {
			if p := b.get(pg.path); p.status != http.StatusNotFound {
				t.Fatalf("GET %s: %d", pg.path, p.status)
			}
		}
	})
}

func TestAuditor_pages_are_withheld_when_the_read_cannot_be_recorded(t *testing.T) {
	s := newSiteWith(t, auditlogtest.Refusing)
	b := s.browser()
	b.signIn("auditor@leipzig")
	for _, pg := range auditorPages(s) {
		p := b.get(pg.path)
		if p.status != http.StatusServiceUnavailable || strings.Contains(p.body, "data-version") || strings.Contains(p.body, "evidence") {
			t.Fatalf("GET %s: %d\n%s", pg.path, p.status, p.body)
		}
	}
}
