package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// twoStages is a template whose stages have no conditions, so a process can advance at once.
const twoStages = `id: zwei-phasen
title: {de: Zwei Phasen, en: Two stages}
stages:
  - key: first
    title: {de: Erste, en: First}
  - key: second
    title: {de: Zweite, en: Second}
`

// raw sends a request with a raw body and content type.
func (r *running) raw(method, path, who, contentType string, body []byte, headers ...string) httpReply {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.url+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+r.tokens[who])
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	out := httpReply{status: resp.StatusCode, header: resp.Header, raw: buf.Bytes()}
	_ = jsonUnmarshal(buf.Bytes(), &out.body)
	return out
}

func TestE2E_API_concurrency_idempotency_bad_input_and_roles_on_the_real_binary(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	roles := []string{"administrator", "lead", "member", "auditor", "viewer"}
	for _, tenant := range []string{"leipzig", "menden"} {
		for _, role := range roles {
			r.token(tenant, role+"-"+tenant, role)
		}
	}
	if p := r.raw("POST", "/api/v1/templates", "administrator@leipzig", "application/yaml", []byte(twoStages)); p.status != 201 {
		t.Fatalf("publish: %d %s", p.status, p.raw)
	}
	open := func(title string) string {
		return r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "zwei-phasen", "title": title}).body["process"].(string)
	}

	t.Run("two_concurrent_advances_with_the_same_If_Match", func(t *testing.T) {
		id := open("Wettlauf")
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		start := make(chan struct{})
		for i := range 2 {
			wg.Go(func() {
				<-start
				statuses[i] = r.call("POST", "/api/v1/processes/"+id+"/advance", "lead@leipzig", nil, "If-Match", `"1"`).status
			})
		}
		close(start)
		wg.Wait()
		if !(statuses[0] == 200 && statuses[1] == 412 || statuses[0] == 412 && statuses[1] == 200) {
			t.Fatalf("statuses %v, want one 200 and one 412", statuses)
		}
	})

	t.Run("idempotent_retry", func(t *testing.T) {
		id := open("Wiederholung")
		body := map[string]any{"reason": "Haushaltssperre"}
		first := r.call("POST", "/api/v1/processes/"+id+"/suspend", "lead@leipzig", body, "Idempotency-Key", "retry-1")
		again := r.call("POST", "/api/v1/processes/"+id+"/suspend", "lead@leipzig", body, "Idempotency-Key", "retry-1")
		if first.status != 200 || again.status != 200 || again.body["duplicate"] != true || again.body["version"] != first.body["version"] {
			t.Fatalf("first %d %s, again %d %s", first.status, first.raw, again.status, again.raw)
		}
	})

	t.Run("bad_input_writes_nothing", func(t *testing.T) {
		id := open("Schlechte Eingaben")
		base := "/api/v1/processes/" + id
		cases := []struct {
			name, path, ct, body string
			status               int
			code                 string
		}{
			{"malformed_json", base + "/suspend", "application/json", `{"reason":`, 400, "malformed_json"},
			{"wrong_type", base + "/hold_session", "application/json", `{"session":"s","attendance":"viele"}`, 400, "wrong_type"},
			{"unknown_field", base + "/suspend", "application/json", `{"reason":"x","colour":"blau"}`, 400, "unknown_field"},
			{"oversize_body", base + "/suspend", "application/json", `{"reason":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "body_too_large"},
			{"bad_uuid", "/api/v1/processes/keine-uuid/suspend", "application/json", `{"reason":"x"}`, 400, "bad_uuid"},
			{"bad_date", base + "/schedule_session", "application/json", `{"title":"T","format":"workshop","date":"morgen","place":"Rathaus"}`, 400, "bad_date"},
			{"wrong_content_type", base + "/suspend", "text/plain", `reason=x`, 415, "unsupported_media_type"},
		}
		for _, c := range cases {
			before := len(list(r.must("GET", base+"/history", "lead@leipzig", nil).body["items"]))
			got := r.raw("POST", c.path, "lead@leipzig", c.ct, []byte(c.body))
			if got.status != c.status || got.body["code"] != c.code || !strings.HasPrefix(got.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: %d %v, want %d %s", c.name, got.status, got.body["code"], c.status, c.code)
			}
			if after := len(list(r.must("GET", base+"/history", "lead@leipzig", nil).body["items"])); after != before {
				t.Errorf("%s wrote %d events", c.name, after-before)
			}
		}
	})

	t.Run("roles_and_tenants", func(t *testing.T) {
		for _, role := range roles {
			for _, tenant := range []string{"leipzig", "menden"} {
				id := open(fmt.Sprintf("Matrix %s %s", role, tenant))
				who := role + "@" + tenant
				own := tenant == "leipzig"
				want := func(allowed bool) int {
					switch {
					case !own:
						return 404
					case allowed:
						return 200
					}
					return 403
				}
				checks := []struct {
					name   string
					status int
					want   int
				}{
					{"show", r.call("GET", "/api/v1/processes/"+id, who, nil).status, want(true)},               // every role reads its own tenant
					{"history", r.call("GET", "/api/v1/processes/"+id+"/history", who, nil).status, want(true)}, // every role reads its own tenant
					{"record_contribution", r.call("POST", "/api/v1/processes/"+id+"/record_contribution", who, map[string]any{"text": "Idee"}).status,
						want(role == "administrator" || role == "lead" || role == "member")},
					{"advance", r.call("POST", "/api/v1/processes/"+id+"/advance", who, nil).status, want(role == "administrator" || role == "lead")},
				}
				for _, c := range checks {
					if c.status != c.want {
						t.Errorf("%s as %s: %d, want %d", c.name, who, c.status, c.want)
					}
				}
			}
		}
	})
	r.stop()
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
