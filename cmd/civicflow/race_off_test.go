//go:build !race

package main

// raceDetector says whether the tests run with the race detector (race_on_test.go).
const raceDetector = false
