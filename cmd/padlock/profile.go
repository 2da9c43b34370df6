package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $PADLOCK_CPUPROFILE and a heap
// profile to $PADLOCK_MEMPROFILE when they are set, for performance work on
// the real binary (go tool pprof padlock FILE). The returned function
// finishes them.
func startProfile() func() {
	cpu, mem := os.Getenv("PADLOCK_CPUPROFILE"), os.Getenv("PADLOCK_MEMPROFILE")
	if mem == "" {
		// Go samples allocations for a heap profile all the same, by
		// default: ~1.6 MiB of stack records on a big capture, for a
		// profile no one asked for.
		runtime.MemProfileRate = 0
	}
	var f *os.File
	if cpu != "" {
		var err error
		if f, err = os.Create(cpu); err != nil {
			fmt.Fprintf(os.Stderr, "padlock: PADLOCK_CPUPROFILE: %v\n", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "padlock: PADLOCK_CPUPROFILE: %v\n", err)
			f.Close()
			f = nil
		}
	}
	return func() {
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
		if mem != "" {
			m, err := os.Create(mem)
			if err != nil {
				fmt.Fprintf(os.Stderr, "padlock: PADLOCK_MEMPROFILE: %v\n", err)
				return
			}
			runtime.GC()
			pprof.WriteHeapProfile(m)
			m.Close()
		}
	}
}
