package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/httpapi"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/workflows/seal"
	"github.com/civicflow/civicflow/workflows/verify"
)

// newAuditVerifyCmd returns "civicflow audit verify [PROCESS]": offline on a database file with
// --db, otherwise through the API.
func newAuditVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify [PROCESS]",
		Short: "Aufzeichnung vollständig prüfen / verify the whole record or one process",
		Long: `Prüft die Hash-Ketten, die Lückenlosigkeit des globalen Protokolls, die Siegel (mit dem
öffentlichen Schlüssel) und dass jedes Lesemodell einem Neuaufbau aus dem Protokoll gleicht — für
den ganzen Speicher oder ein Verfahren (dessen Kette, seine Ereignisse im globalen Protokoll und im
letzten Siegel, seine Zeilen in den Lesemodellen). Mit --db offline auf einer Datenbankkopie (nur
lesend; --heads DATEI, mehrfach: Kopfdateien des Servers und von Zeug:innen), sonst über die API
(Installationsadministration und Prüfer:innen; der Server nimmt seine Kopfdatei). Nennt die erste
Unstimmigkeit genau; Exit-Code 3.

Checks the hash chains, the continuity of the global log, the seals (with the public key) and that
every read model equals a fresh replay of the log — for the whole store or one process (its chain,
its events in the global log and in the latest seal, its rows in the read models). With --db
offline on a database copy (read-only; --heads FILE, repeatable: heads files of the server and of
witnesses), otherwise through the API (installation administrators and auditors; the server uses
its heads file). Names the first problem precisely; exit code 3.`,
		Example: `  civicflow audit verify --db /backup/civicflow-copy.db --key ./keys/seal.key.pub --heads ./keys/seal.heads --heads ~/witness/civicflow.heads
  civicflow audit verify 0190a000-0000-7000-8000-000000000001 --token "$TOKEN"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var rep verify.Report
			var err error
			if cmd.Flags().Changed("db") {
				rep, err = verifyOffline(cmd, args)
			} else {
				rep, err = verifyOnline(cmd, args)
			}
			if err != nil {
				return err
			}
			if asJSON(cmd) {
				b, _ := json.Marshal(rep)
				if err := printJSON(cmd.OutOrStdout(), b); err != nil {
					return err
				}
			} else {
				printReport(cmd.OutOrStdout(), rep)
			}
			if c := rep.First(); c != nil {
				return &brokenError{fmt.Errorf("%s: %s", c.Title, c.Problem.Message)}
			}
			return nil
		},
	}
	clientFlags(cmd)
	addHeadsFlag(cmd)
	cmd.Flags().String("key", "", "öffentlicher Schlüssel oder Datei (nur mit --db) / public verifier key or `FILE` (with --db only; default: audit.seal_key_file + .pub when it exists)")
	return cmd
}

func verifyOffline(cmd *cobra.Command, args []string) (verify.Report, error) {
	cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
	if err != nil {
		return verify.Report{}, err
	}
	key, err := sealVerifier(cmd, cfg)
	if err != nil {
		return verify.Report{}, &usageError{err}
	}
	witnesses, err := headsFlags(cmd)
	if err != nil {
		return verify.Report{}, err
	}
	if _, err := os.Stat(cfg.Store.SQLite.Path); err != nil {
		return verify.Report{}, err
	}
	st, err := storage.Open(cmd.Context(), storage.Config{Store: cfg.Store, ReadOnly: true}) // --db: a SQLite file
	if err != nil {
		return unreadable(args, err), nil
	}
	defer st.Close()
	v, err := newVerifier(st, key, cfg, witnesses)
	if err != nil {
		return verify.Report{}, err
	}
	ctx := cmd.Context()
	if head, err := st.Log.Head(ctx); err == nil && len(args) == 0 { // a line every few seconds on stderr, per pass
		ctx = withProgress(ctx, cmd.ErrOrStderr(), "audit verify", int64(head.Commit()), time.Now)
	}
	return runVerify(ctx, v, args)
}

// unreadable is the report on a database file that cannot even be opened: damaged or truncated.
func unreadable(args []string, err error) verify.Report {
	rep := verify.Report{Scope: "store", Checks: []verify.Check{{Name: "open", Title: "Datenbankdatei lesbar / database file readable",
		Status: verify.StatusBroken, Problem: &verify.Problem{Message: "die Datei ist beschädigt oder abgeschnitten / the file is damaged or truncated: " + err.Error()}}}}
	if len(args) == 1 {
		rep.Scope, rep.Process = "process", args[0]
	}
	return rep
}

func runVerify(ctx context.Context, v *verify.Verifier, args []string) (verify.Report, error) {
	if len(args) == 0 {
		return v.Store(ctx), nil
	}
	rep, err := v.Process(ctx, args[0])
	if errors.Is(err, verify.ErrNoProcess) {
		return rep, fmt.Errorf("verfahren nicht gefunden / process not found: %s", args[0])
	}
	return rep, err
}

// sealVerifier returns the public key from --key, else from audit.seal_key_file + ".pub" when that
// file exists, else nil (the seals are then skipped).
func sealVerifier(cmd *cobra.Command, cfg config.Config) (note.Verifier, error) {
	if arg, _ := cmd.Flags().GetString("key"); arg != "" {
		return loadVerifier(arg)
	}
	return defaultSealVerifier(cfg)
}

func defaultSealVerifier(cfg config.Config) (note.Verifier, error) {
	if k := strings.TrimSpace(cfg.Audit.SealKey); k != "" {
		vkey, err := seal.PublicKey(k)
		if err != nil {
			return nil, fmt.Errorf("audit.seal_key: %w", err)
		}
		return note.NewVerifier(vkey)
	}
	pub := cfg.Audit.SealKeyFile + ".pub"
	if _, err := os.Stat(pub); err != nil {
		return nil, nil
	}
	return loadVerifier(pub)
}

// newVerifier wires the verification of a store through its ports: the backend's own log check
// (else every chain over ReadAll), its seals and tree hashes with the witnesses' heads, and every
// read model replayed into a scratch database of its dialect.
func newVerifier(st *storage.Storage, key note.Verifier, cfg config.Config, witnesses []verify.Witness) (*verify.Verifier, error) {
	if err := st.Require(storage.EventStore, storage.Seals, storage.ReadModels); err != nil {
		return nil, err
	}
	return verify.New(verify.Config{
		Store:        st.Log,
		Witnesses:    witnesses,
		SealInterval: cfg.Audit.SealInterval,
		Clock:        time.Now,
		Log:          st.VerifyLog,
		Heads:        st.Seals.List,
		Hashes:       seal.TileHashes(st.Tiles),
		Key:          key,
		ReadModels:   readModels(),
		Live:         st.ReadModels.Read,
		Dialect:      st.ReadModels.Dialect,
		Scratch:      st.ReadModels.Scratch,
	})
}

func verifyOnline(cmd *cobra.Command, args []string) (verify.Report, error) {
	if k, _ := cmd.Flags().GetString("key"); k != "" {
		return verify.Report{}, &usageError{errors.New("--key gilt nur mit --db; der Server nimmt seinen Schlüssel / --key works with --db only; the server uses its own key")}
	}
	if h, _ := cmd.Flags().GetStringArray("heads"); len(h) > 0 {
		return verify.Report{}, &usageError{errors.New("--heads gilt nur mit --db; der Server nimmt seine Kopfdatei / --heads works with --db only; the server uses its own heads file")}
	}
	c, err := newClient(cmd)
	if err != nil {
		return verify.Report{}, err
	}
	path := "/api/v1/audit/verify"
	if len(args) == 1 {
		path = "/api/v1/processes/" + url.PathEscape(args[0]) + "/verify"
	}
	var rep verify.Report
	_, err = c.do(cmd.Context(), "POST", path, "", nil, nil, &rep)
	return rep, err
}

// printReport writes one line per check and the first problem's location.
func printReport(w io.Writer, rep verify.Report) {
	if rep.Scope == "process" {
		fmt.Fprintf(w, "Verfahren / process %s\n", rep.Process)
	} else {
		fmt.Fprintln(w, "Ganzer Speicher / whole store")
	}
	for _, c := range rep.Checks {
		status := map[string]string{verify.StatusOK: "OK", verify.StatusBroken: "BESCHÄDIGT / BROKEN", verify.StatusSkipped: "ÜBERSPRUNGEN / SKIPPED"}[c.Status]
		fmt.Fprintf(w, "%-24s %s\n", status, c.Title)
		if c.Detail != "" {
			fmt.Fprintf(w, "%24s   %s\n", "", c.Detail)
		}
		if p := c.Problem; p != nil {
			fmt.Fprintf(w, "%24s   %s\n", "", p.Message)
			printProblemPlace(w, p)
		}
	}
	if rep.OK {
		fmt.Fprintln(w, "Ergebnis / result: OK")
	} else {
		fmt.Fprintln(w, "Ergebnis / result: BESCHÄDIGT / BROKEN")
	}
}

// printProblemPlace writes where a problem is, one line per field known.
func printProblemPlace(w io.Writer, p *verify.Problem) {
	for _, f := range [][2]string{{"Strom / stream", p.Stream}, {"Version / version", nonZero(p.Version)}, {"Position / position", p.Position},
		{"Lesemodell bis Position / read model up to position", p.Checkpoint}, {"Tabelle / table", p.Table}, {"Zeile / row", p.Row}, {"Spalte / column", p.Column}, {"gespeichert / stored", p.Stored}, {"Neuaufbau / replay", p.Replayed}} {
		if f[1] != "" {
			fmt.Fprintf(w, "%24s   %s: %s\n", "", f[0], f[1])
		}
	}
}

func nonZero(v int64) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprint(v)
}

// apiVerifier is the API's verifier: the store's own checks, the seals with the public key beside
// audit.seal_key_file when it exists, and every read model.
func apiVerifier(store *storage.Storage, cfg config.Config, log *slog.Logger) httpapi.Verifier {
	key, err := defaultSealVerifier(cfg)
	if err != nil {
		log.Warn("audit verify will not check the seals", "key", cfg.Audit.SealKeyFile+".pub", "err", err)
	}
	heads := headsfile.New(cfg.Audit.HeadsPath())
	v, err := newVerifier(store, key, cfg, []verify.Witness{{Name: heads.String(), Heads: heads.All}})
	if err != nil {
		log.Error("audit verify not available", "err", err)
		return nil
	}
	return v
}
