package sqlite_test

import (
	"os"
	"testing"
)

var benchDir string

// tempDir is a directory shared by the benchmarks of one run, removed at the end.
func tempDir() (string, error) {
	if benchDir == "" {
		d, err := os.MkdirTemp("", "civicflow-bench-")
		if err != nil {
			return "", err
		}
		benchDir = d
	}
	return benchDir, nil
}

func TestMain(m *testing.M) {
	if runChild() || runServerLockChild() {
		return
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
