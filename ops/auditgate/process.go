package auditgate

import (
	"strings"

	"github.com/google/uuid"
)

// ProcessInPath returns the process ID that path names after prefix ("/api/v1/processes/" for
// the API, "/processes/" for the dashboard), as given, if it is a UUID; else "". It reads the
// path itself, so that a request no route serves (a refusal) names its process too.
func ProcessInPath(path, prefix string) string {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	if _, err := uuid.Parse(id); err != nil {
		return ""
	}
	return id
}
