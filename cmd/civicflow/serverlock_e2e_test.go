package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A second server on the same SQLite file is refused before it changes anything (issue 16: the
// server decides on the processes it cached, which is sound only while it is the file's one
// server); the first one keeps serving, and CLI commands still work beside it.
func TestE2E_a_second_server_on_the_same_file_is_refused(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	second := exec.CommandContext(ctx, r.bin, "serve", "--addr", freeAddr(t), "--db", r.db)
	second.Env = append(os.Environ(), "CIVICFLOW_AUDIT_SEAL_KEY_FILE="+filepath.Join(t.TempDir(), "seal.key"))
	out, err := second.CombinedOutput()
	if err == nil {
		t.Fatalf("a second serve on %s exited 0:\n%s", r.db, out)
	}
	for _, want := range []string{"ein anderer civicflow-Server hat", "another civicflow server has", "nothing was changed", r.db} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the refusal does not say %q:\n%s", want, out)
		}
	}
	r.token("leipzig", "anna", "lead") // a CLI command beside the server
	resp, err := http.Get(r.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the first server's /readyz answers %d after the refusal", resp.StatusCode)
	}
	r.stop()
}
