package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/astroone/astroone-go/ingest"
	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/progress"
	"github.com/astroone/astroone-go/store"
)

func init() {
	register(command{name: "ingest", summary: "read spectra files into a workspace catalog and shards (resumable)", run: runIngest})
}

func runIngest(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ingest", "ingest PATH... --workspace WS [--workers N] [--json]", stderr)
	wsDir := fs.String("workspace", "", "workspace directory (created if needed; required)")
	workers := fs.Int("workers", 0, "parallel readers (0: one per core)")
	shard := fs.Int("shard-size", ingest.DefaultShardSize, "spectra per shard file")
	retry := fs.Bool("retry-failed", false, "process again files that failed in an earlier run")
	asJSON := fs.Bool("json", false, `print the summary as JSON {"seen":…, "ingested":…, "duplicates":…, "failed":…, "skipped":…}`)
	quiet := fs.Bool("quiet", false, "no progress output")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *wsDir == "" || len(paths) == 0 {
		fs.Usage()
		return errUsage
	}
	for _, p := range paths { // before creating the workspace
		if _, err := os.Stat(p); err != nil {
			return err
		}
	}
	ws, err := store.Open(*wsDir)
	if err != nil {
		return err
	}
	defer ws.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum, err := runIngestJob(ctx, ws, paths, *workers, *shard, *retry, *quiet, stderr)
	if err != nil {
		return err
	}
	if *asJSON {
		b, _ := json.Marshal(sum)
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "seen %d files: %d ingested, %d duplicates, %d failed, %d already done (%.1f s)\n",
		sum.Seen, sum.Ingested, sum.Duplicates, sum.Failed, sum.Skipped, sum.Elapsed.Seconds())
	if sum.Failed > 0 {
		fmt.Fprintf(stdout, "failures and their reasons: astroone catalog --workspace %s --failed\n", *wsDir)
	}
	return nil
}

// runIngestJob runs the standard ingest (vacuum, LAMOST grid) with
// progress on stderr.
func runIngestJob(ctx context.Context, ws *store.Workspace, paths []string, workers, shard int, retry, quiet bool, stderr io.Writer) (ingest.Summary, error) {
	opts := ingest.StandardOptions(ws, paths, prep.LAMOSTGrid())
	opts.Workers, opts.ShardSize, opts.RetryFailed = workers, shard, retry
	if !quiet {
		opts.Progress, opts.Terminal = stderr, progress.IsTerminal(stderr)
	}
	return ingest.Run(ctx, opts)
}
