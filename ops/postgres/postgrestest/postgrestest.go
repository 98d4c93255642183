// Package postgrestest gives tests a PostgreSQL server and a schema of their own.
//
// The server is CIVICFLOW_TEST_POSTGRES_URL, by default the one every development and CI machine
// of this project runs: postgres://postgres@127.0.0.1:5432/test. When it cannot be reached, a test
// fails under CI=true and is skipped otherwise, with a message that says how to start one.
package postgrestest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server used when CIVICFLOW_TEST_POSTGRES_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL returns the test server's URL, or fails (CI) or skips the test when it cannot be reached.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("CIVICFLOW_TEST_POSTGRES_URL")
	if url == "" {
		url = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		msg := "PostgreSQL at " + url + " is not reachable (" + err.Error() + "); start one " +
			"(Debian: apt-get install postgresql; trust authentication for 127.0.0.1) or set CIVICFLOW_TEST_POSTGRES_URL"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return url
}

// Schema returns the URL of the test server and the name of a new, empty schema that is
// dropped with everything in it when the test ends.
func Schema(t testing.TB) (url, schema string) {
	t.Helper()
	url = URL(t)
	schema = "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	DropAtEnd(t, url, schema)
	return url, schema
}

// DropAtEnd drops schema on the server at url, with everything in it, when the test ends.
func DropAtEnd(t testing.TB, url, schema string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
}
