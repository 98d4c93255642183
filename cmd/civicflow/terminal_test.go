package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// hostileAPI answers like a server whose stored texts hold terminal escapes, carriage returns,
// bells and bidi overrides (written before the server refused them, or by a server not ours).
func hostileAPI(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/processes":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items":[{"id":"p1","tenant":"leipzig","title":"Spiel\u001b[2J\u001b]0;owned\u0007platz\rFAKE` + "\u202e" + `TXT.exe\nforged row","template":"beteiligung-standard","stage":"tender","status":"active","version":1}]}`))
		case "/api/v1/processes/p1":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"status":404,"code":"not_found","detail":"nicht \u001b[31mgefunden\u0007\u2066"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient_escapes_what_it_prints_from_the_server(t *testing.T) {
	srv := hostileAPI(t)
	raw := "\x1b\r\a\u202e\u2066\x00"
	cases := []struct {
		name string
		args []string
		out  func(result) string
		want []string
	}{
		{"process_list_table", []string{"process", "list"}, func(r result) string { return r.stdout },
			[]string{`Spiel\u001b[2J\u001b]0;owned\u0007platz\u000dFAKE\u202eTXT.exe\nforged row`}},
		{"process_list_json", []string{"process", "list", "--json"}, func(r result) string { return r.stdout },
			[]string{`\u001b[2J`, `\u202e`}},
		{"a_problem_detail_on_stderr", []string{"process", "show", "p1"}, func(r result) string { return r.stderr },
			[]string{`nicht \u001b[31mgefunden\u0007\u2066`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := invoke(t, nil, append(c.args, "--server", srv.URL, "--token", "secret")...)
			got := c.out(r)
			if strings.ContainsAny(got, raw) {
				t.Fatalf("raw control or bidi characters printed: %q", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %s:\n%s", w, got)
				}
			}
		})
	}
}

func TestSafeWriter_keeps_characters_split_between_writes(t *testing.T) {
	var b strings.Builder
	w := terminalSafe(&b)
	in := []byte("Grünfläche \u202e")
	for i := range in {
		if _, err := w.Write(in[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.String(); got != `Grünfläche \u202e` {
		t.Fatalf("%q", got)
	}
}
