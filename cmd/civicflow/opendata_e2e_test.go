package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/projections/opendata/opendatatest"
	"github.com/civicflow/civicflow/workflows/demo"
)

// TestE2E_opendata_export_of_the_demo_has_only_public_processes_and_no_personal_data: on the real
// binary with serve --demo, Leipzig's administrator marks every Leipzig process public (one with
// the CLI) and one private again; "civicflow opendata export" then writes JSON that validates
// against the served JSON Schema and CSV, both with exactly the public processes, real figures,
// and none of the demo's names, e-mail addresses, person IDs, contribution or feedback texts,
// nor a staff member's name or login.
func TestE2E_opendata_export_of_the_demo_has_only_public_processes_and_no_personal_data(t *testing.T) {
	t.Parallel()
	r := startServer(t, "--demo")
	demoTokens(t, r)
	admin := r.tokens["administrator@leipzig"]
	var ids []string
	for _, it := range list(r.must("GET", "/api/v1/processes?limit=500", "administrator@leipzig", nil).body["items"]) {
		ids = append(ids, it["id"].(string))
	}
	if len(ids) < 3 {
		t.Fatalf("Leipzig has %d demo processes", len(ids))
	}
	cli := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(r.bin, append(args, "--server", r.url)...).CombinedOutput()
		if err != nil {
			t.Fatalf("civicflow %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	cli("process", "set-open-data", ids[0], "--public", "--token", admin)
	for _, id := range ids[1:] {
		r.must("POST", "/api/v1/processes/"+id+"/set_open_data", "administrator@leipzig", map[string]any{"public": true})
	}
	private := ids[len(ids)-1]
	cli("process", "set-open-data", private, "--public=false", "--token", admin)
	public := map[string]bool{}
	for _, id := range ids[:len(ids)-1] {
		public[id] = true
	}

	dir := t.TempDir()
	jsonFile, csvFile := filepath.Join(dir, "leipzig.json"), filepath.Join(dir, "leipzig.csv")
	cli("opendata", "export", "--tenant", "leipzig", "--out", jsonFile)
	cli("opendata", "export", "--tenant", "leipzig", "--format", "csv", "--out", csvFile)
	js, _ := os.ReadFile(jsonFile)
	cs, _ := os.ReadFile(csvFile)

	// The JSON validates against the schema the server serves, formats asserted.
	schemaReply := r.call("GET", "/api/opendata.schema.json", "", nil)
	if schemaReply.status != 200 {
		t.Fatalf("schema: %d", schemaReply.status)
	}
	opendatatest.Validate(t, schemaReply.raw, js)

	// Exactly the public processes, with figures.
	var ds struct {
		License   string `json:"dct:license"`
		Processes []struct {
			ID                 string            `json:"id"`
			Participants       []json.RawMessage `json:"participants"`
			ContributionsTotal int               `json:"contributions_total"`
		} `json:"processes"`
	}
	if err := json.Unmarshal(js, &ds); err != nil {
		t.Fatal(err)
	}
	got, participants, contributions := map[string]bool{}, 0, 0
	for _, p := range ds.Processes {
		got[p.ID] = true
		participants += len(p.Participants)
		contributions += p.ContributionsTotal
	}
	if len(got) != len(public) || got[private] {
		t.Fatalf("exported %v, want the %d public processes without %s", got, len(public), private)
	}
	for id := range public {
		if !got[id] {
			t.Errorf("public process %s is missing", id)
		}
	}
	if participants == 0 || contributions == 0 || ds.License != "http://dcat-ap.de/def/licenses/dl-by-de/2.0" {
		t.Errorf("figures: %d participant groups, %d contributions, licence %q", participants, contributions, ds.License)
	}
	rows, err := csv.NewReader(bytes.NewReader(cs)).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][0] != "process_id" {
		t.Fatalf("CSV: %v\n%s", err, cs)
	}
	inCSV := map[string]bool{}
	for _, row := range rows[1:] {
		inCSV[row[0]] = true
	}
	if len(inCSV) != len(public) || inCSV[private] {
		t.Errorf("CSV has processes %v, want the %d public ones", inCSV, len(public))
	}

	// No personal data: every name, address, person ID and free text the demo records.
	secrets := demo.PersonalData()
	for _, u := range demo.Users() {
		secrets = append(secrets, u.Name, u.User)
	}
	if len(secrets) < 100 {
		t.Fatalf("only %d pieces of personal data collected", len(secrets))
	}
	for _, s := range secrets {
		for name, out := range map[string][]byte{"JSON": js, "CSV": cs} {
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("the %s export holds %q", name, s)
			}
		}
	}

	// Unknown tenants are 404 through the CLI too (exit 1).
	out, err := exec.Command(r.bin, "opendata", "export", "--tenant", "atlantis", "--server", r.url).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "404") {
		t.Errorf("unknown tenant: %v\n%s", err, out)
	}
	r.stop()
}
