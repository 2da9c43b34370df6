// Command gen writes the hostile-capture suite (package hostile) to files:
//
//	go run ./pcaps/hostile/gen -out DIR [NAME...]
//
// With names, only those cases are written. The captures are not committed
// (the syn-flood one is 7 MB); tests build them in memory.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/padlock-tls/padlock/pcaps/hostile"
)

func main() {
	out := flag.String("out", "", "write the captures into `DIR`")
	list := flag.Bool("list", false, "list the cases and exit")
	flag.Parse()
	want := map[string]bool{}
	for _, n := range flag.Args() {
		want[n] = true
	}
	if *list {
		for _, c := range hostile.Cases() {
			fmt.Printf("%-30s %s\n", c.Name+c.Ext, c.Doc)
		}
		return
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: give -out DIR (or -list)")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for _, c := range hostile.Cases() {
		if len(want) > 0 && !want[c.Name] {
			continue
		}
		path := filepath.Join(*out, c.Name+c.Ext)
		if err := os.WriteFile(path, c.Build(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}
