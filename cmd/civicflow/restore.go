package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/ops/sqlite"
)

// newRestoreCmd returns "civicflow restore": a verified backup back into place.
func newRestoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Sicherung zurückspielen / restore a backup",
		Long: `Prüft die Sicherung FILE wie "civicflow backup" (Hash-Ketten, Protokoll, Siegel mit dem
öffentlichen Schlüssel) und spielt sie nur zurück, wenn sie besteht (sonst Exit-Code 3, nichts
geändert). Ein vorhandener, nicht leerer Speicher wird nur mit --force ersetzt. Solange ein anderer
Prozess den Speicher offen hat (der Server, ein CLI-Befehl), wird nichts ersetzt: erst den Server
anhalten. Das Zurückspielen ist eine Transaktion; danach wird der Speicher erneut geprüft.
Löschungen (Art. 17 DSGVO) nach dem Stand der Sicherung sind danach zu wiederholen.

Verifies the backup FILE as "civicflow backup" does (hash chains, log, seals with the public key)
and restores it only when it passes (else exit code 3, nothing changed). An existing non-empty
store is replaced only with --force. While another process has the store open (the server, a CLI
command) nothing is replaced: stop the server first. The restore is one transaction; the store is
verified again afterwards. Erasures (Art. 17 GDPR) made after the backup's position must be
repeated afterwards.`,
		Example: "  civicflow restore --from /backup/civicflow-2026-12-04.db --db /var/lib/civicflow/civicflow.db --force",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			if err := sqliteOnly(cmd, cfg); err != nil {
				return err
			}
			from, _ := cmd.Flags().GetString("from")
			if from == "" {
				return &usageError{errors.New("--from FILE fehlt / --from FILE is required")}
			}
			force, _ := cmd.Flags().GetBool("force")
			key, err := sealVerifier(cmd, cfg)
			if err != nil {
				return &usageError{err}
			}
			return restore(cmd.Context(), cmd.OutOrStdout(), from, cfg.Store.SQLite.Path, force, key)
		},
	}
	cmd.Flags().String("from", "", "Sicherungsdatei / backup `FILE`")
	cmd.Flags().String("db", "", "Datenbankdatei, die ersetzt wird / database file `PATH` to replace (Standard / default: store.sqlite.path)")
	cmd.Flags().Bool("force", false, "einen vorhandenen, nicht leeren Speicher ersetzen / replace an existing non-empty store")
	cmd.Flags().String("key", "", "öffentlicher Schlüssel oder Datei / public verifier key or `FILE` (default: audit.seal_key_file + .pub when it exists)")
	return cmd
}

// restore verifies the backup at from, replaces the store at db with it and verifies the result.
func restore(ctx context.Context, w io.Writer, from, db string, force bool, key note.Verifier) error {
	if _, err := os.Stat(from); err != nil {
		return &usageError{err}
	}
	rep, head, err := verifyCopy(ctx, from, key)
	if err != nil {
		return err
	}
	if !rep.OK {
		printReport(w, rep)
		c := rep.First()
		return &brokenError{fmt.Errorf("die Sicherung besteht die Prüfung nicht, nichts wurde geändert / the backup does not verify, nothing was changed: %s: %s",
			c.Title, c.Problem.Message)}
	}
	if !force {
		if err := refuseNonEmpty(db); err != nil {
			return err
		}
	}
	if err := sqlite.Restore(ctx, from, db); err != nil {
		if errors.Is(err, sqlite.ErrInUse) {
			return fmt.Errorf("der Speicher ist geöffnet, erst den Server anhalten; nichts wurde geändert / the store is open, stop the server first; nothing was changed: %w", err)
		}
		return err
	}
	after, _, err := verifyCopy(ctx, db, key)
	if err != nil {
		return err
	}
	printReport(w, after)
	if !after.OK {
		return &brokenError{fmt.Errorf("der zurückgespielte Speicher besteht die Prüfung nicht / the restored store does not verify: %s", after.First().Problem.Message)}
	}
	fmt.Fprintf(w, "Zurückgespielt / restored: %s aus / from %s, bis Position / up to position %s\n", db, from, head)
	return nil
}

// refuseNonEmpty fails when the store at db (its file or its WAL) holds anything.
func refuseNonEmpty(db string) error {
	for _, f := range []string{db, db + "-wal"} {
		st, err := os.Stat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if st.Size() > 0 {
			return &usageError{fmt.Errorf("%s ist nicht leer; mit --force ersetzen / %s is not empty; replace it with --force", db, db)}
		}
	}
	return nil
}
