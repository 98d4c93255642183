// Package sqlitetest holds test helpers that work on a civicflow SQLite file behind the store's
// back, as an attacker with write access to the file could.
package sqlitetest

import (
	"database/sql"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// RewriteStream replaces the data of a stream's first event with data and recomputes the hash
// chain of the whole stream, so that the chains still verify: only a seal can tell.
func RewriteStream(t testing.TB, path, stream string, data []byte) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT position, record FROM events WHERE stream = ? ORDER BY version`, stream)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		pos    int64
		record []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.pos, &r.record); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	if len(all) == 0 {
		t.Fatalf("stream %q has no events", stream)
	}
	var prev eventstore.Hash
	for i, r := range all {
		e, err := eventstore.DecodeRecord(r.record)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			e.Data = data
		}
		rec := eventstore.EncodeRecord(e)
		h := eventstore.ChainHash(prev, rec)
		if _, err := db.Exec(`UPDATE events SET record = ?, hash = ? WHERE position = ?`, rec, h[:], r.pos); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

// RewriteEvent replaces the data of the event at position with data and recomputes that event's
// hash alone, from its stored predecessor's hash and its new record: its own link verifies, and
// only the link from it to the next event of its stream breaks. This tests the chain link itself.
func RewriteEvent(t testing.TB, path string, position int64, data []byte) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var record, prev []byte
	if err := db.QueryRow(`SELECT e.record, coalesce(p.hash, zeroblob(32)) FROM events e
		LEFT JOIN events p ON p.stream = e.stream AND p.version = e.version - 1 WHERE e.position = ?`, position).Scan(&record, &prev); err != nil {
		t.Fatal(err)
	}
	e, err := eventstore.DecodeRecord(record)
	if err != nil {
		t.Fatal(err)
	}
	e.Data = data
	rec := eventstore.EncodeRecord(e)
	h := eventstore.ChainHash(eventstore.Hash(prev), rec)
	if _, err := db.Exec(`UPDATE events SET record = ?, hash = ? WHERE position = ?`, rec, h[:], position); err != nil {
		t.Fatal(err)
	}
}
