package runner

// Dialect is the SQL dialect of the database that holds the read models and their checkpoints.
type Dialect int

// The dialects.
const (
	// SQLite is the embedded store's file (ops/sqlite's ProjectionDB).
	SQLite Dialect = iota
	// PostgreSQL is the PostgreSQL backend's schema.
	PostgreSQL
)

// String names the dialect.
func (d Dialect) String() string {
	if d == PostgreSQL {
		return "postgresql"
	}
	return "sqlite"
}
