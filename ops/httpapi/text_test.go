package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// Control characters (C0, DEL, C1) and bidirectional overrides and isolates are refused in every
// text field with a 400 that names the field, and nothing is written; multi-line fields allow tab
// and line feed.
func TestAPI_refuses_control_and_bidi_characters_in_text(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Spielplatz")
	base := "/api/v1/processes/" + id
	cases := []struct {
		name, path, body, field string
	}{
		{"nul_in_a_title", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A\u0000B"}`, "title"},
		{"escaped_escape_in_a_title", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A\u001b[31mB"}`, "title"},
		{"carriage_return_in_a_title", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A\rB"}`, "title"},
		{"line_feed_in_a_title", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A\nB"}`, "title"},
		{"bell_in_a_title", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A\u0007"}`, "title"},
		{"right_to_left_override_in_a_title", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A\u202eB"}`, "title"},
		{"first_strong_isolate_in_a_lead", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A","lead":"x\u2068y"}`, "lead"},
		{"c1_control_in_a_programme", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A","programme":"x\u0085"}`, "programme"},
		{"delete_in_a_participant_name", base + "/register_participant", `{"group":"citizens","name":"Erika\u007f"}`, "name"},
		{"carriage_return_in_multi_line_evidence", base + "/complete_task", `{"task":"define_subject","evidence":"a\r\nb"}`, "evidence"},
		{"escape_in_multi_line_contribution_text", base + "/record_contribution", `{"text":"a\u001b]0;pwned\u0007"}`, "text"},
		{"escape_in_a_map_key", base + "/migrate", `{"to_version":1,"reason":"x","stage_mapping":{"a\u001bb":"tender"}}`, `stage_mapping.a\u001bb`},
		{"override_in_a_map_value", base + "/migrate", `{"to_version":1,"reason":"x","stage_mapping":{"tender":"t\u202e"}}`, "stage_mapping.tender"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.events()
			r := s.call("POST", c.path, "lead@leipzig", c.body)
			if r.status != http.StatusBadRequest || code(t, r) != "control_character" || r.json(t)["field"] != c.field {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if strings.ContainsAny(string(r.body), "\x1b\x00\x07\r\u202e") {
				t.Fatalf("the problem echoes the character: %q", r.body)
			}
			if after := s.events(); after != before {
				t.Fatalf("%d events written", after-before)
			}
		})
	}
	t.Run("multi_line_fields_take_tab_and_line_feed", func(t *testing.T) {
		fresh := "/api/v1/processes/" + s.open("leipzig", "Bolzplatz")
		r := s.call("POST", fresh+"/complete_task", "lead@leipzig", `{"task":"define_subject","evidence":"Vermerk:\n\t- Punkt 1\n\t- Punkt 2"}`)
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("umlauts_and_other_scripts_pass", func(t *testing.T) {
		r := s.call("POST", "/api/v1/processes", "lead@leipzig", `{"template":"beteiligung-standard","title":"Grünfläche «Süd» – مشاركة – 参与"}`)
		if r.status != http.StatusCreated {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

func TestAPI_refuses_malformed_json_bodies(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Spielplatz")
	cases := []struct {
		name, path, body, code, field string
	}{
		{"invalid_utf8", "/api/v1/processes", "{\"template\":\"beteiligung-standard\",\"title\":\"A\xff\xfeB\"}", "invalid_utf8", ""},
		{"truncated_utf8", "/api/v1/processes", "{\"template\":\"beteiligung-standard\",\"title\":\"A\xc3\"}", "invalid_utf8", ""},
		{"a_raw_escape_inside_a_string", "/api/v1/processes", "{\"template\":\"beteiligung-standard\",\"title\":\"A\x1b[2JB\"}", "malformed_json", ""},
		{"a_key_twice", "/api/v1/processes", `{"template":"beteiligung-standard","title":"A","title":"B"}`, "duplicate_key", "title"},
		{"a_nested_key_twice", "/api/v1/processes/" + id + "/record_decision", `{"subject":"s","model":"majority","outcome":"o","votes":{"yes":1,"yes":2}}`, "duplicate_key", "votes.yes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.events()
			r := s.call("POST", c.path, "lead@leipzig", c.body)
			if r.status != http.StatusBadRequest || code(t, r) != c.code {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if f, _ := r.json(t)["field"].(string); f != c.field {
				t.Fatalf("field %q, want %q", f, c.field)
			}
			if after := s.events(); after != before {
				t.Fatalf("%d events written", after-before)
			}
		})
	}
}

func TestAPI_refuses_control_characters_in_templates_and_headers(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tpl := func(title string) string {
		return "id: kontrolle\ntitle: {de: \"" + title + "\", en: Control}\nstages:\n  - key: one\n    title: {de: Eins, en: One}\n"
	}
	publish := func(body string) reply {
		return s.call("POST", "/api/v1/templates", "administrator@*", []byte(body), "Content-Type", "application/yaml")
	}
	t.Run("the_template_is_valid_without_them", func(t *testing.T) {
		if r := publish(tpl("Kontrolle")); r.status != http.StatusCreated {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("a_yaml_escape_yielding_escape_in_a_title", func(t *testing.T) {
		r := publish(tpl(`Kontrolle\e[2J`))
		if r.status != http.StatusBadRequest || code(t, r) != "control_character" || r.json(t)["field"] != "title.de" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("a_yaml_escape_yielding_a_bidi_override", func(t *testing.T) {
		r := publish(tpl(`Kontrolle\u202E`))
		if r.status != http.StatusBadRequest || code(t, r) != "control_character" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("invalid_utf8_in_yaml", func(t *testing.T) {
		if r := publish(tpl("Kontrolle\xff")); r.status != http.StatusBadRequest {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("a_bidi_override_in_the_idempotency_key", func(t *testing.T) {
		r := s.call("POST", "/api/v1/processes", "lead@leipzig", `{"template":"beteiligung-standard","title":"A"}`, "Idempotency-Key", "k\u202e1")
		if r.status != http.StatusBadRequest || code(t, r) != "bad_header" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}
