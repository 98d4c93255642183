package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/storecopy"
)

// newStoreCopyCmd returns "civicflow store copy": a SQLite store moved to PostgreSQL.
func newStoreCopyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "copy",
		Short: "Speicher nach PostgreSQL umziehen / move a store to PostgreSQL",
		Long: `Kopiert einen SQLite-Speicher in ein leeres PostgreSQL-Schema: die Ereignisse mit ihren
Positionen, IDs und Ketten-Hashes unverändert, die Personenschlüssel, Siegel und Baum-Hashes,
Schnappschüsse und Checkpoints (Lesemodelle baut der Server aus dem Protokoll neu). Prüft danach
das Ziel: jede Kette, jedes Siegel (Signatur und Wurzel), die Zeilen jeder Tabelle. Ein Ziel, das
schon Daten hat, wird nicht überschrieben. Den Server vorher anhalten oder von einer Sicherung
kopieren.

Copies a SQLite store into an empty PostgreSQL schema: the events with their positions, IDs and
chain hashes unchanged, the person keys, seals and tree hashes, snapshots and checkpoints (the
server rebuilds the read models from the log). Then verifies the target: every chain, every seal
(signature and root), the rows of every table. A target that holds data is never overwritten.
Stop the server first, or copy from a backup.`,
		Example: "  civicflow store copy --from sqlite:/var/lib/civicflow/civicflow.db --to postgres://civicflow@db/civicflow --schema leipzig",
		Args:    cobra.NoArgs,
		RunE:    runStoreCopy,
	}
	cmd.Flags().String("from", "", "Quelle / source `sqlite:PATH`")
	cmd.Flags().String("to", "", "Ziel / target `postgres://…`")
	cmd.Flags().String("schema", "civicflow", "PostgreSQL-Schema des Ziels / the target's `SCHEMA`")
	cmd.Flags().String("key", "", "öffentlicher Siegelschlüssel (Datei oder Text) / the seal's public `KEY` (file or text); default: audit.seal_key_file + .pub")
	return cmd
}

// copyFlags reads and checks --from, --to and --schema; a problem is a usage error naming the flag.
func copyFlags(cmd *cobra.Command) (path string, cfg postgres.Config, err error) {
	from, _ := cmd.Flags().GetString("from")
	to, _ := cmd.Flags().GetString("to")
	schema, _ := cmd.Flags().GetString("schema")
	bad := func(format string, args ...any) error { return &usageError{fmt.Errorf(format, args...)} }
	path, ok := strings.CutPrefix(from, "sqlite:")
	switch {
	case from == "":
		return "", cfg, bad("--from fehlt / is missing: sqlite:PATH")
	case !ok || path == "":
		return "", cfg, bad("--from %q: nur sqlite:PATH wird kopiert / only sqlite:PATH can be copied", from)
	case to == "":
		return "", cfg, bad("--to fehlt / is missing: postgres://…")
	case !strings.HasPrefix(to, "postgres://") && !strings.HasPrefix(to, "postgresql://"):
		return "", cfg, bad("--to: nur postgres://… ist ein Ziel / only postgres://… is a target")
	}
	cfg = postgres.Config{URL: to, Schema: schema}
	if err := (postgres.Config{URL: to, Schema: schema, MaxBatch: 1, MaxEventBytes: 1, MaxConns: 2}).Validate(); err != nil {
		return "", cfg, bad("--schema %q: kein SQL-Bezeichner in Kleinbuchstaben / not a lower-case SQL identifier (letters, digits, _)", schema)
	}
	return path, cfg, nil
}

func runStoreCopy(cmd *cobra.Command, _ []string) error {
	path, pcfg, err := copyFlags(cmd)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(cmd, nil)
	if err != nil {
		return err
	}
	key, err := sealVerifier(cmd, cfg)
	if err != nil {
		return &usageError{fmt.Errorf("--key: %w", err)}
	}
	ctx := cmd.Context()
	src, err := sqlite.New(ctx, sqlite.Config{Path: path, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("--from %s: %w", path, err)
	}
	defer src.Close()
	dst, err := postgres.New(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	res, err := storecopy.Copy(ctx, src, dst)
	if errors.Is(err, eventstore.ErrIntegrity) || errors.Is(err, sqlite.ErrDamaged) {
		fmt.Fprintf(cmd.OutOrStdout(), "BESCHÄDIGT / BROKEN: %s: %v\n  nichts kopiert / nothing copied\n", path, err)
		return &brokenError{err}
	}
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	printCopied(out, res)
	checked, err := storecopy.Verify(ctx, src, dst, key)
	if err != nil {
		fmt.Fprintf(out, "ZIEL FEHLERHAFT / TARGET BROKEN: %v\n", err)
		return &brokenError{err}
	}
	fmt.Fprintf(out, "OK: Ziel geprüft / target verified: %s, schema %s: Ketten und Protokoll lückenlos / chains and log intact, "+
		"%d Siegel geprüft / seals checked, Zeilen gleich / rows equal\n", redactURL(pcfg.URL), pcfg.Schema, len(checked.Heads))
	return nil
}

func printCopied(w io.Writer, res storecopy.Result) {
	c := res.Counts
	fmt.Fprintf(w, "Kopiert / copied: %d Ereignisse in %d Strömen / events in %d streams, %d Personenschlüssel / person keys, "+
		"%d Siegel / seals, %d Schnappschüsse / snapshots, %d archivierte / archived, %d Checkpoints\n",
		c.Events, res.Streams, res.Streams, c.Keys, c.Seals, c.Snapshots, c.Archived, c.Checkpoints)
}

// redactURL leaves a password out of a connection URL for printing.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	at := strings.LastIndex(rest, "@")
	if !ok || at < 0 {
		return u
	}
	user, _, _ := strings.Cut(rest[:at], ":")
	return scheme + "://" + user + rest[at:]
}
