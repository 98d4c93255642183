package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/verify"
)

// newBackupCmd returns "civicflow backup": a verified online copy of the store.
func newBackupCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Geprüfte Sicherung im laufenden Betrieb / verified online backup",
		Long: `Schreibt eine konsistente Kopie des Speichers nach FILE, auch während der Server läuft (SQLite
VACUUM INTO: ein Schnappschuss, Schreiber warten nicht), und prüft die Kopie, bevor sie als
Sicherung gilt: jede Hash-Kette, die Lückenlosigkeit des Protokolls und die Siegel mit dem
öffentlichen Schlüssel (--key, sonst audit.seal_key_file + ".pub", falls vorhanden). Erst dann
heißt die Datei FILE. Besteht die Kopie die Prüfung nicht, heißt sie FILE.broken, der Befehl nennt
das Problem und endet mit Exit-Code 3 (dann ist vermutlich der Speicher selbst beschädigt:
"civicflow audit verify --db").

Writes a consistent copy of the store to FILE, also while the server runs (SQLite VACUUM INTO: one
snapshot, writers do not wait), and verifies the copy before it counts as a backup: every hash
chain, the continuity of the log and the seals with the public key (--key, else
audit.seal_key_file + ".pub" when it exists). Only then is the file named FILE. When the copy does
not verify, it is named FILE.broken, the command names the problem and exits with code 3 (the store
itself is then probably damaged: "civicflow audit verify --db").`,
		Example: "  civicflow backup --db /var/lib/civicflow/civicflow.db --out /backup/civicflow-$(date +%F).db",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			if err := sqliteOnly(cmd, cfg); err != nil {
				return err
			}
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				return &usageError{errors.New("--out FILE fehlt / --out FILE is required")}
			}
			if _, err := os.Stat(out); err == nil {
				return &usageError{fmt.Errorf("%s existiert; eine Sicherung überschreibt nichts / %s exists; a backup overwrites nothing", out, out)}
			}
			key, err := sealVerifier(cmd, cfg)
			if err != nil {
				return &usageError{err}
			}
			return backup(cmd.Context(), cmd.OutOrStdout(), cfg.Store.SQLite.Path, out, key)
		},
	}
	cmd.Flags().String("db", "", "Datenbankdatei / database file `PATH` (Standard / default: store.sqlite.path)")
	cmd.Flags().String("out", "", "Sicherungsdatei (darf nicht existieren) / backup `FILE` (must not exist)")
	cmd.Flags().String("key", "", "öffentlicher Schlüssel oder Datei / public verifier key or `FILE` (default: audit.seal_key_file + .pub when it exists)")
	return cmd
}

// backup copies the store at db to out.partial, verifies the copy and renames it to out, or to
// out.broken when it does not verify.
func backup(ctx context.Context, w io.Writer, db, out string, key note.Verifier) error {
	partial := out + ".partial"
	os.Remove(partial) // left by an interrupted backup
	if err := sqlite.Backup(ctx, db, partial); err != nil {
		return err
	}
	rep, head, err := verifyCopy(ctx, partial, key)
	if err != nil {
		os.Remove(partial)
		return err
	}
	if !rep.OK {
		printReport(w, rep)
		broken := out + ".broken"
		if err := os.Rename(partial, broken); err != nil {
			return err
		}
		c := rep.First()
		return &brokenError{fmt.Errorf("die Kopie besteht die Prüfung nicht, sie liegt in %s / the copy does not verify, it was kept as %s: %s: %s",
			broken, broken, c.Title, c.Problem.Message)}
	}
	if err := os.Rename(partial, out); err != nil {
		return err
	}
	if err := syncDir(out); err != nil {
		return err
	}
	printReport(w, rep)
	fmt.Fprintf(w, "Sicherung / backup: %s, bis Position / up to position %s\n", out, head)
	return nil
}

// verifyCopy checks a database copy read-only: its log (every chain, continuity, end) and its
// seals with key (skipped without a key or seals). It returns the report and the log's head.
func verifyCopy(ctx context.Context, path string, key note.Verifier) (verify.Report, eventstore.Position, error) {
	store, err := sqlite.New(ctx, sqlite.Config{Path: path, ReadOnly: true})
	if err != nil {
		return unreadable(nil, err), eventstore.Start, nil
	}
	defer store.Close()
	v, err := verify.New(verify.Config{
		Store: store,
		Log: func(ctx context.Context) (int64, int, error) {
			res, err := store.VerifyLog(ctx)
			return res.Events, res.Streams, err
		},
		Heads: store.Seals().List,
		Key:   key,
	})
	if err != nil {
		return verify.Report{}, eventstore.Start, err
	}
	rep := v.Store(ctx)
	head, err := store.Head(ctx)
	return rep, head, err
}

// syncDir flushes the directory entry of path to disk.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
