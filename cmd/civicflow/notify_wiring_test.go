package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/civicflow/civicflow/config"
)

func TestMailer_reads_the_escalation_recipients_of_the_mail_file(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.yaml")
	file := `- {tenant: leipzig, addr: "127.0.0.1:2525", from: civicflow@leipzig.example, to: [fristen@leipzig.example], escalate_to: [amtsleitung@leipzig.example]}
- {tenant: menden, addr: "127.0.0.1:2525", from: civicflow@menden.example, to: [fristen@menden.example]}
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	var cfg config.Config
	cfg.Notify.MailFile = path
	m, err := mailer(cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Targets) != 2 || !slices.Equal(m.Targets[0].EscalateTo, []string{"amtsleitung@leipzig.example"}) || m.Targets[1].EscalateTo != nil {
		t.Fatalf("targets %+v", m.Targets)
	}
}
