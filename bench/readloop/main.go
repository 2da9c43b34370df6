// Command readloop is the floor padlock is measured against: a plain
// pcapgo read loop over a capture (buffered file, ReadPacketData per
// packet, nothing else).
//
//	go run ./bench/readloop FILE
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readloop FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "readloop:", err)
		os.Exit(1)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		fmt.Fprintln(os.Stderr, "readloop:", err)
		os.Exit(1)
	}
	var packets, bytes int64
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "readloop:", err)
			os.Exit(1)
		}
		packets++
		bytes += int64(len(data))
	}
	fmt.Printf("%d packets, %d bytes\n", packets, bytes)
}
