package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

func TestAPI_an_erased_participant_reads_as_the_erasure_and_their_data_is_in_no_answer(t *testing.T) {
	s := newServer(t)
	id := s.open("leipzig", "Löschung")
	base := "/api/v1/processes/" + id
	reg := s.call("POST", base+"/register_participant", "member@leipzig", map[string]any{"person": "erika", "group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"})
	if reg.status != 200 {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	if r := s.call("GET", base, "lead@leipzig", nil); !strings.Contains(string(r.body), "Erika Mustermann") {
		t.Fatalf("before the erasure the lead does not see the name: %s", r.body)
	}
	s.advance(48 * time.Hour) // 2025-03-05
	if r := s.call("POST", "/api/v1/persons/erika/erase", "administrator@leipzig", nil); r.status != 200 {
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
