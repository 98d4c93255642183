package sqlitetest

import (
	"database/sql"
	"testing"
)

// Fill grows the database at path to at least pages pages with a table "ballast" of blobs written
// on a connection of its own, as other data fills a disk. With the store opened with a MaxSize of
// that many pages, the store then has no room left but the partly filled pages.
func Fill(t testing.TB, path string, pages int64) {
	t.Helper()
	db := open(t, path)
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS ballast (b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for {
		var n int64
		if err := db.QueryRow(`PRAGMA page_count`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n >= pages {
			return
		}
		rows := min(max((pages-n)/2, 1), 256)
		if _, err := db.Exec(`WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ?)
			INSERT INTO ballast (b) SELECT zeroblob(3000) FROM r`, rows); err != nil {
			t.Fatal(err)
		}
	}
}

// Free deletes the ballast Fill wrote: its pages become free pages the store may use again, as
// when an operator makes room on a full disk.
func Free(t testing.TB, path string) {
	t.Helper()
	db := open(t, path)
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM ballast`); err != nil {
		t.Fatal(err)
	}
}

func open(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}
