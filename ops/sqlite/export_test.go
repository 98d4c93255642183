package sqlite

// ReadAllQuery exposes the global log's query for the query-plan test.
var ReadAllQuery = readAllQuery

// FindQuery exposes Find's query for the query-plan test.
var FindQuery = findQuery
