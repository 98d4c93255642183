//go:build race

package main

// raceDetector says whether the tests run with the race detector, which makes them several
// times slower: tests that load large histories load smaller ones then.
const raceDetector = true
