package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

func TestVerifyLog_reports_its_progress(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 10_000
	batch := make([]eventstore.EventData, 0, 1000)
	for i := 0; i < n; i += 1000 {
		batch = batch[:0]
		for j := 0; j < 1000; j++ {
			batch = append(batch, eventstore.EventData{ID: uuid.Must(uuid.NewV7()), Type: "test.happened", SchemaVersion: 1, Data: []byte(fmt.Sprintf(`{"i":%d}`, i+j))})
		}
		if _, err := s.Append(ctx, fmt.Sprintf("test-%d", i), eventstore.Exact(0), batch...); err != nil {
			t.Fatal(err)
		}
	}
	var reports []int64
	res, err := s.VerifyLog(eventstore.WithProgress(ctx, func(done int64) { reports = append(reports, done) }))
	if err != nil || res.Events != n {
		t.Fatalf("%+v %v", res, err)
	}
	if len(reports) != 2 || reports[0] != 4096 || reports[1] != 8192 {
		t.Fatalf("reported %v, want every 4096 events", reports)
	}
}
