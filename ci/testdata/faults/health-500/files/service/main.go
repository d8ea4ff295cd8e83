// Command whitemagic, broken on purpose: it serves, logs JSON, and answers every /health with
// 500, as a service does whose dependency is down.
package main

import (
	"log/slog"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(1)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		log.Info("request", "path", r.URL.Path, "status", 500)
		http.Error(w, `{"status":"failing","checks":[{"name":"upstream","status":"failing"}]}`, 500)
	})
	log.Info("started", "listen", ":8000")
	if err := http.ListenAndServe(":8000", nil); err != nil {
		log.Error("stopped", "error", err.Error())
		os.Exit(1)
	}
}
