// Package payloads decodes the payloads of process events for the read models, once per page of
// a rebuild for all of them (see runner.Remember).
package payloads

import (
	"context"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/runner"
)

// key names an event's decoded payload in a page's memo.
type key struct{ position eventstore.Position }

// Decode returns the payload of the process event e (process.Decode: upcast to the current
// schema), decoded once for all read models that apply the same rebuild page.
func Decode(ctx context.Context, e eventstore.Event) (process.Payload, error) {
	return runner.Remember(ctx, key{e.Position}, func() (process.Payload, error) {
		return process.Decode(e.Type, e.SchemaVersion, e.Data)
	})
}
