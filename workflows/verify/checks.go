package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/projections/runner"
)

// checkReadModel compares a read model (or one process's rows of it) with a fresh replay.
func (v *Verifier) checkReadModel(ctx context.Context, p runner.Projection, process string) Check {
	c := Check{Name: "read_model", ReadModel: p.Name(), Title: "Lesemodell " + p.Name() + " = Neuaufbau aus dem Protokoll / read model " + p.Name() + " = fresh replay of the log"}
	scratch, discard, err := v.cfg.Scratch()
	if err != nil {
		return c.broken(err, "")
	}
	defer discard()
	res, err := runner.Check(ctx, runner.CheckConfig{Store: v.cfg.Store, Live: v.cfg.Live, Scratch: scratch, Dialect: v.cfg.Dialect, Process: process}, p)
	if errors.Is(err, runner.ErrNotBuilt) {
		return c.skipped("noch nicht aufgebaut / not built yet")
	}
	if err != nil {
		return c.broken(err, "")
	}
	return c.ok(fmt.Sprintf("%d Zeilen in %d Tabellen bis Position %s gleich / %d rows in %d tables equal up to position %s",
		res.Rows, res.Tables, res.Position, res.Rows, res.Tables, res.Position))
}
