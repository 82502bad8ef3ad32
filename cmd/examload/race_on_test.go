//go:build race

package main

// raceEnabled tells tests that count allocations that the race detector adds
// its own.
const raceEnabled = true
