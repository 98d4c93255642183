package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestAPI_templates_by_role_and_tenant checks every template route for every role, in the
// template's tenant and in another: another tenant's template is 404 like another tenant's
// process; publishing, deriving and retiring are for administrators, of their own tenant's
// templates only.
func TestAPI_templates_by_role_and_tenant(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	roles := []string{"administrator", "lead", "member", "auditor", "viewer"}
	n := 0
	// fresh publishes a new template of Leipzig and returns its full ID.
	fresh := func() string {
		n++
		doc := fmt.Sprintf("id: eigen-%d\ntitle: {de: Eigene, en: Own}\nstages:\n  - key: a\n    title: {de: A, en: A}\n", n)
		r := s.call("POST", "/api/v1/templates", "administrator@leipzig", doc, "Content-Type", "application/yaml")
		if r.status != 201 {
			t.Fatalf("leipzig publishes: %d %s", r.status, r.body)
		}
		return r.json(t)["template"].(map[string]any)["id"].(string)
	}
	// visible: 200 in the tenant, 404 elsewhere. admins: ok for the tenant's administrator, 403
	// for other roles of the tenant, 404 for everybody elsewhere.
	visible := func(_ string, own bool) int {
		if own {
			return 200
		}
		return 404
	}
	admins := func(ok int) func(string, bool) int {
		return func(role string, own bool) int {
			switch {
			case !own:
				return 404
			case role == "administrator":
				return ok
			}
			return 403
		}
	}
	get := func(path string) func(who, id string) reply {
		return func(who, id string) reply { return s.call("GET", strings.ReplaceAll(path, "{id}", id), who, nil) }
	}
	checks := []struct {
		route  string
		call   func(who, id string) reply
		expect func(role string, own bool) int
	}{
		{"GET /api/v1/templates/{id}", get("/api/v1/templates/{id}"), visible},
		{"GET /api/v1/templates/{id}/versions/{version}", get("/api/v1/templates/{id}/versions/1"), visible},
		{"POST /api/v1/templates/{id}/versions/{version}/retire", func(who, id string) reply {
			return s.call("POST", "/api/v1/templates/"+id+"/versions/1/retire", who, map[string]any{"reason": "alt"})
		}, admins(200)},
		{"POST /api/v1/processes", func(who, id string) reply {
			return s.call("POST", "/api/v1/processes", who, map[string]any{"template": id, "title": "Aus eigener Vorlage"})
		}, func(role string, own bool) int {
			switch {
			case role != "administrator" && role != "lead":
				return 403 // the role may not open at all
			case !own:
				return 404
			}
			return 201
		}},
		{"POST /api/v1/templates/{id}/derive", func(who, id string) reply {
			return s.call("POST", "/api/v1/templates/"+id+"/derive", who, map[string]any{"id": "kopie"})
		}, admins(422)}, // the own tenant's: only installation templates are derived
	}
	for _, c := range checks {
		for _, role := range roles {
			for _, own := range []bool{true, false} {
				name := fmt.Sprintf("%s/%s/own=%v", c.route, role, own)
				t.Run(strings.NewReplacer(" ", "_", "/", "_").Replace(name), func(t *testing.T) {
					id := fresh()
					tenant := "leipzig"
					if !own {
						tenant = "menden"
					}
					before := s.events() - s.auditRecords()
					r := c.call(role+"@"+tenant, id)
					if want := c.expect(role, own); r.status != want {
						t.Fatalf("%d %s, want %d", r.status, r.body, want)
					}
					if r.status >= 400 && s.events()-s.auditRecords() != before {
						t.Fatalf("a refusal (%d) wrote events", r.status)
					}
				})
			}
		}
	}
	t.Run("lists_show_the_installations_and_the_own_tenants_templates", func(t *testing.T) {
		id := fresh()
		for _, role := range roles {
			for _, tenant := range []string{"leipzig", "menden"} {
				r := s.call("GET", "/api/v1/templates", role+"@"+tenant, nil)
				var ids []string
				for _, it := range r.json(t)["items"].([]any) {
					tv := it.(map[string]any)
					ids = append(ids, tv["template"].(map[string]any)["id"].(string))
					if owner := tv["owner"]; owner != "*" && owner != tenant {
						t.Fatalf("%s@%s lists a template of %v", role, tenant, owner)
					}
				}
				if slices.Contains(ids, id) != (tenant == "leipzig") || !slices.Contains(ids, "beteiligung-standard") {
					t.Fatalf("%s@%s lists %v", role, tenant, ids)
				}
			}
		}
	})
	t.Run("publishing_is_for_administrators_into_their_own_tenant", func(t *testing.T) {
		doc := "id: beteiligung-standard\ntitle: {de: Lockerer Standard, en: Loose standard}\nstages:\n  - key: a\n    title: {de: A, en: A}\n"
		for _, role := range roles {
			for _, tenant := range []string{"leipzig", "menden"} {
				r := s.call("POST", "/api/v1/templates", role+"@"+tenant, doc, "Content-Type", "application/yaml")
				want := 403
				if role == "administrator" {
					want = 201
				}
				if r.status != want {
					t.Fatalf("%s@%s publishes: %d %s, want %d", role, tenant, r.status, r.body, want)
				}
				if want == 201 && r.header.Get("Location") != "/api/v1/templates/"+tenant+":beteiligung-standard/versions/1" {
					t.Fatalf("%s@%s published at %s", role, tenant, r.header.Get("Location"))
				}
			}
		}
		r := s.call("GET", "/api/v1/templates/beteiligung-standard", "administrator@*", nil)
		if tpl := r.json(t)["template"].(map[string]any); r.status != 200 || tpl["version"] != 1.0 || tpl["id"] != "beteiligung-standard" {
			t.Fatalf("the installation template after the tenants' publications: %d %v v%v", r.status, tpl["id"], tpl["version"])
		}
		for _, tenant := range []string{"leipzig", "menden"} {
			r := s.call("GET", "/api/v1/templates/beteiligung-standard", "lead@"+tenant, nil)
			if id := r.json(t)["template"].(map[string]any)["id"]; id != tenant+":beteiligung-standard" {
				t.Fatalf("%s's lead reads %v for beteiligung-standard, want the tenant's own", tenant, id)
			}
		}
	})
	t.Run("installation_templates_are_retired_by_installation_administrators_only", func(t *testing.T) {
		for _, who := range []string{"administrator@leipzig", "administrator@menden", "lead@leipzig"} {
			r := s.call("POST", "/api/v1/templates/ews-engagementstrategie/versions/1/retire", who, map[string]any{"reason": "weg"})
			if r.status != 403 {
				t.Fatalf("%s retires an installation template: %d %s", who, r.status, r.body)
			}
		}
		if r := s.call("POST", "/api/v1/processes", "lead@menden", map[string]any{"template": "ews-engagementstrategie", "title": "EWS"}); r.status != 201 {
			t.Fatalf("menden opens from the installation template: %d %s", r.status, r.body)
		}
		if r := s.call("POST", "/api/v1/templates/ews-engagementstrategie/versions/1/retire", "administrator@*", map[string]any{"reason": "ersetzt"}); r.status != 200 {
			t.Fatalf("the installation administrator retires: %d %s", r.status, r.body)
		}
	})
	t.Run("a_tenant_derives_an_installation_template_and_opens_from_its_copy", func(t *testing.T) {
		r := s.call("POST", "/api/v1/templates/kokreative-kommune/derive", "administrator@menden", nil)
		if r.status != 201 || r.header.Get("Location") != "/api/v1/templates/menden:kokreative-kommune/versions/1" {
			t.Fatalf("derive: %d %s at %s", r.status, r.body, r.header.Get("Location"))
		}
		from := r.json(t)["derived_from"].(map[string]any)
		if from["id"] != "kokreative-kommune" || from["version"] != 1.0 || len(from["hash"].(string)) != 64 {
			t.Fatalf("provenance %v", from)
		}
		open := s.call("POST", "/api/v1/processes", "lead@menden", map[string]any{"template": "kokreative-kommune", "title": "Aus der Kopie"})
		if open.status != 201 {
			t.Fatalf("open: %d %s", open.status, open.body)
		}
		p := s.call("GET", "/api/v1/processes/"+open.json(t)["process"].(string), "lead@menden", nil).json(t)
		if ref := p["template"].(map[string]any); ref["id"] != "menden:kokreative-kommune" {
			t.Fatalf("opened from %v", ref)
		}
	})
}

// TestAPI_a_command_id_replayed_by_another_tenant_is_404 replays one tenant's Idempotency-Key on
// its process from another tenant: 404, not the first answer.
func TestAPI_a_command_id_replayed_by_another_tenant_is_404(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/api/v1/processes/" + s.open("leipzig", "Wiederholung")
	body := map[string]any{"task": "define_subject", "evidence": "Vermerk"}
	if r := s.call("POST", base+"/complete_task", "lead@leipzig", body, "Idempotency-Key", "key-4711"); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, who := range []string{"lead@menden", "administrator@menden"} {
		r := s.call("POST", base+"/complete_task", who, body, "Idempotency-Key", "key-4711")
		if r.status != 404 || strings.Contains(string(r.body), "duplicate") {
			t.Fatalf("%s replays leipzig's key: %d %s, want 404", who, r.status, r.body)
		}
	}
}
