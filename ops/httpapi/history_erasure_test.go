package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestAPI_history_says_an_erased_persons_data_was_erased_and_no_longer_shows_it(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/api/v1/processes/" + s.open("leipzig", "Löschung im Verlauf")
	erika, other := uuid.NewString(), uuid.NewString()
	for i, who := range []string{erika, other} {
		if r := s.call("POST", base+"/register_participant", "member@leipzig", map[string]any{"person": who, "group": "citizens", "name": fmt.Sprint("Name ", i), "email": fmt.Sprint("p", i, "@example.org")}); r.status != 200 {
			t.Fatalf("register %s: %d %s", who, r.status, r.body)
		}
	}
	sealedOf := func(who string) map[string]any { // the registration's data in the history, by person
		t.Helper()
		for _, it := range s.call("GET", base+"/history", "auditor@leipzig", nil).json(t)["items"].([]any) {
			data := it.(map[string]any)["data"].(map[string]any)
			if name, ok := data["name"].(map[string]any); ok && strings.HasSuffix(name["person"].(string), who) {
				return data
			}
		}
		t.Fatalf("no sealed registration of %s in the history", who)
		return nil
	}
	before := sealedOf(erika)
	ciphertexts := []string{before["name"].(map[string]any)["ct"].(string), before["email"].(map[string]any)["ct"].(string)}
	s.advance(48 * time.Hour) // 2025-03-05
	if r := s.call("POST", "/api/v1/persons/"+erika+"/erase", "administrator@leipzig", nil); r.status != 200 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	const notice = "gelöscht am 2025-03-05 von administrator (Art. 17 DSGVO) / erased on 2025-03-05 by administrator (Art. 17 GDPR)"
	for _, who := range []string{"lead@leipzig", "auditor@leipzig", "administrator@leipzig"} {
		r := s.call("GET", base+"/history", who, nil)
		for _, ct := range ciphertexts {
			if strings.Contains(string(r.body), ct) {
				t.Fatalf("%s: the history still shows the erased person's ciphertext %s", who, ct)
			}
		}
		var erased, kept int
		for _, it := range r.json(t)["items"].([]any) {
			data := it.(map[string]any)["data"].(map[string]any)
			switch name := data["name"].(type) {
			case string:
				if name != notice || data["email"] != notice {
					t.Fatalf("%s: erased registration reads name %q email %q, want %q", who, name, data["email"], notice)
				}
				erased++
			case map[string]any:
				if !strings.HasSuffix(name["person"].(string), other) || name["ct"] == "" {
					t.Fatalf("%s: a registration not erased reads %v", who, name)
				}
				kept++
			}
		}
		if erased != 1 || kept != 1 {
			t.Fatalf("%s: %d erased and %d sealed registrations, want 1 and 1", who, erased, kept)
		}
	}
}
