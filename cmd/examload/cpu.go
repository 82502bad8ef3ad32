package main

import (
	"fmt"
	"syscall"
	"time"
)

// cpuClock is the CPU time this process has used, user and system.
type cpuClock struct {
	user, sys time.Duration
	at        time.Time
}

func readCPU() cpuClock {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return cpuClock{
		user: time.Duration(ru.Utime.Nano()),
		sys:  time.Duration(ru.Stime.Nano()),
		at:   time.Now(),
	}
}

// cores is how many cores' worth of CPU the process used since c.
func (c cpuClock) cores() float64 {
	now := readCPU()
	wall := now.at.Sub(c.at)
	if wall <= 0 {
		return 0
	}
	return float64(now.user-c.user+now.sys-c.sys) / float64(wall)
}

// cpuRow describes the load generator's own CPU use: on a small machine it
// takes cores from the server it measures.
func cpuRow(c cpuClock) string {
	now := readCPU()
	return fmt.Sprintf("%.2f cores (user %.2f s, sys %.2f s)", c.cores(), (now.user - c.user).Seconds(), (now.sys - c.sys).Seconds())
}
