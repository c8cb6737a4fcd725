// The Go program Delve runs in the "delve" service. Debian strips every Go
// binary it ships (prometheus, etcd, dlv itself) and keeps the DWARF in
// -dbgsym packages on debian-debug, which this machine cannot reach; Delve
// 1.20 refuses binaries without DWARF. So build.sh compiles this file with
// Debian's own Go toolchain (then purges the toolchain) and keeps its DWARF.
package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello from go") })
	if err := http.ListenAndServe(":8080", nil); err != nil {
		panic(err)
	}
}
