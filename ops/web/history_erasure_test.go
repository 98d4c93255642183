package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

func TestProcessPage_history_says_when_a_persons_data_was_erased(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	hilde := uuid.NewString()
	member := process.Meta{Actor: process.Actor{User: "member-leipzig", Tenant: "leipzig", Role: "member"}}
	for _, cmd := range []engine.Command{
		engine.RegisterParticipant{Participant: "h1", Person: hilde, Group: "citizens", Name: "Hildegard Kranichfeld"},
		engine.RecordContribution{Participant: "h1", Topic: "Wasser", Text: "Ein Trinkbrunnen"},
	} {
		if _, err := s.engine.Do(ctx, member, s.leipzig, engine.NoExpectation, cmd); err != nil {
			t.Fatal(err)
		}
	}
	admin := process.Meta{Actor: process.Actor{User: "administrator-leipzig", Tenant: "leipzig", Role: "administrator"}}
	if err := s.engine.ErasePerson(ctx, admin, hilde); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn("lead@leipzig")
	for lang, notice := range map[string]string{
		"de": "gelöscht am 01.09.2025 von administrator (Art. 17 DSGVO)",
		"en": "erased on 1 Sep 2025 by administrator (Art. 17 GDPR)",
	} {
		t.Run("says_it_in_"+lang, func(t *testing.T) {
			body := b.get("/processes/" + s.leipzig.String() + "?lang=" + lang).body
			if n := strings.Count(body, notice); n != 2 {
				t.Fatalf("the history says %q %d times, want twice (registration and contribution):\n%s", notice, n, body)
			}
			for _, secret := range []string{"Hildegard", "Kranichfeld", "Trinkbrunnen"} {
				if strings.Contains(body, secret) {
					t.Fatalf("the page shows %q after the erasure", secret)
				}
			}
		})
	}
	t.Run("says_nothing_about_a_person_not_erased_nor_to_a_viewer", func(t *testing.T) {
		if body := b.get("/processes/" + s.leipzig.String() + "?lang=de").body; strings.Count(body, "Art. 17") != 2 {
			t.Fatalf("the page mentions Art. 17 %d times, want twice", strings.Count(body, "Art. 17"))
		}
		v := s.browser()
		v.signIn("viewer@leipzig")
		if body := v.get("/processes/" + s.leipzig.String()).body; strings.Contains(body, "Art. 17") {
			t.Fatal("a viewer, who sees no personal data, reads about an erasure")
		}
	})
}
