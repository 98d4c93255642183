package httpapi_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/auditlog"
)

// register registers a participant in the process at base as Leipzig's member and returns the
// person ID the engine issued (body names none) or took, as the process shows it.
func (s *server) register(base string, body map[string]any) string {
	s.t.Helper()
	if _, ok := body["participant"]; !ok {
		body["participant"] = "t" + uuid.NewString()[:8]
	}
	if r := s.call("POST", base+"/register_participant", "member@leipzig", body); r.status != 200 {
		s.t.Fatalf("register: %d %s", r.status, r.body)
	}
	for _, p := range s.call("GET", base, "lead@leipzig", nil).json(s.t)["participants"].([]any) {
		if p := p.(map[string]any); p["id"] == body["participant"] {
			person, _ := p["person"].(string)
			if _, err := uuid.Parse(person); err != nil {
				s.t.Fatalf("the participant's person ID %q is not a UUID", person)
			}
			return person
		}
	}
	s.t.Fatalf("participant %v is not in the process", body["participant"])
	return ""
}

// auditRecords counts the audit.accessed events of every tenant.
func (s *server) auditRecords() int {
	s.t.Helper()
	all, err := s.store.ReadAll(context.Background(), eventstore.ReadAllOptions{Limit: 1 << 20,
		Filter: eventstore.Filter{StreamPrefixes: []string{auditlog.Stream("")}}})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(all)
}

func TestAPI_an_erased_participant_reads_as_the_erasure_and_their_data_is_in_no_answer(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Löschung")
	base := "/api/v1/processes/" + id
	person := s.register(base, map[string]any{"group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"})
	if r := s.call("GET", base, "lead@leipzig", nil); !strings.Contains(string(r.body), "Erika Mustermann") {
		t.Fatalf("before the erasure the lead does not see the name: %s", r.body)
	}
	s.advance(48 * time.Hour) // 2025-03-05
	if r := s.call("POST", "/api/v1/persons/"+person+"/erase", "administrator@leipzig", nil); r.status != 200 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	const notice = "gelöscht am 2025-03-05 von administrator (Art. 17 DSGVO) / erased on 2025-03-05 by administrator (Art. 17 GDPR)"
	for _, who := range []string{"lead@leipzig", "auditor@leipzig", "administrator@leipzig"} {
		p := s.call("GET", base, who, nil).json(t)["participants"].([]any)[0].(map[string]any)
		if p["name"] != notice || p["email"] != notice {
			t.Fatalf("%s sees name %q email %q, want the erasure notice", who, p["name"], p["email"])
		}
	}
	for _, path := range []string{base, base + "/history", base + "?version=2", "/api/v1/processes"} {
		for _, who := range []string{"lead@leipzig", "auditor@leipzig", "viewer@leipzig"} {
			r := s.call("GET", path, who, nil)
			if r.status != 200 {
				t.Fatalf("%s GET %s: %d", who, path, r.status)
			}
			for _, secret := range []string{"Erika Mustermann", "erika@example.org", "Mustermann"} {
				if strings.Contains(string(r.body), secret) {
					t.Fatalf("%s GET %s shows %q after the erasure: %s", who, path, secret, r.body)
				}
			}
		}
	}
}

func TestAPI_erasing_another_tenants_person_answers_404_and_writes_nothing(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/api/v1/processes/" + s.open("leipzig", "Löschversuch")
	person := s.register(base, map[string]any{"group": "citizens", "name": "Erika Mustermann"})
	for _, name := range []string{person, "leipzig:" + person, "menden:" + person, uuid.NewString()} {
		before := s.events()
		r := s.call("POST", "/api/v1/persons/"+name+"/erase", "administrator@menden", nil)
		if r.status != 404 || code(t, r) != "not_found" {
			t.Fatalf("menden's administrator erases %s: %d %s, want 404 not_found", name, r.status, r.body)
		}
		if s.events() != before {
			t.Fatalf("erasing %s from another tenant wrote events", name)
		}
	}
	p := s.call("GET", base, "lead@leipzig", nil).json(t)["participants"].([]any)[0].(map[string]any)
	if p["name"] != "Erika Mustermann" {
		t.Fatalf("after another tenant's attempts the name reads %q", p["name"])
	}
	if r := s.call("POST", "/api/v1/persons/leipzig:"+person+"/erase", "administrator@*", nil); r.status != 200 {
		t.Fatalf("the installation administrator erases leipzig:%s: %d %s", person, r.status, r.body)
	}
}

// TestAPI_personal_data_is_in_no_file_and_no_log_line_after_an_erasure passes every personal
// field, also where an ID is expected, erases the person and reads the database file, its WAL
// and every log line byte by byte.
func TestAPI_personal_data_is_in_no_file_and_no_log_line_after_an_erasure(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := newServerOpts(t, serverOpts{logs: &logs})
	base := "/api/v1/processes/" + s.open("leipzig", "Datenschutz")
	secrets := []string{"pii-test@example.org", "Pia Inge Iversen", "pia.iversen@example.org", "Bolzplatz am Iversen-Hof"}
	for _, field := range []string{"person", "participant"} {
		for _, asID := range []string{"pii-test@example.org", "Pia Inge Iversen"} {
			r := s.call("POST", base+"/register_participant", "member@leipzig", map[string]any{field: asID, "group": "citizens", "name": "Pia Inge Iversen"})
			if r.status != 422 || r.json(t)["field"] != field || strings.Contains(string(r.body), asID) {
				t.Fatalf("%s %q: %d %s, want 422 naming the field without repeating the value", field, asID, r.status, r.body)
			}
		}
	}
	person := s.register(base, map[string]any{"participant": "t1", "group": "citizens", "name": "Pia Inge Iversen", "email": "pia.iversen@example.org"})
	if r := s.call("POST", base+"/record_contribution", "member@leipzig", map[string]any{"participant": "t1", "text": "Bolzplatz am Iversen-Hof"}); r.status != 200 {
		t.Fatalf("contribution: %d %s", r.status, r.body)
	}
	if r := s.call("POST", "/api/v1/persons/pii-test@example.org/erase", "administrator@leipzig", nil); r.status != 422 || r.json(t)["field"] != "person" || strings.Contains(string(r.body), "pii-test") {
		t.Fatalf("erasing an e-mail address as a person: %d %s, want 422 naming the field without the value", r.status, r.body)
	}
	// An auditor's refused request is recorded with its path: never with personal data in it.
	if r := s.call("POST", "/api/v1/persons/pii-test@example.org/erase", "auditor@leipzig", nil); r.status != 403 {
		t.Fatalf("an auditor erases: %d %s", r.status, r.body)
	}
	if r := s.call("POST", "/api/v1/persons/"+person+"/erase", "administrator@leipzig", nil); r.status != 200 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	if err := s.store.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(s.path), "*")) // the database lies alone in its directory
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds %q after the erasure", filepath.Base(f), secret)
			}
		}
	}
	for _, secret := range secrets {
		if bytes.Contains(logs.Bytes(), []byte(secret)) {
			t.Errorf("a log line holds %q:\n%s", secret, logs.String())
		}
	}
}
