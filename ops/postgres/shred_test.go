package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/postgres"
)

// keyTable finds where the bytes of person_keys are: its pages as the server reads them
// (pageinspect's get_raw_page, shared buffers included) and its files on disk.
type keyTable struct {
	t      *testing.T
	pool   *pgxpool.Pool
	schema string
	dir    string // the server's data directory
	fn     string // the schema holding pageinspect
}

func newKeyTable(t *testing.T, s *postgres.Store) *keyTable {
	ctx := context.Background()
	k := &keyTable{t: t, pool: s.Pool(), schema: s.Schema()}
	// The extension is installed once per database; take the schema it is in, or install it.
	if _, err := k.pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public`); err != nil {
		t.Fatalf("pageinspect (needs a superuser, as on the test server): %v", err)
	}
	if err := k.pool.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE e.extname = 'pageinspect'`).Scan(&k.fn); err != nil {
		t.Fatal(err)
	}
	if err := k.pool.QueryRow(ctx, `SHOW data_directory`).Scan(&k.dir); err != nil {
		t.Fatal(err)
	}
	return k
}

// inPages reports whether any page of the table holds b.
func (k *keyTable) inPages(table string, b []byte) bool {
	ctx := context.Background()
	rel := pgx.Identifier{k.schema, table}.Sanitize()
	var blocks int64
	if err := k.pool.QueryRow(ctx, `SELECT pg_relation_size($1::regclass) / current_setting('block_size')::bigint`, rel).Scan(&blocks); err != nil {
		k.t.Fatal(err)
	}
	for blk := range blocks {
		var page []byte
		if err := k.pool.QueryRow(ctx, `SELECT `+pgx.Identifier{k.fn}.Sanitize()+`.get_raw_page($1, $2::int)`, rel, blk).Scan(&page); err != nil {
			k.t.Fatal(err)
		}
		if bytes.Contains(page, b) {
			return true
		}
	}
	return false
}

// path returns the table's main file, relative to the data directory.
func (k *keyTable) path(table string) string {
	var p string
	if err := k.pool.QueryRow(context.Background(), `SELECT pg_relation_filepath($1::regclass)`, pgx.Identifier{k.schema, table}.Sanitize()).Scan(&p); err != nil {
		k.t.Fatal(err)
	}
	return p
}

// inFiles reports whether any file of the relation at path (segments, free space and visibility
// maps) holds b, after a checkpoint has written the server's buffers to them. It skips the test
// when the files cannot be read (a server on another machine or user).
func (k *keyTable) inFiles(path string, b []byte) bool {
	if _, err := k.pool.Exec(context.Background(), `CHECKPOINT`); err != nil {
		k.t.Fatal(err)
	}
	matches, err := filepath.Glob(filepath.Join(k.dir, path) + "*")
	if err != nil {
		k.t.Fatal(err)
	}
	found := false
	for _, f := range matches {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrPermission) {
			k.t.Skipf("cannot read the server's files: %v", err)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			k.t.Fatal(err)
		}
		found = found || bytes.Contains(data, b)
	}
	return found
}

// keyOf reads a person's key as stored.
func keyOf(t *testing.T, s *postgres.Store, person string) []byte {
	var key []byte
	if err := s.Pool().QueryRow(context.Background(), `SELECT key FROM person_keys WHERE person_id = $1`, person).Scan(&key); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestErase_leaves_no_key_byte_in_the_key_tables_pages_or_files(t *testing.T) {
	s := open(t, postgres.Config{})
	ctx := context.Background()
	v := s.Vault()
	for i := range 200 { // several pages of other persons' keys around the erased one
		if _, err := v.Seal(ctx, fmt.Sprintf("person-%03d", i), "Otto Normalverbraucher"); err != nil {
			t.Fatal(err)
		}
	}
	sealed, err := v.Seal(ctx, "person-x", "Erika Mustermann")
	if err != nil {
		t.Fatal(err)
	}
	key := keyOf(t, s, "person-x")
	k := newKeyTable(t, s)
	before := k.path("person_keys")
	if !k.inPages("person_keys", key) || !k.inFiles(before, key) {
		t.Fatal("the key is not found in the table before the erasure: the search cannot fail")
	}

	// The control: a plain DELETE (and even a plain VACUUM) leaves the bytes on the page.
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE control AS SELECT * FROM person_keys`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM control WHERE person_id = 'person-x'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `VACUUM control`); err != nil {
		t.Fatal(err)
	}
	if !k.inPages("control", key) {
		t.Fatal("control: a deleted and vacuumed row's bytes are gone without a rewrite; this test proves nothing")
	}

	if err := v.Erase(ctx, "person-x"); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := v.Scrubbed(wait); err != nil {
		t.Fatal(err)
	}
	if k.inPages("person_keys", key) {
		t.Error("a page of person_keys still holds the erased key")
	}
	if k.inFiles(k.path("person_keys"), key) {
		t.Error("a file of person_keys still holds the erased key")
	}
	if k.inFiles(before, key) {
		t.Error("the table's file from before the rewrite still holds the erased key")
	}
	if _, err := v.Open(ctx, sealed); !errors.Is(err, postgres.ErrErased) {
		t.Errorf("open after erasure: %v; want ErrErased", err)
	}
	if got, err := v.Open(ctx, mustSealAgain(t, v)); err != nil || got != "Otto" {
		t.Errorf("other persons' keys after the rewrite: %q, %v", got, err)
	}
}

func mustSealAgain(t *testing.T, v *postgres.Vault) process.Sealed {
	s, err := v.Seal(context.Background(), "person-007", "Otto")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestErase_waits_for_an_older_snapshot_before_the_rewrite(t *testing.T) {
	s := open(t, postgres.Config{})
	ctx := context.Background()
	v := s.Vault()
	if _, err := v.Seal(ctx, "person-x", "Erika Mustermann"); err != nil {
		t.Fatal(err)
	}
	key := keyOf(t, s, "person-x")
	k := newKeyTable(t, s)
	// A long report: a repeatable-read transaction whose snapshot still sees the key's row.
	reader, err := s.Pool().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback(ctx)
	var n int
	if err := reader.QueryRow(ctx, `SELECT count(*) FROM person_keys`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := v.Erase(ctx, "person-x"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Erase beside a long reader took %s; want it not to wait for the reader", took)
	}
	if has, err := v.Has(ctx, "person-x"); err != nil || has {
		t.Fatalf("Has after erasure = %v, %v; the key must be unreadable at once", has, err)
	}
	short, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
	defer cancel()
	if err := v.Scrubbed(short); err == nil {
		t.Fatal("Scrubbed returned while an older snapshot could still see the row")
	}
	if !k.inPages("person_keys", key) {
		t.Log("note: the row's bytes were already gone while the reader ran")
	}
	if err := reader.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	wait, cancel2 := context.WithTimeout(ctx, 30*time.Second)
	defer cancel2()
	if err := v.Scrubbed(wait); err != nil {
		t.Fatal(err)
	}
	if k.inPages("person_keys", key) || k.inFiles(k.path("person_keys"), key) {
		t.Error("the erased key is still in the table after the reader ended")
	}
}
