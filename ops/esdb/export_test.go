package esdb

// Exposed for the package's external tests.
var (
	Revision     = revision
	ToProposed   = toProposed
	FromRecorded = fromRecorded
	Translate    = translate
	ErrConflict  = errConflict
	ErrForeign   = errNotCivicflow
	ServerFilter = serverFilter
)

// LastCivicflow is lastCivicflow, for the head's tests.
var LastCivicflow = lastCivicflow
